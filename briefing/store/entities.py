"""Entity queries: mentions per story, per-entity aggregates, and what the type vote needs.

An entity's store key is its type-independent folded name ("recep tayyip erdogan"): the type
is settled by a vote across the store (pipeline.py) and kept beside it in `entities`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from briefing.models import EntityCount, Mention
from briefing.store.base import StoreBase, to_epoch


def folded(key: str) -> str:
    """'person:recep tayyip erdogan' -> 'recep tayyip erdogan' (keys: entities/recognizer.py)."""
    return key.partition(":")[2] or key


class EntityQueries(StoreBase):
    def unannotated(
        self, version: str, limit: int = 2000, chars: int = -1
    ) -> list[tuple[int, str, str]]:
        """(rowid, title, summary) of stories not annotated by this model version; with chars,
        only the summary's first chars characters."""
        # In rowid order from the first such story, found through the annotated index: a scan
        # in rowid order from the start read the whole history before reaching a refresh's new
        # stories (1.4 s a batch at 1M stories).
        rows = self.db.execute(
            "SELECT rowid, title, substr(summary, 1, ?) FROM stories WHERE rowid >= ? "
            "AND annotated != ? ORDER BY rowid LIMIT ?",
            (chars if chars >= 0 else 1 << 31, self._first_unannotated(version), version, limit),
        )
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    def feeds_of(self, rowids: Sequence[int]) -> dict[int, str]:
        """rowid -> feed url, for the stories given."""
        found: dict[int, str] = {}
        for i in range(0, len(rowids), 500):
            chunk = list(rowids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT rowid, feed_url FROM stories WHERE rowid IN ({marks})", chunk
            )
            found.update((int(r[0]), str(r[1])) for r in rows)
        return found

    def _first_unannotated(self, version: str) -> int:
        """The lowest rowid not annotated by version (0 if none): the index's ranges either
        side of version, so the cost follows the stories to annotate, not the history."""
        row = self.db.execute(
            "SELECT min(r) FROM ("
            " SELECT min(rowid) AS r FROM stories INDEXED BY stories_annotated WHERE annotated < ?"
            " UNION ALL"
            " SELECT min(rowid) FROM stories INDEXED BY stories_annotated WHERE annotated > ?)",
            (version, version),
        ).fetchone()
        return int(row[0] or 0)

    def count_unannotated(self, version: str) -> int:
        row = self.db.execute(  # two index ranges, not a scan of every story's entry
            "SELECT count(*) FROM stories WHERE annotated < ? OR annotated > ?", (version, version)
        )
        return int(row.fetchone()[0])

    def rekey_mentions(
        self, changes: Sequence[tuple[str, str, str, Sequence[str]]], entity_type: str
    ) -> set[str]:
        """(old key, new key, new name, story ids): point short-form mentions at the full name."""
        touched: set[str] = set()
        with self.transaction() as db:
            for old, new, name, story_ids in changes:
                for i in range(0, len(story_ids), 500):
                    chunk = list(story_ids[i : i + 500])
                    marks = ",".join("?" * len(chunk))
                    cursor = db.execute(
                        "UPDATE mentions SET key = ?, name = ?, type = ? WHERE key = ? AND story "
                        f"IN (SELECT rowid FROM stories WHERE id IN ({marks}))",
                        [new, name, entity_type, old, *chunk],
                    )
                    if cursor.rowcount:
                        touched |= {old, new}
        return touched

    def named_entities(self, min_mentions: int = 2) -> list[tuple[str, str, str, int]]:
        """(key, name, type, mentions) of the entities of two or more words mentioned at least
        ``min_mentions`` times: what a surname or an acronym alone may stand for (names seen
        once never take one, and a big store holds far more of them than of the rest)."""
        rows = self.db.execute(
            "SELECT key, name, type, mentions FROM entities "
            "WHERE mentions >= ? AND instr(key, ' ') > 0",
            (min_mentions,),
        )
        return [(str(k), str(n), str(t), int(c)) for k, n, t, c in rows]

    def entity_names(self, keys: Iterable[str]) -> dict[str, str]:
        """key -> display name of the entities given."""
        found: dict[str, str] = {}
        for chunk in _chunks(list(keys)):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT key, name FROM entities WHERE key IN ({marks})", chunk)
            found.update((str(k), str(n)) for k, n in rows)
        return found

    def rekey_everywhere(self, changes: Mapping[str, tuple[str, str]]) -> set[str]:
        """old key -> (new key, type) in every story: a short form that stands for one name."""
        with self.transaction() as db:
            for old, (new, entity_type) in changes.items():
                db.execute(
                    "UPDATE mentions SET key = ?, type = ? WHERE key = ?", (new, entity_type, old)
                )
        return set(changes) | {new for new, _ in changes.values()}

    def save_mentions(
        self, batch: Sequence[tuple[int, Sequence[Mention]]], version: str
    ) -> set[str]:
        """Replace each story's title and summary mentions; returns the entity keys whose
        counts changed. Mentions in fetched article text are kept: they are written with the
        article (save_article_mentions), possibly while this batch was being recognised."""
        touched: set[str] = set()
        with self.transaction() as db:
            for rowid, mentions in batch:
                old = db.execute(
                    "SELECT DISTINCT key FROM mentions WHERE story = ? AND field != 'article'",
                    (rowid,),
                )
                touched.update(str(r[0]) for r in old)
                db.execute("DELETE FROM mentions WHERE story = ? AND field != 'article'", (rowid,))
                db.executemany(
                    'INSERT INTO mentions(story, field, start, "end", key, type, name) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (rowid, m.field, m.start, m.end, folded(m.key), m.type, m.name)
                        for m in mentions
                    ],
                )
                touched.update(folded(m.key) for m in mentions)
                db.execute("UPDATE stories SET annotated = ? WHERE rowid = ?", (version, rowid))
        return touched

    def entity_votes(self, keys: Iterable[str]) -> dict[str, Counter[str]]:
        """Mention counts per type for each entity key, for the store-wide type vote."""
        return self._mention_counts("type", keys)

    def entity_forms(self, keys: Iterable[str]) -> dict[str, Counter[str]]:
        """How often each surface name was used for each entity key."""
        return self._mention_counts("name", keys)

    def _mention_counts(self, column: str, keys: Iterable[str]) -> dict[str, Counter[str]]:
        """From the per-entity tallies the mentions triggers keep (migration 8): a few rows
        per entity, however many mentions it has."""
        table = {"type": "entity_votes", "name": "entity_forms"}[column]  # never user input
        counts: dict[str, Counter[str]] = {}
        for chunk in _chunks(list(keys)):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT key, {column}, n FROM {table} WHERE key IN ({marks})", chunk
            )
            for key, value, n in rows:
                counts.setdefault(str(key), Counter())[str(value)] = int(n)
        return counts

    def upsert_entities(
        self, rows: Mapping[str, tuple[str, str]], gone: Iterable[str] = ()
    ) -> None:
        """key -> (display name, voted type); counts come from entity_counts (kept by the
        mentions triggers). Keys in ``gone`` lost their mentions: their rows are deleted."""
        with self.transaction() as db:
            db.executemany(
                "DELETE FROM entities WHERE key = ? AND key NOT IN (SELECT key FROM entity_counts)",
                [(k,) for k in gone],
            )
            for key, (name, etype) in rows.items():
                db.execute(
                    """
                    INSERT INTO entities(key, name, type, mentions, stories)
                    SELECT ?, ?, ?, coalesce(max(mentions), 0), coalesce(max(stories), 0)
                    FROM entity_counts WHERE key = ?
                    ON CONFLICT(key) DO UPDATE SET name = excluded.name, type = excluded.type,
                        mentions = excluded.mentions, stories = excluded.stories
                    """,
                    (key, name, etype, key),
                )
            db.executemany(
                "DELETE FROM entities WHERE key = ? AND mentions = 0", [(k,) for k in rows]
            )

    def story_mentions(self, story_id: str) -> list[Mention]:
        """A story's mentions with the store-wide type and display name, in text order."""
        rows = self.db.execute(
            """
            SELECT m.field, m.start, m."end", coalesce(e.type, m.type), m.key,
                   coalesce(e.name, m.name)
            FROM mentions m JOIN stories s ON s.rowid = m.story
            LEFT JOIN entities e ON e.key = m.key
            WHERE s.id = ? ORDER BY m.field DESC, m.start
            """,
            (story_id,),
        )
        return [
            Mention(field=f, start=int(a), end=int(b), type=t, key=k, name=n)
            for f, a, b, t, k, n in rows
        ]

    def top_entities(
        self,
        *,
        entity_type: str | None = None,
        since: datetime | None = None,
        story_id: str | None = None,
        thread_id: int | None = None,
        limit: int = 100,
    ) -> list[EntityCount]:
        """Most-mentioned entities, over the whole store or a slice of it."""
        where: list[str] = []
        args: list[object] = []
        if story_id is not None:
            where.append("s.id = ?")
            args.append(story_id)
        if thread_id is not None:
            where.append("s.thread_id = ?")
            args.append(thread_id)
        if since is not None:
            where.append("s.published >= ?")
            args.append(to_epoch(since))
        if entity_type is not None:
            where.append("e.type = ?")
            args.append(entity_type)
        if story_id is None and thread_id is None and since is None:
            clause = "WHERE e.type = ?" if entity_type else ""
            sql = (
                f"SELECT key, name, type, mentions, stories FROM entities e {clause} "
                "ORDER BY mentions DESC, stories DESC, name LIMIT ?"
            )
        else:
            sql = f"""
                SELECT e.key, e.name, e.type, count(*) AS n, count(DISTINCT m.story)
                FROM mentions m JOIN stories s ON s.rowid = m.story JOIN entities e ON e.key = m.key
                WHERE {" AND ".join(where)}
                GROUP BY e.key ORDER BY n DESC, e.name LIMIT ?
            """
        rows = self.db.execute(sql, [*args, limit])
        return [EntityCount(str(k), str(n), str(t), int(c), int(s)) for k, n, t, c, s in rows]

    def entity(self, key: str) -> EntityCount | None:
        row = self.db.execute(
            "SELECT key, name, type, mentions, stories FROM entities WHERE key = ?", (key,)
        ).fetchone()
        return EntityCount(row[0], row[1], row[2], row[3], row[4]) if row else None

    def find_entities(self, text: str, limit: int = 30) -> list[EntityCount]:
        """Entities whose name contains the text (case-insensitive), most mentioned first."""
        like = (
            "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        rows = self.db.execute(
            "SELECT key, name, type, mentions, stories FROM entities "
            "WHERE key LIKE ? ESCAPE '\\' OR lower(name) LIKE ? ESCAPE '\\' "
            "ORDER BY mentions DESC LIMIT ?",
            (like, like, limit),
        )
        return [EntityCount(str(k), str(n), str(t), int(c), int(s)) for k, n, t, c, s in rows]


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
