"""Issue 14, item 17: the palette finds what a newcomer types, and Screenshot always saves."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette

from briefing.ui.app import BriefingApp
from tests.helpers import settle
from tests.ui.conftest import SessionFactory
from tests.ui.test_app import BODIES


async def palette(app: BriefingApp, pilot: object, query: str) -> list[str]:
    """What the palette lists for `query`, typed as a user would."""
    await pilot.press("ctrl+p")  # type: ignore[attr-defined]
    await pilot.press(*query)  # type: ignore[attr-defined]
    for _ in range(20):
        await pilot.pause(0.05)  # type: ignore[attr-defined]
        listed = app.screen.query_one(CommandList)
        if listed.option_count:
            break
    await pilot.pause(0.2)  # type: ignore[attr-defined]
    assert isinstance(app.screen, CommandPalette)
    shown = [str(o.prompt) for o in app.screen.query_one(CommandList).options]
    await pilot.press("escape")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    return shown


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("help", "Help: every key"),
        ("thread", "Go to thread: "),
        ("go to", "Go to thread: "),
        ("full text", "Full text"),
    ],
)
async def test_the_palette_lists_what_a_newcomer_types(
    make_session: SessionFactory, query: str, expected: str
) -> None:
    app = BriefingApp(make_session(BODIES))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = await palette(app, pilot, query)
        assert any(expected in line for line in shown), shown


async def test_screenshot_goes_to_the_export_folder_even_when_it_does_not_exist(
    make_session: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/Downloads there
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "home" / "Downloads"))
    app = BriefingApp(make_session(BODIES))
    folder = app.session.config.settings.export_dir
    assert not folder.exists()
    async with app.run_test() as pilot:
        await settle(pilot)
        app.deliver_screenshot()  # what the palette's Screenshot calls
        for _ in range(40):
            await pilot.pause(0.05)
            if folder.exists() and list(folder.glob("*.svg")):
                break
    assert [p.suffix for p in folder.iterdir()] == [".svg"]
