"""The corrections applied to spaCy's entity spans (steps 3 to 5 in briefing.entities).

Spans are split at separators and cut where two known places run together, hyphenated names
and places are kept whole, types are corrected with the place gazetteer and a sports rule and
voted per name within the story, surnames take the story's full name, and names the model
missed are added from their other mentions, bracketed acronyms and the gazetteer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from briefing import entity_kinds, gazetteer
from briefing.gazetteer import (
    REPORT_WORDS,
    SPORT_WORDS,
    SPORTS,
    clean_span,
    fold,
    resolve_short_form,
    shouting,
    stop_words,
)
from briefing.models import EVENT, NORP, ORG, PERSON, PLACE

__all__ = ["Segment", "Span", "correct"]

_KEEP = {"PERSON": PERSON, "ORG": ORG, "GPE": PLACE, "LOC": PLACE, "FAC": PLACE,
         "NORP": NORP, "EVENT": EVENT}  # fmt: skip
_MAYBE = {"PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}  # kept only if the gazetteer says place
_INITIAL = re.compile(r"^[A-Z]\.$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,7}$")
_CITY_NOT_PERSON = 500_000  # a lone name of a city this size is read as the city
_RECALL_POPULATION = 100_000  # an unlabelled town this size or larger is taken as a place
_SCORE = re.compile(r"^\d{1,3}-\d{1,3}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}/\d{1,2}(/\d{2,4})?$")


@dataclass(slots=True)
class Segment:
    """One text run through NER: a story's title or summary, or a benchmark document."""

    words: list[str]  # after truecasing
    raw: list[str]  # as written
    spaces: list[bool]
    ents: list[tuple[int, int, str]]  # spaCy's (start, end, label)
    masked: frozenset[int] = frozenset()  # tokens inside share-button boilerplate


@dataclass(slots=True)
class Span:
    seg: int
    start: int
    end: int
    type: str  # one of ENTITY_TYPES, or "" while undecided
    full: str = ""  # the full name, when this is a short form of it


def _is_sports(segs: Sequence[Segment]) -> bool:
    """A sports report: cue words and scores, dense enough (markets also "beat" forecasts)."""
    words = [w.lower() for seg in segs for w in seg.words]
    cues = sum(3 if w in SPORTS else w in SPORT_WORDS or bool(_SCORE.match(w)) for w in words)
    return cues >= 3 and cues >= 0.01 * len(words)


def _is_venue(seg: Segment, span: Span) -> bool:
    """A place named as where things happen, not who played: "in X", "at X" in running text
    (not in all-caps fixture lists, where "X AT Y" names two teams), "(at Lord's, X)", and
    datelines ("X 1996-08-30", "X, Texas 1996-08-30", "X (Reuters)")."""
    raw = seg.raw
    before = raw[max(0, span.start - 4) : span.start]
    if before and (before[-1] in ("in", "at", "In", "At") or (before[-1] in (",", "(")
                   and any(w in ("in", "at", "In", "At") for w in before))):  # fmt: skip
        return True
    return _dateline(seg, span)


def _dateline(seg: Segment, span: Span) -> bool:
    """ "X 1996-08-30", "X, Texas 1996-08-30", "X (Reuters)": where the report was filed."""
    after = [w for w in seg.raw[span.end : span.end + 5] if w not in (",", "(")]
    if after and after[0] in ("Reuters", "AP", "AFP"):
        return True
    for word in after:
        if _DATE.match(word):
            return True
        if not word[:1].isupper():
            return False
    return False


def _retype(etype: str, place: gazetteer.Place | None, sports: bool, venue: bool) -> str:
    """Gazetteer evidence: countries are places; a town or county in a sports context is a
    club; otherwise a known place the model called something odd is a place."""
    if place is None:
        return etype
    if place.kind in (gazetteer.COUNTRY, gazetteer.CONTINENT):
        return PLACE
    if sports and not venue and etype in (PLACE, PERSON, ORG):
        return ORG
    if etype in ("", NORP):
        return PLACE
    if (
        etype == ORG
        and not sports
        and (place.kind == gazetteer.REGION or place.population >= 15000)
    ):
        return PLACE
    return etype


def _model_spans(segs: Sequence[Segment]) -> list[Span]:
    """The model's entities, cleaned and split; two places run together ("Germany France" in a
    results table) are split too."""
    gaz = gazetteer.load()
    spans: list[Span] = []
    for n, seg in enumerate(segs):
        for start, end, label in seg.ents:
            if label not in _KEEP and label not in _MAYBE:
                continue
            etype = _KEEP.get(label, "")
            # "Russian-Turkish" is two groups; "Jean-Luc" and "Rolls-Royce" are one name.
            spaces = None if etype == NORP else seg.spaces
            for s, e in clean_span(seg.words, start, end, etype == PERSON, spaces):
                if seg.masked.intersection(range(s, e)):
                    continue
                if e - s == 1 and seg.words[s].lower() in REPORT_WORDS:
                    continue
                if etype in (PLACE, "") and e == end:
                    e = _hyphenated_place(gaz, seg, s, e)
                cut = _place_cut(gaz, seg.words[s:e], _written(seg, s, e)) if etype != PERSON else 0
                cut = cut or _case_cut(seg.raw[s:e])
                for a, b in ((s, s + cut), (s + cut, e)) if cut else ((s, e),):
                    spans.append(Span(n, a, b, etype))
    return spans


def _case_cut(raw: Sequence[str]) -> int:
    """Where a name written in capitals meets one that is not ("Larry Fine NEW YORK", a byline
    then a dateline), or 0. Short acronyms ("UN Security Council") do not cut."""
    loud = [shouting(w) for w in raw]
    cuts = [i for i in range(1, len(raw)) if loud[i] != loud[i - 1] and raw[i][:1].isalpha()]
    if len(cuts) != 1:
        return 0
    caps = raw[cuts[0] :] if loud[cuts[0]] else raw[: cuts[0]]
    return cuts[0] if any(sum(c.isalpha() for c in w) >= 4 for w in caps) else 0


def _hyphenated_place(gaz: gazetteer.Gazetteer, seg: Segment, start: int, end: int) -> int:
    """The end of a place the model cut at its hyphen ("Guinea" of "Guinea-Bissau")."""
    if (
        gazetteer.attached_hyphen(seg.words, seg.spaces, end)
        and gaz.get(_written(seg, start, end + 2)) is not None
    ):
        return end + 2
    return end


def _written(seg: Segment, start: int, end: int) -> str:
    """Words start..end as written between them: "al-Assad", not "al - Assad"."""
    gaps = (" " if space else "" for space in seg.spaces[start : end - 1])
    words = seg.words[start:end]
    return words[0] + "".join(gap + word for gap, word in zip(gaps, words[1:], strict=True))


def _place_cut(gaz: gazetteer.Gazetteer, words: Sequence[str], written: str) -> int:
    """Where a span of two well-known places run together splits, or 0 (never inside a
    place's own name, "Guinea-Bissau")."""

    def major(name: Sequence[str]) -> bool:
        place = gaz.get(" ".join(name))
        return place is not None and (
            place.kind != gazetteer.CITY or place.population >= _RECALL_POPULATION
        )

    if len(words) < 2 or gaz.get(" ".join(words)) or gaz.get(written):
        return 0
    return next((c for c in range(1, len(words)) if major(words[:c]) and major(words[c:])), 0)


def correct(segs: Sequence[Segment]) -> list[Span]:
    gaz = gazetteer.load()
    sports = _is_sports(segs)
    spans = _model_spans(segs)

    def text(sp: Span) -> str:
        return _written(segs[sp.seg], sp.start, sp.end)

    fulls = [
        text(sp)
        for sp in spans
        if sp.type == PERSON and sp.end - sp.start > 1 and not _pair(segs[sp.seg], sp)
    ]
    spans = [part for sp in spans for part in _split_pair(segs[sp.seg], sp, fulls)]
    for sp in spans:
        full = resolve_short_form(text(sp), fulls, leading=True)
        place = gaz.get(text(sp))
        if full is not None and not gaz.is_country(text(sp)):
            sp.type, sp.full = PERSON, full
        elif _INITIAL.match(segs[sp.seg].words[sp.start]) and sp.end - sp.start == 2:
            sp.type = PERSON  # "K. Curran"
        elif sp.type == PERSON and place is not None and _is_venue(segs[sp.seg], sp):
            sp.type = PLACE  # "in Budapest", "TAVILDARA, Tajikistan 1996-08-30"
        elif (
            sp.type == PERSON
            and sp.end - sp.start == 1
            and place is not None
            and place.population >= _CITY_NOT_PERSON
            and not sports
        ):
            sp.type = PLACE  # "port of Rotterdam": a lone big-city name is not a surname
        else:
            sp.type = _retype(sp.type, place, sports, _is_venue(segs[sp.seg], sp))
    # One type per name within the story: the majority of its mentions. Not for places in sports
    # reports, where "Leeds" is a club in one sentence and the venue in the next.
    voters = [
        sp for sp in spans if not (sports and gaz.get(text(sp)) and not gaz.is_country(text(sp)))
    ]
    votes: dict[str, Counter[str]] = {}
    for sp in voters:
        if sp.type:
            votes.setdefault(fold(sp.full or text(sp)), Counter())[sp.type] += 1
    for sp in voters:
        tally = votes.get(fold(sp.full or text(sp)))
        if tally:
            sp.type = max(tally, key=lambda t: (tally[t], t == sp.type))
    spans = _kinds(segs, [sp for sp in spans if sp.type])
    _expand_acronyms(segs, spans)
    return spans + _kinds(segs, _propagate(segs, spans, fulls, sports))


def _pair(seg: Segment, sp: Span) -> bool:
    """A span of two names joined by a hyphen: "Putin-Erdogan", "Jean-Luc"."""
    return sp.end - sp.start == 3 and seg.words[sp.start + 1] in ("-", "‐")


_MEETING = frozenset("summit talks meeting meetings deal call phone agreement accord pact".split())


def _split_pair(seg: Segment, sp: Span, fulls: Sequence[str]) -> list[Span]:
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


def _kinds(segs: Sequence[Segment], spans: list[Span]) -> list[Span]:
    """Diseases, their variants and capitalised common nouns dropped ("Covid-19", "the Delta
    variant", "Man charged"); apps, armed groups, parties and names ending like an
    organisation's are organisations, venues are places, "Brexit" is an event."""
    kinds = entity_kinds
    gaz = gazetteer.load()
    words = {fold(w) for seg in segs for w in seg.words}
    disease = any(kinds.is_disease(w) or w in kinds.DISEASE_AFTER for w in words)
    out = []
    for sp in spans:
        seg = segs[sp.seg]
        name = fold(_written(seg, sp.start, sp.end)).replace(".", "")
        after = seg.words[sp.end].lower() if sp.end < len(seg.words) else ""
        if (
            kinds.is_disease(name)
            or after in kinds.DISEASE_AFTER
            or name in kinds.COMMON
            or (disease and name in kinds.VARIANTS)
        ):
            continue
        last = name.split()[-1]
        if name in kinds.EVENTS or (" " in name and last in kinds.EVENT_WORDS):
            sp.type = EVENT
        elif sp.type == PERSON and " " not in name and _demonym(gaz, name):
            sp.type = NORP
        elif sp.type in (PERSON, PLACE) and (
            name in kinds.PLATFORMS or (kinds.org_by_name(name) and gaz.get(name) is None)
        ):
            sp.type = ORG
        elif sp.type == PERSON and " " in name and last in kinds.VENUE_WORDS:
            sp.type = PLACE
        out.append(sp)
    return out


def _demonym(gaz: gazetteer.Gazetteer, word: str) -> bool:
    """ "rwandan", "kenyan", "nigerian", "mexican": a people named after a country."""
    for cut in (1, 2, 3):
        base = word[:-cut]
        if word.endswith(("n", "an", "ian")[cut - 1]) and any(
            gaz.is_country(base + end) for end in ("", "a", "o")
        ):
            return True
    return False


def _initials_match(acronym: str, words: Sequence[str]) -> bool:
    """ "DOH" of "Department of Health", "KDP" of "Kurdistan Democratic Party"."""
    letters = acronym.upper()
    every = "".join(w[0] for w in words if w[:1].isalpha()).upper()
    capital = "".join(w[0] for w in words if w[:1].isupper())
    return len(letters) >= 2 and letters in (every, capital)


def _expand_acronyms(segs: Sequence[Segment], spans: list[Span]) -> None:
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
                and _ACRONYM.match(seg.words[i + 1])
                and _initials_match(seg.words[i + 1], seg.raw[before.start : before.end])
            ):
                defined[seg.words[i + 1]] = (before.type, _written(seg, before.start, i))
    for sp in spans:
        words = segs[sp.seg].words[sp.start : sp.end]
        if len(words) == 1 and words[0] in defined and sp.type != PERSON:
            sp.type, sp.full = defined[words[0]]


def _propagate(
    segs: Sequence[Segment], spans: list[Span], fulls: list[str], sports: bool
) -> list[Span]:
    """Mentions the model missed: unlabelled repeats of names found elsewhere in the story,
    surnames of its people, acronyms defined in brackets ("Kurdistan Democratic Party (KDP)"),
    initial-and-surname ("K. Curran"), and known places."""
    gaz = gazetteer.load()
    known: dict[tuple[str, ...], tuple[str, str]] = {}
    for sp in spans:
        known[tuple(segs[sp.seg].words[sp.start : sp.end])] = (sp.type, sp.full)
    for full in fulls:
        for part in {full.split()[0], full.split()[-1]}:
            if resolve_short_form(part, fulls, leading=True) == full:
                known.setdefault((part,), (PERSON, full))
    ends = {(sp.seg, sp.end): sp for sp in spans}
    for n, seg in enumerate(segs):  # acronyms first, so that their repeats are found too
        for i, word in enumerate(seg.words[2:-1], 2):
            before = ends.get((n, i - 1))
            bracketed = seg.words[i - 1] == "(" and seg.words[i + 1] == ")"
            if bracketed and _ACRONYM.match(word) and before and before.type != PERSON:
                expanded = _initials_match(word, seg.raw[before.start : before.end])
                full = _written(seg, before.start, before.end) if expanded else ""
                known.setdefault((word,), (before.type, full))
    found: list[Span] = []
    for n, seg in enumerate(segs):
        covered = {i for sp in spans if sp.seg == n for i in range(sp.start, sp.end)}
        covered |= seg.masked
        free = [i not in covered for i in range(len(seg.words))]
        i = 0
        while i < len(seg.words):
            hit = _match(seg, free, i, known, gaz, sports)
            if hit is not None:
                found.append(Span(n, i, i + hit[0], hit[1], hit[2]))
                i += hit[0]
            else:
                i += 1
    return found


def _match(
    seg: Segment,
    free: list[bool],
    i: int,
    known: Mapping[tuple[str, ...], tuple[str, str]],
    gaz: gazetteer.Gazetteer,
    sports: bool,
) -> tuple[int, str, str] | None:
    """The longest unlabelled name starting at word ``i``: (length, type, full name)."""
    words = seg.words

    def loose(j: int) -> bool:  # a free capitalised word that would extend the name
        w = words[j] if 0 <= j < len(words) else ""
        return bool(w) and free[j] and w[:1].isupper() and fold(w) not in stop_words()

    if not free[i] or not words[i][:1].isupper() or loose(i - 1):
        return None
    if _INITIAL.match(words[i]) and i + 1 < len(words) and free[i + 1] and words[i + 1].istitle():
        return (2, PERSON, "") if not loose(i + 2) else None
    for size in (4, 3, 2, 1):
        name = tuple(words[i : i + size])
        if len(name) < size or not all(free[i : i + size]) or loose(i + size):
            continue
        if size == 1 and fold(name[0]) in stop_words() and not shouting(name[0]):
            continue
        if name in known:
            return (size, *known[name])
        if fold(" ".join(name)) in entity_kinds.LANDMARKS:
            return (size, PLACE, "")
        place = gaz.get(" ".join(name))
        if place is None or name[0].lower() in REPORT_WORDS:
            continue
        span = Span(0, i, i + size, PLACE)
        venue = _is_venue(seg, span)
        if place.kind in (gazetteer.COUNTRY, gazetteer.CONTINENT) or (
            venue and _dateline(seg, span)
        ):
            return (size, PLACE, "")
        if place.kind == gazetteer.REGION or place.population >= _RECALL_POPULATION:
            return (size, _retype(PLACE, place, sports, venue), "")
    return None


# ---------------------------------------------------------------- the recogniser
