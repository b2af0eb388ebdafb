"""Thread summaries and `briefing brief`: honest sentences, cached, and inert hostile text."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing import boilerplate, brief
from briefing.cli import main
from briefing.models import Story
from briefing.store import Store
from briefing.summaries import Member, sentences, summarise
from tests.helpers import unwritable

T0 = datetime(2026, 11, 17, 8, 0, tzinfo=UTC)
FOOTER = "The post appeared first on Harbour News."


def member(n: int, source: str, title: str, summary: str, hours: float = 0, **kw: object) -> Member:
    return Member(f"s{n}", source, title, summary, f"https://example.com/{n}",
                  T0 + timedelta(hours=hours), **kw)  # type: ignore[arg-type]  # fmt: skip


PATROLS = [
    member(1, "Anatolia Wire", "Turkey and Russia agree on Idlib patrols",
           "Turkey and Russia agreed on Tuesday to launch joint patrols in Syria's Idlib "
           "province, the Turkish Defence Ministry said. The deal follows a call between the "
           "two presidents.", 0, entities=("Turkey", "Russia", "Idlib")),
    member(2, "Steppe Herald", "Kremlin confirms Idlib patrol deal",
           "The Kremlin confirmed on Tuesday that Turkey and Russia will begin joint patrols "
           "in Idlib under the Sochi agreement.", 3, entities=("Kremlin", "Turkey", "Russia",
                                                               "Idlib", "Sochi")),
    member(3, "Harbor Ledger", "Joint patrols begin in Idlib",
           "Turkish and Russian troops began joint patrols in Idlib on Wednesday, the two "
           "defence ministries said.", 26, entities=("Idlib",)),
    member(4, "Meridian Post", "Erdoğan floats wider Idlib patrol zone",
           "President Erdoğan raised the prospect of extending the patrols beyond the M4 "
           "highway by 40 kilometres.", 50, entities=("Erdoğan", "Idlib")),
]  # fmt: skip


def test_every_sentence_is_a_members_own_words_and_says_whose() -> None:
    summary = summarise(PATROLS)
    by_id = {m.story_id: m for m in PATROLS}
    assert 1 <= len(summary.sentences) <= 3
    for s in [*summary.sentences, summary.latest]:
        assert s is not None
        owner = by_id[s.story_id]
        assert s.text in owner.title or s.text in owner.summary
        assert s.source == owner.source and s.link == owner.link
    assert [s.published for s in summary.sentences] == sorted(
        s.published for s in summary.sentences
    )
    assert summary.key_entities[:3] == ("Idlib", "Turkey", "Russia")


def test_latest_is_the_newest_storys_lede_when_it_says_something_new() -> None:
    latest = summarise(PATROLS).latest
    assert latest is not None and latest.story_id == "s4"
    assert latest.text.startswith("President Erdoğan raised the prospect")
    # A newest story that only repeats the thread has no latest development.
    echo = member(5, "Levant Daily", "Turkey and Russia agree on Idlib patrols",
                  "Turkey and Russia agreed on Tuesday to launch joint patrols in Syria's Idlib "
                  "province, the Turkish Defence Ministry said.", 80)  # fmt: skip
    assert summarise([*PATROLS[:2], echo]).latest is None


def test_wire_copies_and_feed_boilerplate_never_make_the_summary() -> None:
    wire = "Turkey and Russia agreed on Tuesday to launch joint patrols in Idlib, officials said."
    boiler = frozenset({boilerplate.key(FOOTER)})  # as boilerplate.repeated makes it
    copies = [
        member(n, f"Outlet {n}", f"Idlib patrols agreed ({n})", f"{wire} {FOOTER}", n,
               boiler=boiler)
        for n in range(4)
    ]  # fmt: skip
    summary = summarise(copies)
    texts = [s.text for s in summary.sentences]
    assert texts.count(wire) == 1 and not any("appeared first" in t for t in texts)
    # Unpunctuated fragments and text the feed cut short are not sentences.
    cut = member(9, "X", "A", "Turkey and Russia agreed on Tuesday to launch joint patrols in…")
    assert summarise([cut, cut]).sentences == ()


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = "<p>The recall campaign against California Gov. Gavin Newsom grew. It was Monday."
    assert sentences(text)[0].endswith("Gov. Gavin Newsom grew.")


# -- the store, the pipeline and the CLI ------------------------------------------------------

HOSTILE_TITLE = "\x1b[31mRED\x1b[0m [bold]Idlib[/bold] patrols agreed <script>x</script>"
HOSTILE_SUMMARY = (
    "Turkey and Russia agreed on joint [link=file:///etc]patrols[/link] in Idlib province "
    "today, officials said \x1b]8;;http://evil\x07 in a statement.\n# Heading "
    "[x](javascript:alert(1)) was written."
)


def seed(path: Path) -> Store:
    """Thread 1: three hostile-looking stories from two outlets; thread 2: one single."""
    store = Store(path)
    now = datetime.now(UTC)
    stories = [
        Story(f"h{n}", "https://feed.example/rss", f"Outlet {n % 2}", HOSTILE_TITLE + f" {n}",
              f"https://example.com/{n}", HOSTILE_SUMMARY, now - timedelta(hours=3 - n),
              now - timedelta(hours=3 - n))
        for n in range(3)
    ] + [Story("single", "https://other.example/rss", "Lone Outlet", "A quiet single story",
               "javascript:alert(1)", "", now, now)]  # fmt: skip
    store.add_stories(stories)
    a, b = store.new_thread(now), store.new_thread(now)
    store.save_assignments([("h0", a, None), ("h1", a, None), ("h2", a, None), ("single", b, None)],
                           {}, 4)  # fmt: skip
    store.set_thread_names({a: "Idlib · patrols", b: "quiet"})
    return store


@pytest.fixture
def db(tmp_path: Path) -> str:
    seed(tmp_path / "b.db").close()
    return str(tmp_path / "b.db")


def run(db: str, *args: str) -> int:
    return main(["--demo", "--db", db, "brief", *args])


def test_hostile_text_stays_inert_in_text_json_and_markdown(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db, "--no-mark") == 0
    text = capsys.readouterr().out
    assert "\x1b" not in text and "\x07" not in text and "Idlib · patrols" in text
    assert "A quiet single story" in text
    assert run(db, "--json", "--no-mark") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["threads"][0]["sentences"] and data["singles"][0]["link"] == ""
    out = tmp_path / "brief.md"
    assert run(db, "-o", str(out), "--no-mark") == 0
    md = out.read_text()
    assert "\x1b" not in md and "javascript:" not in md.replace("javascript\\:", "")
    assert "\\[bold\\]" in md and "<script>" not in md and "[link=" not in md
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == ["# Briefing since " + headings[0][17:], "## Idlib · patrols", "## Also new"]
    assert "](<https://example.com/" in md  # http(s) links only


def test_the_mark_moves_unless_no_mark(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with Store(db) as store:
        assert store.last_brief() is None
    assert run(db, "--no-mark") == 0
    with Store(db) as store:
        assert store.last_brief() is None
    assert run(db) == 0
    assert "Idlib · patrols" in capsys.readouterr().out
    with Store(db) as store:
        marked = store.last_brief()
        assert marked is not None and datetime.now(UTC) - marked < timedelta(minutes=1)
    assert run(db) == 0  # nothing new since the mark
    assert "Nothing new since then." in capsys.readouterr().out
    assert run(db, "--since", "1d") == 0  # --since looks further back than the mark
    assert "Idlib · patrols" in capsys.readouterr().out


def test_output_refuses_a_foreign_file_and_replaces_its_own(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "notes.md"
    mine.write_text("my notes")
    assert run(db, "-o", str(mine)) == 2
    err = capsys.readouterr().err
    assert (
        "not written by briefing (--force overwrites it)" in err and mine.read_text() == "my notes"
    )
    folder = tmp_path / "briefs"
    assert run(db, "-o", f"{folder}/", "--since", "1d") == 0
    (written,) = folder.iterdir()
    assert written.name.startswith("brief-") and written.read_text().startswith(brief.MARKER)
    assert run(db, "-o", str(written), "--since", "1d") == 0  # its own file: replaced


def test_summaries_are_cached_and_made_again_when_the_thread_grows(db: str) -> None:
    with Store(db) as store:
        assert brief.refresh_summaries(store) == 1  # thread 1; the single needs none
        assert brief.refresh_summaries(store) == 0
        cached = store.cached_summary(1)
        assert cached is not None and cached[0] == store.summary_state(1)
        now = datetime.now(UTC)
        store.add_stories([Story("h9", "https://feed.example/rss", "Outlet 9", "Idlib patrols "
                                 "widen", "https://example.com/9", "", now, now)])  # fmt: skip
        store.save_assignments([("h9", 1, None)], {}, 5)
        assert store.stale_summaries(now - timedelta(days=1)) == [1]
        assert brief.refresh_summaries(store) == 1


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert main(["--demo", "--db", str(path), "fetch"]) == 0
    return path


def test_a_demo_refresh_leaves_every_thread_summarised(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    shutil.copy(demo_db, db)
    with Store(db) as store:
        assert store.stale_summaries(datetime(2000, 1, 1, tzinfo=UTC)) == []
        idlib = next(t for t in store.threads() if "Idlib" in t.name)
        summary = brief.thread_summary(store, idlib.id)
    text = " ".join(s.text for s in summary.sentences)
    assert "joint patrols" in text and "Idlib" in text
    assert summary.latest is not None and "Erdoğan" in summary.latest.text


def test_a_read_only_store_still_briefs(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with Store(db):
        pass  # settle the WAL so the file alone holds the store
    with unwritable(Path(db)):
        assert run(db) == 0
        captured = capsys.readouterr()
        assert "Idlib · patrols" in captured.out and "read-only" in captured.err
    with Store(db) as store:
        assert store.last_brief() is None and store.cached_summary(1) is None


def test_a_dossier_starts_with_the_threads_summary(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--demo", "--db", db, "export", "1", "-o", "-"]) == 0
    dossier = capsys.readouterr().out
    summary_at, timeline_at = dossier.index("## Summary"), dossier.index("## Timeline")
    assert summary_at < timeline_at
    part = dossier[summary_at:timeline_at]
    assert "— [Outlet " in part and "\x1b" not in part and "\\[bold\\]" in part
