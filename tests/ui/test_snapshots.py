"""SVG snapshots of the main screens on the demo corpus (pytest-textual-snapshot).

Accept a changed snapshot only after reading the HTML report: pytest --snapshot-update.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from briefing.config import Session
from briefing.demo import demo_config, demo_transport
from briefing.ui.app import BriefingApp
from tests.helpers import settle

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SIZE = (140, 40)


def demo_app(tmp_path: Path) -> BriefingApp:
    db = tmp_path / "demo.db"
    session = Session(demo_config(db_path=db), db, demo_transport(), demo=True)
    return BriefingApp(session, clock=lambda: NOW)


def test_main_screen(snap_compare: Any, tmp_path: Path) -> None:
    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=settle)


def test_reading_a_story(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j", "j", "enter")
        await settle(pilot)  # the thread's summary head is made in a worker

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_search_results(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("slash", *"idlib", "enter")

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 48)])
def test_main_screen_by_size(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j", "j", "enter")  # a thread open, its first story in the reader
        await settle(pilot)  # the thread's summary head is made in a worker

    assert snap_compare(demo_app(tmp_path), terminal_size=size, run_before=run_before)


def test_help_screen_80x24(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")

    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_light_theme_100x30(snap_compare: Any, tmp_path: Path) -> None:
    # Issue 14, item 18: every pane and row follows the theme (no dark rows in a light frame).
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j", "j", "enter")
        await settle(pilot)  # the thread's summary head is made in a worker
        pilot.app.theme = "textual-light"
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=(100, 30), run_before=run_before)


def test_briefing_screen(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)
