"""Feed boilerplate removal on real outlets' feeds: how much text goes, and that no lede does.

Run: python benchmarks/boilerplate.py DIR   (DIR: what ../shared/data/threads/realfeeds/
extract.py wrote; never committed). Without DIR it says it skipped, so `make bench` stays quick.
Per day: items whose summary lost text, characters removed, and `ledes_lost`: items whose first
segment was removed although their feed does not repeat it (only the footer net took it);
those are printed for reading. Ends with `boilerplate_ledes_lost: N` over all days.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from thread_data import REALFEED_DAYS, day_stories

from briefing import boilerplate


def measure(folder: Path) -> tuple[int, int, int, int, list[str]]:
    by_feed: dict[str, list[str]] = defaultdict(list)
    for story in day_stories(folder):
        by_feed[story.feed_url].append(story.summary)
    items = changed = removed = lost = 0
    examples: list[str] = []
    for texts in by_feed.values():
        boiler = boilerplate.repeated(texts)
        for text in texts:
            out = boilerplate.strip(text, boiler)
            items += 1
            changed += out != text
            removed += max(0, len(text) - len(out))
            parts = boilerplate.segments(text)
            if parts and boilerplate.key(parts[0]) not in boiler:
                lede = boilerplate.strip(parts[0])
                if lede and lede not in out:
                    lost += 1
                    examples.append(parts[0][:120])
    return items, changed, removed, lost, examples


def main() -> None:
    if len(sys.argv) < 2:
        print("boilerplate: skipped (give the extracted real-feeds folder)")
        return
    root = Path(sys.argv[1])
    folders = [root / day for day in REALFEED_DAYS]
    stream = root / "stream-aug2020"
    folders += sorted(p for p in stream.iterdir() if p.is_dir()) if stream.is_dir() else []
    total_lost = 0
    for folder in folders:
        items, changed, removed, lost, examples = measure(folder)
        total_lost += lost
        name = folder.name
        print(f"boilerplate_items_changed_{name}: {changed} of {items}")
        print(f"boilerplate_chars_removed_{name}: {removed}")
        for text in examples:
            print(f"#   lede lost: {text}")
    print(f"boilerplate_ledes_lost: {total_lost}")


if __name__ == "__main__":
    main()
