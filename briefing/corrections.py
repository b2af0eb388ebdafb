"""Corrections by hand, as the CLI and the TUI make them, and why a story is in its thread.

The store records and undoes each correction (store/corrections.py); this module adds what
both front ends need around it: threads whose stories changed are named again the way the
engine names them (a thread the user renamed keeps its name), a one-line description of each
correction, and the "why" of a story: the score the engine gave it, and the entities and
words it shares with the other stories of its thread.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from briefing.models import DETACH, MERGE, Correction, Story, Thread
from briefing.safety import clean_line
from briefing.store import Store
from briefing.store.corrections import CorrectionError, clean_name
from briefing.threads.text import words

__all__ = [
    "CorrectionError",
    "Why",
    "clean_name",
    "describe",
    "detach",
    "find_story",
    "merge",
    "rename",
    "undo",
    "why",
]

TYPE_WORDS = {"PERSON": "person", "PLACE": "place", "ORG": "organisation", "NORP": "group",
              "EVENT": "event"}  # fmt: skip
WHY_WORDS = 8  # distinctive shared words shown
WHY_ENTITIES = 12


def detach(store: Store, story_id: str, when: datetime) -> Correction:
    """Move a story out of its thread into a thread of its own, named the way the engine
    names threads. The thread it left keeps its name until the engine names it again."""
    done = store.detach_story(story_id, when)
    name_threads(store, [done.to_thread])
    return done


def merge(store: Store, thread_id: int, into: int, when: datetime) -> Correction:
    """Fold thread `thread_id` into thread `into`, which keeps its id and its name."""
    return store.merge_by_hand(thread_id, into, when)


def rename(store: Store, thread_id: int, name: str, when: datetime) -> Correction:
    return store.rename_thread(thread_id, name, when)


def undo(store: Store) -> Correction | None:
    """Undo the last correction; None if there is none left. Names are as they were."""
    return store.undo_correction()


def name_threads(store: Store, thread_ids: Iterable[int]) -> None:
    """Name these threads from their stories the way the engine does after it assigns them."""
    from briefing.enrich import thread_item
    from briefing.threads import thread_name

    live = {t for t in (store.resolve_thread(i) for i in thread_ids) if t is not None}
    members = {t: store.thread_members(t) for t in live}
    ents = store.entity_keys([rowid for rows in members.values() for rowid, _ in rows])
    df, n_docs = store.doc_freq()
    names = {
        tid: thread_name([thread_item(s, ents.get(rowid, ())) for rowid, s in rows], df, n_docs)
        for tid, rows in members.items()
        if rows
    }
    store.set_thread_names(names)


def describe(done: Correction, *, undone: bool = False) -> str:
    """One plain line for the user: what the correction did (or what undoing it did)."""
    title = clean_line(done.story_title or "(untitled)", 60)
    old, new = clean_line(done.old_name, 40), clean_line(done.new_name, 40)
    if done.kind == DETACH:
        text = f"Moved “{title}” out of “{old}” into a thread of its own"
        back = f"Put “{title}” back into “{old}”"
    elif done.kind == MERGE:
        text = f"Merged “{new}” into “{old}” (thread {done.to_thread})"
        back = f"Split “{new}” out again (thread {done.from_thread})"
    else:
        text = f"Renamed “{old}” to “{new}”"
        back = f"Renamed “{new}” back to “{old}”"
    return back if undone else text


def find_story(store: Store, text: str) -> Story:
    """A story by id or by a unique start of its id (at least 6 characters)."""
    wanted = text.strip().lower()
    found = store.story(wanted)
    if found is not None:
        return found
    if len(wanted) < 6:
        raise CorrectionError(f"no story {clean_line(text, 60)!r} (give 6 or more characters)")
    ids = store.stories_by_prefix(wanted)
    if len(ids) != 1:
        many = "more than one story starts" if ids else "no story starts"
        raise CorrectionError(f"{many} with {clean_line(text, 60)!r}")
    story = store.story(ids[0])
    assert story is not None
    return story


@dataclass(slots=True)
class Why:
    """Why a story is in its thread."""

    story: Story
    thread: Thread | None
    score: float | None  # the engine's join probability (None: threaded before it was kept)
    copy_of: Story | None = None  # it is a re-publication of this story in the thread
    started: bool = False  # the story started its thread
    moved_by_hand: Correction | None = None  # the user detached it into this thread
    others: int = 0  # other stories in the thread
    entities: list[tuple[str, str, int]] = field(default_factory=list)  # name, type, stories
    words: list[tuple[str, int]] = field(default_factory=list)  # word as written, stories

    def verdict(self) -> str:
        """The score in words."""
        if self.moved_by_hand is not None:
            return f"You moved it here from “{clean_line(self.moved_by_hand.old_name, 40)}”."
        if self.copy_of is not None:
            title = clean_line(self.copy_of.title, 60)
            return f"A re-publication of “{title}” (same link or title)."
        if self.started:
            joined = f"{self.others} other {'story' if self.others == 1 else 'stories'}"
            return f"It started a thread of its own; {joined} joined it (or came with a merge)."
        if self.score is None:
            return "Joined before scores were kept (no score recorded)."
        return f"Joined with a score of {self.score:.2f} (the engine's join probability)."


def why(store: Store, story_id: str, *, limit: int = 2000) -> Why:
    """The story's thread, its score, and what it shares with the thread's other stories."""
    story = store.story(story_id)
    if story is None:
        raise CorrectionError(f"no story {clean_line(story_id, 60)!r}")
    if story.thread_id is None:
        return Why(story, None, None)
    thread = store.thread(story.thread_id)
    score, copy_of = store.join_record(story.id)
    others = [s for s in store.stories(thread_id=story.thread_id, limit=limit) if s.id != story.id]
    found = Why(
        story,
        thread,
        score,
        copy_of=store.story(copy_of) if copy_of else None,
        moved_by_hand=store.story_correction(story.id),
        others=len(others),
        entities=store.shared_entities(story.id)[:WHY_ENTITIES],
    )
    found.started = score == 0.0 and found.copy_of is None and found.moved_by_hand is None
    found.words = _shared_words(store, story, others, [n for n, _, _ in found.entities])
    return found


def _shared_words(
    store: Store, story: Story, others: list[Story], entity_names: list[str]
) -> list[tuple[str, int]]:
    """The story's distinctive words that other stories of the thread use too: in how many
    stories, weighted by rarity (the engine's document frequencies); entity names left out."""
    mine: dict[str, str] = {}
    for key, surface in words(f"{story.title}\n{story.summary}"):
        if key:
            mine.setdefault(key, surface)
    named = {key for name in entity_names for key, _ in words(name) if key}
    counts: Counter[str] = Counter()
    for other in others:
        keys = {k for k, _ in words(f"{other.title}\n{other.summary}") if k in mine}
        counts.update(keys - named)
    df, n_docs = store.term_doc_freq(counts)

    def weight(key: str) -> float:
        return counts[key] * (math.log((n_docs + 1) / (df.get(key, 0) + 1)) + 1.0)

    ranked = sorted(counts, key=lambda k: (-weight(k), k))[:WHY_WORDS]
    return [(mine[k], counts[k]) for k in ranked]
