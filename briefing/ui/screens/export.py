"""S: save a thread as Markdown to a path the user chooses (the default filled in)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from briefing.export import user_path
from briefing.safety import clean_line


@dataclass(frozen=True, slots=True)
class ExportChoice:
    path: Path
    force: bool
    folder: bool = False  # the path names a folder (an existing one, or it ends with a slash)


class ExportDialog(ModalScreen[ExportChoice | None]):
    """Path input, an overwrite switch, Save and Cancel; escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export-cancel")]

    def __init__(self, thread_name: str, default: Path) -> None:
        super().__init__(id="export")
        self.thread_name = thread_name
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(Text(f"Save “{clean_line(self.thread_name, 60)}” as Markdown", "bold"))
            yield Input(str(self.default), id="export-path")
            yield Checkbox("Overwrite a file that briefing did not write", id="export-force")
            with Horizontal(id="export-buttons"):
                yield Button("Save", variant="primary", id="export-save")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#export-save")
    def save(self) -> None:
        text = self.query_one(Input).value.strip()
        if not text:
            self.notify("Give a file or folder path.", severity="warning")
            return
        force = self.query_one(Checkbox).value
        path, folder = user_path(text)
        self.dismiss(ExportChoice(path, force, folder))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
