"""fetch.py against a real loopback HTTP server: status codes, conditional GET, deadlines,
redirects, size caps and content codings."""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from briefing.fetch import MAX_REDIRECTS, FetchLimits, FetchResult, fetch_feed, make_client
from briefing.models import Feed, Validators
from tests.helpers import Handler, LoopbackServer, rss

FEED = rss([{"title": "One", "link": "http://example.org/1", "guid": "g1"}])


async def fetch(
    url: str,
    validators: Validators | None = None,
    *,
    timeout: float = 5.0,
    max_bytes: int = 10_000_000,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FetchResult:
    """One fetch_feed with its own client; a test that hangs past 20 s fails instead."""
    limits = FetchLimits(timeout=timeout, max_bytes=max_bytes)
    async with make_client(limits, transport) as client:
        job = fetch_feed(client, Feed("test", url), validators or Validators(), limits)
        return await asyncio.wait_for(job, 20)


def chunked(chunks: Iterable[bytes], headers: dict[str, str] | None = None) -> Handler:
    """A route answering with Transfer-Encoding: chunked and no Content-Length."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for chunk in chunks:
            h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        h.wfile.write(b"0\r\n\r\n")

    return handle


def redirect(status: int, location: str) -> Handler:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        if location:
            h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return handle


# -- status codes and conditional GET ------------------------------------------------------------


async def test_200_gives_body_headers_and_validators(server: LoopbackServer) -> None:
    server.reply(
        "/f",
        FEED,
        headers={"Content-Type": "application/rss+xml", "ETag": '"v1"', "Last-Modified": "x"},
    )
    result = await fetch(server.url("/f"))
    assert (result.ok, result.status, result.http_status) == (True, "ok", 200)
    assert result.body == FEED
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.validators == Validators(etag='"v1"', last_modified="x")
    assert result.final_url == server.url("/f")
    _, sent = server.requests[0]
    assert sent["User-Agent"].startswith("briefing/")


async def test_etag_conditional_get_gives_not_modified(server: LoopbackServer) -> None:
    server.reply("/f", FEED, headers={"ETag": '"abc"'})
    first = await fetch(server.url("/f"))
    assert first.validators.etag == '"abc"' and first.body == FEED
    second = await fetch(server.url("/f"), first.validators)
    assert server.requests[1][1]["If-None-Match"] == '"abc"'
    assert "If-None-Match" not in server.requests[0][1]
    assert second.ok and second.not_modified and second.status == "not modified"
    assert second.body is None
    assert second.validators == first.validators  # kept for the next time


async def test_last_modified_conditional_get_gives_not_modified(server: LoopbackServer) -> None:
    stamp = "Mon, 16 Nov 2026 10:00:00 GMT"

    def handle(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-Modified-Since") == stamp:
            h.send_response(304)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Last-Modified", stamp)
        h.send_header("Content-Length", str(len(FEED)))
        h.end_headers()
        h.wfile.write(FEED)

    server.routes["/f"] = handle
    first = await fetch(server.url("/f"))
    assert first.validators.last_modified == stamp and first.body == FEED
    second = await fetch(server.url("/f"), first.validators)
    assert server.requests[1][1]["If-Modified-Since"] == stamp
    assert second.not_modified and second.status == "not modified" and second.body is None


async def test_404_is_a_plain_status(server: LoopbackServer) -> None:
    result = await fetch(server.url("/missing"))
    assert not result.ok
    assert result.status == "HTTP 404 Not Found"
    assert result.http_status == 404 and result.body is None


@pytest.mark.parametrize("status", [204, 206])
async def test_odd_2xx_statuses(server: LoopbackServer, status: int) -> None:
    server.reply("/f", b"" if status == 204 else FEED, status=status)
    result = await fetch(server.url("/f"))
    assert result.ok is (status == 206)


async def test_non_ascii_validators_never_break_later_requests(server: LoopbackServer) -> None:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(FEED)))
        h.end_headers()
        h.wfile.write(FEED)

    server.routes["/f"] = handle
    # A validator httpx cannot encode would make every later request of this feed fail.
    result = await fetch(server.url("/f"), Validators(etag='W/"caf\u00e9"', last_modified="\u00e9"))
    assert result.ok, result.status
    assert "If-None-Match" not in server.requests[0][1]


async def test_non_ascii_etag_from_server_is_not_kept(server: LoopbackServer) -> None:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("ETag", '"caf\u00e9"')
        h.send_header("Content-Length", str(len(FEED)))
        h.end_headers()
        h.wfile.write(FEED)

    server.routes["/f"] = handle
    result = await fetch(server.url("/f"))
    assert result.ok and result.validators.etag == ""


# -- deadlines -----------------------------------------------------------------------------------


@pytest.mark.slow  # a timing guard rail: a generous bound, not a benchmark
async def test_server_that_never_answers_times_out_within_deadline(server: LoopbackServer) -> None:
    server.hang("/hang")
    started = time.monotonic()
    result = await fetch(server.url("/hang"), timeout=1.5)
    assert not result.ok and result.status == "timed out after 1.5 s"
    assert time.monotonic() - started < 10


# -- redirects -----------------------------------------------------------------------------------


async def test_redirect_is_followed(server: LoopbackServer) -> None:
    server.routes["/old"] = redirect(301, "/new")
    server.reply("/new", FEED)
    result = await fetch(server.url("/old"))
    assert result.ok and result.body == FEED
    assert result.final_url == server.url("/new")
    assert [p for p, _ in server.requests] == ["/old", "/new"]


async def test_redirect_loop_gives_up_after_five(server: LoopbackServer) -> None:
    server.routes["/loop"] = redirect(302, "/loop")
    result = await fetch(server.url("/loop"))
    assert not result.ok and result.status == f"gave up after {MAX_REDIRECTS} redirects"
    assert len(server.requests) == MAX_REDIRECTS + 1


async def test_five_redirects_are_still_followed(server: LoopbackServer) -> None:
    for n in range(MAX_REDIRECTS):
        server.routes[f"/r{n}"] = redirect(307, f"/r{n + 1}")
    server.reply(f"/r{MAX_REDIRECTS}", FEED)
    result = await fetch(server.url("/r0"))
    assert result.ok and result.body == FEED


@pytest.mark.parametrize(
    "target",
    ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml", "javascript:alert(1)", "data:,<rss/>"],
)
async def test_redirect_to_non_http_scheme_is_refused(server: LoopbackServer, target: str) -> None:
    server.routes["/r"] = redirect(302, target)
    result = await fetch(server.url("/r"))
    assert not result.ok
    assert result.status.startswith("refused redirect to a non-http address")
    assert result.body is None and len(server.requests) == 1


async def test_redirect_without_location(server: LoopbackServer) -> None:
    server.routes["/r"] = redirect(302, "")
    result = await fetch(server.url("/r"))
    assert result.status == "redirect without a location"


# -- size caps -----------------------------------------------------------------------------------


async def test_oversize_with_content_length_is_refused_unread(server: LoopbackServer) -> None:
    server.reply("/big", b"x" * 50_000)
    result = await fetch(server.url("/big"), max_bytes=10_000)
    assert not result.ok and result.status == "response larger than 0.01 MB"
    assert result.body is None


async def test_oversize_chunked_without_length_is_cut_off(server: LoopbackServer) -> None:
    server.routes["/big"] = chunked(b"y" * 1000 for _ in range(200))
    result = await fetch(server.url("/big"), max_bytes=10_000)
    assert not result.ok and result.status == "response larger than 0.01 MB"


async def test_body_exactly_at_the_cap_is_fine(server: LoopbackServer) -> None:
    server.routes["/f"] = chunked([b"z" * 5_000, b"z" * 5_000])
    result = await fetch(server.url("/f"), max_bytes=10_000)
    assert result.ok and result.body == b"z" * 10_000


# -- content codings -----------------------------------------------------------------------------


def gzip_bytes(data: bytes) -> bytes:
    co = zlib.compressobj(6, zlib.DEFLATED, 31)
    return co.compress(data) + co.flush()


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip_bytes),
        ("x-gzip", gzip_bytes),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda d: zlib.compress(d)[2:-4]),  # raw deflate, as some servers send
        ("gzip", lambda d: gzip_bytes(d[:100]) + gzip_bytes(d[100:])),  # two gzip members
    ],
)
async def test_compressed_bodies_are_decoded(
    server: LoopbackServer, coding: str, encode: object
) -> None:
    assert callable(encode)
    server.reply("/f", encode(FEED), headers={"Content-Encoding": coding})
    result = await fetch(server.url("/f"))
    assert result.ok, result.status
    assert result.body == FEED
    assert server.requests[0][1]["Accept-Encoding"] == "gzip, deflate"


async def test_compressed_body_in_many_small_chunks(server: LoopbackServer) -> None:
    packed = gzip_bytes(FEED * 20)
    server.routes["/f"] = chunked(
        [packed[i : i + 7] for i in range(0, len(packed), 7)], {"Content-Encoding": "gzip"}
    )
    result = await fetch(server.url("/f"))
    assert result.body == FEED * 20


async def test_compressed_body_over_the_cap_is_refused(server: LoopbackServer) -> None:
    server.reply("/f", gzip_bytes(b"a" * 200_000), headers={"Content-Encoding": "gzip"})
    result = await fetch(server.url("/f"), max_bytes=100_000)
    assert not result.ok and result.status == "response larger than 0.1 MB"


async def test_corrupt_compression_is_a_plain_status(server: LoopbackServer) -> None:
    server.reply(
        "/f", b"\x1f\x8b\x08\x00garbage-garbage-garbage", headers={"Content-Encoding": "gzip"}
    )
    result = await fetch(server.url("/f"))
    assert not result.ok
    assert result.status == "the response could not be decoded (bad compression)"


async def test_unknown_content_coding_is_refused(server: LoopbackServer) -> None:
    server.reply("/f", b"....", headers={"Content-Encoding": "br"})
    result = await fetch(server.url("/f"))
    assert result.status == "unsupported content encoding 'br'"


# -- statuses are one plain line; details go to the log ------------------------------------------


async def test_failure_detail_goes_to_the_briefing_fetch_log(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.reply("/f", b"\x1f\x8b\x08\x00" + b"garbage-" * 4, headers={"Content-Encoding": "gzip"})
    with caplog.at_level(logging.INFO, logger="briefing.fetch"):
        result = await fetch(server.url("/f"))
    records = [r for r in caplog.records if r.name == "briefing.fetch"]
    assert records and server.url("/f") in records[-1].getMessage()
    assert "error" in records[-1].getMessage()  # the zlib detail, not shown to the user
    assert "\n" not in result.status and "Error -3" not in result.status


async def test_transport_exception_of_any_kind_becomes_a_status() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("something nobody expected")

    result = await fetch("http://feeds.invalid/x", transport=httpx.MockTransport(boom))
    assert not result.ok and result.status == "unexpected error (see the log)"
