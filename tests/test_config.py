from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from briefing.config import ConfigError, find_feeds_file, load_config, parse_config, url_key

REPO = Path(__file__).resolve().parents[1]

GOOD = """\
[settings]
concurrency = 4
timeout = 5.5

[[feed]]
name = "One"
url = "https://one.example/rss"
tags = ["world"]

[[feed]]
url = "https://two.example/atom"
enabled = false
full_text = true
"""


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(text, Path("feeds.toml"))
    return str(info.value)


def test_good_config_is_typed() -> None:
    config = parse_config(GOOD, Path("feeds.toml"))
    assert [f.name for f in config.feeds] == ["One", "two.example"]
    assert config.feeds[0].tags == ("world",)
    assert config.feeds[1].enabled is False
    assert (config.feeds[0].full_text, config.feeds[1].full_text) == (False, True)
    assert config.settings.concurrency == 4
    assert config.settings.timeout == 5.5


def test_unknown_feed_key_names_file_line_and_key() -> None:
    text = GOOD.replace('tags = ["world"]', 'tags = ["world"]\ncolour = "red"')
    message = error_of(text)
    assert "feeds.toml, line 9" in message
    assert "[[feed]] #1" in message
    assert "'colour'" in message


def test_missing_url() -> None:
    message = error_of('[[feed]]\nname = "x"\n\n[[feed]]\nname = "y"\n')
    assert "line 1" in message and "missing required key 'url'" in message


def test_bad_type_in_settings() -> None:
    message = error_of('[settings]\nconcurrency = "many"\n')
    assert "line 2" in message and "'concurrency' must be int" in message


def test_keep_days_default_setting_and_per_feed() -> None:
    assert parse_config(GOOD, Path("feeds.toml")).settings.keep_days == 365
    text = '[settings]\nkeep_days = 90\n\n[[feed]]\nurl = "https://a.example/f"\nkeep_days = 7\n'
    config = parse_config(text, Path("feeds.toml"))
    assert config.settings.keep_days == 90 and config.feeds[0].keep_days == 7
    assert "line 2" in error_of("[settings]\nkeep_days = 0\n")
    bad_feed = '[[feed]]\nurl = "https://a.example/f"\nkeep_days = 0\n'
    assert "line 3" in error_of(bad_feed) and "greater than zero" in error_of(bad_feed)
    assert "must be int" in error_of(bad_feed.replace("= 0", "= true"))
    assert "must be int" in error_of(bad_feed.replace("= 0", '= "a year"'))


def test_bool_is_not_an_int() -> None:
    assert "must be int" in error_of("[settings]\nconcurrency = true\n")


def test_duplicate_feeds_by_url_and_by_name() -> None:
    dup_url = GOOD.replace("https://two.example/atom", "https://one.example/rss/")
    assert "duplicate feed: same url as feed #1" in error_of(dup_url)
    dup_name = GOOD.replace(
        'url = "https://two.example/atom"', 'name = "one"\nurl = "https://t.example/"'
    )
    assert "duplicate feed: same name" in error_of(dup_name)


def test_urls_differing_in_path_or_query_case_are_different_feeds() -> None:
    # Two YouTube channels whose ids differ only in case were "duplicates", and as that is a
    # config error every command exited 2 (issue 13, item 6). Scheme and host fold case.
    channels = (
        '[[feed]]\nurl = "https://www.youtube.com/feeds/videos.xml?channel_id=UCabcDEF"\n'
        '[[feed]]\nname = "b"\nurl = "https://www.youtube.com/feeds/videos.xml?channel_id=UCABCdef"\n'
        '[[feed]]\nname = "c"\nurl = "https://example.org/Feed"\n'
        '[[feed]]\nname = "d"\nurl = "https://example.org/feed"\n'
    )
    assert len(parse_config(channels, Path("feeds.toml")).feeds) == 4
    same = GOOD.replace("https://two.example/atom", "HTTPS://ONE.Example/rss/")
    assert "duplicate feed: same url as feed #1" in error_of(same)
    assert url_key("https://User@Example.ORG:8080/A?b=C") == "https://User@example.org:8080/A?b=C"


def test_non_http_url_refused() -> None:
    assert "must be an http(s) address" in error_of('[[feed]]\nurl = "file:///etc/passwd"\n')


def test_broken_toml_is_reported_not_raised() -> None:
    message = error_of("[[feed]\nurl = 1")
    assert message.startswith("feeds.toml: not valid TOML")


def test_unknown_setting_lists_known_ones() -> None:
    message = error_of("[settings]\nrefresh = 5\n")
    assert "unknown setting 'refresh'" in message and "refresh_minutes" in message


def test_repo_feeds_file_is_a_useful_default() -> None:
    config = load_config(REPO / "feeds.toml")
    assert 12 <= len(config.feeds) <= 20
    assert all(f.url.startswith("https://") and f.tags for f in config.feeds)
    raw = tomllib.loads((REPO / "feeds.toml").read_text())
    assert {"refresh_minutes", "concurrency"} <= set(raw["settings"])


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    explicit = tmp_path / "mine.toml"
    explicit.write_text(GOOD)
    env = tmp_path / "env.toml"
    env.write_text(GOOD)
    monkeypatch.setenv("BRIEFING_FEEDS", str(env))
    assert find_feeds_file(str(explicit)) == explicit
    assert find_feeds_file(None) == env
    monkeypatch.delenv("BRIEFING_FEEDS")
    (tmp_path / "feeds.toml").write_text(GOOD)
    assert find_feeds_file(None) == Path("feeds.toml")


def test_first_run_creates_user_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./feeds.toml here
    created = find_feeds_file(None)
    assert created.is_file() and "config" in str(created)
    assert load_config(created).feeds == load_config(REPO / "feeds.toml").feeds


def test_missing_explicit_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such feeds file"):
        find_feeds_file(str(tmp_path / "nope.toml"))
