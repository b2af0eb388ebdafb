"""Response bytes -> sanitised Story records, through feedparser.

The body is defused before feedparser sees it (DOCTYPE and entity declarations removed, so no
entity expansion, external DTD or XXE can happen) and every field is capped after parsing.
feedparser is always given a file-like object: given bytes or str it may open a path or URL.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser

from briefing.models import Feed, Story
from briefing.safety import NAME_MAX, clean_line, html_to_text, safe_link

EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
MAX_ITEMS = 500

_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>]*\[.*?\]\s*>|[^>]*>)", re.IGNORECASE | re.DOTALL)
_ENTITY_DECL = re.compile(rb"<!ENTITY[^>]*>", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""(<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""")
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


@dataclass(slots=True)
class ParsedFeed:
    title: str
    stories: list[Story] = field(default_factory=list)
    problem: str = ""  # plain words when the document is not a usable feed
    skipped: int = 0  # items over the per-refresh cap


def defuse(body: bytes) -> bytes:
    """Remove DOCTYPE (with any internal subset) and entity declarations before parsing."""
    for bom, codec in _BOMS:
        if body.startswith(bom):  # wide encodings: transcode so the byte patterns below apply
            text = body[len(bom) :].decode(codec, errors="replace").encode("utf-8")
            body = _XML_ENCODING.sub(rb'\1"utf-8"', text, count=1)
            break
    if b"<!" not in body:
        return body
    body = _DOCTYPE.sub(b"", body, count=1)
    return _ENTITY_DECL.sub(b"", body)


def parse_feed(
    body: bytes,
    feed: Feed,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
    max_items: int = MAX_ITEMS,
) -> ParsedFeed:
    now = now or datetime.now(UTC)
    safe_headers = {
        k: v
        for k, v in (headers or {}).items()
        if k.lower() in ("content-type", "content-location")
    }
    parsed: Any = feedparser.parse(
        io.BytesIO(defuse(body)), response_headers=safe_headers, sanitize_html=True
    )
    channel = parsed.get("feed", {})
    result = ParsedFeed(title=clean_line(str(channel.get("title", "")), NAME_MAX))
    entries = parsed.get("entries", [])
    if not entries:
        result.problem = _why_not_a_feed(body, parsed, headers or {})
        return result
    result.skipped = max(0, len(entries) - max_items)
    seen: set[str] = set()
    for entry in entries[:max_items]:
        story = _story(entry, feed, now)
        if story is not None and story.id not in seen:
            seen.add(story.id)
            result.stories.append(story)
    return result


def _why_not_a_feed(body: bytes, parsed: Any, headers: Mapping[str, str]) -> str:
    if not parsed.get("bozo") and parsed.get("version"):
        return ""  # a valid feed that is simply empty
    head = body[:2048].lstrip().lower()
    ctype = headers.get("content-type", "").lower()
    if b"<html" in head or b"<!doctype html" in head or "text/html" in ctype:
        return "not a feed (HTML page)"
    if not body.strip():
        return "not a feed (empty response)"
    return "not a feed (unreadable XML)"


def _story(entry: Any, feed: Feed, now: datetime) -> Story | None:
    title = clean_line(html_to_text(str(entry.get("title", ""))))
    summary_html = str(entry.get("summary", "") or "")
    if not summary_html and entry.get("content"):
        summary_html = str(entry["content"][0].get("value", ""))
    summary = html_to_text(summary_html)
    link = safe_link(str(entry.get("link", "") or ""))
    if not title:
        title = clean_line(summary, 120) if summary else ""
    if not title and not link:
        return None  # nothing a reader could recognise or open
    guid = clean_line(str(entry.get("id", "") or ""), 1000)
    published = _published(entry, now)
    identity = guid or link or f"{title}\0{published.isoformat()}"
    story_id = hashlib.sha1(f"{feed.url}\0{identity}".encode(), usedforsecurity=False).hexdigest()
    return Story(
        id=story_id[:20],
        feed_url=feed.url,
        source=feed.name,
        title=title or "(untitled)",
        link=link,
        summary=summary,
        published=published,
        first_seen=now,
        author=clean_line(str(entry.get("author", "") or ""), NAME_MAX),
        guid=guid,
    )


def _published(entry: Any, now: datetime) -> datetime:
    """The item's date in UTC, if it is sane; otherwise the time we first saw it."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            try:
                when = datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                continue
            if EARLIEST <= when <= now + FUTURE_SLACK:
                return when
    return now
