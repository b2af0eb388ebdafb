"""Command line: the TUI by default, and headless subcommands over the same core.

Exit codes: 0 ran (failed feeds are reported, not fatal), 2 usage or config error,
1 unexpected failure (details in the log file, never a bare traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from briefing import __version__
from briefing.cli_brief import add_parser as add_brief_parser
from briefing.cli_export import add_export_parser, add_opml_parsers
from briefing.cli_prune import add_parser as add_prune_parser
from briefing.cli_thread import add_parser as add_thread_parser
from briefing.config import Session, find_feeds_file, load_config, state_dir
from briefing.errors import BUG, INTERRUPTED, REFUSED, BriefingError, sentence
from briefing.safety import clean_line, counted, format_table
from briefing.store.base import READ_ONLY_HELP

if TYPE_CHECKING:
    from briefing.store import Store

log = logging.getLogger("briefing")


def global_options(*, suppress: bool) -> argparse.ArgumentParser:
    """--feeds, --demo and --db, which work before or after the command. The command's own
    copies (``suppress``) have no default, so a value given before the command stays."""
    options = argparse.ArgumentParser(add_help=False)

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    where = options.add_mutually_exclusive_group()
    where.add_argument(
        "--feeds",
        metavar="PATH",
        default=default(None),
        help="feeds file (default: $BRIEFING_FEEDS, ./feeds.toml, then the user config dir)",
    )
    where.add_argument(
        "--demo",
        action="store_true",
        default=default(False),
        help="use the bundled offline demo feeds (no network) and a demo store",
    )
    options.add_argument(
        "--db",
        metavar="PATH",
        default=default(None),
        help="store file (default: $BRIEFING_DB, [settings] store, then the user data dir)",
    )
    return options


def json_option() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--json", action="store_true", help="print JSON for scripts")
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="A terminal news briefing reader: feeds in, threads of what is going on out.",
        epilog="With no command, opens the reader. Keys: press ? inside the app.",
        parents=[global_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    common = [global_options(suppress=True)]
    with_json = [*common, json_option()]
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("tui", help="open the reader (the default)", parents=common)
    fetch = sub.add_parser(
        "fetch", help="refresh all feeds and print a per-feed summary", parents=with_json
    )
    fetch.add_argument(
        "--force",
        action="store_true",
        help="fetch every feed now, even those not due (server hints, backoff, minimum interval)",
    )
    fetch.set_defaults(func=cmd_fetch)
    stories = sub.add_parser("stories", help="list recent stories", parents=with_json)
    stories.add_argument("--limit", type=count, default=50, help="how many (default 50)")
    stories.add_argument("--search", default="", help="full-text search over title and summary")
    stories.add_argument("--unread", action="store_true", help="only unread stories")
    stories.add_argument("--since", type=parse_since, help="only newer than this, e.g. 36h, 7d")
    stories.set_defaults(func=cmd_stories)
    threads = sub.add_parser(
        "threads", help="list threads: developing stories across outlets", parents=with_json
    )
    threads.add_argument("--since", type=parse_since, help="only active since, e.g. 36h, 7d")
    threads.add_argument("--min-sources", type=int, default=1, help="at least this many outlets")
    threads.add_argument("--search", default="", help="match thread names and story titles")
    threads.add_argument("--limit", type=count, default=100, help="how many (default 100)")
    threads.set_defaults(func=cmd_threads)
    entities = sub.add_parser(
        "entities", help="the most mentioned people, places and organisations", parents=with_json
    )
    entities.add_argument("--type", choices=sorted(ENTITY_TYPE_NAMES), help="only this kind")
    entities.add_argument("--since", type=parse_since, help="only stories since, e.g. 7d")
    entities.add_argument("--limit", type=count, default=50, help="how many (default 50)")
    entities.set_defaults(func=cmd_entities)
    add_export_parser(sub, common, parse_since)
    add_brief_parser(sub, with_json, parse_since, count)
    add_thread_parser(sub, common, with_json)
    add_prune_parser(sub, common)
    add_opml_parsers(sub, common)
    return parser


ENTITY_TYPE_NAMES = {
    "person": "PERSON",
    "place": "PLACE",
    "org": "ORG",
    "group": "NORP",
    "event": "EVENT",
}
# The word a table prints for a type is the one --type takes (NORP is a "group", as in the app).
ENTITY_TYPE_WORDS = {kind: word for word, kind in ENTITY_TYPE_NAMES.items()}


def count(text: str) -> int:
    """--limit: a whole number, 0 or more (0 lists nothing)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def nothing_found(store: Store, what: str, filtered: bool) -> str:
    """What an empty listing says: fetch first only when the store has no stories at all."""
    if store.count_stories() == 0:
        return "no stories yet: run `briefing fetch` first"
    return f"no {what} match" if filtered else f"no {what} yet"


def parse_since(text: str) -> datetime:
    """'90m', '36h', '7d', '2w' -> the moment that long ago."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"expected a duration like 36h or 7d, not {text!r}")
    unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match[2]]
    return datetime.now(UTC) - timedelta(**{unit: int(match[1])})


def make_session(args: argparse.Namespace) -> Session:
    env_db = os.environ.get("BRIEFING_DB")
    if args.demo:
        from briefing.config import Settings
        from briefing.demo import demo_config, demo_db_path, demo_transport

        db = Path(args.db or env_db or demo_db_path()).expanduser()
        # No server to be polite to: no minimum interval, so a second fetch shows its 304s.
        config = demo_config(Settings(min_interval_minutes=0), db_path=db)
        return Session(config, db, demo_transport(), demo=True)
    config = load_config(find_feeds_file(args.feeds))
    db = Path(args.db or env_db or config.settings.store).expanduser()
    return Session(replace(config, settings=replace(config.settings, store=db)), db)


def setup_logging() -> Path:
    """briefing's log file in the state folder; called again (tests, a second main()), it
    adds no second handler, so no line is written twice."""
    folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "briefing.log"
    root = logging.getLogger("briefing")
    root.setLevel(logging.INFO)
    for old in root.handlers:
        if isinstance(old, logging.FileHandler) and old.baseFilename == str(path.resolve()):
            return path
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo and args.feeds:  # one before the command, one after: the groups cannot see it
        parser.error("argument --feeds: not allowed with argument --demo")
    log_path = setup_logging()
    try:
        session = make_session(args)
        command: Callable[[Session, argparse.Namespace], int] | None = getattr(args, "func", None)
        if command is None:  # no command, or `tui`
            from briefing.ui.app import run_app  # Textual loads only for the TUI

            return run_app(session)
        return command(session, args)
    except BriefingError as exc:  # every error meant for the user: one sentence, its code
        print(f"briefing: {sentence(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return INTERRUPTED
    except BrokenPipeError:  # `briefing stories | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # the last line of defence: log it, say where, no traceback
        if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
            # A store that turned read-only after it was opened (a remount, a chmod).
            print(f"briefing: the store is read-only: {READ_ONLY_HELP}", file=sys.stderr)
            return REFUSED
        log.exception("unexpected failure")
        print(
            f"briefing: unexpected error: {clean_line(str(exc) or type(exc).__name__, 200)}\n"
            f"details are in {log_path}",
            file=sys.stderr,
        )
        return BUG


def cmd_fetch(session: Session, args: argparse.Namespace) -> int:
    from briefing.models import Progress
    from briefing.pipeline import refresh

    def show(p: Progress) -> None:
        if p.feed is not None and not args.json and sys.stderr.isatty():
            print(
                f"\r[{p.done}/{p.total}] {clean_line(p.feed.name, 40):<40}", end="", file=sys.stderr
            )

    report = asyncio.run(
        refresh(
            session.config,
            session.db_path,
            transport=session.transport,
            progress=show,
            force=args.force,
        )
    )
    if sys.stderr.isatty() and not args.json:
        print("\r" + " " * 50 + "\r", end="", file=sys.stderr)
    if args.json:
        rows = [
            {"name": f.name, "url": f.url, "ok": f.ok, "status": f.status,
             "http_status": f.http_status, "new": f.new_stories, "seconds": round(f.seconds, 3)}
            for f in sorted(report.feeds, key=lambda f: f.name.lower())
        ]  # fmt: skip
        print(json.dumps({"feeds": rows, "new_stories": report.new_stories,
                          "not_due": report.not_due, "notes": report.notes}))  # fmt: skip
        return 0
    table = [  # the status says how many are new ("ok, 3 new"): no column repeats it
        (f.name, f.status, f"{f.seconds:.2f}s")
        for f in sorted(report.feeds, key=lambda f: (f.ok, f.name.lower()))
    ]
    print(format_table(("feed", "status", "time"), table, right={2}))
    print()
    failed = len(report.failed)
    not_due = f", {report.not_due} not due (--force fetches them)" if report.not_due else ""
    print(
        f"{counted(len(report.feeds), 'feed', 'feeds')}, "
        f"{counted(report.new_stories, 'new story', 'new stories')}, "
        f"{failed} failed{not_due}, {report.seconds:.1f} s"
    )
    for note in report.notes:
        print(f"note: {note}")
    if why := report.all_failed():
        print(f"note: {why} (briefing --demo works offline)")
    return 0


# JSON output keeps json's default ASCII escaping: a C1 or bidi character that ever reached the
# store would print as \uXXXX, never raw on a terminal (json escapes only C0 by itself).


def cmd_stories(session: Session, args: argparse.Namespace) -> int:
    from briefing.store import Store

    with Store(session.db_path) as store:
        stories = store.stories(
            limit=args.limit, search=args.search, unread_only=args.unread, since=args.since
        )
        filtered = bool(args.search or args.unread or args.since)
        empty = nothing_found(store, "stories", filtered) if args.limit and not stories else ""
    if args.json:
        print(json.dumps([
            {"id": s.id, "title": s.title, "link": s.link, "source": s.source,
             "published": s.published.isoformat(), "summary": s.summary, "author": s.author,
             "read": s.read, "thread_id": s.thread_id}
            for s in stories
        ]))  # fmt: skip
        return 0
    if not stories:
        print(empty, end="\n" if empty else "")
        return 0
    rows = [(s.published.strftime("%Y-%m-%d %H:%M"), s.source, s.title) for s in stories]
    print(format_table(("published (UTC)", "source", "title"), rows))
    return 0


def cmd_threads(session: Session, args: argparse.Namespace) -> int:
    from briefing.store import Store
    from briefing.threads.order import briefing_order

    with Store(session.db_path) as store:
        found = store.threads(
            since=args.since, min_sources=max(1, args.min_sources), search=args.search
        )
        threads = briefing_order(found, datetime.now(UTC))[: args.limit]
        filtered = bool(args.since or args.min_sources > 1 or args.search)
        empty = nothing_found(store, "threads", filtered) if args.limit and not threads else ""
        if args.json:
            print(json.dumps([
                {"id": t.id, "name": t.name, "stories": t.stories, "sources": t.sources,
                 "first_seen": t.first_seen.isoformat(), "last_seen": t.last_seen.isoformat(),
                 "unread": t.unread,
                 "entities": [{"name": e.name, "type": e.type, "mentions": e.mentions}
                              for e in store.top_entities(thread_id=t.id, limit=8)]}
                for t in threads
            ]))  # fmt: skip
            return 0
    if not threads:
        print(empty, end="\n" if empty else "")
        return 0
    rows = [
        (str(t.id), t.last_seen.strftime("%Y-%m-%d %H:%M"), str(t.stories), str(t.sources), t.name)
        for t in threads
    ]
    print(
        format_table(("id", "latest (UTC)", "stories", "outlets", "thread"), rows, right={0, 2, 3})
    )
    return 0


def cmd_entities(session: Session, args: argparse.Namespace) -> int:
    from briefing.store import Store

    etype = ENTITY_TYPE_NAMES[args.type] if args.type else None
    with Store(session.db_path) as store:
        found = store.top_entities(entity_type=etype, since=args.since, limit=args.limit)
        filtered = bool(etype or args.since)
        empty = nothing_found(store, "entities", filtered) if args.limit and not found else ""
    if args.json:
        print(json.dumps([
            {"name": e.name, "type": e.type, "mentions": e.mentions, "stories": e.stories,
             "key": e.key}
            for e in found
        ]))  # fmt: skip
        return 0
    if not found:
        print(empty, end="\n" if empty else "")
        return 0
    rows = [
        (e.name, ENTITY_TYPE_WORDS.get(e.type, e.type.lower()), str(e.mentions), str(e.stories))
        for e in found
    ]
    print(format_table(("entity", "type", "mentions", "stories"), rows, right={2, 3}))
    return 0
