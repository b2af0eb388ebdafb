"""Command palette providers: "Find entity…" and "Go to thread…", with fuzzy matching.

Names come from feeds, so hits are built from plain Content: Textual's Matcher.highlight
parses its candidate as markup, which a name like "[@click=app.quit]" must never reach.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from briefing.models import EntityCount, Thread
from briefing.safety import clean_line, counted
from briefing.ui.highlight import LABELS

if TYPE_CHECKING:
    from briefing.ui.app import BriefingApp


def plain_highlight(matcher: Matcher, candidate: str) -> Content:
    """The candidate as literal text, with the matched letters in bold."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if score:
        for offset in offsets:
            if not candidate[offset].isspace():
                content = content.stylize("bold underline", offset, offset + 1)
    return content


def describe(entity: EntityCount) -> str:
    return f"{LABELS.get(entity.type, entity.type.lower())}, {entity.mentions} mentions"


def literal_hit(
    matcher: Matcher, prefix: str, name: str, command: Callable[[], None], help_text: str
) -> Hit | None:
    """A palette hit for a feed-derived name, or None if it does not match the query.

    The prefix counts too ("thread", "go to" list every thread), but below any name match.
    """
    score = matcher.match(name)
    display = Content(prefix).append(plain_highlight(matcher, name))
    if score <= 0:
        score = matcher.match(prefix + name) / 2
        if score <= 0:
            return None
        display = plain_highlight(matcher, prefix + name)
    return Hit(score, display, command, text=f"{prefix}{name}", help=help_text)


class _BriefingProvider(Provider):
    @property
    def briefing(self) -> BriefingApp:
        return self.app  # type: ignore[return-value]


class EntityCommands(_BriefingProvider):
    """Find entity…: filter threads and stories by a person, place or organisation."""

    def _entities(self, query: str) -> list[EntityCount]:
        store = self.briefing.store
        # Candidates: those containing the first letters typed, then the most mentioned.
        seen = {e.key: e for e in store.find_entities(query[:2], limit=400)} if query else {}
        for entity in store.top_entities(limit=200):
            seen.setdefault(entity.key, entity)
        return list(seen.values())

    def _pick(self, entity: EntityCount) -> Callable[[], None]:
        return partial(self.briefing.filter_by_entity, entity)

    async def discover(self) -> Hits:
        for entity in self.briefing.store.top_entities(limit=12):
            name = clean_line(entity.name, 60)
            yield DiscoveryHit(
                Content(f"Find entity: {name}"),
                self._pick(entity),
                text=f"Find entity: {name}",
                help=describe(entity),
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entity in self._entities(query):
            name = clean_line(entity.name, 60)
            hit = literal_hit(matcher, "Find entity: ", name, self._pick(entity), describe(entity))
            if hit is not None:
                yield hit


class ThreadCommands(_BriefingProvider):
    """Go to thread…: jump to a thread by name."""

    def _go(self, thread: Thread) -> Callable[[], None]:
        return partial(self.briefing.go_to_thread, thread.id)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for thread in self.briefing.store.threads(limit=2000):
            name = clean_line(thread.name, 60)
            counts = (
                f"{counted(thread.stories, 'story', 'stories')} from "
                f"{counted(thread.sources, 'outlet', 'outlets')}"
            )
            hit = literal_hit(matcher, "Go to thread: ", name, self._go(thread), counts)
            if hit is not None:
                yield hit
