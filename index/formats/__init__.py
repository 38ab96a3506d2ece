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


def read_document(data: bytes, name: str, kind: str, preload: bool = False) -> str:
    """The letter's text from a document's bytes, read in THIS process: only the sandbox's
    child (and tests of the readers themselves) call this; everything else calls extract_text.
    `preload` only imports the reader for `kind` (the child does so before it sets its limits)."""
    if preload:
        if kind == "PDF":
            import index.formats.layout
            import index.formats.pdf  # noqa: F401
        elif kind == "Word file":
            import index.formats.docx  # noqa: F401
        else:
            import index.formats.html  # noqa: F401
        import index.formats.cleanup  # noqa: F401
        return ""
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
        elif kind == "HTML page":
            from index.formats.html import html_text

            text = html_text(data, name)
        else:
            raise LetterError(name, f"not a document format ({', '.join(DOCUMENT_SUFFIXES)})")
    except (LetterError, MemoryError):
        raise
    except RecursionError:
        raise LetterError(name, f"not a readable {kind}: nested too deeply") from None
    except Exception as exc:  # a library's own error on a broken file: a reason, never a traceback
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise LetterError(name, f"not a readable {kind}: {detail}") from None
    if len(text) > MAX_LETTER_CHARS:
        raise LetterError(name, f"too much text for a letter ({len(text):,} characters; the cap is "
                                f"{MAX_LETTER_CHARS:,})")
    from index.formats.cleanup import repair

    return repair(text)


__all__ = ["DOCUMENT_SUFFIXES", "MAX_DOCUMENT_BYTES", "MAX_LETTER_CHARS", "MAX_TEXT_CHARS", "document_kind",
           "extract_text", "is_document", "read_document"]
