"""The store's connection and migration runner (the schema is store/schema.py). Queries live
in the Store mixins.

One SQLite file, WAL mode, short transactions and a busy timeout, so a cron `briefing fetch`
and an open TUI can share it. Times are stored as UTC epoch seconds (REAL).
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from briefing.errors import BriefingError
from briefing.models import Story
from briefing.store.schema import MIGRATIONS as MIGRATIONS  # re-exported: its old home
from briefing.store.search import TEMP_SCHEMA, fill_hits


class StoreError(BriefingError, RuntimeError):
    """The store file cannot be opened or is newer than this version of briefing."""


class StoreReadOnly(StoreError):
    """A write was asked of a store opened read-only (the user may not write its file)."""


READ_ONLY_HELP = "reading, search and export work; refreshing and marking read do not"


def to_epoch(when: datetime) -> float:
    return when.timestamp()


def from_epoch(value: float) -> datetime:
    return datetime.fromtimestamp(value, UTC)


class StoreBase:
    """A connection to the store. One user at a time: each thread or worker opens its own
    (the full-text worker hands its store to one helper thread at a time, never two)."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._hits_state: tuple[str, int, int] | None = None  # see search_hits
        self._hits_count = 0
        self.hits_estimated = False  # the last search listed only its newest matches
        # A store the user may not write (its file or folder) opens read-only: everything
        # reads, and a write raises StoreReadOnly instead of "attempt to write a readonly
        # database" from deep inside a query.
        self.read_only = self.path != ":memory:" and not _writable(Path(self.path).expanduser())
        if self.path != ":memory:" and not self.read_only:
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = self._connect()
            self.db.execute("PRAGMA busy_timeout = 15000")
            if not self.read_only and self.db.execute("PRAGMA page_count").fetchone()[0] == 0:
                # A new file: freed pages can be returned to the file system (prune shrinks
                # it). An existing file changes mode only through a full VACUUM, which
                # `briefing prune` runs once, when asked (see store/retention.py).
                self.db.execute("PRAGMA auto_vacuum = INCREMENTAL")
            if self.path != ":memory:" and not self.read_only:
                self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            # Temporary tables (search matches, at most store.search.HITS_CAP rows) in memory.
            self.db.execute("PRAGMA temp_store = MEMORY")
            # 8 MiB of page cache (2 MiB by default): a filter's rows, read for the threads,
            # the count and the stories, are read from disk once. Not more: the cache is
            # filled at 1M stories, not at 100k, and 32 MiB made peak RSS grow with the store
            # (208 MB against 184 at 100k; 183 with 8 MiB, searches as fast).
            self.db.execute("PRAGMA cache_size = -8000")
            self._migrate()
            self.db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS search_hits(rowid INTEGER PRIMARY KEY)"
            )
            self.db.executescript(TEMP_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from None

    def _connect(self) -> sqlite3.Connection:
        if not self.read_only:
            return sqlite3.connect(
                self.path, timeout=15.0, isolation_level=None, check_same_thread=False
            )
        uri = Path(self.path).expanduser().resolve().as_uri()
        # mode=ro reads a WAL store beside its writer; with no -shm file and a folder it may
        # not create one in, nothing is writing it: immutable reads it without locks.
        for query in ("mode=ro", "mode=ro&immutable=1"):
            db = sqlite3.connect(
                f"{uri}?{query}", uri=True, timeout=15.0, isolation_level=None,
                check_same_thread=False,
            )  # fmt: skip
            try:
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
                return db
            except sqlite3.OperationalError:
                db.close()
                if "immutable" in query:
                    raise
        raise AssertionError("unreachable")

    def require_writable(self, doing: str) -> None:
        """Raise StoreReadOnly, saying what could not be done, on a read-only store."""
        if self.read_only:
            raise StoreReadOnly(
                f"cannot {doing}: the store {self.path} is read-only (no permission to write it);"
                f" {READ_ONLY_HELP}"
            )

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the store {self.path} was written by a newer briefing (schema {version})"
            )
        if version < len(MIGRATIONS):
            self.require_writable("upgrade the store to this version of briefing")
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            # executescript commits first; BEGIN/COMMIT inside keeps each step atomic.
            self.db.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;"
            )

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction, taken up front so concurrent writers queue on busy_timeout."""
        self.require_writable("write to the store")
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- meta -------------------------------------------------------------------------------
    def search_hits(self, query: str) -> int:
        """Fill temp.search_hits with the rowids of the stories an fts_query matches; return how
        many. Each word may match the title and summary or the fetched article text. Past
        store.search.HITS_CAP matches only the newest are listed and the count is an estimate
        (hits_estimated).

        A screen asks three things of one search (threads, stories, count), so the matches are
        listed once and reused until the query or the store changes: PRAGMA data_version sees
        commits by other connections (the refresh worker), total_changes this one's. Inside a
        transaction nothing is reused: a rollback would take the rows but not this memo.
        """
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if self._hits_state == (query, version, self.db.total_changes):
            return self._hits_count
        self.db.execute("DELETE FROM temp.search_hits")
        estimate = fill_hits(self.db, query, self._any_article()) if query else None
        self.hits_estimated = estimate is not None
        self._hits_count = (
            estimate
            if estimate is not None
            else int(self.db.execute("SELECT count(*) FROM temp.search_hits").fetchone()[0])
        )
        in_tx = self.db.in_transaction
        self._hits_state = None if in_tx else (query, version, self.db.total_changes)
        return self._hits_count

    def _any_article(self) -> bool:
        return (
            self.db.execute("SELECT 1 FROM articles WHERE status = 'ok' LIMIT 1").fetchone()
            is not None
        )

    def many_matches(self, query: str) -> bool:
        """Whether a search matches more stories than a screen lists (a common word): those
        walk stories or threads newest first and keep the matches; rare words go from the
        matches to their rows. Either way a search stays well under 50 ms at 100k stories."""
        return self.search_hits(query) >= COMMON

    def get_meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))


def _writable(path: Path) -> bool:
    """Whether the store at path (or the one that would be made there) may be written: the
    file, and its folder for the -wal and -shm files beside it. os.access also says no for a
    read-only mount and an immutable file, even to root."""
    if path.exists():
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)
    return True  # a new store: creating it says whether it can be


STORY_COLUMNS = (
    "s.id, s.feed_url, s.source, s.title, s.link, s.summary, s.published, s.first_seen, "
    "s.author, s.guid, s.read, s.thread_id"
)


def story_from_row(row: Any) -> Story:
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


COMMON = 2000  # matching stories above which a search walks the newest first (many_matches)


# "L.A.", "U.S", "e.g.", "3.5": letters or digits joined by dots, searched as one whole token
# run (an FTS5 phrase), never as prefixes: "L.A." must not find every "la…" and "a…" word.
_WORD = re.compile(r"\w+(?:\.\w+)+\.?|\w+")


def fts_query(text: str) -> str:
    """User words -> a safe FTS5 query: every word a quoted prefix term, all required.

    An abbreviation with dots is a quoted phrase of whole tokens ('"L.A."': l then a).
    """
    words = _WORD.findall(text)[:16]
    return " ".join(f'"{w}"' if "." in w else f'"{w}"*' for w in words)
