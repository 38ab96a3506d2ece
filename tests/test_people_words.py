"""Questions typed the way people type them (issue 29, round three): misspelt words, a council
named in lower case, the scale's own words in a question about what a rating means, and a
judgement the letter negates. Real model, real index of the seeds."""

from __future__ import annotations

import pytest

from qa.spelling import respelt

STOCKPORT = "Stockport Metropolitan Borough Council"
STOKE = "Stoke-on-Trent City Council"


def test_a_misspelt_word_is_read_as_the_letters_word_and_the_answer_says_so(assistant):
    # "fostring" shares no word with any passage: the answer was "I found nothing in the letters
    # for Stockport that answers this", a false "none" (the letters judge its fostering service).
    answer = assistant.ask("stokport fostring any good")
    assert assistant.parse("stokport fostring any good").respelt == (("fostring", "fostering"),)
    assert "Reading “fostring” as “fostering”." in answer.text
    assert "The fostering service is outstanding." in [c.text for c in answer.citations]
    assert "found nothing" not in answer.text


@pytest.mark.parametrize("question", [
    "How does Stockport cope with money being tight?",  # "tight" is English, only not the letters'
    "Do Stockport pupils beat the national average for five good GCSEs including English and maths?",  # glossary
    "What do the letters say about CAMHS in Trafford?",  # an abbreviation the glossary maps
    "Is boozing, smoking and drug taking going down among Stockport teenagers?",
    "Which councils perform adequately?",
])
def test_words_that_are_english_or_the_glossarys_are_never_respelt(assistant, question):
    assert assistant.parse(question).respelt == ()


def test_respelt_takes_the_variant_most_passages_hold_and_only_english_ones():
    held = {"fostering": 9, "foster": 9, "fosterings": 0, "secondary": 5, "seconds": 1}

    def passages_with(words):
        from index.bm25 import query_terms
        stems = {w: query_terms(w)[0] for w in held if held[w]}
        return {w: max((held[k] for k, s in stems.items() if query_terms(w) == [s]), default=0) for w in words}

    assert respelt(" stokport fostring any good ", passages_with, frozenset({"any"})) == [("fostring", "fostering")]
    assert respelt(" secondry ", passages_with) == [("secondry", "secondary")]
    assert respelt(" colour ", passages_with) == []  # British spelling of an English word: not a typo
    assert respelt(" xqzzy ", passages_with) == []  # nothing the letters use is one edit away


def test_a_council_named_in_lower_case_in_a_lower_case_question(assistant):
    # "stoke" is also a word, so find_mentions reads it only capitalised; a question typed all in
    # lower case reads it as the council (the index has its letter). The answer listed all four.
    query = assistant.parse("stoke childrens homes any good")
    assert query.councils == (STOKE,)
    answer = assistant.ask("stoke childrens homes any good")
    assert {c.council for c in answer.citations} == {STOKE}
    assert answer.citations[0].text.startswith("All six children's homes")
    # ... beside another council too; but not in a question with capitals, nor "reading" (literacy).
    assert assistant.parse("how do stockport and stoke compare").councils == (STOCKPORT, STOKE)
    assert assistant.parse("Did Stockport stoke fears about fostering?").councils == (STOCKPORT,)
    assert assistant.parse("reading results in stockport").councils == (STOCKPORT,)
    assert assistant.parse("how good is reading in primary schools").councils == ()


def test_a_negated_judgement_is_never_shown_as_that_level(assistant):
    # "... are good or outstanding and none is inadequate": the list showed children's homes
    # “inadequate” beside “good or outstanding”.
    answer = assistant.ask("Are Stoke-on-Trent's children's homes any good?")
    assert "children's homes none “inadequate”" in answer.text
    assert "children's homes “inadequate”" not in answer.text


def test_a_question_in_the_scales_words_quotes_that_scales_standard_text(assistant):
    # The question says "performs poorly" (the 2009 rating's scale): its letters' standard text
    # says what that rating does not mean. Only the APA's "Grade 4" wording was quoted.
    answer = assistant.ask("If a council is rated performs poorly does that mean everything there is bad?")
    assert any("a rating of 'performs poorly' does not mean there are no adequate or even good aspects" in c.text
               for c in answer.citations)


def test_whose_service_got_the_lowest_rating_names_that_level_and_cites_only_it(assistant):
    # Was an open question ("out" and "agencies" were not a service question's words) that quoted
    # four councils' passages; then a list of every level with no answer to "lowest".
    answer = assistant.ask("Out of Stockport, Stockton, Trafford and Stoke, whose fostering and adoption agencies "
                           "got the lowest rating?")
    assert "The lowest level judged: adequate, for **Stoke-on-Trent**." in answer.text
    assert "The other levels: outstanding: Stockport; good: Stockport, Stockton-on-Tees, Trafford." in answer.text
    assert {c.council for c in answer.citations} == {STOKE}
    best = assistant.ask("Which council has the best adoption service?")
    assert "The highest level judged: good, for **Stockport**, **Stockton-on-Tees**, **Trafford**." in best.text


def test_the_levels_line_counts_the_councils_of_a_level_past_ten():
    """At 10,000 letters "The other levels" named ~3,000 councils (69,000 characters) before the
    list itself: past LEVEL_NAMES a level's councils are counted instead (the level asked about
    is listed below, each council cited; another level by asking for it). Names once each,
    escaped, in bold for the level asked about."""
    from qa.compose import LEVEL_NAMES, _level_councils

    names = [f"Council {i}" for i in range(LEVEL_NAMES - 1)] + ["A*b"]
    assert _level_councils(names + names[:3]) == ", ".join(names[:-1]) + ", A\\*b"
    assert _level_councils(names, asked=True) == ", ".join(f"**{n}**" for n in names[:-1]) + ", **A\\*b**"
    assert _level_councils(names + ["One more"]) == f"{LEVEL_NAMES + 1} councils"
    assert _level_councils(names + ["One more"], asked=True) == f"{LEVEL_NAMES + 1} councils (each listed below)"
    assert _level_councils([f"C{i}" for i in range(1200)]) == "1,200 councils"


STOCKTON = "Stockton-on-Tees Borough Council"
NEET = "A greater proportion of 16- to 18-year-olds than in similar areas and found nationally are not in education, " \
       "employment or training."


def test_a_request_for_the_bad_news_lists_every_weakness_of_the_council(assistant):
    # "I need ..." was the topic ("need"), so the weaknesses were searched for by it and none was
    # found; and a window's weaknesses after a strength sentence were cut off (only its first run
    # of weak sentences was kept), so Stockton's NEET sentence was never listed.
    for question in ("I need the bad news for Stockton", "Is there anything Stockton does badly?"):
        query = assistant.parse(question)
        assert (query.intent, query.polarity, query.topic) == ("weaknesses", "weakness", "")
        answer = assistant.ask(question)
        assert any(NEET in c.text for c in answer.citations), question
        assert {c.council for c in answer.citations} == {STOCKTON}
        assert not any("Performance for care leavers" in c.text for c in answer.citations)  # the strength after it


@pytest.mark.parametrize("question", ["Give me the headlines on Trafford's children's services",
                                      "What was Ofsted's final verdict on Trafford in 2009?"])
def test_headlines_and_a_final_verdict_ask_for_the_councils_page(assistant, question):
    assert assistant.parse(question).intent == "council"
    answer = assistant.ask(question)
    assert "Performs well (3)" in answer.text


def test_what_the_council_was_told_to_fix_and_its_own_view_of_itself(assistant):
    flagged = assistant.ask("Has Stockport sorted out the things Ofsted flagged the year before?")
    assert any("responded positively and in a timely manner to the areas for development identified in 2007" in c.text
               for c in flagged.citations)
    rosy = assistant.ask("Was Stockport kidding itself about how healthy its kids are?")
    assert any("underestimate a number of important weaknesses" in c.text for c in rosy.citations)


def test_passages_with_counts_the_same_from_sqlite_and_from_the_held_postings(seeds_index):
    from index.reader import IndexReader

    reader = IndexReader.open(seeds_index)
    try:
        words = ["fostering", "foster", "Fostered", "inadequate", "xqzzy", "the"]
        before = reader.passages_with(words)  # one SQLite query: the postings are not held yet
        assert reader._held is None
        reader.content_bm25("private fostering", 5)
        after = reader.passages_with(words)
        assert before == after
        assert before["fostering"] == before["foster"] == before["Fostered"] > 0
        assert before["xqzzy"] == 0 and before["the"] == 0  # a stopword has no postings
    finally:
        reader.close()
