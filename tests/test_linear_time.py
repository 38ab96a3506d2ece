"""Every parser that reads user text runs in time linear in that text.

User text is questions (qa/query.py, index/councils.py, qa/assistant.py's search, qa/evidence.py)
and uploaded letters (index/letters.py, index/kinds, index/sentences.py, index/polarity.py,
index/chunks.py). For each parser and each adversarial family (repeated council-ish words,
runs of punctuation, digits, spaces, thousands of headings, long lines, ...) the cost is
measured at size n and 8n in the same run, and the ratio is compared with a bound.

Why the bound is 24: a linear parser's ratio is about 8 (less when a fixed cost dominates), a
quadratic one's about 64, a cubic one's about 512. 24 = 8 x 3 sits at the geometric midpoint
of linear and quadratic (sqrt(8 x 64) = 22.6), so a linear parser has 3x of room for timing
noise (caches, another process on the 2 shared cores) and a quadratic one still fails by 2.7x.
Costs are CPU time (time.process_time: time spent waiting for the CPU while other processes
run does not count), each the best of three timings taken in turn for n and 8n, each timing
looping the call until it has used 5 ms (so the clock's resolution does not matter); a ratio
over the bound is measured twice more and the smallest kept, so a burst of load cannot fail
a linear parser, while a super-linear one fails every time. No wall-clock limit anywhere:
only ratios within one run.

Questions are capped at MAX_QUESTION_CHARS by the Assistant; the parsers are timed with the
cap lifted, so each must be linear on its own, not only thanks to the cap.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable

import pytest
from conftest import SEEDS, FakeEmbedder

from index.bm25 import query_terms
from index.chunks import chunk_letter
from index.councils import AUTHORITIES, canonical, find_mentions
from index.errors import LetterError, QuestionError
from index.judgements import judgements_in
from index.kinds import KINDS
from index.letters import normalise, parse_letter, read_letter
from index.polarity import classify
from index.sentences import sentence_spans
from qa import assistant as assistant_module
from qa import query as query_module
from qa.evidence import judged
from qa.query import MAX_QUESTION_CHARS, parse_question
from qa.retriever import Passage

pytestmark = pytest.mark.slow  # every parser timed at n and 8n

BOUND = 24  # see the module docstring
RATIOS: dict[str, float] = {}  # every measured ratio, for the report (pytest -s prints them)


def _per_call(func: Callable, arg) -> float:
    """CPU seconds one call takes: calls are repeated until they have used 5 ms."""
    number = 1
    while True:
        start = time.process_time()
        for _ in range(number):
            func(arg)
        elapsed = time.process_time() - start
        if elapsed >= 0.005:
            return elapsed / number
        number *= 2


def _ratio(func: Callable, small, large) -> float:
    """Best cost of `large` over best cost of `small`, measured in turn three times (once when
    `large` takes over 0.1 s a call), so a burst of load touches both sizes alike."""
    best_small = best_large = float("inf")
    for _ in range(3):
        best_small = min(best_small, _per_call(func, small))
        best_large = min(best_large, _per_call(func, large))
        if best_large > 0.1:
            break
    return best_large / max(best_small, 1e-9)


def growth(name: str, func: Callable, make: Callable[[int], object], n: int) -> float:
    """Cost at 8n over cost at n (see the module docstring); asserts the bound."""
    small, large = make(n), make(8 * n)
    func(small)  # warm: compiled patterns, lru caches
    ratios = []
    for _ in range(3):
        ratios.append(_ratio(func, small, large))
        if ratios[-1] <= BOUND:
            break
    ratio = min(ratios)
    RATIOS[name] = ratio
    print(f"ratio {ratio:6.1f}  {name}")
    assert ratio <= BOUND, f"{name}: 8x the input cost {ratio:.0f}x the time (bound {BOUND}): super-linear"
    return ratio


def repeat(unit: str) -> Callable[[int], str]:
    """`unit` repeated to exactly n characters."""
    return lambda n: (unit * (n // len(unit) + 1))[:n]


def distinct_names(template: str) -> Callable[[int], str]:
    """`template` filled with ever new capitalised names ("Did Qab get ..."), n characters in all."""
    def make(n: int) -> str:
        out, size = [], 0
        for i in itertools.count():
            word = "Q" + "".join(chr(97 + (i // 26**k) % 26) for k in range(4))
            piece = template.format(word)
            out.append(piece)
            size += len(piece)
            if size >= n:
                return "".join(out)[:n]
    return make


# --- questions ----------------------------------------------------------------------------------

SEED_COUNCILS = tuple(sorted({(letter.council, letter.short_name)
                              for letter in map(read_letter, sorted(SEEDS.glob("*.txt")))}))
ALL_COUNCILS = tuple((authority.formal, authority.name) for authority in AUTHORITIES)
ALL_NAMES = [name for authority in AUTHORITIES for name in (authority.name, authority.formal, *authority.variants)]

QUESTION_FAMILIES: dict[str, Callable[[int], str]] = {
    "X on Y and Z upon W": repeat("X on Y and Z upon W "),
    "Onion": repeat("Onion "),
    "Onion on": repeat("Onion on "),
    "Did Onion": lambda n: "Did " + repeat("Onion ")(n) + "x",
    "capitalised words": repeat("Aa Bb Cc Dd Ee Ff "),
    "distinct did X get": distinct_names("did {} get "),
    "distinct And X": distinct_names("And {}? "),
    "distinct names": distinct_names("{} "),
    "and what about": repeat("and what about "),
    "What about": repeat("What about "),
    "every authority name": lambda n: repeat(" and ".join(ALL_NAMES) + " ")(n),
    "every authority, lower case": lambda n: repeat(" ".join(ALL_NAMES).lower() + " ")(n),
    "Stockport's": repeat("Stockport's "),
    "Kingston upon": repeat("Kingston upon "),
    "City of": repeat("City of "),
    "St.": repeat("St. "),
    "Stoke-on-": repeat("Stoke-on-"),
    "the": repeat("the "),
    "spaces": lambda n: "Which" + " " * n + "councils?",
    "tabs and newlines": repeat("\t\n "),
    "dots": repeat("."),
    "question marks": repeat("?!"),
    "apostrophes": repeat("'’"),
    "hyphens": repeat("-–—"),
    "digits": repeat("1234567890"),
    "years": repeat("2009 "),
    "grades": repeat("rated 4 (1) "),
    "percent": repeat("9.8% "),
    "nested brackets": lambda n: "(" * (n // 2) + ")" * (n // 2),
    "markdown": repeat("**_`[x](y)`_** # "),
    "html": repeat("<b><i>x</i></b>"),
    "not meet minimum": repeat("does not meet the minimum "),
    "perform": repeat("perform "),
    "when was": repeat("when was the "),
    "how many": repeat("how many x "),
    "strengths": repeat("strengths weaknesses "),
    "areas": repeat("staying safe capacity economic "),
    "unicode": repeat("Öçé ßİ ǅ "),
    "glossary words": repeat("kids in care locked up a&e a-level at-risk sen "),
    "service words": repeat("private fostering kids' homes more than 3 below similar areas got better "),
}


@pytest.fixture
def uncapped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsers without the question length cap, so their own growth is measured."""
    monkeypatch.setattr(query_module, "MAX_QUESTION_CHARS", 10**8)
    monkeypatch.setattr(assistant_module, "MAX_QUESTION_CHARS", 10**8)


@pytest.mark.parametrize("family", QUESTION_FAMILIES)
def test_parse_question_is_linear(uncapped, family: str) -> None:
    make = QUESTION_FAMILIES[family]
    previous = parse_question("Which councils perform well?", SEED_COUNCILS)
    growth(f"parse_question {family}", lambda t: parse_question(t, SEED_COUNCILS), make, 2_000)
    growth(f"parse_question follow-up {family}", lambda t: parse_question(t, SEED_COUNCILS, previous), make, 2_000)


@pytest.mark.parametrize("family", ["Onion on", "distinct did X get", "every authority name", "capitalised words"])
def test_parse_question_with_every_authority_indexed_is_linear(uncapped, family: str) -> None:
    """Each council named costs a pass over the question, so 8,000 characters: enough to name
    all 154 at both sizes (at 2,000 the larger size also names more councils, and costs 19x)."""
    growth(f"parse_question, 154 councils, {family}", lambda t: parse_question(t, ALL_COUNCILS),
           QUESTION_FAMILIES[family], 8_000)


@pytest.mark.parametrize("family", ["X on Y and Z upon W", "Onion on", "every authority name", "St.",
                                    "hyphens", "distinct names", "unicode"])
def test_council_names_are_found_in_linear_time(family: str) -> None:
    make = QUESTION_FAMILIES[family]
    growth(f"find_mentions {family}", find_mentions, make, 2_000)
    growth(f"canonical {family}", canonical, make, 2_000)


@pytest.mark.parametrize("family", ["digits", "unicode", "apostrophes", "every authority name"])
def test_search_terms_are_linear(family: str) -> None:
    growth(f"query_terms {family}", query_terms, QUESTION_FAMILIES[family], 2_000)


ANSWER_FAMILIES: dict[str, Callable[[int], str]] = {
    **QUESTION_FAMILIES,
    "markers": repeat("[1] "),
    "marker lists": repeat("[1, 2, 3, "),
    "open quotes": repeat('"x '),
    "curly quotes": repeat("“x” "),
    "sentences citing": repeat("Trafford is good [1]. "),
    "numbers with commas": repeat("1,2,3,"),
    "bullets": repeat("\n- * 1. "),
}


@pytest.mark.parametrize("family", ANSWER_FAMILIES)
def test_checking_a_models_answer_is_linear(monkeypatch, family: str) -> None:
    """qa/verify.py reads a model's text (which a letter may have steered): linear without its cap."""
    from qa import verify as verify_module
    from qa.answer import Citation

    monkeypatch.setattr(verify_module, "MAX_ANSWER_CHARS", 10**8)
    passages = [Citation("a.txt", "Trafford Metropolitan Borough Council", 2009, "annual_rating", "S",
                         "Trafford is good. 1,2,3 x", 0, 24)] * 3
    growth(f"verify {family}", lambda text: verify_module.verify(text, passages, SEED_COUNCILS),
           ANSWER_FAMILIES[family], 2_000)


@pytest.mark.parametrize("family", ["every authority name", "unicode", "apostrophes", "hyphens", "glossary words"])
def test_glossary_expansion_is_linear(family: str) -> None:
    from qa.glossary import expand

    growth(f"glossary.expand {family}", expand, QUESTION_FAMILIES[family], 2_000)


@pytest.fixture(scope="module")
def fake_assistant(tmp_path_factory):
    """An Assistant over the seeds with the fake embedder: the whole ask/search path, no model."""
    from index.update import update_index
    from qa import Assistant

    index_dir = tmp_path_factory.mktemp("linear-index") / "index"
    update_index(SEEDS, index_dir, embedder=FakeEmbedder())
    return Assistant.open(index_dir, embedder=FakeEmbedder())


@pytest.mark.parametrize("family", ["Onion on", "distinct did X get", "distinct And X", "every authority name",
                                    "and what about", "capitalised words", "apostrophes", "markdown"])
def test_assistant_ask_and_search_are_linear(uncapped, fake_assistant, family: str) -> None:
    make = QUESTION_FAMILIES[family]
    growth(f"Assistant.search {family}", lambda t: fake_assistant.search(t, k=5), make, 2_000)
    growth(f"Assistant.ask {family}", fake_assistant.ask, make, 2_000)
    history = ["Which councils perform well?"]
    growth(f"Assistant.ask with history {family}", lambda t: fake_assistant.ask("And Trafford?", history=[*history, t]),
           make, 2_000)


def _passage(text: str) -> Passage:
    return Passage("x.txt", "X Council", 2009, "annual_rating", "Section", text, 0, len(text), 1.0, 0.5, 1.0)


@pytest.mark.parametrize("family", [
    "one long sentence, then a stop without a space", "dots", "question marks", "distinct names"])
def test_open_answers_judge_passages_in_linear_time(family: str) -> None:
    makers = {"one long sentence, then a stop without a space": lambda n: "fostering " * (n // 10) + ".x"}
    make = makers.get(family) or QUESTION_FAMILIES[family]
    growth(f"evidence.judged {family}", lambda t: judged([_passage(t)], "private fostering"), make, 2_000)


# --- letters --------------------------------------------------------------------------------------

ANNUAL_SEED = (SEEDS / "004_2db2c4d829b3adf3.txt").read_text(encoding="utf-8")
APA_SEED = (SEEDS / "001_e96dc17fe53b9130.txt").read_text(encoding="utf-8")

LETTER_FAMILIES: dict[str, Callable[[int], str]] = {
    "Major strengths headings": repeat("Major strengths\n"),
    "Major strengths blocks": repeat("Major strengths\n\n"),
    "Important weaknesses blocks": repeat("Important weaknesses and areas for development\n\n- x\n"),
    "long line of words": repeat("word "),
    "long word": repeat("a"),
    "spaces in a line": lambda n: "x" + " " * n + "x",
    "tabs in a line": lambda n: "x" + "\t" * n + "x",
    "digits": repeat("1234567890"),
    "percent signs": repeat("9.8% "),
    "percent run": repeat("%"),
    "apostrophes": repeat("'’"),
    "hyphens": repeat("-"),
    "dashes and spaces": repeat("- "),
    "dots": repeat("."),
    "stops and quotes": repeat(".'”) "),
    "short sentences": repeat("a. "),
    "one sentence per line": repeat("A b.\n"),
    "wrapped lines": repeat("a,\nb "),
    "capitalised words": repeat("Aa "),
    "Council words": repeat("Council "),
    "years": repeat("2009 "),
    "brackets": repeat("("),
    "pipes": repeat("| "),
    "html tags": repeat("<a "),
    "open html tag": lambda n: "<a" + "b" * n,
    "bullet glyphs": repeat("• "),
    "spaces before a glyph": lambda n: " " * n + "x",
    "Grade lines": repeat("Grade 3\n"),
    "markdown headings": repeat("# H\n"),
    "line separators": repeat("\u2028"),
    "Mr": repeat("Mr "),
    "Dear lines": repeat("Dear x ,\n"),
    "salutation with a long tail": lambda n: "Dear x" + " ," * (n // 2) + "y",
    "salutation with a long name": lambda n: "Dear Mr " + "A" * n,
    "area title and spaces": lambda n: "Staying safe" + " " * n + "x",
    "area title, spaces and a digit": lambda n: "Staying safe" + " " * n + "5",
    "area rows": repeat("Staying safe\t1\n"),
    "area titles": repeat("Staying safe "),
    "area heading and spaces": lambda n: "Staying safe\n" + "\u2028" * n + "x",
    "rating sentences without a stop": repeat("Children's services in X perform well "),
    "rating sentence, long tail": lambda n: "Children's services in X perform well" + " and" * (n // 4),
    "rating rows": repeat("Children's services rating\tPerforms well (3)\n"),
    "rating row and spaces": lambda n: "Children's services rating\tPerforms well" + " " * n + "x",
    "APA title and spaces": lambda n: ("Annual performance assessment of services for children and young people in a"
                                       + " " * n + "b"),
    "APA titles": repeat("Annual performance assessment of services for children and young people in a 2008 b\n"),
    "council contribution": repeat("Aa Council's contribution "),
    "signature-like words": repeat("Jane Smith Director "),
    # The other kinds' titles and rows (index/kinds), each repeated and each left unfinished.
    "2005 APA titles": repeat("2005 annual performance assessment of a "),
    "2005 APA service rows": repeat("The contribution of the local authority's social care services x\t2\n"),
    "2005 APA service row and spaces": lambda n: "The contribution of the council's a services" + " " * n + "x",
    "unannounced titles": repeat("Unannounced inspection of contact, referral and assessment arrangements within a "),
    "inspection dates": repeat("undertaken on 2 and "),
    "assessment rows": repeat("Overall effectiveness\tChildren's services assessment\tPerforms well (3)\n"),
    "assessment titles": repeat("children's services assessment "),
    "subheadings over lists": repeat("Key areas for further development\n- x\n"),
    "titles over grades": repeat("Staying safe\nGrade 2\n"),
    # The inspections since 2013 (SIF, ILACS, visits, JTAI): titles, worded rows, the overall sentence, dates.
    "ILACS titles": repeat("Inspection of a "),
    "ILACS title and spaces": lambda n: "Inspection of a" + " " * n + "children's services x",
    "worded rows": repeat("The experiences and progress of children in care\tRequires improvement to be good\n"),
    "worded row and spaces": lambda n: "Overall effectiveness" + " " * n + "Requires improvement x",
    "area titles over worded grades": repeat("2.1 Adoption performance\nRequires improvement\n"),
    "SIF titles": repeat("a\nInspection of services for children in need of help and protection, "),
    "inspection sentences": repeat("Children's services in X require improvement to be "),
    "visit titles": repeat("Focused visit to a "),
    "visit dates": repeat("findings of the monitoring visit to x on 4 and "),
    "JTAI dates": repeat("Between 7 and 11 May 2018, Ofsted "),
    "fact lines": repeat("Inspection dates: Lead inspector: "),
    # Judgements of services (index/judgements.py): services, levels, counts, comparisons, exceptions.
    "judging sentences": repeat("Two of the 14 secondary schools are good but private fostering is inadequate; "),
    "judging sentences with stops": repeat("The fostering and adoption services are good as is the children's home. "),
    "service words": repeat("private fostering children's homes primary and secondary "),
    "level words": repeat("good or better "),
    "comparisons": repeat("a higher proportion than similar areas "),
    "exceptions": repeat("with the exception of the pupil referral unit where "),
}


def _letter(base: str, blob: str, where: str) -> bytes:
    at = 0 if where == "header" else base.index("Yours sincerely")
    return (base[:at] + blob + "\n\n" + base[at:]).encode("utf-8")


def _parse(data: bytes):
    try:
        return parse_letter(data, "x.txt")
    except LetterError:
        return None


@pytest.mark.parametrize("family", LETTER_FAMILIES)
@pytest.mark.parametrize(("seed", "where"), [("annual", "body"), ("apa", "body"), ("annual", "header")])
def test_reading_a_letter_is_linear(family: str, seed: str, where: str) -> None:
    base = ANNUAL_SEED if seed == "annual" else APA_SEED
    make = LETTER_FAMILIES[family]
    growth(f"parse_letter {seed} {where} {family}", _parse, lambda n: _letter(base, make(n), where), 2_000)


@pytest.mark.parametrize("family", LETTER_FAMILIES)
def test_text_level_parsers_are_linear(family: str) -> None:
    """The pieces on their own, on the bare adversarial text (no letter around it to dilute the cost)."""
    make = LETTER_FAMILIES[family]
    growth(f"normalise {family}", normalise, make, 2_000)
    for kind in KINDS:  # every kind's reading of its council, year and ratings
        growth(f"{kind.key} {family}", lambda t, kind=kind: (kind.recognise(t), kind.council(t), kind.year(t),
                                                              kind.ratings(t), kind.title_council(t)), make, 2_000)
    growth(f"sentence_spans {family}", sentence_spans, make, 2_000)
    growth(f"judgements_in {family}", judgements_in, make, 2_000)
    growth(f"classify {family}", classify, make, 2_000)


# A small letter around the text, so that chunking the seed's own text does not dilute the growth.
SMALL_LETTER = ("Dear Sir\n\nChildren's services rating 2009\n\nChildren's services in Xtown Council perform well."
                "\n\n{}\n\nYours sincerely\n\nJane Smith\nDirector\n")

@pytest.mark.parametrize("family", [
    "Major strengths headings", "Major strengths blocks", "long line of words", "spaces in a line", "digits",
    "capitalised words", "html tags", "bullet glyphs", "dashes and spaces", "wrapped lines",
    "Grade lines",
])
def test_chunking_a_letter_is_linear(family: str) -> None:
    make = LETTER_FAMILIES[family]

    def chunk(data: bytes) -> None:
        letter = _parse(data)
        if letter is not None:
            chunk_letter(letter)

    growth(f"chunk_letter {family}", chunk, lambda n: SMALL_LETTER.format(make(n)).encode("utf-8"), 2_000)


def test_growth_catches_a_quadratic_pattern() -> None:
    """The measure itself, on the kind of pattern fixed here: "[ \\t]*y" searched in a run of
    spaces rescans the rest of the run from each space (quadratic) and fails the bound; started
    only where a run starts, it is linear and passes."""
    spaces = repeat(" ")
    with pytest.raises(AssertionError, match="super-linear"):
        growth("quadratic [ \\t]*y", re.compile(r"[ \t]*y").search, spaces, 2_000)
    assert growth("linear (?<![ \\t])[ \\t]*+y", re.compile(r"(?<![ \t])[ \t]*+y").search, spaces, 2_000) <= BOUND


# --- the question length cap -------------------------------------------------------------------------


def test_the_cap_is_what_the_readme_says() -> None:
    assert MAX_QUESTION_CHARS == 1000


@pytest.mark.parametrize("call", ["ask", "search", "parse"])
def test_an_over_long_question_is_refused_with_a_clear_message(fake_assistant, call: str) -> None:
    method = getattr(fake_assistant, call)
    method("Which councils perform well? " + "x" * (MAX_QUESTION_CHARS - 29))  # exactly at the cap: taken
    with pytest.raises(QuestionError) as caught:
        method("Which councils perform well? " + "x" * 5_000)
    message = str(caught.value)
    assert "5,029 characters" in message and "1,000" in message, message
    assert ("question" if call != "search" else "query") in message and "shorten" in message, message


def test_an_over_long_earlier_question_is_refused(fake_assistant) -> None:
    with pytest.raises(QuestionError, match=r"history\[1\] is 1,001 characters long"):
        fake_assistant.ask("And Trafford?", history=["Which councils perform well?", "x" * 1_001])


def test_the_cli_refuses_an_over_long_question(fake_assistant, capsys) -> None:
    from ui.cli import main

    code = main(["ask", "--index", str(fake_assistant.index_dir), "x" * 1_001])
    assert code == 1
    assert "1,001 characters" in capsys.readouterr().err


def teardown_module() -> None:
    if RATIOS:
        worst = max(RATIOS, key=RATIOS.get)
        print(f"\n{len(RATIOS)} ratios measured; largest {RATIOS[worst]:.1f} ({worst})")

