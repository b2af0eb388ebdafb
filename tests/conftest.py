"""Shared fixtures: isolated user dirs, a programmable loopback HTTP server, a demo session."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from briefing.entities import ModelMissing, Recognizer

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("BRIEFING_SHARED", REPO.parent / "shared"))


def need_shared(relative: str) -> Path:
    """A file from ../shared, or skip the test with the reason."""
    path = shared_dir() / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not beside the repo)")
    return path


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Keep every test away from the real user config, data and state folders."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    for var in ("BRIEFING_FEEDS", "BRIEFING_DB"):
        monkeypatch.delenv(var, raising=False)
    return home


Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class LoopbackServer:
    """A real HTTP server on 127.0.0.1 whose routes the test sets: path -> handler."""

    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int = 0
    # Slow routes wait on this; the fixture sets it when the test ends so they let go.
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def reply(
        self,
        path: str,
        body: bytes = b"",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """A plain route; honours If-None-Match against an ETag header if one is given."""

        def handle(h: BaseHTTPRequestHandler) -> None:
            etag = (headers or {}).get("ETag")
            if etag and h.headers.get("If-None-Match") == etag:
                h.send_response(304)
                h.send_header("ETag", etag)
                h.end_headers()
                return
            h.send_response(status)
            for key, value in (headers or {}).items():
                h.send_header(key, value)
            if "Content-Length" not in (headers or {}):
                h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)

        self.routes[path] = handle

    def hang(self, path: str) -> None:
        """A route that sends nothing until `release` is set (at most 30 s)."""

        def handle(h: BaseHTTPRequestHandler) -> None:
            self.release.wait(30)

        self.routes[path] = handle


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    state = LoopbackServer()

    class Route(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers)))
            handler = state.routes.get(self.path.split("?")[0])
            if handler is None:
                self.send_response(404)
                self.send_header("Content-Length", "9")
                self.end_headers()
                self.wfile.write(b"not found")
                return
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                handler(self)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Route)
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def unwritable(*paths: Path) -> Iterator[None]:
    """Take away write permission on paths (a store and its folder), as for a user who may
    only read them. Root writes through permissions, so as root the files are also made
    immutable (chattr +i); if neither holds, the test is skipped."""
    modes = {p: p.stat().st_mode for p in paths}
    immutable: list[Path] = []
    try:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        if any(os.access(p, os.W_OK) for p in paths) and shutil.which("chattr"):
            for path in paths:
                if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode:
                    break
                immutable.append(path)
        if any(os.access(p, os.W_OK) for p in paths):
            pytest.skip("cannot take write permission away here (root without chattr)")
        yield
    finally:
        for path in reversed(immutable):
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
        for path, mode in modes.items():
            path.chmod(mode)


@pytest.fixture(scope="session")
def recognizer() -> Iterator[Recognizer]:
    """The real spaCy pipeline, loaded once per test process (each xdist worker)."""
    rec = Recognizer()
    try:
        rec.load()
    except ModelMissing as exc:
        pytest.skip(str(exc))
    yield rec


def items(prefix: str, n: int) -> list[dict[str, str]]:
    """n plain items for rss(), a minute apart: "<prefix> story <i>" (n <= 60)."""
    assert n <= 60
    return [
        {
            "title": f"{prefix} story {i}",
            "link": f"http://example.org/{prefix}/{i}",
            "guid": f"{prefix}-{i}",
            "description": f"Text of {prefix} story {i}",
            "pubDate": f"Mon, 16 Nov 2026 10:{i:02d}:00 GMT",
        }
        for i in range(n)
    ]


def rss(items: list[dict[str, str]], title: str = "Test feed") -> bytes:
    """A small RSS 2.0 document; values are inserted as given (tests may pass raw XML)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{title}</title><link>http://example.org/</link><description>t</description>",
    ]
    for item in items:
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in item.items())
        parts.append(f"<item>{fields}</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")
