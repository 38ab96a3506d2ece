"""What the inspections since 2013 share: the grades' scale, the overall sentence and the judgement rows.

The SIF (2013-2018) and ILACS (2018-) inspections grade on one scale, Ofsted's common
inspection grades: Outstanding, Good, Requires improvement to be good, Inadequate
(index/kinds/scales.py INSPECTION_GRADES). Each states its grades in a judgement table, a row
per judgement ("Overall effectiveness<TAB>Requires improvement to be good"), and the SIF
also in a sentence: "Children's services in X require improvement to be good." / "... are good".
"""

from __future__ import annotations

import re

from index.kinds.base import APOS, Area, Rating, worded_table_ratings
from index.kinds.scales import INSPECTION_GRADES

OVERALL = Area("overall", "Overall effectiveness", r"Overall (?:effectiveness|judgement)", r"overall effectiveness")

# "Children's services in Barnet require improvement to be good." / "... are inadequate."
_SENTENCE = re.compile(
    rf"Children{APOS}s services in (?P<council>[^\n.]{{3,120}}?) "
    r"(?:(?P<ri>requires? improvement(?: to be good)?)|(?:are|is) (?P<word>outstanding|good|inadequate))\.",
    re.I)


# "Inspection dates: 14 January 2019 to 25 January 2019": the year inspected, and the report's
# lines that state a fact (never a section's title).
_DATES = re.compile(r"Inspection dates?:?[ \t]+[^\n]{0,60}?\b((?:19|20)\d\d)\b", re.I)
FACT_LINES = (r"Inspection dates?:", r"Lead inspector:", r"Report published:", r"Inspectors?:",
              r"Dates? of (?:inspection|visit):")


def inspection_year(text: str) -> int | None:
    found = _DATES.search(text)
    return int(found.group(1)) if found else None


def sentence_rating(text: str) -> Rating | None:
    """The overall grade from its plain-language sentence, if the letter has one."""
    found = _SENTENCE.search(text)
    if not found:
        return None
    word = "requires improvement to be good" if found.group("ri") else found.group("word").lower()
    grade = next(g for g, label in INSPECTION_GRADES.labels.items() if label.lower() == word)
    return Rating("overall", INSPECTION_GRADES.label(grade), grade, found.start(), found.end())


def sentence_council(text: str) -> str | None:
    found = _SENTENCE.search(text)
    return " ".join(found.group("council").split()) if found else None


def inspection_ratings(text: str, areas: tuple[Area, ...]) -> list[Rating]:
    """The judgement table's rows; the overall grade from the sentence where no row gives it (and
    where the two disagree, the row stands and the sentence is its conflict)."""
    ratings = worded_table_ratings(text, areas, INSPECTION_GRADES)
    sentence = sentence_rating(text)
    if sentence is None:
        return ratings
    row = next((r for r in ratings if r.area == "overall"), None)
    if row is None:
        return [sentence, *ratings]
    if row.grade != sentence.grade:
        ratings[ratings.index(row)] = Rating(row.area, row.label, row.grade, row.start, row.end,
                                             (sentence.start, sentence.end))
    return ratings
