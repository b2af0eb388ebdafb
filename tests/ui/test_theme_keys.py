"""Issue 14, item 18: themes apply to every row and are kept; [keys] remaps bindings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from textual.widgets import Input

from briefing.config import ConfigError, Session, load_config
from briefing.ui.app import BriefingApp
from briefing.ui.widgets.story_list import StoryList
from briefing.ui.widgets.thread_list import ThreadList
from tests.helpers import settle
from tests.ui.test_app import BODIES

FEEDS = """# my feeds
[settings]
refresh_minutes = 30  # half an hour
{settings}
{keys}
[[feed]]
name = "North"
url = "https://north.test/feed"
"""


def session(tmp_path: Path, settings: str = "", keys: str = "") -> Session:
    path = tmp_path / "feeds.toml"
    path.write_text(FEEDS.format(settings=settings, keys=keys))
    config = load_config(path)

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=BODIES["north"])

    return Session(config, tmp_path / "t.db", httpx.MockTransport(handle))


def row_background(widget: StoryList | ThreadList, y: int) -> object:
    return widget.render_line(y)._segments[0].style.bgcolor


async def test_rows_follow_a_theme_change(tmp_path: Path) -> None:
    app = BriefingApp(session(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        stories = app.screen.query_one(StoryList)
        dark = row_background(stories, 2)
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.pause()
        light = row_background(stories, 2)
        assert light != dark
        assert light == stories.get_visual_style("rowlist--row").rich_style.bgcolor


async def test_the_cursor_row_follows_focus(tmp_path: Path) -> None:
    app = BriefingApp(session(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        stories = app.screen.query_one(StoryList)
        blurred = row_background(stories, stories.cursor)
        stories.focus()
        await pilot.pause()
        focused = row_background(stories, stories.cursor)
        assert focused != blurred
        assert focused == stories.get_visual_style("rowlist--cursor").rich_style.bgcolor


async def test_the_theme_is_read_from_and_kept_in_settings(tmp_path: Path) -> None:
    app = BriefingApp(session(tmp_path, settings='theme = "textual-light"'))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-light"
        app.theme = "nord"
        await pilot.pause()
        await pilot.pause()
    text = (tmp_path / "feeds.toml").read_text()
    assert 'theme = "nord"' in text
    assert "# my feeds" in text and "# half an hour" in text  # the user's comments stay
    assert load_config(tmp_path / "feeds.toml").settings.theme == "nord"


async def test_a_first_theme_pick_adds_the_setting(tmp_path: Path) -> None:
    app = BriefingApp(session(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert "theme" not in (tmp_path / "feeds.toml").read_text()  # the start writes nothing
        app.theme = "gruvbox"
        await pilot.pause()
        await pilot.pause()
    assert load_config(tmp_path / "feeds.toml").settings.theme == "gruvbox"


def test_an_unknown_theme_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"feeds.toml, line 4 in \[settings\]: unknown theme"):
        BriefingApp(session(tmp_path, settings='theme = "no-such-theme"'))


async def test_keys_remap_a_binding(tmp_path: Path) -> None:
    app = BriefingApp(session(tmp_path, keys='[keys]\nsearch = "n"\ntoggle-sort = "f5"\n'))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert not isinstance(app.focused, Input)
        await pilot.press("n")
        assert isinstance(app.focused, Input)
        await pilot.press("escape")
        sort = app.screen.latest_first  # type: ignore[attr-defined]
        await pilot.press("f5")
        assert app.screen.latest_first is not sort  # type: ignore[attr-defined]
        rows = {row[2]: row[0] for row in app.all_bindings()}
        assert rows["search"] == "n" and rows["toggle-sort"] == "f5"


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ('search = "e"', r"line 6 in \[keys\]: 'e' is already the key of 'entities'"),
        ('no-such-id = "n"', r"line 6 in \[keys\]: unknown binding id 'no-such-id'"),
        ('search = "tab"', r"line 6 in \[keys\]: 'tab' is Textual's own key"),
        ('search = "?"', r"line 6 in \[keys\]: '\?' is not a key name"),
    ],
)
def test_bad_keys_are_refused_with_file_and_line(tmp_path: Path, keys: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        BriefingApp(session(tmp_path, keys=f"[keys]\n{keys}"))


def test_the_cli_exits_2_on_a_key_clash(tmp_path: Path) -> None:
    session(tmp_path, keys='[keys]\nsearch = "e"')
    done = subprocess.run(
        [sys.executable, "-m", "briefing", "--feeds", str(tmp_path / "feeds.toml"),
         "--db", str(tmp_path / "c.db")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "line 6 in [keys]: 'e' is already the key of 'entities'" in done.stderr


async def test_status_colours_come_from_the_theme(tmp_path: Path) -> None:
    from rich.color import Color as RichColor
    from textual.coordinate import Coordinate
    from textual.widgets import DataTable, Static

    from briefing.ui.widgets.refresh_bar import RefreshBar

    app = BriefingApp(session(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.theme = "textual-light"
        await pilot.pause()
        theme = app.get_css_variables()
        bar = app.screen.query_one(RefreshBar)
        bar.say("2 failed", warn=True)
        await pilot.pause()
        label = bar.query_one("#refresh-label", Static)
        strip = label.render_line(0)
        colours = {seg.style.color for seg in strip._segments if seg.text.strip() and seg.style}
        assert RichColor.parse(theme["text-error"]) in colours
        await pilot.press("F")
        await pilot.pause()
        flag = app.screen.query_one(DataTable).get_cell_at(Coordinate(0, 0))
        assert str(flag.style) == theme["text-success"]  # the ✓ of a fetched feed
