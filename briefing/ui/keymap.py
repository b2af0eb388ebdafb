"""feeds.toml's [keys] -> Textual's keymap (binding id -> keys), checked before the app starts.

The loader (briefing.config) checks the shape and the key names; here the ids must be the
TUI's, and a key may not do two things where both apply (the same screen, or the screen and a
list on it). Errors name the file and the line, like the loader's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.binding import Binding, BindingType

from briefing.config import Config, ConfigError, config_error

# Textual's own keys for moving focus, the palette and quitting: never taken.
RESERVED = {"tab", "shift+tab", "ctrl+p", "ctrl+q", "ctrl+c"}


def scopes(app_bindings: Sequence[BindingType]) -> list[list[BindingType]]:
    """Groups of bindings that are live together (a key must mean one thing in each). The
    App passes its own bindings: this module is imported by the App, never the reverse."""
    # Imported here: the feeds screen pulls in httpx and tomlkit, which only a [keys] table
    # makes worth loading at start-up.
    from briefing.ui.screens import brief, corrections, export, feed_form, feeds
    from briefing.ui.screens.help import HelpScreen
    from briefing.ui.screens.main import MainScreen
    from briefing.ui.widgets.entity_panel import EntityPanel
    from briefing.ui.widgets.rows import RowList

    main = [*app_bindings, *MainScreen.BINDINGS]
    return [
        [*main, *RowList.BINDINGS],
        [*main, *EntityPanel.BINDINGS],
        [*feeds.FeedsScreen.BINDINGS, *feeds.FeedTable.BINDINGS],
        list(HelpScreen.BINDINGS),
        [*app_bindings, *brief.BriefScreen.BINDINGS],
        list(export.ExportDialog.BINDINGS),
        list(corrections.RenameDialog.BINDINGS),
        list(corrections.MergeDialog.BINDINGS),
        list(corrections.WhyScreen.BINDINGS),
        list(feed_form.FeedForm.BINDINGS),
        list(feed_form.ConfirmDialog.BINDINGS),
    ]


def _ids(bindings: Iterable[BindingType]) -> dict[str, Binding]:
    return {b.id: b for b in bindings if isinstance(b, Binding) and b.id}


def check_keymap(
    config: Config,
    app_bindings: Sequence[BindingType],
    groups: Sequence[list[BindingType]] | None = None,
) -> dict[str, str]:
    """The keymap for App.set_keymap, or ConfigError: an unknown id, a reserved key, a clash."""
    if not config.keys:
        return {}
    groups = scopes(app_bindings) if groups is None else groups
    known: dict[str, Binding] = {}
    for group in groups:
        known.update(_ids(group))
    keymap = {k.id: k.keys for k in config.keys}
    for entry in config.keys:
        if entry.id not in known:
            raise config_error(
                config, "keys", entry.id,
                f"unknown binding id '{entry.id}' (? in the app lists every id)",
            )  # fmt: skip
        for key in entry.keys.split(","):
            if key in RESERVED:
                raise config_error(config, "keys", entry.id, f"'{key}' is Textual's own key")
    for group in groups:
        owner: dict[str, str] = {}
        for binding_id, binding in _ids(group).items():
            for key in keymap.get(binding_id, binding.key).split(","):
                other = owner.setdefault(key.strip(), binding_id)
                if other != binding_id and (other in keymap or binding_id in keymap):
                    mine = binding_id if binding_id in keymap else other
                    theirs = other if mine == binding_id else binding_id
                    raise config_error(
                        config, "keys", mine, f"'{key}' is already the key of '{theirs}'"
                    )
    return keymap


__all__ = ["RESERVED", "ConfigError", "check_keymap", "scopes"]
