"""The head of a thread's timeline: its summary and latest development (summaries.py), in the
outlets' own sentences. Hidden when no thread is open; drawn as Text, never markup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.widgets import Static

from briefing.safety import clean_line

if TYPE_CHECKING:
    from briefing.summaries import Summary


def head_text(summary: Summary) -> Text:
    """The latest development first: a narrow screen has room for it alone."""
    text = Text()
    if summary.latest is not None:
        text.append("Latest: ", style="bold")
        text.append(clean_line(summary.latest.text))
        text.append(f" — {clean_line(summary.latest.source, 40)}\n", style="italic dim")
    for sentence in summary.sentences:
        text.append("• " + clean_line(sentence.text))
        text.append(f" — {clean_line(sentence.source, 40)}\n", style="italic dim")
    text.rstrip()
    return text


class ThreadHead(Static):
    wanted: int | None = None  # the thread whose summary is on its way

    def load(self, db_path: Path, thread_id: int) -> None:
        """Show the thread's summary once made: in a worker, as a stale one is made and
        stored then (a few ms; never on the UI thread while the user moves in the list)."""
        self.wanted = thread_id
        self._load(db_path, thread_id)

    @work(thread=True, exclusive=True, group="thread-head", exit_on_error=False)
    def _load(self, db_path: Path, thread_id: int) -> None:
        from briefing.brief import thread_summary
        from briefing.store import Store

        with Store(db_path) as store:
            summary = thread_summary(store, thread_id)
        self.app.call_from_thread(self._arrived, thread_id, summary)

    def _arrived(self, thread_id: int, summary: Summary) -> None:
        if thread_id == self.wanted:
            self.show(summary)

    def show(self, summary: Summary | None) -> None:
        """A thread's summary, or nothing (no thread open, or a thread of one story)."""
        if summary is None:
            self.wanted = None
        shown = summary is not None and bool(summary.sentences or summary.latest)
        self.set_class(shown, "-shown")
        self.update(head_text(summary) if summary is not None and shown else "")
