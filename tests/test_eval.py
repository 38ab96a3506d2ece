"""The shipped gold set: fails if answer or retrieval quality drops."""

from pathlib import Path

from qa.evaluate import evaluate

GOLD = Path(__file__).with_name("gold.jsonl")


def test_gold_set_scores_do_not_drop(assistant):
    report = evaluate(assistant, GOLD, k=5)
    summary = report.summary()
    assert summary["questions"] >= 30
    failed = [c.question for c in report.cases if c.phrase_ok is False or c.contains_ok is False
              or (c.precision is not None and c.precision < 1) or (c.recall is not None and c.recall < 1)]
    assert failed == []
    assert summary["council_precision"] == 1.0 and summary["council_recall"] == 1.0
    assert summary["phrase_hit"] == 1.0 and summary["contains_hit"] == 1.0
    assert summary["recall@5"] == 1.0
    assert summary["mrr"] >= 0.9
