"""A one-line status bar: refresh progress per feed, then a summary of the last refresh."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import ProgressBar, Static

from briefing.models import Progress
from briefing.safety import clean_line
from briefing.ui.messages import RefreshEnded, RefreshStarted, RefreshStatus

if TYPE_CHECKING:
    from textual.signal import Signal


WARN = "bold $text-error"


class RefreshBar(Horizontal):
    DEFAULT_CSS = """
    RefreshBar { height: 1; padding: 0 1; background: $panel; }
    RefreshBar > #refresh-label { width: 1fr; }
    RefreshBar > ProgressBar { width: 40; display: none; }
    RefreshBar.-busy > ProgressBar { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Static(Text("", style="dim"), id="refresh-label")
        yield ProgressBar(total=None, show_eta=False, id="refresh-progress")

    def on_mount(self) -> None:
        # BriefingApp's refresh_status (a plain App, as in the widget's tests, has none).
        status: Signal[Any] | None = getattr(self.app, "refresh_status", None)
        if status is not None:
            status.subscribe(self, self.show)

    def show(self, status: RefreshStatus) -> None:
        if isinstance(status, RefreshStarted):
            self.start(status.feeds)
        elif isinstance(status, RefreshEnded):
            self.finish(status.text, warn=status.warn)
        else:
            self.step(status)

    def start(self, total: int) -> None:
        self.add_class("-busy")
        self.query_one(ProgressBar).update(total=max(total, 1), progress=0)
        self.say(f"Refreshing {total} feeds…")

    def step(self, progress: Progress) -> None:
        bar = self.query_one(ProgressBar)
        if progress.stage == "fetch" and progress.feed is not None:
            bar.update(total=max(progress.total, 1), progress=progress.done)
            feed = progress.feed
            self.say(
                f"Refreshing {progress.done}/{progress.total} · "
                f"{clean_line(feed.name, 40)}: {clean_line(feed.status, 80)}",
                warn=not feed.ok,
            )
        elif progress.message:
            bar.update(total=None)
            self.say(progress.message)

    def finish(self, message: str, warn: bool = False) -> None:
        self.remove_class("-busy")
        self.say(message, warn=warn)

    def say(self, message: str, warn: bool = False) -> None:
        style = WARN if warn else "$text-muted"  # theme colours: readable on light and dark
        label = self.query_one("#refresh-label", Static)
        label.update(Content.styled(clean_line(message, 300), style))
