"""Thread summaries as the store keeps them (summaries.py makes them, brief.py uses them).

A summary is stored as JSON with ``made_from``: the thread's story count, latest story and
number of fetched articles when it was made. When any of them changes, it is stale and is made
again; nothing else is ever recomputed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from briefing.models import Story
from briefing.store.base import STORY_COLUMNS, StoreBase, from_epoch, story_from_row, to_epoch

# The thread's stories first, then their articles: SQLite chose to read every fetched article
# and look each one's story up (287 ms a thread at 1M stories with 100,000 articles).
_STATE = """
    t.stories || ':' || t.last_seen || ':' || (
        SELECT count(*) FROM stories s CROSS JOIN articles a ON a.story = s.rowid
        WHERE s.thread_id = t.id AND a.status = 'ok')
"""
LAST_BRIEF = "last_brief_at"


class SummaryQueries(StoreBase):
    def summary_state(self, thread_id: int) -> str:
        row = self.db.execute(f"SELECT {_STATE} FROM threads t WHERE t.id = ?", (thread_id,))
        found = row.fetchone()
        return str(found[0]) if found else ""

    def cached_summary(self, thread_id: int) -> tuple[str, str] | None:
        """(made_from, JSON body) of the thread's stored summary, fresh or not."""
        row = self.db.execute(
            "SELECT made_from, body FROM thread_summaries WHERE thread = ?", (thread_id,)
        ).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def save_summary(self, thread_id: int, made_from: str, body: str, when: datetime) -> None:
        self.db.execute(
            "INSERT INTO thread_summaries(thread, made_from, body, made_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(thread) DO UPDATE SET made_from = excluded.made_from, "
            "body = excluded.body, made_at = excluded.made_at",
            (thread_id, made_from, body, to_epoch(when)),
        )

    def stale_summaries(self, since: datetime, limit: int = 500) -> list[int]:
        """Live threads of two or more stories active since ``since`` whose summary is missing
        or was made from another state, most recently active first."""
        rows = self.db.execute(
            f"""
            SELECT t.id FROM threads t LEFT JOIN thread_summaries m ON m.thread = t.id
            WHERE t.merged_into IS NULL AND t.stories >= 2 AND t.last_seen >= ?
              AND (m.made_from IS NULL OR m.made_from != {_STATE})
            ORDER BY t.last_seen DESC, t.id LIMIT ?
            """,
            (to_epoch(since), limit),
        )
        return [int(r[0]) for r in rows]

    def article_texts(self, rowids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for i in range(0, len(rowids), 500):
            chunk = list(rowids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for story, text in self.db.execute(
                f"SELECT story, text FROM articles WHERE status = 'ok' AND story IN ({marks})",
                chunk,
            ):
                found[int(story)] = str(text)
        return found

    def single_stories(self, since: datetime, limit: int) -> list[Story]:
        """Unread stories since ``since`` that are alone in their thread, newest first (by the
        thread's time: the story's, never later than when it was first seen).

        Read from the index of single threads (migration 13), newest first, so a brief reads
        about `limit` rows: walking every story since a week-old brief took 1.8 s at 1M."""
        rows = self.db.execute(
            f"""
            SELECT {STORY_COLUMNS} FROM threads t INDEXED BY threads_single
                CROSS JOIN stories s ON s.thread_id = t.id
            WHERE t.stories = 1 AND t.merged_into IS NULL AND t.last_seen >= ?
              AND s.read = 0 AND s.published >= ? AND s.duplicate_of IS NULL
            ORDER BY t.last_seen DESC, t.id DESC LIMIT ?
            """,
            (to_epoch(since), to_epoch(since), limit),
        )
        return [story_from_row(r) for r in rows]

    def newest_story(self) -> datetime | None:
        row = self.db.execute("SELECT max(min(published, first_seen)) FROM stories").fetchone()
        return from_epoch(float(row[0])) if row and row[0] is not None else None

    def threads_grown_since(self, when: datetime | None) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM threads WHERE merged_into IS NULL AND stories >= 2 "
            "AND last_seen > ?",
            (to_epoch(when) if when else 0.0,),
        ).fetchone()
        return int(row[0])

    def last_brief(self) -> datetime | None:
        value = self.get_meta(LAST_BRIEF)
        return from_epoch(float(value)) if value else None

    def mark_brief(self, when: datetime) -> None:
        self.set_meta(LAST_BRIEF, repr(to_epoch(when)))
