"""Plain records shared by the core and the UI. No behaviour beyond small derived values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Feed:
    """One entry of feeds.toml."""

    name: str
    url: str
    tags: tuple[str, ...] = ()
    enabled: bool = True
    full_text: bool = False  # fetch each new story's web page and extract its main text
    keep_days: int | None = None  # this feed's retention; None: [settings] keep_days


@dataclass(slots=True)
class Story:
    """One item of a feed, normalised and sanitised by parse.py.

    ``id`` is stable: a hash of the feed url and the item's guid (else link, else title+date),
    so re-fetching an item finds the stored row instead of adding a copy.
    """

    id: str
    feed_url: str
    source: str  # the outlet's display name (feed name from feeds.toml)
    title: str
    link: str
    summary: str
    published: datetime  # UTC, timezone-aware
    first_seen: datetime  # UTC, timezone-aware
    author: str = ""
    guid: str = ""
    read: bool = False
    thread_id: int | None = None


# Entity types shown to the user. spaCy labels are folded into these by entities.py.
PERSON = "PERSON"
ORG = "ORG"
PLACE = "PLACE"
NORP = "NORP"
EVENT = "EVENT"
ENTITY_TYPES = (PERSON, PLACE, ORG, NORP, EVENT)


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention inside a story field, as character offsets into that field's text."""

    field: str  # "title" or "summary"
    start: int
    end: int
    type: str  # one of ENTITY_TYPES
    key: str  # stable canonical key, e.g. "person:recep tayyip erdogan"
    name: str  # canonical display name, e.g. "Recep Tayyip Erdoğan"


@dataclass(frozen=True, slots=True)
class EntityCount:
    key: str
    name: str
    type: str
    mentions: int
    stories: int = 0


@dataclass(slots=True)
class Thread:
    id: int
    name: str
    stories: int
    sources: int
    first_seen: datetime
    last_seen: datetime
    unread: int = 0
    new: int = 0  # stories added since the user last opened the thread
    kept: bool = False  # the user keeps it (`k`, or saved its dossier): never pruned
    entities: list[EntityCount] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)  # by hand (dossiers show them)


DETACH, MERGE, RENAME = "detach", "merge", "rename"


@dataclass(frozen=True, slots=True)
class Correction:
    """One correction the user made by hand (store_corrections.py); the last one can be undone.

    detach: `story` left `from_thread` for a thread of its own, `to_thread`; old_name is the
    name `from_thread` had. merge: `from_thread` went into `to_thread`, which kept its id;
    old_name is the name `to_thread` had, new_name the name of the one merged in. rename:
    `from_thread` == `to_thread`, from old_name to new_name.
    """

    id: int
    kind: str  # DETACH, MERGE or RENAME
    at: datetime
    from_thread: int
    to_thread: int
    story: str | None = None
    story_title: str = ""
    old_name: str = ""
    new_name: str = ""
    undone: bool = False


@dataclass(frozen=True, slots=True)
class Validators:
    """What the server told us last time, for a conditional GET."""

    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """What the last refresh of one feed did, in plain words for the user."""

    url: str
    name: str
    ok: bool
    status: str  # e.g. "ok", "not modified", "timed out after 20 s"
    http_status: int | None = None
    new_stories: int = 0
    seconds: float = 0.0
    error: str = ""
