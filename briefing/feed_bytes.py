"""Feed response bytes -> safe UTF-8 XML, before any parser sees them.

The body is decoded to UTF-8 by our own rules (BOM, then wide-encoding sniffing, then valid
UTF-8 or UTF-8 with a few bad bytes replaced, then feedparser's RFC 3023 heuristics), so the
defusing always sees ASCII-compatible bytes; a DOCTYPE written in UTF-16 or EBCDIC cannot slip
past it. Defusing removes the DOCTYPE (with its internal subset) and neutralises any other
declaration, so no entity expansion, external DTD or XXE can happen. OPML import uses it too.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from typing import Any

from feedparser.encodings import convert_to_utf8

_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
# '<' (or '<?') in a wide encoding without a BOM, as in appendix F of the XML specification.
_WIDE = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)
_XML_DECL = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"'>]*\2""")
_DECL_TOKEN = re.compile(rb"<!(?=(?:DOCTYPE|ENTITY|ATTLIST|ELEMENT|NOTATION)\b)", re.IGNORECASE)
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,24}));")
_SPACE = re.compile(rb"\s*")
# A start tag long enough to hold hundreds of attributes (each costs a linear scan in xml.sax's
# getValueByQName: quadratic, 300,000 attributes would take ~20 minutes).
_LONG_TAG = re.compile(rb"<([A-Za-z_][\w:.-]*)[^<>]{1024,}")
MAX_ATTRIBUTES = 256
# feedparser spends ~25 us per element (deep nesting costs more): 2.5 million tiny elements fit
# in the 10 MB cap and would block a refresh for a minute. Real feeds have a few thousand; a
# longer one (an archive of 50,000 items) is cut down to its newest items before parsing, and
# only a document still over this after the cut is refused as too large.
MAX_ELEMENTS = 100_000
TOO_LARGE = f"too large (over {MAX_ELEMENTS:,} XML elements)"
_DOCTYPE_NEXT = re.compile(rb"""["'\[>]""")
_SUBSET_NEXT = re.compile(rb"""["'\]]|<!--|<\?""")


def to_utf8(body: bytes, headers: Mapping[str, str] | None = None) -> bytes:
    """The document as UTF-8 bytes whose XML declaration (if any) says utf-8."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return _declare_utf8(body[len(bom) :].decode(codec, errors="replace"))
    for marker, codec in _WIDE:
        if body.startswith(marker):
            return _declare_utf8(body.decode(codec, errors="replace"))
    if b"\x00" not in body[:4096]:
        try:
            # Valid UTF-8 wins over a label: "latin-1" text that decodes as UTF-8 almost never is.
            return _declare_utf8(body.decode("utf-8"))
        except UnicodeDecodeError:
            text = body.decode("utf-8", errors="replace")
            if _mostly_utf8(body, text):  # a stray bad byte must not garble the whole document
                return _declare_utf8(text)
    lowered = {k.lower(): v for k, v in (headers or {}).items() if k.lower() == "content-type"}
    info: dict[str, Any] = {}
    data = convert_to_utf8(lowered, body, info)
    if not info.get("encoding"):  # nothing fitted: decode leniently rather than guess wider
        return _declare_utf8(body.decode("utf-8", errors="replace"))
    return bytes(data)


_HIGH_BYTES = bytes(range(0x80, 0x100))


def _mostly_utf8(body: bytes, text: str) -> bool:
    """Is body UTF-8 with a few bad bytes (text is its lenient decoding), rather than a legacy
    8-bit encoding? Legacy text almost never forms valid multi-byte sequences, so UTF-8 wins
    when they outnumber the bad bytes: feedparser would fall back to another encoding for the
    whole document (one stray byte turned every "Café" into "Caf√©")."""
    replaced = text.count("\ufffd")
    bad = replaced - body.count("\ufffd".encode())
    ascii_bytes = len(body.translate(None, _HIGH_BYTES))
    return len(text) - ascii_bytes - replaced > bad


def _declare_utf8(text: str) -> bytes:
    data = text.encode("utf-8", errors="replace")
    return _XML_DECL.sub(rb"\1\2utf-8\2", data, count=1)


def defuse(body: bytes, headers: Mapping[str, str] | None = None) -> bytes:
    """Safe UTF-8 XML: decoded by our rules (see to_utf8), DOCTYPE removed, declarations inert.

    The prolog is scanned properly, so the document stays well-formed for the strict parser;
    any declaration left elsewhere becomes inert text, so feedparser's loose fallback finds
    nothing to expand either. Linear in the size of the body.
    """
    body = to_utf8(body, headers)
    if b"&#" in body:
        body = _CHARREF.sub(_fix_charref, body)
    if b"<!" not in body:
        return _LONG_TAG.sub(_tame_tag, body)
    kept: list[bytes] = []
    i = 0
    while True:
        i = _SPACE.match(body, i).end()  # type: ignore[union-attr]  # \s* always matches
        if body.startswith(b"<?", i):
            end = body.find(b"?>", i + 2)
            if end < 0:
                break
            kept.append(body[i : end + 2] + b"\n")
            i = end + 2
        elif body.startswith(b"<!--", i):
            end = body.find(b"-->", i + 4)
            if end < 0:
                break
            kept.append(body[i : end + 3] + b"\n")
            i = end + 3
        elif body.startswith(b"<!", i) and not body.startswith(b"<![CDATA[", i):
            i = _declaration_end(body, i + 2)  # DOCTYPE or a stray declaration: dropped
        else:
            break
    rest = _DECL_TOKEN.sub(b"&lt;!", body[i:])
    return _LONG_TAG.sub(_tame_tag, b"".join(kept) + rest)


def _tame_tag(match: re.Match[bytes]) -> bytes:
    """A tag with absurdly many attributes keeps its name and loses its attributes."""
    tag = match.group(0)
    if tag.count(b"=") <= MAX_ATTRIBUTES:
        return tag
    return b"<" + match.group(1) + (b"/" if tag.rstrip().endswith(b"/") else b"")


def element_count(data: bytes) -> int:
    """About how many start tags the parser will see (CDATA sections excluded). C-speed counts."""
    count, i = 0, 0
    while True:
        cdata = data.find(b"<![CDATA[", i)
        end = len(data) if cdata < 0 else cdata
        count += data.count(b"<", i, end) - sum(data.count(t, i, end) for t in _NOT_ELEMENTS)
        if cdata < 0:
            return count
        close = data.find(b"]]>", cdata + 9)
        if close < 0:
            return count
        i = close + 3


_NOT_ELEMENTS = (b"</", b"<!", b"<?")


def _fix_charref(match: re.Match[bytes]) -> bytes:
    """Character references to surrogates or beyond Unicode become U+FFFD (they crash parsers)."""
    hex_digits, decimal = match.group(1), match.group(2)
    code = int(hex_digits, 16) if hex_digits else int(decimal)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group(0)


def _declaration_end(data: bytes, i: int) -> int:
    """Index just past a '<!...>' declaration starting before i; quotes and subsets respected."""
    while True:
        m = _DOCTYPE_NEXT.search(data, i)
        if m is None:
            return len(data)
        token = m.group()
        if token == b">":
            return m.end()
        if token == b"[":
            i = _subset_end(data, m.end())
        else:
            end = data.find(token, m.end())
            if end < 0:
                return len(data)
            i = end + 1


def _subset_end(data: bytes, i: int) -> int:
    """Index just past the ']' closing an internal subset that starts at i."""
    while True:
        m = _SUBSET_NEXT.search(data, i)
        if m is None:
            return len(data)
        token = m.group()
        if token == b"]":
            return m.end()
        closer = {b"<!--": b"-->", b"<?": b"?>"}.get(token, token)
        end = data.find(closer, m.end())
        if end < 0:
            return len(data)
        i = end + len(closer)
