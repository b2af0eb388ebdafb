"""parse.py with the real feedparser: RSS 2.0, RSS 1.0 and Atom 1.0 normalised to Story."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta

import pytest

from briefing.feed_bytes import defuse, to_utf8
from briefing.items import raw_date_ok
from briefing.models import Feed
from briefing.parse import parse_feed
from briefing.safety import SUMMARY_MAX
from tests.helpers import rss

FEED = Feed(name="Example", url="http://example.org/feed.xml")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Example &amp; Co</title><link>http://example.org/</link><description>d</description>
<item>
  <title>Port workers strike</title>
  <link>http://example.org/a</link>
  <guid isPermaLink="false">tag:example.org,2026:a</guid>
  <description>&lt;p&gt;Dockers &lt;b&gt;walk out&lt;/b&gt; &amp;amp; more.&lt;/p&gt;
    &lt;p&gt;Second   paragraph.&lt;/p&gt;&lt;script&gt;evil()&lt;/script&gt;</description>
  <pubDate>Mon, 16 Nov 2026 10:00:00 +0530</pubDate>
  <dc:creator>Jane Doe</dc:creator>
</item>
</channel></rss>"""

RSS1 = b"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://example.org/"><title>RDF feed</title><link>http://example.org/</link>
  <description>d</description></channel>
<item rdf:about="http://example.org/r1">
  <title>Central bank holds rates</title>
  <link>http://example.org/r1</link>
  <description>Rates &lt;i&gt;unchanged&lt;/i&gt;.</description>
  <dc:date>2026-11-16T08:30:00Z</dc:date>
  <dc:creator>Ann Author</dc:creator>
</item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title type="html">Atom &lt;b&gt;feed&lt;/b&gt;</title><id>urn:x</id>
<updated>2026-11-16T00:00:00Z</updated>
<entry>
  <title type="text">a &lt; b and &lt;b&gt;not bold&lt;/b&gt;</title>
  <id>urn:uuid:1225c695</id>
  <link rel="alternate" href="http://example.org/atom/1"/>
  <updated>2026-11-16T12:00:00-05:00</updated>
  <author><name>Sam Writer</name></author>
  <content type="html">&lt;p&gt;Body &amp;eacute;t&amp;eacute;&lt;/p&gt;</content>
</entry>
</feed>"""


def item_feed(*items: dict[str, str]) -> bytes:
    return rss(list(items))


def test_rss2_item_is_normalised() -> None:
    parsed = parse_feed(RSS2, FEED, now=NOW)
    assert parsed.problem == "" and parsed.title == "Example & Co"
    (story,) = parsed.stories
    assert story.title == "Port workers strike"
    assert story.link == "http://example.org/a"
    assert story.summary == "Dockers walk out & more.\n\nSecond paragraph."
    assert story.published == datetime(2026, 11, 16, 4, 30, tzinfo=UTC)  # +05:30 -> UTC
    assert story.first_seen == NOW
    assert story.author == "Jane Doe"
    assert story.guid == "tag:example.org,2026:a"
    assert story.source == "Example" and story.feed_url == FEED.url
    assert len(story.id) == 20


def test_rss1_item_is_normalised() -> None:
    parsed = parse_feed(RSS1, FEED, now=NOW)
    (story,) = parsed.stories
    assert parsed.title == "RDF feed"
    assert (story.title, story.link) == ("Central bank holds rates", "http://example.org/r1")
    assert story.summary == "Rates unchanged."
    assert story.published == datetime(2026, 11, 16, 8, 30, tzinfo=UTC)
    assert story.author == "Ann Author"


def test_atom_entry_is_normalised() -> None:
    parsed = parse_feed(ATOM, FEED, now=NOW)
    (story,) = parsed.stories
    assert parsed.title == "Atom feed"  # type="html": tags removed
    assert story.title == "a < b and <b>not bold</b>"  # type="text": literal, never parsed
    assert story.link == "http://example.org/atom/1"
    assert story.summary == "Body été"
    assert story.published == datetime(2026, 11, 16, 17, 0, tzinfo=UTC)
    assert story.author == "Sam Writer"
    assert story.guid == "urn:uuid:1225c695"


def test_reparsing_gives_the_same_ids() -> None:
    bodies = [RSS2, RSS1, ATOM, item_feed({"title": "No guid, no link, no date"})]
    for body in bodies:
        first = [s.id for s in parse_feed(body, FEED, now=NOW).stories]
        again = [s.id for s in parse_feed(body, FEED, now=datetime.now(UTC)).stories]
        assert first and first == again


def test_id_comes_from_guid_then_link_then_title_and_date() -> None:
    with_guid = item_feed({"title": "T", "guid": "g-1", "link": "http://example.org/x"})
    same_guid = item_feed({"title": "Other", "guid": "g-1", "link": "http://example.org/y"})
    link_only = item_feed({"title": "T", "link": "http://example.org/x"})
    same_link = item_feed({"title": "Changed title", "link": "http://example.org/x"})
    dated = item_feed({"title": "T", "pubDate": "Mon, 16 Nov 2026 10:00:00 GMT"})
    redated = item_feed({"title": "T", "pubDate": "Tue, 17 Nov 2026 10:00:00 GMT"})

    def one(body: bytes) -> str:
        return parse_feed(body, FEED, now=NOW).stories[0].id

    assert one(with_guid) == one(same_guid)
    assert one(link_only) == one(same_link) != one(with_guid)
    assert one(dated) != one(redated)
    other_feed = parse_feed(with_guid, Feed("x", "http://other.example/"), now=NOW)
    assert other_feed.stories[0].id != one(with_guid)  # ids are per feed


def test_duplicate_guids_within_a_feed_collapse() -> None:
    body = item_feed(
        {"title": "First", "guid": "dup"},
        {"title": "Second", "guid": "dup"},
        {"title": "Third", "guid": "other"},
    )
    stories = parse_feed(body, FEED, now=NOW).stories
    assert [s.title for s in stories] == ["First", "Third"]


def test_empty_guid_falls_back_to_link() -> None:
    body = item_feed(
        {"title": "A", "guid": "", "link": "http://example.org/a"},
        {"title": "B", "guid": "", "link": "http://example.org/b"},
    )
    stories = parse_feed(body, FEED, now=NOW).stories
    assert [s.title for s in stories] == ["A", "B"] and stories[0].id != stories[1].id


def test_missing_date_falls_back_to_first_seen() -> None:
    (story,) = parse_feed(item_feed({"title": "Undated"}), FEED, now=NOW).stories
    assert story.published == NOW == story.first_seen


@pytest.mark.parametrize(
    "raw",
    [
        "2021-13-45",  # feedparser: 2022-01-01
        "2021-02-30T10:00:00Z",  # feedparser: 2021-03-02
        "1700000000",  # a bare epoch; feedparser: 1699-11-30
        "Mon, 45 Feb 2021 10:00:00 GMT",
        "Mon, 10 Feb 2021 25:61:00 GMT",
        "Thu, 29 Feb 2001 10:00:00 GMT",
        "2021",
    ],
)
def test_dates_feedparser_would_repair_are_not_trusted(raw: str) -> None:
    assert not raw_date_ok(raw)
    body = item_feed({"title": "Odd date", "pubDate": raw})
    (story,) = parse_feed(body, FEED, now=NOW).stories
    assert story.published == NOW


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mon, 16 Nov 2026 10:00:00 GMT", datetime(2026, 11, 16, 10, 0, tzinfo=UTC)),
        ("2026-11-16T10:00:00+05:30", datetime(2026, 11, 16, 4, 30, tzinfo=UTC)),
        ("2026-11-16T23:30:00-02:00", datetime(2026, 11, 17, 1, 30, tzinfo=UTC)),
        ("20261116", datetime(2026, 11, 16, tzinfo=UTC)),
        ("Sun, 29 Feb 2004 10:00:00 GMT", datetime(2004, 2, 29, 10, 0, tzinfo=UTC)),
        ("16 Nov 2026 10:00 EST", datetime(2026, 11, 16, 15, 0, tzinfo=UTC)),
    ],
)
def test_good_dates_are_converted_to_utc(raw: str, expected: datetime) -> None:
    assert raw_date_ok(raw)
    body = item_feed({"title": "Dated", "pubDate": raw})
    (story,) = parse_feed(body, FEED, now=NOW).stories
    assert story.published == expected


@pytest.mark.parametrize(
    "raw",
    ["Sat, 01 Jan 1994 00:00:00 GMT", "9999-01-01T00:00:00Z", "Sat, 21 Nov 2026 13:00:00 GMT"],
)
def test_dates_outside_1995_to_tomorrow_are_clamped(raw: str) -> None:
    body = item_feed({"title": "Far", "pubDate": raw})
    (story,) = parse_feed(body, FEED, now=NOW).stories
    assert story.published == NOW


def test_updated_date_is_used_when_published_is_bad() -> None:
    body = ATOM.replace(b"<updated>2026-11-16T12:00:00-05:00</updated>", b"").replace(
        b"<author>",
        b"<published>2026-13-01T00:00:00Z</published><updated>2026-11-15T00:00:00Z</updated><author>",
    )
    (story,) = parse_feed(body, FEED, now=NOW).stories
    assert story.published == datetime(2026, 11, 15, tzinfo=UTC)


def test_missing_title_falls_back_to_summary_then_untitled() -> None:
    body = item_feed(
        {"description": "The summary " * 30, "guid": "a"},
        {"link": "http://example.org/only-link", "guid": "b"},
        {"title": "   "},
    )
    stories = parse_feed(body, FEED, now=NOW).stories
    assert stories[0].title.startswith("The summary The summary") and len(stories[0].title) <= 120
    assert stories[1].title == "(untitled)"
    assert len(stories) == 2  # nothing to show and nothing to open: dropped


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>x</script>",
        "file:///etc/passwd",
        " javascript:alert(1)",
        "vbscript:x",
        "ftp://example.org/a",
        "/relative/without/base",
    ],
)
def test_unsafe_links_are_stored_empty(link: str) -> None:
    from xml.sax.saxutils import escape

    body = item_feed({"title": "Linked", "link": escape(link), "guid": "g"})
    feed = Feed("x", "file:///nowhere")  # no http base to resolve a relative link against
    (story,) = parse_feed(body, feed, now=NOW).stories
    assert story.link == ""


def test_relative_link_resolves_against_the_feed_url() -> None:
    body = item_feed({"title": "Rel", "link": "/posts/1", "guid": "g"})
    (story,) = parse_feed(body, FEED, now=NOW).stories
    assert story.link == "http://example.org/posts/1"


def test_items_over_max_items_are_skipped_and_counted() -> None:
    body = item_feed(*({"title": f"t{i}", "guid": f"g{i}"} for i in range(3000)))
    parsed = parse_feed(body, FEED, now=NOW, max_items=500)
    assert len(parsed.stories) == 500 and parsed.skipped == 2500
    assert parsed.stories[0].title == "t0"


def test_the_newest_items_are_kept_whatever_their_order() -> None:
    # Oldest first, as some archives list them: the cap keeps the newest 500, not the first.
    start = datetime(2020, 1, 1, tzinfo=UTC)
    body = item_feed(
        {"title": "undated", "guid": "u"},
        *(
            {"title": f"t{i}", "guid": f"g{i}",
             "pubDate": f"{start + timedelta(hours=i):%a, %d %b %Y %H:%M:%S GMT}"}
            for i in range(3000)
        ),
    )  # fmt: skip
    parsed = parse_feed(body, FEED, now=NOW, max_items=500)
    assert parsed.skipped == 2501
    assert [s.title for s in parsed.stories] == [f"t{i}" for i in range(2500, 3000)]


@pytest.mark.parametrize("oldest_first", [True, False])
def test_a_feed_over_the_element_limit_keeps_its_newest_items(oldest_first: bool) -> None:
    # 50,000 items (250,000 elements) were refused as "not a feed" (issue 13, item 5).
    start = datetime(2020, 1, 1, tzinfo=UTC)
    numbers = range(50_000) if oldest_first else range(49_999, -1, -1)
    body = item_feed(
        *(
            {"title": f"t{i}", "link": f"http://example.org/{i}", "guid": f"g{i}",
             "pubDate": f"{start + timedelta(minutes=i):%a, %d %b %Y %H:%M:%S GMT}"}
            for i in numbers
        )
    )  # fmt: skip
    parsed = parse_feed(body, FEED, now=NOW)
    assert parsed.problem == "" and parsed.title == "Test feed"
    assert parsed.skipped == 49_500
    assert sorted(s.title for s in parsed.stories) == sorted(f"t{i}" for i in range(49_500, 50_000))


def test_huge_summary_is_capped() -> None:
    body = item_feed({"title": "Long", "description": "word " * 200_000, "guid": "g"})
    (story,) = parse_feed(body, FEED, now=NOW).stories
    assert len(story.summary) <= SUMMARY_MAX and story.summary.endswith("…")


# -- encodings -----------------------------------------------------------------------------------

TEXT = "Café crème, Zürich"


def encoded_feed(declared: str, data_codec: str, bom: bytes = b"") -> bytes:
    doc = rss([{"title": TEXT, "guid": "g"}]).decode("utf-8")
    doc = doc.replace('encoding="utf-8"', f'encoding="{declared}"')
    return bom + doc.encode(data_codec)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (encoded_feed("utf-8", "utf-8"), "application/rss+xml; charset=utf-8"),
        (encoded_feed("iso-8859-15", "iso-8859-15"), ""),
        (encoded_feed("utf-8", "utf-8"), "text/xml; charset=iso-8859-1"),  # labelled latin-1
        (encoded_feed("iso-8859-1", "utf-8"), ""),  # declared latin-1, bytes are UTF-8
        (encoded_feed("utf-8", "utf-8"), "text/plain"),  # text/* without charset
        (encoded_feed("utf-8", "utf-8", codecs.BOM_UTF8), ""),
        (encoded_feed("utf-16", "utf-16-le", codecs.BOM_UTF16_LE), ""),
        (encoded_feed("utf-16", "utf-16-be", codecs.BOM_UTF16_BE), ""),
        (encoded_feed("utf-16", "utf-16-le"), ""),  # no BOM: sniffed from '<\0?\0'
        (encoded_feed("utf-32", "utf-32-le", codecs.BOM_UTF32_LE), "application/xml"),
    ],
)
def test_charsets_are_decoded(body: bytes, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    (story,) = parse_feed(body, FEED, headers, now=NOW).stories
    assert story.title == TEXT


@pytest.mark.parametrize("content_type", ["application/rss+xml; charset=utf-8", ""])
def test_latin1_bytes_declared_utf8_still_read(content_type: str) -> None:
    body = encoded_feed("utf-8", "latin-1")
    headers = {"Content-Type": content_type} if content_type else {}
    (story,) = parse_feed(body, FEED, headers, now=NOW).stories
    assert story.title == TEXT


def test_wide_encoding_keeps_characters_beyond_latin1() -> None:
    body = codecs.BOM_UTF16_BE + rss([{"title": "Кыїв ☕ 東京", "guid": "g"}]).decode().replace(
        'encoding="utf-8"', 'encoding="utf-16"'
    ).encode("utf-16-be")
    (story,) = parse_feed(body, FEED, now=NOW).stories
    assert story.title == "Кыїв ☕ 東京"


def test_invalid_utf8_sequences_become_replacement_characters_or_latin1() -> None:
    body = rss([{"title": "ok \xff\xfe bad", "guid": "g"}]).replace(
        "\xff\xfe".encode(), b"\xff\xfe\xc3("
    )
    (story,) = parse_feed(body, FEED, now=NOW).stories
    assert story.title.startswith("ok ") and story.title.endswith(" bad")


@pytest.mark.parametrize("content_type", ["application/rss+xml; charset=utf-8", ""])
def test_one_stray_byte_does_not_garble_a_utf8_document(content_type: str) -> None:
    # One invalid byte once made feedparser decode the whole document as MacRoman:
    # every "Café Zürich" became "Caf√© Z√ºrich" (issue 13, item 3).
    feed = [{"title": f"{TEXT} {n}", "guid": f"g{n}", "description": "x"} for n in range(5)]
    body = rss(feed).replace(b"<description>x", b"<description>stray \xff byte", 1)
    headers = {"Content-Type": content_type} if content_type else {}
    stories = parse_feed(body, FEED, headers, now=NOW).stories
    assert [s.title for s in stories] == [f"{TEXT} {n}" for n in range(5)]
    assert stories[0].summary == "stray \ufffd byte"


def test_to_utf8_output_always_declares_utf8() -> None:
    for body in [
        encoded_feed("utf-16", "utf-16-le", codecs.BOM_UTF16_LE),
        encoded_feed("latin-1", "latin-1"),
    ]:
        out = to_utf8(body)
        assert out.startswith(b'<?xml version="1.0" encoding="utf-8"?>') or out.startswith(
            b"<?xml version='1.0' encoding='utf-8'?>"
        )
        out.decode("utf-8")


def test_defuse_keeps_an_ordinary_document_intact() -> None:
    assert defuse(RSS2) == RSS2
    with_doctype = RSS2.replace(
        b"<rss ",
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x.dtd">\n<rss ',
        1,
    )
    assert b"DOCTYPE" not in defuse(with_doctype)
    assert parse_feed(with_doctype, FEED, now=NOW).stories[0].title == "Port workers strike"


def test_not_a_feed_problems() -> None:
    assert parse_feed(b"", FEED).problem == "not a feed (empty response)"
    assert parse_feed(b"<html><body>hi</body></html>", FEED).problem == "not a feed (HTML page)"
    assert parse_feed(b"\x00\x01 garbage {", FEED).problem == "not a feed (unreadable XML)"
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    parsed = parse_feed(empty, FEED)
    assert parsed.problem == "" and parsed.title == "Quiet" and parsed.stories == []


CATALOGUE = b"""<?xml version="1.0"?>
<!-- <rss> in a comment is not the root -->
<catalog><book id="bk101"><author>Gambardella, Matthew</author>
<title>XML Developer's Guide</title><price>44.95</price></book></catalog>"""


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (CATALOGUE, "not a feed (XML, but not RSS, RDF or Atom)"),  # was "ok, nothing new"
        (b"<urlset><url><loc>http://example.org/</loc></url></urlset>",
         "not a feed (XML, but not RSS, RDF or Atom)"),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
         b'xmlns="http://purl.org/rss/1.0/"><channel><title>R</title></channel></rdf:RDF>', ""),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title></feed>', ""),
        (b'<CHANNEL HREF="http://example.org/"><TITLE>A CDF channel</TITLE></CHANNEL>', ""),
    ],
    ids=["catalogue", "sitemap", "rdf", "atom", "cdf"],
)  # fmt: skip
def test_xml_without_a_feed_root_is_not_an_empty_feed(body: bytes, problem: str) -> None:
    # issue 13, item 7: a book catalogue was stored as an empty feed.
    parsed = parse_feed(body, FEED, now=NOW)
    assert parsed.problem == problem and parsed.stories == []


def test_cp1252_code_points_map_as_feedparser_maps_them_beside_any_other_character() -> None:
    """parse.py swaps feedparser's cp1252 dict for a table: C1 code points still become the
    cp1252 characters, one with no cp1252 meaning still goes, and BMP and astral text stays."""
    body = rss([
        {
            "title": "Erdo\u011fan said &#147;yes&#148; to &#128;5 \U0001f1fa\U0001f1e6 &#x9d;",
            "description": "A &#150; b \u00e9 \u65e5\u672c",
            "link": "http://example.org/a",
        }
    ])  # fmt: skip
    (story,) = parse_feed(body, FEED, now=NOW).stories
    assert story.title == "Erdo\u011fan said \u201cyes\u201d to \u20ac5 \U0001f1fa\U0001f1e6"
    assert story.summary == "A \u2013 b \u00e9 \u65e5\u672c"
