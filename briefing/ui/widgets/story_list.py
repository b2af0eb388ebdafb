"""The story list: one OptionList row per story, virtualised, keyed by story id.

In a thread it reads as a timeline: oldest first, a heading per day, and a wire story that
several outlets re-published shown once, with the other outlets named on its row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing.models import Story
from briefing.ui.render import day_heading, story_row


class StoryList(OptionList):
    """Stories.

    | Key | Action |
    | --- | --- |
    | j / down | next story |
    | k / up | previous story |
    | enter | open in the reader |
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="story-down"),
        Binding("k", "cursor_up", "Up", show=False, id="story-up"),
    ]

    @dataclass
    class Opened(Message):
        """The user opened a story (enter)."""

        story: Story

    @dataclass
    class Highlighted(Message):
        story: Story

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, markup=False)
        self.stories: list[Story] = []
        self.copies: dict[str, list[Story]] = {}
        self._rows: list[Story | None] = []  # aligned with the options; None for day headings
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
        self._rows = []
        options: list[Option] = []
        day = None
        for story in self.stories:
            if timeline and story.published.astimezone().date() != day:
                day = story.published.astimezone().date()
                options.append(Option(day_heading(story.published), disabled=True))
                self._rows.append(None)
            options.append(Option(self._prompt(story), id=story.id))
            self._rows.append(story)
        self.set_options(options)
        if self.stories:
            target = keep if keep in {s.id for s in self.stories} else self.stories[0].id
            self.highlighted = self.get_option_index(target or "")

    def _prompt(self, story: Story) -> Text:
        row = story_row(story, self._now)
        copies = self.copies.get(story.id)
        if copies:
            names = ", ".join(sorted({c.source for c in copies}))
            row.append(f"  (also {names})", style="dim italic")
        return row

    @property
    def current(self) -> Story | None:
        index = self.highlighted
        return self._rows[index] if index is not None and index < len(self._rows) else None

    def update_story(self, story: Story) -> None:
        """Redraw one row after its read state changed."""
        for index, row in enumerate(self._rows):
            if row is not None and row.id == story.id:
                self._rows[index] = story
                self.stories = [story if s.id == story.id else s for s in self.stories]
                self.replace_option_prompt_at_index(index, self._prompt(story))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        story = self.current
        if story is not None:
            self.post_message(self.Highlighted(story))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        story = self.current
        if story is not None:
            self.post_message(self.Opened(story))
