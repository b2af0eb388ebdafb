"""The corrections applied to spaCy's entity spans (steps 3 to 5 in briefing.entities.recognizer).

Spans are split at separators and cut where two known places run together, hyphenated names
and places are kept whole, types are corrected with the place gazetteer and a sports rule and
voted per name within the story, surnames take the story's full name, and names the model
missed are added from their other mentions, bracketed acronyms and the gazetteer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from briefing.entities import gazetteer
from briefing.entities.gazetteer import (
    REPORT_WORDS,
    SPORT_WORDS,
    SPORTS,
    clean_span,
    fold,
    resolve_short_form,
    shouting,
    stop_words,
)
from briefing.entities.kinds import (
    LANDMARKS,
    entrant,
    expand_acronyms,
    initials_match,
    is_pair,
    retype_kinds,
    split_pair,
)
from briefing.entities.spans import (
    ACRONYM,
    INITIAL,
    RECALL_POPULATION,
    Segment,
    Span,
    major,
    written,
)
from briefing.models import EVENT, NORP, ORG, PERSON, PLACE

__all__ = ["Segment", "Span", "correct"]

_KEEP = {"PERSON": PERSON, "ORG": ORG, "GPE": PLACE, "LOC": PLACE, "FAC": PLACE,
         "NORP": NORP, "EVENT": EVENT}  # fmt: skip
_MAYBE = {"PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"}  # kept only if the gazetteer says place
_CITY_NOT_PERSON = 500_000  # a lone name of a city this size is read as the city
_SCORE = re.compile(r"^\d{1,3}-\d{1,3}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}/\d{1,2}(/\d{2,4})?$")


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
                cut = _place_cut(gaz, seg.words[s:e], written(seg, s, e)) if etype != PERSON else 0
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
        and gaz.get(written(seg, start, end + 2)) is not None
    ):
        return end + 2
    return end


def _place_cut(gaz: gazetteer.Gazetteer, words: Sequence[str], as_written: str) -> int:
    """Where a span of two well-known places run together splits, or 0 (never inside a
    place's own name, "Guinea-Bissau")."""

    def big(name: Sequence[str]) -> bool:
        return major(gaz.get(" ".join(name)))

    if len(words) < 2 or gaz.get(" ".join(words)) or gaz.get(as_written):
        return 0
    return next((c for c in range(1, len(words)) if big(words[:c]) and big(words[c:])), 0)


def correct(segs: Sequence[Segment]) -> list[Span]:
    gaz = gazetteer.load()
    sports = _is_sports(segs)
    spans = _model_spans(segs)

    def text(sp: Span) -> str:
        return written(segs[sp.seg], sp.start, sp.end)

    fulls = [
        text(sp)
        for sp in spans
        if sp.type == PERSON and sp.end - sp.start > 1 and not is_pair(segs[sp.seg], sp)
    ]
    spans = [part for sp in spans for part in split_pair(segs[sp.seg], sp, fulls)]
    for sp in spans:
        full = resolve_short_form(text(sp), fulls, leading=True)
        place = gaz.get(text(sp))
        if full is not None and not gaz.is_country(text(sp)):
            sp.type, sp.full = PERSON, full
        elif INITIAL.match(segs[sp.seg].words[sp.start]) and sp.end - sp.start == 2:
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
    for sp in spans:
        if sp.type != PERSON and entrant(gaz, segs[sp.seg], sp.start, sp.end):
            sp.type = PERSON  # "Scott Draper (Australia) beat ..."
    spans = retype_kinds(segs, [sp for sp in spans if sp.type])
    expand_acronyms(segs, spans)
    return spans + retype_kinds(segs, _propagate(segs, spans, fulls, sports))


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
            if bracketed and ACRONYM.match(word) and before and before.type != PERSON:
                expanded = initials_match(word, seg.raw[before.start : before.end])
                full = written(seg, before.start, before.end) if expanded else ""
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
    if INITIAL.match(words[i]) and i + 1 < len(words) and free[i + 1] and words[i + 1].istitle():
        return (2, PERSON, "") if not loose(i + 2) else None
    for size in (3, 2):
        if all(free[i : i + size]) and entrant(gaz, seg, i, i + size):
            return (size, PERSON, "")
    for size in (4, 3, 2, 1):
        name = tuple(words[i : i + size])
        if len(name) < size or not all(free[i : i + size]) or loose(i + size):
            continue
        if size == 1 and fold(name[0]) in stop_words() and not shouting(name[0]):
            continue
        if name in known:
            return (size, *known[name])
        if fold(" ".join(name)) in LANDMARKS:
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
        if place.kind == gazetteer.REGION or place.population >= RECALL_POPULATION:
            return (size, _retype(PLACE, place, sports, venue), "")
    return None


# ---------------------------------------------------------------- the recogniser
