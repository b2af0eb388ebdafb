"""The main screen: feeds/views | stories over the reader, a search bar and a refresh bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input

from briefing.models import Story
from briefing.safety import safe_link
from briefing.ui.widgets.nav_list import NavItem, NavList
from briefing.ui.widgets.reader import Reader
from briefing.ui.widgets.refresh_bar import RefreshBar
from briefing.ui.widgets.story_list import StoryList

if TYPE_CHECKING:
    from briefing.ui.app import BriefingApp

STORY_LIMIT = 2000


class MainScreen(Screen[None]):
    """Everything happens here.

    | Key | Action |
    | --- | --- |
    | / | search stories (full text) |
    | escape | clear the search |
    | m | toggle read |
    | o | open the link in the browser |
    """

    BINDINGS = [
        Binding("slash", "search", "Search", id="search"),
        Binding("escape", "clear_search", "Clear", show=False, id="clear-search"),
        Binding("m", "toggle_read", "Read/unread", id="toggle-read"),
        Binding("o", "open_link", "Open", id="open-link"),
    ]

    app: BriefingApp

    def __init__(self) -> None:
        super().__init__(id="main")
        self.search_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            yield NavList(id="nav")
            with Vertical(id="right"):
                yield Input(placeholder="Search titles and text — enter to search, escape to clear",
                            id="search")  # fmt: skip
                yield StoryList(id="stories")
                yield Reader(id="reader")
        yield RefreshBar(id="refresh-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#nav").border_title = "Feeds"
        self.query_one("#stories").border_title = "Stories"
        self.query_one("#reader").border_title = "Reader"
        self.reload()
        self.query_one(StoryList).focus()

    # -- data -------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the store: the nav counts and the current story list, keeping the cursor."""
        nav = self.query_one(NavList)
        current = nav.current.key if nav.current else "all"
        store = self.app.store
        unread = store.unread_counts()
        feeds = store.feeds()
        items = [
            NavItem("all", "All stories", sum(unread.values())),
            NavItem("unread", "Unread", sum(unread.values())),
        ]
        names = {f.url: f for f in feeds}
        for feed in self.app.session.config.feeds:
            row = names.get(feed.url)
            items.append(
                NavItem(
                    f"feed:{feed.url}",
                    feed.name,
                    unread.get(feed.url, 0),
                    failing=row is not None and row.failures > 0,
                )
            )
        with nav.prevent(NavList.Chosen):
            nav.show(items, keep=current)
        self.load_stories()

    def load_stories(self) -> None:
        stories_widget = self.query_one(StoryList)
        keep = stories_widget.current.id if stories_widget.current else None
        item = self.query_one(NavList).current or NavItem("all", "All stories")
        stories = self.app.store.stories(
            limit=STORY_LIMIT,
            feed_url=item.feed_url,
            unread_only=item.key == "unread",
            search=self.search_text,
        )
        stories_widget.show(stories, keep=keep, now=self.app.clock())
        title = item.label if not self.search_text else f"{item.label} · “{self.search_text}”"
        stories_widget.border_title = f"{title} ({len(stories)})"
        if not stories:
            self.query_one(Reader).show(None)

    # -- events -----------------------------------------------------------------------------
    @on(NavList.Chosen)
    def nav_chosen(self, event: NavList.Chosen) -> None:
        self.load_stories()

    @on(StoryList.Highlighted)
    def preview(self, event: StoryList.Highlighted) -> None:
        self.query_one(Reader).show(event.story)

    @on(StoryList.Opened)
    def open_story(self, event: StoryList.Opened) -> None:
        self.query_one(Reader).show(event.story)
        self.mark(event.story, read=True)

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        self.search_text = event.value.strip()
        self.load_stories()
        self.query_one(StoryList).focus()

    # -- actions ----------------------------------------------------------------------------
    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("-visible")
        search.focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if not search.has_class("-visible") and not self.search_text:
            return
        search.value = ""
        search.remove_class("-visible")
        if self.search_text:
            self.search_text = ""
            self.load_stories()
        self.query_one(StoryList).focus()

    def action_toggle_read(self) -> None:
        story = self.query_one(StoryList).current
        if story is not None:
            self.mark(story, read=not story.read)

    def action_open_link(self) -> None:
        story = self.query_one(StoryList).current
        if story is None:
            return
        link = safe_link(story.link)
        if not link:
            self.notify("This story has no web link that can be opened safely.", severity="warning")
            return
        self.app.open_url(link)
        self.mark(story, read=True)
        self.notify(f"Opened {link[:80]}", title="Browser", markup=False)

    def mark(self, story: Story, read: bool) -> None:
        if story.read == read:
            return
        self.app.store.set_read([story.id], read)
        story.read = read
        self.query_one(StoryList).update_story(story)
        self.refresh_counts()

    def refresh_counts(self) -> None:
        nav = self.query_one(NavList)
        unread = self.app.store.unread_counts()
        total = sum(unread.values())
        items = [
            NavItem(
                i.key,
                i.label,
                total if i.feed_url is None else unread.get(i.feed_url, 0),
                i.failing,
            )
            for i in nav.items
        ]
        with nav.prevent(NavList.Chosen):
            nav.show(items, keep=nav.current.key if nav.current else None)
