"""Response bytes -> sanitised Story records, through feedparser.

The body is made safe UTF-8 XML first (briefing.feed_bytes: our own decoding rules, then the
DOCTYPE and every declaration defused, so no entity expansion, external DTD or XXE can happen).
feedparser is always given a file-like object: given bytes or str it may open a path or URL.
A document of over MAX_ELEMENTS elements is cut to its newest items first. Every field is
capped and cleaned after parsing, and dates are checked against their raw text.
"""

from __future__ import annotations

import array
import functools
import io
import logging
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser
import feedparser.mixin
import feedparser.urls
from feedparser.datetimes import _parse_date

from briefing.feed_bytes import MAX_ELEMENTS, TOO_LARGE, defuse, element_count
from briefing.items import MAX_ITEMS, ParsedFeed, keep_newest, make_story, raw_date_ok, sane_date
from briefing.models import Feed, Story
from briefing.safety import (
    NAME_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    clean_block,
    clean_line,
    html_to_text,
)

log = logging.getLogger("briefing.parse")

# feedparser joins the current base URI with itself at every start tag (urljoin, ~18% of its
# time on a typical feed). The join is a pure function of two strings, so memoising it changes
# no result; both modules hold their own reference to it.
_memo_urljoin = functools.lru_cache(maxsize=2048)(feedparser.urls._urljoin)
feedparser.urls._urljoin = _memo_urljoin
feedparser.mixin._urljoin = _memo_urljoin

# feedparser maps the C1 code points of a cp1252 document read as Latin-1 (U+0080-U+009F) with
# str.translate and a 27-entry dict: in a text with any non-ASCII character, each character
# missing from the dict raises and clears a KeyError (a 9 MB feed with one "ğ" per item parsed
# in 1.31 s, 1.00 s without). A table over the whole BMP, identity but for those 27, maps every
# string the same way without the exceptions; astral characters fall off its end, unchanged.
_CP1252_TABLE = array.array("I", range(0x10000))
for _code, _char in feedparser.mixin._cp1252.items():
    _CP1252_TABLE[_code] = ord(_char)
feedparser.mixin._cp1252 = _CP1252_TABLE


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
