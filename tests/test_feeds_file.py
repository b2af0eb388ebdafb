"""feeds_file: edits that keep the user's feeds.toml byte for byte outside what they change."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing.config import ConfigError, load_config
from briefing.feeds_file import (
    DEMO_REFUSAL,
    FeedCheck,
    add_feed,
    check_feed,
    feed_problem,
    package_dir,
    remove_feed,
    split_tags,
    update_feed,
)
from briefing.fetch import FetchLimits
from briefing.models import Feed, FeedStatus, Story, Validators
from briefing.store import Store
from tests.helpers import LoopbackServer, rss

HEAD = """\
# My feeds — hand written, keep these notes!
[settings]
refresh_minutes   =  45   # not too often
timeout = 10

# --- world ---
"""
A = """\
[[feed]]
name   =  "Alpha"   # the first one
url = "https://alpha.test/rss"
tags = [ "world",   "uk" ]
"""
B = """\
# Bravo is the good one
[[feed]]
name = 'Bravo'
url = "https://bravo.test/feed"   # moved in 2024
# a note inside Bravo
"""
C = """\
[[feed]]
url = "https://charlie.test/atom"
full_text = true
"""
TAIL = """\

# [[feed]]
# name = "Old one"
# url = "https://old.test/feed"
"""
TEXT = HEAD + A + "\n" + B + "\n" + C + TAIL


@pytest.fixture
def feeds_toml(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(TEXT, "utf-8")
    path.chmod(0o640)
    return path


def names(path: Path) -> list[str]:
    return [f.name for f in load_config(path).feeds]


def test_add_appends_after_the_last_feed_and_keeps_everything_else(feeds_toml: Path) -> None:
    feed = add_feed(feeds_toml, "Delta", "https://delta.test/feed", ["a", " b ", "a", ""], True)
    assert feed == Feed("Delta", "https://delta.test/feed", ("a", "b"), full_text=True)
    added = (
        '\n[[feed]]\nname = "Delta"\nurl = "https://delta.test/feed"\n'
        'tags = ["a", "b"]\nfull_text = true\n'
    )
    assert feeds_toml.read_text() == HEAD + A + "\n" + B + "\n" + C + added + TAIL
    assert names(feeds_toml) == ["Alpha", "Bravo", "charlie.test", "Delta"]
    assert stat.S_IMODE(feeds_toml.stat().st_mode) == 0o640


def test_add_without_a_name_uses_the_host(feeds_toml: Path) -> None:
    assert add_feed(feeds_toml, " ", "https://echo.test/x").name == "echo.test"


def test_add_to_a_file_without_feeds(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text("# nothing yet\n[settings]\ntimeout = 5")
    add_feed(path, "One", "http://one.test/")
    assert path.read_text() == (
        '# nothing yet\n[settings]\ntimeout = 5\n\n[[feed]]\nname = "One"\nurl = "http://one.test/"\n'
    )


def test_disable_then_enable_gives_back_the_same_bytes(feeds_toml: Path) -> None:
    update_feed(feeds_toml, "https://bravo.test/feed", enabled=False)
    text = feeds_toml.read_text()
    assert text == TEXT.replace("   # moved in 2024\n", "   # moved in 2024\nenabled = false\n")
    assert [f.enabled for f in load_config(feeds_toml).feeds] == [True, False, True]
    update_feed(feeds_toml, "https://bravo.test/feed/", enabled=True)  # same url, other form
    assert feeds_toml.read_text() == TEXT


def test_a_windows_file_keeps_its_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode())
    update_feed(path, "https://bravo.test/feed", enabled=False)
    update_feed(path, "https://bravo.test/feed", enabled=True)
    assert path.read_bytes() == TEXT.replace("\n", "\r\n").encode()


def test_a_commented_value_keeps_its_comment(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[[feed]]\nurl = "https://a.test/"\nenabled = true  # back in May\n')
    update_feed(path, "https://a.test/", enabled=False)
    assert path.read_text() == '[[feed]]\nurl = "https://a.test/"\nenabled = false  # back in May\n'
    update_feed(path, "https://a.test/", enabled=True)
    assert path.read_text() == '[[feed]]\nurl = "https://a.test/"\nenabled = true  # back in May\n'


def test_edit_changes_only_the_values_that_change(feeds_toml: Path) -> None:
    feed = update_feed(
        feeds_toml,
        "https://alpha.test/rss",
        name="Alpha",  # unchanged: not rewritten
        new_url="https://alpha.test/v2",
        tags=["world"],
        full_text=False,
    )
    assert feed == Feed("Alpha", "https://alpha.test/v2", ("world",))
    expected = TEXT.replace('url = "https://alpha.test/rss"', 'url = "https://alpha.test/v2"')
    expected = expected.replace('tags = [ "world",   "uk" ]', 'tags = ["world"]')
    assert feeds_toml.read_text() == expected
    update_feed(feeds_toml, "https://charlie.test/atom", name="Charlie", full_text=False)
    assert feeds_toml.read_text() == expected.replace(
        'url = "https://charlie.test/atom"\nfull_text = true\n',
        'url = "https://charlie.test/atom"\nname = "Charlie"\n',
    )


def test_remove_takes_its_own_lines_only(feeds_toml: Path) -> None:
    assert remove_feed(feeds_toml, "https://bravo.test/feed").name == "Bravo"
    assert feeds_toml.read_text() == HEAD + A + "\n" + C + TAIL
    remove_feed(feeds_toml, "https://charlie.test/atom")
    assert feeds_toml.read_text() == HEAD + A + TAIL
    remove_feed(feeds_toml, "https://alpha.test/rss")
    assert feeds_toml.read_text() == HEAD.removesuffix("\n# --- world ---\n") + TAIL
    assert load_config(feeds_toml).feeds == ()


def test_remove_the_first_of_tightly_packed_tables(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[[feed]]\nurl = "http://a.test/"\n[[feed]]\nurl = "http://b.test/"\n')
    remove_feed(path, "http://a.test/")
    assert path.read_text() == '[[feed]]\nurl = "http://b.test/"\n'


@pytest.mark.parametrize(
    ("url", "name", "words"),
    [
        ("ftp://x.test/feed", "X", "not an http\\(s\\) address"),
        ("https://", "X", "not an http\\(s\\) address"),
        ("https://a b.test/", "X", "spaces"),
        ("HTTPS://ALPHA.test/rss/", "New", "already in the feeds file"),
        ("https://new.test/", "bravo", "name “Bravo” is taken"),
    ],
)
def test_invalid_or_duplicate_feeds_are_refused(
    feeds_toml: Path, url: str, name: str, words: str
) -> None:
    with pytest.raises(ConfigError, match=words):
        add_feed(feeds_toml, name, url)
    assert feeds_toml.read_text() == TEXT


def test_an_edit_cannot_take_another_feeds_url_or_name(feeds_toml: Path) -> None:
    with pytest.raises(ConfigError, match="already in the feeds file"):
        update_feed(feeds_toml, "https://alpha.test/rss", new_url="https://bravo.test/feed")
    with pytest.raises(ConfigError, match="is taken"):
        update_feed(feeds_toml, "https://alpha.test/rss", name="BRAVO")
    with pytest.raises(ConfigError, match="no feed with the address"):
        update_feed(feeds_toml, "https://nope.test/", enabled=False)
    with pytest.raises(ConfigError, match="no feed with the address"):
        remove_feed(feeds_toml, "https://nope.test/")
    assert feeds_toml.read_text() == TEXT


def test_a_file_that_does_not_load_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    broken = '[[feed]]\nurl = "https://a.test/"\ncolour = "red"\n'
    path.write_text(broken)
    with pytest.raises(ConfigError, match=r"line 3.*unknown key 'colour'"):
        add_feed(path, "B", "https://b.test/")
    assert path.read_text() == broken


def test_an_edit_that_would_not_load_is_refused(tmp_path: Path) -> None:
    # An inline feed array cannot take a [[feed]] table: the result would not load.
    path = tmp_path / "feeds.toml"
    inline = 'feed = [{url = "https://a.test/"}]\n'
    path.write_text(inline)
    with pytest.raises(ConfigError):
        add_feed(path, "B", "https://b.test/")
    assert path.read_text() == inline
    update_feed(path, "https://a.test/", enabled=False)  # but its values can be changed
    assert load_config(path).feeds[0].enabled is False


def test_the_bundled_default_and_links_to_it_are_refused(tmp_path: Path) -> None:
    bundled = package_dir() / "default_feeds.toml"
    before = bundled.read_bytes()
    link = tmp_path / "feeds.toml"
    link.symlink_to(bundled)
    for target in (bundled, link):
        with pytest.raises(ConfigError, match="bundled default feed list"):
            add_feed(target, "New", "https://new.test/")
        with pytest.raises(ConfigError, match="bundled default feed list"):
            remove_feed(target, load_config(bundled).feeds[0].url)
    assert bundled.read_bytes() == before and link.is_symlink()


def test_a_link_to_the_users_own_file_stays_a_link(tmp_path: Path, feeds_toml: Path) -> None:
    link = tmp_path / "link.toml"
    link.symlink_to(feeds_toml)
    update_feed(link, "https://alpha.test/rss", enabled=False)
    assert link.is_symlink() and load_config(feeds_toml).feeds[0].enabled is False


def test_the_demo_has_no_file_to_edit() -> None:
    with pytest.raises(ConfigError, match="demo has no feeds file"):
        add_feed(None, "X", "https://x.test/")
    assert "--demo" in DEMO_REFUSAL


def test_feed_problem_and_tags() -> None:
    feeds = [Feed("Alpha", "https://alpha.test/rss")]
    assert (
        feed_problem(feeds, "https://alpha.test/rss", "Alpha", editing="https://alpha.test/rss")
        == ""
    )
    assert feed_problem(feeds, "", "") == "give the feed's address (http or https)"
    assert split_tags(" world, uk ,,world, \x1b[31mred") == ("world", "uk", "red")


async def test_check_feed_fetches_and_parses(server: LoopbackServer) -> None:
    server.reply("/ok", rss([{"title": "One", "guid": "1"}, {"title": "Two", "guid": "2"}]))
    server.reply("/empty", rss([], title="Quiet"))
    server.reply("/page", b"<!doctype html><html><body>hi</body></html>",
                 headers={"Content-Type": "text/html"})  # fmt: skip
    limits = FetchLimits(timeout=5)
    ok = await check_feed(server.url("/ok"), limits)
    assert ok == FeedCheck(True, "a feed: “Test feed”, 2 items", "Test feed", 2)
    empty = await check_feed(server.url("/empty"), limits)
    assert empty.ok and empty.items == 0 and "no items" in empty.message
    missing = await check_feed(server.url("/missing"), limits)
    assert missing == FeedCheck(False, "could not fetch it: HTTP 404 Not Found", None, 0)
    page = await check_feed(server.url("/page"), limits)
    assert page == FeedCheck(False, "not a feed (HTML page)", None, 0)
    bad = await check_feed("file:///etc/passwd", limits)
    assert not bad.ok and "http(s)" in bad.message


def test_a_check_note_does_not_repeat_the_title_the_feed_is_named_after() -> None:
    check = FeedCheck(True, "a feed: “NYT > U.S. News”, 1 item", "NYT > U.S. News", 1)
    assert check.note("") == check.note("NYT > U.S. News") == "a feed with 1 item"
    assert check.note("My name") == "a feed: “NYT > U.S. News”, 1 item"
    failed = FeedCheck(False, "not a feed (HTML page)", None, 0)
    assert failed.note("") == "not a feed (HTML page)"


async def test_check_feed_says_xml_that_is_not_a_feed_is_not_one(server: LoopbackServer) -> None:
    # It said "a feed, but it has no items right now", so the form skipped "Save anyway".
    server.reply("/books.xml", b'<?xml version="1.0"?><catalog><book id="1"><title>Guide</title>'
                 b"</book></catalog>", headers={"Content-Type": "application/xml"})  # fmt: skip
    check = await check_feed(server.url("/books.xml"), FetchLimits(timeout=5))
    assert check == FeedCheck(False, "not a feed (XML, but not RSS, RDF or Atom)", None, 0)


async def test_check_feed_reports_an_unreachable_host_in_plain_words() -> None:
    result = await check_feed("http://127.0.0.1:9/feed", FetchLimits(timeout=3))
    assert not result.ok and result.message.startswith("could not fetch it: ")
    assert "Traceback" not in result.message


def test_feeds_file_imports_no_ui() -> None:
    code = (
        "import sys; sys.modules['httpx._main'] = None\nimport briefing.feeds_file\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_writes_are_atomic_and_leave_no_temporary_files(feeds_toml: Path) -> None:
    add_feed(feeds_toml, "Delta", "https://delta.test/feed")
    remove_feed(feeds_toml, "https://delta.test/feed")
    assert feeds_toml.read_text() == TEXT
    assert os.listdir(feeds_toml.parent) == ["feeds.toml"]


def test_store_feed_rows_give_the_rate_the_304_and_the_failing(tmp_path: Path) -> None:
    now = datetime.now(UTC)

    def story(feed: str, n: int, days_ago: float) -> Story:
        when = now - timedelta(days=days_ago)
        return Story(f"{feed}{n}", f"https://{feed}.test/", feed, f"t{n}", "", "", when, when)

    store = Store(tmp_path / "x.db")
    try:
        old = [story("old", i, 2 * i + 0.5) for i in range(15)] + [story("old", 99, 45)]
        young = [story("young", i, i) for i in range(5)]  # oldest 4 days ago: 5 / 4
        store.add_stories(old + young)
        for feed, http, ok in (("old", 304, True), ("young", 200, True), ("dead", None, False)):
            status = FeedStatus(f"https://{feed}.test/", feed, ok, "x", http_status=http)
            for _ in range(3 if feed == "dead" else 1):
                store.record_feed(status, Validators())
        rows = {r.name: r for r in store.feeds(now)}
        assert (rows["old"].stories, rows["old"].per_day, rows["old"].not_modified) == (
            16,
            0.5,
            True,
        )
        assert rows["young"].stories == 5 and abs(rows["young"].per_day - 1.25) < 1e-6
        assert not rows["young"].not_modified
        assert (rows["dead"].stories, rows["dead"].per_day) == (0, 0.0)
        assert store.failing(3) == {"https://dead.test/": 3} and store.failing(4) == {}
    finally:
        store.close()


def test_a_file_that_cannot_be_written_is_a_config_error(
    feeds_toml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path, text: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("briefing.feeds_file.write_atomic", refuse)
    with pytest.raises(ConfigError, match="cannot write the feeds file \\(Permission denied\\)"):
        add_feed(feeds_toml, "Delta", "https://delta.test/feed")
    assert feeds_toml.read_text() == TEXT
