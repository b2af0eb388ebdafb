"""The story list: one OptionList row per story, virtualised, keyed by story id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing.models import Story
from briefing.ui.render import story_row


class StoryList(OptionList):
    """Stories, newest first.

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
        self._index: dict[str, int] = {}
        self._now: datetime | None = None

    def show(
        self, stories: Sequence[Story], keep: str | None = None, now: datetime | None = None
    ) -> None:
        """Replace the rows, keeping the cursor on story `keep` when it is still listed.

        `now` anchors relative times ("Tue 14:05"); tests pass a fixed one.
        """
        self.stories = list(stories)
        self._now = now
        self._index = {s.id: i for i, s in enumerate(self.stories)}
        self.set_options(Option(story_row(s, now), id=s.id) for s in self.stories)
        if self.stories:
            self.highlighted = self._index.get(keep, 0) if keep else 0

    @property
    def current(self) -> Story | None:
        index = self.highlighted
        return self.stories[index] if index is not None and index < len(self.stories) else None

    def update_story(self, story: Story) -> None:
        """Redraw one row after its read state changed."""
        index = self._index.get(story.id)
        if index is not None:
            self.stories[index] = story
            self.replace_option_prompt_at_index(index, story_row(story, self._now))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_index < len(self.stories):
            self.post_message(self.Highlighted(self.stories[event.option_index]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.stories):
            self.post_message(self.Opened(self.stories[event.option_index]))
