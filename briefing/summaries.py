"""Thread summaries: what a thread is about, and its latest development, in outlets' own words.

Extractive and honest by construction: every sentence shown is a whole sentence (or a title)
as one member story's outlet wrote it, trimmed of surrounding space and nothing else, and says
which outlet. Candidates are each member's title, the sentences of its summary and the first
sentences of its article text when fetched, less what the feed repeats under every item
(boilerplate.py) and less sentences a feed cut short ("…").

The summary picks 1-3 sentences, greedily: central to the thread (TF-IDF cosine with all its
candidates taken together) and naming the thread's key entities that no chosen sentence names
yet; a sentence too close to a chosen one (a wire copy) is skipped. The latest development is
the sentence from the newest stories that adds most of what the older stories did not say
(new words, entities and figures), never one already in the summary.

Pure functions: the store caches the result (store/summaries.py); the pipeline computes it for
the threads a refresh touched, after threading, never on the UI thread.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from briefing import boilerplate
from briefing.threads.doc import dot, unit, unit_weight
from briefing.threads.text import bag, words

MAX_SENTENCES = 3
MIN_CHARS = 25  # shorter is a label ("Live updates"), not a sentence that says what happened
MAX_CHARS = 320  # longer is a paragraph the feed failed to punctuate
MIN_WORDS = 4  # content words
ARTICLE_SENTENCES = 6  # the lede carries the story; the rest of an article is detail
NEAR_DUPLICATE = 0.5  # Jaccard of content words above which two sentences say one thing
LATEST_WINDOW = timedelta(hours=24)  # "newest stories": this close to the thread's latest
KEY_ENTITIES = 5
NEW_SHARE = 0.25  # of its words the older stories never used: a development, not a recap
_CUT = re.compile(r"(?:\.\.\.|…|\[…\]|\[\.\.\.\])\s*$")
_NOT_NEWS = re.compile(
    r"^(?:watch|listen|click|read|photo|video|image|subscribe|sign up|advertisement)\b", re.I
)
_FIGURE = re.compile(r"\d[\d,.]*")
# A stray tag some feeds leave at the edge of a summary ("<p>The first vaccine…"): trimmed.
_TAG = r"</?[a-zA-Z][a-zA-Z0-9]*\s*/?>"
_EDGE_TAG = re.compile(rf"^(?:\s*{_TAG})+|(?:{_TAG}\s*)+$")
# A period after these is not the end of a sentence ("California Gov. Gavin Newsom").
_ABBREVIATION = re.compile(
    r"(?:\b(?:Gov|Rep|Sen|Reps|Sens|Dr|Mr|Mrs|Ms|Prof|St|Mt|Lt|Gen|Col|Sgt|Capt|Cmdr|Adm|Gov|"
    r"Pres|Jr|Sr|No|Nos|vs|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|Inc|Corp|Co|Ltd|Ave|Blvd)"
    r"|\b[A-Z]|\b(?:[A-Z]\.){1,3}[A-Z])\.$"
)


@dataclass(frozen=True, slots=True)
class Member:
    """One story of a thread, as the summariser reads it."""

    story_id: str
    source: str
    title: str
    summary: str
    link: str
    published: datetime
    article: str = ""  # fetched article text, "" when none
    entities: tuple[str, ...] = ()  # display names of its people, places, organisations
    boiler: frozenset[str] = frozenset()  # its feed's repeated segments (boilerplate.repeated)


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str  # verbatim from the story named below
    story_id: str
    source: str
    link: str
    published: datetime
    field: str  # "title", "summary" or "article"


@dataclass(frozen=True, slots=True)
class Summary:
    sentences: tuple[Sentence, ...]
    latest: Sentence | None
    key_entities: tuple[str, ...]
    sources: tuple[str, ...] = field(default=())  # outlets, most stories first

    def to_json(self) -> dict[str, object]:
        def one(s: Sentence) -> dict[str, str]:
            return {
                "text": s.text,
                "story_id": s.story_id,
                "source": s.source,
                "link": s.link,
                "published": s.published.isoformat(),
                "field": s.field,
            }

        return {
            "sentences": [one(s) for s in self.sentences],
            "latest": one(self.latest) if self.latest else None,
            "key_entities": list(self.key_entities),
            "sources": list(self.sources),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Summary:
        def one(d: object) -> Sentence:
            assert isinstance(d, dict)
            return Sentence(
                text=str(d["text"]),
                story_id=str(d["story_id"]),
                source=str(d["source"]),
                link=str(d["link"]),
                published=datetime.fromisoformat(str(d["published"])),
                field=str(d["field"]),
            )

        sentences = data.get("sentences") or []
        assert isinstance(sentences, list)
        latest = data.get("latest")
        return cls(
            sentences=tuple(one(s) for s in sentences),
            latest=one(latest) if latest else None,
            key_entities=tuple(str(e) for e in data.get("key_entities") or []),  # type: ignore[attr-defined]
            sources=tuple(str(s) for s in data.get("sources") or []),  # type: ignore[attr-defined]
        )


def sentences(text: str) -> list[str]:
    """The feed's segments (boilerplate.segments), re-joined where a period ended an
    abbreviation or an initial rather than a sentence."""
    out: list[str] = []
    for part in boilerplate.segments(text):
        if out and _ABBREVIATION.search(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def candidates(member: Member) -> list[Sentence]:
    """The sentences a member offers: its title, summary sentences, article lede."""
    found: list[Sentence] = []

    def offer(text: str, where: str) -> None:
        text = _EDGE_TAG.sub("", text).strip()
        if _usable(text, title=where == "title"):
            found.append(
                Sentence(text, member.story_id, member.source, member.link, member.published, where)
            )

    offer(boilerplate.strip_title(member.title, member.boiler), "title")
    for part in sentences(member.summary):
        if boilerplate.key(part) not in member.boiler and not boilerplate.FOOTERS.match(part):
            offer(part, "summary")
    for part in sentences(member.article)[:ARTICLE_SENTENCES]:
        offer(part, "article")
    return found


def _usable(text: str, *, title: bool) -> bool:
    if not MIN_CHARS <= len(text) <= MAX_CHARS or _NOT_NEWS.match(text):
        return False
    if not title and (_CUT.search(text) or not text.rstrip("\"'”’)").endswith((".", "!", "?"))):
        return False  # cut short by the feed, or not a sentence
    return sum(1 for k, _ in words(text) if k) >= MIN_WORDS


def _jaccard(a: set[str], b: set[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def key_entities(members: Sequence[Member], limit: int = KEY_ENTITIES) -> tuple[str, ...]:
    """The names most members mention (each member counts a name once)."""
    counts = Counter(name for m in members for name in dict.fromkeys(m.entities))
    return tuple(name for name, n in counts.most_common(limit) if n >= min(2, len(members)))


def _names_in(text: str, names: Sequence[str]) -> set[str]:
    low = text.casefold()
    return {n for n in names if n.casefold() in low}


def summarise(members: Sequence[Member], *, limit: int = MAX_SENTENCES) -> Summary:
    """The thread's summary and latest development (see the module docstring)."""
    ordered = sorted(members, key=lambda m: (m.published, m.story_id))
    pool = [s for m in ordered for s in candidates(m)]
    keys = key_entities(ordered)
    sources = tuple(s for s, _ in Counter(m.source for m in ordered).most_common())
    if not pool:
        return Summary((), None, keys, sources)
    bags = [bag([k for k, _ in words(s.text) if k]) for s in pool]
    df = Counter(k for b in bags for k in b)
    idf = {k: math.log((len(bags) + 1) / (n + 1)) + 1.0 for k, n in df.items()}
    centroid: dict[str, float] = {}  # every candidate's TF-IDF weights, summed
    for counts in bags:
        for k, v in counts.items():
            centroid[k] = centroid.get(k, 0.0) + v * idf[k]
    around = unit(centroid, unit_weight)
    central = [dot(unit(counts, idf.__getitem__), around) for counts in bags]
    sets = [set(b) for b in bags]
    weight = {name: len(keys) - i for i, name in enumerate(keys)}
    chosen: list[int] = []
    covered: set[str] = set()
    want = min(limit, max(1, len({m.story_id for m in ordered}) - 1))
    while len(chosen) < want:
        best: tuple[float, int] | None = None
        for i, s in enumerate(pool):
            if i in chosen or any(_jaccard(sets[i], sets[j]) >= NEAR_DUPLICATE for j in chosen):
                continue
            if any(pool[j].story_id == s.story_id for j in chosen):
                continue  # another outlet's or story's sentence says more
            gain = sum(weight[n] for n in _names_in(s.text, keys) - covered)
            total = sum(weight.values()) or 1
            score = central[i] + 0.5 * gain / total + (0.05 if s.field != "title" else 0.0)
            if best is None or score > best[0]:
                best = (score, i)
        if best is None:
            break
        chosen.append(best[1])
        covered |= _names_in(pool[best[1]].text, keys)
    # Shown in the order they happened: the thread reads as a story, not a ranking.
    sentences = tuple(sorted((pool[i] for i in chosen), key=lambda s: (s.published, s.story_id)))
    return Summary(sentences, _latest(ordered, pool, sets, chosen), keys, sources)


def _latest(
    ordered: Sequence[Member], pool: Sequence[Sentence], sets: Sequence[set[str]], chosen: list[int]
) -> Sentence | None:
    """The newest story's lede (else title) that says something the older stories did not:
    a newsroom puts the development first. Stories are tried newest first."""
    if len(ordered) < 2:
        return None
    newest = ordered[-1].published
    recent: Sequence[Member] = [m for m in ordered if m.published >= newest - LATEST_WINDOW]
    if len(recent) == len(ordered):  # all of it is new: only the newest story is "latest"
        recent = ordered[-1:]
    recent_ids = {m.story_id for m in recent}
    older: set[str] = set()
    older_figures: set[str] = set()
    for i, s in enumerate(pool):
        if s.story_id not in recent_ids:
            older |= sets[i]
            older_figures.update(_FIGURE.findall(s.text))
    for member in reversed(recent):
        mine = [i for i, s in enumerate(pool) if s.story_id == member.story_id]
        ledes = [i for i in mine if pool[i].field != "title"][:1]
        for i in ledes + [i for i in mine if pool[i].field == "title"]:
            if i in chosen or any(_jaccard(sets[i], sets[j]) >= NEAR_DUPLICATE for j in chosen):
                continue
            new = len(sets[i] - older) / max(1, len(sets[i]))
            figures = set(_FIGURE.findall(pool[i].text)) - older_figures
            if (new >= NEW_SHARE or figures) and sets[i] & older:
                return pool[i]
    return None
