"""OPML in and out: import another reader's subscriptions into feeds.toml, export ours.

An OPML file is as untrusted as a feed. It is size-capped, defused like a feed (DOCTYPE and
entity declarations removed, see briefing.feed_bytes.defuse) before ElementTree sees it, so nothing
is expanded and no external file or DTD is read, and its outline count is capped.

Import: every outline with an xmlUrl is a feed; the folders it sits in (outlines without an
xmlUrl) and its `category` attribute become its tags, slugged. Export: one flat outline per
feed, its tags in the `category` attribute ("/world,/uk"), which import reads back, and a
marker comment on line 2; the file is written by briefing.export.write_file under the dossiers'
rules (a file without the marker is not replaced unless forced).

feeds.toml is edited with tomlkit, so the user's comments, order and layout survive; new feeds
are appended as [[feed]] tables, the result is validated like any feeds.toml, then written
atomically (a temporary file beside it, then os.replace).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlsplit

import tomlkit
from tomlkit.items import AoT, Table

from briefing.config import ConfigError, parse_config, url_key
from briefing.errors import BriefingError
from briefing.feed_bytes import defuse, element_count
from briefing.models import Feed
from briefing.safety import NAME_MAX, clean_line, write_atomic

MAX_BYTES = 5_000_000
MAX_OUTLINES = 20_000
URL_MAX = 2000
TAG_MAX = 40
# Line 2 of every OPML file briefing writes: export-opml replaces only files that carry it.
MARKER = "<!-- briefing feeds export -->"
DEFAULT_NAME = "feeds.opml"  # the file written inside a folder given to export-opml -o


class OpmlError(BriefingError, ValueError):
    """The OPML file cannot be used; the message is one line, ready to print."""


@dataclass(slots=True)
class Opml:
    """What an OPML file holds: its feeds (in document order) and the outlines that are not."""

    feeds: list[Feed] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # plain words, one per bad outline


@dataclass(slots=True)
class ImportReport:
    added: list[Feed] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (wanted name, name given)
    duplicates: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    added_keys: set[str] = field(default_factory=set, repr=False)

    def lines(self) -> list[str]:
        """The summary for the user, one line per feed added or skipped."""
        out = [f"added: {_show(f.name)} <{_show(f.url)}>{_tags(f.tags)}" for f in self.added]
        out += [f"renamed: {_show(a)} -> {_show(b)} (name taken)" for a, b in self.renamed]
        out += [f"skipped (duplicate): {d}" for d in self.duplicates]
        out += [f"skipped (invalid): {i}" for i in self.invalid]
        skipped = len(self.duplicates) + len(self.invalid)
        out.append(f"{len(self.added)} feeds added, {skipped} skipped")
        return out


# -- reading OPML ------------------------------------------------------------------------------
def read_opml(path: Path) -> Opml:
    """Read and parse an OPML file; OpmlError (one line) if it is unreadable or not OPML."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise OpmlError(f"{path}: cannot read the file ({exc.strerror or exc}).") from None
    if len(data) > MAX_BYTES:
        raise OpmlError(f"{path}: larger than {MAX_BYTES // 1_000_000} MB, not read.")
    try:
        return parse_opml(data)
    except OpmlError as exc:
        raise OpmlError(f"{path}: {exc}") from None


def parse_opml(data: bytes) -> Opml:
    if len(data) > MAX_BYTES:
        raise OpmlError(f"larger than {MAX_BYTES // 1_000_000} MB.")
    safe = defuse(data)  # DOCTYPE, entity declarations: gone; an &entity; left is an error
    if element_count(safe) > MAX_OUTLINES + 100:
        raise OpmlError(f"more than {MAX_OUTLINES} outlines.")
    try:
        root = ET.fromstring(safe)
    except ET.ParseError as exc:
        raise OpmlError(f"not valid OPML ({clean_line(str(exc), 100)}).") from None
    if _local(root.tag) != "opml":
        raise OpmlError(f"not OPML (the document is <{clean_line(_local(root.tag), 40)}>).")
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise OpmlError("not valid OPML (no <body>).")
    found = Opml()
    stack: list[tuple[ET.Element, tuple[str, ...]]] = [
        (child, ()) for child in reversed(list(body))
    ]
    while stack:  # depth first, in document order, without recursion
        node, path = stack.pop()
        if _local(node.tag) != "outline":
            continue
        attrs = {k.lower(): v for k, v in node.attrib.items()}
        name = clean_line(attrs.get("text", "") or attrs.get("title", ""), NAME_MAX)
        if "xmlurl" in attrs:
            _add_feed(found, name, attrs, path)
        elif len(node):
            folder = slug(name)
            sub = (*path, folder) if folder else path
            stack.extend((child, sub) for child in reversed(list(node)))
        elif attrs.get("type", "").lower() in ("rss", "atom", "json"):
            found.invalid.append(f"{_show(name or '(no name)')}: no feed address (xmlUrl)")
    return found


def _add_feed(found: Opml, name: str, attrs: dict[str, str], path: tuple[str, ...]) -> None:
    url = attrs["xmlurl"].strip()
    shown = _show(name or url or "(no name)")
    if not url:
        found.invalid.append(f"{shown}: no feed address (xmlUrl)")
        return
    problem = url_problem(url)
    if problem:
        found.invalid.append(f"{shown}: {problem}")
        return
    tags = [*path, *category_tags(attrs.get("category", ""))]
    feed = Feed(name=name or (urlsplit(url).hostname or url), url=url, tags=_unique(tags))
    found.feeds.append(feed)


def url_problem(url: str) -> str:
    """Why this is not a usable feed address, or '' if it is one."""
    if len(url) > URL_MAX:
        return "address too long"
    if clean_line(url, URL_MAX) != url or any(c.isspace() for c in url):
        return "address with spaces or control characters"
    try:
        parts = urlsplit(url)
    except ValueError:
        return f"not a valid address ({_show(url)})"
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return f"not an http(s) address ({_show(url)})"
    return ""


def category_tags(value: str) -> list[str]:
    """OPML 2.0 category: comma-separated, slash-delimited paths -> every part as a tag."""
    return [t for item in value[:2000].split(",") for part in item.split("/") if (t := slug(part))]


def slug(text: str) -> str:
    """'Middle East & Africa' -> 'middle-east-africa'."""
    return re.sub(r"[\W_]+", "-", text.lower()).strip("-")[:TAG_MAX].strip("-")


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


# -- writing OPML ------------------------------------------------------------------------------
def render_opml(feeds: Sequence[Feed], title: str = "briefing feeds") -> str:
    """OPML 2.0: one outline per feed, in order, tags in its category attribute."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    for feed in feeds:
        outline = ET.SubElement(
            body, "outline", type="rss", text=feed.name, title=feed.name, xmlUrl=feed.url
        )
        if feed.tags:
            outline.set("category", ",".join(f"/{_category_part(t)}" for t in feed.tags))
    ET.indent(root)
    return f'<?xml version="1.0" encoding="utf-8"?>\n{MARKER}\n{ET.tostring(root, "unicode")}\n'


def is_ours(head: str) -> bool:
    """Whether a file's first lines carry the marker of an OPML file written by briefing."""
    lines = head.removeprefix("\ufeff").split("\n", 2)[:2]
    return any(line.strip() == MARKER for line in lines)


def _category_part(tag: str) -> str:
    """A tag as one category path element: ',' and '/' would split it, so they become '-'."""
    return re.sub(r"[,/]+", "-", tag).strip()


# -- importing into feeds.toml -----------------------------------------------------------------
def plan_import(existing: Sequence[Feed], incoming: Sequence[Feed]) -> ImportReport:
    """Which incoming feeds are new (renamed if their name is taken) and which are duplicates."""
    report = ImportReport()
    urls = {url_key(f.url): f.name for f in existing}
    names = {f.name.lower() for f in existing}
    for feed in incoming:
        key = url_key(feed.url)
        if key in urls:
            where = "already in feeds.toml" if key not in report.added_keys else "repeated"
            report.duplicates.append(f"{_show(feed.url)} ({where} as {_show(urls[key])})")
            continue
        report.added_keys.add(key)
        name = feed.name
        n = 2
        while name.lower() in names:
            name = f"{feed.name} ({n})"
            n += 1
        if name != feed.name:
            report.renamed.append((feed.name, name))
        urls[key] = name
        names.add(name.lower())
        report.added.append(Feed(name=name, url=feed.url, tags=feed.tags))
    return report


def import_opml(feeds_path: Path, opml: Opml) -> ImportReport:
    """Append the OPML's new feeds to feeds_path, keeping everything already written there."""
    try:
        text = feeds_path.read_bytes().decode("utf-8")  # as is: CRLF files stay CRLF
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{feeds_path}: cannot read the feeds file ({exc}).") from None
    config = parse_config(text, feeds_path)
    report = plan_import(config.feeds, opml.feeds)
    report.invalid = list(opml.invalid)
    if report.added:
        new_text = append_feeds(text, report.added)
        parse_config(new_text, feeds_path)  # never write a file briefing itself would refuse
        write_atomic(feeds_path, new_text)
    return report


def append_feeds(text: str, feeds: Sequence[Feed]) -> str:
    """feeds.toml text with [[feed]] tables appended; comments, order and layout untouched."""
    doc = tomlkit.parse(text)
    tables = doc.get("feed")
    if tables is None or (isinstance(tables, list) and not tables and not isinstance(tables, AoT)):
        doc.pop("feed", None)
        tables = tomlkit.aot()
        doc.append("feed", tables)
        tables = doc["feed"]
    if not isinstance(tables, AoT):
        raise ConfigError("feeds.toml writes its feeds as an inline array; cannot append to it.")
    last_key = list(doc.keys())[-1]
    for i, feed in enumerate(feeds):
        table: Table = tomlkit.table()
        table.trivia.indent = "\n"  # a blank line before each new [[feed]]
        table["name"] = feed.name
        table["url"] = feed.url
        if feed.tags:
            table["tags"] = list(feed.tags)
        if i == len(feeds) - 1 and last_key != "feed":
            table.add(tomlkit.nl())  # and one before the table that follows
        tables.append(table)
    return tomlkit.dumps(doc)


def _show(text: str) -> str:
    return clean_line(text, 120)


def _tags(tags: Sequence[str]) -> str:
    return f" [{', '.join(_show(t) for t in tags)}]" if tags else ""
