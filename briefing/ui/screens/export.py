"""S: save a thread as Markdown to a path the user chooses (the default filled in).

The dialog saves through the caller's function and stays open when the file may not be
written: it says why, under the path, and offers the overwrite box when that is the way out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from briefing.export import ExportRefused, ForeignFile, user_path
from briefing.safety import clean_line


@dataclass(frozen=True, slots=True)
class ExportChoice:
    path: Path
    force: bool
    folder: bool = False  # the path names a folder (an existing one, or it ends with a slash)


# Writes the dossier where the user chose; returns the refusal (not raised), or None once saved.
Saver = Callable[[ExportChoice], ExportRefused | None]


class ExportDialog(ModalScreen[ExportChoice | None]):
    """Path input, an overwrite switch, Save and Cancel; escape cancels.

    Dismissed with the choice once ``save`` has written it, with None when cancelled.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export-cancel")]

    def __init__(self, thread_name: str, default: Path, save: Saver) -> None:
        super().__init__(id="export")
        self.thread_name = thread_name
        self.default = default
        self.saver = save

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(Text(f"Save “{clean_line(self.thread_name, 60)}” as Markdown", "bold"))
            yield Input(str(self.default), id="export-path")
            yield Checkbox("Overwrite a file that briefing did not write", id="export-force")
            yield Static(id="export-status")
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
            self.say("Give a file or folder path.")
            return
        path, folder = user_path(text)
        choice = ExportChoice(path, self.query_one(Checkbox).value, folder)
        problem = self.saver(choice)
        if problem is None:
            self.dismiss(choice)
        elif isinstance(problem, ForeignFile):
            self.say(f"{problem}: tick the box above to replace it, or change the path.")
            self.query_one(Checkbox).focus()
        else:
            self.say(str(problem))

    @on(Checkbox.Changed)
    def ticked(self, event: Checkbox.Changed) -> None:
        if event.value:  # ticked after a refusal: enter now saves (it would untick the box)
            self.query_one("#export-save", Button).focus()

    def say(self, message: str) -> None:
        status = self.query_one("#export-status", Static)
        status.update(Content.styled(f"✗ {message}", "bold $text-error"))
        status.display = True

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
