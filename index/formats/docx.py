"""Word (.docx) letters as text: the body's paragraphs and tables in document order.

A paragraph is a line (its manual line breaks kept), paragraphs are separated by a blank line,
list paragraphs (numbered or bulleted, or a "List ..." style) are "- " items one per line, and
a table row is one line with its cells joined by a tab (a cell's paragraphs joined by spaces).
Headers, footers, comments and footnotes live in other parts of the file and are never read;
tracked insertions are read, tracked deletions are not.

Why python-docx: it opens the package (parts, relationships, styles) and parses XML with lxml
with entity resolution off; the text is walked here because its `Paragraph.text` skips runs
inside tracked changes, content controls and smart tags.
But: - text boxes and shapes (w:txbxContent) are left out (letterheads, mostly); - a merged
cell's text appears once, in its first column; - fields show their last computed value.
"""

from __future__ import annotations

import io
import zipfile

from index.errors import LetterError

MAX_UNPACKED_BYTES = 200_000_000  # a zip bomb stops here, before python-docx inflates it
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Subtrees whose text is not the paragraph's own: shapes and text boxes, the duplicate
# fallback of alternate content, deleted text, field codes, footnote/comment references.
_SKIP = {f"{_W}{tag}" for tag in ("drawing", "pict", "txbxContent", "del", "instrText", "delInstrText",
                                   "footnoteReference", "endnoteReference", "commentReference", "object")}
_SKIP.add(f"{_MC}Fallback")
_TEXT = {f"{_W}t": None, f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n",
         f"{_W}noBreakHyphen": "-", f"{_W}softHyphen": "\u00ad"}


def docx_text(data: bytes, name: str) -> str:
    """The document's body text (see the module docstring); LetterError for a file Word cannot be read as."""
    _check_package(data, name)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise LetterError(name, f"not a readable Word file: {exc}") from None
    styles = _list_styles(document)
    out: list[str] = []
    previous = ""
    for kind, text in _blocks(document.element.body, styles):
        text = text.strip(" \t\n")
        if not text:
            continue
        if out:
            out.append("\n" if kind == previous and kind in ("item", "row") else "\n\n")
        out.append(f"- {text}" if kind == "item" else text)
        previous = kind
    return "".join(out)


def _check_package(data: bytes, name: str) -> None:
    """A zip with a Word document in it, no macros, not a zip bomb."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            unpacked = sum(item.file_size for item in package.infolist())
            types = package.read("[Content_Types].xml")[:1_000_000] if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise LetterError(name, f"not a readable Word file (not a .docx zip package: {exc})") from None
    if b"macroEnabled" in types or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise LetterError(name, "a Word file with macros (.docm); save it as a .docx without macros")
    if "word/document.xml" not in names and b"wordprocessingml.document.main" not in types:
        raise LetterError(name, "not a readable Word file (no document in the package)")
    if unpacked > MAX_UNPACKED_BYTES:
        raise LetterError(name, f"Word file unpacks to {unpacked:,} bytes; the cap is {MAX_UNPACKED_BYTES:,}")


def _list_styles(document) -> set[str]:
    """Ids of paragraph styles that make list items ("List Bullet", "List Number 2", "List Paragraph")."""
    return {style.style_id for style in document.styles
            if getattr(style, "type", None) == 1 and (style.name or "").startswith("List")}


def _blocks(body, styles: set[str]):
    """("paragraph" | "item" | "row", text) for the body's paragraphs and table rows, in order."""
    stack = list(reversed(list(body)))
    while stack:
        element = stack.pop()
        if element.tag == f"{_W}p":
            yield ("item" if _is_item(element, styles) else "paragraph"), _text(element)
        elif element.tag == f"{_W}tbl":
            for row in element.iterchildren(f"{_W}tr"):
                yield "row", "\t".join(_cell(cell) for cell in row.iterchildren(f"{_W}tc"))
        elif element.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            stack.extend(reversed(list(element)))


def _is_item(paragraph, styles: set[str]) -> bool:
    properties = paragraph.find(f"{_W}pPr")
    if properties is None:
        return False
    if properties.find(f"{_W}numPr") is not None:
        return True
    style = properties.find(f"{_W}pStyle")
    return style is not None and style.get(f"{_W}val") in styles


def _cell(cell) -> str:
    """A cell's text on one line; a vertically merged continuation cell is empty."""
    merge = cell.find(f"{_W}tcPr/{_W}vMerge")
    if merge is not None and merge.get(f"{_W}val") != "restart":
        return ""
    parts = (_text(element) for element in cell.iter(f"{_W}p"))
    return " ".join(" ".join(part.split()) for part in parts if part.strip())


def _text(paragraph) -> str:
    """The paragraph's text: runs anywhere below it (hyperlinks, insertions, content controls)."""
    out: list[str] = []
    stack = [paragraph]
    while stack:
        element = stack.pop()
        tag = element.tag
        if tag in _SKIP or (element is not paragraph and tag == f"{_W}p"):
            continue
        if tag in _TEXT:
            out.append((element.text or "") if _TEXT[tag] is None else _TEXT[tag])
            continue
        stack.extend(reversed(list(element)))
    return "".join(out)
