"""Full-pipeline ingest speed, and how long the UI stalls while it runs.

Run: python benchmarks/ingest.py [--stories 5000]
Stories are real headlines (../shared/data/threads/uci-headlines-dev.jsonl, replicated with new
ids and dates) with a one-sentence summary, served as RSS through an httpx transport, so fetch,
parse, store, entities and threads all run. Two measurements:
- headless refresh() into a fresh store: `ingest_stories_per_s` (spaCy loaded beforehand);
- the same refresh in the TUI's worker under Pilot, with a 60 Hz timer on the UI event loop:
  `frame_gap_ms` is the longest gap between ticks (the UI cannot redraw during a gap).
And the bare model on the same stories (title and summary, spaCy's NER pipe alone, one
process): `ner_only_stories_per_s`; `ingest_vs_ner_ratio` is ingest_stories_per_s over it, so
what the pipeline costs beyond the model reads the same on any machine.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx

from briefing.config import Config, Session, Settings
from briefing.enrich import shared_recognizer
from briefing.models import Feed
from briefing.pipeline import refresh

SHARED = Path(
    os.environ.get("BRIEFING_SHARED", Path(__file__).resolve().parents[1].parent / "shared")
)
FEEDS = 100


def headlines() -> list[dict[str, str]]:
    path = SHARED / "data/threads/uci-headlines-dev.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def story_texts(n: int) -> list[tuple[str, str]]:
    """(title, summary) of the n stories build_feeds serves."""
    rows = headlines()
    by_label: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_label[row["label"]].append(row)
    out = []
    for i in range(n):
        row = rows[i % len(rows)]
        group = by_label[row["label"]]
        sibling = group[(group.index(row) + 1) % len(group)]["title"]
        out.append((row["title"], f"{sibling}. {row['source']} reported."))
    return out


def ner_only(stories: list[tuple[str, str]]) -> float:
    """Seconds the bare model takes over the stories' titles and summaries."""
    import spacy

    from briefing.entities import MODEL_PACKAGE, NOT_NER

    nlp = spacy.load(MODEL_PACKAGE, exclude=NOT_NER)
    list(nlp.pipe(t for pair in stories[:50] for t in pair))  # warm-up
    t0 = time.perf_counter()
    for _ in nlp.pipe((t for pair in stories for t in pair), batch_size=256):
        pass
    return time.perf_counter() - t0


def build_feeds(n: int) -> dict[str, bytes]:
    """n stories over FEEDS feeds: each a headline, with a sibling headline as its summary."""
    rows = headlines()
    by_label: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_label[row["label"]].append(row)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    items: dict[int, list[str]] = defaultdict(list)
    for i in range(n):
        row = rows[i % len(rows)]
        round_ = i // len(rows)
        group = by_label[row["label"]]
        sibling = group[(group.index(row) + 1) % len(group)]["title"]
        when = datetime.fromisoformat(row["published"]) - datetime(2014, 3, 10, tzinfo=UTC)
        published = start + when + timedelta(days=7 * round_)
        items[i % FEEDS].append(
            f"<item><title>{escape(row['title'])}</title>"
            f"<link>https://bench.example/{i}</link><guid>bench-{i}</guid>"
            f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>"
            f"<description>{escape(sibling)}. {escape(row['source'])} reported.</description>"
            "</item>"
        )
    return {
        f"feed{k}": (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed {k}</title><link>https://bench.example/</link><description>b</description>"
            + "".join(v)
            + "</channel></rss>"
        ).encode()
        for k, v in items.items()
    }


def session_for(bodies: dict[str, bytes], db: Path, per_feed: int) -> Session:
    def handle(request: httpx.Request) -> httpx.Response:
        body = bodies[request.url.host.removesuffix(".bench")]
        return httpx.Response(200, stream=httpx.ByteStream(body))

    feeds = tuple(Feed(name=f"Outlet {k}", url=f"https://{k}.bench/rss") for k in bodies)
    settings = Settings(store=db, max_items=per_feed + 1)
    return Session(Config(feeds=feeds, settings=settings), db, httpx.MockTransport(handle))


async def frame_gap(session: Session) -> tuple[float, float]:
    from briefing.ui.app import BriefingApp

    app = BriefingApp(session, refresh_on_start=False)
    ticks: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        app.set_interval(1 / 60, lambda: ticks.append(time.perf_counter()))
        await pilot.pause(0.2)
        t0 = time.perf_counter()
        app.action_refresh()
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        seconds = time.perf_counter() - t0
        await pilot.pause(0.1)
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    return max(gaps) * 1000, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=5000)
    args = parser.parse_args()
    bodies = build_feeds(args.stories)
    per_feed = -(-args.stories // FEEDS)
    t0 = time.perf_counter()
    shared_recognizer().load()
    load_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        session = session_for(bodies, Path(tmp) / "a.db", per_feed)
        t0 = time.perf_counter()
        report = asyncio.run(refresh(session.config, session.db_path, transport=session.transport))
        headless_s = time.perf_counter() - t0
        assert report.new_stories == args.stories, report.new_stories
        ui_session = session_for(bodies, Path(tmp) / "b.db", per_feed)
        gap_ms, ui_s = asyncio.run(frame_gap(ui_session))
    print(f"command: python benchmarks/ingest.py --stories {args.stories}")
    print(f"stories: {args.stories}")
    print(f"model_load_s: {load_s:.2f}")
    print(f"ingest_headless_s: {headless_s:.2f}")
    print(f"ingest_in_tui_s: {ui_s:.2f}")
    print(f"frame_gap_ms: {gap_ms:.0f}")
    ner_s = ner_only(story_texts(args.stories))
    print(f"ner_only_s: {ner_s:.2f}")
    print(f"ingest_stories_per_s: {args.stories / headless_s:.0f}")
    print(f"ner_only_stories_per_s: {args.stories / ner_s:.0f}")
    print(f"ingest_vs_ner_ratio: {ner_s / headless_s:.2f}")


if __name__ == "__main__":
    main()
