"""Retention: stories older than their feed's keep_days leave the store, in bounded batches.

A story goes when both its publication and its arrival (first_seen) are older than the cutoff,
so an old item a feed re-sends stays as long as a new one; it goes with its mentions, its
article and their full-text rows (foreign keys and triggers, store/base.py). Never pruned: the
stories of threads the user keeps (`k`, or a saved dossier) or renamed, and the unread stories
of an active thread (one updated within the engine's join window). A pruned story that a feed
sends again is stored again, as new.

Freed pages go back to the file system through incremental vacuum. A store created before
that mode existed needs one full VACUUM to switch (`convert_vacuum`): it rewrites the whole
file, so only `briefing prune` does it, when the user asks, never a refresh.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from briefing.store.base import to_epoch
from briefing.store.threads import ThreadQueries

if TYPE_CHECKING:
    from briefing.config import Config

PRUNE_BATCH = 200  # stories a transaction deletes: ~0.1-0.3 s at 1M stories, what a writer waits
VACUUM_PAGES = 2048  # pages returned to the file system per step (8 MiB of 4 KiB pages)
INCREMENTAL = 2  # PRAGMA auto_vacuum


@dataclass(frozen=True, slots=True)
class Retention:
    """How long stories stay: a default, per-feed overrides, and what makes a thread active."""

    keep_days: float = 365.0
    per_feed: Mapping[str, float] = field(default_factory=dict)  # feed url -> days
    active_days: float = 3.0  # a thread updated this recently keeps its unread stories

    @classmethod
    def from_config(cls, config: Config) -> Retention:
        s = config.settings
        per_feed = {f.url: float(f.keep_days) for f in config.feeds if f.keep_days is not None}
        return cls(float(s.keep_days), per_feed, float(s.join_window_days))

    def groups(self) -> Iterator[tuple[float, Sequence[str], bool]]:
        """(days, feed urls, whether the urls are the ones *not* in the group)."""
        by_days: dict[float, list[str]] = {}
        for url, days in self.per_feed.items():
            by_days.setdefault(days, []).append(url)
        yield self.keep_days, sorted(self.per_feed), True
        for days, urls in sorted(by_days.items()):
            yield days, sorted(urls), False


@dataclass(slots=True)
class PruneReport:
    stories: int = 0  # deleted (or, in a dry run, that would be)
    articles: int = 0  # fetched article texts among them
    mentions: int = 0  # entity mentions among them
    threads: int = 0  # threads left empty and removed
    kept: int = 0  # old enough, but in a kept or renamed thread, or unread in an active one
    freed_bytes: int = 0  # returned to the file system by incremental vacuum
    done: bool = True  # False when cancelled or stopped at max_batches


_PROTECTED = """
    s.thread_id IS NOT NULL AND EXISTS (SELECT 1 FROM threads t WHERE t.id = s.thread_id
        AND (t.keep = 1 OR t.named_by_user = 1 OR (s.read = 0 AND t.last_seen >= :active)))
"""


class RetentionQueries(ThreadQueries):
    def prune(
        self,
        retention: Retention,
        now: datetime,
        *,
        dry_run: bool = False,
        batch: int = PRUNE_BATCH,
        cancel: threading.Event | None = None,
        max_batches: int | None = None,
    ) -> PruneReport:
        """Delete the stories retention lets go, a batch per transaction, oldest first; in a
        dry run count them (and the old ones that stay) without changing anything."""
        report = PruneReport()
        batches = 0
        active = to_epoch(now - timedelta(days=retention.active_days))
        for days, urls, exclude in retention.groups():
            if not exclude and not urls:
                continue
            cutoff = to_epoch(now - timedelta(days=days))
            marks = ",".join("?" * len(urls))
            feeds = f"s.feed_url {'NOT ' if exclude else ''}IN ({marks})" if urls else "1"
            old = f"s.published < ? AND s.first_seen < ? AND {feeds}"
            args: list[object] = [cutoff, cutoff, *urls]
            if dry_run:
                self._count_old(old, args, active, report)
                continue
            after = (float("-inf"), 0)
            while True:
                if (cancel is not None and cancel.is_set()) or (
                    max_batches is not None and batches >= max_batches
                ):
                    report.done = False
                    return report
                rows = self._candidates(old, args, active, after, batch)
                if not rows:
                    break
                after = (rows[-1][1], rows[-1][0])
                self._delete([r[0] for r in rows], {r[2] for r in rows if r[2] is not None}, report)
                batches += 1
        return report

    def _candidates(
        self, old: str, args: list[object], active: float, after: tuple[float, int], batch: int
    ) -> list[tuple[int, float, int | None]]:
        # Oldest first from the published index; the cursor skips the old stories that stay,
        # so each batch reads only rows it has not read before.
        sql = (
            "SELECT s.rowid, s.published, s.thread_id FROM stories s "
            f"WHERE {old} AND (s.published > ? OR (s.published = ? AND s.rowid > ?)) "
            f"AND NOT ({_PROTECTED.replace(':active', '?')}) "
            "ORDER BY s.published, s.rowid LIMIT ?"
        )
        rows = self.db.execute(sql, [*args, after[0], after[0], after[1], active, batch])
        return [(int(r), float(p), None if t is None else int(t)) for r, p, t in rows]

    def _count_old(self, old: str, args: list[object], active: float, report: PruneReport) -> None:
        protected = _PROTECTED.replace(":active", "?")
        n, kept = self.db.execute(
            f"SELECT count(*), coalesce(sum({protected}), 0) FROM stories s WHERE {old}",
            [active, *args],
        ).fetchone()
        report.stories += int(n) - int(kept)
        report.kept += int(kept)
        going = f"SELECT s.rowid FROM stories s WHERE {old} AND NOT ({protected})"
        report.articles += int(
            self.db.execute(
                f"SELECT count(*) FROM articles WHERE story IN ({going})", [*args, active]
            ).fetchone()[0]
        )
        report.mentions += int(
            self.db.execute(
                f"SELECT count(*) FROM mentions WHERE story IN ({going})", [*args, active]
            ).fetchone()[0]
        )

    def _delete(self, rowids: list[int], threads: set[int], report: PruneReport) -> None:
        """One batch: the stories go (their mentions, article and full-text rows with them),
        entity counts and thread statistics follow, and threads left empty are removed."""
        marks = ",".join("?" * len(rowids))
        with self.transaction() as db:
            counts = db.execute(
                f"SELECT key, count(*), count(DISTINCT story) FROM mentions "
                f"WHERE story IN ({marks}) GROUP BY key",
                rowids,
            ).fetchall()
            articles = db.execute(
                f"SELECT count(*) FROM articles WHERE story IN ({marks})", rowids
            ).fetchone()[0]
            db.execute(f"DELETE FROM stories WHERE rowid IN ({marks})", rowids)
            db.executemany(  # entity_counts followed the deletes (mentions triggers)
                "UPDATE entities SET "
                "mentions = coalesce((SELECT c.mentions FROM entity_counts c WHERE c.key = ?), 0), "
                "stories = coalesce((SELECT c.stories FROM entity_counts c WHERE c.key = ?), 0) "
                "WHERE key = ?",
                [(str(k), str(k), str(k)) for k, _, _ in counts],
            )
            db.executemany(
                "DELETE FROM entities WHERE key = ? AND mentions <= 0", [(k,) for k, _, _ in counts]
            )
            self.update_thread_stats(threads)
            emptied = db.executemany(
                "DELETE FROM threads WHERE id = ? AND stories = 0 AND keep = 0 "
                "AND named_by_user = 0 AND merged_into IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM corrections c WHERE ? IN (c.from_thread, c.to_thread))",
                [(t, t) for t in threads],
            ).rowcount
        report.stories += len(rowids)
        report.articles += int(articles)
        report.mentions += sum(int(n) for _, n, _ in counts)
        report.threads += max(0, emptied)

    # -- the file's size ---------------------------------------------------------------------
    def incremental_vacuum(
        self, cancel: threading.Event | None = None, pages: int = VACUUM_PAGES
    ) -> int:
        """Return free pages to the file system, a few MiB a step; bytes freed (0 unless the
        store is in incremental mode, see convert_vacuum)."""
        if not self.incremental():
            return 0
        page_size = int(self.db.execute("PRAGMA page_size").fetchone()[0])
        freed = 0
        while cancel is None or not cancel.is_set():
            free = int(self.db.execute("PRAGMA freelist_count").fetchone()[0])
            if free == 0:
                break
            self.db.execute(f"PRAGMA incremental_vacuum({min(free, pages)})").fetchall()
            freed += (free - int(self.db.execute("PRAGMA freelist_count").fetchone()[0])) * (
                page_size
            )
        return freed

    def incremental(self) -> bool:
        return int(self.db.execute("PRAGMA auto_vacuum").fetchone()[0]) == INCREMENTAL

    def free_bytes(self) -> int:
        page_size = int(self.db.execute("PRAGMA page_size").fetchone()[0])
        return int(self.db.execute("PRAGMA freelist_count").fetchone()[0]) * page_size

    def convert_vacuum(self) -> None:
        """Switch an older store to incremental vacuum: one full VACUUM (rewrites the file;
        needs as much free disk again, and no other writer meanwhile)."""
        self.db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        self.db.execute("VACUUM")
