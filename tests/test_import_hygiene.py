"""The headless core must be importable without textual or rich (harlequin's idiom)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "briefing",
    "briefing.cli",
    "briefing.config",
    "briefing.models",
    "briefing.fetch",
    "briefing.parse",
    "briefing.store",
    "briefing.pipeline",
    "briefing.safety",
    "briefing.demo",
    "briefing.enrich",
    "briefing.entities",
    "briefing.entity_rules",
    "briefing.entity_kinds",
    "briefing.identities",
    "briefing.aliases",
    "briefing.entity_spans",
    "briefing.gazetteer",
    "briefing.threads",
    "briefing.thread_naming",
    "briefing.threads_model",
    "briefing.threads_doc",
    "briefing.threads_text",
    "briefing.boilerplate",
    "briefing.feed_bytes",
    "briefing.parsers",
    "briefing.export",
    "briefing.store_threads",
    "briefing.store_entities",
    "briefing.opml",
    "briefing.polling",
    "briefing.articles",
    "briefing.store_articles",
    "briefing.feeds_file",
    "briefing.store_corrections",
    "briefing.corrections",
    "briefing.cli_thread",
]
FORBIDDEN = ("textual", "rich", "spacy")


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_ui(module: str) -> None:
    # httpx's __init__ imports its optional command-line client, which imports rich when rich is
    # installed; block that one module so the test sees only what briefing itself imports.
    code = (
        "import sys; sys.modules['httpx._main'] = None\n"
        f"import {module}\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} pulled in {out.stdout.strip()}"


def test_the_first_screen_loads_no_network_parsing_or_nlp_code() -> None:
    # Startup reads the store only: fetching, parsing, feed editing, extraction and spaCy
    # load when a refresh, the feeds screen or x first needs them (the startup benchmark).
    heavy = ("httpx", "feedparser", "tomlkit", "trafilatura", "spacy", "lxml")
    code = (
        "import sys; import briefing.ui.app, briefing.cli\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"the app's import pulled in {out.stdout.strip()}"
