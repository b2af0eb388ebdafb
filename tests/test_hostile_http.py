"""Hostile servers on loopback: refused connections, silence, trickles, bombs, bad TLS, wrong
content types, and one bad feed among good ones."""

from __future__ import annotations

import asyncio
import functools
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from briefing.config import Config, Settings
from briefing.fetch import FetchLimits, FetchResult, fetch_all, make_client
from briefing.models import Feed, Validators
from briefing.pipeline import refresh
from briefing.store import Store
from tests.helpers import LoopbackServer, rss
from tests.test_fetch import fetch

FEED = rss([{"title": "Good story", "link": "http://example.org/1", "guid": "g1"}])
HTML = b"<!DOCTYPE html><html><head><title>Oops</title></head><body><h1>Error</h1></body></html>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert isinstance(port, int)
    return port


async def test_connection_refused() -> None:
    result = await fetch(f"http://127.0.0.1:{free_port()}/feed")
    assert not result.ok and result.status == "could not connect (connection refused)"


@pytest.mark.slow  # a timing guard rail: a generous bound, not a benchmark
async def test_trickling_server_hits_the_total_deadline(server: LoopbackServer) -> None:
    def trickle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "100000")
        h.end_headers()
        while not server.release.is_set():  # a byte every 0.2 s: httpx's read timeout never fires
            h.wfile.write(b"<")
            h.wfile.flush()
            server.release.wait(0.2)

    server.routes["/slow"] = trickle
    started = time.monotonic()
    result = await fetch(server.url("/slow"), timeout=1.5)
    assert not result.ok and result.status == "timed out after 1.5 s"
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (403, "HTTP 403 Forbidden"),
        (410, "HTTP 410 Gone"),
        (500, "HTTP 500 Internal Server Error"),
        (503, "HTTP 503 Service Unavailable"),
    ],
)
async def test_error_statuses_with_html_bodies(
    server: LoopbackServer, status: int, expected: str
) -> None:
    server.reply("/f", HTML, status=status, headers={"Content-Type": "text/html"})
    result = await fetch(server.url("/f"))
    assert not result.ok and result.status == expected and result.body is None


def one_feed_config(server: LoopbackServer, tmp_path: Path, timeout: float = 5) -> Config:
    feed = Feed(name="only", url=server.url("/f"))
    return Config(feeds=(feed,), settings=Settings(store=tmp_path / "s.db", timeout=timeout))


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "text/plain"}, {}, {"Content-Type": "application/octet-stream"}],
    ids=["text-plain", "no-content-type", "octet-stream"],
)
async def test_valid_feed_with_wrong_or_no_content_type_still_parses(
    server: LoopbackServer, tmp_path: Path, headers: dict[str, str]
) -> None:
    server.reply("/f", FEED, headers=headers)
    report = await refresh(one_feed_config(server, tmp_path), tmp_path / "s.db")
    (status,) = report.feeds
    assert status.ok and status.new_stories == 1, status.status


async def test_html_served_as_a_feed_is_reported(server: LoopbackServer, tmp_path: Path) -> None:
    server.reply("/f", HTML, headers={"Content-Type": "application/rss+xml"})
    report = await refresh(one_feed_config(server, tmp_path), tmp_path / "s.db")
    (status,) = report.feeds
    assert not status.ok and status.status == "not a feed (HTML page)"


@functools.cache
def gzip_bomb() -> bytes:
    """~1 MB of gzip that inflates to 1 GB of zeros, built in a streaming way."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1_000_000)
    return b"".join(packer.compress(zeros) for _ in range(1000)) + packer.flush()


def serve_bomb(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Encoding", "gzip")
    h.send_header("Content-Length", str(len(gzip_bomb())))
    h.end_headers()
    h.close_connection = True  # the client hangs up early: do not wait for another request
    h.wfile.write(gzip_bomb())


@pytest.mark.slow  # a timing guard rail: a generous bound, not a benchmark
async def test_gzip_bomb_is_refused_quickly_with_bounded_memory(server: LoopbackServer) -> None:
    assert len(gzip_bomb()) < 1_100_000
    server.routes["/bomb"] = serve_bomb
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = await fetch(server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not result.ok and result.status == "response larger than 10 MB"
    assert time.monotonic() - started < 10
    # The cap holds while inflating: a whole 64 kB network chunk would inflate to 64 MB.
    assert peak / 1e6 < 50, f"peak {peak / 1e6:.0f} MB"


# -- TLS -----------------------------------------------------------------------------------------


def self_signed(folder: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a self-signed certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def https_url(tmp_path: Path) -> Iterator[str]:
    cert, key = self_signed(tmp_path)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    class Quiet(ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # the client refusing our certificate is the point

    httpd = Quiet(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}/feed"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


async def test_invalid_tls_certificate_is_reported_not_ignored(https_url: str) -> None:
    result = await fetch(https_url)
    assert not result.ok and result.body is None
    assert result.status.startswith("TLS error: certificate verify failed"), result.status
    assert "\n" not in result.status and len(result.status) < 120


async def test_plain_http_to_a_tls_port_is_a_plain_status(https_url: str) -> None:
    result = await fetch(https_url.replace("https:", "http:"))
    assert not result.ok and result.status and "\n" not in result.status


# -- one bad feed among good ones ----------------------------------------------------------------


async def test_one_hanging_feed_never_delays_the_others(server: LoopbackServer) -> None:
    server.hang("/hang")
    feeds = [Feed("hang", server.url("/hang"))]
    for n in range(4):
        server.reply(f"/good{n}", FEED)
        feeds.append(Feed(f"good{n}", server.url(f"/good{n}")))
    limits = FetchLimits(timeout=3, concurrency=4)
    arrivals: list[tuple[float, FetchResult]] = []
    started = time.monotonic()

    async def collect() -> None:
        async with make_client(limits) as client:
            async for result in fetch_all(client, feeds, lambda f: Validators(), limits):
                arrivals.append((time.monotonic() - started, result))

    await asyncio.wait_for(collect(), 20)
    names = [r.feed.name for _, r in arrivals]
    assert names[-1] == "hang" and sorted(names[:-1]) == [f"good{n}" for n in range(4)]
    assert all(r.ok for _, r in arrivals[:-1])
    hang_at, hung = arrivals[-1]
    assert hung.status == "timed out after 3 s"
    assert all(at < hang_at for at, _ in arrivals[:-1])
    assert hang_at < 10


async def test_refresh_stores_good_feeds_despite_hostile_ones(
    server: LoopbackServer, tmp_path: Path
) -> None:
    gzip_bomb()  # built before the clock starts (it takes a second or two)
    server.hang("/hang")
    server.reply("/good", FEED)
    server.reply("/html", HTML, headers={"Content-Type": "text/html"})
    server.routes["/bomb"] = serve_bomb
    server.reply("/garbage", b"\x00\xff" * 1000)
    paths = ["/hang", "/good", "/html", "/bomb", "/garbage", "/missing"]
    feeds = tuple(Feed(name=p.strip("/"), url=server.url(p)) for p in paths)
    config = Config(feeds=feeds, settings=Settings(store=tmp_path / "s.db", timeout=2))
    report = await asyncio.wait_for(refresh(config, tmp_path / "s.db"), 20)
    statuses = {f.name: f.status for f in report.feeds}
    assert statuses == {
        "hang": "timed out after 2 s",
        "good": "ok, 1 new",
        "html": "not a feed (HTML page)",
        "bomb": "response larger than 10 MB",
        "garbage": "not a feed (unreadable XML)",
        "missing": "HTTP 404 Not Found",
    }
    with Store(tmp_path / "s.db") as store:
        assert [s.title for s in store.stories()] == ["Good story"]
