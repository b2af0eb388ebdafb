"""OPML import into feeds.toml (style kept) and export, through the real CLI and files."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.config import load_config
from briefing.models import Feed
from briefing.opml import MAX_BYTES, OpmlError, parse_opml, render_opml, slug
from tests.helpers import LoopbackServer

FEEDS = (
    Feed("BBC World", "https://feeds.bbci.co.uk/news/world/rss.xml", ("world", "uk")),
    Feed('Ünïcode & "quotes" <news>', "https://x.example/rss?a=1&b=2", ("middle-east",)),
    Feed("No tags", "http://plain.example/feed"),
    Feed("Deep", "https://deep.example/atom", ("world", "europe", "eu-politics")),
)

EXISTING = """\
# my feeds — do not lose this comment
[settings]
timeout = 7   # seconds

# the one I read first
[[feed]]
name = "Zeta"
url = "https://zeta.example/rss"
tags = ["z"]  # inline comment

[[feed]]
name = "Alpha"   # second, on purpose
url = "https://alpha.example/rss/"

# trailing notes stay at the end of the old part
"""


def opml(body: str, head: str = "") -> str:
    return f'<?xml version="1.0"?>\n{head}<opml version="2.0"><head/><body>{body}</body></opml>\n'


def run(feeds: Path, *args: str) -> int:
    return main(["--feeds", str(feeds), "--db", str(feeds.parent / "d.db"), *args])


def import_file(tmp_path: Path, feeds_text: str, opml_text: str) -> tuple[int, Path]:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(feeds_text, "utf-8")
    source = tmp_path / "in.opml"
    source.write_text(opml_text, "utf-8")
    return run(feeds, "import-opml", str(source)), feeds


def test_round_trip_export_then_import_into_an_empty_feeds_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, feeds = import_file(tmp_path, "", render_opml(FEEDS))
    assert code == 0 and "4 feeds added, 0 skipped" in capsys.readouterr().out
    assert load_config(feeds).feeds == FEEDS
    # and back out through the CLI, to a file: the same document but for its creation date
    out = tmp_path / "out.opml"
    assert run(feeds, "export-opml", "-o", str(out)) == 0
    assert parse_opml(out.read_bytes()).feeds == list(FEEDS)
    assert run(feeds, "export-opml") == 0
    assert parse_opml(capsys.readouterr().out.encode()).feeds == list(FEEDS)


HEISE_TAGS = ("tech-news", "europe-co", "de", "it", "security")


def test_nested_outlines_become_tags() -> None:
    doc = opml("""
      <outline text="Tech News">
        <outline title="Ars" type="rss" xmlUrl="https://ars.example/feed"/>
        <outline text="Europe &amp; Co." title="ignored when text is set">
          <outline text="Heise" xmlUrl="https://heise.example/rss" category="/De/IT,Security"/>
        </outline>
      </outline>
      <outline text="" xmlUrl="https://nameless.example/rss"/>
      <outline text="World"><outline text="AP" XMLURL="https://ap.example/rss"/></outline>""")
    found = parse_opml(doc.encode())
    assert found.feeds == [
        Feed("Ars", "https://ars.example/feed", ("tech-news",)),
        Feed("Heise", "https://heise.example/rss", HEISE_TAGS),
        Feed("nameless.example", "https://nameless.example/rss"),
        Feed("AP", "https://ap.example/rss", ("world",)),
    ]  # fmt: skip
    assert found.invalid == []
    assert slug("  Middle East / Africa!! ") == "middle-east-africa"


def test_duplicates_and_invalid_urls_are_reported_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = opml("""
      <outline text="Alpha again" xmlUrl="HTTPS://alpha.example/rss"/>
      <outline text="New" xmlUrl="https://new.example/rss"/>
      <outline text="New twice" xmlUrl="https://new.example/rss/"/>
      <outline text="Gopher" xmlUrl="gopher://old.example/1"/>
      <outline text="Script" xmlUrl="javascript:alert(1)"/>
      <outline text="Empty" type="rss" xmlUrl="  "/>
      <outline text="Missing" type="rss"/>
      <outline text="Spaces" xmlUrl="https://a b.example/"/>""")
    code, feeds = import_file(tmp_path, EXISTING, doc)
    out = capsys.readouterr().out
    assert code == 0
    assert "added: New <https://new.example/rss>" in out
    assert "skipped (duplicate): HTTPS://alpha.example/rss (already in feeds.toml as Alpha)" in out
    assert "skipped (duplicate): https://new.example/rss/ (repeated as New)" in out
    for name in ("Gopher", "Script", "Empty", "Missing", "Spaces"):
        assert f"skipped (invalid): {name}:" in out
    assert "1 feeds added, 7 skipped" in out
    assert [f.name for f in load_config(feeds).feeds] == ["Zeta", "Alpha", "New"]


def test_json_feed_outlines_are_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # type="json" is what JSON Feed readers write (issue 13, item 4); one without its address
    # is reported like an rss or atom outline, not silently dropped.
    doc = opml("""
      <outline text="A JSON blog" type="json" xmlUrl="https://blog.example/feed.json"/>
      <outline text="No address" type="JSON"/>""")
    code, feeds = import_file(tmp_path, "", doc)
    out = capsys.readouterr().out
    assert code == 0 and "1 feeds added, 1 skipped" in out
    assert "skipped (invalid): No address: no feed address (xmlUrl)" in out
    assert load_config(feeds).feeds == (Feed("A JSON blog", "https://blog.example/feed.json"),)


def test_comments_order_and_layout_are_kept_and_names_get_a_suffix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = opml("""
      <outline text="Alpha" xmlUrl="https://other-alpha.example/rss"/>
      <outline text="alpha" xmlUrl="https://third-alpha.example/rss"/>""")
    code, feeds = import_file(tmp_path, EXISTING, doc)
    assert code == 0 and "renamed: Alpha -> Alpha (2) (name taken)" in capsys.readouterr().out
    text = feeds.read_text("utf-8")
    assert text.startswith(EXISTING)  # every byte of the old file, in place
    assert [f.name for f in load_config(feeds).feeds] == ["Zeta", "Alpha", "Alpha (2)", "alpha (3)"]
    assert load_config(feeds).settings.timeout == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feeds.toml", "in.opml"]  # no temp left


def test_feeds_before_settings_stay_before_settings(tmp_path: Path) -> None:
    existing = (
        '[[feed]]\nurl = "https://a.example/"\n\n[settings]  # after the feeds\ntimeout = 5\n'
    )
    code, feeds = import_file(tmp_path, existing, opml('<outline text="B" xmlUrl="https://b.e/"/>'))
    text = feeds.read_text("utf-8")
    assert code == 0 and text.index("https://b.e/") < text.index("[settings]  # after the feeds")
    data = tomllib.loads(text)
    assert [f["url"] for f in data["feed"]] == ["https://a.example/", "https://b.e/"]


def test_nothing_new_leaves_the_file_untouched(tmp_path: Path) -> None:
    code, feeds = import_file(tmp_path, EXISTING, opml(""))
    assert code == 0 and feeds.read_text("utf-8") == EXISTING


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<opml><body><outline", "not valid OPML"),
        (b"<rss><channel/></rss>", "not OPML"),
        (b'<opml version="2.0"><head/></opml>', "no <body>"),
        (b"\xff\xfe\x00garbage", "not valid OPML"),
    ],
)
def test_invalid_opml_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(EXISTING)
    (tmp_path / "bad.opml").write_bytes(content)
    assert run(feeds, "import-opml", str(tmp_path / "bad.opml")) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("briefing: ")
    assert feeds.read_text() == EXISTING
    assert run(feeds, "import-opml", str(tmp_path / "missing.opml")) == 2
    assert "cannot read the file" in capsys.readouterr().err


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<opml version="2.0"><head/><body>
  <outline text="&lol9;" xmlUrl="https://laughs.example/rss"/>
</body></opml>"""


@pytest.mark.slow  # a timing guard rail: a generous bound, not a benchmark
def test_billion_laughs_is_not_expanded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    with pytest.raises(OpmlError, match="undefined entity"):
        parse_opml(BILLION_LAUGHS.encode())
    code, feeds = import_file(tmp_path, EXISTING, BILLION_LAUGHS)
    assert code == 2 and "undefined entity" in capsys.readouterr().err
    assert time.perf_counter() - started < 2 and feeds.read_text() == EXISTING


def test_xxe_reads_no_file_and_fetches_no_dtd(
    tmp_path: Path, server: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    server.reply("/evil.dtd", b'<!ENTITY remote "REMOTE-DTD-VALUE">')
    referenced = f"""<?xml version="1.0"?>
<!DOCTYPE opml [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>
<opml version="2.0"><head/><body>
  <outline text="&xxe;" xmlUrl="https://xxe.example/rss"/>
</body></opml>"""
    code, feeds = import_file(tmp_path, EXISTING, referenced)
    captured = capsys.readouterr()
    assert code == 2 and "TOP-SECRET" not in captured.out + captured.err
    assert "TOP-SECRET" not in feeds.read_text()
    # declared, not referenced, plus an external DTD: the file imports, nothing is read or fetched
    quiet = f"""<?xml version="1.0"?>
<!DOCTYPE opml SYSTEM "{server.url("/evil.dtd")}" [
  <!ENTITY xxe SYSTEM "file://{secret}"> <!ENTITY % p SYSTEM "{server.url("/evil.dtd")}"> %p;
]>
<opml version="2.0"><head/><body>
  <outline text="Safe" title="&amp;xxe;" xmlUrl="https://safe.example/rss"/>
</body></opml>"""
    found = parse_opml(quiet.encode())
    assert found.feeds == [Feed("Safe", "https://safe.example/rss")]
    assert server.requests == []
    assert "TOP-SECRET" not in repr(found)


def test_oversized_and_overlong_opml_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OpmlError, match="larger than 5 MB"):
        parse_opml(b" " * (MAX_BYTES + 1))
    many = opml('<outline text="x" xmlUrl="https://x.example/"/>' * 25_000)
    with pytest.raises(OpmlError, match="more than 20000 outlines"):
        parse_opml(many.encode())
    feeds = tmp_path / "feeds.toml"
    feeds.write_text("")
    big = tmp_path / "big.opml"
    big.write_bytes(b"<opml>" + b" " * MAX_BYTES + b"</opml>")
    assert run(feeds, "import-opml", str(big)) == 2


def test_import_needs_a_feeds_file_not_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.opml"
    source.write_text(opml('<outline text="B" xmlUrl="https://b.example/"/>'))
    assert main(["--demo", "--db", str(tmp_path / "d.db"), "import-opml", str(source)]) == 2
    assert "demo has no feeds file" in capsys.readouterr().err


def test_export_opml_never_overwrites_a_file_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(EXISTING, "utf-8")
    mine = tmp_path / "mine.opml"
    mine.write_text(opml('<outline text="Hand" xmlUrl="https://hand.example/rss"/>'), "utf-8")
    before = mine.read_text("utf-8")
    assert run(feeds, "export-opml", "-o", str(mine)) == 2
    err = capsys.readouterr().err
    assert f"{mine} exists and was not written by briefing (--force overwrites it)" in err
    assert mine.read_text("utf-8") == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "feeds.toml",
        "mine.opml",
    ]
    # a file briefing wrote is replaced; --force replaces a foreign one
    ours = tmp_path / "ours.opml"
    assert run(feeds, "export-opml", "-o", str(ours)) == 0
    assert run(feeds, "export-opml", "-o", str(ours)) == 0
    assert run(feeds, "export-opml", "-o", str(mine), "--force") == 0
    assert [f.name for f in parse_opml(mine.read_bytes()).feeds] == ["Zeta", "Alpha"]


def test_export_opml_into_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(EXISTING, "utf-8")
    folder = tmp_path / "exports"
    folder.mkdir()
    assert run(feeds, "export-opml", "-o", str(folder)) == 0  # a folder: written inside it
    assert parse_opml((folder / "feeds.opml").read_bytes()).feeds
    assert run(feeds, "export-opml", "-o", str(tmp_path / "new" / "dir" / "f.opml")) == 0
    assert parse_opml((tmp_path / "new" / "dir" / "f.opml").read_bytes()).feeds
    assert run(feeds, "export-opml", "-o", f"{tmp_path / 'later'}/") == 0  # trailing slash
    assert (tmp_path / "later" / "feeds.opml").is_file()
    capsys.readouterr()
    assert run(feeds, "export-opml", "-o", str(feeds / "x.opml")) == 2  # parent is a file
    err = capsys.readouterr().err
    assert err.startswith("briefing: could not create the folder") and "unexpected" not in err
    assert ".tmp" not in err
