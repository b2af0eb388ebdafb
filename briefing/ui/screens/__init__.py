"""The app's screens. The help (?) and the [keys] checks read their keys from here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.binding import BindingType


def help_groups() -> list[tuple[str, list[BindingType]]]:
    """(prefix, bindings) per screen that lists its keys in the help, in the help's order.
    Each screen says how its keys are introduced (HELP_GROUP) and which they are, its lists'
    included (help_bindings). Imported here, not at start-up: the feeds screen pulls in httpx
    and tomlkit, which only F or ? is worth loading."""
    from briefing.ui.screens.brief import BriefScreen
    from briefing.ui.screens.feeds import FeedsScreen
    from briefing.ui.screens.main import MainScreen

    return [(s.HELP_GROUP, s.help_bindings()) for s in (MainScreen, FeedsScreen, BriefScreen)]
