"""The SQLite store: schema, migrations and every query the app makes.

One file, WAL mode, short transactions and a busy timeout, so a cron `briefing fetch` and an
open TUI can share it. Times are stored as UTC epoch seconds (REAL). Stories have a stable
text id (see parse.py) and an integer rowid used for joins and full-text search.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from briefing.models import FeedStatus, Story, Validators

MIGRATIONS: tuple[str, ...] = (
    # 1: feeds, stories with full-text search, and the tables entities and threads fill in.
    """
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE feeds(
        url TEXT PRIMARY KEY, name TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
        etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '',
        ok INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT '', http_status INTEGER,
        checked_at REAL, ok_at REAL, failures INTEGER NOT NULL DEFAULT 0,
        not_modified INTEGER NOT NULL DEFAULT 0, items INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE stories(
        rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, feed_url TEXT NOT NULL,
        source TEXT NOT NULL, guid TEXT NOT NULL DEFAULT '', title TEXT NOT NULL,
        link TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '', published REAL NOT NULL, first_seen REAL NOT NULL,
        read INTEGER NOT NULL DEFAULT 0, thread_id INTEGER, duplicate_of INTEGER,
        annotated TEXT NOT NULL DEFAULT '');
    CREATE INDEX stories_published ON stories(published DESC);
    CREATE INDEX stories_thread ON stories(thread_id, published);
    CREATE INDEX stories_feed_link ON stories(feed_url, link);
    CREATE INDEX stories_annotated ON stories(annotated);
    CREATE INDEX stories_unthreaded ON stories(published) WHERE thread_id IS NULL;
    CREATE VIRTUAL TABLE stories_fts USING fts5(
        title, summary, content='stories', content_rowid='rowid',
        tokenize='unicode61 remove_diacritics 2');
    CREATE TRIGGER stories_ai AFTER INSERT ON stories BEGIN
        INSERT INTO stories_fts(rowid, title, summary) VALUES (new.rowid, new.title, new.summary);
    END;
    CREATE TRIGGER stories_ad AFTER DELETE ON stories BEGIN
        INSERT INTO stories_fts(stories_fts, rowid, title, summary)
        VALUES ('delete', old.rowid, old.title, old.summary);
    END;
    CREATE TRIGGER stories_au AFTER UPDATE OF title, summary ON stories BEGIN
        INSERT INTO stories_fts(stories_fts, rowid, title, summary)
        VALUES ('delete', old.rowid, old.title, old.summary);
        INSERT INTO stories_fts(rowid, title, summary) VALUES (new.rowid, new.title, new.summary);
    END;
    CREATE TABLE entities(
        key TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,
        mentions INTEGER NOT NULL DEFAULT 0, stories INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE mentions(
        story INTEGER NOT NULL REFERENCES stories(rowid) ON DELETE CASCADE,
        field TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        key TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL);
    CREATE INDEX mentions_story ON mentions(story);
    CREATE INDEX mentions_key ON mentions(key, story);
    CREATE TABLE threads(
        id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', created REAL NOT NULL,
        first_seen REAL NOT NULL, last_seen REAL NOT NULL,
        stories INTEGER NOT NULL DEFAULT 0, sources INTEGER NOT NULL DEFAULT 0,
        opened_at REAL, merged_into INTEGER);
    CREATE INDEX threads_last_seen ON threads(last_seen DESC);
    CREATE TABLE thread_merges(gone INTEGER PRIMARY KEY, keep INTEGER NOT NULL, at REAL NOT NULL);
    CREATE TABLE term_df(term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
    """,
)

STORY_COLUMNS = (
    "s.id, s.feed_url, s.source, s.title, s.link, s.summary, s.published, s.first_seen, "
    "s.author, s.guid, s.read, s.thread_id"
)


class StoreError(RuntimeError):
    """The store file cannot be opened or is newer than this version of briefing."""


def to_epoch(when: datetime) -> float:
    return when.timestamp()


def from_epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _story(row: Any) -> Story:
    return Story(
        id=str(row[0]),
        feed_url=str(row[1]),
        source=str(row[2]),
        title=str(row[3]),
        link=str(row[4]),
        summary=str(row[5]),
        published=from_epoch(float(row[6])),
        first_seen=from_epoch(float(row[7])),
        author=str(row[8]),
        guid=str(row[9]),
        read=bool(row[10]),
        thread_id=None if row[11] is None else int(row[11]),
    )


@dataclass(frozen=True, slots=True)
class FeedRow:
    url: str
    name: str
    title: str
    ok: bool
    status: str
    http_status: int | None
    checked_at: datetime | None
    ok_at: datetime | None
    failures: int
    items: int
    stories: int


def fts_query(text: str) -> str:
    """User words -> a safe FTS5 query: every word a quoted prefix term, all required."""
    words = re.findall(r"\w+", text)[:16]
    return " ".join(f'"{w}"*' for w in words)


class Store:
    """A connection to the store. Use one per thread (sqlite3 objects are not shared)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(
                self.path, timeout=15.0, isolation_level=None, check_same_thread=False
            )
            self.db.execute("PRAGMA busy_timeout = 15000")
            if self.path != ":memory:":
                self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from None
        self._lock = threading.RLock()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the store {self.path} was written by a newer briefing (schema {version})"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits first; BEGIN/COMMIT inside keeps each step atomic.
            self.db.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction, taken up front so concurrent writers queue on busy_timeout."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- meta -------------------------------------------------------------------------------
    def get_meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- feeds ------------------------------------------------------------------------------
    def validators(self, url: str) -> Validators:
        row = self.db.execute(
            "SELECT etag, last_modified FROM feeds WHERE url = ?", (url,)
        ).fetchone()
        return Validators(etag=row[0], last_modified=row[1]) if row else Validators()

    def record_feed(
        self,
        status: FeedStatus,
        validators: Validators,
        title: str = "",
        when: datetime | None = None,
    ) -> None:
        now = to_epoch(when or datetime.now(UTC))
        self.db.execute(
            """
            INSERT INTO feeds(url, name) VALUES (?, ?)
            ON CONFLICT(url) DO UPDATE SET name = excluded.name
            """,
            (status.url, status.name),
        )
        self.db.execute(
            """
            UPDATE feeds SET
                title = CASE WHEN ? != '' THEN ? ELSE title END,
                etag = CASE WHEN ? THEN ? ELSE etag END,
                last_modified = CASE WHEN ? THEN ? ELSE last_modified END,
                ok = ?, status = ?, http_status = ?, checked_at = ?,
                ok_at = CASE WHEN ? THEN ? ELSE ok_at END,
                failures = CASE WHEN ? THEN 0 ELSE failures + 1 END,
                not_modified = ?, items = items + ?
            WHERE url = ?
            """,
            (
                title, title,
                status.ok, validators.etag,
                status.ok, validators.last_modified,
                status.ok, status.status, status.http_status, now,
                status.ok, now,
                status.ok,
                status.http_status == 304, status.new_stories,
                status.url,
            ),
        )  # fmt: skip

    def feeds(self) -> list[FeedRow]:
        rows = self.db.execute(
            """
            SELECT f.url, f.name, f.title, f.ok, f.status, f.http_status, f.checked_at, f.ok_at,
                   f.failures, f.items,
                   (SELECT count(*) FROM stories s WHERE s.feed_url = f.url)
            FROM feeds f ORDER BY f.name COLLATE NOCASE
            """
        ).fetchall()
        return [
            FeedRow(
                url=r[0], name=r[1], title=r[2], ok=bool(r[3]), status=r[4], http_status=r[5],
                checked_at=None if r[6] is None else from_epoch(r[6]),
                ok_at=None if r[7] is None else from_epoch(r[7]),
                failures=r[8], items=r[9], stories=r[10],
            )
            for r in rows
        ]  # fmt: skip

    # -- stories ----------------------------------------------------------------------------
    def add_stories(self, stories: Sequence[Story]) -> list[Story]:
        """Insert what is new; return the stories that were new.

        A re-fetched item keeps its row and first-seen time. An item the same feed re-published
        under a new guid but the same link is the same story too.
        """
        added: list[Story] = []
        with self.transaction() as db:
            for story in stories:
                if (
                    story.link
                    and db.execute(
                        "SELECT 1 FROM stories WHERE feed_url = ? AND link = ? LIMIT 1",
                        (story.feed_url, story.link),
                    ).fetchone()
                ):
                    continue
                cursor = db.execute(
                    """
                    INSERT OR IGNORE INTO stories(id, feed_url, source, guid, title, link, summary,
                        author, published, first_seen)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    (
                        story.id, story.feed_url, story.source, story.guid, story.title,
                        story.link, story.summary, story.author, to_epoch(story.published),
                        to_epoch(story.first_seen),
                    ),
                )  # fmt: skip
                if cursor.rowcount:
                    added.append(story)
        return added

    def count_stories(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM stories").fetchone()[0])

    def story(self, story_id: str) -> Story | None:
        row = self.db.execute(
            f"SELECT {STORY_COLUMNS} FROM stories s WHERE s.id = ?", (story_id,)
        ).fetchone()
        return _story(row) if row else None

    def stories(
        self,
        *,
        limit: int = 500,
        feed_url: str | None = None,
        thread_id: int | None = None,
        search: str = "",
        entity: str | None = None,
        unread_only: bool = False,
        since: datetime | None = None,
    ) -> list[Story]:
        """Newest first (oldest first within a thread), filtered as asked."""
        where: list[str] = []
        args: list[object] = []
        source = "stories s"
        if search:
            query = fts_query(search)
            if not query:
                return []
            source = "stories_fts JOIN stories s ON s.rowid = stories_fts.rowid"
            where.append("stories_fts MATCH ?")
            args.append(query)
        if feed_url is not None:
            where.append("s.feed_url = ?")
            args.append(feed_url)
        if thread_id is not None:
            where.append("s.thread_id = ?")
            args.append(thread_id)
        if entity is not None:
            where.append("s.rowid IN (SELECT story FROM mentions WHERE key = ?)")
            args.append(entity)
        if unread_only:
            where.append("s.read = 0")
        if since is not None:
            where.append("s.published >= ?")
            args.append(to_epoch(since))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = "s.published ASC" if thread_id is not None else "s.published DESC"
        sql = f"SELECT {STORY_COLUMNS} FROM {source} {clause} ORDER BY {order}, s.rowid LIMIT ?"
        return [_story(row) for row in self.db.execute(sql, [*args, limit])]

    def set_read(self, story_ids: Iterable[str], read: bool = True) -> None:
        ids = list(story_ids)
        with self.transaction() as db:
            db.executemany("UPDATE stories SET read = ? WHERE id = ?", [(read, i) for i in ids])

    def unread_counts(self) -> dict[str, int]:
        """Unread stories per feed url."""
        rows = self.db.execute(
            "SELECT feed_url, count(*) FROM stories WHERE read = 0 GROUP BY feed_url"
        )
        return {str(url): int(n) for url, n in rows}
