"""One feed inside every size cap cannot block a refresh: long items cost bounded time and
memory in entities and threads, and every feed is stored and reported before either runs."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from briefing import enrich
from briefing.config import Config, Settings
from briefing.entities import NER_CHARS, Recognizer, lede
from briefing.models import Feed, Progress, Story
from briefing.pipeline import refresh
from briefing.store import Store
from tests.helpers import LoopbackServer, items, rss

FILLER = "The committee met again on Tuesday to discuss the budget and the port. "


def long_items(n: int, chars: int = 20_000) -> bytes:
    """n items whose descriptions run to `chars` characters: a person and a place in the lede,
    another person only far past it."""
    body = (FILLER * (chars // len(FILLER)))[: chars - 200]
    return rss(
        [
            {
                "title": f"Long story {i}",
                "link": f"http://example.org/long/{i}",
                "guid": f"long-{i}",
                # each lede its own: one repeated under every item is the feed's boilerplate
                "description": f"Angela Merkel arrived in Berlin {'very ' * i}late. {body} "
                "Later Emmanuel Macron spoke.",
                "pubDate": f"Mon, 16 Nov 2026 10:{i:02d}:00 GMT",
            }
            for i in range(n)
        ]
    )


def config_for(server: LoopbackServer, paths: list[str], db: Path) -> Config:
    feeds = tuple(Feed(name=p.strip("/"), url=server.url(p)) for p in paths)
    return Config(feeds=feeds, settings=Settings(store=db, timeout=20))


async def test_long_items_are_recognised_from_their_lede_in_bounded_memory(
    server: LoopbackServer, tmp_path: Path, recognizer: Recognizer
) -> None:
    # 12 items of 20,000 characters went to spaCy whole and in one batch: 773 MB traced at the
    # peak (450 of them took 9 minutes and 3 GB). Only the lede goes, in batches bounded by
    # text: 26 MB.
    server.reply("/long", long_items(12))
    db = tmp_path / "s.db"
    await refresh(config_for(server, ["/long"], db), db, enrich=False)
    with Store(db) as store:
        tracemalloc.start()
        try:
            notes = enrich.annotate(store, lambda _p: None, recognizer=recognizer)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert notes == []
        rows = store.db.execute(
            'SELECT s.title, m.name, m.field, m."end" FROM mentions m '
            "JOIN stories s ON s.rowid = m.story"
        ).fetchall()
    assert peak / 1e6 < 80, f"peak {peak / 1e6:.0f} MB"
    names = {(title, name) for title, name, _, _ in rows}
    assert {(f"Long story {i}", "Angela Merkel") for i in range(12)} <= names
    assert {(f"Long story {i}", "Berlin") for i in range(12)} <= names
    assert not any(name == "Emmanuel Macron" for _, name in names)  # past the lede
    assert max(end for _, _, field, end in rows if field == "summary") <= NER_CHARS


def test_lede_is_a_prefix_cut_at_a_break() -> None:
    text = "First sentence here. " * 100
    cut = lede(text, 500)
    assert len(cut) <= 500 and text.startswith(cut) and cut.endswith(".")
    assert lede("short", 500) == "short"
    assert lede("x" * 900, 500) == "x" * 500  # no break at all: cut at the limit


def test_thread_item_reads_a_bounded_summary() -> None:
    when = datetime(2026, 11, 16, tzinfo=UTC)
    text = "Ceasefire talks in Idlib continue. " * 600  # 21,000 characters
    story = Story("s1", "http://f/", "F", "Talks", "http://f/1", text, when, when)
    item = enrich.thread_item(story, [], boiler=frozenset())
    assert len(item.summary) <= enrich.THREAD_CHARS and text.startswith(item.summary)


async def test_every_feed_is_stored_and_reported_before_entities_and_threads(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.reply("/long", long_items(30))
    server.reply("/a", rss(items("a", 3)))
    server.reply("/b", rss(items("b", 2)))
    db = tmp_path / "s.db"
    seen: list[tuple[str, int]] = []

    def progress(step: Progress) -> None:
        # What a reader (the TUI's own connection) finds in the store at each step.
        with Store(db) as reader:
            seen.append((step.stage, reader.count_stories()))

    await refresh(config_for(server, ["/long", "/a", "/b"], db), db, progress=progress)
    stages = [stage for stage, _ in seen]
    assert stages.count("stored") == 1
    at = stages.index("stored")
    assert stages[:at] == ["fetch"] * 3  # every feed reported first
    assert seen[at][1] == 35  # and stored, before entities and threads
    assert {"entities", "threads"} <= set(stages[at:])
