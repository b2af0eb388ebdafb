"""b: the briefing. What happened since the last brief, one thread a card: name, outlets, time
span, the summary in the outlets' own sentences, the latest development, who and where.

The brief is made in a worker thread with its own store connection (a stale summary is made
and stored then); the screen draws what it gets, every feed string as Text, never markup.
Closing the screen marks the brief read, so the next one starts there (as `briefing brief`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from briefing import brief
from briefing.safety import clean_line, counted
from briefing.store import Store

if TYPE_CHECKING:
    from briefing.ui.app import BriefingApp


def card(entry: brief.Entry) -> Group:
    """One thread as the brief shows it (plain Text only: feed strings are never markup)."""
    t, s = entry.thread, entry.summary
    outlets = ", ".join(clean_line(o, 40) for o in s.sources[:5])
    more = f" +{len(s.sources) - 5}" if len(s.sources) > 5 else ""
    lines: list[Text] = [
        Text(clean_line(t.name, 120) or "Untitled thread", style="bold"),
        Text(f"{counted(t.stories, 'story', 'stories')} · {outlets}{more} · {brief.span(t)}",
             style="dim"),
    ]  # fmt: skip
    for sentence in s.sentences:
        line = Text("• ")
        line.append(clean_line(sentence.text))
        line.append(f" — {clean_line(sentence.source, 40)}", style="italic dim")
        lines.append(line)
    if s.latest is not None:
        line = Text("Latest: ", style="bold")
        line.append(clean_line(s.latest.text), style="")
        line.append(f" — {clean_line(s.latest.source, 40)}", style="italic dim")
        lines.append(line)
    if s.key_entities:
        lines.append(Text("Who/where: " + ", ".join(clean_line(e, 40) for e in s.key_entities),
                          style="dim"))  # fmt: skip
    lines.append(Text(""))
    return Group(*lines)


class BriefScreen(Screen[int | None]):
    """Dismissed with the chosen thread's id (enter), or None (escape, b, q)."""

    HELP_GROUP: ClassVar[str] = "Briefing: "  # how the help introduces these keys
    BINDINGS = [
        Binding("escape,b,q", "close", "Close", id="brief-close"),
        Binding("j", "cursor('down')", "Down", show=False, id="brief-down"),
        Binding("k", "cursor('up')", "Up", show=False, id="brief-up"),
    ]

    @classmethod
    def help_bindings(cls) -> list[BindingType]:
        return list(cls.BINDINGS)

    def __init__(self, since: datetime | None = None) -> None:
        super().__init__(id="brief")
        self.since = since
        self.made: brief.Brief | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="brief-box"):
            yield Static(Text("Briefing…", style="bold"), id="brief-title")
            yield OptionList(id="brief-list")
        yield Footer()

    @property
    def app_(self) -> BriefingApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, group="brief", name="brief")
    def load(self) -> None:
        now = self.app_.clock()
        with Store(self.app_.session.db_path) as store:
            since = self.since or brief.default_since(store, now)
            made = brief.make_brief(store, since, now)
        self.app.call_from_thread(self.show, made)

    def show(self, made: brief.Brief) -> None:
        self.made = made
        title = self.query_one("#brief-title", Static)
        title.update(Text(f"{brief.header(made)}  ·  enter opens a thread, escape closes",
                          style="bold"))  # fmt: skip
        options = self.query_one(OptionList)
        options.clear_options()
        for entry in made.entries:
            options.add_option(Option(card(entry), id=f"thread-{entry.thread.id}"))
        if made.singles:
            also = [Text("Also new", style="bold")]
            also += [
                Text(f"• {clean_line(s.title)} — {clean_line(s.source, 40)}") for s in made.singles
            ]
            options.add_option(Option(Group(*also), id="singles", disabled=True))
        if not made.entries and not made.singles:
            options.add_option(Option(Text("Nothing new since then."), disabled=True))
        if made.entries:
            options.highlighted = 0

    def action_cursor(self, direction: str) -> None:
        options = self.query_one(OptionList)
        options.action_cursor_down() if direction == "down" else options.action_cursor_up()

    @on(OptionList.OptionSelected, "#brief-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith("thread-"):
            self.close(int(option_id.removeprefix("thread-")))

    def action_close(self) -> None:
        self.close(None)

    def close(self, thread_id: int | None) -> None:
        """The brief was seen: the next one starts from now (unless the store is read-only)."""
        if self.made is not None and not self.app_.store.read_only:
            self.app_.store.mark_brief(self.made.made_at)
        self.dismiss(thread_id)


__all__ = ["BriefScreen"]
