"""Time from launch to the first populated screen: briefing on a big store vs a bare Textual app.

Run: python benchmarks/startup.py [--stories 100000] [--threads 10000]
Each app runs in a fresh process (headless), which prints "ready" once its first screen with
rows has been laid out; the time is measured from spawn to that line, median of --runs. The bare
app shows the same widgets with the same number of rows, from memory. Then, in one more
process on the same store: median time per page of thread-list scrolling, per full-text search
and per entity filter (store queries and rebuilding the lists), and the peak RSS with spaCy
loaded (that process's own VmHWM: its ru_maxrss would include this script's, which built the
store). `thread_scroll_ms` is a page of cursor movement plus the list's repaint; the thread's
timeline, reader and entities load once the cursor rests (`thread_preview_ms`).
`brief_week_ms` is a brief of the week before the newest story (median of three: the first
makes its threads' summaries, the store keeps them).
Ends with `startup_ratio:` (briefing / bare).
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


ARTICLE_EVERY = 10  # one story in ten has article text (a tenth of feeds are full_text)


def build_store(
    path: Path,
    n: int,
    n_threads: int,
    article_every: int = ARTICLE_EVERY,
    *,
    start: datetime = datetime(2026, 1, 1, tzinfo=UTC),
    step: timedelta = timedelta(minutes=5),
    local_threads: bool = False,
) -> None:
    """n stories over 40 outlets, `step` apart from `start`, grouped into n_threads threads
    (written directly): scattered over the whole store, or, with local_threads, each made of
    consecutive stories as real threads are. One story in `article_every` has fetched article
    text (~200 words), as full_text feeds give."""
    rng = random.Random(7)
    with Store(path) as store:
        batch: list[Story] = []
        for i in range(n):
            words = rng.choices(WORDS, k=30)
            when = start + step * i
            feed = i % 40
            batch.append(
                Story(
                    id=f"s{i}",
                    feed_url=f"https://o{feed}.example/feed",
                    source=f"Outlet {feed}",
                    # One of 1,000 rarer topic words a story, so searches match ~0.1% as in news.
                    title=" ".join([*words[:7], f"{words[8]}{i % 1000}"]).capitalize(),
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
            if local_threads:
                db.execute("UPDATE stories SET thread_id = 1 + (rowid - 1) * ? / ?", (n_threads, n))
            else:
                db.execute("UPDATE stories SET thread_id = 1 + (rowid * 7919) % ?", (n_threads,))
            store.update_thread_stats(range(1, n_threads + 1))
            # Two mentions a story, of 1,000 entities, for the entity filter's timing.
            db.executemany(
                "INSERT INTO mentions(story, field, start, \"end\", key, type, name) "
                "VALUES (?, 'title', 0, 3, ?, 'PLACE', ?)",
                [(r, f"place {(r * k) % 1000}", f"Place {(r * k) % 1000}")
                 for r in range(1, n + 1) for k in (3, 7)],
            )  # fmt: skip
            if article_every:
                db.executemany(
                    "INSERT INTO articles(story, status, text, url, fetched_at) "
                    "VALUES (?, 'ok', ?, '', 0)",
                    (
                        (r, " ".join(rng.choices(WORDS, k=200)).capitalize() + ".")
                        for r in range(1, n + 1, article_every)
                    ),
                )
            db.execute(
                "INSERT INTO entities(key, name, type, mentions, stories) "
                "SELECT key, min(name), 'PLACE', count(*), count(DISTINCT story) FROM mentions "
                "GROUP BY key"
            )


INTERACTIVE_CHILD = """
import asyncio, resource, statistics, sys, time
from pathlib import Path
from briefing.config import Config, Session, Settings
from briefing.enrich import shared_recognizer, load_model
from briefing.models import EntityCount, Feed
from briefing.ui.app import BriefingApp

db = Path(sys.argv[1])
feeds = tuple(Feed(name=f"Outlet {n}", url=f"https://o{n}.example/feed") for n in range(40))
session = Session(Config(feeds=feeds, settings=Settings(store=db)), db)

def peak_rss_mb():
    # This process's own peak (VmHWM): ru_maxrss keeps the peak of the process that spawned
    # it (Linux carries it across fork and exec), so a parent that had just built a 1M-story
    # store (~450 MB) showed as this app's peak.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

async def main():
    app = BriefingApp(session, refresh_on_start=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        screen = app.screen
        threads = screen.query_one("#threads")
        threads.focus()
        from textual.geometry import Region
        scroll, preview = [], []
        for _ in range(20):
            t0 = time.perf_counter()
            threads.action_page_down()  # the cursor moves a page and the list repaints
            threads.render_lines(Region(0, 0, threads.size.width, threads.size.height))
            scroll.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            screen.load_stories()  # what follows once the cursor rests: timeline, reader, entities
            preview.append(time.perf_counter() - t0)
            await pilot.pause()
        def timed_search(words):
            times = []
            for word in words:
                t0 = time.perf_counter()
                screen.search_text = word
                screen.reload()
                times.append(time.perf_counter() - t0)
            return times
        search = timed_search(["strike17", "summit401", "deal888"])
        common = timed_search(["ceasefire", "earthquake", "parliament"])
        screen.search_text = ""
        screen.reload()
        await pilot.pause()
        entity = []
        for n in (1, 2, 3):
            key = f"place {n * 11}"
            t0 = time.perf_counter()
            screen.entity = EntityCount(key, key.title(), "PLACE", 0)
            screen.reload()
            entity.append(time.perf_counter() - t0)
        from datetime import timedelta
        from briefing.brief import make_brief
        week = app.store.newest_story() - timedelta(days=7)
        brief = []
        for _ in range(3):  # the first makes the ten threads' summaries, the others read them
            t0 = time.perf_counter()
            make_brief(app.store, week)
            brief.append(time.perf_counter() - t0)
        load_model(shared_recognizer())  # spaCy and the gazetteer, as after a first refresh
        rss = peak_rss_mb()
        print(f"thread_scroll_ms: {statistics.median(scroll) * 1000:.1f}")
        print(f"thread_preview_ms: {statistics.median(preview) * 1000:.1f}")
        print(f"search_common_word_ms: {statistics.median(common) * 1000:.1f}")
        print(f"search_ms: {statistics.median(search) * 1000:.1f}")
        print(f"entity_filter_ms: {statistics.median(entity) * 1000:.1f}")
        print(f"brief_week_ms: {statistics.median(brief) * 1000:.1f}")
        print(f"peak_rss_mb: {rss:.0f}")

asyncio.run(main())
"""


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
    parser.add_argument(
        "--db",
        type=Path,
        help="keep the store here: built if missing, reused as it is otherwise (a 1M store "
        "takes minutes to build; --stories and --threads must match how it was built)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "startup.db"
        if not db.exists():
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
        interactive = subprocess.run(
            [sys.executable, "-c", INTERACTIVE_CHILD, str(db)],
            capture_output=True, text=True, check=True, timeout=300,
        ).stdout  # fmt: skip
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
    print(interactive.strip())
    print(f"startup_ratio: {statistics.median(ours) / statistics.median(bare):.2f}")


if __name__ == "__main__":
    main()
