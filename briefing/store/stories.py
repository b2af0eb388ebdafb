"""The SQLite store: feed and story queries, plus the entity and thread mixins.

Stories have a stable text id (see parse.py) and an integer rowid used for joins and
full-text search. The schema and connection handling are in store/base.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from briefing.models import RATE_DAYS, FeedRow, FeedStatus, Story, Thread, Validators
from briefing.store.articles import ArticleQueries
from briefing.store.base import (
    MIGRATIONS,
    STORY_COLUMNS,
    StoreBase,
    StoreError,
    StoreReadOnly,
    from_epoch,
    fts_query,
    story_from_row,
    to_epoch,
)
from briefing.store.corrections import CorrectionQueries
from briefing.store.entities import EntityQueries
from briefing.store.retention import RetentionQueries
from briefing.store.search import MENTIONS_CAP, record_terms
from briefing.store.summaries import SummaryQueries

if TYPE_CHECKING:
    from briefing.polling import NextFetch  # email.utils and all: only when a refresh plans

__all__ = [
    "MIGRATIONS",
    "RATE_DAYS",
    "FeedRow",
    "Store",
    "StoreError",
    "StoreReadOnly",
    "fts_query",
]


def _story_filter(
    feed_url: str | None,
    thread_id: int | None,
    search: str,
    entity: str | None,
    unread_only: bool,
    since: datetime | None,
    walk: bool = False,
    mentions_cap: int | None = None,
) -> tuple[str, str, list[object]] | None:
    """FROM source, WHERE clause and arguments for a story listing; None if nothing can match.
    With mentions_cap, an entity's newest stories only (by rowid, from the mentions index)."""
    where: list[str] = []
    args: list[object] = []
    source = "stories s"
    if search:
        query = fts_query(search)
        if not query:
            return None
        # Filled by Store.search_hits(query) before this is called.
        where.append("s.rowid IN temp.search_hits")
        if walk:
            # Walk the stories newest first and keep the matches: a common word (60,000 of
            # 100,000 stories) then costs 10 ms instead of sorting every match (150 ms).
            source = "stories s INDEXED BY stories_published"
    if feed_url is not None:
        where.append("s.feed_url = ?")
        args.append(feed_url)
    if thread_id is not None:
        where.append("s.thread_id = ?")
        args.append(thread_id)
    if entity is not None and mentions_cap is not None:
        where.append(
            "s.rowid IN (SELECT DISTINCT story FROM mentions WHERE key = ? "
            "ORDER BY story DESC LIMIT ?)"
        )
        args += [entity, mentions_cap]
    elif entity is not None:
        where.append("s.rowid IN (SELECT story FROM mentions WHERE key = ?)")
        args.append(entity)
    if unread_only:
        where.append("s.read = 0")
    if since is not None:
        where.append("s.published >= ?")
        args.append(to_epoch(since))
    return source, f"WHERE {' AND '.join(where)}" if where else "", args


def _per_day(recent: tuple[int, float] | None, total: int, now: datetime) -> float:
    """FeedRow.per_day from (stories in the window, the oldest of them) and the feed's total."""
    if recent is None:
        return 0.0
    count, oldest = recent
    days = float(RATE_DAYS)
    if count == total:  # every story is in the window: the feed is younger than it
        days = min(days, (now.timestamp() - oldest) / 86400)
    return count / max(1.0, days)


class Store(
    ArticleQueries, EntityQueries, CorrectionQueries, RetentionQueries, SummaryQueries, StoreBase
):
    """Every query the app makes; see StoreBase for the connection and schema."""

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

    def failures(self, url: str) -> int:
        """Consecutive failed refreshes of this feed (0 after a success)."""
        row = self.db.execute("SELECT failures FROM feeds WHERE url = ?", (url,)).fetchone()
        return int(row[0]) if row else 0

    def set_next_fetch(self, url: str, hold: NextFetch) -> None:
        self.db.execute(
            "UPDATE feeds SET next_fetch_at = ?, next_fetch_reason = ?, next_fetch_host = ? "
            "WHERE url = ?",
            (to_epoch(hold.at), hold.reason, hold.host_wide, url),
        )

    def schedules(self) -> dict[str, NextFetch]:
        """Every stored feed's next due time, by url (see briefing.polling)."""
        from briefing.polling import NextFetch

        rows = self.db.execute(
            "SELECT url, next_fetch_at, next_fetch_reason, next_fetch_host FROM feeds "
            "WHERE next_fetch_at IS NOT NULL"
        )
        return {
            str(url): NextFetch(from_epoch(float(at)), str(reason), bool(host))
            for url, at, reason, host in rows
        }

    def feeds(self, now: datetime | None = None) -> list[FeedRow]:
        """Every stored feed with its health and its rate.

        per_day: stories published in the last RATE_DAYS days, divided by RATE_DAYS, or by the
        days since the feed's oldest stored story when that is more recent (a feed added last
        week is not diluted over a month), and never by less than one day.
        """
        now = now or datetime.now(UTC)
        since = to_epoch(now - timedelta(days=RATE_DAYS))
        # Totals kept by triggers (migration 9); the window from the published index.
        totals = dict(self.db.execute("SELECT feed_url, stories FROM feed_counts"))
        recent = {
            url: (int(n), float(oldest))
            for url, n, oldest in self.db.execute(
                # +feed_url: group in a temporary b-tree, so the published index is used
                "SELECT feed_url, count(*), min(published) FROM stories WHERE published >= ? "
                "GROUP BY +feed_url",
                (since,),
            )
        }
        rows = self.db.execute(
            """
            SELECT url, name, title, ok, status, http_status, checked_at, ok_at, failures, items,
                   next_fetch_at, next_fetch_reason, not_modified
            FROM feeds ORDER BY name COLLATE NOCASE
            """
        ).fetchall()
        return [
            FeedRow(
                url=r[0], name=r[1], title=r[2], ok=bool(r[3]), status=r[4], http_status=r[5],
                checked_at=None if r[6] is None else from_epoch(r[6]),
                ok_at=None if r[7] is None else from_epoch(r[7]),
                failures=r[8], items=r[9], stories=int(totals.get(r[0], 0)),
                next_fetch_at=None if r[10] is None else from_epoch(r[10]),
                next_fetch_reason=r[11], not_modified=bool(r[12]),
                per_day=_per_day(recent.get(r[0]), int(totals.get(r[0], 0)), now),
            )
            for r in rows
        ]  # fmt: skip

    def failing(self, at_least: int) -> dict[str, int]:
        """Feeds that failed at least this many refreshes in a row: url -> failures."""
        rows = self.db.execute("SELECT url, failures FROM feeds WHERE failures >= ?", (at_least,))
        return {str(url): int(n) for url, n in rows}

    # -- stories ----------------------------------------------------------------------------
    def add_stories(self, stories: Sequence[Story]) -> list[Story]:
        """Insert what is new; return the stories that were new.

        A re-fetched item keeps its row and first-seen time (its id hashes the feed and the
        guid, else the link). Identity is the guid when there is one: podcast and some CMS
        feeds put the same home page in every item's link, and those items are all kept. The
        link decides only where a guid is missing: an item without a guid whose link the feed
        already sent is the same story, and so is an item that gained a guid since it was
        stored without one (the feed started sending guids).
        """
        added: list[Story] = []
        with self.transaction() as db:
            for story in stories:
                if (
                    story.link
                    and db.execute(
                        "SELECT 1 FROM stories WHERE feed_url = ? AND link = ? "
                        "AND (? = '' OR guid = '') LIMIT 1",
                        (story.feed_url, story.link, story.guid),
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
            record_terms(db, (f"{s.title} {s.summary}" for s in added))
        return added

    def story(self, story_id: str) -> Story | None:
        row = self.db.execute(
            f"SELECT {STORY_COLUMNS} FROM stories s WHERE s.id = ?", (story_id,)
        ).fetchone()
        return story_from_row(row) if row else None

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
        many = self.many_matches(fts_query(search)) if search else False  # fills search_hits
        walk = many and feed_url is None and thread_id is None
        # An entity's stories come from its newest mentions: reading a big entity's every
        # story to sort them cost 12 ms per 2,000 at 1M stories (cold: 25 µs a row).
        whole = (feed_url, thread_id, since, unread_only) == (None, None, None, False)
        cap = max(MENTIONS_CAP, 2 * limit) if whole else None
        found = _story_filter(feed_url, thread_id, search, entity, unread_only, since, walk, cap)
        if found is None:
            return []
        source, clause, args = found
        order = "s.published ASC" if thread_id is not None else "s.published DESC"
        # The rows are picked first and read after: sorting whole rows (summaries and all)
        # cost 14 ms for an entity's 2,000 stories at 1M, sorting their rowids 5 ms.
        picked = f"SELECT s.rowid AS r FROM {source} {clause} ORDER BY {order}, s.rowid LIMIT ?"
        sql = (
            f"SELECT {STORY_COLUMNS} FROM ({picked}) AS p CROSS JOIN stories s ON s.rowid = p.r "
            f"ORDER BY {order}, s.rowid"
        )
        return [story_from_row(row) for row in self.db.execute(sql, [*args, limit])]

    def count_stories(self, *, search: str = "", entity: str | None = None) -> int:
        """How many stories match; an estimate when hits_estimated (a common word)."""
        if not search and entity is None:
            # Kept per feed by triggers: count(*) read a whole index at startup (82 ms cold at
            # 1M stories, and 20 MB more page cache).
            row = self.db.execute("SELECT coalesce(sum(stories), 0) FROM feed_counts").fetchone()
            return int(row[0])
        if search and entity is None:  # the matches are listed already: no story row is read
            return self.search_hits(fts_query(search))
        if entity is not None and not search:  # the index alone (mentions go with stories)
            row = self.db.execute(
                "SELECT count(DISTINCT story) FROM mentions WHERE key = ?", (entity,)
            ).fetchone()
            return int(row[0])
        matches = self.search_hits(fts_query(search)) if search else 0
        found = _story_filter(None, None, search, entity, False, None)
        if found is None:
            return 0
        source, clause, args = found
        n = int(self.db.execute(f"SELECT count(*) FROM {source} {clause}", args).fetchone()[0])
        if search and self.hits_estimated:  # counted among the newest matches: scaled up
            listed = int(self.db.execute("SELECT count(*) FROM temp.search_hits").fetchone()[0])
            n = round(n * matches / max(1, listed))
        return n

    def set_read(self, story_ids: Iterable[str], read: bool = True) -> None:
        self.require_writable("mark stories read")
        ids = list(story_ids)
        with self.transaction() as db:
            db.executemany("UPDATE stories SET read = ? WHERE id = ?", [(read, i) for i in ids])

    def unread_counts(self) -> dict[str, int]:
        """Unread stories per feed url."""
        rows = self.db.execute(
            "SELECT feed_url, count(*) FROM stories WHERE read = 0 GROUP BY feed_url"
        )
        return {str(url): int(n) for url, n in rows}

    def dossier(self, thread_id: int) -> tuple[Thread, list[Story], dict[str, str]] | None:
        """What a dossier needs: the thread with its key entities, its stories, feed urls."""
        thread = self.thread(thread_id)
        if thread is None:
            return None
        thread.entities = self.top_entities(thread_id=thread.id, limit=30)
        thread.corrections = self.corrections(thread.id)
        stories = self.stories(thread_id=thread.id, limit=100_000)
        feed_urls = {s.source: s.feed_url for s in stories}
        return thread, stories, feed_urls
