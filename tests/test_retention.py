"""Retention: what prune deletes, what it never deletes, and that the file shrinks."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing.models import Article, Mention, Story
from briefing.store import Store
from briefing.store.retention import Retention
from tests.helpers import make_story

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FEED_A = "https://a.example/feed"
FEED_B = "https://b.example/feed"
YEAR = Retention(keep_days=365, active_days=3)


def story(n: int, age_days: float, **changes: object) -> Story:
    title, summary = f"Title {n} zebra{n}", f"Summary {n} about Idlib"
    at = NOW - timedelta(days=age_days)
    return make_story(n, at, **{"feed_url": FEED_A, "title": title, "summary": summary, **changes})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s.db")


def rowid(store: Store, story_id: str) -> int:
    row = store.db.execute("SELECT rowid FROM stories WHERE id = ?", (story_id,)).fetchone()
    return int(row[0])


def thread_of(store: Store, story_ids: list[str], when: datetime = NOW) -> int:
    tid = store.new_thread(when)
    store.db.executemany(
        "UPDATE stories SET thread_id = ? WHERE id = ?", [(tid, s) for s in story_ids]
    )
    store.update_thread_stats([tid])
    return tid


def ids(store: Store) -> set[str]:
    return {str(r[0]) for r in store.db.execute("SELECT id FROM stories")}


def annotate(store: Store, story_id: str) -> None:
    mention = Mention("summary", 19, 24, "PLACE", "place:idlib", "Idlib")
    store.save_mentions([(rowid(store, story_id), [mention])], "v1")
    store.upsert_entities({"idlib": ("Idlib", "PLACE")})


def test_old_stories_go_with_their_mentions_articles_and_search_rows(store: Store) -> None:
    store.add_stories([story(1, 400), story(2, 10)])
    annotate(store, "id1")
    annotate(store, "id2")
    store.save_article(Article("id1", "ok", "", "aardvark text", "https://a.example/1", NOW))
    old = rowid(store, "id1")
    assert store.entity("idlib") is not None and store.entity("idlib").stories == 2

    report = store.prune(YEAR, NOW)

    assert ids(store) == {"id2"}
    assert (report.stories, report.articles, report.mentions) == (1, 1, 1)
    left = store.db.execute("SELECT count(*) FROM mentions WHERE story = ?", (old,))
    assert left.fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    assert store.stories(search="zebra1") == []
    assert store.stories(search="aardvark") == []
    fts = store.db.execute("SELECT count(*) FROM stories_fts WHERE stories_fts MATCH 'zebra1'")
    assert fts.fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 0
    idlib = store.entity("idlib")
    assert idlib is not None and (idlib.mentions, idlib.stories) == (1, 1)
    store.prune(Retention(keep_days=5), NOW)
    assert store.entity("idlib") is None  # its last mention went


def test_kept_and_renamed_threads_survive_and_empty_threads_go(store: Store) -> None:
    store.add_stories([story(n, 400 + n) for n in range(1, 7)])
    kept = thread_of(store, ["id1", "id2"], NOW - timedelta(days=399))
    renamed = thread_of(store, ["id3"], NOW - timedelta(days=399))
    plain = thread_of(store, ["id4", "id5"], NOW - timedelta(days=399))
    store.set_read(["id1", "id2", "id3", "id4", "id5"])
    assert store.set_thread_kept(kept)
    store.rename_thread(renamed, "My story", NOW)

    report = store.prune(YEAR, NOW)

    assert ids(store) == {"id1", "id2", "id3"}
    assert report.stories == 3 and report.threads == 1
    assert store.thread(plain) is None
    kept_thread = store.thread(kept)
    assert kept_thread is not None and kept_thread.kept and kept_thread.stories == 2
    assert store.set_thread_kept(kept, False)
    store.prune(YEAR, NOW)
    assert ids(store) == {"id3"}


def test_unread_stories_of_an_active_thread_survive(store: Store) -> None:
    store.add_stories([story(1, 500), story(2, 450), story(3, 1), story(4, 480), story(5, 470)])
    active = thread_of(store, ["id1", "id2", "id3"])  # its latest story is a day old
    quiet = thread_of(store, ["id4", "id5"])
    store.set_read(["id2"])

    report = store.prune(YEAR, NOW)

    assert ids(store) == {"id1", "id3"}  # id2 was read; id4, id5 are in a quiet thread
    assert report.stories == 3
    refreshed = store.thread(active)
    assert refreshed is not None and refreshed.stories == 2
    assert store.thread(quiet) is None


def test_dry_run_changes_nothing_and_says_what_would_go(store: Store) -> None:
    store.add_stories([story(1, 400), story(2, 400), story(3, 10)])
    annotate(store, "id1")
    store.save_article(Article("id2", "ok", "", "text", "https://a.example/2", NOW))
    kept = thread_of(store, ["id2"], NOW - timedelta(days=400))
    store.set_thread_kept(kept)
    before = store.db.total_changes

    report = store.prune(YEAR, NOW, dry_run=True)

    assert store.db.total_changes == before
    assert ids(store) == {"id1", "id2", "id3"}
    assert (report.stories, report.kept, report.mentions, report.articles) == (1, 1, 1, 0)


def test_a_pruned_story_sent_again_is_stored_again_as_new(store: Store) -> None:
    old = story(1, 400)
    store.add_stories([old])
    store.set_read(["id1"])
    store.prune(YEAR, NOW)
    again = replace(old, first_seen=NOW)
    assert store.add_stories([again]) == [again]
    stored = store.story("id1")
    assert stored is not None and not stored.read and stored.first_seen == NOW
    assert [s.id for s in store.stories(search="zebra1")] == ["id1"]


def test_old_items_re_sent_stay_until_their_arrival_is_old(store: Store) -> None:
    store.add_stories([story(1, 900, first_seen=NOW - timedelta(days=2))])
    assert store.prune(YEAR, NOW).stories == 0
    assert ids(store) == {"id1"}


def test_per_feed_keep_days(store: Store) -> None:
    store.add_stories(
        [story(1, 40), story(2, 40, feed_url=FEED_B, link="b2"), story(3, 400, feed_url=FEED_B)]
    )
    rules = Retention(keep_days=30, per_feed={FEED_B: 500.0})
    assert store.prune(rules, NOW, dry_run=True).stories == 1
    store.prune(rules, NOW)
    assert ids(store) == {"id2", "id3"}
    store.prune(Retention(keep_days=1000, per_feed={FEED_B: 100.0}), NOW)
    assert ids(store) == {"id2"}


def test_prune_runs_in_bounded_batches(store: Store) -> None:
    store.add_stories([story(n, 400 + n) for n in range(10)])
    first = store.prune(YEAR, NOW, batch=3, max_batches=2)
    assert first.stories == 6 and not first.done
    assert len(ids(store)) == 4
    rest = store.prune(YEAR, NOW, batch=3)
    assert rest.stories == 4 and rest.done
    assert ids(store) == set()


def test_new_stores_shrink_by_incremental_vacuum(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = Store(path)
    assert store.incremental()
    body = "words " * 2000
    store.add_stories([story(n, 400, summary=body) for n in range(300)])
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    big = path.stat().st_size
    store.prune(YEAR, NOW)
    assert store.free_bytes() > 0
    freed = store.incremental_vacuum()
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert freed > 0 and store.free_bytes() == 0
    assert path.stat().st_size < big / 2
    store.close()


def test_an_older_store_is_converted_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)  # a file made before stores were created incremental
    db.execute("CREATE TABLE x(a)")
    db.execute("DROP TABLE x")
    db.commit()
    db.close()
    with Store(path) as store:
        assert not store.incremental()
        store.add_stories([story(n, 400, summary="words " * 500) for n in range(50)])
        store.prune(YEAR, NOW)
        assert store.incremental_vacuum() == 0 and store.free_bytes() > 0
        store.convert_vacuum()
        assert store.incremental() and store.free_bytes() == 0
