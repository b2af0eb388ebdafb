"""App-wide messages, posted from worker threads (post_message is thread-safe)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from briefing.models import Progress, RefreshReport  # plain records: no pipeline code loads


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


# What the App's signals carry (BriefingApp.store_changed, BriefingApp.refresh_status): screens
# and widgets subscribe in on_mount, so the App never looks for them.
STORIES_STORED = "stored"  # a refresh stored (or threaded) new stories; it goes on
REFRESHED = "refreshed"  # a refresh ended: feeds, stories and threads are as it left them


@dataclass(frozen=True)
class RefreshStarted:
    feeds: int


@dataclass(frozen=True)
class RefreshEnded:
    text: str
    warn: bool


RefreshStatus = RefreshStarted | Progress | RefreshEnded
