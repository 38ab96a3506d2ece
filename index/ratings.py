"""Ratings and their scales: extract each rating a letter states, with the span it came from.

Two scales exist. The 2009 annual rating: one overall label, "Performs excellently (4)"
down to "Performs poorly (1)". The APA (2008 and before): a grade 1-4 for each of seven
judgement areas, 4 outstanding, 3 good, 2 adequate, 1 inadequate.

A rating's span is the letter's own sentence or table row ("Children's services in X
perform well.", "Staying safe<TAB>4"), never the scale table every letter repeats.
But: - a grade is only taken from the letter; when the annual row omits the number the
grade comes from the scale word, and a letter that states no rating gets none. Where the
table's number, its word and the rating sentence disagree, the number wins and the rating
carries the other span as `conflict`, so answers show the contradiction. - A rating sentence
that is negated ("It is not true that children's services in X perform excellently.", "... do
not perform well") states no rating: the table's grade stands alone, and with no table there
is none; a sentence denying the table's own grade is its conflict. Negation is read from
"not", "never", "n't", "fail to", "untrue"... before "perform" in the same clause, by rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

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
# The head of the rating sentence; the sentence runs on to the next full stop on its line
# (see annual_sentences). A negation right before "perform" is kept out of the council's name.
_ANNUAL_SENTENCE = re.compile(
    rf"Children{_APOS}s services in (?P<council>[^\n.]{{3,120}}?) "
    rf"(?:(?P<negation>(?:do|does|did|can|could) not|(?:do|does|did|ca|could)n{_APOS}t|cannot"
    r"|(?:fail|fails|failed) to|no longer|never|(?:cannot|can not) be said to) )?"
    r"perform (?P<word>excellently|well|adequately|poorly)\b",
    re.IGNORECASE,
)
_TO_STOP = re.compile(r"[^\n.]*+")
# A word that negates the rating when it comes before "perform" in the same clause ("It is not
# true that ...", "Ofsted does not consider that ..."); a clause ends at punctuation or a line end.
_NEGATION = re.compile(rf"\b(?:not|never|cannot|no longer|untrue|false|neither|nor|fail|fails|failed)\b|n{_APOS}t\b",
                       re.IGNORECASE)
_CLAUSE_BREAKS = ".!?;:,\n"
_CLAUSE_LOOKBACK = 200  # characters before "Children's services in" searched for a negation
_ANNUAL_ROW = re.compile(
    rf"^[ \t|]*Children{_APOS}s services rating[ \t|]+Performs[ \t]+(?P<word>excellently|well|adequately|poorly)"
    r"(?:[ \t]*\((?P<grade>[1-4])\))?[ \t|]*$",
    re.IGNORECASE | re.MULTILINE,
)
# A table row: the area title, then a tab, a pipe or 2+ spaces, then the grade alone. Linear:
# two spaces open a gap only where a run of spaces starts, and the runs after it are taken
# whole; "[ ]{2,}[ \t|]*" tried from every space of a long run was cubic ("Staying safe", 4,000 spaces: 21 s).
_ROW_TAIL = r"[^\t|\n]{0,120}?(?:\t|\||(?<! )  )[ \t|]*+(?P<grade>[1-4])[ \t|]*+$"
_AREA_ROWS = {key: re.compile(rf"^[ \t|]*{pattern}{_ROW_TAIL}", re.I | re.M) for key, _, pattern in AREAS}
_AREA_HEADINGS = {
    key: re.compile(rf"^(?:#+[ \t]*)?{pattern}[^\n]{{0,100}}\n\s*Grade[ \t]+(?P<grade>[1-4])[ \t]*$", re.I | re.M)
    for key, _, pattern in AREAS
}


class RatingSentence(NamedTuple):
    """A "Children's services in X perform Y." sentence: its span, grade and whether it is negated."""

    match: re.Match[str]  # its head, up to the rating word; group "council" names the council
    start: int
    end: int
    grade: int
    negated: bool


def annual_sentences(text: str) -> Iterator[RatingSentence]:
    """Every rating sentence of the letter, negated or not, in order. Linear: when a head's line
    has no full stop after it, no later head on that line can have one, so the search skips it."""
    pos = 0
    while head := _ANNUAL_SENTENCE.search(text, pos):
        end = _TO_STOP.match(text, head.end()).end()
        if text.startswith(".", end):
            grade = _ANNUAL_WORD_GRADE[head.group("word").lower()]
            yield RatingSentence(head, head.start(), end + 1, grade, _negated(text, head))
            end += 1
        pos = end


def _negated(text: str, head: re.Match[str]) -> bool:
    """Whether the sentence denies its rating: a negation right before "perform", or one earlier in its clause."""
    if head.group("negation"):
        return True
    start = max(0, head.start() - _CLAUSE_LOOKBACK)
    start = max([start] + [text.rfind(char, start, head.start()) + 1 for char in _CLAUSE_BREAKS])
    return bool(_NEGATION.search(text, start, head.start("word")))


def annual_sentence(text: str) -> re.Match[str] | None:
    """The first "Children's services in X perform Y." sentence's head, which names the council
    (a negated sentence names it too)."""
    first = next(annual_sentences(text), None)
    return first.match if first else None


def extract_ratings(text: str, kind: str) -> list[Rating]:
    """Every rating the letter states, with its source span; [] when it states none."""
    return _annual_ratings(text) if kind == ANNUAL else _apa_ratings(text)


def _annual_ratings(text: str) -> list[Rating]:
    row = _ANNUAL_ROW.search(text)
    sentences = list(annual_sentences(text))
    # A negated sentence ("It is not true that ... perform excellently") states no rating.
    sentence = next((found for found in sentences if not found.negated), None)
    if row and row.group("grade"):
        grade = int(row.group("grade"))
    elif row:
        grade = _ANNUAL_WORD_GRADE[row.group("word").lower()]
    elif sentence:
        grade = sentence.grade
    else:
        return []
    # Cite the plain-language sentence unless it disagrees with the table row's grade.
    from_sentence = sentence is not None and (sentence.grade == grade or not row)
    sentence_span = (sentence.start, sentence.end) if sentence else None
    row_span = row.span() if row else None
    source, other = (sentence_span, row_span) if from_sentence else (row_span, sentence_span)
    # The table's word, its number and the sentence must say the same; where they do not, the
    # rating is marked conflicting with the other span, so answers show both, never one quietly.
    stated = {grade} | ({_ANNUAL_WORD_GRADE[row.group("word").lower()]} if row else set())
    stated |= {sentence.grade} if sentence else set()
    conflict = other if len(stated) > 1 else None
    # A sentence denying the very grade given ("... do not perform well" beside "Performs well (3)") conflicts too.
    denial = next((found for found in sentences if found.negated and found.grade == grade), None)
    if conflict is None and denial is not None:
        conflict = (denial.start, denial.end)
    return [Rating("overall", ANNUAL_LABELS[grade], grade, *source, conflict)]


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
