"""Retrieval quality of fusion weights on the gold set: top-1 / top-3 / MRR of the key passage.

    python bench/fusion_grid.py INDEX [--gold tests/gold.jsonl]

Runs every question of the gold file that has a "relevant" passage through the same search
`letters-qa eval` runs (council and year filters from the question), once per fusion
setting, over one index and one model load, and prints all questions and the paraphrased
ones. docs/decisions/fusion-weights.md's ablation table and index/manifest.py's FUSION come from this grid.
But: - weights chosen here are scored on the same questions: fitted, not held out;
`--gold tests/gold_heldout.jsonl` scores them on questions written without sight of it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from qa import Assistant
from qa.evaluate import _norm, load_gold

# (dense weight, k, which search takes qa/glossary.py's expansion); BM25's weight is 1.
GRID = [(0.0, 60, "none"), (1.0, 60, "none"), (3.0, 5, "none"), (1000.0, 60, "none"),
        (0.0, 60, "bm25"), (3.0, 5, "bm25"), (1.0, 5, "bm25"), (1.0, 2, "bm25"),
        (1.0, 2, "dense"), (1.0, 2, "both"), (1.0, 5, "both")]


def ranks(assistant: Assistant, gold: list[dict], fusion: dict) -> list[tuple[str, int | None]]:
    retriever = assistant.retriever
    retriever.fusion = fusion
    found = []
    for item in gold:
        q = assistant.parse(item["question"], item.get("history") or [])
        hits = retriever.search(q.search_text or q.text, k=5, council=list(q.councils) or None,
                                year=list(q.years) or None)
        rank = next((i for i, h in enumerate(hits, 1) if _norm(item["relevant"]) in _norm(h.text)), None)
        found.append((item.get("category", ""), rank))
    return found


def scores(found: list[tuple[str, int | None]], category: str | None = None) -> str:
    got = [rank for cat, rank in found if category is None or cat == category]
    if not got:
        return "none"  # a gold file with no question of this category (a people set has no "paraphrase")
    top1 = sum(rank == 1 for rank in got) / len(got)
    top3 = sum(bool(rank and rank <= 3) for rank in got) / len(got)
    mrr = sum(1 / rank for rank in got if rank) / len(got)
    return f"{top1:.2f} / {top3:.2f} / {mrr:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index")
    parser.add_argument("--gold", default="tests/gold.jsonl")
    args = parser.parse_args()
    assistant = Assistant.open(args.index)
    gold = [item for item in load_gold(Path(args.gold)) if "relevant" in item]
    print(f"{len(gold)} questions with a key passage; top-1 / top-3 / MRR")
    for dense, k, expand in GRID:
        found = ranks(assistant, gold, {"method": "rrf", "k": k, "dense": dense, "bm25": 1.0, "expand": expand})
        print(f"dense {dense:6.1f} : bm25 1, k {k:3}, expand {expand:5}   all {scores(found)}"
              f"   paraphrase {scores(found, 'paraphrase')}")


if __name__ == "__main__":
    main()
