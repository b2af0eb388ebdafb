"""? : every key binding of the app and the screen under it, generated from BINDINGS."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def binding_rows(bindings: list[tuple[str, str, str]]) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", padding=(0, 2))
    table.add_column("key")
    table.add_column("action")
    table.add_column("id", style="dim")
    for key, description, binding_id in bindings:
        table.add_row(Text(key), Text(description), Text(binding_id))
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the keys; escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help-close"),
    ]

    def __init__(self, bindings: list[tuple[str, str, str]]) -> None:
        super().__init__(id="help")
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("briefing — keys", style="bold"), id="help-title")
            yield Static(binding_rows(self.bindings), id="help-table")
            yield Static(
                Text(
                    "Any key can be moved by its id in feeds.toml's [keys] table, e.g. "
                    'search = "n" or toggle-read = "space" (Textual key names). '
                    "ctrl+p opens the command palette. Press escape to close.",
                    style="dim",
                )
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
