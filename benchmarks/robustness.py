"""Robustness over feedparser's own test corpus: 1,768 well- and ill-formed feeds.

Every file of ../shared/data/feeds/feedparser-tests/{wellformed,illformed} is served from a
loopback HTTP server (with the `Header:` lines its leading comment declares), listed in a
temporary feeds.toml and fetched through the real `briefing fetch` path. Every stored story is
then rendered through briefing.ui.render (story_row, reader_header, reader_body) with a rich
Console, and every feed's stories through the Markdown dossier (briefing.export), and each
control, escape or bidi character that reaches the output is counted.

Then the cases of issue 13, each a generated feed fetched by `briefing fetch` in its own process
(with entity recognition and threads, as a user runs it): a podcast whose items share one link,
a UTF-8 feed with one stray byte, a JSON Feed, a 50,000-item archive, a book catalogue, and two
feeds whose URLs differ only in case, 450 items of 20,000 characters beside two small feeds,
25 items of 11,000 characters. Per case: stories stored, the feed statuses, wall time
and peak RSS of that process.

Run: python benchmarks/robustness.py   ($BRIEFING_SHARED overrides the shared folder)
     python benchmarks/robustness.py long_items_450 many_links_25   (those cases only)
Prints: feeds_tried, feeds_parsed, stories_stored, exceptions, escapes_in_output, wall_s,
peak_rss_mb (the last two informational), then per case `case_<name>_stories`, `_expected`,
`_wall_s`, `_peak_rss_mb`, `_feeds_stored_s` (seconds until the last feed was stored, before
entities and threads) and a `# status` comment.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve()
# Anything a terminal would act on: C0 except tab/newline, DEL, C1, bidi controls, separators.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
HEADER_LINE = re.compile(rb"^Header:\s*([A-Za-z-]+):[ \t]*(\S[^\r\n]*)$", re.MULTILINE)


def corpus_dir() -> Path:
    shared = Path(os.environ.get("BRIEFING_SHARED", HERE.parents[1].parent / "shared"))
    return shared / "data/feeds/feedparser-tests"


def corpus_files(root: Path) -> list[Path]:
    return sorted(
        p for sub in ("wellformed", "illformed") for p in (root / sub).rglob("*") if p.is_file()
    )


def declared_headers(body: bytes) -> list[tuple[str, str]]:
    """The `Header: Name: value` lines of a test file's leading comment."""
    end = body.find(b"-->")
    head = body[: end if 0 <= end < 4096 else 0]
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in HEADER_LINE.findall(head)]


@contextlib.contextmanager
def serve(files: list[Path]) -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            match = re.fullmatch(r"/f/(\d+)", self.path)
            if match is None or int(match[1]) >= len(files):
                self.send_error(404)
                return
            body = files[int(match[1])].read_bytes()
            headers = declared_headers(body)
            self.send_response(200)
            if not any(k.lower() == "content-type" for k, _ in headers):
                self.send_header("Content-Type", "application/xml")
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield int(httpd.server_address[1])
    finally:
        httpd.shutdown()
        httpd.server_close()


def write_feeds(path: Path, files: list[Path], root: Path, port: int) -> None:
    lines = ["[settings]", "concurrency = 16", "timeout = 20", ""]
    for n, file in enumerate(files):
        name = f"{n:04d} {file.relative_to(root)}"
        lines += [
            "[[feed]]",
            f"name = {json.dumps(name)}",
            f'url = "http://127.0.0.1:{port}/f/{n}"',
        ]
    path.write_text("\n".join(lines) + "\n", "utf-8")


def count_forbidden(text: str) -> int:
    return len(FORBIDDEN.findall(text.replace("\n", "").replace("\t", "")))


def main(only: Sequence[str] = ()) -> int:
    if only:  # case names: only those, without the corpus
        run_cases(only)
        return 0
    root = corpus_dir()
    if not root.is_dir():
        print(f"corpus not found: {root} (set BRIEFING_SHARED)", file=sys.stderr)
        run_cases()
        return 2
    corpus(root)
    run_cases()
    return 0


def corpus(root: Path) -> None:
    files = corpus_files(root)
    started = time.perf_counter()
    exceptions = 0
    escapes = 0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            os.environ[var] = str(tmp / var.lower())  # keep logs and config out of the user's
        from briefing.cli import main as cli_main

        feeds_toml, db = tmp / "feeds.toml", tmp / "robustness.db"
        with serve(files) as port:
            write_feeds(feeds_toml, files, root, port)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = cli_main(["--feeds", str(feeds_toml), "--db", str(db), "fetch", "--json"])
        if code != 0:
            exceptions += 1
            print(f"briefing fetch exited {code}", file=sys.stderr)
        report = json.loads(out.getvalue() or '{"feeds": []}')
        rows = report["feeds"]
        exceptions += sum("unexpected" in row["status"] for row in rows)
        parsed = sum(1 for row in rows if row["ok"])
        rendered_errors, escapes, stored = render_everything(db)
        exceptions += rendered_errors
    print(f"feeds_tried: {len(files)}")
    print(f"feeds_parsed: {parsed}")
    print(f"stories_stored: {stored}")
    print(f"exceptions: {exceptions}")
    print(f"escapes_in_output: {escapes}")
    print(f"wall_s: {time.perf_counter() - started:.1f}")
    print(f"peak_rss_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


# -- the cases of issue 13 -----------------------------------------------------------------------


def _rss(items: list[str], head: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    return (
        f'{head}\n<rss version="2.0"><channel><title>Case</title><link>http://example.org/</link>'
        f"<description>d</description>{''.join(items)}</channel></rss>"
    ).encode()


def _dated(i: int) -> str:
    return f"{datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=i):%a, %d %b %Y %H:%M:%S GMT}"


def case_feeds() -> dict[str, tuple[list[tuple[str, bytes, str]], int]]:
    """name -> ([(path, body, content type)], stories expected)."""
    # 131 items, 130 distinct guids (the last is a re-send), 9 distinct links
    podcast = _rss(
        [
            f"<item><title>Episode {i}</title><link>http://example.com/show-{i % 9}</link>"
            f"<guid>http://example.com/ep{min(i, 129)}.mp3</guid>"
            f"<pubDate>{_dated(i)}</pubDate></item>"
            for i in range(131)
        ]
    )
    cafe = _rss([
        f"<item><title>Café Zürich {i}</title><guid>c{i}</guid><description>"
        f"{'stray ' + chr(0xFF) if i == 3 else 'Grüße'}</description></item>"
        for i in range(20)
    ]).replace("stray \xff".encode(), b"stray \xff")  # fmt: skip
    json_feed = json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "JSON case",
        "items": [{"id": str(i), "title": f"Post {i}", "url": f"https://example.org/{i}",
                   "content_html": f"<p>Body {i}</p>", "date_published": "2026-01-01T00:00:00Z"}
                  for i in range(50)],
    }).encode()  # fmt: skip
    archive = _rss([
        f"<item><title>Item {i}</title><link>http://example.org/{i}</link>"
        f"<pubDate>{_dated(i)}</pubDate></item>"
        for i in range(50_000)
    ])  # fmt: skip
    catalogue = (
        b'<?xml version="1.0"?><catalog><book id="bk101"><author>Gambardella, Matthew</author>'
        b"<title>XML Developer's Guide</title><price>44.95</price></book></catalog>"
    )
    channel = _rss(["<item><title>Video</title><guid>v1</guid></item>"])
    xml, jf = "application/rss+xml", "application/feed+json"
    small = [(f"/small{n}", _rss([
        f"<item><title>Small {n} story {i}</title><guid>s{n}-{i}</guid><description>"
        f"{_prose(n * 100 + i, 400)}</description><pubDate>{_dated(i)}</pubDate></item>"
        for i in range(10)
    ]), xml) for n in range(2)]  # fmt: skip
    return {
        "podcast_shared_link": ([("/podcast", podcast, xml)], 130),
        "invalid_utf8": ([("/cafe", cafe, "application/rss+xml; charset=utf-8")], 20),
        "json_feed": ([("/feed.json", json_feed, jf)], 50),
        "items_50000": ([("/archive", archive, xml)], 500),
        "book_catalogue": ([("/books.xml", catalogue, "application/xml")], 0),
        "url_case": ([("/videos?channel_id=UCabcDEF", channel, xml),
                      ("/videos?channel_id=UCABCdef", channel, xml)], 2),
        # 450 items of 20,000 characters (9 MB, inside every cap) beside two small feeds.
        "long_items_450": ([("/long", _long_feed(450, 20_000), xml), *small], 470),
        # 25 items of ~11,000 characters, like a real 288 kB feed of link round-ups.
        "many_links_25": ([("/links", _long_feed(25, 11_000), xml)], 25),
    }  # fmt: skip


_NAMES = (
    "Angela Merkel",
    "Emmanuel Macron",
    "Olaf Scholz",
    "Ursula von der Leyen",
    "Recep Tayyip Erdoğan",
    "Joe Biden",
    "Rishi Sunak",
    "Giorgia Meloni",
)
_PLACES = ("Berlin", "Paris", "Brussels", "Ankara", "Washington", "London", "Rome", "Madrid")
_ORGS = ("the European Commission", "NATO", "the United Nations", "the World Bank",
         "Reuters", "the IMF", "Siemens", "Airbus")  # fmt: skip


def _prose(seed: int, chars: int) -> str:
    """About `chars` characters of news-like sentences naming people, places and bodies,
    in HTML paragraphs (escaped for an RSS description)."""
    out: list[str] = []
    size = n = 0
    while size < chars:
        k = seed * 31 + n
        sentence = (
            f"{_NAMES[k % 8]} met officials from {_ORGS[(k // 8) % 8]} in {_PLACES[(k // 3) % 8]}"
            f" on day {n} to discuss {WORDS[k % len(WORDS)]} and {WORDS[(k * 7) % len(WORDS)]}."
        )
        out.append(sentence + (" &lt;/p&gt;&lt;p&gt;" if n % 6 == 5 else " "))
        size += len(sentence) + 1
        n += 1
    return "&lt;p&gt;" + "".join(out) + "&lt;/p&gt;"


WORDS = ("the budget", "a ceasefire", "trade tariffs", "energy prices", "the election",
         "migration", "interest rates", "a port strike", "climate targets",
         "the summit")  # fmt: skip


def _long_feed(items: int, chars: int) -> bytes:
    return _rss([
        f"<item><title>Long story {i}: {_NAMES[i % 8]} in {_PLACES[i % 8]}</title>"
        f"<link>http://example.org/long/{i}</link><guid>long-{i}</guid>"
        f"<pubDate>{_dated(i)}</pubDate><description>{_prose(i, chars)}</description></item>"
        for i in range(items)
    ])  # fmt: skip


def run_cases(only: Sequence[str] = ()) -> None:
    for name, (routes, expected) in case_feeds().items():
        if only and name not in only:
            continue
        stored, garbled, statuses, wall, peak, feeds_stored = run_case(routes)
        print(f"case_{name}_stories: {stored}")
        print(f"case_{name}_expected: {expected}")
        print(f"case_{name}_garbled_titles: {garbled}")
        print(f"case_{name}_wall_s: {wall:.1f}")
        print(f"case_{name}_peak_rss_mb: {peak:.0f}")
        print(f"case_{name}_feeds_stored_s: {feeds_stored:.1f}")  # every feed stored by then
        print(f"# {name}: {'; '.join(statuses)}")


# The child's own peak: VmHWM belongs to the process image exec made, whereas ru_maxrss keeps
# the high-water mark of the forked copy of this (large) process. Linux only, like /proc.
_CHILD = """
import atexit, runpy, sys
out = sys.argv.pop(1)
def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            open(out, "w").write(line.split()[1])
atexit.register(hwm)
sys.argv[0] = "briefing"
runpy.run_module("briefing", run_name="__main__")
"""


def run_case(
    routes: list[tuple[str, bytes, str]],
) -> tuple[int, int, list[str], float, float, float]:
    """Serve the routes, run `briefing fetch --json` once in a child process: (stories stored,
    titles with mojibake, feed statuses, wall seconds, the child's peak RSS in MB, seconds
    from the start until the last feed was stored, before entities and threads)."""
    import subprocess

    from briefing.store import Store

    table = {path: (body, ctype) for path, body, ctype in routes}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body, ctype = table.get(self.path, (b"", ""))
            self.send_response(200 if ctype else 404)
            self.send_header("Content-Type", ctype or "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}).start()
    port = httpd.server_address[1]
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            lines = ["[settings]", "timeout = 60", ""]
            for n, (path, _, _) in enumerate(routes):
                lines += [
                    "[[feed]]",
                    f'name = "case {n}"',
                    f'url = "http://127.0.0.1:{port}{path}"',
                ]
            (tmp / "feeds.toml").write_text("\n".join(lines) + "\n", "utf-8")
            env = dict(os.environ, PYTHONPATH=str(HERE.parents[1]))
            for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
                env[var] = str(tmp / var.lower())
            hwm = tmp / "hwm"
            args = ["--feeds", str(tmp / "feeds.toml"), "--db", str(tmp / "case.db"), "fetch",
                    "--json"]  # fmt: skip
            command = [sys.executable, "-c", _CHILD, str(hwm), *args]
            started, started_at = time.perf_counter(), time.time()
            child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
            out = child.stdout.read() if child.stdout else ""
            _, status, _usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            wall = time.perf_counter() - started
            try:
                statuses = [row["status"] for row in json.loads(out)["feeds"]]
            except (ValueError, KeyError):
                statuses = [f"briefing fetch exited {child.returncode}"]
            peak_kb = float(hwm.read_text()) if hwm.exists() else float("nan")
            titles: list[str] = []
            checked = [started_at]
            if (tmp / "case.db").exists():
                with Store(tmp / "case.db") as store:
                    titles = [s.title for s in store.stories(limit=1_000_000)]
                    checked += [f.checked_at.timestamp() for f in store.feeds() if f.checked_at]
    finally:
        httpd.shutdown()
        httpd.server_close()
    garbled = sum(1 for t in titles if "√" in t or "Ã" in t)  # UTF-8 read as MacRoman, Latin-1
    return len(titles), garbled, statuses, wall, peak_kb / 1024, max(checked) - started_at


def render_everything(db: Path) -> tuple[int, int, int]:
    """(exceptions, forbidden characters in output, stories) over every stored story."""
    from rich.console import Console

    from briefing.models import Story, Thread
    from briefing.store import Store
    from briefing.ui.render import reader_body, reader_header, story_row

    dossier: Callable[[Thread, list[Story]], str] | None = None
    try:
        from briefing.export import render_dossier

        now = datetime.now(UTC)

        def dossier(thread: Thread, stories: list[Story]) -> str:
            urls = {s.source: s.feed_url for s in stories}
            return render_dossier(thread, stories, urls, generated=now)
    except ImportError:
        pass

    errors = escapes = 0
    sink = io.StringIO()
    console = Console(file=sink, width=120, color_system=None, force_terminal=False)
    with Store(db) as store:
        stories = store.stories(limit=1_000_000)
    by_feed: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        by_feed[story.feed_url].append(story)
        try:
            for text in (story_row(story), reader_header(story), reader_body(story)):
                sink.seek(0)
                sink.truncate()
                console.print(text)
                escapes += count_forbidden(sink.getvalue()) + count_forbidden(text.plain)
        except Exception:
            errors += 1
            traceback.print_exc()
    if dossier is not None:
        for n, (_, group) in enumerate(sorted(by_feed.items())):
            first = min(s.published for s in group)
            last = max(s.published for s in group)
            thread = Thread(
                id=n + 1,
                name=group[0].title,
                stories=len(group),
                sources=1,
                first_seen=first,
                last_seen=last,
            )
            try:
                escapes += count_forbidden(dossier(thread, group))
            except Exception:
                errors += 1
                traceback.print_exc()
    return errors, escapes, len(stories)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
