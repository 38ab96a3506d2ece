"""Published letters (PDF, Word .docx, HTML) as text, for index.letters to parse like a text letter.

`extract_text(data, name)` picks the reader by the file's suffix and returns text laid out as the
text letters are: one paragraph per line, blocks separated by blank lines, "- " list items,
table rows one line with cells joined by tabs, no running headers or footers. Every failure is
a LetterError with a reason (encrypted, scanned, broken, too many pages, macros, binary).

Formats: PDF through PDFium (pypdfium2; pdf.py reads positioned lines, layout.py makes the text),
Word through python-docx (docx.py), HTML through lxml (html.py); cleanup.py holds the repairs
they share, limits.py the suffixes and caps, read.py the reader a child process runs. A document
may be up to MAX_DOCUMENT_BYTES (20 MB: PDFs and Word files carry fonts and images), ten times a
text letter's cap.
But: - no OCR; - legacy .doc, .rtf, .odt and macro-enabled .docm files are not read.
"""

from __future__ import annotations

from index.errors import LetterError
from index.formats.limits import (
    DOCUMENT_SUFFIXES,
    MAX_DOCUMENT_BYTES,
    MAX_LETTER_CHARS,
    MAX_TEXT_CHARS,
    document_kind,
    is_document,
)
from index.formats.read import read_document


def extract_text(data: bytes, name: str) -> str:
    """The letter's text from a PDF, .docx or HTML file's bytes; LetterError(name, reason) if it has none.

    The bytes are read in a child process with memory, CPU and wall-time limits
    (index/formats/sandbox.py): PDFium, lxml and the zip reader never run in this process.
    """
    kind = document_kind(name)
    if kind is None:
        raise LetterError(name, f"not a document format ({', '.join(DOCUMENT_SUFFIXES)})")
    if not data:
        raise LetterError(name, "empty file")
    from index.formats.sandbox import extract_in_child

    return extract_in_child(data, name, kind)


__all__ = ["DOCUMENT_SUFFIXES", "MAX_DOCUMENT_BYTES", "MAX_LETTER_CHARS", "MAX_TEXT_CHARS", "document_kind",
           "extract_text", "is_document", "read_document"]
