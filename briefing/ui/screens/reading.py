"""m, o and K on the main screen: read and unread, opening a story's page, keeping a thread.

The main screen binds the keys and calls the functions here; every write goes through
App.written, which says so instead of writing when the store is read-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefing.models import Story, Thread
from briefing.safety import clean_line, safe_link
from briefing.ui.widgets.story_list import StoryList
from briefing.ui.widgets.thread_list import ThreadList

if TYPE_CHECKING:
    from briefing.ui.screens.main import MainScreen


def toggle_read(screen: MainScreen) -> None:
    """m: the highlighted thread read or unread; in the stories list, one story."""
    threads = screen.query_one(ThreadList)
    if screen.focused is threads:
        if threads.current is not None:
            mark_thread(screen, threads.current)
        else:  # "All stories": m marks one thread, never the whole store
            screen.notify(
                "m marks the highlighted thread, or in the stories list one story: "
                "move to a thread first.",
                severity="warning",
                markup=False,
            )
        return
    story = screen.query_one(StoryList).current
    if story is not None:
        mark(screen, story, read=not story.read)


def open_link(screen: MainScreen) -> None:
    """o: the story's page in the browser (read, once opened), or its link copied."""
    story = screen.query_one(StoryList).current
    if story is None:
        return
    link = safe_link(story.link)
    if not link:
        screen.notify("This story has no web link that can be opened safely.", severity="warning")
        return
    if not screen.app.open_link(link):  # not opened: not read either
        screen.app.copy_to_clipboard(link)
        screen.notify(
            "No browser found. The link, copied to the clipboard if the terminal allows:\n" + link,
            title="Browser",
            severity="warning",
            markup=False,
            timeout=20,
        )
        return
    mark(screen, story, read=True)
    screen.notify(f"Opened {link[:80]}", title="Browser", markup=False)


def keep_thread(screen: MainScreen) -> None:
    """Keep the thread out of retention (a kept thread is never pruned), or stop keeping it."""
    thread_id = screen.current_thread_id()
    thread = screen.app.store.thread(thread_id) if thread_id is not None else None
    if thread is None:
        screen.notify("Choose a thread to keep.", severity="warning")
        return
    if not screen.app.written(lambda: screen.app.store.set_thread_kept(thread.id, not thread.kept)):
        return
    word = "Unkept" if thread.kept else "Kept"
    tail = "; old stories may be pruned again" if thread.kept else ": never pruned"
    screen.notify(f"{word} “{clean_line(thread.name, 50)}”{tail}.", markup=False, timeout=3)
    screen.refresh_threads()


def mark(screen: MainScreen, story: Story, read: bool) -> None:
    """Mark a story and its re-publications read (or unread)."""
    if story.read == read:
        return
    stories = screen.query_one(StoryList)
    ids = [story.id, *(c.id for c in stories.copies.get(story.id, []))]
    if not screen.app.written(lambda: screen.app.store.set_read(ids, read)):
        return
    story.read = read
    stories.update_story(story)
    screen.refresh_threads()


def mark_thread(screen: MainScreen, thread: Thread) -> None:
    read = thread.unread > 0
    if not screen.app.written(lambda: screen.app.store.set_thread_read(thread.id, read)):
        return
    if read:  # read through: nothing in it is new any more, so "+N" goes too
        screen.app.store.mark_thread_opened(thread.id, screen.app.clock())
    screen.notify(
        f"Marked “{clean_line(thread.name, 50)}” {'read' if read else 'unread'}.",
        markup=False,
        timeout=2,
    )
    screen.refresh_threads()
    screen.load_stories()
