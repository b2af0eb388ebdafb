"""JSON Feed 1.0 and 1.1 through parse_feed: the spec's examples, hostile fields, caps, and the
same paths as RSS (refresh into the real store, the add-feed check) over a loopback server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from briefing.config import Config, Settings
from briefing.feeds_file import FeedCheck, check_feed
from briefing.fetch import FetchLimits
from briefing.models import Feed
from briefing.parse import parse_feed
from briefing.pipeline import refresh
from briefing.safety import SUMMARY_MAX
from briefing.store import Store
from tests.helpers import LoopbackServer

FEED = Feed(name="Example", url="https://example.org/feed.json")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
V1 = "https://jsonfeed.org/version/1"
V11 = "https://jsonfeed.org/version/1.1"
RECORD_TEXT = (
    "Chris has worked at Adobe and as a founder of Rogue Sheep, which won an Apple Design Award"
    " for Postage. Chris’s new company is Aged & Distilled with Guy English — which shipped"
    " Napkin, a Mac app for visual collaboration. Chris is also the co-host of The Record. He"
    " lives on Bainbridge Island, a quick ferry ride from Seattle."
)
RECORD_HTML = (
    'Chris has worked at <a href="http://adobe.com/">Adobe</a> and as a founder of Rogue Sheep,'
    " which won an Apple Design Award for Postage. Chris’s new company is Aged & Distilled with"
    ' Guy English — which shipped <a href="http://aged-and-distilled.com/napkin/">Napkin</a>, a'
    " Mac app for visual collaboration. Chris is also the co-host of The Record. He lives on"
    ' <a href="http://www.ci.bainbridge-isl.wa.us/">Bainbridge Island</a>, a quick ferry ride'
    " from Seattle."
)
BRENT = {"name": "Brent Simmons", "url": "http://example.org/",
         "avatar": "https://example.org/avatar.png"}  # fmt: skip


def simple(version: str) -> dict[str, Any]:
    """The spec's first example (the same in 1.0 and 1.1 but for the version)."""
    return {
        "version": version,
        "title": "My Example Feed",
        "home_page_url": "https://example.org/",
        "feed_url": "https://example.org/feed.json",
        "items": [
            {"id": "2", "content_text": "This is a second item.",
             "url": "https://example.org/second-item"},
            {"id": "1", "content_html": "<p>Hello, world!</p>",
             "url": "https://example.org/initial-post"},
        ],
    }  # fmt: skip


def podcast(version: str) -> dict[str, Any]:
    return {
        "version": version,
        "user_comment": "This is a podcast feed. You can add this feed to your podcast client "
        "using the following URL: http://therecord.co/feed.json",
        "title": "The Record",
        "home_page_url": "http://therecord.co/",
        "feed_url": "http://therecord.co/feed.json",
        "items": [
            {
                "id": "http://therecord.co/chris-parrish",
                "title": "Special #1 - Chris Parrish",
                "url": "http://therecord.co/chris-parrish",
                "content_text": RECORD_TEXT,
                "content_html": RECORD_HTML,
                "summary": "Brent interviews Chris Parrish, co-host of The Record and one-half "
                "of Aged & Distilled.",
                "date_published": "2014-05-09T14:04:00-07:00",
                "attachments": [
                    {"url": "http://therecord.co/downloads/The-Record-sp1e1-ChrisParrish.m4a",
                     "mime_type": "audio/x-m4a", "size_in_bytes": 89970236,
                     "duration_in_seconds": 6629}
                ],
            }
        ],
    }  # fmt: skip


def microblog(version: str) -> dict[str, Any]:
    author = {"author": BRENT} if version == V1 else {"authors": [BRENT]}
    return {
        "version": version,
        "user_comment": "This is a microblog feed. You can add this to your feed reader using "
        "the following URL: https://example.org/feed.json",
        "title": "Brent Simmons’s Microblog",
        "home_page_url": "https://example.org/",
        "feed_url": "https://example.org/feed.json",
        **author,
        "items": [
            {"id": "2347259", "url": "https://example.org/2347259",
             "content_text": "Cats are neat. \n\nhttps://example.org/cats",
             "date_published": "2016-02-09T14:22:00-07:00"}
        ],
    }  # fmt: skip


def parse(document: object, **kwargs: Any) -> Any:
    return parse_feed(json.dumps(document).encode(), FEED, now=NOW, **kwargs)


@pytest.mark.parametrize("version", [V1, V11])
def test_the_spec_examples_parse_with_every_field(version: str) -> None:
    first = parse(simple(version))
    assert first.problem == "" and first.title == "My Example Feed" and first.skipped == 0
    assert [(s.title, s.link, s.summary, s.guid, s.published) for s in first.stories] == [
        ("This is a second item.", "https://example.org/second-item",
         "This is a second item.", "2", NOW),
        ("Hello, world!", "https://example.org/initial-post", "Hello, world!", "1", NOW),
    ]  # fmt: skip

    record = parse(podcast(version))
    assert record.title == "The Record"
    (episode,) = record.stories
    assert episode.title == "Special #1 - Chris Parrish"
    assert episode.link == "http://therecord.co/chris-parrish"
    assert episode.published == datetime(2014, 5, 9, 21, 4, tzinfo=UTC)
    assert episode.summary == (
        "Brent interviews Chris Parrish, co-host of The Record and one-half of Aged & Distilled."
    )

    micro = parse(microblog(version))
    assert micro.title == "Brent Simmons’s Microblog"
    (post,) = micro.stories
    assert post.title == "Cats are neat. https://example.org/cats"  # untitled: its text
    assert post.summary == "Cats are neat.\n\nhttps://example.org/cats"
    assert post.link == "https://example.org/2347259"
    assert post.published == datetime(2016, 2, 9, 21, 22, tzinfo=UTC)
    assert post.author == "Brent Simmons"


def test_ids_are_stable_and_items_without_an_id_are_discarded() -> None:
    doc = simple(V11)
    doc["items"] += [
        {"id": 42, "title": "Numeric id", "url": "https://example.org/42"},
        {"title": "No id", "url": "https://example.org/none"},
        {"id": "  ", "title": "Blank id", "url": "https://example.org/blank"},
        {"id": True, "title": "Boolean id", "url": "https://example.org/bool"},
    ]
    titles = [s.title for s in parse(doc).stories]
    assert titles == ["This is a second item.", "Hello, world!", "Numeric id"]
    assert [s.id for s in parse(doc).stories] == [s.id for s in parse(doc).stories]
    assert parse(doc).stories[2].guid == "42"


ESC = "\x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 \x1b]52;c;aGk=\x07"


def test_hostile_fields_are_cleaned_like_rss() -> None:
    doc = {
        "version": V11,
        "title": f"Feed {ESC}<script>x()</script>",
        "authors": "not a list",
        "items": [
            {"id": "a", "title": f"<b>Bold</b> &amp; {ESC} [bold]markup[/bold]\u202e",
             "content_html": f"<p>One</p><script>evil()</script><p>{ESC}Two</p>",
             "url": "javascript:alert(1)", "authors": [{"name": f"Eve{ESC}"}]},
            {"id": "b", "title": "Relative", "url": "/posts/b", "summary": 7,
             "content_text": ["not", "text"], "date_published": "2021-13-45T00:00:00Z"},
            {"id": "c", "title": None, "url": "https://example.org/c",
             "date_published": "2999-01-01T00:00:00Z"},
            {"id": "d", "title": "Broken host", "url": "http://[::1/x"},
            "not an item", 5, None, ["x"],
        ],
    }  # fmt: skip
    parsed = parse(doc)
    assert parsed.problem == "" and parsed.title == "Feed red link"
    first, relative, untitled, broken = parsed.stories
    assert broken.link == "" and broken.title == "Broken host"
    assert first.title == "Bold & red link [bold]markup[/bold]"  # Rich markup: escaped at render
    assert first.summary == "One\n\nred link Two"
    assert first.link == "" and first.author == "Evered link"
    assert relative.link == "https://example.org/posts/b" and relative.summary == ""
    assert relative.published == NOW  # an impossible date is not trusted
    assert untitled.title == "(untitled)" and untitled.published == NOW  # nor a future one
    for story in parsed.stories:
        for text in (story.title, story.summary, story.author, story.link):
            assert "\x1b" not in text and "\x07" not in text and "<" not in text


def test_caps_keep_the_newest_items_and_cap_the_text() -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    items = [
        {"id": str(i), "title": f"t{i}", "url": f"https://example.org/{i}",
         "date_published": (start + timedelta(hours=i)).isoformat()}
        for i in range(600)
    ]  # fmt: skip
    items[0]["content_text"] = "word " * 100_000
    items[599]["content_text"] = "word " * 100_000
    parsed = parse({"version": V11, "title": "Many", "items": items[::-1]})
    assert parsed.skipped == 100
    assert sorted(s.title for s in parsed.stories) == sorted(f"t{i}" for i in range(100, 600))
    assert max(len(s.summary) for s in parsed.stories) == SUMMARY_MAX


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"title": "no version", "items": []}', "not a feed (JSON, but not a JSON Feed)"),
        (b'{"version": "https://example.org/v1", "items": []}',
         "not a feed (JSON, but not a JSON Feed)"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "title": "t"}',
         "not a feed (a JSON Feed without items)"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
         "not a feed (unreadable JSON)"),
        (b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", "not a feed (unreadable JSON)"),
        (b'{"a": ' + b"[]," * 200_000 + b"[]}",
         "too large (over 100,000 JSON objects and arrays)"),
        (b"\xef\xbb\xbf {\"version\": \"https://jsonfeed.org/version/1\", \"items\": []}", ""),
    ],
    ids=["no-version", "other-version", "no-items", "truncated", "deep", "huge", "bom-empty"],
)  # fmt: skip
def test_json_that_is_not_a_usable_feed_says_why(body: bytes, problem: str) -> None:
    parsed = parse_feed(body, FEED, now=NOW)
    assert parsed.problem == problem and parsed.stories == []


async def test_refresh_stores_a_json_feed_and_the_add_feed_check_accepts_it(
    server: LoopbackServer, tmp_path: Path
) -> None:
    # Reported as "not a feed (unreadable XML)" before (issue 13, item 4).
    body = json.dumps(simple(V11)).encode()
    server.reply("/feed.json", body, headers={"Content-Type": "application/feed+json"})
    check = await check_feed(server.url("/feed.json"), FetchLimits(timeout=5))
    assert check == FeedCheck(True, "a feed: “My Example Feed”, 2 items", "My Example Feed", 2)
    feeds = (Feed("JSON", server.url("/feed.json")),)
    config = Config(feeds=feeds, settings=Settings(store=tmp_path / "s.db", timeout=5))
    report = await refresh(config, tmp_path / "s.db", enrich=False)
    assert report.feeds[0].status == "ok, 2 new"
    with Store(tmp_path / "s.db") as store:
        assert {s.link for s in store.stories()} == {
            "https://example.org/second-item", "https://example.org/initial-post"
        }  # fmt: skip
        assert store.feeds()[0].title == "My Example Feed"
