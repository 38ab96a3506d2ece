"""Positioned PDF lines -> the letter's text, laid out as the text letters are.

- Running headers and footers go: a line near the top or bottom of a page (the outer 12% of
  its height), not in a table, that, page numbers ("Page 2 of 3", "2/3", "- 2 -") left out,
  reads the same on at least half the pages (and two), or that is only a page number. A letterhead printed on
  page 1 alone stays: it is part of the letter, as in the text letters.
- A table row is one line, its cells joined by tabs, each cell's wrapped lines joined.
- A paragraph is one line: a printed line is joined to the next when the next one's first word
  would not have fitted in the room left at the end of it (so the break was the printer's, not
  the writer's), they are the same size, and no wider gap than the text's usual line gap lies
  between them. A wider gap, a size change (a heading) or a new page whose first line does not
  continue the last one starts a new block (a blank line); a bullet starts a "- " item.

But: - one text column: side-by-side columns would be read a line from each in turn; - a
paragraph that ends exactly at the right margin, followed by one whose first word is long, on
the next page, is joined to it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from statistics import median

from index.formats.cleanup import join_lines, repair, vocabulary
from index.formats.pdf import Line, Page

BAND = 0.12  # the share of the page height at the top and at the bottom where running lines live
_PAGE_NUMBER = re.compile(r"(?:page[ \t]*)?\d{1,4}(?:[ \t]*(?:of|/)[ \t]*\d{1,4})?|-[ \t]*\d{1,4}[ \t]*-", re.I)
_PARAGRAPH_EXTRA = 0.3  # line heights above the usual line gap that make a paragraph break
_JOIN = None  # _separator's answer for "the same paragraph": join the lines


@dataclass
class _Item:
    """A line, or a whole table row, in reading order."""

    text: str
    line: Line  # the first printed line (geometry for joining)
    bottom: float
    row: tuple | None = None


def layout(pages: list[Page]) -> str:
    """The text of the pages (see the module docstring), repaired by cleanup.repair."""
    _drop_running_lines(pages)
    lines = [line for page in pages for line in page.lines]
    if not lines:
        return ""
    known = vocabulary(line.text for line in lines)
    items = _items(lines, known)
    plain = [item.line for item in items if item.row is None and "\t" not in item.text]
    right = max((line.x1 for line in plain), default=0.0)
    usual = _usual_gap(items)
    out = [items[0].text]  # pieces: each the (mended) text of one item or a separator
    for before, after in zip(items, items[1:]):
        separator = _separator(before, after, right, usual)
        if separator is _JOIN:
            out[-1], text = join_lines(out[-1], after.text, known)
            out.append(text)
        else:
            out += [separator, after.text]
    return repair("".join(out))


def _key(text: str) -> str:
    """A running line as compared across pages: page-number cells out, case and spacing ignored."""
    cells = [" ".join(cell.split()).lower() for cell in text.split("\t")]
    return "\t".join(cell for cell in cells if cell and not _PAGE_NUMBER.fullmatch(cell))


def _drop_running_lines(pages: list[Page]) -> None:
    keys: list[dict[int, str]] = []
    seen: Counter[str] = Counter()
    for page in pages:
        top, bottom = BAND * page.height, (1 - BAND) * page.height
        # A table row's cell is never a running line: a grade "2" atop a page is not a page number.
        band = {id(line): _key(line.text) for line in page.lines
                if (line.bottom <= top or line.top >= bottom) and line.row is None}
        keys.append(band)
        seen.update(set(band.values()))
    enough = max(2, (len(pages) + 1) // 2)
    for page, band in zip(pages, keys):
        page.lines = [line for line in page.lines
                      if id(line) not in band or (band[id(line)] and seen[band[id(line)]] < enough)]


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


def _usual_gap(items: list[_Item]) -> float:
    """The median gap between consecutive lines of one size on one page, in line heights."""
    gaps = []
    for before, after in zip(items, items[1:]):
        a, b = before.line, after.line
        if a.page == b.page and before.row is None and after.row is None and _same_size(a, b):
            gap = (b.top - before.bottom) / a.height
            if gap > -0.2:
                gaps.append(gap)
    return median(gaps) if gaps else 0.2


def _same_size(a: Line, b: Line) -> bool:
    return abs(a.height - b.height) <= 0.12 * max(a.height, b.height)


def _separator(before: _Item, after: _Item, right: float, usual: float) -> str | None:
    """"\n" (same block), "\n\n" (new block) or _JOIN (the same paragraph, wrapped)."""
    a, b = before.line, after.line
    if after.line.page != before.line.page:
        return _JOIN if _wraps(before, after, right) else "\n\n"
    gap = (b.top - before.bottom) / min(a.height, b.height)
    if gap < -0.5 or gap > usual + _PARAGRAPH_EXTRA or not _same_size(a, b):
        return "\n\n"
    if before.row or after.row or "\t" in before.text or "\t" in after.text or b.bullet:
        return "\n"
    return _JOIN if _wraps(before, after, right) else "\n"


def _wraps(before: _Item, after: _Item, right: float) -> bool:
    """Whether `after`'s first word would not have fitted at the end of `before` (plus a space)."""
    if before.row or after.row or after.line.bullet or "\t" in before.text or "\t" in after.text:
        return False
    a = before.line
    return right - a.x1 < after.line.first_word_width() + 0.5 * a.height
