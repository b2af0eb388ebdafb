"""Edit feeds.toml from the app: add, change, disable and remove feeds, and try a feed first.

The user's file is theirs: every edit keeps the comments, order and layout of everything it
does not touch. A changed value is rewritten in place with tomlkit (a comment on its line
stays); a new [[feed]] table goes right after the last one; a removed table takes its own
lines with it (its keys, comments inside it, and the comment block directly above its header,
which describes it) and nothing else. Every edit is checked before it is written: the new text
must load as a feeds.toml (see briefing.config.parse_config) and hold exactly the feeds the
edit meant, with [settings] unchanged; otherwise ConfigError and the file is left as it was.
Writes are atomic (a temporary file beside the real one, then os.replace), keep the file's
permissions, and go to the file a symbolic link points at, so the link survives.

Never written: the demo (it has no file) and the default feed list bundled inside the
briefing package (the repository's feeds.toml is a link to it).
"""

from __future__ import annotations

import asyncio
import re
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpx
import tomlkit
from tomlkit.items import AoT, InlineTable, Item, Table

import briefing
from briefing.config import Config, ConfigError, parse_config, url_key
from briefing.fetch import FetchLimits, fetch_feed, make_client
from briefing.models import Feed, Validators
from briefing.opml import url_problem
from briefing.parse import parse_feed
from briefing.safety import NAME_MAX, clean_line, counted, write_atomic

TAG_MAX = 40
DEMO_REFUSAL = (
    "The demo has no feeds file to edit. Start briefing without --demo "
    "(or with --feeds FILE) to add, edit or remove feeds."
)

_FEED_HEADER = re.compile(r"\s*\[\[\s*feed\s*\]\]\s*(#.*)?$")
_ANY_HEADER = re.compile(r"\s*\[")


# -- where we may write ------------------------------------------------------------------------
def package_dir() -> Path:
    return Path(briefing.__file__).resolve().parent


def writable_path(path: Path | None) -> Path:
    """The real file to write for the feeds file in use, or ConfigError saying why not."""
    if path is None:
        raise ConfigError(DEMO_REFUSAL)
    real = path.resolve()
    if real.is_relative_to(package_dir()):
        link = f" (a link to {real})" if real != path.absolute() else ""
        raise ConfigError(
            f"{path}{link} is briefing's bundled default feed list and is not edited. "
            "Copy it somewhere of your own, e.g. ~/.config/briefing/feeds.toml, and start "
            "briefing with --feeds pointing at the copy."
        )
    if not real.is_file():
        raise ConfigError(f"{path}: no such feeds file.")
    return real


def _read(path: Path | None) -> tuple[Path, str, Config]:
    real = writable_path(path)
    try:
        text = real.read_bytes().decode("utf-8")  # as is: CRLF files stay CRLF
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the feeds file ({exc}).") from None
    return real, text, parse_config(text, path or real)


# -- validation --------------------------------------------------------------------------------
def clean_tags(tags: Sequence[str]) -> tuple[str, ...]:
    """Tags as typed, trimmed, cleaned of control characters, without blanks or repeats."""
    cleaned = (clean_line(t, TAG_MAX).strip() for t in tags)
    return tuple(dict.fromkeys(t for t in cleaned if t))


def split_tags(text: str) -> tuple[str, ...]:
    """'world, uk ,,news' -> ('world', 'uk', 'news')."""
    return clean_tags(text.split(","))


def feed_problem(feeds: Sequence[Feed], url: str, name: str = "", editing: str = "") -> str:
    """Why url/name cannot be added (or given to the feed at `editing`), or '' if they can."""
    url = url.strip()
    if not url:
        return "give the feed's address (http or https)"
    problem = url_problem(url)
    if problem:
        return problem
    for feed in feeds:
        if editing and url_key(feed.url) == url_key(editing):
            continue
        if url_key(feed.url) == url_key(url):
            return f"already in the feeds file as “{clean_line(feed.name, 60)}”"
        if name.strip() and feed.name.lower() == name.strip().lower():
            return f"the name “{clean_line(feed.name, 60)}” is taken by {clean_line(feed.url, 80)}"
    return ""


def default_name(url: str, title: str = "") -> str:
    """The feed's own title if it has one, else its host name."""
    return clean_line(title, NAME_MAX).strip() or (urlsplit(url).hostname or url)


# -- the edits ---------------------------------------------------------------------------------
def add_feed(
    path: Path | None,
    name: str,
    url: str,
    tags: Sequence[str] = (),
    full_text: bool = False,
) -> Feed:
    """Append a [[feed]] table; returns the feed as written. ConfigError if it cannot be."""
    real, text, config = _read(path)
    url = url.strip()
    name = clean_line(name, NAME_MAX).strip() or default_name(url)
    problem = feed_problem(config.feeds, url, name)
    if problem:
        raise ConfigError(f"Cannot add {clean_line(url, 100)}: {problem}.")
    feed = Feed(name=name, url=url, tags=clean_tags(tags), full_text=full_text)
    expected = (*config.feeds, feed)
    new_text = _append_text(text, feed)
    if not _holds(new_text, text, expected, path or real):
        new_text = _append_tomlkit(text, feed)
    _check(new_text, text, expected, path or real)
    _write(real, new_text)
    return feed


def update_feed(
    path: Path | None,
    url: str,
    *,
    name: str | None = None,
    new_url: str | None = None,
    tags: Sequence[str] | None = None,
    enabled: bool | None = None,
    full_text: bool | None = None,
) -> Feed:
    """Change the feed at url; only the values that change are rewritten. Returns the feed."""
    real, text, config = _read(path)
    index = _index(config, url, path or real)
    old = config.feeds[index]
    new = replace(
        old,
        name=old.name if name is None else (clean_line(name, NAME_MAX).strip() or old.name),
        url=old.url if new_url is None else new_url.strip(),
        tags=old.tags if tags is None else clean_tags(tags),
        enabled=old.enabled if enabled is None else enabled,
        full_text=old.full_text if full_text is None else full_text,
    )
    if new == old:
        return old
    problem = feed_problem(config.feeds, new.url, new.name, editing=old.url)
    if problem:
        raise ConfigError(f"Cannot change “{clean_line(old.name, 60)}”: {problem}.")
    doc = tomlkit.parse(text)
    table = doc["feed"][index]
    if new.name != old.name:
        _set(table, "name", new.name, default=None)
    if new.url != old.url:
        _set(table, "url", new.url, default=None)
    if new.tags != old.tags:
        _set(table, "tags", list(new.tags), default=[])
    if new.enabled != old.enabled:
        _set(table, "enabled", new.enabled, default=True)
    if new.full_text != old.full_text:
        _set(table, "full_text", new.full_text, default=False)
    expected = tuple(new if i == index else f for i, f in enumerate(config.feeds))
    new_text = tomlkit.dumps(doc)
    _check(new_text, text, expected, path or real)
    _write(real, new_text)
    return new


def remove_feed(path: Path | None, url: str) -> Feed:
    """Remove the feed at url with its own lines; returns the feed that was removed."""
    real, text, config = _read(path)
    index = _index(config, url, path or real)
    expected = tuple(f for i, f in enumerate(config.feeds) if i != index)
    new_text = _remove_text(text, index)
    if new_text is None or not _holds(new_text, text, expected, path or real):
        doc = tomlkit.parse(text)
        del doc["feed"][index]
        new_text = tomlkit.dumps(doc)
    _check(new_text, text, expected, path or real)
    _write(real, new_text)
    return config.feeds[index]


def _index(config: Config, url: str, path: Path) -> int:
    for i, feed in enumerate(config.feeds):
        if url_key(feed.url) == url_key(url):
            return i
    raise ConfigError(f"{path}: no feed with the address {clean_line(url, 100)}.")


def _set(table: Any, key: str, value: Any, default: Any) -> None:
    """Set key in a [[feed]] table, in place if present (its comment stays).

    A value set back to its default is removed again if briefing could have added it (no
    comment on its line), so disable-then-enable gives back the original bytes.
    """
    if key in table:
        item = table.item(key) if isinstance(table, Table | InlineTable) else None
        comment = item.trivia.comment if isinstance(item, Item) else ""
        if value == default and not comment:
            del table[key]
        else:
            table[key] = value
        return
    if value == default:
        return
    if isinstance(table, Table):
        keyed = [i for i, (k, _) in enumerate(table.value.body) if k is not None]
        # After the table's last key, not after its trailing comments and blank lines. tomlkit
        # has no public call for it; its private one changed in 0.15.3, so it is looked up.
        insert_at = getattr(table.value, "_insert_at", None)
        if keyed and keyed[-1] + 1 < len(table.value.body) and callable(insert_at):
            insert_at(keyed[-1] + 1, key, value)
            return
    table[key] = value


# -- line-level layout -------------------------------------------------------------------------
def _blank(line: str) -> bool:
    return not line.strip()


def _comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _own_lines(lines: list[str], header: int) -> tuple[int, int]:
    """[start, end) of the lines that belong to the [[feed]] table whose header is at header.

    Its own: the comment block right above the header, the header, its keys and the comments
    among and right after them. Not its own: the comment block right above the next header,
    and a trailing comment block set apart by a blank line (a note, or a commented-out feed).
    """
    following = next(
        (i for i in range(header + 1, len(lines)) if _ANY_HEADER.match(lines[i])), len(lines)
    )
    end = following
    if following < len(lines):
        while end - 1 > header and _comment(lines[end - 1]):
            end -= 1
    while True:
        while end - 1 > header and _blank(lines[end - 1]):
            end -= 1
        start_of_comments = end
        while start_of_comments - 1 > header and _comment(lines[start_of_comments - 1]):
            start_of_comments -= 1
        if start_of_comments < end and _blank(lines[start_of_comments - 1]):
            end = start_of_comments
            continue
        break
    start = header
    while start > 0 and _comment(lines[start - 1]):
        start -= 1
    return start, end


def _feed_headers(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if _FEED_HEADER.match(line)]


def _remove_text(text: str, index: int) -> str | None:
    lines = text.splitlines(keepends=True)
    headers = _feed_headers(lines)
    if index >= len(headers):
        return None
    start, end = _own_lines(lines, headers[index])
    after = end
    while after < len(lines) and _blank(lines[after]):
        after += 1
    if after == len(lines):  # the last thing in the file: drop the blank lines before it
        while start > 0 and _blank(lines[start - 1]):
            start -= 1
        end = after
    elif start == 0 or _blank(lines[start - 1]):  # one gap is enough between neighbours
        end = after
    return "".join(lines[:start] + lines[end:])


def _table_text(feed: Feed) -> str:
    table = tomlkit.table()
    table["name"] = feed.name
    table["url"] = feed.url
    if feed.tags:
        table["tags"] = list(feed.tags)
    if feed.full_text:
        table["full_text"] = True
    tables = tomlkit.aot()
    tables.append(table)
    doc = tomlkit.document()
    doc.append("feed", tables)
    return tomlkit.dumps(doc).strip("\n") + "\n"


def _append_text(text: str, feed: Feed) -> str:
    """The text with a [[feed]] table after the last one (else at the end), a blank line apart."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    headers = _feed_headers(lines)
    at = _own_lines(lines, headers[-1])[1] if headers else len(lines)
    block = [*_table_text(feed).splitlines(keepends=True)]
    if at > 0 and not _blank(lines[at - 1]):
        block.insert(0, "\n")
    if at < len(lines) and not _blank(lines[at]):
        block.append("\n")
    return "".join(lines[:at] + block + lines[at:])


def _append_tomlkit(text: str, feed: Feed) -> str:
    """Fallback when the file's layout is unusual: let tomlkit place the table."""
    doc = tomlkit.parse(text)
    tables = doc.get("feed")
    if tables is None:
        doc.append("feed", tomlkit.aot())
        tables = doc["feed"]
    if not isinstance(tables, AoT):
        raise ConfigError("feeds.toml writes its feeds as an inline array; cannot add to it.")
    tables.append(tomlkit.parse(_table_text(feed))["feed"][0])
    return tomlkit.dumps(doc)


def _write(real: Path, text: str) -> None:
    try:
        write_atomic(real, text)
    except OSError as exc:
        raise ConfigError(f"{real}: cannot write the feeds file ({exc.strerror or exc}).") from None


# -- checks ------------------------------------------------------------------------------------
def _holds(new_text: str, old_text: str, expected: Sequence[Feed], path: Path) -> bool:
    try:
        _check(new_text, old_text, expected, path)
    except ConfigError:
        return False
    return True


def _check(new_text: str, old_text: str, expected: Sequence[Feed], path: Path) -> None:
    """Refuse text that would not load, or whose feeds or settings are not what was meant."""
    config = parse_config(new_text, path)  # ConfigError names the line
    try:
        old_data, new_data = tomllib.loads(old_text), tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:  # parse_config accepted it: cannot happen
        raise ConfigError(f"{path}: not valid TOML after the edit: {exc}.") from None
    old_data.pop("feed", None)
    new_data.pop("feed", None)
    if config.feeds != tuple(expected) or old_data != new_data:
        raise ConfigError(f"{path}: the edit could not be made safely; the file is unchanged.")


# -- trying a feed -----------------------------------------------------------------------------
class FeedCheck(NamedTuple):
    """What one test fetch found, in plain words."""

    ok: bool
    message: str
    title: str | None
    items: int

    def note(self, name: str) -> str:
        """The message for a notice that names the feed: without the title when the feed is
        named after it (``name`` empty, or the title itself), so it is not said twice."""
        if self.ok and self.title and (not name or name == clean_line(self.title, 80)):
            return _found(None, self.items)
        return self.message


def _found(title: str | None, count: int) -> str:
    """What a test fetch that found a feed says: 'a feed: “T”, 2 items', 'a feed with 1 item'."""
    named = f"“{clean_line(title, 80)}”, " if title else ""
    if not count:
        return f"a feed, {named}but it has no items right now"
    if title:
        return f"a feed: {named}{counted(count, 'item', 'items')}"
    return f"a feed with {counted(count, 'item', 'items')}"


async def check_feed(
    url: str,
    limits: FetchLimits | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FeedCheck:
    """Fetch url once and parse it, the same way a refresh does. Never raises."""
    problem = url_problem(url.strip())
    if problem:
        return FeedCheck(False, problem, None, 0)
    limits = limits or FetchLimits()
    feed = Feed(name=urlsplit(url.strip()).hostname or "feed", url=url.strip())
    async with make_client(limits, transport) as client:
        result = await fetch_feed(client, feed, Validators(), limits)
    if not result.ok or result.body is None:
        return FeedCheck(False, f"could not fetch it: {result.status}", None, 0)
    parsed = await asyncio.to_thread(parse_feed, result.body, feed, result.headers)
    if parsed.problem:
        return FeedCheck(False, parsed.problem, parsed.title or None, 0)
    count = len(parsed.stories)
    title = parsed.title or None
    return FeedCheck(True, _found(title, count), title, count)
