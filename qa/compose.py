"""Word an Evidence as an Answer: markdown lines, numbered verbatim citations, ratings rows.

One function per intent; each says only what its evidence shows and cites every claim.
Every letter-derived string (council, section, label, quote, name) goes through md_escape
before it becomes markdown. Where the letters do not answer, the answer says so.
But: - no text is generated: quotes are whole passages of the letters, verbatim.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from index import kinds
from index.kinds.scales import SCALES
from index.letters import short_name
from index.polarity import is_standard_text, mixed
from index.reader import IndexReader, JudgementRow, RatingRow
from index.sentences import sentences
from index.services import LEVEL_GRADES, LEVEL_KEYS, service_title
from index.words import plural
from qa.answer import Answer, Citation, Coverage, md_escape, short
from qa.evidence import GRADE_LEVELS, MAX_ALL, Evidence, Extreme, Fact, defined_words
from qa.query import (
    CHANGE,
    CLARIFY,
    COMPARE,
    COUNCIL,
    COUNT,
    DEFINITION,
    FACTS,
    LIST,
    LOOKUP,
    SERVICE_CHANGE,
    SERVICE_COUNT,
    SERVICE_INTENTS,
    SERVICE_LOOKUP,
    STRENGTHS,
    SUMMARY,
    SUPERLATIVE,
    WEAKNESSES,
    Query,
)
from qa.retriever import Passage

MAX_NAMED_COUNCILS = 40  # a "no letter for X" answer names at most this many councils that have one
MAX_CITED_EXISTING = 40  # "The ratings that do exist": each cited up to this many, then only named
COMPACT_AFTER = 15  # a group of more councils than this is listed on one line, not one line each
LEVEL_NAMES = 10  # "the other levels" name this many councils a level at most; more are counted
NO_JUDGEMENTS = ("This index was built before judgements of services were read from the letters; run "
                 "`letters-qa index` to add them (nothing is embedded again).")
FACT_TITLES = {"signatory": "Signed by", "date": "Dated", "recipient": "Addressed to"}


def compose(evidence: Evidence, reader: IndexReader) -> Answer:
    writer = _Writer(evidence.query, reader)
    intent = evidence.query.intent
    for written, council in evidence.query.typos:  # a misspelt council is read as the one it is closest to
        writer.lines.append(f"Answering for **{md_escape(short(council))}** (you wrote “{md_escape(written)}”).\n")
    if evidence.query.respelt:  # misspelt words are read as the letters' words (qa/spelling.py)
        read = ", ".join(f"“{md_escape(w)}” as “{md_escape(m)}”" for w, m in evidence.query.respelt)
        writer.lines.append(f"Reading {read}.\n")
    if intent == CLARIFY:
        word, *names = evidence.query.did_you_mean
        writer.lines.append(f"Which council do you mean by “{md_escape(word)}”: "
                            f"{' or '.join(f'**{md_escape(name)}**' for name in names)}? Ask again with its name.")
        writer.coverage = Coverage(True, 0, 0)
    elif intent in SERVICE_INTENTS and evidence.no_judgements:
        writer.lines.append(NO_JUDGEMENTS)
        writer.coverage = Coverage(False, None, 0)
    elif intent in SERVICE_INTENTS:
        writer.services(evidence)
    elif intent == COUNCIL:
        writer.council(evidence)
    elif intent in (LIST, COUNT):
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
        self._conflicts_said: set[tuple[str, str]] = set()
        self.judgements: list[JudgementRow] = []
        self.coverage: Coverage | None = None

    def answer(self) -> Answer:
        coverage = self.coverage or Coverage(True, len(self.citations), len(self.citations))
        return Answer(self.query.text, "\n".join(self.lines).strip(), tuple(self.citations), tuple(self.ratings),
                      self.query.intent, self.query, coverage=coverage, judgements=tuple(self.judgements))

    def cite_judgement(self, row: JudgementRow, section: str | None = None) -> str:
        self.judgements.append(row)
        return f"[{self.cite(row.letter, row.start, row.end, row.text, section)}]"

    # --- services: every council whose letter judges a service so ---------------------------

    def services(self, evidence: Evidence) -> None:
        q = evidence.query
        self.no_letter(evidence.missing)
        if q.intent == SERVICE_LOOKUP:
            return self.service_lookup(evidence)
        if q.intent == SERVICE_CHANGE:
            return self.service_change(evidence)
        rows = list(evidence.judgements)
        per_council = _first_per_letter(rows)
        councils = sorted({j.short_name.lower() for j in per_council})  # a council named two ways counts once
        asked = _service_criterion(q)
        self.coverage = Coverage(True, len(councils), len(councils), len({j.letter for j in per_council}))
        counted = " Only letters that state how many there are are counted." if q.threshold else ""
        if not councils:
            self.lines.append(f"No council's letter in the index {_says(q, asked)}{_years(q.years)}. "
                              f"This is complete: every judgement of a service in every letter was read.{counted}")
            self._judged_otherwise(evidence)
            return
        n = len(councils)
        if q.intent == SERVICE_COUNT:
            self.lines.append(f"**{plural(n, 'council')}**: {'its' if n == 1 else 'their'} "
                              f"letter{'s' if n != 1 else ''} "
                              f"{_says(q, asked, many=n != 1)}{_years(q.years)} (all of them; each cited below):")
        else:
            head = f"**All {n:,} councils**" if n > 1 else "**1 council**"
            cited = "those at the highest or lowest level cited below" if q.extreme else "each cited below"
            self.lines.append(f"{head} whose letter {_says(q, asked)}{_years(q.years)} (complete: every judgement "
                              f"in the index; {cited}):")
        if counted:
            self.lines.append(counted.strip())
        by_level = not (q.grades or q.comparison or q.threshold)
        # "Whose fostering got the lowest rating?": the levels judged, best first, read only then.
        levels = [lv for lv in LEVEL_KEYS if any(j.level == lv for j in per_council)] if q.extreme and by_level else []
        if levels:  # that level's councils, cited; the others named
            level = levels[0] if q.extreme == "max" else levels[-1]
            names = _level_councils([j.short_name for j in per_council if j.level == level], asked=True)
            self.lines.append(f"\nThe {'highest' if q.extreme == 'max' else 'lowest'} level judged: {level}, for "
                              f"{names}.")
            others = [f"{other}: " + _level_councils([j.short_name for j in per_council if j.level == other])
                      for other in levels if other != level]
            if others:
                self.lines.append(f"The other levels: {'; '.join(others)}.")
            per_council = [j for j in per_council if j.level == level]
        for title, group in _judgement_groups(per_council, by_level):
            self.lines.append(f"\n{title} ({len({j.council for j in group})}):")
            # the sections of a list's thousands of citations in one pass (a query per 500 letters), not one each
            sections = self.reader.section_titles([(j.letter, j.start) for j in group])
            marks = [self.cite_judgement(j, section) for j, section in zip(group, sections)]
            if len(group) > COMPACT_AFTER:
                self.lines.append("; ".join(f"**{md_escape(j.short_name)}** {_judged_as(j, q)} {m}"
                                            for j, m in zip(group, marks)))
            else:
                self.lines.extend(f"- **{md_escape(j.council)}**: {_judged_as(j, q)} {m}" for j, m in zip(group, marks))

    def _judged_otherwise(self, evidence: Evidence) -> None:
        """With no match: how the letters do judge the services asked about, by level, each council named."""
        rows = [j for j in _first_per_letter(evidence.service_rows) if j.level and not j.negated]
        if not rows:
            names = " or ".join(service_title(s).lower() for s in evidence.query.services)
            self.lines.append(f"No letter in the index gives a level for {names}.")
            return
        self.lines.append("\nHow the letters do judge it:")
        for level in LEVEL_KEYS:
            group = [j for j in rows if j.level == level]
            if group:
                names = ", ".join(dict.fromkeys(md_escape(j.short_name) for j in group))
                self.lines.append(f"- {level.capitalize()}: {names}")

    def service_lookup(self, evidence: Evidence) -> None:
        q = evidence.query
        self.coverage = Coverage(True, len(evidence.service_rows), len(evidence.service_rows))
        for same in _same_councils(q.councils):
            council = max(same, key=len)
            rows = [j for j in evidence.service_rows if j.council in same and (j.level or j.comparison)]
            names = " or ".join(service_title(s).lower() for s in q.services)
            if not rows:
                near = [p for p in evidence.closest if p.council in same]
                if not near:
                    self.lines.append(f"The letters to **{md_escape(council)}** in the index give no judgement "
                                      f"of {names}.")
                    continue
                self.closest(f"I found no judgement of {names} in the letters to **{md_escape(council)}** that I "
                             "can read as a level. The closest passages (they may not answer it; read them for "
                             "yourself):", near, lambda p: f"{p.year} {md_escape(kinds.get(p.kind).prose)}")
                continue
            self.lines.append(f"**{md_escape(council)}**, {names}:")
            for j in rows:
                self.lines.append(f"- {j.year} {md_escape(kinds.get(j.kind).prose)}: {_judged_as(j, q, True)} "
                                  f"{self.cite_judgement(j)}")
            if q.grades or q.comparison:
                said = [j for j in rows if j in evidence.judgements]
                self.lines.append(f"- {'Yes' if said else 'No'}: asked whether it is {_service_criterion(q, False)}, "
                                  f"{'the letter says so' if said else 'no letter says so'}.")

    def service_change(self, evidence: Evidence) -> None:
        q = evidence.query
        by_council: dict[str, list[JudgementRow]] = {}
        for j in _first_per_letter(evidence.service_rows):
            if j.level and not j.negated and (len(q.years) < 2 or j.year in q.years):
                by_council.setdefault(j.council, []).append(j)
        changed = []
        for council, rows in sorted(by_council.items()):
            rows.sort(key=lambda j: (j.year, j.kind))
            first, last = rows[0], rows[-1]
            if first.year == last.year:
                continue
            step = LEVEL_GRADES[last.level] - LEVEL_GRADES[first.level]
            if step and (q.change == "any" or (step > 0) == (q.change == "better")):
                changed.append((first, last))
        compared = sum(1 for rows in by_council.values() if len({j.year for j in rows}) > 1)
        names = " or ".join(service_title(s).lower() for s in q.services)
        word = {"better": "got better", "worse": "got worse"}.get(q.change or "", "changed")
        self.coverage = Coverage(True, len(changed), len(changed))
        if not changed:
            self.lines.append(f"No council's {names} {word} between its letters in the index ({compared} "
                              f"council{'s have' if compared != 1 else ' has'} letters of two years that judge it).")
            return
        self.lines.append(f"**{plural(len(changed), 'council')}** whose {names} {word} "
                          f"between {'their' if len(changed) != 1 else 'its'} letters (of {compared} with letters of "
                          "two years that judge it):")
        for first, last in changed:
            self.lines.append(f"- **{md_escape(first.council)}**: {first.year} {_judged_as(first, q, True)} "
                              f"{self.cite_judgement(first)} → {last.year} {_judged_as(last, q, True)} "
                              f"{self.cite_judgement(last)}")

    # --- a council as a whole -----------------------------------------------------------------

    def council(self, evidence: Evidence) -> None:
        q = evidence.query
        self.no_letter(evidence.missing)
        for names in _same_councils(q.councils):
            self.lines.append(f"**{md_escape(max(names, key=len))}**")
            rows = [r for r in evidence.rows if r.council in names]
            if rows:
                self.lines.append("- Ratings, oldest first: " + "; ".join(
                    f"{r.year} {md_escape(kinds.get(r.kind).prose)}: {_label(r)} {m}"
                    for r, m in zip(rows, self.cite_ratings(rows))))
            else:
                self.lines.append("- Ratings: its letters in the index state no overall rating.")
        judged = [j for j in evidence.judgements if not j.negated]
        if judged:
            letter = judged[0]
            where = f"its {letter.year} {md_escape(kinds.get(letter.kind).prose)}"
            good = [j for j in judged if j.level in ("good", "outstanding")]
            weak = [j for j in judged if j.level == "inadequate" or (j.comparison == "below" and j.level != "good")]
            for title, group in ((f"Judged good or better in {where}", good),
                                 (f"Judged inadequate or below similar areas in {where}", weak)):
                if group:
                    self.lines.append(f"- {title}: " + "; ".join(
                        f"{md_escape(service_title(j.service).lower())} ({_judged_as(j, q)}) "
                        f"{self.cite_judgement(j)}" for j in _first_per_service(group)))
                else:
                    self.lines.append(f"- {title}: none.")
        elif evidence.no_judgements:
            self.lines.append(f"- {NO_JUDGEMENTS}")
        for found in evidence.summaries:
            for title, passages in (("Main strengths", found.strengths),
                                    ("Main areas for development", found.weaknesses)):
                if passages:
                    self.lines.append(f"- {title} ({found.letter.year}):")
                    self.lines.extend(f"  - {self.quote(p)}" for p in passages)
        self._conflicts(evidence.rows)
        if not (evidence.rows or evidence.judgements or evidence.summaries) and not evidence.missing:
            self.lines.append("I found nothing in its letters to summarise.")

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
        # With no year asked, a scale rated in several years is answered for its latest (evidence.latest_year);
        # a rolling scale (the inspections since 2013) for each council's latest inspection, whatever its year.
        yearly = {r.year for r in evidence.scale_rows if not kinds.rolling(r.kind)}
        years = q.years or (tuple(sorted(yearly)) if evidence.earlier else ())
        rolling = any(kinds.rolling(r.kind) for r in evidence.scale_rows)
        latest = "" if q.years or not rolling else \
            (" at their latest inspection" if not yearly else
             " (on the inspections since 2013: at their latest inspection)")
        if not evidence.rows:
            self.lines.append(f"No council in the index is rated {_criterion(q, areas)}{_years(years)}{latest}. "
                              "This is complete: every rating in the index was read.")
            self._existing(evidence.scale_rows)
            self._earlier(evidence)
            return
        councils = sorted({r.short_name.lower() for r in evidence.rows})  # a council named two ways counts once
        verb = ("was" if len(councils) == 1 else "were") if q.intent == COUNT else \
            ("is" if len(councils) == 1 else "are")
        self.lines.append(f"**{plural(len(councils), 'council')}** "
                          f"{verb} rated {_criterion(q, areas)}{_years(years)}{latest} (complete: every rating in "
                          "the index; each cited below):")
        groups = _grouped(list(evidence.rows))
        marks = iter(self.cite_ratings([row for _, group in groups for row in group]))
        for (kind, year, area), group in groups:
            self.lines.append(f"\n{_scale_title(kind, year, area, start=True)}:")
            for row in group:
                self.lines.append(f"- **{md_escape(row.council)}**: {_label(row)} {next(marks)}")
        self._conflicts(evidence.rows)
        self._earlier(evidence)

    def _earlier(self, evidence: Evidence) -> None:
        """Name the earlier years left out of a list answer, and how to ask for them."""
        if not evidence.earlier:
            return
        latest = sorted({r.year for r in evidence.scale_rows if not kinds.rolling(r.kind)}, reverse=True)
        others = [f"the {' and '.join(str(y) for y in years)} {kinds.get(kind).prose}"
                  for kind, years in evidence.earlier]
        example = max(year for _, years in evidence.earlier for year in years)
        answers = []
        if latest:
            answers.append(f"for {' and '.join(str(y) for y in latest)}, the latest year on "
                           f"{'this scale' if len(latest) == 1 else 'each scale'}")
        if any(kinds.rolling(r.kind) for r in evidence.scale_rows):
            answers.append("for each council's latest inspection since 2013 (councils are inspected in different "
                           "years)")
        self.lines.append(f"\nThis answers {'; and '.join(answers)}. The index also has "
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
        groups = [(key, sorted(group, key=lambda r: (-r.grade, r.short_name, r.council)))
                  for key, group in _grouped(rows)]
        cited = sum(len(group) for _, group in groups) <= MAX_CITED_EXISTING
        # Each rating named is cited, up to MAX_CITED_EXISTING; past that the list only names them.
        marks = iter(self.cite_ratings([row for _, group in groups for row in group]) if cited else ())
        for (kind, year, area), group in groups:
            by_grade: dict[int, list[str]] = {}
            for row in group:
                name = md_escape(row.short_name)
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
        # year 0, each council at its latest inspection: named by the kinds the rows are of
        title = _scale_title(e.kind, e.year, e.area, shown=[r.kind for r in e.rows])
        self.lines.append(f"\nOn {title}, the {word} grade given is "
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
        for names in _same_councils(q.councils):
            rows = sorted((r for r in evidence.rows if r.council in names), key=lambda r: (-r.year, r.kind))
            council = max(names, key=len)
            if not rows:
                have = sorted({(r.kind, r.year) for r in self.reader.ratings_for(names)})
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
        self._conflicts(evidence.rows)
        if q.intent == COMPARE:
            self._comparison(compared)

    def _conflicts(self, rows: Iterable[RatingRow]) -> None:
        """Where a listed rating's letter and another letter of its kind, council and year grade the
        same area differently (index/conflicts.py): say so, citing both, once per pair."""
        shown = {row.letter for row in rows}
        if not shown or not self.reader.conflicts:
            return
        for conflict in self.reader.conflicts:
            first, second = conflict["letters"]
            if (first not in shown and second not in shown) or (first, second) in self._conflicts_said:
                continue
            self._conflicts_said.add((first, second))
            areas = {r["area"] for r in conflict["ratings"]}
            stated = [r for r in self.reader.ratings if r.letter in (first, second) and r.area in areas]
            parts = [f"{_label(r)} in {md_escape(r.letter)} {self.cite_rating(r)}" for r in stated]
            self.lines.append(f"\n**Conflict**: two letters are {md_escape(conflict['short_name'])}'s "
                              f"{conflict['year']} {md_escape(kinds.get(conflict['kind']).prose)}, and they grade it "
                              f"differently: {'; '.join(parts)}. Both are in the index; which is right is not "
                              "decided here.")

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
            ordered = ", ".join(f"{md_escape(r.short_name)} ({r.grade})"
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
        if not q.councils and not evidence.missing:
            self.changes(evidence)
            return
        self.no_letter(evidence.missing)
        by_council: dict[str, list[RatingRow]] = {}  # by short name: letters may name a council two ways
        for row in evidence.rows:
            by_council.setdefault(row.short_name.lower(), []).append(row)
        if not by_council:
            self.lines.append("The index has no ratings for that council to compare over time.")
            return
        for rows in by_council.values():
            rows.sort(key=lambda r: (r.year, r.kind, r.letter))
            council = max((r.council for r in rows), key=len)
            self.lines.append(f"**{md_escape(council)}**, oldest first:")
            for row, mark in zip(rows, self.cite_ratings(rows)):
                self.lines.append(f"- {_scale_title(row.kind, row.year, None, start=True)}: "
                                  f"{_area_prefix(row)}{_label(row)} {mark}")
            if len(rows) == 1:
                self.lines.append(f"Only one rated letter for {md_escape(short(council))} is in the index, "
                                  "so there is no change to show.")
        self._conflicts(evidence.rows)
        scales = _scales(evidence.rows)
        if len(scales) > 1:
            self.lines.append(
                f"\nThe letters use different scales: {'; '.join(scales)}. The same number on two scales is not "
                f"the same judgement. Ask about one area (for example \"{_example(q)}\") for the details.")

    def changes(self, evidence: Evidence) -> None:
        """Every council whose overall grade changed as asked ("from inadequate to good", "got worse")
        between two letters in a row on one scale (a council named two ways is one council)."""
        q = evidence.query
        series: dict[tuple[str, str], list[RatingRow]] = {}
        for row in evidence.rows:
            series.setdefault((row.short_name.lower(), kinds.scale_key(row.kind)), []).append(row)
        compared = {key for key, rows in series.items() if len(rows) > 1}
        changed: list[tuple[RatingRow, RatingRow]] = []
        for key in sorted(compared):
            rows = sorted(series[key], key=lambda r: (r.year, r.kind, r.letter))
            changed += [(a, b) for a, b in zip(rows, rows[1:]) if _changed_as_asked(q, a.grade, b.grade)]
        if q.transition:
            was, now = q.transition
            asked = f"went from {_grade_words(was, _scale_of(q))} to {_grade_words(now, _scale_of(q))}"
        else:
            asked = {"better": "got better", "worse": "got worse"}.get(q.change or "", "changed")
        councils = len({a.short_name.lower() for a, _ in changed})
        self.coverage = Coverage(True, councils, councils)
        of = (f"of the {plural(len(compared), 'council')} with two rated letters on one "
              "scale in the index")
        if not changed:
            self.lines.append(f"No council's overall grade {asked} between two of its letters ({of}).")
            return
        self.lines.append(f"**{plural(councils, 'council')}** whose overall grade {asked} "
                          f"between two letters in a row on the same scale ({of}):")
        for first, last in changed:
            a, b = self.cite_ratings([first, last])
            self.lines.append(f"- **{md_escape(short(first.council))}**: {_scale_title(first.kind, first.year, None)} "
                              f"{_label(first)} {a} → {_scale_title(last.kind, last.year, None)} {_label(last)} {b}")

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
        return self.cite(fact.info.name, fact.start, fact.end, fact.value, section)

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

    def closest(self, intro: str, passages: list[Passage], label: Callable[[Passage], str]) -> None:
        """When nothing answers: what was looked for, said as not found, then the nearest passages, each
        marked by `label`. They are a sample of what the letters say, not a list, and coverage says so."""
        self.lines.append(intro)
        self.lines.extend(f"- {label(p)}: {self.quote(p)}" for p in passages)
        self.coverage = Coverage(False, None, len(passages))

    def quotes(self, evidence: Evidence) -> None:
        q = evidence.query
        self.no_letter(evidence.missing)
        if not evidence.passages:
            where = f" for {', '.join(md_escape(short(c)) for c in q.councils)}" if q.councils else ""
            asked = {STRENGTHS: "strengths", WEAKNESSES: "weaknesses or areas for development"}.get(q.intent)
            area = f" in {', '.join(kinds.AREA_TITLES[a].lower() for a in q.areas)}" if q.areas else ""
            if evidence.closest:
                # What was looked for and not found is said as such: the labels are rules, and a letter
                # may well name one in words they do not read. The nearest passages follow, marked.
                if asked:
                    intro = (f"I looked for passages labelled as {asked}{area} in the letters{where}{_years(q.years)} "
                             "and found none marked so; that is not to say the letters name none. The closest "
                             "passages (of any kind; read them for yourself):")
                else:
                    intro = (f"I found nothing{area} in the letters{where}{_years(q.years)} that clearly answers "
                             "this. The closest passages (they may not answer it; read them for yourself):")
                self.closest(intro, evidence.closest,
                             lambda p: f"**{md_escape(short(p.council))}** ({p.year}, {md_escape(p.section)})")
                return
            if asked:
                self.lines.append(f"I found no passage marked as one of the {asked}{area} in the letters{where}"
                                  f"{_years(q.years)}, and none close to the question; that is not to say the "
                                  "letters name none.")
                return
            self.lines.append(f"I found nothing{area} in the letters{where}{_years(q.years)} that answers this.")
            return
        heading = {STRENGTHS: "Strengths the letters name", WEAKNESSES: "Weaknesses and areas for development the "
                   "letters name", DEFINITION: f"What the letters say “{md_escape(defined_words(q))}” means"
                   }.get(q.intent, "From the letters")
        self.lines.append(f"{heading}:")
        council = None
        for p in evidence.passages:
            if evidence.every_match and p.council != council:
                council = p.council
                self.lines.append(f"\n**{md_escape(p.council)}**:")
            where = f"**{md_escape(short(p.council))}** ({p.year}, {md_escape(p.section)})"
            if p.boilerplate and is_standard_text(p.text):  # never a finding about the council
                where = (f"the standard text of every {p.year} {md_escape(kinds.get(p.kind).prose)} letter "
                         f"(quoted from **{md_escape(short(p.council))}**'s)")
            elif p.boilerplate:
                where = ("wording the letters to several councils share "
                         f"(quoted from **{md_escape(short(p.council))}**'s)")
            mark = " (mixed: it also names a strength)" if q.intent == WEAKNESSES and any(
                mixed(sentence) for sentence in sentences(p.text)) else ""
            self.lines.append(f"- {where}: {self.quote(p)}{mark}")
        if q.intent == DEFINITION:  # the letters' own definition, not a sample of passages
            self.coverage = Coverage(True, len(evidence.passages), len(evidence.passages))
            return
        self._sample(evidence)

    def _sample(self, evidence: Evidence) -> None:
        """Say how many passages the quotes were drawn from: a sample is never read as every match."""
        shown, matches, letters = len(evidence.passages), evidence.matches, evidence.match_letters
        complete = evidence.every_match or (matches is not None and shown >= matches)
        self.coverage = Coverage(complete, matches, shown, letters)
        if evidence.every_match:
            capped = f" (the first {shown:,} quotes; the limit is {MAX_ALL:,})" if shown >= MAX_ALL else ""
            self.lines.append(f"\nEvery passage that holds the question's words{capped}: {matches:,} in "
                              f"{plural(letters, 'letter')}, overlapping ones joined into one quote.")
        elif matches is None:
            self.lines.append(f"\nThe {shown} most relevant passage{'s' if shown != 1 else ''} found (a sample, not "
                              "a list of every council).")
        elif not complete:
            self.lines.append(f"\nThe {shown} most relevant of {matches:,} passages that hold the question's words, "
                              f"in {plural(letters, 'letter')}: a sample, not a list of every "
                              "council. Ask for all of them: \"Show all\" in the web chat, `--all` in the CLI.")


# --- wording -----------------------------------------------------------------------------


def _first_per_letter(rows) -> list[JudgementRow]:
    """One judgement per (letter, service, level, comparison): the first sentence that says it."""
    seen, kept = set(), []
    for j in rows:
        key = (j.letter, j.service, j.level, j.comparison, j.negated)
        if key not in seen:
            seen.add(key)
            kept.append(j)
    return kept


def _first_per_service(rows: list[JudgementRow]) -> list[JudgementRow]:
    seen, kept = set(), []
    for j in rows:
        if j.service not in seen:
            seen.add(j.service)
            kept.append(j)
    return kept


def _level_councils(names: list[str], asked: bool = False) -> str:
    """The councils judged at one level, for the lines that say which levels a list holds: named
    (once each; in bold for the level `asked` about) up to LEVEL_NAMES, counted past that. At
    10,000 letters these lines named ~3,000 councils (85,000 characters) before the list itself;
    the councils of the level asked about are each listed below them, those of another level by
    asking for it."""
    names = list(dict.fromkeys(names))
    if len(names) > LEVEL_NAMES:
        return plural(len(names), "council") + (" (each listed below)" if asked else "")
    return ", ".join(f"**{md_escape(name)}**" if asked else md_escape(name) for name in names)


def _judgement_groups(rows: list[JudgementRow], by_level: bool):
    """(title, rows) by level (best first) when no level was asked, else by year and letter kind (newest first)."""
    if by_level:
        order = {level: i for i, level in enumerate(LEVEL_KEYS)}
        keys = sorted({(j.level or "", j.comparison or "") for j in rows},
                      key=lambda k: (order.get(k[0], 9), k[1]))
        for level, comparison in keys:
            group = [j for j in rows if (j.level or "", j.comparison or "") == (level, comparison)]
            title = level.capitalize() if level else ""
            if comparison:
                title = (f"{title}, " if title else "") + f"{_COMPARED[comparison]} similar areas or nationally"
            yield title[0].upper() + title[1:], sorted(group, key=lambda j: (j.council, -j.year))
        return
    groups: dict[tuple, list[JudgementRow]] = {}
    for j in rows:
        groups.setdefault((j.year, j.kind), []).append(j)
    for (year, kind), group in sorted(groups.items(), key=lambda item: (-item[0][0], item[0][1])):
        yield f"The {year} {kinds.get(kind).prose}", sorted(group, key=lambda j: j.council)


_COMPARED = {"above": "above", "below": "below", "in_line": "in line with"}


def _judged_as(j: JudgementRow, q: Query, service: bool = False) -> str:
    """The letter's own words for it: "private fostering “inadequate”", "“two of the 14” inadequate"."""
    parts = []
    if service or len(q.services) > 1:
        parts.append(md_escape(service_title(j.service).lower()))
    # "none is inadequate" is a judgement too, but never one of that level: it is said as none.
    parts.append(f"{'none ' if j.negated else ''}“{md_escape(j.word)}”")
    if j.level and j.word.lower() != j.level and not j.negated:
        parts.append(f"({j.level})")
    if j.count is not None and j.total is not None:
        parts.append(f"({j.count} of {j.total})")
    elif j.total is not None:
        parts.append(f"({j.total} in all)")
    if j.comparison and j.level:
        parts.append(f"{_COMPARED[j.comparison]} similar areas or nationally")
    return " ".join(parts)


def _says(q: Query, asked: str, many: bool = False) -> str:
    """What the letter says: "judges private fostering inadequate", "counts more than 3 children's homes"."""
    if q.threshold and not (q.grades or q.comparison):
        op, n = q.threshold
        bound = {"more": "more than", "least": "at least"}.get(op, "fewer than")
        names = " or ".join(service_title(s).lower() for s in q.services)
        return f"{'count' if many else 'counts'} {bound} {n} {names}"
    return f"{'judge' if many else 'judges'} {asked}"


def _service_criterion(q: Query, named: bool = True) -> str:
    """"private fostering inadequate", "primary schools below similar areas", "children's homes more than 3"."""
    names = " or ".join(service_title(s).lower() for s in q.services) if named else ""
    if len(q.services) > 4:
        names = "schools (any kind)" if named else ""
    parts = [names] if names else []
    if q.grades:
        parts.append(" or ".join(GRADE_LEVELS[g] for g in sorted(q.grades, reverse=True)))
    if q.comparison:
        parts.append(f"{_COMPARED[q.comparison]} similar areas or the national figure")
    if q.threshold:
        op, n = q.threshold
        parts.append(f"with {'more than' if op == 'more' else 'at least' if op == 'least' else 'fewer than'} {n}")
    if not (q.grades or q.comparison or q.threshold):
        parts.append("at any level")
    return " ".join(parts)



def _letter_title(fact: Fact) -> str:
    return f"The {fact.info.year} letter to {md_escape(fact.info.council)}"


def _example(q: Query) -> str:
    council = short(q.councils[0]) if q.councils else "the council"
    return f"What grade did {md_escape(council)} get for staying safe?"


def _grade_label(kind: str, grade: int) -> str:
    """"“Performs well” (3)" on a worded scale, "3 (good)" on the others."""
    scale = kinds.scale_of(kind)
    if scale is None:
        return str(grade)
    return f"“{scale.label(grade)}” ({grade})" if scale.worded else f"{grade} ({scale.label(grade).lower()})"


def _same_key(council: str) -> str:
    """One key per council however its letters name it ("Southvale", "Southvale Metropolitan Borough Council")."""
    return short_name(council).lower()


def _same_councils(councils: Iterable[str]) -> list[tuple[str, ...]]:
    """The full names grouped by the council they name (letters may name one council two ways), in order."""
    groups: dict[str, list[str]] = {}
    for council in councils:
        groups.setdefault(_same_key(council), []).append(council)
    return [tuple(names) for names in groups.values()]


def _changed_as_asked(q: Query, was: int, now: int) -> bool:
    if q.transition:
        return (was, now) == q.transition
    return now != was and (q.change not in ("better", "worse") or (now > was) == (q.change == "better"))


def _scale_of(q: Query):
    return next((s for s in SCALES if s.key == q.scale), None)


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


def _scale_title(kind: str, year: int, area: str | None, start: bool = False, shown=()) -> str:
    """"the 2009 annual rating", "The 2008 annual performance assessment (APA), staying safe"."""
    the = "The" if start else "the"
    letter_kind = kinds.get(kind)
    title = f"{the} {year} {letter_kind.prose}"
    if year == 0 and letter_kind.scale is not None:  # a rolling scale, each council at its latest (evidence.extremes)
        named = [k for k in kinds.kinds_on(letter_kind.scale.key) if not shown or k in shown]
        title = f"{the} latest {' or '.join(kinds.get(k).name for k in named)} of each council"
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
    scale = scale or _scale_of(q)
    scale = scale or (kinds.scale_of(q.kinds[0]) if len(q.kinds) == 1 else None)
    words = " or ".join(_grade_words(g, scale) for g in grades)
    areas = [a for a in areas if a != "overall"]
    return words + (f" for {', '.join(kinds.AREA_TITLES[a].lower() for a in areas)}" if areas else "")


def _grade_words(grade: int, scale) -> str:
    if scale is None:  # "rated 3": every scale's word for it
        return f"{grade} ({' / '.join(dict.fromkeys(_grade_word(grade, s) for s in SCALES))})"
    return f"{_grade_word(grade, scale)} ({grade})"


def _grade_word(grade: int, scale) -> str:
    return f"“{scale.label(grade)}”" if scale.worded else scale.label(grade).lower()


def _years(years: tuple[int, ...]) -> str:
    return f" in {' or '.join(str(y) for y in years)}" if years else ""
