"""Full article text: fetching story pages from a loopback server, extraction, cache, enrichment.

Every page here is fictional and written for these tests, shaped like a real news page: a
navigation bar, a cookie banner, related links, a comments section and a footer around the
article body, so boilerplate removal is actually exercised.
"""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

from briefing import fulltext as articles
from briefing.config import Config, Settings
from briefing.entities import Recognizer, model_version
from briefing.fulltext import ArticleResult, extract, fetch_articles, improve_threads
from briefing.models import PERSON, Article, Feed, Mention, Progress, Story
from briefing.pipeline import enrich_store, ingest, refresh
from briefing.store import Store
from tests.helpers import LoopbackServer, rss

FEED_URL = "http://127.0.0.1/feed.xml"
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

NAV = """
<header class="site-header"><a href="/">The Harbour Courier</a>
<nav><ul><li><a href="/world">World</a></li><li><a href="/business">Business</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/culture">Culture</a></li>
<li><a href="/opinion">Opinion</a></li><li><a href="/newsletters">Newsletters</a></li></ul></nav>
</header>
<div id="cookie-banner" class="cookie-consent">We use cookies to improve your experience and
for advertising. <button>Accept all cookies</button> <button>Manage preferences</button></div>
"""
RELATED = """
<aside class="related"><h3>Most read</h3><ul>
<li><a href="/a1">Storm closes mountain passes for a third day</a></li>
<li><a href="/a2">Quiz: how well do you know your capital cities?</a></li>
<li><a href="/a3">Bakery chain recalls almond croissants</a></li></ul></aside>
"""
COMMENTS = """
<section id="comments" class="comments"><h2>Comments (3)</h2>
<div class="comment"><p>PortWatcher77: About time somebody fixed the ferry queues.</p></div>
<div class="comment"><p>Grumpy_Sailor: Another white elephant paid for by taxpayers.</p></div>
</section>
"""
FOOTER = """
<footer class="site-footer"><p>Copyright 2026 Harbour Courier Media Group. All rights
reserved.</p><ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of
use</a></li><li><a href="/contact">Contact the newsroom</a></li></ul>
<p>Sign up for the Morning Tide newsletter.</p></footer>
"""

FERRY_BODY = [
    "Lisbon's port authority approved plans on Tuesday for a new ferry terminal on the south "
    "bank of the Tagus, ending a dispute that had delayed the project for almost four years.",
    "The terminal, designed by the architect Ana Ribeiro, will handle up to forty thousand "
    "passengers a day and replace two ageing piers that flood during winter storms.",
    "Funding comes largely from the European Investment Bank, which agreed a loan of 210 "
    "million euros in January, with the rest paid by the municipality of Almada.",
    "Ribeiro told reporters that the building would use tidal pumps to cool its waiting halls, "
    "cutting energy use by a third compared with the piers it replaces.",
    "Residents' associations in Cacilhas had objected to the loss of a riverside garden, and "
    "the final design keeps most of the garden as a public roof terrace above the ticket hall.",
    "Construction is expected to start in the autumn and last about thirty months, during "
    "which ferries will run from a temporary pontoon five hundred metres upstream.",
]


def page(
    body: Sequence[str],
    *,
    title: str = "Lisbon approves ferry terminal",
    head: str = "",
    extra: str = "",
) -> bytes:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in body)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | The Harbour Courier</title>
{head}</head><body>{NAV}
<main><article><h1>{title}</h1>
<p class="byline">By Staff Reporter, 10 March 2026</p>
<div class="article-body">{paragraphs}</div>{extra}</article>{RELATED}</main>
{COMMENTS}{FOOTER}</body></html>""".encode()


def html_route(server: LoopbackServer, path: str, body: bytes, **headers: str) -> str:
    server.reply(path, body, headers={"Content-Type": "text/html; charset=utf-8", **headers})
    return server.url(path)


def story(n: int, link: str, *, title: str = "", summary: str = "", hours: int = 0) -> Story:
    when = NOW + timedelta(hours=hours)
    return Story(
        id=f"s{n}",
        feed_url=FEED_URL,
        source="Harbour Courier",
        title=title or f"Story number {n}",
        link=link,
        summary=summary,
        published=when,
        first_seen=when,
    )


def config(timeout: float = 5.0, max_bytes: int = 10_000_000) -> Config:
    feed = Feed(name="Harbour Courier", url=FEED_URL, full_text=True)
    return Config(feeds=(feed,), settings=Settings(timeout=timeout, max_bytes=max_bytes))


def hits(server: LoopbackServer, path: str) -> int:
    return sum(1 for p, _ in server.requests if p == path)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "briefing.db"


def add(db: Path, *stories: Story) -> None:
    with Store(db) as store:
        store.add_stories(stories)


async def run(
    db: Path,
    ids: Sequence[str],
    *,
    cfg: Config | None = None,
    force: bool = False,
    cancel: threading.Event | None = None,
    progress: list[Progress] | None = None,
) -> dict[str, ArticleResult]:
    results = await fetch_articles(
        cfg or config(),
        db,
        ids,
        force=force,
        cancel=cancel,
        progress=None if progress is None else progress.append,
        enrich=False,
    )
    return {r.story_id: r for r in results}


def stored(db: Path, story_id: str) -> Article | None:
    with Store(db) as store:
        return store.article(story_id)


BOILERPLATE = (
    "Accept all cookies", "We use cookies", "Most read", "Storm closes mountain passes",
    "Privacy policy", "Copyright 2026", "PortWatcher77", "white elephant", "Newsletters",
    "Morning Tide", "Business",
)  # fmt: skip


# ---------------------------------------------------------------- extraction


def test_extract_keeps_the_body_and_drops_the_page_around_it() -> None:
    found = extract(page(FERRY_BODY), "https://courier.example/ferry", "text/html")
    assert found.status == "ok", found.message
    for paragraph in FERRY_BODY:
        assert paragraph in found.text
    for junk in BOILERPLATE:
        assert junk not in found.text, junk
    assert found.text.count("\n\n") == len(FERRY_BODY) - 1  # paragraphs kept apart
    assert found.words == len(" ".join(FERRY_BODY).split())
    assert "courier.example" in found.message


def test_extract_statuses_for_thin_and_non_html_pages() -> None:
    assert extract(page(["Watch the video."]), "http://x/v", "text/html").status in (
        "too_short",
        "empty",
    )
    blank = b"<!DOCTYPE html><html><head><title>t</title></head><body><div></div></body></html>"
    assert extract(blank, "http://x/e", "text/html").status == "empty"
    assert extract(page([]), "http://x/h", "text/html").status == "too_short"  # a headline
    short = extract(page(FERRY_BODY[:1]), "http://x/s", "text/html")
    assert short.status == "too_short" and "only" in short.message
    pdf = extract(b"%PDF-1.7 binary", "http://x/p.pdf", "application/pdf")
    assert pdf.status == "not_html" and "application/pdf" in pdf.message
    # No declared type: sniffed. A feed or JSON is not an article page.
    assert extract(b'{"a": 1}', "http://x/j", "").status == "not_html"
    assert extract(page(FERRY_BODY), "http://x/a", "").status == "ok"


PAYWALL = (
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
    '"NewsArticle", "isAccessibleForFree": false, "hasPart": {"@type": "WebPageElement", '
    '"isAccessibleForFree": false, "cssSelector": ".paywalled"}}</script>'
)
PAYWALL_BOX = (
    '<div class="paywall"><h2>Subscribe to continue reading</h2><p>Already a subscriber? '
    '<a href="/login">Log in</a></p></div>'
)


def test_extract_reports_a_paywall_with_its_teaser() -> None:
    found = extract(page(FERRY_BODY[:1], head=PAYWALL, extra=PAYWALL_BOX), "http://x/p", "")
    assert found.status == "paywalled"
    assert "paywall" in found.message
    assert FERRY_BODY[0] in found.text  # the teaser is kept for the reader
    # Markers alone (no json-ld) are enough on a thin page ...
    assert extract(page(FERRY_BODY[:2], extra=PAYWALL_BOX), "http://x/q", "").status == (
        "paywalled"
    )
    # ... but a full free article that merely mentions subscriptions is not paywalled.
    free = page(FERRY_BODY * 3, extra="<p>Subscribe to read our weekly newsletter.</p>")
    assert extract(free, "http://x/f", "").status == "ok"


HOSTILE_BODY = [
    "The harbour master\x1b[31m warned\x1b[0m of strong currents near the \x1b]8;;"
    "http://evil.example/\x07new pier\x1b]8;;\x07 this week, and of a fault in the lights.",
    "Ferry crews\x1b]52;c;cm0gLXJmIH4=\x07 were told to slow down after dusk [bold red]ALERT"
    "[/bold red] and to keep to the marked channel until the lights are repaired next month.",
    "Officials said the\u202e reversed text\u202c and zero\u200b width marks &#27;[2J came "
    "from a faulty &#x9b;6n notice board that had been pasting old bulletins onto the website.",
    "Repairs to the lights are expected to take about three weeks, the port authority said, "
    "and night crossings will run every forty minutes instead of every twenty until then.",
]


def assert_clean(text: str) -> None:
    bad = [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    assert not bad, bad
    marks = ("\u202e", "\u202c", "\u200b", "]8;;", "]52;", "cm0gLXJmIH4=", "[31m", "[2J", "6n")
    for mark in marks:
        assert mark not in text


def test_extract_never_lets_escapes_through() -> None:
    found = extract(page(HOSTILE_BODY), "http://x/h", "text/html; charset=utf-8")
    assert found.status == "ok", found.message
    assert_clean(found.text)
    assert "strong currents" in found.text and "three weeks" in found.text
    # Rich markup is just text here; the UI renders it with Text objects, never as markup.
    assert "[bold red]ALERT[/bold red]" in found.text


def test_extract_caps_the_text_and_survives_garbage() -> None:
    huge = page([FERRY_BODY[0] + f" Item {i}." for i in range(2000)])
    found = extract(huge, "http://x/huge", "text/html")
    assert found.status == "ok" and len(found.text) <= articles.ARTICLE_MAX
    for junk in (b"<html><body><p>" + b"<a" * 50_000, b"\xff\xfe<html>\x00\x00", b""):
        assert extract(junk, "http://x/g", "text/html").status in articles.STATUSES


# ---------------------------------------------------------------- fetching through the store


async def test_fetch_stores_the_text_and_hits_the_cache_the_second_time(
    server: LoopbackServer, db: Path
) -> None:
    link = html_route(server, "/ferry", page(FERRY_BODY))
    add(db, story(1, link, title="Ferry terminal approved", summary="A terminal was approved."))
    events: list[Progress] = []
    first = await run(db, ["s1"], progress=events)
    assert first["s1"].status == "ok" and not first["s1"].cached
    assert first["s1"].words == len(" ".join(FERRY_BODY).split())
    art = stored(db, "s1")
    assert art is not None and art.ok and art.url == link
    assert FERRY_BODY[3] in art.text and "Accept all cookies" not in art.text
    assert [e.stage for e in events] == ["articles", "articles"]
    assert (events[-1].done, events[-1].total) == (1, 1)
    assert hits(server, "/ferry") == 1

    again = await run(db, ["s1"])
    assert again["s1"].cached and again["s1"].status == "ok"
    assert again["s1"].message == first["s1"].message
    assert hits(server, "/ferry") == 1  # served from the store

    forced = await run(db, ["s1"], force=True)
    assert not forced["s1"].cached and hits(server, "/ferry") == 2


async def test_results_follow_the_order_given_and_skip_unknown_ids(
    server: LoopbackServer, db: Path
) -> None:
    links = [html_route(server, f"/p{i}", page(FERRY_BODY)) for i in range(3)]
    add(db, *(story(i, link) for i, link in enumerate(links)))
    results = await fetch_articles(config(), db, ["s2", "nope", "s0", "s2"], enrich=False)
    assert [r.story_id for r in results] == ["s2", "s0"]
    assert hits(server, "/p1") == 0 and hits(server, "/p2") == 1


async def test_failures_have_plain_statuses_and_nothing_crashes(
    server: LoopbackServer, db: Path
) -> None:
    # Connection: close, as the client drops these unread (else the server logs a reset).
    close = {"Connection": "close"}
    server.reply("/pdf", b"%PDF-1.7 " + b"x" * 500, headers={"Content-Type": "application/pdf"})
    server.reply("/gone", b"gone", status=404, headers=close)
    server.reply("/busy", b"busy", status=503, headers=close)
    server.reply("/loop", status=302, headers={"Location": "file:///etc/passwd", **close})
    paywall = html_route(server, "/paywall", page(FERRY_BODY[:1], head=PAYWALL, extra=PAYWALL_BOX))
    add(
        db,
        story(1, server.url("/pdf")),
        story(2, server.url("/gone")),
        story(3, server.url("/loop")),
        story(4, paywall),
        story(5, "javascript:alert(document.cookie)"),
        story(6, ""),
        story(7, "file:///etc/passwd"),
        story(8, server.url("/busy")),
    )
    got = await run(db, [f"s{i}" for i in range(1, 9)])
    assert {k: r.status for k, r in got.items()} == {
        "s1": "not_html", "s2": "gone", "s3": "refused", "s4": "paywalled",
        "s5": "refused", "s6": "refused", "s7": "refused", "s8": "failed",
    }  # fmt: skip
    assert "HTTP 404" in got["s2"].message
    assert "non-http" in got["s3"].message
    assert "paywall" in got["s4"].message
    assert "javascript:" in got["s5"].message and "no web link" in got["s6"].message
    paths = ("/pdf", "/gone", "/busy", "/loop", "/paywall")
    assert all(p in paths for p, _ in server.requests)
    # A failure that may pass (503) is retried; every other answer is final and cached.
    again = await run(db, [f"s{i}" for i in range(1, 9)])
    assert {k for k, r in again.items() if not r.cached} == {"s8"}
    assert hits(server, "/busy") == 2 and hits(server, "/gone") == 1 and hits(server, "/pdf") == 1


async def test_a_public_feed_cannot_send_us_to_private_addresses(
    server: LoopbackServer, db: Path
) -> None:
    # Article links are the feed's choice: a feed on the internet may not make briefing
    # request 127.0.0.1 or the LAN, directly or by redirect. A feed on such a host may.
    inside = html_route(server, "/ferry", page(FERRY_BODY))
    public = "https://news.example/feed.xml"
    add(db, replace(story(1, inside), feed_url=public), story(2, inside + "?again"))

    def redirect(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": inside})

    add(db, replace(story(3, "https://news.example/a"), feed_url=public))
    got = await run(db, ["s1", "s2"])
    assert got["s1"].status == "refused" and "private or local" in got["s1"].message
    assert got["s2"].status == "ok"  # its feed is on 127.0.0.1 too
    assert [p for p, _ in server.requests] == ["/ferry?again"]  # s1 never reached it
    results = await fetch_articles(
        config(), db, ["s3"], transport=httpx.MockTransport(redirect), enrich=False
    )
    assert results[0].status == "refused" and len(server.requests) == 1


async def test_the_size_cap_holds_for_plain_and_compressed_pages(
    server: LoopbackServer, db: Path
) -> None:
    big = page([FERRY_BODY[0]] * 3000)  # about 600 KB
    html_route(server, "/big", big, Connection="close")  # dropped unread
    bomb = gzip.compress(b"<html><body><p>" + b"a " * 2_000_000)  # inflates to 4 MB
    gz = {"Content-Type": "text/html", "Content-Encoding": "gzip", "Connection": "close"}
    server.reply("/bomb", bomb, headers=gz)
    add(db, story(1, server.url("/big")), story(2, server.url("/bomb")))
    got = await run(db, ["s1", "s2"], cfg=config(max_bytes=200_000))
    for r in got.values():
        assert r.status == "failed" and "larger than 0.2 MB" in r.message, r.message


@pytest.mark.slow  # a timing guard rail: a generous bound, not a benchmark
async def test_a_hanging_page_is_cut_at_the_total_deadline(
    server: LoopbackServer, db: Path
) -> None:
    def trickle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.send_header("Connection", "close")
        h.end_headers()
        for _ in range(100):  # a byte every 0.1 s resets any per-read timeout
            if server.release.wait(0.1):
                return
            h.wfile.write(b" ")
            h.wfile.flush()

    server.routes["/slow"] = trickle
    link = html_route(server, "/fast", page(FERRY_BODY))
    add(db, story(1, server.url("/slow")), story(2, link))
    started = time.perf_counter()
    got = await run(db, ["s1", "s2"], cfg=config(timeout=1.0))
    assert time.perf_counter() - started < 4
    assert got["s1"].status == "failed" and "timed out after 1 s" in got["s1"].message
    assert got["s2"].status == "ok"  # one slow page never holds the others back


async def test_escapes_in_a_served_page_never_reach_the_store(
    server: LoopbackServer, db: Path
) -> None:
    link = html_route(server, "/hostile", page(HOSTILE_BODY))
    add(db, story(1, link))
    got = await run(db, ["s1"])
    art = stored(db, "s1")
    assert got["s1"].status == "ok" and art is not None
    assert_clean(art.text)
    assert_clean(art.message)


async def test_extraction_runs_off_the_event_loop(
    server: LoopbackServer, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    real = articles.extract

    def spy(html: bytes, url: str, content_type: str = "") -> articles.Extraction:
        threads.append(threading.get_ident())
        return real(html, url, content_type)

    monkeypatch.setattr(articles, "extract", spy)
    add(db, story(1, html_route(server, "/ferry", page(FERRY_BODY))))
    assert (await run(db, ["s1"]))["s1"].status == "ok"
    assert threads and threading.get_ident() not in threads


async def test_cancel_stops_before_fetching(server: LoopbackServer, db: Path) -> None:
    add(db, story(1, html_route(server, "/ferry", page(FERRY_BODY))))
    cancel = threading.Event()
    cancel.set()
    got = await run(db, ["s1"], cancel=cancel)
    assert got["s1"].status == "cancelled" and not server.requests
    assert stored(db, "s1") is None  # nothing cached: it is fetched next time


@pytest.mark.slow  # a timing guard rail: a generous bound, not a benchmark
async def test_cancel_stops_a_page_that_hangs(server: LoopbackServer, db: Path) -> None:
    server.hang("/hang")
    add(db, story(1, server.url("/hang")))
    cancel = threading.Event()
    threading.Timer(0.3, cancel.set).start()
    started = time.perf_counter()
    got = await run(db, ["s1"], cfg=config(timeout=20), cancel=cancel)
    assert time.perf_counter() - started < 5  # not the 20 s deadline
    assert got["s1"].status == "cancelled"
    assert stored(db, "s1") is None


async def test_one_story_failing_to_save_does_not_stop_the_others(
    server: LoopbackServer, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = page(FERRY_BODY)
    add(db, story(1, html_route(server, "/a", body)), story(2, html_route(server, "/b", body)))
    save = Store.save_article

    def flaky(self: Store, article: Article) -> bool:
        if article.story_id == "s1":
            raise sqlite3.OperationalError("database is locked")
        return save(self, article)

    monkeypatch.setattr(Store, "save_article", flaky)
    got = await run(db, ["s1", "s2"])
    assert got["s1"].status == "failed" and "OperationalError" in got["s1"].message
    assert got["s2"].status == "ok" and stored(db, "s2") is not None


# ---------------------------------------------------------------- store


def test_store_queries_for_articles(db: Path) -> None:
    add(db, story(1, "http://a/1"), story(2, "http://a/2", hours=1), story(3, "", hours=2))
    with Store(db) as store:
        other = story(9, "http://b/9")
        other.feed_url = "http://other/feed"
        store.add_stories([other])
        assert store.stories_needing_articles([FEED_URL]) == ["s2", "s1"]  # newest first
        assert store.stories_needing_articles([]) == []
        when = NOW
        store.save_article(Article("s2", "ok", "m", "The Tagus ferry plan.", "http://a/2", when))
        store.save_article(Article("s1", "failed", "timed out", "", "http://a/1", when))
        assert not store.save_article(Article("zz", "ok", "m", "x", "", when))
        assert store.cached_articles(["s1", "s2", "s3"]) == {"s2"}
        # A failed fetch is retried, but only after a pause.
        assert store.stories_needing_articles([FEED_URL], now=when) == []
        later = when + timedelta(hours=7)
        assert store.stories_needing_articles([FEED_URL], now=later) == ["s1"]

        # Article text is searchable (its full-text index is kept by triggers).
        def found(words: str) -> list[str]:
            return [s.id for s in store.stories(search=words)]

        assert found("tagus ferr") == ["s2"]
        store.save_article(Article("s2", "ok", "m", "Now about trams.", "http://a/2", when))
        assert found("tagus") == [] and found("trams") == ["s2"]


# ---------------------------------------------------------------- entities and threads

TRAM_BODY = [
    "Porto's city council voted on Monday to extend the tram line along the river to the "
    "fishing quarter, reversing a decision taken by the previous administration.",
    "The extension adds six stops over four kilometres and will use low-floor vehicles bought "
    "second-hand from a network in the north that is replacing its fleet this year.",
    "Opposition councillors said the cost estimate left out the relocation of water mains "
    "under the riverside road, which could add months to the works.",
    "The council expects the first trams to run on the new section within three years, with "
    "buses covering the route while the road is closed for the rails to be laid.",
]


async def test_article_text_is_annotated_with_entities_the_summary_lacks(
    server: LoopbackServer, db: Path, recognizer: Recognizer
) -> None:
    link = html_route(server, "/ferry", page(FERRY_BODY))
    add(db, story(1, link, title="Ferry terminal approved in Lisbon", summary="Work starts soon."))
    results = await fetch_articles(config(), db, ["s1"], recognizer=recognizer)
    assert results[0].status == "ok"
    with Store(db) as store:
        art = store.article("s1")
        assert art is not None
        mentions = store.story_mentions("s1")
        fields = {m.field for m in mentions}
        assert fields == {"title", "article"}  # the summary names nobody
        article = [m for m in mentions if m.field == "article"]
        names = {m.name for m in article}
        assert {"Ana Ribeiro", "European Investment Bank"} <= names, names
        assert "Lisbon" in {m.name for m in mentions if m.field == "title"}
        for m in article:  # offsets index the stored article text
            assert art.text[m.start : m.end] in (m.name, m.name.split()[-1]), m
        ribeiro = {m.key for m in article if "Ribeiro" in art.text[m.start : m.end]}
        assert len(ribeiro) == 1  # "Ribeiro" alone is the same person
        assert store.entity(next(iter(ribeiro))) is not None  # counted store-wide
        # The usual annotation pass leaves the article's mentions alone ...
        enrich_store(store, threads=False)
        assert store.story_mentions("s1") == mentions
        assert store.articles_to_annotate("a newer model") != []  # ... until the model changes


def tram_and_ferry_store(db: Path) -> None:
    """Two stories carry the ferry report's text; a third has only a headline (its own thread)."""
    with Store(db) as store:
        ferry_a = " ".join(FERRY_BODY[:3])
        ferry_b = " ".join(FERRY_BODY[2:5])
        stories = [
            story(1, "http://a/1", title="Ferry terminal approved", summary=ferry_a),
            story(2, "http://b/2", title="New ferry terminal", summary=ferry_b, hours=1),
            story(3, "http://c/3", title="Tram line extended", summary=" ".join(TRAM_BODY)),
            story(4, "http://d/4", title="Planners reach verdict on harbour scheme", hours=2),
        ]
        ingest(store, stories, entities=False)


def test_richer_text_merges_threads_only_through_a_recorded_merge(db: Path) -> None:
    tram_and_ferry_store(db)
    with Store(db) as store:
        ferry, tram, lone = (store.story(i) for i in ("s1", "s3", "s4"))
        assert (
            ferry and tram and lone and len({ferry.thread_id, tram.thread_id, lone.thread_id}) == 3
        )
        assert store.story("s2").thread_id == ferry.thread_id
        text = "\n\n".join(FERRY_BODY)
        store.save_article(Article("s4", "ok", "m", text, "http://d/4", NOW))
        merged = improve_threads(store, ["s4"])
        assert merged == [(ferry.thread_id, lone.thread_id)]
        assert store.story("s4").thread_id == ferry.thread_id
        record = store.db.execute(
            "SELECT keep FROM thread_merges WHERE gone = ?", (lone.thread_id,)
        )
        assert record.fetchone()[0] == ferry.thread_id  # the move is recorded
        assert lone.thread_id is not None
        assert store.resolve_thread(lone.thread_id) == ferry.thread_id
        assert store.story("s3").thread_id == tram.thread_id


def test_unrelated_article_text_moves_nothing(db: Path) -> None:
    tram_and_ferry_store(db)
    with Store(db) as store:
        before = {i: store.story(i).thread_id for i in ("s1", "s2", "s3", "s4")}
        text = "\n\n".join(["Weather: sunny spells, light winds and a cool evening."] * 20)
        store.save_article(Article("s4", "ok", "m", text, "http://d/4", NOW))
        assert improve_threads(store, ["s4"]) == []
        assert {i: store.story(i).thread_id for i in before} == before
        assert store.db.execute("SELECT count(*) FROM thread_merges").fetchone()[0] == 0
        assert improve_threads(store, ["nope"]) == []


def test_importing_articles_loads_neither_trafilatura_nor_spacy() -> None:
    code = (
        "import sys; sys.modules['httpx._main'] = None\n"
        "import briefing.fulltext, briefing.store.stories\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('trafilatura', 'spacy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_new_text_drops_the_old_article_mentions(db: Path) -> None:
    add(db, story(1, "http://a/1", title="Ribeiro wins"))
    with Store(db) as store:
        store.save_article(Article("s1", "ok", "m", "Ana Ribeiro spoke.", "http://a/1", NOW))
        [(rowid, sid)] = store.articles_to_annotate("v1")
        assert sid == "s1"
        title = Mention("title", 0, 7, PERSON, "person:ana ribeiro", "Ana Ribeiro")
        body = Mention("article", 0, 11, PERSON, "person:ana ribeiro", "Ana Ribeiro")
        assert store.save_article_mentions(rowid, [title], [body], "v1") == {"ana ribeiro"}
        assert store.articles_to_annotate("v1") == [] and store.unannotated("v1") == []
        assert {m.field for m in store.story_mentions("s1")} == {"title", "article"}
        store.save_article(Article("s1", "ok", "m", "Another text.", "http://a/1", NOW))
        assert {m.field for m in store.story_mentions("s1")} == {"title"}  # offsets went stale
        assert store.articles_to_annotate("v1") == [(rowid, "s1")]


def test_a_refresh_batch_saved_after_x_keeps_the_article_mentions(db: Path) -> None:
    # A refresh reads a batch to recognise; meanwhile x saves the article and its mentions;
    # then the refresh saves its batch. The article's mentions must survive that.
    add(db, story(1, "http://a/1", title="Ribeiro wins"))
    with Store(db) as store:
        [(rowid, _, _)] = store.unannotated("v1", 10)
        store.save_article(Article("s1", "ok", "m", "Ana Ribeiro spoke.", "http://a/1", NOW))
        title = Mention("title", 0, 7, PERSON, "person:ribeiro", "Ribeiro")
        body = Mention("article", 0, 11, PERSON, "person:ana ribeiro", "Ana Ribeiro")
        store.save_article_mentions(rowid, [title], [body], "v1")
        store.save_mentions([(rowid, [title])], "v1")
        assert {m.field for m in store.story_mentions("s1")} == {"title", "article"}


def test_annotating_articles_can_be_scoped_and_cancelled(db: Path, recognizer: Recognizer) -> None:
    add(db, story(1, "http://a/1"), story(2, "http://a/2"))
    with Store(db) as store:
        for n in (1, 2):
            text = f"Ana Ribeiro opened terminal {n} in Lisbon."
            store.save_article(Article(f"s{n}", "ok", "m", text, f"http://a/{n}", NOW))
        stopped = threading.Event()
        stopped.set()
        assert articles.annotate_articles(store, recognizer, cancel=stopped) == 0
        assert articles.annotate_articles(store, recognizer, story_ids=["s2"]) == 1
        version = model_version()
        assert [sid for _, sid in store.articles_to_annotate(version)] == ["s1"]
        assert any(m.field == "article" for m in store.story_mentions("s2"))


def test_summary_line_counts_statuses_in_a_fixed_order() -> None:
    results = [
        ArticleResult("a", "failed", ""),
        ArticleResult("b", "ok", ""),
        ArticleResult("c", "too_short", ""),
        ArticleResult("d", "ok", ""),
    ]
    assert articles.summary_line(results) == "Full text: 2 ok, 1 too short, 1 failed"
    assert articles.summary_line([]) == "Full text: nothing to fetch"


def test_extract_reads_the_declared_or_sniffed_encoding() -> None:
    body = [p.replace("Ana Ribeiro", "Ana Ribeiro Gonçalves") for p in FERRY_BODY]
    legacy = page(body).decode().replace("utf-8", "windows-1252").encode("cp1252")
    for content_type in ("text/html", "text/html; charset=windows-1252"):
        assert "Ribeiro Gonçalves" in extract(legacy, "http://x/l", content_type).text
    assert "Gonçalves" in extract(page(body), "http://x/u", "text/html; charset=nope").text


async def test_refresh_fetches_pages_only_for_full_text_feeds(
    server: LoopbackServer, tmp_path: Path
) -> None:
    article = html_route(server, "/ferry", page(FERRY_BODY))
    other = html_route(server, "/other", page(FERRY_BODY))
    item = {"title": "Ferry terminal approved", "guid": "f1", "description": "One line.",
            "pubDate": "Tue, 10 Mar 2026 09:00:00 GMT"}  # fmt: skip
    server.reply("/full.xml", rss([{**item, "link": article}]))
    server.reply("/plain.xml", rss([{**item, "guid": "p1", "link": other}]))
    feeds = (
        Feed(name="Full", url=server.url("/full.xml"), full_text=True),
        Feed(name="Plain", url=server.url("/plain.xml")),
    )
    db = tmp_path / "refresh.db"
    report = await refresh(Config(feeds=feeds, settings=Settings(store=db)), db)
    assert "Full text: 1 ok" in report.notes
    assert hits(server, "/ferry") == 1 and hits(server, "/other") == 0
    with Store(db) as store:
        (full,) = store.stories(feed_url=feeds[0].url)
        text = store.article(full.id)
        assert text is not None and text.ok and "Ana Ribeiro" in text.text
        assert any(m.field == "article" for m in store.story_mentions(full.id))
        assert [s.id for s in store.stories(search="Ribeiro")] == [full.id]  # article text
        assert store.count_stories(search="Ribeiro") == 1
        assert store.count_stories(search="ferry") == 2  # in title and article: counted once
        # One word only in the feed's summary, the other only in the article: still a match.
        assert [s.id for s in store.stories(search="line ribeiro")] == [full.id]
        assert [t.id for t in store.threads(search="line ribeiro")] == [full.thread_id]
    again = await refresh(Config(feeds=feeds, settings=Settings(store=db)), db, force=True)
    assert hits(server, "/ferry") == 1  # cached: never fetched twice
    assert not any(n.startswith("Full text") for n in again.notes)
