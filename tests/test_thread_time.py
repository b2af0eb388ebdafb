"""Threading time cannot be poisoned: a story dated in the future or stamped years later by a
replay never expires (or revives) the threads around it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefing.enrich import thread_time, time_cap
from briefing.models import Story
from briefing.pipeline import ingest
from briefing.store import Store

T0 = datetime(2020, 5, 26, 8, tzinfo=UTC)
QUAKE = (
    ("Earthquake strikes Arequipa in southern Peru",
     "A strong earthquake struck near Arequipa in southern Peru, damaging buildings."),
    ("Peru earthquake: rescuers search rubble in Arequipa",
     "Rescuers in Arequipa searched the rubble of buildings after the earthquake in Peru."),
    ("Arequipa earthquake leaves hundreds homeless in Peru",
     "Hundreds were left homeless in Arequipa after the earthquake damaged buildings in Peru."),
    ("Aftershocks rattle Arequipa after Peru earthquake",
     "Aftershocks shook Arequipa a day after the earthquake in Peru damaged buildings."),
    ("Peru earthquake survivors in Arequipa wait for aid",
     "Survivors of the earthquake in Arequipa, Peru, waited for aid among damaged buildings."),
)  # fmt: skip


def story(sid: str, title: str, summary: str, published: datetime, seen: datetime) -> Story:
    return Story(
        id=sid, feed_url=f"https://{sid}.test/feed", source=f"Outlet {sid}", title=title,
        link=f"https://{sid}.test/a", summary=summary, published=published, first_seen=seen,
    )  # fmt: skip


def quake(i: int, when: datetime) -> Story:
    return story(f"q{i}", *QUAKE[i], when, when)


def test_a_story_is_never_threaded_later_than_first_seen_nor_past_the_batch_cap() -> None:
    live = story("x", "t", "", published=T0 + timedelta(days=400), seen=T0)
    assert thread_time(live) == T0  # a year typo or a scheduled post
    cap = time_cap([T0, T0 + timedelta(hours=1), T0 + timedelta(days=2000)], timedelta(days=3))
    assert cap == T0 + timedelta(hours=1, days=3)  # the median, not the outlier
    late = story("y", "t", "", published=T0 + timedelta(days=2000), seen=T0 + timedelta(days=2000))
    assert thread_time(late, cap) == cap


def test_a_future_dated_and_an_undated_item_do_not_expire_the_threads_of_a_replay(
    tmp_path: Path,
) -> None:
    years_later = T0 + timedelta(days=6 * 365)  # an undated item stamped with the replay's clock
    with Store(tmp_path / "s.db") as store:
        day_one = [quake(i, T0 + timedelta(hours=2 * i)) for i in range(3)]
        day_one.append(
            story(
                "u",
                "Council approves new bus lanes",
                "The city council approved bus lanes.",
                years_later,
                years_later,
            )
        )
        day_one.append(
            story(
                "f",
                "Opinion: what the transit plan means",
                "A scheduled column on transit.",
                T0 + timedelta(days=300),
                T0 + timedelta(hours=5),
            )
        )
        ingest(store, day_one, entities=True)
        first = store.story("q0")
        assert first is not None and first.thread_id is not None
        assert {store.story(f"q{i}").thread_id for i in range(3)} == {first.thread_id}
        thread = store.thread(first.thread_id)
        assert thread is not None and thread.last_seen < T0 + timedelta(days=1)
        # The next day's reports join the thread: the outliers did not move the clock.
        ingest(store, [quake(i, T0 + timedelta(days=1, hours=i)) for i in (3, 4)], entities=True)
        for i in (3, 4):
            later = store.story(f"q{i}")
            assert later is not None and later.thread_id is not None
            assert store.resolve_thread(later.thread_id) == store.resolve_thread(first.thread_id)
