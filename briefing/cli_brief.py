"""`briefing brief`: what happened since the last brief, in one screen or one file.

    briefing brief                 since the last brief (the first: the newest day stored)
    briefing brief --since 36h     since then instead (m, h, d, w)
    briefing brief --json          for scripts
    briefing brief -o FILE         as Markdown (a folder: brief-YYYY-MM-DD.md inside it)
    briefing brief --no-mark       leave the mark where it is: the next brief starts there too

Each thread of two or more stories shows its outlets, time span, a summary in the outlets' own
sentences (each attributed), the latest development and who and where; singletons after them.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from briefing.config import Session


def add_parser(sub: Any, with_json: list[Any], since: Any, count: Any) -> None:
    brief = sub.add_parser(
        "brief",
        parents=with_json,
        help="what happened since the last brief: top threads with summaries",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    brief.add_argument("--since", type=since, metavar="DURATION", help="e.g. 24h, 3d (default: "
                       "since the last brief)")  # fmt: skip
    brief.add_argument("--limit", type=count, default=10, help="threads shown (default 10)")
    brief.add_argument("--singles", type=count, default=10, help="single stories (default 10)")
    brief.add_argument("-o", "--output", metavar="PATH", help="write Markdown to a file or folder")
    brief.add_argument(
        "--force", action="store_true", help="overwrite a file briefing did not write"
    )
    brief.add_argument("--no-mark", action="store_true", help="do not move the last-brief mark")
    brief.set_defaults(func=cmd_brief)


def cmd_brief(session: Session, args: argparse.Namespace) -> int:
    from briefing import brief
    from briefing.export import user_path, write_file
    from briefing.store import Store

    now = datetime.now(UTC)
    with Store(session.db_path) as store:
        since = args.since or brief.default_since(store, now)
        made = brief.make_brief(store, since, now, limit=args.limit, singles=args.singles)
        if args.output:
            path, folder = user_path(args.output)
            if folder:
                path = path / f"brief-{now:%Y-%m-%d}.md"
            # ExportRefused goes to cli.main, which says it with its hint.
            written = write_file(
                brief.to_markdown(made), path, force=args.force, ours=brief.is_brief_file
            )
            print(f"wrote {written}")
        elif args.json:
            print(brief.to_json(made))
        else:
            print(brief.to_text(made), end="")
        if not args.no_mark and store.read_only:
            print("briefing: the store is read-only: the last-brief mark stays", file=sys.stderr)
        elif not args.no_mark:
            store.mark_brief(now)
    return 0
