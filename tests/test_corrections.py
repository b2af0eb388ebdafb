"""Corrections by hand: detach, merge, rename, undo, and the why of a story; and that the
engine honours them when it threads again (real store, real spaCy)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing import corrections
from briefing.corrections import CorrectionError
from briefing.models import DETACH, MERGE, PLACE, RENAME, Mention, Story
from briefing.store import Store
from tests.helpers import make_story

T0 = datetime(2026, 11, 18, 6, tzinfo=UTC)


def story(n: int, **changes: object) -> Story:
    return make_story(
        n,
        T0 + timedelta(hours=n),
        **{
            "source": f"Outlet {n % 3}",
            "title": f"Harbour strike talks day {n}",
            "summary": "Dock workers in Rotterdam met the port authority about the harbour strike.",
            **changes,
        },
    )


def seed(path: Path) -> Store:
    """Thread 1 "Harbour strike": id0..id3 (id3 a copy of id2); 2 "Port talks": id4, id5."""
    s = Store(path)
    s.add_stories([story(n) for n in range(6)])
    a, b = s.new_thread(T0), s.new_thread(T0)
    s.save_assignments(
        [("id0", a, None), ("id1", a, None), ("id2", a, None), ("id3", a, "id2"),
         ("id4", b, None), ("id5", b, None)],
        {}, 6, scores={"id0": 0.0, "id1": 0.8, "id2": 0.7, "id3": 1.0, "id4": 0.0, "id5": 0.9},
    )  # fmt: skip
    s.set_thread_names({a: "Harbour strike", b: "Port talks"})
    rowids = {str(i): int(r) for i, r in s.db.execute("SELECT id, rowid FROM stories")}
    place = Mention("summary", 15, 24, PLACE, "place:rotterdam", "Rotterdam")
    s.save_mentions([(rowids[f"id{n}"], [place]) for n in range(6)], "test")
    return s


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return seed(tmp_path / "c.db")


def thread_of(store: Store, story_id: str) -> int | None:
    found = store.story(story_id)
    assert found is not None and found.thread_id is not None
    return store.resolve_thread(found.thread_id)


def test_detach_takes_the_story_and_its_copies_into_a_new_thread(store: Store) -> None:
    done = corrections.detach(store, "id2", T0 + timedelta(days=1))
    assert done.kind == DETACH and done.from_thread == 1 and done.old_name == "Harbour strike"
    assert thread_of(store, "id2") == thread_of(store, "id3") == done.to_thread
    assert done.to_thread not in {1, 2}
    assert store.thread(1).stories == 2 and store.thread(done.to_thread).stories == 2
    assert store.thread(done.to_thread).name  # named the way the engine names threads
    assert store.duplicates(done.to_thread) == {"id2": [store.story("id3")]}
    with pytest.raises(CorrectionError, match="alone"):
        corrections.detach(store, "id2", T0)
    with pytest.raises(CorrectionError, match="no story"):
        corrections.detach(store, "nope", T0)


def test_undo_detach_puts_it_back_where_its_thread_went(store: Store) -> None:
    done = corrections.detach(store, "id2", T0)
    store.merge_threads(2, 1, T0)  # the engine merged the thread it left meanwhile
    undone = corrections.undo(store)
    assert undone is not None and undone.id == done.id and undone.undone
    assert thread_of(store, "id2") == thread_of(store, "id3") == 2
    assert store.duplicates(2) == {"id2": [store.story("id3")]}
    assert store.thread(done.to_thread) is None or store.thread(done.to_thread).stories == 0
    assert corrections.undo(store) is None  # the engine's merge is not the user's to undo


def test_merge_by_hand_and_its_undo(store: Store) -> None:
    done = corrections.merge(store, 2, 1, T0)
    assert done.kind == MERGE and (done.from_thread, done.to_thread) == (2, 1)
    assert done.old_name == "Harbour strike" and done.new_name == "Port talks"
    assert store.resolve_thread(2) == 1 and store.thread(1).stories == 6
    assert store.db.execute("SELECT gone, keep, by_hand FROM thread_merges").fetchall() == [
        (2, 1, 1)
    ]
    with pytest.raises(CorrectionError, match="one thread already"):
        corrections.merge(store, 1, 2, T0)
    store.add_stories([story(7)])
    store.save_assignments([("id7", 1, None)], {}, 7)  # a story joined after the merge
    corrections.undo(store)
    assert store.resolve_thread(2) == 2 and [t.id for t in store.threads()] == [1, 2]
    assert {s.id for s in store.stories(thread_id=2)} == {"id4", "id5"}
    assert {s.id for s in store.stories(thread_id=1)} == {"id0", "id1", "id2", "id3", "id7"}
    assert store.db.execute("SELECT count(*) FROM thread_merges").fetchone()[0] == 0


def test_undoing_a_merge_restores_threads_merged_into_the_gone_one(store: Store) -> None:
    store.add_stories([story(8)])
    c = store.new_thread(T0)
    store.save_assignments([("id8", c, None)], {}, 8)
    store.merge_threads(2, c, T0)  # engine: c into b
    corrections.merge(store, 2, 1, T0)
    assert store.resolve_thread(c) == 1
    corrections.undo(store)
    assert store.resolve_thread(c) == 2 and thread_of(store, "id8") == 2


def test_rename_is_kept_from_the_engine_and_undone(store: Store) -> None:
    done = corrections.rename(store, 1, "  Rotterdam\x1b[31m dock\tstrike \u202e ", T0)
    assert done.kind == RENAME and done.new_name == "Rotterdam dock strike"
    store.set_thread_names({1: "Engine name", 2: "Other engine name"})
    assert store.thread(1).name == "Rotterdam dock strike"
    assert store.thread(2).name == "Other engine name"
    corrections.undo(store)
    assert store.thread(1).name == "Harbour strike"
    store.set_thread_names({1: "Engine name"})
    assert store.thread(1).name == "Engine name"
    with pytest.raises(CorrectionError, match="empty"):
        corrections.rename(store, 1, "\x1b[2J \x07", T0)
    assert len(corrections.rename(store, 1, "x" * 500, T0).new_name) <= 60


def test_a_renamed_thread_keeps_its_name_when_the_engine_merges_it_away(store: Store) -> None:
    corrections.rename(store, 2, "My port talks", T0)
    store.merge_threads(1, 2, T0)
    store.set_thread_names({1: "Engine name"})
    assert store.thread(1).name == "My port talks"


def test_merging_by_hand_keeps_the_name_of_the_thread_merged_into(store: Store) -> None:
    corrections.rename(store, 2, "My port talks", T0)
    corrections.merge(store, 2, 1, T0)
    assert store.thread(1).name != "My port talks"
    corrections.undo(store)
    assert store.thread(2).name == "My port talks"


def test_kept_apart_follows_merges_at_any_depth(store: Store) -> None:
    done = corrections.detach(store, "id1", T0)
    new = done.to_thread
    assert store.kept_apart(1, new) and store.kept_apart(new, 1)
    assert not store.kept_apart(2, new) and not store.kept_apart(1, 2)
    store.merge_threads(1, 2, T0)  # b went into a: b now stands for a
    assert store.kept_apart(2, new)
    store.add_stories([story(9)])
    c = store.new_thread(T0)
    store.save_assignments([("id9", c, None)], {}, 9)
    store.merge_threads(c, new, T0)  # the detached story's thread went into c
    assert store.kept_apart(1, c) and store.kept_apart(2, c)
    corrections.undo(store)
    assert not store.kept_apart(1, c)


def test_dossier_lists_the_corrections_of_its_thread(store: Store) -> None:
    from briefing.export import render_dossier

    corrections.detach(store, "id1", T0)
    corrections.merge(store, 2, 1, T0)
    store.set_thread_names({1: "Harbour strike"})
    corrections.rename(store, 1, "Rotterdam *dock* strike", T0)
    data = store.dossier(1)
    assert data is not None
    text = render_dossier(*data, generated=T0)
    assert r"- Renamed by you \(was: Harbour strike\)" in text
    assert "- Merged in by you: Port talks" in text
    assert "- Moved out by you: Harbour strike talks day 1" in text
    assert r"# Rotterdam \*dock\* strike" in text
    corrections.undo(store)
    data = store.dossier(1)
    assert data is not None
    text = render_dossier(*data, generated=T0)
    assert "Renamed by you" not in text


def test_why_names_the_score_and_what_the_story_shares(store: Store) -> None:
    found = corrections.why(store, "id1")
    assert found.thread is not None and found.thread.id == 1 and found.others == 3
    assert found.score == 0.8 and "0.80" in found.verdict()
    assert found.entities == [("Rotterdam", PLACE, 3)]
    shared = dict(found.words)
    assert shared["Harbour"] == 3 and "Rotterdam" not in shared  # shown as an entity
    assert "1" not in shared and "the" not in {w.lower() for w in shared}
    assert "started" in corrections.why(store, "id0").verdict()
    assert "re-publication" in corrections.why(store, "id3").verdict()
    done = corrections.detach(store, "id1", T0)
    moved = corrections.why(store, "id1")
    assert moved.moved_by_hand is not None and moved.moved_by_hand.id == done.id
    assert "You moved it here from “Harbour strike”" in moved.verdict()


def test_find_story_takes_a_unique_start_of_the_id(store: Store) -> None:
    store.add_stories([story(10, id="abcdef0123"), story(11, id="abcdef9999")])
    assert corrections.find_story(store, "abcdef01").id == "abcdef0123"
    with pytest.raises(CorrectionError, match="more than one"):
        corrections.find_story(store, "abcdef")
    with pytest.raises(CorrectionError, match="6 or more"):
        corrections.find_story(store, "abc")


# -- the engine honours them (real spaCy) -------------------------------------------------------

OUTLETS = ["Reuters", "AP", "BBC", "Guardian", "AFP", "DW", "NPR", "CNN"]
QUAKE = [
    ("Earthquake hits Arequipa in southern Peru",
     "A magnitude 7.1 earthquake struck near Arequipa, Peru, on Wednesday, damaging buildings; "
     "rescue teams searched the rubble."),
    ("Peru earthquake: Arequipa rescuers search rubble",
     "Rescue teams in Arequipa searched collapsed buildings after the earthquake in southern "
     "Peru, President Dina Boluarte said."),
    ("Arequipa quake death toll rises in Peru",
     "The death toll from the earthquake near Arequipa in southern Peru rose as rescue teams "
     "searched the rubble of buildings."),
    ("Peru declares emergency in Arequipa after earthquake",
     "Peru declared a state of emergency in Arequipa after the earthquake damaged buildings; "
     "rescue teams searched the rubble."),
    ("Aftershocks rattle Arequipa after Peru earthquake",
     "Aftershocks shook Arequipa in southern Peru a day after the earthquake; rescue teams "
     "searched the rubble of buildings."),
    ("Peru earthquake survivors in Arequipa wait for aid",
     "Survivors of the earthquake in Arequipa, southern Peru, waited for aid as rescue teams "
     "searched the rubble of buildings."),
    ("Arequipa earthquake: Peru asks for international help",
     "Peru asked for international help after the earthquake near Arequipa damaged buildings; "
     "rescue teams searched the rubble."),
    ("Peru's Boluarte visits quake-hit Arequipa",
     "President Dina Boluarte visited Arequipa in southern Peru after the earthquake; rescue "
     "teams searched the rubble of buildings."),
]  # fmt: skip


def quake(i: int) -> Story:
    outlet = OUTLETS[i].lower()
    when = T0 + timedelta(hours=2 * i)
    return Story(
        id=f"q{i}", feed_url=f"https://{outlet}.test/feed", source=OUTLETS[i],
        title=QUAKE[i][0], link=f"https://{outlet}.test/{i}", summary=QUAKE[i][1],
        published=when, first_seen=when,
    )  # fmt: skip


def detach_then_thread_more(path: Path, honour: bool) -> tuple[int | None, int | None, str]:
    """Thread four quake stories, detach one, rename the thread, thread four more; the
    resolved threads of the detached story and of the first one, and the first one's name."""
    from briefing.pipeline import ingest

    with Store(path) as store:
        ingest(store, [quake(i) for i in range(4)])
        first = store.story("q0")
        assert first is not None and first.thread_id is not None
        assert {thread_of(store, f"q{i}") for i in range(4)} == {first.thread_id}
        score = store.join_record("q1")[0]
        assert score is not None and score > 0.5  # the engine's join probability is kept
        corrections.detach(store, "q2", T0 + timedelta(days=1))
        corrections.rename(store, first.thread_id, "Peru quake (mine)", T0 + timedelta(days=1))
        if not honour:  # the control: the same run with the engine free to merge them
            store.kept_apart = lambda a, b: False
        ingest(store, [quake(i) for i in range(4, 8)])
        assert all(s.thread_id is not None for s in store.stories())
        name = store.thread(first.thread_id).name
        return thread_of(store, "q2"), thread_of(store, "q0"), name


@pytest.mark.slow
def test_a_detached_story_stays_out_after_rethreading(
    tmp_path: Path, recognizer: object, monkeypatch: pytest.MonkeyPatch
) -> None:

    from briefing.threads.model import ThreadModel

    # An engine that merges readily, so that the correction is what keeps them apart.
    eager = replace(ThreadModel.load(), merge_threshold=0.05)
    monkeypatch.setattr(ThreadModel, "load", classmethod(lambda cls, path=None: eager))
    detached, first, name = detach_then_thread_more(tmp_path / "on.db", honour=True)
    assert detached != first
    assert name == "Peru quake (mine)"  # more stories joined; the user's name stays
    # Without the correction binding the engine, these very threads are merged back.
    detached, first, _ = detach_then_thread_more(tmp_path / "off.db", honour=False)
    assert detached == first


def test_a_store_from_before_corrections_upgrades(tmp_path: Path) -> None:
    import sqlite3

    from briefing.store.base import MIGRATIONS

    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:4]:
        db.executescript(script)
    db.execute("PRAGMA user_version = 4")
    db.execute(
        "INSERT INTO threads(id, name, created, first_seen, last_seen) VALUES (1, 'Old', 0, 0, 0)"
    )
    db.commit()
    db.close()
    with Store(path) as store:
        store.add_stories([story(0), story(1)])
        store.save_assignments([("id0", 1, None), ("id1", 1, None)], {}, 2)
        assert store.join_record("id1") == (None, None)
        assert "no score recorded" in corrections.why(store, "id1").verdict()
        assert corrections.rename(store, 1, "New", T0).old_name == "Old"
