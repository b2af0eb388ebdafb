"""safety.py: escape and control stripping, text extraction from HTML, links, slugs."""

from __future__ import annotations

import time

import pytest

from briefing.safety import (
    clean_block,
    clean_line,
    html_to_text,
    safe_link,
    slug,
    strip_controls,
)

ESC = "\x1b"
HOSTILE = [
    f"{ESC}[31mred{ESC}[0m",  # SGR
    f"{ESC}[2J{ESC}[H",  # clear screen, cursor home
    f"{ESC}]8;;http://evil.example/{ESC}\\click{ESC}]8;;{ESC}\\",  # OSC 8 hyperlink
    f"{ESC}]52;c;ZXZpbA=={chr(7)}",  # OSC 52 clipboard write
    f"{ESC}]0;new window title{chr(7)}",  # OSC 0 title
    f"{ESC}P1$r{ESC}\\",  # DCS
    "\x9b31m",  # 8-bit CSI
    "\x9d8;;http://x\x9c",  # 8-bit OSC ... ST
    "\u202egnp.exe",  # RLO
    "\u2066isolated\u2069",
    "zero\u200bwidth\u2060joiner",
    "nul\x00bell\x07backspace\x08del\x7f",
    "cr\rover",
    "lone \ud800 surrogate",
    f"{ESC}",  # a lone ESC
    f"{ESC}[",  # a truncated CSI
]
BAD_CHARS = {chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]} | set(
    "\u061c\u200b\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2060"
    "\u2066\u2067\u2068\u2069\ufeff"
)


def visible_problems(text: str) -> set[str]:
    return {c for c in text if c in BAD_CHARS or 0xD800 <= ord(c) <= 0xDFFF}


@pytest.mark.parametrize("text", HOSTILE)
def test_strip_controls_leaves_no_escape_or_control(text: str) -> None:
    assert visible_problems(strip_controls(text)) == set()
    assert visible_problems(clean_line(text)) == set()
    assert visible_problems(clean_block(text)) == set()


def test_whole_sequences_go_not_just_the_escape_byte() -> None:
    assert strip_controls(f"{ESC}[1;31mred{ESC}[0m") == "red"
    assert strip_controls(f"a{ESC}]8;;http://evil/{ESC}\\link{ESC}]8;;{ESC}\\b") == "alinkb"
    assert strip_controls(f"x{ESC}]52;c;ZXZpbA=={chr(7)}y") == "xy"
    assert strip_controls("\u202eabc\u202c") == "abc"


def test_tabs_and_newlines_survive_strip_but_lines_fold() -> None:
    assert strip_controls("a\tb\nc") == "a\tb\nc"
    assert clean_line("  a\t b\n\n c  ") == "a b c"
    assert clean_block("p1  line\n\n\n\n p2 \n") == "p1 line\n\np2"


def test_clean_line_caps_length() -> None:
    out = clean_line("x" * 10_000, 100)
    assert len(out) == 100 and out.endswith("…")


def test_everyday_text_is_untouched() -> None:
    text = "Erdoğan meets Zelensky in İstanbul — «talks» 東京 🇺🇦 👨‍👩‍👧 [bold] $5 :skull:"
    assert clean_line(text) == text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.org/a?b=c#d", "http://example.org/a?b=c#d"),
        ("HTTPS://Example.org/", "HTTPS://Example.org/"),
        ("javascript:alert(1)", ""),
        ("JAVASCRIPT:alert(1)", ""),
        ("data:text/html;base64,PHNjcmlwdD4=", ""),
        ("file:///etc/passwd", ""),
        ("vbscript:msgbox", ""),
        ("//example.org/protocol-relative", ""),
        ("/relative", ""),
        ("http:no-host", ""),
        ("http://exa mple.org/", ""),
        ("http://example.org/\x1b]8;;x\x07", "http://example.org/"),
        ("java\tscript:alert(1)", ""),
        ("http://[::1", ""),  # urlsplit raises ValueError
        ("http://example.org/" + "a" * 3000, ""),
    ],
)
def test_safe_link(url: str, expected: str) -> None:
    assert safe_link(url) == expected


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>Hello &amp; <b>world</b></p><p>Two</p>", "Hello & world\n\nTwo"),
        ("a < b &lt;c&gt; &nbsp;x", "a < b <c> x"),
        ("<script>alert(1)</script>ok<STYLE>p{}</style>!", "ok!"),
        ('<a href="x">link</a><br/>next', "link\n\nnext"),
        ("x<!-- hidden -->y", "xy"),
        ("unclosed <a href", "unclosed <a href"),
        ("&#x1b;[31mred", "[31mred"),
        ("<p>  lots \n\n of   space </p>", "lots of space"),
    ],
)
def test_html_to_text(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


@pytest.mark.parametrize(
    "fragment",
    ["<!--" * 40_000, "<a" * 80_000, "<?" * 80_000, "</" * 80_000, "<script>" * 20_000],
)
@pytest.mark.slow  # a timing guard rail: a generous bound, not a benchmark
def test_html_to_text_is_linear_on_pathological_markup(fragment: str) -> None:
    # html.parser re-scans unclosed constructs: "<a" * 80,000 took 16 s there.
    started = time.monotonic()
    html_to_text(fragment)
    assert time.monotonic() - started < 2


def test_slug_cannot_leave_a_folder() -> None:
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("") == slug("///") == "untitled"
    assert slug("Erdoğan & İstanbul") == "erdogan-istanbul"


def test_fast_paths_match_the_regular_expressions() -> None:
    """fold_spaces, the paragraph fold and the escape pre-check give what the regexes give."""
    import itertools

    from briefing import safety

    pieces = [
        "a",
        " ",
        "\n",
        "\t",
        "\xa0",
        "\u2003",
        "\x1c",
        "\x85",
        "\x1b[31m",
        "\x9b1m",
        "\u200b",
    ]
    for size in range(5):
        for combo in itertools.product(pieces, repeat=size):
            text = "".join(combo)
            assert safety.fold_spaces(text) == safety._SPACES.sub(" ", text)
            assert " ".join(text.split()) == safety._SPACES.sub(" ", text).strip()
            expected = safety._CONTROLS.sub("", safety._ESCAPES.sub("", text)) if text else ""
            assert safety.strip_controls(text) == expected
