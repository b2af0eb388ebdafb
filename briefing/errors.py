"""The problems briefing explains to the user in one sentence instead of a traceback.

Each module raises its own kind (ConfigError, StoreError, OpmlError, ExportRefused,
CorrectionError, ModelMissing), all BriefingErrors: the message is written for the user and
``exit_code`` is what the command line exits with. ``briefing.cli.main`` is the one place that
turns them into that sentence and that code; anything else is a bug, logged with its traceback.
"""

from __future__ import annotations

from typing import ClassVar

# The command line's exit codes.
OK = 0
BUG = 1  # an unexpected failure: logged with its traceback, the log's path said
REFUSED = 2  # the input, the files or the store do not allow it; the message says why
INTERRUPTED = 130  # ctrl+c


class BriefingError(Exception):
    """A problem the user can act on; ``str(error)`` says what and, where there is one, how."""

    exit_code: ClassVar[int] = REFUSED
    cli_hint: ClassVar[str] = ""  # the way out on the command line ("--force overwrites it")


def sentence(error: BriefingError) -> str:
    """The error as the command line says it: the message, then the hint in brackets."""
    return f"{error} ({error.cli_hint})" if error.cli_hint else str(error)
