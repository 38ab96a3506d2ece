"""What the readers of published letters share: the formats by suffix and the size caps.

Kept apart from index/formats/__init__.py so that a reader (pdf.py) and the sandbox's child can
import them without importing the package's entry points, which import them in turn.
"""

from __future__ import annotations

from pathlib import PurePath

DOCUMENT_SUFFIXES = (".pdf", ".docx", ".html", ".htm")
MAX_DOCUMENT_BYTES = 20_000_000
# What any letter may hold, in characters of text (index.letters checks text letters against it
# too): the longest real letter (seeds/001_..., the APA letter) has 13,327; 150,000 is about 11
# times that, or some 50 printed pages.
MAX_LETTER_CHARS = 150_000
MAX_TEXT_CHARS = MAX_LETTER_CHARS  # the name this module used before
_KINDS = {".pdf": "PDF", ".docx": "Word file", ".html": "HTML page", ".htm": "HTML page"}


def is_document(name: str) -> bool:
    """Whether `name` is a format this package reads (by its suffix, any case)."""
    return PurePath(name).suffix.lower() in _KINDS


def document_kind(name: str) -> str | None:
    """"PDF", "Word file" or "HTML page" by the name's suffix (any case); None for other names."""
    return _KINDS.get(PurePath(name).suffix.lower())
