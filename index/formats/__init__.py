"""Published letters (PDF, Word .docx, HTML) as text, for index.letters to parse like a text letter.

`extract_text(data, name)` picks the reader by the file's suffix and returns text laid out as the
text letters are: one paragraph per line, blocks separated by blank lines, "- " list items,
table rows one line with cells joined by tabs, no running headers or footers. Every failure is
a LetterError with a reason (encrypted, scanned, broken, too many pages, macros, binary).

Formats: PDF through PDFium (pypdfium2; pdf.py reads positioned lines, layout.py makes the text),
Word through python-docx (docx.py), HTML through the standard library (html.py); cleanup.py
holds the repairs they share. A document may be up to MAX_DOCUMENT_BYTES (20 MB: PDFs and Word
files carry fonts and images), ten times a text letter's cap.
But: - no OCR; - legacy .doc, .rtf, .odt and macro-enabled .docm files are not read.
"""

from __future__ import annotations

from pathlib import PurePath

from index.errors import LetterError

DOCUMENT_SUFFIXES = (".pdf", ".docx", ".html", ".htm")
MAX_DOCUMENT_BYTES = 20_000_000
MAX_TEXT_CHARS = 2_000_000  # what a document may hold: a text letter's own cap
_KINDS = {".pdf": "PDF", ".docx": "Word file", ".html": "HTML page", ".htm": "HTML page"}


def is_document(name: str) -> bool:
    """Whether `name` is a format this package reads (by its suffix, any case)."""
    return PurePath(name).suffix.lower() in _KINDS


def extract_text(data: bytes, name: str) -> str:
    """The letter's text from a PDF, .docx or HTML file's bytes; LetterError(name, reason) if it has none."""
    kind = _KINDS.get(PurePath(name).suffix.lower())
    if kind is None:
        raise LetterError(name, f"not a document format ({', '.join(DOCUMENT_SUFFIXES)})")
    if not data:
        raise LetterError(name, "empty file")
    try:
        if kind == "PDF":
            from index.formats.layout import layout
            from index.formats.pdf import read_pdf

            text = layout(read_pdf(data, name))
        elif kind == "Word file":
            from index.formats.docx import docx_text

            text = docx_text(data, name)
        else:
            from index.formats.html import html_text

            text = html_text(data, name)
    except LetterError:
        raise
    except RecursionError:
        raise LetterError(name, f"not a readable {kind}: nested too deeply") from None
    except Exception as exc:  # a library's own error on a broken file: a reason, never a traceback
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise LetterError(name, f"not a readable {kind}: {detail}") from None
    if len(text) > MAX_TEXT_CHARS:
        raise LetterError(name, f"too much text for a letter ({len(text):,} characters; the cap is {MAX_TEXT_CHARS:,})")
    from index.formats.cleanup import repair

    return repair(text)


__all__ = ["DOCUMENT_SUFFIXES", "MAX_DOCUMENT_BYTES", "extract_text", "is_document"]
