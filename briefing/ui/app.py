"""BriefingApp: the screens, the app-wide keys and the refresh worker.

Startup reads the store only, so the first screen appears before any network work; the
refresh runs in a worker thread with its own event loop and its own store connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.signal import Signal
from textual.theme import Theme
from textual.worker import Worker, WorkerState, get_current_worker

from briefing import __version__
from briefing.config import ConfigError, Session, config_error, load_config
from briefing.models import EntityCount
from briefing.safety import counted
from briefing.store import Store, StoreReadOnly
from briefing.store.base import READ_ONLY_HELP
from briefing.ui.commands import EntityCommands, ThreadCommands
from briefing.ui.keymap import check_keymap
from briefing.ui.messages import (
    REFRESHED,
    STORIES_STORED,
    RefreshEnded,
    RefreshFailed,
    RefreshFinished,
    RefreshProgress,
    RefreshStarted,
    RefreshStatus,
)
from briefing.ui.screens import help_groups
from briefing.ui.screens.help import HelpScreen
from briefing.ui.screens.main import MainScreen

DEFAULT_THEME = "textual-dark"
# Keys that Textual itself provides and the help screen should still list.
BUILTIN_KEYS = [
    ("tab / shift+tab", "Next / previous pane", "focus-next"),
    ("ctrl+p", "Command palette: find entity, go to thread, …", "command-palette"),
]


class BriefingApp(App[int]):
    """The terminal reader.

    | Key | Action |
    | --- | --- |
    | r | refresh feeds now |
    | ? | help |
    | q | quit |
    """

    CSS_PATH = Path(__file__).with_name("briefing.tcss")
    COMMANDS = App.COMMANDS | {EntityCommands, ThreadCommands}
    TITLE = "briefing"
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("F", "feeds", "Feeds", id="feeds"),
        Binding("b", "brief", "Briefing", id="brief"),
    ]

    def __init__(
        self,
        session: Session,
        *,
        refresh_on_start: bool = True,
        brief_on_start: bool = False,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.brief_on_start = brief_on_start
        self.session = session
        self.clock = clock or (lambda: datetime.now(UTC))
        self.refresh_on_start = refresh_on_start
        # [keys] of feeds.toml; ConfigError (file and line) for an unknown id or a clash.
        self.keymap = check_keymap(session.config, self.BINDINGS)
        self.set_keymap(self.keymap)
        theme = session.config.settings.theme
        if theme and theme not in self.available_themes:
            known = ", ".join(sorted(self.available_themes))
            raise config_error(
                session.config, "settings", "theme", f"unknown theme '{theme}' (known: {known})"
            )
        self.store = Store(session.db_path)
        # The App says what happened; the screens and widgets that care subscribe in on_mount.
        self.store_changed: Signal[str] = Signal(self, "store-changed")  # STORIES_STORED, …
        self.refresh_status: Signal[RefreshStatus] = Signal(self, "refresh-status")
        self.main_screen = MainScreen()
        self.failure_note = ""  # why every feed failed in the last refresh, if they all did
        self.sub_title = "demo (offline)" if session.demo else str(session.config.path or "")

    def get_default_screen(self) -> Screen[None]:
        return self.main_screen

    def on_mount(self) -> None:
        self.theme = self.session.config.settings.theme or DEFAULT_THEME
        self.theme_changed_signal.subscribe(self, self.save_theme)
        if self.store.read_only:
            self.notify(
                f"The store {self.store.path} is read-only: {READ_ONLY_HELP}.",
                title="Read-only",
                severity="warning",
                timeout=10,
                markup=False,
            )
        elif self.refresh_on_start and self.session.config.feeds:
            self.call_after_refresh(self.start_refresh, False)
        if self.brief_on_start:
            from briefing.brief import anything_new  # the summaries' code, only when asked

            if anything_new(self.store):
                self.action_brief()
        minutes = self.session.config.settings.refresh_minutes
        self.set_interval(minutes * 60, partial(self.start_refresh, False), name="auto-refresh")

    def on_unmount(self) -> None:
        self.store.close()

    # -- refresh ----------------------------------------------------------------------------
    def action_refresh(self) -> None:
        """r: fetch every feed now, even those the polling policy would let rest."""
        self.start_refresh(force=True)

    def start_refresh(self, force: bool) -> None:
        """Start-up and the timer refresh only what is due; the user's r forces every feed."""
        if self.store.read_only:
            if force:
                self.written(lambda: self.store.require_writable("refresh"))
            return
        if any(w.group == "refresh" and w.is_running for w in self.workers):
            if force:
                self.notify("A refresh is already running.", timeout=2)
            return
        self.refresh_status.publish(
            RefreshStarted(len([f for f in self.session.config.feeds if f.enabled]))
        )
        self.run_refresh(force)

    def written(self, write: Callable[[], object]) -> bool:
        """Run one store write; on a read-only store say why not and return False."""
        try:
            write()
        except StoreReadOnly as exc:
            self.refuse(exc)
            return False
        return True

    def refuse(self, exc: StoreReadOnly) -> None:
        text = str(exc)
        self.notify(text[:1].upper() + text[1:] + ".", severity="warning", markup=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="refresh", name="refresh")
    def run_refresh(self, force: bool) -> None:
        from briefing.models import Progress
        from briefing.pipeline import refresh  # httpx and feedparser: not at startup

        worker = get_current_worker()

        def progress(step: Progress) -> None:
            self.post_message(RefreshProgress(step))

        report = asyncio.run(
            refresh(
                self.session.config,
                self.session.db_path,
                transport=self.session.transport,
                progress=progress,
                cancel=worker.cancelled_event,
                force=force,
            )
        )
        self.post_message(RefreshFinished(report))

    @on(RefreshProgress)
    def refresh_progress(self, message: RefreshProgress) -> None:
        step = message.progress
        self.refresh_status.publish(step)
        if step.stage == "stored" or (step.stage == "articles" and step.done == 0):
            # Every feed's stories are stored (entities and threads can take a while yet), or
            # they are threaded too (full_text pages can take a while yet): show them.
            self.store_changed.publish(STORIES_STORED)

    @on(RefreshFinished)
    def refresh_finished(self, message: RefreshFinished) -> None:
        report = message.report
        failed = len(report.failed)
        at = self.clock().astimezone().strftime("%H:%M")
        text = (
            f"Refreshed {counted(len(report.feeds), 'feed', 'feeds')} at {at} · "
            f"{counted(report.new_stories, 'new story', 'new stories')}"
            f"{f' · {failed} failed' if failed else ''}"
        )
        for note in report.notes:
            text += f" · {note}"
        why = report.all_failed()  # a first run offline: say why, not only "18 failed"
        self.failure_note = ""
        if why:
            stop = "" if why.endswith("?") else "."
            self.failure_note = f"{why[:1].upper()}{why[1:]}{stop} F shows each feed; "
            self.failure_note += "briefing --demo works offline."
            text = f"{self.failure_note} ({text})"
        text += self.dead_feeds_note()
        self.refresh_status.publish(RefreshEnded(text, warn=bool(failed)))
        self.store_changed.publish(REFRESHED)

    def dead_feeds_note(self) -> str:
        """' · N feeds failing for a while: press F' for enabled feeds that keep failing."""
        from briefing.polling import FAILING_AFTER  # email.utils and all: not at startup

        enabled = {f.url for f in self.session.config.feeds if f.enabled}
        dead = [url for url in self.store.failing(FAILING_AFTER) if url in enabled]
        if not dead:
            return ""
        many = len(dead) > 1
        return (
            f" · {len(dead)} feed{'s' if many else ''} failing {FAILING_AFTER}+ times in a row: "
            "press F"
        )

    @on(RefreshFailed)
    def refresh_failed(self, message: RefreshFailed) -> None:
        self.refresh_status.publish(RefreshEnded(f"Refresh failed: {message.error}", warn=True))

    @on(Worker.StateChanged)
    def worker_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group == "refresh":
            self.log.error(event.worker.error)
            self.post_message(RefreshFailed(str(event.worker.error)))

    def save_theme(self, theme: Theme) -> None:
        """A theme picked in the palette is kept in [settings] theme for the next start."""
        config = self.session.config
        if self.session.demo or theme.name == (config.settings.theme or DEFAULT_THEME):
            return
        from briefing.settings_file import save_theme  # tomlkit: only when a theme is picked

        try:
            save_theme(config, theme.name)
        except ConfigError as exc:
            self.notify(f"Theme not saved: {exc}", severity="warning", markup=False)
            return
        settings = replace(config.settings, theme=theme.name)
        self.session = replace(self.session, config=replace(config, settings=settings))

    def action_feeds(self) -> None:
        """F: every feed's health; a, e, d and delete there edit feeds.toml."""
        # Imported here: the feeds screen's editing and test fetch pull in httpx, feedparser
        # and tomlkit, none of which the first screen needs.
        from briefing.ui.screens.feeds import FeedsScreen

        if isinstance(self.screen, MainScreen):
            self.push_screen(FeedsScreen())

    def action_brief(self) -> None:
        """b: the briefing since the last one; enter there opens a thread here."""
        from briefing.ui.screens.brief import BriefScreen

        if not isinstance(self.screen, BriefScreen):
            self.push_screen(BriefScreen(), self.brief_closed)

    def brief_closed(self, thread_id: int | None) -> None:
        if thread_id is not None:
            self.go_to_thread(thread_id)

    def reload_config(self) -> None:
        """Re-read the feeds file after an edit (the store path chosen at start-up stays).

        ConfigError if the file no longer loads; the config in use is then kept.
        """
        path = self.session.config.path
        if path is None:  # the demo: nothing to re-read
            return
        config = load_config(path)
        settings = replace(config.settings, store=self.session.db_path)
        self.session = replace(self.session, config=replace(config, settings=settings))

    def open_link(self, url: str) -> bool:
        """Open url in the user's browser; False when there is none.

        Textual's open_url drops what webbrowser.open says, and it says False when no browser
        can be found (a server, a container): the caller then shows the link instead.
        """
        if self.is_web:
            self.open_url(url)
            return True
        import webbrowser

        return webbrowser.open(url)

    def filter_by_entity(self, entity: EntityCount) -> None:
        self.main_screen.filter_entity(entity)

    def go_to_thread(self, thread_id: int) -> None:
        self.main_screen.go_to_thread(thread_id)

    # -- help and palette -------------------------------------------------------------------
    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.all_bindings()))

    def all_bindings(self) -> list[tuple[str, str, str]]:
        """Every binding of the app, screens and lists, for the help screen."""
        rows: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for prefix, group in [("", self.BINDINGS), *help_groups()]:
            for binding in group:
                if not isinstance(binding, Binding) or (binding.id or "") in seen:
                    continue
                seen.add(binding.id or "")
                key = self.keymap.get(binding.id or "", binding.key)
                key = key.replace("question_mark", "?").replace("slash", "/")
                remapped = (binding.id or "") in self.keymap
                key = (
                    binding.key_display if binding.key_display and not (prefix or remapped) else key
                )
                key = key.replace(",", " / ")
                description = prefix + (binding.description or binding.action)
                rows.append((key, description, binding.id or ""))
        return rows + BUILTIN_KEYS

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Refresh feeds", "Fetch every feed now", self.action_refresh)
        yield SystemCommand(
            "Help: every key", "briefing's keys and their ids (?)", self.action_help
        )
        yield SystemCommand("Feeds", "Every feed and its last status", self.action_feeds)
        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if main is not None:
            yield SystemCommand("Search", "Search threads and stories", main.action_search)
            yield SystemCommand(
                "Toggle thread order", "Briefing / latest first", main.action_toggle_sort
            )
            yield SystemCommand(
                "Toggle read", "Mark the story read/unread", main.action_toggle_read
            )
            yield SystemCommand("Open link", "Open the story in the browser", main.action_open_link)
            yield SystemCommand(
                "Full text",
                "Fetch the story's whole article from its page (x)",
                main.action_full_text,
            )
            yield SystemCommand(
                "Save thread as Markdown", "Write the thread's dossier", main.action_save_thread
            )
            yield SystemCommand(
                "Save thread as…", "Choose where the dossier goes", main.action_save_thread_as
            )

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's Screenshot: into the export folder (made if need be), not ~/Downloads,
        which may not exist."""
        if path is None and not self.is_web:
            folder = self.session.config.settings.export_dir
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                self.notify(f"Screenshot not saved: {exc}", severity="error", markup=False)
                return None
            path = str(folder)
        return super().deliver_screenshot(filename, path, time_format)


def run_app(session: Session) -> int:
    app = BriefingApp(session, brief_on_start=True)
    app.run()
    return app.return_code or 0


__all__ = ["BriefingApp", "__version__", "run_app"]
