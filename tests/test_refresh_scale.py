"""What keeps a refresh's cost off the store's history: the queries that find a feed's latest
stories and the stories to annotate go through indexes, threading reads only the df rows its
stories need once the table is big, and the memoised word folding changes no result."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from briefing import enrich
from briefing.models import Story
from briefing.store import Store
from tests.helpers import make_story

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def story(n: int, feed: str = "a") -> Story:
    return make_story(
        n, T0 + timedelta(minutes=n), id=f"{feed}{n}", feed_url=f"https://{feed}.example/feed",
        source=feed.upper(), title=f"Title {n}", link=f"https://{feed}.example/{n}",
        summary=f"Summary {n}",
    )  # fmt: skip


def plan(store: Store, sql: str, args: tuple[object, ...]) -> str:
    return " | ".join(str(r[-1]) for r in store.db.execute(f"EXPLAIN QUERY PLAN {sql}", args))


def test_a_feeds_latest_stories_are_read_through_its_index_in_rowid_order(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "s.db") as store:
        store.add_stories([story(n, "ab"[n % 2]) for n in range(60)])
        found = store.recent_texts(["https://a.example/feed", "https://c.example/feed"], 5)
        steps = plan(
            store,
            "SELECT title, summary FROM stories WHERE feed_url = ? ORDER BY rowid DESC LIMIT ?",
            ("https://a.example/feed", 5),
        )
    assert [title for title, _ in found["https://a.example/feed"]] == [
        f"Title {n}" for n in (58, 56, 54, 52, 50)
    ]
    assert found["https://c.example/feed"] == []
    assert "stories_feed" in steps and "TEMP B-TREE" not in steps, steps


def test_stories_to_annotate_come_in_rowid_order_from_the_first_one_not_annotated(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "s.db") as store:
        store.add_stories([story(n) for n in range(30)])
        # Annotated by v2 except three: one never annotated, two by an older model.
        store.db.execute("UPDATE stories SET annotated = 'v2' WHERE rowid NOT IN (4, 17, 25)")
        store.db.execute("UPDATE stories SET annotated = 'v1' WHERE rowid IN (17, 25)")
        store.db.commit()
        assert store.count_unannotated("v2") == 3
        assert [r[0] for r in store.unannotated("v2", 2)] == [4, 17]
        assert [(r[0], r[2]) for r in store.unannotated("v2", 10, chars=3)] == [
            (4, "Sum"),
            (17, "Sum"),
            (25, "Sum"),
        ]
        assert store.count_unannotated("v1") == 28
        assert [r[0] for r in store.unannotated("v1", 3)] == [1, 2, 3]
        store.db.execute("UPDATE stories SET annotated = 'v2'")
        assert store.count_unannotated("v2") == 0 and store.unannotated("v2") == []
        steps = plan(
            store, "SELECT count(*) FROM stories WHERE annotated < ? OR annotated > ?", ("x", "x")
        )
    assert "SCAN stories" not in steps and "stories_annotated" in steps, steps


def test_words_are_the_same_however_often_they_are_asked_for() -> None:
    from briefing.threads.text import words

    text = "The US envoy's talks in Sochi: Erdoğan and Erdogan's deal. U.S. ports"
    first = words(text)
    assert first == [
        ("", "The"),
        ("usa", "US"),
        ("envoy", "envoy"),
        ("talk", "talks"),
        ("", "in"),
        ("sochi", "Sochi"),
        ("erdogan", "Erdoğan"),
        ("", "and"),
        ("erdogan", "Erdogan"),
        ("deal", "deal"),
        ("usa", "U.S"),
        ("port", "ports"),
    ]
    again = words(text)
    assert again == first and again is not first  # a new list: callers may change theirs


def test_thread_terms_are_every_key_the_engine_counts() -> None:
    # The thread stage loads the df of these terms only: a key the engine counts but this
    # misses would weigh as unseen, so the two must stay the same set.
    from briefing.threads.doc import Doc, ThreadItem

    items = [
        ThreadItem(
            story_id=f"s{n}",
            title=title,
            summary=summary,
            source="A",
            link=f"https://a.example/{n}",
            published=T0,
            entities=ents,
        )
        for n, (title, summary, ents) in enumerate(
            [
                ("Erdoğan meets Putin in Sochi", "The deal on Idlib's ceasefire holds.", ()),
                ("US port strike: talks resume", "", ("org:ilwu", "place:los angeles")),
                ("Markets", "Stocks fell 3% on Monday in New York.", ("place:new york",)),
            ]
        )
    ]
    assert enrich.thread_terms(items) == {k for item in items for k in Doc(item).all_keys()}


def test_threading_reads_the_whole_df_or_its_stories_rows_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stories = [
        replace(story(n), title=title, summary=summary)
        for n, (title, summary) in enumerate(
            [
                ("Port strike in Rotterdam", "Dock workers walk out over pay at the port."),
                ("Rotterdam port strike ends", "Dock workers accept the pay offer."),
                ("Budget vote in Rome", "The senate passes the budget after a long night."),
                ("Rome budget passes", "Senators back the budget; the opposition walks out."),
                ("Quake hits Chile", "A strong earthquake shakes Santiago."),
            ]
        )
    ]
    results = []
    for rows_per_story in (0, 10**9):  # 0: only the stories' terms are read; 10**9: whole
        monkeypatch.setattr(enrich, "DF_ROWS_PER_STORY", rows_per_story)
        with Store(tmp_path / f"s{rows_per_story}.db") as store:
            store.add_stories(stories)
            store.db.execute("INSERT INTO term_df(term, df) VALUES ('unrelated', 7), ('port', 9)")
            store.db.execute("INSERT INTO meta(key, value) VALUES ('thread_docs', '100')")
            store.db.commit()
            df, _ = store.doc_freq({"port", "unrelated", "missing"})
            assert df == {"port": 9, "unrelated": 7} and store.term_count() == 2
            enrich.thread(store, lambda _p: None)
            full, n_docs = store.doc_freq()
            assert full["unrelated"] == 7 and full["port"] > 9 and n_docs == 105
            results.append(
                (
                    sorted((s.title, s.thread_id) for s in store.stories(limit=10)),
                    sorted((t.id, t.name) for t in store.threads()),
                )
            )
    assert results[0] == results[1]
    assert len({tid for _, tid in results[0][0]}) >= 2
