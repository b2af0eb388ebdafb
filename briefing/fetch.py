"""Fetch feeds over HTTP: bounded concurrency, hard deadlines, capped sizes, conditional GET.

The network is hostile too. Servers hang, trickle bytes, loop redirects and send gzip bombs,
so every limit here is enforced by our own code rather than trusted to headers.
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

import httpx

from briefing import __version__
from briefing.models import Feed
from briefing.safety import clean_line

USER_AGENT = f"briefing/{__version__} (terminal news reader; +https://pypi.org/project/briefing/)"
MAX_REDIRECTS = 5


@dataclass(frozen=True, slots=True)
class Validators:
    """What the server told us last time, for a conditional GET."""

    etag: str = ""
    last_modified: str = ""


@dataclass(slots=True)
class FetchResult:
    feed: Feed
    ok: bool
    status: str  # plain words for the user
    http_status: int | None = None
    body: bytes | None = None  # None when not modified or failed
    headers: dict[str, str] = field(default_factory=dict)
    validators: Validators = field(default_factory=Validators)
    final_url: str = ""
    seconds: float = 0.0

    @property
    def not_modified(self) -> bool:
        return self.http_status == 304


@dataclass(frozen=True, slots=True)
class FetchLimits:
    timeout: float = 20.0  # total deadline per feed, redirects and slow bodies included
    connect_timeout: float = 10.0
    max_bytes: int = 10_000_000  # after decompression
    concurrency: int = 16


class FetchError(Exception):
    """A failure with a message fit for the user."""


def make_client(
    limits: FetchLimits, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    timeout = httpx.Timeout(limits.timeout, connect=limits.connect_timeout)
    pool = httpx.Limits(max_connections=limits.concurrency * 2, max_keepalive_connections=32)
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        timeout=timeout,
        limits=pool,
        follow_redirects=False,  # followed by hand: count, schemes and deadline are ours
        transport=transport,
    )


async def fetch_all(
    client: httpx.AsyncClient,
    feeds: Sequence[Feed],
    validators: Callable[[Feed], Validators],
    limits: FetchLimits,
) -> AsyncIterator[FetchResult]:
    """Yield each feed's result as soon as it is ready; one bad feed never stops the others."""
    semaphore = asyncio.Semaphore(limits.concurrency)

    async def one(feed: Feed) -> FetchResult:
        async with semaphore:
            return await fetch_feed(client, feed, validators(feed), limits)

    tasks = [asyncio.ensure_future(one(feed)) for feed in feeds]
    try:
        for next_done in asyncio.as_completed(tasks):
            yield await next_done
    finally:
        for task in tasks:
            task.cancel()


async def fetch_feed(
    client: httpx.AsyncClient, feed: Feed, validators: Validators, limits: FetchLimits
) -> FetchResult:
    started = time.perf_counter()
    result = FetchResult(feed=feed, ok=False, status="")
    try:
        async with asyncio.timeout(limits.timeout):
            await _fetch_into(result, client, feed.url, validators, limits)
    except TimeoutError:
        result.status = f"timed out after {limits.timeout:g} s"
    except FetchError as exc:
        result.status = str(exc)
    except httpx.HTTPError as exc:
        result.status = describe_http_error(exc)
    except (OSError, ValueError, zlib.error) as exc:  # ssl and socket errors, bad urls
        result.status = clean_line(f"network error: {exc}", 200)
    result.seconds = time.perf_counter() - started
    return result


async def _fetch_into(
    result: FetchResult,
    client: httpx.AsyncClient,
    url: str,
    validators: Validators,
    limits: FetchLimits,
) -> None:
    headers = {}
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    current = httpx.URL(url)
    for _ in range(MAX_REDIRECTS + 1):
        async with client.stream("GET", current, headers=headers) as response:
            result.http_status = response.status_code
            result.final_url = str(current)
            if response.status_code in (301, 302, 303, 307, 308):
                current = _redirect_target(current, response.headers.get("location", ""))
                continue
            if response.status_code == 304:
                result.ok, result.status = True, "not modified"
                result.validators = validators
                return
            if response.status_code >= 400:
                reason = clean_line(response.reason_phrase or "", 60)
                raise FetchError(f"HTTP {response.status_code} {reason}".strip())
            if response.status_code != 200:
                raise FetchError(f"unexpected HTTP {response.status_code}")
            result.body = await read_capped(response, limits.max_bytes)
            result.headers = {k.lower(): v for k, v in response.headers.items()}
            result.validators = Validators(
                etag=response.headers.get("etag", "")[:500],
                last_modified=response.headers.get("last-modified", "")[:100],
            )
            result.ok, result.status = True, "ok"
            return
    raise FetchError(f"gave up after {MAX_REDIRECTS} redirects")


def _redirect_target(current: httpx.URL, location: str) -> httpx.URL:
    if not location:
        raise FetchError("redirect without a location")
    try:
        target = current.join(location.strip())
    except (httpx.InvalidURL, ValueError):
        raise FetchError("redirect to an invalid address") from None
    if target.scheme not in ("http", "https"):
        raise FetchError(f"refused redirect to a non-http address ({target.scheme}:)")
    return target


async def read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """Read the body, inflating gzip/deflate ourselves so the cap holds *while* decompressing."""
    encoding = response.headers.get("content-encoding", "identity").lower().strip()
    declared = response.headers.get("content-length", "")
    too_big = FetchError(f"response larger than {_mb(max_bytes)}")
    if encoding in ("identity", "") and declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    inflater = _Inflater(encoding)
    chunks: list[bytes] = []
    size = 0
    if response.is_stream_consumed:  # a transport handed over a response it had already read
        if len(response.content) > max_bytes:
            raise too_big
        return response.content
    async for raw in response.aiter_raw():
        data = inflater.feed(raw, max_bytes - size + 1)
        size += len(data)
        if size > max_bytes or inflater.overflow:
            raise too_big
        chunks.append(data)
    return b"".join(chunks)


class _Inflater:
    """Incremental gzip/deflate decoding that never produces more than it is asked for."""

    def __init__(self, encoding: str) -> None:
        if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
            raise FetchError(f"unsupported content encoding '{clean_line(encoding, 30)}'")
        self.encoding = encoding
        self.overflow = False
        self._first = True
        # wbits 47 accepts a zlib or gzip header; "deflate" is zlib-wrapped unless proven raw.
        self._d = zlib.decompressobj(15 if encoding == "deflate" else 47)

    def feed(self, raw: bytes, room: int) -> bytes:
        if self.encoding in ("identity", ""):
            return raw
        if self._first and self.encoding == "deflate" and raw and raw[0] & 0x0F != 8:
            self._d = zlib.decompressobj(-15)  # raw deflate, as some servers send
        self._first = False
        out = self._d.decompress(raw, room)
        # Output left undelivered means the body inflates past the cap: stop right here.
        self.overflow = bool(self._d.unconsumed_tail)
        return out


def _mb(n: int) -> str:
    return f"{n / 1_000_000:g} MB"


def describe_http_error(exc: httpx.HTTPError) -> str:
    """One line in plain words; the detail goes to the log, not the screen."""
    text = str(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out while connecting"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out waiting for the server"
    if isinstance(exc, httpx.ConnectError):
        cause = exc.__context__ or exc.__cause__
        if isinstance(cause, ssl.SSLError) or "CERTIFICATE" in text.upper() or "SSL" in text:
            return clean_line(f"TLS error: {text}", 160)
        if "refused" in text.lower():
            return "could not connect (connection refused)"
        if "name or service" in text.lower() or "nodename" in text.lower():
            return "could not find the server (DNS lookup failed)"
        return clean_line(f"could not connect: {text}", 160)
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection or broke the protocol"
    if isinstance(exc, httpx.DecodingError):
        return "the response could not be decoded"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "not an http(s) address"
    return clean_line(f"network error: {text or type(exc).__name__}", 160)
