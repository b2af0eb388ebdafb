"""Feed text -> rich Text. The only way feed text reaches the screen.

Text objects are never parsed as markup, so "[bold]" or "[@click=app.quit]" in a title stays
literal; control characters are stripped again here (defence in depth after parse.py).
"""

from __future__ import annotations

import re
from datetime import datetime

from rich.text import Text

from briefing.models import Story
from briefing.safety import clean_block, clean_line

SOURCE_WIDTH = 16
# RSS's <author> is "email (Name)" by the spec: the name alone reads better.
_EMAIL_AND_NAME = re.compile(r"[^\s@()]+@[^\s()]+\s*\(([^()]+)\)")


def safe(text: str, style: str = "", limit: int = 500) -> Text:
    """One line of untrusted text as a literal Text."""
    return Text(clean_line(text, limit), style=style, no_wrap=False)


def local_time(when: datetime) -> datetime:
    return when.astimezone()


def short_time(when: datetime, now: datetime | None = None) -> str:
    """'14:05' today, 'Tue 14:05' this week, else '12 Mar'."""
    local = local_time(when)
    today = local_time(now) if now else datetime.now().astimezone()
    days = (today.date() - local.date()).days
    if days == 0:
        return local.strftime("%H:%M")
    if 0 < days < 7:
        return local.strftime("%a %H:%M")
    return local.strftime("%d %b")


def source_width(width: int) -> int:
    """Columns for the outlet in a story row `width` wide: the headline keeps 40 or more."""
    if width >= 90:
        return SOURCE_WIDTH
    return 10 if width >= 60 else 0


def story_row(story: Story, now: datetime | None = None, width: int = 200) -> Text:
    """A story list row: unread marker, time, outlet, title.

    In a narrow list the outlet shrinks, then goes (the reader names it): the headline first.
    """
    marker = Text("● " if not story.read else "  ", style="bold")
    outlet = source_width(width)
    source = clean_line(story.source, outlet).ljust(outlet)[:outlet] + "  " if outlet else ""
    row = Text.assemble(
        marker,
        (f"{short_time(story.published, now):>9}  ", "dim"),
        (source, "italic"),
        (clean_line(story.title), "" if story.read else "bold"),
        no_wrap=True,
        overflow="ellipsis",
    )
    return row


def day_heading(when: datetime) -> Text:
    """'Tuesday 17 November' above a day's stories in a thread timeline."""
    return Text(local_time(when).strftime("%A %d %B"), style="bold underline")


def author_name(author: str) -> str:
    """'news@x.example (Dmitri Sokolov)' -> 'Dmitri Sokolov'; any other author as it is, cleaned."""
    author = clean_line(author, 200)
    if match := _EMAIL_AND_NAME.fullmatch(author):
        author = match[1].strip() or author
    return clean_line(author, 80)


def reader_meta(story: Story) -> Text:
    """Outlet, author, time and link, under the title."""
    text = Text()
    meta = [clean_line(story.source, 80)]
    if author := author_name(story.author):
        meta.append(author)
    meta.append(local_time(story.published).strftime("%a %d %b %Y, %H:%M"))
    text.append(" · ".join(meta), style="dim")
    if story.link:
        text.append("\n")
        text.append(clean_line(story.link, 300), style="underline dim")
    return text


def reader_header(story: Story) -> Text:
    """Title, then reader_meta: the reader's header as one Text (CLI and robustness checks)."""
    text = Text(clean_line(story.title), style="bold")
    text.append("\n")
    text.append_text(reader_meta(story))
    return text


def reader_body(story: Story) -> Text:
    body = clean_block(story.summary)
    return Text(body or "(this feed gave no text for this story — press o to open it)")
