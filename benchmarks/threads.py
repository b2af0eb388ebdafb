"""Threading quality and speed on the labelled headline set (UCI News Aggregator, dev slice).

Run: python benchmarks/threads.py [--data FILE.jsonl] [--no-entities] [--no-flatness]
Prints pairwise and B-cubed precision/recall/F1 (pairs as in Miranda et al. 2018), threads
predicted vs gold, assignment speed, and per-story cost at 1k/10k/100k stories already seen.
Ends with `pairwise_f1: X`.

Real feeds: python benchmarks/threads.py --realfeeds DIR [--days d04b46b9,c18888d4]
[--no-stream | --stream-only] serves the extracted real outlets' feeds (DIR, made by
../shared/data/threads/realfeeds/extract.py) from 127.0.0.1, runs `briefing fetch --force` on
them and scores the store's threads against the labels: see benchmarks/realfeeds.py.

Caveat on this file: each gold cluster was crawled in one burst (all its stories within about
a minute, clusters never interleave), so any fine-grained time signal would score near 1.0 here
without meaning anything. The engine's time features use sigma = 3 days and were trained on
time-shuffled data; `pairwise_f1_time_shuffled` reports the same run with timestamps and order
randomised, which is the figure to trust for real, interleaved feeds.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from thread_data import Row, assign_batch, load_jsonl, shared_dir

from briefing.threads import ThreadEngine, ThreadItem, ThreadModel

DEFAULT_DATA = "data/threads/uci-headlines-dev.jsonl"
load = load_jsonl


def entity_annotations(records: Sequence[dict[str, Any]]) -> list[list[tuple[str, str]]] | None:
    """(key, name) per story from briefing.entities.Recognizer, cached on disk; None if absent."""
    try:
        module = importlib.import_module("briefing.entities.recognizer")
        recognizer_cls = module.Recognizer
    except (ImportError, AttributeError):
        return None
    digest = hashlib.sha256()
    digest.update(Path(module.__file__ or "").read_bytes())
    for r in records:
        digest.update(f"{r['title']}\x00{r.get('summary', '')}\x01".encode())
    cache = Path(tempfile.gettempdir()) / f"briefing-thread-ents-{digest.hexdigest()[:16]}.json"
    if cache.exists():
        cached: list[list[tuple[str, str]]] = [
            [(k, n) for k, n in story] for story in json.loads(cache.read_text())
        ]
        return cached
    mentions = recognizer_cls().annotate([(r["title"], r.get("summary", "")) for r in records])
    out = [list(dict.fromkeys((m.key, m.name) for m in story)) for story in mentions]
    cache.write_text(json.dumps(out))
    return out


def build_rows(records: Sequence[dict[str, Any]], entities: bool) -> tuple[list[Row], str]:
    """Stories as engine items, in published order (ties by id), and a note on entities."""
    annotations = entity_annotations(records) if entities else None
    note = "off (--no-entities)" if not entities else "briefing.entities.Recognizer"
    if entities and annotations is None:
        note = "unavailable (briefing.entities.Recognizer not importable): words only"
    rows = []
    for i, r in enumerate(records):
        ents = annotations[i] if annotations is not None else []
        item = ThreadItem(
            story_id=str(r["id"]),
            title=r["title"],
            summary=r.get("summary", "") or "",
            source=r.get("source", ""),
            link=r.get("link", ""),
            published=datetime.fromisoformat(r["published"]),
            entities=tuple(dict.fromkeys(k for k, _ in ents)),
            entity_names=tuple(ents),
        )
        rows.append(Row(item, str(r["label"])))
    rows.sort(key=lambda row: (row.item.published, row.item.story_id))
    return rows, note


def time_shuffled(rows: Sequence[Row], seed: int = 13) -> list[Row]:
    """Same stories, timestamps drawn uniformly over the file's span, then re-sorted."""
    rng = random.Random(seed)
    start = min(r.item.published for r in rows)
    span = (max(r.item.published for r in rows) - start).total_seconds()
    moved = [
        Row(replace(r.item, published=start + timedelta(seconds=rng.uniform(0, span))), r.label)
        for r in rows
    ]
    moved.sort(key=lambda row: (row.item.published, row.item.story_id))
    return moved


def assign_all(
    items: Sequence[ThreadItem], model: ThreadModel | None = None, batch: int = 100
) -> dict[str, int]:
    """story id -> final thread id, like a refresh every `batch` stories (the engine alone)."""
    return assign_batch(items, model=model, batch=batch)


def pipeline_assign(rows: Sequence[Row], entities: bool, batch: int = 100) -> dict[str, int]:
    """story id -> final thread id, through briefing.pipeline.ingest into a temporary store.

    This is the app's own path: store, entities (spaCy), threads, merges, as if the stories
    arrived in refreshes of `batch` stories each.
    """
    from briefing.models import Story
    from briefing.pipeline import ingest
    from briefing.store import Store

    stories = [
        Story(
            id=r.item.story_id,
            feed_url=f"https://{hashlib.sha1(r.item.source.encode()).hexdigest()[:12]}.feed/",
            source=r.item.source,
            title=r.item.title,
            link=r.item.link,
            summary=r.item.summary,
            published=r.item.published,
            first_seen=r.item.published,
        )
        for r in rows
    ]
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "bench.db") as store:
        for start in range(0, len(stories), batch):
            ingest(store, stories[start : start + batch], entities=entities)
        found = {}
        for story in stories:
            stored = store.story(story.id)
            if stored is not None and stored.thread_id is not None:
                found[story.id] = store.resolve_thread(stored.thread_id) or stored.thread_id
        return found


def pair_count(n: int) -> int:
    return n * (n - 1) // 2


def scores(pred: dict[str, int], gold: dict[str, str]) -> dict[str, float]:
    cells = Counter((pred[s], gold[s]) for s in gold)
    pred_sizes = Counter(pred[s] for s in gold)
    gold_sizes = Counter(gold.values())
    tp = sum(pair_count(n) for n in cells.values())
    pp = sum(pair_count(n) for n in pred_sizes.values())
    gp = sum(pair_count(n) for n in gold_sizes.values())
    p = tp / pp if pp else 1.0
    r = tp / gp if gp else 1.0
    bp = sum(n * n / pred_sizes[t] for (t, _), n in cells.items()) / len(gold)
    br = sum(n * n / gold_sizes[g] for (_, g), n in cells.items()) / len(gold)
    return {
        "pairwise_precision": p,
        "pairwise_recall": r,
        "pairwise_f1": 2 * p * r / (p + r) if p + r else 0.0,
        "bcubed_precision": bp,
        "bcubed_recall": br,
        "bcubed_f1": 2 * bp * br / (bp + br) if bp + br else 0.0,
        "threads": float(len(pred_sizes)),
        "gold_threads": float(len(gold_sizes)),
    }


def evaluate(
    rows: Sequence[Row], assign: Callable[[Sequence[ThreadItem]], dict[str, int]] = assign_all
) -> tuple[dict[str, float], float]:
    """The engine alone (entities precomputed): for the speed figure and the shuffled run."""
    start = time.perf_counter()
    pred = assign([r.item for r in rows])
    seconds = time.perf_counter() - start
    return scores(pred, {r.item.story_id: r.label for r in rows}), seconds


def evaluate_pipeline(rows: Sequence[Row], entities: bool) -> tuple[dict[str, float], float, int]:
    start = time.perf_counter()
    pred = pipeline_assign(rows, entities)
    seconds = time.perf_counter() - start
    gold = {r.item.story_id: r.label for r in rows if r.item.story_id in pred}
    return scores(pred, gold), seconds, len(rows) - len(gold)


def flatness(rows: Sequence[Row], marks: Sequence[int], probe: int = 1000) -> dict[int, float]:
    """Mean microseconds per assign for `probe` stories after `mark` already assigned.

    The stream replicates the file with ids, links and time shifted one copy per 4 days, so
    older copies fall out of the 3-day window: cost should follow live threads, not history.
    """
    base = min(r.item.published for r in rows)
    shift = timedelta(days=4)
    engine = ThreadEngine()
    counter = iter(range(1, 10**9))
    out: dict[int, float] = {}
    done = 0
    copy = 0
    timing_from = {m: m for m in marks}
    started: dict[int, float] = {}
    while len(out) < len(marks):
        items = [
            replace(
                r.item,
                story_id=f"{copy}:{r.item.story_id}",
                link=f"{r.item.link}{'&' if '?' in r.item.link else '?'}copy={copy}",
                published=base + (r.item.published - base) + copy * shift,
            )
            for r in rows
        ]
        for n, item in enumerate(items):
            if n % 100 == 0:  # a refresh of 100 stories, counted first as enrich.thread does
                engine.observe(items[n : n + 100])
            for m, at in timing_from.items():
                if done == at:
                    started[m] = time.perf_counter()
                elif done == at + probe and m in started and m not in out:
                    out[m] = (time.perf_counter() - started[m]) / probe * 1e6
            engine.assign(item, counter.__next__)
            done += 1
            if len(out) == len(marks):
                break
        copy += 1
    return out


def main(argv: Sequence[str] | None = None) -> None:
    import realfeeds  # a sibling module that imports this one: loaded here, not at the top

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=shared_dir() / DEFAULT_DATA)
    parser.add_argument("--no-entities", action="store_true")
    parser.add_argument("--no-flatness", action="store_true", help="skip the 100k-story stream")
    realfeeds.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.realfeeds is not None:
        realfeeds.run_args(args)
        return

    records = load(args.data)
    rows, note = build_rows(records, entities=not args.no_entities)
    print(f"data: {args.data} ({len(rows)} stories)")
    print(f"entities: {note}")
    shuffled, _ = evaluate(time_shuffled(rows))
    _, seconds = evaluate(rows)
    result, pipeline_s, dropped = evaluate_pipeline(rows, entities=not args.no_entities)
    print("quality: through briefing.pipeline.ingest into a temporary store, 100 stories a batch")
    print(f"stories_not_stored: {dropped}  (same outlet and link: a re-publication, deduplicated)")
    for key in ("pairwise_precision", "pairwise_recall", "bcubed_precision", "bcubed_recall"):
        print(f"{key}: {result[key]:.4f}")
    print(f"bcubed_f1: {result['bcubed_f1']:.4f}")
    print(f"threads: {int(result['threads'])}")
    print(f"gold_threads: {int(result['gold_threads'])}")
    print(f"pairwise_f1_time_shuffled: {shuffled['pairwise_f1']:.4f}")
    print(f"pipeline_stories_per_s: {len(rows) / pipeline_s:.0f}")
    print(f"assign_stories_per_s: {len(rows) / seconds:.0f}")
    if not args.no_flatness:
        marks = (1_000, 10_000, 100_000)
        for mark, us in flatness(rows, marks).items():
            print(f"assign_us_per_story_{mark // 1000}k: {us:.1f}")
    print(f"pairwise_f1: {result['pairwise_f1']:.4f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
