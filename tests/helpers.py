"""Helpers shared by the tests: feeds to serve, a loopback server's routes, read-only files,
../shared data, waiting for the app. Fixtures are in conftest.py."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from briefing.models import Story

if TYPE_CHECKING:
    from textual.pilot import Pilot


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the app is idle: pending messages handled, every worker (a refresh, a
    brief, a page fetch) finished, and what they posted handled and painted. Waits on the
    workers themselves (as harlequin's wait_for_workers does), never on a fixed delay."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("BRIEFING_SHARED", REPO.parent / "shared"))


def need_shared(relative: str) -> Path:
    """A file from ../shared, or skip the test with the reason."""
    path = shared_dir() / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not beside the repo)")
    return path


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


T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_story(n: int, at: datetime | None = None, **changes: object) -> Story:
    """Story n of outlet A, published and first seen at ``at`` (T0 + n hours by default);
    ``changes`` replaces any field. The one story factory: modules set their own defaults."""
    when = at if at is not None else T0 + timedelta(hours=n)
    base = Story(
        id=f"id{n}",
        feed_url="https://a.example/feed",
        source="Outlet A",
        title=f"Title number {n}",
        link=f"https://a.example/{n}",
        summary=f"Summary {n} about Idlib and the Sochi deal",
        published=when,
        first_seen=when,
    )
    return replace(base, **changes)  # type: ignore[arg-type]
