"""Entity mentions -> styled Content: the only place entities meet the screen.

Styles use theme variables, so the colours follow the theme (readable on dark and light).
Highlighting adds spans only: the text itself is never changed. If the text on screen would
differ from the text that was annotated, the spans are dropped rather than misplaced.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from briefing.models import EVENT, NORP, ORG, PERSON, PLACE, Mention
from briefing.safety import strip_controls

STYLES = {
    PERSON: "bold $text-warning",
    PLACE: "bold $text-success",
    ORG: "bold $text-primary",
    NORP: "italic $text-secondary",
    EVENT: "italic $text-secondary",
}
LABELS = {PERSON: "people", PLACE: "places", ORG: "organisations", NORP: "groups", EVENT: "events"}
TYPE_ORDER = (PERSON, PLACE, ORG, NORP, EVENT)


def highlight(text: str, mentions: Sequence[Mention], field: str, base: str = "") -> Content:
    """`text` with every mention of `field` styled by type; never markup, never altered."""
    shown = strip_controls(text)
    content = Content(shown)
    if base:
        content = content.stylize(base)
    if shown != text:  # defence in depth changed the text: offsets no longer apply
        return content
    for m in mentions:
        if m.field == field and 0 <= m.start < m.end <= len(text) and m.type in STYLES:
            content = content.stylize(STYLES[m.type], m.start, m.end)
    return content


def highlight_kept(
    text: str, mentions: Sequence[Mention], field: str, runs: Sequence[tuple[int, int]]
) -> Content:
    """``highlight`` of only the runs of text given (the story without its feed's
    boilerplate), joined by a line break where one was cut and a space elsewhere."""
    content = highlight(text, mentions, field)
    if not runs or content.plain != text:
        return content
    parts: list[Content] = []
    for n, (start, end) in enumerate(runs):
        if n:
            parts.append(Content("\n\n" if "\n" in text[runs[n - 1][1] : start] else " "))
        parts.append(content[start:end])
    return Content("").join(parts)


def legend() -> Content:
    """'■ people ■ places ■ organisations ■ groups/events' in the highlight colours."""
    parts: list[Content | tuple[str, str]] = []
    for etype in (PERSON, PLACE, ORG):
        parts += [("■ ", STYLES[etype]), (LABELS[etype], STYLES[etype]), ("  ", "")]
    parts += [("■ groups/events", STYLES[NORP])]
    return Content.assemble(*parts)
