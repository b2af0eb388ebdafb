"""What kind of thing a name is, beyond what the model guesses: word lists of news style.

- Diseases and their variants ("Covid-19", "coronavirus", "the Delta variant") are neither
  people, places nor organisations: they are not entities in briefing and are dropped.
- Apps and platforms ("Instagram", "TikTok") are companies, never people or places.
- Known armed groups and political parties, and names ending in an organisation's word
  ("Free Syrian Army", "Liberal Party"), are organisations, never people.
- Names of one place or body ("US", "America"; "UK", "Britain") share one key: see
  briefing.aliases.

All lists hold folded names (``gazetteer.fold``, dots removed). They name kinds of things that
every news day has, not any benchmark's documents.
"""

from __future__ import annotations

from collections.abc import Sequence

from briefing.entities import gazetteer
from briefing.entities.gazetteer import fold, resolve_short_form
from briefing.entities.spans import ACRONYM, NAME_WORD, Segment, Span, major, written
from briefing.models import EVENT, NORP, ORG, PERSON, PLACE

DISEASES = frozenset(
    "covid covid-19 covid19 coronavirus coronaviruses sars-cov-2 sars mers ebola zika hiv aids "
    "hiv/aids measles malaria polio cholera dengue tuberculosis monkeypox mpox influenza flu "
    "omicron h1n1 h5n1 legionnaires".split()
)
# A name with one of these words in it is a disease or about one: "Covid-19 Pandemic".
DISEASE_WORDS = frozenset("covid covid-19 covid19 coronavirus sars-cov-2 pandemic".split())
# Written after a name, these make it a disease's: "the Delta variant", "Ebola outbreak".
DISEASE_AFTER = frozenset("variant variants strain strains".split())
# Greek letters name a virus's variants: in a story about a disease, "Delta" is one.
VARIANTS = frozenset("alpha beta gamma delta epsilon eta iota kappa lambda mu omicron".split())
# Common nouns that a Title Case headline capitalises ("Man charged", "Government to act").
COMMON = frozenset("man woman men women boy girl government police tier games icu".split())
# Names of events the model takes for people ("Brexit").
EVENTS = frozenset("brexit megxit olympic olympics paralympics wimbledon".split())
# The last word of a competition's name: "Fed Cup", "PGA Tour", "Hong Kong Open".
EVENT_WORDS = frozenset(
    "cup tour open championship championships games prix series trophy olympics bowl "
    "marathon".split()  # not "league": the Arab League and the Awami League are bodies
)
# The last word of a building or venue: "Manchester Arena" is a place, not a person.
VENUE_WORDS = frozenset("arena stadium airport station square hospital palace tower prison".split())
# Places of the news that the gazetteer (countries, regions, towns) does not hold.
LANDMARKS = frozenset(
    [
        "wall street", "silicon valley", "west bank", "gaza strip", "capitol hill",
        "downing street", "golan heights", "middle east", "bay area",
    ]
)  # fmt: skip
# Apps, platforms and companies whose names the model takes for people or places.
PLATFORMS = frozenset(
    "facebook instagram twitter youtube tiktok whatsapp snapchat linkedin wechat weibo reddit "
    "telegram netflix spotify uber airbnb google microsoft pinterest pfizer moderna "
    "astrazeneca biontech sinovac novavax".split()
)
ARMED_AND_PARTIES = frozenset(
    [
        *"taliban hamas hezbollah hizbollah isis isil daesh hts ypg pkk sdf farc eta ira anc "
        "bjp ldp cdu csu spd afd snp dup ukip likud fidesz pti kmt dpp".split(),
        "al-qaeda", "al qaeda", "al-shabaab", "al shabaab", "islamic state", "boko haram",
        "hayat tahrir al-sham", "tahrir al-sham", "wagner group", "proud boys",
        "muslim brotherhood", "islamic jihad", "sinn fein", "plaid cymru", "janjaweed",
    ]
)  # fmt: skip
# The last word of an organisation's name: "Free Syrian Army", "Liberal Party".
ORG_WORDS = frozenset(
    "party army front brigade brigades militia movement forces association federation "
    "council committee commission ministry department agency institute university college "
    "company corporation corp inc ltd plc group organisation organization foundation "
    "authority board police club fund society".split()  # not "court": Margaret Court
)


def is_disease(folded: str) -> bool:
    return folded in DISEASES or any(w in DISEASE_WORDS for w in folded.split())


def org_by_name(folded: str) -> bool:
    """A known armed group or party, or a name that ends like an organisation's."""
    words = folded.split()
    return folded in ARMED_AND_PARTIES or (len(words) > 1 and words[-1] in ORG_WORDS)


# ---------------------------------------------------------------- rules over a story's spans


def is_pair(seg: Segment, sp: Span) -> bool:
    """A span of two names joined by a hyphen: "Putin-Erdogan", "Jean-Luc"."""
    return sp.end - sp.start == 3 and seg.words[sp.start + 1] in ("-", "‐")


_MEETING = frozenset("summit talks meeting meetings deal call phone agreement accord pact".split())


def split_pair(seg: Segment, sp: Span, fulls: Sequence[str]) -> list[Span]:
    """ "Putin-Erdogan" is two people: a hyphen between two surnames of the story's people,
    or two names before a word of meeting ("summit", "talks"). "Jean-Luc" stays one."""
    words = seg.words[sp.start : sp.end]
    if sp.type not in (PERSON, "") or len(words) != 3 or words[1] not in ("-", "‐"):
        return [sp]
    left, right = words[0], words[2]
    if not (left.istitle() and right.istitle() and len(left) > 2 and len(right) > 2):
        return [sp]
    known = [resolve_short_form(w, fulls, leading=True) for w in (left, right)]
    after = seg.words[sp.end].lower() if sp.end < len(seg.words) else ""
    if (None not in known and known[0] != known[1]) or after in _MEETING:
        return [
            Span(sp.seg, sp.start, sp.start + 1, PERSON),
            Span(sp.seg, sp.end - 1, sp.end, PERSON),
        ]
    return [sp]


def retype_kinds(segs: Sequence[Segment], spans: list[Span]) -> list[Span]:
    """Diseases, their variants and capitalised common nouns dropped ("Covid-19", "the Delta
    variant", "Man charged"); apps, armed groups, parties and names ending like an
    organisation's are organisations, venues are places, "Brexit" is an event."""
    gaz = gazetteer.load()
    words = {fold(w) for seg in segs for w in seg.words}
    disease = any(is_disease(w) or w in DISEASE_AFTER for w in words)
    out = []
    for sp in spans:
        seg = segs[sp.seg]
        name = fold(written(seg, sp.start, sp.end)).replace(".", "")
        after = seg.words[sp.end].lower() if sp.end < len(seg.words) else ""
        if (
            is_disease(name)
            or after in DISEASE_AFTER
            or name in COMMON
            or (disease and name in VARIANTS)
        ):
            continue
        last = name.split()[-1]
        if name in EVENTS or (" " in name and last in EVENT_WORDS):
            sp.type = EVENT
        elif sp.type == PERSON and " " not in name and demonym(gaz, name):
            sp.type = NORP
        elif sp.type in (PERSON, PLACE) and (
            name in PLATFORMS or (org_by_name(name) and gaz.get(name) is None)
        ):
            sp.type = ORG
        elif sp.type == PERSON and " " in name and last in VENUE_WORDS:
            sp.type = PLACE
        out.append(sp)
    return out


def entrant(gaz: gazetteer.Gazetteer, seg: Segment, start: int, end: int) -> bool:
    """A person's name followed by their country in brackets, as results lists and line-ups
    write them: "Pete Sampras (U.S.)", "Ines Gorrochategui (Argentina)". Two or three
    capitalised words, none of them a major place ("Celtic Glasgow (Scotland)" is a club)."""
    words = seg.words
    name = words[start:end]
    if not 2 <= len(name) <= 3 or not all(NAME_WORD.match(w) for w in name):
        return False
    if gaz.get(" ".join(name)) is not None or gaz.get(name[0]) is not None:
        return False
    if any(major(gaz.get(w)) for w in name[1:]):
        return False
    if end >= len(words) or words[end] != "(":
        return False
    close = next((j for j in range(end + 2, min(end + 5, len(words))) if words[j] == ")"), 0)
    return bool(close) and gaz.is_country(" ".join(words[end + 1 : close]))


def demonym(gaz: gazetteer.Gazetteer, word: str) -> bool:
    """ "rwandan", "kenyan", "nigerian", "mexican": a people named after a country."""
    for cut in (1, 2, 3):
        base = word[:-cut]
        if word.endswith(("n", "an", "ian")[cut - 1]) and any(
            gaz.is_country(base + end) for end in ("", "a", "o")
        ):
            return True
    return False


def initials_match(acronym: str, words: Sequence[str]) -> bool:
    """ "DOH" of "Department of Health", "KDP" of "Kurdistan Democratic Party"."""
    letters = acronym.upper()
    every = "".join(w[0] for w in words if w[:1].isalpha()).upper()
    capital = "".join(w[0] for w in words if w[:1].isupper())
    return len(letters) >= 2 and letters in (every, capital)


def expand_acronyms(segs: Sequence[Segment], spans: list[Span]) -> None:
    """An acronym the story defines in brackets ("Department of Health (DOH)") is its
    expansion wherever the story uses it: one entity, not two."""
    ends = {(sp.seg, sp.end): sp for sp in spans}
    defined: dict[str, tuple[str, str]] = {}
    for n, seg in enumerate(segs):
        for i, word in enumerate(seg.words[1:-2], 1):
            before = ends.get((n, i))
            if (
                before is not None
                and word == "("
                and seg.words[i + 2] == ")"
                and ACRONYM.match(seg.words[i + 1])
                and initials_match(seg.words[i + 1], seg.raw[before.start : before.end])
            ):
                defined[seg.words[i + 1]] = (before.type, written(seg, before.start, i))
    for sp in spans:
        words = segs[sp.seg].words[sp.start : sp.end]
        if len(words) == 1 and words[0] in defined and sp.type != PERSON:
            sp.type, sp.full = defined[words[0]]
