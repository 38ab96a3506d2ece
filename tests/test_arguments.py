"""Bad arguments to the Python API raise a LettersQAError naming the argument, never a bare
TypeError, ValueError or AttributeError from deep inside (qa/assistant.py, qa/retriever.py).

ArgumentError is also a ValueError and ArgumentTypeError also a TypeError, so callers that
caught the bare ones still do. A well-formed filter that matches nothing (council="Nowhere",
year=1999) still returns nothing: tests/test_retrieval.py pins that; k outside 1-100, an unknown
kind or a year that is not four digits is refused, with the HTTP API's words (qa/params.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SEEDS, FakeEmbedder

from index.errors import ArgumentError, ArgumentTypeError, LettersQAError, QuestionError
from qa import Assistant
from qa.retriever import Retriever

QUERY = "private fostering"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    from index.update import update_index

    folder = tmp_path_factory.mktemp("arguments-index") / "index"
    update_index(SEEDS, folder, embedder=FakeEmbedder())
    return folder


@pytest.fixture(scope="module")
def assistant(index_dir):
    return Assistant.open(index_dir, embedder=FakeEmbedder())


# (call on the assistant, error class, words the message must hold)
BAD_CALLS = {
    "search k='x'": (lambda a: a.search(QUERY, k="x"), ArgumentTypeError, "k must be a whole number"),
    "search k=2.5": (lambda a: a.search(QUERY, k=2.5), ArgumentTypeError, "k must be"),
    "search k=None": (lambda a: a.search(QUERY, k=None), ArgumentTypeError, "k must be"),
    "search k=True": (lambda a: a.search(QUERY, k=True), ArgumentTypeError, "k must be"),
    "search k='x', blank query": (lambda a: a.search("", k="x"), ArgumentTypeError, "k must be"),
    "search year='abc'": (lambda a: a.search(QUERY, year="abc"), ArgumentError, "year must be a year such as 2009"),
    "search year=2009.5": (lambda a: a.search(QUERY, year=2009.5), ArgumentTypeError, "year must be"),
    "search year=[None]": (lambda a: a.search(QUERY, year=[None]), ArgumentTypeError, "year must be"),
    "search year=-5": (lambda a: a.search(QUERY, year=-5), ArgumentError, "year must be"),
    "search year=10**30": (lambda a: a.search(QUERY, year=10**30), ArgumentError, "year must be"),
    "search council=5": (lambda a: a.search(QUERY, council=5), ArgumentTypeError, "council must be a council name"),
    "search council=[5]": (lambda a: a.search(QUERY, council=["Trafford", 5]), ArgumentTypeError, "council must be"),
    "search council={}": (lambda a: a.search(QUERY, council={"Trafford": 1}), ArgumentTypeError, "council must be"),
    "search council=b''": (lambda a: a.search(QUERY, council=b"Trafford"), ArgumentTypeError, "council must be"),
    "search kind=5": (lambda a: a.search(QUERY, kind=5), ArgumentTypeError, "kind must be"),
    "search area=5": (lambda a: a.search(QUERY, area=5), ArgumentTypeError, "area must be a graded area"),
    "search polarity=5": (lambda a: a.search(QUERY, polarity=[5]), ArgumentTypeError, "polarity must be"),
    "search include_boilerplate='no'": (lambda a: a.search(QUERY, include_boilerplate="no"), ArgumentTypeError,
                                        "include_boilerplate must be True or False"),
    "search parse='no'": (lambda a: a.search(QUERY, parse="no"), ArgumentTypeError, "parse must be True or False"),
    "search None": (lambda a: a.search(None), ArgumentTypeError, "query must be a string"),
    "search 5": (lambda a: a.search(5), ArgumentTypeError, "query must be a string"),
    "search bytes": (lambda a: a.search(b"fostering"), ArgumentTypeError, "query must be a string"),
    "ask None": (lambda a: a.ask(None), ArgumentTypeError, "question must be a string"),
    "ask 123": (lambda a: a.ask(123), ArgumentTypeError, "question must be a string, not int"),
    "ask bytes": (lambda a: a.ask(b"Which councils perform well?"), ArgumentTypeError, "question must be a string"),
    "ask ''": (lambda a: a.ask(""), QuestionError, "the question is empty"),
    "ask '  '": (lambda a: a.ask(" \n"), QuestionError, "the question is empty"),
    "history=5": (lambda a: a.ask("And Trafford?", history=5), ArgumentTypeError, "history must be a list"),
    "history='text'": (lambda a: a.ask("And Trafford?", history="Which councils perform well?"), ArgumentTypeError,
                       "history must be a list"),
    "history={'question': ...}": (lambda a: a.ask("And Trafford?", history={"question": "Which councils?"}),
                                  ArgumentTypeError, "history must be a list"),
    "history=[5]": (lambda a: a.ask("And Trafford?", history=["Which councils?", 5]), ArgumentTypeError,
                    "history[1] must be an earlier question"),
    "history=[None]": (lambda a: a.ask("And Trafford?", history=[None]), ArgumentTypeError, "history[0]"),
    "history=[{'q': 1}]": (lambda a: a.ask("And Trafford?", history=[{"q": 1}]), ArgumentTypeError,
                           "history[0] must be an earlier question"),
    "history=[{'question': 5}]": (lambda a: a.ask("And Trafford?", history=[{"question": 5}]), ArgumentTypeError,
                                  "history[0]"),
    "parse 5": (lambda a: a.parse(5), ArgumentTypeError, "question must be a string"),
    "parse history=5": (lambda a: a.parse("And Trafford?", history=5), ArgumentTypeError, "history must be"),
    "ratings year='abc'": (lambda a: a.ratings(year="abc"), ArgumentError, "year must be"),
    "ratings council=5": (lambda a: a.ratings(council=5), ArgumentTypeError, "council must be"),
    "ratings kind=3": (lambda a: a.ratings(kind=3), ArgumentTypeError, "kind must be"),
}


@pytest.mark.parametrize("name", BAD_CALLS)
def test_a_bad_argument_raises_an_error_naming_it(assistant, name: str) -> None:
    call, error, words = BAD_CALLS[name]
    with pytest.raises(error) as caught:
        call(assistant)
    assert isinstance(caught.value, LettersQAError)
    assert words in str(caught.value), str(caught.value)
    assert "\n" not in str(caught.value)  # one line, as the CLI and web UI show it


def test_argument_errors_are_still_value_and_type_errors(assistant) -> None:
    with pytest.raises(ValueError):
        assistant.search(QUERY, year="abc")
    with pytest.raises(TypeError):
        assistant.search(QUERY, k="x")
    with pytest.raises(TypeError):
        assistant.ask(None)


BAD_OPENS = {
    "a file": (lambda d: Assistant.open(SEEDS / "000_be5145f8e9499e13.txt", embedder=FakeEmbedder()), ArgumentError,
               "index_dir"),
    "None": (lambda d: Assistant.open(None, embedder=FakeEmbedder()), ArgumentTypeError, "index_dir must be"),
    "a number": (lambda d: Assistant.open(5, embedder=FakeEmbedder()), ArgumentTypeError, "index_dir must be"),
    "embedder=5": (lambda d: Assistant.open(d, embedder=5), ArgumentTypeError, "embedder must be an Embedder"),
    "model=5": (lambda d: Assistant.open(d, model=5), ArgumentTypeError, "model must be"),
    "reranker=5": (lambda d: Assistant.open(d, embedder=FakeEmbedder(), reranker=5), ArgumentTypeError,
                   "reranker must be"),
    "threads=0": (lambda d: Assistant.open(d, embedder=FakeEmbedder(), threads=0), ArgumentTypeError,
                  "threads must be a whole number from 1 to 64, not 0"),
    "threads='2'": (lambda d: Assistant.open(d, embedder=FakeEmbedder(), threads="2"), ArgumentTypeError,
                    "threads must be"),
}


def test_the_encoders_threads_reach_it(index_dir) -> None:
    """One thread by default, for the server and the CLI alike (docs/performance.md); serve's
    --encoder-threads sets another."""
    from ui.cli import _assistant, build_parser

    def threads(embedder):  # the ONNX encoder behind its fallback, or the torch one
        return getattr(embedder, "_first", embedder).threads

    assert threads(Assistant.open(index_dir).embedder) == 1
    args = build_parser().parse_args(["search", "fostering", "--index", str(index_dir)])
    assert threads(_assistant(args).embedder) == 1
    assert build_parser().parse_args(["serve", "--encoder-threads", "2"]).encoder_threads == 2
    with pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["serve", "--encoder-threads", "0"])
    assert refused.value.code == 2


@pytest.mark.parametrize("name", BAD_OPENS)
def test_opening_with_a_bad_argument_raises_an_error_naming_it(index_dir, name: str) -> None:
    call, error, words = BAD_OPENS[name]
    with pytest.raises(error, match=words):
        call(index_dir)


def test_opening_a_file_says_it_is_not_a_folder() -> None:
    path = SEEDS / "000_be5145f8e9499e13.txt"
    with pytest.raises(ArgumentError, match=r"is a file, not an index folder"):
        Assistant.open(path, embedder=FakeEmbedder())


def test_the_retriever_checks_its_arguments_too(assistant) -> None:
    retriever = Retriever(assistant.reader, FakeEmbedder())
    with pytest.raises(ArgumentTypeError, match="council must be"):
        retriever.search(QUERY, council=5)
    with pytest.raises(ArgumentTypeError, match="query must be"):
        retriever.search(None)
    with pytest.raises(ArgumentError, match="year must be"):
        retriever.search(QUERY, year="twenty")


def test_well_formed_arguments_of_every_accepted_shape_work(assistant) -> None:
    one = assistant.search(QUERY, k=3, council="Trafford")
    assert one and {hit.council for hit in one} == {"Trafford Metropolitan Borough Council"}
    assert assistant.search(QUERY, k=np.int64(3), council=("Trafford",)) == one
    assert assistant.search(QUERY, k=3, council={"Trafford"}) == one
    assert {h.year for h in assistant.search(QUERY, k=10, year=" 2009 ")} == {2009}
    assert {h.year for h in assistant.search(QUERY, k=20, year=[np.int64(2008), "2009"])} == {2008, 2009}
    assert assistant.search(QUERY, k=3, kind=["apa"], area=("staying_safe",), polarity={"strength"})
    first = assistant.ask("Which councils perform well?")
    for history in (["Which councils perform well?"], (first,), [{"question": "Which councils perform well?"}],
                    iter(["", "Which councils perform well?"])):
        assert assistant.ask("And Stoke-on-Trent?", history=history).intent == "lookup"
    assert assistant.ask("Which councils perform well?", history=None).text == first.text
    assert assistant.ratings(year="2009", kind="annual_rating")


@pytest.mark.parametrize("kwargs", [dict(council="Nowhere"), dict(year=1999), dict(area="nowhere"),
                                    dict(polarity="sideways")])
def test_a_well_formed_filter_that_matches_nothing_still_returns_nothing(assistant, kwargs) -> None:
    assert assistant.search(QUERY, **({"k": 5} | kwargs)) == []


# The limits the HTTP API always had, now the Assistant's for every caller (qa/params.py): these
# returned nothing before (k=0, an unknown kind, year 99) or up to 101 passages; the messages are
# the HTTP API's 400s, word for word (tests/test_json_api.py).
KINDS = "sif, ilacs, focused_visit, monitoring_visit, jtai, apa_services, apa, annual_assessment, annual_rating"
OVER_THE_LIMITS = {
    "search k=0": (lambda a: a.search(QUERY, k=0), "k must be a whole number from 1 to 100, not 0"),
    "search k=-1": (lambda a: a.search(QUERY, k=-1), "k must be a whole number from 1 to 100, not -1"),
    "search k=101": (lambda a: a.search(QUERY, k=101), "k must be a whole number from 1 to 100, not 101"),
    "search k=0, blank query": (lambda a: a.search("", k=0), "k must be a whole number from 1 to 100, not 0"),
    "search kind": (lambda a: a.search(QUERY, kind="inspection_report"), f"kind must be one of {KINDS}"),
    "search kind in a list": (lambda a: a.search(QUERY, kind=["apa", "nope"]), "unannounced, letter, not 'nope'"),
    "search year=99": (lambda a: a.search(QUERY, year=99), "year must be a whole number such as 2009, not 99"),
    "search year='0099'": (lambda a: a.search(QUERY, year="0099"), "year must be a whole number such as 2009, not 99"),
    "ratings kind": (lambda a: a.ratings(kind="annual"), "kind must be one of sif, "),
    "ratings year=0": (lambda a: a.ratings(year=0), "year must be a whole number such as 2009, not 0"),
    "judgements kind": (lambda a: a.judgements(kind="x" * 50), f"not {'x' * 40 + '…'!r}"),
    "judgements council": (lambda a: a.judgements(council="x" * 1001),
                           "council is 1,001 characters long; the limit is 1,000"),
    "judgements level": (lambda a: a.judgements(level="x" * 1001), "level is 1,001 characters long"),
    "read_councils": (lambda a: a.read_councils(["Trafford", "x" * 1001]), "council is 1,001 characters long"),
}


@pytest.mark.parametrize("name", OVER_THE_LIMITS)
def test_the_assistant_holds_every_caller_to_the_limits(assistant, name) -> None:
    call, says = OVER_THE_LIMITS[name]
    with pytest.raises(ArgumentError) as raised:
        call(assistant)
    assert says in str(raised.value) and "\n" not in str(raised.value)


def test_the_retriever_keeps_its_own_searches_unlimited(assistant) -> None:
    """The evidence searches a letter whose year is unknown (0) by its year: only callers are limited."""
    retriever = Retriever(assistant.reader, FakeEmbedder())
    assert retriever.search(QUERY, k=0) == [] and retriever.search(QUERY, year=0) == []
    assert retriever.search(QUERY, kind="inspection_report") == []


def test_lone_surrogates_from_a_python_caller_are_read_as_replacement_characters(assistant) -> None:
    """A str with a lone surrogate (undecodable bytes) reached the tokenizer, which refused it
    (found by tests/test_fuzz_questions.py); the CLI and HTTP cleaned it, the library did not."""
    assert len(assistant.search("private \ud800 fostering", k=2, parse=False)) == 2
    answer = assistant.ask("What about private \udcff fostering?", history=["Which councils \ud800 perform well?"])
    assert answer.question == "What about private \ufffd fostering?" and "\ud800" not in str(answer.to_dict())


def test_the_python_api_exports_its_errors_as_the_index_package_does() -> None:
    """`from qa import QuestionError` is the Python API's name; `from index import QuestionError`
    stays public. One class each (index/errors.py), so either `except` catches what qa raises."""
    import index
    import qa

    for name in ("ArgumentError", "ArgumentTypeError", "LettersQAError", "QuestionError"):
        assert getattr(qa, name) is getattr(index, name), name
        assert name in qa.__all__ and name in index.__all__


def test_an_empty_question_is_caught_under_either_name(assistant) -> None:
    import index
    import qa

    for error in (qa.QuestionError, index.QuestionError, qa.LettersQAError):
        with pytest.raises(error, match="the question is empty"):
            assistant.ask("  ")
