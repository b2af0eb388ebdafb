"""Corrections by hand: detach a story, merge two threads, rename one; undo the last.

Each correction is a row of `corrections`, and the stories it moved are rows of
`correction_moves` (with the thread and duplicate-of they had), so the last one can be undone
exactly. They bind the engine: a story the user detached is never merged back with the thread
it left (`kept_apart`, checked before every engine merge, through merges at any depth), and a
thread the user renamed keeps its name (`threads.named_by_user`, see set_thread_names).

A merge by hand folds the thread the user picked first into the one picked second: the second
keeps its id (and name), like engine merges it is in `thread_merges` (by_hand = 1), and old
ids still resolve.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from briefing.errors import BriefingError
from briefing.models import DETACH, MERGE, RENAME, Correction, Story
from briefing.safety import clean_line
from briefing.store.base import STORY_COLUMNS, from_epoch, story_from_row, to_epoch
from briefing.store.threads import ThreadQueries

NAME_LIMIT = 60  # characters of a name given by hand

_COLUMNS = (
    "c.id, c.kind, c.at, c.from_thread, c.to_thread, c.story, "
    "coalesce((SELECT s.title FROM stories s WHERE s.id = c.story), ''), "
    "c.old_name, c.new_name, c.undone"
)


class CorrectionError(BriefingError, ValueError):
    """A correction that cannot be made (unknown story, already alone, same thread, ...)."""


def clean_name(text: str) -> str:
    """A thread name typed by the user: one line, no control characters, capped."""
    return clean_line(text, NAME_LIMIT)


def _correction(row: Sequence[object]) -> Correction:
    return Correction(
        id=int(row[0]),  # type: ignore[call-overload]
        kind=str(row[1]),
        at=from_epoch(float(row[2])),  # type: ignore[arg-type]
        from_thread=int(row[3]),  # type: ignore[call-overload]
        to_thread=int(row[4]),  # type: ignore[call-overload]
        story=None if row[5] is None else str(row[5]),
        story_title=str(row[6]),
        old_name=str(row[7]),
        new_name=str(row[8]),
        undone=bool(row[9]),
    )


class CorrectionQueries(ThreadQueries):
    # -- making them -------------------------------------------------------------------------
    def detach_story(self, story_id: str, when: datetime) -> Correction:
        """Move a story (and its re-publications) out of its thread into a new one of its own."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT thread_id, duplicate_of, published FROM stories WHERE id = ?", (story_id,)
            ).fetchone()
            if row is None:
                raise CorrectionError(f"no story {story_id!r}")
            if row[0] is None:
                raise CorrectionError("that story is not in a thread yet")
            old = int(row[0])
            moving = [story_id] + [
                str(r[0])
                for r in db.execute(
                    "SELECT id FROM stories WHERE thread_id = ? AND duplicate_of = ?",
                    (old, story_id),
                )
            ]
            marks = ",".join("?" * len(moving))
            others = db.execute(
                f"SELECT count(*) FROM stories WHERE thread_id = ? AND id NOT IN ({marks})",
                (old, *moving),
            ).fetchone()[0]
            if not others:
                raise CorrectionError("that story is alone in its thread already")
            published = float(row[2])
            new = int(
                db.execute(
                    "INSERT INTO threads(created, first_seen, last_seen, opened_at) "
                    "VALUES (?, ?, ?, ?)",
                    (to_epoch(when), published, published, to_epoch(when)),
                ).lastrowid
                or 0
            )
            cid = self._record(DETACH, when, old, new, story=story_id, old_name=self._name(old))
            self._record_moves(cid, moving)
            db.execute(
                "UPDATE stories SET thread_id = ?, duplicate_of = NULL WHERE id = ?",
                (new, story_id),
            )
            db.execute(
                "UPDATE stories SET thread_id = ? WHERE thread_id = ? AND duplicate_of = ?",
                (new, old, story_id),
            )
            self.update_thread_stats([old, new])
        return self._get(cid)

    def merge_by_hand(self, gone: int, keep: int, when: datetime) -> Correction:
        """Fold thread `gone` into thread `keep` (ids are resolved through earlier merges)."""
        with self.transaction() as db:
            live_gone, live_keep = self.resolve_thread(gone), self.resolve_thread(keep)
            if live_gone is None or live_keep is None:
                raise CorrectionError(f"no thread {gone if live_gone is None else keep}")
            if live_gone == live_keep:
                raise CorrectionError("those are one thread already")
            named = db.execute(
                "SELECT named_by_user FROM threads WHERE id = ?", (live_keep,)
            ).fetchone()[0]
            cid = self._record(
                MERGE,
                when,
                live_gone,
                live_keep,
                old_name=self._name(live_keep),
                new_name=self._name(live_gone),
                old_named=bool(named),
            )
            moving = [
                str(r[0])
                for r in db.execute("SELECT id FROM stories WHERE thread_id = ?", (live_gone,))
            ]
            self._record_moves(cid, moving)
            self._merge(live_keep, live_gone, when, by_hand=True)
        return self._get(cid)

    def rename_thread(self, thread_id: int, name: str, when: datetime) -> Correction:
        """Give a thread a name of the user's; the engine never renames it after this."""
        clean = clean_name(name)
        if not clean:
            raise CorrectionError("a thread name cannot be empty")
        with self.transaction() as db:
            live = self.resolve_thread(thread_id)
            if live is None:
                raise CorrectionError(f"no thread {thread_id}")
            old, named = db.execute(
                "SELECT name, named_by_user FROM threads WHERE id = ?", (live,)
            ).fetchone()
            cid = self._record(
                RENAME, when, live, live, old_name=str(old), new_name=clean, old_named=bool(named)
            )
            db.execute("UPDATE threads SET name = ?, named_by_user = 1 WHERE id = ?", (clean, live))
        return self._get(cid)

    # -- undoing the last --------------------------------------------------------------------
    def last_correction(self) -> Correction | None:
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM corrections c WHERE c.undone = 0 ORDER BY c.id DESC LIMIT 1"
        ).fetchone()
        return _correction(row) if row else None

    def undo_correction(self) -> Correction | None:
        """Undo the latest correction not undone yet; None if there is none.

        detach: the story (and its copies) go back to the thread it left, or to what that
        thread was merged into meanwhile. merge: the stories the merged thread had go back to
        it, and it is listed again. rename: the old name, and the engine names it again if it
        did before.
        """
        with self.transaction() as db:
            last = self.last_correction()
            if last is None:
                return None
            if last.kind == DETACH:
                back = self.resolve_thread(last.from_thread) or last.from_thread
                here = self.resolve_thread(last.to_thread) or last.to_thread
                db.executemany(
                    "UPDATE stories SET thread_id = ?, duplicate_of = ? WHERE id = ?",
                    [(back, dup, sid) for sid, _, dup in self._moves(last.id)],
                )
                self.update_thread_stats({back, here})
            elif last.kind == MERGE:
                self._unmerge(last)
            else:
                db.execute(
                    "UPDATE threads SET name = ?, named_by_user = "
                    "(SELECT old_named FROM corrections WHERE id = ?) WHERE id = ?",
                    (last.old_name, last.id, last.from_thread),
                )
                live = self.resolve_thread(last.from_thread)
                if live is not None and live != last.from_thread:  # the name went with a merge
                    db.execute(
                        "UPDATE threads SET named_by_user = 0 WHERE id = ? AND name = ?",
                        (live, last.new_name),
                    )
            db.execute("UPDATE corrections SET undone = 1 WHERE id = ?", (last.id,))
        return self._get(last.id)

    def _unmerge(self, merge: Correction) -> None:
        db, gone, keep = self.db, merge.from_thread, merge.to_thread
        here = self.resolve_thread(keep) or keep
        db.executemany(
            "UPDATE stories SET thread_id = ?, duplicate_of = ? WHERE id = ? AND thread_id = ?",
            [(gone, dup, sid, here) for sid, _, dup in self._moves(merge.id)],
        )
        db.execute("UPDATE threads SET merged_into = NULL WHERE id = ?", (gone,))
        db.execute("DELETE FROM thread_merges WHERE gone = ?", (gone,))
        # Threads merged into `gone` before were re-pointed at `keep`: point them back.
        db.execute(
            """
            WITH RECURSIVE under(id) AS (
                SELECT gone FROM thread_merges WHERE keep = ?
                UNION SELECT m.gone FROM thread_merges m JOIN under u ON m.keep = u.id)
            UPDATE threads SET merged_into = ? WHERE id IN under
            """,
            (gone, gone),
        )
        db.execute(
            "UPDATE threads SET name = ?, named_by_user = "
            "(SELECT old_named FROM corrections WHERE id = ?) WHERE id = ?",
            (merge.old_name, merge.id, keep),
        )
        self.update_thread_stats({here, gone})

    # -- what they mean for the engine and the reader ----------------------------------------
    def kept_apart(self, a: int, b: int) -> bool:
        """Whether merging threads a and b would put a story the user detached back with the
        thread it left (each side resolved through merges, at any depth)."""
        pair = {self.resolve_thread(a), self.resolve_thread(b)}
        rows = self.db.execute(
            "SELECT c.from_thread, s.thread_id FROM corrections c JOIN stories s ON s.id = c.story "
            "WHERE c.kind = ? AND c.undone = 0 AND s.thread_id IS NOT NULL",
            (DETACH,),
        ).fetchall()
        for left, now_in in rows:
            sides = {self.resolve_thread(int(left)), self.resolve_thread(int(now_in))}
            if len(sides) == 2 and sides == pair:
                return True
        return False

    def corrections(self, thread_id: int | None = None) -> list[Correction]:
        """Corrections not undone, oldest first. With a thread: those that touch it now, their
        thread ids resolved through later merges (from_thread == to_thread == the thread for a
        rename, or for a story detached and then merged back by hand)."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM corrections c WHERE c.undone = 0 ORDER BY c.id"
        ).fetchall()
        found = [_correction(r) for r in rows]
        if thread_id is None:
            return found
        live = self.resolve_thread(thread_id)
        resolved = [
            replace(
                c,
                from_thread=self.resolve_thread(c.from_thread) or c.from_thread,
                to_thread=self.resolve_thread(c.to_thread) or c.to_thread,
            )
            for c in found
        ]
        return [c for c in resolved if live in (c.from_thread, c.to_thread)]

    def story_correction(self, story_id: str) -> Correction | None:
        """The latest detach of this story that still holds."""
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM corrections c WHERE c.kind = ? AND c.story = ? "
            "AND c.undone = 0 ORDER BY c.id DESC LIMIT 1",
            (DETACH, story_id),
        ).fetchone()
        return _correction(row) if row else None

    def join_record(self, story_id: str) -> tuple[float | None, str | None]:
        """The join probability the engine gave the story (1 for a copy, 0 for a new thread;
        None if threaded before scores were kept), and the story it is a copy of, if any."""
        row = self.db.execute(
            "SELECT thread_score, duplicate_of FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        if row is None:
            return None, None
        return (
            None if row[0] is None else float(row[0]),
            None if row[1] is None else str(row[1]),
        )

    def thread_members(self, thread_id: int) -> list[tuple[int, Story]]:
        """(rowid, story) of every story in the thread, oldest first (for naming it)."""
        rows = self.db.execute(
            f"SELECT s.rowid, {STORY_COLUMNS} FROM stories s WHERE s.thread_id = ? "
            "ORDER BY s.published, s.rowid",
            (thread_id,),
        )
        return [(int(r[0]), story_from_row(r[1:])) for r in rows]

    def stories_by_prefix(self, prefix: str, limit: int = 2) -> list[str]:
        """Ids of stories whose id starts with `prefix` (git-style short ids)."""
        rows = self.db.execute(
            "SELECT id FROM stories WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
            (prefix, prefix + "\uffff", limit),
        )
        return [str(r[0]) for r in rows]

    def shared_entities(self, story_id: str) -> list[tuple[str, str, int]]:
        """(name, type, other stories of its thread naming it) for the story's entities that
        other stories of its thread share, most shared first."""
        rows = self.db.execute(
            """
            WITH me AS (SELECT rowid, thread_id FROM stories WHERE id = ?),
                 mine AS (SELECT DISTINCT m.key FROM mentions m, me WHERE m.story = me.rowid)
            SELECT coalesce(e.name, max(o.name)), coalesce(e.type, max(o.type)),
                   count(DISTINCT o.story) AS n
            FROM mine JOIN mentions o ON o.key = mine.key
                 JOIN stories s ON s.rowid = o.story, me
                 LEFT JOIN entities e ON e.key = mine.key
            WHERE s.thread_id = me.thread_id AND s.rowid != me.rowid
            GROUP BY mine.key ORDER BY n DESC, 1
            """,
            (story_id,),
        )
        return [(str(name), str(etype), int(n)) for name, etype, n in rows]

    def term_doc_freq(self, terms: Iterable[str]) -> tuple[dict[str, int], int]:
        """The engine's document frequencies of these terms, and the documents counted."""
        wanted = sorted(set(terms))
        found: dict[str, int] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                (str(t), int(n))
                for t, n in self.db.execute(
                    f"SELECT term, df FROM term_df WHERE term IN ({marks})", chunk
                )
            )
        return found, int(self.get_meta("thread_docs", "0"))

    # -- bookkeeping -------------------------------------------------------------------------
    def _record(
        self,
        kind: str,
        when: datetime,
        from_thread: int,
        to_thread: int,
        *,
        story: str | None = None,
        old_name: str = "",
        new_name: str = "",
        old_named: bool = False,
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO corrections(kind, story, from_thread, to_thread, old_name, new_name, "
            "old_named, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, story, from_thread, to_thread, old_name, new_name, old_named, to_epoch(when)),
        )
        return int(cursor.lastrowid or 0)

    def _record_moves(self, correction: int, story_ids: Sequence[str]) -> None:
        for i in range(0, len(story_ids), 500):
            chunk = list(story_ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            self.db.execute(
                "INSERT INTO correction_moves(correction, story, thread, duplicate_of) "
                f"SELECT ?, id, thread_id, duplicate_of FROM stories WHERE id IN ({marks})",
                (correction, *chunk),
            )

    def _moves(self, correction: int) -> list[tuple[str, int, str | None]]:
        rows = self.db.execute(
            "SELECT story, thread, duplicate_of FROM correction_moves WHERE correction = ?",
            (correction,),
        )
        return [(str(s), int(t), None if d is None else str(d)) for s, t, d in rows]

    def _name(self, thread_id: int) -> str:
        row = self.db.execute("SELECT name FROM threads WHERE id = ?", (thread_id,)).fetchone()
        return str(row[0]) if row else ""

    def _get(self, correction: int) -> Correction:
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM corrections c WHERE c.id = ?", (correction,)
        ).fetchone()
        return _correction(row)
