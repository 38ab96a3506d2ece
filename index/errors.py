"""The project's error types: each message names the file and says what to do.

Everything the user can cause (a bad letter, a broken index folder, a busy index)
raises a subclass of LettersQAError; the CLI and web UI turn it into one line.

QuestionError, ArgumentError and ArgumentTypeError are about questions: only qa/ raises them,
and the Python API exports them (`from qa import QuestionError`). They are defined here, in the
bottom layer, because `from index import QuestionError` (and ArgumentError, ArgumentTypeError)
is public and `index` may not import `qa` (imports point ui -> qa -> index): one class, so
`except index.QuestionError` and `except qa.QuestionError` catch the same errors.
"""

from __future__ import annotations

from pathlib import Path


class LettersQAError(Exception):
    """Base class: a failure to report to the user as one line, not a traceback."""


class LetterError(LettersQAError):
    """A file that cannot be read as a letter (empty, binary, undecodable, too large, not a letter)."""

    def __init__(self, path: str | Path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class IndexStoreError(LettersQAError):
    """An index folder that is missing, damaged, foreign or built with another model."""


class IndexBusyError(LettersQAError):
    """Another update holds the index folder's lock."""


class QuestionError(LettersQAError):
    """A question or search the assistant cannot take as it is (too long, empty, a bad filter)."""


class ArgumentError(LettersQAError, ValueError):
    """A bad argument to the Python API (`Assistant`, `Retriever`); the message names the argument
    and says what it takes. A ValueError too, so callers that caught the bare one still do.
    `usage`: the CLI exits 2 on it, as on any other mistake in its arguments."""

    usage = True


class ArgumentTypeError(ArgumentError, TypeError):
    """An argument of the wrong type (`k="x"`, `council=5`, `ask(None)`); a TypeError too."""
