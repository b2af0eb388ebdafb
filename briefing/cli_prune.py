"""`briefing prune [--dry-run]`: apply retention now, or say what it would delete.

Stories older than their feed's keep_days ([settings] keep_days, or the feed's own) go with
their mentions, article text and search rows, except those of threads kept (`k` in the reader,
or a saved dossier) or renamed, and the unread stories of active threads. A refresh does the
same after each run; this command also shrinks the file: a store made before incremental
vacuum existed is converted once, by a full VACUUM (it rewrites the file).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from briefing.config import Session
from briefing.safety import counted


def add_parser(sub: Any, common: list[Any]) -> None:
    prune = sub.add_parser(
        "prune",
        parents=common,
        help="delete stories older than keep_days now (a refresh does it too)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    prune.add_argument(
        "--dry-run", action="store_true", help="only say what would be deleted; change nothing"
    )
    prune.set_defaults(func=cmd_prune)


def _size(path: Path) -> float:
    return path.stat().st_size / 1e6 if path.exists() else 0.0


def cmd_prune(session: Session, args: argparse.Namespace) -> int:
    from briefing.store import Store
    from briefing.store.retention import Retention

    retention = Retention.from_config(session.config)
    own = len(retention.per_feed)
    rule = f"older than {retention.keep_days:g} days" + (
        f" ({counted(own, 'feed has its own', 'feeds have their own')} keep_days)" if own else ""
    )
    with Store(session.db_path) as store:
        try:
            report = store.prune(retention, datetime.now(UTC), dry_run=args.dry_run)
            verb = "would prune" if args.dry_run else "pruned"
            emptied = counted(report.threads, "empty thread", "empty threads")
            print(
                f"{verb} {counted(report.stories, 'story', 'stories')} {rule}, with "
                f"{counted(report.articles, 'article text', 'article texts')} and "
                f"{counted(report.mentions, 'entity mention', 'entity mentions')}"
                + (f"; {emptied} removed" if report.threads else "")
            )
            if args.dry_run:
                if report.kept:
                    print(
                        f"kept: {counted(report.kept, 'old story', 'old stories')} (threads "
                        "you keep or renamed, unread stories of active threads)"
                    )
                if not store.incremental():
                    print(
                        f"the store file ({_size(session.db_path):.1f} MB) would be converted "
                        "to incremental vacuum by one full VACUUM, so that it can shrink"
                    )
                return 0
            before = _size(session.db_path)
            if not store.incremental():
                print(
                    "converting the store to incremental vacuum (one full VACUUM: it rewrites "
                    "the file, which takes a while on a big store)…",
                    file=sys.stderr,
                )
                store.convert_vacuum()
            store.incremental_vacuum()
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.OperationalError as exc:
            print(
                f"briefing: the store is busy or the disk is full ({exc}); close the reader "
                "and try again",
                file=sys.stderr,
            )
            return 1
    print(f"store file: {before:.1f} MB -> {_size(session.db_path):.1f} MB")
    return 0
