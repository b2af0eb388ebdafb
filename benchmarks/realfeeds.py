"""Threading on real outlets' feeds, through the real CLI path: serve, `briefing fetch`, score.

Run: python benchmarks/threads.py --realfeeds DIR [--days d04b46b9,c18888d4]
                                  [--no-stream | --stream-only]
(or python benchmarks/realfeeds.py DIR [same options]; with no arguments it only says so, so
`make bench` stays quick). DIR is the extract of the feeds, made once with

    python3 ../shared/data/threads/realfeeds/extract.py GIT_DIR DIR

where GIT_DIR is the fetched gesab001/headlines repository (see the README next to extract.py;
the feeds carry no licence: never commit them). A full run takes several minutes: spaCy NER
runs inside every fetch.

Dev days: each day's DIR/<day>/<outlet>.xml is served from 127.0.0.1 (a thread), a temporary
feeds.toml lists one [[feed]] per file, and `python -m briefing --feeds F --db D fetch --force`
runs as a subprocess into a fresh temporary store. Thread ids are read back from the store
(merges followed), joined on the item's link to <day>.labels.jsonl and scored: pairwise and
B-cubed P/R/F1 (threads.scores), the purity of the biggest thread, the share of labelled threads
of 2+ recovered (half or more of their items, at least two, in one thread >= 80% theirs) and
the number of impure threads of 5+ items. The ten biggest threads of each day are printed as
`# ` comments.

Stream: the nine August 2020 snapshots, oldest first, into ONE store, one fetch per snapshot,
each served from a copy dated with date_undated.py (the feed address stays the same, so story
ids do too). Per target story: coverage, purity and their harmonic mean (story F1), and over how
many threads its items are spread; `other` items count as impurity.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from thread_data import REPO, shared_dir
from threads import scores

from briefing.store import Store

DAYS = ("d04b46b9", "c18888d4", "eafa1c03")
TARGETS = ("dnc", "navalny", "cafires", "belarus", "bannon", "usps", "alevels", "auckland")
FETCH_TIMEOUT_S = 1800  # one `briefing fetch` (NER included); the benchmark stops by itself


def labels_dir() -> Path:
    return shared_dir() / "data/threads/realfeeds"


def load_links(path: Path) -> dict[str, str]:
    """link -> story label, from a {"link", "story"} JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return {r["link"]: r["story"] for r in rows}


# -- serving and fetching ---------------------------------------------------------------------
class FeedServer(ThreadingHTTPServer):
    """Serves root/<name>.xml as /<name>.xml. root may change between fetches: the stream keeps
    one address for all snapshots, so feed URLs, and with them story ids, stay the same."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def do_GET(self) -> None:
        name = self.path.lstrip("/")
        path = self.server.root / name
        if "/" in name or not name.endswith(".xml") or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serving(root: Path) -> Iterator[FeedServer]:
    server = FeedServer(root)
    thread = threading.Thread(target=server.serve_forever, name="feedserver", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def write_feeds(path: Path, base_url: str, stems: Sequence[str]) -> None:
    lines = ["[settings]", "concurrency = 16", "timeout = 60", ""]
    for stem in stems:
        lines += ["[[feed]]", f"name = {json.dumps(stem)}", f'url = "{base_url}/{stem}.xml"', ""]
    path.write_text("\n".join(lines), encoding="utf-8")


@dataclass(frozen=True, slots=True)
class FetchRun:
    seconds: float
    new_stories: int
    failed: tuple[str, ...]  # "name: status" of feeds that did not fetch


def run_fetch(feeds: Path, db: Path, work: Path) -> FetchRun:
    """`python -m briefing --feeds F --db D fetch --force --json` as a subprocess, timed."""
    env = dict(os.environ)
    env["XDG_STATE_HOME"] = str(work / "state")  # its log goes to the temp dir, not ~
    for key in ("NO_PROXY", "no_proxy"):  # loopback never through a proxy
        env[key] = ",".join(filter(None, (env.get(key, ""), "127.0.0.1,localhost")))
    command = [sys.executable, "-m", "briefing", "--feeds", str(feeds), "--db", str(db)]
    command += ["fetch", "--force", "--json"]
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=FETCH_TIMEOUT_S
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"briefing fetch failed ({done.returncode}):\n{done.stderr.strip()}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    failed = tuple(f"{f['name']}: {f['status']}" for f in report["feeds"] if not f["ok"])
    return FetchRun(seconds, int(report["new_stories"]), failed)


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- reading the store ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Stored:
    id: str
    link: str
    outlet: str  # the feed's name: the file stem
    thread: int  # live thread id (merges followed); an unthreaded story gets -rowid


def read_store(db: Path) -> tuple[list[Stored], dict[int, str]]:
    """Every stored story with its live thread, and the live threads' names."""
    with Store(db) as store:
        rows = store.db.execute("SELECT rowid, id, link, source, thread_id FROM stories")
        live: dict[int, int] = {}
        out = []
        for rowid, sid, link, source, tid in rows.fetchall():
            if tid is not None and tid not in live:
                live[tid] = store.resolve_thread(tid) or tid
            out.append(Stored(sid, link, source, live[tid] if tid is not None else -rowid))
        names = {t: n for t, n in store.db.execute("SELECT id, name FROM threads")}
    return out, names


# -- scoring ------------------------------------------------------------------------------------
def thread_scores(pred: dict[str, int], gold: dict[str, str]) -> dict[str, float]:
    """Biggest thread's purity, threads recovered, impure threads of 5+ (labelled items only)."""
    cells = Counter((pred[s], gold[s]) for s in gold)
    sizes = Counter(pred[s] for s in gold)
    gold_sizes = Counter(gold.values())
    top: dict[int, int] = defaultdict(int)
    for (t, _), n in cells.items():
        top[t] = max(top[t], n)
    purity = {t: top[t] / n for t, n in sizes.items()}
    biggest = max(sizes, key=lambda t: (sizes[t], -t)) if sizes else None
    multi = [g for g, n in gold_sizes.items() if n >= 2]
    recovered = {
        g
        for (t, g), n in cells.items()
        # n >= 2: one item of a pair left alone in its own thread recovers nothing.
        if gold_sizes[g] >= 2 and n >= 2 and 2 * n >= gold_sizes[g] and n >= 0.8 * sizes[t]
    }
    return {
        "largest_thread_purity": purity[biggest] if biggest is not None else 0.0,
        "threads_recovered": len(recovered) / len(multi) if multi else 1.0,
        "impure_big_threads": float(sum(1 for t, n in sizes.items() if n >= 5 and purity[t] < 0.8)),
    }


def biggest_threads(
    stored: Sequence[Stored], labels: dict[str, str], names: dict[int, str], count: int = 10
) -> list[str]:
    """`# ` lines for the biggest threads: size, outlets, purity over labelled items, name."""
    members: dict[int, list[Stored]] = defaultdict(list)
    for s in stored:
        members[s.thread].append(s)
    order = sorted(members, key=lambda t: (-len(members[t]), t))[:count]
    lines = []
    for t in order:
        items = members[t]
        labelled = Counter(labels[s.link] for s in items if s.link in labels)
        purity = labelled.most_common(1)[0][1] / sum(labelled.values()) if labelled else 0.0
        outlets = len({s.outlet for s in items})
        name = names.get(t, "") or "(unnamed)"
        lines.append(f"# {len(items):5d} items {outlets:3d} outlets purity {purity:.2f}  {name}")
    return lines


DAY_KEYS = (
    "pairwise_precision",
    "pairwise_recall",
    "pairwise_f1",
    "bcubed_precision",
    "bcubed_recall",
    "bcubed_f1",
)
THREAD_KEYS = ("largest_thread_purity", "threads_recovered", "impure_big_threads")


def run_day(folder: Path, day: str) -> dict[str, float]:
    """Serve one day, fetch it into a fresh store, print its lines and return its figures."""
    stems = sorted(p.stem for p in folder.glob("*.xml"))
    labels = load_links(labels_dir() / f"{day}.labels.jsonl")
    with (
        tempfile.TemporaryDirectory(prefix="briefing-realfeeds-") as tmp,
        serving(folder) as server,
    ):
        work = Path(tmp)
        write_feeds(work / "feeds.toml", server.base_url, stems)
        note(f"realfeeds: {day}: fetching {len(stems)} feeds from {server.base_url}")
        fetched = run_fetch(work / "feeds.toml", work / "store.db", work)
        stored, names = read_store(work / "store.db")
    scored = [s for s in stored if s.link in labels]
    gold = {s.id: labels[s.link] for s in scored}
    pred = {s.id: s.thread for s in scored}
    figures = scores(pred, gold) | thread_scores(pred, gold)
    figures["not_stored"] = float(len(set(labels) - {s.link for s in stored}))
    figures["stories_per_s"] = len(stored) / fetched.seconds
    print(
        f"# {day}: {len(stored)} stories stored ({fetched.new_stories} new) in "
        f"{fetched.seconds:.1f} s, {len(scored)} labelled, {len(stored) - len(scored)} "
        f"not in the labels, {len(fetched.failed)} feeds failed"
    )
    for failure in fetched.failed:
        print(f"#   failed: {failure}")
    for key in DAY_KEYS:
        print(f"realfeeds_{key}_{day}: {figures[key]:.4f}")
    print(f"realfeeds_threads_{day}: {int(figures['threads'])}")
    print(f"realfeeds_gold_threads_{day}: {int(figures['gold_threads'])}")
    print(f"largest_thread_purity_{day}: {figures['largest_thread_purity']:.4f}")
    print(f"threads_recovered_{day}: {figures['threads_recovered']:.4f}")
    print(f"impure_big_threads_{day}: {int(figures['impure_big_threads'])}")
    print(f"realfeeds_not_stored_{day}: {int(figures['not_stored'])}  (labelled, not stored)")
    print(f"realfeeds_stories_per_s_{day}: {figures['stories_per_s']:.1f}")
    print(f"# {day}: the ten biggest threads")
    for line in biggest_threads(stored, labels, names):
        print(line)
    sys.stdout.flush()
    return figures


def run_days(root: Path, days: Sequence[str]) -> None:
    results = [run_day(root / day, day) for day in days]

    def mean(key: str) -> float:
        return sum(r[key] for r in results) / len(results)

    for key in DAY_KEYS:
        print(f"realfeeds_{key}: {mean(key):.4f}")
    print(f"largest_thread_purity: {mean('largest_thread_purity'):.4f}")
    print(f"threads_recovered: {mean('threads_recovered'):.4f}")
    print(f"impure_big_threads: {sum(int(r['impure_big_threads']) for r in results)}")
    print(f"realfeeds_not_stored: {sum(int(r['not_stored']) for r in results)}")
    print(f"realfeeds_stories_per_s: {mean('stories_per_s'):.1f}")
    sys.stdout.flush()


# -- the August 2020 stream ---------------------------------------------------------------------
def stream_snapshots() -> list[tuple[str, str]]:
    """(commit, fetch time) oldest first."""
    text = (labels_dir() / "aug2020-stream.txt").read_text(encoding="utf-8")
    return [(line.split()[0], line.split()[1]) for line in text.splitlines() if line.strip()]


def run_stream(root: Path) -> None:
    snapshots = stream_snapshots()
    root = root / "stream-aug2020"
    stems = sorted({p.stem for commit, _ in snapshots for p in (root / commit).glob("*.xml")})
    targets = load_links(labels_dir() / "aug2020.targets.jsonl")
    seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="briefing-stream-") as tmp:
        work = Path(tmp)
        (work / "empty").mkdir()
        with serving(work / "empty") as server:
            write_feeds(work / "feeds.toml", server.base_url, stems)
            for commit, when in snapshots:
                dated = work / "snapshot" / commit
                shutil.copytree(root / commit, dated)
                script = labels_dir() / "date_undated.py"
                subprocess.run([sys.executable, str(script), str(dated), when], check=True)
                server.root = dated
                note(f"realfeeds: stream: fetching {commit} ({when})")
                fetched = run_fetch(work / "feeds.toml", work / "store.db", work)
                seconds += fetched.seconds
                failed = f", failed: {'; '.join(fetched.failed)}" if fetched.failed else ""
                print(
                    f"# stream {commit} ({when}): {fetched.new_stories} new stories in "
                    f"{fetched.seconds:.1f} s{failed}",
                    flush=True,
                )
                shutil.rmtree(dated)
        stored, names = read_store(work / "store.db")
    score_stream(stored, names, targets)
    print(f"stream_stories_per_s: {len(stored) / seconds:.1f}")
    sys.stdout.flush()


def score_stream(stored: Sequence[Stored], names: dict[int, str], targets: dict[str, str]) -> None:
    scored = [s for s in stored if s.link in targets]
    sizes = Counter(s.thread for s in scored)  # labelled items per thread, `other` included
    f1s = []
    for target in TARGETS:
        spread = Counter(s.thread for s in scored if targets[s.link] == target)
        total = sum(spread.values())
        if not total:
            print(f"stream_story_f1_{target}: 0.000  (no stored items)")
            f1s.append(0.0)
            continue
        thread, held = max(spread.items(), key=lambda kv: (kv[1], -kv[0]))
        coverage, purity = held / total, held / sizes[thread]
        f1 = 2 * coverage * purity / (coverage + purity)
        f1s.append(f1)
        print(
            f"stream_story_f1_{target}: {f1:.3f}  coverage {coverage:.2f} purity {purity:.2f} "
            f"({total} items over {len(spread)} threads; thread of {sizes[thread]})"
        )
    print(f"stream_story_f1: {sum(f1s) / len(f1s):.4f}")
    members = Counter(s.thread for s in stored)
    biggest, size = max(members.items(), key=lambda kv: (kv[1], -kv[0]))
    mix = Counter(targets.get(s.link, "unlabelled") for s in stored if s.thread == biggest)
    parts = ", ".join(f"{label} {n}" for label, n in mix.most_common())
    print(f"stream_biggest_thread: {size}")
    print(f"# biggest thread: {names.get(biggest, '') or '(unnamed)'}: {parts}")
    print(f"stream_stories: {len(stored)}")
    print(f"stream_not_stored: {len(set(targets) - {s.link for s in stored})}  (labelled)")


# -- entry point --------------------------------------------------------------------------------
def run(root: Path, days: Sequence[str], *, with_days: bool, with_stream: bool) -> None:
    """What `threads.py --realfeeds DIR` does; prints `name: value` lines and `# ` comments."""
    unknown = [d for d in days if d not in DAYS]
    if unknown:
        sys.exit(f"--days: unknown day(s) {', '.join(unknown)} (known: {', '.join(DAYS)})")
    wanted = [root / d for d in days] if with_days else []
    wanted += [root / "stream-aug2020" / c for c, _ in stream_snapshots()] if with_stream else []
    missing = [str(p) for p in wanted if not any(p.glob("*.xml"))]
    if missing:
        sys.exit(
            f"no feeds in {', '.join(missing)}: extract them first with "
            f"{labels_dir() / 'extract.py'} GIT_DIR {root}"
        )
    print(f"realfeeds: {root}")
    if with_days:
        start = time.perf_counter()
        run_days(root, days)
        print(f"# dev days took {time.perf_counter() - start:.0f} s", flush=True)
    if with_stream:
        start = time.perf_counter()
        run_stream(root)
        print(f"# stream took {time.perf_counter() - start:.0f} s", flush=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--realfeeds",
        type=Path,
        metavar="DIR",
        help="real feeds through `briefing fetch` instead of --data (DIR: the extract)",
    )
    parser.add_argument(
        "--days", default=",".join(DAYS), help="with --realfeeds: comma-separated dev days"
    )
    parts = parser.add_mutually_exclusive_group()
    parts.add_argument("--no-stream", action="store_true", help="with --realfeeds: days only")
    parts.add_argument("--stream-only", action="store_true", help="with --realfeeds: stream only")


def run_args(args: argparse.Namespace) -> None:
    days = [d.strip() for d in args.days.split(",") if d.strip()]
    run(args.realfeeds, days, with_days=not args.stream_only, with_stream=not args.no_stream)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print("realfeeds: skipped (run: python benchmarks/threads.py --realfeeds DIR)")
        sys.exit(0)
    import threads

    threads.main(["--realfeeds", *sys.argv[1:]])
