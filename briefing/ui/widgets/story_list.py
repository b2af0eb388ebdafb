"""The story list: one OptionList row per story, virtualised, keyed by story id.

In a thread it reads as a timeline: oldest first, a heading per day, and a wire story that
several outlets re-published shown once, with the other outlets named on its row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.message import Message

from briefing.models import Story
from briefing.ui.render import day_heading, story_row
from briefing.ui.widgets.rows import RowList


@dataclass(frozen=True, slots=True)
class DayHeading:
    """'Tuesday 17 November' above that day's stories in a thread's timeline."""

    day: datetime


def all_title(shown: int, total: int, approx: bool = False) -> str:
    """'All stories (N)', or, when the list holds only the newest of them, 'All stories (500
    newest of about 655,000)': the count of every match, never the length of the list."""
    if total <= shown:
        return f"All stories ({shown:,})"
    return f"All stories ({shown:,} newest of {'about ' if approx else ''}{total:,})"


class StoryList(RowList[Story | DayHeading]):
    """Stories.

    | Key | Action |
    | --- | --- |
    | j / down | next story |
    | k / up | previous story |
    | enter | open in the reader |
    """

    @dataclass
    class Opened(Message):
        """The user opened a story (enter)."""

        story: Story

    @dataclass
    class Highlighted(Message):
        story: Story

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.stories: list[Story] = []
        self.copies: dict[str, list[Story]] = {}
        self._now: datetime | None = None

    def show(
        self,
        stories: Sequence[Story],
        keep: str | None = None,
        now: datetime | None = None,
        *,
        timeline: bool = False,
        copies: Mapping[str, list[Story]] | None = None,
    ) -> None:
        """Replace the rows, keeping the cursor on story `keep` when it is still listed.

        `now` anchors relative times ("Tue 14:05"); tests pass a fixed one. A timeline gets
        a heading per day; `copies` maps a story id to its re-publications, which are hidden.
        """
        self.copies = dict(copies or {})
        hidden = {c.id for group in self.copies.values() for c in group}
        self.stories = [s for s in stories if s.id not in hidden]
        self._now = now
        rows: list[Story | DayHeading] = []
        day = None
        for story in self.stories:
            if timeline and story.published.astimezone().date() != day:
                day = story.published.astimezone().date()
                rows.append(DayHeading(story.published))
            rows.append(story)
        where = next((i for i, r in enumerate(rows) if isinstance(r, Story) and r.id == keep), 0)
        self.set_rows(rows, cursor=where)

    def render_row(self, row: Story | DayHeading, index: int) -> Text:
        return self._prompt(row) if isinstance(row, Story) else day_heading(row.day)

    def selectable(self, row: Story | DayHeading) -> bool:
        return isinstance(row, Story)

    def _prompt(self, story: Story) -> Text:
        row = story_row(story, self._now, self.scrollable_content_region.width)
        copies = self.copies.get(story.id)
        if copies:
            names = ", ".join(sorted({c.source for c in copies}))
            row.append(f"  (also {names})", style="dim italic")
        return row

    @property
    def current(self) -> Story | None:
        index = self.highlighted
        row = self.rows[index] if index is not None else None
        return row if isinstance(row, Story) else None

    def update_story(self, story: Story) -> None:
        """Redraw one row after its read state changed."""
        for index, row in enumerate(self.rows):
            if isinstance(row, Story) and row.id == story.id:
                self.rows[index] = story
                self.stories = [story if s.id == story.id else s for s in self.stories]
                self.redraw_row(index)

    def on_row_list_cursor_moved(self, event: RowList.CursorMoved) -> None:
        event.stop()
        story = self.current
        if story is not None:
            self.post_message(self.Highlighted(story))

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        event.stop()
        story = self.current
        if story is not None:
            self.post_message(self.Opened(story))
