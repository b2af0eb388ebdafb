"""The app around a refresh: stories shown as soon as they are stored, and a store the user may
not write opened read-only with a notice (reading works, writes say why not)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from briefing.models import Progress
from briefing.pipeline import refresh
from briefing.store import Store
from briefing.ui.app import BriefingApp
from briefing.ui.messages import RefreshProgress
from briefing.ui.widgets.reader import Reader
from briefing.ui.widgets.story_list import StoryList
from briefing.ui.widgets.thread_list import ThreadList
from tests.helpers import settle, unwritable
from tests.ui.conftest import SessionFactory
from tests.ui.test_app import BODIES, titles


def said(app: BriefingApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_stories_show_once_stored_before_entities_and_threads(
    make_session: SessionFactory,
) -> None:
    session = make_session(BODIES)
    app = BriefingApp(session, refresh_on_start=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert titles(app) == []
        # What the refresh worker does: store every feed, then say so (enrichment follows).
        await refresh(session.config, session.db_path, transport=session.transport, enrich=False)
        app.post_message(RefreshProgress(Progress("stored", 2, 2, message="Stored 6 new")))
        await pilot.pause()
        assert len(titles(app)) == 6


async def test_a_read_only_store_opens_with_a_notice_and_refuses_writes(
    make_session: SessionFactory, tmp_path: Path
) -> None:
    session = make_session(BODIES)
    await refresh(session.config, session.db_path, transport=session.transport)
    Store(session.db_path).close()  # a clean close: no -wal or -shm file beside it
    with unwritable(session.db_path):
        app = BriefingApp(session)  # refresh_on_start: refused, not attempted
        async with app.run_test() as pilot:
            await settle(pilot)
            assert any("read-only" in m and "reading, search and export work" in m
                       for m in said(app))  # fmt: skip
            stories = app.screen.query_one(StoryList)
            assert len(stories.stories) == 6
            stories.focus()
            await pilot.press("enter")  # reads the story; marking it read says why not
            opened = stories.current
            assert opened is not None and app.screen.query_one(Reader).story == opened
            assert not opened.read
            assert any(m.startswith("Cannot mark stories read") for m in said(app))
            await pilot.press("r")
            assert any(m.startswith("Cannot refresh") for m in said(app))
            await pilot.press("slash")
            assert isinstance(app.focused, Input)
            await pilot.press(*"rubble", "enter")
            assert titles(app) == ["Quake hits Arequipa"]
            threads = app.screen.query_one(ThreadList)
            threads.focus()
            await pilot.press("j", "s")  # the dossier goes to the export folder, which is writable
            assert any(m.startswith("Saved to") for m in said(app))
            assert app.return_code is None  # still running: no traceback, no exit
    with Store(session.db_path) as store:
        assert len(store.stories(unread_only=True)) == 6
