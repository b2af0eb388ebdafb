"""Issue 14, item 4: the layout degrades by priority from 160 columns down to 80×24.

The reader keeps 50 columns or more, the threads pane narrows, the entity panel leaves the
side of the reader below 120 columns (e shows it in the reader's place), and no row of a list
wraps onto the next one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import DataTable

from briefing.models import Story
from briefing.ui.app import BriefingApp
from briefing.ui.render import story_row
from briefing.ui.widgets.entity_panel import EntityPanel
from briefing.ui.widgets.reader import Reader
from briefing.ui.widgets.rows import fit
from briefing.ui.widgets.story_list import StoryList
from briefing.ui.widgets.thread_list import ThreadList
from tests.helpers import settle
from tests.ui.conftest import SessionFactory
from tests.ui.test_app import BODIES
from tests.ui.test_snapshots import demo_app

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("size", "entities_beside"),
    [((80, 24), False), ((100, 30), False), ((120, 40), True), ((160, 48), True)],
)
async def test_panes_by_width(
    make_session: SessionFactory, size: tuple[int, int], entities_beside: bool
) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        reader = screen.query_one(Reader)
        threads = screen.query_one(ThreadList)
        assert reader.region.width >= 50
        assert 28 <= threads.region.width <= 42
        assert threads.region.width <= max(28, size[0] * 0.3)
        assert screen.query_one(EntityPanel).display is entities_beside
        assert screen.query_one(StoryList).region.width >= 50


async def test_e_on_a_narrow_screen_shows_entities_in_the_readers_place(
    make_session: SessionFactory,
) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        panel, reader = screen.query_one(EntityPanel), screen.query_one(Reader)
        await pilot.press("e")
        await pilot.pause()
        assert panel.display and app.focused is panel
        assert not reader.display
        assert panel.region.width >= 50
        await pilot.press("tab")  # leaving the panel gives the reader its place back
        await pilot.pause()
        assert reader.display and not panel.display


def test_story_row_keeps_the_headline_in_a_narrow_list() -> None:
    story = Story(
        id="s",
        feed_url="https://a.test/feed",
        source="Pacific Dispatch",
        title="Rotterdam backlog could take weeks to clear",
        link="https://a.test/1",
        summary="",
        published=NOW,
        first_seen=NOW,
    )
    assert "Pacific Dispatch" in story_row(story, NOW, 120).plain
    narrow = story_row(story, NOW, 48).plain
    assert "Pacific" not in narrow
    assert "Rotterdam backlog could take weeks" in fit(Text(narrow), 48).plain


def test_fit_cuts_each_line_and_never_wraps() -> None:
    text = Text("● Valentina Rojas · Chile · Santiago\n    8 · 4 outlets · 23 Nov")
    fitted = fit(text, 20)
    lines = fitted.plain.split("\n")
    assert len(lines) == 2
    assert all(len(line) <= 20 for line in lines)
    assert lines[0].endswith("…")


async def test_the_feeds_table_fits_80_columns(tmp_path: Path) -> None:
    # Not a snapshot: the table shows the real time of the last fetch.
    app = demo_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width
