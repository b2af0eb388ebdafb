"""Robustness over feedparser's own test corpus: 1,768 well- and ill-formed feeds.

Every file of ../shared/data/feeds/feedparser-tests/{wellformed,illformed} is served from a
loopback HTTP server (with the `Header:` lines its leading comment declares), listed in a
temporary feeds.toml and fetched through the real `briefing fetch` path. Every stored story is
then rendered through briefing.ui.render (story_row, reader_header, reader_body) with a rich
Console, and every feed's stories through the Markdown dossier (briefing.export), and each
control, escape or bidi character that reaches the output is counted.

Run: python benchmarks/robustness.py   ($BRIEFING_SHARED overrides the shared folder)
Prints: feeds_tried, feeds_parsed, stories_stored, exceptions, escapes_in_output, wall_s,
peak_rss_mb (the last two informational).
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
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
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


def main() -> int:
    root = corpus_dir()
    if not root.is_dir():
        print(f"corpus not found: {root} (set BRIEFING_SHARED)", file=sys.stderr)
        return 2
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
    return 0


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
    sys.exit(main())
