"""Refresh time for 200 feeds of 50 items from a loopback server: cold, then all-304.

Run: python benchmarks/refresh.py   (prints `refresh_304_s:` then `refresh_cold_s:`, medians)
Fetch + parse + store only: entities and threads are excluded, as the speed issue specifies.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from briefing.config import Config, Settings
from briefing.models import Feed
from briefing.pipeline import refresh

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
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
        stored = 0
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                db = Path(tmp) / "bench.db"
                config = Config(feeds=feeds, settings=Settings(store=db, concurrency=16))
                t0 = time.perf_counter()
                first = asyncio.run(refresh(config, db, enrich=False))
                cold.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                second = asyncio.run(refresh(config, db, enrich=False, force=True))
                warm.append(time.perf_counter() - t0)
                stored = first.new_stories
                assert not first.failed, first.failed[:3]
                assert all(f.status == "not modified" for f in second.feeds)
    finally:
        server.kill()
    print(f"command: python benchmarks/refresh.py --feeds {args.feeds} --items {args.items}")
    print(f"feeds: {args.feeds}")
    print(f"stories_stored: {stored}")
    print(f"runs: {args.runs}")
    compare_parsers(args.feeds, args.items)
    print(f"refresh_304_s: {statistics.median(warm):.3f}")
    print(f"refresh_cold_s: {statistics.median(cold):.3f}")


if __name__ == "__main__":
    main()
