"""Entities of the story (and its thread) grouped by type, most mentioned first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from briefing.models import EntityCount
from briefing.safety import clean_line
from briefing.ui.highlight import LABELS, STYLES, TYPE_ORDER


class EntityPanel(OptionList):
    """People, places and organisations; enter filters the lists by the entity.

    | Key | Action |
    | --- | --- |
    | enter | show only threads and stories that mention it |
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="entity-down"),
        Binding("k", "cursor_up", "Up", show=False, id="entity-up"),
    ]

    @dataclass
    class Picked(Message):
        entity: EntityCount

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, markup=False)
        self.entities: dict[str, EntityCount] = {}

    def show(self, sections: Sequence[tuple[str, Sequence[EntityCount]]]) -> None:
        """Sections such as ("This story", [...]), ("This thread", [...])."""
        options: list[Option] = []
        self.entities = {}
        for title, entities in sections:
            if not entities:
                continue
            options.append(Option(Text(title, style="bold underline"), disabled=True))
            for etype in TYPE_ORDER:
                group = [e for e in entities if e.type == etype]
                if not group:
                    continue
                options.append(Option(Content.styled(LABELS[etype], STYLES[etype]), disabled=True))
                for entity in group:
                    option_id = f"{title}:{entity.key}"
                    self.entities[option_id] = entity
                    row = Text(no_wrap=True, overflow="ellipsis")
                    row.append(f"  {clean_line(entity.name, 40)}")
                    row.append(f" {entity.mentions}", style="dim")
                    options.append(Option(row, id=option_id))
        if not options:
            options.append(
                Option(Text("No people, places or organisations yet.", style="dim"), disabled=True)
            )
        self.set_options(options)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        entity = self.entities.get(event.option.id or "")
        if entity is not None:
            self.post_message(self.Picked(entity))
