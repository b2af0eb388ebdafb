"""App-wide messages. Posted from the refresh worker thread (post_message is thread-safe)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from briefing.pipeline import Progress, RefreshReport


@dataclass
class RefreshProgress(Message):
    progress: Progress


@dataclass
class RefreshFinished(Message):
    report: RefreshReport


@dataclass
class RefreshFailed(Message):
    error: str
