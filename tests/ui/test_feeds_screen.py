"""Pilot tests of the feeds screen: a real feeds.toml on disk, the real fetch/parse/store path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Footer, Input, Static
from textual.widgets._footer import FooterKey

from briefing.config import Session, load_config
from briefing.feeds_file import package_dir
from briefing.ui.app import BriefingApp
from briefing.ui.screens.feed_form import ConfirmDialog, FeedForm
from briefing.ui.screens.feeds import FeedsScreen
from briefing.ui.widgets.refresh_bar import RefreshBar
from tests.helpers import rss, settle

FEEDS = """\
# my feeds: keep this comment
[settings]
timeout = 5

[[feed]]
name = "North"   # the first
url = "https://north.test/feed"
tags = ["world"]

[[feed]]
name = "South"
url = "https://south.test/feed"
"""
NOW = datetime.now(UTC)


def dated(title: str, days_ago: float) -> dict[str, str]:
    when = format_datetime(NOW - timedelta(days=days_ago), usegmt=True)
    return {"title": title, "guid": title, "link": f"https://x.test/{title}", "pubDate": when}


@dataclass
class Web:
    """What the mock network answers: host -> body; ETags make the second answer a 304."""

    bodies: dict[str, bytes] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        self.requests.append(host)
        etag = self.etags.get(host)
        if etag and request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"ETag": etag})
        body = self.bodies.get(host)
        if body is None:
            return httpx.Response(404)
        return httpx.Response(200, content=body, headers={"ETag": etag} if etag else {})


SessionMaker = Callable[..., Session]


@pytest.fixture
def web() -> Web:
    return Web(
        bodies={
            "north.test": rss([dated(f"n{i}", i / 2) for i in range(4)], title="North"),
            "south.test": rss([dated("s0", 1)], title="South"),
        }
    )


@pytest.fixture
def file_session(tmp_path: Path, web: Web) -> SessionMaker:
    """A session whose config was loaded from a real feeds.toml in tmp_path."""

    def build(text: str = FEEDS) -> Session:
        path = tmp_path / "feeds.toml"
        path.write_text(text, "utf-8")
        db = tmp_path / "ui.db"
        config = load_config(path)
        config = replace(config, settings=replace(config.settings, store=db))
        return Session(config, db, httpx.MockTransport(web.handle))

    return build


def cells(app: BriefingApp) -> dict[str, list[str]]:
    """The feeds table: url -> the plain text of every cell."""
    table = app.screen.query_one(DataTable)
    return {str(k.value): [str(c) for c in table.get_row(k)] for k in table.rows}


def feeds_file(session: Session) -> Path:
    assert session.config.path is not None
    return session.config.path


async def open_feeds(app: BriefingApp, pilot: Pilot[int]) -> FeedsScreen:
    await settle(pilot)
    await pilot.press("F")
    assert isinstance(app.screen, FeedsScreen)
    return app.screen


async def test_a_tries_the_address_then_adds_the_feed(file_session: SessionMaker, web: Web) -> None:
    web.bodies["new.test"] = rss([dated("a", 1), dated("b", 2)], title="The [bold]New[/] One")
    session = file_session()
    app = BriefingApp(session)
    async with app.run_test(size=(150, 40)) as pilot:
        await open_feeds(app, pilot)
        await pilot.press("a")
        assert isinstance(app.screen, FeedForm)
        await pilot.press(*"https://new.test/feed")
        assert app.screen.query_one("#feed-url", Input).value == "https://new.test/feed"
        await pilot.press("tab", "tab", *"news, test")  # name left empty: the feed's title
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        text = feeds_file(session).read_text()
        assert text.startswith(FEEDS)  # everything before is byte for byte the same
        assert text.endswith(
            '\n[[feed]]\nname = "The [bold]New[/] One"\nurl = "https://new.test/feed"\n'
            'tags = ["news", "test"]\n'
        )
        assert [f.name for f in app.session.config.feeds][-1] == "The [bold]New[/] One"
        row = cells(app)["https://new.test/feed"]
        assert row[1:3] == ["The [bold]New[/] One", "news, test"]
        assert row[3] == "ok, 2 new" and row[5] == "2"  # fetched by the refresh that followed
        # named after its title: the notice does not say the title twice
        said = [n.message for n in app._notifications]
        assert "Added “The [bold]New[/] One”: a feed with 2 items" in said


async def test_an_address_that_is_not_a_feed_needs_save_anyway(
    file_session: SessionMaker, web: Web
) -> None:
    web.bodies["page.test"] = b"<!doctype html><html><body>hello</body></html>"
    session = file_session()
    app = BriefingApp(session)
    async with app.run_test(size=(150, 40)) as pilot:
        await open_feeds(app, pilot)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, FeedForm)
        form.query_one("#feed-url", Input).value = "ftp://page.test/"
        await pilot.press("enter")
        status = form.query_one("#feed-form-status", Static)
        assert "not an http(s) address" in str(status.render())
        form.query_one("#feed-url", Input).value = "https://north.test/feed/"
        await pilot.press("enter")
        assert "already in the feeds file as “North”" in str(status.render())
        form.query_one("#feed-url", Input).value = "https://page.test/"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form
        assert "✗ not a feed (HTML page)" in str(status.render())
        assert str(form.query_one("#feed-save").render()).strip() == "Save anyway"
        assert feeds_file(session).read_text() == FEEDS
        form.query_one(Checkbox).value = True
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        feed = app.session.config.feeds[-1]
        assert (feed.name, feed.url, feed.full_text) == ("page.test", "https://page.test/", True)


async def test_escape_cancels_the_form_and_writes_nothing(file_session: SessionMaker) -> None:
    session = file_session()
    app = BriefingApp(session)
    async with app.run_test(size=(150, 40)) as pilot:
        await open_feeds(app, pilot)
        await pilot.press("a", *"https://x.test/", "escape")
        assert isinstance(app.screen, FeedsScreen)
        assert feeds_file(session).read_text() == FEEDS


async def test_e_edits_the_highlighted_feed(file_session: SessionMaker, web: Web) -> None:
    session = file_session()
    app = BriefingApp(session)
    async with app.run_test(size=(150, 40)) as pilot:
        await open_feeds(app, pilot)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, FeedForm)
        assert form.query_one("#feed-url", Input).value == "https://north.test/feed"
        assert form.query_one("#feed-tags", Input).value == "world"
        form.query_one("#feed-tags", Input).value = "world, europe"
        form.query_one("#feed-name", Input).value = "North Star"
        asked = len(web.requests)
        await pilot.press("enter")
        await settle(pilot)
        assert len(web.requests) == asked  # the address did not change: not tried again
        assert feeds_file(session).read_text() == FEEDS.replace(
            'name = "North"', 'name = "North Star"'
        ).replace('tags = ["world"]', 'tags = ["world", "europe"]')
        assert cells(app)["https://north.test/feed"][1:3] == ["North Star", "world, europe"]


async def test_d_disables_and_enables_in_the_file_and_the_table(
    file_session: SessionMaker,
) -> None:
    session = file_session()
    app = BriefingApp(session)
    async with app.run_test(size=(150, 40)) as pilot:
        await open_feeds(app, pilot)
        await pilot.press("down", "d")
        assert (
            'url = "https://south.test/feed"\nenabled = false\n' in feeds_file(session).read_text()
        )
        assert not app.session.config.feeds[1].enabled
        assert cells(app)["https://south.test/feed"][:1] + cells(app)["https://south.test/feed"][
            3:4
        ] == ["–", "disabled"]
        await pilot.press("d")
        assert feeds_file(session).read_text() == FEEDS
        assert cells(app)["https://south.test/feed"][3].startswith("ok")
        assert app.screen.query_one(DataTable).cursor_row == 1  # the cursor stays on South


async def test_delete_asks_first(file_session: SessionMaker) -> None:
    session = file_session()
    app = BriefingApp(session)
    async with app.run_test(size=(150, 40)) as pilot:
        await open_feeds(app, pilot)
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert isinstance(app.screen, FeedsScreen)
        assert feeds_file(session).read_text() == FEEDS
        await pilot.press("delete", "y")
        await pilot.pause()
        assert isinstance(app.screen, FeedsScreen)
        assert feeds_file(session).read_text() == (
            "# my feeds: keep this comment\n[settings]\ntimeout = 5\n\n"
            '[[feed]]\nname = "South"\nurl = "https://south.test/feed"\n'
        )
        assert list(cells(app)) == ["https://south.test/feed"]
        assert [f.name for f in app.session.config.feeds] == ["South"]


async def test_hostile_names_and_titles_render_literally(
    file_session: SessionMaker, web: Web
) -> None:
    text = FEEDS.replace('name = "North"', 'name = "[bold]x[/] \\u001b[31mred"')
    text = text.replace('tags = ["world"]', 'tags = ["[@click=app.quit]q[/]"]')
    web.bodies["south.test"] = b"<html><body>[red]no[/]</body></html>"
    session = file_session(text)
    app = BriefingApp(session)
    async with app.run_test(size=(150, 40)) as pilot:
        await open_feeds(app, pilot)
        table = app.screen.query_one(DataTable)
        name, tags = table.get_row("https://north.test/feed")[1:3]
        assert isinstance(name, Text) and name.plain == "[bold]x[/] red" and not name.spans
        assert isinstance(tags, Text) and tags.plain == "[@click=app.quit]q[/]"
        status = table.get_row("https://south.test/feed")[3]
        assert isinstance(status, Text) and status.plain == "not a feed (HTML page)"
        await pilot.press("d")  # the notification quotes the name: markup off
        await pilot.pause()
        assert isinstance(app.screen, FeedsScreen)
        quoting = [n for n in app._notifications if "[bold]x[/]" in n.message]
        assert quoting and not any(n.markup for n in quoting)


async def test_avg_per_day_and_304_after_a_second_refresh(
    file_session: SessionMaker, web: Web
) -> None:
    # North: 15 stories in the last 30 days and one older: 15 / 30 = 0.5 a day.
    web.bodies["north.test"] = rss(
        [dated(f"n{i}", 2 * i + 0.5) for i in range(15)] + [dated("old", 40)], title="North"
    )
    # South: 4 stories, the oldest 2 days ago: 4 / 2 = 2.0 a day (not diluted over 30 days).
    web.bodies["south.test"] = rss([dated(f"s{i}", i * 2 / 3) for i in range(4)], title="S")
    web.etags["north.test"] = '"v1"'
    session = file_session()
    app = BriefingApp(session)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        first = cells(app)
        assert first["https://north.test/feed"][5:] == ["16", "0.5", ""]
        assert first["https://south.test/feed"][5:] == ["4", "2.0", ""]
        await pilot.press("r")  # a refresh from the feeds screen: the table follows it
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        second = cells(app)
        assert second["https://north.test/feed"][3] == "not modified"
        assert second["https://north.test/feed"][5:] == ["16", "0.5", "✓"]
        assert second["https://south.test/feed"][5:] == ["4", "2.0", ""]


async def test_dead_feeds_are_flagged_in_the_status_line_and_the_table(
    file_session: SessionMaker, web: Web
) -> None:
    del web.bodies["south.test"]
    session = file_session()
    app = BriefingApp(session)
    async with app.run_test(size=(150, 40)) as pilot:
        await settle(pilot)
        for _ in range(2):
            await pilot.press("r")
            await settle(pilot)
        bar = str(app.screen.query_one(RefreshBar).query_one("#refresh-label", Static).render())
        assert "1 feed failing 3+ times in a row: press F" in bar
        await pilot.press("F")
        row = cells(app)["https://south.test/feed"]
        assert row[0] == "✗" and row[3].startswith("failing 3× in a row · HTTP 404")
        await pilot.press("down", "d")  # a disabled feed is not counted as dead
        assert cells(app)["https://south.test/feed"][0] == "–"
        assert app.dead_feeds_note() == ""


async def test_the_demo_and_the_bundled_file_are_not_edited(
    file_session: SessionMaker,
) -> None:
    for session in (
        replace(file_session(), demo=True),
        replace(
            file_session(),
            config=replace(file_session().config, path=package_dir() / "default_feeds.toml"),
        ),
    ):
        app = BriefingApp(session, refresh_on_start=False)
        said: list[str] = []
        async with app.run_test(size=(150, 40)) as pilot:
            app.notify = lambda message, said=said, **_: said.append(message)
            await pilot.press("F")
            for key in ("a", "e", "d", "delete"):
                await pilot.press(key)
                assert isinstance(app.screen, FeedsScreen)
        assert len(said) == 4
        assert all("demo has no feeds file" in s or "bundled default" in s for s in said)


async def test_feeds_keys_are_in_the_footer_and_the_help(file_session: SessionMaker) -> None:
    app = BriefingApp(file_session(), refresh_on_start=False)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.press("F")
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        shown = {k.description for k in footer.query(FooterKey)}
        assert {"Add", "Edit", "Disable/enable", "Delete", "Close"} <= shown
        ids = {row[2] for row in app.all_bindings()}
        assert {"feeds-add", "feeds-edit", "feeds-toggle", "feeds-delete"} <= ids
        help_rows = {row[2]: row for row in app.all_bindings()}
        assert help_rows["feeds-delete"][:2] == ("delete", "Feeds screen: Delete")


async def test_j_k_home_end_move_in_the_feeds_table(file_session: SessionMaker) -> None:
    three = FEEDS + '\n[[feed]]\nname = "West"\nurl = "https://west.test/feed"\n'
    session = file_session(three)
    app = BriefingApp(session)
    async with app.run_test(size=(150, 40)) as pilot:
        await open_feeds(app, pilot)
        table = app.screen.query_one(DataTable)
        assert table.cursor_row == 0
        await pilot.press("j")
        assert table.cursor_row == 1
        await pilot.press("end")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("home", "d")  # disables the first feed, the one under the cursor
        assert table.cursor_row == 0
        assert not app.session.config.feeds[0].enabled
        assert all(f.enabled for f in app.session.config.feeds[1:])
