"""Pilot tests: every binding of the main screen, against a real store and the real pipeline."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input

from briefing.store import Store
from briefing.ui.app import BriefingApp
from briefing.ui.screens.help import HelpScreen
from briefing.ui.widgets.nav_list import NavList
from briefing.ui.widgets.reader import Reader
from briefing.ui.widgets.story_list import StoryList
from tests.conftest import rss
from tests.ui.conftest import SessionFactory

BODIES = {
    "north": rss(
        [
            {"title": f"North story {i}", "link": f"https://north.test/{i}", "guid": f"n{i}",
             "description": f"Northern text {i} about the harbour",
             "pubDate": f"Tue, 17 Nov 2026 {8 + i:02d}:00:00 GMT"}
            for i in range(4)
        ]
    ),
    "south": rss(
        [
            {"title": "Quake hits Arequipa", "link": "https://south.test/q", "guid": "s1",
             "description": "Rescue teams search the rubble",
             "pubDate": "Wed, 18 Nov 2026 07:00:00 GMT"},
            {"title": "Script link", "link": "javascript:alert(1)", "guid": "s2",
             "description": "no link", "pubDate": "Mon, 16 Nov 2026 07:00:00 GMT"},
        ]
    ),
}  # fmt: skip


async def settle(app: BriefingApp, pilot: Pilot[int]) -> None:
    """Let the start-up refresh begin, finish, and its result reach the screen."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def titles(app: BriefingApp) -> list[str]:
    return [s.title for s in app.screen.query_one(StoryList).stories]


async def test_first_screen_refreshes_and_lists_every_outlet(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        stories = app.screen.query_one(StoryList).stories
        assert len(stories) == 6
        assert {s.source for s in stories} == {"North", "South"}
        assert stories[0].title == "Quake hits Arequipa"  # newest first
        labels = [i.label for i in app.screen.query_one(NavList).items]
        assert labels == ["All stories", "Unread", "North", "South"]


async def test_j_k_move_and_enter_marks_read_persistently(make_session: SessionFactory) -> None:
    session = make_session(BODIES)
    app = BriefingApp(session)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        stories = app.screen.query_one(StoryList)
        await pilot.press("j", "j")
        assert stories.highlighted == 2
        await pilot.press("k")
        assert stories.highlighted == 1
        opened = stories.current
        assert opened is not None
        await pilot.press("enter")
        assert app.screen.query_one(Reader).story == opened
        assert stories.current is not None and stories.current.read
    with Store(session.db_path) as store:
        assert store.story(opened.id).read is True
    again = BriefingApp(session, refresh_on_start=False)
    async with again.run_test() as pilot:
        await pilot.pause()
        listed = {s.id: s for s in again.screen.query_one(StoryList).stories}
        assert listed[opened.id].read and sum(not s.read for s in listed.values()) == 5


async def test_m_toggles_read(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(app, pilot)
        stories = app.screen.query_one(StoryList)
        await pilot.press("m")
        assert stories.current is not None and stories.current.read
        assert app.screen.query_one(NavList).items[0].count == 5
        await pilot.press("m")
        assert not stories.current.read
        assert app.screen.query_one(NavList).items[0].count == 6


async def test_tab_moves_between_panes(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert app.focused is app.screen.query_one(StoryList)
        await pilot.press("tab")
        assert app.focused is app.screen.query_one(Reader)
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is app.screen.query_one(NavList)


async def test_nav_filters_by_feed(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(app, pilot)
        app.screen.query_one(NavList).focus()
        await pilot.press("j", "j", "j")  # All, Unread, North, South
        await pilot.pause()
        assert set(titles(app)) == {"Quake hits Arequipa", "Script link"}


async def test_slash_searches_and_escape_clears(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"rubble", "enter")
        assert titles(app) == ["Quake hits Arequipa"]
        assert "rubble" in str(app.screen.query_one(StoryList).border_title)
        await pilot.press("escape")
        assert len(titles(app)) == 6


async def test_o_opens_only_web_links(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    opened: list[str] = []
    app.open_url = lambda url, new_tab=True: opened.append(url)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        assert opened == ["https://south.test/q"]
        await pilot.press("end", "o")  # the javascript: link, stored as no link at all
        assert opened == ["https://south.test/q"]
        assert app.screen.query_one(StoryList).current.title == "Script link"


async def test_r_refreshes_again_with_progress(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        label = app.screen.query_one("#refresh-label")
        assert "0 new stories" in str(label.render())


async def test_question_mark_lists_every_binding(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {row[2] for row in app.screen.bindings}
        assert {"quit", "help", "refresh", "search", "toggle-read", "open-link"} <= ids
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_has_the_apps_commands(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(app, pilot)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Refresh feeds", "Search stories", "Toggle read", "Open link"} <= set(commands)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_q_quits(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES), refresh_on_start=False)
    async with app.run_test() as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_hostile_titles_render_literally(make_session: SessionFactory) -> None:
    nasty = "[bold red]x[/] [@click=app.quit]go[/] \x1b]52;c;aGk=\x07:skull: $accent \\"
    body = rss([{"title": f"<![CDATA[{nasty}]]>", "link": "https://h.test/1", "guid": "h"}])
    app = BriefingApp(make_session({"hostile": body}))
    async with app.run_test() as pilot:
        await settle(app, pilot)
        [story] = app.screen.query_one(StoryList).stories
        assert story.title == "[bold red]x[/] [@click=app.quit]go[/] :skull: $accent \\"
        await pilot.press("enter")
        header = app.screen.query_one("#reader-header")
        assert story.title in str(header.render())
        assert app.is_running  # the [@click=app.quit] did nothing
