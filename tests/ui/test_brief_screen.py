"""Pilot tests: b opens the briefing; enter opens a thread; closing marks the brief."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Group
from rich.text import Text
from textual.widgets import OptionList

from briefing.store import Store
from briefing.ui.app import BriefingApp
from briefing.ui.screens.brief import BriefScreen
from briefing.ui.screens.main import MainScreen
from briefing.ui.widgets.story_list import StoryList
from briefing.ui.widgets.thread_head import ThreadHead
from briefing.ui.widgets.thread_list import ThreadList
from tests.helpers import settle
from tests.test_brief import seed
from tests.ui.conftest import SessionFactory


def app_with_thread(make_session: SessionFactory, **kw: Any) -> BriefingApp:
    """Thread 1 "Idlib · patrols" (three hostile-looking stories), thread 2 a single."""
    session = make_session({})
    seed(session.db_path).close()
    return BriefingApp(session, refresh_on_start=False, clock=lambda: datetime.now(UTC), **kw)


def shown(app: BriefingApp) -> str:
    options = app.screen.query_one(OptionList)
    lines = []
    for i in range(options.option_count):
        prompt = options.get_option_at_index(i).prompt
        parts = prompt.renderables if isinstance(prompt, Group) else [prompt]
        lines += [part.plain if isinstance(part, Text) else str(part) for part in parts]
    return "\n".join(lines)


async def test_b_shows_the_brief_and_enter_opens_the_thread(make_session: SessionFactory) -> None:
    app = app_with_thread(make_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BriefScreen)
        text = shown(app)
        assert "Idlib · patrols" in text and "[bold]Idlib[/bold]" in text  # markup stays text
        assert "\x1b" not in text and "A quiet single story" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert {s.id for s in app.screen.query_one(StoryList).stories} == {"h0", "h1", "h2"}
    with Store(app.session.db_path) as store:
        assert store.last_brief() is not None  # seen: the next brief starts there


async def test_escape_closes_and_the_brief_opens_at_start_only_when_something_is_new(
    make_session: SessionFactory,
) -> None:
    app = app_with_thread(make_session, brief_on_start=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, BriefScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    again = BriefingApp(app.session, refresh_on_start=False, brief_on_start=True)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, MainScreen)  # nothing grew since the mark
        await pilot.press("b")
        await settle(pilot)
        assert "Nothing new since then." in shown(again)


async def test_j_and_k_move_between_threads(make_session: SessionFactory) -> None:
    app = app_with_thread(make_session)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        with Store(app.session.db_path) as store:
            store.mark_brief(datetime.now(UTC) - timedelta(days=1))
        await pilot.press("b")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        assert options.highlighted == 0
        await pilot.press("j")
        assert options.highlighted == 0  # the singles are not a thread to open
        await pilot.press("k")
        assert options.highlighted == 0


async def test_a_threads_timeline_starts_with_its_summary(make_session: SessionFactory) -> None:
    app = app_with_thread(make_session)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        head = app.screen.query_one(ThreadHead)
        assert not head.has_class("-shown")  # "All stories": no thread, no summary
        threads = app.screen.query_one(ThreadList)
        threads.focus()
        threads.cursor = next(i + 1 for i, t in enumerate(threads.threads) if t.id == 1)
        await pilot.press("enter")
        await settle(pilot)
        assert head.has_class("-shown") and head.display
        text = str(head.render())
        assert "Idlib" in text and "[bold]Idlib[/bold]" in text and "— Outlet" in text
