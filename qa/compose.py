"""Word an Evidence as an Answer: markdown lines, numbered verbatim citations, ratings rows.

One function per intent; each says only what its evidence shows and cites every claim.
Every letter-derived string (council, section, label, quote, name) goes through md_escape
before it becomes markdown. Where the letters do not answer, the answer says so.
But: - no text is generated: quotes are whole passages of the letters, verbatim.
"""

from __future__ import annotations

from collections.abc import Iterable

from index import kinds
from index.kinds.scales import SCALES
from index.reader import IndexReader, RatingRow
from qa.answer import Answer, Citation, md_escape, short
from qa.evidence import Evidence, Extreme, Fact
from qa.query import (
    CHANGE,
    COMPARE,
    COUNT,
    FACTS,
    LIST,
    LOOKUP,
    STRENGTHS,
    SUMMARY,
    SUPERLATIVE,
    WEAKNESSES,
    Query,
)
from qa.retriever import Passage

MAX_NAMED_COUNCILS = 40  # a "no letter for X" answer names at most this many councils that have one
MAX_CITED_EXISTING = 40  # "The ratings that do exist": each cited up to this many, then only named
FACT_TITLES = {"signatory": "Signed by", "date": "Dated", "recipient": "Addressed to"}


def compose(evidence: Evidence, reader: IndexReader) -> Answer:
    writer = _Writer(evidence.query, reader)
    intent = evidence.query.intent
    if intent in (LIST, COUNT):
        writer.list_by_rating(evidence)
    elif intent == SUPERLATIVE:
        writer.superlative(evidence)
    elif intent in (LOOKUP, COMPARE):
        writer.lookup(evidence)
    elif intent == CHANGE:
        writer.change(evidence)
    elif evidence.missing and not evidence.query.councils:
        writer.no_letter(evidence.missing)
    elif intent == FACTS:
        writer.facts(evidence)
    elif intent == SUMMARY:
        writer.summary(evidence)
    else:
        writer.quotes(evidence)
    return writer.answer()


class _Writer:
    """Collects lines, citations and rating rows for one answer."""

    def __init__(self, query: Query, reader: IndexReader):
        self.query, self.reader = query, reader
        self.lines: list[str] = []
        self.citations: list[Citation] = []
        self.ratings: list[RatingRow] = []
        self._numbers: dict[Citation, int] = {}  # citation -> its [n]
        self._rated: set[RatingRow] = set()

    def answer(self) -> Answer:
        return Answer(self.query.text, "\n".join(self.lines).strip(), tuple(self.citations), tuple(self.ratings),
                      self.query.intent, self.query)

    def cite(self, letter: str, start: int, end: int, text: str, section: str | None = None) -> int:
        info = self.reader.by_name[letter]
        section = self.reader.section_at(letter, start) if section is None else section
        citation = Citation(letter, info.council, info.year, info.kind, section, text, start, end)
        # One hash of the citation, not two: a list answer cites thousands.
        number = self._numbers.setdefault(citation, len(self.citations) + 1)
        if number > len(self.citations):
            self.citations.append(citation)
        return number

    def cite_rating(self, row: RatingRow, section: str | None = None) -> str:
        """"[n]" for the row's source; "[n, m]" with where the same letter says otherwise."""
        rated = len(self._rated)
        self._rated.add(row)
        if len(self._rated) > rated:
            self.ratings.append(row)
        number = self.cite(row.letter, row.start, row.end, row.text, section)
        if row.conflict_text is None:
            return f"[{number}]"
        other = self.cite(row.letter, row.conflict_start, row.conflict_end, row.conflict_text, section)
        return (f"[{number}] (conflicting: the same letter also says “{md_escape(row.conflict_text)}” [{other}]; "
                "the table's number is used)")

    def cite_ratings(self, rows: list[RatingRow]) -> list[str]:
        """`cite_rating` for each row, in order, with the section titles read in one batch."""
        sections = self.reader.section_titles((row.letter, row.start) for row in rows)
        return [self.cite_rating(row, section) for row, section in zip(rows, sections)]

    def quote(self, passage: Passage) -> str:
        number = self.cite(passage.letter, passage.start, passage.end, passage.text, passage.section)
        return f"“{md_escape(passage.text)}” [{number}]"

    # --- list and count: every council with the rating asked about --------------------------

    def list_by_rating(self, evidence: Evidence) -> None:
        q = evidence.query
        areas = q.areas or ("overall",)
        # With no year asked, a scale rated in several years is answered for its latest (evidence.latest_year).
        years = q.years or (tuple(sorted({r.year for r in evidence.scale_rows})) if evidence.earlier else ())
        if not evidence.rows:
            self.lines.append(f"No council in the index is rated {_criterion(q, areas)}{_years(years)}.")
            self._existing(evidence.scale_rows)
            self._earlier(evidence)
            return
        councils = sorted({r.council for r in evidence.rows})
        verb = ("was" if len(councils) == 1 else "were") if q.intent == COUNT else \
            ("is" if len(councils) == 1 else "are")
        self.lines.append(f"**{len(councils)} council{'s' if len(councils) != 1 else ''}** "
                          f"{verb} rated {_criterion(q, areas)}{_years(years)}:")
        groups = _grouped(list(evidence.rows))
        marks = iter(self.cite_ratings([row for _, group in groups for row in group]))
        for (kind, year, area), group in groups:
            self.lines.append(f"\n{_scale_title(kind, year, area, start=True)}:")
            for row in group:
                self.lines.append(f"- **{md_escape(row.council)}**: {_label(row)} {next(marks)}")
        self._earlier(evidence)

    def _earlier(self, evidence: Evidence) -> None:
        """Name the earlier years left out of a list answer, and how to ask for them."""
        if not evidence.earlier:
            return
        latest = sorted({r.year for r in evidence.scale_rows}, reverse=True)
        others = [f"the {' and '.join(str(y) for y in years)} {kinds.get(kind).prose}"
                  for kind, years in evidence.earlier]
        example = max(year for _, years in evidence.earlier for year in years)
        self.lines.append(f"\nThis answers for {' and '.join(str(y) for y in latest)}, the latest year on "
                          f"{'this scale' if len(latest) == 1 else 'each scale'}. The index also has "
                          f"{'; '.join(others)}: add the year to the question (for example "
                          f"\"{md_escape(self.query.text.rstrip('?. '))} in {example}?\").")

    def _existing(self, rows: Iterable[RatingRow]) -> None:
        rows = list(rows)
        if not rows:
            have = sorted({(r.kind, r.year) for r in self.reader.ratings})
            scales = ", ".join(_scale_title(k, y, None) for k, y in have)
            self.lines.append(f"The index holds ratings for: {scales}.")
            return
        self.lines.append("\nThe ratings that do exist:")
        groups = [(key, sorted(group, key=lambda r: (-r.grade, short(r.council), r.council)))
                  for key, group in _grouped(rows)]
        cited = sum(len(group) for _, group in groups) <= MAX_CITED_EXISTING
        # Each rating named is cited, up to MAX_CITED_EXISTING; past that the list only names them.
        marks = iter(self.cite_ratings([row for _, group in groups for row in group]) if cited else ())
        for (kind, year, area), group in groups:
            by_grade: dict[int, list[str]] = {}
            for row in group:
                name = md_escape(short(row.council))
                by_grade.setdefault(row.grade, []).append(f"{name} {next(marks)}" if cited else name)
            summary = "; ".join(f"{kinds.label_for(kind, g)} ({g}): {', '.join(dict.fromkeys(names))}"
                                for g, names in sorted(by_grade.items(), reverse=True))
            self.lines.append(f"- {_scale_title(kind, year, area, start=True)}: {summary}")

    # --- superlatives: the highest or lowest grade given, ties listed ------------------------

    def superlative(self, evidence: Evidence) -> None:
        q = evidence.query
        if not evidence.extremes:
            self.lines.append(f"The index has no ratings{_years(q.years)} to rank.")
            return
        word = "lowest" if q.extreme == "min" else "highest"
        for extreme in evidence.extremes:
            self._extreme(extreme, word)
        if len({(e.kind, e.year) for e in evidence.extremes}) > 1:
            self.lines.append("\nEach letter kind and year has its own scale, so each is ranked on its own.")

    def _extreme(self, e: Extreme, word: str) -> None:
        names = sorted({r.council for r in e.rows})
        alone = " (the only council rated on it in the index)" if e.councils == 1 else \
            f" ({len(names)} of the {e.councils} councils rated on it)" if len(names) > 1 else ""
        self.lines.append(f"\nOn {_scale_title(e.kind, e.year, e.area)}, the {word} grade given is "
                          f"{_grade_label(e.kind, e.grade)}{alone}:")
        for row, mark in zip(e.rows, self.cite_ratings(list(e.rows))):
            self.lines.append(f"- **{md_escape(row.council)}**: {_label(row)} {mark}")
        top, bottom = 4, 1
        if word == "highest" and e.grade < top:
            self.lines.append(f"No council here is rated {_grade_label(e.kind, top)}, the top of that scale.")
        if word == "lowest" and e.grade > bottom:
            self.lines.append(f"No council here is rated {_grade_label(e.kind, bottom)}, the bottom of that scale.")

    # --- lookup and compare: named councils' ratings -------------------------------------

    def lookup(self, evidence: Evidence) -> None:
        q = evidence.query
        self.no_letter(evidence.missing)
        compared: list[RatingRow] = []
        for council in q.councils:
            rows = [r for r in evidence.rows if r.council == council]
            if not rows:
                have = sorted({(r.kind, r.year) for r in self.reader.ratings_for((council,))})
                self.lines.append(f"The index has no rating for **{md_escape(council)}**{_years(q.years)} "
                                  f"(its letters: {', '.join(_scale_title(k, y, None) for k, y in have) or 'none'}).")
                continue
            self.lines.append(f"**{md_escape(council)}**:")
            for (kind, year, _), group in _grouped(rows, by_area=False):
                parts = [f"{_area_prefix(row)}{_label(row)} {self.cite_rating(row)}" for row in group]
                self.lines.append(f"- {_scale_title(kind, year, None, start=True)}: " + "; ".join(parts))
            compared.extend(r for r in rows if r.area in (q.areas or ("overall",)))
            if q.grades:
                self._verdict(rows)
        if q.intent == COMPARE:
            self._comparison(compared)

    def no_letter(self, names: Iterable[str]) -> None:
        names = [md_escape(name) for name in names]
        if names:
            councils = sorted({md_escape(short(letter.council)) for letter in self.reader.letters})
            have = ", ".join(councils[:MAX_NAMED_COUNCILS])
            if len(councils) > MAX_NAMED_COUNCILS:  # a list of thousands helps nobody
                have += f" and {len(councils) - MAX_NAMED_COUNCILS:,} more (`letters-qa ratings` lists them all)"
            self.lines.append(f"There is no letter for {' or '.join(names)} in the index, so I cannot say how "
                              f"{'it was' if len(names) == 1 else 'they were'} rated. Letters in the index: {have}.\n")

    def _verdict(self, rows: list[RatingRow]) -> None:
        q = self.query
        for row in rows:
            if row.area in (q.areas or ("overall",)):
                verdict = "Yes" if row.grade in q.grades else "No"
                self.lines.append(f"- {verdict}: asked about {_criterion(q, (row.area,), row.kind)}, "
                                  f"the {row.year} letter says {_label(row)}.")

    def _comparison(self, rows: list[RatingRow]) -> None:
        for (kind, year, area), group in _grouped(rows):
            if len({r.council for r in group}) < 2:
                continue
            ordered = ", ".join(f"{md_escape(short(r.council))} ({r.grade})"
                                for r in sorted(group, key=lambda r: -r.grade))
            same = len({r.grade for r in group}) == 1
            self.lines.append(f"\nOn {_scale_title(kind, year, area)}: "
                              f"{'all rated the same: ' if same else 'highest first: '}{ordered}.")
        if len(_scales(rows)) > 1:
            self.lines.append(f"\nThese letters grade on different scales ({'; '.join(_scales(rows))}), so grades "
                              "from different scales are shown side by side, not ranked.")

    # --- change over time: one council's letters side by side --------------------------------

    def change(self, evidence: Evidence) -> None:
        q = evidence.query
        self.no_letter(evidence.missing)
        by_council: dict[str, list[RatingRow]] = {}
        for row in evidence.rows:
            by_council.setdefault(row.council, []).append(row)
        if not by_council:
            self.lines.append("The index has no ratings for that council to compare over time.")
            return
        for council, rows in by_council.items():
            self.lines.append(f"**{md_escape(council)}**, oldest first:")
            for row, mark in zip(rows, self.cite_ratings(rows)):
                self.lines.append(f"- {_scale_title(row.kind, row.year, None, start=True)}: "
                                  f"{_area_prefix(row)}{_label(row)} {mark}")
            if len(rows) == 1:
                self.lines.append(f"Only one rated letter for {md_escape(short(council))} is in the index, "
                                  "so there is no change to show.")
        scales = _scales(evidence.rows)
        if len(scales) > 1:
            self.lines.append(
                f"\nThe letters use different scales: {'; '.join(scales)}. The same number on two scales is not "
                f"the same judgement. Ask about one area (for example \"{_example(q)}\") for the details.")

    # --- letter facts and summaries ------------------------------------------------------

    def facts(self, evidence: Evidence) -> None:
        if not evidence.facts:
            where = ", ".join(md_escape(short(c)) for c in self.query.councils)
            self.lines.append(f"I found no such detail in the letters{' for ' + where if where else ''}.")
            return
        for fact in evidence.facts:
            self.lines.append(f"- {_letter_title(fact)}: {FACT_TITLES[fact.field].lower()} "
                              f"**{md_escape(fact.value)}** [{self._cite_fact(fact)}]")

    def _cite_fact(self, fact: Fact) -> int:
        section = "Signature" if fact.field == "signatory" else "Letter heading"
        return self.cite(fact.letter.name, fact.start, fact.end, fact.value, section)

    def summary(self, evidence: Evidence) -> None:
        if not evidence.summaries:
            self.lines.append("I found no letter to summarise for that.")
            return
        for found in evidence.summaries:
            letter = found.letter
            self.lines.append(f"**{md_escape(letter.council)}**, {_scale_title(letter.kind, letter.year, None)}:")
            if found.ratings:
                parts = [f"{_area_prefix(r)}{_label(r)} {m}" for r, m in zip(found.ratings,
                                                                                self.cite_ratings(list(found.ratings)))]
                self.lines.append("- Rating: " + "; ".join(parts))
            for title, passages in (("Strengths", found.strengths), ("Areas for development", found.weaknesses)):
                if passages:
                    self.lines.append(f"- {title}:")
                    self.lines.extend(f"  - {self.quote(p)}" for p in passages)
                else:
                    self.lines.append(f"- {title}: none stated in this letter.")
            self.lines.append("")

    # --- open questions and strengths / weaknesses: quote the letters -------------------

    def quotes(self, evidence: Evidence) -> None:
        q = evidence.query
        self.no_letter(evidence.missing)
        if not evidence.passages:
            where = f" for {', '.join(md_escape(short(c)) for c in q.councils)}" if q.councils else ""
            asked = {STRENGTHS: "strengths", WEAKNESSES: "weaknesses or areas for development"}.get(q.intent)
            what = f"no {asked}" if asked else "nothing"
            area = f" in {', '.join(kinds.AREA_TITLES[a].lower() for a in q.areas)}" if q.areas else ""
            self.lines.append(f"I found {what}{area} in the letters{where}{_years(q.years)}"
                              f"{'' if asked else ' that answers this'}.")
            return
        heading = {STRENGTHS: "Strengths the letters name", WEAKNESSES: "Weaknesses and areas for development the "
                   "letters name"}.get(q.intent, "From the letters")
        self.lines.append(f"{heading}:")
        for p in evidence.passages:
            where = f"**{md_escape(short(p.council))}** ({p.year}, {md_escape(p.section)})"
            self.lines.append(f"- {where}: {self.quote(p)}")


# --- wording -----------------------------------------------------------------------------


def _letter_title(fact: Fact) -> str:
    return f"The {fact.letter.year} letter to {md_escape(fact.letter.council)}"


def _example(q: Query) -> str:
    council = short(q.councils[0]) if q.councils else "the council"
    return f"What grade did {md_escape(council)} get for staying safe?"


def _grade_label(kind: str, grade: int) -> str:
    """"“Performs well” (3)" on a worded scale, "3 (good)" on the others."""
    scale = kinds.scale_of(kind)
    if scale is None:
        return str(grade)
    return f"“{scale.label(grade)}” ({grade})" if scale.worded else f"{grade} ({scale.label(grade).lower()})"


def _scales(rows: Iterable[RatingRow]) -> list[str]:
    """The distinct scales of `rows`, each described and followed by the letters of `rows` on it."""
    on: dict[str, set[str]] = {}
    for row in rows:
        scale = kinds.scale_of(row.kind)
        if scale:
            on.setdefault(scale.key, set()).add(f"the {row.year} {kinds.get(row.kind).prose}")
    return [f"{', '.join(sorted(on[scale.key]))}: {scale.name}" for scale in SCALES if scale.key in on]


def _grouped(rows: list[RatingRow], by_area: bool = True):
    groups: dict[tuple, list[RatingRow]] = {}
    for row in rows:
        groups.setdefault((row.kind, row.year, row.area if by_area else None), []).append(row)
    return sorted(groups.items(), key=lambda item: (-item[0][1], item[0][0], str(item[0][2])))


def _scale_title(kind: str, year: int, area: str | None, start: bool = False) -> str:
    """"the 2009 annual rating", "The 2008 annual performance assessment (APA), staying safe"."""
    the = "The" if start else "the"
    letter_kind = kinds.get(kind)
    title = f"{the} {year} {letter_kind.prose}"
    return f"{title}, {letter_kind.area_title(area).lower()}" if area and len(letter_kind.areas) > 1 else title


def _label(row: RatingRow) -> str:
    scale = kinds.scale_of(row.kind)
    worded = scale is not None and scale.worded
    return f"{md_escape(row.label)} ({row.grade})" if worded else f"grade {row.grade} ({md_escape(row.label.lower())})"


def _area_prefix(row: RatingRow) -> str:
    letter_kind = kinds.get(row.kind)
    return "" if len(letter_kind.areas) < 2 else f"{letter_kind.area_title(row.area).lower()} "


def _criterion(q: Query, areas: Iterable[str], kind: str | None = None) -> str:
    grades = q.grades
    if not grades:
        return "at all"
    scale = kinds.scale_of(kind) if kind else None
    scale = scale or next((s for s in SCALES if s.key == q.scale), None)
    scale = scale or (kinds.scale_of(q.kinds[0]) if len(q.kinds) == 1 else None)
    words = " or ".join(_grade_words(g, scale) for g in grades)
    areas = [a for a in areas if a != "overall"]
    return words + (f" for {', '.join(kinds.AREA_TITLES[a].lower() for a in areas)}" if areas else "")


def _grade_words(grade: int, scale) -> str:
    if scale is None:  # "rated 3": every scale's word for it
        return f"{grade} ({' / '.join(_grade_word(grade, s) for s in SCALES)})"
    return f"{_grade_word(grade, scale)} ({grade})"


def _grade_word(grade: int, scale) -> str:
    return f"“{scale.label(grade)}”" if scale.worded else scale.label(grade).lower()


def _years(years: tuple[int, ...]) -> str:
    return f" in {' or '.join(str(y) for y in years)}" if years else ""
