"""UI fixtures: sessions served by an httpx MockTransport, so the real fetch/parse path runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from briefing.config import Config, Session, Settings
from briefing.models import Feed

SessionFactory = Callable[[dict[str, bytes]], Session]


@pytest.fixture
def make_session(tmp_path: Path) -> SessionFactory:
    """Feeds named by key, each answering with the given body at https://<key>.test/feed."""

    def build(bodies: dict[str, bytes]) -> Session:
        def handle(request: httpx.Request) -> httpx.Response:
            body = bodies.get(request.url.host.removesuffix(".test"))
            return httpx.Response(404) if body is None else httpx.Response(200, content=body)

        feeds = tuple(Feed(name=name.title(), url=f"https://{name}.test/feed") for name in bodies)
        db = tmp_path / "ui.db"
        settings = Settings(store=db, export_dir=tmp_path / "briefings")
        config = Config(feeds=feeds, settings=settings)
        return Session(config, db, httpx.MockTransport(handle))

    return build
