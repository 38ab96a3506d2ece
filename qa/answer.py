"""Turn a parsed question into an Answer: markdown text, verbatim citations, ratings rows.

List, lookup and compare questions are answered exactly from the ratings table (every
match, one citation each: the sentence or table row the rating was read from). Open
questions quote the best-matching sentences of the retrieved passages, verbatim.
Letter text is only ever quoted, never followed: it is data, escaped for markdown.
But: - no text is generated; where the letters do not answer, the answer says so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from index.ratings import ANNUAL, APA, AREA_TITLES, label_for
from index.reader import IndexReader, RatingRow
from qa.query import COMPARE, LIST, LOOKUP, Query
from qa.retriever import Passage, Retriever

MAX_NAMED_COUNCILS = 40  # a "no letter for X" answer names at most this many councils that have one
MIN_DENSE = 0.30  # below this cosine a passage is not evidence (an unrelated question scores ~0.1)
MIN_DENSE_WITH_KEYWORDS = 0.20  # ... unless it also shares keywords with the question
MAX_QUOTES = 4


@dataclass(frozen=True)
class Citation:
    """An excerpt of a letter: `text == letter_text[start:end]`."""

    letter: str
    council: str
    year: int
    kind: str
    section: str
    text: str
    start: int
    end: int

    @property
    def title(self) -> str:
        """What a person recognises: "Trafford 2009 - Children's services rating 2009"."""
        return f"{short(self.council)} {self.year} - {self.section}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # markdown; [n] refers to citations[n-1]
    citations: tuple[Citation, ...]
    ratings: tuple[RatingRow, ...]
    intent: str
    query: Query | None = None

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "intent": self.intent,
            "citations": [c.to_dict() for c in self.citations],
            "ratings": [rating_dict(r) for r in self.ratings],
        }


def rating_dict(row: RatingRow) -> dict:
    return {"council": row.council, "year": row.year, "kind": row.kind, "area": row.area,
            "label": row.label, "grade": row.grade, "letter": row.letter}


def short(council: str) -> str:
    from index.letters import short_name

    return short_name(council)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!~])")


def md_escape(text: str) -> str:
    """Letter text as literal markdown: no emphasis, links or HTML can come from a letter."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def answer_query(query: Query, reader: IndexReader, retriever: Retriever) -> Answer:
    builder = _Builder(query, reader)
    if query.intent == LIST:
        builder.list_by_rating()
    elif query.intent in (LOOKUP, COMPARE):
        builder.lookup()
    else:
        builder.open_question(retriever)
    return builder.answer()


class _Builder:
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

    def cite_rating(self, row: RatingRow, section: str | None = None) -> int:
        rated = len(self._rated)
        self._rated.add(row)
        if len(self._rated) > rated:
            self.ratings.append(row)
        return self.cite(row.letter, row.start, row.end, row.text, section)

    def cite_ratings(self, rows: list[RatingRow]) -> list[int]:
        """`cite_rating` for each row, in order, with the section titles read in one batch."""
        sections = self.reader.section_titles((row.letter, row.start) for row in rows)
        return [self.cite_rating(row, section) for row, section in zip(rows, sections)]

    # --- list: every council with the rating asked about ---------------------------------

    def list_by_rating(self) -> None:
        q = self.query
        areas = q.areas or ("overall",)
        rows = [r for r in self._rows(years=q.years) if r.area in areas]
        matches = [r for r in rows if r.grade in q.grades] if q.grades else rows
        if not matches:
            self.lines.append(f"No council in the index is rated {_criterion(q, areas)}{_years(q.years)}.")
            self._existing(rows)
            return
        councils = sorted({r.council for r in matches})
        self.lines.append(
            f"**{len(councils)} council{'s' if len(councils) != 1 else ''}** "
            f"{'is' if len(councils) == 1 else 'are'} rated {_criterion(q, areas)}{_years(q.years)}:"
        )
        groups = _grouped(matches)
        numbers = iter(self.cite_ratings([row for _, group in groups for row in group]))
        for (kind, year, area), group in groups:
            self.lines.append(f"\n{_scale_title(kind, year, area, start=True)}:")
            for row in group:
                self.lines.append(f"- **{row.council}**: {_label(row)} [{next(numbers)}]")

    def _rows(self, years=(), councils=()) -> list[RatingRow]:
        """Rating rows of the asked kind: explicit kinds, else the scale the wording implies."""
        q = self.query
        rows = self.reader.ratings_for(councils) if councils else self.reader.ratings
        if years:
            rows = [r for r in rows if r.year in years]
        kinds = q.kinds or ((q.scale,) if q.scale and any(r.kind == q.scale for r in rows) else ())
        return [r for r in rows if r.kind in kinds] if kinds else list(rows)

    def _existing(self, rows: list[RatingRow]) -> None:
        if not rows:
            have = sorted({(r.kind, r.year) for r in self.reader.ratings})
            scales = ", ".join(_scale_title(k, y, None) for k, y in have)
            self.lines.append(f"The index holds ratings for: {scales}.")
            return
        self.lines.append("\nThe ratings that do exist:")
        for (kind, year, area), group in _grouped(rows):
            by_grade: dict[int, list[str]] = {}
            for row in group:
                by_grade.setdefault(row.grade, []).append(short(row.council))
            summary = "; ".join(f"{label_for(kind, g)} ({g}): {', '.join(sorted(set(c)))}"
                                for g, c in sorted(by_grade.items(), reverse=True))
            self.lines.append(f"- {_scale_title(kind, year, area, start=True)}: {summary}")

    # --- lookup and compare: named councils' ratings -------------------------------------

    def lookup(self) -> None:
        q = self.query
        self._no_letter(q.unknown_councils)
        compared: list[RatingRow] = []
        for council in q.councils:
            rows = [r for r in self._rows(years=q.years, councils=(council,)) if not q.areas or r.area in q.areas]
            if not rows:
                have = sorted({(r.kind, r.year) for r in self.reader.ratings_for((council,))})
                self.lines.append(f"The index has no rating for **{council}**{_years(q.years)} "
                                  f"(its letters: {', '.join(_scale_title(k, y, None) for k, y in have) or 'none'}).")
                continue
            self.lines.append(f"**{council}**:")
            for (kind, year, area), group in _grouped(rows, by_area=False):
                parts = [f"{_area_prefix(row)}{_label(row)} [{self.cite_rating(row)}]" for row in group]
                self.lines.append(f"- {_scale_title(kind, year, None, start=True)}: " + "; ".join(parts))
            compared.extend(r for r in rows if r.area in (q.areas or ("overall",)))
            if q.grades:
                self._verdict(rows)
        if q.intent == COMPARE:
            self._comparison(compared)

    def _no_letter(self, names: Iterable[str]) -> None:
        names = list(names)
        if names:
            councils = sorted({short(letter.council) for letter in self.reader.letters})
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
            ordered = ", ".join(f"{short(r.council)} ({r.grade})" for r in sorted(group, key=lambda r: -r.grade))
            same = len({r.grade for r in group}) == 1
            self.lines.append(f"\nOn {_scale_title(kind, year, area)}: "
                              f"{'all rated the same: ' if same else 'highest first: '}{ordered}.")
        if len({(r.kind, r.year) for r in rows}) > 1:
            self.lines.append("\nDifferent years use different scales (annual rating, APA), so grades from "
                              "different letters are shown side by side, not ranked.")

    # --- open questions: quote the letters ------------------------------------------------

    def open_question(self, retriever: Retriever) -> None:
        q = self.query
        if q.unknown_councils and not q.councils:
            self._no_letter(q.unknown_councils)
            return
        self._no_letter(q.unknown_councils)
        passages = retriever.search(q.search_text or q.text, k=8, council=list(q.councils) or None,
                                    year=list(q.years) or None, kind=list(q.kinds) or None)
        evidence = [p for p in passages if (p.dense_score or 0) >= MIN_DENSE
                    or (p.bm25_score is not None and (p.dense_score or 0) >= MIN_DENSE_WITH_KEYWORDS)]
        quotes = _best_sentences(evidence, q.search_text or q.text)
        if not quotes:
            where = f" for {', '.join(short(c) for c in q.councils)}" if q.councils else ""
            self.lines.append(f"I found nothing in the letters{where}{_years(q.years)} that answers this.")
            return
        self.lines.append("From the letters:")
        for passage, start, end in quotes:
            number = self.cite(passage.letter, start, end, passage.text[start - passage.start : end - passage.start])
            quote = md_escape(passage.text[start - passage.start : end - passage.start])
            self.lines.append(f"- **{short(passage.council)}** ({passage.year}, {md_escape(passage.section)}): "
                              f"“{quote}” [{number}]")


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")


_STEM_STOP = {"which", "what", "councils", "council", "about", "their", "there", "does", "ofsted", "letter", "letters",
              "children", "services", "young", "people", "have", "many", "much", "tell", "with", "from", "that"}


def _stems(text: str) -> set[str]:
    """Crude stems of content words: "leavers" ~ "leaving", "fostering" ~ "foster"."""
    return {_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 3 and w not in _STEM_STOP}


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ers", "er", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)][:6]
    return word[:6]


def _best_sentences(passages: list[Passage], topic: str) -> list[tuple[Passage, int, int]]:
    """The best sentence of each passage (by shared content words), best passages first."""
    wanted = _stems(topic)
    quotes = []
    for passage in passages:
        scored = []
        for match in _SENTENCE.finditer(passage.text):
            sentence = match.group(0).strip(" -\t")
            overlap = len(wanted & _stems(sentence))
            if overlap and len(sentence.split()) >= 4:
                offset = match.start() + match.group(0).index(sentence)
                scored.append((overlap, passage.start + offset, passage.start + offset + len(sentence)))
        if scored:
            overlap, start, end = max(scored, key=lambda s: s[0])
            quotes.append((overlap, passage, start, end))
        if len(quotes) == MAX_QUOTES:
            break
    top = max((q[0] for q in quotes), default=0)
    # Keep the sentences that match about as well as the best one ("inadequate private
    # fostering" should not quote "private fostering arrangements were judged as good").
    return [(p, s, e) for overlap, p, s, e in quotes if overlap >= max(1, math.ceil(top * 0.75))]


# --- wording -----------------------------------------------------------------------------


def _grouped(rows: list[RatingRow], by_area: bool = True):
    groups: dict[tuple, list[RatingRow]] = {}
    for row in rows:
        groups.setdefault((row.kind, row.year, row.area if by_area else None), []).append(row)
    return sorted(groups.items(), key=lambda item: (-item[0][1], item[0][0], str(item[0][2])))


def _scale_title(kind: str, year: int, area: str | None, start: bool = False) -> str:
    the = "The" if start else "the"
    if kind == ANNUAL:
        return f"{the} {year} annual rating"
    title = f"{the} {year} annual performance assessment (APA)"
    return f"{title}, {AREA_TITLES[area].lower()}" if area else title


def _label(row: RatingRow) -> str:
    return f"{row.label} ({row.grade})" if row.kind == ANNUAL else f"grade {row.grade} ({row.label.lower()})"


def _area_prefix(row: RatingRow) -> str:
    return "" if row.kind == ANNUAL else f"{AREA_TITLES[row.area].lower()} "


def _criterion(q: Query, areas: Iterable[str], kind: str | None = None) -> str:
    grades = q.grades
    if not grades:
        return "at all"
    kind = kind or q.scale or (q.kinds[0] if len(q.kinds) == 1 else None)
    words = " or ".join(_grade_words(g, kind) for g in grades)
    areas = [a for a in areas if a != "overall"]
    return words + (f" for {', '.join(AREA_TITLES[a].lower() for a in areas)}" if areas else "")


def _grade_words(grade: int, kind: str | None) -> str:
    if kind == ANNUAL:
        return f"“{label_for(ANNUAL, grade)}” ({grade})"
    if kind == APA:
        return f"{label_for(APA, grade).lower()} ({grade})"
    return f"{grade} (“{label_for(ANNUAL, grade)}” / {label_for(APA, grade).lower()})"


def _years(years: tuple[int, ...]) -> str:
    return f" in {' or '.join(str(y) for y in years)}" if years else ""
