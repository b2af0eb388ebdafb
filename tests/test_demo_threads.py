"""The seed scenario on the demo corpus, through the real pipeline, spaCy model included."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from briefing.demo import demo_config, demo_transport
from briefing.pipeline import refresh
from briefing.store import Store

IDLIB = {
    "AW-20261117-0037",
    "https://steppe-herald.example/en/news/48213",
    "urn:uuid:9838a83c-32b4-51e4-bafa-d5527ef1edb3",
    "https://harbor-ledger.example/world/2026/11/18/turkey-russia-begin-joint-patrols-in-idlib",
    "pd-20261118-world-001",
    "tag:meridian-post.example,2026-11-18:article-70407",
    "urn:uuid:4074789d-953b-5c8a-867f-7d52d79a174a",
    "AW-20261119-0074",
    "https://steppe-herald.example/en/news/48226",
    "urn:uuid:cac0b428-8a9d-52ad-b34b-714bd26f1e10",
    "AW-20261122-0111",
    "tag:meridian-post.example,2026-11-22:article-70414",
}
WIRE_COPIES = (
    "https://harbor-ledger.example/world/2026/11/18/turkey-russia-begin-joint-patrols-in-idlib",
    "pd-20261118-world-001",
)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    asyncio.run(refresh(demo_config(db_path=db), db, transport=demo_transport()))
    return db


def thread_of(store: Store) -> dict[str, int]:
    rows = store.db.execute("SELECT guid, thread_id FROM stories")
    return {str(guid): int(tid) for guid, tid in rows}


def test_idlib_reports_form_one_named_thread(demo_store: Path) -> None:
    with Store(demo_store) as store:
        threads = thread_of(store)
        idlib = {threads[g] for g in IDLIB}
        assert len(idlib) == 1, "the Idlib reports were split"
        [tid] = idlib
        members = [g for g, t in threads.items() if t == tid]
        assert sorted(members) == sorted(IDLIB), "unrelated stories joined the Idlib thread"
        thread = store.thread(tid)
        assert thread is not None
        assert "Idlib" in thread.name and "Sochi" in thread.name
        assert thread.sources >= 5


def test_every_story_has_a_thread_and_stories_are_grouped(demo_store: Path) -> None:
    with Store(demo_store) as store:
        threads = thread_of(store)
        sizes = Counter(threads.values())
        assert len(threads) == 99
        assert sum(1 for n in sizes.values() if n >= 5) >= 8  # the developing stories


def test_wire_copy_is_marked_a_duplicate(demo_store: Path) -> None:
    with Store(demo_store) as store:
        first, second = (
            store.db.execute(
                "SELECT id, thread_id, duplicate_of FROM stories WHERE guid = ?", (g,)
            ).fetchone()
            for g in WIRE_COPIES
        )
        assert first[1] == second[1]
        assert second[2] == first[0] or first[2] == second[0]


def test_refresh_again_and_restart_keep_thread_ids(demo_store: Path, tmp_path: Path) -> None:
    with Store(demo_store) as store:
        before = thread_of(store)
        names = {t.id: t.name for t in store.threads()}
    report = asyncio.run(
        refresh(demo_config(db_path=demo_store), demo_store, transport=demo_transport(), force=True)
    )
    assert report.new_stories == 0
    assert all(f.status == "not modified" for f in report.feeds)
    with Store(demo_store) as store:
        assert thread_of(store) == before
        assert {t.id: t.name for t in store.threads()} == names
