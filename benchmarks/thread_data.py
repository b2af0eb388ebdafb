"""Labelled thread data as engine items: the jsonl sets (UCI, ECB+) and the real-feed days.

Shared by benchmarks/threads.py and benchmarks/train_threads.py. Real-feed days are parsed with
briefing's own parser from the folder that ../shared/data/threads/realfeeds/extract.py writes
(never committed); entities come from briefing.entities.Recognizer, cached on disk by content.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from briefing import boilerplate
from briefing.enrich import THREAD_CHARS, settle_entities, thread_item, thread_time, time_cap
from briefing.entities import lede
from briefing.identities import resolve_short_forms
from briefing.models import Feed, Mention, Story
from briefing.parse import parse_feed
from briefing.store import Store
from briefing.threads import ThreadEngine, ThreadItem, ThreadModel

REPO = Path(__file__).resolve().parents[1]
REALFEED_DAYS = ("d04b46b9", "c18888d4", "eafa1c03")
UNLABELLED = "unlabelled:"  # items a day's labels do not cover: threaded, never scored


def shared_dir() -> Path:
    return Path(os.environ.get("BRIEFING_SHARED", REPO.parent / "shared"))


@dataclass(frozen=True, slots=True)
class Row:
    item: ThreadItem
    label: str


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


ENTITY_MODULES = ("recognizer", "rules", "kinds", "spans", "aliases", "gazetteer")


def annotate(texts: list[tuple[str, str]]) -> list[list[Mention]]:
    """Each (title, summary)'s mentions from briefing.entities.Recognizer; cached on disk."""
    from briefing.entities import recognizer as entities

    digest = hashlib.sha256(entities.model_version().encode())
    for name in ENTITY_MODULES:  # a rule changed in any of them changes what is found
        digest.update((Path(entities.__file__).parent / f"{name}.py").read_bytes())
    for title, summary in texts:
        digest.update(f"{title}\x00{summary}\x01".encode())
    cache = Path(tempfile.gettempdir()) / f"briefing-thread-mentions-{digest.hexdigest()[:16]}.json"
    if cache.exists():
        return [[Mention(*m) for m in story] for story in json.loads(cache.read_text())]
    found = entities.Recognizer().annotate(texts)
    cache.write_text(json.dumps([[astuple(m) for m in story] for story in found]))
    return found


def entity_keys(found: Sequence[Sequence[Mention]]) -> list[list[tuple[str, str, str]]]:
    """(key, type, name) per story as the recogniser keyed its mentions, each once: no
    store-wide type vote or identities (see settled_keys)."""
    return [list(dict.fromkeys((m.key, m.type, m.name) for m in story)) for story in found]


def settled_keys(
    store: Store, stories: Sequence[Story], found: Sequence[Sequence[Mention]]
) -> list[list[tuple[str, str, str]]]:
    """(key, type, name) per story as the app's store gives them to the thread engine: saved
    into ``store`` with the stories it already holds, then the store-wide type vote and the
    store-wide identities (enrich.annotate), then store.entity_keys. Training on the
    recogniser's own keys instead would teach the model entities the app never shows it."""
    store.add_stories(stories)
    ids = [s.id for s in stories]
    rowid = {
        str(sid): int(r)
        for i in range(0, len(ids), 500)
        for r, sid in store.db.execute(
            f"SELECT rowid, id FROM stories WHERE id IN ({','.join('?' * len(ids[i : i + 500]))})",
            ids[i : i + 500],
        )
    }
    touched = store.save_mentions(
        [(rowid[s.id], m) for s, m in zip(stories, found, strict=True) if s.id in rowid],
        "training",
    )
    settle_entities(store, touched)
    settle_entities(store, resolve_short_forms(store, touched))
    keys = store.entity_keys(list(rowid.values()))
    return [keys.get(rowid.get(s.id, -1), []) for s in stories]


def _rows(stories: list[Story], labels: dict[str, str], store: Store | None = None) -> list[Row]:
    """Engine items as enrich makes them: entities recognised with each feed's boilerplate
    blanked out (enrich.annotate) and settled in a store (``store``, else a new one), the
    boilerplate stripped, times capped, then in threading order."""
    by_feed: dict[str, list[Story]] = {}
    for story in stories:
        by_feed.setdefault(story.feed_url, []).append(story)
    boiler = {
        url: boilerplate.repeated(
            [lede(s.summary, THREAD_CHARS) for s in feed], [s.title for s in feed]
        )
        for url, feed in by_feed.items()
    }
    found = annotate(
        [
            (
                boilerplate.mask_title(s.title, boiler[s.feed_url]),
                boilerplate.mask(lede(s.summary), boiler[s.feed_url]),
            )
            for s in stories
        ]
    )
    if store is None:
        with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "store.db") as fresh:
            ents = settled_keys(fresh, stories, found)
    else:
        ents = settled_keys(store, stories, found)
    cap = time_cap([thread_time(s) for s in stories], timedelta(days=3))
    rows = [
        Row(
            thread_item(story, found, cap, boiler[story.feed_url]),
            labels.get(story.id, UNLABELLED + story.id),
        )
        for story, found in zip(stories, ents, strict=True)
    ]
    rows.sort(key=lambda r: (r.item.published, r.item.story_id))
    return rows


def jsonl_rows(path: Path) -> list[Row]:
    stories, labels = [], {}
    for r in load_jsonl(path):
        when = datetime.fromisoformat(r["published"])
        source = r.get("source", "")
        url = f"https://{hashlib.sha1(source.encode()).hexdigest()[:12]}.feed/"
        summary = r.get("summary", "") or ""
        stories.append(Story(str(r["id"]), url, source, r["title"], r["link"], summary, when, when))
        labels[str(r["id"])] = str(r["label"])
    return _rows(stories, labels)


def day_stories(folder: Path, now: datetime | None = None) -> list[Story]:
    """A day's feeds parsed as briefing would, seen at ``now`` (else just after the newest
    dated item)."""
    parsed = []
    for path in sorted(folder.glob("*.xml")):
        feed = Feed(name=path.stem, url=f"http://127.0.0.1/{path.stem}.xml")
        parsed.append((feed, path.read_bytes()))
    probe = datetime(2100, 1, 1, tzinfo=UTC)
    dates = [
        s.published
        for feed, body in parsed
        for s in parse_feed(body, feed, now=probe).stories
        if s.published < probe
    ]
    if now is None:
        now = max(dates) if dates else datetime.now(UTC)
    stories: list[Story] = []
    guids: dict[tuple[str, str], list[str]] = {}  # (feed, link) -> guids stored with it
    ids: set[str] = set()
    for feed, body in parsed:
        for s in parse_feed(body, feed, now=now).stories:
            # As Store.add_stories: the guid is the identity; the link only where one lacks it.
            known = guids.setdefault((s.feed_url, s.link), [])
            if s.id in ids or (s.link and known and (not s.guid or "" in known)):
                continue
            ids.add(s.id)
            known.append(s.guid)
            stories.append(s)
    return stories


def day_rows(realfeeds: Path, day: str) -> list[Row]:
    labels_path = shared_dir() / "data/threads/realfeeds" / f"{day}.labels.jsonl"
    by_link = {r["link"]: str(r["story"]) for r in load_jsonl(labels_path)}
    stories = day_stories(realfeeds / day)
    return _rows(stories, {s.id: by_link[s.link] for s in stories if s.link in by_link})


def scored(label: str) -> bool:
    return not label.startswith(UNLABELLED)


def assign_batch(
    items: Sequence[ThreadItem],
    model: ThreadModel | None = None,
    batch: int = 0,
    sizes: Sequence[int] = (),
) -> dict[str, int]:
    """story id -> final thread id, as enrich.thread does it: each batch (a refresh of
    ``batch`` stories, 0 = all at once, or of the given ``sizes``) is counted in the df first,
    assigned oldest first, then merges are applied."""
    engine = ThreadEngine(model=model)
    counter = iter(range(1, 10**9))
    thread_of: dict[str, int] = {}
    merged_into: dict[int, int] = {}
    step = batch or len(items) or 1
    ends = list(accumulate(sizes)) if sizes else list(range(step, len(items) + step, step))
    for start, end in zip([0, *ends], ends, strict=False):
        chunk = items[start:end]
        engine.observe(chunk)
        for item in chunk:
            thread_of[item.story_id] = engine.assign(item, counter.__next__).thread_id
        for keep, gone in engine.propose_merges():
            engine.apply_merge(keep, gone)
            merged_into[gone] = keep

    def final(tid: int) -> int:
        while tid in merged_into:
            tid = merged_into[tid]
        return tid

    return {sid: final(tid) for sid, tid in thread_of.items()}


OTHER = "other:"  # a stream item in none of the target stories: alone or in an untracked one


def stream_batches(realfeeds: Path) -> list[list[Row]]:
    """The August 2020 stream as refreshes: each snapshot's new stories (ids as the store
    keeps them), seen at the snapshot's fetch time, so undated items get that time as
    date_undated.py gives them. Labels: the target story, else OTHER + id."""
    labels = shared_dir() / "data/threads/realfeeds"
    targets = {r["link"]: str(r["story"]) for r in load_jsonl(labels / "aug2020.targets.jsonl")}
    seen: set[str] = set()
    batches: list[list[Row]] = []
    tmp = tempfile.TemporaryDirectory()
    store = Store(Path(tmp.name) / "store.db")  # one store for the stream, as the app keeps
    for line in (labels / "aug2020-stream.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        commit, when = line.split()
        fetched = datetime.fromisoformat(when).astimezone(UTC)
        new = []
        for story in day_stories(realfeeds / "stream-aug2020" / commit, fetched):
            if story.id not in seen:
                seen.add(story.id)
                new.append(story)
        found = {s.id: targets.get(s.link, "other") for s in new}
        batches.append(
            _rows(new, {i: (OTHER + i if t == "other" else t) for i, t in found.items()}, store)
        )
    store.close()
    tmp.cleanup()
    return batches
