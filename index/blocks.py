"""A letter's text as blocks (blank-line separated) and which blocks are headings.

Shared by index/letters.py (sections) and index/chunks.py (passages), apart from both so that
neither imports the other for them.
"""

from __future__ import annotations

import re

from index import kinds


def blocks(text: str, start: int, end: int):
    """Spans of the blank-line-separated blocks of text[start:end]."""
    for match in re.finditer(r"[^\n](?:.|\n(?!\n))*", text[start:end]):
        yield start + match.start(), start + match.end()


def heading_title(block: str) -> str | None:
    """The heading's title if this block is a heading line, else None."""
    if "\n" in block or "\t" in block:
        return None
    line = block.strip()
    if line.startswith("#"):
        return line.lstrip("#").strip() or None
    if kinds.KNOWN_HEADINGS.match(line) and len(line) < 160:
        return line
    if kinds.FACT_LINES.match(line):  # "Inspection dates: 14 to 25 January 2019": a fact, not a title
        return None
    if kinds.SUBHEADINGS.match(line):
        return line
    words = line.split()
    generic = (
        1 <= len(words) <= 10
        and line[0].isupper()
        and line[-1] not in ".:;,!?"
        and not re.match(r"^(?:Grade\s+\d|-|\*|\d)", line)
    )
    return line if generic else None
