"""The bundled offline demo: feeds written for this project, served through an httpx transport.

The demo goes through the real fetch and parse code: only the network is replaced, by a
transport that answers from files in this package (with ETags, so a second refresh gets 304s).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from importlib import resources
from pathlib import Path

import httpx
import platformdirs

from briefing.config import APP, Config, Settings
from briefing.models import Feed

DOMAIN = "example"

# A few stories' web pages, written for the demo like the feeds, so `x` (full text) can be
# tried offline: two articles wrapped in navigation and comments, and one paywalled page.
ARTICLES = {
    "https://anatolia-wire.example/en/world/turkey-and-russia-agree-on-joint-patrols-in-idlib"
    "-under-sochi-deal/202611170037": "anatolia-wire-sochi-patrols.html",
    "https://meridian-post.example/world/2026/nov/18/turkish-and-russian-troops-begin-first"
    "-joint-patrol-near-idlib": "meridian-post-first-patrol.html",
    "https://steppe-herald.example/en/news/48226": "steppe-herald-second-patrol.html",
}


def _files() -> dict[str, bytes]:
    folder = resources.files(__package__).joinpath("feeds")
    return {
        entry.name.removesuffix(".xml"): entry.read_bytes()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".xml")
    }


def demo_feeds() -> tuple[Feed, ...]:
    return tuple(
        Feed(
            name=stem.replace("-", " ").title(),
            url=f"https://{stem}.{DOMAIN}/feed.xml",
            tags=("demo",),
        )
        for stem in _files()
    )


def demo_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP)) / "demo.db"


def demo_config(settings: Settings | None = None, db_path: Path | None = None) -> Config:
    base = settings or Settings()
    return Config(
        feeds=demo_feeds(),
        settings=replace(base, store=db_path or demo_db_path()),
        path=None,
    )


def _article(url: str) -> bytes | None:
    name = ARTICLES.get(url)
    if name is None:
        return None
    return resources.files(__package__).joinpath("articles", name).read_bytes()


def demo_transport() -> httpx.MockTransport:
    """Answers https://<outlet>.example/feed.xml and the demo's article pages; 404 otherwise."""
    files = _files()

    def handle(request: httpx.Request) -> httpx.Response:
        page = _article(str(request.url))
        if page is not None:
            headers = {"Content-Type": "text/html; charset=utf-8"}
            return httpx.Response(200, stream=httpx.ByteStream(page), headers=headers)
        stem = request.url.host.removesuffix(f".{DOMAIN}")
        body = files.get(stem)
        if body is None or request.url.path != "/feed.xml":
            return httpx.Response(404, text="not found")
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"ETag": etag})
        headers = {"ETag": etag, "Content-Type": "application/xml; charset=utf-8"}
        return httpx.Response(200, stream=httpx.ByteStream(body), headers=headers)

    return httpx.MockTransport(handle)
