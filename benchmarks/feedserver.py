"""A loopback feed server for benchmarks, run as its own process so it does not share our GIL.

python benchmarks/feedserver.py FEEDS ITEMS  -> prints the port, then serves /feed/<n>.xml with
an ETag (answering If-None-Match with 304) until killed.
"""

from __future__ import annotations

import hashlib
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORDS = (
    "government",
    "minister",
    "talks",
    "ceasefire",
    "election",
    "court",
    "ruling",
    "strike",
    "port",
    "workers",
    "union",
    "central",
    "bank",
    "rates",
    "inflation",
    "earthquake",
    "rescue",
    "summit",
    "climate",
    "deal",
    "patrols",
    "border",
    "parliament",
    "vote",
    "protest",
    "president",
    "agreement",
    "troops",
    "aid",
    "outbreak",
    "vaccine",
    "launch",
)


def feed_xml(n: int, items: int) -> bytes:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>Bench feed {n}</title><link>http://bench.example/{n}</link>",
        "<description>benchmark</description>",
    ]
    for i in range(items):
        w = [WORDS[(n * 7 + i * 3 + k) % len(WORDS)] for k in range(12)]
        when = format_datetime(start + timedelta(minutes=n * 53 + i * 17), usegmt=True)
        parts.append(
            f"<item><title>{' '.join(w[:7]).capitalize()} ({n}-{i})</title>"
            f"<link>http://bench.example/{n}/{i}</link><guid>bench-{n}-{i}</guid>"
            f"<pubDate>{when}</pubDate>"
            f"<description>&lt;p&gt;{' '.join(w).capitalize()}. {' '.join(reversed(w))}."
            f"&lt;/p&gt;</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def main() -> None:
    feeds, items = int(sys.argv[1]), int(sys.argv[2])
    bodies = {f"/feed/{n}.xml": feed_xml(n, items) for n in range(feeds)}
    etags = {p: '"' + hashlib.sha1(b).hexdigest()[:16] + '"' for p, b in bodies.items()}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = bodies.get(self.path)
            if body is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == etags[self.path]:
                self.send_response(304)
                self.send_header("ETag", etags[self.path])
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etags[self.path])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
