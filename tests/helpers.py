"""Helpers shared by the UI tests."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the app is idle: pending messages handled, every worker (a refresh, a
    brief, a page fetch) finished, and what they posted handled and painted. Waits on the
    workers themselves (as harlequin's wait_for_workers does), never on a fixed delay."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
