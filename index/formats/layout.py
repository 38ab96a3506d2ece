"""Positioned PDF lines -> the letter's text, laid out as the text letters are.

- Running headers and footers go: a line near the top or bottom of a page (the outer 12% of its
  height), not in a table, that, page numbers ("Page 2 of 3", "2/3", "- 2 -") left out, reads the
  same at the same place (within a few points) on at least half the pages (and two), or that is
  only a page number. A letterhead printed on page 1 alone stays: it is part of the letter, as in
  the text letters; a heading that falls at the foot of one page and the head of another stays.
- A table row is one line, its cells joined by tabs, each cell's wrapped lines joined.
- A paragraph is one line. How the text is set is read off the text itself: its right edge, its
  left margin, its line gap (the median gap between lines the printer wrapped, so paragraph and
  heading spacing never count however often they occur) and whether it is justified. A printed
  line is joined to the next when the next one's first word would not have fitted in the room
  left at the end of it (so the break was the printer's, not the writer's) and nothing below
  marks a break.
- A new block (a blank line): a gap wider than the line gap by 0.15 line heights; a change of
  font size or weight (a heading, with or without space around it; PDFium gives both); a table's
  edge; a first line set in from the margin; a line back at the margin after a list item; in
  justified text, a sentence's end short of the right edge; a line the writer broke after a
  sentence's end or before a paragraph that wraps; a line of its own that ends no sentence after
  a full line that ends one ("Yours sincerely" over the page). Lines the writer broke otherwise
  (an address, a signature) stay lines of one block. A bullet starts a "- " item; items set a
  little apart (less than a blank line) stay one list.
- Headings are in sentence case: a capitalised line under a heading line is a heading of its own
  unless the heading line ends on "of", "and", ... or the two words meet elsewhere in the letter.

But: - one text column: side-by-side columns are read in the order the page draws them (Word and
browsers draw a cell or a column at a time); - where paragraphs are set apart by nothing (no gap,
no indent), a paragraph whose last line is full is joined to the next, and so is one that ends a
page with a full line: nothing on the page tells them apart (tests/test_pdf_layout.py lists the
cases in its corpus).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from statistics import median

from index.formats.cleanup import join_lines, repair, vocabulary
from index.formats.pdf import _BULLETS as _BULLET_GLYPHS
from index.formats.pdf import Line, Page

BAND = 0.12  # the share of the page height at the top and at the bottom where running lines live
_PAGE_NUMBER = re.compile(r"(?:page[ \t]*)?\d{1,4}(?:[ \t]*(?:of|/)[ \t]*\d{1,4})?|-[ \t]*\d{1,4}[ \t]*-", re.I)
_PARAGRAPH_EXTRA = 0.15  # line heights above a paragraph's own line gap that make a paragraph break
_ITEM_EXTRA = 0.8  # ... and between two list items (which may be set a little apart)
_PLACE = 2.0  # points: a running line's place on the page, compared in steps of this
# Words a heading cannot end on: a heading line ending on one goes on in the next line.
_GLUE_WORDS = frozenset("a an and as at by for from in into of on or the to with within".split())
_FLUSH = 1.5  # points from the right edge within which a line ends flush (justified)
_SIZE_STEP = 0.05  # font sizes further apart than this share are different styles (a heading)
_INDENT = 0.8  # line heights a line starts right of the margin: a first-line indent ...
_MAX_INDENT = 6.0  # ... up to this many (further in is a second column or a centred line)
_JOIN = None  # _separator's answer for "the same paragraph": join the lines


@dataclass
class _Item:
    """A line, or a whole table row, in reading order."""

    text: str
    line: Line  # the first printed line (geometry for joining)
    bottom: float
    row: tuple | None = None
    heading: bool = False  # set in a heading's style: bold, or larger than the body text


def layout(pages: list[Page]) -> str:
    """The text of the pages (see the module docstring), repaired by cleanup.repair."""
    _drop_running_lines(pages)
    lines = [line for page in pages for line in page.lines]
    if not lines:
        return ""
    known = vocabulary(line.text for line in lines)
    items = _items(lines, known)
    measure = _measure(items)
    out = [items[0].text]  # pieces: each the (mended) text of one item or a separator
    in_item = _bulleted(items[0])  # whether the block being written is a list item
    wraps_on = [_wraps(item, following, measure.right) and _same_style(item.line, following.line)
                for item, following in zip(items, items[1:])] + [False]
    for number, (before, after) in enumerate(zip(items, items[1:]), 1):
        separator = _separator(before, after, measure, in_item, wraps_on[number])
        if separator is _JOIN:
            out[-1], text = join_lines(out[-1], after.text, known)
            out.append(text)
        else:
            out += [separator, after.text]
            in_item = _bulleted(after) or (in_item and separator == "\n")
    return repair("".join(out))


def _key(text: str) -> str:
    """A running line as compared across pages: page-number cells out, case and spacing ignored."""
    cells = [" ".join(cell.split()).lower() for cell in text.split("\t")]
    return "\t".join(cell for cell in cells if cell and not _PAGE_NUMBER.fullmatch(cell))


def _drop_running_lines(pages: list[Page]) -> None:
    """Running headers and footers are printed at one place on every page: a line counts as one
    where its text recurs within _PLACE points of the same height on enough pages (a heading that
    happens to fall at the foot of one page and the head of another is not one)."""
    keys: list[dict[int, tuple[str, int]]] = []
    seen: Counter[tuple[str, int]] = Counter()
    for page in pages:
        top, bottom = BAND * page.height, (1 - BAND) * page.height
        # A table row's cell is never a running line: a grade "2" atop a page is not a page number.
        band = {id(line): (_key(line.text), round(line.top / _PLACE)) for line in page.lines
                if (line.bottom <= top or line.top >= bottom) and line.row is None}
        keys.append(band)
        seen.update(set(band.values()))
    enough = max(2, (len(pages) + 1) // 2)

    def running(key: tuple[str, int]) -> bool:
        text, place = key
        return not text or sum(seen[(text, near)] for near in (place - 1, place, place + 1)) >= enough

    for page, band in zip(pages, keys):
        page.lines = [line for line in page.lines if id(line) not in band or not running(band[id(line)])]


def _items(lines: list[Line], known: set[str]) -> list[_Item]:
    """Lines in order, the lines of one table row gathered into one item where the row starts."""
    items: list[_Item] = []
    rows: dict[tuple, list[Line]] = {}
    for line in lines:
        if line.row is None:
            items.append(_Item(("- " if line.bullet else "") + line.text, line, line.bottom))
        elif line.row in rows:
            rows[line.row].append(line)
        else:
            rows[line.row] = [line]
            items.append(_Item("", line, line.row[2], line.row))
    for item in items:
        if item.row is not None:
            parts = sorted(rows[item.row], key=lambda part: part.top)
            cells = []
            for column in range(len(item.row[3]) - 1):
                pieces: list[str] = []
                for part in parts:
                    if part.cells[column] and pieces:
                        pieces[-1], text = join_lines(pieces[-1], part.cells[column], known)
                        pieces.append(text)
                    elif part.cells[column]:
                        pieces.append(part.cells[column])
                cells.append("".join(pieces))
            item.text = "\t".join(cells).rstrip("\t")
    return items


@dataclass(frozen=True)
class _Measure:
    """How the text is set, read off the text itself."""

    right: float  # the right edge of the text (the furthest a plain line reaches)
    left: float  # the left margin: where most body lines start
    pitch: float  # the gap between two lines of one paragraph, in line heights
    justified: bool
    pairs: Counter  # _pairs: the word pairs of the text


def _measure(items: list[_Item]) -> _Measure:
    _mark_headings(items)
    plain = [item for item in items if item.row is None and "\t" not in item.text]
    right = max((item.line.x1 for item in plain), default=0.0)
    starts = Counter(round(item.line.x0) for item in plain if not item.heading and not _bulleted(item))
    left = starts.most_common(1)[0][0] if starts else 0.0
    return _Measure(right, left, _pitch(items, right), _justified(items, right), _pairs(items))


def _mark_headings(items: list[_Item]) -> None:
    """Mark the lines set bold or larger than the body text (the size most characters have)."""
    sizes: Counter[float] = Counter()
    for item in items:
        if item.row is None and not item.line.bold:
            sizes[round(item.line.size or item.line.height, 1)] += len(item.line.chars)
    if not sizes:
        return
    body = sizes.most_common(1)[0][0]
    for item in items:
        size = item.line.size or item.line.height
        item.heading = item.row is None and (item.line.bold or size > body * (1 + _SIZE_STEP))


def _justified(items: list[_Item], right: float) -> bool:
    """Whether the text is set justified: nearly every line the printer wrapped ends at the right edge."""
    wrapped = [before.line.x1 for before, after in zip(items, items[1:])
               if not before.heading and _same_style(before.line, after.line) and _wraps(before, after, right)]
    flush = sum(right - x1 <= _FLUSH for x1 in wrapped)
    return len(wrapped) >= 5 and flush >= 0.8 * len(wrapped)


def _pitch(items: list[_Item], right: float) -> float:
    """The text's usual gap between the lines of one paragraph, in line heights: the median gap
    between two lines of the same style on one page where the printer wrapped the line (the next
    line's first word would not have fitted), so paragraph and heading spacing never count."""
    gaps = []
    for before, after in zip(items, items[1:]):
        a, b = before.line, after.line
        if a.page == b.page and _same_style(a, b) and _wraps(before, after, right):
            gap = (b.top - before.bottom) / a.height
            if -0.5 < gap < 2.0:
                gaps.append(gap)
    if not gaps:  # no wrapped paragraph: the closest-set quarter of all same-style lines
        gaps = sorted((b.line.top - a.bottom) / a.line.height for a, b in zip(items, items[1:])
                      if a.line.page == b.line.page and a.row is None and b.row is None and _same_style(a.line, b.line)
                      and b.line.top - a.bottom > -0.5 * a.line.height)
        return gaps[len(gaps) // 4] if gaps else 0.2
    return median(gaps)


def _same_size(a: Line, b: Line) -> bool:
    if a.size > 0 and b.size > 0:
        return abs(a.size - b.size) <= _SIZE_STEP * max(a.size, b.size)
    return abs(a.height - b.height) <= 0.12 * max(a.height, b.height)


def _same_style(a: Line, b: Line) -> bool:
    """The same font size and weight: a change of either is a heading's edge."""
    return a.bold == b.bold and _same_size(a, b)


def _tabular(item: _Item) -> bool:
    return item.row is not None or "\t" in item.text


def _bulleted(item: _Item) -> bool:
    return item.line.bullet or item.text[:1] in _BULLET_GLYPHS


def _text_start(item: _Item) -> float:
    """Where the line's text starts: after its bullet glyph, if it has one (a word processor's item)."""
    chars = item.line.chars
    return chars[1][1] if item.text[:1] in _BULLET_GLYPHS and len(chars) > 1 else item.line.x0


def _separator(before: _Item, after: _Item, measure: _Measure, in_item: bool, wraps_on: bool) -> str | None:
    """"\n" (same block), "\n\n" (new block) or _JOIN (the same paragraph, wrapped).

    A new block: a gap wider than the paragraph's own line gap (`pitch`) by _PARAGRAPH_EXTRA, a
    table's edge, a change of font size or weight (a heading, even with no space around it), a
    first line set in from the margin (by up to _MAX_INDENT: further is a column or a centred
    line, not an indent), a line back at the margin after a list item, or a
    line the writer broke (its first word would have fitted above) after one that ends a sentence
    or before a paragraph that wraps (`wraps_on`: `after` goes on to the next line). Lines the
    writer broke that are neither (an address, a signature) stay lines of one block. In justified
    text a line that ends a sentence short of the right edge ends its paragraph.
    """
    a, b = before.line, after.line
    tabular = _tabular(before), _tabular(after)
    if tabular[0] and tabular[1]:
        return "\n"  # the rows of one table (a bold head row too), however padded, on one page or two
    if tabular[0] != tabular[1] or not _same_style(a, b):
        return "\n\n"
    if b.page == a.page:
        gap = (b.top - before.bottom) / min(a.height, b.height)
        # List items may be set a little apart (CSS li margins, Word's item spacing): less than a
        # blank line between two items keeps them one list.
        extra = _ITEM_EXTRA if in_item and _bulleted(after) else _PARAGRAPH_EXTRA
        if gap < -0.5 or gap > measure.pitch + extra:
            return "\n\n"
    if _bulleted(after):  # a list's next item; a list after a finished paragraph starts a block
        return "\n" if in_item or not _ends_sentence(before.text) else "\n\n"
    if in_item:
        if _text_start(before) - b.x0 > _INDENT * a.height:
            return "\n\n"  # back at the margin after a list item
    elif _INDENT * a.height < b.x0 - measure.left < _MAX_INDENT * a.height and not _bulleted(before):
        return "\n\n"  # a first-line indent
    if measure.justified and measure.right - a.x1 > _FLUSH and _ends_sentence(before.text):
        return "\n\n"
    if _wraps(before, after, measure.right, measure.pairs):
        if _ends_sentence(before.text) and not wraps_on and after.text.rstrip()[-1:] not in ".!?:;\"'’”)]":
            # A full line ending a sentence, then a line of its own that ends no sentence ("Yours
            # sincerely" over the page): not a paragraph's last line, so not its continuation.
            return "\n\n"
        return _JOIN
    if b.page != a.page or wraps_on:
        return "\n\n"
    return "\n\n" if _ends_sentence(before.text) else "\n"


def _ends_sentence(text: str) -> bool:
    """Whether the line ends a sentence: ".", "!" or "?", then perhaps closing quotes or brackets."""
    text = text.rstrip(" \t")
    bare = text.rstrip("\"'’”)]")
    return len(text) - len(bare) <= 3 and bare[-1:] in (".", "!", "?")


def _pair(left: str, right: str) -> tuple[str, str]:
    """The last word of `left` and the first of `right`, lowercased, as the word pair they make."""
    return left.rsplit(None, 1)[-1].lower() if left.strip() else "", (right.split(None, 1) or [""])[0].lower()


def _pairs(items: list[_Item]) -> Counter:
    """How often each two words follow each other in the text, across line ends too."""
    pairs: Counter[tuple[str, str]] = Counter()
    last = ""
    for item in items:
        words = item.text.lower().split()
        if words:
            pairs[(last, words[0])] += 1
            pairs.update(zip(words, words[1:]))
            last = words[-1]
    return pairs


def _wraps(before: _Item, after: _Item, right: float, pairs: Counter | None = None) -> bool:
    """Whether `after`'s first word would not have fitted at the end of `before` (plus a space)."""
    if before.row or after.row or after.line.bullet or "\t" in before.text or "\t" in after.text:
        return False
    a = before.line
    room, word = right - a.x1, after.line.first_word_width()
    fits = room >= word + 0.5 * a.height
    last, first = _pair(before.text, after.text)
    if fits or not before.heading or not after.text[:1].isupper() or last in _GLUE_WORDS:
        return not fits
    # Headings are in sentence case and never end on "of" or "within": a capitalised line under a
    # heading that could end there is the next heading (an empty subsection's title right above
    # the next one), unless the room left was clearly too small (under half the word) or the two
    # words meet elsewhere in the letter too ("Harrowby Borough" + "Council").
    return room < 0.5 * word or (pairs is not None and pairs[(last, first)] > 1)
