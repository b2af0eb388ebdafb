"""refresh(): fetch -> parse -> store -> entities -> threads, the one path every caller uses.

The CLI runs it with asyncio.run, the TUI in a worker thread with its own loop, the benchmarks
directly. Progress is reported through a plain callback; cancellation through a
threading.Event, so nothing here knows about Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from briefing import parsers
from briefing.config import Config
from briefing.fetch import FetchLimits, FetchResult, fetch_all, make_client, until_cancelled
from briefing.items import ParsedFeed
from briefing.models import Feed, FeedStatus, Progress, RefreshReport, Story
from briefing.parse import parse_feed
from briefing.polling import PollSettings, holds, next_fetch, not_due_status
from briefing.safety import counted
from briefing.store import Store
from briefing.store.retention import Retention

ProgressCallback = Callable[[Progress], None]
FULL_TEXT_PER_REFRESH = 50  # article pages fetched per refresh for full_text feeds, newest first
log = logging.getLogger("briefing.pipeline")


def _limits(config: Config) -> FetchLimits:
    s = config.settings
    return FetchLimits(timeout=s.timeout, max_bytes=s.max_bytes, concurrency=s.concurrency)


async def refresh(
    config: Config,
    db_path: Path | str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    enrich: bool = True,
    force: bool = False,
) -> RefreshReport:
    """Refresh every enabled feed into the store at db_path, then annotate and thread.

    Feeds that are not due (see briefing.polling) are reported as such and not requested,
    unless force is true: the user asked for a refresh now.
    """
    started = time.perf_counter()
    report = RefreshReport()
    enabled = [f for f in config.feeds if f.enabled]
    notify = progress or (lambda _p: None)
    store = Store(db_path)
    try:
        store.require_writable("refresh the feeds")  # before any request: nothing to keep
        feeds = _skip_not_due(store, enabled, report, notify) if not force else enabled
        async with make_client(_limits(config), transport) as client:
            results = fetch_all(client, feeds, lambda f: store.validators(f.url), _limits(config))
            stored = _parse_and_store(results, len(feeds), store, config, report, notify, cancel)
            # Each feed is stored whole between awaits, so stopping here loses no half-feed.
            await until_cancelled(stored, cancel)
        if cancel is not None and cancel.is_set() and "refresh cancelled" not in report.notes:
            report.notes.append("refresh cancelled")
        # Every feed is stored and reported: readers can show the new stories now, before
        # entities and threads, however long one feed's enrichment takes.
        new = counted(report.new_stories, "new story", "new stories")
        notify(Progress("stored", len(report.feeds), len(enabled), message=f"Stored {new}"))
        if enrich and not (cancel is not None and cancel.is_set()):
            window = timedelta(days=config.settings.join_window_days)
            report.notes.extend(enrich_store(store, notify, cancel, join_window=window))
            report.notes.extend(
                await _full_texts(config, store, enabled, transport, notify, cancel)
            )
        if not (cancel is not None and cancel.is_set()):
            report.notes.extend(prune_store(store, config, notify, cancel))
    finally:
        store.close()
    report.seconds = time.perf_counter() - started
    notify(Progress("done", len(report.feeds), len(enabled), message=summary_line(report)))
    return report


async def _parse_and_store(
    results: AsyncGenerator[FetchResult, None],
    count: int,
    store: Store,
    config: Config,
    report: RefreshReport,
    notify: ProgressCallback,
    cancel: threading.Event | None,
) -> None:
    """Parse each fetched feed as it arrives, off the event loop, and store it as it is parsed.

    Parses run concurrently (worker processes for big refreshes, see parsers.py); storing
    stays on this thread, one feed at a time, so the store has a single writer.
    """
    loop = asyncio.get_running_loop()
    executor = parsers.executor_for(count)
    max_items = config.settings.max_items
    poll = PollSettings.from_settings(config.settings)
    total = len(report.feeds) + count

    stopped = False

    async def handle(result: FetchResult) -> None:
        nonlocal stopped
        parsed: ParsedFeed | None = None
        if result.ok and result.body is not None:  # else not modified, or failed
            try:
                parsed = await loop.run_in_executor(executor, parse_result, result, max_items)
            except BrokenProcessPool:  # a worker died (memory, a signal): parse here instead
                parsers.discard_pool()
                thread = parsers.thread_executor()
                parsed = await loop.run_in_executor(thread, parse_result, result, max_items)
            except Exception:  # one feed's parser failure never stops the refresh
                log.exception("parsing %s failed", result.feed.url)
                parsed = ParsedFeed(title="", problem="not a feed (the parser failed)")
        if stopped:
            return
        # No await from here on: each feed is stored whole, one at a time, on this thread.
        status = store_result(store, result, max_items, parsed, poll=poll)
        report.feeds.append(status)
        report.new_stories += status.new_stories
        notify(Progress("fetch", len(report.feeds), total, feed=status))
        if cancel is not None and cancel.is_set():
            report.notes.append("refresh cancelled")
            stopped = True

    tasks: list[asyncio.Future[None]] = []
    try:
        async with contextlib.aclosing(results):  # stopped early: its requests stop too
            async for result in results:
                tasks.append(asyncio.ensure_future(handle(result)))
                if stopped:
                    break
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()


def _skip_not_due(
    store: Store, feeds: list[Feed], report: RefreshReport, notify: ProgressCallback
) -> list[Feed]:
    """Report the feeds that are not due (ok, nothing requested); return the ones to fetch."""
    now = datetime.now(UTC)
    held = holds([f.url for f in feeds], store.schedules(), now)
    for feed in feeds:
        hold = held.get(feed.url)
        if hold is None:
            continue
        status = FeedStatus(url=feed.url, name=feed.name, ok=True, status=not_due_status(hold, now))
        report.feeds.append(status)
        report.not_due += 1
        notify(Progress("fetch", len(report.feeds), len(feeds), feed=status))
    return [f for f in feeds if f.url not in held]


def parse_result(result: FetchResult, max_items: int) -> ParsedFeed | None:
    if not result.ok or result.body is None:
        return None
    return parse_feed(result.body, result.feed, result.headers, max_items=max_items)


def store_result(
    store: Store,
    result: FetchResult,
    max_items: int,
    parsed: ParsedFeed | None = None,
    *,
    poll: PollSettings | None = None,
) -> FeedStatus:
    """Store one fetched feed's stories, status and next due time (parsing it if not done)."""
    feed = result.feed
    ok, status, title, new = result.ok, result.status, "", 0
    if parsed is None:
        parsed = parse_result(result, max_items)
    if parsed is not None:
        title = parsed.title
        if parsed.problem:
            ok, status = False, parsed.problem
        else:
            new = len(store.add_stories(parsed.stories))
            status = f"ok, {new} new" if new else "ok, nothing new"
            if parsed.skipped:
                status += f" ({parsed.skipped} items over the cap skipped)"
    outcome = FeedStatus(
        url=feed.url,
        name=feed.name,
        ok=ok,
        status=status,
        http_status=result.http_status,
        new_stories=new,
        seconds=result.seconds,
    )
    # Validators are only kept from a successful response (see Store.record_feed).
    store.record_feed(outcome, result.validators, title)
    failures = 0 if ok else store.failures(feed.url)
    hold = next_fetch(
        datetime.now(UTC), result.http_status, result.headers, failures, poll or PollSettings()
    )
    store.set_next_fetch(feed.url, hold)
    return outcome


def ingest(
    store: Store,
    stories: Sequence[Story],
    *,
    entities: bool = True,
    threads: bool = True,
    join_window: timedelta = timedelta(days=3),
) -> list[Story]:
    """Store already-parsed stories and run the later stages: the benchmarks' entry point."""
    added = store.add_stories(stories)
    enrich_store(store, entities=entities, threads=threads, join_window=join_window)
    return added


def enrich_store(
    store: Store,
    notify: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    *,
    entities: bool = True,
    threads: bool = True,
    join_window: timedelta = timedelta(days=3),
) -> list[str]:
    """Entities, then threads, for stories that lack them. Returns notes for the user."""
    from briefing import enrich  # spaCy and the thread engine load only when there is work

    notify = notify or (lambda _p: None)
    notes: list[str] = []
    if entities:
        notes += enrich.annotate(store, notify, cancel)
        from briefing.fulltext import annotate_articles

        # Articles annotated by an older model or rules: one query when there are none.
        annotate_articles(store, cancel=cancel)
    if threads and not (cancel is not None and cancel.is_set()):
        notes += enrich.thread(store, notify, cancel, join_window)
    if threads and not (cancel is not None and cancel.is_set()):
        from briefing.brief import refresh_summaries

        # After threads, never at startup: only the threads this refresh grew are made again.
        refresh_summaries(store, cancel=cancel)
    return notes


async def _full_texts(
    config: Config,
    store: Store,
    feeds: Sequence[Feed],
    transport: httpx.AsyncBaseTransport | None,
    notify: ProgressCallback,
    cancel: threading.Event | None,
) -> list[str]:
    """Feeds marked full_text = true: fetch the pages of their newest stories not yet fetched.

    After threading, so each story already has its thread and the article text can only
    improve it through a recorded merge (articles.improve_threads).
    """
    urls = [f.url for f in feeds if f.full_text]
    ids = store.stories_needing_articles(urls, limit=FULL_TEXT_PER_REFRESH) if urls else []
    if not ids:
        return []
    from briefing.fulltext import fetch_articles, summary_line  # trafilatura loads lazily

    results = await fetch_articles(
        config, store, ids, transport=transport, progress=notify, cancel=cancel
    )
    return [summary_line(results)]


def prune_store(
    store: Store,
    config: Config,
    notify: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Retention after a refresh (store/retention.py): stories past their feed's keep_days go,
    a batch per transaction, then the freed pages go back to the file system. Notes for the
    user; nothing when nothing was old enough."""
    report = store.prune(Retention.from_config(config), now or datetime.now(UTC), cancel=cancel)
    if not report.stories:
        return []
    notify = notify or (lambda _p: None)
    notify(Progress("prune", report.stories, report.stories))
    report.freed_bytes = store.incremental_vacuum(cancel)
    note = f"{counted(report.stories, 'old story', 'old stories')} pruned"
    if report.freed_bytes:
        note += f", {report.freed_bytes / 1e6:.1f} MB returned to the disk"
    elif not store.incremental():
        note += " (`briefing prune` shrinks the store file)"
    return [note]


def summary_line(report: RefreshReport) -> str:
    failed = len(report.failed)
    text = (
        f"{counted(len(report.feeds), 'feed', 'feeds')}, "
        f"{counted(report.new_stories, 'new story', 'new stories')} in {report.seconds:.1f} s"
    )
    if failed:
        text += f", {failed} failed"
    if report.not_due:
        text += f", {report.not_due} not due"
    return text
