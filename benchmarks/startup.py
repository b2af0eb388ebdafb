"""Time from launch to the first populated screen: briefing on a big store vs a bare Textual app.

Run: python benchmarks/startup.py [--stories 100000]
Each app runs in a fresh process (headless), which prints "ready" once its first screen with
rows has been laid out; the time is measured from spawn to that line, median of --runs. The bare
app shows the same widgets with the same number of rows, from memory. Ends with
`startup_ratio:` (briefing / bare).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from feedserver import WORDS

from briefing.models import Story
from briefing.store import Store

BRIEFING_CHILD = """
import sys
from pathlib import Path
from briefing.config import Session
from briefing.config import Config, Settings
from briefing.models import Feed
from briefing.ui.app import BriefingApp

db = Path(sys.argv[1])
feeds = tuple(Feed(name=f"Outlet {n}", url=f"https://o{n}.example/feed") for n in range(40))
session = Session(Config(feeds=feeds, settings=Settings(store=db)), db)

class Probe(BriefingApp):
    def on_ready(self) -> None:
        print("ready", len(self.screen.query_one("#stories").stories), flush=True)
        self.exit()

Probe(session, refresh_on_start=False).run(headless=True, size=(160, 48))
"""

BARE_CHILD = """
import sys
from rich.text import Text
from textual.app import App
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

rows = int(sys.argv[1])

class Bare(App):
    CSS = "#nav {width: 36;} #search {display: none;} #stories {height: 2fr;} #reader {height: 3fr}"
    def compose(self):
        yield Header()
        with Horizontal():
            yield OptionList(*[Option(Text(f"Outlet {n}  {n * 7}"), id=str(n)) for n in range(42)],
                             id="nav")
            with Vertical():
                yield Input(id="search")
                yield OptionList(*[Option(Text(f"● Mon 12:{i % 60:02d}  Outlet {i % 40}  "
                                              f"Story headline number {i} about the news"),
                                          id=str(i)) for i in range(rows)], id="stories")
                with VerticalScroll(id="reader"):
                    yield Static(Text("Story headline number 0", style="bold"))
                    yield Static(Text("Body text " * 60))
        yield Footer()
    def on_ready(self) -> None:
        print("ready", rows, flush=True)
        self.exit()

Bare().run(headless=True, size=(160, 48))
"""



def build_store(path: Path, n: int) -> None:
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with Store(path) as store:
        batch: list[Story] = []
        for i in range(n):
            words = rng.choices(WORDS, k=30)
            when = start + timedelta(minutes=5 * i)
            feed = i % 40
            batch.append(
                Story(
                    id=f"s{i}",
                    feed_url=f"https://o{feed}.example/feed",
                    source=f"Outlet {feed}",
                    title=" ".join(words[:8]).capitalize(),
                    link=f"https://o{feed}.example/{i}",
                    summary=" ".join(words).capitalize() + ".",
                    published=when,
                    first_seen=when,
                )
            )
            if len(batch) == 5000:
                store.add_stories(batch)
                batch = []
        store.add_stories(batch)


def time_child(code: str, arg: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, arg], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    proc.wait(timeout=60)
    word, rows = line.split()
    assert word == "ready", line
    return elapsed, int(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "startup.db"
        t0 = time.perf_counter()
        build_store(db, args.stories)
        print(f"store_build_s: {time.perf_counter() - t0:.1f}")
        ours, bare = [], []
        rows = 0
        for _ in range(args.runs):
            seconds, rows = time_child(BRIEFING_CHILD, str(db))
            ours.append(seconds)
            seconds, _ = time_child(BARE_CHILD, str(rows))
            bare.append(seconds)
    print(f"command: python benchmarks/startup.py --stories {args.stories} --runs {args.runs}")
    print(f"stories_in_store: {args.stories}")
    print(f"rows_shown: {rows}")
    print(f"startup_briefing_s: {statistics.median(ours):.3f}")
    print(f"startup_bare_s: {statistics.median(bare):.3f}")
    print(f"startup_ratio: {statistics.median(ours) / statistics.median(bare):.2f}")


if __name__ == "__main__":
    main()
