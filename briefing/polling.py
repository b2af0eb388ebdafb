"""When to fetch a feed next: the server's hints, backoff after failures, a minimum interval.

Pure policy, no HTTP and no store: given the time, what the last response said and how many
times in a row the feed has failed, say when it is next due and why, in plain words.

- A successful response (2xx, 304) may say how long it stays fresh: Cache-Control max-age (less
  Age), else Expires measured against the server's own Date header, so a server whose clock is
  off still gets the lifetime it meant. no-store / no-cache mean "ask again whenever".
- Retry-After (seconds or an HTTP date) is honoured on any response; on 429 and 503 it is about
  the whole host, as is failing to reach the host at all.
- Failures back off exponentially: base x 2^(failures-1), capped.
- Nothing is fetched more often than the minimum interval, and no server hint can park a feed
  for longer than max_hint (a year-long max-age on a feed is a misconfiguration, not a wish).

Garbage, negative or absurd header values are ignored, never raised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from briefing.config import Settings

MIN_INTERVAL = "minimum interval"
MAX_AGE = "server asked: max-age"
EXPIRES = "server asked: expires"
RETRY_AFTER = "server asked: retry after"
_DIGITS = re.compile(r"\d{1,12}")
# HTTP statuses whose failure (and Retry-After) concerns the host, not the one feed.
HOST_STATUSES = frozenset({429, 503})
FAILING_AFTER = 3  # consecutive failed refreshes before a feed is flagged as dead


@dataclass(frozen=True, slots=True)
class PollSettings:
    min_interval: timedelta = timedelta(minutes=15)
    backoff_base: timedelta = timedelta(minutes=15)
    backoff_cap: timedelta = timedelta(hours=24)
    max_hint: timedelta = timedelta(hours=24)  # the longest a server hint may delay a feed

    @classmethod
    def from_settings(cls, settings: Settings) -> PollSettings:
        return cls(min_interval=timedelta(minutes=settings.min_interval_minutes))


@dataclass(frozen=True, slots=True)
class NextFetch:
    """Not before `at` (UTC), because of `reason` (plain words); host_wide holds the whole host."""

    at: datetime
    reason: str
    host_wide: bool = False


def next_fetch(
    now: datetime,
    http_status: int | None,
    headers: Mapping[str, str],
    failures: int,
    settings: PollSettings,
) -> NextFetch:
    """When to fetch again after a response (http_status None: no response at all).

    failures: consecutive failures including this one (0 when this fetch succeeded).
    """
    headers = {k.lower(): v for k, v in headers.items()}
    host_wide = failures > 0 and (http_status is None or http_status in HOST_STATUSES)
    best = NextFetch(now + max(settings.min_interval, timedelta(0)), MIN_INTERVAL, host_wide)
    hints: list[tuple[timedelta, str]] = []
    if failures > 0:
        hints.append((backoff(failures, settings), backoff_reason(failures)))
    elif http_status is not None and (200 <= http_status < 300 or http_status == 304):
        lifetime = cache_lifetime(headers, now)
        if lifetime is not None:
            hints.append((min(lifetime[0], settings.max_hint), lifetime[1]))
    wait = retry_after(headers, now)
    if wait is not None:
        hints.append((min(wait, settings.max_hint), RETRY_AFTER))
    for delay, reason in hints:
        if now + delay >= best.at:  # on a tie, the server's or the backoff's reason is the news
            best = NextFetch(now + delay, reason, host_wide)
    return best


def backoff(failures: int, settings: PollSettings) -> timedelta:
    if failures <= 0:
        return timedelta(0)
    seconds = settings.backoff_base.total_seconds() * 2 ** min(failures - 1, 32)
    return min(timedelta(seconds=seconds), settings.backoff_cap)


def backoff_reason(failures: int) -> str:
    return f"backing off after {failures} failure{'s' if failures != 1 else ''}"


def cache_lifetime(headers: Mapping[str, str], now: datetime) -> tuple[timedelta, str] | None:
    """How long the response stays fresh by Cache-Control or Expires; None if not said."""
    directives = _cache_control(headers.get("cache-control", ""))
    if "no-store" in directives or "no-cache" in directives:
        return None
    max_age = directives.get("max-age", "")
    if _DIGITS.fullmatch(max_age):
        age = headers.get("age", "").strip()
        seconds = int(max_age) - (int(age) if _DIGITS.fullmatch(age) else 0)
        return (timedelta(seconds=seconds), MAX_AGE) if seconds > 0 else None
    if "max-age" in directives or "expires" not in headers:
        return None  # a garbage max-age overrides Expires too (RFC 9111 says: treat as stale)
    expires = parse_http_date(headers["expires"])
    if expires is None:
        return None  # "0", "-1" and other junk mean already expired
    lifetime = expires - _server_now(headers, now)
    return (lifetime, EXPIRES) if lifetime > timedelta(0) else None


def retry_after(headers: Mapping[str, str], now: datetime) -> timedelta | None:
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if _DIGITS.fullmatch(value):
        seconds = int(value)
        return timedelta(seconds=min(seconds, 366 * 86400)) if seconds > 0 else None
    when = parse_http_date(value)
    if when is None:
        return None
    wait = when - _server_now(headers, now)
    return wait if wait > timedelta(0) else None


def parse_http_date(value: str) -> datetime | None:
    """An RFC 9110 date (IMF-fixdate, RFC 850 or asctime) in UTC, or None if it is not one."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _server_now(headers: Mapping[str, str], now: datetime) -> datetime:
    """The server's idea of now (its Date header) when it sent one, else ours."""
    return parse_http_date(headers.get("date", "")) or now


def _cache_control(value: str) -> dict[str, str]:
    directives: dict[str, str] = {}
    for part in value[:2000].split(","):
        name, _, arg = part.partition("=")
        name = name.strip().lower()
        if name and name not in directives:
            directives[name] = arg.strip().strip('"')
    return directives


def host_of(url: str) -> str:
    """The server a url is on: host name, and the port when one is given."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return ""
    return f"{host}:{port}" if host and port else host


def holds(
    urls: Sequence[str], schedules: Mapping[str, NextFetch], now: datetime
) -> dict[str, NextFetch]:
    """The feeds (by url) that are not due yet, each with the latest thing holding it back.

    A feed is held by its own schedule, and by any host-wide hold on its host (a 429, a 503 or
    an unreachable host holds every feed there, including ones never fetched).
    """
    by_host: dict[str, NextFetch] = {}
    for url, hold in schedules.items():
        if hold.host_wide and hold.at > now:
            host = host_of(url)
            if host and (host not in by_host or hold.at > by_host[host].at):
                by_host[host] = hold
    held: dict[str, NextFetch] = {}
    for url in urls:
        found = [h for h in (schedules.get(url), by_host.get(host_of(url))) if h and h.at > now]
        if found:
            held[url] = max(found, key=lambda h: h.at)
    return held


def not_due_status(hold: NextFetch, now: datetime) -> str:
    """'not due until 14:05 (server asked: max-age)', in local time; the day if not today."""
    local, today = hold.at.astimezone(), now.astimezone()
    when = local.strftime("%H:%M" if local.date() == today.date() else "%a %H:%M")
    return f"not due until {when} ({hold.reason})"
