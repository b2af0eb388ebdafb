"""The reader shows a story without what its feed repeats under every item; the store keeps it."""

from __future__ import annotations

from textual.widgets import Static

from briefing.ui.app import BriefingApp
from briefing.ui.widgets.reader import Reader
from briefing.ui.widgets.story_list import StoryList
from tests.helpers import rss
from tests.ui.conftest import SessionFactory

BLURB = "Join the Seven Sharp team for a fresh perspective on today's stories."
LEDES = [
    "A veteran climber rescued an overseas couple near Queenstown.",
    "Jade Wang says the housing market in Auckland is tough on buyers.",
    "Fish at the Napier aquarium will be moved to Wellington.",
    "Over 100 artists are displaying their work in Christchurch.",
]


async def test_reader_leaves_out_the_feeds_repeated_blurb(make_session: SessionFactory) -> None:
    feed = rss(
        [
            {
                "title": f"Story {i}",
                "link": f"https://tv.test/{i}",
                "guid": f"tv-{i}",
                "description": f"{lede} {BLURB}",
                "pubDate": f"Mon, 16 Nov 2026 10:{i:02d}:00 GMT",
            }
            for i, lede in enumerate(LEDES)
        ]
    )
    app = BriefingApp(make_session({"tv": feed}))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        stories = app.screen.query_one(StoryList)
        stories.focus()
        await pilot.press("j")
        await pilot.pause()
        story = stories.current
        assert story is not None and BLURB in story.summary  # what the feed sent is kept
        body = str(app.screen.query_one(Reader).query_one("#reader-body", Static).render())
        lede = story.summary.replace(BLURB, "").strip()
        assert lede in body and "Seven Sharp" not in body
        assert not [e for e in app.store.top_entities(limit=50) if "Sharp" in e.name]
