"""A loopback feed server for benchmarks, run as its own process so it does not share our GIL.

python benchmarks/feedserver.py FEEDS ITEMS  -> prints the port, then serves /feed/<n>.xml with
an ETag (answering If-None-Match with 304) until killed. Feeds are generated, not copied.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

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
    asyncio.run(serve(bodies, etags))


async def serve(bodies: dict[str, bytes], etags: dict[str, str]) -> None:
    """HTTP/1.1 with keep-alive on asyncio: fast enough that the client is what gets measured."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while request := await reader.readuntil(b"\r\n\r\n"):
                lines = request.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = dict(
                    (k.strip().lower(), v.strip())
                    for k, _, v in (line.partition(":") for line in lines[1:] if line)
                )
                body = bodies.get(path)
                if body is None:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                elif headers.get("if-none-match") == etags[path]:
                    writer.write(
                        f"HTTP/1.1 304 Not Modified\r\nETag: {etags[path]}\r\n\r\n".encode()
                    )
                else:
                    head = (
                        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                        f"ETag: {etags[path]}\r\nContent-Length: {len(body)}\r\n\r\n"
                    )
                    writer.write(head.encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    main()
