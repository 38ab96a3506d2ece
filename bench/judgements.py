"""Judgement list answers against the generator's own record, and what extracting judgements costs.

    .venv/bin/python bench/judgements.py [--letters 1000] [--seed 0] [--runs 3] [--vectors fake|real]
                                         [--cache .bench-cache]

1. Writes N letters with tools/make_corpus.py, which records every judgement of a service it
   writes (truth "judgements"), and builds an index of them with fake vectors (the answers scored
   here come from the judgements table, not from vectors).
2. For every service (the APA's outcome areas aside: those questions are answered from the
   ratings table) and level, asks "Which councils have LEVEL SERVICE?" through Assistant.ask and
   compares the councils listed (and their count in the answer's coverage) with the letters whose
   record says so: precision and recall per question, and overall. Goal: 1.0 and 1.0.
3. Times builds with and without the extraction, paired, `--runs` times each: the ratio of medians
   (goal <= 1.05x). With fake vectors (the default) the build is parsing, chunking and BM25 alone,
   so the ratio is an upper bound; `--vectors real` builds with the bundled model, as users do.
Writes bench/results/judgements.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench._common import RESULTS, ROOT, finish, median, start
from bench.make_index import FakeEmbedder
from index import judgements as judgements_module
from index import update as update_module
from index.services import AREA_SERVICES, LEVEL_KEYS, SERVICES
from index.update import update_index
from qa import Assistant
from tools.make_corpus import judged, make_corpus

# "safeguarding" in a question names the APA's staying-safe area, answered from the ratings table;
# the service is asked for in its other words.
QUESTION_WORDS = {"safeguarding": "child protection"}


def score(assistant: Assistant, truths: list[dict]) -> dict:
    """Per (service, level) question: the councils the answer lists against the record's."""
    questions, totals = [], {"tp": 0, "fp": 0, "fn": 0}
    for service in SERVICES:
        if service.key in AREA_SERVICES or service.key == "schools":
            continue
        for level in LEVEL_KEYS:
            question = f"Which councils have {level} {QUESTION_WORDS.get(service.key, service.title.lower())}?"
            answer = assistant.ask(question)
            listed = {j.council for j in answer.judgements}
            wanted = {t["council"] for t in truths if judged(t, service.key, level)}
            tp, fp, fn = len(listed & wanted), len(listed - wanted), len(wanted - listed)
            for key, n in (("tp", tp), ("fp", fp), ("fn", fn)):
                totals[key] += n
            coverage = answer.coverage.to_dict() if answer.coverage else None
            questions.append({"question": question, "intent": answer.intent, "truth": len(wanted),
                              "listed": len(listed), "tp": tp, "fp": fp, "fn": fn, "coverage": coverage,
                              "extra": sorted(listed - wanted)[:5], "missed": sorted(wanted - listed)[:5]})
    tp, fp, fn = totals["tp"], totals["fp"], totals["fn"]
    return {"precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None,
            "questions": len(questions), "exact": sum(1 for q in questions if q["fp"] == q["fn"] == 0),
            **totals, "by_question": questions}


def build_seconds(letters: Path, work: Path, extract: bool, embedder) -> float:
    """One full build with fake vectors; with `extract` False the extractor returns nothing."""
    index_dir = work / f"index-{'with' if extract else 'without'}"
    shutil.rmtree(index_dir, ignore_errors=True)
    original = judgements_module.extract_judgements
    if not extract:
        update_module.extract_judgements = lambda letter: []
    try:
        began = time.perf_counter()
        update_index(letters, index_dir, embedder=embedder)
        return time.perf_counter() - began
    finally:
        update_module.extract_judgements = original


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--vectors", choices=("fake", "real"), default="fake")
    parser.add_argument("--cache", default=str(ROOT / ".bench-cache"))
    args = parser.parse_args(argv)
    doc = start("judgements", argv, letters=args.letters, seed=args.seed, runs=args.runs, vectors=args.vectors)
    if args.vectors == "real":
        from index.embedder import DEFAULT_MODEL, make_embedder

        embedder = make_embedder(DEFAULT_MODEL)
        embedder.embed(["warm up"])  # the model's load is no part of either build
    else:
        embedder = FakeEmbedder()
    work = Path(args.cache) / f"judgements-{args.letters}-{args.seed}"
    letters = work / "letters"
    shutil.rmtree(letters, ignore_errors=True)
    truths = make_corpus(args.letters, letters, seed=args.seed)
    doc["truth_judgements"] = sum(len(t["judgements"]) for t in truths)

    timings: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(args.runs):  # interleaved, so load on the machine touches both arms alike
        timings["without"].append(build_seconds(letters, work, False, embedder))
        timings["with"].append(build_seconds(letters, work, True, embedder))
    with_s, without_s = median(timings["with"]), median(timings["without"])
    doc["build"] = {"seconds": timings, "median_with_s": round(with_s, 3), "median_without_s": round(without_s, 3),
                    "ratio": round(with_s / without_s, 4), "vectors": args.vectors}
    print(f"build of {args.letters} letters ({args.vectors} vectors), median of {args.runs}: {with_s:.1f} s with the "
          f"judgements, {without_s:.1f} s without: {with_s / without_s:.3f}x")

    assistant = Assistant.open(work / "index-with", embedder=FakeEmbedder())
    doc["judgements_indexed"] = len(assistant.reader.judgements)
    found = doc["lists"] = score(assistant, truths)
    print(f"{found['questions']} list questions: precision {found['precision']}, recall {found['recall']}, "
          f"{found['exact']} exact (tp {found['tp']}, fp {found['fp']}, fn {found['fn']})")
    for q in found["by_question"]:
        if q["fp"] or q["fn"]:
            print(f"  {q['question']}: {q['listed']} listed, {q['truth']} true; "
                  f"extra {q['extra']} missed {q['missed']}")
    out = RESULTS / f"judgements{'-real' if args.vectors == 'real' else ''}.json"
    print(f"written: {finish(doc, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
