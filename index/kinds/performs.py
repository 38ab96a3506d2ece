"""The "performs" letters' rating: a table row and a sentence, "Children's services in X perform well."

The 2009 annual rating and the 2010-2011 annual assessments state their one overall grade
twice: in a table row ("Children's services rating<TAB>Performs well (3)", or "Children's
services assessment ...") and in a plain-language sentence. A rating's span is that sentence
(or the row when the two disagree), never the scale table every letter repeats.

But: - when the row omits the number the grade comes from its word, and a letter that states
no rating gets none. Where the row's number, its word and the sentence disagree, the number
wins and the rating carries the other span as `conflict`, so answers show the contradiction.
- A negated sentence ("It is not true that children's services in X perform excellently.",
"... do not perform well") states no rating: the row's grade stands alone, and with no row
there is none; a sentence denying the row's own grade is its conflict. Negation is read from
"not", "never", "n't", "fail to", "untrue"... before "perform" in the same clause, by rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from index.kinds.base import APOS, OVERALL, Kind, Rating, year_of
from index.kinds.scales import PERFORMS

WORD_GRADE = {"excellently": 4, "well": 3, "adequately": 2, "poorly": 1}

# The head of the rating sentence; the sentence runs on to the next full stop on its line
# (see rating_sentences). A negation right before "perform" is kept out of the council's name.
_SENTENCE = re.compile(
    rf"Children{APOS}s services in (?P<council>[^\n.]{{3,120}}?) "
    rf"(?:(?P<negation>(?:do|does|did|can|could) not|(?:do|does|did|ca|could)n{APOS}t|cannot"
    r"|(?:fail|fails|failed) to|no longer|never|(?:cannot|can not) be said to) )?"
    r"perform (?P<word>excellently|well|adequately|poorly)\b",
    re.IGNORECASE,
)
_TO_STOP = re.compile(r"[^\n.]*+")
# A word that negates the rating when it comes before "perform" in the same clause ("It is not
# true that ...", "Ofsted does not consider that ..."); a clause ends at punctuation or a line end.
_NEGATION = re.compile(rf"\b(?:not|never|cannot|no longer|untrue|false|neither|nor|fail|fails|failed)\b|n{APOS}t\b",
                       re.IGNORECASE)
_CLAUSE_BREAKS = ".!?;:,\n"
_CLAUSE_LOOKBACK = 200  # characters before "Children's services in" searched for a negation


def performs_kind(noun: str, **fields) -> Kind:
    """A kind graded once overall on this scale, whose row and dated title both say "Children's
    services <noun>" ("rating", "assessment"); `fields` are the rest of its Kind."""
    row = row_pattern(rf"Children{APOS}s services {noun}")
    year = re.compile(rf"children{APOS}s services {noun} (?:for )?((?:19|20)\d\d)", re.I)
    return Kind(scale=PERFORMS, areas=(OVERALL,), ratings=lambda text: performs_ratings(text, row),
                council=sentence_council, year=year_of(year), **fields)


def row_pattern(title: str) -> re.Pattern[str]:
    """The table row "<title><gap>Performs well (3)"; `title` is a regex ("Children's services rating")."""
    return re.compile(
        rf"^[ \t|]*(?:Overall effectiveness[ \t|:]+)?{title}[ \t|:]+Performs[ \t]+"
        r"(?P<word>excellently|well|adequately|poorly)(?:[ \t]*\((?P<grade>[1-4])\))?[ \t|]*$",
        re.IGNORECASE | re.MULTILINE,
    )


class RatingSentence(NamedTuple):
    """A "Children's services in X perform Y." sentence: its span, grade and whether it is negated."""

    match: re.Match[str]  # its head, up to the rating word; group "council" names the council
    start: int
    end: int
    grade: int
    negated: bool


def rating_sentences(text: str) -> Iterator[RatingSentence]:
    """Every rating sentence of the letter, negated or not, in order. Linear: when a head's line
    has no full stop after it, no later head on that line can have one, so the search skips it."""
    pos = 0
    while head := _SENTENCE.search(text, pos):
        end = _TO_STOP.match(text, head.end()).end()
        if text.startswith(".", end):
            grade = WORD_GRADE[head.group("word").lower()]
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


def sentence_council(text: str) -> str | None:
    """The council the first rating sentence names (a negated sentence names it too)."""
    first = next(rating_sentences(text), None)
    return " ".join(first.match.group("council").split()) if first else None


def performs_ratings(text: str, row: re.Pattern[str]) -> list[Rating]:
    """The letter's overall rating from its row and its sentence (see the module's docstring)."""
    found = row.search(text)
    sentences = list(rating_sentences(text))
    sentence = next((s for s in sentences if not s.negated), None)
    if found and found.group("grade"):
        grade = int(found.group("grade"))
    elif found:
        grade = WORD_GRADE[found.group("word").lower()]
    elif sentence:
        grade = sentence.grade
    else:
        return []
    # Cite the plain-language sentence unless it disagrees with the row's grade.
    from_sentence = sentence is not None and (sentence.grade == grade or not found)
    sentence_span = (sentence.start, sentence.end) if sentence else None
    row_span = _row_span(found) if found else None
    source, other = (sentence_span, row_span) if from_sentence else (row_span, sentence_span)
    stated = {grade} | ({WORD_GRADE[found.group("word").lower()]} if found else set())
    stated |= {sentence.grade} if sentence else set()
    conflict = other if len(stated) > 1 else None
    # A sentence denying the very grade given ("... do not perform well" beside "Performs well (3)") conflicts too.
    denial = next((s for s in sentences if s.negated and s.grade == grade), None)
    if conflict is None and denial is not None:
        conflict = (denial.start, denial.end)
    return [Rating("overall", PERFORMS.label(grade), grade, *source, conflict)]


def _row_span(found: re.Match[str]) -> tuple[int, int]:
    start, end = found.span()
    return start + len(found.group(0)) - len(found.group(0).lstrip(" \t|")), end
