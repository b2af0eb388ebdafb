"""Short human names for threads: the two or three most distinctive entities or terms.

Distinctive = share of the thread's stories that mention it times its IDF against the
background document frequencies (the engine's df table, same keys as threads.text).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from briefing.entities.aliases import ALIASES
from briefing.threads.text import STOP_WORDS, entity_key, words

if TYPE_CHECKING:
    from briefing.threads import ThreadItem

SEPARATOR = " · "
MAX_CHARS = 40
MAX_PARTS = 3
ENTITY_BOOST = 1.5  # an entity is a better handle than a word of the same weight
PHRASE_BOOST = 1.25  # "True Detective" beats "True" when both are as distinctive
PLACE_PREFIXES = ("place:", "gpe:", "loc:")
FIRST_PREFIXES = (*PLACE_PREFIXES, "person:")  # "Idlib · Sochi deal": places, people first
# "Turkish", "Kurds": a nationality or group names no event; a topic word of the same weight
# ("patrols") says more, so it ranks below plain words, not above them like other entities.
GROUP_PREFIXES = ("norp:",)
GROUP_BOOST = 0.8
# A headline names a story; a summary's words are half as good a handle on it.
SUMMARY_WEIGHT = 0.5
# Words that fill headlines on real feeds but name no story ("made", "across", "July", "since").
NAME_STOP_WORDS = frozenset(
    """
    january february march april may june july august september october november december
    made make makes making across almost amid among still back could might many much
    latest time times people help helps need needs calls call set sets way ways near related
    since ago yet ever even another every already without within around along despite toward
    towards whether though although
    """.split()
)


class _Candidate:
    __slots__ = ("covers", "first", "key", "label", "score")

    def __init__(self, key: str, label: str, score: float, covers: frozenset[str], first: bool):
        self.key = key
        self.label = label
        self.score = score
        self.covers = covers  # word keys this candidate stands for, to avoid "Idlib · Idlib"
        self.first = first


def _idf(df: Mapping[str, int], n_docs: int, key: str) -> float:
    return math.log((n_docs + 1) / (df.get(key, 0) + 1)) + 1.0


def _surface(forms: Counter[str]) -> str:
    # Most common spelling; ties go to the capitalised one, then alphabetical (stable).
    return min(forms.items(), key=lambda kv: (-kv[1], not kv[0][:1].isupper(), kv[0]))[0]


def _candidates(
    members: Sequence[ThreadItem], df: Mapping[str, int], n_docs: int
) -> list[_Candidate]:
    size = len(members)
    word_docs: Counter[str] = Counter()  # stories naming it in the title, or half in the summary
    forms: defaultdict[str, Counter[str]] = defaultdict(Counter)  # not setdefault: a Counter a word
    ent_docs: Counter[str] = Counter()
    ent_names: dict[str, Counter[str]] = {}
    for item in members:
        seen: dict[str, float] = {}
        for text, weight in ((item.summary, SUMMARY_WEIGHT), (item.title, 1.0)):
            seq = words(text)
            for key, surface in seq:
                if key and key not in NAME_STOP_WORDS:
                    seen[key] = weight
                    forms[key][surface] += 1
            for (a, sa), (b, sb) in pairwise(seq):
                if a and b and a not in NAME_STOP_WORDS and b not in NAME_STOP_WORDS:
                    gram = f"{a} {b}"
                    seen[gram] = weight
                    forms[gram][f"{sa} {sb}"] += 1
        word_docs.update(seen)
        names = dict(item.entity_names)
        for key in set(item.entities) | set(names):
            ent_docs[key] += 1
            ent_names.setdefault(key, Counter())[names.get(key, _display_from_key(key))] += 1
    # Something said once in a big thread is not what the thread is about.
    support = 1 if size < 3 else 2
    out: list[_Candidate] = []
    for key, n in ent_docs.items():
        if n < support:
            continue
        label = _surface(ent_names[key])
        if _number_led(label):
            continue
        covers = frozenset(k for k, _ in words(label) if k)
        boost = GROUP_BOOST if key.startswith(GROUP_PREFIXES) else ENTITY_BOOST
        score = n / size * _idf(df, n_docs, entity_key(key)) * boost
        out.append(_Candidate(key, label, score, covers, key.startswith(FIRST_PREFIXES)))
    for key, n in word_docs.items():
        if n < support:
            continue
        parts = key.split(" ")
        if len(parts) == 2 and ((n < 2 and size > 1) or parts[0] == parts[1]):
            continue
        if _number_led(key):
            continue
        score = n / size * _idf(df, n_docs, key) * (PHRASE_BOOST if len(parts) == 2 else 1.0)
        out.append(_Candidate(key, _surface(forms[key]), score, frozenset(parts), False))
    out.sort(key=lambda c: (-c.score, c.key))
    return out


def _number_led(label: str) -> bool:
    """ "112", "000 passengers", "90th", "118 114": a figure is not a handle on a story."""
    parts = label.split()
    return not parts or parts[0][:1].isdigit() or parts[-1][:1].isdigit()


def _initials(label: str) -> set[str]:
    """ "Bank of England" -> {"BOE", "BE"}: what an acronym of it would be ("L.A. Unified
    School District" -> "LAUSD": a dotted abbreviation gives each of its letters)."""
    parts = [p for p in re.split(r"[\s.-]+", label) if p[:1].isalpha()]
    if len(parts) < 2:
        return set()
    content = [p for p in parts if p.lower() not in STOP_WORDS]
    return {"".join(p[0] for p in parts).upper(), "".join(p[0] for p in content).upper()}


def _aliases(a: str, b: str) -> bool:
    """One label is the other's acronym ("BoE" and "Bank of England")."""
    return any(
        x.isalpha() and sum(c.isupper() for c in x) >= 2 and x.upper() in _initials(y)
        for x, y in ((a, b), (b, a))
    )


def _inside(words_: frozenset[str], covered: set[str]) -> bool:
    """A word that ends or starts a word already in the name, or holds one ("quake" and
    "earthquake"); short words are exempt ("us" in "bus")."""
    return any(
        a != b and min(len(a), len(b)) >= 4 and (a.endswith(b) or a.startswith(b))
        for w in words_
        for c in covered
        for a, b in ((w, c), (c, w))
    )


def _spelled_out(words_: frozenset[str], covered: set[str]) -> bool:
    """A short form whose full form the name already says: "L.A" beside "Los Angeles
    County", "US" beside "United States"."""
    return any(w in ALIASES and {k for k, _ in words(ALIASES[w]) if k} <= covered for w in words_)


def _display_from_key(key: str) -> str:
    bare = key.split(":", 1)[-1]
    return " ".join(w[:1].upper() + w[1:] for w in bare.split())


def thread_name(members: Sequence[ThreadItem], doc_freq: Mapping[str, int], n_docs: int) -> str:
    """E.g. "Idlib · Sochi deal". Deterministic for the same members and df, in any order."""
    members = sorted(members, key=lambda m: m.story_id)
    chosen: list[_Candidate] = []
    covered: set[str] = set()
    titles = {" ".join(t for t, _ in words(m.title) if t) for m in members}
    for cand in _candidates(members, doc_freq, n_docs):
        if len(chosen) == MAX_PARTS:
            break
        if cand.covers & covered or cand.label.lower() in (c.label.lower() for c in chosen):
            continue
        if _inside(cand.covers, covered):
            continue  # "earthquake · quake", "wildfires · fires": one word said twice
        if _spelled_out(cand.covers, covered):
            continue  # "Los Angeles County · L.A": one place said twice
        if any(_aliases(cand.label, c.label) for c in chosen):
            continue
        trial = sorted([*chosen, cand], key=lambda c: not c.first)
        name = SEPARATOR.join(c.label for c in trial)
        if chosen and len(name) > MAX_CHARS:
            continue
        if " ".join(sorted(cand.covers)) in {" ".join(sorted(t.split())) for t in titles}:
            continue  # a whole short headline is not a name
        chosen.append(cand)
        covered |= cand.covers
    if not chosen:
        return "Untitled thread"
    chosen.sort(key=lambda c: not c.first)
    return SEPARATOR.join(c.label for c in chosen)[: MAX_CHARS + 20]
