"""The head of a thread's timeline: its summary and latest development (summaries.py), in the
outlets' own sentences. Hidden when no thread is open; drawn as Text, never markup."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from briefing.safety import clean_line
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
    def show(self, summary: Summary | None) -> None:
        """A thread's summary, or nothing (no thread open, or a thread of one story)."""
        shown = summary is not None and bool(summary.sentences or summary.latest)
        self.set_class(shown, "-shown")
        self.update(head_text(summary) if summary is not None and shown else "")
