"""What every letter kind is made of: its scale, its graded areas, its headings and its readers.

A kind (index/kinds/<kind>.py) is one `Kind` value: how to recognise its letters, where they
name the council and the year, which headings mark strengths and weaknesses, and how to read
its ratings with the span each is stated in. The registry (index/kinds/__init__.py) lists
them in the order they are tried. Nothing outside index/kinds asks which kind a letter is to
decide how to read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

APOS = "['’]"


@dataclass(frozen=True)
class Rating:
    """One rating stated by a letter; letter.text[start:end] is where it is stated."""

    area: str  # "overall" or a graded area's key ("staying_safe", "social_care", ...)
    label: str  # the scale's word for the grade: "Performs well", "Good", ...
    grade: int  # 1-4, 4 the best on every scale here
    start: int
    end: int
    conflict: tuple[int, int] | None = None  # where the same letter states a different rating, if it does


@dataclass(frozen=True)
class Scale:
    """A grading scale. Letters of different kinds may share one (2009-2011: "performs ...")."""

    key: str  # "performs", "apa_grades", "service_grades"
    name: str  # "the four-point 'performs' scale", for prose
    labels: dict[int, str]  # grade -> the label letters use
    # (pattern on a normalised question, grade): words that name a grade on this scale only
    question_words: tuple[tuple[str, int], ...] = ()
    worded: bool = False  # its labels are whole phrases quoted as they are ("Performs well (3)"), not "grade 3 (good)"
    rolling: bool = False  # councils are graded in different years, each grade standing until the next inspection

    def label(self, grade: int) -> str:
        return self.labels[grade]

    def describe(self) -> str:
        """"4 performs excellently, 3 performs well, ...": the scale in one line."""
        return ", ".join(f"{grade} {self.labels[grade].lower()}" for grade in sorted(self.labels, reverse=True))


@dataclass(frozen=True)
class Area:
    """A thing a kind grades (or a judgement area its sections are about)."""

    key: str  # "staying_safe"
    title: str  # "Staying safe"
    pattern: str  # regex for the title as letters write it (a table row's start, a section title)
    question: str = ""  # regex on a normalised question that names it ("keep(?:ing)? children safe")
    # the index/services.py services its grade judges ("looked_after_children"): each one whose
    # words the graded row uses feeds the judgements table (index/judgements.py)
    services: tuple[str, ...] = ()


# The overall grade: the performs letters' only area, the APA's first.
OVERALL = Area("overall", "Overall effectiveness", rf"Overall effectiveness of children{APOS}s services",
               r"overall effectiveness")


def _none(_text: str) -> None:
    return None


def _no_ratings(_text: str) -> list[Rating]:
    return []


@dataclass(frozen=True)
class Kind:
    key: str  # stored in the index and the JSON: "annual_rating", "apa", ...
    name: str  # short, for tables and filters: "annual rating", "APA"
    title: str  # what the letter is, for the passages' context: "children's services annual rating"
    prose: str  # in an answer, after "the 2009": "annual rating", "annual performance assessment (APA)"
    years: str  # the years it was written in, for people: "2009", "2006-2008"
    recognise: Callable[[str], bool]
    scale: Scale | None = None  # None: the kind grades nothing
    areas: tuple[Area, ...] = ()  # what it grades (or what its sections are about), in table order
    ratings: Callable[[str], list[Rating]] = _no_ratings
    council: Callable[[str], str | None] = _none  # the council from the kind's own title or rating sentence
    year: Callable[[str], int | None] = _none  # the year the letter is about, from its title
    question: str = ""  # regex on a normalised question that names the kind ("\bapa\b")
    headings: tuple[str, ...] = ()  # regexes of whole-line headings the kind uses (beside the generic shape)
    strength_headings: tuple[str, ...] = ()  # subheadings whose lists are strengths
    weakness_headings: tuple[str, ...] = ()  # subheadings whose lists are weaknesses / areas for development
    boilerplate: tuple[str, ...] = ()  # lower-case phrases of paragraphs every letter of the kind repeats
    fact_lines: tuple[str, ...] = ()  # regexes of "Label: value" lines that are facts, not headings
    # the council from the kind's title, tried after the address block (which names it in full)
    title_council: Callable[[str], str | None] = _none
    graded: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "graded", self.scale is not None)

    def label(self, grade: int) -> str:
        if self.scale is None:
            raise ValueError(f"{self.name} letters carry no grades")
        return self.scale.label(grade)

    def area_title(self, key: str) -> str:
        return next((area.title for area in self.areas if area.key == key), key.replace("_", " ").capitalize())


# --- readers shared by kinds ----------------------------------------------------------------

# A table row: the area title, then a tab, a pipe or 2+ spaces, then the grade alone. Linear:
# two spaces open a gap only where a run of spaces starts, and the runs after it are taken
# whole; "[ ]{2,}[ \t|]*" tried from every space of a long run was cubic ("Staying safe", 4,000 spaces: 21 s).
ROW_TAIL = r"[^\t|\n]{0,120}?(?:\t|\||(?<! )  )[ \t|]*+(?:Grade[ \t]+)?(?P<grade>[1-4])[ \t|]*+$"


def table_ratings(text: str, areas: tuple[Area, ...], scale: Scale) -> list[Rating]:
    """Each area's grade from its table row ("Staying safe<TAB>4") or its heading ("Staying safe"
    then "Grade 4" on the next line); only the areas the letter grades, in table order."""
    ratings = []
    for area in areas:
        row = re.compile(rf"^[ \t|]*{area.pattern}{ROW_TAIL}", re.I | re.M)
        heading = re.compile(rf"^(?:#+[ \t]*)?{area.pattern}[^\n]{{0,100}}\n\s*Grade[ \t]+(?P<grade>[1-4])[ \t]*$",
                             re.I | re.M)
        match = row.search(text) or heading.search(text)
        if match:
            grade = int(match.group("grade"))
            start, end = match.span()
            start += len(match.group(0)) - len(match.group(0).lstrip(" \t|#"))
            ratings.append(Rating(area.key, scale.label(grade), grade, start, end))
    return ratings


def year_of(pattern: re.Pattern[str], group: int | str = 1) -> Callable[[str], int | None]:
    """A kind's year reader: the year `pattern`'s `group` finds in the letter (its title's), else None."""
    def year(text: str) -> int | None:
        match = pattern.search(text)
        return int(match.group(group)) if match else None

    return year


def area_headings(areas: tuple[Area, ...], scale: Scale) -> tuple[str, ...]:
    """Each area's title as a whole-line heading, numbered or not, with or without ": good" after it."""
    grades = "|".join(f": {label}" for label in sorted({*scale.labels.values(), "Requires improvement"}, key=len,
                                                          reverse=True))
    return tuple(rf"(?:\d\.\d\.? |\d\.? |){area.pattern}(?:{grades}|)" for area in areas)


def first_group(pattern: re.Pattern[str], text: str, group: str) -> str | None:
    match = pattern.search(text)
    return " ".join(match.group(group).split()) if match else None


def worded_table_ratings(text: str, areas: tuple[Area, ...], scale: Scale) -> list[Rating]:
    """Each area's grade given as the scale's word, in a table row ("Overall effectiveness<TAB>Good",
    "... | Requires improvement to be good |") or on the line under the area's title (a PDF's or a
    Word table's cells one per line); only the areas the letter grades, in table order. A row's
    "Requires improvement" without "to be good" is the same grade."""
    words = "|".join(sorted({re.escape(label) for label in scale.labels.values()}
                            | {"Requires improvement"}, key=len, reverse=True))
    grade_of = {label.lower(): grade for grade, label in scale.labels.items()}
    grade_of["requires improvement"] = grade_of.get("requires improvement to be good", 2)
    ratings = []
    for area in areas:
        row = re.compile(rf"^[ \t|]*(?:\d\.\d\.?[ \t]+|\d\.?[ \t]+)?{area.pattern}[^\t|\n]{{0,120}}?(?:\t|\||(?<! )  )"
                         rf"[ \t|:]*+(?P<word>{words})[ \t|]*+$", re.I | re.M)
        under = re.compile(rf"^(?:#+[ \t]*)?(?:\d\.\d\.?[ \t]+|\d\.?[ \t]+)?{area.pattern}[^\n]{{0,100}}\n\s*"
                           rf"(?:Grade:?[ \t]+)?(?P<word>{words})[ \t]*$", re.I | re.M)
        match = row.search(text) or under.search(text)
        if match:
            grade = grade_of[match.group("word").lower()]
            start, end = match.span()
            start += len(match.group(0)) - len(match.group(0).lstrip(" \t|#"))
            ratings.append(Rating(area.key, scale.label(grade), grade, start, end))
    return ratings
