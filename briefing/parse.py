"""Response bytes -> sanitised Story records, through feedparser.

The body is made safe UTF-8 XML first (briefing.feed_bytes: our own decoding rules, then the
DOCTYPE and every declaration defused, so no entity expansion, external DTD or XXE can happen).
feedparser is always given a file-like object: given bytes or str it may open a path or URL.
A document of over MAX_ELEMENTS elements is cut to its newest items first. Every field is
capped and cleaned after parsing, and dates are checked against their raw text.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import heapq
import io
import itertools
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import feedparser.mixin
import feedparser.urls
from feedparser.datetimes import _parse_date

from briefing.feed_bytes import MAX_ELEMENTS, TOO_LARGE, defuse, element_count
from briefing.models import Feed, Story
from briefing.safety import (
    NAME_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    clean_block,
    clean_line,
    html_to_text,
    safe_link,
)

log = logging.getLogger("briefing.parse")

# feedparser joins the current base URI with itself at every start tag (urljoin, ~18% of its
# time on a typical feed). The join is a pure function of two strings, so memoising it changes
# no result; both modules hold their own reference to it.
_memo_urljoin = functools.lru_cache(maxsize=2048)(feedparser.urls._urljoin)
feedparser.urls._urljoin = _memo_urljoin
feedparser.mixin._urljoin = _memo_urljoin

EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
MAX_ITEMS = 500


@dataclass(slots=True)
class ParsedFeed:
    title: str
    stories: list[Story] = field(default_factory=list)
    problem: str = ""  # plain words when the document is not a usable feed
    skipped: int = 0  # items over the per-refresh cap


# -- feedparser -> stories ---------------------------------------------------------------------


def parse_feed(
    body: bytes,
    feed: Feed,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
    max_items: int = MAX_ITEMS,
) -> ParsedFeed:
    """Parse one response body: RSS, RDF or Atom here, JSON Feed in briefing.jsonfeed.
    Never raises for bad input: problems come back in plain words."""
    now = now or datetime.now(UTC)
    headers = headers or {}
    base = next((v for k, v in headers.items() if k.lower() == "content-location"), feed.url)
    if looks_like_json(body):
        from briefing.jsonfeed import parse_json_feed  # it builds on this module

        return parse_json_feed(body, feed, base, now, max_items)
    try:
        data = defuse(body, headers)
        cut = 0  # items left out before parsing
        if element_count(data) > MAX_ELEMENTS:
            newest = newest_items(data, max_items, now)
            if newest is None or element_count(newest[0]) > MAX_ELEMENTS:
                log.warning("%s: over %d XML elements, not parsed", feed.url, MAX_ELEMENTS)
                return ParsedFeed(title="", problem=TOO_LARGE)
            data, cut = newest
        parsed: Any = feedparser.parse(
            io.BytesIO(data),
            response_headers={
                "content-type": "application/xml; charset=utf-8",
                "content-location": base,
            },
            sanitize_html=False,  # all HTML becomes plain text in safety.html_to_text
            resolve_relative_uris=False,  # so are the URIs inside it: only item links matter
        )
    except Exception:  # feedparser has crashed on hostile input before: never take refresh down
        log.exception("feedparser failed on %s", feed.url)
        return ParsedFeed(title="", problem="not a feed (unreadable XML)")
    channel = parsed.get("feed", {})
    result = ParsedFeed(title=clean_line(_text(channel, "title"), NAME_MAX))
    entries = parsed.get("entries", [])
    if not entries:
        result.problem = _why_not_a_feed(body, data, parsed, headers)
        return result
    result.skipped = cut + max(0, len(entries) - max_items)
    if len(entries) > max_items:
        entries = keep_newest(entries, max_items, lambda e: _published(e, now))
    seen: set[str] = set()
    for entry in entries:
        story = _story(entry, feed, now)
        if story is not None and story.id not in seen:
            seen.add(story.id)
            result.stories.append(story)
    return result


def keep_newest(items: list[Any], n: int, date_of: Callable[[Any], datetime | None]) -> list[Any]:
    """The n newest items in document order: dated ones by date (ties: the earlier in the
    document), then undated ones in document order if fewer than n are dated."""
    dated = [(d, -i) for i, item in enumerate(items) if (d := date_of(item)) is not None]
    chosen = {-i for _d, i in heapq.nlargest(n, dated)}
    if len(chosen) < n:
        undated = (i for i in range(len(items)) if i not in chosen)
        chosen.update(itertools.islice(undated, n - len(chosen)))
    return [items[i] for i in sorted(chosen)]


# -- a long feed cut to its newest items before parsing ----------------------------------------

# An item's start tag or a CDATA section (skipped whole: its text may hold anything).
_ITEM_START = re.compile(rb"<!\[CDATA\[|<((?:[A-Za-z_][\w.-]*:)?(?:item|entry))(?=[\s/>])")
_ITEM_DATE = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:pubDate|published|date|issued|updated|modified|created)"
    rb"(?:\s[^<>]*)?>\s*([^<]{1,100}?)\s*</"
)
_CDATA = b"<![CDATA["
_closers: dict[bytes, re.Pattern[bytes]] = {}  # item name -> its end tag or a CDATA section


def newest_items(data: bytes, max_items: int, now: datetime) -> tuple[bytes, int] | None:
    """The document with only its max_items newest items (RSS <item>, Atom <entry>) and how
    many it left out; None if its items cannot be found. Whatever is before the first item and
    after the last (the channel's own elements) is kept; dates are read as feedparser reads
    them, and checked as in _published. Linear in the size of the document."""
    spans = _item_spans(data)
    if not spans:
        return None
    kept = keep_newest(spans, max_items, lambda span: _span_date(data, span, now))
    body = b"\n".join(data[start:end] for start, end in kept)
    return data[: spans[0][0]] + body + data[spans[-1][1] :], len(spans) - len(kept)


def _item_spans(data: bytes) -> list[tuple[int, int]] | None:
    """(start, end) of every top-level item or entry element; None if one never ends."""
    spans: list[tuple[int, int]] = []
    pos = 0
    search = _ITEM_START.search
    while (m := search(data, pos)) is not None:
        name = m.group(1)
        if name is None:
            pos = _after_cdata(data, m.start())
            continue
        tag_end = data.find(b">", m.end())
        if tag_end < 0:
            return None
        if data[tag_end - 1] == 0x2F:  # <item/>
            pos = tag_end + 1
        else:
            pos = _close_tag_end(data, name, tag_end + 1)
            if pos < 0:
                return None
        spans.append((m.start(), pos))
    return spans


def _close_tag_end(data: bytes, name: bytes, pos: int) -> int:
    """Index just past '</name>' at or after pos, outside CDATA; -1 if there is none."""
    closer = _closers.get(name)
    if closer is None:
        closer = re.compile(rb"<!\[CDATA\[|</" + re.escape(name) + rb"\s*>")
        if len(_closers) < 64:  # names come from the feed: a few are kept, not every one
            _closers[name] = closer
    while (m := closer.search(data, pos)) is not None:
        if m.group(0) != _CDATA:
            return m.end()
        pos = _after_cdata(data, m.start())
    return -1


def _after_cdata(data: bytes, start: int) -> int:
    close = data.find(b"]]>", start + len(_CDATA))
    return len(data) if close < 0 else close + 3


def _span_date(data: bytes, span: tuple[int, int], now: datetime) -> datetime | None:
    m = _ITEM_DATE.search(data, *span)
    if m is None:
        return None
    raw = m.group(1).decode("utf-8", errors="replace")
    value = _parse_date(raw)
    if value is None or not raw_date_ok(raw):
        return None
    return sane_date(value, now)


_JSON_START = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*\{")


def looks_like_json(body: bytes) -> bool:
    """Does the body start like a JSON object (as a JSON Feed does, and no XML can)?"""
    return _JSON_START.match(body) is not None


def _why_not_a_feed(body: bytes, data: bytes, parsed: Any, headers: Mapping[str, str]) -> str:
    """Why a document without items is not a feed ("" when it is one, just empty). data is the
    defused document, body what the server sent."""
    well_formed = not parsed.get("bozo")
    if well_formed and parsed.get("version"):
        return ""  # a valid feed that is simply empty
    head = body[:2048].lstrip().lower()
    if b"<html" in head or b"<!doctype html" in head:
        return "not a feed (HTML page)"
    if well_formed and parsed.get("feed") and root_name(data) in _FEED_ROOTS:
        return ""  # a CDF channel or a feed feedparser could not name, but empty
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), "").lower()
    if "text/html" in ctype:
        return "not a feed (HTML page)"
    if not body.strip():
        return "not a feed (empty response)"
    if parsed.get("version"):
        return ""  # feedparser recognised a feed despite errors: it is just empty
    if well_formed:  # a book catalogue, a sitemap, an API answer: XML, but no feed
        return "not a feed (XML, but not RSS, RDF or Atom)"
    return "not a feed (unreadable XML)"


# Root elements of RSS (0.9x-2.0), RDF (RSS 0.90, 1.0), Atom and CDF, by local name, lowercased.
_FEED_ROOTS = frozenset({"rss", "rdf", "feed", "channel"})
_NAME = re.compile(rb"(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def root_name(data: bytes) -> str:
    """The local name of the document's first element, lowercased ("" if there is none)."""
    i = 0
    while (i := data.find(b"<", i)) >= 0:
        if data.startswith(b"<!--", i):
            end = data.find(b"-->", i + 4)
            if end < 0:
                return ""
            i = end + 3
        elif data.startswith((b"<?", b"<!"), i):
            i += 2
        else:
            m = _NAME.match(data, i + 1)
            return m.group(1).decode("ascii", "replace").lower() if m else ""
    return ""


def _text(item: Any, key: str, limit: int = TITLE_MAX) -> str:
    """A field as plain text: HTML only when feedparser says the field is HTML."""
    value = str(item.get(key, "") or "")
    detail = item.get(f"{key}_detail") or {}
    kind = str(detail.get("type", "text/plain") if hasattr(detail, "get") else "text/plain")
    return html_to_text(value, limit) if "html" in kind else clean_block(value, limit)


def _story(entry: Any, feed: Feed, now: datetime) -> Story | None:
    summary = ""
    if entry.get("summary_detail"):
        summary = _text(entry, "summary", SUMMARY_MAX)
    if not summary and entry.get("content"):  # feedparser copies content into summary, untyped
        content = entry["content"][0]
        summary = _text({"v": content.get("value", ""), "v_detail": content}, "v", SUMMARY_MAX)
    return make_story(
        feed,
        now,
        title=_text(entry, "title"),
        summary=summary,
        link=str(entry.get("link", "") or ""),
        guid=str(entry.get("id", "") or ""),
        author=str(entry.get("author", "") or ""),
        dated=_published(entry, now),
    )


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


def _published(entry: Any, now: datetime) -> datetime | None:
    """The item's date in UTC if it is sane and was not 'repaired' by feedparser, else None."""
    for key in ("published", "updated", "created"):
        # dict.get: FeedParserDict.get would alias a missing "updated" to "published", noisily.
        value = dict.get(entry, f"{key}_parsed")
        if not isinstance(value, time.struct_time) or not raw_date_ok(str(dict.get(entry, key))):
            continue
        when = sane_date(value, now)
        if when is not None:
            return when
    return None


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
