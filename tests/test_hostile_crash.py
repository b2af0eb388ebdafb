"""Crashes and contention: `briefing fetch` killed with SIGKILL mid-refresh, and two fetches
racing while a third process holds the store open and writes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.store import Store
from tests.helpers import REPO, LoopbackServer, items, rss

pytestmark = pytest.mark.skipif(os.name != "posix", reason="uses SIGKILL")


def write_feeds(path: Path, server: LoopbackServer, names: list[str], timeout: int) -> Path:
    lines = [f"[settings]\ntimeout = {timeout}\n"]
    for name in names:
        lines.append(f'[[feed]]\nname = "{name}"\nurl = "{server.url("/" + name)}"\n')
    path.write_text("\n".join(lines), "utf-8")
    return path


def briefing(feeds: Path, db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "briefing", "--feeds", str(feeds), "--db", str(db), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def count_stories(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def integrity(db: Path) -> str:
    with sqlite3.connect(db, timeout=5) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def test_sigkill_mid_refresh_loses_nothing_and_the_refresh_runs_again(
    server: LoopbackServer, tmp_path: Path
) -> None:
    for name in ("a", "b", "c"):
        server.reply(f"/{name}", rss(items(name, 40)))
    server.hang("/slow")
    feeds = write_feeds(tmp_path / "feeds.toml", server, ["a", "b", "c", "slow"], timeout=60)
    db = tmp_path / "store.db"

    proc = briefing(feeds, db, "fetch", "--json")
    try:
        deadline = time.monotonic() + 30
        while count_stories(db) < 120 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert count_stories(db) == 120, proc.stderr.read() if proc.stderr else ""
        assert proc.poll() is None  # still waiting on the hanging feed
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL

    assert integrity(db) == "ok"
    with Store(db) as store:  # opens (WAL recovered), nothing stored is lost
        assert store.count_stories() == 120
        assert {s.title for s in store.stories(limit=500)} >= {"a story 0", "c story 39"}

    server.release.set()
    server.reply("/slow", rss(items("slow", 5)))
    again = briefing(feeds, db, "fetch", "--json")
    out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert '"new_stories": 5' in out
    with Store(db) as store:
        assert store.count_stories() == 125
    assert integrity(db) == "ok"


def test_two_fetches_and_a_busy_reader_share_the_store(
    server: LoopbackServer, tmp_path: Path
) -> None:
    names = [f"f{n}" for n in range(6)]
    for name in names:
        server.reply(f"/{name}", rss(items(name, 60)))
    feeds = write_feeds(tmp_path / "feeds.toml", server, names, timeout=20)
    db = tmp_path / "store.db"
    with Store(db) as holder:  # this process keeps the store open throughout
        first, second = briefing(feeds, db, "fetch"), briefing(feeds, db, "fetch", "--json")
        busy_until = time.monotonic() + 30
        while (first.poll() is None or second.poll() is None) and time.monotonic() < busy_until:
            ids = [s.id for s in holder.stories(limit=50)]
            holder.set_read(ids[::2])  # short write transactions, like the TUI marking read
            holder.stories(search="story", limit=20)
        _, err1 = first.communicate(timeout=60)
        _, err2 = second.communicate(timeout=60)
        assert first.returncode == 0, err1
        assert second.returncode == 0, err2
        assert holder.count_stories() == 360
    assert integrity(db) == "ok"
