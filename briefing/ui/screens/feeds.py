"""F: every feed with its last status in plain words, so a dead feed cannot hide."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from briefing.models import Feed
from briefing.safety import clean_line
from briefing.store import FeedRow
from briefing.ui.render import local_time

FAILING_AFTER = 3  # consecutive failed refreshes before a feed is flagged as dead


def when(moment: datetime | None) -> str:
    return local_time(moment).strftime("%d %b %H:%M") if moment else "never"


class FeedsScreen(ModalScreen[None]):
    """The feeds, their health and their stories; escape closes."""

    BINDINGS = [Binding("escape,q,F", "dismiss", "Close", id="feeds-close")]

    def __init__(self, feeds: tuple[Feed, ...], rows: list[FeedRow]) -> None:
        super().__init__(id="feeds")
        self.feeds = feeds
        self.rows = {r.url: r for r in rows}

    def compose(self) -> ComposeResult:
        yield Static(Text("Feeds — escape to close", style="bold"), id="feeds-title")
        yield DataTable(id="feeds-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("", "feed", "status", "last success", "stories", "tags")
        for feed in self.feeds:
            row = self.rows.get(feed.url)
            if row is None:
                flag, status = Text(" "), Text("not fetched yet", style="dim")
            elif row.failures >= FAILING_AFTER:
                flag = Text("✗", style="bold red")
                status = Text(f"failing {row.failures}× · {clean_line(row.status, 60)}", "red")
            elif not row.ok:
                flag, status = Text("!", style="bold yellow"), Text(clean_line(row.status, 70))
            else:
                flag, status = Text("✓", style="green"), Text(clean_line(row.status, 70))
            if not feed.enabled:
                status = Text("disabled", style="dim")
            table.add_row(
                flag,
                Text(clean_line(feed.name, 40)),
                status,
                Text(when(row.ok_at if row else None)),
                Text(str(row.stories if row else 0)),
                Text(clean_line(", ".join(feed.tags), 30), style="dim"),
                key=feed.url,
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
