"""Pilot tests: corrections by hand (d detach, M merge, R rename, u undo) and w why."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from briefing.store import Store
from briefing.ui.app import BriefingApp
from briefing.ui.screens.corrections import MergeDialog, RenameDialog, WhyScreen
from briefing.ui.screens.help import HelpScreen
from briefing.ui.widgets.story_list import StoryList
from briefing.ui.widgets.thread_list import ThreadList
from tests.test_corrections import seed
from tests.ui.conftest import SessionFactory

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def seeded_app(make_session: SessionFactory) -> BriefingApp:
    """Thread 1 "Harbour strike" (id0..id3, id3 a copy of id2), 2 "Port talks" (id4, id5)."""
    session = make_session({})
    seed(session.db_path).close()
    return BriefingApp(session, refresh_on_start=False, clock=lambda: NOW)


async def open_thread(app: BriefingApp, pilot: Pilot[int], name: str | int) -> None:
    """Open a thread by name or id."""
    threads = app.screen.query_one(ThreadList)
    threads.focus()
    threads.cursor = next(i + 1 for i, t in enumerate(threads.threads) if name in (t.name, t.id))
    await pilot.press("enter")
    await pilot.pause(0.1)


def story_ids(app: BriefingApp) -> list[str]:
    return [s.id for s in app.screen.query_one(StoryList).stories]


def thread_names(app: BriefingApp) -> list[str]:
    return [t.name for t in app.screen.query_one(ThreadList).threads]


def thread_of(app: BriefingApp, story_id: str) -> int:
    with Store(app.session.db_path) as store:
        story = store.story(story_id)
        assert story is not None and story.thread_id is not None
        return story.thread_id


def why_text(app: BriefingApp) -> str:
    return str(app.screen.query_one("#why-text", Static).visual)  # Content: its plain text


def messages(app: BriefingApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_d_detaches_the_story_and_u_puts_it_back(make_session: SessionFactory) -> None:
    app = seeded_app(make_session)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(app, pilot, "Harbour strike")
        assert story_ids(app) == ["id0", "id1", "id2"]  # id3 is shown as a copy of id2
        await pilot.press("j")
        assert app.screen.query_one(StoryList).current.id == "id1"
        await pilot.press("d")
        assert story_ids(app) == ["id0", "id2"]
        assert app.screen.query_one(StoryList).current.id == "id2"  # the cursor stays put
        assert len(app.screen.query_one(ThreadList).threads) == 3
        assert any("out of “Harbour strike”" in m for m in messages(app))
        with Store(app.session.db_path) as store:
            moved = store.story("id1")
            assert moved is not None and moved.thread_id not in {1, 2}
        await pilot.press("u")
        assert story_ids(app) == ["id0", "id1", "id2"]
        assert len(app.screen.query_one(ThreadList).threads) == 2
        assert any(m.startswith("Put “Harbour strike talks day 1” back") for m in messages(app))
        await pilot.press("u")
        assert "Nothing to undo." in messages(app)


async def test_d_refuses_a_story_alone_in_its_thread(make_session: SessionFactory) -> None:
    app = seeded_app(make_session)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(app, pilot, "Harbour strike")
        await pilot.press("j", "d")
        await open_thread(app, pilot, thread_of(app, "id1"))
        assert story_ids(app) == ["id1"]
        await pilot.press("d")
        assert story_ids(app) == ["id1"]
        assert "That story is alone in its thread already." in messages(app)


async def test_R_renames_literally_and_u_restores(make_session: SessionFactory) -> None:
    app = seeded_app(make_session)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(app, pilot, "Port talks")
        await pilot.press("R")
        assert isinstance(app.screen, RenameDialog)
        name = app.screen.query_one(Input)
        assert name.value == "Port talks"
        name.value = ""
        await pilot.press(*"[b]Dock[/b] talks", "enter")
        assert not isinstance(app.screen, RenameDialog)
        assert "[b]Dock[/b] talks" in thread_names(app)
        title = app.screen.query_one(StoryList).border_title  # given as markup: parse it back
        assert title is not None and Content.from_markup(title).plain == "[b]Dock[/b] talks (2)"
        with Store(app.session.db_path) as store:
            store.set_thread_names({2: "Engine name"})  # a refresh names threads again
            assert store.thread(2).name == "[b]Dock[/b] talks"
        await pilot.press("R", "escape")  # escape cancels
        assert "[b]Dock[/b] talks" in thread_names(app)
        await pilot.press("u")
        assert "Port talks" in thread_names(app) and "[b]Dock[/b] talks" not in thread_names(app)


async def test_M_merges_into_the_picked_thread_and_u_splits(make_session: SessionFactory) -> None:
    app = seeded_app(make_session)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(app, pilot, "Port talks")
        await pilot.press("M")
        assert isinstance(app.screen, MergeDialog)
        options = app.screen.query_one(OptionList)
        assert options.option_count == 1  # every thread but this one
        await pilot.press(*"nothing like it")
        assert options.option_count == 0
        await pilot.press("enter")
        assert isinstance(app.screen, MergeDialog) and "No thread matches." in messages(app)
        app.screen.query_one(Input).value = ""
        await pilot.press(*"harb", "enter")
        assert not isinstance(app.screen, MergeDialog)
        assert thread_names(app) == ["Harbour strike"]
        current = app.screen.query_one(ThreadList).current
        assert current is not None and current.id == 1 and current.stories == 6
        with Store(app.session.db_path) as store:
            assert store.resolve_thread(2) == 1
        await pilot.press("u")
        assert sorted(thread_names(app)) == ["Harbour strike", "Port talks"]
        await open_thread(app, pilot, "Port talks")
        assert story_ids(app) == ["id4", "id5"]


async def test_w_shows_why_the_story_is_in_its_thread(make_session: SessionFactory) -> None:
    app = seeded_app(make_session)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(app, pilot, "Harbour strike")
        await pilot.press("j", "w")
        assert isinstance(app.screen, WhyScreen)
        why = app.screen.found
        assert why.story.id == "id1" and why.score == 0.8
        plain = why_text(app)
        assert "Joined with a score of 0.80" in plain
        assert "Rotterdam" in plain and "3 of 3" in plain  # the shared place
        assert "Harbour 3" in plain  # a shared word, in how many other stories
        await pilot.press("escape")
        assert not isinstance(app.screen, WhyScreen)
        await pilot.press("d", "w")  # after detaching: moved here by hand, alone
        assert isinstance(app.screen, WhyScreen)
        assert app.screen.found.story.id == "id2"


async def test_w_on_a_detached_story_says_the_user_moved_it(make_session: SessionFactory) -> None:
    app = seeded_app(make_session)
    async with app.run_test(size=(140, 40)) as pilot:
        await open_thread(app, pilot, "Harbour strike")
        await pilot.press("j", "d")
        await open_thread(app, pilot, thread_of(app, "id1"))
        await pilot.press("w")
        plain = why_text(app)
        assert "You moved it here from “Harbour strike”" in plain
        assert "only story in its thread" in plain


async def test_help_lists_the_correction_keys(make_session: SessionFactory) -> None:
    app = seeded_app(make_session)
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = {row[2]: row[0] for row in app.screen.bindings}
        assert keys["detach-story"] == "d" and keys["merge-thread"] == "M"
        assert keys["rename-thread"] == "R" and keys["undo-correction"] == "u"
        assert keys["why-story"] == "w"
