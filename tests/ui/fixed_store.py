"""The demo store, frozen as data: what the UI snapshots render, with no live NER or threading.

A snapshot is about the screen, not about which entities spaCy finds or how stories thread;
rendered from a live demo refresh, every NLP change broke every snapshot. The file
``data/demo-store.json`` holds the rows a real demo refresh (spaCy, the thread engine) wrote;
``load`` inserts them into a new store, whose triggers rebuild the derived rows (full-text
indexes, counts, per-thread unread and new) exactly as a refresh does.

Remake the file after a change to the demo corpus or to what the store keeps:
    python -m tests.ui.fixed_store
then update the snapshots (pytest --snapshot-update) after reading their report.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from briefing.store import Store

DATA = Path(__file__).with_name("data") / "demo-store.json"

# Rows written by code, in an order their references allow. Left out: what triggers make
# (the full-text tables, entity_counts, entity_votes, entity_forms, feed_counts), term_df
# (document frequencies: only a refresh reads them) and meta (the migrations write it).
TABLES = (
    "feeds",
    "threads",
    "stories",
    "entities",
    "mentions",
    "search_terms",
    "thread_merges",
    "thread_summaries",
    "articles",
    "corrections",
    "correction_moves",
)
# Kept by triggers as stories arrive: inserted as zero, counted again by the stories' inserts.
COUNTED = {"threads": ("unread", "fresh")}


def dump(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as conn:
        out: dict[str, Any] = {}
        for table in TABLES:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            # Rowid order where there is one (so rowids come back the same), else by value.
            without_rowid = conn.execute(
                "SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE name = ?", (table,)
            ).fetchone()[0]
            order = ", ".join(str(i + 1) for i in range(len(columns))) if without_rowid else "rowid"
            cursor = conn.execute(f"SELECT * FROM {table} ORDER BY {order}")
            out[table] = {"columns": columns, "rows": [list(r) for r in cursor]}
    return out


def load(data: dict[str, Any], db: Path) -> Path:
    """A store at db (made by the migrations) holding data's rows."""
    Store(db).close()
    with sqlite3.connect(db) as conn:
        for table in TABLES:
            columns, rows = data[table]["columns"], data[table]["rows"]
            zeroed = [columns.index(c) for c in COUNTED.get(table, ())]
            for row in rows:
                for i in zeroed:
                    row[i] = 0
            marks = ", ".join("?" * len(columns))
            conn.executemany(
                f"INSERT INTO {table}({', '.join(columns)}) VALUES ({marks})",
                rows,
            )
    return db


def fixed_demo_store(db: Path) -> Path:
    return load(json.loads(DATA.read_text(encoding="utf-8")), db)


def refreshed_demo_store(db: Path) -> Path:
    """A demo store as `briefing --demo` makes it: every feed fetched, entities, threads."""
    from briefing.demo import demo_config, demo_transport
    from briefing.pipeline import refresh

    asyncio.run(refresh(demo_config(db_path=db), db, transport=demo_transport()))
    return db


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = dump(refreshed_demo_store(Path(tmp) / "demo.db"))
    DATA.parent.mkdir(exist_ok=True)
    # One row a line: a change to the demo reads as a diff of rows.
    parts = []
    for table, part in data.items():
        rows = ",\n".join(json.dumps(r, ensure_ascii=False) for r in part["rows"])
        parts.append(
            f'"{table}": {{"columns": {json.dumps(part["columns"])}, "rows": [\n{rows}\n]}}'
        )
    text = "{\n" + ",\n".join(parts) + "\n}"
    DATA.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {DATA} ({len(text) / 1000:.0f} kB)")


if __name__ == "__main__":
    main()
