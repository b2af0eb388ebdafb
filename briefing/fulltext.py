"""Full article text: fetch a story's web page and extract its main text (trafilatura).

Feeds often carry a headline and one sentence. Here the story's link is fetched through the
same hardened client as the feeds (size cap, total deadline, http(s) only, redirects vetted),
the page's main text is extracted off the event loop, sanitised and cached in the store, and
the story's entities are re-annotated with it. Its thread only changes through the recorded
merge path (store.merge_threads), never by moving the story on its own.

trafilatura (~150 ms to import) and spaCy load only when an article is actually extracted.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from briefing.config import Config
from briefing.fetch import FetchLimits, fetch_feed, is_private_host, make_client, until_cancelled
from briefing.models import Article, Feed, Story, Validators
from briefing.safety import clean_block, clean_line, safe_link, strip_controls
from briefing.store import Store

if TYPE_CHECKING:
    from briefing.entities import Recognizer
    from briefing.models import Progress
    from briefing.threads import ThreadItem

__all__ = ["STATUSES", "Article", "ArticleResult", "Extraction", "annotate_articles", "extract"]
__all__ += ["fetch_articles", "improve_threads", "summary_line"]

log = logging.getLogger("briefing.fulltext")

# ok: text extracted. paywalled: the page asks for a subscription (text holds any teaser).
# too_short: so little text it is not the article (video, gallery, live page, teaser).
# empty: no main text found. not_html: the link is a PDF, image, feed... failed: the fetch
# failed (HTTP error, too big, timed out, network); retried later. gone: HTTP 404 or 410, the
# page is not there and asking again will not bring it. refused: no http(s) link, or a
# private address. cancelled: stopped before this story was fetched (nothing stored).
STATUSES = (
    "ok", "paywalled", "too_short", "empty", "not_html", "failed", "gone", "refused", "cancelled"
)  # fmt: skip
ARTICLE_MAX = 60_000  # characters kept: ~10,000 words, longer than nearly any news article
MIN_WORDS = 50  # fewer is a caption or a teaser, not the article
PAYWALL_WORDS = 250  # a paywall page may show a teaser up to about this long
MAX_BYTES = 5_000_000  # an article page larger than this (after decompression) is refused
CONCURRENCY = 4  # pages fetched at once: these are the outlets' own servers, be gentle
HTML_TYPES = ("text/html", "application/xhtml+xml")

_PAYWALL = re.compile(
    r"subscribe (?:now )?to (?:continue|read|keep reading|unlock)|already a (?:subscriber|member)"
    r"|already subscribed|(?:for|only for|exclusive to) (?:paid |paying )?subscribers"
    r"|subscribers? only|(?:log|sign) ?in to (?:continue|read)|to continue reading"
    r"|become a (?:member|subscriber) to (?:read|continue)|this (?:article|story|content) is "
    r"(?:for|available to|reserved for) (?:subscribers|members)|premium (?:article|content)"
)  # matched on lower-cased text: IGNORECASE made it three times slower
_NOT_FREE = re.compile(r"""["']?isaccessibleforfree["']?\s*:\s*["']?false""")
_NUMERIC_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));?")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Extraction:
    status: str  # ok, paywalled, too_short, empty or not_html (see STATUSES)
    message: str  # plain words for the user
    text: str = ""  # sanitised, paragraphs separated by blank lines, at most ARTICLE_MAX
    words: int = 0


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """What fetch_articles did for one story."""

    story_id: str
    status: str  # see STATUSES
    message: str
    words: int = 0
    cached: bool = False  # served from the store, no request made
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# ---------------------------------------------------------------- extraction (pure, sync)


def _is_html(body: bytes, content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    if kind in HTML_TYPES:
        return True
    head = body[:2048].lstrip().lower()
    if kind and kind not in ("text/plain", "application/octet-stream", "binary/octet-stream"):
        return False  # a declared PDF, image, feed or JSON is what it says
    return b"\x00" not in head and (
        head.startswith((b"<!doctype html", b"<html")) or b"<body" in head
    )


def _decode(body: bytes, content_type: str) -> str:
    match = _CHARSET.search(content_type)
    if match:
        try:
            return body.decode(match[1], errors="replace")
        except LookupError:
            pass
    from trafilatura.utils import decode_file  # reads <meta charset>, else detects

    return decode_file(body)


def _control_ref(match: re.Match[str]) -> str:
    code = int(match[1], 16) if match[1] else int(match[2])
    char = chr(code) if code <= 0x10FFFF else ""
    return char if char and not strip_controls(char) else match[0]


def _defuse(page: str) -> str:
    """Escapes go from the markup itself, whole, before parsing: written as "&#27;[2J" too.
    (A control character reaching lxml made trafilatura discard the whole page.)"""
    return strip_controls(_NUMERIC_REF.sub(_control_ref, page))


def _paywalled(low: str) -> bool:
    """Paywall markers in the page, or schema.org's isAccessibleForFree: false."""
    if "isaccessibleforfree" in low and _NOT_FREE.search(low):
        return True
    return _PAYWALL.search(low) is not None


def _paragraphs(text: str) -> str:
    # trafilatura separates paragraphs with one newline; clean_block wants blank lines.
    return clean_block("\n\n".join(text.splitlines()), ARTICLE_MAX)


def extract(html: bytes, url: str, content_type: str = "") -> Extraction:
    """The main text of an article page. Never raises; the status says what was found."""
    if not _is_html(html, content_type):
        kind = clean_line(content_type.split(";")[0], 60) or "unknown type"
        return Extraction("not_html", f"The link is not a web page ({kind}).")
    import trafilatura

    page, raw = "", None
    try:  # a decoder or parser bug on one hostile page must not stop the others
        page = _defuse(_decode(html, content_type))
        raw = trafilatura.extract(
            page, url=url or None, favor_precision=True, include_comments=False,
            include_tables=False, include_images=False, include_links=False, output_format="txt",
        )  # fmt: skip
    except Exception:
        log.exception("extracting %s failed", url)
    text = _paragraphs(raw or "")
    words = len(text.split())
    if words < PAYWALL_WORDS and _paywalled(page.lower()):  # full texts skip the scan
        why = "The page is behind a paywall or needs a login." + (
            f" Only the first {words} words could be read." if words else ""
        )
        return Extraction("paywalled", why, text, words)
    if not words:
        return Extraction("empty", "No article text was found on the page.")
    if words < MIN_WORDS:
        why = f"The page has only {words} words of text: not the whole article (a video page?)."
        return Extraction("too_short", why, text, words)
    return Extraction("ok", f"Full text, {words:,} words, from {_host(url)}.", text, words)


def _host(url: str) -> str:
    try:
        return clean_line(urlsplit(url).hostname or "the page", 100)
    except ValueError:
        return "the page"


# ---------------------------------------------------------------- fetching (async)


def _limits(config: Config, transport: httpx.AsyncBaseTransport | None) -> FetchLimits:
    s = config.settings
    cap, concurrency = min(s.max_bytes, MAX_BYTES), min(s.concurrency, CONCURRENCY)
    # A mock transport (tests, the demo) never touches the network: no DNS look-ups either.
    return FetchLimits(
        timeout=s.timeout,
        max_bytes=cap,
        concurrency=concurrency,
        resolve_hosts=transport is None,
    )


async def _fetch_one(
    client: httpx.AsyncClient, story: Story, limits: FetchLimits
) -> tuple[Article, int]:
    started = time.perf_counter()
    now = datetime.now(UTC)
    link = safe_link(story.link)
    if not link:
        scheme = story.link.split(":", 1)[0][:20] if ":" in story.link else ""
        why = f"a {clean_line(scheme, 20)}: link" if scheme else "no web link"
        message = f"Not fetched: the story has {why}, not an http(s) address."
        return Article(story.id, "refused", message, "", "", now), 0
    # The feed fetcher is reused whole: its deadline, cap, redirect vetting and error words.
    # The link is the feed's choice, not the user's: it may reach a private network address
    # only if the feed itself lives on one (an intranet feed linking to its own pages).
    feed_host = urlsplit(story.feed_url).hostname or ""
    limits = replace(limits, public_only=not is_private_host(feed_host))
    result = await fetch_feed(client, Feed(name=story.source, url=link), Validators(), limits)
    if not result.ok or result.body is None:
        message = f"Could not fetch the page: {result.status or 'no content'}."
        # Only a failure that may pass (a timeout, a 503) is worth asking again later.
        status = "failed"
        if result.status.startswith("refused"):
            status = "refused"
        elif result.http_status in (404, 410):
            status = "gone"
        return Article(story.id, status, message, "", link, now), 0
    content_type = result.headers.get("content-type", "")
    found = await asyncio.to_thread(extract, result.body, result.final_url or link, content_type)
    log.info("%s: %s in %.2f s", link, found.status, time.perf_counter() - started)
    article = Article(story.id, found.status, found.message, found.text, result.final_url, now)
    return article, found.words


async def fetch_articles(
    config: Config,
    db: Store | Path | str,
    story_ids: Sequence[str],
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    force: bool = False,
    enrich: bool = True,
    recognizer: Recognizer | None = None,
) -> list[ArticleResult]:
    """Fetch, extract and cache the full text of these stories, in the order given.

    Cached articles (any status but "failed") are not fetched again unless force is true.
    With enrich, new texts are then annotated with entities and may improve their threads
    through a recorded merge. Never raises for a bad page; one result per known story id.
    """
    from briefing.models import Progress

    notify = progress or (lambda _p: None)
    store = db if isinstance(db, Store) else Store(db)
    try:
        stories = [s for s in (store.story(i) for i in dict.fromkeys(story_ids)) if s]
        cached = set() if force else store.cached_articles([s.id for s in stories])
        results: dict[str, ArticleResult] = {}
        for story in stories:
            if story.id in cached and (art := store.article(story.id)) is not None:
                words = len(art.text.split())
                results[story.id] = ArticleResult(story.id, art.status, art.message, words, True)
        todo = [s for s in stories if s.id not in results]
        limits = _limits(config, transport)
        semaphore = asyncio.Semaphore(limits.concurrency)
        fresh: list[str] = []

        async def one(client: httpx.AsyncClient, story: Story) -> None:
            async with semaphore:
                if cancel is not None and cancel.is_set():
                    results[story.id] = ArticleResult(story.id, "cancelled", "Cancelled.")
                    return
                started = time.perf_counter()
                try:
                    article, words = await _fetch_one(client, story, limits)
                    store.save_article(article)  # on the loop's thread: the store has one writer
                except Exception as exc:  # a bug or a locked store: say so, keep the others going
                    log.exception("full text of %s failed", story.id)
                    why = f"Full text failed ({type(exc).__name__}); details in briefing.log."
                    results[story.id] = ArticleResult(story.id, "failed", why)
                    return
            if article.status == "ok":
                fresh.append(story.id)
            took, sid = time.perf_counter() - started, story.id
            results[sid] = ArticleResult(sid, article.status, article.message, words, False, took)
            done = sum(1 for r in results.values() if not r.cached)
            notify(Progress("articles", done, len(todo), message=f"Full text: {done}/{len(todo)}"))

        if todo:
            notify(Progress("articles", 0, len(todo), message=f"Full text: 0/{len(todo)}"))
            async with make_client(limits, transport) as client:
                work = asyncio.gather(*(one(client, s) for s in todo))
                await until_cancelled(work, cancel)  # quitting never waits on a slow page
            for story in todo:
                results.setdefault(story.id, ArticleResult(story.id, "cancelled", "Cancelled."))
        if enrich and fresh and not (cancel is not None and cancel.is_set()):
            window = timedelta(days=config.settings.join_window_days)
            await asyncio.to_thread(_enrich, store, fresh, window, recognizer, cancel)
        return [results[s.id] for s in stories]
    finally:
        if store is not db:
            store.close()


def summary_line(results: Sequence[ArticleResult]) -> str:
    """'Full text: 3 ok, 1 paywalled, 1 failed' for a status bar or the command line."""
    counts = Counter(r.status for r in results)
    parts = [f"{counts[s]} {s.replace('_', ' ')}" for s in STATUSES if s in counts]
    return "Full text: " + (", ".join(parts) if parts else "nothing to fetch")


# ---------------------------------------------------------------- entities and threads (sync)


def _enrich(
    store: Store,
    story_ids: Sequence[str],
    window: timedelta,
    recognizer: Recognizer | None,
    cancel: threading.Event | None,
) -> None:
    try:  # only the texts just fetched: a model upgrade's backlog is the refresh's work
        annotate_articles(store, recognizer, story_ids=story_ids, cancel=cancel)
        if not (cancel is not None and cancel.is_set()):
            improve_threads(store, story_ids, window)
    except Exception:  # the text is stored either way; enrichment is a bonus
        log.exception("enriching fetched articles failed")


def annotate_articles(
    store: Store,
    recognizer: Recognizer | None = None,
    *,
    story_ids: Sequence[str] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Annotate the ok articles not yet annotated by this model (with their title and summary,
    written together), all of them or those of story_ids; stops between batches on cancel.
    Returns how many were done."""
    from briefing.enrich import load_model, settle_entities, shared_recognizer
    from briefing.entities import recognizer as entities

    version = entities.model_version()
    if not store.articles_to_annotate(version, 1, story_ids):
        return 0  # nothing to do: spaCy is not even loaded
    rec = recognizer or shared_recognizer()
    try:
        load_model(rec)
    except entities.ModelMissing as exc:
        log.warning("article entities skipped: %s", exc)
        return 0
    done = 0
    touched: set[str] = set()
    while not (cancel is not None and cancel.is_set()) and (
        batch := store.articles_to_annotate(version, story_ids=story_ids)
    ):
        work = []
        for rowid, story_id in batch:
            story, art = store.story(story_id), store.article(story_id)
            if story is not None and art is not None:
                work.append((rowid, story, art.text))
        if not work:
            break
        # The title rides along with the article so surnames resolve to the full name in it.
        found = rec.annotate(
            [(s.title, s.summary) for _, s, _ in work] + [(s.title, t) for _, s, t in work]
        )
        for i, (rowid, _, _) in enumerate(work):
            article = [
                replace(m, field="article") for m in found[len(work) + i] if m.field == "summary"
            ]
            touched |= store.save_article_mentions(rowid, found[i], article, version)
        done += len(work)
    if touched:
        settle_entities(store, touched)
    return done


def improve_threads(
    store: Store, story_ids: Sequence[str], window: timedelta = timedelta(days=3)
) -> list[tuple[int, int]]:
    """Let article text improve threads, only through recorded merges; (keep, gone) pairs.

    Each story keeps its thread. The engine is warmed with the other active threads, then the
    stories' threads are added with the article text standing for each story's summary; the
    engine's own merge test (each thread's members would join the other) decides if
    a thread now belongs with another, and store.merge_threads moves and records it.
    """
    from briefing.enrich import thread_item
    from briefing.threads import ThreadEngine, thread_name

    targets = {s.id: s for s in (store.story(i) for i in story_ids) if s and s.thread_id}
    if not targets:
        return []
    texts = {i: a.text for i in targets if (a := store.article(i)) is not None and a.ok}
    since = min(s.published for s in targets.values()) - window
    members = store.active_members(since=since)
    ents = store.entity_keys([rowid for rowid, _ in members])
    target_threads = {s.thread_id for s in targets.values()}
    items: dict[int, list[ThreadItem]] = defaultdict(list)
    warm: list[tuple[ThreadItem, int]] = []
    later: list[tuple[ThreadItem, int]] = []
    for rowid, story in members:
        if story.id in texts:  # the article's words and entities stand for the story now
            story.summary = texts[story.id]
        item = thread_item(story, ents.get(rowid, ()))
        assert story.thread_id is not None
        items[story.thread_id].append(item)
        (later if story.thread_id in target_threads else warm).append((item, story.thread_id))
    engine = ThreadEngine(join_window=window)
    df, n_docs = store.doc_freq()
    engine.warm(warm, df, n_docs)
    for item, tid in later:  # added after warm-up, so only these threads are merge-checked
        engine.add_known(item, tid)
    # A pair the user kept apart (a story detached from one into the other) stays apart.
    merged = [(k, g) for k, g in engine.propose_merges() if not store.kept_apart(k, g)]
    when = max(s.published for s in targets.values())
    for keep, gone in merged:
        store.merge_threads(keep, gone, when)
        items[keep].extend(items.pop(gone, []))
        log.info("article text merged thread %s into %s", gone, keep)
    if merged:
        df, n_docs = store.doc_freq()
        keeps = {keep for keep, _ in merged}
        store.set_thread_names({t: thread_name(items[t], df, n_docs) for t in keeps if items[t]})
    return merged
