"""Shared fixtures: isolated user dirs, a loopback HTTP server, the spaCy pipeline (helpers that
are not fixtures live in tests/helpers.py)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from briefing.entities import ModelMissing, Recognizer
from tests.helpers import LoopbackServer


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


@pytest.fixture(scope="session")
def recognizer() -> Iterator[Recognizer]:
    """The real spaCy pipeline, loaded once per test process (each xdist worker)."""
    rec = Recognizer()
    try:
        rec.load()
    except ModelMissing as exc:
        pytest.skip(str(exc))
    yield rec
