"""Pilot tests: every binding of the main screen, against a real store and the real pipeline."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from textual.command import CommandPalette
from textual.widgets import Checkbox, DataTable, Input, Static

from briefing.config import Config, Session, Settings
from briefing.models import Feed
from briefing.store import Store
from briefing.ui.app import BriefingApp
from briefing.ui.screens.export import ExportDialog
from briefing.ui.screens.feeds import FeedsScreen
from briefing.ui.screens.help import HelpScreen
from briefing.ui.screens.main import PREVIEW_DELAY, MainScreen
from briefing.ui.widgets.entity_panel import EntityPanel
from briefing.ui.widgets.reader import Reader
from briefing.ui.widgets.story_list import StoryList
from briefing.ui.widgets.thread_list import ThreadList
from tests.helpers import rss, settle
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


def titles(app: BriefingApp) -> list[str]:
    return [s.title for s in app.screen.query_one(StoryList).stories]


async def test_first_screen_refreshes_and_lists_every_outlet(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        stories = app.screen.query_one(StoryList).stories
        assert len(stories) == 6
        assert {s.source for s in stories} == {"North", "South"}
        assert stories[0].title == "Quake hits Arequipa"  # newest first
        threads = app.screen.query_one(ThreadList)
        assert threads.current is None  # the "All stories" row
        assert sum(t.stories for t in threads.threads) == 6


async def test_j_k_move_and_enter_marks_read_persistently(make_session: SessionFactory) -> None:
    session = make_session(BODIES)
    app = BriefingApp(session)
    async with app.run_test() as pilot:
        await settle(pilot)
        stories = app.screen.query_one(StoryList)
        stories.focus()
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
        await settle(pilot)
        stories = app.screen.query_one(StoryList)
        stories.focus()
        await pilot.press("m")
        assert stories.current is not None and stories.current.read
        threads = app.screen.query_one(ThreadList).threads
        assert sum(t.unread for t in threads) == 5
        await pilot.press("m")
        assert not stories.current.read
        assert sum(t.unread for t in app.screen.query_one(ThreadList).threads) == 6


async def test_tab_moves_between_panes(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(140, 40)) as pilot:  # wide: the entity panel is beside
        await settle(pilot)
        assert app.focused is app.screen.query_one(ThreadList)
        await pilot.press("tab")
        assert app.focused is app.screen.query_one(StoryList)
        await pilot.press("tab")
        assert app.focused is app.screen.query_one(Reader)
        await pilot.press("tab")
        assert app.focused is app.screen.query_one(EntityPanel)
        await pilot.press("shift+tab", "shift+tab", "shift+tab")
        assert app.focused is app.screen.query_one(ThreadList)


async def test_choosing_a_thread_shows_its_timeline(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(pilot)
        threads = app.screen.query_one(ThreadList)
        await pilot.press("j")
        # The stories load once the cursor has rested PREVIEW_DELAY: wait that long, as a
        # reader does (not on the key latency of Pilot happening to exceed it).
        await pilot.pause(PREVIEW_DELAY)
        await pilot.pause()
        thread = threads.current
        assert thread is not None
        listed = app.screen.query_one(StoryList).stories
        assert len(listed) == thread.stories
        assert [s.published for s in listed] == sorted(s.published for s in listed)
        assert {s.thread_id for s in listed} == {thread.id}


async def test_opening_a_thread_starts_at_its_first_story(make_session: SessionFactory) -> None:
    # The story picked under "All stories" must not carry into a thread's timeline: where the
    # cursor lands may not depend on whether the preview timer fired between key presses.
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(pilot)
        threads = app.screen.query_one(ThreadList)
        stories = app.screen.query_one(StoryList)
        index, thread = next((i, t) for i, t in enumerate(threads.threads) if t.stories > 1)
        newest = next(s for s in stories.stories if s.thread_id == thread.id)
        stories.focus()
        await pilot.press(*["j"] * stories.stories.index(newest))
        assert stories.current == newest
        threads.focus()
        # Move as a fast key burst would: before the preview timer has loaded the thread.
        with threads.prevent(ThreadList.Chosen):
            threads.cursor = index + 1
        await pilot.press("enter")
        await pilot.pause()
        assert threads.current is not None and threads.current.id == thread.id
        assert stories.current is not None
        assert stories.current.id == stories.stories[0].id != newest.id


async def test_slash_searches_and_escape_clears(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"rubble", "enter")
        assert titles(app) == ["Quake hits Arequipa"]
        assert "rubble" in str(app.screen.query_one(ThreadList).border_subtitle)
        assert all(
            "Arequipa" in t.name or t.stories == 1 for t in app.screen.query_one(ThreadList).threads
        )
        await pilot.press("escape")
        assert len(titles(app)) == 6


async def test_o_opens_only_web_links(
    make_session: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = BriefingApp(make_session(BODIES))
    opened: list[str] = []

    def browser(url: str, *_: object, **__: object) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr("webbrowser.open", browser)
    async with app.run_test() as pilot:
        await settle(pilot)
        app.screen.query_one(StoryList).focus()
        await pilot.press("o")
        assert opened == ["https://south.test/q"]
        await pilot.press("end", "o")  # the javascript: link, stored as no link at all
        assert opened == ["https://south.test/q"]
        assert app.screen.query_one(StoryList).current.title == "Script link"


async def test_o_without_a_browser_shows_the_link_and_leaves_the_story_unread(
    make_session: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = BriefingApp(make_session(BODIES))
    monkeypatch.setattr("webbrowser.open", lambda *_, **__: False)
    async with app.run_test() as pilot:
        await settle(pilot)
        stories = app.screen.query_one(StoryList)
        stories.focus()
        assert stories.current.link == "https://south.test/q" and not stories.current.read
        await pilot.press("o")
        said = [n.message for n in app._notifications]
        assert any(m.startswith("No browser found") and "https://south.test/q" in m for m in said)
        assert not any(m.startswith("Opened") for m in said)
        assert app.clipboard == "https://south.test/q"
        assert not stories.current.read
        with Store(app.session.db_path) as store:
            assert not store.story(stories.current.id).read


async def test_r_refreshes_again_with_progress(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        label = app.screen.query_one("#refresh-label")
        assert "0 new stories" in str(label.render())


async def test_question_mark_lists_every_binding(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {row[2] for row in app.screen.bindings}
        assert {"quit", "help", "refresh", "search", "toggle-read", "open-link"} <= ids
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_has_the_apps_commands(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(pilot)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert {
            "Refresh feeds",
            "Search",
            "Toggle read",
            "Open link",
            "Toggle thread order",
        } <= set(commands)
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
        await settle(pilot)
        [story] = app.screen.query_one(StoryList).stories
        assert story.title == "[bold red]x[/] [@click=app.quit]go[/] :skull: $accent \\"
        app.screen.query_one(StoryList).focus()
        await pilot.press("enter")
        header = app.screen.query_one("#reader-title")
        assert story.title in str(header.render())
        assert app.is_running  # the [@click=app.quit] did nothing


async def test_e_then_enter_filters_by_entity_and_escape_clears(
    make_session: SessionFactory,
) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        stories = app.screen.query_one(StoryList)
        stories.focus()
        await pilot.press("home")  # "Quake hits Arequipa": Arequipa is a place
        await pilot.pause()
        await pilot.press("e")
        panel = app.screen.query_one(EntityPanel)
        assert app.focused is panel
        names = {e.name for e in panel.entities.values()}
        assert "Arequipa" in names
        target = next(i for i, o in enumerate(panel.options) if o.id and o.id.endswith(":arequipa"))
        panel.highlighted = target
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert screen.entity is not None and screen.entity.name == "Arequipa"  # type: ignore[attr-defined]
        assert titles(app) == ["Quake hits Arequipa"]
        assert all(
            t.id == stories.stories[0].thread_id for t in screen.query_one(ThreadList).threads
        )
        await pilot.press("escape")
        assert len(titles(app)) == 6


async def test_m_on_a_thread_marks_the_whole_thread(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(pilot)
        threads = app.screen.query_one(ThreadList)
        await pilot.press("j")
        thread = threads.current
        assert thread is not None and thread.unread == thread.stories
        await pilot.press("m")
        await pilot.pause()
        assert threads.current is not None and threads.current.unread == 0
        with Store(app.session.db_path) as store:
            assert all(s.read for s in store.stories(thread_id=thread.id))


async def test_m_on_a_thread_clears_its_new_marker_and_on_all_stories_says_why_not(
    make_session: SessionFactory,
) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(pilot)
        threads = app.screen.query_one(ThreadList)
        await pilot.press("j")
        assert threads.current is not None and threads.current.new > 0
        chosen = threads.current.id
        await pilot.press("m")
        await pilot.pause()
        again = next(t for t in threads.threads if t.id == chosen)
        assert again.unread == 0 and again.new == 0
        await pilot.press("home")
        assert threads.current is None  # "All stories"
        with Store(app.session.db_path) as store:
            before = [s.read for s in store.stories()]
        await pilot.press("m")
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert any(m.startswith("m marks the highlighted thread") for m in said)
        with Store(app.session.db_path) as store:
            assert [s.read for s in store.stories()] == before


async def test_enter_on_a_thread_clears_its_new_marker(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(pilot)
        threads = app.screen.query_one(ThreadList)
        await pilot.press("j")
        assert threads.current is not None and threads.current.new > 0
        chosen = threads.current.id
        await pilot.press("enter")
        await pilot.pause()
        again = next(t for t in threads.threads if t.id == chosen)
        assert again.new == 0
        assert app.focused is app.screen.query_one(StoryList)


async def test_t_toggles_latest_first(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(pilot)
        threads = app.screen.query_one(ThreadList)
        assert "briefing" in str(threads.border_title)
        await pilot.press("t")
        assert "latest first" in str(threads.border_title)
        seen = [t.last_seen for t in threads.threads]
        assert seen == sorted(seen, reverse=True)


async def test_F_shows_every_feed_with_its_status(make_session: SessionFactory) -> None:
    bodies = {**BODIES, "broken": b"<html><body>not a feed</body></html>"}
    app = BriefingApp(make_session(bodies))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        assert isinstance(app.screen, FeedsScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 3
        status = {str(table.get_row(url)[1]): str(table.get_row(url)[3]) for url in table.rows}
        assert status["Broken"] == "not a feed (HTML page)"
        assert status["North"].startswith("ok")
        await pilot.press("escape")
        assert not isinstance(app.screen, FeedsScreen)


async def test_s_saves_the_thread_and_S_asks_where(make_session: SessionFactory) -> None:
    session = make_session(BODIES)
    app = BriefingApp(session)
    folder = session.config.settings.export_dir
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        thread = app.screen.query_one(ThreadList).current
        assert thread is not None
        await pilot.press("s")
        [saved] = folder.iterdir()
        assert saved.name.endswith(f"-{thread.id}.md")
        assert saved.read_text().startswith(f"<!-- briefing dossier: thread {thread.id} -->")
        saved_thread = app.store.thread(thread.id)
        assert saved_thread is not None and saved_thread.kept  # a saved thread is never pruned
        await pilot.press("S")
        assert isinstance(app.screen, ExportDialog)
        field = app.screen.query_one(Input)
        assert field.value == str(saved)
        field.value = str(folder / "mine.md")
        await pilot.press("enter")
        await pilot.pause()
        assert (folder / "mine.md").read_text() == saved.read_text()
        (folder / "mine.md").write_text("not briefing's")
        await pilot.press("S")
        app.screen.query_one(Input).value = str(folder / "mine.md")
        await pilot.press("enter")
        await pilot.pause()
        assert (folder / "mine.md").read_text() == "not briefing's"  # refused, not overwritten


async def test_shift_k_keeps_and_unkeeps_the_thread(make_session: SessionFactory) -> None:
    session = make_session(BODIES)
    app = BriefingApp(session)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.screen.query_one(ThreadList)
        threads.focus()
        await pilot.press("j")
        thread = threads.current
        assert thread is not None and not thread.kept
        await pilot.press("K")
        assert threads.current is not None and threads.current.kept
        assert "kept" in threads.render_row(threads.current, 1).plain
        assert threads.highlighted == 1  # the cursor stays on the thread
        with Store(session.db_path) as store:
            kept = store.thread(thread.id)
            assert kept is not None and kept.kept
        await pilot.press("K")
        assert threads.current is not None and not threads.current.kept
    with Store(session.db_path) as store:
        unkept = store.thread(thread.id)
        assert unkept is not None and not unkept.kept


async def test_S_refusal_keeps_the_dialog_open_and_offers_to_overwrite(
    make_session: SessionFactory,
) -> None:
    session = make_session(BODIES)
    app = BriefingApp(session)
    mine = session.config.settings.export_dir / "mine.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("not briefing's")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "S")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        dialog.query_one(Input).value = str(mine)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and dialog.query_one(Input).value == str(mine)
        status = str(dialog.query_one("#export-status", Static).render())
        assert "exists and was not written by briefing" in status and "--force" not in status
        assert [n for n in app._notifications if "--force" in n.message] == []
        assert app.focused is dialog.query_one(Checkbox)
        assert mine.read_text() == "not briefing's"
        await pilot.press("space", "enter")  # tick "Overwrite…", then save
        await pilot.pause()
        assert app.screen is not dialog
        assert mine.read_text().startswith("<!-- briefing dossier")


async def test_S_with_a_path_ending_in_slash_saves_inside_a_new_folder(
    make_session: SessionFactory,
) -> None:
    session = make_session(BODIES)
    app = BriefingApp(session)
    newdir = session.config.settings.export_dir / "newdir"
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        thread = app.screen.query_one(ThreadList).current
        await pilot.press("S")
        assert isinstance(app.screen, ExportDialog)
        app.screen.query_one(Input).value = f"{newdir}/"
        await pilot.press("enter")
        await pilot.pause()
        assert newdir.is_dir()
        [saved] = newdir.iterdir()
        assert saved.name.endswith(f"-{thread.id}.md")


async def test_palette_finds_entities_and_threads_literally(make_session: SessionFactory) -> None:
    from briefing.ui.commands import EntityCommands, ThreadCommands

    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        provider = EntityCommands(app.screen)
        hits = [hit async for hit in provider.search("areq")]
        assert hits and str(hits[0].text) == "Find entity: Arequipa"
        hits[0].command()
        await pilot.pause()
        assert app.screen.entity is not None and app.screen.entity.name == "Arequipa"  # type: ignore[attr-defined]
        assert titles(app) == ["Quake hits Arequipa"]
        threads = app.screen.query_one(ThreadList).threads
        target = threads[0]
        app.screen.action_clear_filters()  # type: ignore[attr-defined]
        await pilot.pause()
        found = [hit async for hit in ThreadCommands(app.screen).search(target.name[:6])]
        assert any(h.text == f"Go to thread: {target.name}" for h in found)
        next(h for h in found if h.text == f"Go to thread: {target.name}").command()
        await pilot.pause()
        assert app.screen.query_one(ThreadList).current.id == target.id


async def test_counts_say_1_story_and_1_outlet(make_session: SessionFactory) -> None:
    from briefing.ui.commands import ThreadCommands

    app = BriefingApp(make_session({"south": BODIES["south"]}))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        label = str(app.screen.query_one("#refresh-label").render())
        assert "Refreshed 1 feed at" in label and "2 new stories" in label
        found = [hit async for hit in ThreadCommands(app.screen).search("quake")]
        assert [str(h.help) for h in found] == ["1 story from 1 outlet"]


def test_reader_shows_an_authors_name_not_the_rss_email() -> None:
    from briefing.ui.render import author_name

    assert author_name("news@steppe-herald.example (Dmitri Sokolov)") == "Dmitri Sokolov"
    assert author_name("Maria Delgado") == "Maria Delgado"
    assert author_name("desk@x.example") == "desk@x.example"
    assert author_name("Ann (Reuters)") == "Ann (Reuters)"


def test_palette_hits_never_parse_markup() -> None:
    from textual.fuzzy import Matcher

    from briefing.ui.commands import plain_highlight

    name = "[@click=app.quit]Erdoğan[/] [bold]x"
    content = plain_highlight(Matcher("erd"), name)
    assert content.plain == name


async def test_a_common_word_shows_an_estimated_count(
    make_session: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.store import search as store_search

    monkeypatch.setattr(store_search, "HITS_CAP", 2)  # "north" is in 4 stories: past the cap
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.screen.query_one(ThreadList)
        assert "6 stories" in threads.render_row(None, 0).plain
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.search_text = "north"
        screen.reload()
        assert "about " in threads.render_row(None, 0).plain
        screen.search_text = "arequipa"
        screen.reload()
        assert "1 stories" in threads.render_row(None, 0).plain
        assert "about" not in threads.render_row(None, 0).plain


async def test_lists_cut_at_their_limit_say_how_many_match(
    make_session: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The thread list holds the latest THREAD_LIMIT threads, a search or an entity lists its
    # latest FILTERED_LIMIT threads and stories; the titles say there are more ("2+", "2
    # newest of 4"), not only the length of the list.
    from briefing.ui.screens import main

    monkeypatch.setattr(main, "THREAD_LIMIT", 2)
    monkeypatch.setattr(main, "FILTERED_LIMIT", 2)
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        threads, stories = screen.query_one(ThreadList), screen.query_one(StoryList)
        assert len(threads.threads) == 2 and threads.border_title == "Threads (2+, briefing)"
        assert stories.border_title == "All stories (6)"
        screen.search_text = "north"  # 4 stories, one thread
        screen.reload()
        assert [s.title for s in stories.stories] == ["North story 3", "North story 2"]
        assert stories.border_title == "All stories (2 newest of 4)"
        assert "4 stories" in threads.render_row(None, 0).plain  # every match counted
        assert threads.border_title == "Threads (1, briefing)"
        screen.search_text = "arequipa"
        screen.reload()
        assert stories.border_title == "All stories (1)"


async def test_all_stories_paint_their_first_page_then_the_rest(
    make_session: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first paint lists FIRST_PAGE stories (a big store's 2,000 rows cost startup time);
    # the rest follow right after, cursor and reader where they were.
    from briefing.ui.screens import main

    session = make_session(BODIES)
    app = BriefingApp(session)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
    monkeypatch.setattr(main, "FIRST_PAGE", 2)
    painted: list[int] = []

    class Probe(BriefingApp):
        def on_ready(self) -> None:
            painted.append(len(self.screen.query_one(StoryList).stories))

    again = Probe(session, refresh_on_start=False)
    async with again.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        stories = again.screen.query_one(StoryList)
        assert painted == [2]
        assert len(stories.stories) == 6 and stories.border_title == "All stories (6)"
        assert stories.highlighted == 0
        assert again.screen.query_one(Reader).story == stories.stories[0]


async def test_offline_first_run_says_why_in_the_list_and_status(tmp_path: Path) -> None:
    # Issue 14, item 16: not an empty screen with only "2 failed".
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    feeds = (Feed(name="A", url="https://a.test/feed"), Feed(name="B", url="https://b.test/feed"))
    settings = Settings(store=tmp_path / "o.db", export_dir=tmp_path / "out")
    session = Session(Config(feeds=feeds, settings=settings), tmp_path / "o.db",
                      httpx.MockTransport(offline))  # fmt: skip
    app = BriefingApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        stories = app.screen.query_one(StoryList)
        assert not stories.rows
        note = stories.empty_text
        assert note.startswith("Every feed failed: could not find the server (DNS lookup failed)")
        assert "offline?" in note and "F shows each feed" in note
        assert "briefing --demo works offline" in note
        label = app.screen.query_one("#refresh-label", Static)
        assert "Every feed failed" in str(label.render())


async def test_a_search_without_results_says_so_in_the_list(make_session: SessionFactory) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzzqqq", "enter")
        await pilot.pause()
        stories = app.screen.query_one(StoryList)
        assert not stories.rows
        assert stories.empty_text == "No stories match “zzzqqq”: escape takes the filter off."
        assert "No stories match" in "".join(seg.text for seg in stories.render_line(0)._segments)


def test_the_all_stories_row_groups_thousands() -> None:
    from briefing.ui.widgets.thread_list import all_row

    assert "1,000,000 stories, newest first" in all_row(1_000_000).plain
    assert "about 2,500 stories" in all_row(2_500, approx=True).plain


async def test_going_to_a_thread_shows_its_stories_at_once(
    make_session: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The palette's "go to thread" and the brief's enter jump: no waiting for the cursor to
    # rest, which is for held keys (a preview delay of 30 s would show it).
    monkeypatch.setattr("briefing.ui.screens.main.PREVIEW_DELAY", 30.0)
    app = BriefingApp(make_session(BODIES))
    async with app.run_test() as pilot:
        await settle(pilot)
        threads = app.screen.query_one(ThreadList)
        thread = next(t for t in threads.threads if t.stories > 1)
        app.go_to_thread(thread.id)
        await pilot.pause()
        listed = app.screen.query_one(StoryList).stories
        assert listed and {s.thread_id for s in listed} == {thread.id}
