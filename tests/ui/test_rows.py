"""RowList on its own: the cursor skips rows it may not land on, clicks select, and rows are
drawn again when focus or the theme changes (they are cached per row)."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip

from briefing.ui.widgets.rows import RowList

ROWS = ["# Today", "first", "second", "# Earlier", "third"]


class Headed(RowList[str]):
    """Headings ("# …") are shown but never under the cursor."""

    def render_row(self, row: str, index: int) -> Text:
        return Text(row)

    def selectable(self, row: str) -> bool:
        return not row.startswith("#")


class Lists(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.selected: list[int] = []

    def compose(self) -> ComposeResult:
        yield Headed(id="a")
        yield Headed(id="b")

    def on_mount(self) -> None:
        for lst in self.query(Headed):
            lst.styles.height = 6
            lst.set_rows(ROWS)

    def on_row_list_selected(self, message: RowList.Selected) -> None:
        self.selected.append(message.index)


def line(lst: Headed, index: int) -> Strip:
    return lst.render_line(index - lst.scroll_offset.y)


async def test_the_cursor_skips_headings_both_ways() -> None:
    app = Lists()
    async with app.run_test() as pilot:
        a = app.query_one("#a", Headed)
        a.focus()
        await pilot.pause()
        assert a.cursor == 1  # set_rows(cursor=0) lands past the heading
        await pilot.press("down", "down")
        assert a.cursor == 4  # "# Earlier" is stepped over
        await pilot.press("down")
        assert a.cursor == 4  # the end holds
        await pilot.press("up")
        assert a.cursor == 2
        await pilot.press("home")
        assert a.cursor == 1
        await pilot.press("end")
        assert a.cursor == 4
        a.set_rows(ROWS, cursor=3)  # asked for a heading: the next row that may hold it
        assert a.cursor == 4


async def test_a_click_moves_the_cursor_and_selects_but_not_on_a_heading() -> None:
    app = Lists()
    async with app.run_test() as pilot:
        a = app.query_one("#a", Headed)
        await pilot.click(a, offset=(3, 2))
        await pilot.pause()
        assert a.cursor == 2 and app.selected == [2]
        await pilot.click(a, offset=(3, 3))  # "# Earlier"
        await pilot.pause()
        assert a.cursor == 2 and app.selected == [2]
        await pilot.press("enter")
        await pilot.pause()
        assert app.selected == [2, 2]


async def test_only_the_focused_list_shows_a_focused_cursor() -> None:
    app = Lists()
    async with app.run_test() as pilot:
        a, b = app.query_one("#a", Headed), app.query_one("#b", Headed)
        a.focus()
        await pilot.pause()
        focused, blurred = line(a, a.cursor), line(b, b.cursor)
        assert focused.text == "first".ljust(len(focused.text)) and focused != blurred
        await pilot.press("tab")  # focus moves to b
        await pilot.pause()
        assert app.focused is b
        # Each list draws its cursor row again: a's as blurred, b's as focused.
        assert line(a, a.cursor) == blurred
        assert line(b, b.cursor) == focused


async def test_a_theme_change_redraws_the_rows() -> None:
    app = Lists()
    async with app.run_test() as pilot:
        app.theme = "textual-dark"
        await pilot.pause()
        a = app.query_one("#a", Headed)
        dark = [line(a, i) for i in range(len(ROWS))]
        app.theme = "textual-light"
        await pilot.pause()
        light = [line(a, i) for i in range(len(ROWS))]
        assert [s.text for s in light] == [s.text for s in dark]
        # Every row, cursor or not, heading or not, is drawn in the new theme's colours.
        assert all(d != li for d, li in zip(dark, light, strict=True))
