"""Polarity: every non-boilerplate sentence of the seed letters, labelled by hand.

The table below is the spec. Each row is (seed prefix, the sentence or a unique fragment of
it, label), labelled the way a journalist asking "what is going badly?" / "what is going
well?" would read the sentence, within its section. The test finds each sentence in the
letter's text, takes its section title by offset, and checks `classify`. A sentence of a
seed body that no row labels fails the coverage test, so a new seed needs new rows.

Decisions the labels encode (see index/polarity.py):
- APA "Major strengths" items are strengths and "Important weaknesses" items weaknesses,
  as the letter files them; the one weakness item that the parser files under Major
  strengths (its heading is glued to the item before) is still a weakness.
- "satisfactory" / "adequate" alone is neutral; next to "good" in the same sentence
  ("half are good and the rest satisfactory") it is the weaker part: a weakness.
- "in line with" is neutral; a closing gap is a strength; a widening or wider gap a weakness.
- Mixed sentences are weaknesses ("good ... but key weaknesses").
- The overall verdict is read by its words ("perform well" strength, "perform adequately"
  neutral); grade lines, table rows, subheadings and the standard paragraphs are neutral, as
  are pointers ("The weaknesses identified below need to be tackled", "The table below ...").
"""

from __future__ import annotations

import re
import time
from functools import cache
from pathlib import Path

import pytest

from index import polarity
from index.chunks import chunk_letter
from index.letters import Letter, read_letter
from index.polarity import (
    NEUTRAL,
    STRENGTH,
    WEAKNESS,
    classify,
    classify_sentences,
)
from index.sentences import sentence_spans, sentences

try:  # the regex parser: public in all but name
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse  # type: ignore[no-redef]

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
S, W, N = STRENGTH, WEAKNESS, NEUTRAL

# fmt: off
SENTENCES = [
    # --- 000 Stockport 2009: performs well -------------------------------------------------
    ("000", "Children's services rating\tPerforms well (3)", N),
    ("000", "Children's services in Stockport Metropolitan Borough Council perform well.", S),
    ("000", "The overall effectiveness of a large majority of inspected and regulated services and settings "
            "is good or better.", S),
    ("000", "Provision for very young children is good.", S),
    ("000", "A greater proportion of nursery schools and childcare is good or outstanding than is the case "
            "nationally", S),
    ("000", "Childminding is satisfactory.", N),
    ("000", "A larger proportion of primary schools are good or better than nationally but there are key "
            "weaknesses in secondary provision.", W),
    ("000", "No secondary school is outstanding and too many are satisfactory.", W),
    ("000", "These schools do not do as well as in similar areas", W),
    ("000", "Performance of the local authority's fostering and adoption agencies is good as is the children's "
            "home.", S),
    ("000", "Overall, performance against the national indicators, including staying safe and enjoying and "
            "achieving, is good with a large majority", S),
    ("000", "The proportion of secondary schools with good or outstanding behaviour is lower than similar areas", W),
    ("000", "are less good than for all children who live in Stockport.", W),
    ("000", "The gap at Key Stage 4 between all young people and those with special educational needs has "
            "widened over three years.", W),
    ("000", "At the age of 19 there remains an inequality gap", W),

    # --- 001 Stockport 2008 APA -------------------------------------------------------------
    ("001", "Assessment judgement area\tAPA grade", N),
    ("001", "Overall effectiveness of children's services\t3", N),
    ("001", "Being healthy\t3", N),
    ("001", "Staying safe\t4", N),
    ("001", "Enjoying and achieving\t3", N),
    ("001", "Making a positive contribution\t4", N),
    ("001", "Achieving economic well-being\t3", N),
    ("001", "including the management of services for children and young people\t4", N),
    ("001", "Grade 3", N),  # overall, being healthy, enjoying and achieving, economic well-being
    ("001", "Grade 4", N),  # staying safe, positive contribution, capacity to improve
    # Overall effectiveness
    ("001", "contribution to outcomes for children and young people is good overall.", S),
    ("001", "Children and young people are encouraged to be physically active and have increasingly good access", S),
    ("001", "Improvements have been made for young people with learning difficulties and/or disabilities using "
            "these services as well as reducing waiting times", S),
    ("001", "Very good improvements have been achieved in completing core assessments within national "
            "timescales", S),
    ("001", "Educational attainment in the early years and during compulsory schooling is predominantly above "
            "average.", S),
    ("001", "However, attainment at Key Stage 3 is average in English and science.", W),
    ("001", "Excellent opportunities are available to children and young people", S),
    ("001", "Good provision is made to prepare young people for work.", S),
    ("001", "in work related activities remains a key priority.", W),
    ("001", "The council has a strong track record of securing improvements.", S),
    ("001", "The management of services is outstanding, as is the capacity of the council", S),
    ("001", "Services are focused precisely on identified needs", S),
    ("001", "The users of services are effectively consulted and are mainly content with provision.", S),
    ("001", "The council is very successful in working with a range of partners", S),
    ("001", "It has a clear view of its strengths.", S),
    ("001", "The weaknesses identified below need to be tackled", N),
    # Area intros (repeated wording: one row covers each repeat)
    ("001", "The contribution of services to improving outcomes for children and young people in this aspect "
            "is good.", S),
    ("001", "The contribution of services to improving outcomes for children and young people in this aspect "
            "is outstanding.", S),
    ("001", "for this outcome area is consistent with the evidence.", N),
    ("001", "in this outcome area underestimate a number of important weaknesses and overvalue", W),
    ("001", "in this outcome area is mostly accurate.", N),
    ("001", "The table below sets out the evidence for the grade awarded.", N),
    # Being healthy: Major strengths
    ("001", "Good progress is being made in achieving a comprehensive CAMHS", S),
    ("001", "are getting access to CAMHS compared to 2005/06.", S),
    ("001", "Very good outcomes are being achieved in relation to children", S),
    ("001", "More schools have achieved and been assessed for Healthy School status", S),
    ("001", "Local surveys indicate fewer young people are drinking, smoking or trying illegal drugs", S),
    ("001", "The fostering inspection confirmed that health arrangements for looked after children are "
            "outstanding.", S),
    ("001", "High levels of immunisations, dental checks and health assessments", S),
    ("001", "Children with complex health needs have good access to services", S),
    ("001", "Significant improvement has been achieved in increasing the proportion", S),
    # Being healthy: Important weaknesses
    ("001", "Rates of Chlamydia and other sexually transmitted diseases are higher", W),
    ("001", "Rates of substance misuse related hospital admissions", W),
    # Staying safe: Major strengths
    ("001", "Referral rates are below those found in similar areas.", S),
    ("001", "The common assessment framework has ensured over a third more children in need", S),
    ("001", "The fostering service is outstanding.", S),
    ("001", "Very good performance is achieved in completing core assessments.", S),
    # Enjoying and achieving: Major strengths
    ("001", "The performance of children with low prior attainment, and also that of boys, has improved", S),
    ("001", "At Key Stage 4, more students attain at least five A* to C grades", S),
    ("001", "All secondary schools meet the Government's target for 2008", S),
    ("001", "Children and young people with Bangladeshi heritage attained higher levels", S),
    ("001", "The percentage of permanent and fixed term exclusions from primary schools is much lower", S),
    ("001", "The percentage of permanent exclusions has been reduced from well above average", S),
    ("001", "All excluded children and young people receive tuition", S),
    ("001", "The council provides a good level of support and challenge", S),
    # Enjoying and achieving: Important weaknesses
    ("001", "Standards in English and science at the end of Key Stage 3, although in line with national "
            "averages, are not as high", W),
    # Making a positive contribution: Major strengths
    ("001", "are provided with an excellent range of opportunities to make a positive contribution.", S),
    ("001", "A high percentage of looked after children contribute to their reviews.", S),
    ("001", "This performance is better than similar council areas and the national average.", S),
    ("001", "learners are able to contribute well to the running of their schools", S),
    # Achieving economic well-being: Major strengths, then (glued heading) its weakness
    ("001", "Partnership to develop provision for the 14 to 19 age range is strong", S),
    ("001", "Cooperation between the council and schools, colleges and employers is productive", S),
    ("001", "After a setback last year in bidding to run diplomas, Stockport is now well placed", S),
    ("001", "The percentages of young people reaching Levels 2 and 3 by the age of 19 are above national "
            "averages.", S),
    ("001", "not in employment, education or training has reduced from 8.8% to 6.9%.", S),
    ("001", "not engaged in employment, education or training after the age of 16 remains too high", W),
    # Capacity to improve
    ("001", "capacity to improve its services for children and young people is outstanding and its management", S),
    ("001", "The council has a clear understanding of its strengths and well conceived ambitions", S),
    ("001", "It has demonstrated an ability to make and sustain improvements", S),
    ("001", "It has responded positively and in a timely manner to the areas for development identified in 2007.",
     S),
    ("001", "Planning is highly effective as evidenced by the Children and Young People's Plan.", S),
    ("001", "This is based on effective consultation with stakeholders", S),
    ("001", "The management of improvement is strongly supported by regular and rigorous evaluation", S),
    ("001", "sustained improvements have been made in performance, including in the areas for development", S),
    ("001", "These include, for example, improvements in the waiting times for formal assessments", S),
    ("001", "Such achievements underpin the council's capacity for further improvement", S),
    ("001", "excellent value for money is achieved.", S),
    ("001", "This reflects the excellent quality and responsiveness of leadership", S),

    # --- 002 Stockton-on-Tees 2009: performs well ---------------------------------------------
    ("002", "Children's services rating\tPerforms well", N),
    ("002", "Children's services in Stockton-on-Tees Borough Council perform well.", S),
    ("002", "A higher than average proportion of both primary and secondary schools", S),
    ("002", "There are no inadequate primary schools but two of the 14 secondary schools are inadequate.", W),
    ("002", "Most nurseries are also good or better and the proportion is greater than that of similar areas", S),
    ("002", "A greater proportion of childminder and childcare settings are just satisfactory overall", W),
    ("002", "One special school is outstanding, one is good and one is satisfactory.", W),
    ("002", "The pupil referral unit is good.", S),
    ("002", "The performance of the local authority's fostering and adoption agencies is good.", S),
    ("002", "Private fostering arrangements are also good.", S),
    ("002", "Two of the four children's homes are outstanding and two are good.", S),
    ("002", "They do particularly well in ensuring that children are healthy and safe.", S),
    ("002", "One serious case review was judged to be inadequate in June 2009.", W),
    ("002", "Performance against a large majority of national indicators, including those for staying safe and "
            "enjoying and achieving, is in line with similar areas and the national figure.", N),
    ("002", "Educational achievement matches the national averages at ages 11 and 16 but there are some "
            "inequalities", W),
    ("002", "The gap in outcomes for these young people compared with others of the same age is wider", W),
    ("002", "Achievement of a level 2 qualification by the age of 19 is above similar areas, but at level 3 it is "
            "below.", W),
    ("002", "are not in education, employment or training.", W),
    ("002", "Performance for care leavers and for young people known to the offending services is good", S),

    # --- 003 Trafford 2009: performs well --------------------------------------------------------
    ("003", "Children's services rating\tPerforms well (3)", N),
    ("003", "Children's services in Trafford Metropolitan Borough Council perform well.", S),
    ("003", "The overall effectiveness of a majority of inspected and regulated services and settings is good or "
            "better.", S),
    ("003", "A higher proportion of primary and secondary schools are good or better than is the case nationally "
            "and in similar areas; fewer are inadequate.", S),
    ("003", "Provision for very young children is good; all of the nursery schools are good or outstanding.", S),
    ("003", "Childminding is good and most childcare settings are satisfactory overall.", W),
    ("003", "The local authority fostering and adoption services are good but private fostering is inadequate.", W),
    ("003", "Half of the children's homes are good and the rest are satisfactory.", W),
    ("003", "Judgements on staying safe are all good or better in all settings with the exception of private "
            "fostering", W),
    ("003", "There has been one serious case review which was judged adequate.", N),
    ("003", "A large majority of indicators in the national indicator set are in line with or above", S),
    ("003", "Under staying safe performance is above or in line with similar areas apart from the stability", W),
    ("003", "Outcomes for some other young people whose circumstances make them vulnerable are below", W),
    ("003", "The achievement gap at Key Stage 4 for those young people with special educational needs is wider", W),
    ("003", "A larger proportion of young people receive a custodial sentence than in similar areas.", W),
    ("003", "A smaller proportion of young people leaving care are in training, education or employment", W),

    # --- 004 Stoke-on-Trent 2009: performs adequately -------------------------------------------
    ("004", "Children's services rating\tPerforms adequately (2)", N),
    ("004", "Children's services in Stoke-on-Trent City Council perform adequately.", N),
    ("004", "The overall effectiveness of the majority of inspected and regulated services and settings is "
            "adequate.", N),
    ("004", "Performance is good or better in just under a half of services.", S),
    ("004", "The quality of early years provision is good and better than that in similar authorities.", S),
    ("004", "Improvements to provision have been slower in the primary and secondary sector but nevertheless", W),
    ("004", "Very few settings are inadequate.", S),
    ("004", "The large majority of judgements for staying safe and the majority of judgements for enjoying and "
            "achieving are in line with those for similar areas.", N),
    ("004", "The quality of education and care provision for children and young people whose circumstances make "
            "them vulnerable is good.", S),
    ("004", "are good or outstanding and none is inadequate.", S),
    ("004", "fostering and adoption agencies were judged as adequate at their most recent inspection and private "
            "fostering arrangements were judged as good.", W),
    ("004", "Performance against the majority of national indicators, including those for staying safe and "
            "enjoying and achieving, is in line with in similar areas.", N),
    ("004", "However, a third of indicators are below similar areas and national figures.", W),
    ("004", "The gap in achievement between children and young people whose circumstances make them more "
            "vulnerable and their peers is closing", S),
]
# fmt: on


@cache
def seed(prefix: str) -> Letter:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return read_letter(path)


def section_at(letter: Letter, offset: int) -> str:
    titles = [section.title for section in letter.sections if section.start <= offset < section.end]
    assert titles, f"offset {offset} of {letter.name} lies in no section"
    return titles[0]


@cache
def body_sentences(prefix: str) -> tuple[tuple[int, str], ...]:
    """(offset in letter.text, sentence) of every sentence of the letter's non-boilerplate chunks."""
    letter = seed(prefix)
    found: dict[int, str] = {}
    for chunk in chunk_letter(letter):
        if chunk.boilerplate:
            continue
        for start, end in sentence_spans(chunk.text):
            found[chunk.start + start] = chunk.text[start:end]
    return tuple(sorted(found.items()))


def _same(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def matches(prefix: str, fragment: str) -> list[tuple[int, str]]:
    """The sentences a row labels: those equal to it if any ("Grade 4"), else those containing it."""
    found = body_sentences(prefix)
    whole = [(offset, sentence) for offset, sentence in found if _same(sentence) == _same(fragment)]
    return whole or [(offset, sentence) for offset, sentence in found if fragment in sentence]


def _row_id(prefix: str, fragment: str, label: str) -> str:
    words = re.sub(r"[^A-Za-z0-9 ]", "", fragment).split()[:6]
    return f"{prefix}-{label}-{'_'.join(words)}"


@pytest.mark.parametrize(("prefix", "fragment", "expected"),
                         [pytest.param(*row, id=_row_id(*row)) for row in SENTENCES])
def test_seed_sentence(prefix: str, fragment: str, expected: str) -> None:
    letter = seed(prefix)
    assert fragment in letter.text, f"not in {letter.name}: {fragment!r}"
    found = matches(prefix, fragment)
    assert found, f"{fragment!r} is in no non-boilerplate sentence of {letter.name}"
    # A row is one sentence; it covers several only where the letter repeats that sentence.
    assert len({_same(sentence) for _, sentence in found}) == 1, f"{fragment!r} is not unique: {found}"
    for offset, sentence in found:
        assert letter.text[offset : offset + len(sentence)] == sentence
        section = section_at(letter, offset)
        assert classify(sentence, section) == expected, (sentence, section)


@pytest.mark.parametrize("prefix", sorted({row[0] for row in SENTENCES} | {p.name[:3] for p in SEEDS.glob("*.txt")}))
def test_table_covers_every_body_sentence(prefix: str) -> None:
    labelled: dict[int, list[str]] = {}
    for row_prefix, fragment, _ in SENTENCES:
        if row_prefix == prefix:
            for offset, _ in matches(prefix, fragment):
                labelled.setdefault(offset, []).append(fragment)
    unlabelled = [sentence for offset, sentence in body_sentences(prefix) if offset not in labelled]
    doubly = [(offset, rows) for offset, rows in labelled.items() if len(rows) > 1]
    assert not unlabelled, f"sentences of {prefix} without a label: {unlabelled}"
    assert not doubly, f"sentences of {prefix} labelled twice: {doubly}"


def test_label_counts_per_seed() -> None:
    """The labels' spread: every letter has findings of both kinds except where it does not."""
    counts = {}
    for prefix, _, label in SENTENCES:
        counts.setdefault(prefix, {S: 0, W: 0, N: 0})[label] += 1
    assert all(counts[p][S] and counts[p][W] for p in counts)
    assert sum(c[W] for c in counts.values()) >= 30


# --- sentences -----------------------------------------------------------------------------


def test_sentences_keep_numbers_whole_and_split_items_and_rows() -> None:
    text = ("- The number fell from 8.8% to 6.9%. More are in work than in 2005/06.\n"
            "- Second item.\nBeing healthy\t3\nStaying safe\t4\n-----\t-----\n\nGrade 3\n\n"
            "This sentence is hard\nwrapped, across lines. Next one")
    assert sentences(text) == [
        "The number fell from 8.8% to 6.9%.", "More are in work than in 2005/06.", "Second item.",
        "Being healthy\t3", "Staying safe\t4", "Grade 3", "This sentence is hard\nwrapped, across lines.", "Next one",
    ]
    for start, end in sentence_spans(text):
        assert text[start:end] == text[start:end].strip()


def test_sentences_end_at_stops_with_closing_quotes() -> None:
    assert sentences("It was 'good.' Then (better.) Last") == ["It was 'good.'", "Then (better.)", "Last"]


# --- classify: the rules ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "section", "expected"), [
    ("Referral rates are below those found in similar areas.", "Staying safe: Major strengths", S),
    ("Take-up of the service is above average.", "Being healthy: Important weaknesses and areas for development", W),
    ("Partnership working is good.", "Areas for development", W),
    # A severe cue beats a Major strengths heading (a glued heading misfiles the first weakness).
    ("The percentage not in education remains too high.", "Achieving economic well-being: Major strengths", W),
    ("Very few settings are inadequate.", "Staying safe: Major strengths", S),
    ("Grade 3", "Being healthy: Major strengths", N),
    ("The children's services grade is the performance rating for the purpose of section 138 of the Education and "
     "Inspections Act 2006. It will also provide the score for the children and young people service block in the "
     "comprehensive performance assessment to be published by the Audit Commission.",
     "Capacity to improve: Important weaknesses and areas for development", N),
    ("", "", N),
    ("Children's services in Exampleshire County Council perform poorly.", "", W),
    ("Children's services in Exampleshire County Council perform excellently.", "", S),
    ("Rates of teenage conceptions have fallen.", "", S),
    ("Rates of teenage conceptions are higher than in similar areas.", "", W),
    ("Fewer schools are good than nationally.", "", W),
    ("No primary school is good or outstanding.", "", W),
    ("The gap between looked after children and their peers has narrowed.", "", S),
    ("The gap between looked after children and their peers is wide.", "", W),
    ("Fostering is satisfactory.", "", N),
    ("Fostering is good but adoption is only satisfactory.", "", W),
    ("Attainment is in line with similar areas.", "", N),
    ("Exclusions have been reduced.", "", S),
])
def test_classify_rules(text: str, section: str, expected: str) -> None:
    assert classify(text, section) == expected


def test_passage_is_weakness_when_any_sentence_is() -> None:
    passage = "Provision for very young children is good. Childminding is inadequate."
    assert classify_sentences(passage) == [S, W]
    assert classify(passage) == W
    assert classify("Provision is good. The table below sets out the evidence.") == S
    assert classify("Grade 3\n\nThe table below sets out the evidence.") == N


def test_subheading_inside_a_passage_sets_the_section_for_what_follows() -> None:
    passage = ("- Levels 2 and 3 are reached by more young people.\nImportant weaknesses and areas for development\n"
               "- Levels 2 and 3 are reached by more young people.")
    assert classify_sentences(passage, "Achieving economic well-being: Major strengths") == [S, N, W]


def test_every_seed_chunk_agrees_with_its_sentences() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        letter = read_letter(path)
        for chunk in chunk_letter(letter):
            labels = classify_sentences(chunk.text, chunk.section)
            expected = W if W in labels else S if S in labels else N
            assert classify(chunk.text, chunk.section) == expected
            if chunk.boilerplate:
                assert expected == N, chunk.text


# --- questions ---------------------------------------------------------------------------------


SEED_COUNCILS = (("Stockport Metropolitan Borough Council", "Stockport"), ("Trafford Metropolitan Borough Council",
                 "Trafford"), ("Stoke-on-Trent City Council", "Stoke-on-Trent"),
                 ("Stockton-on-Tees Borough Council", "Stockton-on-Tees"))


@pytest.mark.parametrize(("question", "expected"), [
    ("What are Stockport's weaknesses?", W),
    ("What are the areas for development in Trafford?", W),
    ("What is going badly in Stoke-on-Trent?", W),
    ("What went wrong in Stockton's 2009 letter?", W),
    ("Any problems with private fostering in Trafford?", W),
    ("What concerns did Ofsted raise about Stockport?", W),
    ("What needs to improve in Stoke?", W),
    ("Give me the bad news for Stockton-on-Tees", W),
    ("What isn't going well in Stockport schools?", W),
    ("Where does Stoke fall short? What did Ofsted criticise? Any criticisms?", W),
    ("What are Stockport's strengths?", S),
    ("What is going well in Trafford?", S),
    ("What are they good at in Stoke-on-Trent?", S),
    ("Any positives for Stockton?", S),
    ("What's the good news for Stockport?", S),
    ("What went well for Stockport in 2008?", S),
    ("Where did Ofsted praise Trafford?", S),
    ("What did Ofsted say about private fostering in Trafford?", None),
    ("How did Stockport do for staying safe in 2008?", None),
    ("What rating did Stoke-on-Trent get?", None),
    ("Who signed the letter to Stockton?", None),
    ("Which council performs best?", None),
    ("Has Stockport got worse since 2008?", None),
    # Grade words are rating questions, answered from the ratings table, not polarity filters.
    ("Which councils are inadequate?", None),
    ("Which councils are outstanding for staying safe?", None),
])
def test_polarity_a_question_asks_for(question: str, expected: str | None) -> None:
    """How qa/query.py reads a question's polarity, in a councillor's or journalist's words."""
    from qa.query import parse_question

    assert parse_question(question, SEED_COUNCILS).polarity == expected


# --- linear time on untrusted text --------------------------------------------------------------


def _patterns() -> list[re.Pattern[str]]:
    """Every compiled pattern that reads letter text or user questions in these modules."""
    from index import sentences as sentences_module
    from qa import glossary, query

    found = [value for module in (polarity, sentences_module, query) for value in vars(module).values()
             if isinstance(value, re.Pattern)]
    found += [pattern for pattern, _ in glossary._ENTRIES]
    assert len(found) >= 25
    return found


_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT} | (
    {sre_parse.POSSESSIVE_REPEAT} if hasattr(sre_parse, "POSSESSIVE_REPEAT") else set()
)


def _nested_repeat(items, inside: bool) -> bool:
    """True when a quantifier (?, *, +, {m,n}) sits inside another one."""
    for op, arg in items:
        if op in _REPEATS:
            if inside:
                return True
            if _nested_repeat(arg[2], True):
                return True
        elif op is sre_parse.SUBPATTERN and _nested_repeat(arg[-1], inside):
            return True
        elif op is sre_parse.BRANCH and any(_nested_repeat(branch, inside) for branch in arg[1]):
            return True
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT) and _nested_repeat(arg[1], inside):
            return True
    return False


@pytest.mark.parametrize("pattern", _patterns(), ids=lambda p: p.pattern[:40])
def test_no_pattern_has_nested_quantifiers(pattern: re.Pattern[str]) -> None:
    assert not _nested_repeat(sre_parse.parse(pattern.pattern, pattern.flags), False), pattern.pattern


def test_nested_quantifier_check_catches_one() -> None:
    assert _nested_repeat(sre_parse.parse(r"(?:a+)*b"), False)
    assert _nested_repeat(sre_parse.parse(r"(?:x(?:es)?)+"), False)
    assert not _nested_repeat(sre_parse.parse(r"\b(?:ab|c(?:d)?)\b[a-z]{0,9}"), False)


ADVERSARIAL = [".", "a.", "....a ", "no ", "none of the ", "gap ", "a,\nb", "- ", "\t", "However ", "good but ",
               "too ", "x" * 50 + "\n", "'", "not as ", "no good is ", "Grade ", "a" * 200 + ". "]


def _best_time(func, text: str, repeats: int = 5) -> float:
    """CPU time (waiting for a core while other processes run does not count), best of `repeats`."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        func(text)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("unit", ADVERSARIAL, ids=repr)
def test_linear_time_on_adversarial_text(unit: str) -> None:
    """8x the input costs about 8x the time (not 64x): a ratio, never a wall-clock limit."""
    small, large = ((unit * (n // len(unit) + 1))[:n] for n in (2_000, 16_000))
    for func in (lambda t: classify(t, "Being healthy: Major strengths"), classify):
        # Measured up to three times, the smallest kept: a burst of load cannot fail a linear
        # parser (one run at load 5 gave 20.4), a quadratic one (~64) fails every time.
        ratio = min(_best_time(func, large) / max(_best_time(func, small), 1e-6) for _ in range(3))
        assert ratio < 20, (unit, ratio)


@pytest.mark.parametrize("sentence, label", [
    ("Children's services in Stockport do not perform well.", "weakness"),
    ("Partnership working has not been effective in reducing exclusions.", "weakness"),
    ("The service hasn't been successful in recruiting foster carers.", "weakness"),
    ("Outcomes for looked after children are not only good but improving.", "strength"),
    ("Children's services in Stockport perform well.", "strength"),
])
def test_a_negated_strength_is_a_weakness(sentence, label):
    """Before: "do not perform well" was a strength (the cue "perform well" read alone)."""
    assert classify(sentence, "") == label


def test_polarity_on_sentences_labelled_by_someone_else() -> None:
    """tests/fixtures/polarity_labelled.jsonl: every body sentence of the seeds and the kinds'
    test letters (336), labelled by a helper who never saw the rules (issue 29). Measured at
    e245a0f and now: weakness precision 0.86, recall 1.00; strength precision 0.99, recall 0.94.
    A weakness is never missed; the 7 sentences read as weaknesses that the labeller read
    otherwise mix praise with "satisfactory" or an exception, and answers mark them "mixed"."""
    import json

    from index.polarity import classify

    rows = [json.loads(line) for line in (SEEDS.parent / "tests" / "fixtures" / "polarity_labelled.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 330
    pairs = [(row["label"], classify(row["sentence"], row["section"])) for row in rows]
    for label, precision, recall in (("weakness", 0.86, 1.0), ("strength", 0.98, 0.93)):
        tp = sum(1 for gold, got in pairs if gold == got == label)
        found = sum(1 for _, got in pairs if got == label)
        wanted = sum(1 for gold, _ in pairs if gold == label)
        assert tp / found >= precision and tp / wanted >= recall, (label, tp, found, wanted)
