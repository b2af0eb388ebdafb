"""Issue 14, item 15: escape takes off the innermost filter and goes back to where you were."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from briefing.models import EntityCount
from briefing.ui.screens.main import MainScreen
from briefing.ui.widgets.story_list import StoryList
from briefing.ui.widgets.thread_list import ThreadList
from tests.helpers import settle
from tests.ui.test_snapshots import demo_app


async def test_escape_after_a_search_goes_back_to_the_open_thread(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        threads, stories = screen.query_one(ThreadList), screen.query_one(StoryList)
        await pilot.press("j", "j", "enter", "j")  # the 2nd thread open, its 2nd story read
        await pilot.pause()
        thread, story = threads.current, stories.current
        assert thread is not None and story is not None
        await pilot.press("slash", *"measles", "enter")
        await pilot.pause()
        assert screen.search_text == "measles"
        assert threads.current is None or threads.current.id != thread.id
        await pilot.press("escape")
        await pilot.pause()
        assert screen.search_text == ""
        assert threads.current is not None and threads.current.id == thread.id
        assert stories.current is not None and stories.current.id == story.id
        assert app.focused is stories


async def test_escape_takes_off_the_search_before_the_entity(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        threads = screen.query_one(ThreadList)
        await pilot.press("j")
        first = threads.current
        assert first is not None
        chile = app.store.find_entities("Chile", limit=1)[0]
        screen.filter_entity(EntityCount(chile.key, chile.name, chile.type, chile.mentions))
        await pilot.pause()
        await pilot.press("j", "j")
        in_filter = threads.current
        assert in_filter is not None
        await pilot.press("slash", *"copper", "enter")
        await pilot.pause()
        assert screen.entity is not None and screen.search_text == "copper"
        await pilot.press("escape")
        await pilot.pause()
        assert screen.entity is not None and screen.search_text == ""  # the search went first
        assert threads.current is not None and threads.current.id == in_filter.id
        await pilot.press("escape")
        await pilot.pause()
        assert screen.entity is None
        assert threads.current is not None and threads.current.id == first.id


async def test_escape_in_the_search_box_drops_what_was_typed_only(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        threads = screen.query_one(ThreadList)
        await pilot.press("slash", *"idlib", "enter")
        await pilot.pause()
        await pilot.press("j")
        thread = threads.current
        await pilot.press("slash", *"xyz")
        await pilot.press("escape")
        await pilot.pause()
        assert screen.search_text == "idlib"
        assert screen.query_one("#search", Input).value == "idlib"
        assert threads.current == thread and app.focused is threads
