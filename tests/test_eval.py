"""The shipped gold set: fails if answer or retrieval quality drops below what it reaches now.

The floors are the figures reached at the end of issue 11 (docs/evaluation.md); raise
them when answers improve, never lower them to make a change pass.
"""

import json
from pathlib import Path

import pytest

from qa.evaluate import evaluate

pytestmark = pytest.mark.slow  # the gold sets through the real model

GOLD = Path(__file__).with_name("gold.jsonl")
HELD_OUT = Path(__file__).with_name("gold_heldout.jsonl")
JUDGEMENTS_HELD_OUT = Path(__file__).with_name("gold_judgements_heldout.jsonl")
PEOPLE_HELD_OUT = Path(__file__).with_name("gold_people_heldout.jsonl")

# category -> lowest answer accuracy allowed (every check on the line passes)
ACCURACY = {
    "list": 1.0, "lookup": 1.0, "compare": 1.0, "superlative": 1.0, "count": 1.0, "change": 1.0, "facts": 1.0,
    "summary": 1.0, "absent": 1.0, "refusal": 1.0, "open": 1.0,
    "strengths_weaknesses": 1.0, "followup": 1.0, "paraphrase": 0.85,
    "service_list": 1.0, "service_count": 1.0, "broad_council": 1.0,  # issue 23
    "people": 1.0,  # issue 29: a false "none", abbreviations, definitions, mixed quotes
    # issue 29, round two: 130 questions in people's words by two helpers who saw no rules, glossary or
    # gold files, added to tune on (70 at 0.886 and 60 at 0.85 when added), round three's 60 by a third
    # (0.933 when added; all 190 at 0.953), and round four's two sets of 60 by a fourth and a fifth (0.90
    # and 0.783 when added; all 310 at 0.952); the held-out sets stay untuned
    "people_dev": 0.94,
}


def test_gold_set_scores_do_not_drop(assistant):
    report = evaluate(assistant, GOLD, k=5)
    summary = report.summary()
    by_category = report.by_category()
    assert summary["questions"] >= 80
    assert sum(1 for c in report.cases if c.category == "paraphrase") >= 25
    assert set(by_category) == set(ACCURACY)
    low = {name: scores["accuracy"] for name, scores in by_category.items() if scores["accuracy"] < ACCURACY[name]}
    assert low == {}
    # Retrieval of the key passage of questions asked in other words than the letter's.
    paraphrase = by_category["paraphrase"]
    assert paraphrase["top1"] >= 0.80 and paraphrase["top3"] >= 0.95 and paraphrase["mrr"] >= 0.88
    assert by_category["open"]["top1"] == 1.0
    assert summary["contains_hit"] == 1.0 and summary["absent_ok"] == 1.0


def test_held_out_paraphrases_keep_their_retrieval(assistant):
    """Questions written without sight of qa/glossary.py or the fusion grid: the glossary and
    weights chosen on gold.jsonl must carry over (docs/evaluation.md)."""
    report = evaluate(assistant, HELD_OUT, k=5)
    scores = report.by_category()["paraphrase"]
    assert report.summary()["questions"] == 30
    assert scores["top1"] >= 0.66 and scores["top3"] >= 0.93 and scores["mrr"] >= 0.79


def test_held_out_judgement_questions_keep_their_floor(assistant):
    """30 questions about services and councils written by a helper who saw neither the rules nor
    gold.jsonl (issue 23): 0.13 before judgements, 0.63 when first measured with them, 0.83 after
    the wording fixes their misses showed (so no longer unseen); docs/evaluation.md."""
    report = evaluate(assistant, JUDGEMENTS_HELD_OUT, k=5)
    by_category = report.by_category()
    assert report.summary()["questions"] == 30
    floors = {"service_list": 0.8, "service_count": 1.0, "broad_council": 0.7}
    assert set(by_category) == set(floors)
    assert {name: scores["accuracy"] for name, scores in by_category.items() if scores["accuracy"] < floors[name]} == {}


def test_held_out_questions_in_peoples_words_keep_their_floor(assistant):
    """81 questions in councillors', journalists' and parents' words (abbreviations, plain words for
    areas, what a rating means, strengths and weaknesses in one area) written by a helper who saw
    neither the rules, the glossary nor the gold files, never tuned on (issue 29): 0.62 at e245a0f,
    0.72 at 80f0d3b, 0.85 after tuning on people_dev, 0.864 (70 of 81) in round three, 0.914 (74 of
    81) in round four: the issue's 0.9 (docs/evaluation.md)."""
    report = evaluate(assistant, PEOPLE_HELD_OUT, k=5)
    assert report.summary()["questions"] == 81
    assert report.summary()["accuracy"] >= 0.9


def test_a_quote_of_shared_wording_counts_for_the_council_asked_and_against_none(assistant, tmp_path):
    """A question about the process names no council, and its answer must quote the standard text
    from some council's copy: that copy's council is not counted as a wrong council named. A quote
    only one letter holds still is."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(line) for line in [
        {"question": "When does Ofsted's new rating system fully come in?", "councils": [],
         "phrase": "the full application of the new system in 2010"},
        {"question": "What does the Trafford letter say about private fostering?", "councils": []},
        # The seeds hold one 2008 APA letter, so its standard paragraphs are in no other council's
        # letter; they are still the standard wording of every 2008 APA letter (index/boilerplate.py).
        {"question": "how do Ofsted decide on one APA grade when some services are great and others aren't?",
         "councils": [], "phrase": "the grades awarded are based on an overall 'best fit' model"},
    ]), encoding="utf-8")
    process, trafford, apa = evaluate(assistant, gold, k=5).cases
    assert process.correct and process.precision == 1.0 and process.councils  # it does quote a council's copy
    assert not trafford.correct and trafford.precision == 0.0
    assert apa.correct and apa.precision == 1.0 and apa.councils == ["stockport metropolitan borough council"]
