"""The briefing: what happened since you last looked, as one ranked list of threads.

Each thread of two or more stories comes with its summary and latest development
(summaries.py, cached in the store), then singletons worth reading. Ranked by breadth (outlets,
stories), recency (a day's half-life) and novelty to the reader (unread, new since opened).
Rendered as plain text, JSON or Markdown; every string from a feed is cleaned again at the
edge (clean_line) and Markdown is escaped, links kept only when http(s).
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from briefing.models import Story, Thread
from briefing.safety import clean_line, counted, safe_link
from briefing.store import Store
from briefing.summaries import Member, Summary, summarise

DEFAULT_SINCE = timedelta(hours=24)  # the first brief, before any was marked
SUMMARY_WINDOW = timedelta(days=14)  # threads the pipeline keeps summaries fresh for
ENTITY_TYPES = ("PERSON", "ORG", "PLACE", "NORP")
MARKER = "<!-- briefing brief -->"
SINGLES_PER_OUTLET = 2


@dataclass(frozen=True, slots=True)
class Entry:
    thread: Thread
    summary: Summary


@dataclass(frozen=True, slots=True)
class Brief:
    since: datetime
    made_at: datetime
    entries: tuple[Entry, ...]
    singles: tuple[Story, ...]


# -- summaries ------------------------------------------------------------------------------


def members(store: Store, thread_id: int) -> list[Member]:
    """A thread's stories as the summariser reads them: with entity names, fetched article
    text, and each feed's boilerplate (so a repeated footer never becomes a sentence)."""
    from briefing.enrich import feed_boilerplate

    rows = store.thread_members(thread_id)
    rowids = [rowid for rowid, _ in rows]
    ents = store.entity_keys(rowids)
    articles = store.article_texts(rowids)
    boiler = feed_boilerplate(store, [s for _, s in rows])
    return [
        Member(
            story_id=s.id,
            source=s.source,
            title=s.title,
            summary=s.summary,
            link=s.link,
            published=s.published,
            article=articles.get(rowid, ""),
            entities=tuple(name for _, kind, name in ents.get(rowid, ()) if kind in ENTITY_TYPES),
            boiler=boiler.get(s.feed_url, frozenset()),
        )
        for rowid, s in rows
    ]


def thread_summary(store: Store, thread_id: int, now: datetime | None = None) -> Summary:
    """The stored summary when it is fresh, else made now and stored."""
    state = store.summary_state(thread_id)
    cached = store.cached_summary(thread_id)
    if cached is not None and cached[0] == state:
        try:
            return Summary.from_json(json.loads(cached[1]))
        except (ValueError, KeyError, TypeError, AssertionError):
            pass  # an older or damaged body: make it again
    summary = summarise(members(store, thread_id))
    if store.read_only:  # reading works on a store the user may not write: made, not kept
        return summary
    with store.transaction():
        store.save_summary(
            thread_id, state, json.dumps(summary.to_json()), now or datetime.now(UTC)
        )
    return summary


def refresh_summaries(
    store: Store, now: datetime | None = None, cancel: threading.Event | None = None
) -> int:
    """Make the summaries a refresh made stale (threads that grew); returns how many."""
    now = now or datetime.now(UTC)
    done = 0
    for thread_id in store.stale_summaries(now - SUMMARY_WINDOW):
        if cancel is not None and cancel.is_set():
            break
        thread_summary(store, thread_id, now)
        done += 1
    return done


# -- the brief --------------------------------------------------------------------------------


def rank(threads: Sequence[Thread], now: datetime) -> list[Thread]:
    """Broad, recent and unseen first: breadth x a day's half-life x novelty to the reader."""

    def score(t: Thread) -> float:
        age_hours = max(0.0, (now - t.last_seen).total_seconds() / 3600)
        breadth = 2 * math.log1p(t.sources) + math.log1p(t.stories)
        novelty = 0.5 + (t.unread + t.new) / (2 * max(1, t.stories))
        return float(breadth * 0.5 ** (age_hours / 24) * novelty)

    return sorted(threads, key=lambda t: (-score(t), t.id))


def default_since(store: Store, now: datetime) -> datetime:
    """Since the last brief; the first one covers the newest day of news in the store (not
    the last 24 hours of the clock: a store last refreshed a week ago still briefs)."""
    marked = store.last_brief()
    if marked is not None:
        return marked
    newest = store.newest_story()
    return min(newest or now, now) - DEFAULT_SINCE


def anything_new(store: Store) -> bool:
    """A thread of two or more stories grew since the last brief (or there was never one)."""
    return store.threads_grown_since(store.last_brief()) > 0


def make_brief(
    store: Store, since: datetime, now: datetime | None = None, limit: int = 10, singles: int = 10
) -> Brief:
    now = now or datetime.now(UTC)
    found = [t for t in store.threads(since=since, min_sources=1) if t.stories >= 2]
    entries = tuple(Entry(t, thread_summary(store, t.id, now)) for t in rank(found, now)[:limit])
    per_outlet: Counter[str] = Counter()
    picked: list[Story] = []
    for story in store.single_stories(since, limit=singles * 10):
        if len(picked) >= singles:
            break
        if per_outlet[story.source] < SINGLES_PER_OUTLET:
            per_outlet[story.source] += 1
            picked.append(story)
    return Brief(since, now, entries, tuple(picked))


# -- renderings -------------------------------------------------------------------------------


def span(thread: Thread) -> str:
    """When a thread ran: '20 Nov – 23 Nov 15:00 UTC', or one day's hours."""
    first, last = thread.first_seen, thread.last_seen
    if first.date() == last.date():
        return (
            f"{first:%d %b %H:%M}–{last:%H:%M} UTC" if first != last else f"{last:%d %b %H:%M} UTC"
        )
    return f"{first:%d %b} – {last:%d %b %H:%M} UTC"


def header(brief: Brief) -> str:
    return (
        f"Briefing since {brief.since:%a %d %b %H:%M} UTC · "
        f"{counted(len(brief.entries), 'thread', 'threads')}, "
        f"{counted(len(brief.singles), 'single story', 'single stories')}"
    )


def to_text(brief: Brief) -> str:
    lines = [clean_line(header(brief)), ""]
    if not brief.entries and not brief.singles:
        lines.append("Nothing new since then.")
    for n, entry in enumerate(brief.entries, 1):
        t, s = entry.thread, entry.summary
        outlets = ", ".join(clean_line(o, 60) for o in s.sources[:6])
        lines.append(f"{n}. {clean_line(t.name, 120)}  [thread {t.id}]")
        lines.append(f"   {counted(t.stories, 'story', 'stories')} from {outlets} · {span(t)}")
        for sentence in s.sentences:
            lines.append(f"   • {clean_line(sentence.text)} — {clean_line(sentence.source, 60)}")
        if s.latest is not None:
            lines.append(
                f"   Latest: {clean_line(s.latest.text)} — {clean_line(s.latest.source, 60)}, "
                f"{s.latest.published:%d %b %H:%M}"
            )
        if s.key_entities:
            lines.append("   Who/where: " + ", ".join(clean_line(e, 60) for e in s.key_entities))
        lines.append("")
    if brief.singles:
        lines.append("Also new")
        for story in brief.singles:
            lines.append(f"  • {clean_line(story.title)} — {clean_line(story.source, 60)}")
    return "\n".join(lines).rstrip() + "\n"


def to_json(brief: Brief) -> str:
    return json.dumps(
        {
            "since": brief.since.isoformat(),
            "made_at": brief.made_at.isoformat(),
            "threads": [
                {
                    "id": e.thread.id,
                    "name": e.thread.name,
                    "stories": e.thread.stories,
                    "sources": e.thread.sources,
                    "first_seen": e.thread.first_seen.isoformat(),
                    "last_seen": e.thread.last_seen.isoformat(),
                    "unread": e.thread.unread,
                    **e.summary.to_json(),
                }
                for e in brief.entries
            ],
            "singles": [_single(s) for s in brief.singles],
        },
        ensure_ascii=False,
    )


def _single(story: Story) -> dict[str, str]:
    return {
        "id": story.id,
        "title": story.title,
        "source": story.source,
        "link": safe_link(story.link),
        "published": story.published.isoformat(),
    }


def to_markdown(brief: Brief) -> str:
    from briefing.export import md_link, md_text, summary_markdown

    out = [MARKER, "", f"# {md_text(clean_line(header(brief)))}", ""]
    if not brief.entries and not brief.singles:
        out.append("Nothing new since then.")
    for entry in brief.entries:
        t, s = entry.thread, entry.summary
        out += [f"## {md_text(clean_line(t.name, 120) or 'Untitled thread')}", ""]
        outlets = ", ".join(clean_line(o, 60) for o in s.sources[:6])
        out += [md_text(f"{counted(t.stories, 'story', 'stories')} from {outlets} · {span(t)}")]
        out.append("")
        out += summary_markdown(s)
        if s.key_entities:
            names = ", ".join(clean_line(e, 60) for e in s.key_entities)
            out += ["", f"*Who and where:* {md_text(names)}"]
        out.append("")
    if brief.singles:
        out += ["## Also new", ""]
        for story in brief.singles:
            title = md_link(clean_line(story.title) or "(untitled)", story.link)
            out.append(f"- {title} — {md_text(clean_line(story.source, 60))}")
    return "\n".join(out).rstrip() + "\n"


def is_brief_file(head: str) -> bool:
    """A file briefing wrote as a brief (so `-o` may replace it)."""
    return head.startswith(MARKER)
