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
from briefing.store_articles import Article
from briefing.ui.highlight import highlight, legend
from briefing.ui.render import reader_meta


class Reader(VerticalScroll):
    """Scrollable story text. Built from Text/Content objects only (never markup)."""

    DEFAULT_CSS = """
    Reader { padding: 0 1; }
    Reader > #reader-title { text-style: bold; }
    Reader > #reader-body { margin-top: 1; }
    Reader > #reader-article-note { margin-top: 1; color: $text-muted; }
    Reader > #reader-legend { margin-top: 1; color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.story: Story | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Select a story to read it.", style="dim"), id="reader-title")
        yield Static("", id="reader-meta")
        yield Static("", id="reader-article-note")
        yield Static("", id="reader-body")
        yield Static(legend(), id="reader-legend")

    def show(
        self,
        story: Story | None,
        mentions: Sequence[Mention] = (),
        copies: Sequence[Story] = (),
        article: Article | None = None,
    ) -> None:
        """The story; with a fetched article (x), its full text replaces the feed's summary."""
        self.story = story
        title = self.query_one("#reader-title", Static)
        meta = self.query_one("#reader-meta", Static)
        note = self.query_one("#reader-article-note", Static)
        body = self.query_one("#reader-body", Static)
        note.update("")
        note.display = article is not None  # no gap above the text when there is no note
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
        if article is not None:
            # The message is ours, built from plain words and cleaned page/host names.
            style = "" if article.ok else "italic"
            note.update(Text(f"{'▤ ' if article.ok else '⚠ '}{article.message}", style=style))
        if article is not None and article.ok:
            body.update(highlight(article.text, mentions, "article"))
        elif story.summary:
            body.update(highlight(story.summary, mentions, "summary"))
        else:
            empty = "(no text in the feed for this story: x fetches the full text, o opens it)"
            body.update(Content.styled(empty, "dim"))
        self.scroll_home(animate=False)
