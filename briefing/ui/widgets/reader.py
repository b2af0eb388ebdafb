"""The reader: one story's title, outlet, time, link and text, with entities highlighted."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.widgets import Static
from textual.worker import get_current_worker

from briefing import boilerplate
from briefing.models import Article, Mention, Story
from briefing.safety import clean_line
from briefing.ui.highlight import highlight, highlight_kept, legend
from briefing.ui.messages import FullTextDone
from briefing.ui.render import reader_meta

if TYPE_CHECKING:
    from briefing.ui.app import BriefingApp


class Reader(VerticalScroll):
    """Scrollable story text. Built from Text/Content objects only (never markup)."""

    DEFAULT_CSS = """
    Reader { padding: 0 1; }
    Reader > #reader-title { text-style: bold; }
    Reader > #reader-body { margin-top: 1; }
    Reader > #reader-article-note { margin-top: 1; color: $text-muted; }
    Reader > #reader-legend { margin-top: 1; color: $text-muted; }
    """

    app: BriefingApp

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
        boiler: frozenset[str] = frozenset(),
    ) -> None:
        """The story; with a fetched article (x), its full text replaces the feed's summary.
        ``boiler``: what the story's feed repeats under its items, left out of the summary."""
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
        elif story.summary and (runs := boilerplate.kept(story.summary, boiler)):
            body.update(highlight_kept(story.summary, mentions, "summary", runs))
        else:
            empty = "(no text in the feed for this story: x fetches the full text, o opens it)"
            body.update(Content.styled(empty, "dim"))
        self.scroll_home(animate=False)

    # -- full text (x / X) ------------------------------------------------------------------
    def full_text(self, story: Story | None, again: bool = False) -> None:
        """The cached text, or fetch it; `again` fetches anew (a paywall lifted, a page fixed).

        FullTextDone bubbles up once the page is in: the screen then shows the story again.
        """
        if story is None:
            self.notify("Pick a story first.", timeout=2)
            return
        article = self.app.store.article(story.id)
        if article is not None and article.status != "failed" and not again:
            self.notify(article.message, title="Full text", markup=False, timeout=3)
            return
        if any(w.group == "full-text" and w.is_running for w in self.workers):
            self.notify("Already fetching a page; one at a time.", timeout=2)
            return
        self.loading = True
        self.fetch_full_text(story.id, again)

    @work(thread=True, exit_on_error=False, group="full-text", name="full-text")
    def fetch_full_text(self, story_id: str, again: bool = False) -> None:
        """Fetch, extract, cache and annotate off the UI thread, on a store connection of its
        own; the screen re-reads the store when the message arrives."""
        from briefing.fulltext import fetch_articles  # httpx, trafilatura: only when asked

        session = self.app.session
        try:
            results = asyncio.run(
                fetch_articles(
                    session.config,
                    session.db_path,
                    [story_id],
                    transport=session.transport,
                    cancel=get_current_worker().cancelled_event,
                    force=again,
                )
            )
        except Exception as exc:  # never a traceback on screen: say what failed
            self.post_message(FullTextDone(story_id, "failed", f"Full text failed: {exc}"))
            raise
        status, message = next(
            ((r.status, r.message) for r in results), ("failed", "The story is gone.")
        )
        self.post_message(FullTextDone(story_id, status, message))

    @on(FullTextDone)
    def full_text_done(self, event: FullTextDone) -> None:
        """Say what happened; the message goes on up to the screen."""
        self.loading = False
        severity: SeverityLevel = "information" if event.status == "ok" else "warning"
        self.notify(event.message, title="Full text", severity=severity, markup=False)
