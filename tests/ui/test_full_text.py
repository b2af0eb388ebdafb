"""x: the story's full article text, fetched off the UI thread through the demo's transport.

The demo serves a few article pages written for it (briefing/demo/articles/): one article in
site chrome, one paywalled page; every other story's page answers 404.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
from textual.pilot import Pilot
from textual.widgets import Static

from briefing.config import Config, Session, Settings
from briefing.demo import ARTICLES, demo_config, demo_transport
from briefing.models import Feed
from briefing.ui.app import BriefingApp
from briefing.ui.widgets.reader import Reader
from briefing.ui.widgets.story_list import StoryList
from tests.helpers import rss, settle

SOCHI = next(url for url, name in ARTICLES.items() if name.startswith("anatolia-wire"))
PAYWALLED = next(url for url, name in ARTICLES.items() if name.startswith("steppe-herald"))


def demo_app(tmp_path: Path) -> BriefingApp:
    db = tmp_path / "demo.db"
    return BriefingApp(Session(demo_config(db_path=db), db, demo_transport(), demo=True))


async def select(app: BriefingApp, pilot: Pilot[int], link: str) -> StoryList:
    stories = app.screen.query_one(StoryList)
    stories.focus()
    # The cursor is set, not walked there with j (a hundred presses tested nothing new, and
    # moving the cursor is RowList's own tests' job); the reader follows it as with a key.
    stories.cursor = next(i for i, s in enumerate(stories.stories) if s.link == link)
    await pilot.pause()
    assert stories.current is not None and stories.current.link == link
    return stories


def reader_text(app: BriefingApp) -> str:
    reader = app.screen.query_one(Reader)
    parts = ("#reader-article-note", "#reader-body")
    return "\n".join(str(reader.query_one(p, Static).render()) for p in parts)


async def test_x_shows_the_article_with_its_entities(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        stories = await select(app, pilot, SOCHI)
        assert "Saraqib" not in reader_text(app)  # only the article mentions it
        await pilot.press("x")
        await settle(pilot)
        shown = reader_text(app)
        assert "Full text" in shown and "Saraqib" in shown
        assert "Accept all" not in shown and "All rights reserved" not in shown  # site chrome
        story = stories.current
        assert story is not None
        mentions = app.store.story_mentions(story.id)
        assert any(m.field == "article" and m.name == "Saraqib" for m in mentions)
        assert app.screen.query_one(Reader).loading is False


async def test_x_says_plainly_when_a_page_is_paywalled_or_missing(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        stories = await select(app, pilot, PAYWALLED)
        await pilot.press("x")
        await settle(pilot)
        assert "paywall" in reader_text(app)
        story = stories.current
        assert story is not None and story.summary.split()[0] in reader_text(app)
        await pilot.press("home")
        first = stories.current
        assert first is not None and first.link not in ARTICLES
        await pilot.press("x")
        await settle(pilot)
        assert "Could not fetch the page: HTTP 404" in reader_text(app)
        assert first.summary.split()[0] in reader_text(app)  # the feed's text stays readable


async def test_stories_show_before_full_text_pages_arrive(tmp_path: Path) -> None:
    # A full_text feed: the lists fill as soon as the stories are stored, not after the pages.
    release = threading.Event()
    feed = rss([{"title": "Ferry terminal approved", "link": "https://slow.test/a", "guid": "a",
                 "pubDate": "Tue, 24 Nov 2026 08:00:00 GMT"}])  # fmt: skip

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/feed":
            return httpx.Response(200, content=feed)
        release.wait(10)  # the article page is slow
        return httpx.Response(404)

    db = tmp_path / "ft.db"
    config = Config(
        feeds=(Feed(name="Slow", url="https://slow.test/feed", full_text=True),),
        settings=Settings(store=db),
    )
    app = BriefingApp(Session(config, db, httpx.MockTransport(handle)))
    try:
        async with app.run_test() as pilot:
            for _ in range(100):
                await pilot.pause(0.05)
                if app.screen.query_one(StoryList).stories:
                    break
            assert [s.title for s in app.screen.query_one(StoryList).stories] == [
                "Ferry terminal approved"
            ]
            assert any(w.group == "refresh" and w.is_running for w in app.workers)
            release.set()
            await app.workers.wait_for_complete()
    finally:
        release.set()


async def test_x_uses_the_cache_and_shift_x_fetches_again(tmp_path: Path) -> None:
    demo = demo_transport()
    asked: list[str] = []

    def counting(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        answer = demo.handler(request)
        assert isinstance(answer, httpx.Response)  # the demo's handler is synchronous
        return answer

    db = tmp_path / "demo.db"
    app = BriefingApp(Session(demo_config(db_path=db), db, httpx.MockTransport(counting)))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await select(app, pilot, SOCHI)
        for key, pages in (("x", 1), ("x", 1), ("X", 2)):
            await pilot.press(key)
            await settle(pilot)
            assert asked.count(SOCHI) == pages, key
        assert "Saraqib" in reader_text(app)
