from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing.models import Article, FeedStatus, Story, Validators
from briefing.store import MIGRATIONS, Store, StoreError, fts_query
from tests.helpers import make_story

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def story(n: int, **changes: object) -> Story:
    return make_story(n, T0 + timedelta(hours=n), **changes)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "s.db")


def test_schema_is_versioned_and_wal(store: Store) -> None:
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
    assert {"stories", "stories_fts", "mentions", "entities", "threads", "thread_merges"} <= tables


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer briefing"):
        Store(path)


def test_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        Store(path)


def test_add_is_idempotent_and_keeps_first_seen(store: Store) -> None:
    assert len(store.add_stories([story(1), story(2)])) == 2
    later = story(1, first_seen=T0 + timedelta(days=3), title="Changed")
    assert store.add_stories([later]) == []
    kept = store.story("id1")
    assert kept is not None and kept.first_seen == story(1).first_seen
    assert store.count_stories() == 2


def test_same_feed_same_link_without_guid_is_a_duplicate(store: Store) -> None:
    store.add_stories([story(1)])
    assert store.add_stories([story(9, link=story(1).link)]) == []
    other_feed = story(9, link=story(1).link, feed_url="https://b.example/feed")
    assert len(store.add_stories([other_feed])) == 1


def test_items_with_their_own_guids_sharing_a_link_are_all_kept(store: Store) -> None:
    # A podcast feed: every item links to the show's home page, each has its own guid.
    home = "http://example.com/"
    episodes = [story(n, id=f"ep{n}", guid=f"http://example.com/ep{n}.mp3", link=home)
                for n in range(1, 6)]  # fmt: skip
    assert len(store.add_stories(episodes)) == 5
    assert store.add_stories(episodes) == []  # true re-sends (same guid) are still one story
    sixth = story(6, id="ep6", guid="http://example.com/ep6.mp3", link=home)
    assert store.add_stories([sixth]) == [sixth]
    # Without a guid, the link is the identity: one more item linking home is not new.
    assert store.add_stories([story(7, link=home)]) == []
    assert store.count_stories() == 6


def test_an_item_that_gains_a_guid_is_not_stored_twice(store: Store) -> None:
    store.add_stories([story(1)])  # stored when the feed sent no guids
    assert store.add_stories([story(9, guid="tag:a.example,2026:1", link=story(1).link)]) == []


def test_read_state_survives_a_refetch_of_items_sharing_a_link(store: Store) -> None:
    home = "http://example.com/"
    first = story(1, id="ep1", guid="ep1", link=home)
    store.add_stories([first])  # what an older briefing kept of the feed: one episode, read
    store.set_read(["ep1"])
    more = [first] + [story(n, id=f"ep{n}", guid=f"ep{n}", link=home) for n in (2, 3)]
    assert [s.id for s in store.add_stories(more)] == ["ep2", "ep3"]
    assert {s.id: s.read for s in store.stories()} == {"ep1": True, "ep2": False, "ep3": False}


def test_listing_order_and_filters(store: Store) -> None:
    store.add_stories([story(n) for n in range(5)])
    store.add_stories([story(10, feed_url="https://b.example/feed", source="B")])
    assert [s.id for s in store.stories(limit=3)] == ["id10", "id4", "id3"]
    assert [s.id for s in store.stories(feed_url="https://b.example/feed")] == ["id10"]
    since = store.stories(since=T0 + timedelta(hours=3, minutes=30))
    assert {s.id for s in since} == {"id4", "id10"}


def test_read_state_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with Store(path) as first:
        first.add_stories([story(1), story(2)])
        first.set_read(["id1"])
    with Store(path) as second:
        assert second.story("id1").read is True
        assert second.story("id2").read is False
        assert second.unread_counts() == {"https://a.example/feed": 1}
        assert [s.id for s in second.stories(unread_only=True)] == ["id2"]


def test_full_text_search(store: Store) -> None:
    store.add_stories([story(1), story(2, title="Earthquake in Arequipa", summary="Rescue teams")])
    assert [s.id for s in store.stories(search="arequipa")] == ["id2"]
    assert [s.id for s in store.stories(search="earthq")] == ["id2"]  # prefix
    assert {s.id for s in store.stories(search="sochi")} == {"id1"}


@pytest.mark.parametrize(
    "query", ['"', "AND OR NOT", "title:x", "(((", "*", "NEAR(a b)", "'; DROP"]
)
def test_search_syntax_from_users_never_raises(store: Store, query: str) -> None:
    store.add_stories([story(1)])
    store.stories(search=query)


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('sochi "deal" OR') == '"sochi"* "deal"* "OR"*'
    assert fts_query("!!!") == ""


def test_abbreviations_with_dots_search_as_whole_tokens(store: Store) -> None:
    # Issue 14, item 11: "L.A." matched 307 of 519 stories (l* and a* prefixes).
    store.add_stories(
        [
            story(1, title="Wildfire smoke over L.A. schools", summary="Los Angeles"),
            story(2, title="Lagos traffic", summary="A long wait at Lekki"),
            story(3, title="La Niña returns", summary="and a cold winter"),
            story(4, title="U.S. tariffs", summary="Washington"),
        ]
    )
    assert [s.id for s in store.stories(search="L.A.")] == ["id1"]
    assert [s.id for s in store.stories(search="l.a")] == ["id1"]
    assert [s.id for s in store.stories(search="U.S.")] == ["id4"]
    assert fts_query("L.A. fire") == '"L.A." "fire"*'


def test_feed_status_and_validators(store: Store) -> None:
    url = "https://a.example/feed"
    ok = FeedStatus(url=url, name="A", ok=True, status="ok, 2 new", http_status=200, new_stories=2)
    store.record_feed(ok, Validators(etag='"v1"', last_modified="Mon"), title="A title")
    assert store.validators(url) == Validators('"v1"', "Mon")
    failed = FeedStatus(url=url, name="A", ok=False, status="timed out after 20 s")
    store.record_feed(failed, Validators())
    assert store.validators(url) == Validators('"v1"', "Mon")  # kept from the last success
    [row] = store.feeds()
    assert (row.ok, row.status, row.failures, row.title, row.items) == (
        False, "timed out after 20 s", 1, "A title", 2,
    )  # fmt: skip
    store.record_feed(ok, Validators(etag='"v2"'))
    assert store.feeds()[0].failures == 0


def test_two_connections_share_the_store(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    writer, reader = Store(path), Store(path)
    writer.add_stories([story(1)])
    assert reader.count_stories() == 1
    with writer.transaction():  # a reader is never blocked by a writer under WAL
        writer.db.execute("UPDATE stories SET read = 1")
        assert reader.story("id1").read is False
    assert reader.story("id1").read is True


def test_failed_transaction_rolls_back(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("UPDATE stories SET read = 1")
        raise RuntimeError("boom")
    assert not store.db.in_transaction


def test_merge_is_recorded_and_old_ids_resolve(store: Store) -> None:
    store.add_stories([story(n) for n in range(4)])
    a, b = store.new_thread(T0), store.new_thread(T0)
    store.save_assignments(
        [("id0", a, None), ("id1", a, None), ("id2", b, None), ("id3", b, "id2")], {"idlib": 4}, 4
    )
    assert store.thread(a).stories == 2 and store.thread(b).stories == 2
    assert store.duplicates(b) == {"id2": [store.story("id3")]}
    store.merge_threads(a, b, T0 + timedelta(days=1))
    assert store.resolve_thread(b) == a
    assert store.thread(b).id == a
    assert store.thread(a).stories == 4
    assert [t.id for t in store.threads()] == [a]
    rows = store.db.execute("SELECT gone, keep FROM thread_merges").fetchall()
    assert rows == [(b, a)]
    assert store.doc_freq() == ({"idlib": 4}, 4)
    # An engine that loaded b before the merge still assigns to it: the story follows.
    store.add_stories([story(9)])
    store.save_assignments([("id9", b, None)], {}, 5)
    assert store.story("id9").thread_id == a and store.thread(a).stories == 5


def test_thread_read_and_opened_markers(store: Store) -> None:
    store.add_stories([story(n) for n in range(3)])
    tid = store.new_thread(T0)
    store.save_assignments([(f"id{n}", tid, None) for n in range(3)], {}, 3)
    thread = store.thread(tid)
    assert thread is not None and thread.unread == 3 and thread.new == 3
    store.mark_thread_opened(tid, T0 + timedelta(days=1))
    store.set_thread_read(tid)
    thread = store.thread(tid)
    assert thread is not None and thread.unread == 0 and thread.new == 0


def _counted(store: Store) -> dict[int, tuple[int, int]]:
    """Each thread's unread and fresh stories counted from the stories themselves."""
    rows = store.db.execute(
        "SELECT t.id, (SELECT count(*) FROM stories s WHERE s.thread_id = t.id AND s.read = 0), "
        "(SELECT count(*) FROM stories s WHERE s.thread_id = t.id "
        "AND s.first_seen > coalesce(t.opened_at, 0)) FROM threads t"
    )
    return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}


def _kept(store: Store) -> dict[int, tuple[int, int]]:
    rows = store.db.execute("SELECT id, unread, fresh FROM threads")
    return {int(r[0]): (int(r[1]), int(r[2])) for r in rows}


def test_thread_unread_and_fresh_counts_follow_every_change(store: Store) -> None:
    from briefing.corrections import detach, merge, undo
    from briefing.store.retention import Retention

    old = T0 - timedelta(days=900)
    store.add_stories([story(n) for n in range(6)])
    store.add_stories([story(6, published=old, first_seen=old)])
    a, b, c = (store.new_thread(T0) for _ in range(3))
    steps: list[Callable[[], object]] = [
        lambda: store.save_assignments(
            [("id0", a, None), ("id1", a, None), ("id2", b, None), ("id3", b, "id2")], {}, 4
        ),
        lambda: store.save_assignments(
            [("id4", c, None), ("id5", c, None), ("id6", c, None)], {}, 7
        ),
        lambda: store.set_read(["id0", "id4"]),
        lambda: store.mark_thread_opened(a, T0 + timedelta(hours=0.5)),  # id1 is fresh, id0 not
        lambda: store.save_assignments([("id1", b, None)], {}, 7),  # moves between threads
        lambda: store.set_read(["id0"], read=False),
        lambda: merge(store, b, a, T0),
        lambda: detach(store, "id2", T0),
        lambda: undo(store),
        lambda: store.merge_threads(a, c, T0),
        lambda: store.set_thread_read(a),
        lambda: store.set_read(["id5"], read=False),
        lambda: store.prune(Retention(keep_days=365), T0),  # id6 goes
    ]
    for n, step in enumerate(steps):
        step()
        assert _kept(store) == _counted(store), f"after step {n}"
    assert store.story("id6") is None
    assert [(t.unread, t.new) for t in store.threads()] == [(1, 5)]


def test_a_store_from_before_the_counts_gets_them(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = Store(path)
    store.add_stories([story(n) for n in range(3)])
    tid = store.new_thread(T0)
    store.save_assignments([(f"id{n}", tid, None) for n in range(3)], {}, 3)
    store.set_read(["id1"])
    store.mark_thread_opened(tid, T0 + timedelta(hours=1.5))
    store.db.execute("UPDATE threads SET unread = 0, fresh = 0")  # as before migration 12
    before = next(n for n, m in enumerate(MIGRATIONS) if "ADD COLUMN fresh" in m)
    store.db.execute(f"PRAGMA user_version = {before}")
    store.db.execute("DROP INDEX threads_single")  # migration 13, which runs again
    for trigger in ("stories_thread_ai", "stories_thread_ad", "stories_thread_au"):
        store.db.execute(f"DROP TRIGGER {trigger}")
    store.db.execute("DROP TRIGGER threads_opened_au")
    store.db.execute("ALTER TABLE threads DROP COLUMN unread")
    store.db.execute("ALTER TABLE threads DROP COLUMN fresh")
    store.close()
    again = Store(path)
    assert _kept(again) == _counted(again) == {tid: (2, 1)}


def test_common_and_rare_words_search_the_same_way(store: Store) -> None:
    # Past COMMON matches, search walks stories and threads newest first instead of going
    # from the matches to their rows: both paths must give exactly the brute-force answer.
    from briefing.store.base import COMMON

    n = 2 * COMMON
    stories = [
        story(i, title=f"Harbour strike day {i}" if i % 3 else f"Rare word {i}", summary="")
        for i in range(n)
    ]
    store.add_stories(stories)
    thread_of = {s.id: 1 + i % 97 for i, s in enumerate(stories)}
    for tid in range(1, 98):
        assert store.new_thread(stories[0].published) == tid
    store.save_assignments([(sid, tid, None) for sid, tid in thread_of.items()], {}, n)
    for word, expect_many in (("harbour", True), ("rare", False)):
        assert store.many_matches(fts_query(word)) is expect_many
        matching = [s for s in stories if word in s.title.lower()]
        newest = sorted(matching, key=lambda s: (-s.published.timestamp(), s.id))
        got = store.stories(search=word, limit=50)
        assert [s.id for s in got] == [s.id for s in newest[:50]]
        assert store.count_stories(search=word) == len(matching)
        threads = store.threads(search=word, limit=1000)
        assert {t.id for t in threads} == {thread_of[s.id] for s in matching}
        assert [t.last_seen for t in threads] == sorted(
            (t.last_seen for t in threads), reverse=True
        )


def test_search_matches_are_reused_only_while_the_store_is_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path) as reader, Store(path) as writer:
        writer.add_stories([story(1, title="Harbour strike")])
        assert reader.count_stories(search="harbour") == 1
        fills: list[str] = []
        reader.db.set_trace_callback(
            lambda sql: fills.append(sql) if "INTO temp.search_hits" in sql else None
        )
        assert [s.id for s in reader.stories(search="harbour")] == ["id1"]
        assert [t.id for t in reader.threads(search="harbour")] == []
        assert fills == []  # the same search again: the listed matches are reused
        writer.add_stories([story(2, title="Harbour strike spreads")])  # another connection
        assert reader.count_stories(search="harbour") == 2
        assert [s.id for s in reader.stories(search="harbour")] == ["id2", "id1"]
        assert len(fills) == 1
        reader.add_stories([story(3, title="Harbour reopens")])  # this connection
        assert reader.count_stories(search="harbour") == 3
        assert reader.count_stories(search="reopens") == 1  # another query, other matches
        assert reader.count_stories(search="harbour") == 3


def test_a_rolled_back_search_leaves_no_stale_matches(store: Store) -> None:
    store.add_stories([story(1, title="Harbour strike")])
    with pytest.raises(RuntimeError), store.transaction():
        store.db.execute(
            "INSERT INTO stories(id, feed_url, source, title, published, first_seen) "
            "VALUES ('x', 'f', 's', 'Harbour ghost', 0, 0)"
        )
        assert store.count_stories(search="harbour") == 2  # inside: sees its own insert
        raise RuntimeError
    assert store.count_stories(search="harbour") == 1
    assert [s.id for s in store.stories(search="harbour")] == ["id1"]


def test_threads_by_entity_search_and_name_list_each_thread_once(store: Store) -> None:
    from briefing.models import Mention

    store.add_stories([story(n, title=f"Harbour strike {n}") for n in range(1, 7)])
    first, second = store.new_thread(T0), store.new_thread(T0)
    store.save_assignments(
        [(f"id{n}", first if n <= 3 else second, None) for n in range(1, 7)], {}, 6
    )
    store.set_thread_names({first: "Sochi talks", second: "Port of Lagos"})
    place = Mention("title", 0, 7, "PLACE", "place:harbour", "Harbour")
    store.save_mentions([(n, [place]) for n in (1, 2, 5)], "v1")
    assert [t.id for t in store.threads(entity="harbour")] == [second, first]  # latest first
    assert [t.id for t in store.threads(search="strike 2", entity="harbour")] == [first]
    assert [t.id for t in store.threads(search="lagos")] == [second]  # its name
    assert [t.id for t in store.threads(search="lag")] == [second]  # a word start
    assert store.threads(search="lagos", entity="nowhere") == []


def test_a_common_word_lists_its_newest_matches_and_estimates_the_count(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.store import search as store_search

    monkeypatch.setattr(store_search, "HITS_CAP", 50)
    store.add_stories([story(n, title=f"Harbour news {n}") for n in range(200)])
    got = store.stories(search="harbour", limit=20)
    assert [s.id for s in got] == [f"id{n}" for n in range(199, 179, -1)]
    assert store.count_stories(search="harbour") == 200 and store.hits_estimated
    assert store.count_stories(search="news 150") == 1 and not store.hits_estimated


def test_a_word_is_expanded_to_the_exact_terms_it_starts(store: Store) -> None:
    from briefing.store.search import MAX_EXPANSION

    many = [story(100 + n, title=f"Code x{n}yz") for n in range(MAX_EXPANSION + 5)]
    store.add_stories([story(1, title="Earthquakes"), story(2, title="Earthquake"), *many])
    traced: list[str] = []
    store.db.set_trace_callback(traced.append)
    assert {s.id for s in store.stories(search="earthq")} == {"id1", "id2"}
    assert any('("earthquake" OR "earthquakes")' in sql for sql in traced)
    assert len(store.stories(search="x", limit=1000)) == MAX_EXPANSION + 5  # the prefix form
    store.save_article(Article("id1", "ok", "", "Zanzibar ferry", "https://a.example/1", T0))
    assert store.db.execute("SELECT 1 FROM search_terms WHERE term = 'zanzibar'").fetchone()


def test_entity_tallies_follow_every_change_to_mentions(store: Store) -> None:
    from briefing.models import Mention
    from briefing.store.retention import Retention

    def tallies(sql: str) -> set[tuple[object, ...]]:
        return set(store.db.execute(sql).fetchall())

    def check() -> None:
        assert tallies("SELECT key, mentions, stories FROM entity_counts") == tallies(
            "SELECT key, count(*), count(DISTINCT story) FROM mentions GROUP BY key"
        )
        assert tallies("SELECT key, type, n FROM entity_votes") == tallies(
            "SELECT key, type, count(*) FROM mentions GROUP BY key, type"
        )
        assert tallies("SELECT key, name, n FROM entity_forms") == tallies(
            "SELECT key, name, count(*) FROM mentions GROUP BY key, name"
        )

    store.add_stories([story(1), story(2), story(3, published=T0 - timedelta(days=900))])
    erdogan = Mention("title", 0, 7, "PERSON", "person:erdogan", "Erdogan")
    idlib = Mention("summary", 0, 5, "PLACE", "place:idlib", "Idlib")
    store.save_mentions([(1, [erdogan, erdogan, idlib]), (2, [erdogan]), (3, [idlib])], "v1")
    check()
    assert store.entity_votes(["erdogan"])["erdogan"]["PERSON"] == 3
    store.rekey_mentions([("erdogan", "recep tayyip erdogan", "Recep Tayyip Erdoğan", ["id1"])],
                         "PERSON")  # fmt: skip
    check()
    store.save_article_mentions(2, [idlib], [replace(idlib, field="article", type="ORG")], "v1")
    check()
    store.prune(Retention(keep_days=365), T0)
    check()
    store.save_mentions([(1, [])], "v2")
    check()
    assert store.entity_forms(["recep tayyip erdogan"]) == {}


def test_stories_per_feed_follow_inserts_and_prunes(store: Store) -> None:
    from briefing.store.retention import Retention

    old = T0 - timedelta(days=900)
    store.add_stories([story(1), story(2), story(3, published=old, first_seen=old)])
    store.add_stories([story(4, feed_url="https://b.example/feed", link="b4")])
    for url, name in (("https://a.example/feed", "A"), ("https://b.example/feed", "B")):
        store.record_feed(FeedStatus(url=url, name=name, ok=True, status="ok"), Validators())
    assert {f.name: f.stories for f in store.feeds(T0)} == {"A": 3, "B": 1}
    store.prune(Retention(keep_days=365), T0)
    assert {f.name: f.stories for f in store.feeds(T0)} == {"A": 2, "B": 1}


def test_a_common_word_walks_the_latest_threads_and_finds_what_the_matches_give(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past HITS_CAP matches the thread list walks threads latest first (store_threads
    # _walk_threads), and reads the matches' threads when the walk does not fill it: either
    # way, exactly the threads of the listed matches and the named ones, latest first.
    from briefing.store import search as store_search
    from briefing.store import threads as store_threads

    monkeypatch.setattr(store_search, "HITS_CAP", 40)
    n = 400
    stories = [story(i, title=f"Harbour strike {i}" if i < 200 else f"Quiet {i}") for i in range(n)]
    store.add_stories(stories)
    for tid in range(1, 61):
        assert store.new_thread(T0) == tid
    # Threads 1-20 hold the harbour stories, 21-60 the later, quiet ones: the latest threads
    # do not match, so a short walk does not fill the list and the matches are read.
    thread_of = {s.id: 1 + i % 20 if i < 200 else 21 + i % 40 for i, s in enumerate(stories)}
    store.save_assignments([(sid, tid, None) for sid, tid in thread_of.items()], {}, n)
    store.set_thread_names({25: "Harbour talks"})
    store.search_hits(fts_query("harbour"))
    assert store.hits_estimated
    listed = {int(r[0]) for r in store.db.execute("SELECT rowid FROM temp.search_hits")}
    expected_ids = {thread_of[s.id] for i, s in enumerate(stories, 1) if i in listed} | {25}
    expected = [t.id for t in store.threads(limit=1000) if t.id in expected_ids]
    assert len(expected) == 21
    traced: list[str] = []
    store.db.set_trace_callback(traced.append)
    for bound, limit, walked in ((5_000, 3, True), (5_000, 21, True), (1, 3, False),
                                 (5_000, 1000, False)):  # fmt: skip
        monkeypatch.setattr(store_threads, "WALK_BOUND", bound)
        traced.clear()
        got = [t.id for t in store.threads(search="harbour", limit=limit)]
        assert got == expected[:limit], (bound, limit)
        assert any("UNION" in sql for sql in traced) is not walked, (bound, limit)


def test_the_count_of_all_stories_follows_adds_and_deletes(store: Store) -> None:
    store.add_stories([story(n) for n in range(5)])
    store.add_stories([story(1), story(7)])  # one already stored: ignored
    assert store.count_stories() == 6
    store.db.execute("DELETE FROM stories WHERE id = 'id7'")
    assert store.count_stories() == 6 - 1 == len(store.stories(limit=100))


def test_a_big_entity_is_listed_from_its_newest_mentions(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past MENTIONS_CAP stories an entity's lists come from its newest stories by arrival
    # (the mentions index alone says which), as a search's from its newest matches; the count
    # stays exact.
    from briefing.models import Mention
    from briefing.store import stories as store_module
    from briefing.store import threads as store_threads

    monkeypatch.setattr(store_module, "MENTIONS_CAP", 4)
    monkeypatch.setattr(store_threads, "MENTIONS_CAP", 4)
    late = T0 + timedelta(days=9)  # the first to arrive says it was published last
    store.add_stories([story(1, published=late), *(story(n) for n in range(2, 11))])
    threads = [store.new_thread(T0) for _ in range(5)]
    store.save_assignments([(f"id{n}", threads[(n - 1) // 2], None) for n in range(1, 11)], {}, 10)
    place = Mention("title", 0, 7, "PLACE", "place:harbour", "Harbour")
    again = Mention("summary", 0, 7, "PLACE", "place:harbour", "Harbour")
    store.save_mentions([(n, [place, again]) for n in range(1, 11)], "v1")
    assert store.count_stories(entity="harbour") == 10
    # The newest four stories (7-10; one mentioning it twice counts once) in threads 4 and 5.
    assert [t.id for t in store.threads(entity="harbour")] == [threads[4], threads[3]]
    assert [s.id for s in store.stories(entity="harbour", limit=2)] == ["id10", "id9"]
    every = store.stories(entity="harbour", limit=100)  # twice the limit past the cap
    assert [s.id for s in every][:2] == ["id1", "id10"] and len(every) == 10
