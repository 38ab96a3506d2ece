"""Read a document's bytes in THIS process: the sandbox's child (index/formats/sandbox.py) and
the readers' own tests call `read_document`; everything else calls index.formats.extract_text.
"""

from __future__ import annotations

from index.errors import LetterError
from index.formats.limits import DOCUMENT_SUFFIXES, MAX_LETTER_CHARS


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
