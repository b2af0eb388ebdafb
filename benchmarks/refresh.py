"""Refresh time for 200 feeds of 50 items from a loopback server: cold, then all-304.

Run: python benchmarks/refresh.py   (prints `refresh_304_s:` then `refresh_cold_s:`, medians)
Fetch + parse + store only: entities and threads are excluded, as the speed issue specifies.

With --store-stories N, the same cold refresh also runs into a copy of a store that already
holds N stories (90 days of history before the feeds' items, in threads of consecutive
stories; built once into --store-db and reused), and `refresh_cold_s_big_over_empty:` compares
the two medians measured in the same run. --with-threads also times the threading stage after
each cold refresh (`thread_stage_s_*`); the entity stage (spaCy) is not timed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefing.config import Config, Settings
from briefing.models import Feed
from briefing.pipeline import enrich_store, refresh
from briefing.store import Store

HERE = Path(__file__).resolve().parent


def compare_parsers(feeds: int, items: int) -> None:
    """Median parse time per feed: briefing's parse (feedparser) vs fastfeedparser, same files."""
    from feedserver import feed_xml

    from briefing.parse import parse_feed

    bodies = [feed_xml(n, items) for n in range(feeds)]
    feed = Feed(name="bench", url="http://bench.example/feed.xml")

    def per_feed(parse: Callable[[bytes], object]) -> float:
        times = []
        for body in bodies:
            t0 = time.perf_counter()
            parse(body)
            times.append(time.perf_counter() - t0)
        return statistics.median(times) * 1000

    print(f"parse_ms_per_feed_briefing: {per_feed(lambda b: parse_feed(b, feed)):.2f}")
    try:
        import fastfeedparser
    except ImportError:
        print("parse_ms_per_feed_fastfeedparser: not installed")
        return
    print(f"parse_ms_per_feed_fastfeedparser: {per_feed(fastfeedparser.parse):.2f}")


def build_history(path: Path, stories: int) -> None:
    """`stories` stories over the 90 days before the bench feeds' items, 10 to a thread."""
    from startup import build_store

    t0 = time.perf_counter()
    build_store(
        path,
        stories,
        max(1, stories // 10),
        start=datetime(2026, 8, 3, tzinfo=UTC),
        step=timedelta(days=90) / stories,
        local_threads=True,
    )
    print(f"store_build_s: {time.perf_counter() - t0:.1f}")


def cold_refresh(feeds: tuple[Feed, ...], db: Path, threads: bool) -> tuple[float, float, int]:
    """Seconds for a cold refresh (fetch + parse + store), then for threading what it stored."""
    config = Config(feeds=feeds, settings=Settings(store=db, concurrency=16))
    t0 = time.perf_counter()
    report = asyncio.run(refresh(config, db, enrich=False))
    seconds = time.perf_counter() - t0
    assert not report.failed, report.failed[:3]
    threading = 0.0
    if threads:
        with Store(db) as store:
            t0 = time.perf_counter()
            enrich_store(store, entities=False, threads=True)
            threading = time.perf_counter() - t0
    return seconds, threading, report.new_stories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--store-stories", type=int, default=0, help="also refresh into this")
    parser.add_argument(
        "--store-db", type=Path, help="keep the --store-stories store here (built if missing)"
    )
    parser.add_argument("--with-threads", action="store_true", help="time threading too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as keep:
        if args.store_stories:
            big = args.store_db or Path(keep) / f"history-{args.store_stories}.db"
            if not big.exists():
                build_history(big, args.store_stories)
            Store(big).close()  # a store built by an older briefing migrates now, untimed
        run(args, big if args.store_stories else None)


def run(args: argparse.Namespace, big: Path | None) -> None:
    server = subprocess.Popen(
        [sys.executable, str(HERE / "feedserver.py"), str(args.feeds), str(args.items)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        feeds = tuple(
            Feed(name=f"Bench {n}", url=f"http://127.0.0.1:{port}/feed/{n}.xml")
            for n in range(args.feeds)
        )
        cold: list[float] = []
        warm: list[float] = []
        cold_big: list[float] = []
        threads_empty: list[float] = []
        threads_big: list[float] = []
        stored = 0
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                db = Path(tmp) / "bench.db"
                seconds, threading, stored = cold_refresh(feeds, db, args.with_threads)
                cold.append(seconds)
                threads_empty.append(threading)
                config = Config(feeds=feeds, settings=Settings(store=db, concurrency=16))
                t0 = time.perf_counter()
                second = asyncio.run(refresh(config, db, enrich=False, force=True))
                warm.append(time.perf_counter() - t0)
                assert all(f.status == "not modified" for f in second.feeds)
                if big is not None:  # the same refresh into a copy of the big store
                    copy = Path(tmp) / "big.db"
                    shutil.copyfile(big, copy)
                    os.sync()  # the copy's writes are not flushed during the timed refresh
                    seconds, threading, _ = cold_refresh(feeds, copy, args.with_threads)
                    cold_big.append(seconds)
                    threads_big.append(threading)
    finally:
        server.kill()
    extra = f" --store-stories {args.store_stories}" if big is not None else ""
    extra += " --with-threads" if args.with_threads else ""
    print(
        f"command: python benchmarks/refresh.py --feeds {args.feeds} --items {args.items} "
        f"--runs {args.runs}{extra}"
    )
    print(f"feeds: {args.feeds}")
    print(f"stories_stored: {stored}")
    print(f"runs: {args.runs}")
    compare_parsers(args.feeds, args.items)
    print(f"refresh_304_s: {statistics.median(warm):.3f}")
    print(f"refresh_cold_s: {statistics.median(cold):.3f}")
    if args.with_threads:
        print(f"thread_stage_s_empty: {statistics.median(threads_empty):.3f}")
    if big is not None:
        print(f"store_stories: {args.store_stories}")
        print(f"refresh_cold_s_big: {statistics.median(cold_big):.3f}")
        if args.with_threads:
            print(f"thread_stage_s_big: {statistics.median(threads_big):.3f}")
            ratio = statistics.median(threads_big) / statistics.median(threads_empty)
            print(f"thread_stage_big_over_empty: {ratio:.2f}")
        ratio = statistics.median(cold_big) / statistics.median(cold)
        print(f"refresh_cold_s_big_over_empty: {ratio:.2f}")


if __name__ == "__main__":
    main()
