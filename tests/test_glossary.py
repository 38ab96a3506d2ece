"""qa/glossary.py: everyday words reach the letters' words, with the real model and index."""

from __future__ import annotations

import pytest

from qa.glossary import GLOSSARY, expand, letter_terms


def test_expand_appends_the_letters_terms_once_each() -> None:
    assert expand("Are many Trafford teenagers being locked up?") == (
        "Are many Trafford teenagers being locked up? (custodial sentence)")
    assert letter_terms("Do kids in care get their jabs?") == [
        "looked after children", "health assessments immunisations dental checks"]
    assert letter_terms("kids in care, children in care") == ["looked after children"]


def test_a_question_in_the_letters_own_words_is_unchanged() -> None:
    assert expand("Which councils perform adequately?") == "Which councils perform adequately?"
    assert expand("") == ""


def test_phrases_match_whole_words_only() -> None:
    # "sen" is special educational needs; "senior" and "sent" are not.
    assert letter_terms("Are senior staff sent home?") != letter_terms("How are SEN pupils doing?")
    assert "special educational needs learning difficulties and/or disabilities" in letter_terms("SEN pupils")
    assert not any("special educational" in t for t in letter_terms("senior sentence"))
    assert letter_terms("A&E visits") == ["hospital admissions"]


def test_every_entry_is_a_flat_list_of_lower_case_phrases() -> None:
    for phrases, terms in GLOSSARY:
        assert phrases == phrases.lower() and "(" not in phrases and "?" not in phrases, phrases
        assert terms and terms == terms.lower(), terms


@pytest.mark.parametrize(("question", "council", "key"), [
    # everyday words in, the letter's sentence first out (Assistant.search, as scripts call it)
    ("Are many young people in Trafford locked up?", "Trafford",
     "A larger proportion of young people receive a custodial sentence"),
    ("Is home-based daycare in Stockton-on-Tees any good?", "Stockton-on-Tees",
     "childminder and childcare settings are just satisfactory"),
    ("Do kids in care in Stockport get their jabs?", "Stockport", "immunisations"),
    # issue 29, in people's words (a dev set by a helper who saw no rules): each missed before
    ("Does Trafford lock up more of its young offenders than comparable councils?", "Trafford",
     "A larger proportion of young people receive a custodial sentence"),
    ("Is Stockport's self-assessment too rosy?", "Stockport", "analysis of its strengths and areas for development"),
    # "poorer families" -> the letters' "low income backgrounds" (it ranked second, under a schools passage)
    ("How are children from poorer families doing at school in Stockton-on-Tees?", "Stockton-on-Tees",
     "those from low income backgrounds"),
])
def test_search_finds_the_letters_sentence_for_everyday_words(assistant, question, council, key) -> None:
    hits = assistant.search(question, k=3, council=council)
    assert key.lower() in hits[0].text.lower()
    assert "(" not in hits[0].text or "(" in key  # the expansion is never part of a cited text


def test_without_the_glossary_the_everyday_question_misses(assistant) -> None:
    """The same search with the expansion switched off ranks the custodial-sentence sentence lower:
    the glossary, not the weights alone, finds it."""
    retriever = assistant.retriever
    saved = retriever.fusion
    try:
        retriever.fusion = {**saved, "expand": "none"}
        plain = retriever.search("Are many young people in Trafford locked up?", k=3, council="Trafford")
    finally:
        retriever.fusion = saved
    assert "custodial sentence" not in plain[0].text


def test_a_literal_question_quotes_only_the_sentence_that_says_it(assistant) -> None:
    """Every content word of the question in one sentence: that passage leads the search and is the
    whole answer (two other councils' passages about private fostering being good used to be
    quoted, one of them first)."""
    hits = assistant.search("private fostering is inadequate", k=5)
    assert "private fostering is inadequate" in hits[0].text and hits[0].council.startswith("Trafford")
    answer = assistant.ask("Where is private fostering inadequate?")
    assert [c.council for c in answer.citations] == ["Trafford Metropolitan Borough Council"]
    assert "private fostering is inadequate" in answer.citations[0].text
