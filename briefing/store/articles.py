"""Article queries: the full text fetched from each story's page, cached per story.

One row per story (keyed by the story's rowid, like mentions), whatever the outcome: a page
that was paywalled or not HTML is not fetched again unless asked. Only "failed" rows (network,
HTTP, size or time limits) are retried by the automatic path, and only after a pause.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from briefing.models import Article, Mention
from briefing.store.base import StoreBase, from_epoch, to_epoch
from briefing.store.entities import folded
from briefing.store.search import record_terms

RETRIED = "failed"  # the one status worth another try later: the others are the page's answer


class ArticleQueries(StoreBase):
    def article(self, story_id: str) -> Article | None:
        row = self.db.execute(
            "SELECT a.status, a.message, a.text, a.url, a.fetched_at FROM articles a "
            "JOIN stories s ON s.rowid = a.story WHERE s.id = ?",
            (story_id,),
        ).fetchone()
        if row is None:
            return None
        return Article(story_id, str(row[0]), str(row[1]), str(row[2]), str(row[3]),
                       from_epoch(float(row[4])))  # fmt: skip

    def save_article(self, article: Article) -> bool:
        """Insert or replace the story's article; False if the story is not in the store."""
        with self.transaction() as db:
            row = db.execute("SELECT rowid FROM stories WHERE id = ?", (article.story_id,))
            found = row.fetchone()
            if found is None:
                return False
            rowid = int(found[0])
            # A new text invalidates the mentions found in the old one.
            db.execute("DELETE FROM mentions WHERE story = ? AND field = 'article'", (rowid,))
            db.execute(
                """
                INSERT INTO articles(story, status, message, text, url, fetched_at, annotated)
                VALUES (?, ?, ?, ?, ?, ?, '')
                ON CONFLICT(story) DO UPDATE SET status = excluded.status,
                    message = excluded.message, text = excluded.text, url = excluded.url,
                    fetched_at = excluded.fetched_at, annotated = ''
                """,
                (rowid, article.status, article.message, article.text, article.url,
                 to_epoch(article.fetched_at)),
            )  # fmt: skip
            record_terms(db, [article.text])
        return True

    def cached_articles(self, story_ids: Sequence[str]) -> set[str]:
        """The ids among these whose page needs no new fetch (every status but "failed")."""
        found: set[str] = set()
        for i in range(0, len(story_ids), 500):
            chunk = list(story_ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT s.id FROM articles a JOIN stories s ON s.rowid = a.story "
                f"WHERE s.id IN ({marks}) AND a.status != ?",
                [*chunk, RETRIED],
            )
            found.update(str(r[0]) for r in rows)
        return found

    def stories_needing_articles(
        self,
        feed_urls: Sequence[str],
        limit: int = 50,
        *,
        retry_after: timedelta = timedelta(hours=6),
        now: datetime | None = None,
    ) -> list[str]:
        """Ids of these feeds' stories with no article yet (or a failed one, after a pause),
        newest first: what a per-feed `full_text = true` refresh should fetch."""
        if not feed_urls:
            return []
        cutoff = to_epoch((now or datetime.now(UTC)) - retry_after)
        marks = ",".join("?" * len(feed_urls))
        rows = self.db.execute(
            f"""
            SELECT s.id FROM stories s LEFT JOIN articles a ON a.story = s.rowid
            WHERE s.feed_url IN ({marks}) AND s.link != ''
              AND (a.story IS NULL OR (a.status = ? AND a.fetched_at < ?))
            ORDER BY s.published DESC, s.rowid LIMIT ?
            """,
            [*feed_urls, RETRIED, cutoff, limit],
        )
        return [str(r[0]) for r in rows]

    def articles_to_annotate(
        self, version: str, limit: int = 64, story_ids: Sequence[str] | None = None
    ) -> list[tuple[int, str]]:
        """(rowid, story id) of ok articles whose mentions are missing or from another model;
        only among story_ids when given."""
        sql = (
            "SELECT a.story, s.id FROM articles a JOIN stories s ON s.rowid = a.story "
            "WHERE a.status = 'ok' AND a.text != '' AND a.annotated != ?"
        )
        args: list[object] = [version]
        if story_ids is not None:
            sql += f" AND s.id IN ({', '.join('?' * len(story_ids))})"
            args += list(story_ids)
        rows = self.db.execute(f"{sql} ORDER BY a.story LIMIT ?", [*args, limit])
        return [(int(r[0]), str(r[1])) for r in rows]

    def save_article_mentions(
        self,
        rowid: int,
        story_mentions: Sequence[Mention],
        article_mentions: Sequence[Mention],
        version: str,
    ) -> set[str]:
        """Replace a story's mentions (title/summary and article) in one go; returns the entity
        keys whose counts changed. Both are marked annotated, so enrich.annotate leaves them."""
        with self.transaction() as db:
            old = db.execute("SELECT DISTINCT key FROM mentions WHERE story = ?", (rowid,))
            touched = {str(r[0]) for r in old}
            db.execute("DELETE FROM mentions WHERE story = ?", (rowid,))
            rows = [
                (rowid, m.field, m.start, m.end, folded(m.key), m.type, m.name)
                for m in [*story_mentions, *article_mentions]
            ]
            db.executemany(
                'INSERT INTO mentions(story, field, start, "end", key, type, name) '
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            touched.update(r[4] for r in rows)
            db.execute("UPDATE stories SET annotated = ? WHERE rowid = ?", (version, rowid))
            db.execute("UPDATE articles SET annotated = ? WHERE story = ?", (version, rowid))
        return touched
