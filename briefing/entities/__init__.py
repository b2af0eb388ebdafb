"""People, places and organisations in a story.

``recognizer`` runs spaCy's NER and the corrections of ``rules`` (spans), ``kinds`` (types)
and ``spans`` (spelling); ``gazetteer`` knows places and folds names into keys; ``aliases``
maps common short forms ("U.S.") to one name. The names below load lazily: importing
``briefing.entities.gazetteer`` alone must not import the recogniser (and spaCy's helpers).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.entities.recognizer import (
        MODEL_PACKAGE,
        NER_CHARS,
        NOT_NER,
        ModelMissing,
        Recognizer,
        canonical_name,
        display_name,
        lede,
        make_key,
        model_version,
        name_key,
        resolve_short_form,
        resolve_types,
        truecase,
    )

__all__ = [
    "MODEL_PACKAGE",
    "NER_CHARS",
    "NOT_NER",
    "ModelMissing",
    "Recognizer",
    "canonical_name",
    "display_name",
    "lede",
    "make_key",
    "model_version",
    "name_key",
    "resolve_short_form",
    "resolve_types",
    "truecase",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("briefing.entities.recognizer"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
