"""Polite polling: the pure policy, then real refreshes against the loopback server."""

from __future__ import annotations

import json
import socket
import sqlite3
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.config import Config, ConfigError, Settings, parse_config
from briefing.models import Feed
from briefing.pipeline import refresh
from briefing.polling import (
    EXPIRES,
    MAX_AGE,
    MIN_INTERVAL,
    RETRY_AFTER,
    NextFetch,
    PollSettings,
    backoff,
    holds,
    host_of,
    next_fetch,
    not_due_status,
)
from briefing.store import Store
from briefing.store.base import MIGRATIONS
from tests.helpers import LoopbackServer, rss

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
POLL = PollSettings()
MIN = timedelta(minutes=15)


def http_date(when: datetime) -> str:
    return format_datetime(when, usegmt=True)


def after(status: int | None, headers: dict[str, str], failures: int = 0) -> NextFetch:
    return next_fetch(NOW, status, headers, failures, POLL)


# -- the policy --------------------------------------------------------------------------------
def test_without_hints_the_minimum_interval_applies() -> None:
    assert after(200, {}) == NextFetch(NOW + MIN, MIN_INTERVAL)
    assert after(304, {}) == NextFetch(NOW + MIN, MIN_INTERVAL)
    custom = PollSettings.from_settings(Settings(min_interval_minutes=60))
    assert next_fetch(NOW, 200, {}, 0, custom).at == NOW + timedelta(hours=1)


def test_max_age_less_age_and_floor() -> None:
    assert after(200, {"Cache-Control": "public, max-age=3600"}) == NextFetch(
        NOW + timedelta(hours=1), MAX_AGE
    )
    assert after(304, {"cache-control": "max-age=3600", "age": "600"}).at == NOW + timedelta(
        seconds=3000
    )
    assert after(200, {"cache-control": "max-age=60"}) == NextFetch(NOW + MIN, MIN_INTERVAL)
    assert after(200, {"cache-control": "max-age=900"}).reason == MAX_AGE  # a tie names the server


def test_no_cache_and_no_store_mean_the_minimum_interval() -> None:
    expires = http_date(NOW + timedelta(hours=5))
    for value in ("no-cache", "no-store, max-age=7200"):
        assert after(200, {"cache-control": value, "expires": expires}).reason == MIN_INTERVAL


def test_expires_is_measured_against_the_servers_own_clock() -> None:
    server_now = NOW - timedelta(days=400)  # a server whose clock is a year behind
    headers = {"date": http_date(server_now), "expires": http_date(server_now + timedelta(hours=2))}
    assert after(200, headers) == NextFetch(NOW + timedelta(hours=2), EXPIRES)
    # without a Date header, against ours
    assert after(200, {"expires": http_date(NOW + timedelta(hours=3))}).at == NOW + timedelta(
        hours=3
    )
    # max-age wins over Expires
    headers = {"cache-control": "max-age=3600", "expires": http_date(NOW + timedelta(hours=5))}
    assert after(200, headers).reason == MAX_AGE


def test_server_hints_are_capped() -> None:
    assert after(200, {"cache-control": "max-age=31536000"}).at == NOW + POLL.max_hint
    assert after(429, {"retry-after": "999999999999"}, failures=1).at == NOW + POLL.max_hint
    assert after(200, {"expires": "Fri, 31 Dec 9999 23:59:59 GMT"}).at == NOW + POLL.max_hint


def test_retry_after_seconds_and_date_on_429_and_503() -> None:
    got = after(429, {"Retry-After": "7200"}, failures=1)
    assert got == NextFetch(NOW + timedelta(hours=2), RETRY_AFTER, host_wide=True)
    server_now = NOW + timedelta(minutes=30)  # a server clock ahead of ours
    headers = {"date": http_date(server_now), "retry-after": http_date(server_now + 3 * MIN * 4)}
    got = after(503, headers, failures=1)
    assert got.at == NOW + timedelta(hours=3) and got.reason == RETRY_AFTER and got.host_wide
    # a short Retry-After does not undercut the backoff
    assert after(429, {"retry-after": "120"}, failures=1).reason == "backing off after 1 failure"


def test_retry_after_on_any_response() -> None:
    got = after(200, {"retry-after": "7200"})
    assert got == NextFetch(NOW + timedelta(hours=2), RETRY_AFTER, host_wide=False)


def test_backoff_grows_and_is_capped() -> None:
    delays = [backoff(n, POLL) for n in range(1, 10)]
    assert delays[:4] == [MIN, 2 * MIN, 4 * MIN, 8 * MIN]
    assert delays[-1] == timedelta(hours=24) and max(delays) == timedelta(hours=24)
    assert backoff(100_000, POLL) == timedelta(hours=24)  # no overflow
    got = after(None, {}, failures=3)
    assert got == NextFetch(NOW + timedelta(hours=1), "backing off after 3 failures", True)
    assert not after(404, {}, failures=2).host_wide  # one missing feed is not the host's fault
    assert after(500, {"cache-control": "max-age=86400"}, failures=1).at == NOW + MIN


@pytest.mark.parametrize(
    "headers",
    [
        {"cache-control": "max-age=soon", "expires": http_date(NOW + timedelta(hours=4))},
        {"cache-control": "max-age=-5"},
        {"cache-control": "max-age=" + "9" * 400},
        {"expires": "0"},
        {"expires": "-1"},
        {"expires": "tomorrow-ish"},
        {"expires": http_date(NOW - timedelta(hours=1))},
        {"date": "not a date", "expires": "Thu, 99 Foo 2026 99:99:99 GMT"},
        {"retry-after": "soon"},
        {"retry-after": "-30"},
        {"retry-after": "1e9"},
        {"retry-after": "Mon, 01 Jan 1900 00:00:00 GMT"},
        {"cache-control": ",,,=,max-age", "age": "lots"},
        {"retry-after": "\x00\x1b[2J" * 50},
    ],
)
def test_garbage_headers_are_ignored(headers: dict[str, str]) -> None:
    assert after(200, headers) == NextFetch(NOW + MIN, MIN_INTERVAL)


def test_holds_per_feed_and_per_host() -> None:
    a, b, c = "https://a.example/1", "https://a.example/2", "https://c.example/"
    later = NOW + timedelta(hours=1)
    schedules = {
        a: NextFetch(later, RETRY_AFTER, host_wide=True),
        c: NextFetch(NOW - timedelta(minutes=1), MAX_AGE),  # already due
    }
    held = holds([a, b, c, "https://a.example:8443/"], schedules, NOW)
    assert set(held) == {a, b} and held[b].reason == RETRY_AFTER
    schedules[a] = NextFetch(later, MAX_AGE)  # a per-feed hint holds only its feed
    assert set(holds([a, b], schedules, NOW)) == {a}
    assert host_of("http://127.0.0.1:8000/x") == "127.0.0.1:8000"
    assert host_of("http://[::1/") == ""


def test_not_due_status_in_plain_words() -> None:
    hold = NextFetch(NOW + timedelta(hours=1), MAX_AGE)
    assert not_due_status(hold, NOW) == "not due until 13:00 (server asked: max-age)"
    hold = NextFetch(NOW + timedelta(hours=20), "backing off after 7 failures")
    assert not_due_status(hold, NOW) == "not due until Sat 08:00 (backing off after 7 failures)"


def test_min_interval_setting_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    assert parse_config("[settings]\nmin_interval_minutes = 5\n", path).settings == Settings(
        min_interval_minutes=5
    )
    with pytest.raises(ConfigError, match="greater than zero"):
        parse_config("[settings]\nmin_interval_minutes = 0\n", path)


def test_migration_2_keeps_existing_feeds(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "old.db")
    db.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    db.execute("INSERT INTO feeds(url, name, etag) VALUES ('https://a.example/', 'A', '\"e\"')")
    db.commit()
    db.close()
    with Store(tmp_path / "old.db") as store:
        assert store.validators("https://a.example/").etag == '"e"'
        assert store.schedules() == {}
        store.set_next_fetch("https://a.example/", NextFetch(NOW, MAX_AGE, True))
        assert store.schedules() == {"https://a.example/": NextFetch(NOW, MAX_AGE, True)}
        [row] = store.feeds()
        assert row.next_fetch_at == NOW and row.next_fetch_reason == MAX_AGE


# -- real refreshes against the loopback server ------------------------------------------------
def config(urls: list[str], tmp_path: Path) -> Config:
    feeds = tuple(Feed(name=f"f{i}", url=u) for i, u in enumerate(urls))
    return Config(feeds=feeds, settings=Settings(store=tmp_path / "s.db", timeout=3))


def hits(server: LoopbackServer, path: str) -> int:
    return sum(1 for p, _ in server.requests if p == path)


FEED = rss([{"title": "One", "link": "http://example.org/1", "guid": "1"}])


async def test_max_age_is_honoured_until_forced(server: LoopbackServer, tmp_path: Path) -> None:
    server.reply("/f", FEED, headers={"Cache-Control": "max-age=3600", "ETag": '"v1"'})
    cfg = config([server.url("/f")], tmp_path)
    first = await refresh(cfg, tmp_path / "s.db", enrich=False)
    assert first.new_stories == 1 and hits(server, "/f") == 1
    second = await refresh(cfg, tmp_path / "s.db", enrich=False)
    [status] = second.feeds
    assert hits(server, "/f") == 1  # no request at all
    assert status.ok and status.status.startswith("not due until ")
    assert status.status.endswith("(server asked: max-age)")
    assert second.not_due == 1 and not second.failed
    with Store(tmp_path / "s.db") as store:
        [row] = store.feeds()
        assert row.next_fetch_reason == MAX_AGE
        assert row.next_fetch_at is not None
        assert row.next_fetch_at - datetime.now(UTC) > timedelta(minutes=59)
    forced = await refresh(cfg, tmp_path / "s.db", enrich=False, force=True)
    assert hits(server, "/f") == 2 and forced.feeds[0].status == "not modified"


async def test_retry_after_on_429_is_honoured(server: LoopbackServer, tmp_path: Path) -> None:
    server.reply("/busy", b"slow down", status=429, headers={"Retry-After": "120"})
    cfg = config([server.url("/busy")], tmp_path)
    first = await refresh(cfg, tmp_path / "s.db", enrich=False)
    assert first.feeds[0].status.startswith("HTTP 429") and hits(server, "/busy") == 1
    second = await refresh(cfg, tmp_path / "s.db", enrich=False)
    assert hits(server, "/busy") == 1 and second.feeds[0].ok and not second.failed
    assert second.feeds[0].status.startswith("not due until ")
    await refresh(cfg, tmp_path / "s.db", enrich=False, force=True)
    assert hits(server, "/busy") == 2


async def test_503_retry_after_holds_the_whole_host(server: LoopbackServer, tmp_path: Path) -> None:
    server.reply("/down", b"", status=503, headers={"Retry-After": "7200"})
    server.reply("/other", FEED)
    await refresh(config([server.url("/down")], tmp_path), tmp_path / "s.db", enrich=False)
    both = config([server.url("/down"), server.url("/other")], tmp_path)
    report = await refresh(both, tmp_path / "s.db", enrich=False)
    assert hits(server, "/other") == 0  # never fetched, but its host asked us to wait
    assert {f.status.split(" (")[1] for f in report.feeds} == {"server asked: retry after)"}
    with Store(tmp_path / "s.db") as store:
        hold = store.schedules()[server.url("/down")]
    assert hold.host_wide and hold.at - datetime.now(UTC) > timedelta(minutes=119)


async def test_a_failing_host_backs_off(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port with nobody listening: connection refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed"
    cfg = config([url], tmp_path)
    delays = []
    for _ in range(3):
        report = await refresh(cfg, tmp_path / "s.db", enrich=False, force=True)
        assert report.failed
        with Store(tmp_path / "s.db") as store:
            hold = store.schedules()[url]
        delays.append(round((hold.at - datetime.now(UTC)) / timedelta(minutes=1)))
    assert delays == [15, 30, 60] and hold.reason == "backing off after 3 failures"
    report = await refresh(config([url, url + "2"], tmp_path), tmp_path / "s.db", enrich=False)
    assert [f.status.split(" (")[1] for f in report.feeds] == ["backing off after 3 failures)"] * 2
    assert not report.failed and report.not_due == 2


def test_cli_fetch_twice_then_force(
    server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply("/f", FEED, headers={"ETag": '"v1"'})
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        f'[settings]\ntimeout = 3\n\n[[feed]]\nname = "F"\nurl = "{server.url("/f")}"\n'
    )
    args = ["--feeds", str(feeds), "--db", str(tmp_path / "d.db"), "fetch"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "not due until" in out and "(minimum interval)" in out and "1 not due" in out
    assert hits(server, "/f") == 1
    assert main([*args, "--force", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["feeds"][0]["status"] == "not modified" and data["not_due"] == 0


def test_demo_fetch_twice_gets_304s(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--demo", "--db", str(tmp_path / "demo.db"), "fetch", "--json"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["feeds"] and {f["status"] for f in data["feeds"]} == {"not modified"}
