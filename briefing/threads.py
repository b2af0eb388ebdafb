"""Incremental story threading (after Miranda et al., EMNLP 2018).

Each story is compared with the *active* threads only (newest story within ``join_window``),
found through an inverted index, so the cost per story does not grow with history. A logistic
model over a few similarity features (threads_model.py) decides join-or-new. State is in
memory and a pure function of (assigned items, document frequencies): ``warm`` rebuilds it.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from briefing.thread_naming import thread_name
from briefing.threads_model import ThreadModel
from briefing.threads_text import bag, bigrams, entity_key, normalise_url, salient, title_key, words

__all__ = ["Assignment", "ThreadEngine", "ThreadItem", "ThreadModel", "thread_name"]

MAX_CANDIDATES = 6  # threads scored in full per story, after a cheap overlap ranking
DUP_CHECK_MEMBERS = 64  # recent members checked for a near-identical title
DUP_JACCARD = 0.8
MERGE_PROBE_TERMS = 8  # a thread's heaviest terms, looked up to find merge partners
MIN_TITLE_WORDS = 4  # shorter identical titles ("Business Highlights") are columns, not copies
# Both sides name at least this many people/organisations/places before sharing none of them
# counts as evidence of two different events (one name alone is often a dateline or outlet).
MIN_SALIENT = 2
MIN_SUMMARY_WORDS = 8  # fewer content words is a dek or a repeated title: scored as a headline


@dataclass(frozen=True, slots=True)
class ThreadItem:
    story_id: str
    title: str
    summary: str
    source: str
    link: str
    published: datetime  # tz-aware UTC
    entities: tuple[str, ...] = ()  # canonical entity keys
    entity_names: tuple[tuple[str, str], ...] = ()  # (key, display name), for naming


@dataclass(frozen=True, slots=True)
class Assignment:
    story_id: str
    thread_id: int
    new_thread: bool
    duplicate_of: str | None  # a re-publication of this story already in the thread
    score: float = 0.0  # the join probability; 1.0 for a re-publication, 0.0 for a new thread


class _Doc:
    """One story as sparse term counts per sub-vector."""

    __slots__ = (
        *("bigr", "ents", "has_summary", "names", "runs", "text", "title_set", "title_sig"),
        *("ts", "url"),
    )

    def __init__(self, item: ThreadItem) -> None:
        title_words = words(item.title)
        summary_words = words(item.summary)
        self.text = bag([k for k, _ in title_words + summary_words if k])
        self.has_summary = sum(1 for k, _ in summary_words if k) >= MIN_SUMMARY_WORDS
        self.bigr = bag(bigrams(title_words) + bigrams(summary_words))
        self.ents = bag([entity_key(e) for e in item.entities])
        self.names, self.runs = salient(item.entities)
        self.title_set = frozenset(k for k, _ in title_words if k)
        sig = title_key(item.title)
        self.title_sig = sig if len(sig.split()) >= MIN_TITLE_WORDS and not item.summary else ""
        self.url = normalise_url(item.link) if item.link else ""
        self.ts = item.published.timestamp()

    def all_keys(self) -> Iterable[str]:
        yield from self.text
        yield from self.bigr
        yield from self.ents


class _Thread:
    __slots__ = (
        *("bigr", "dup_keys", "ents", "names", "newest", "oldest", "raw_sq", "recent", "runs"),
        *("size", "text", "tid"),
    )

    def __init__(self, tid: int, ts: float) -> None:
        self.tid = tid
        self.text: dict[str, float] = {}
        self.bigr: dict[str, float] = {}
        self.ents: dict[str, float] = {}
        self.names: set[str] = set()  # salient entity names of all members
        self.runs: set[str] = set()  # their word runs, for partial-name matches
        self.size = 0
        self.raw_sq = 0.0  # squared norm of the raw counts, exact: ranks candidates cheaply
        self.newest = ts
        self.oldest = ts
        self.recent: list[tuple[str, frozenset[str]]] = []  # (story_id, title words)
        self.dup_keys: list[tuple[bool, str]] = []  # (is url, key) entries it owns

    def add(self, doc: _Doc, story_id: str) -> None:
        for own, new in ((self.text, doc.text), (self.bigr, doc.bigr), (self.ents, doc.ents)):
            for k, v in new.items():
                old = own.get(k, 0.0)
                own[k] = old + v
                self.raw_sq += 2.0 * old * v + v * v
        self.names |= doc.names
        self.runs |= doc.runs
        self.size += 1
        self.newest = max(self.newest, doc.ts)
        self.oldest = min(self.oldest, doc.ts)
        self.recent.append((story_id, doc.title_set))
        del self.recent[:-DUP_CHECK_MEMBERS]


class ThreadEngine:
    def __init__(
        self, *, join_window: timedelta = timedelta(days=3), model: ThreadModel | None = None
    ) -> None:
        self.window = join_window.total_seconds()
        self.model = model if model is not None else ThreadModel.load()
        self._threads: dict[int, _Thread] = {}
        self._postings: dict[str, set[int]] = {}
        self._expiry: list[tuple[float, int]] = []  # (newest ts, thread id), lazily stale
        self._newest_seen = -math.inf
        self._df: dict[str, int] = {}
        self._n_docs = 0
        self._delta: dict[str, int] = {}
        self._by_url: dict[str, tuple[str, int]] = {}
        self._by_title: dict[str, tuple[str, int]] = {}
        self._touched: set[int] = set()

    # -- state ----------------------------------------------------------------------------

    @property
    def n_docs(self) -> int:
        return self._n_docs

    def active_threads(self) -> list[int]:
        return sorted(self._threads)

    def warm(
        self,
        items: Iterable[tuple[ThreadItem, int]],
        doc_freq: Mapping[str, int] | None = None,
        n_docs: int = 0,
    ) -> None:
        """Rebuild centroids from stored assignments; df comes from the store, not recounted."""
        count_df = doc_freq is None
        if doc_freq is not None:
            self._df = dict(doc_freq)
            self._n_docs = n_docs
        for item, tid in items:
            doc = _Doc(item)
            self._add(doc, item.story_id, tid)
            if count_df:
                self._count(doc, record=False)
        self._expire()
        self._touched.clear()

    def doc_freq_delta(self) -> dict[str, int]:
        delta, self._delta = self._delta, {}
        return delta

    # -- assignment -----------------------------------------------------------------------

    def assign(self, item: ThreadItem, new_thread_id: Callable[[], int]) -> Assignment:
        doc = _Doc(item)
        tid, dup = self._duplicate(doc)
        new, score = False, 1.0
        if tid is None:
            tid, score = self._decide(doc, bool(item.entities))
        if tid is None:
            tid, new, score = new_thread_id(), True, 0.0
        elif dup is None:
            dup = self._near_duplicate(doc, self._threads[tid])
        self._add(doc, item.story_id, tid)
        self._count(doc, record=True)
        self._expire()
        return Assignment(item.story_id, tid, new, dup, score)

    def features(self, doc_item: ThreadItem) -> list[tuple[int, list[float]]]:
        """Feature vectors against each candidate thread (for training and inspection)."""
        doc = _Doc(doc_item)
        return [(t.tid, self._features(doc, t)) for t in self._candidates(doc)]

    def add_known(self, item: ThreadItem, tid: int) -> None:
        """Add a story to a given thread and count it, as assign would (teacher forcing)."""
        doc = _Doc(item)
        self._add(doc, item.story_id, tid)
        self._count(doc, record=True)
        self._expire()

    def _decide(self, doc: _Doc, has_entities: bool) -> tuple[int | None, float]:
        linear = self.model.pick(has_entities, doc.has_summary)
        best: tuple[float, int] | None = None
        for thread in self._candidates(doc):
            p = linear.probability(self._features(doc, thread))
            if best is None or p > best[0] or (p == best[0] and thread.tid < best[1]):
                best = (p, thread.tid)
        if best is None or best[0] < self.model.threshold_of(linear):
            return None, 0.0
        return best[1], best[0]

    def _idf(self, key: str) -> float:
        return math.log((self._n_docs + 1) / (self._df.get(key, 0) + 1)) + 1.0

    def _candidates(self, doc: _Doc) -> list[_Thread]:
        """Active threads sharing a term, ranked by idf-weighted overlap; the best few kept."""
        overlap: dict[int, float] = {}
        threads = self._threads
        for part, name in ((doc.text, "text"), (doc.bigr, "bigr"), (doc.ents, "ents")):
            for k, v in part.items():
                posting = self._postings.get(k)
                if not posting:
                    continue
                w = v * self._idf(k) ** 2
                for tid in posting:
                    c = getattr(threads[tid], name)[k]
                    overlap[tid] = overlap.get(tid, 0.0) + w * c
        lo = doc.ts - self.window
        ranked = sorted(
            (
                (-s / math.sqrt(self._threads[tid].raw_sq), tid)
                for tid, s in overlap.items()
                if self._threads[tid].newest >= lo
            ),
        )
        return [self._threads[tid] for _, tid in ranked[:MAX_CANDIDATES]]

    def _cosine(self, item: dict[str, float], centroid: dict[str, float]) -> float:
        if not item or not centroid:
            return 0.0
        idf = self._idf
        dot = math.fsum(v * centroid.get(k, 0.0) * idf(k) ** 2 for k, v in item.items())
        if dot == 0.0:
            return 0.0
        n_item = math.fsum((v * idf(k)) ** 2 for k, v in item.items())
        n_cent = math.fsum((v * idf(k)) ** 2 for k, v in centroid.items())
        return dot / math.sqrt(n_item * n_cent)

    def _features(self, doc: _Doc, t: _Thread) -> list[float]:
        two_s2 = 2.0 * (self.model.sigma_days * 86400.0) ** 2
        return [
            self._cosine(doc.text, t.text),
            self._cosine(doc.bigr, t.bigr),
            self._cosine(doc.ents, t.ents),
            math.exp(-((doc.ts - t.newest) ** 2) / two_s2),
            math.exp(-((doc.ts - t.oldest) ** 2) / two_s2),
            math.log1p(t.size),
            self._conflict(doc, t),
        ]

    @staticmethod
    def _conflict(doc: _Doc, t: _Thread) -> float:
        """1 when story and thread each name enough people/organisations/places and none is
        shared, even in part ("Ueda" ~ "Kazuo Ueda"): same-kind events, different actors."""
        if len(doc.names) < MIN_SALIENT or len(t.names) < MIN_SALIENT:
            return 0.0
        shared = not doc.names.isdisjoint(t.runs) or not doc.runs.isdisjoint(t.names)
        return 0.0 if shared else 1.0

    # -- merges ---------------------------------------------------------------------------

    def propose_merges(self, max_pairs: int = 50) -> list[tuple[int, int]]:
        """(keep, gone) pairs of live threads whose centroids converged, looking only at threads
        changed since the last call (bounded work). Groups are resolved here: every gone thread
        maps to its group's oldest thread, so the pairs can be applied in any order."""
        parent: dict[int, int] = {}

        def root(t: int) -> int:
            while parent.get(t, t) != t:
                t = parent[t]
            return t

        for tid in sorted(self._touched):
            thread = self._threads.get(tid)
            if thread is None:
                continue
            top = sorted(thread.text, key=lambda k: (-thread.text[k] * self._idf(k), k))
            others: set[int] = set()
            for k in top[:MERGE_PROBE_TERMS]:
                others |= self._postings.get(k, set())
            for other_id in sorted(others - {tid}):
                other = self._threads[other_id]
                if self._centroid_similarity(thread, other) >= self.model.merge_similarity:
                    a, b = sorted((root(tid), root(other_id)), key=self._age)
                    if a != b:
                        parent[b] = a
        self._touched.clear()
        pairs = sorted((root(t), t) for t in parent)
        for keep, gone in pairs[max_pairs:]:  # over the bound: found again next call
            self._touched.update((keep, gone))
        return pairs[:max_pairs]

    def _age(self, tid: int) -> tuple[float, int]:
        return (self._threads[tid].oldest, tid)

    def _centroid_similarity(self, a: _Thread, b: _Thread) -> float:
        text = self._cosine(a.text, b.text)
        if a.ents and b.ents:
            return (text + self._cosine(a.ents, b.ents)) / 2.0
        return text

    def apply_merge(self, keep: int, gone: int) -> None:
        """Fold ``gone`` into ``keep``; either may already have left the window."""
        src = self._threads.get(gone)
        if src is None or keep == gone:
            return
        dst = self._threads.get(keep)
        if dst is None:
            dst = self._threads[keep] = _Thread(keep, src.newest)
            dst.oldest = src.oldest
        self._drop(src, keep_dups=True)
        for own, new in ((dst.text, src.text), (dst.bigr, src.bigr), (dst.ents, src.ents)):
            for k, v in new.items():
                self._postings.setdefault(k, set()).add(keep)
                own[k] = own.get(k, 0.0) + v
        dst.raw_sq = math.fsum(v * v for d in (dst.text, dst.bigr, dst.ents) for v in d.values())
        dst.names |= src.names
        dst.runs |= src.runs
        dst.size += src.size
        dst.newest = max(dst.newest, src.newest)
        dst.oldest = min(dst.oldest, src.oldest)
        dst.recent = (dst.recent + src.recent)[-DUP_CHECK_MEMBERS:]
        for is_url, key in src.dup_keys:
            table = self._by_url if is_url else self._by_title
            table[key] = (table[key][0], keep)
            dst.dup_keys.append((is_url, key))
        heapq.heappush(self._expiry, (dst.newest, keep))
        self._touched.add(keep)

    # -- duplicates -----------------------------------------------------------------------

    def _duplicate(self, doc: _Doc) -> tuple[int | None, str | None]:
        """Same URL, or the same long title, already in a live thread: that thread, that story."""
        for key, table in ((doc.url, self._by_url), (doc.title_sig, self._by_title)):
            hit = table.get(key) if key else None
            if hit is not None and hit[1] in self._threads:
                return hit[1], hit[0]
        return None, None

    @staticmethod
    def _near_duplicate(doc: _Doc, thread: _Thread) -> str | None:
        if len(doc.title_set) < MIN_TITLE_WORDS - 1:
            return None
        for story_id, other in reversed(thread.recent):
            union = len(doc.title_set | other)
            if union and len(doc.title_set & other) / union >= DUP_JACCARD:
                return story_id
        return None

    # -- bookkeeping ----------------------------------------------------------------------

    def _add(self, doc: _Doc, story_id: str, tid: int) -> None:
        thread = self._threads.get(tid)
        if thread is None:
            thread = self._threads[tid] = _Thread(tid, doc.ts)
        for k in doc.all_keys():
            self._postings.setdefault(k, set()).add(tid)
        thread.add(doc, story_id)
        for is_url, key in ((True, doc.url), (False, doc.title_sig)):
            table = self._by_url if is_url else self._by_title
            if key and key not in table:
                table[key] = (story_id, tid)
                thread.dup_keys.append((is_url, key))
        heapq.heappush(self._expiry, (thread.newest, tid))
        self._newest_seen = max(self._newest_seen, doc.ts)
        self._touched.add(tid)

    def _count(self, doc: _Doc, *, record: bool) -> None:
        self._n_docs += 1
        for k in doc.all_keys():
            self._df[k] = self._df.get(k, 0) + 1
            if record:
                self._delta[k] = self._delta.get(k, 0) + 1

    def _expire(self) -> None:
        """Drop threads whose newest story left the window: they can never be joined again."""
        cutoff = self._newest_seen - self.window
        while self._expiry and self._expiry[0][0] < cutoff:
            ts, tid = heapq.heappop(self._expiry)
            thread = self._threads.get(tid)
            if thread is not None and thread.newest == ts:
                self._drop(thread)

    def _drop(self, thread: _Thread, *, keep_dups: bool = False) -> None:
        for part in (thread.text, thread.bigr, thread.ents):
            for k in part:
                posting = self._postings.get(k)
                if posting is not None:
                    posting.discard(thread.tid)
                    if not posting:
                        del self._postings[k]
        for is_url, key in [] if keep_dups else thread.dup_keys:
            (self._by_url if is_url else self._by_title).pop(key, None)
        del self._threads[thread.tid]
        self._touched.discard(thread.tid)
