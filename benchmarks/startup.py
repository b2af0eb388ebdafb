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
        screen = self.screen
        threads = len(screen.query_one("#threads").threads)
        print("ready", threads, len(screen.query_one("#stories").stories), flush=True)
        self.exit()

Probe(session, refresh_on_start=False).run(headless=True, size=(160, 48))
"""

BARE_CHILD = """
import sys
from rich.text import Text
from textual.app import App
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, OptionList, Static
from briefing.ui.widgets.rows import RowList

threads, stories = int(sys.argv[1]), int(sys.argv[2])

class Rows(RowList[str]):
    def render_row(self, row, index):
        return Text(row)

class Threads(Rows):
    ROW_HEIGHT = 2

class Bare(App):
    CSS = ("#threads {width: 42} #search {display: none} "
           "#stories {height: 2fr} #bottom {height: 3fr}")
    def compose(self):
        yield Header()
        with Horizontal():
            yield Threads(id="threads")
            with Vertical():
                yield Input(id="search")
                yield Rows(id="stories")
                with Horizontal(id="bottom"):
                    with VerticalScroll(id="reader"):
                        yield Static(Text("Story headline number 0", style="bold"))
                        yield Static(Text("Body text " * 60))
                    yield OptionList(*[f"Entity {i}" for i in range(12)], id="entities")
        yield Footer()
    def on_mount(self) -> None:
        self.query_one("#threads").set_rows(
            [f"Thread name {i} · place · person\\n  {i % 9 + 2} · 3 outlets · Mon 12:00"
             for i in range(threads)])
        self.query_one("#stories").set_rows(
            [f"● Mon 12:{i % 60:02d}  Outlet {i % 40}  Story headline number {i} about the news"
             for i in range(stories)])
    def on_ready(self) -> None:
        print("ready", threads, stories, flush=True)
        self.exit()

Bare().run(headless=True, size=(160, 48))
"""


def build_store(path: Path, n: int, n_threads: int) -> None:
    """n stories over 40 outlets, grouped into n_threads threads (written directly)."""
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
        with store.transaction() as db:
            db.executemany(
                "INSERT INTO threads(id, name, created, first_seen, last_seen) "
                "VALUES (?, ?, 0, 0, 0)",
                [
                    (t + 1, f"{rng.choice(WORDS).title()} · {rng.choice(WORDS)}")
                    for t in range(n_threads)
                ],
            )
            db.execute("UPDATE stories SET thread_id = 1 + (rowid * 7919) % ?", (n_threads,))
            store.update_thread_stats(range(1, n_threads + 1))


def time_child(code: str, *args: str) -> tuple[float, int, int]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    proc.wait(timeout=60)
    word, threads, stories = line.split()
    assert word == "ready", line
    return elapsed, int(threads), int(stories)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "startup.db"
        t0 = time.perf_counter()
        build_store(db, args.stories, args.threads)
        print(f"store_build_s: {time.perf_counter() - t0:.1f}")
        ours, bare = [], []
        threads = rows = 0
        for _ in range(args.runs):
            seconds, threads, rows = time_child(BRIEFING_CHILD, str(db))
            ours.append(seconds)
            seconds, _, _ = time_child(BARE_CHILD, str(threads), str(rows))
            bare.append(seconds)
    print(
        f"command: python benchmarks/startup.py --stories {args.stories} "
        f"--threads {args.threads} --runs {args.runs}"
    )
    print(f"stories_in_store: {args.stories}")
    print(f"threads_in_store: {args.threads}")
    print(f"threads_shown: {threads}")
    print(f"stories_shown: {rows}")
    print(f"startup_briefing_s: {statistics.median(ours):.3f}")
    print(f"startup_bare_s: {statistics.median(bare):.3f}")
    print(f"startup_ratio: {statistics.median(ours) / statistics.median(bare):.2f}")


if __name__ == "__main__":
    main()
