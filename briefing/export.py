"""Markdown dossiers: one thread written out as a self-contained CommonMark file.

Everything from a feed is hostile. Titles, summaries and names are cleaned with ``safety``
(escape sequences, control and bidi characters gone, whitespace folded) and then
backslash-escaped, so each one can only ever be literal text: it cannot start or end a
heading, list, quote, link, image, code span, emphasis, table or HTML. Links are http(s) only.

File names are ``<slug of the current name>-<thread id>.md``: readable in a file manager, and
the id keeps two threads with the same name apart. Thread names are recomputed as threads grow,
so a re-save after a rename writes the new name and removes the thread's old auto-named file
(recognised by its marker, never by name alone). A dossier is marked on its first line,
``<!-- briefing dossier: thread 12 -->`` (invisible once rendered), or by a first
``briefing_dossier: 12`` key when YAML front matter is on; files without a marker are never
overwritten unless forced.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import string
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from briefing.errors import BriefingError
from briefing.models import DETACH, EVENT, MERGE, NORP, ORG, PERSON, PLACE, RENAME, Story, Thread
from briefing.safety import (
    NAME_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    clean_block,
    clean_line,
    counted,
    safe_link,
    slug,
    write_atomic,
)
from briefing.summaries import Summary

if TYPE_CHECKING:
    from briefing.store import Store

UNTITLED_THREAD = "Untitled thread"
UNTITLED_STORY = "(untitled)"
UNKNOWN_OUTLET = "Unknown outlet"
SLUG_MAX = 60  # keeps "<slug>-<id>.md" far below every file system's 255-byte limit

# Entity type -> (section label, front matter key), in the order shown.
ENTITY_SECTIONS = {
    PERSON: ("People", "people"),
    PLACE: ("Places", "places"),
    ORG: ("Organisations", "organisations"),
    NORP: ("Groups", "groups"),
    EVENT: ("Events", "events"),
}

# Spelled out here: strftime's names depend on the user's locale.
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_MONTHS = (
    "January February March April May June July August September October November December"
).split()

_COMMENT_MARKER = re.compile(r"<!-- briefing dossier: thread (-?\d+) -->")
_KEY_MARKER = re.compile(r"briefing_dossier: (-?\d+)")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FILENAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*--?\d+\.md")

# Characters that open or close inline syntax anywhere in a line: escapes, code, emphasis,
# links/images, autolinks/HTML, entities, ATX closing hashes, plus GFM tables (|),
# strikethrough (~) and math ($) for renderers that go beyond CommonMark.
_INLINE_SPECIAL = re.compile(r"[\\`*_\[\]()<>&#|~$!]")
# "12." or "12)" at the start of block content opens an ordered list.
_ORDERED_START = re.compile(r"(\d+)([.)])")
_PUNCTUATION = frozenset(string.punctuation)  # all of it is backslash-escapable in CommonMark


class ExportRefused(BriefingError):
    """An export that would do harm (overwrite a foreign file) or could not be written.

    The message is written for the user, e.g. "<path> exists and was not written by briefing".
    """


class ForeignFile(ExportRefused):
    """The path holds a file briefing did not write: only ``force`` replaces it."""

    cli_hint = "--force overwrites it"


class ThreadGone(ExportRefused):
    """The thread to save no longer exists (merged into another, or its story detached)."""


# ---- Markdown -------------------------------------------------------------------------------


def md_text(text: str) -> str:
    """One line of cleaned text as literal Markdown, safe even at the start of a block.

    The first character is escaped if it is punctuation, so "-", "+", "=", ">", "#" or a
    fence cannot start a list, setext underline, quote, heading or code block.
    """
    head = ""
    if m := _ORDERED_START.match(text):
        head, text = f"{m.group(1)}\\{m.group(2)}", text[m.end() :]
    elif text[:1] in _PUNCTUATION:
        head, text = "\\" + text[0], text[1:]
    return head + _INLINE_SPECIAL.sub(r"\\\g<0>", text)


def _destination(url: str) -> str:
    """A link destination in the <...> form for a URL that already passed safe_link.

    "<" and ">" cannot appear inside the brackets and "\\" would start an escape, so they are
    percent-encoded; "&" is backslash-escaped so "&amp;" in a URL is not decoded to "&".
    """
    url = url.replace("\\", "%5C").replace("<", "%3C").replace(">", "%3E")
    return "<" + url.replace("&", "\\&") + ">"


def md_link(text: str, url: str) -> str:
    """[text](url) when the URL is http(s), else the plain text: never another scheme."""
    safe = safe_link(url)
    return f"[{md_text(text)}]({_destination(safe)})" if safe else md_text(text)


def summary_markdown(summary: Summary) -> list[str]:
    """A thread summary's sentences, then its latest development, each with its outlet linked
    to the story it came from (the dossier's and the brief's one rendering)."""
    out = []
    for sentence in summary.sentences:
        source = md_link(clean_line(sentence.source, NAME_MAX) or UNKNOWN_OUTLET, sentence.link)
        out.append(f"- {md_text(clean_line(sentence.text))} — {source}")
    if summary.latest is not None:
        latest = summary.latest
        source = md_link(clean_line(latest.source, NAME_MAX) or UNKNOWN_OUTLET, latest.link)
        out += ["", f"**Latest:** {md_text(clean_line(latest.text))} — {source}"]
    return out


# ---- Dates ----------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    # Records hold aware UTC datetimes; a naive one is taken as UTC rather than local time.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _date(moment: datetime) -> str:
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def _day_heading(moment: datetime) -> str:
    return f"{_DAYS[moment.weekday()]} {_date(moment)}"


def _iso(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- Rendering ------------------------------------------------------------------------------


def _outlet(story: Story) -> str:
    return clean_line(story.source, NAME_MAX) or UNKNOWN_OUTLET


def _entities_by_type(thread: Thread) -> dict[str, list[tuple[str, int]]]:
    """Cleaned (name, mentions) per known type, most mentioned first; empty types left out."""
    grouped: dict[str, list[tuple[str, int]]] = {}
    for entity in thread.entities:
        name = clean_line(entity.name, NAME_MAX)
        if name and entity.type in ENTITY_SECTIONS:
            grouped.setdefault(entity.type, []).append((name, entity.mentions))
    return {
        kind: sorted(grouped[kind], key=lambda e: (-e[1], e[0].casefold(), e[0]))
        for kind in ENTITY_SECTIONS
        if kind in grouped
    }


def _feed_url(outlet_stories: list[Story], feed_urls: Mapping[str, str]) -> str:
    first = outlet_stories[0]
    url = feed_urls.get(first.source) or feed_urls.get(_outlet(first)) or first.feed_url
    return safe_link(url)


def _yaml_string(text: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar. Surrogates cannot be encoded and
    # U+FFFE/U+FFFF are not printable YAML, so they become U+FFFD.
    return json.dumps(re.sub("[\ud800-\udfff\ufffe\uffff]", "\ufffd", text), ensure_ascii=False)


def _yaml_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(_yaml_string(item) for item in items) + "]"


def _front_matter(
    thread: Thread,
    name: str,
    period: tuple[datetime, datetime],
    generated: datetime,
    story_count: int,
    outlets: Sequence[str],
    entities: Mapping[str, list[tuple[str, int]]],
) -> list[str]:
    lines = [
        "---",
        f"briefing_dossier: {thread.id}",
        f"id: {thread.id}",
        f"name: {_yaml_string(name)}",
        f"first_seen: {_yaml_string(_iso(period[0]))}",
        f"last_seen: {_yaml_string(_iso(period[1]))}",
        f"generated: {_yaml_string(_iso(generated))}",
        f"stories: {story_count}",
        f"sources: {_yaml_list(outlets)}",
    ]
    if entities:
        lines.append("entities:")
        for kind, named in entities.items():
            lines.append(f"  {ENTITY_SECTIONS[kind][1]}: {_yaml_list([n for n, _ in named])}")
    else:
        lines.append("entities: {}")
    return [*lines, "---", ""]


def render_dossier(
    thread: Thread,
    stories: Sequence[Story],
    feed_urls: Mapping[str, str],
    *,
    generated: datetime,
    front_matter: bool = False,
    summary: Summary | None = None,
) -> str:
    """The thread as a Markdown dossier: title, period, summary, key entities, timeline,
    sources. ``summary`` is the thread's (brief.thread_summary): shown first when given.

    ``feed_urls`` maps an outlet's (source) name to its feed URL; a story's own feed_url is
    the fallback. Stories may come in any order; the timeline runs oldest to newest (UTC).
    The period covered is that of the stories given, else the thread's first/last seen.
    """
    ordered = sorted(stories, key=lambda s: (_utc(s.published), s.id))
    name = clean_line(thread.name, NAME_MAX) or UNTITLED_THREAD
    generated = _utc(generated)
    if ordered:
        period = (_utc(ordered[0].published), _utc(ordered[-1].published))
    else:
        period = (_utc(thread.first_seen), _utc(thread.last_seen))

    by_outlet: dict[str, list[Story]] = {}
    for story in ordered:
        by_outlet.setdefault(_outlet(story), []).append(story)
    outlets = sorted(by_outlet, key=lambda o: (-len(by_outlet[o]), o.casefold(), o))
    entities = _entities_by_type(thread)

    out: list[str] = []
    if front_matter:
        out += _front_matter(thread, name, period, generated, len(ordered), outlets, entities)
    else:
        out += [f"<!-- briefing dossier: thread {thread.id} -->", ""]

    first, last = _date(period[0]), _date(period[1])
    span = first if first == last else f"{first} → {last}"
    out += [
        f"# {md_text(name)}",
        "",
        f"{span} · {counted(len(ordered), 'story', 'stories')} · "
        f"{counted(len(outlets), 'outlet', 'outlets')}",
        "",
        f"Generated {generated:%Y-%m-%d %H:%M} UTC by briefing.",
        "",
    ]

    if thread.corrections:
        out += [f"- {md_text(line)}" for line in correction_lines(thread)] + [""]

    if summary is not None and (summary.sentences or summary.latest):
        out += ["## Summary", "", *summary_markdown(summary), ""]

    if entities:
        out += ["## Key entities", ""]
        for kind, named in entities.items():
            listed = ", ".join(f"{md_text(n)} ({count})" for n, count in named)
            out.append(f"- {ENTITY_SECTIONS[kind][0]}: {listed}")
        out.append("")

    out += ["## Timeline", ""]
    if not ordered:
        out += ["No stories in this thread.", ""]
    day = None
    for story in ordered:
        published = _utc(story.published)
        if published.date() != day:
            day = published.date()
            out += [f"### {_day_heading(published)}", ""]
        title = md_link(clean_line(story.title, TITLE_MAX) or UNTITLED_STORY, story.link)
        out += [f"**{published:%H:%M} UTC** · {md_text(_outlet(story))} · {title}", ""]
        text = clean_block(story.summary, SUMMARY_MAX)
        if text:
            paragraphs = [f"> {md_text(p)}" for p in text.split("\n\n")]
            out += ["\n>\n".join(paragraphs), ""]

    out += ["## Sources", ""]
    if not outlets:
        out += ["No sources.", ""]
    for outlet in outlets:
        line = f"- {md_text(outlet)} · {counted(len(by_outlet[outlet]), 'story', 'stories')}"
        if url := _feed_url(by_outlet[outlet], feed_urls):
            line += f" · feed {md_link(url, url)}"
        out.append(line)
    return "\n".join(out).rstrip("\n") + "\n"


def correction_lines(thread: Thread) -> list[str]:
    """What the user changed by hand in this thread, one plain line each (names cleaned)."""
    renames = [c for c in thread.corrections if c.kind == RENAME]
    lines = []
    if renames:
        lines.append(f"Renamed by you (was: {clean_line(renames[0].old_name, 80) or '—'})")
    for c in thread.corrections:
        title = clean_line(c.story_title, 80) or UNTITLED_STORY
        if c.kind == MERGE and c.to_thread == thread.id:  # from_thread resolves here too
            lines.append(f"Merged in by you: {clean_line(c.new_name, 80) or UNTITLED_THREAD}")
        elif c.kind == DETACH and c.from_thread == thread.id != c.to_thread:
            lines.append(f"Moved out by you: {title}")
        elif c.kind == DETACH and c.to_thread == thread.id != c.from_thread:
            lines.append(f"Moved in by you, out of {clean_line(c.old_name, 80)}: {title}")
    return lines


# ---- Files ----------------------------------------------------------------------------------


def dossier_filename(thread: Thread) -> str:
    """File name "<slug of the name>-<id>.md": ASCII letters, digits, dashes; at most ~80 chars.

    The slug alphabet cannot spell "..", "/", "\\", a drive or NUL, and the id suffix means a
    Windows reserved name ("con", "nul", "com1") is never the whole stem.
    """
    return f"{slug(clean_line(thread.name, NAME_MAX), SLUG_MAX)}-{thread.id}.md"


def dossier_path(export_dir: Path, thread: Thread) -> Path:
    """Where the thread's dossier goes: always a direct child of export_dir."""
    name = dossier_filename(thread)
    path = export_dir / name
    # Guard the invariant here too, so a future change to slug() cannot turn feed text into
    # a path outside the export folder.
    if not _FILENAME.fullmatch(name) or path.parent != export_dir:
        raise ExportRefused(f"refusing the unsafe file name {name!r}")
    return path


def _marker_id(head: str) -> int | None:
    """The thread id in a dossier's marker (first line, or first front matter key)."""
    lines = head.removeprefix("\ufeff").split("\n", 2)
    first = lines[0].rstrip("\r")
    if m := _COMMENT_MARKER.fullmatch(first):
        return int(m.group(1))
    if first == "---" and len(lines) > 1 and (m := _KEY_MARKER.fullmatch(lines[1].rstrip())):
        return int(m.group(1))
    return None


def _file_head(path: Path) -> str | None:
    """The first 4 KB of a regular file, None for anything else (or unreadable)."""
    try:
        if not path.is_file():  # a FIFO would block, a device would be foreign anyway
            return None
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return None
    return head.decode("utf-8", "replace")


def _file_marker(path: Path) -> int | None:
    """The marker's thread id of a regular file, None for anything else (or unreadable)."""
    head = _file_head(path)
    return None if head is None else _marker_id(head)


def _is_auto_name(name: str, thread_id: int) -> bool:
    suffix = f"-{thread_id}.md"
    return name.endswith(suffix) and bool(_SLUG.fullmatch(name[: -len(suffix)]))


def user_path(text: str) -> tuple[Path, bool]:
    """The path a user typed (``~`` expanded), and whether it names a folder.

    It does when it is an existing folder or ends with a slash ("newdir/"): a trailing slash
    means "write inside it", even when the folder does not exist yet.
    """
    path = Path(text).expanduser()
    return path, text.endswith(("/", os.sep)) or path.is_dir()


def refusal(
    path: Path, *, force: bool = False, ours: Callable[[str], bool] | None = None
) -> ExportRefused | None:
    """Why writing ``path`` would be refused (not raised), or None when it may be written.

    A folder is never replaced. An existing file (or symlink) is replaced only when ``ours``
    recognises briefing's marker in its first 4 KB (a dossier's by default), or when ``force``.
    """
    if path.is_dir():
        return ExportRefused(f"{path} is a folder, not a file")
    if (path.exists() or path.is_symlink()) and not force:
        head = _file_head(path)
        if head is None or not (ours or _is_dossier)(head):
            return ForeignFile(f"{path} exists and was not written by briefing")
    return None


def write_file(
    text: str, path: Path, *, force: bool = False, ours: Callable[[str], bool] | None = None
) -> Path:
    """Write text to path atomically under the rules of ``refusal``; creates missing folders.

    The one writer of user-visible files (dossiers, OPML). Raises ExportRefused with a message
    for the user.
    """
    path = Path(path)
    if problem := refusal(path, force=force, ours=ours):
        raise problem
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ExportRefused(
            f"could not create the folder {path.parent}: {err.strerror or err}"
        ) from err
    try:
        write_atomic(path, text)  # lone surrogates -> "?"
    except OSError as err:
        raise ExportRefused(f"could not write {path}: {err.strerror or err}") from err
    return path


def _is_dossier(head: str) -> bool:
    return _marker_id(head) is not None


def write_dossier(text: str, path: Path, *, force: bool = False) -> Path:
    """Write text to path atomically (temp file in the same folder, fsync, os.replace).

    Creates the folder if missing. An existing file without briefing's marker is left
    untouched unless ``force``. When path is an auto-named dossier ("<slug>-<id>.md"), other
    auto-named files of the same thread in that folder (the names it had before a rename) are
    removed once the new file is in place. Raises ExportRefused with a message for the user.
    """
    path = write_file(text, Path(path), force=force)
    thread_id = _marker_id(text)
    if thread_id is not None and _is_auto_name(path.name, thread_id):
        for old in path.parent.glob(f"*-{thread_id}.md"):
            if (
                old.name != path.name
                and _is_auto_name(old.name, thread_id)
                and _file_marker(old) == thread_id
            ):
                with contextlib.suppress(OSError):
                    old.unlink()
    return path


def thread_dossier(
    store: Store,
    thread_id: int,
    *,
    generated: datetime,
    front_matter: bool = False,
    summary: Summary | None = None,
) -> tuple[Thread, str]:
    """The thread and its dossier's Markdown, read from the store; ThreadGone if the thread
    was merged or undone meanwhile."""
    data = store.dossier(thread_id)
    if data is None:
        raise ThreadGone("this thread is gone (merged or undone): choose another")
    text = render_dossier(*data, generated=generated, front_matter=front_matter, summary=summary)
    return data[0], text


def save_thread(
    store: Store,
    thread_id: int,
    target: Path,
    *,
    into: bool,
    generated: datetime,
    front_matter: bool = False,
    summary: Summary | None = None,
    force: bool = False,
    keep: bool = True,
) -> Path:
    """Render a thread's dossier from the store and write it: into the folder ``target`` (as
    <slug>-<id>.md) when ``into``, else to the file ``target``. The one save of the CLI's
    ``export`` and the TUI's s and S. A thread saved on its own (``keep``) is kept from
    pruning, unless the store is read-only. Raises ExportRefused (ThreadGone if the thread was
    merged or undone meanwhile) with a message for the user."""
    thread, text = thread_dossier(
        store, thread_id, generated=generated, front_matter=front_matter, summary=summary
    )
    written = write_dossier(text, dossier_path(target, thread) if into else target, force=force)
    if keep and not store.read_only:
        store.set_thread_kept(thread_id)
    return written
