"""Fuzzing the question side: whatever the text, parse_question gives a self-consistent Query
(only QuestionError may escape), and Assistant.ask / search give strings and exact citations.

Inputs: any Unicode text (lone surrogates and control characters included), the seeds' and
every authority's names glued together or wrapped in markdown and HTML, question templates
filled at random, and follow-ups parsed after a random earlier question. 4,000 parses, then
300 asks and searches over a seeds index built with the fake embedder (fast; the answers'
wording is not the point, their shape is). Nothing is written to the working directory
(no database; Hypothesis's cache goes to a temporary folder, as in tests/test_fuzz_letters.py).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from conftest import SEEDS, FakeEmbedder
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from index.councils import AUTHORITIES
from index.errors import QuestionError
from index.kinds import AREA_KEYS as KNOWN_AREAS
from index.kinds import KEYS as KINDS
from index.kinds.scales import SCALES
from index.letters import read_letter
from index.services import BY_KEY as SERVICES
from qa import Answer
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
    MAX_NAMES,
    MAX_QUESTION_CHARS,
    OPEN,
    SERVICE_INTENTS,
    STRENGTHS,
    SUMMARY,
    SUPERLATIVE,
    WEAKNESSES,
    Query,
    parse_question,
)
from qa.retriever import Passage

pytestmark = pytest.mark.slow  # hypothesis: thousands of generated questions

if not os.getenv("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "letters-qa-hypothesis")

INTENTS = {LIST, COUNT, SUPERLATIVE, LOOKUP, COMPARE, CHANGE, FACTS, SUMMARY, STRENGTHS, WEAKNESSES, OPEN, COUNCIL,
           DEFINITION, CLARIFY, *SERVICE_INTENTS}
AREA_KEYS = set(KNOWN_AREAS)
SEED_COUNCILS = tuple(sorted({(letter.council, letter.short_name)
                              for letter in map(read_letter, sorted(SEEDS.glob("*.txt")))}))
KNOWN = {full for full, _ in SEED_COUNCILS}
NAMES = sorted({name for pair in SEED_COUNCILS for name in pair}
               | {name for a in AUTHORITIES for name in (a.name, a.formal, *a.variants)})


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


# --- strategies ----------------------------------------------------------------------------------

names = st.sampled_from(NAMES)
any_text = st.text(max_size=200)
# Lone surrogates and control characters, which st.text leaves out by default.
odd_chars = st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp", "Mn"])
odd_text = st.text(alphabet=odd_chars | st.characters(), max_size=60)
FRAGMENTS = [
    "Which councils perform", "well", "adequately", "poorly", "excellently", "outstanding", "inadequate", "good",
    "How many councils", "were rated", "4", "(2)", "or better", "at least", "in 2008", "in 2009", "2009", "1999",
    "What rating did", "get", "Did", "What about", "And", "how about", "Compare", "and", "versus", "vs",
    "Who signed", "the letter", "when was", "sent", "summary of", "strengths", "weaknesses", "areas for development",
    "going badly", "staying safe", "being healthy", "capacity to improve", "economic well-being", "APA",
    "annual rating", "best", "worst", "top", "bottom", "improved since", "private fostering", "?", ".", ",", "'s",
    "**", "_", "`", "<b>", "</b>", "[x](y)", "# ", "- ", "\n", "\t", "\x00", "\u2028", "\u200b", "’", "-", "--",
    "not", "does not meet the minimum requirements", "Onion on", "Kingston upon", "City of", "St.", "the",
]


@st.composite
def templated(draw: st.DrawFn) -> str:
    """Question-shaped text: fragments and council names in a random order and spacing."""
    parts = draw(st.lists(st.sampled_from(FRAGMENTS) | names | any_text.map(lambda t: t[:20]), max_size=14))
    separators = st.sampled_from([" ", "", "  ", "-", "\n", ", ", "/"])
    return "".join(part + draw(separators) for part in parts)


@st.composite
def glued_names(draw: st.DrawFn) -> str:
    """Council names glued together, cased at random, in markdown or HTML."""
    picked = draw(st.lists(names, min_size=1, max_size=6))
    glue = draw(st.sampled_from(["", " ", "-", "and", " and ", "'s", "’s ", "/", "\u00a0"]))
    text = glue.join(draw(st.sampled_from([n, n.upper(), n.lower(), n.replace(" ", "")])) for n in picked)
    wrap = draw(st.sampled_from(["{}", "**{}**", "<b>{}</b>", "[{}](http://x)", "`{}`", "What about {}?",
                                 "Did {} get a good rating?", "Compare {}", "{}?", "And {}"]))
    return wrap.format(text)


questions = st.one_of(any_text, odd_text, templated(), glued_names(),
                      st.text(alphabet=st.sampled_from("Aa '’-.?!()0123456789\n"), max_size=300),
                      st.just("x" * (MAX_QUESTION_CHARS + 5)))


def check_query(query: Query, text: str, previous: Query | None) -> None:
    assert isinstance(query, Query)
    assert query.text == text[:MAX_QUESTION_CHARS]
    assert query.intent in INTENTS
    assert set(query.councils) <= KNOWN and len(set(query.councils)) == len(query.councils)
    assert all(isinstance(name, str) and name.strip() for name in query.unknown_councils)
    assert len(query.unknown_councils) <= MAX_NAMES
    if not query.followup:
        assert all(name in text for name in query.unknown_councils)
    assert all(type(year) is int and 1900 <= year <= 2099 for year in query.years)
    assert list(query.years) == sorted(set(query.years))
    assert set(query.grades) <= {1, 2, 3, 4} and list(query.grades) == sorted(set(query.grades))
    assert set(query.kinds) <= set(KINDS) and set(query.areas) <= AREA_KEYS
    assert query.scale in (None, *(scale.key for scale in SCALES))
    assert query.polarity in (None, "strength", "weakness") and query.extreme in (None, "max", "min")
    assert set(query.facts) <= {"signatory", "date", "recipient"}
    assert set(query.services) <= set(SERVICES) and len(set(query.services)) == len(query.services)
    assert query.comparison in (None, "above", "in_line", "below")
    assert query.threshold is None or (query.threshold[0] in ("more", "least", "less") and query.threshold[1] >= 0)
    assert query.intent not in SERVICE_INTENTS or query.services
    assert isinstance(query.topic, str) and isinstance(query.search_text, str)
    assert previous is not None or not query.followup


def parse(text: str, previous: Query | None = None) -> Query | None:
    try:
        query = parse_question(text, SEED_COUNCILS, previous)
    except QuestionError:
        return None
    check_query(query, text, previous)
    return query


# --- parse_question ----------------------------------------------------------------------------------


@fuzz(2500)
@given(questions)
def test_any_question_parses_to_a_consistent_query(text: str) -> None:
    parse(text)


@fuzz(1500)
@given(questions, questions)
def test_any_follow_up_parses_to_a_consistent_query(first: str, second: str) -> None:
    parse(second, parse(first))


def test_the_checks_accept_plain_questions() -> None:
    """The checks themselves pass on real questions (a failure above is the parser's)."""
    assert parse("Which councils perform well?").intent == LIST
    assert parse("What rating did Trafford get?").intent == LOOKUP
    follow = parse("And Stockport?", parse("What rating did Trafford get?"))
    assert follow.followup and follow.councils == ("Stockport Metropolitan Borough Council",)
    assert parse("Did Narnia get a good rating?").unknown_councils == ("Narnia",)


# --- Assistant.ask and search --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    from index.update import update_index
    from qa import Assistant

    index_dir = tmp_path_factory.mktemp("fuzz-questions") / "index"
    update_index(SEEDS, index_dir, embedder=FakeEmbedder())
    return Assistant.open(index_dir, embedder=FakeEmbedder())


def check_span(assistant, letter: str, start: int, end: int, text: str) -> None:
    assert 0 <= start < end
    assert (assistant.reader.letter_text(letter) or "")[start:end] == text


@fuzz(150)
@given(questions, st.lists(questions, max_size=3))
def test_ask_answers_with_exact_citations(assistant, text: str, history: list[str]) -> None:
    try:
        answer = assistant.ask(text, history=history)
    except QuestionError as exc:  # empty or over-long: a message saying so
        assert "question" in str(exc) or "history" in str(exc)
        return
    assert isinstance(answer, Answer) and isinstance(answer.text, str) and answer.text.strip()
    assert answer.intent in INTENTS
    for citation in answer.citations:
        check_span(assistant, citation.letter, citation.start, citation.end, citation.text)
    for row in answer.ratings:
        assert 1 <= row.grade <= 4


@fuzz(150)
@given(questions, st.integers(1, 12))
def test_search_hits_are_exact_spans(assistant, text: str, k: int) -> None:
    try:
        hits = assistant.search(text, k=k)
    except QuestionError as exc:
        assert "query" in str(exc)
        return
    assert isinstance(hits, list) and len(hits) <= k
    for hit in hits:
        assert isinstance(hit, Passage)
        check_span(assistant, hit.letter, hit.start, hit.end, hit.text)
