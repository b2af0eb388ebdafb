"""Plain records shared by the core and the UI. No behaviour beyond small derived values."""

from __future__ import annotations

from collections import Counter
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


# Entity types shown to the user. spaCy labels are folded into these by entities/recognizer.py.
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
    """One correction the user made by hand (store/corrections.py); the last one can be undone.

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


@dataclass(frozen=True, slots=True)
class FeedRow:
    url: str
    name: str
    title: str
    ok: bool
    status: str
    http_status: int | None
    checked_at: datetime | None
    ok_at: datetime | None
    failures: int
    items: int
    stories: int
    next_fetch_at: datetime | None = None  # not fetched before then unless forced
    next_fetch_reason: str = ""  # why, in plain words
    not_modified: bool = False  # the last answer was 304 Not Modified
    per_day: float = 0.0  # see Store.feeds: stories a day over the last RATE_DAYS days


RATE_DAYS = 30  # the window of FeedRow.per_day


@dataclass(frozen=True, slots=True)
class Article:
    """What fetching a story's page gave: extracted text, or why there is none."""

    story_id: str
    status: str  # see briefing.articles.STATUSES
    message: str  # plain words for the user
    text: str  # sanitised plain text, paragraphs separated by blank lines ("" unless usable)
    url: str  # the address the text came from, after redirects
    fetched_at: datetime

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of a refresh: a feed finished, or a later stage moved on."""

    stage: str  # "fetch", "stored", "entities", "threads", "articles", "prune", "done"
    done: int
    total: int
    feed: FeedStatus | None = None
    message: str = ""


@dataclass(slots=True)
class RefreshReport:
    feeds: list[FeedStatus] = field(default_factory=list)
    new_stories: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    not_due: int = 0  # feeds skipped because they are not due yet (ok, no request made)

    @property
    def failed(self) -> list[FeedStatus]:
        return [f for f in self.feeds if not f.ok]

    def all_failed(self) -> str:
        """'' unless every feed fetched failed; then why, in one line, for a first run offline:
        'every feed failed: could not find the server (DNS lookup failed) — offline?'."""
        if not self.feeds or any(f.ok for f in self.feeds):
            return ""
        reason, _ = Counter(f.status for f in self.feeds).most_common(1)[0]
        offline = any(word in reason for word in ("DNS", "could not connect", "connecting"))
        return f"every feed failed: {reason}{' — offline?' if offline else ''}"
