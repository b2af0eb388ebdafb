"""What the thread engine holds: stories as term bags and unit TF-IDF vectors, and threads as
their recent members. Plain data and two small vector helpers; the decisions are in engine.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from briefing.threads.text import bag, bigrams, entity_key, normalise_url, salient, title_key, words

RECENT_MEMBERS = 12  # members a story is compared with: the thread as it is now, not its past
DUP_CHECK_MEMBERS = 64  # recent members checked for a near-identical title
MIN_TITLE_WORDS = 4  # shorter identical titles ("Business Highlights") are columns, not copies
MIN_SUMMARY_WORDS = 8  # fewer content words is a dek or a repeated title: scored as a headline
# More content words is an article's text, not a feed's dek: two reports of one event share
# more words, and so do two events of one kind (two earthquakes), so joining asks for more.
MIN_ARTICLE_WORDS = 40
Vector = dict[str, float]


@dataclass(frozen=True, slots=True)
class ThreadItem:
    story_id: str
    title: str
    summary: str
    source: str
    link: str
    published: datetime  # tz-aware UTC: the story's threading time (see enrich.thread)
    entities: tuple[str, ...] = ()  # canonical entity keys
    entity_names: tuple[tuple[str, str], ...] = ()  # (key, display name), for naming


@dataclass(frozen=True, slots=True)
class Assignment:
    story_id: str
    thread_id: int
    new_thread: bool
    duplicate_of: str | None  # a re-publication of this story already in the thread
    score: float = 0.0  # the join probability (1.0 for a re-publication, 0.0 for a new thread)


class Doc:
    """One story: its term counts, and unit TF-IDF vectors made once the df is known."""

    __slots__ = (
        *("article", "bigr", "ents", "has_summary", "names", "runs", "source", "story_id", "terms"),
        *("text", "title", "title_set", "title_sig", "ts", "url", "vectors", "version"),
    )

    def __init__(self, item: ThreadItem) -> None:
        title_words = words(item.title)
        summary_words = words(item.summary)
        self.story_id = item.story_id
        self.title = bag([k for k, _ in title_words if k])
        self.text = bag([k for k, _ in title_words + summary_words if k])
        content = sum(1 for k, _ in summary_words if k)
        self.has_summary = content >= MIN_SUMMARY_WORDS
        self.article = content >= MIN_ARTICLE_WORDS
        self.bigr = bag(bigrams(title_words) + bigrams(summary_words))
        self.ents = bag([entity_key(e) for e in item.entities])
        self.names, self.runs = salient(item.entities)
        self.source = item.source
        self.title_set = frozenset(self.title)
        sig = title_key(item.title)
        self.title_sig = sig if len(sig.split()) >= MIN_TITLE_WORDS and not item.summary else ""
        self.url = normalise_url(item.link) if item.link else ""
        self.ts = item.published.timestamp()
        self.terms = (*self.text, *self.ents)  # what the inverted index knows it by
        self.vectors: tuple[Vector, Vector, Vector, Vector] | None = None
        self.version = -1  # the engine's df version the vectors were made with

    def all_keys(self) -> Iterable[str]:
        yield from self.text
        yield from self.bigr
        yield from self.ents


class ThreadState:
    __slots__ = (
        *("centroid", "centroid_version", "dup_keys", "newest", "oldest", "recent", "size"),
        *("sums", "sums_version", "summed", "terms", "tid"),
    )

    def __init__(self, tid: int, ts: float) -> None:
        self.tid = tid
        self.terms: dict[str, int] = {}  # term -> members holding it (the index's view)
        self.size = 0
        self.newest = ts
        self.oldest = ts
        self.recent: list[Doc] = []  # newest last, at most DUP_CHECK_MEMBERS
        self.dup_keys: list[tuple[bool, str]] = []  # (is url, key) entries it owns
        self.centroid: tuple[Vector, Vector] | None = None  # made on demand (_centroid)
        self.centroid_version = -1
        # The centroid's running sums over recent[:summed], at df version sums_version: a member
        # added at the end is summed on top, in the order a recount would add it; None when a
        # member was inserted before the end or dropped (the sums are then made again).
        self.sums: tuple[Vector, Vector] | None = None
        self.sums_version = -1
        self.summed = 0

    def add(self, doc: Doc) -> None:
        self.centroid = None
        for k in doc.terms:
            self.terms[k] = self.terms.get(k, 0) + 1
        self.size += 1
        self.newest = max(self.newest, doc.ts)
        self.oldest = min(self.oldest, doc.ts)
        self.recent.append(doc)
        self.recent.sort(key=lambda d: d.ts)
        if self.recent[-1] is not doc or len(self.recent) > DUP_CHECK_MEMBERS:
            self.sums = None  # not a member added at the end: recent[:summed] changed
        del self.recent[:-DUP_CHECK_MEMBERS]

    def members(self, n: int = RECENT_MEMBERS) -> list[Doc]:
        return self.recent[-n:]


def unit(counts: Mapping[str, float], idf: Callable[[str], float]) -> Vector:
    vec = {k: v * idf(k) for k, v in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {k: v / norm for k, v in vec.items()} if norm else {}


def unit_weight(_key: str) -> float:
    return 1.0


def dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[k] for k, v in a.items() if k in b)
