"""Threads: stories from many outlets grouped into the developments they report.

``engine`` decides join-or-new for each story and proposes merges; ``model`` holds the
trained logistic models; ``doc`` the stories as term bags and the threads' recent members;
``text`` the word folding; ``naming`` a thread's name; ``order`` the briefing order of the
thread list. The names below load lazily: the UI imports ``order`` and ``text`` at startup,
not the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefing.threads.engine import (
        Assignment,
        ThreadEngine,
        ThreadItem,
        ThreadModel,
        thread_name,
    )

__all__ = ["Assignment", "ThreadEngine", "ThreadItem", "ThreadModel", "thread_name"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("briefing.threads.engine"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
