"""The frozen demo store the snapshots render reads exactly as a freshly refreshed one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from briefing.store import Store
from tests.ui.fixed_store import TABLES, dump, fixed_demo_store, load, refreshed_demo_store

DERIVED = ("entity_counts", "entity_votes", "entity_forms", "feed_counts")  # by triggers


def rows(db: Path, table: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute(f"SELECT * FROM {table}"), key=repr)


def screens(db: Path) -> tuple[object, ...]:
    """What the UI reads: threads with their counts, stories, entities, search, a dossier."""
    with Store(db) as store:
        threads = store.threads(limit=100)
        return (
            threads,
            store.stories(limit=1000),
            store.top_entities(limit=50),
            store.stories(search="idlib", limit=50),
            store.threads(search="chile", limit=50),
            [store.dossier(t.id) for t in threads],
        )


@pytest.mark.slow  # one live demo refresh: spaCy and the thread engine
def test_loading_a_dump_gives_back_the_refreshed_store(tmp_path: Path) -> None:
    live = refreshed_demo_store(tmp_path / "live.db")
    copy = load(dump(live), tmp_path / "copy.db")
    for table in (*TABLES, *DERIVED, "threads"):
        assert rows(copy, table) == rows(live, table), table
    assert screens(copy) == screens(live)


def test_the_fixed_store_loads_with_todays_schema(tmp_path: Path) -> None:
    db = fixed_demo_store(tmp_path / "fixed.db")
    with Store(db) as store:
        threads = store.threads(limit=100)
        assert len(threads) > 10 and sum(t.stories for t in threads) == 99
        # The per-thread counts the triggers keep were made again, not copied.
        assert all(t.unread == t.stories for t in threads)
        assert store.stories(search="idlib", limit=50)
        assert {"Idlib", "Sochi"} <= {e.name for e in store.top_entities(limit=50)}
