"""Thread summaries on labelled threads: honest, not repetitive, about the thread's entities.

Run: python benchmarks/summaries.py [--realfeeds DIR]
Groups the ECB+ dev articles by their gold label and, with --realfeeds (the folder
../shared/data/threads/realfeeds/extract.py wrote), each real dev day's items by their labelled
story (threads of 2+ items), summarises each group with briefing.summaries, and prints per set:
  summary_verbatim_share   summary and latest sentences found verbatim in a member story (1.0)
  summary_near_duplicates  sentence pairs inside one summary at Jaccard >= 0.5 (0)
  summary_entity_coverage  share of each thread's top-3 entities its summary names
  one_sentence_entity_coverage     the same for a one-sentence summary (like for like)
  first_sentence_entity_coverage   the same for the first sentence of the first story (baseline)
  summary_ms_per_thread    median time to summarise one thread
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from thread_data import REALFEED_DAYS, annotate, day_stories, entity_keys, load_jsonl, shared_dir

from briefing import boilerplate
from briefing.models import Story
from briefing.summaries import NEAR_DUPLICATE, Member, Summary, summarise
from briefing.threads.text import words

KINDS = ("PERSON", "ORG", "PLACE", "NORP")


def members(stories: Sequence[Story], labels: dict[str, str]) -> dict[str, list[Member]]:
    """Labelled groups of 2+ stories as Members, with entity names and feed boilerplate."""
    ents = entity_keys(annotate([(s.title, s.summary) for s in stories]))
    by_feed: dict[str, list[Story]] = defaultdict(list)
    for s in stories:
        by_feed[s.feed_url].append(s)
    boiler = {
        url: boilerplate.repeated([s.summary for s in feed], [s.title for s in feed])
        for url, feed in by_feed.items()
    }
    groups: dict[str, list[Member]] = defaultdict(list)
    for s, found in zip(stories, ents, strict=True):
        label = labels.get(s.id)
        if label is None or label.startswith("single-"):
            continue
        names = tuple(dict.fromkeys(n for _, kind, n in found if kind in KINDS))
        groups[label].append(
            Member(s.id, s.source, s.title, s.summary, s.link, s.published, "", names,
                   boiler[s.feed_url])
        )  # fmt: skip
    return {k: v for k, v in groups.items() if len(v) >= 2}


def _set(text: str) -> set[str]:
    return {k for k, _ in words(text) if k}


def top3(group: Sequence[Member]) -> list[str]:
    counts = Counter(n for m in group for n in m.entities)
    return [n for n, c in counts.most_common(3) if c >= 2]


def coverage(text: str, names: Sequence[str]) -> float | None:
    if not names:
        return None
    low = text.casefold()
    return sum(1 for n in names if n.casefold() in low) / len(names)


def first_sentence(group: Sequence[Member]) -> str:
    first = min(group, key=lambda m: (m.published, m.story_id))
    parts = boilerplate.segments(boilerplate.strip(first.summary, first.boiler))
    return parts[0] if parts else first.title


def score(name: str, groups: dict[str, list[Member]]) -> None:
    verbatim = total = dups = 0
    ours: list[float] = []
    one: list[float] = []
    base: list[float] = []
    times: list[float] = []
    for group in groups.values():
        start = time.perf_counter()
        summary: Summary = summarise(group)
        times.append((time.perf_counter() - start) * 1000)
        shown = [*summary.sentences, *([summary.latest] if summary.latest else [])]
        for s in shown:
            total += 1
            owner = next(m for m in group if m.story_id == s.story_id)
            verbatim += s.text in owner.title or s.text in owner.summary or s.text in owner.article
        sets = [_set(s.text) for s in summary.sentences]
        for i in range(len(sets)):
            for j in range(i + 1, len(sets)):
                union = len(sets[i] | sets[j])
                dups += bool(union) and len(sets[i] & sets[j]) / union >= NEAR_DUPLICATE
        names = top3(group)
        mine = coverage(" ".join(s.text for s in summary.sentences), names)
        theirs = coverage(first_sentence(group), names)
        single = summarise(group, limit=1).sentences
        alone = coverage(single[0].text if single else "", names)
        if mine is not None and theirs is not None and alone is not None:
            ours.append(mine)
            one.append(alone)
            base.append(theirs)
    print(f"# {name}: {len(groups)} threads, {total} sentences shown")
    print(f"{name}_summary_verbatim_share: {verbatim / max(1, total):.3f}")
    print(f"{name}_summary_near_duplicates: {dups}")
    print(f"{name}_summary_entity_coverage: {statistics.fmean(ours or [0]):.3f}")
    print(f"{name}_one_sentence_entity_coverage: {statistics.fmean(one or [0]):.3f}")
    print(f"{name}_first_sentence_entity_coverage: {statistics.fmean(base or [0]):.3f}")
    print(f"{name}_summary_ms_per_thread: {statistics.median(times or [0]):.2f}")


def ecbplus() -> dict[str, list[Member]]:
    rows = load_jsonl(shared_dir() / "data/threads/ecbplus-dev.jsonl")
    stories, labels = [], {}
    for r in rows:
        when = datetime.fromisoformat(r["published"])
        s = Story(str(r["id"]), r.get("source", ""), r.get("source", ""), r["title"],
                  r.get("link", ""), r.get("summary", "") or "", when, when)  # fmt: skip
        stories.append(s)
        labels[s.id] = str(r["label"])
    return members(stories, labels)


def realfeeds(folder: Path, day: str) -> dict[str, list[Member]]:
    by_link = {
        r["link"]: str(r["story"])
        for r in load_jsonl(shared_dir() / "data/threads/realfeeds" / f"{day}.labels.jsonl")
    }
    stories = day_stories(folder / day)
    return members(stories, {s.id: by_link[s.link] for s in stories if s.link in by_link})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realfeeds", type=Path, help="the extracted real-feeds folder")
    parser.add_argument("--show", type=int, default=0, help="print N summaries per set")
    args = parser.parse_args()
    sets = {"ecbplus": ecbplus()}
    if args.realfeeds is not None:
        for day in REALFEED_DAYS:
            sets[f"realfeeds_{day}"] = realfeeds(args.realfeeds, day)
    for name, groups in sets.items():
        score(name, groups)
        for label, group in sorted(groups.items(), key=lambda kv: -len(kv[1]))[: args.show]:
            summary = summarise(group)
            print(f"## {label} ({len(group)}) top3={top3(group)}")
            for s in summary.sentences:
                print(f"   * {s.text} — {s.source}")
            if summary.latest:
                print(f"   latest: {summary.latest.text} — {summary.latest.source}")


if __name__ == "__main__":
    main()
