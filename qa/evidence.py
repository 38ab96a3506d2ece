"""Choose what an answer rests on: rating rows, passages and letter facts. No wording here.

`gather(query, reader, retriever)` returns an Evidence for the query's intent; qa/compose.py
words it. Rating questions (list, count, superlative, lookup, compare, change) take rows
from the ratings table, never a top-k guess. Summaries and strengths/weaknesses take the
letter's passages of that polarity (index/polarity.py) in reading order; open questions take
retrieved passages: the best-ranked one, and those after it judged relevant by their best
sentence (section-title words count) or, for a question in other words than the letter's,
by their cosine similarity.
But: - a passage is quoted whole or not at all; nothing here paraphrases or generates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import groupby

from index import kinds
from index.boilerplate import is_standard_text
from index.kinds.scales import SCALES
from index.polarity import classify_spans, weakness_starts
from index.reader import ChunkRow, IndexReader, JudgementRow, LetterInfo, RatingRow
from index.sentences import sentence_spans, sentences
from index.services import LEVEL_GRADES
from qa.glossary import expand
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
    SERVICE_INTENTS,
    SERVICE_LOOKUP,
    STRENGTHS,
    SUMMARY,
    SUPERLATIVE,
    WEAKNESSES,
    Query,
)
from qa.retriever import (
    Passage,
    Retriever,
    content_terms,
    joined,
    says_it_all,
    select_letters,
    sentence_terms,
    without_overlaps,
)

MIN_DENSE = 0.30  # below this cosine a passage is not evidence (an unrelated question scores ~0.1)
MIN_DENSE_WITH_KEYWORDS = 0.20  # ... unless it also shares keywords with the question
MIN_DENSE_ALONE = 0.40  # a passage sharing no content word with the question needs this much
MIN_SHARED = 3  # ... or, below MIN_DENSE_WITH_KEYWORDS, a sentence sharing this many (glossary terms count)
MAX_QUOTES = 3  # open questions
STANDARD_MARGIN = 0.05  # standard text quoted when its cosine beats every council passage's by this much
STANDARD_CANDIDATES = 5  # the best passages of a search with boilerplate looked at for standard text
MAX_ALL = 1000  # passages quoted when every match is asked for (all=True)
MAX_LISTED = 12  # strengths / weaknesses of one letter, no topic
SUMMARY_QUOTES = 3  # strengths and weaknesses each, per letter
FACTS_LETTERS = 20  # letter facts for at most this many letters


@dataclass(frozen=True)
class Fact:
    """One fact of a letter's header or signature, with where the letter states it."""

    info: LetterInfo  # the letter it is a fact of (a Passage's `letter` is a file name)
    field: str  # "signatory", "date" or "recipient"
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Extreme:
    """The highest or lowest grade given on one scale (kind, year, area), and who got it."""

    kind: str
    year: int
    area: str
    grade: int
    rows: tuple[RatingRow, ...]
    councils: int  # councils rated on this scale in the index


@dataclass(frozen=True)
class LetterSummary:
    letter: LetterInfo
    ratings: tuple[RatingRow, ...]
    strengths: tuple[Passage, ...]
    weaknesses: tuple[Passage, ...]


@dataclass(frozen=True)
class Evidence:
    query: Query
    missing: tuple[str, ...] = ()  # councils the question names that have no letter
    rows: tuple[RatingRow, ...] = ()  # the rating rows the answer rests on
    scale_rows: tuple[RatingRow, ...] = ()  # list and count: every row of the asked scale
    # list and count with no year named: (kind, years) rated on the same scale before the latest year answered
    earlier: tuple[tuple[str, tuple[int, ...]], ...] = ()
    extremes: tuple[Extreme, ...] = ()
    passages: tuple[Passage, ...] = ()
    facts: tuple[Fact, ...] = ()
    summaries: tuple[LetterSummary, ...] = ()
    judgements: tuple[JudgementRow, ...] = ()  # service questions: every matching judgement
    service_rows: tuple[JudgementRow, ...] = ()  # service questions: every judgement of the services asked
    no_judgements: bool = False  # the index predates judgements (format 3 or 4)
    # open questions: how many passages (and letters) match the question's words, of which `passages` are shown
    matches: int | None = None
    match_letters: int | None = None
    every_match: bool = False  # `passages` are all the matches (all=True), not the best few
    # No passage of the asked polarity or area: the nearest ones of any, shown as such (never a false "none")
    closest: tuple[Passage, ...] = ()


def gather(query: Query, reader: IndexReader, retriever: Retriever, every: bool = False) -> Evidence:
    """The evidence for `query`'s intent; `every`: an open question's every matching passage, not the best few."""
    q = query
    missing = q.unknown_councils
    if q.intent == CLARIFY:  # a misspelt name as close to several councils: nothing to gather until it is said
        return Evidence(q, missing)
    if q.intent in SERVICE_INTENTS:
        found = service_evidence(q, reader, missing)
        if q.intent != SERVICE_LOOKUP or found.no_judgements:
            return found
        judged = {j.council for j in found.service_rows if j.level or j.comparison}
        unjudged = tuple(c for c in q.councils if c not in judged)
        if not unjudged:
            return found
        # No judgement of the service read for a council named: what its letters do say about it,
        # marked as the closest passages, not a "no judgement" the extractor's rules may have missed.
        return replace(found, closest=tuple(closest(replace(q, councils=unjudged), retriever)))
    if q.intent == COUNCIL:
        return council_evidence(q, reader, missing)
    if q.intent == DEFINITION and not (missing and not q.councils):
        return Evidence(q, missing, passages=tuple(definitions(q, retriever)))
    if q.intent in (LIST, COUNT):
        rows = [r for r in rating_rows(q, reader, q.years) if r.area in (q.areas or ("overall",))]
        rows, earlier = (rows, ()) if q.years else latest_year(rows)
        matches = [r for r in rows if r.grade in q.grades] if q.grades else rows
        return Evidence(q, missing, tuple(matches), tuple(rows), earlier=earlier)
    if q.intent == SUPERLATIVE:
        return Evidence(q, missing, extremes=tuple(extremes(q, reader)))
    if q.intent in (LOOKUP, COMPARE):
        rows = [r for c in q.councils for r in rating_rows(q, reader, q.years, (c,))
                if not q.areas or r.area in q.areas]
        return Evidence(q, missing, tuple(rows))
    if q.intent == CHANGE:
        return Evidence(q, missing, tuple(change_rows(q, reader)))
    if missing and not q.councils:
        return Evidence(q, missing)
    if q.intent == FACTS:
        return Evidence(q, missing, facts=tuple(letter_facts(q, reader)))
    if q.intent == SUMMARY:
        return Evidence(q, missing, summaries=tuple(summaries(q, reader)))
    if q.intent in (STRENGTHS, WEAKNESSES) and q.councils and not q.topic:
        found = polarity_passages(q, reader, retriever)
        return Evidence(q, missing, passages=tuple(found), matches=len(found),
                        match_letters=len({p.letter for p in found}),
                        closest=() if found else tuple(closest(q, retriever)))
    rows = retriever.matching(q.topic, council=list(q.councils) or None, year=list(q.years) or None,
                              kind=list(q.kinds) or None, area=list(q.areas) or None, polarity=asked_polarity(q))
    letters = len({int(reader.row_letter[row]) for row in rows}) if rows is not None else None
    matches = len(rows) if rows is not None else None
    if every and rows:
        return Evidence(q, missing, passages=tuple(every_match(q, retriever, rows)), matches=matches,
                        match_letters=letters, every_match=True)
    found = retrieved(q, retriever)
    # Nothing judged evidence for a council's question: its closest passages, marked as such, not a false "none"
    near = tuple(closest(q, retriever)) if not found and (asked_polarity(q) or q.areas or q.councils) else ()
    return Evidence(q, missing, passages=tuple(found), matches=matches, match_letters=letters, closest=near)


# --- judgements of services -----------------------------------------------------------------

GRADE_LEVELS = {grade: level for level, grade in LEVEL_GRADES.items()}


def service_evidence(q: Query, reader: IndexReader, missing: tuple[str, ...]) -> Evidence:
    """Every judgement of the asked services that matches the question's level, comparison or count."""
    if reader.judgements is None:
        return Evidence(q, missing, no_judgements=True)
    rows = reader.judgements_of(q.services)
    if q.councils:
        rows = [j for j in rows if j.council in q.councils]
    if q.years and q.intent != SERVICE_CHANGE:
        rows = [j for j in rows if j.year in q.years]
    if q.kinds:
        rows = [j for j in rows if j.kind in q.kinds]
    return Evidence(q, missing, judgements=tuple(j for j in rows if judgement_matches(q, j)), service_rows=tuple(rows))


def judgement_matches(q: Query, j: JudgementRow) -> bool:
    """Whether judgement `j` says what the question asks: its level, comparison, count threshold
    (a negated judgement, "no inadequate primary schools", never has the level it names)."""
    if q.comparison:  # "more good primary schools than nationally": the comparison is what is asked
        if j.comparison != q.comparison:
            return False
    elif q.grades and (j.negated or j.level not in {GRADE_LEVELS[g] for g in q.grades}):
        return False
    if q.threshold:
        op, n = q.threshold
        if j.total is None or not (j.total > n if op == "more" else j.total >= n if op == "least" else j.total < n):
            return False
    if not (q.grades or q.comparison or q.threshold):
        return not j.negated and (j.level is not None or j.comparison is not None)
    return True


def council_evidence(q: Query, reader: IndexReader, missing: tuple[str, ...]) -> Evidence:
    """A council as a whole: its ratings over time, its latest letter's judgements, its summary."""
    rows = tuple(r for r in reader.ratings_for(q.councils) if r.area == "overall" or len(kinds.get(r.kind).areas) < 2)
    latest = _letters(q, reader)[:1]
    judged = tuple(j for j in reader.judgements or () if latest and j.letter == latest[0].name)
    latest_summary = tuple(summaries(replace(q, years=(latest[0].year,), kinds=(latest[0].kind,)), reader)[:1]) \
        if latest else ()
    return Evidence(q, missing, rows=tuple(sorted(rows, key=lambda r: (r.year, r.kind))), judgements=judged,
                    summaries=latest_summary, no_judgements=reader.judgements is None)


_PRONOUNS = frozenset({"that", "this", "it", "they", "these", "those", "which"})
_GRADE_WORDS = content_terms("grade grades rating ratings rated score judgement band")


def defined_words(q: Query) -> str:
    """The words whose meaning is asked: the question's ("performs adequately"), or for "that" or
    "grade 2" the scale's own words for the grade asked ("Performs well", "Adequate")."""
    term = re.sub(r"(?: (?:in|for|of|on|to|at|the|a|an))+$", "", q.term)
    if term and term not in _PRONOUNS and content_terms(term) - _GRADE_WORDS:
        return term
    if q.grades:
        scales = [s for s in SCALES if s.key == q.scale] or [kinds.scale_of(k) for k in q.kinds if kinds.scale_of(k)]
        scales = scales or list(SCALES)
        return "; ".join(dict.fromkeys(scale.label(g) for scale in scales for g in q.grades))
    return term


def definitions(q: Query, retriever: Retriever) -> list[Passage]:
    """Where the letters define what is asked ("performs adequately": the scale table's row
    "2 Performs adequately An organisation that meets only minimum requirements"): boilerplate
    included, since the standard text is what defines it; each quote cut to the sentences that
    hold the asked words (the words as a phrase first), the same wording quoted once."""
    text = q.search_text or q.text
    term = defined_words(q)
    phrases = [" ".join(part.lower().split()) for part in term.split(";") if part.strip()]
    passages = retriever.search(f"{term} {text}" if term else text, k=12, council=list(q.councils) or None,
                                year=list(q.years) or None, kind=list(q.kinds) or None, include_boilerplate=True)
    wanted = [content_terms(phrase) for phrase in phrases if content_terms(phrase)] or [content_terms(text)]
    found, seen = [], set()
    for p in passages:
        spans = [(s, e) for s, e in sentence_spans(p.text) if any(w <= content_terms(p.text[s:e]) for w in wanted)]
        if not spans:
            continue
        cut = replace(p, text=p.text[spans[0][0]:spans[-1][1]], start=p.start + spans[0][0],
                      end=p.start + spans[-1][1])
        key = " ".join(cut.text.split())
        if key not in seen:
            seen.add(key)
            found.append(cut)
    # The asked words as a phrase ("Performs adequately An organisation ...") before a sentence that
    # only holds them apart ("'performs poorly' does not mean there are no adequate ... aspects").
    def place(p: Passage) -> tuple[bool, int]:  # the phrase present, then how early (a scale row starts with it)
        said = " ".join(p.text.lower().split())
        at = [said.find(phrase) for phrase in phrases if phrase in said]
        return (not at, min(at, default=0))

    found.sort(key=place)
    return found[:2] or judged(passages, text)


def every_match(q: Query, retriever: Retriever, rows: list[int]) -> list[Passage]:
    """Every matching passage (up to MAX_ALL), grouped by council and in reading order, of the asked polarity."""
    passages = retriever.passages(rows[:MAX_ALL * 2])
    polarity = asked_polarity(q)
    if polarity:
        passages = narrowed(passages, polarity)
    kept: list[Passage] = []
    for p in sorted(passages, key=lambda p: (p.council, p.year, p.letter, p.start)):
        if kept and kept[-1].letter == p.letter and p.start <= kept[-1].end:
            kept[-1] = joined(kept[-1], p)  # overlapping windows of one letter: one quote
        else:
            kept.append(p)
    return kept[:MAX_ALL]


# --- ratings ------------------------------------------------------------------------------


def rating_rows(q: Query, reader: IndexReader, years=(), councils=()) -> list[RatingRow]:
    """Rating rows of the asked kind: explicit kinds, else the scale the wording implies."""
    rows = reader.ratings_for(councils) if councils else reader.ratings
    if years:
        rows = [r for r in rows if r.year in years]
    on_scale = kinds.kinds_on(q.scale) if q.scale else ()
    wanted = q.kinds or (on_scale if any(r.kind in on_scale for r in rows) else ())
    return [r for r in rows if r.kind in wanted] if wanted else list(rows)


def latest_year(rows: list[RatingRow]) -> tuple[list[RatingRow], tuple[tuple[str, tuple[int, ...]], ...]]:
    """Each scale's rows of its latest year only (on a rolling scale, each council's latest
    inspection), and the (kind, earlier years) left out.

    "Which councils perform adequately?" over letters of 2009, 2010 and 2011 answers for 2011
    and offers the others: one council's grade each year is not three councils. "Which councils
    require improvement?" answers from each council's latest SIF or ILACS inspection, whatever its year.
    """
    latest: dict[tuple, int] = {}
    for row in rows:
        key = _latest_key(row)
        latest[key] = max(latest.get(key, row.year), row.year)
    kept, earlier = [], {}
    for row in rows:
        if row.year == latest[_latest_key(row)]:
            kept.append(row)
        else:
            earlier.setdefault(row.kind, set()).add(row.year)
    return kept, tuple((kind, tuple(sorted(years))) for kind, years in sorted(earlier.items()))


def _latest_key(row: RatingRow) -> tuple:
    """What "the latest" is taken over: a scale's year (every council rated each year), or on a
    rolling scale (the inspections since 2013) each council's own latest inspection, per area."""
    if kinds.rolling(row.kind):
        return kinds.scale_key(row.kind), row.short_name.lower(), row.area
    return (kinds.scale_key(row.kind),)


def extremes(q: Query, reader: IndexReader) -> list[Extreme]:
    """Per scale (kind, year, area): the best or worst grade given and every council given it.

    A scale only one council is rated on ranks nobody, so it is left out unless it is all there is.
    """
    areas = q.areas or ("overall",)
    rows = [row for row in rating_rows(q, reader, q.years) if row.area in areas]
    rolling = [row for row in rows if kinds.rolling(row.kind)]
    if rolling and not q.years:  # the inspections since 2013: each council's latest, ranked together
        rows = [row for row in rows if not kinds.rolling(row.kind)] + latest_year(rolling)[0]
    groups: dict[tuple, list[RatingRow]] = {}
    for row in rows:
        # year 0: a rolling scale's councils at their latest inspections, whatever the year (kind: the scale's first)
        key = (kinds.kinds_on(kinds.scale_key(row.kind))[0], 0, row.area) if kinds.rolling(row.kind) and not q.years \
            else (row.kind, row.year, row.area)
        groups.setdefault(key, []).append(row)
    found = []
    for (kind, year, area), rows in sorted(groups.items(), key=lambda item: (-item[0][1], item[0][0], item[0][2])):
        grade = (max if q.extreme != "min" else min)(r.grade for r in rows)
        found.append(Extreme(kind, year, area, grade, tuple(r for r in rows if r.grade == grade),
                             len({r.council for r in rows})))
    ranked = [e for e in found if e.councils > 1]
    return ranked or found


def change_rows(q: Query, reader: IndexReader) -> list[RatingRow]:
    """Each named council's overall rating in every letter (or the years named), oldest first; with
    no council named, every council's (on the scale the wording implies, if it implies one)."""
    # a named council's every letter ("since its APA" names where to start, not what to keep)
    rows = reader.ratings_for(q.councils) if q.councils else rating_rows(q, reader)
    rows = [r for r in rows if r.area == "overall" and (len(q.years) < 2 or r.year in q.years)]
    return sorted(rows, key=lambda r: (r.council, r.year, r.kind))


# --- letter facts and summaries -----------------------------------------------------------


def _letters(q: Query, reader: IndexReader) -> list[LetterInfo]:
    """The letters a question is about, newest first."""
    letters = select_letters(reader, list(q.councils) or None, list(q.years) or None, list(q.kinds) or None)
    return sorted(letters, key=lambda letter: (letter.council, -letter.year, letter.name))


def letter_facts(q: Query, reader: IndexReader) -> list[Fact]:
    """The asked facts of each letter, each found where the letter states it (never made up)."""
    facts = []
    for letter in _letters(q, reader)[:FACTS_LETTERS]:
        text = reader.letter_text(letter.name) or ""
        for field in q.facts:
            value = getattr(letter, field)
            if not value:
                continue
            # The signature is at the end, the date and the addressee at the top.
            start = text.rfind(value) if field == "signatory" else text.find(value)
            if start >= 0:
                facts.append(Fact(letter, field, value, start, start + len(value)))
    return facts


def summaries(q: Query, reader: IndexReader) -> list[LetterSummary]:
    found = []
    for letter in _letters(q, reader)[:FACTS_LETTERS]:
        ratings = tuple(r for r in reader.ratings_for((letter.council,)) if r.letter == letter.name)
        stated = {(r.start, r.end) for r in ratings}  # the rating sentence is the summary's first line, not a strength
        strengths, weaknesses = (
            tuple(without_overlaps((p for p in narrowed(_passages(reader, reader.letter_chunks(letter.id, polarity)),
                                                        polarity) if (p.start, p.end) not in stated),
                                   SUMMARY_QUOTES))
            for polarity in ("strength", "weakness")
        )
        found.append(LetterSummary(letter, ratings, strengths, weaknesses))
    return found


def polarity_passages(q: Query, reader: IndexReader, retriever: Retriever) -> list[Passage]:
    """The named councils' passages of the asked polarity (and APA areas), in reading order.

    A letter whose kind has no section for an asked area (the 2009-2011 letters have none for
    "staying safe") is searched for the area's words instead: its sentences about keeping
    children safe are there, only not under that heading."""
    polarity = asked_polarity(q)
    found = []
    for letter in _letters(q, reader):
        if q.areas and not set(q.areas) & {area.key for area in kinds.get(letter.kind).areas}:
            text = with_area_words(q)
            hits = retriever.search(text, k=8, council=[letter.council], year=[letter.year], kind=[letter.kind],
                                    polarity=polarity)
            found.extend(without_overlaps(narrowed([p for p in sharing(hits, text) if p.letter == letter.name],
                                                   polarity)))
            continue
        rows = reader.letter_chunks(letter.id, polarity, q.areas)
        found.extend(without_overlaps(narrowed(_passages(reader, rows), polarity), MAX_LISTED))
    return found


def with_area_words(q: Query) -> str:
    """The question's search text with the asked areas' titles as words to search for ("staying safe")."""
    text = q.search_text or q.text
    return f"{text} ({'; '.join(kinds.AREA_TITLES[a].lower() for a in q.areas)})" if q.areas else text


def closest(q: Query, retriever: Retriever) -> list[Passage]:
    """When no passage of the asked polarity or area was found: the passages closest to the
    question among the same letters, of any polarity and section, so the answer shows what the
    letters do say instead of claiming they say nothing."""
    text = with_area_words(q)
    passages = retriever.search(text, k=8, council=list(q.councils) or None, year=list(q.years) or None,
                                kind=list(q.kinds) or None)
    return sharing(passages, text)[:MAX_QUOTES]


def sharing(passages: list[Passage], text: str) -> list[Passage]:
    """The passages with a sentence that shares a content word with `text` (or the glossary's
    letter terms for its everyday words), other than words that ask for a polarity."""
    wanted = content_terms(expand(text)) - _ASKING
    return [p for p in passages if any(wanted & content_terms(s) for s in sentences(p.text))]


# Words that ask for a polarity, not a topic: a passage sharing only these is not close.
_ASKING = content_terms("strengths weaknesses strong weak areas development improvement good bad well badly")


def asked_polarity(q: Query) -> str | None:
    """"strength" or "weakness" for a strengths / weaknesses question, else None."""
    return q.polarity if q.intent in (STRENGTHS, WEAKNESSES) else None


def narrowed(passages: Iterable[Passage], polarity: str) -> list[Passage]:
    """Each passage cut to its runs of sentences of `polarity`, so a weaknesses answer never
    quotes a strength beside it (a window may hold one of each, or a weakness on each side of a
    strength: Stockton's "... not in education, employment or training" came after one and was
    lost); runs that overlap in one letter are joined (two windows of one list of weaknesses give
    the whole list, not the first window's part of it), in the order of the first."""
    found: list[Passage] = []
    for passage in passages:
        runs = groupby(classify_spans(passage.text, passage.section), key=lambda span: span[1])
        for spans in (list(group) for label, group in runs if label == polarity):
            (start, first_end), end = spans[0][0], spans[-1][0][1]
            if polarity == "weakness":  # "... are good but private fostering is inadequate": from the weak clause
                start += weakness_starts(passage.text[start:first_end])
            cut = replace(passage, text=passage.text[start:end], start=passage.start + start,
                          end=passage.start + end, polarity=polarity)
            for j, kept in enumerate(found):
                if kept.letter == cut.letter and kept.start <= cut.end and cut.start <= kept.end:
                    found[j] = joined(kept, cut)
                    break
            else:
                found.append(cut)
    return found


def _passages(reader: IndexReader, rows: Iterable[ChunkRow]) -> list[Passage]:
    return [Passage.of(reader.by_id[row.letter_id], row) for row in rows]


# --- open questions -----------------------------------------------------------------------


def retrieved(q: Query, retriever: Retriever) -> list[Passage]:
    """Passages that answer an open question (of the asked polarity, if any), best first."""
    polarity = asked_polarity(q)
    text = q.search_text or q.text
    passages = retriever.search(text, k=8, council=list(q.councils) or None, year=list(q.years) or None,
                                kind=list(q.kinds) or None, area=list(q.areas) or None, polarity=polarity)
    found = judged(passages, text, q.topic)
    if polarity:
        return without_overlaps(narrowed(found, polarity))
    standard = standard_texts(q, retriever, found, text)
    if standard and not q.councils:  # a question about the process: the councils' own findings do not answer it
        return standard
    return [*standard[:1], *found][:MAX_QUOTES] if standard else found


def standard_texts(q: Query, retriever: Retriever, found: list[Passage], text: str) -> list[Passage]:
    """The standard text every letter of a kind carries, when it is the answer ("Why was 2009 a
    transitional year?", "How does the rating count towards the CAA?"): the standard passages
    among the best of a search that includes boilerplate, best first, that either hold every
    content word of the question in one sentence or are clearly closer to it than any passage
    about a council. One per kind of letter, and a second kind's only when about as close as the
    first: the same point is made in two kinds' wording ("does 'performs poorly' mean nothing is good?")."""
    hits = retriever.search(text, k=STANDARD_CANDIDATES, council=list(q.councils) or None,
                            year=list(q.years) or None, kind=list(q.kinds) or None, include_boilerplate=True)
    if not hits or not hits[0].boilerplate:
        return []  # a council's own finding ranks first: it, not the standard text, is the answer
    closest = max((p.dense_score or 0.0 for p in found), default=0.0)
    words = content_terms(text)
    # A passage that holds two adjacent words of the question ("does 'performs poorly' mean ...")
    # comes first: it is that kind's wording. Then the search's order.
    pairs = _word_pairs(text)
    standard = sorted(((p, _holds_pair(pairs, p.text)) for p in hits if p.boilerplate and is_standard_text(p.text)),
                      key=lambda item: not item[1])
    kept: list[Passage] = []
    for p, paired in standard:
        dense = p.dense_score or 0.0
        answers = says_it_all(words, p) or dense >= MIN_DENSE_ALONE and (
            dense >= closest + STANDARD_MARGIN or paired)
        if answers and all(p.kind != k.kind for k in kept) and (
                not kept or dense >= (kept[0].dense_score or 0.0) - STANDARD_MARGIN):
            kept.append(p)
    return kept[:2]


def _word_pairs(text: str) -> list[str]:
    """Each two adjacent words of `text` that are both content words ("performs poorly"), lower case."""
    words = re.findall(r"[a-z]+", text.lower())
    return [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)
            if content_terms(a) and content_terms(b)]


def _holds_pair(pairs: list[str], text: str) -> bool:
    words = " ".join(re.findall(r"[a-z]+", text.lower()))
    return any(f" {pair} " in f" {words} " for pair in pairs)


def judged(passages: list[Passage], topic: str, words: str = "") -> list[Passage]:
    """The passages that are evidence, best first: judged by their best sentence's shared
    content words (section-title words count, and the glossary's letter terms for the
    question's everyday words) or, sharing none, by cosine similarity."""
    own = content_terms(topic)
    wanted = content_terms(expand(topic))
    asked = content_terms(words)  # the question's topic words, without council, years or asking words
    scored = []
    for p in passages:
        dense = p.dense_score or 0.0
        held = sentence_terms(p)  # each sentence's terms, read once for the three tests below
        best = max((len(wanted & sentence) for sentence in held), default=0)
        # Everyday words the model reads poorly ("boozing", "money being tight") and short questions
        # ("Trafford private fostering - a problem?") can still be evidence when one sentence holds
        # MIN_SHARED of the question's words or their glossary terms, or every topic word (two or more).
        worded = p.bm25_score is not None and (best >= MIN_SHARED or says_it_all(asked, p, held))
        if (dense < MIN_DENSE_WITH_KEYWORDS and not worded) or (dense < MIN_DENSE and p.bm25_score is None):
            continue
        scored.append((says_it_all(own, p, held), best, dense, p))
    # A passage with one sentence holding every content word of the question comes first:
    # "Where is private fostering inadequate?" quotes Trafford's "private fostering is
    # inadequate" before a better-fused "Private fostering arrangements are also good".
    scored.sort(key=lambda item: not item[0])
    top = max((best for _, best, _, _ in scored), default=0)
    # The first passage that clears the floors is evidence; after it, keep what matches
    # about as well as the best sentence ("inadequate private fostering" must not quote
    # "private fostering arrangements were judged as good"), or, sharing no word, what is
    # close. When some passage says it all, the rest must too.
    literal = bool(scored) and scored[0][0]
    kept = [p for i, (all_said, best, dense, p) in enumerate(scored)
            if i == 0 or (all_said if literal else best >= max(1, math.ceil(top * 0.75)) if top
                          else dense >= MIN_DENSE_ALONE)]
    return kept[:MAX_QUOTES]
