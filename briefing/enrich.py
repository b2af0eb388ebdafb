"""The pipeline's later stages: entities, then threads, for stories that lack them.

Both read what the store holds and write their results back, so the UI only ever reads.
spaCy loads lazily, once per process, and only when there are stories to annotate.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from briefing.models import PERSON, Story
from briefing.store import Store

if TYPE_CHECKING:
    from briefing.entities import Recognizer
    from briefing.models import Progress
    from briefing.threads import ThreadItem

log = logging.getLogger("briefing.enrich")
ANNOTATE_BATCH = 512
THREAD_BATCH = 1000
# A batch reaching further back than this before its median is mostly old items re-sent: the
# threads they could join are warmed no further back, so one year-old date cannot load history.
MAX_LOOKBACK = timedelta(days=14)
BOILERPLATE_SAMPLE = 40  # a feed's items compared to find what it repeats under each
# Of a summary, the opening the thread engine reads: its cost grows with the text (words are
# folded, counted and named over every member), and 450 items of 20,000 characters took
# minutes. Most of ECB+'s full-text articles (p90 3,563 characters) fit whole.
THREAD_CHARS = 2_000
DF_ROWS_PER_STORY = 20  # see thread(): when the df table is read row by row, not whole
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


def load_model(rec: Recognizer) -> None:
    """Load the model and gazetteer, then move them out of the garbage collector's sight.

    spaCy and the gazetteer are a few million long-lived objects; every full collection walked
    them all, stopping every thread (the UI's too) for 100-200 ms at a time. gc.freeze() parks
    what exists now in the permanent generation, so collections only see the ingest's garbage.
    """
    global _frozen
    rec.load()
    if not _frozen:
        from briefing.entities import gazetteer

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
    from briefing.entities import recognizer as entities
    from briefing.models import Progress

    version = entities.model_version()
    total = store.count_unannotated(version)
    if not total:
        return []
    rec = recognizer or shared_recognizer()
    try:
        load_model(rec)
    except entities.ModelMissing as exc:
        return [f"entities skipped: {exc}"]
    touched: set[str] = set()
    boiler: dict[str, frozenset[str]] = {}
    done = 0
    # Only the lede of each summary: the time and memory a story costs are bounded, whatever
    # its length (450 items of 20,000 characters took 9 minutes and 3 GB whole).
    while batch := store.unannotated(version, ANNOTATE_BATCH, chars=entities.NER_CHARS):
        found = rec.annotate(_masked(store, batch, boiler))
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
    from briefing.identities import resolve_short_forms

    settle_entities(store, resolve_short_forms(store, touched))
    return []


def _masked(
    store: Store, batch: Sequence[tuple[int, str, str]], boiler: dict[str, frozenset[str]]
) -> list[tuple[str, str]]:
    """Each story's title and summary lede with what its feed repeats under its items (and
    footers, links, hashtags) blanked out, offsets unchanged: boilerplate names no entity.
    ``boiler`` caches each feed's repeats over one annotation run (its batches)."""
    from briefing import boilerplate
    from briefing.entities import lede

    feeds = store.feeds_of([rowid for rowid, _, _ in batch])
    texts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for rowid, title, summary in batch:
        if feeds.get(rowid, "") not in boiler:
            texts[feeds.get(rowid, "")].append((title, summary))
    boiler.update(feed_repeats(store, texts))
    out = []
    for rowid, title, summary in batch:
        found = boiler.get(feeds.get(rowid, ""), frozenset())
        out.append((boilerplate.mask_title(title, found), boilerplate.mask(lede(summary), found)))
    return out


def settle_entities(store: Store, keys: set[str]) -> None:
    """Store-wide type vote and display name for the entities whose mentions changed."""
    from briefing.entities import recognizer as entities

    if not keys:
        return
    votes = store.entity_votes(keys)
    forms = store.entity_forms(keys)
    types = entities.resolve_types(votes)
    rows = {
        key: (entities.display_name(_spelling(key, forms[key]).elements()), types[key])
        for key in keys
        if key in types and key in forms
    }
    store.upsert_entities(rows, gone=keys - rows.keys())


def _spelling(key: str, forms: Counter[str]) -> Counter[str]:
    """The forms that spell the key itself ("Donald Trump" of "Trump" and "Donald Trump";
    "United States" of "US" and "United States"), when there are any."""
    from briefing.entities.gazetteer import canonical_name, fold

    own = Counter(
        {f: n for f, n in forms.items() if fold(canonical_name(f).replace(".", "")) == key}
    )
    return own or forms


def thread_item(
    story: Story,
    ents: Sequence[tuple[str, str, str]],
    cap: datetime | None = None,
    boiler: frozenset[str] | None = None,
) -> ThreadItem:
    """A story as the thread engine reads it. With ``boiler`` (its feed's repeated segments),
    title and summary lose what the feed repeats (its entities were recognised without it)."""
    from briefing import boilerplate
    from briefing.entities import lede
    from briefing.threads import ThreadItem

    title, summary = story.title, lede(story.summary, THREAD_CHARS)
    if boiler is not None:
        title = boilerplate.strip_title(title, boiler)
        summary = boilerplate.strip(summary, boiler)
    keys = tuple(dict.fromkeys(f"{etype.lower()}:{key}" for key, etype, _ in ents))
    names = tuple(dict.fromkeys((f"{etype.lower()}:{key}", name) for key, etype, name in ents))
    return ThreadItem(
        story_id=story.id,
        title=title,
        summary=summary,
        source=story.source,
        link=story.link,
        published=thread_time(story, cap),
        entities=keys,
        entity_names=names,
    )


def feed_boilerplate(store: Store, stories: Sequence[Story]) -> dict[str, frozenset[str]]:
    """Per feed, the segments and title parts it repeats across its items: the stories at
    hand, topped up with the feed's latest stored ones when a refresh brought only a few."""
    texts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for story in stories:
        texts[story.feed_url].append((story.title, story.summary))
    return feed_repeats(store, texts)


def feed_repeats(
    store: Store, texts: dict[str, list[tuple[str, str]]]
) -> dict[str, frozenset[str]]:
    """``feed_boilerplate`` from (title, summary) pairs per feed url."""
    from briefing import boilerplate
    from briefing.entities import lede

    few = [url for url, found in texts.items() if len(found) < BOILERPLATE_SAMPLE]
    texts.update(store.recent_texts(few, BOILERPLATE_SAMPLE))
    return {  # compared over what thread_item keeps of each summary
        url: boilerplate.repeated([lede(s, THREAD_CHARS) for _, s in found], [t for t, _ in found])
        for url, found in texts.items()
    }


def thread_time(story: Story, cap: datetime | None = None) -> datetime:
    """When a story happened, for threading: never later than when it was first seen (a
    scheduled post, a time-zone slip or a year typo), nor than ``cap``."""
    when = min(story.published, story.first_seen)
    return when if cap is None or when <= cap else cap


def time_cap(times: Sequence[datetime], window: timedelta) -> datetime:
    """The latest believable threading time for a batch: its median plus the join window.

    One story dated years ahead (an undated item stamped with a later clock) would otherwise
    set the engine's clock forward and expire every thread; most of a batch is honest.
    """
    ordered = sorted(times)
    return ordered[len(ordered) // 2] + window


def thread(
    store: Store,
    notify: Notify,
    cancel: threading.Event | None = None,
    join_window: timedelta = timedelta(days=3),
) -> list[str]:
    """Assign every unthreaded story to a thread, oldest first; name the threads it touched."""
    from briefing.models import Progress
    from briefing.threads import ThreadEngine, thread_name

    pending = store.unthreaded(limit=1_000_000)
    if not pending:
        return []
    cap = time_cap([thread_time(s) for _, s in pending], join_window)
    pending.sort(key=lambda p: (thread_time(p[1], cap), p[0]))
    start = max(thread_time(pending[0][1], cap), cap - MAX_LOOKBACK) - join_window
    engine = ThreadEngine(join_window=join_window)
    members = store.active_members(since=start)
    ents = store.entity_keys([rowid for rowid, _ in members + pending])
    boiler = feed_boilerplate(store, [s for _, s in members + pending])
    items: dict[int, list[ThreadItem]] = defaultdict(list)
    warm = []
    for rowid, story in members:
        item = thread_item(story, ents.get(rowid, ()), cap, boiler[story.feed_url])
        assert story.thread_id is not None
        warm.append((item, story.thread_id))
        items[story.thread_id].append(item)
    todo = [
        (story, thread_item(story, ents.get(rowid, ()), cap, boiler[story.feed_url]))
        for rowid, story in pending
    ]
    # Only the df of these stories' terms is ever looked up. The table grows with the history
    # (millions of rows): past DF_ROWS_PER_STORY a story in play, reading the few rows they
    # need costs less than loading it whole (a row loaded ~2 us, a story's terms ~80 us).
    in_play = [item for item, _ in warm] + [item for _, item in todo]
    big = store.term_count() > DF_ROWS_PER_STORY * len(in_play)
    terms = thread_terms(in_play) if big else None
    df, n_docs = store.doc_freq(terms)
    engine.warm(warm, df, n_docs)
    engine.observe(item for _, item in todo)
    rows: list[tuple[str, int, str | None]] = []
    scores: dict[str, float] = {}  # the join probability of each, for the why view
    touched: set[int] = set()
    for done, (story, item) in enumerate(todo, 1):
        assignment = engine.assign(item, partial(store.new_thread, item.published))
        rows.append((story.id, assignment.thread_id, assignment.duplicate_of))
        scores[story.id] = assignment.score
        items[assignment.thread_id].append(item)
        touched.add(assignment.thread_id)
        if len(rows) >= THREAD_BATCH or done == len(todo):
            store.save_assignments(rows, engine.doc_freq_delta(), engine.n_docs, scores)
            rows = []
            notify(Progress("threads", done, len(todo), message=f"Threads: {done}/{len(todo)}"))
            if cancel is not None and cancel.is_set():
                break
    if rows:
        store.save_assignments(rows, engine.doc_freq_delta(), engine.n_docs, scores)
    for keep, gone in engine.propose_merges():
        if store.kept_apart(keep, gone):  # the user detached a story of one from the other
            continue
        engine.apply_merge(keep, gone)
        store.merge_threads(keep, gone, todo[-1][1].published)
        items[keep].extend(items.pop(gone, []))
        touched.discard(gone)
        touched.add(keep)
        log.info("merged thread %s into %s", gone, keep)
    df, n_docs = store.doc_freq(terms)  # as saved since, for the names
    store.set_thread_names(
        {tid: thread_name(items[tid], df, n_docs) for tid in touched if items[tid]}
    )
    resolve_short_names(store, {tid: items[tid] for tid in touched})
    return []


def thread_terms(items: Sequence[ThreadItem]) -> set[str]:
    """Every key the thread engine and the namer count or weigh for these stories: what
    threads.doc.Doc.all_keys gives (words, bigrams, entities), computed the same way."""
    from briefing.threads.text import bigrams, entity_key, words

    terms: set[str] = set()
    for item in items:
        title, summary = words(item.title), words(item.summary)
        terms.update(k for k, _ in title if k)
        terms.update(k for k, _ in summary if k)
        terms.update(bigrams(title))
        terms.update(bigrams(summary))
        terms.update(entity_key(e) for e in item.entities)
    return terms


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
