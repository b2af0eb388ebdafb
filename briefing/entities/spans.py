"""The units entity rules work on: a story's segments as NER saw them, and entity spans."""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefing.entities import gazetteer

INITIAL = re.compile(r"^[A-Z]\.$")
NAME_WORD = re.compile(r"^[A-Z][a-z]+(?:[-'][A-Za-z][a-z]+)*$")
ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,7}$")
RECALL_POPULATION = 100_000  # an unlabelled town this size or larger is taken as a place


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


def written(seg: Segment, start: int, end: int) -> str:
    """Words start..end as written between them: "al-Assad", not "al - Assad"."""
    gaps = (" " if space else "" for space in seg.spaces[start : end - 1])
    words = seg.words[start:end]
    return words[0] + "".join(gap + word for gap, word in zip(gaps, words[1:], strict=True))


def major(place: gazetteer.Place | None) -> bool:
    """A country, continent or region, or a town of RECALL_POPULATION or more."""
    return place is not None and (
        place.kind != gazetteer.CITY or place.population >= RECALL_POPULATION
    )
