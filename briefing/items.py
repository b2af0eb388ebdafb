"""What RSS/Atom (parse.py) and JSON Feed (jsonfeed.py) items share: the Story an item makes,
the dates trusted, the newest items kept, and the ParsedFeed both return."""

from __future__ import annotations

import calendar
import hashlib
import heapq
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from briefing.models import Feed, Story
from briefing.safety import NAME_MAX, TITLE_MAX, clean_line, safe_link

EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
MAX_ITEMS = 500


@dataclass(slots=True)
class ParsedFeed:
    title: str
    stories: list[Story] = field(default_factory=list)
    problem: str = ""  # plain words when the document is not a usable feed
    skipped: int = 0  # items over the per-refresh cap


def keep_newest(items: list[Any], n: int, date_of: Callable[[Any], datetime | None]) -> list[Any]:
    """The n newest items in document order: dated ones by date (ties: the earlier in the
    document), then undated ones in document order if fewer than n are dated."""
    dated = [(d, -i) for i, item in enumerate(items) if (d := date_of(item)) is not None]
    chosen = {-i for _d, i in heapq.nlargest(n, dated)}
    if len(chosen) < n:
        undated = (i for i in range(len(items)) if i not in chosen)
        chosen.update(itertools.islice(undated, n - len(chosen)))
    return [items[i] for i in sorted(chosen)]


def make_story(
    feed: Feed,
    now: datetime,
    *,
    title: str,
    summary: str,
    link: str,
    guid: str,
    author: str,
    dated: datetime | None,
) -> Story | None:
    """A Story from an item's fields (summary already cleaned; the rest cleaned here), or None
    if it has nothing a reader could recognise or open. Shared by RSS/Atom and JSON Feed."""
    title = clean_line(title, TITLE_MAX)
    link = safe_link(link)
    if not title:
        title = clean_line(summary, 120) if summary else ""
    if not title and not link:
        return None
    guid = clean_line(guid, 1000)
    # The identity never depends on "now": a dateless item must get the same id next time.
    identity = guid or link or f"{title}\0{dated.isoformat() if dated else ''}"
    story_id = hashlib.sha1(f"{feed.url}\0{identity}".encode(), usedforsecurity=False).hexdigest()
    return Story(
        id=story_id[:20],
        feed_url=feed.url,
        source=feed.name,
        title=title or "(untitled)",
        link=link,
        summary=summary,
        published=dated or now,
        first_seen=now,
        author=clean_line(author, NAME_MAX),
        guid=guid,
    )


def sane_date(value: time.struct_time, now: datetime) -> datetime | None:
    """A parsed date in UTC if it lies between EARLIEST and tomorrow."""
    try:
        when = datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return when if EARLIEST <= when <= now + FUTURE_SLACK else None


# -- raw date checks ---------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?!\d)")
_TEXT_DATE = re.compile(
    r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?[\s.-]+([A-Za-z]{3,})\.?,?[\s.-]+(\d{2,4})\b"
)
_CLOCK = re.compile(r"(?<!\d)(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?")
_MONTHS = {
    name: n
    for n, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def raw_date_ok(raw: str) -> bool:
    """Do the date's own components make sense? feedparser silently normalises '2021-13-45'
    into 2022-01-01 and reads a bare epoch '1700000000' as a date in 1699; neither is trusted.
    Formats not recognised here are left to feedparser (and the range clamp)."""
    text = raw.strip()
    if not text:
        return False
    if text.isdigit():  # only a compact YYYYMMDD is a date; epochs and years alone are not
        return len(text) == 8 and _day_ok(int(text[:4]), int(text[4:6]), int(text[6:]))
    iso = _ISO_DATE.match(text)
    if iso:
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3] or 1)
        if not _day_ok(year, month, day):
            return False
    else:
        words = _TEXT_DATE.search(text)
        if words and words[2][:3].lower() in _MONTHS:
            year = int(words[3]) if len(words[3]) == 4 else 2000
            if not _day_ok(year, _MONTHS[words[2][:3].lower()], int(words[1])):
                return False
    clock = _CLOCK.search(text)
    if clock:
        hour, minute, second = int(clock[1]), int(clock[2]), int(clock[3] or 0)
        if hour > 24 or minute > 59 or second > 60 or (hour == 24 and minute + second > 0):
            return False
    return True


def _day_ok(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(max(year, 1), month)[1]
