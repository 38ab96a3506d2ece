"""Ratings and their scales: extract each rating a letter states, with the span it came from.

Two scales exist. The 2009 annual rating: one overall label, "Performs excellently (4)"
down to "Performs poorly (1)". The APA (2008 and before): a grade 1-4 for each of seven
judgement areas, 4 outstanding, 3 good, 2 adequate, 1 inadequate.

A rating's span is the letter's own sentence or table row ("Children's services in X
perform well.", "Staying safe<TAB>4"), never the scale table every letter repeats.
But: - a grade is only taken from the letter; when the annual row omits the number the
grade comes from the scale word, and a letter that states no rating gets none. Where the
table's number, its word and the rating sentence disagree, the number wins and the rating
carries the other span as `conflict`, so answers show the contradiction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ANNUAL = "annual_rating"
APA = "apa"
KINDS = (ANNUAL, APA)

ANNUAL_LABELS = {4: "Performs excellently", 3: "Performs well", 2: "Performs adequately", 1: "Performs poorly"}
APA_LABELS = {4: "Outstanding", 3: "Good", 2: "Adequate", 1: "Inadequate"}
_ANNUAL_WORD_GRADE = {"excellently": 4, "well": 3, "adequately": 2, "poorly": 1}

# (key, display title, regex for the title as letters write it); the table's order.
AREAS = (
    ("overall", "Overall effectiveness", r"Overall effectiveness of children['’]s services"),
    ("being_healthy", "Being healthy", r"Being healthy"),
    ("staying_safe", "Staying safe", r"Staying safe"),
    ("enjoying_achieving", "Enjoying and achieving", r"Enjoying and achieving"),
    ("positive_contribution", "Making a positive contribution", r"Making a positive contribution"),
    ("economic_wellbeing", "Achieving economic well-being", r"Achieving economic well[- ]?being"),
    ("capacity_to_improve", "Capacity to improve", r"Capacity to improve"),
)
AREA_TITLES = {key: title for key, title, _ in AREAS}


@dataclass(frozen=True)
class Rating:
    """One rating stated by a letter; letter.text[start:end] is where it is stated."""

    area: str  # "overall" or an APA area key from AREAS
    label: str  # "Performs well", "Good", ...
    grade: int  # 1-4
    start: int
    end: int
    conflict: tuple[int, int] | None = None  # where the same letter states a different rating, if it does


def label_for(kind: str, grade: int) -> str:
    return (ANNUAL_LABELS if kind == ANNUAL else APA_LABELS)[grade]


_APOS = "['’]"
_ANNUAL_SENTENCE = re.compile(
    rf"Children{_APOS}s services in (?P<council>[^\n.]{{3,120}}?) perform "
    r"(?P<word>excellently|well|adequately|poorly)\b[^\n.]*\.",
    re.IGNORECASE,
)
_ANNUAL_ROW = re.compile(
    rf"^[ \t|]*Children{_APOS}s services rating[ \t|]+Performs[ \t]+(?P<word>excellently|well|adequately|poorly)"
    r"(?:[ \t]*\((?P<grade>[1-4])\))?[ \t|]*$",
    re.IGNORECASE | re.MULTILINE,
)
# A table row: the area title, then a tab, a pipe or 2+ spaces, then the grade alone.
_ROW_TAIL = r"[^\t|\n]{0,120}?(?:\t|\||[ ]{2,})[ \t|]*(?P<grade>[1-4])[ \t|]*$"
_AREA_ROWS = {key: re.compile(rf"^[ \t|]*{pattern}{_ROW_TAIL}", re.I | re.M) for key, _, pattern in AREAS}
_AREA_HEADINGS = {
    key: re.compile(rf"^(?:#+[ \t]*)?{pattern}[^\n]{{0,100}}\n\s*Grade[ \t]+(?P<grade>[1-4])[ \t]*$", re.I | re.M)
    for key, _, pattern in AREAS
}


def annual_sentence(text: str) -> re.Match[str] | None:
    """The "Children's services in X perform Y." sentence, which also names the council."""
    return _ANNUAL_SENTENCE.search(text)


def extract_ratings(text: str, kind: str) -> list[Rating]:
    """Every rating the letter states, with its source span; [] when it states none."""
    return _annual_ratings(text) if kind == ANNUAL else _apa_ratings(text)


def _annual_ratings(text: str) -> list[Rating]:
    sentence, row = _ANNUAL_SENTENCE.search(text), _ANNUAL_ROW.search(text)
    if row and row.group("grade"):
        grade = int(row.group("grade"))
    elif row or sentence:
        grade = _ANNUAL_WORD_GRADE[(row or sentence).group("word").lower()]
    else:
        return []
    # Cite the plain-language sentence unless it disagrees with the table row's grade.
    agree = sentence and _ANNUAL_WORD_GRADE[sentence.group("word").lower()] == grade
    source = sentence if agree or not row else row
    # The table's word, its number and the sentence must say the same; where they do not, the
    # rating is marked conflicting with the other span, so answers show both, never one quietly.
    stated = {_ANNUAL_WORD_GRADE[m.group("word").lower()] for m in (row, sentence) if m} | {grade}
    other = (row if source is sentence else sentence) if len(stated) > 1 else None
    conflict = (other.start(), other.end()) if other else None
    return [Rating("overall", ANNUAL_LABELS[grade], grade, source.start(), source.end(), conflict)]


def _apa_ratings(text: str) -> list[Rating]:
    ratings = []
    for key, _, _ in AREAS:
        match = _AREA_ROWS[key].search(text) or _AREA_HEADINGS[key].search(text)
        if match:
            grade = int(match.group("grade"))
            start, end = match.span()
            start += len(match.group(0)) - len(match.group(0).lstrip(" \t|#"))
            ratings.append(Rating(key, APA_LABELS[grade], grade, start, end))
    return ratings
