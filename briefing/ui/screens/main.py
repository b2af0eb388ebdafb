"""The main screen: threads | stories over the reader and entity panel, with search and status."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input

from briefing.models import EntityCount, Story
from briefing.safety import clean_line
from briefing.threads.order import briefing_order
from briefing.ui.messages import FullTextDone
from briefing.ui.screens import filters, reading
from briefing.ui.screens.filters import Filters, Place, place_of
from briefing.ui.widgets.entity_panel import EntityPanel
from briefing.ui.widgets.reader import Reader
from briefing.ui.widgets.refresh_bar import RefreshBar
from briefing.ui.widgets.rows import RowList
from briefing.ui.widgets.story_list import StoryList, all_title
from briefing.ui.widgets.thread_head import ThreadHead
from briefing.ui.widgets.thread_list import ThreadList

if TYPE_CHECKING:
    from briefing.ui.app import BriefingApp

STORY_LIMIT = 2000
# The first paint lists this many of all stories, the rest right after: reading 2,000 rows
# cost 20 ms of startup at 1M stories, for a list that shows 30.
FIRST_PAGE = 200
PREVIEW_DELAY = 0.06  # seconds the thread cursor rests before its stories load
THREAD_LIMIT = 2000
# A search or an entity filter lists its latest 500 threads and stories: at 1M stories each
# 2,000 rows cost 20-30 ms more (their counts and objects), and the titles say "500+".
FILTERED_LIMIT = 500


class MainScreen(Screen[None]):
    """Everything happens here.

    | Key | Action |
    | --- | --- |
    | / | search threads and stories (full text) |
    | e | pick an entity to filter by |
    | escape | take off the innermost filter (search, then entity), back to where it began |
    | m | toggle read (the story, or the whole thread in the thread list) |
    | o | open the link in the browser |
    | x | fetch the story's full article text from its web page (X: fetch it again) |
    | t | briefing order / latest first |
    | s | save the thread as a Markdown dossier |
    | S | save it to a path you choose |
    | d | detach the story into a thread of its own |
    | M | merge the thread into another (picked from a list) |
    | R | rename the thread |
    | u | undo the last correction |
    | w | why the story is in its thread |
    """

    HELP_GROUP: ClassVar[str] = ""  # how the help introduces these keys
    BINDINGS = [
        Binding("slash", "search", "Search", id="search"),
        Binding("e", "entities", "Entities", id="entities"),
        Binding("escape", "clear_filters", "Clear filter", show=False, id="clear-filters"),
        Binding("m", "toggle_read", "Read/unread", id="toggle-read"),
        Binding("o", "open_link", "Open", id="open-link"),
        Binding("x", "full_text", "Full text", id="full-text"),
        Binding("X", "full_text(True)", "Full text again", show=False, id="full-text-again"),
        Binding("t", "toggle_sort", "Sort", id="toggle-sort"),
        Binding("s", "save_thread", "Save", id="save-thread"),
        Binding("S", "save_thread_as", "Save as…", show=False, id="save-thread-as"),
        # k moves up in the lists (j/k), so keeping is shift+k.
        Binding("K", "keep_thread", "Keep / unkeep thread", show=False, id="keep-thread"),
        Binding("w", "why", "Why here", show=False, id="why-story"),
        Binding("d", "detach", "Detach story", show=False, id="detach-story"),
        Binding("M", "merge_thread", "Merge thread…", show=False, id="merge-thread"),
        Binding("R", "rename_thread", "Rename thread…", show=False, id="rename-thread"),
        Binding("u", "undo_correction", "Undo correction", show=False, id="undo-correction"),
    ]

    @classmethod
    def help_bindings(cls) -> list[BindingType]:
        return [*cls.BINDINGS, *RowList.BINDINGS]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    """Below 120 columns the entity panel gives its place to the reader (see briefing.tcss)."""

    app: BriefingApp

    def __init__(self) -> None:
        super().__init__(id="main")
        self.search_text = ""
        self.entity: EntityCount | None = None
        self.latest_first = False
        self.thread_entities: list[EntityCount] = []
        self.total = 0
        self._pending_load: Timer | None = None
        # Which thread the story list shows (0 = all stories): the story cursor is kept only
        # while that stays the same, so what is selected never depends on how fast keys came.
        self._stories_of: int | None = None
        self._first_page = True
        self.filter_stack = Filters()  # escape takes them off innermost first (screens/filters.py)
        self.before_search = Place(None, None, "threads")

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            yield ThreadList(id="threads")
            with Vertical(id="right"):
                yield Input(
                    placeholder="Search threads and stories — enter to search, escape to clear",
                    id="search",
                )
                yield ThreadHead(id="thread-head")
                yield StoryList(id="stories")
                with Horizontal(id="bottom"):
                    yield Reader(id="reader")
                    yield EntityPanel(id="entities")
        yield RefreshBar(id="refresh-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reader").border_title = "Reader"
        self.query_one("#entities").border_title = "Entities"
        self.reload()
        self._first_page = False
        self.app.store_changed.subscribe(self, lambda _change: self.reload())
        self.query_one(ThreadList).focus()
        if len(self.query_one(StoryList).stories) >= FIRST_PAGE:
            self.call_after_refresh(self._rest_of_first_page)

    def _rest_of_first_page(self) -> None:
        if self._pending_load is None and self.query_one(ThreadList).current is None:
            self.load_stories()

    # -- data -------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the store: the thread list and the current story list, keeping cursors."""
        threads_widget = self.query_one(ThreadList)
        current = threads_widget.current
        store = self.app.store
        key = self.entity.key if self.entity else None
        limit = self.list_limit(THREAD_LIMIT)
        threads = store.threads(search=self.search_text, entity=key, limit=limit + 1)
        more = "+" if len(threads) > limit else ""
        threads = threads[:limit]
        now = self.app.clock()
        if not self.latest_first:
            threads = briefing_order(threads, now)
        self.total = store.count_stories(search=self.search_text, entity=key)
        with threads_widget.prevent(ThreadList.Chosen):
            keep = current.id if current else None
            approx = bool(self.search_text) and store.hits_estimated
            threads_widget.show(threads, self.total, keep, now, approx)
        order = "latest first" if self.latest_first else "briefing"
        threads_widget.border_title = f"Threads ({len(threads):,}{more}, {order})"
        threads_widget.border_subtitle = Content(self.filter_label())  # literal, never markup
        self.load_stories()

    def list_limit(self, unfiltered: int) -> int:
        return FILTERED_LIMIT if self.search_text or self.entity else unfiltered

    def filter_label(self) -> str:
        parts = []
        if self.search_text:
            parts.append(f"“{clean_line(self.search_text, 30)}”")
        if self.entity:
            parts.append(clean_line(self.entity.name, 30))
        return " · ".join(parts)

    def load_stories(self) -> None:
        if self._pending_load is not None:
            self._pending_load.stop()
            self._pending_load = None
        stories_widget = self.query_one(StoryList)
        thread = self.query_one(ThreadList).current
        showing = thread.id if thread else 0
        same = showing == self._stories_of
        keep = stories_widget.current.id if same and stories_widget.current else None
        self._stories_of = showing
        store = self.app.store
        now = self.app.clock()
        label = self.filter_label()
        stories_widget.empty_text = (
            f"No stories match {label}: escape takes the filter off."
            if label
            else self.app.failure_note or "No stories yet: r fetches the feeds, F lists them."
        )
        if thread is None:
            key = self.entity.key if self.entity else None
            limit = self.list_limit(STORY_LIMIT)
            if self._first_page:
                limit = min(limit, FIRST_PAGE)
            stories = store.stories(limit=limit, search=self.search_text, entity=key)
            stories_widget.show(stories, keep=keep, now=now)
            approx = self.query_one(ThreadList).approx
            stories_widget.border_title = all_title(len(stories), self.total, approx)
            self.query_one(ThreadHead).show(None)
            self.thread_entities = []
        else:
            stories = store.stories(thread_id=thread.id, limit=STORY_LIMIT)
            copies = store.duplicates(thread.id)
            stories_widget.show(stories, keep=keep, now=now, timeline=True, copies=copies)
            # Literal Content: a thread name (from feeds, or typed by the user) is never markup.
            stories_widget.border_title = Content(f"{clean_line(thread.name, 60)} ({len(stories)})")
            self.thread_entities = store.top_entities(thread_id=thread.id, limit=24)
            head = self.query_one(ThreadHead)
            head.show(None)
            if thread.stories >= 2:
                head.load(self.app.session.db_path, thread.id)
        if stories_widget.current is None:
            self.show_story(None)

    def show_story(self, story: Story | None) -> None:
        store = self.app.store
        reader = self.query_one(Reader)
        panel = self.query_one(EntityPanel)
        if story is None:
            reader.show(None)
            panel.show([("This thread", self.thread_entities)])
            return
        copies = self.query_one(StoryList).copies.get(story.id, [])
        from briefing.enrich import feed_repeats  # what its feed repeats: not the story's

        boiler = feed_repeats(store, {story.feed_url: []}).get(story.feed_url, frozenset())
        reader.show(story, store.story_mentions(story.id), copies, store.article(story.id), boiler)
        panel.show(
            [
                ("This story", store.top_entities(story_id=story.id, limit=40)),
                ("This thread", self.thread_entities),
            ]
        )

    # -- events -----------------------------------------------------------------------------
    @on(ThreadList.Chosen)
    def thread_chosen(self, event: ThreadList.Chosen) -> None:
        # While the cursor is moving (held key, page after page) only the list repaints; the
        # thread's stories load once it rests, so scrolling never waits on the panes below.
        if self._pending_load is not None:
            self._pending_load.stop()
        self._pending_load = self.set_timer(PREVIEW_DELAY, self.load_stories)

    @on(ThreadList.Opened)
    def thread_opened(self, event: ThreadList.Opened) -> None:
        if event.thread is not None:
            self.app.store.mark_thread_opened(event.thread.id, self.app.clock())
            self.refresh_threads()  # "+N" goes; the list keeps its order until the next reload
        self.load_stories()
        self.query_one(StoryList).focus()

    @on(StoryList.Highlighted)
    def preview(self, event: StoryList.Highlighted) -> None:
        self.show_story(event.story)

    @on(StoryList.Opened)
    def open_story(self, event: StoryList.Opened) -> None:
        self.show_story(event.story)
        reading.mark(self, event.story, read=True)

    @on(EntityPanel.Picked)
    def entity_picked(self, event: EntityPanel.Picked) -> None:
        self.filter_entity(event.entity)

    def filter_entity(self, entity: EntityCount) -> None:
        self.filter_stack.applied("entity", place_of(self))
        self.entity = entity
        self.reload()
        self.query_one(ThreadList).focus()
        self.notify(
            f"Showing what mentions {clean_line(entity.name, 60)} — escape clears.",
            markup=False,
            timeout=3,
        )

    def go_to_thread(self, thread_id: int) -> None:
        """Show one thread, clearing filters if they hide it."""
        threads = self.query_one(ThreadList)
        if all(t.id != thread_id for t in threads.threads):
            self.search_text, self.entity = "", None
            self.filter_stack.clear()
            self.reload()
        index = next((i + 1 for i, t in enumerate(threads.threads) if t.id == thread_id), None)
        if index is not None:
            # A jump, not a cursor passing by: the thread's stories show now, not after the
            # cursor has rested (the preview timer is for held keys).
            with threads.prevent(ThreadList.Chosen):
                threads.cursor = index
            self.load_stories()  # (it stops a pending preview)
            threads.focus()

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        self.search_text = event.value.strip()
        if not self.search_text:  # an empty search is no search: back to where it began
            filters.peel(self, self.filter_stack.remove("search"))
            return
        self.filter_stack.applied("search", self.before_search)
        self.reload()
        self.query_one(ThreadList).focus()

    # -- full text (the reader fetches it) ---------------------------------------------
    def action_full_text(self, again: bool = False) -> None:
        """x: the cached text, or fetch it; X: fetch again (a paywall lifted, a page fixed)."""
        self.query_one(Reader).full_text(self.query_one(StoryList).current, again)

    @on(FullTextDone)
    def full_text_done(self, event: FullTextDone) -> None:
        current = self.query_one(StoryList).current
        if current is not None and current.id == event.story_id:
            self.show_story(current)

    # -- actions ----------------------------------------------------------------------------
    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        # Shown and focused at once rather than on the next tick, so keys typed right after
        # "/" go to the search box as early as Textual's key routing allows.
        if self.focused is not search:
            self.before_search = place_of(self)
        search.display = True
        self.set_focus(search)

    def action_entities(self) -> None:
        """e: the entity panel; on a narrow screen it shows in the reader's place meanwhile."""
        self.add_class("-entities")
        self.call_after_refresh(self.query_one(EntityPanel).focus)

    @on(events.DescendantFocus)
    def focus_moved(self, event: events.DescendantFocus) -> None:
        if not isinstance(event.widget, EntityPanel):
            self.remove_class("-entities")

    def action_clear_filters(self) -> None:
        filters.escape(self)

    def action_toggle_sort(self) -> None:
        self.latest_first = not self.latest_first
        self.reload()

    def current_thread_id(self) -> int | None:
        """The highlighted thread, or the thread of the highlighted story under "All stories"."""
        thread = self.query_one(ThreadList).current
        if thread is not None:
            return thread.id
        story = self.query_one(StoryList).current
        return story.thread_id if story is not None else None

    # -- reading (ui/screens/reading.py) ----------------------------------------------------
    def action_toggle_read(self) -> None:
        reading.toggle_read(self)

    def action_open_link(self) -> None:
        reading.open_link(self)

    def action_keep_thread(self) -> None:
        reading.keep_thread(self)

    def action_save_thread(self) -> None:
        from briefing.ui.screens import saving  # not on the startup path (export)

        saving.save(self)

    def action_save_thread_as(self) -> None:
        from briefing.ui.screens import saving  # not on the startup path (export)

        saving.save_as(self)

    # -- corrections by hand (ui/screens/corrections.py) ----------------------------------
    def action_detach(self) -> None:
        from briefing.ui.screens import corrections

        corrections.detach(self)

    def action_merge_thread(self) -> None:
        from briefing.ui.screens import corrections

        corrections.merge(self)

    def action_rename_thread(self) -> None:
        from briefing.ui.screens import corrections

        corrections.rename(self)

    def action_undo_correction(self) -> None:
        from briefing.ui.screens import corrections

        corrections.undo(self)

    def action_why(self) -> None:
        from briefing.ui.screens import corrections

        corrections.why(self)

    def refresh_threads(self) -> None:
        """Redraw the thread rows (unread markers) without touching the story list.

        The rows keep their order: reading never moves a thread under the cursor. The list is
        ranked again when it is read anew (a refresh, a search, a filter, t).
        """
        threads = self.query_one(ThreadList)
        current = threads.current
        key = self.entity.key if self.entity else None
        fresh = self.app.store.threads(
            search=self.search_text, entity=key, limit=self.list_limit(THREAD_LIMIT)
        )
        by_id = {t.id: t for t in fresh}
        listed = [by_id.get(t.id, t) for t in threads.threads]
        with threads.prevent(ThreadList.Chosen):
            keep = current.id if current else None
            threads.show(listed, self.total, keep, self.app.clock(), threads.approx)
