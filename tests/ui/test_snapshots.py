"""SVG snapshots of the screens on the frozen demo store (pytest-textual-snapshot).

Accept a changed snapshot only after reading the HTML report: pytest --snapshot-update.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from briefing.config import Config, Session, Settings, load_config
from briefing.demo import demo_config, demo_transport
from briefing.ui.app import BriefingApp
from briefing.ui.screens.main import PREVIEW_DELAY
from tests.helpers import settle
from tests.ui.fixed_store import fixed_demo_store

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SIZE = (140, 40)


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A focused Input's cursor stays as focus leaves it (shown): its 0.5 s blink made a
    snapshot depend on how long a loaded machine took to get from the key press to the shot."""
    monkeypatch.setattr(Input, "_toggle_cursor", lambda _self: None)


def demo_app(tmp_path: Path) -> BriefingApp:
    """The demo as it reads after its first refresh, from the frozen demo store (see
    fixed_store.py): no refresh runs, so no spaCy or thread-engine change moves a snapshot."""
    db = fixed_demo_store(tmp_path / "demo.db")
    session = Session(demo_config(db_path=db), db, demo_transport(), demo=True)
    return BriefingApp(session, refresh_on_start=False, clock=lambda: NOW)


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


def test_after_tab_only_the_story_list_looks_focused(snap_compare: Any, tmp_path: Path) -> None:
    # Two lists, one focused: the thread list's cursor must be drawn as blurred after tab.
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("tab")
        await pilot.pause()

    assert snap_compare(demo_app(tmp_path), terminal_size=(100, 30), run_before=run_before)


def test_feeds_screen(snap_compare: Any, tmp_path: Path) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)

    assert snap_compare(demo_app(tmp_path), terminal_size=SIZE, run_before=run_before)


def test_export_dialog(snap_compare: Any, tmp_path: Path) -> None:
    db = fixed_demo_store(tmp_path / "demo.db")
    settings = Settings(export_dir=Path("/home/reader/briefings"))  # shown, never written
    session = Session(demo_config(settings, db_path=db), db, demo_transport(), demo=True)
    app = BriefingApp(session, refresh_on_start=False, clock=lambda: NOW)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("j")
        await pilot.pause(PREVIEW_DELAY)  # the thread's stories load once the cursor rests
        await pilot.press("S")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_feed_form_says_what_is_wrong(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text('[[feed]]\nname = "Local"\nurl = "https://local.test/feed"\n', "utf-8")
    db = tmp_path / "ui.db"
    config = load_config(feeds)
    # The title bars show the file's path: relative, as the temporary folder changes every run.
    monkeypatch.chdir(tmp_path)
    config = replace(config, path=Path("feeds.toml"), settings=replace(config.settings, store=db))
    app = BriefingApp(Session(config, db), refresh_on_start=False, clock=lambda: NOW)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("F", "a", *"ftp://example.org/feed", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_first_run_with_no_feeds(snap_compare: Any, tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    config = Config(feeds=(), settings=Settings(store=db))
    app = BriefingApp(Session(config, db), refresh_on_start=False, clock=lambda: NOW)
    assert snap_compare(app, terminal_size=(100, 30), run_before=settle)
