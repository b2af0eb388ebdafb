from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from briefing import __version__
from briefing.cli import main, parse_since
from briefing.config import load_config
from briefing.pipeline import refresh
from briefing.safety import format_table
from briefing.store import Store
from tests.helpers import LoopbackServer, rss, unwritable


def write_feeds(tmp_path: Path, server: LoopbackServer, paths: list[str]) -> Path:
    text = "[settings]\ntimeout = 3\n" + "".join(
        f'\n[[feed]]\nname = "{p.strip("/")}"\nurl = "{server.url(p)}"\n' for p in paths
    )
    path = tmp_path / "feeds.toml"
    path.write_text(text)
    return path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing", *args], capture_output=True, text=True, timeout=60
    )


def test_help_and_version() -> None:
    out = run("--help")
    assert out.returncode == 0 and "fetch" in out.stdout and "--demo" in out.stdout
    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"briefing {__version__}"


def test_fetch_reports_each_feed_and_exits_zero_on_failures(
    server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply("/ok", rss([{"title": "Hello", "link": "http://e.org/1", "guid": "1"}]))
    feeds = write_feeds(tmp_path, server, ["/ok", "/gone"])
    code = main(["--feeds", str(feeds), "--db", str(tmp_path / "d.db"), "fetch"])
    out = capsys.readouterr().out
    assert code == 0
    assert "ok, 1 new" in out and "HTTP 404" in out
    assert out.splitlines()[0].split() == ["feed", "status", "time"]  # no "new" column twice
    assert "2 feeds, 1 new story, 1 failed" in out


def test_fetch_json(
    server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply("/ok", rss([{"title": "Hello", "link": "http://e.org/1", "guid": "1"}]))
    feeds = write_feeds(tmp_path, server, ["/ok"])
    assert main(["--feeds", str(feeds), "--db", str(tmp_path / "d.db"), "fetch", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["new_stories"] == 1 and data["feeds"][0]["status"] == "ok, 1 new"


def test_stories_json_and_search(
    server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.reply("/ok", rss([
        {"title": "Joint patrols in Idlib", "link": "http://e.org/1", "guid": "1"},
        {"title": "Quake in Arequipa", "link": "http://e.org/2", "guid": "2"},
    ]))  # fmt: skip
    feeds = write_feeds(tmp_path, server, ["/ok"])
    db = str(tmp_path / "d.db")
    main(["--feeds", str(feeds), "--db", db, "fetch"])
    capsys.readouterr()
    assert main(["--feeds", str(feeds), "--db", db, "stories", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["title"] for r in rows} == {"Joint patrols in Idlib", "Quake in Arequipa"}
    assert {"id", "link", "source", "published", "read"} <= set(rows[0])
    main(["--feeds", str(feeds), "--db", db, "stories", "--search", "idlib"])
    out = capsys.readouterr().out
    assert "Joint patrols in Idlib" in out and "Arequipa" not in out


def test_bad_config_exits_2_with_one_clear_paragraph(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.toml"
    bad.write_text('[[feed]]\nname = "x"\nurl = "https://x.example/"\nfrequency = 3\n')
    out = run("--feeds", str(bad), "fetch")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert f"{bad}, line 4 in [[feed]] #1: unknown key 'frequency'" in out.stderr


def test_unexpected_error_is_logged_not_shown(tmp_path: Path) -> None:
    db_dir = tmp_path / "a-directory.db"
    db_dir.mkdir()
    out = run("--demo", "--db", str(db_dir), "stories")
    assert out.returncode in (1, 2)
    assert "Traceback" not in out.stderr and out.stderr.startswith("briefing:")


def test_usage_error_exits_2() -> None:
    assert run("stories", "--since", "soon").returncode == 2


def test_env_db_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFING_DB", str(tmp_path / "env.db"))
    assert main(["--demo", "stories"]) == 0
    assert (tmp_path / "env.db").exists()


def test_parse_since() -> None:
    delta = parse_since("2d")
    assert delta.tzinfo is not None


def test_format_table_cleans_cells() -> None:
    table = format_table(("a", "b"), [("x\x1b[31mred", "\x9b2Jy")])
    assert "\x1b" not in table and "\x9b" not in table and "xred" in table


@pytest.fixture
def demo_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    db = str(tmp_path / "demo.db")
    assert main(["--demo", "--db", db, "fetch"]) == 0
    capsys.readouterr()
    return db


def test_threads_and_entities_json(demo_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--demo", "--db", demo_db, "threads", "--min-sources", "2", "--json"]) == 0
    threads = json.loads(capsys.readouterr().out)
    assert threads and all(t["sources"] >= 2 for t in threads)
    assert {"id", "name", "stories", "sources", "first_seen", "last_seen"} <= set(threads[0])
    assert main(["--demo", "--db", demo_db, "entities", "--type", "place", "--json"]) == 0
    places = json.loads(capsys.readouterr().out)
    assert places and all(e["type"] == "PLACE" for e in places)
    assert {"Idlib", "Sochi"} <= {e["name"] for e in places}
    mentions = [e["mentions"] for e in places]
    assert mentions == sorted(mentions, reverse=True)


def test_export_by_id_to_stdout_and_folder(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--demo", "--db", demo_db, "threads", "--json", "--min-sources", "2"])
    thread = json.loads(capsys.readouterr().out)[0]
    assert main(["--demo", "--db", demo_db, "export", str(thread["id"]), "-o", "-"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"<!-- briefing dossier: thread {thread['id']} -->")
    assert "## Timeline" in text
    out = tmp_path / "out"
    out.mkdir()
    assert main(["--demo", "--db", demo_db, "export", str(thread["id"]), "-o", str(out)]) == 0
    [written] = out.iterdir()
    assert written.name.endswith(f"-{thread['id']}.md")
    from briefing.store import Store

    with Store(demo_db) as store:  # a thread saved on its own is kept from pruning
        saved = store.thread(thread["id"])
        assert saved is not None and saved.kept

    def stable(doc: str) -> list[str]:  # all but the generated-at line
        return [line for line in doc.splitlines() if not line.startswith("Generated ")]

    assert stable(written.read_text()) == stable(text)


def test_export_ambiguous_or_unknown_name_exits_2(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--demo", "--db", demo_db, "export", "e"]) == 2
    assert "threads match; give one id" in capsys.readouterr().err
    assert main(["--demo", "--db", demo_db, "export", "no such thread at all"]) == 2
    assert "no thread matches" in capsys.readouterr().err


def test_export_all_and_refusal(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "all"
    assert main(["--demo", "--db", demo_db, "export", "--all", "-o", str(out)]) == 0
    files = sorted(out.iterdir())
    capsys.readouterr()
    main(["--demo", "--db", demo_db, "threads", "--json", "--limit", "100000"])
    assert len(files) == len(json.loads(capsys.readouterr().out))
    foreign = files[0]
    foreign.write_text("my own notes\n")
    thread_id = foreign.stem.rsplit("-", 1)[1]
    assert main(["--demo", "--db", demo_db, "export", thread_id, "-o", str(foreign)]) == 2
    assert "was not written by briefing" in capsys.readouterr().err
    assert foreign.read_text() == "my own notes\n"
    assert (
        main(["--demo", "--db", demo_db, "export", thread_id, "-o", str(foreign), "--force"]) == 0
    )
    assert foreign.read_text().startswith("<!-- briefing dossier")


def test_export_all_skips_a_foreign_file_and_writes_the_rest(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "all"
    assert main(["--demo", "--db", demo_db, "export", "--all", "-o", str(out)]) == 0
    files = sorted(out.iterdir())
    assert len(files) > 3
    for f in files:
        f.unlink()
    foreign = files[1]  # not the first: an export that stops halfway would write one file
    foreign.write_text("my own notes\n")
    capsys.readouterr()
    assert main(["--demo", "--db", demo_db, "export", "--all", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"skipped: {foreign} exists and was not written by briefing" in err
    assert f"{len(files) - 1} dossiers written to {out}; 1 skipped" in err
    assert sorted(out.iterdir()) == files and foreign.read_text() == "my own notes\n"


def test_export_all_into_a_file_is_refused_up_front(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "notes.md"
    target.write_text("mine\n")
    assert main(["--demo", "--db", demo_db, "export", "--all", "-o", str(target)]) == 2
    assert "is a file; --all writes one dossier per thread into a folder" in capsys.readouterr().err
    assert target.read_text() == "mine\n"
    assert [p for p in tmp_path.iterdir() if not p.name.startswith("demo.db")] == [target]


def test_export_to_a_path_ending_in_slash_writes_inside_that_new_folder(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--demo", "--db", demo_db, "threads", "--json", "--min-sources", "2"])
    thread = json.loads(capsys.readouterr().out)[0]
    newdir = tmp_path / "newdir"
    assert main(["--demo", "--db", demo_db, "export", str(thread["id"]), "-o", f"{newdir}/"]) == 0
    [written] = newdir.iterdir()
    assert written.name.endswith(f"-{thread['id']}.md")
    assert written.read_text().startswith("<!-- briefing dossier")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["stories", "--since", "1m"], "no stories match"),
        (["stories", "--search", "zzzqqq"], "no stories match"),
        (["threads", "--min-sources", "99"], "no threads match"),
        (["entities", "--since", "1m"], "no entities match"),
    ],
)
def test_filters_that_match_nothing_do_not_say_fetch_first(
    demo_db: str, args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--demo", "--db", demo_db, *args]) == 0
    assert capsys.readouterr().out == said + "\n"


def test_an_empty_store_says_fetch_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("stories", "threads", "entities"):
        assert main(["--demo", "--db", str(tmp_path / "empty.db"), command]) == 0
        assert capsys.readouterr().out == "no stories yet: run `briefing fetch` first\n"


def test_limit_zero_lists_nothing_and_a_negative_limit_is_refused(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("stories", "threads", "entities"):
        assert main(["--demo", "--db", demo_db, command, "--limit", "0"]) == 0
        assert capsys.readouterr().out == ""
        assert main(["--demo", "--db", demo_db, command, "--limit", "0", "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == []
        assert main(["--demo", "--db", demo_db, command, "--limit", "2", "--json"]) == 0
        assert len(json.loads(capsys.readouterr().out)) == 2
        with pytest.raises(SystemExit) as exit_:
            main(["--demo", "--db", demo_db, command, "--limit", "-5"])
        assert exit_.value.code == 2
        assert "--limit: must be 0 or more, not -5" in capsys.readouterr().err


def test_entities_prints_the_type_words_that_type_takes(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--demo", "--db", demo_db, "entities", "--limit", "1000"]) == 0
    lines = capsys.readouterr().out.splitlines()[2:]
    printed = {line.split()[-3] for line in lines}
    assert "group" in printed and "norp" not in printed
    for word in printed:  # every word the table prints is one --type accepts
        assert main(["--demo", "--db", demo_db, "entities", "--type", word]) == 0
        rows = capsys.readouterr().out.splitlines()[2:]
        assert rows and all(row.split()[-3] == word for row in rows)


@pytest.mark.parametrize("folder_too", [False, True], ids=["file", "file-and-folder"])
def test_a_read_only_store_reads_and_refuses_to_fetch_in_one_sentence(
    server: LoopbackServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], folder_too: bool
) -> None:
    server.reply("/ok", rss([{"title": "Harbour strike ends", "link": "http://e.org/1"}]))
    feeds = write_feeds(tmp_path, server, ["/ok"])
    folder = tmp_path / "store"
    db = folder / "d.db"
    asyncio.run(refresh(load_config(feeds), db, enrich=False))
    Store(db).close()  # a clean close: no -wal or -shm file left beside it
    base = ["--feeds", str(feeds), "--db", str(db)]
    with unwritable(db, *([folder] if folder_too else [])):
        assert main([*base, "fetch"]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "read-only" in err and "unexpected" not in err
        assert main([*base, "stories", "--search", "harbour"]) == 0
        assert "Harbour strike ends" in capsys.readouterr().out
        assert main([*base, "stories", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)[0]["title"] == "Harbour strike ends"
    assert len(server.requests) == 1  # the refused fetch asked nothing of the server


def test_prune_dry_run_changes_nothing_then_prune_deletes_and_converts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3
    from datetime import UTC, datetime, timedelta

    from briefing.models import Story
    from briefing.store import Store

    feeds = tmp_path / "feeds.toml"
    feeds.write_text(
        '[settings]\nkeep_days = 30\n\n[[feed]]\nname = "B"\nurl = "https://b.example/f"\n'
        "keep_days = 400\n"
    )
    db = tmp_path / "d.db"
    sqlite3.connect(db).executescript("CREATE TABLE x(a); DROP TABLE x;")  # an older file
    old = datetime.now(UTC) - timedelta(days=60)
    with Store(db) as store:
        store.add_stories([
            Story(id=f"s{n}", feed_url=url, source="A", title=f"t{n}", link="", summary="x" * 5000,
                  published=old, first_seen=old)
            for n, url in enumerate(["https://a.example/f"] * 3 + ["https://b.example/f"])
        ])  # fmt: skip
    assert main(["--feeds", str(feeds), "--db", str(db), "prune", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would prune 3 stories older than 30 days (1 feed has its own keep_days)" in out
    assert "converted to incremental vacuum" in out
    with Store(db) as store:
        assert store.count_stories() == 4 and not store.incremental()
    assert main(["--feeds", str(feeds), "--db", str(db), "prune"]) == 0
    captured = capsys.readouterr()
    assert "pruned 3 stories" in captured.out and "store file:" in captured.out
    assert "converting the store" in captured.err
    with Store(db) as store:
        assert store.count_stories() == 1 and store.incremental()


def test_every_error_meant_for_the_user_is_one_kind_with_one_exit_code() -> None:
    from briefing.config import ConfigError
    from briefing.entities import ModelMissing
    from briefing.errors import REFUSED, BriefingError
    from briefing.export import ExportRefused, ForeignFile, ThreadGone
    from briefing.opml import OpmlError
    from briefing.store import StoreError, StoreReadOnly
    from briefing.store.corrections import CorrectionError

    kinds = [ConfigError, ModelMissing, ExportRefused, ForeignFile, ThreadGone, OpmlError,
             StoreError, StoreReadOnly, CorrectionError]  # fmt: skip
    assert all(issubclass(k, BriefingError) and k.exit_code == REFUSED for k in kinds)


def test_global_options_work_before_or_after_the_command(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--demo", "--db", demo_db, "threads", "--json"]) == 0
    before = json.loads(capsys.readouterr().out)
    assert main(["threads", "--json", "--demo", "--db", demo_db]) == 0
    assert json.loads(capsys.readouterr().out) == before and before
    # Given before the command, a value is not reset by the command's own copy of the option.
    assert main(["--db", demo_db, "thread", "--demo", "show", str(before[0]["id"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == before[0]["id"]


@pytest.mark.parametrize(
    "argv",
    [
        ["--demo", "--feeds", "f.toml", "stories"],
        ["stories", "--demo", "--feeds", "f.toml"],
        ["--demo", "stories", "--feeds", "f.toml"],
        ["--feeds", "f.toml", "thread", "--demo", "undo"],
    ],
)
def test_demo_and_feeds_together_are_refused_wherever_they_stand(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    assert "--feeds: not allowed with argument --demo" in capsys.readouterr().err


def test_logging_is_set_up_once_however_often_main_runs() -> None:
    import logging

    from briefing.cli import setup_logging

    root = logging.getLogger("briefing")
    path = setup_logging()
    setup_logging()
    files = [h for h in root.handlers if isinstance(h, logging.FileHandler)]
    assert [h.baseFilename for h in files].count(str(path.resolve())) == 1
