"""Cut text into sentences, the one way every part of the project does.

A sentence ends at ".", "!" or "?" followed by whitespace, so "8.8%" and "2005/06" stay
whole; list items, table rows and lines are sentences of their own; a hard-wrapped
sentence's lines are joined. Used to cut passages (index/chunks.py), to label them
(index/polarity.py), to narrow a quote to the sentences that answer (qa/evidence.py), to find
the sentence that says a whole query (qa/retriever.py) and to check a model's answer sentence by
sentence (qa/verify.py, with split_at_stops).
But: - abbreviations ("e.g. the") end a sentence; the letters rarely use them.
"""

from __future__ import annotations

import re

_LINE = re.compile(r"[^\n]*")
# The lookbehind starts a match only at a run's first
# stop, so a long run of dots is scanned once, not once per dot.
_STOP = re.compile(r"(?<![.!?])[.!?]+[\"'’”)]*\s+")
_BULLET = re.compile(r"[ \t]*[-*][ \t]+")
_LETTER = re.compile(r"[A-Za-z]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`: list items, table rows and lines are sentences,
    and lines are cut at a full stop followed by whitespace ("8.8%" and "2005/06" stay whole).
    A line ending in a lowercase letter or comma runs on into a next line that starts in
    lowercase (a hard-wrapped sentence). Bullet marks are left out of the span; pieces
    without a letter (table rules "----") are dropped."""
    spans: list[tuple[int, int]] = []
    for start, end in _units(text):
        piece_start = start
        for stop in _STOP.finditer(text, start, end):
            _add(spans, text, piece_start, stop.end())
            piece_start = stop.end()
        _add(spans, text, piece_start, end)
    return spans


def split_at_stops(line: str) -> list[str]:
    """`line` cut after each sentence stop (as sentence_spans cuts a line), every piece kept,
    even one without a letter ("[2]"), stripped; for text that is not a letter's (a model's answer)."""
    pieces, start = [], 0
    for stop in _STOP.finditer(line):
        pieces.append(line[start:stop.end()].strip())
        start = stop.end()
    pieces.append(line[start:].strip())
    return [piece for piece in pieces if piece]


def _units(text: str) -> list[tuple[int, int]]:
    """Spans of the logical lines: physical lines, a wrapped sentence's lines joined."""
    units: list[tuple[int, int]] = []
    previous = ""  # the last non-blank line
    for match in _LINE.finditer(text):
        start, end = match.span()
        line = match.group()
        if not line.strip():
            continue
        if units and _runs_on(previous, line):
            units[-1] = (units[-1][0], end)
        else:
            bullet = _BULLET.match(line)
            units.append((start + (bullet.end() if bullet else 0), end))
        previous = line
    return units


def _runs_on(previous: str, line: str) -> bool:
    if "\t" in previous or "\t" in line:
        return False
    ends = previous.rstrip()[-1:]
    return (ends.islower() or ends == ",") and line.lstrip(" ")[:1].islower()


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if _LETTER.search(text, start, end):
        spans.append((start, end))


def sentences(text: str) -> list[str]:
    """The sentences of `text` (see sentence_spans)."""
    return [text[start:end] for start, end in sentence_spans(text)]
