"""Entity highlighting adds styles only: the text shown is exactly the stored text."""

from __future__ import annotations

from briefing.models import ORG, PERSON, PLACE, Mention
from briefing.ui.highlight import STYLES, highlight, legend


def test_spans_follow_mentions_and_text_is_unchanged() -> None:
    text = "Erdoğan met Putin in Sochi; the YPG objected."
    mentions = [
        Mention("summary", 0, 7, PERSON, "recep tayyip erdogan", "Recep Tayyip Erdoğan"),
        Mention("summary", 21, 26, PLACE, "sochi", "Sochi"),
        Mention("summary", 32, 35, ORG, "ypg", "YPG"),
        Mention("title", 0, 3, ORG, "x", "x"),  # another field: ignored here
    ]
    content = highlight(text, mentions, "summary")
    assert content.plain == text
    spans = [(s.start, s.end, s.style) for s in content.spans]
    assert spans == [(0, 7, STYLES[PERSON]), (21, 26, STYLES[PLACE]), (32, 35, STYLES[ORG])]


def test_markup_inside_an_entity_stays_literal() -> None:
    text = "[bold]Putin[/bold] and [@click=app.quit]Assad[/]"
    mentions = [Mention("title", 0, 18, PERSON, "putin", "Putin"),
                Mention("title", 23, 48, PERSON, "assad", "Assad")]  # fmt: skip
    content = highlight(text, mentions, "title")
    assert content.plain == text
    assert [(s.start, s.end) for s in content.spans] == [(0, 18), (23, 48)]


def test_offsets_outside_the_text_or_changed_text_drop_the_spans() -> None:
    assert highlight("short", [Mention("title", 2, 50, PLACE, "k", "k")], "title").spans == []
    tainted = "Idlib\x1b[31m"
    content = highlight(tainted, [Mention("title", 0, 5, PLACE, "idlib", "Idlib")], "title")
    assert content.plain == "Idlib" and content.spans == []


def test_legend_names_every_colour() -> None:
    assert legend().plain == "■ people  ■ places  ■ organisations  ■ groups/events"
