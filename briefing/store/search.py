"""Full-text search that stays fast on a million stories: how temp.search_hits is filled.

Measured at 1M stories (EXPLAIN and timings, see benchmarks/startup.py): a prefix term
("ceasefire"*) makes FTS5 merge every matching doclist in memory before the first row (200 ms
for a word in 60% of stories, whatever the LIMIT), while exact terms are read lazily, so
ORDER BY rowid DESC LIMIT stops early (1-10 ms). So each word is first expanded to the exact
terms it is a prefix of, from `search_terms` (every term the full-text indexes hold, recorded
as stories and articles are written), and only the newest HITS_CAP matches are listed; past
that the count is an estimate. A word with no recorded term, or a prefix of too many, keeps
its prefix form (always correct, slower); a prefix of too many terms is first tried as the word
itself, which is enough when that alone fills the list.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable

# Matches listed at most: the newest by rowid (arrival order). Twice what a filtered list
# shows (ui FILTERED_LIMIT, 500); 2,500 cost 7 ms a common word at 1M stories, 1,000 2.6 ms,
# and the estimated count stays within 1% (653,276 for 655,652).
HITS_CAP = 1_000
# An entity filter's counterpart: the newest stories mentioning it that its lists are read
# from (from the mentions index alone), so no filter reads every story of a big entity.
MENTIONS_CAP = 1_000
MAX_EXPANSION = 32  # exact terms a prefix may stand for; more: the prefix query itself
MIXED_BOUND = 2_000  # multi-word searches across fields check at most this many candidates
TOKENIZER = "tokenize='unicode61 remove_diacritics 2'"

TEMP_SCHEMA = f"""
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.new_text USING fts5(text, {TOKENIZER});
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.new_terms USING fts5vocab(temp, new_text, row);
    CREATE TABLE IF NOT EXISTS temp.table_hits(rowid INTEGER PRIMARY KEY);
"""


def record_terms(db: sqlite3.Connection, texts: Iterable[str]) -> None:
    """Add the terms of these texts (tokenised exactly as the full-text indexes do, by FTS5
    itself) to search_terms."""
    db.executemany("INSERT INTO temp.new_text(text) VALUES (?)", [(t,) for t in texts])
    db.execute("INSERT OR IGNORE INTO search_terms SELECT term FROM temp.new_terms")
    db.execute("DELETE FROM temp.new_text")


def _fold(word: str) -> str:
    """The term FTS5 would make of a word (lower case, Latin diacritics removed)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _groups(db: sqlite3.Connection, word: str) -> tuple[str, str]:
    """One user word -> FTS5 expressions (lazy, complete): the exact terms it starts when
    there are few (both), else the word itself (lazy) and its prefix form (complete)."""
    folded = _fold(word)
    terms = [
        str(r[0])
        for r in db.execute(
            "SELECT term FROM search_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
            (folded, folded + "\U0010ffff", MAX_EXPANSION + 1),
        )
    ]
    prefix = f'"{word}"*'
    if not terms:
        return prefix, prefix
    if len(terms) > MAX_EXPANSION:
        return f'"{word}"', prefix
    exact = "(" + " OR ".join('"' + t.replace('"', '""') + '"' for t in terms) + ")"
    return exact, exact


def _newest(db: sqlite3.Connection, table: str, expr: str, limit: int) -> tuple[int, int]:
    """Add the newest `limit` matches in one table to temp.search_hits, in SQLite alone (a
    list through Python costs 40 ms per 10,000); returns how many and the lowest rowid."""
    db.execute("DELETE FROM temp.table_hits")
    db.execute(
        f"INSERT INTO temp.table_hits SELECT rowid FROM {table} WHERE {table} MATCH ? "
        "ORDER BY rowid DESC LIMIT ?",
        (expr, limit),
    )
    n, lowest = db.execute("SELECT count(*), min(rowid) FROM temp.table_hits").fetchone()
    db.execute("INSERT OR IGNORE INTO temp.search_hits SELECT rowid FROM temp.table_hits")
    return int(n), int(lowest or 0)


def _matching(db: sqlite3.Connection, table: str, expr: str, limit: int) -> set[int]:
    sql = f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT ?"
    return {int(r[0]) for r in db.execute(sql, (expr, limit))}


def fill_hits(db: sqlite3.Connection, query: str, articles: bool) -> int | None:
    """Fill temp.search_hits (emptied by the caller) for an fts_query ('"w1"* "w2"*'): every
    word in the title and summary, or, once articles exist, each word there or in the
    article text. Returns an estimate of all the matches when only the newest HITS_CAP are
    listed, None when the list is complete."""
    # A word is a prefix ("w"*); an abbreviation with dots is a phrase of whole tokens ("L.A.").
    words = re.findall(r'"([^"]*)"(\*?)', query)
    pairs = [_groups(db, w) if star else (f'"{w}"', f'"{w}"') for w, star in words]
    if not pairs:
        return None
    tables = ["stories_fts", "articles_fts"] if articles else ["stories_fts"]
    # The lazy form first: a common word fills the list from its newest matches at once. If
    # it does not, the complete form (a prefix of many terms) lists every match.
    complete = [p[1] for p in pairs]
    for groups in ([p[0] for p in pairs], complete):
        floor = 0
        truncated = False
        db.execute("DELETE FROM temp.search_hits")
        for table in tables:
            n, lowest = _newest(db, table, " AND ".join(groups), HITS_CAP + 1)
            if n > HITS_CAP:  # this list stops early: below its last row, rows may lack
                floor, truncated = max(floor, lowest), True
        if truncated or groups == complete:
            break
    if floor:
        db.execute("DELETE FROM temp.search_hits WHERE rowid < ?", (floor,))
        listed = int(db.execute("SELECT count(*) FROM temp.search_hits").fetchone()[0])
        top = int(db.execute("SELECT max(rowid) FROM stories").fetchone()[0] or floor)
        return round(listed * top / max(1, top - floor + 1))
    if articles and len(groups) > 1:
        _mixed(db, groups)
    return None


def _mixed(db: sqlite3.Connection, groups: list[str]) -> None:
    """Stories where some words are only in the title or summary and others only in the
    article text: candidates are the matches of the rarest word, kept when each other word
    matches them in one field or the other. Past MIXED_BOUND candidates this is skipped."""
    sizes = []
    for group in groups:
        found = _matching(db, "stories_fts", group, MIXED_BOUND + 1)
        found |= _matching(db, "articles_fts", group, MIXED_BOUND + 1)
        sizes.append((len(found), group, found))
    size, rarest, candidates = min(sizes, key=lambda s: s[0])
    if not candidates or size > MIXED_BOUND:
        return
    for group in groups:
        if group == rarest or not candidates:
            continue
        marks = ",".join("?" * len(candidates))
        matched: set[int] = set()
        for table in ("stories_fts", "articles_fts"):
            sql = f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid IN ({marks})"
            matched.update(int(r[0]) for r in db.execute(sql, [group, *candidates]))
        candidates &= matched
    db.execute(
        "INSERT OR IGNORE INTO temp.search_hits SELECT value FROM json_each(?)",
        (json.dumps(sorted(candidates)),),
    )
