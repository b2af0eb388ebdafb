"""The reader: one story's title, outlet, time, link and text, with entities highlighted."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from briefing.models import Mention, Story
from briefing.safety import clean_line
from briefing.ui.highlight import highlight, legend
from briefing.ui.render import reader_meta


class Reader(VerticalScroll):
    """Scrollable story text. Built from Text/Content objects only (never markup)."""

    DEFAULT_CSS = """
    Reader { padding: 0 1; }
    Reader > #reader-title { text-style: bold; }
    Reader > #reader-body { margin-top: 1; }
    Reader > #reader-legend { margin-top: 1; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.story: Story | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Select a story to read it.", style="dim"), id="reader-title")
        yield Static("", id="reader-meta")
        yield Static("", id="reader-body")
        yield Static(legend(), id="reader-legend")

    def show(
        self,
        story: Story | None,
        mentions: Sequence[Mention] = (),
        copies: Sequence[Story] = (),
    ) -> None:
        self.story = story
        title = self.query_one("#reader-title", Static)
        meta = self.query_one("#reader-meta", Static)
        body = self.query_one("#reader-body", Static)
        if story is None:
            title.update(Text("Nothing to read here.", style="dim"))
            meta.update("")
            body.update("")
            return
        title.update(highlight(clean_line(story.title), mentions, "title"))
        header = reader_meta(story)
        if copies:
            header.append("\nAlso reported by: ", style="dim")
            header.append(
                ", ".join(sorted({clean_line(c.source, 60) for c in copies})), style="dim"
            )
        meta.update(header)
        if story.summary:
            body.update(highlight(story.summary, mentions, "summary"))
        else:
            note = "(this feed gave no text for this story — press o to open it)"
            body.update(Content.styled(note, "dim"))
        self.scroll_home(animate=False)
