"""App-wide messages, posted from worker threads (post_message is thread-safe)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the pipeline (httpx, feedparser) loads after the first screen, not before
    from briefing.models import Progress, RefreshReport


@dataclass
class RefreshProgress(Message):
    progress: Progress


@dataclass
class RefreshFinished(Message):
    report: RefreshReport


@dataclass
class RefreshFailed(Message):
    error: str


@dataclass
class FullTextDone(Message):
    """The x worker finished: what happened to the story's page, in plain words."""

    story_id: str
    status: str
    message: str
