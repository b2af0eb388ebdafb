"""Corrections by hand in the TUI: d detach, M merge, R rename, u undo, w why.

The main screen binds the keys and calls the functions here; the work is the core's
(briefing.corrections), which records each correction so u can undo it and the engine keeps
to it. Names and titles come from feeds or from the user: always literal Content, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from briefing import corrections
from briefing.models import Correction, Story, Thread
from briefing.safety import clean_line
from briefing.store import StoreReadOnly
from briefing.store.corrections import NAME_LIMIT
from briefing.ui.highlight import STYLES
from briefing.ui.widgets.story_list import StoryList

if TYPE_CHECKING:
    from briefing.ui.screens.main import MainScreen

DIM = "$text-muted"


# -- the actions ----------------------------------------------------------------------------
def _correct(screen: MainScreen, act: Callable[[], Correction]) -> Correction | None:
    """Run one correction; a refusal becomes a warning in plain words, and None."""
    try:
        return act()
    except corrections.CorrectionError as exc:
        screen.notify(str(exc).capitalize() + ".", severity="warning", markup=False)
    except StoreReadOnly as exc:
        screen.app.refuse(exc)
    return None


def detach(screen: MainScreen) -> None:
    """d: the story under the cursor leaves its thread for a thread of its own."""
    story = screen.query_one(StoryList).current
    if story is None or story.thread_id is None:
        screen.notify("Pick a story in a thread first.", severity="warning", timeout=3)
        return
    app = screen.app
    done = _correct(screen, lambda: corrections.detach(app.store, story.id, app.clock()))
    if done is None:
        return
    listed = screen.query_one(StoryList)
    at = next(i for i, s in enumerate(listed.stories) if s.id == story.id)
    near = [s.id for s in listed.stories[at + 1 :] + listed.stories[:at][::-1]]
    screen.reload()
    # The cursor stays where the story was: on the next story of the thread (or the last).
    rows = {row.id: i for i, row in enumerate(listed.rows) if isinstance(row, Story)}
    index = next((rows[i] for i in near if i in rows), None)
    if index is not None:
        listed.cursor = index
    screen.notify(f"{corrections.describe(done)}. u undoes it.", title="Detached", markup=False)


def merge(screen: MainScreen) -> None:
    """M: pick the thread this one goes into; that one keeps its id and name."""
    gone = screen.current_thread_id()
    thread = screen.app.store.thread(gone) if gone is not None else None
    if thread is None:
        screen.notify("Pick a thread to merge first.", severity="warning", timeout=3)
        return
    others = [t for t in screen.app.store.threads(limit=2000) if t.id != thread.id]
    if not others:
        screen.notify("There is no other thread to merge it into.", severity="warning")
        return

    def chosen(into: int | None) -> None:
        if into is None:
            return
        app = screen.app
        done = _correct(screen, lambda: corrections.merge(app.store, thread.id, into, app.clock()))
        if done is None:
            return
        screen.reload()
        screen.go_to_thread(done.to_thread)
        screen.notify(f"{corrections.describe(done)}. u undoes it.", title="Merged", markup=False)

    screen.app.push_screen(MergeDialog(thread, others), chosen)


def rename(screen: MainScreen) -> None:
    """R: name the thread yourself; the engine does not rename it after that."""
    tid = screen.current_thread_id()
    thread = screen.app.store.thread(tid) if tid is not None else None
    if thread is None:
        screen.notify("Pick a thread to rename first.", severity="warning", timeout=3)
        return

    def chosen(name: str | None) -> None:
        if name is None:
            return
        app = screen.app
        done = _correct(screen, lambda: corrections.rename(app.store, thread.id, name, app.clock()))
        if done is None:
            return
        screen.reload()
        screen.notify(f"{corrections.describe(done)}. u undoes it.", title="Renamed", markup=False)

    screen.app.push_screen(RenameDialog(thread.name), chosen)


def undo(screen: MainScreen) -> None:
    """u: undo the last correction (again: the one before)."""
    store = screen.app.store
    if not screen.app.written(lambda: store.require_writable("undo a correction")):
        return
    done = corrections.undo(store)
    if done is None:
        screen.notify("Nothing to undo.", timeout=2)
        return
    screen.reload()
    screen.notify(corrections.describe(done, undone=True) + ".", title="Undone", markup=False)


def why(screen: MainScreen) -> None:
    """w: why the story under the cursor is in its thread."""
    story = screen.query_one(StoryList).current
    if story is None:
        screen.notify("Pick a story first.", severity="warning", timeout=3)
        return
    screen.app.push_screen(WhyScreen(corrections.why(screen.app.store, story.id)))


# -- the dialogs ----------------------------------------------------------------------------
class RenameDialog(ModalScreen[str | None]):
    """The current name to edit; enter saves, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rename-cancel")]

    def __init__(self, name: str) -> None:
        super().__init__(id="rename")
        self.current = name

    def compose(self) -> ComposeResult:
        with Vertical(id="rename-box", classes="dialog-box"):
            title = clean_line(self.current, 60)
            yield Static(Content.assemble(("Rename “", "bold"), (title, "bold"), ("”", "bold")))
            name = clean_line(self.current, NAME_LIMIT)
            yield Input(name, max_length=NAME_LIMIT, id="rename-name")
            yield Static(
                Content("enter saves · escape cancels · the engine will not rename it after this"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def save(self, event: Input.Submitted) -> None:
        name = corrections.clean_name(event.value)
        if not name:
            self.notify("A thread name cannot be empty.", severity="warning")
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _thread_option(thread: Thread) -> Option:
    stories = f"{thread.stories} {'story' if thread.stories == 1 else 'stories'}"
    prompt = Content.assemble(
        clean_line(thread.name or "(unnamed)", 60), (f"   {stories} · #{thread.id}", DIM)
    )
    return Option(prompt, id=str(thread.id))


class MergeDialog(ModalScreen[int | None]):
    """Type to filter the threads; enter (or a click) merges into the highlighted one."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="merge-cancel"),
        Binding("down", "move(1)", "Next thread", show=False, id="merge-down"),
        Binding("up", "move(-1)", "Previous thread", show=False, id="merge-up"),
    ]

    def __init__(self, thread: Thread, others: Sequence[Thread]) -> None:
        super().__init__(id="merge")
        self.thread = thread
        self.others = list(others)

    def compose(self) -> ComposeResult:
        with Vertical(id="merge-box", classes="dialog-box"):
            yield Static(
                Content.assemble(
                    ("Merge “", "bold"), (clean_line(self.thread.name, 60), "bold"),
                    ("” into…", "bold"),
                )
            )  # fmt: skip
            yield Input(placeholder="type to filter threads by name", id="merge-filter")
            yield OptionList(*[_thread_option(t) for t in self.others], id="merge-threads")
            yield Static(
                Content("enter merges into the highlighted thread (it keeps its name) · escape"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0
        self.query_one(Input).focus()

    @on(Input.Changed)
    def filter_threads(self, event: Input.Changed) -> None:
        needle = event.value.strip().lower()
        shown = [t for t in self.others if needle in t.name.lower() or needle == str(t.id)]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([_thread_option(t) for t in shown])
        options.highlighted = 0 if shown else None

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            index = (options.highlighted or 0) + step
            options.highlighted = max(0, min(options.option_count - 1, index))

    @on(Input.Submitted)
    def pick_highlighted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            self.notify("No thread matches.", severity="warning")
            return
        self.dismiss(int(options.get_option_at_index(options.highlighted).id or 0))

    @on(OptionList.OptionSelected)
    def pick(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


class WhyScreen(ModalScreen[None]):
    """The story's thread, the score the engine gave it, and what it shares with the rest."""

    BINDINGS = [Binding("escape,q,w", "close", "Close", id="why-close")]

    def __init__(self, found: corrections.Why) -> None:
        super().__init__(id="why")
        self.found = found

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="why-box", classes="dialog-box"):
            yield Static(why_content(self.found), id="why-text")

    def action_close(self) -> None:
        self.dismiss(None)


def why_content(found: corrections.Why) -> Content:
    """The why view as literal Content (titles and names are never parsed as markup)."""
    story, thread = found.story, found.thread
    parts: list[Content | str | tuple[str, str]] = [
        ("Why is this story in its thread?\n\n", "bold"),
        (f"“{clean_line(story.title, 100)}”", "bold"),
        (f"  {clean_line(story.source, 40)}\n", DIM),
    ]
    if thread is None:
        parts.append("\nNot in a thread yet: threads are made when the feeds are refreshed.")
        return Content.assemble(*parts)
    parts += [
        ("Thread: ", DIM),
        clean_line(thread.name, 80),
        (f"  #{thread.id} · {found.others + 1} stories\n\n", DIM),
        found.verdict() + "\n",
    ]
    if found.score is not None and found.moved_by_hand is None and found.copy_of is None:
        filled = round(max(0.0, min(1.0, found.score)) * 20)
        parts += [("█" * filled, "$text-success"), ("░" * (20 - filled), DIM), "\n"]
    if found.others == 0:
        parts.append(("\nIt is the only story in its thread.\n", DIM))
    if found.entities:
        parts.append(("\nShared entities", "bold"))
        parts.append(("  (other stories of the thread that name them)\n", DIM))
        for name, etype, count in found.entities:
            parts += [
                "  ",
                (clean_line(name, 50), STYLES.get(etype, "")),
                (f"  {corrections.TYPE_WORDS.get(etype, etype.lower())}", DIM),
                f"  {count} of {found.others}\n",
            ]
    if found.words:
        parts.append(("\nShared words", "bold"))
        parts.append(("  (the most distinctive first; in how many other stories)\n", DIM))
        parts.append(
            "  " + " · ".join(f"{clean_line(w, 30)} {count}" for w, count in found.words) + "\n"
        )
    if found.others and not found.entities and not found.words:
        parts.append("\nIt shares no entity or word with the other stories.\n")
    parts.append(("\nd detaches it into a thread of its own · escape closes", DIM))
    return Content.assemble(*parts)
