"""RowList: a virtualised, keyboard-driven list of fixed-height rows (Textual's Line API).

OptionList measures every option when its options are set (about 60 µs a row), so 2,000 rows
cost a frame-dropping 140 ms and 100,000 rows are out of reach. RowList keeps the rows as plain
data and renders only the lines on screen, each row on demand, so replacing 100,000 rows costs
no more than replacing ten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual, visualize

T = TypeVar("T")


def fit(text: Text, width: int) -> Text:
    """Each line of `text` cut to `width` with an ellipsis: a row never wraps onto the next."""
    lines = text.split("\n", allow_blank=True)
    for line in lines:
        line.truncate(width, overflow="ellipsis")
    return Text("\n").join(lines)


class RowList(ScrollView, Generic[T], can_focus=True):
    """Rows of `ROW_HEIGHT` lines; a cursor that skips rows `selectable` refuses.

    Subclasses implement `render_row`; the cursor moves with up/down/j/k, home/end and page
    keys, and enter (or a click) selects.
    """

    ROW_HEIGHT: ClassVar[int] = 1
    COMPONENT_CLASSES: ClassVar[set[str]] = {"rowlist--row", "rowlist--cursor", "rowlist--muted"}
    DEFAULT_CSS = """
    RowList {
        background: $surface;
        color: $foreground;
        padding: 0 1;
        & > .rowlist--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .rowlist--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .rowlist--muted { color: $text-muted; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Next in the list", show=False, id="list-down"),
        Binding("up,k", "cursor_up", "Previous in the list", show=False, id="list-up"),
        Binding("home", "first", "First in the list", show=False, id="list-first"),
        Binding("end", "last", "Last in the list", show=False, id="list-last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list-page-down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list-page-up"),
        Binding("enter", "select", "Open the thread or story", show=False, id="list-open"),
    ]

    cursor: reactive[int] = reactive(-1, init=False)
    """Index of the highlighted row, -1 when there are none."""

    @dataclass
    class CursorMoved(Message):
        list: RowList[object]
        index: int

    @dataclass
    class Selected(Message):
        list: RowList[object]
        index: int

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.rows: list[T] = []
        self.empty_text = ""
        """Said, dimmed, in place of rows when there are none ("No stories match …")."""
        self._cache: dict[tuple[int, bool, int], list[Strip]] = {}

    # -- what subclasses provide ---------------------------------------------------------
    def render_row(self, row: T, index: int) -> Text:
        raise NotImplementedError

    def selectable(self, row: T) -> bool:
        return True

    # -- data --------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[T], cursor: int = 0) -> None:
        """Replace every row (O(1) in the number of rows) and put the cursor at `cursor`."""
        self.rows = list(rows)
        self._cache.clear()
        self.virtual_size = Size(self.size.width, len(self.rows) * self.ROW_HEIGHT)
        self.set_reactive(RowList.cursor, -1)
        self.cursor = self._nearest(cursor, 1) if self.rows else -1
        self.refresh()

    def redraw_row(self, index: int) -> None:
        """Forget the rendering of one row (its data changed) and repaint it."""
        self._cache = {k: v for k, v in self._cache.items() if k[0] != index}
        self.refresh(Region(0, index * self.ROW_HEIGHT - self.scroll_offset.y, self.size.width,
                            self.ROW_HEIGHT))  # fmt: skip

    @property
    def highlighted(self) -> int | None:
        """The cursor's row index, or None (the name OptionList uses)."""
        return self.cursor if 0 <= self.cursor < len(self.rows) else None

    @highlighted.setter
    def highlighted(self, index: int | None) -> None:
        self.cursor = -1 if index is None else index

    # -- cursor ------------------------------------------------------------------------------
    def _nearest(self, index: int, direction: int) -> int:
        """The first selectable row from `index` on in `direction`, else the other way."""
        index = max(0, min(index, len(self.rows) - 1))
        for step in (direction, -direction):
            i = index
            while 0 <= i < len(self.rows):
                if self.selectable(self.rows[i]):
                    return i
                i += step
        return -1

    def validate_cursor(self, cursor: int) -> int:
        if not self.rows:
            return -1
        return max(-1, min(cursor, len(self.rows) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        for index in (old, new):
            if 0 <= index < len(self.rows):
                self.redraw_row(index)
        if new >= 0:
            self.scroll_to_region(
                Region(0, new * self.ROW_HEIGHT, 1, self.ROW_HEIGHT), animate=False, force=True
            )
            self.post_message(self.CursorMoved(self, new))  # type: ignore[arg-type]

    def _move(self, delta: int) -> None:
        if self.rows:
            start = self.cursor + delta if self.cursor >= 0 else 0
            self.cursor = self._nearest(start, 1 if delta >= 0 else -1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_first(self) -> None:
        self.cursor = self._nearest(0, 1)

    def action_last(self) -> None:
        self.cursor = self._nearest(len(self.rows) - 1, -1)

    def action_page_down(self) -> None:
        self._move(max(1, self.scrollable_content_region.height // self.ROW_HEIGHT))

    def action_page_up(self) -> None:
        self._move(-max(1, self.scrollable_content_region.height // self.ROW_HEIGHT))

    def action_select(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Selected(self, self.cursor))  # type: ignore[arg-type]

    async def _on_click(self, event: events.Click) -> None:
        index = (event.y + self.scroll_offset.y) // self.ROW_HEIGHT
        if 0 <= index < len(self.rows) and self.selectable(self.rows[index]):
            self.cursor = index
            self.action_select()

    # -- rendering ---------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        """A theme change or a CSS reload: rows rendered in the old colours are forgotten
        (as DataTable does)."""
        super().notify_style_update()
        self._cache.clear()
        self.refresh()

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        self._cache.clear()  # the cursor row's colours depend on focus
        self.refresh()

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self._cache.clear()
        self.refresh()

    def on_resize(self) -> None:
        self._cache.clear()
        self.virtual_size = Size(self.size.width, len(self.rows) * self.ROW_HEIGHT)

    def render_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        index, offset = divmod(line, self.ROW_HEIGHT)
        width = self.scrollable_content_region.width
        if not self.rows and self.empty_text:
            empty = self._empty_strips(width)
            if y < len(empty):
                return empty[y]
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, self.get_visual_style("rowlist--row").rich_style)
        return self._strips(index, width)[offset]

    def _strips(self, index: int, width: int) -> list[Strip]:
        on_cursor = index == self.cursor
        key = (index, on_cursor, width)
        strips = self._cache.get(key)
        if strips is None:
            row = self.rows[index]
            classes = ["rowlist--row"]
            if on_cursor:
                classes.append("rowlist--cursor")
            elif not self.selectable(row):
                classes.append("rowlist--muted")
            style = self.get_visual_style(*classes)
            visual: Visual = visualize(self, fit(self.render_row(row, index), width), markup=False)
            rendered = Visual.to_strips(self, visual, width, self.ROW_HEIGHT, style, pad=True)
            strips = [s.crop_extend(0, width, style.rich_style) for s in rendered]
            strips += [Strip.blank(width, style.rich_style)] * (self.ROW_HEIGHT - len(strips))
            self._cache[key] = strips[: self.ROW_HEIGHT]
        return self._cache[key]

    def _empty_strips(self, width: int) -> list[Strip]:
        style = self.get_visual_style("rowlist--row", "rowlist--muted")
        visual = visualize(self, Text(self.empty_text), markup=False)
        strips = Visual.to_strips(self, visual, width, None, style, pad=True)
        return [s.crop_extend(0, width, style.rich_style) for s in strips]
