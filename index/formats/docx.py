"""Word (.docx) letters as text: the body's paragraphs and tables in document order.

A paragraph is a line (its manual line breaks kept), paragraphs are separated by a blank line,
list paragraphs (numbered or bulleted, or a "List ..." style) are "- " items one per line, and
a table row is one line with its cells joined by a tab (a cell's paragraphs joined by spaces).
Headers, footers, comments and footnotes live in other parts of the file and are never read;
tracked insertions are read, tracked deletions are not.

Why python-docx: it opens the package (parts, relationships, styles) and parses XML with lxml
with entity resolution off; the text is walked here because its `Paragraph.text` skips runs
inside tracked changes, content controls and smart tags.

Zip bombs: python-docx is never given the file as it came. Each XML part is inflated here
through a bounded decompressor (zlib.decompressobj with max_length) that counts the bytes it
actually produces, not the size the zip states: a part that inflates past its stated size, or
parts past MAX_UNPACKED_BYTES in all, stop the reading at that byte. Parts that are not XML
(images, fonts, embedded files) are never inflated: python-docx gets them empty. The XML's
elements are counted (its "<"s) before lxml parses it. python-docx then opens a new package of
the inflated parts, stored uncompressed.
But: - text boxes and shapes (w:txbxContent) are left out (letterheads, mostly); - a merged
cell's text appears once, in its first column; - fields show their last computed value.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from index.errors import LetterError

# Measured: the largest of the seeds and tests/fixtures/kinds written by tests/documents.py
# (docx_bytes and office_docx, python-docx's template): 843,832 bytes of XML, 25,551 tags.
MAX_UNPACKED_BYTES = 20_000_000  # XML parts inflated, in all: 24x the measured
MAX_XML_ELEMENTS = 400_000  # tags in all XML parts: 16x the measured (lxml: about 0.5 KB each)
MAX_ENTRIES = 2_000  # files in the package (a Word file has 10-40)
_XML_SUFFIXES = (".xml", ".rels")
_CHUNK = 1 << 16
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
    package = _unpack(data, name)
    import docx

    try:
        document = docx.Document(io.BytesIO(package))
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


def _unpack(data: bytes, name: str) -> bytes:
    """A zip with a Word document in it, no macros, not a zip bomb: its XML parts inflated
    (bounded) and repacked uncompressed, its other parts empty."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise LetterError(name, f"not a readable Word file (not a .docx zip package: {exc})") from None
    if len(infos) > MAX_ENTRIES:
        raise LetterError(name, f"a Word file of {len(infos):,} parts; the cap is {MAX_ENTRIES:,}")
    names = {info.filename for info in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise LetterError(name, "a Word file with macros (.docm); save it as a .docx without macros")
    budget, elements, parts = MAX_UNPACKED_BYTES, 0, {}
    for info in infos:
        if info.is_dir():
            continue
        if not info.filename.lower().endswith(_XML_SUFFIXES):
            parts[info.filename] = b""
            continue
        part = _inflate(data, info, budget, name)
        budget -= len(part)
        elements += part.count(b"<")
        if elements > MAX_XML_ELEMENTS:
            raise LetterError(name, f"a Word file of more than {MAX_XML_ELEMENTS:,} XML elements; not a letter")
        parts[info.filename] = part
    types = parts.get("[Content_Types].xml", b"")
    if b"macroEnabled" in types:
        raise LetterError(name, "a Word file with macros (.docm); save it as a .docx without macros")
    if "word/document.xml" not in names and b"wordprocessingml.document.main" not in types:
        raise LetterError(name, "not a readable Word file (no document in the package)")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as repacked:
        for part_name, part in parts.items():
            repacked.writestr(part_name, part)
    return out.getvalue()


def _inflate(data: bytes, info: zipfile.ZipInfo, budget: int, name: str) -> bytes:
    """One entry's bytes, inflated at most `budget` bytes and never past its stated size."""
    part = info.filename
    if info.flag_bits & 0x1:
        raise LetterError(name, "encrypted; save an unprotected copy")
    header = data[info.header_offset:info.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise LetterError(name, f"not a readable Word file (a broken zip entry: {part})")
    name_length, extra_length = struct.unpack("<2H", header[26:30])
    start = info.header_offset + 30 + name_length + extra_length
    raw = memoryview(data)[start:start + info.compress_size]
    limit = min(info.file_size, budget)
    if info.file_size > budget:
        raise LetterError(name, f"a Word file that unpacks to more than {MAX_UNPACKED_BYTES:,} bytes of XML; "
                                "not a letter")
    if info.compress_type == zipfile.ZIP_STORED:
        out = bytes(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        pieces, produced, position = [], 0, 0
        try:
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    feed = inflater.unconsumed_tail
                elif position < len(raw):
                    feed = raw[position:position + _CHUNK]
                    position += _CHUNK
                else:
                    break
                piece = inflater.decompress(feed, limit + 1 - produced)  # at least 1: never "no limit"
                produced += len(piece)
                if produced > limit:
                    raise LetterError(name, f"a Word file whose part {part} inflates past the "
                                            f"{info.file_size:,} bytes it states; not a letter")
                pieces.append(piece)
        except zlib.error as exc:
            raise LetterError(name, f"not a readable Word file (a broken zip entry: {part}: {exc})") from None
        out = b"".join(pieces)
    else:
        raise LetterError(name, f"not a readable Word file (zip compression method {info.compress_type})")
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise LetterError(name, f"not a readable Word file (a broken zip entry: {part})")
    return out


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
