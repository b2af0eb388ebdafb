"""The left pane: "All stories", then the threads, as a briefing (or latest first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.message import Message

from briefing.models import Thread
from briefing.safety import clean_line
from briefing.ui.render import short_time
from briefing.ui.widgets.rows import RowList

NAME_WIDTH = 34


def thread_row(thread: Thread, now: datetime | None = None, width: int = 40) -> Text:
    """Name, then 'N · M outlets · time', '+K' for stories new since the thread was opened, and
    'kept' when the user keeps it from pruning.

    In a narrow pane (under 30 columns) the second line is indented less, to keep the time.
    """
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("● " if thread.unread else "  ", style="bold")
    name = clean_line(thread.name or "(unnamed)", NAME_WIDTH)
    text.append(name, style="bold" if thread.unread else "")
    text.append("\n  " if width < 30 else "\n    ")
    outlets = "outlet" if thread.sources == 1 else "outlets"
    text.append(
        f"{thread.stories} · {thread.sources} {outlets} · {short_time(thread.last_seen, now)}",
        style="dim",
    )
    if thread.new:
        text.append(f"  +{thread.new}", style="bold")
    if thread.kept:
        text.append("  kept", style="dim italic")
    return text


def all_row(count: int, approx: bool = False) -> Text:
    """The "All stories" row; a search with more matches than it lists gives an estimate."""
    text = Text(no_wrap=True)
    text.append("  All stories", style="bold")
    about = f"about {count:,}" if approx else f"{count:,}"
    text.append(f"\n    {about} stories, newest first", style="dim")
    return text


class ThreadList(RowList[Thread | None]):
    """Threads.

    | Key | Action |
    | --- | --- |
    | j / k | move |
    | enter | open the thread |
    """

    ROW_HEIGHT = 2

    @dataclass
    class Chosen(Message):
        """The cursor moved to a thread (None: all stories)."""

        thread: Thread | None

    @dataclass
    class Opened(Message):
        thread: Thread | None

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.threads: list[Thread] = []
        self.total = 0
        self.approx = False  # total is an estimate (a search listing only its newest matches)
        self.now: datetime | None = None

    def show(
        self,
        threads: Sequence[Thread],
        total: int,
        keep: int | str | None,
        now: datetime,
        approx: bool = False,
    ) -> None:
        """Replace the rows; the cursor stays on thread `keep` (or "all") when still listed."""
        self.threads = list(threads)
        self.total, self.now, self.approx = total, now, approx
        index = 0
        if isinstance(keep, int):
            index = next((i + 1 for i, t in enumerate(self.threads) if t.id == keep), 0)
        self.set_rows([None, *self.threads], cursor=index)

    def render_row(self, row: Thread | None, index: int) -> Text:
        if row is None:
            return all_row(self.total, self.approx)
        return thread_row(row, self.now, self.scrollable_content_region.width)

    @property
    def current(self) -> Thread | None:
        """The highlighted thread; None for the "All stories" row."""
        index = self.highlighted
        return self.rows[index] if index is not None else None

    def on_row_list_cursor_moved(self, event: RowList.CursorMoved) -> None:
        event.stop()
        self.post_message(self.Chosen(self.current))

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        event.stop()
        self.post_message(self.Opened(self.current))
