"""`briefing thread ...`: corrections by hand and why, from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.store import Store
from tests.test_corrections import seed


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "cli.db"
    seed(path).close()
    return str(path)


def thread(db: str, *args: str) -> int:
    return main(["--demo", "--db", db, "thread", *args])


def test_detach_why_and_undo(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert thread(db, "why", "id1") == 0
    out = capsys.readouterr().out
    assert "thread 1: Harbour strike" in out and "score of 0.80" in out
    assert "Rotterdam" in out and "Harbour (3)" in out
    assert thread(db, "detach", "id1") == 0
    out = capsys.readouterr().out
    assert "Moved “Harbour strike talks day 1” out of “Harbour strike”" in out
    with Store(db) as store:
        moved = store.story("id1")
        assert moved is not None and moved.thread_id not in {1, 2}
    assert thread(db, "why", "id1", "--json") == 0
    why = json.loads(capsys.readouterr().out)
    assert why["thread"]["id"] == moved.thread_id and "You moved it here" in why["verdict"]
    assert thread(db, "undo") == 0
    assert capsys.readouterr().out.startswith("undone: Put “Harbour strike talks day 1” back")
    with Store(db) as store:
        assert store.story("id1").thread_id == 1


def test_merge_rename_show_and_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert thread(db, "merge", "Port", "1", "--json") == 0
    done = json.loads(capsys.readouterr().out)
    assert (done["kind"], done["from_thread"], done["to_thread"]) == ("merge", 2, 1)
    assert thread(db, "rename", "1", "Rotterdam", "port", "strike") == 0
    assert "to “Rotterdam port strike”" in capsys.readouterr().out
    assert thread(db, "show", "rotterdam") == 0
    out = capsys.readouterr().out
    assert out.startswith("thread 1: Rotterdam port strike") and out.count("Harbour strike") == 6
    assert "0.80" in out
    main(["--demo", "--db", db, "threads", "--json"])
    assert [t["name"] for t in json.loads(capsys.readouterr().out)] == ["Rotterdam port strike"]


def test_usage_errors_exit_2_with_a_clear_message(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert thread(db, "undo") == 2
    assert "nothing to undo" in capsys.readouterr().err
    assert thread(db, "detach", "nosuchstory") == 2
    assert "no story" in capsys.readouterr().err
    assert thread(db, "merge", "1", "1") == 2
    assert "one thread already" in capsys.readouterr().err
    assert thread(db, "merge", "1", "nothing like it") == 2
    assert "no thread matches" in capsys.readouterr().err
    assert thread(db, "rename", "1", "\x1b]52;c;aGk=\x07", "\u202e") == 2
    err = capsys.readouterr().err
    assert "cannot be empty" in err and "\x1b" not in err
    with pytest.raises(SystemExit) as exc:
        thread(db)
    assert exc.value.code == 2
    assert thread(db, "rename", "1", "\x1b[31mRed\x1b[0m [b]name[/b]") == 0
    assert "“Red [b]name[/b]”" in capsys.readouterr().out
