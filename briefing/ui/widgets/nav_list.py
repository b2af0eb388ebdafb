"""The left pane: what to read. "All stories", "Unread", then one row per feed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing.safety import clean_line


@dataclass(frozen=True, slots=True)
class NavItem:
    """One row: a label, a count, and the filter it stands for."""

    key: str  # "all", "unread" or "feed:<url>"
    label: str
    count: int = 0
    failing: bool = False

    @property
    def feed_url(self) -> str | None:
        return self.key.removeprefix("feed:") if self.key.startswith("feed:") else None


def nav_row(item: NavItem, width: int = 30) -> Text:
    label = clean_line(item.label, width)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("! " if item.failing else "  ", style="bold red" if item.failing else "")
    text.append(label.ljust(width - 8)[: width - 8], style="bold" if item.count else "")
    text.append(f"{item.count:>6}" if item.count else "", style="dim")
    return text


class NavList(OptionList):
    """Feeds and views.

    | Key | Action |
    | --- | --- |
    | j / k | move |
    | enter | show its stories |
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="nav-down"),
        Binding("k", "cursor_up", "Up", show=False, id="nav-up"),
    ]

    @dataclass
    class Chosen(Message):
        item: NavItem

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, markup=False)
        self.items: list[NavItem] = []

    def show(self, items: Sequence[NavItem], keep: str | None = None) -> None:
        keys = [i.key for i in items]
        self.items = list(items)
        self.set_options(Option(nav_row(i), id=i.key) for i in self.items)
        if self.items:
            self.highlighted = keys.index(keep) if keep in keys else 0

    @property
    def current(self) -> NavItem | None:
        index = self.highlighted
        return self.items[index] if index is not None and index < len(self.items) else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.items[event.option_index]))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Chosen(self.items[event.option_index]))
