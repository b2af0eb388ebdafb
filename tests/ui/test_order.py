"""Issue 14, item 6: reading never reorders the thread list under the cursor.

Opening a thread (enter) or marking it read (m) changes its "+N new" and unread counts, which
the briefing order weighs; the list is re-ranked on the next refresh or reload, not at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot

from briefing.config import Session
from briefing.demo import demo_config, demo_transport
from briefing.ui.app import BriefingApp
from briefing.ui.widgets.thread_list import ThreadList
from tests.helpers import settle


def demo_app(tmp_path: Path) -> BriefingApp:
    """The demo on the real clock: stories first seen now are no longer new once opened."""
    db = tmp_path / "demo.db"
    session = Session(demo_config(db_path=db), db, demo_transport(), demo=True)
    return BriefingApp(session, clock=lambda: datetime.now(UTC))


def order(threads: ThreadList) -> list[int]:
    return [t.id for t in threads.threads]


async def open_second_thread(app: BriefingApp, pilot: Pilot[int]) -> tuple[ThreadList, list[int]]:
    """The settle demo's thread list and its order, once the second thread is opened."""
    await settle(pilot)
    threads = app.screen.query_one(ThreadList)
    before = order(threads)
    threads.cursor = 1
    await pilot.press("enter")
    await pilot.pause()
    return threads, before


async def test_opening_threads_keeps_their_places(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.screen.query_one(ThreadList)
        before = order(threads)
        for index in range(1, 7):
            threads.focus()
            threads.cursor = index
            chosen = threads.current
            assert chosen is not None
            await pilot.press("enter")
            await pilot.pause()
            assert order(threads) == before
            assert threads.current is not None and threads.current.id == chosen.id
            assert threads.current.new == 0  # the row itself is up to date ("+N" gone)
        threads.focus()
        await pilot.press("k")  # k lands on the thread above, as listed
        assert threads.current is not None and threads.current.id == before[4]


async def test_marking_a_thread_read_keeps_its_place(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        threads = app.screen.query_one(ThreadList)
        before = order(threads)
        threads.focus()
        threads.cursor = 2
        await pilot.press("m")
        await pilot.pause()
        assert order(threads) == before
        assert threads.current is not None and threads.current.unread == 0


async def test_the_list_is_re_ranked_on_reload(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        threads, before = await open_second_thread(app, pilot)
        assert order(threads) == before
        await pilot.press("t", "t")  # latest first and back: the list is read again, ranked
        assert order(threads) != before


async def test_escape_with_no_filter_keeps_the_order(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    async with app.run_test(size=(140, 40)) as pilot:
        threads, before = await open_second_thread(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert order(threads) == before
