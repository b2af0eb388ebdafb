"""The add/edit feed form (with its test fetch) and the yes/no dialog of the feeds screen."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from briefing.config import url_key
from briefing.feeds_file import FeedCheck, split_tags
from briefing.models import Feed
from briefing.safety import clean_line


def unique_name(feeds: tuple[Feed, ...], wanted: str) -> str:
    """wanted, or 'wanted (2)', 'wanted (3)', … if another feed has that name."""
    taken = {f.name.lower() for f in feeds}
    name, n = wanted, 2
    while name.lower() in taken:
        name, n = f"{wanted} ({n})", n + 1
    return name


@dataclass(frozen=True, slots=True)
class FeedDraft:
    """What the feed form holds."""

    url: str
    name: str
    tags: tuple[str, ...]
    full_text: bool


# save(draft, title found by the test fetch, what the test said) -> '' or why it was not saved
SaveFeed = Callable[[FeedDraft, str | None, str], str]


class FeedForm(ModalScreen[bool]):
    """Address, name, tags and full text; Save tries the address first, then saves.

    A feed that cannot be fetched or is not a feed is not saved at once: the form says why and
    Save becomes "Save anyway", which saves it as it is (it may be down only for now).
    Editing tries the address only when it changed.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="feed-form-cancel")]

    def __init__(
        self,
        heading: str,
        *,
        save: SaveFeed,
        check: Callable[[str], Awaitable[FeedCheck]],
        validate: Callable[[str, str], str],
        feed: Feed | None = None,
    ) -> None:
        super().__init__(id="feed-form")
        self.heading = heading
        self.saver = save
        self.tester = check
        self.problem_of = validate
        self.original = feed
        self.tried: FeedCheck | None = None  # the last test of the address now in the form
        self.tried_url = ""

    def compose(self) -> ComposeResult:
        feed = self.original
        with Vertical(id="feed-form-box"):
            yield Static(Text(self.heading, style="bold"))
            yield Input(
                feed.url if feed else "",
                placeholder="address: https://example.org/feed.xml",
                id="feed-url",
            )
            yield Input(
                feed.name if feed else "",
                placeholder="name (empty: the feed's own title)",
                id="feed-name",
            )
            yield Input(
                ", ".join(feed.tags) if feed else "",
                placeholder="tags, comma-separated (world, uk)",
                id="feed-tags",
            )
            yield Checkbox(
                "Fetch each new story's web page for its full text",
                feed.full_text if feed else False,
                id="feed-full-text",
            )
            yield Static(id="feed-form-status")
            with Horizontal(id="feed-form-buttons"):
                yield Button("Save", variant="primary", id="feed-save")
                yield Button("Cancel", id="feed-cancel")

    def on_mount(self) -> None:
        self.query_one("#feed-url", Input).focus()

    def draft(self) -> FeedDraft:
        return FeedDraft(
            url=self.query_one("#feed-url", Input).value.strip(),
            name=clean_line(self.query_one("#feed-name", Input).value, 200).strip(),
            tags=split_tags(self.query_one("#feed-tags", Input).value),
            full_text=self.query_one("#feed-full-text", Checkbox).value,
        )

    def say(self, text: str, style: str = "") -> None:
        status = self.query_one("#feed-form-status", Static)
        status.update(Content.styled(clean_line(text, 300), style))  # theme colours

    @on(Input.Changed, "#feed-url")
    def url_changed(self) -> None:
        if self.tried is not None and self.draft().url != self.tried_url:
            self.tried = None
            self.query_one("#feed-save", Button).label = "Save"
            self.say("")

    @on(Input.Submitted)
    @on(Button.Pressed, "#feed-save")
    def submit(self) -> None:
        if self.query_one("#feed-save", Button).disabled:
            return  # a test is running
        draft = self.draft()
        problem = self.problem_of(draft.url, draft.name)
        if problem:
            self.say(f"✗ {problem}", "bold $text-error")
            return
        unchanged = self.original is not None and url_key(draft.url) == url_key(self.original.url)
        if unchanged:
            self.finish(draft, None, "")
        elif self.tried is not None and self.tried_url == draft.url:
            tried = self.tried
            note = tried.note(draft.name) if tried.ok else f"saved anyway ({tried.message})"
            self.finish(draft, tried.title, note)
        else:
            self.try_address(draft)

    @work(exclusive=True, group="feed-check")
    async def try_address(self, draft: FeedDraft) -> None:
        """Fetch and parse the address once, showing "testing…" meanwhile."""
        button = self.query_one("#feed-save", Button)
        button.disabled = True
        self.say(f"testing {draft.url} …", "italic")
        try:
            result = await self.tester(draft.url)
        except Exception as exc:  # check_feed never raises; a bug must not crash the form
            result = FeedCheck(False, f"the test failed ({type(exc).__name__})", None, 0)
        finally:
            button.disabled = False
        self.tried, self.tried_url = result, draft.url
        now = self.draft()  # what the form holds now: typing went on during the test
        if result.ok and now.url == draft.url:
            self.say(f"✓ {result.message}", "$text-success")
            self.finish(now, result.title, result.note(now.name))
        elif result.ok:
            self.say(f"✓ {draft.url} works, but the address changed: Save tests the new one.")
        else:
            button.label = "Save anyway"
            self.say(f"✗ {result.message}. Change the address, or Save anyway.", "bold $text-error")

    def finish(self, draft: FeedDraft, title: str | None, note: str) -> None:
        problem = self.saver(draft, title, note)
        if problem:
            self.say(f"✗ {problem}", "bold $text-error")
        else:
            self.dismiss(True)

    @on(Button.Pressed, "#feed-cancel")
    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "feed-check")
        self.dismiss(False)


class ConfirmDialog(ModalScreen[bool]):
    """A question with a yes and a no; y confirms, n or escape cancels (the default button)."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, question: Text, yes: str) -> None:
        super().__init__(id="confirm")
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question)
            with Horizontal(id="confirm-buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="confirm-yes")
                yield Button("Cancel (n)", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
