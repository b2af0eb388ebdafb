"""Feed boilerplate: text a feed repeats under many of its items, and the usual footers.

A YouTube channel's description under every video ("Subscribe to…", "Follow us on
Facebook…"), a WordPress footer ("The post … appeared first on …"), "Continue reading", a
show's name after every episode's title: none of it says what the story is about, yet it is
the same words in every item of one outlet, so it makes an outlet's unrelated items look alike
and names entities that are not in the story.

Detection is per feed: a segment (a line, or a sentence within it) or a title part that occurs
in at least ``MIN_REPEATS`` of a feed's recent items and in at least ``MIN_SHARE`` of them is
boilerplate. A story's own first segment stays even when it reads like a footer ("Join us
Wednesday for a live video event"): only its feed repeating it, or a link in it, marks it.
Pure functions: callers choose which texts to compare; the store keeps what the feed sent.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

MIN_REPEATS = 3
MIN_SHARE = 0.2
_LINES = re.compile(r"\s*\n\s*")
_SENTENCES = re.compile(r"(?<=[.!?…])\s+(?=[\"'“‘(\[A-Z0-9])")
# Links, addresses, hashtags and stray tags carry no words of the story.
_NOISE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|#\w+|</?[a-z][^>]{0,200}>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_PARENS = re.compile(r"\([^)]*\)")
_TITLE_SPLIT = re.compile(r"\s+[|–—-]\s+")
TITLE_MARK = "title:"  # title parts and summary segments share one set of keys
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
# The second net: footers every blog engine and newsletter writes, repeated or not.
FOOTERS = re.compile(
    r"^(?:the post\b.*\bappeared first on\b.*|continue reading\W*.*|read more\W*|"
    r"(?:just\s+)?(?:subscribe|follow|like us|join us|visit our|check out more|for more|watch|"
    r"catch up)\b.*(?:https?://|www\.|facebook|twitter|instagram|youtube|channel|newsletter|"
    r"click|link|episodes?|videos?|on ?demand).*)$",
    re.IGNORECASE,
)


def segments(text: str) -> list[str]:
    """Lines, each split into sentences: the units a feed repeats."""
    out: list[str] = []
    for line in _LINES.split(text.strip()):
        out.extend(s for s in _SENTENCES.split(line) if s.strip())
    return out


def key(segment: str) -> str:
    """What counts as the same segment: case, spacing and figures aside."""
    return _SPACE.sub(" ", re.sub(r"\d+", "0", segment.lower())).strip(" .…")


def title_parts(title: str) -> list[str]:
    """ "Dr. Love | Teleradyo (20 August 2020)" -> its parts, split at " | ", " – ", " - "."""
    return [p for p in _TITLE_SPLIT.split(title.strip()) if p]


def repeated(texts: Iterable[str], titles: Iterable[str] = ()) -> frozenset[str]:
    """Keys of the segments that occur in enough of one feed's texts to be boilerplate, and
    (marked) of the title parts its titles repeat (a show's name after every episode's)."""
    return _repeated([set(map(key, segments(t))) for t in texts if t.strip()]) | frozenset(
        TITLE_MARK + k
        for k in _repeated([set(map(_title_key, title_parts(t)[1:])) for t in titles if t.strip()])
    )


def _title_key(part: str) -> str:
    """ "Teleradyo (20 August 2020)" and "TeleRadyo" are one show's name."""
    return key(_PARENS.sub(" ", part))


def _repeated(seen: Sequence[set[str]]) -> frozenset[str]:
    counts = Counter(k for keys in seen for k in keys if k)
    least = max(MIN_REPEATS, MIN_SHARE * len(seen))
    return frozenset(k for k, n in counts.items() if n >= least)


def strip_title(title: str, boiler: frozenset[str]) -> str:
    """The title without the parts its feed repeats; its first part always stays."""
    parts = title_parts(title)
    kept = parts[:1] + [p for p in parts[1:] if TITLE_MARK + _title_key(p) not in boiler]
    return " | ".join(kept) if len(kept) < len(parts) else title


def strip(text: str, boiler: frozenset[str] = frozenset()) -> str:
    """The text without boilerplate segments, links and hashtags. The first segment goes only
    when its feed repeats it or it is a footer with a link ("For more videos: https://…"); a
    text that is all boilerplate (a channel blurb under a video) leaves nothing."""
    parts = segments(text)
    kept = [p for p in parts[1:] if not _boiler(p, boiler)]
    if parts and not _first_is_boiler(parts[0], boiler):
        kept.insert(0, parts[0])
    return _SPACE.sub(" ", _NOISE.sub(" ", " ".join(kept))).strip()


def _boiler(segment: str, boiler: frozenset[str]) -> bool:
    return key(segment) in boiler or FOOTERS.match(segment.strip()) is not None


def _first_is_boiler(segment: str, boiler: frozenset[str]) -> bool:
    """A lede that merely sounds like a footer ("Join us Wednesday for a live video event")
    is the story's own: the footer net takes a first segment only when it carries a link."""
    return key(segment) in boiler or _LINK.search(segment) is not None


def mask(text: str, boiler: frozenset[str] = frozenset()) -> str:
    """``strip``'s choice made in place: boilerplate segments, links and hashtags become spaces,
    so what remains keeps its offsets into the text the feed sent (entity mentions index it)."""
    return _blank(text, _cuts(text, boiler))


def kept(text: str, boiler: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
    """(start, end) of the runs of text that ``mask`` keeps, trimmed of spaces: what a reader
    shows of the story, as offsets into the text the feed sent."""
    masked = mask(text, boiler)
    return [m.span() for m in re.finditer(r"\S(?:.*\S)?", masked)]


def _cuts(text: str, boiler: frozenset[str]) -> list[tuple[int, int]]:
    cut = [m.span() for m in _NOISE.finditer(text)]
    for n, (start, end) in enumerate(_segment_spans(text)):
        segment = text[start:end]
        if _first_is_boiler(segment, boiler) if n == 0 else _boiler(segment, boiler):
            cut.append((start, end))
    return cut


def mask_title(title: str, boiler: frozenset[str]) -> str:
    """``strip_title``'s choice made in place: repeated parts after the first become spaces."""
    bounds = [0, *(i for m in _TITLE_SPLIT.finditer(title) for i in m.span()), len(title)]
    parts = list(zip(bounds[::2], bounds[1::2], strict=True))
    cut = [(a, b) for a, b in parts[1:] if TITLE_MARK + _title_key(title[a:b]) in boiler]
    return _blank(title, cut)


def _segment_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each segment of ``segments(text)``, as offsets into text."""
    out: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for brk in _SENTENCES.finditer(line.group()):
            out.append((start, line.start() + brk.start()))
            start = line.start() + brk.end()
        out.append((start, line.end()))
    return [(a, b) for a, b in out if text[a:b].strip()]


def _blank(text: str, cut: Sequence[tuple[int, int]]) -> str:
    if not cut:
        return text
    chars = list(text)
    for start, end in cut:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def strip_all(texts: Sequence[str]) -> list[str]:
    """Each of one feed's texts without what the feed repeats across them."""
    boiler = repeated(texts)
    return [strip(t, boiler) for t in texts]
