"""The pipeline's later stages: entities, then threads, for stories that lack them.

Both read what the store holds and write their results back, so the UI only ever reads.
spaCy loads lazily, once per process, and only when there are stories to annotate.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from briefing.models import PERSON, Story
from briefing.store import Store

if TYPE_CHECKING:
    from briefing.entities import Recognizer
    from briefing.pipeline import Progress
    from briefing.threads import ThreadItem

log = logging.getLogger("briefing.enrich")
ANNOTATE_BATCH = 512
THREAD_BATCH = 1000
_shared: Recognizer | None = None
_frozen = False
_shared_lock = threading.Lock()

Notify = Callable[["Progress"], None]


def shared_recognizer() -> Recognizer:
    """One recogniser per process: the TUI refreshes many times, spaCy loads once."""
    global _shared
    with _shared_lock:
        if _shared is None:
            from briefing.entities import Recognizer

            _shared = Recognizer()
        return _shared


def _load_once(rec: Recognizer) -> None:
    """Load the model and gazetteer, then move them out of the garbage collector's sight.

    spaCy and the gazetteer are a few million long-lived objects; every full collection walked
    them all, stopping every thread (the UI's too) for 100-200 ms at a time. gc.freeze() parks
    what exists now in the permanent generation, so collections only see the ingest's garbage.
    """
    global _frozen
    rec.load()
    if not _frozen:
        from briefing import gazetteer

        gazetteer.load()
        gc.collect()
        gc.freeze()
        _frozen = True


def annotate(
    store: Store,
    notify: Notify,
    cancel: threading.Event | None = None,
    recognizer: Recognizer | None = None,
) -> list[str]:
    """Recognise entities in every story not yet annotated by this model version."""
    from briefing import entities
    from briefing.pipeline import Progress

    version = entities.model_version()
    total = store.count_unannotated(version)
    if not total:
        return []
    rec = recognizer or shared_recognizer()
    try:
        _load_once(rec)
    except entities.ModelMissing as exc:
        return [f"entities skipped: {exc}"]
    touched: set[str] = set()
    done = 0
    while batch := store.unannotated(version, ANNOTATE_BATCH):
        found = rec.annotate([(title, summary) for _, title, summary in batch])
        touched |= store.save_mentions(
            [(b[0], m) for b, m in zip(batch, found, strict=True)], version
        )
        done += len(batch)
        notify(
            Progress(
                "entities",
                min(done, total),
                total,
                message=f"People, places, organisations: {done}/{total}",
            )
        )
        if cancel is not None and cancel.is_set():
            break
    settle_entities(store, touched)
    return []


def settle_entities(store: Store, keys: set[str]) -> None:
    """Store-wide type vote and display name for the entities whose mentions changed."""
    from briefing import entities

    if not keys:
        return
    votes = store.entity_votes(keys)
    forms = store.entity_forms(keys)
    types = entities.resolve_types(votes)
    rows = {
        key: (entities.display_name(forms[key].elements()), types[key])
        for key in keys
        if key in types and key in forms
    }
    store.upsert_entities(rows)


def _item(story: Story, ents: Sequence[tuple[str, str, str]]) -> ThreadItem:
    from briefing.threads import ThreadItem

    keys = tuple(dict.fromkeys(f"{etype.lower()}:{key}" for key, etype, _ in ents))
    names = tuple(dict.fromkeys((f"{etype.lower()}:{key}", name) for key, etype, name in ents))
    return ThreadItem(
        story_id=story.id,
        title=story.title,
        summary=story.summary,
        source=story.source,
        link=story.link,
        published=story.published,
        entities=keys,
        entity_names=names,
    )


def thread(
    store: Store,
    notify: Notify,
    cancel: threading.Event | None = None,
    join_window: timedelta = timedelta(days=3),
) -> list[str]:
    """Assign every unthreaded story to a thread, oldest first; name the threads it touched."""
    from briefing.pipeline import Progress
    from briefing.threads import ThreadEngine, thread_name

    pending = store.unthreaded(limit=1_000_000)
    if not pending:
        return []
    engine = ThreadEngine(join_window=join_window)
    members = store.active_members(since=pending[0][1].published - join_window)
    ents = store.entity_keys([rowid for rowid, _ in members + pending])
    df, n_docs = store.doc_freq()
    items: dict[int, list[ThreadItem]] = defaultdict(list)
    warm = []
    for rowid, story in members:
        item = _item(story, ents.get(rowid, ()))
        assert story.thread_id is not None
        warm.append((item, story.thread_id))
        items[story.thread_id].append(item)
    engine.warm(warm, df, n_docs)
    rows: list[tuple[str, int, str | None]] = []
    scores: dict[str, float] = {}  # the join probability of each, for the why view
    touched: set[int] = set()
    for done, (rowid, story) in enumerate(pending, 1):
        item = _item(story, ents.get(rowid, ()))
        assignment = engine.assign(item, partial(store.new_thread, story.published))
        rows.append((story.id, assignment.thread_id, assignment.duplicate_of))
        scores[story.id] = assignment.score
        items[assignment.thread_id].append(item)
        touched.add(assignment.thread_id)
        if len(rows) >= THREAD_BATCH or done == len(pending):
            store.save_assignments(rows, engine.doc_freq_delta(), engine.n_docs, scores)
            rows = []
            notify(
                Progress("threads", done, len(pending), message=f"Threads: {done}/{len(pending)}")
            )
            if cancel is not None and cancel.is_set():
                break
    if rows:
        store.save_assignments(rows, engine.doc_freq_delta(), engine.n_docs, scores)
    for keep, gone in engine.propose_merges():
        if store.kept_apart(keep, gone):  # the user detached a story of one from the other
            continue
        engine.apply_merge(keep, gone)
        store.merge_threads(keep, gone, pending[-1][1].published)
        items[keep].extend(items.pop(gone, []))
        touched.discard(gone)
        touched.add(keep)
        log.info("merged thread %s into %s", gone, keep)
    df, n_docs = store.doc_freq()
    store.set_thread_names(
        {tid: thread_name(items[tid], df, n_docs) for tid in touched if items[tid]}
    )
    resolve_short_names(store, {tid: items[tid] for tid in touched})
    return []


def resolve_short_names(store: Store, threads: dict[int, list[ThreadItem]]) -> None:
    """A surname alone ("Putin") takes the one full name ("Vladimir Putin") seen in its thread."""
    from briefing.entities import name_key, resolve_short_form

    changes: list[tuple[str, str, str, list[str]]] = []
    for members in threads.values():
        people = {
            name for item in members for key, name in item.entity_names if key.startswith("person:")
        }
        full = [p for p in people if len(p.split()) > 1]
        for short in (p for p in people if len(p.split()) == 1):
            target = resolve_short_form(short, full)
            if target is not None:
                changes.append(
                    (name_key(short), name_key(target), target, [m.story_id for m in members])
                )
    if changes:
        touched = store.rekey_mentions(changes, PERSON)
        settle_entities(store, touched)
