"""The left pane: "All stories", then the threads, as a briefing (or latest first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing.models import Thread
from briefing.safety import clean_line
from briefing.ui.render import short_time

ALL = "all"
NAME_WIDTH = 34


def thread_row(thread: Thread, now: datetime | None = None) -> Text:
    """Name, then 'N · M outlets · time', and '+K' for stories new since the thread was opened."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("● " if thread.unread else "  ", style="bold")
    name = clean_line(thread.name or "(unnamed)", NAME_WIDTH)
    text.append(name, style="bold" if thread.unread else "")
    text.append("\n    ")
    outlets = "outlet" if thread.sources == 1 else "outlets"
    text.append(
        f"{thread.stories} · {thread.sources} {outlets} · {short_time(thread.last_seen, now)}",
        style="dim",
    )
    if thread.new:
        text.append(f"  +{thread.new}", style="bold")
    return text


def all_row(count: int) -> Text:
    text = Text(no_wrap=True)
    text.append("  All stories", style="bold")
    text.append(f"\n    {count} stories, newest first", style="dim")
    return text


class ThreadList(OptionList):
    """Threads.

    | Key | Action |
    | --- | --- |
    | j / k | move |
    | enter | open the thread |
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="thread-down"),
        Binding("k", "cursor_up", "Up", show=False, id="thread-up"),
    ]

    @dataclass
    class Chosen(Message):
        """The cursor moved to a thread (None: all stories)."""

        thread: Thread | None

    @dataclass
    class Opened(Message):
        thread: Thread | None

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, markup=False)
        self.threads: list[Thread] = []

    def show(
        self, threads: Sequence[Thread], total: int, keep: int | str | None, now: datetime
    ) -> None:
        """Replace the rows; the cursor stays on thread `keep` (or "all") when still listed."""
        self.threads = list(threads)
        options = [Option(all_row(total), id=ALL)]
        options += [Option(thread_row(t, now), id=str(t.id)) for t in self.threads]
        self.set_options(options)
        index = 0
        if isinstance(keep, int):
            index = next((i + 1 for i, t in enumerate(self.threads) if t.id == keep), 0)
        self.highlighted = index

    @property
    def current(self) -> Thread | None:
        """The highlighted thread; None for the "All stories" row."""
        index = self.highlighted
        if index is None or index == 0 or index > len(self.threads):
            return None
        return self.threads[index - 1]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Chosen(self.current))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Opened(self.current))
