"""The checks a model's answer passes before it is shown (qa/verify.py), rule by rule, exactly."""

from __future__ import annotations

import pytest

from qa.answer import Citation
from qa.verify import sentences, verify

TRAFFORD = "Trafford Metropolitan Borough Council"
STOCKTON = "Stockton-on-Tees Borough Council"
NORTHWOLD = "Northwold Borough Council"  # not an English authority: known only from the index
PASSAGES = (
    Citation("t.txt", TRAFFORD, 2009, "annual_rating", "Children's services rating 2009",
             "A larger proportion of young people receive a custodial sentence than in similar areas. "
             "There were 1,234 referrals.", 10, 120),
    Citation("s.txt", STOCKTON, 2008, "apa", "Staying safe", "Private fostering is good.", 5, 31),
    Citation("n.txt", NORTHWOLD, 2009, "annual_rating", "Overall", "Northwold's schools are improving.", 0, 34),
)
COUNCILS = ((TRAFFORD, "Trafford"), (STOCKTON, "Stockton-on-Tees"), (NORTHWOLD, "Northwold"))


def check(answer: str):
    result = verify(answer, PASSAGES, COUNCILS)
    return list(result.kept), [(d.sentence, d.reason) for d in result.dropped]


def test_a_sentence_citing_a_passage_is_kept_with_its_marker():
    assert check("In Trafford more young people receive a custodial sentence [1].") == (
        ["In Trafford more young people receive a custodial sentence. [1]"], [])


@pytest.mark.parametrize("answer, reason", [
    ("Trafford sends more young people to custody.", "cites no passage"),
    ("Trafford sends more young people to custody [4].", "cites [4], which is not one of the 3 passages given"),
    ("Trafford sends more young people to custody [0].", "cites [0], which is not one of the 3 passages given"),
    ('Trafford says "most young people are safe" [1].',
     "quotes “most young people are safe”, which is not in the passages it cites"),
    ("Stockton's private fostering is good, as “Private fostering is outstanding” says [2].",
     "quotes “Private fostering is outstanding”, which is not in the passages it cites"),
    ("Trafford had 4,321 referrals [1].", "gives the number 4,321, which is not in the passages it cites"),
    ("Private fostering is good in 12 places [2].", "gives the number 12, which is not in the passages it cites"),
    ("Private fostering is good in Trafford [2].", "names Trafford, whose letter it does not cite"),
    ("Private fostering is good in Manchester [2].", "names Manchester, whose letter it does not cite"),
    ("Northwold does well on private fostering [2].", "names Northwold, whose letter it does not cite"),
    ("[1]", "no words"),
])
def test_each_rule_drops_the_sentence_with_its_reason(answer, reason):
    kept, dropped = check(answer)
    assert kept == [] and [r for _, r in dropped] == [reason]


def test_a_quote_in_the_wrong_passage_fails_even_if_another_passage_has_it():
    _, dropped = check('Stockton says "private fostering is good" [1].')
    assert dropped[0][1].startswith("quotes “private fostering is good”")
    assert check('Stockton says "private fostering is good" [2].')[1] == []


def test_what_may_differ_from_the_letter_case_spacing_commas_in_numbers_and_the_letters_year():
    kept, dropped = check('Trafford: "a  LARGER proportion of young people" [1]. It had 1234 referrals in 2009 [1]. '
                          "Stockton's 2008 letter rates private fostering good [2].")
    assert dropped == [] and len(kept) == 3


def test_only_failing_sentences_go():
    kept, dropped = check("Stockton's private fostering is good [2]. It is the best in England. "
                          "Trafford had 1,234 referrals [1].")
    assert kept == ["Stockton's private fostering is good. [2]", "Trafford had 1,234 referrals. [1]"]
    assert dropped == [("It is the best in England.", "cites no passage")]


def test_markers_after_the_full_stop_and_lists_of_numbers_count():
    assert sentences("Fostering is good. [2] Custody is high. [1][2]\n- Schools improve [3]") == [
        "Fostering is good. [2]", "Custody is high. [1][2]", "Schools improve [3]"]
    kept, dropped = check("Northwold's schools are improving and Stockton's private fostering is good [3, 2].")
    assert dropped == [] and kept == ["Northwold's schools are improving and Stockton's private fostering is good. "
                                      "[3] [2]"]


def test_a_passage_label_opening_a_sentence_cites_it():
    assert check("Passage 2: Private fostering is good.\nPassage 4: It is not.") == (
        ["Private fostering is good. [2]"], [("Passage 4: It is not.", "cites [4], which is not one of the 3 passages "
                                                                       "given")])
    assert check("The passage 2 is about fostering.")[1] == [("The passage 2 is about fostering.", "cites no passage")]


def test_model_text_is_escaped_for_markdown_and_html():
    kept, dropped = check("<img src=x onerror=alert()> **Trafford** [link](http://x) `code` $x$ [1].")
    assert dropped == []
    assert kept == [r"\<img src=x onerror=alert()\> Trafford \[link\](http://x) code \$x\$. [1]"]


def test_an_empty_or_wordless_answer_keeps_nothing():
    assert check("") == ([], [])
    assert check("   \n\n ") == ([], [])
