"""Read a PDF into positioned lines: characters grouped into lines, table rows from ruling lines, bullets.

PDFium (pypdfium2) gives each character with its box, in the order the page draws them, which
for letters printed from Word or a browser is reading order. Characters whose boxes share a
baseline and follow each other become a line; a gap of about a space becomes " ", a wide gap
(a borderless table's column) becomes a tab. Table rows come from the ruling lines a table is
drawn with: the lines of text between the same two horizontal rules and inside the same vertical
rules are one row, cut into cells at the vertical rules. A small filled shape just left of a
line is a bullet (browsers draw list discs as shapes, not text). Each line's font size and
whether it is bold (the font's name, else its weight) come from three of its characters, so a
heading set with no space around it is still told apart. `index.formats.layout` turns the lines
into text.

But: - a borderless table whose cells wrap comes out one printed line at a time; - rules and
text inside form XObjects are read as PDFium flattens them, rules drawn there are not seen;
- rotated pages and vertical text are read as stored; - PDFium is not thread-safe, so one
document at a time is read (a lock).

Counts stop a page early (the measured maximum over the 26 LibreOffice fixtures and 484 Chromium
prints of tests/documents.py and tools/make_corpus.py is beside each cap): pages, drawing objects
per page (forms' contents included), images per page, form XObject nesting, characters per page
and in all. PDFium parses a page's whole content when it loads the page, so a page that draws
millions of things costs what it costs before any count can stop it: the sandbox's memory and
CPU limits (index/formats/sandbox.py) bound that; the counts stop the text page and the next pages.
"""

from __future__ import annotations

import bisect
import ctypes
import struct
import threading
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw

from index.errors import LetterError
from index.formats.limits import MAX_LETTER_CHARS

MAX_PAGES = 100  # real letters: under about 40 pages; the longest test PDF has 7
MAX_CHARS = 2 * MAX_LETTER_CHARS  # characters PDFium finds in all (running lines and spaces included)
MAX_PAGE_CHARS = 20_000  # a full page of 10-point text holds about 4,000
MAX_PAGE_OBJECTS = 50_000  # drawing objects on a page, forms' contents included (measured: at most 4,687)
MAX_OBJECTS = 250_000  # drawing objects in all pages together (measured: under 33,000, 7 pages)
MAX_PAGE_IMAGES = 500  # images on a page (measured: none; a letterhead logo or signature is one or two)
MAX_FORM_DEPTH = 5  # form XObjects inside form XObjects (measured: none)
SPACE_GAP = 0.12  # a gap wider than this many line heights is a space between words
TAB_GAP = 0.8  # ... and wider than this a column gap (a space is ~0.25)
_RULE = 2.5  # pt: a path thinner than this is a ruling line
_TOL = 2.0  # pt: slack when matching rules to text
_MAX_PATHS = 5000  # per page; more and the page's rules are ignored (a drawing, not a table)
_MAX_OBJECTS = 100_000  # per page: more and its shapes are not looked at (each costs two calls into PDFium)
_MAX_PAIRS = 100_000  # line x shape comparisons per page; beyond, tables and bullets are not looked for
_LOCK = threading.Lock()
_SPACES = frozenset("\t \u00a0\u2002\u2003\u2009")
_NEWLINES = frozenset("\r\n\u2028\u2029")


@dataclass
class Line:
    """One printed line of text; top < bottom (points from the page's top)."""

    page: int
    chars: list = field(repr=False)  # (char, x0, x1, top, bottom, space_before)
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    bottom: float = 0.0
    text: str = ""
    bullet: bool = False
    row: tuple | None = None  # lines with the same key are one table row
    cells: list[str] | None = None  # the row's cells this line holds a part of, by column
    size: float = 0.0  # the font size its characters are drawn at (0: unknown, judge by height)
    bold: bool = False  # drawn in a bold face throughout

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    def first_word_width(self) -> float:
        """How wide the line's first word is (for "would it have fitted on the line above?")."""
        end = self.chars[0][2]
        for char, _, x1, *_rest, space in self.chars[1:]:
            if space or char in " \t":
                break
            end = x1
        return end - self.x0


@dataclass
class Page:
    width: float
    height: float
    lines: list[Line]


def read_pdf(data: bytes, name: str) -> list[Page]:
    """The document's pages as lines; LetterError for a PDF that cannot be read as text."""
    with _LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
                raise LetterError(name, "encrypted; save an unprotected copy") from None
            raise LetterError(name, f"not a readable PDF: {_reason(exc)}") from None
        try:
            count = len(document)
            if count > MAX_PAGES:
                raise LetterError(name, f"too many pages for a letter ({count:,}; the cap is {MAX_PAGES})")
            pages, budget, objects = [], MAX_CHARS, 0
            for number in range(count):
                page = document[number]
                objects += _check_objects(page.raw, number, name)
                if objects > MAX_OBJECTS:
                    raise LetterError(name, f"draws more than {MAX_OBJECTS:,} objects in its first {number + 1} "
                                            "pages; not a letter")
                pages.append(_read_page(page, number, budget, name))
                budget -= sum(len(line.chars) for line in pages[-1].lines)
        except pdfium.PdfiumError as exc:
            raise LetterError(name, f"not a readable PDF: {_reason(exc)}") from None
        finally:
            document.close()
    if not any(page.lines for page in pages):
        raise LetterError(name, "no text layer (a scanned image?); OCR it first")
    return pages


def _reason(exc: Exception) -> str:
    text = str(exc).strip().rstrip(".")
    return text.replace("Failed to load document (PDFium: ", "").rstrip(")").lower() or type(exc).__name__


def _read_page(page, number: int, budget: int, name: str) -> Page:
    """The page's lines; LetterError when its characters would take the document over MAX_CHARS."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        count = raw.FPDFText_CountChars(textpage.raw)
        if count > MAX_PAGE_CHARS:
            raise LetterError(name, f"too much text on page {number + 1} for a letter ({count:,} characters; "
                                    f"the cap is {MAX_PAGE_CHARS:,} a page)")
        if count > budget:
            raise LetterError(name, f"too much text for a letter (over {MAX_CHARS:,} characters)")
        chars, indexes = _chars(textpage.raw, height)
        lines = _lines(chars, number)
        _mark_styles(textpage.raw, lines, indexes)
    finally:
        textpage.close()
    hrules, vrules, dots = _shapes(page.raw, height)
    _mark_rows(lines, hrules, vrules)
    _mark_bullets(lines, dots)
    for line in lines:
        line.text = _text(line.chars, line.height)
    page.close()
    return Page(width, height, lines)


def _check_objects(page, number: int, name: str) -> int:
    """How many objects the page draws (forms' contents included); LetterError when it draws
    more objects or images, or nests forms deeper, than a letter's page does. Stops counting at
    the first cap passed."""
    objects = images = 0
    stack = [(None, raw.FPDFPage_CountObjects(page), 0)]  # (form or None for the page, count, depth)
    while stack:
        form, count, depth = stack.pop()
        objects += max(count, 0)
        if objects > MAX_PAGE_OBJECTS:
            raise LetterError(name, f"page {number + 1} draws more than {MAX_PAGE_OBJECTS:,} objects; not a letter")
        for index in range(max(count, 0)):
            obj = raw.FPDFPage_GetObject(page, index) if form is None else raw.FPDFFormObj_GetObject(form, index)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_IMAGE:
                images += 1
                if images > MAX_PAGE_IMAGES:
                    raise LetterError(name, f"page {number + 1} draws more than {MAX_PAGE_IMAGES:,} images; "
                                            "not a letter")
            elif kind == raw.FPDF_PAGEOBJ_FORM:
                if depth + 1 > MAX_FORM_DEPTH:
                    raise LetterError(name, f"page {number + 1} nests forms more than {MAX_FORM_DEPTH} deep; "
                                            "not a letter")
                stack.append((obj, raw.FPDFFormObj_CountObjects(obj), depth + 1))
    return objects


def _chars(textpage, height: float) -> tuple[list[tuple], list[int]]:
    """(char, x0, x1, top, bottom, space_before) of every drawn character, in drawing order, and
    each one's index in the text page.

    Spaces are not kept as characters: a space (drawn, or inferred by PDFium) marks the next
    character as starting a word; boxes are PDFium's loose ones (advance width by font height).
    """
    count = raw.FPDFText_CountChars(textpage)
    text = _page_text(textpage, count)
    rect = raw.FS_RECTF()
    box = raw.FPDFText_GetLooseCharBox
    out: list[tuple] = []
    indexes: list[int] = []
    space = False
    for index, char in enumerate(text):
        if char in _SPACES:
            space = True
            continue
        if char in _NEWLINES or char < " " or "\ud800" <= char <= "\udfff":
            continue  # line ends PDFium infers, control characters, a surrogate PDFium could not pair
        if char == "\ufffe":
            char = "-"  # PDFium's mark for a hyphen it takes to end a line inside a word: layout decides
        box(textpage, index, ctypes.byref(rect))
        out.append((char, rect.left, rect.right, height - rect.top, height - rect.bottom, space))
        indexes.append(index)
        space = False
    return out, indexes


def _page_text(textpage, count: int) -> str:
    """The page's characters, one per character index (a surrogate stays a lone unit, later dropped)."""
    if count <= 0:
        return ""
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    written = raw.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    if written - 1 != count:  # not one unit per character: ask character by character
        return "".join(chr(min(raw.FPDFText_GetUnicode(textpage, index), 0x10FFFF)) for index in range(count))
    return "".join(map(chr, struct.unpack(f"<{count}H", buffer.raw[: count * 2])))  # UTF-16LE, unpaired


def _lines(chars: list[tuple], number: int) -> list[Line]:
    """Runs of characters that share a baseline and move rightwards, as lines."""
    lines: list[Line] = []
    current: list[tuple] = []
    for char in chars:
        if current:
            last = current[-1]
            overlap = min(last[4], char[4]) - max(last[3], char[3])
            shortest = min(last[4] - last[3], char[4] - char[3])
            if overlap < 0.5 * shortest or char[1] < last[1] - 0.5 * (last[4] - last[3]):
                lines.append(_line(current, number))
                current = []
        current.append(char)
    if current:
        lines.append(_line(current, number))
    return lines


def _line(chars: list[tuple], number: int) -> Line:
    tops = sorted(c[3] for c in chars)
    bottoms = sorted(c[4] for c in chars)
    # The median box, not the extremes: one big initial or superscript does not make the line tall.
    return Line(number, chars, x0=min(c[1] for c in chars), x1=max(c[2] for c in chars),
                top=tops[len(tops) // 2], bottom=bottoms[len(bottoms) // 2])


_BOLD_NAMES = ("bold", "black", "heavy", "semibold", "demi")
_BOLD_WEIGHT = 600  # PDFium's weight where the font says it (Chromium's subsets say less: names decide)
_SAMPLES = 3  # characters per line whose font is looked at: first, middle, last


def _mark_styles(textpage, lines: list[Line], indexes: list[int]) -> None:
    """Each line's font size and whether it is bold, from a few of its characters (three calls
    into PDFium each, not one per character): a heading is told by these when no gap sets it off."""
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    fonts: dict[bytes, bool] = {}
    position = 0
    for line in lines:
        count = len(line.chars)
        picks = sorted({position, position + count // 2, position + count - 1})[:_SAMPLES]
        sizes, bold = [], True
        for pick in picks:
            index = indexes[pick]
            sizes.append(raw.FPDFText_GetFontSize(textpage, index))
            length = raw.FPDFText_GetFontInfo(textpage, index, buffer, len(buffer), ctypes.byref(flags))
            name = buffer.value if 0 < length <= len(buffer) else b""
            if name not in fonts:
                fonts[name] = any(word in name.lower().decode("latin-1") for word in _BOLD_NAMES)
            bold = bold and (fonts[name] or raw.FPDFText_GetFontWeight(textpage, index) >= _BOLD_WEIGHT)
        line.size, line.bold = sorted(sizes)[len(sizes) // 2], bold
        position += count


_BULLETS = frozenset("•◦▪■●‣⁃∙\uf0b7\uf0a7")  # glyphs a word processor draws a list item's bullet with


def _text(chars: list[tuple], height: float) -> str:
    out = [chars[0][0]]
    for before, char in zip(chars, chars[1:]):
        gap = char[1] - before[2]
        if gap > TAB_GAP * height and not (len(out) == 1 and before[0] in _BULLETS):  # "•<tab>text": an item
            out.append("\t")
        elif char[5] or gap > SPACE_GAP * height:
            out.append(" ")
        out.append(char[0])
    return "".join(out)


# --- ruling lines, table rows, bullets --------------------------------------------------------


def _shapes(page, height: float) -> tuple[list, list, list]:
    """Horizontal rules (y, x0, x1), vertical rules (x, top, bottom) and bullet-sized dots
    (x0, x1, top, bottom) among the page's own path objects."""
    hrules, vrules, dots = [], [], []
    count = raw.FPDFPage_CountObjects(page)
    if count > _MAX_OBJECTS:
        return [], [], []
    paths = 0
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for index in range(count):
        obj = raw.FPDFPage_GetObject(page, index)
        if raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_PATH:
            continue
        paths += 1
        if paths > _MAX_PATHS:
            return [], [], []
        if not raw.FPDFPageObj_GetBounds(obj, *(ctypes.byref(v) for v in (left, bottom, right, top))):
            continue
        x0, x1, y0, y1 = left.value, right.value, height - top.value, height - bottom.value
        w, h = x1 - x0, y1 - y0
        if h <= _RULE and w >= 4 * _RULE:
            hrules.append(((y0 + y1) / 2, x0, x1))
        elif w <= _RULE and h >= 3 * _RULE:
            vrules.append(((x0 + x1) / 2, y0, y1))
        elif 1 <= w <= 8 and 1 <= h <= 8:
            dots.append((x0, x1, y0, y1))
        elif w > 4 * _RULE and h > 3 * _RULE and _stroked_only(obj):
            # A rectangle drawn as an outline: its four edges are rules.
            hrules += [(y0, x0, x1), (y1, x0, x1)]
            vrules += [(x0, y0, y1), (x1, y0, y1)]
    return _merge(hrules), _merge(vrules), dots


def _stroked_only(obj) -> bool:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke)):
        return False
    return bool(stroke.value) and not fill.value


def _merge(rules: list[tuple]) -> list[tuple]:
    """Collinear rules (at, start, end) that touch or overlap, as one: borders are often drawn cell by cell."""
    merged: list[list[float]] = []
    for at, start, end in sorted((round(at), start, end) for at, start, end in rules):
        if merged and merged[-1][0] == at and start <= merged[-1][2] + _TOL:
            merged[-1][2] = max(merged[-1][2], end)
        else:
            merged.append([at, start, end])
    return [tuple(rule) for rule in merged]


def _mark_rows(lines: list[Line], hrules: list, vrules: list) -> None:
    """Give each line inside a ruled table's row the row's key and its text cut into cells.

    A row is the band between the nearest horizontal rules above and below the line that span
    it, with at least three vertical rules crossing that band (two columns) around the line.
    """
    if not hrules or len(vrules) < 3 or len(lines) * (len(hrules) + len(vrules)) > _MAX_PAIRS:
        return
    for line in lines:
        spanning = [y for y, x0, x1 in hrules if x0 <= line.x0 + _TOL and x1 >= line.x1 - _TOL]
        above = max((y for y in spanning if y <= line.top + _TOL), default=None)
        below = min((y for y in spanning if y >= line.bottom - _TOL), default=None)
        if above is None or below is None:
            continue
        edges = sorted(x for x, top, bottom in vrules if top <= above + _TOL and bottom >= below - _TOL)
        inside = [x for x in edges if x <= line.x0 + _TOL] and [x for x in edges if x >= line.x1 - _TOL]
        if len(edges) < 3 or not inside:
            continue
        line.row = (line.page, above, below, tuple(edges))
        columns: list[list[tuple]] = [[] for _ in range(len(edges) - 1)]
        for char in line.chars:
            column = min(max(bisect.bisect(edges, (char[1] + char[2]) / 2) - 1, 0), len(columns) - 1)
            columns[column].append(char)
        line.cells = [_text(chars, line.height) if chars else "" for chars in columns]


def _mark_bullets(lines: list[Line], dots: list) -> None:
    """A dot level with a line's middle, just left of its first character, makes it a list item."""
    if len(lines) * len(dots) > _MAX_PAIRS:
        return
    for x0, x1, top, bottom in dots:
        middle = (top + bottom) / 2
        for line in lines:
            if line.top <= middle <= line.bottom and 0 <= line.x0 - x1 <= 3 * line.height:
                line.bullet = True
                break
