"""Make untrusted feed text safe to store, display and export.

Everything a feed sends is hostile until cleaned: terminal escape sequences (CSI, OSC 8
hyperlinks, OSC 52 clipboard writes), C0/C1 control characters and bidi overrides are
removed here, at parse time, and again by the UI and exporters before output.
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
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
# C0 (except tab/newline), DEL, C1, bidi embeddings/overrides/isolates, and line/para separators.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
_SPACES = re.compile(r"\s+")

TITLE_MAX = 500
SUMMARY_MAX = 20_000
LINK_MAX = 2_000
NAME_MAX = 200


def strip_controls(text: str) -> str:
    """Remove escape sequences and control/bidi characters; keep tabs and newlines."""
    if not text:
        return ""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def clean_line(text: str, limit: int = TITLE_MAX) -> str:
    """One line of display text: safe characters, whitespace folded, capped in length."""
    text = _SPACES.sub(" ", strip_controls(text[: limit * 4])).strip()
    return _cap(text, limit)


def clean_block(text: str, limit: int = SUMMARY_MAX) -> str:
    """Paragraph text: safe characters, runs of spaces folded, at most one blank line."""
    text = strip_controls(text[: limit * 4])
    paragraphs = [_SPACES.sub(" ", p).strip() for p in re.split(r"\n\s*\n", text)]
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


class _TextExtractor(HTMLParser):
    """HTML fragment -> plain text, keeping paragraph breaks, dropping script/style."""

    _BLOCKS = frozenset(
        [
            "p",
            "div",
            "br",
            "li",
            "ul",
            "ol",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "tr",
            "table",
            "pre",
            "section",
            "article",
            "hr",
        ]
    )
    _SKIP = frozenset(("script", "style", "template", "noscript", "iframe", "object"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(fragment: str, limit: int = SUMMARY_MAX) -> str:
    """Plain text of an HTML fragment: tags removed, entities decoded, whitespace folded."""
    if not fragment:
        return ""
    fragment = fragment[: limit * 8]
    if "<" not in fragment and "&" not in fragment:
        return clean_block(fragment, limit)
    parser = _TextExtractor()
    try:
        parser.feed(fragment)
        parser.close()
    except (AssertionError, ValueError):  # malformed markup: keep what was read so far
        pass
    return clean_block("".join(parser.parts), limit)


def slug(text: str, limit: int = 60) -> str:
    """ASCII slug for file names: letters, digits and single dashes only, never empty."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", folded.lower())
    out = "-".join(words)[:limit].strip("-")
    return out or "untitled"
