"""Make untrusted feed text safe to store, display and export.

Everything a feed sends is hostile until cleaned: terminal escape sequences (CSI, OSC 8
hyperlinks, OSC 52 clipboard writes), C0/C1 control characters and bidi overrides are
removed here, at parse time, and again by the UI and exporters before output.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import secrets
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

# Whole escape sequences go first, so no "[31m" residue is left once ESC is removed.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]             # CSI ... final byte (SGR colours, cursor moves)
    | (?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?  # OSC ... BEL/ST (hyperlinks, clipboard)
    | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f])[^\x1b\x9c]*(?:\x1b\\|\x9c)?  # DCS/SOS/PM/APC strings
    | \x1b[ -/]*[0-~]                              # other two-byte escapes
    """,
    re.VERBOSE,
)
# C0 (except tab/newline), DEL, C1, bidi marks/embeddings/overrides/isolates, line/paragraph
# separators, invisible format characters (zero-width space, word joiner, BOM, interlinear
# annotation) and lone surrogates (which cannot even be encoded to UTF-8 for the store).
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_SPACES = re.compile(r"\s+")
# The characters an escape sequence can start with: a text holding none has none to remove
# (a membership test is ~200 times faster than running _ESCAPES over 20,000 characters).
_ESCAPE_STARTS = "\x1b\x9b\x9d\x90\x98\x9e\x9f"

TITLE_MAX = 500
SUMMARY_MAX = 20_000
LINK_MAX = 2_000
NAME_MAX = 200


def counted(count: int, one: str, many: str) -> str:
    """'1 story', '2 stories': a count with the word in the right number."""
    return f"{count} {one if count == 1 else many}"


def strip_controls(text: str) -> str:
    """Remove escape sequences and control/bidi characters; keep tabs and newlines."""
    if not text:
        return ""
    if any(c in text for c in _ESCAPE_STARTS):
        text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text)


def clean_line(text: str, limit: int = TITLE_MAX) -> str:
    """One line of display text: safe characters, whitespace folded, capped in length."""
    text = _SPACES.sub(" ", strip_controls(text[: limit * 4])).strip()
    return _cap(text, limit)


def clean_block(text: str, limit: int = SUMMARY_MAX) -> str:
    """Paragraph text: safe characters, runs of spaces folded, at most one blank line."""
    text = strip_controls(text[: limit * 4])
    # " ".join(p.split()) is _SPACES.sub(" ", p).strip(): split and strip use the same
    # whitespace as re's \s (str.isspace), and it is four times faster on long paragraphs.
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    return _cap("\n\n".join(p for p in paragraphs if p), limit)


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def safe_link(url: str) -> str:
    """The link if it is an absolute http(s) URL without controls or spaces, else ""."""
    url = strip_controls(url).strip()
    if not url or len(url) > LINK_MAX or any(c.isspace() for c in url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return url


_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote tr table pre section article hr dd dt"
    " figure figcaption header footer".split()
)
_SKIP_TAGS = frozenset(("script", "style", "template", "noscript", "iframe", "object", "title"))
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9:-]*)")
_SKIP_END = {name: re.compile(f"</{name}", re.IGNORECASE) for name in _SKIP_TAGS}


def _text_run(raw: str) -> str:
    """Text between tags: entities decoded, whitespace folded (only block tags break lines)."""
    return fold_spaces(html.unescape(raw)) if raw else ""


def fold_spaces(text: str) -> str:
    """_SPACES.sub(" ", text): each run of whitespace one space, the ends included. By
    str.split, 4x faster: it splits at the characters re matches as whitespace (isspace)."""
    words = text.split()
    if not words:
        return " " if text else ""
    folded = " ".join(words)
    if text[0].isspace():
        folded = " " + folded
    if text[-1].isspace():
        folded += " "
    return folded


def html_to_text(fragment: str, limit: int = SUMMARY_MAX) -> str:
    """Plain text of an HTML fragment: tags removed, entities decoded, whitespace folded.

    A single forward scan with str.find, so it is linear in the input whatever the markup
    (html.parser re-scans on unclosed comments and tags: "<a" * 80,000 took 16 s there).
    """
    if not fragment:
        return ""
    fragment = fragment[: limit * 8]
    if "<" not in fragment and "&" not in fragment:
        return clean_block(fragment, limit)
    parts: list[str] = []
    i, n = 0, len(fragment)
    closed = True  # False once no '>' is left: every later '<' is text
    while i < n:
        lt = fragment.find("<", i) if closed else -1
        if lt < 0:
            parts.append(_text_run(fragment[i:]))
            break
        parts.append(_text_run(fragment[i:lt]))
        if fragment.startswith("<!--", lt):
            end = fragment.find("-->", lt + 4)
            i = n if end < 0 else end + 3  # an unclosed comment hides the rest, as in browsers
            continue
        tag = _TAG_NAME.match(fragment, lt)
        if tag is None and not fragment.startswith(("<!", "<?"), lt):
            parts.append("<")  # "a < b", "<3": text
            i = lt + 1
            continue
        gt = fragment.find(">", lt)
        if gt < 0:
            closed = False
            i = lt
            continue
        i = gt + 1
        name = tag[1].lower() if tag else ""
        if name in _BLOCK_TAGS:
            parts.append("\n\n")
        elif name in _SKIP_TAGS and not fragment.startswith("</", lt):
            skip_end = _SKIP_END[name].search(fragment, i)
            i = n if skip_end is None else skip_end.start()
    return clean_block("".join(parts), limit)


def slug(text: str, limit: int = 60) -> str:
    """ASCII slug for file names: letters, digits and single dashes only, never empty."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    out = "-".join(words)[:limit].strip("-")
    return out or "untitled"


def format_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int] | None = None
) -> str:
    """A plain-text table; every cell is cleaned again here, right before the terminal."""
    right = right or set()
    cells = [[clean_line(c, 90) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Replace path with data all at once: the one way briefing writes a file.

    A temporary file in the same folder (O_EXCL: a planted symlink is never followed), fsync,
    os.replace, then the folder synced so the rename itself is durable. An existing file keeps
    its permissions; a new one gets mode 0o666 less the user's umask. Text is UTF-8, lone
    surrogates as "?", newlines as given.
    """
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    try:
        mode: int | None = path.stat().st_mode & 0o777
    except OSError:
        mode = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if os.name == "posix":
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
