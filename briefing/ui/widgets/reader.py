"""The reader: one story's title, outlet, time, link and text."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from briefing.models import Story
from briefing.ui.render import reader_body, reader_header


class Reader(VerticalScroll):
    """Scrollable story text. Rendered from Text objects only (no markup)."""

    DEFAULT_CSS = """
    Reader { padding: 0 1; }
    Reader > #reader-header { margin-bottom: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.story: Story | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Select a story to read it.", style="dim"), id="reader-header")
        yield Static("", id="reader-body")

    def show(self, story: Story | None, body: Text | None = None) -> None:
        self.story = story
        header = self.query_one("#reader-header", Static)
        text = self.query_one("#reader-body", Static)
        if story is None:
            header.update(Text("Nothing to read here.", style="dim"))
            text.update("")
            return
        header.update(reader_header(story))
        text.update(body if body is not None else reader_body(story))
        self.scroll_home(animate=False)
