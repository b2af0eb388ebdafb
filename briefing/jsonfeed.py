"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) -> the same Story records as RSS/Atom.

No well-kept parser exists on PyPI, and the format is small: this reads it with `json` and
checks every field's type, since a feed may put a number, a list or null anywhere. Every string
goes through the cleaning that feedparser's output gets (briefing.safety): titles and summaries
that look like HTML lose their markup, control characters and escape sequences are removed,
lengths are capped, links must be absolute http(s) after resolving against the feed's URL. The
same per-feed cap keeps the newest items. A document with more objects and arrays than an XML
feed may have elements is refused before it is decoded, so memory stays bounded.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from feedparser.datetimes import _parse_date

from briefing.feed_bytes import MAX_ELEMENTS
from briefing.items import (
    MAX_ITEMS,
    ParsedFeed,
    keep_newest,
    make_story,
    raw_date_ok,
    sane_date,
)
from briefing.models import Feed
from briefing.safety import NAME_MAX, SUMMARY_MAX, TITLE_MAX, clean_block, clean_line, html_to_text

_VERSION = re.compile(r"^https?://jsonfeed\.org/version/1(?:\.\d+)?/?$")
# Text that is HTML rather than plain: a tag or a character reference.
_LOOKS_HTML = re.compile(r"<[A-Za-z/!]|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
TOO_LARGE = f"too large (over {MAX_ELEMENTS:,} JSON objects and arrays)"


def parse_json_feed(
    body: bytes,
    feed: Feed,
    base: str,
    now: datetime,
    max_items: int = MAX_ITEMS,
) -> ParsedFeed:
    """Parse one JSON Feed document. Never raises: problems come back in plain words."""
    if body.count(b"{") + body.count(b"[") > MAX_ELEMENTS:  # an over-estimate: strings count too
        return ParsedFeed(title="", problem=TOO_LARGE)
    try:
        document = json.loads(body.removeprefix(codecs.BOM_UTF8).decode("utf-8", "replace"))
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the stack
        return ParsedFeed(title="", problem="not a feed (unreadable JSON)")
    if not isinstance(document, dict) or not _VERSION.match(_string(document, "version")):
        return ParsedFeed(title="", problem="not a feed (JSON, but not a JSON Feed)")
    result = ParsedFeed(title=_plain(_string(document, "title"), NAME_MAX))
    items = document.get("items")
    if not isinstance(items, list):
        result.problem = "not a feed (a JSON Feed without items)"
        return result
    items = [item for item in items if isinstance(item, dict)]  # anything else is ignored
    feed_author = _author(document)
    if len(items) > max_items:
        result.skipped = len(items) - max_items
        items = keep_newest(items, max_items, lambda item: _date(item, now))
    seen: set[str] = set()
    for item in items:
        guid = _identifier(item.get("id"))
        if not guid.strip():
            continue  # the spec: an item without an id must be discarded ("reruns" otherwise)
        title = _plain(_string(item, "title"), TITLE_MAX)
        summary = _summary(item)
        link = _string(item, "url") or _string(item, "external_url")
        story = make_story(
            feed,
            now,
            title=title,
            summary=summary,
            link=_absolute(base, link),
            guid=guid,
            author=_author(item) or feed_author,
            dated=_date(item, now),
        )
        if story is not None and story.id not in seen:
            seen.add(story.id)
            result.stories.append(story)
    return result


def _string(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def _absolute(base: str, link: str) -> str:
    """The link resolved against the feed's URL ("" if it cannot be: urljoin raises on a
    broken IPv6 host); safe_link then keeps http(s) only."""
    try:
        return urljoin(base, link.strip()) if link.strip() else ""
    except ValueError:
        return ""


def _identifier(value: object) -> str:
    """The item's id; the spec says a number must be read as a string too."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _plain(text: str, limit: int) -> str:
    """A title: plain text by the spec, but feeds send HTML there too; either way one line."""
    return clean_line(html_to_text(text, limit) if _LOOKS_HTML.search(text) else text, limit)


def _summary(item: Mapping[str, Any]) -> str:
    """summary, else content_html as text, else content_text; cleaned and capped."""
    summary = _string(item, "summary")
    if summary.strip():
        return html_to_text(summary) if _LOOKS_HTML.search(summary) else clean_block(summary)
    content_html = _string(item, "content_html")
    if content_html.strip():
        return html_to_text(content_html, SUMMARY_MAX)
    return clean_block(_string(item, "content_text"), SUMMARY_MAX)


def _author(obj: Mapping[str, Any]) -> str:
    """The first author's name: `authors` (1.1) or `author` (1.0)."""
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else [obj.get("author")]
    for author in candidates[:10]:
        if isinstance(author, dict) and _string(author, "name").strip():
            return _string(author, "name")
    return ""


def _date(item: Mapping[str, Any], now: datetime) -> datetime | None:
    """date_published, else date_modified (RFC 3339), checked as RSS and Atom dates are."""
    for key in ("date_published", "date_modified"):
        raw = _string(item, key)[:100]
        if not raw or not raw_date_ok(raw):
            continue
        value = _parse_date(raw)
        when = None if value is None else sane_date(value, now)
        if when is not None:
            return when
    return None
