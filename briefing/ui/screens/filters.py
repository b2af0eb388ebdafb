"""The main screen's filters as layers: escape peels the innermost one and goes back to where
the user was when it was applied (the thread, the story and the pane).

A search and an entity filter can be on together; applying the same kind again changes it in
place and keeps the place saved when that kind was first applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from textual.widgets import Input

from briefing.models import Story
from briefing.ui.widgets.entity_panel import EntityPanel
from briefing.ui.widgets.story_list import StoryList
from briefing.ui.widgets.thread_list import ThreadList

if TYPE_CHECKING:
    from briefing.ui.screens.main import MainScreen

Kind = Literal["search", "entity"]


@dataclass(frozen=True, slots=True)
class Place:
    """Where the user was: the thread (None: "All stories"), the story and the focused pane."""

    thread_id: int | None
    story_id: str | None
    focus: str | None


@dataclass(frozen=True, slots=True)
class Layer:
    kind: Kind
    place: Place


class Filters:
    """The filters on, innermost last."""

    def __init__(self) -> None:
        self.layers: list[Layer] = []

    def applied(self, kind: Kind, place: Place) -> None:
        """A filter of `kind` is on; the first time, remember `place` to come back to."""
        if all(layer.kind != kind for layer in self.layers):
            self.layers.append(Layer(kind, place))

    def peel(self) -> Layer | None:
        """The innermost filter, taken off (None when there is none)."""
        return self.layers.pop() if self.layers else None

    def remove(self, kind: Kind) -> Layer | None:
        """Take off the filter of `kind` wherever it is (an empty search submitted)."""
        layer = next((x for x in self.layers if x.kind == kind), None)
        if layer is not None:
            self.layers.remove(layer)
        return layer

    def clear(self) -> None:
        self.layers.clear()


def place_of(screen: MainScreen) -> Place:
    """Where the user is on the main screen (the entity panel counts as the story list: it is
    where the pick was made from, and on a narrow screen it is not shown once left)."""
    thread = screen.query_one(ThreadList).current
    story = screen.query_one(StoryList).current
    focused = screen.focused
    focus = focused.id if focused is not None else None
    if isinstance(focused, EntityPanel) or focus == "search":
        focus = "stories" if story is not None else "threads"
    return Place(thread.id if thread else None, story.id if story else None, focus)


def restore(screen: MainScreen, place: Place) -> None:
    """Back to `place` as far as the (re-read) lists still hold it."""
    threads = screen.query_one(ThreadList)
    index = next((i + 1 for i, t in enumerate(threads.threads) if t.id == place.thread_id), 0)
    with threads.prevent(ThreadList.Chosen):
        threads.cursor = index
    screen.load_stories()
    stories = screen.query_one(StoryList)
    rows = [
        i for i, r in enumerate(stories.rows) if isinstance(r, Story) and r.id == place.story_id
    ]
    if rows:
        stories.cursor = rows[0]
    target = screen.query_one(f"#{place.focus or 'threads'}")
    if target.focusable:
        target.focus()
    else:
        threads.focus()


def escape(screen: MainScreen) -> None:
    """escape: closes the search box being typed in, else takes off the innermost filter (the
    search, then the entity) and goes back to where the user was when it went on."""
    search = screen.query_one("#search", Input)
    if screen.focused is search and search.value.strip() != screen.search_text:
        search.value = screen.search_text  # what was typed goes; the search on stays
        search.display = bool(screen.search_text)
        restore(screen, screen.before_search)
        return
    peel(screen, screen.filter_stack.peel())


def peel(screen: MainScreen, layer: Layer | None) -> None:
    """Take off one filter (None: there was none: close the box) and go back to its place."""
    search = screen.query_one("#search", Input)
    if layer is None:  # nothing to take off: the lists stay as they are (and in their order)
        search.value, search.display = "", False
        screen.query_one(ThreadList).focus()
        return
    if layer.kind == "search":
        search.value, screen.search_text = "", ""
        search.display = False
    else:
        screen.entity = None
    screen.reload()
    restore(screen, layer.place)
