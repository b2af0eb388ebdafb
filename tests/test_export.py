"""Markdown dossiers: structure checked through markdown-it's token stream, files on disk."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink

from briefing.export import (
    UNKNOWN_OUTLET,
    UNTITLED_STORY,
    UNTITLED_THREAD,
    ExportRefused,
    ForeignFile,
    ThreadGone,
    dossier_filename,
    dossier_path,
    render_dossier,
    save_thread,
    write_dossier,
)
from briefing.models import EVENT, NORP, ORG, PERSON, PLACE, EntityCount, Story, Thread
from briefing.safety import NAME_MAX, TITLE_MAX, clean_block, clean_line, safe_link

MD = MarkdownIt("commonmark")
# GitHub-style renderers add tables and strikethrough; feed text must not create those either.
GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])
GENERATED = datetime(2026, 11, 20, 8, 15, 42, tzinfo=UTC)
DAY1 = datetime(2026, 11, 17, 7, 0, tzinfo=UTC)  # a Tuesday

BLOCK_TYPES = {
    "heading_open",
    "heading_close",
    "paragraph_open",
    "paragraph_close",
    "inline",
    "blockquote_open",
    "blockquote_close",
    "bullet_list_open",
    "bullet_list_close",
    "list_item_open",
    "list_item_close",
}
INLINE_TYPES = {"text", "strong_open", "strong_close", "link_open", "link_close"}
LABELS = {PERSON: "People", PLACE: "Places", ORG: "Organisations", NORP: "Groups", EVENT: "Events"}
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = "January February March April May June July August September October November December"


def make_thread(name: str = "Idlib · Sochi deal", thread_id: int = 12, **kw: Any) -> Thread:
    return Thread(
        id=thread_id, name=name, stories=0, sources=0, first_seen=DAY1, last_seen=DAY1, **kw
    )


def make_story(
    n: int,
    published: datetime,
    *,
    title: str = "",
    link: str = "",
    summary: str = "",
    source: str = "Reuters",
) -> Story:
    return Story(
        id=f"s{n:03d}",
        feed_url=f"https://feeds.example.org/{n}.xml",
        source=source,
        title=title or f"Story {n}",
        link=link or f"https://news.example.org/{n}",
        summary=summary,
        published=published,
        first_seen=published,
    )


# ---- reading a dossier back ------------------------------------------------------------------


@dataclass
class Parsed:
    outline: list[tuple[str, str]] = field(default_factory=list)  # (kind, visible text)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, visible text)
    strong: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)


def visible(children: Sequence[Any]) -> str:
    """What a reader sees: the text of an inline token, markup gone."""
    out = []
    for child in children:
        if child.type in ("text", "text_special", "code_inline", "html_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out)


def parse(text: str) -> Parsed:
    parsed = Parsed()
    containers: list[str] = []
    kind = ""
    for tok in MD.parse(text):
        parsed.types.add(tok.type)
        if tok.type in ("blockquote_open", "list_item_open"):
            containers.append(tok.type)
        elif tok.type in ("blockquote_close", "list_item_close"):
            containers.pop()
        elif tok.type == "html_block":
            parsed.html.append(tok.content)
        elif tok.type == "heading_open":
            kind = tok.tag
        elif tok.type == "paragraph_open":
            inner = containers[-1] if containers else ""
            kind = {"blockquote_open": "quote", "list_item_open": "item"}.get(inner, "p")
        elif tok.type == "inline":
            children = tok.children or []
            parsed.outline.append((kind, visible(children)))
            for i, child in enumerate(children):
                parsed.types.add(child.type)
                if child.type == "link_open":
                    end = next(
                        j for j in range(i, len(children)) if children[j].type == "link_close"
                    )
                    parsed.links.append((str(child.attrs["href"]), visible(children[i:end])))
                elif child.type == "strong_open":
                    parsed.strong.append(children[i + 1].content)
    return parsed


def parse_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """A tiny YAML subset reader: `key: <JSON value>` lines and one level of nesting."""
    lines = text.split("\n")
    assert lines[0] == "---"
    end = lines.index("---", 1)
    data: dict[str, Any] = {}
    parent = ""
    for line in lines[1:end]:
        if line.startswith("  "):
            key, sep, value = line[2:].partition(": ")
            assert sep and re.fullmatch(r"[a-z_]+", key), line
            data[parent][key] = json.loads(value)
            continue
        key, sep, value = line.partition(":")
        assert sep and re.fullmatch(r"[a-z_]+", key), line
        if value == "":
            parent, data[key] = key, {}
        else:
            assert value.startswith(" "), line
            data[key] = json.loads(value[1:])
    return data, "\n".join(lines[end + 1 :])


def yaml_printable(text: str) -> bool:
    return all(
        c in "\t\n"
        or " " <= c <= "~"
        or "\xa0" <= c <= "\ud7ff"
        or "\ue000" <= c <= "\ufffd"
        or c >= "\U00010000"
        for c in text
    )


# ---- the expected dossier, in visible text ---------------------------------------------------


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def long_date(moment: datetime) -> str:
    return f"{moment.day} {MONTHS.split()[moment.month - 1]} {moment.year}"


def outlet_of(story: Story) -> str:
    return clean_line(story.source, NAME_MAX) or UNKNOWN_OUTLET


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def check_dossier(
    text: str, thread: Thread, stories: Sequence[Story], feeds: dict[str, str]
) -> Parsed:
    """Assert the dossier's whole visible outline, its links and that nothing else got in."""
    front = text.startswith("---\n")
    body = parse_front_matter(text)[1] if front else text
    parsed = parse(body)
    ordered = sorted(stories, key=lambda s: (utc(s.published), s.id))
    name = clean_line(thread.name, NAME_MAX) or UNTITLED_THREAD
    by_outlet: dict[str, list[Story]] = {}
    for story in ordered:
        by_outlet.setdefault(outlet_of(story), []).append(story)

    if ordered:
        first, last = long_date(utc(ordered[0].published)), long_date(utc(ordered[-1].published))
    else:
        first, last = long_date(thread.first_seen), long_date(thread.last_seen)
    span = first if first == last else f"{first} → {last}"
    expected: list[tuple[str, str]] = [
        ("h1", name),
        (
            "p",
            f"{span} · {plural(len(ordered), 'story', 'stories')} · "
            f"{plural(len(by_outlet), 'outlet', 'outlets')}",
        ),
        ("p", f"Generated {utc(GENERATED):%Y-%m-%d %H:%M} UTC by briefing."),
    ]
    entity_items = []
    for kind, label in LABELS.items():
        named = [
            (clean_line(e.name, NAME_MAX), e.mentions)
            for e in thread.entities
            if e.type == kind and clean_line(e.name, NAME_MAX)
        ]
        named.sort(key=lambda e: (-e[1], e[0].casefold(), e[0]))
        if named:
            entity_items.append(("item", f"{label}: " + ", ".join(f"{n} ({c})" for n, c in named)))
    if entity_items:
        expected += [("h2", "Key entities"), *entity_items]
    expected.append(("h2", "Timeline"))
    if not ordered:
        expected.append(("p", "No stories in this thread."))
    links: list[tuple[str, str]] = []
    day = None
    for story in ordered:
        when = utc(story.published)
        if when.date() != day:
            day = when.date()
            expected.append(("h3", f"{WEEKDAYS[when.weekday()]} {long_date(when)}"))
        title = clean_line(story.title, TITLE_MAX) or UNTITLED_STORY
        expected.append(("p", f"{when:%H:%M} UTC · {outlet_of(story)} · {title}"))
        if safe_link(story.link):
            links.append((normalizeLink(safe_link(story.link)), title))
        summary = clean_block(story.summary)
        expected += [("quote", para) for para in summary.split("\n\n") if para]
    expected.append(("h2", "Sources"))
    if not ordered:
        expected.append(("p", "No sources."))
    for outlet in sorted(by_outlet, key=lambda o: (-len(by_outlet[o]), o.casefold(), o)):
        first_story = by_outlet[outlet][0]
        feed = safe_link(feeds.get(first_story.source) or feeds.get(outlet) or first_story.feed_url)
        item = f"{outlet} · {plural(len(by_outlet[outlet]), 'story', 'stories')}"
        expected.append(("item", item + (f" · feed {feed}" if feed else "")))
        if feed:
            links.append((normalizeLink(feed), feed))

    assert parsed.outline == expected
    assert parsed.links == links
    assert parsed.strong == [f"{utc(s.published):%H:%M} UTC" for s in ordered]
    summaries = sum(1 for s in ordered if clean_block(s.summary))
    assert sum(1 for t in MD.parse(body) if t.type == "blockquote_open") == summaries
    assert parsed.types <= BLOCK_TYPES | INLINE_TYPES | {"html_block"}, parsed.types
    if front:
        assert parsed.html == []
    else:
        assert parsed.html == [f"<!-- briefing dossier: thread {thread.id} -->\n"]
        assert MD.parse(body)[0].type == "html_block"
    return parsed


# ---- rendering -------------------------------------------------------------------------------

FEEDS = {"Reuters": "https://feeds.reuters.example/world.xml", "AP": "https://ap.example/rss"}


def sample() -> tuple[Thread, list[Story]]:
    thread = make_thread(
        entities=[
            EntityCount("person:putin", "Vladimir Putin", PERSON, 3),
            EntityCount("place:idlib", "Idlib", PLACE, 9),
            EntityCount("person:erdogan", "Recep Tayyip Erdoğan", PERSON, 5),
            EntityCount("org:un", "United Nations", ORG, 2),
            EntityCount("misc:x", "Ignored", "MISC", 40),
        ]
    )
    stories = [
        make_story(3, DAY1 + timedelta(days=1, hours=2), source="AP", summary="Later."),
        make_story(1, DAY1 + timedelta(hours=1, minutes=15), summary="First.\n\nSecond."),
        make_story(2, DAY1, title="Earliest", summary=""),
    ]
    return thread, stories


def test_dossier_layout() -> None:
    thread, stories = sample()
    text = render_dossier(thread, stories, FEEDS, generated=GENERATED)
    parsed = check_dossier(text, thread, stories, FEEDS)
    assert parsed.outline[:3] == [
        ("h1", "Idlib · Sochi deal"),
        ("p", "17 November 2026 → 18 November 2026 · 3 stories · 2 outlets"),
        ("p", "Generated 2026-11-20 08:15 UTC by briefing."),
    ]
    assert ("item", "People: Recep Tayyip Erdoğan (5), Vladimir Putin (3)") in parsed.outline
    assert [t for k, t in parsed.outline if k == "h3"] == [
        "Tuesday 17 November 2026",
        "Wednesday 18 November 2026",
    ]
    assert [t for k, t in parsed.outline if k == "item"][-2:] == [
        "Reuters · 2 stories · feed https://feeds.reuters.example/world.xml",
        "AP · 1 story · feed https://ap.example/rss",
    ]
    assert parsed.links[0] == ("https://news.example.org/2", "Earliest")
    assert "Ignored" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_entities_section_only_when_there_are_entities() -> None:
    _, stories = sample()
    for entities in ([], [EntityCount("misc:x", "Only an unknown type", "MISC", 4)]):
        thread = make_thread(entities=entities)
        text = render_dossier(thread, stories, FEEDS, generated=GENERATED)
        assert ("h2", "Key entities") not in check_dossier(text, thread, stories, FEEDS).outline


def test_times_are_utc_and_generated_may_be_any_zone() -> None:
    plus5 = timezone(timedelta(hours=5))
    story = make_story(1, datetime(2026, 11, 18, 1, 30, tzinfo=plus5))  # 17 Nov 20:30 UTC
    thread = make_thread()
    generated = datetime(2026, 11, 20, 10, 15, tzinfo=timezone(timedelta(hours=2)))
    text = render_dossier(thread, [story], {}, generated=generated)
    parsed = parse(text)
    assert ("h3", "Tuesday 17 November 2026") in parsed.outline
    assert parsed.strong == ["20:30 UTC"]
    assert ("p", "Generated 2026-11-20 08:15 UTC by briefing.") in parsed.outline


def test_empty_thread_still_renders_valid_dossier() -> None:
    thread = make_thread(name="")
    text = render_dossier(thread, [], {}, generated=GENERATED)
    parsed = check_dossier(text, thread, [], {})
    assert parsed.outline[0] == ("h1", UNTITLED_THREAD)


HOSTILE = [
    "# Heading",
    "## not *bold* or _em_ or __strong__",
    "[link](https://evil.example) ![img](https://evil.example/x.png)",
    "<script>alert(1)</script>",
    "<!-- comment --> <b>bold</b> <https://evil.example>",
    "`code` and ```fence",
    "| a | b |",
    "> quoted",
    "1. ordered",
    "7) ordered",
    "- bullet",
    "+ bullet",
    "* bullet",
    "---",
    "===",
    "***",
    "    indented code",
    "\tTabbed",
    "ends with backslash \\",
    "&amp; &lt;script&gt; &#x3C;",
    "line one\nline two\n===",
    "title\r\n---",
    "\x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07osc\x1b]8;;\x07",
    "bidi \u202egnp.exe\u202c",
    "[ref]: https://evil.example",
    "~~strike~~ $math$ {attr}",
    "\\# escaped already",
    "Ends with a closing hash #",
    "mid ~~strike~~ and a | b | table\n|---|---|\n| 1 | 2 |",
    "C# ## ",
    "",
    "   ",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_stays_literal(hostile: str) -> None:
    thread = make_thread(name=hostile, entities=[EntityCount("p:h", hostile or "x", PERSON, 1)])
    stories = [
        make_story(1, DAY1, title=hostile or " ", summary=hostile, source=hostile),
        make_story(2, DAY1, title="plain", summary=f"ok\n\n{hostile}\n\nend", source="AP"),
    ]
    text = render_dossier(
        thread, stories, {hostile: "https://feeds.example.org/h"}, generated=GENERATED
    )
    check_dossier(text, thread, stories, {hostile: "https://feeds.example.org/h"})
    html = MD.render(text)
    assert "<script" not in html and "<b>" not in html and "<img" not in html
    assert "\x1b" not in text and "\u202e" not in text
    gfm_types = {t.type for t in GFM.parse(text)}
    gfm_types |= {c.type for t in GFM.parse(text) for c in t.children or []}
    assert not gfm_types & {"table_open", "s_open"}


@pytest.mark.parametrize(
    ("link", "href"),
    [
        (
            "https://news.example.org/a_(b)?q=1&r=2#frag",
            "https://news.example.org/a_(b)?q=1&r=2#frag",
        ),
        ("https://news.example.org/x?a=1&amp;b=2", "https://news.example.org/x?a=1&amp;b=2"),
        ("https://news.example.org/<tag>", "https://news.example.org/%3Ctag%3E"),
        ("http://news.example.org/back\\slash)", "http://news.example.org/back%5Cslash)"),
        ("javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("https://news.example.org/has space", None),
        ("ftp://news.example.org/file", None),
        ("//news.example.org/relative", None),
        ("https://news.example.org/\x1b[31m", "https://news.example.org/"),
    ],
)
def test_only_http_links_with_exact_href(link: str, href: str | None) -> None:
    story = make_story(1, DAY1, title="A (b) [c]", link=link)
    thread = make_thread()
    text = render_dossier(thread, [story], {"Reuters": link}, generated=GENERATED)
    parsed = check_dossier(text, thread, [story], {"Reuters": link})
    hrefs = [h for h, _ in parsed.links]
    assert hrefs == ([href, href] if href else [])
    assert ("p", "07:00 UTC · Reuters · A (b) [c]") in parsed.outline


# ---- the property: any feed text, same structure, text round-trips ---------------------------

FRAGMENTS = st.sampled_from(
    [
        "<script>",
        "<!--",
        "-->",
        "&amp;",
        "&#60;",
        "---",
        "===",
        "1. ",
        "2) ",
        "    ",
        "```",
        "~~~",
        "[a](http://x)",
        "![i](http://x)",
        "<http://x>",
        "\\",
        "\n",
        "\n\n",
        "\r",
        "\t",
        "\x1b[2J",
        "\x9b",
        "\u202e",
        "\u2028",
        "\x00",
        " #",
        "# ",
        "> ",
        "* ",
        "- ",
        "| ",
        "_",
        "**",
    ]
)
CHARS = st.characters(codec="utf-8") | st.sampled_from(list("#*_[]()`<>!|&;-=+.:\\~$ \n\t1aZ"))
TEXT = st.lists(FRAGMENTS | st.text(CHARS, max_size=6), max_size=8).map("".join)
LINKS = st.sampled_from(
    [
        "https://news.example.org/a",
        "http://x.example/p_(q)?r=1&amp;s=<2>",
        "javascript:alert(1)",
        "",
        "https://news.example.org/sp ace",
    ]
)
WHEN = st.sampled_from(
    [
        DAY1,
        DAY1 + timedelta(hours=23, minutes=59),
        DAY1 + timedelta(days=1),
        datetime(2026, 11, 18, 1, 30, tzinfo=timezone(timedelta(hours=5))),
        DAY1 + timedelta(days=40),
    ]
)


@st.composite
def dossier_inputs(draw: st.DrawFn) -> tuple[Thread, list[Story], dict[str, str], bool]:
    kinds = st.sampled_from([PERSON, PLACE, ORG, NORP, EVENT, "MISC"])
    entities = draw(
        st.lists(st.builds(EntityCount, TEXT, TEXT, kinds, st.integers(0, 99)), max_size=4)
    )
    thread = make_thread(name=draw(TEXT), thread_id=draw(st.integers(0, 10**6)), entities=entities)
    stories = [
        make_story(
            n,
            draw(WHEN),
            title=draw(TEXT),
            link=draw(LINKS) or " ",
            summary=draw(TEXT),
            source=draw(TEXT),
        )
        for n in range(draw(st.integers(0, 4)))
    ]
    feeds = {s.source: draw(LINKS) for s in stories if draw(st.booleans())}
    return thread, stories, feeds, draw(st.booleans())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dossier_inputs())
def test_any_feed_text_keeps_structure_and_round_trips(
    inputs: tuple[Thread, list[Story], dict[str, str], bool],
) -> None:
    thread, stories, feeds, front = inputs
    text = render_dossier(thread, stories, feeds, generated=GENERATED, front_matter=front)
    check_dossier(text, thread, stories, feeds)  # exact outline, links, no foreign tokens
    if front:
        data, _ = parse_front_matter(text)
        assert data["name"] == (clean_line(thread.name, NAME_MAX) or UNTITLED_THREAD)
        assert data["id"] == data["briefing_dossier"] == thread.id
        assert yaml_printable(text.split("\n---\n", 1)[0])


# ---- front matter ----------------------------------------------------------------------------


def test_front_matter_values() -> None:
    thread, stories = sample()
    thread.name = 'Quote " back\\slash: colon # hash\nnew line {x} [y] *z* \x1b[1m'
    stories[0].source = 'AP: "wire"'
    text = render_dossier(thread, stories, {}, generated=GENERATED, front_matter=True)
    data, body = parse_front_matter(text)
    assert data == {
        "briefing_dossier": 12,
        "id": 12,
        "name": 'Quote " back\\slash: colon # hash new line {x} [y] *z*',
        "first_seen": "2026-11-17T07:00:00Z",
        "last_seen": "2026-11-18T09:00:00Z",
        "generated": "2026-11-20T08:15:42Z",
        "stories": 3,
        "sources": ["Reuters", 'AP: "wire"'],
        "entities": {
            "people": ["Recep Tayyip Erdoğan", "Vladimir Putin"],
            "places": ["Idlib"],
            "organisations": ["United Nations"],
        },
    }
    check_dossier(text, thread, stories, {})
    assert not body.startswith("<!--")


def test_front_matter_without_entities() -> None:
    text = render_dossier(make_thread(), [], {}, generated=GENERATED, front_matter=True)
    assert parse_front_matter(text)[0]["entities"] == {}


# ---- file names ------------------------------------------------------------------------------

RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(10)),
    *(f"LPT{i}" for i in range(10)),
}
NASTY_NAMES = [
    "../../etc/passwd",
    "..",
    ".",
    "...",
    "/absolute/path",
    "\\\\server\\share",
    "C:\\Windows",
    "a\x00b",
    "CON",
    "nul",
    "COM1",
    "lpt9.txt",
    "",
    "   ",
    "名前だけ",
    "\u202eexe.txt",
    'a:*?"<>|b',
    "x" * 5000,
    "Erdoğan’s visit – Ankara",
    "-leading-dash",
    "~/home",
]


@pytest.mark.parametrize("name", NASTY_NAMES)
def test_file_names_cannot_leave_the_export_dir(name: str, tmp_path: Path) -> None:
    thread = make_thread(name=name, thread_id=42)
    filename = dossier_filename(thread)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*-42\.md", filename)
    assert len(filename) <= 80
    assert filename.split(".")[0].upper() not in RESERVED
    assert filename == dossier_filename(make_thread(name=name, thread_id=42))  # stable
    path = dossier_path(tmp_path, thread)
    assert path.parent == tmp_path and path.resolve().parent == tmp_path.resolve()
    written = save_into(tmp_path, thread)
    assert written == path and os.listdir(tmp_path) == [filename]


def test_file_name_examples() -> None:
    assert dossier_filename(make_thread("Idlib · Sochi deal", 12)) == "idlib-sochi-deal-12.md"
    assert dossier_filename(make_thread("Erdoğan in Ankara", 3)) == "erdogan-in-ankara-3.md"
    assert dossier_filename(make_thread("", 5)) == "untitled-5.md"
    assert dossier_filename(make_thread("Same", 1)) != dossier_filename(make_thread("Same", 2))


# ---- writing ---------------------------------------------------------------------------------


def save_into(folder: Path, thread: Thread, *, force: bool = False) -> Path:
    """A thread with no stories saved under its automatic name (dossier_path + write_dossier,
    what save_thread does after reading the store)."""
    text = render_dossier(thread, [], {}, generated=GENERATED)
    return write_dossier(text, dossier_path(folder, thread), force=force)


def dossier_text(thread_id: int = 7, name: str = "Old name", front: bool = False) -> str:
    return render_dossier(
        make_thread(name, thread_id), [], {}, generated=GENERATED, front_matter=front
    )


def test_write_creates_folder_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "old-name-7.md"
    assert write_dossier(dossier_text(), path) == path
    assert path.read_text(encoding="utf-8") == dossier_text()
    assert os.listdir(path.parent) == ["old-name-7.md"]


@pytest.mark.parametrize("front", [False, True])
def test_resave_updates_briefing_file(tmp_path: Path, front: bool) -> None:
    path = tmp_path / "old-name-7.md"
    write_dossier(dossier_text(front=front), path)
    updated = dossier_text(front=front).replace("by briefing", "by briefing, again")
    write_dossier(updated, path)
    assert path.read_text(encoding="utf-8") == updated
    assert os.listdir(tmp_path) == ["old-name-7.md"]


@pytest.mark.parametrize(
    "foreign",
    [
        "my own notes\n",
        "",
        "# briefing dossier: thread 7\n",
        "x\n<!-- briefing dossier: thread 7 -->\n",
    ],
)
def test_foreign_file_is_never_overwritten_without_force(tmp_path: Path, foreign: str) -> None:
    path = tmp_path / "old-name-7.md"
    path.write_text(foreign, encoding="utf-8")
    with pytest.raises(ForeignFile, match="exists and was not written by briefing") as err:
        write_dossier(dossier_text(), path)
    assert str(path) in str(err.value)
    assert path.read_text(encoding="utf-8") == foreign
    assert os.listdir(tmp_path) == ["old-name-7.md"]
    write_dossier(dossier_text(), path, force=True)
    assert path.read_text(encoding="utf-8") == dossier_text()


def test_symlink_to_foreign_file_is_refused_and_force_replaces_only_the_link(
    tmp_path: Path,
) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("precious\n", encoding="utf-8")
    link = tmp_path / "old-name-7.md"
    link.symlink_to(target)
    with pytest.raises(ExportRefused):
        write_dossier(dossier_text(), link)
    write_dossier(dossier_text(), link, force=True)
    assert not link.is_symlink() and link.read_text(encoding="utf-8") == dossier_text()
    assert target.read_text(encoding="utf-8") == "precious\n"


def test_folder_and_fifo_at_path_are_refused(tmp_path: Path) -> None:
    (tmp_path / "dir.md").mkdir()
    with pytest.raises(ExportRefused, match="is a folder"):
        write_dossier(dossier_text(), tmp_path / "dir.md", force=True)
    if not hasattr(os, "mkfifo"):
        return
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            write_dossier(dossier_text(), pipe)
        except BaseException as err:
            errors.append(err)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=5)
    if worker.is_alive():  # reading the "marker" blocked: unblock the reader, then fail
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("write_dossier blocked on a FIFO")
    assert len(errors) == 1 and isinstance(errors[0], ExportRefused)
    assert pipe.exists() and not pipe.is_file()


def test_failed_write_keeps_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old-name-7.md"
    write_dossier(dossier_text(), path)

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("briefing.export.os.replace", broken_replace)
    with pytest.raises(ExportRefused, match=r"could not write .*No space left"):
        write_dossier("new text\n", path)
    assert path.read_text(encoding="utf-8") == dossier_text()
    assert os.listdir(tmp_path) == ["old-name-7.md"]


def test_resave_after_rename_replaces_the_old_file(tmp_path: Path) -> None:
    old = save_into(tmp_path, make_thread("Old name", 7))
    keep = {
        "notes-7.md": "my notes about thread 7\n",  # no marker: not ours
        "other-17.md": dossier_text(17),  # another thread
        "other-77.md": dossier_text(77),
        "mislabelled-7.md": dossier_text(8),  # name says 7, marker says 8
    }
    for name, content in keep.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    custom = tmp_path / "Custom Name.md"
    write_dossier(dossier_text(7), custom)  # a user-chosen -o path: never auto-removed

    new = save_into(tmp_path, make_thread("New name", 7))
    assert new.name == "new-name-7.md" and not old.exists()
    assert sorted(os.listdir(tmp_path)) == sorted([*keep, "new-name-7.md", "Custom Name.md"])
    for name, content in keep.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == content


def test_user_path_write_does_not_touch_auto_named_files(tmp_path: Path) -> None:
    auto = save_into(tmp_path, make_thread("Old name", 7))
    write_dossier(dossier_text(7, "New name"), tmp_path / "mine.md")
    assert auto.exists()


def test_export_refuses_foreign_file_at_dossier_path(tmp_path: Path) -> None:
    thread = make_thread("Old name", 7)
    path = dossier_path(tmp_path, thread)
    path.write_text("hand written\n", encoding="utf-8")
    with pytest.raises(ExportRefused):
        save_into(tmp_path, thread)
    assert path.read_text(encoding="utf-8") == "hand written\n"
    save_into(tmp_path, thread, force=True)
    assert path.read_text(encoding="utf-8").startswith("<!-- briefing dossier: thread 7 -->\n")


def test_save_thread_reads_the_store_writes_and_keeps_the_thread(tmp_path: Path) -> None:
    from briefing.store import Store

    with Store(tmp_path / "store.db") as store:
        store.add_stories([make_story(1, DAY1, title="Turkey and Russia agree on Idlib")])
        tid = store.new_thread(DAY1)
        store.save_assignments([("s001", tid, None)], {}, 1)
        store.set_thread_names({tid: "Idlib · Sochi deal"})
        out = tmp_path / "out"
        path = save_thread(store, tid, out, into=True, generated=GENERATED, keep=False)
        assert path == out / f"idlib-sochi-deal-{tid}.md"
        assert "Turkey and Russia agree on Idlib" in path.read_text(encoding="utf-8")
        thread = store.thread(tid)
        assert thread is not None and not thread.kept  # --all: not kept
        mine = tmp_path / "mine.md"
        assert save_thread(store, tid, mine, into=False, generated=GENERATED) == mine
        thread = store.thread(tid)
        assert thread is not None and thread.kept  # saved on its own: kept from pruning
        with pytest.raises(ThreadGone):
            save_thread(store, tid + 100, out, into=True, generated=GENERATED)
