"""s and S on the main screen: a thread's Markdown dossier, into the export folder or a path.

The main screen binds the keys and calls the functions here; the writing is the core's
(briefing.export), which refuses paths it may not write.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from briefing import export
from briefing.export import ExportRefused, dossier_path
from briefing.ui.screens.export import ExportChoice, ExportDialog

if TYPE_CHECKING:
    from briefing.ui.screens.main import MainScreen


def save(screen: MainScreen) -> None:
    """s: the thread under the cursor into the export folder."""
    thread_id = screen.current_thread_id()
    if thread_id is None:
        screen.notify("Choose a thread to save.", severity="warning")
        return
    save_thread(screen, thread_id, None, force=False)


def save_as(screen: MainScreen) -> None:
    """S: ask where, with the export folder's path filled in."""
    thread_id = screen.current_thread_id()
    data = screen.app.store.dossier(thread_id) if thread_id is not None else None
    if thread_id is None or data is None:
        screen.notify("Choose a thread to save.", severity="warning")
        return
    default = dossier_path(screen.app.session.config.settings.export_dir, data[0])

    def write(choice: ExportChoice) -> ExportRefused | None:
        return save_thread(screen, thread_id, choice.path, choice.force, folder=choice.folder)

    screen.app.push_screen(ExportDialog(data[0].name, default, write))


def save_thread(
    screen: MainScreen, thread_id: int, path: Path | None, force: bool, *, folder: bool = False
) -> ExportRefused | None:
    """Write the dossier to `path`, inside it when it is a folder, and say where.

    With no path, the dossier goes into the export folder; a refusal there is notified.
    With a path (the S dialog), the refusal is returned for the dialog to show.
    """
    app = screen.app
    settings = app.session.config.settings
    from briefing.brief import thread_summary  # loaded on the first save, not at startup

    try:
        written = export.save_thread(
            app.store,
            thread_id,
            path or settings.export_dir,
            into=path is None or folder or path.is_dir(),
            generated=app.clock(),
            front_matter=settings.front_matter,
            summary=thread_summary(app.store, thread_id),
            force=force,
        )
    except ExportRefused as exc:
        if path is not None:
            return exc
        screen.notify(f"{exc} (press S to choose another path)", severity="error", markup=False)
        return None
    screen.notify(f"Saved to {written}", title="Dossier", markup=False)
    screen.refresh_threads()  # it shows "kept" now
    return None
