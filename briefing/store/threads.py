"""Thread queries: assignment, statistics, names, merges, and the listings the UI shows.

Thread ids are the rowids of `threads`; a merged thread keeps its row with `merged_into` set and
a `thread_merges` record, so old ids still resolve.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime

from briefing.models import Story, Thread
from briefing.store.base import (
    STORY_COLUMNS,
    StoreBase,
    from_epoch,
    fts_query,
    story_from_row,
    to_epoch,
)
from briefing.store.search import HITS_CAP, MENTIONS_CAP

WALK_BOUND = 5_000  # latest threads a common word walks before it reads its candidates

# unread and fresh (first seen since the thread was last opened) are kept by triggers
# (store.schema migration 12).
THREAD_COLUMNS = (
    "t.id, t.name, t.stories, t.sources, t.first_seen, t.last_seen, t.unread, t.fresh, t.keep"
)


def _thread(row: Sequence[object]) -> Thread:
    return Thread(
        id=int(row[0]),  # type: ignore[call-overload]
        name=str(row[1]),
        stories=int(row[2]),  # type: ignore[call-overload]
        sources=int(row[3]),  # type: ignore[call-overload]
        first_seen=from_epoch(float(row[4])),  # type: ignore[arg-type]
        last_seen=from_epoch(float(row[5])),  # type: ignore[arg-type]
        unread=int(row[6]),  # type: ignore[call-overload]
        new=int(row[7]),  # type: ignore[call-overload]
        kept=bool(row[8]),
    )


class ThreadQueries(StoreBase):
    # -- what the engine needs ---------------------------------------------------------------
    def unthreaded(self, limit: int = 5000) -> list[tuple[int, Story]]:
        """Stories without a thread, oldest first (the order they are assigned in)."""
        rows = self.db.execute(
            f"SELECT s.rowid, {STORY_COLUMNS} FROM stories s WHERE s.thread_id IS NULL "
            "ORDER BY s.published, s.rowid LIMIT ?",
            (limit,),
        )
        return [(int(r[0]), story_from_row(r[1:])) for r in rows]

    def active_members(self, since: datetime) -> list[tuple[int, Story]]:
        """Stories of threads whose latest story is at or after `since`, for warming the engine."""
        rows = self.db.execute(
            f"""
            SELECT s.rowid, {STORY_COLUMNS} FROM threads t JOIN stories s ON s.thread_id = t.id
            WHERE t.last_seen >= ? AND t.merged_into IS NULL ORDER BY s.published, s.rowid
            """,
            (to_epoch(since),),
        )
        return [(int(r[0]), story_from_row(r[1:])) for r in rows]

    def entity_keys(self, rowids: Sequence[int]) -> dict[int, list[tuple[str, str, str]]]:
        """rowid -> distinct (key, type, name) of its entities, with store-wide types."""
        found: dict[int, list[tuple[str, str, str]]] = {}
        for i in range(0, len(rowids), 500):
            chunk = list(rowids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"""
                SELECT DISTINCT m.story, m.key, coalesce(e.type, m.type), coalesce(e.name, m.name)
                FROM mentions m LEFT JOIN entities e ON e.key = m.key
                WHERE m.story IN ({marks}) ORDER BY m.story, m.start
                """,
                chunk,
            )
            for story, key, etype, name in rows:
                found.setdefault(int(story), []).append((str(key), str(etype), str(name)))
        return found

    def recent_texts(
        self, feed_urls: Iterable[str], limit: int = 60
    ) -> dict[str, list[tuple[str, str]]]:
        """Each feed's latest (title, summary) pairs: what its boilerplate is learnt from."""
        found: dict[str, list[tuple[str, str]]] = {}
        for url in feed_urls:
            rows = self.db.execute(
                "SELECT title, summary FROM stories WHERE feed_url = ? ORDER BY rowid DESC LIMIT ?",
                (url, limit),
            )
            found[url] = [(str(r[0]), str(r[1])) for r in rows]
        return found

    def term_count(self) -> int:
        """Rows of the df table (0.1 s at 3M rows)."""
        return int(self.db.execute("SELECT count(*) FROM term_df").fetchone()[0])

    def doc_freq(self, terms: Collection[str] | None = None) -> tuple[dict[str, int], int]:
        """Document frequencies and the number of documents counted; with terms, only theirs
        (the table grows with the history: millions of rows, 5 s and 400 MB whole at 3M)."""
        if terms is None:
            rows = self.db.execute("SELECT term, df FROM term_df")
            df = {str(t): int(n) for t, n in rows}
        else:
            df = {}
            wanted = list(terms)
            for i in range(0, len(wanted), 500):
                chunk = wanted[i : i + 500]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT term, df FROM term_df WHERE term IN ({marks})"
                rows = self.db.execute(sql, chunk)
                df.update((str(t), int(n)) for t, n in rows)
        return df, int(self.get_meta("thread_docs", "0"))

    def new_thread(self, when: datetime) -> int:
        ts = to_epoch(when)
        cursor = self.db.execute(
            "INSERT INTO threads(created, first_seen, last_seen) VALUES (?, ?, ?)", (ts, ts, ts)
        )
        return int(cursor.lastrowid or 0)

    def save_assignments(
        self,
        rows: Sequence[tuple[str, int, str | None]],
        doc_freq_delta: Mapping[str, int],
        n_docs: int,
        scores: Mapping[str, float] | None = None,
    ) -> None:
        """(story id, thread id, duplicate-of story id) per story, with the df increments;
        `scores` maps story ids to the join probability the engine gave (the why view's).

        A thread merged away since the engine loaded it (x improved threads meanwhile) stands
        for the thread it went into, so no story lands in a thread that is no longer listed.
        """
        with self.transaction() as db:
            live = {tid: self.resolve_thread(tid) or tid for tid in {t for _, t, _ in rows}}
            rows = [(sid, live[tid], dup) for sid, tid, dup in rows]
            db.executemany(
                "UPDATE stories SET thread_id = ?, duplicate_of = ? WHERE id = ?",
                [(tid, dup, sid) for sid, tid, dup in rows],
            )
            if scores:
                db.executemany(
                    "UPDATE stories SET thread_score = ? WHERE id = ?",
                    [(scores[sid], sid) for sid, _, _ in rows if sid in scores],
                )
            db.executemany(
                "INSERT INTO term_df(term, df) VALUES (?, ?) "
                "ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
                list(doc_freq_delta.items()),
            )
            self.set_meta("thread_docs", str(n_docs))
            self.update_thread_stats({tid for _, tid, _ in rows})

    def update_thread_stats(self, thread_ids: Iterable[int]) -> None:
        self.db.executemany(
            """
            UPDATE threads SET
                stories = (SELECT count(*) FROM stories WHERE thread_id = threads.id),
                sources = (SELECT count(DISTINCT source) FROM stories WHERE thread_id = threads.id),
                first_seen = coalesce((SELECT min(min(published, first_seen)) FROM stories
                    WHERE thread_id = threads.id), first_seen),
                last_seen = coalesce((SELECT max(min(published, first_seen)) FROM stories
                    WHERE thread_id = threads.id), last_seen)
            WHERE id = ?
            """,
            [(tid,) for tid in thread_ids],
        )

    def set_thread_names(self, names: Mapping[int, str]) -> None:
        """The engine's names; a thread the user renamed keeps the user's name."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE threads SET name = ? WHERE id = ? AND named_by_user = 0",
                [(n, t) for t, n in names.items()],
            )

    def merge_threads(self, keep: int, gone: int, when: datetime) -> None:
        """Move every story of `gone` into `keep`, recorded so the old id still resolves."""
        with self.transaction():
            self._merge(keep, gone, when, by_hand=False)

    def _merge(self, keep: int, gone: int, when: datetime, *, by_hand: bool) -> None:
        """merge_threads inside a transaction. In an engine merge a name the user gave `gone`
        goes to `keep` unless the user named `keep` too: a renamed thread keeps its name. In a
        merge by hand the thread the user merged into keeps its own name."""
        db = self.db
        db.execute("UPDATE stories SET thread_id = ? WHERE thread_id = ?", (keep, gone))
        db.execute("UPDATE threads SET merged_into = ? WHERE id = ?", (keep, gone))
        db.execute("UPDATE threads SET merged_into = ? WHERE merged_into = ?", (keep, gone))
        db.execute(
            "INSERT OR REPLACE INTO thread_merges(gone, keep, at, by_hand) VALUES (?, ?, ?, ?)",
            (gone, keep, to_epoch(when), by_hand),
        )
        db.execute(
            """
            UPDATE threads SET named_by_user = 1,
                name = (SELECT g.name FROM threads g WHERE g.id = ?)
            WHERE id = ? AND named_by_user = 0 AND NOT ?
                AND (SELECT g.named_by_user FROM threads g WHERE g.id = ?) = 1
            """,
            (gone, keep, by_hand, gone),
        )
        self.update_thread_stats([keep, gone])

    def resolve_thread(self, thread_id: int) -> int | None:
        """The live thread an id stands for, following merges; None if unknown."""
        seen: set[int] = set()
        current: int | None = thread_id
        while current is not None and current not in seen:
            seen.add(current)
            row = self.db.execute(
                "SELECT merged_into FROM threads WHERE id = ?", (current,)
            ).fetchone()
            if row is None:
                return None
            if row[0] is None:
                return current
            current = int(row[0])
        return None

    # -- what the reader sees ----------------------------------------------------------------
    def threads(
        self,
        *,
        since: datetime | None = None,
        min_sources: int = 1,
        search: str = "",
        entity: str | None = None,
        limit: int = 2000,
    ) -> list[Thread]:
        """Live threads, latest first; search matches thread names and their stories' text
        (title, summary, fetched article), every word as a word start.

        A search or an entity names the threads to read first (its matches, at most
        store.search.HITS_CAP stories, and the names from threads_fts; an entity's newest
        MENTIONS_CAP stories), so no filter walks every thread: 100,000 threads cost 500 ms
        that way at 1M stories.
        """
        where = ["t.merged_into IS NULL", "t.stories > 0", "t.sources >= ?"]
        args: list[object] = [min_sources]
        if since is not None:
            where.append("t.last_seen >= ?")
            args.append(to_epoch(since))
        sets: list[str] = []
        set_args: list[object] = []
        if search:
            query = fts_query(search)
            if not query:
                return []
            self.search_hits(query)
            if self.hits_estimated and entity is None:  # a common word: recent threads match
                found = self._walk_threads(query, where, args, limit)
                if found is not None:
                    return found
            sets.append(
                "SELECT s.thread_id AS id FROM stories s WHERE s.rowid IN temp.search_hits "
                "AND s.thread_id IS NOT NULL "
                "UNION SELECT * FROM (SELECT rowid FROM threads_fts WHERE threads_fts MATCH ? "
                "ORDER BY rowid DESC LIMIT ?)"
            )
            set_args += [query, HITS_CAP]  # a common word: the newest named threads
        if entity is not None:
            sets.append(
                "SELECT s.thread_id AS id FROM (SELECT DISTINCT story FROM mentions WHERE key = ? "
                "ORDER BY story DESC LIMIT ?) AS m CROSS JOIN stories s ON s.rowid = m.story "
                "WHERE s.thread_id IS NOT NULL"
            )
            set_args += [entity, MENTIONS_CAP]  # a big entity: the threads of its newest stories
        table = "threads t"
        if sets:
            chosen = " INTERSECT ".join(f"SELECT DISTINCT id FROM ({q})" for q in sets)
            table = f"({chosen}) AS m CROSS JOIN threads t ON t.id = m.id"
        sql = (
            f"SELECT {THREAD_COLUMNS} FROM {table} WHERE {' AND '.join(where)} "
            "ORDER BY t.last_seen DESC, t.id LIMIT ?"
        )
        return [_thread(r) for r in self.db.execute(sql, [*set_args, *args, limit])]

    def _walk_threads(
        self, query: str, where: list[str], args: list[object], limit: int
    ) -> list[Thread] | None:
        """The latest `limit` threads a common word matches, walking the latest WALK_BOUND
        threads latest first (7 ms for 500 of them at 1M stories, where joining its 5,000
        candidate threads and sorting them takes 19 ms); None when the walk did not fill
        the list (the matches are older): then the candidates are read."""
        floor = self.db.execute(
            "SELECT last_seen FROM threads ORDER BY last_seen DESC LIMIT 1 OFFSET ?",
            (max(WALK_BOUND, 4 * limit),),
        ).fetchone()
        sql = (
            f"SELECT {THREAD_COLUMNS} FROM threads t INDEXED BY threads_last_seen "
            f"WHERE {' AND '.join(where)} AND t.last_seen >= ? AND (EXISTS (SELECT 1 FROM "
            "stories s WHERE s.thread_id = t.id AND s.rowid IN temp.search_hits) OR t.id IN "
            "(SELECT rowid FROM threads_fts WHERE threads_fts MATCH ? ORDER BY rowid DESC "
            "LIMIT ?)) ORDER BY t.last_seen DESC, t.id LIMIT ?"
        )
        bound = float(floor[0]) if floor else float("-inf")
        rows = self.db.execute(sql, [*args, bound, query, HITS_CAP, limit]).fetchall()
        return [_thread(r) for r in rows] if len(rows) >= limit else None

    def thread(self, thread_id: int) -> Thread | None:
        live = self.resolve_thread(thread_id)
        if live is None:
            return None
        row = self.db.execute(
            f"SELECT {THREAD_COLUMNS} FROM threads t WHERE t.id = ?", (live,)
        ).fetchone()
        return _thread(row) if row else None

    def duplicates(self, thread_id: int) -> dict[str, list[Story]]:
        """Story id -> the re-publications of it in the thread (shown beneath it)."""
        rows = self.db.execute(
            f"SELECT s.duplicate_of, {STORY_COLUMNS} FROM stories s "
            "WHERE s.thread_id = ? AND s.duplicate_of IS NOT NULL ORDER BY s.published",
            (thread_id,),
        )
        copies: dict[str, list[Story]] = {}
        for row in rows:
            copies.setdefault(str(row[0]), []).append(story_from_row(row[1:]))
        return copies

    def find_threads(self, text: str, limit: int = 1000) -> list[Thread]:
        """Threads whose id is `text`, or whose name contains it (case-insensitive), latest
        first. Names are streamed, a row at a time: no thread list is built to search it."""
        if text.strip().isdigit():
            found = self.thread(int(text))
            return [found] if found else []
        needle = text.strip().lower()
        if not needle:
            return []
        names = self.db.execute(
            "SELECT id, name FROM threads WHERE merged_into IS NULL AND stories > 0 "
            "ORDER BY last_seen DESC, id"
        )
        ids = []
        for tid, name in names:
            if needle in str(name).lower():
                ids.append(int(tid))
                if len(ids) >= limit:
                    break
        names.close()
        threads = (self.thread(tid) for tid in ids)
        return [t for t in threads if t is not None]

    def mark_thread_opened(self, thread_id: int, when: datetime) -> None:
        if self.read_only:  # opening a thread is reading: its "new" marker stays, that is all
            return
        self.db.execute(
            "UPDATE threads SET opened_at = ? WHERE id = ?", (to_epoch(when), thread_id)
        )

    def set_thread_kept(self, thread_id: int, keep: bool = True) -> bool:
        """Keep a thread (or stop keeping it): a kept thread is never pruned. False if the
        thread is unknown; a merged thread's id stands for the thread it went into."""
        self.require_writable("keep a thread")
        live = self.resolve_thread(thread_id)
        if live is None:
            return False
        self.db.execute("UPDATE threads SET keep = ? WHERE id = ?", (keep, live))
        return True

    def set_thread_read(self, thread_id: int, read: bool = True) -> None:
        self.require_writable("mark stories read")
        with self.transaction() as db:
            db.execute("UPDATE stories SET read = ? WHERE thread_id = ?", (read, thread_id))
