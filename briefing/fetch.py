"""Fetch feeds over HTTP: bounded concurrency, hard deadlines, capped sizes, conditional GET.

The network is hostile too. Servers hang, trickle bytes, loop redirects and send gzip bombs,
so every limit here is enforced by our own code rather than trusted to headers.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from briefing import __version__
from briefing.models import Feed, Validators
from briefing.safety import clean_line

log = logging.getLogger("briefing.fetch")
_E = TypeVar("_E", bound=BaseException)
_T = TypeVar("_T")
CANCEL_POLL = 0.1  # seconds between looks at a cancel event while requests are in flight

USER_AGENT = f"briefing/{__version__} (terminal news reader; +https://pypi.org/project/briefing/)"
MAX_REDIRECTS = 5
# A validator is echoed back in a request header: printable ASCII only, or it is not kept.
_HEADER_SAFE = re.compile(r"[\x20-\x7e]{1,500}")


@dataclass(slots=True)
class FetchResult:
    feed: Feed
    ok: bool
    status: str  # plain words for the user
    http_status: int | None = None
    body: bytes | None = None  # None when not modified or failed
    headers: dict[str, str] = field(default_factory=dict)  # the last response's, lower-cased
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
    # Refuse loopback, private, link-local and reserved addresses, redirects included: for
    # pages whose address a stranger chose (article links), not for the user's own feeds.
    public_only: bool = False
    resolve_hosts: bool = True  # public_only also looks names up (off with a mock transport)


class FetchError(Exception):
    """A failure with a message fit for the user."""


def make_client(
    limits: FetchLimits, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    # httpx's own timeouts are per operation and reset by every byte of a trickling body, so the
    # total deadline (asyncio.timeout in fetch_feed) is what holds; these sit just beyond it.
    timeout = httpx.Timeout(
        limits.timeout + 5, connect=min(limits.connect_timeout, limits.timeout + 5)
    )
    pool = httpx.Limits(max_connections=limits.concurrency * 2, max_keepalive_connections=32)
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        timeout=timeout,
        limits=pool,
        follow_redirects=False,  # followed by hand: count, schemes and deadline are ours
        transport=transport,
        event_hooks={"response": [_vet_redirect]},
    )


async def _vet_redirect(response: httpx.Response) -> None:
    """Refuse a bad Location before httpx itself parses it (it raises InvalidURL on some)."""
    if 300 <= response.status_code < 400 and response.status_code != 304:
        location = response.headers.get("location", "")
        if location:
            _redirect_target(response.request.url, location)


async def fetch_all(
    client: httpx.AsyncClient,
    feeds: Sequence[Feed],
    validators: Callable[[Feed], Validators],
    limits: FetchLimits,
) -> AsyncGenerator[FetchResult, None]:
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
        await asyncio.gather(*tasks, return_exceptions=True)


async def until_cancelled(work: Awaitable[_T], cancel: threading.Event | None) -> _T | None:
    """Await work, but stop it within CANCEL_POLL of cancel being set (None then).

    The event is set from another thread (the app quitting, the user stopping a refresh);
    a server that hangs would otherwise hold the caller until its whole deadline.
    """
    task = asyncio.ensure_future(work)
    if cancel is None:
        return await task
    try:
        while not task.done():
            if cancel.is_set():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                return None
            await asyncio.wait({task}, timeout=CANCEL_POLL)
        return task.result()
    finally:  # the caller itself was cancelled: its work stops with it
        task.cancel()


async def fetch_feed(
    client: httpx.AsyncClient, feed: Feed, validators: Validators, limits: FetchLimits
) -> FetchResult:
    """Fetch one feed within its total deadline. Never raises: failures become a plain status."""
    started = time.perf_counter()
    result = FetchResult(feed=feed, ok=False, status="")
    detail: BaseException | None = None
    try:
        async with asyncio.timeout(limits.timeout):
            await _fetch_into(result, client, feed.url, validators, limits)
    except TimeoutError as exc:
        result.status, detail = f"timed out after {limits.timeout:g} s", exc
    except FetchError as exc:
        result.status, detail = str(exc), exc
    except httpx.HTTPError as exc:
        result.status, detail = describe_http_error(exc), exc
    except zlib.error as exc:
        result.status, detail = "the response could not be decoded (bad compression)", exc
    except ssl.SSLError as exc:
        result.status, detail = describe_tls_error(exc), exc
    except (OSError, ValueError) as exc:  # socket errors, bad urls, unencodable headers
        result.status, detail = clean_line(f"network error: {exc}", 160), exc
    except Exception as exc:  # one feed must never take the others down
        result.status, detail = "unexpected error (see the log)", exc
        log.exception("unexpected failure fetching %s", feed.url)
    result.seconds = time.perf_counter() - started
    if detail is not None:
        result.ok, result.body = False, None
        log.warning(
            "%s: %s [%s: %r]", feed.url, result.status, type(detail).__name__, str(detail)[:500]
        )
    else:
        log.info("%s: %s in %.2f s", feed.url, result.status, result.seconds)
    return result


async def _fetch_into(
    result: FetchResult,
    client: httpx.AsyncClient,
    url: str,
    validators: Validators,
    limits: FetchLimits,
) -> None:
    headers = {}
    if _HEADER_SAFE.fullmatch(validators.etag):
        headers["If-None-Match"] = validators.etag
    if _HEADER_SAFE.fullmatch(validators.last_modified):
        headers["If-Modified-Since"] = validators.last_modified
    current = httpx.URL(url)
    for _ in range(MAX_REDIRECTS + 1):
        if limits.public_only:
            await _refuse_private(current, limits.resolve_hosts)
        async with _stream(client, current, headers) as response:
            status = response.status_code
            result.http_status = status
            result.final_url = str(current)
            # Kept for every response, errors and 304s too: caching and Retry-After live here.
            result.headers = {k.lower(): v for k, v in response.headers.items()}
            if status == 304:
                result.ok, result.status = True, "not modified"
                result.validators = validators
                return
            if 300 <= status < 400:
                current = _redirect_target(current, response.headers.get("location", ""))
                log.info("%s: redirected (%d) to %s", url, status, current)
                continue
            if status >= 400:
                reason = clean_line(response.reason_phrase or "", 60)
                raise FetchError(f"HTTP {status} {reason}".strip())
            if status in (204, 205) or not 200 <= status < 300:
                raise FetchError(f"unexpected HTTP {status} (no feed in the response)")
            result.body = await read_capped(response, limits.max_bytes)
            result.validators = Validators(
                etag=_keep_validator(response.headers.get("etag", "")),
                last_modified=_keep_validator(response.headers.get("last-modified", "")),
            )
            result.ok, result.status = True, "ok"
            return
    raise FetchError(f"gave up after {MAX_REDIRECTS} redirects")


@asynccontextmanager
async def _stream(
    client: httpx.AsyncClient, url: httpx.URL, headers: dict[str, str]
) -> AsyncIterator[httpx.Response]:
    try:
        async with client.stream("GET", url, headers=headers) as response:
            yield response
    except httpx.InvalidURL as exc:  # a Location httpx could not parse (clients without our hook)
        raise FetchError("redirect to an invalid address") from exc


def _keep_validator(value: str) -> str:
    """A validator we can send back later; anything else would break every future request."""
    value = value.strip()
    return value if _HEADER_SAFE.fullmatch(value) else ""


def is_private_host(host: str) -> bool:
    """An IP literal or name that is never a public web server (no DNS lookup)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


async def _refuse_private(url: httpx.URL, resolve: bool) -> None:
    """FetchError if url's host is, or (with resolve) resolves to, a non-public address.
    A name that resolves elsewhere at connect time (DNS rebinding) is not caught here."""
    refused = FetchError(f"refused: {clean_line(url.host, 80)} is a private or local address")
    if is_private_host(url.host):
        raise refused
    try:
        ipaddress.ip_address(url.host.strip("[]"))
        return  # a public IP literal
    except ValueError:
        if not resolve:
            return
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(url.host, port)
    except OSError:
        return  # unresolvable: the request itself will fail and say so
    if any(is_private_host(str(info[4][0])) for info in infos):
        raise refused


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
        self._done = False
        # wbits 47 accepts a zlib or gzip header; "deflate" is zlib-wrapped unless proven raw.
        self._d = zlib.decompressobj(15 if encoding == "deflate" else 47)

    def feed(self, raw: bytes, room: int) -> bytes:
        """Inflate raw bytes into at most `room` bytes (room >= 1: max_length 0 means no limit)."""
        if self.encoding in ("identity", ""):
            return raw
        if self._first and self.encoding == "deflate" and not _zlib_header(raw):
            self._d = zlib.decompressobj(-15)  # raw deflate, as some servers send
        self._first = False
        out = bytearray()
        data = raw
        while data and not self._done and len(out) < room:
            if self._d.eof:  # another gzip member may follow; anything else is trailing junk
                if self.encoding == "deflate" or not data.startswith(b"\x1f\x8b"):
                    self._done = True
                    break
                self._d = zlib.decompressobj(31)
            out += self._d.decompress(data, room - len(out))
            # Output left undelivered means the body inflates past the cap: stop right here.
            self.overflow = bool(self._d.unconsumed_tail)
            if self.overflow:
                break
            data = self._d.unused_data if self._d.eof else b""
        return bytes(out)


def _zlib_header(raw: bytes) -> bool:
    return len(raw) >= 2 and raw[0] & 0x0F == 8 and ((raw[0] << 8) | raw[1]) % 31 == 0


def _mb(n: int) -> str:
    return f"{n / 1_000_000:g} MB"


# getaddrinfo's words when a name does not resolve: offline, or a mistyped host.
_DNS_FAILED = re.compile(r"name or service|name resolution|nodename nor servname", re.I)


def describe_http_error(exc: httpx.HTTPError) -> str:
    """One line in plain words; the detail goes to the log, not the screen."""
    text = str(exc)
    tls = _find_cause(exc, ssl.SSLError)
    if tls is not None:
        return describe_tls_error(tls)
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out while connecting"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out waiting for the server"
    if isinstance(exc, httpx.ConnectError):
        if "CERTIFICATE" in text.upper() or "SSL" in text:
            return clean_line(f"TLS error: {text}", 160)
        if _find_cause(exc, ConnectionRefusedError) or "refused" in text.lower():
            return "could not connect (connection refused)"
        if _find_cause(exc, socket.gaierror) or re.search(
            r"name or service|name resol", text, re.I
        ):
            return "could not find the server (DNS lookup failed)"
        return clean_line(f"could not connect: {text}", 160)
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection or broke the protocol"
    if isinstance(exc, httpx.DecodingError):
        return "the response could not be decoded"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "not an http(s) address"
    return clean_line(f"network error: {text or type(exc).__name__}", 160)


def describe_tls_error(exc: ssl.SSLError) -> str:
    """'TLS error: certificate verify failed (self-signed certificate)' and the like."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = clean_line(str(exc.verify_message or ""), 80)
        return (
            f"TLS error: certificate verify failed ({why})"
            if why
            else ("TLS error: certificate verify failed")
        )
    reason = clean_line(str(exc.reason or exc), 100).replace("_", " ").lower()
    return f"TLS error: {reason}"


def _find_cause(exc: BaseException, kind: type[_E]) -> _E | None:
    """The first exception of this kind in the __cause__/__context__ chain."""
    seen: BaseException | None = exc
    for _ in range(8):  # __cause__/__context__ chains are short; never loop on a cycle
        if seen is None:
            return None
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
