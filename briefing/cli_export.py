"""`briefing export` (a thread's dossier), `import-opml` and `export-opml`: what the command
line writes to files or reads from them."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from briefing.config import Session
from briefing.errors import sentence
from briefing.models import Thread
from briefing.safety import clean_line, counted


def add_export_parser(sub: Any, common: list[Any], since: Callable[[str], datetime]) -> None:
    export = sub.add_parser(
        "export",
        help="save a thread as a Markdown dossier",
        description="THREAD is a thread id or part of its name (see `briefing threads`).",
        parents=common,
    )
    export.add_argument("thread", nargs="?", metavar="THREAD", help="thread id or name")
    export.add_argument("-o", "--output", metavar="PATH", help="file, folder, or - for stdout")
    export.add_argument("--all", action="store_true", help="every thread (one file each)")
    export.add_argument("--since", type=since, help="with --all: active since, e.g. 7d")
    export.add_argument("--front-matter", action="store_true", help="add YAML front matter")
    export.add_argument(
        "--force", action="store_true", help="overwrite files briefing did not write"
    )
    export.set_defaults(func=cmd_export)


def add_opml_parsers(sub: Any, common: list[Any]) -> None:
    opml_in = sub.add_parser(
        "import-opml", help="add an OPML file's feeds to feeds.toml", parents=common
    )
    opml_in.add_argument("file", metavar="FILE", help="OPML file; folders become tags")
    opml_in.set_defaults(func=cmd_import_opml)
    opml_out = sub.add_parser("export-opml", help="write every feed as OPML 2.0", parents=common)
    opml_out.add_argument("-o", "--output", metavar="PATH", help="file or folder (default: stdout)")
    opml_out.add_argument(
        "--force", action="store_true", help="overwrite a file briefing did not write"
    )
    opml_out.set_defaults(func=cmd_export_opml)


def cmd_export(session: Session, args: argparse.Namespace) -> int:
    from briefing.brief import thread_summary
    from briefing.export import (
        ExportRefused,
        ThreadGone,
        save_thread,
        thread_dossier,
        user_path,
    )
    from briefing.store import Store

    if bool(args.thread) == bool(args.all):
        print("briefing export: give one THREAD, or --all", file=sys.stderr)
        return 2
    front = args.front_matter or session.config.settings.front_matter
    now = datetime.now(UTC)
    path, folder = user_path(args.output or str(session.config.settings.export_dir))
    folder = folder or not args.output  # the export folder, even before it exists
    if args.all and args.output != "-" and not folder and (path.exists() or path.is_symlink()):
        print(
            f"briefing export: {path} is a file; --all writes one dossier per thread into a "
            "folder (give a folder, or a new path ending in /)",
            file=sys.stderr,
        )
        return 2
    with Store(session.db_path) as store:
        if args.all:
            threads = store.threads(since=args.since, limit=1_000_000)
        else:
            threads = store.find_threads(args.thread)
            if len(threads) != 1:
                return _ambiguous(args.thread, threads)
        written = skipped = 0
        for thread in threads:
            summary = thread_summary(store, thread.id, now)
            if args.output == "-":
                with contextlib.suppress(ThreadGone):
                    sys.stdout.write(
                        thread_dossier(
                            store, thread.id, generated=now, front_matter=front, summary=summary
                        )[1]
                    )
                continue
            try:
                saved = save_thread(
                    store, thread.id, path, into=folder or args.all, generated=now,
                    front_matter=front, summary=summary, force=args.force,
                    keep=not args.all,  # saved on its own: kept from pruning
                )  # fmt: skip
                print(saved)
            except ThreadGone:
                continue
            except ExportRefused as exc:
                if not args.all:
                    raise
                print(f"briefing: skipped: {sentence(exc)}", file=sys.stderr)
                skipped += 1
                continue
            written += 1
    if args.all and args.output != "-":
        # One file that may not be written does not stop the others: skipped, said, exit 2.
        rest = f"; {skipped} skipped (see above), the rest written" if skipped else ""
        print(f"{written} dossiers written to {path}{rest}", file=sys.stderr)
        return 2 if skipped else 0
    return 0


def cmd_import_opml(session: Session, args: argparse.Namespace) -> int:
    from briefing.opml import OpmlError, import_opml, read_opml

    feeds_path = session.config.path
    if feeds_path is None:
        raise OpmlError("the demo has no feeds file to import into (use --feeds)")
    report = import_opml(feeds_path, read_opml(Path(args.file).expanduser()))  # OpmlError: main
    print("\n".join(report.lines()) + (f"\nwritten to {feeds_path}" if report.added else ""))
    return 0


def cmd_export_opml(session: Session, args: argparse.Namespace) -> int:
    from briefing.export import user_path, write_file
    from briefing.opml import DEFAULT_NAME, is_ours, render_opml

    text = render_opml(session.config.feeds)
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    path, folder = user_path(args.output)
    # ExportRefused goes to main, which says it with its hint.
    written = write_file(
        text, path / DEFAULT_NAME if folder else path, force=args.force, ours=is_ours
    )
    print(f"{len(session.config.feeds)} feeds written to {written}", file=sys.stderr)
    return 0


def _ambiguous(wanted: str, threads: Sequence[Thread]) -> int:
    if not threads:
        print(f"briefing export: no thread matches {clean_line(wanted, 60)!r}", file=sys.stderr)
        return 2
    print(f"briefing export: {len(threads)} threads match; give one id:", file=sys.stderr)
    for t in threads[:20]:
        count = counted(t.stories, "story", "stories")
        print(f"  {t.id:>6}  {clean_line(t.name, 70)}  ({count})", file=sys.stderr)
    if len(threads) > 20:
        print(f"  … and {len(threads) - 20} more", file=sys.stderr)
    return 2
