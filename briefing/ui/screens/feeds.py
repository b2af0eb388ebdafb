"""F: every feed with its health in plain words, and the keys to add, edit, disable, delete.

Edits go through briefing.feeds_file (comments and order of feeds.toml survive); after each
write the app reloads its config and the table is rebuilt from the file and the store. Every
string that came from a feed or from the file is drawn as a Text, never as markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from briefing.config import ConfigError
from briefing.feeds_file import (
    DEMO_REFUSAL,
    FeedCheck,
    add_feed,
    check_feed,
    default_name,
    feed_problem,
    remove_feed,
    update_feed,
    writable_path,
)
from briefing.fetch import FetchLimits
from briefing.models import RATE_DAYS, Feed, FeedRow
from briefing.polling import FAILING_AFTER
from briefing.safety import clean_line
from briefing.ui.messages import REFRESHED
from briefing.ui.render import local_time
from briefing.ui.screens.feed_form import ConfirmDialog, FeedDraft, FeedForm, unique_name

if TYPE_CHECKING:
    from briefing.ui.app import BriefingApp

LEGEND = (
    f"avg/day: stories published in the last {RATE_DAYS} days ÷ {RATE_DAYS} (÷ the days since "
    "the feed's oldest stored story if fewer, at least 1) · 304: the last answer was “not "
    f"modified” · ✗ failed {FAILING_AFTER}+ refreshes in a row · ! last refresh failed"
)


def when(moment: datetime | None) -> str:
    return local_time(moment).strftime("%d %b %H:%M") if moment else "never"


# A DataTable cell is Rich Text, which knows no theme variables: the theme's colours are
# looked up when the table is filled (health's `colours`), so a light theme stays readable.
DEFAULT_COLOURS = {"text-error": "red", "text-warning": "yellow", "text-success": "green"}


def health(
    feed: Feed, row: FeedRow | None, colours: dict[str, str] = DEFAULT_COLOURS
) -> tuple[Text, Text]:
    """The flag and the status column of one feed."""
    error, warning, success = (colours.get(k, DEFAULT_COLOURS[k]) for k in DEFAULT_COLOURS)
    if not feed.enabled:
        return Text("–", style="dim"), Text("disabled", style="dim")
    if row is None:
        return Text(" "), Text("not fetched yet", style="dim")
    if row.failures >= FAILING_AFTER:
        words = f"failing {row.failures}× in a row · {clean_line(row.status, 60)}"
        return Text("✗", style=f"bold {error}"), Text(words, style=error)
    if not row.ok:
        return Text("!", style=f"bold {warning}"), Text(clean_line(row.status, 70))
    return Text("✓", style=success), Text(clean_line(row.status, 70))


def rate(row: FeedRow | None) -> str:
    return "" if row is None or not row.stories else f"{row.per_day:.1f}"


class FeedTable(DataTable[Text]):
    """The feeds table, moved with the same keys (and binding ids) as every other list.

    DataTable's own home/end scroll sideways; here they go to the first and last feed.
    """

    BINDINGS = [
        Binding("down,j", "cursor_down", "Next in the list", show=False, id="list-down"),
        Binding("up,k", "cursor_up", "Previous in the list", show=False, id="list-up"),
        Binding("home", "scroll_top", "First in the list", show=False, id="list-first"),
        Binding("end", "scroll_bottom", "Last in the list", show=False, id="list-last"),
    ]


class FeedsScreen(ModalScreen[None]):
    """The feeds, their health and their stories.

    | Key | Action |
    | --- | --- |
    | j / k, arrows, home / end | move in the table (as in every list) |
    | a | add a feed (its address is tried first) |
    | e | edit the highlighted feed |
    | d | disable / enable it |
    | delete, x | delete it (asks first) |
    | r | refresh every feed now (the table follows) |
    | escape, q, F | close |
    """

    HELP_GROUP: ClassVar[str] = "Feeds screen: "  # how the help introduces these keys
    BINDINGS = [
        Binding("a", "add_feed", "Add", id="feeds-add"),
        Binding("e", "edit_feed", "Edit", id="feeds-edit"),
        Binding("d", "toggle_feed", "Disable/enable", id="feeds-toggle"),
        Binding("delete", "delete_feed", "Delete", key_display="del", id="feeds-delete"),
        Binding("r", "refresh", "Refresh", id="feeds-refresh"),
        Binding("escape,q,F", "dismiss", "Close", key_display="esc", id="feeds-close"),
    ]

    @classmethod
    def help_bindings(cls) -> list[BindingType]:
        return list(cls.BINDINGS)

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    """Below 100 columns the table takes the whole screen, so no column is cut."""

    app: BriefingApp

    def __init__(self) -> None:
        super().__init__(id="feeds")

    def compose(self) -> ComposeResult:
        with Vertical(id="feeds-box"):
            yield Static(id="feeds-title")
            yield FeedTable(id="feeds-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text(LEGEND, style="dim"), id="feeds-legend")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, key in [
            ("", "flag"), ("feed", "name"), ("tags", "tags"), ("status", "status"),
            ("last success", "ok_at"), ("stories", "stories"), ("avg/day", "rate"),
            ("304", "not_modified"),
        ]:  # fmt: skip
            table.add_column(label, key=key)
        self.reload()
        self.app.store_changed.subscribe(self, self._store_changed)
        table.focus()

    def _store_changed(self, change: str) -> None:
        if change == REFRESHED:  # statuses and counts are final: the table shows them
            self.reload()

    def reload(self, select: str | None = None) -> None:
        """Rebuild the table from the config and the store; keep (or move) the cursor."""
        session = self.app.session
        where = "demo (read only)" if session.demo else str(session.config.path or "")
        title = Text("Feeds", style="bold")
        title.append(f" — {clean_line(where, 120)}", style="dim")
        self.query_one("#feeds-title", Static).update(title)
        table = self.query_one(DataTable)
        keep = select if select is not None else self.current_url()
        index = table.cursor_row
        rows = {r.url: r for r in self.app.store.feeds(self.app.clock())}
        table.clear()
        theme = self.app.get_css_variables()
        colours = {k: theme.get(k, v) for k, v in DEFAULT_COLOURS.items()}
        for feed in session.config.feeds:
            row = rows.get(feed.url)
            flag, status = health(feed, row, colours)
            table.add_row(
                flag,
                Text(clean_line(feed.name, 40)),
                Text(clean_line(", ".join(feed.tags), 30), style="dim"),
                status,
                Text(when(row.ok_at if row else None)),
                Text(str(row.stories if row else 0), justify="right"),
                Text(rate(row), justify="right"),
                Text("✓" if row is not None and row.not_modified else ""),
                key=feed.url,
            )
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        elif table.row_count:
            table.move_cursor(row=min(index, table.row_count - 1))

    def current_url(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        value = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return value if isinstance(value, str) else None

    def current(self) -> Feed | None:
        url = self.current_url()
        return next((f for f in self.app.session.config.feeds if f.url == url), None)

    # -- editing --------------------------------------------------------------------------------
    def feeds_path(self) -> Path | None:
        """The file to edit, or None after telling the user why it cannot be edited."""
        try:
            if self.app.session.demo:
                raise ConfigError(DEMO_REFUSAL)
            return writable_path(self.app.session.config.path)
        except ConfigError as exc:
            self.notify(str(exc), title="Feeds", severity="error", markup=False, timeout=8)
            return None

    def after_write(self, message: str, select: str | None = None) -> None:
        try:
            self.app.reload_config()
        except ConfigError as exc:
            self.notify(str(exc), title="Feeds", severity="error", markup=False, timeout=8)
        self.reload(select)
        self.notify(message, title="Feeds", markup=False)

    def checker(self) -> Callable[[str], Awaitable[FeedCheck]]:
        settings = self.app.session.config.settings
        limits = FetchLimits(timeout=min(settings.timeout, 20.0), max_bytes=settings.max_bytes)
        transport = self.app.session.transport
        return lambda url: check_feed(url, limits, transport)

    def action_add_feed(self) -> None:
        path = self.feeds_path()
        if path is None:
            return
        feeds = self.app.session.config.feeds

        def save(draft: FeedDraft, title: str | None, note: str) -> str:
            name = draft.name or unique_name(feeds, default_name(draft.url, title or ""))
            try:
                feed = add_feed(path, name, draft.url, draft.tags, draft.full_text)
            except ConfigError as exc:
                return str(exc)
            self.after_write(f"Added “{feed.name}”: {note}", select=feed.url)
            self.app.start_refresh(False)  # the new feed is due: fetch it now
            return ""

        form = FeedForm(
            "Add a feed",
            save=save,
            check=self.checker(),
            validate=lambda url, name: feed_problem(feeds, url, name),
        )
        self.app.push_screen(form)

    def action_edit_feed(self) -> None:
        old = self.current()
        path = self.feeds_path() if old is not None else None
        if old is None or path is None:
            return
        feeds = self.app.session.config.feeds

        def save(draft: FeedDraft, title: str | None, note: str) -> str:
            try:
                feed = update_feed(
                    path,
                    old.url,
                    name=draft.name or old.name,
                    new_url=draft.url,
                    tags=draft.tags,
                    full_text=draft.full_text,
                )
            except ConfigError as exc:
                return str(exc)
            self.after_write(f"Saved “{feed.name}”{f': {note}' if note else ''}", feed.url)
            return ""

        form = FeedForm(
            f"Edit “{clean_line(old.name, 50)}”",
            save=save,
            check=self.checker(),
            validate=lambda url, name: feed_problem(feeds, url, name, editing=old.url),
            feed=old,
        )
        self.app.push_screen(form)

    def action_toggle_feed(self) -> None:
        feed = self.current()
        path = self.feeds_path() if feed is not None else None
        if feed is None or path is None:
            return
        try:
            update_feed(path, feed.url, enabled=not feed.enabled)
        except ConfigError as exc:
            self.notify(str(exc), title="Feeds", severity="error", markup=False, timeout=8)
            return
        done = "enabled" if not feed.enabled else "disabled (not fetched until enabled again)"
        self.after_write(f"“{clean_line(feed.name, 60)}” {done}", feed.url)

    def action_delete_feed(self) -> None:
        feed = self.current()
        path = self.feeds_path() if feed is not None else None
        if feed is None or path is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                remove_feed(path, feed.url)
            except ConfigError as exc:
                self.notify(str(exc), title="Feeds", severity="error", markup=False, timeout=8)
                return
            self.after_write(f"Deleted “{clean_line(feed.name, 60)}” from the feeds file")

        question = Text("Delete the feed “")
        question.append(clean_line(feed.name, 60), style="bold")
        question.append(f"” ({clean_line(feed.url, 80)}) from the feeds file?\n")
        question.append("Its stories stay in the store.", style="dim")
        self.app.push_screen(ConfirmDialog(question, "Delete"), answered)

    def action_refresh(self) -> None:
        self.app.action_refresh()

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
