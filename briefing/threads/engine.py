"""Incremental story threading (after Miranda et al., EMNLP 2018, with pairwise linkage).

Each story is compared with the *active* threads only (newest story within ``join_window``),
found through an inverted index, so the cost per story does not grow with history. For the few
best candidates, the story is scored against each of the thread's recent members by a logistic
pair model (threads/model.py); it joins when the closest member and the members on average are
likely enough, else it starts a thread. Comparing with recent members rather than a centroid
keeps a growing thread from drifting into a topic.

Document frequencies come from the store plus the whole batch being threaded (``observe``), so
the first stories of a day are weighed with the day's vocabulary, not with an empty table.
State is in memory and a pure function of (assigned items, document frequencies).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta

from briefing.threads.doc import (
    DUP_CHECK_MEMBERS,
    MIN_TITLE_WORDS,
    Assignment,
    Doc,
    ThreadItem,
    ThreadState,
    Vector,
    dot,
    unit,
    unit_weight,
)
from briefing.threads.model import ThreadModel
from briefing.threads.naming import thread_name

__all__ = ["Assignment", "ThreadEngine", "ThreadItem", "ThreadModel", "thread_name"]

MAX_CANDIDATES = 8  # threads scored in full per story, after a cheap overlap ranking
MERGE_MEMBERS = 6  # members per side compared when two threads might be one
DUP_JACCARD = 0.8
# Both sides name at least this many people/organisations/places before sharing none of them
# counts as evidence of two different events (one name alone is often a dateline or outlet).
MIN_SALIENT = 2


class ThreadEngine:
    def __init__(
        self, *, join_window: timedelta = timedelta(days=3), model: ThreadModel | None = None
    ) -> None:
        self.window = join_window.total_seconds()
        self.model = model if model is not None else ThreadModel.load()
        self._threads: dict[int, ThreadState] = {}
        # term -> {thread id: that thread's term counts}: candidates are ranked without
        # looking each thread up (a warm store of 30,000 members walks millions of entries).
        self._postings: dict[str, dict[int, dict[str, int]]] = {}
        self._expiry: list[tuple[float, int]] = []  # (newest ts, thread id), lazily stale
        self._clock = -math.inf
        self._df: dict[str, int] = {}
        self._n_docs = 0
        self._df_version = 0  # bumped by each count: cached vectors older than it are remade
        self._idf_cache: dict[str, float] = {}
        self._idf_version = -1
        self._delta: dict[str, int] = {}
        self._observed: dict[str, Doc] = {}  # counted in df ahead of their assignment
        self._by_url: dict[str, tuple[str, int]] = {}
        self._by_title: dict[str, tuple[str, int]] = {}
        self._touched: set[int] = set()

    # -- state ----------------------------------------------------------------------------

    @property
    def n_docs(self) -> int:
        """Stories counted in the df, less those observed but not yet assigned."""
        return self._n_docs - len(self._observed)

    def active_threads(self) -> list[int]:
        return sorted(self._threads)

    def warm(
        self,
        items: Iterable[tuple[ThreadItem, int]],
        doc_freq: Mapping[str, int] | None = None,
        n_docs: int = 0,
    ) -> None:
        """Rebuild threads from stored assignments; df comes from the store, not recounted."""
        count_df = doc_freq is None
        if doc_freq is not None:
            self._df = dict(doc_freq)
            self._n_docs = n_docs
            self._df_version += 1
        for item, tid in items:
            doc = Doc(item)
            self._add(doc, tid)
            if count_df:
                self._count(doc, record=False)
        self._expire()
        self._touched.clear()

    def observe(self, items: Iterable[ThreadItem]) -> None:
        """Count a batch in the document frequencies before threading it, so early stories
        are weighed with the batch's vocabulary ("covid" is common from the first story on)."""
        for item in items:
            if item.story_id not in self._observed:
                doc = self._observed[item.story_id] = Doc(item)
                self._count(doc, record=False)  # recorded for the store once assigned

    def doc_freq_delta(self) -> dict[str, int]:
        delta, self._delta = self._delta, {}
        return delta

    # -- assignment -----------------------------------------------------------------------

    def assign(self, item: ThreadItem, new_thread_id: Callable[[], int]) -> Assignment:
        doc = self._doc(item)
        tid, dup = self._duplicate(doc)
        score = 1.0 if tid is not None else 0.0
        new = False
        if tid is None:
            tid, score = self._decide(doc)
        if tid is None:
            tid, new, score = new_thread_id(), True, 0.0
        elif dup is None:
            dup = self._near_duplicate(doc, self._threads[tid])
        self._add(doc, tid)
        self._count_once(doc, item.story_id)
        self._advance(doc.ts)
        return Assignment(item.story_id, tid, new, dup, round(score, 4))

    def add_known(self, item: ThreadItem, tid: int) -> None:
        """Add a story to a given thread and count it, as assign would (teacher forcing)."""
        doc = self._doc(item)
        self._add(doc, tid)
        self._count_once(doc, item.story_id)
        self._advance(doc.ts)

    def pair_features(self, item: ThreadItem) -> list[tuple[int, str, list[float]]]:
        """(thread, member story id, features) against each candidate's recent members."""
        doc = Doc(item)
        return [
            (t.tid, m.story_id, self._features(doc, m))
            for t in self._candidates(doc)
            for m in t.members()
        ]

    def thread_features(self, item: ThreadItem) -> list[tuple[int, list[float]]]:
        """(thread, features) against each candidate thread: for training the thread model."""
        doc = Doc(item)
        return [(t.tid, self._thread_features(doc, t)) for t in self._candidates(doc)]

    def _decide(self, doc: Doc) -> tuple[int | None, float]:
        best: tuple[float, int] | None = None
        linear = self.model.thread
        for thread in self._candidates(doc):
            feats = self._thread_features(doc, thread)
            if feats[-1] >= 1.0:
                # Every recent member names other people, organisations and places than the
                # story does: two events of one kind (two central banks' decisions), never one.
                continue
            p = linear.probability(feats)
            if best is None or p > best[0] or (p == best[0] and thread.tid < best[1]):
                best = (p, thread.tid)
        model = self.model
        need = model.article_threshold if doc.article else model.threshold
        if not doc.has_summary:
            need = model.headline_threshold
        if best is None or best[0] < need:
            return None, 0.0
        return best[1], best[0]

    def _thread_features(self, doc: Doc, thread: ThreadState) -> list[float]:
        members = thread.members()
        probs = [self.model.pair.probability(self._features(doc, m)) for m in members]
        text, ents = self._centroid(thread)
        vectors = self._vectors(doc)
        return [
            max(probs),
            math.fsum(probs) / len(probs),
            dot(vectors[0], text),
            dot(vectors[3], ents),
            math.log1p(thread.size),
            0.0 if doc.has_summary else 1.0,
            math.fsum(self._conflict(doc, m) for m in members) / len(members),
        ]

    def _centroid(self, thread: ThreadState) -> tuple[Vector, Vector]:
        """The members' words and entities taken together (a headline may share a word with
        each report of a story, and all of them with none)."""
        if thread.centroid is None or thread.centroid_version != self._df_version:
            thread.centroid_version = self._df_version
            # The sums over the members in order, as before, but kept: the members added at
            # the end since the last centroid are added on top, the same additions in the same
            # order (same floats, same key order), instead of summing up to 64 members again.
            if thread.sums is None or thread.sums_version != self._df_version:
                thread.sums, thread.sums_version, thread.summed = ({}, {}), self._df_version, 0
            text, ents = thread.sums
            for member in thread.recent[thread.summed :]:
                vectors = self._vectors(member)
                for acc, part in ((text, vectors[0]), (ents, vectors[3])):
                    for k, v in part.items():
                        acc[k] = acc.get(k, 0.0) + v
            thread.summed = len(thread.recent)
            thread.centroid = (unit(text, unit_weight), unit(ents, unit_weight))
        return thread.centroid

    def _idf(self, key: str) -> float:
        if self._idf_version != self._df_version:
            self._idf_cache.clear()
            self._idf_version = self._df_version
        idf = self._idf_cache.get(key)
        if idf is None:
            idf = math.log((self._n_docs + 1) / (self._df.get(key, 0) + 1)) + 1.0
            self._idf_cache[key] = idf
        return idf

    def _vectors(self, doc: Doc) -> tuple[Vector, Vector, Vector, Vector]:
        """Unit TF-IDF vectors, remade when the df changed: decisions depend on the df and the
        members only, not on when a member was first compared (so warm == live)."""
        if doc.vectors is None or doc.version != self._df_version:
            doc.version = self._df_version
            idf = self._idf
            doc.vectors = (
                unit(doc.text, idf),
                unit(doc.title, idf),
                unit(doc.bigr, idf),
                unit(doc.ents, idf),
            )
        return doc.vectors

    def _candidates(self, doc: Doc) -> list[ThreadState]:
        """Active threads sharing a term, ranked by idf-weighted overlap; the best few kept."""
        overlap: dict[int, float] = {}
        get = overlap.get
        threads = self._threads
        postings = self._postings
        for k in doc.terms:
            posting = postings.get(k)
            if posting:
                w = self._idf(k)
                for tid, terms in posting.items():
                    overlap[tid] = get(tid, 0.0) + w * terms[k]
        lo = doc.ts - self.window
        # (score, tid) pairs are distinct, so the n smallest are sorted()[:n], found faster.
        ranked = heapq.nsmallest(
            MAX_CANDIDATES,
            [(-s / t.size, tid) for tid, s in overlap.items() if (t := threads[tid]).newest >= lo],
        )
        return [threads[tid] for _, tid in ranked]

    def _features(self, doc: Doc, other: Doc) -> list[float]:
        a, b = self._vectors(doc), self._vectors(other)
        text = dot(a[0], b[0])
        title = dot(a[1], b[1])
        both = 1.0 if doc.has_summary and other.has_summary else 0.0
        neither = 0.0 if doc.has_summary or other.has_summary else 1.0
        two_s2 = 2.0 * (self.model.sigma_days * 86400.0) ** 2
        return [
            text,
            title,
            dot(a[2], b[2]),
            dot(a[3], b[3]),
            1.0 if doc.source and doc.source == other.source else 0.0,
            both,
            text * both,
            neither,
            title * neither,
            math.exp(-((doc.ts - other.ts) ** 2) / two_s2),
            self._conflict(doc, other),
        ]

    @staticmethod
    def _conflict(doc: Doc, other: Doc) -> float:
        """1 when both stories name enough people/organisations/places and none is shared,
        even in part ("Ueda" ~ "Kazuo Ueda"): same-kind events, different actors."""
        if len(doc.names) < MIN_SALIENT or len(other.names) < MIN_SALIENT:
            return 0.0
        shared = not doc.names.isdisjoint(other.runs) or not doc.runs.isdisjoint(other.names)
        return 0.0 if shared else 1.0

    # -- merges ---------------------------------------------------------------------------

    def propose_merges(self, max_pairs: int = 50) -> list[tuple[int, int]]:
        """(keep, gone) pairs of live threads whose members read as one story, looking only
        at threads changed since the last call (bounded work). Merging is a stronger act than
        joining one story: each side's recent members must, on average, join the other side.
        A thread takes part in one merge per call, the most alike pair first, so merges never
        chain a refresh's threads into a topic; the older thread of a pair is kept."""
        found: list[tuple[float, int, int]] = []
        if self.model.merge_threshold > 1.0:  # a probability never clears it: no work to do
            self._touched.clear()
            return []
        for tid in sorted(self._touched):
            thread = self._threads.get(tid)
            if thread is None:
                continue
            others = {t.tid for m in thread.members(MERGE_MEMBERS) for t in self._candidates(m)}
            for other_id in sorted(others - {tid}):
                if tid in self._touched and other_id in self._touched and other_id < tid:
                    continue  # this pair was weighed from the other side
                score = self._converged(thread, self._threads[other_id])
                if score >= self.model.merge_threshold:
                    found.append((score, min(tid, other_id), max(tid, other_id)))
        self._touched.clear()
        used: set[int] = set()
        pairs: list[tuple[int, int]] = []
        for _, a, b in sorted(found, key=lambda f: (-f[0], f[1], f[2])):
            if a in used or b in used:
                continue
            used.update((a, b))
            keep, gone = sorted((a, b), key=self._age)
            pairs.append((keep, gone))
        pairs.sort()
        for keep, gone in pairs[max_pairs:]:  # over the bound: found again next call
            self._touched.update((keep, gone))
        return pairs[:max_pairs]

    def _age(self, tid: int) -> tuple[float, int]:
        return (self._threads[tid].oldest, tid)

    def _converged(self, a: ThreadState, b: ThreadState) -> float:
        """How surely each side's recent members would, on average, join the other side (the
        lower of the two means); 0 when their latest stories are a window apart."""
        if max(a.newest, b.newest) - min(a.newest, b.newest) > self.window:
            return 0.0
        means = []
        for one, other in ((a, b), (b, a)):
            probs = [
                self.model.thread.probability(self._thread_features(doc, other))
                for doc in one.members(MERGE_MEMBERS)
            ]
            means.append(math.fsum(probs) / len(probs))
        return min(means)

    def apply_merge(self, keep: int, gone: int) -> None:
        """Fold ``gone`` into ``keep``; either may already have left the window."""
        src = self._threads.get(gone)
        if src is None or keep == gone:
            return
        dst = self._threads.get(keep)
        if dst is None:
            dst = self._threads[keep] = ThreadState(keep, src.newest)
            dst.oldest = src.oldest
        self._drop(src, keep_dups=True)
        for k, n in src.terms.items():
            self._postings.setdefault(k, {})[keep] = dst.terms
            dst.terms[k] = dst.terms.get(k, 0) + n
        dst.size += src.size
        dst.newest = max(dst.newest, src.newest)
        dst.oldest = min(dst.oldest, src.oldest)
        dst.recent = sorted(dst.recent + src.recent, key=lambda d: d.ts)[-DUP_CHECK_MEMBERS:]
        dst.sums = None  # its members changed: the centroid's sums are made again when next due
        dst.centroid = None
        for is_url, key in src.dup_keys:
            table = self._by_url if is_url else self._by_title
            table[key] = (table[key][0], keep)
            dst.dup_keys.append((is_url, key))
        heapq.heappush(self._expiry, (dst.newest, keep))
        self._touched.add(keep)

    # -- duplicates -----------------------------------------------------------------------

    def _duplicate(self, doc: Doc) -> tuple[int | None, str | None]:
        """Same URL, or the same long title, already in a live thread: that thread, that story."""
        for key, table in ((doc.url, self._by_url), (doc.title_sig, self._by_title)):
            hit = table.get(key) if key else None
            live = self._threads.get(hit[1]) if hit is not None else None
            if hit is not None and live is not None and live.newest >= doc.ts - self.window:
                return hit[1], hit[0]
        return None, None

    @staticmethod
    def _near_duplicate(doc: Doc, thread: ThreadState) -> str | None:
        if len(doc.title_set) < MIN_TITLE_WORDS - 1:
            return None
        for other in reversed(thread.recent):
            union = len(doc.title_set | other.title_set)
            if union and len(doc.title_set & other.title_set) / union >= DUP_JACCARD:
                return other.story_id
        return None

    # -- bookkeeping ----------------------------------------------------------------------

    def _add(self, doc: Doc, tid: int) -> None:
        thread = self._threads.get(tid)
        if thread is None:
            thread = self._threads[tid] = ThreadState(tid, doc.ts)
        for k in doc.terms:
            self._postings.setdefault(k, {})[tid] = thread.terms
        thread.add(doc)
        for is_url, key in ((True, doc.url), (False, doc.title_sig)):
            table = self._by_url if is_url else self._by_title
            if key and key not in table:
                table[key] = (doc.story_id, tid)
                thread.dup_keys.append((is_url, key))
        heapq.heappush(self._expiry, (thread.newest, tid))
        self._touched.add(tid)

    def _doc(self, item: ThreadItem) -> Doc:
        """The story's doc, made once: observe() already made it for a batch's stories."""
        doc = self._observed.get(item.story_id)
        return doc if doc is not None else Doc(item)

    def _count_once(self, doc: Doc, story_id: str) -> None:
        if self._observed.pop(story_id, None) is None:
            self._count(doc, record=True)
        else:  # counted by observe(); the store learns of it now, so a cancel loses nothing
            for k in doc.all_keys():
                self._delta[k] = self._delta.get(k, 0) + 1

    def _count(self, doc: Doc, *, record: bool) -> None:
        self._df_version += 1
        self._n_docs += 1
        for k in doc.all_keys():
            self._df[k] = self._df.get(k, 0) + 1
            if record:
                self._delta[k] = self._delta.get(k, 0) + 1

    def _advance(self, ts: float) -> None:
        """The clock follows the stories being assigned (oldest first), never the stored ones:
        a member dated in the future must not expire the threads a batch could still join."""
        self._clock = max(self._clock, ts)
        self._expire()

    def _expire(self) -> None:
        """Drop threads whose newest story left the window: they can never be joined again."""
        cutoff = self._clock - self.window
        while self._expiry and self._expiry[0][0] < cutoff:
            ts, tid = heapq.heappop(self._expiry)
            thread = self._threads.get(tid)
            if thread is not None and thread.newest == ts:
                self._drop(thread)

    def _drop(self, thread: ThreadState, *, keep_dups: bool = False) -> None:
        for k in thread.terms:
            posting = self._postings.get(k)
            if posting is not None:
                posting.pop(thread.tid, None)
                if not posting:
                    del self._postings[k]
        for is_url, key in [] if keep_dups else thread.dup_keys:
            (self._by_url if is_url else self._by_title).pop(key, None)
        del self._threads[thread.tid]
        self._touched.discard(thread.tid)
