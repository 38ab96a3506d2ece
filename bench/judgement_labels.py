"""Precision and recall of the judgements extractor (index/judgements.py) on the hand-labelled sets.

    python bench/judgement_labels.py [FILE ...]   (default: both sets in tests/fixtures)

Prints overall, per-service and per-kind precision and recall and writes
bench/results/judgement_labels.json. The labelled set was tuned on; the held-out one was
measured before any rule was changed for it (docs/evaluation.md has both figures).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench._common import ROOT, finish, start
from qa.evaluate import judgement_scores

SETS = [ROOT / "tests" / "fixtures" / f"judgements_{name}.jsonl" for name in ("labelled", "heldout")]


def main(argv: list[str]) -> int:
    doc = start("judgement_labels", argv)
    results = doc["results"] = {}
    for path in [Path(p).resolve() for p in argv] or SETS:
        found = judgement_scores(path)
        results[str(path.relative_to(ROOT) if path.is_absolute() else path)] = found
        print(f"\n{path}: {found['sentences']} sentences, precision {found['precision']}, recall {found['recall']}")
        for group in ("by_kind", "by_service"):
            for key, r in found[group].items():
                print(f"  {key:30} P {str(r['precision']):6}  R {str(r['recall']):6}  "
                      f"(tp {r['tp']}, fp {r['fp']}, fn {r['fn']})")
    print(f"\nwritten: {finish(doc)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
