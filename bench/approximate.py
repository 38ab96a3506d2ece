"""The approximate dense first pass (index/approximate.py) against the exact search: recall and cost.

    .venv/bin/python bench/approximate.py INDEX [--searches 300] [--m 32] [--ef-construction 300]
        [--ef-search 512] [--candidates 200] [--own] [--out FILE]

Opens INDEX twice with `Assistant.open`. One searches exactly (its manifest's graph, if any,
left unread); the other through an HNSW graph of the non-boilerplate rows, built here in memory
for each --m and --ef-construction whatever the index's size (the threshold a build applies,
approximate.MIN_ROWS, does not apply here), or with --own the graph the index holds. For each
--ef-search and --candidates, over query.py's searches (a third with a council filter, a sixth
with a year), a third as many of its open questions and tests/gold.jsonl's questions:

- dense: each question's unfiltered `content_dense` top 50 (a search's depth for k <= 12)
  against the exact one: recall@50 and whether the first row is the same;
- search: `Assistant.search(k=10)` in both: recall@10 of the passages (letter and span), how
  many first passages differ and how many lists are not identical (scores included);
- the dense pass's thread CPU time, exact and approximate alternated, p50 / p95.

Both arms score the rows they keep row by row (index/reader.py `_scores`), so a row gets the same
score in either.
Writes bench/results/approximate.json (--out for another file).
But: - the graph is built with FAISS's threads (both cores), as a build does; its build time
is wall clock on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

import numpy as np

from bench import _common as common
from bench.query import make_opens, make_searches, stats
from index import approximate

GOLD = common.ROOT / "tests" / "gold.jsonl"


def questions(letters, searches: int, seed: int, gold: Path) -> list[dict]:
    """query.py's searches and open questions, then the gold set's questions (as search text)."""
    found = make_searches(letters, searches, random.Random(seed))
    found += [{"query": text} for text in make_opens(letters, max(1, searches // 3), random.Random(seed + 1))]
    if gold.is_file():
        found += [{"query": json.loads(line)["question"]} for line in gold.read_text().splitlines() if line.strip()]
    return found


def passage_key(passage) -> tuple:
    return passage.letter, passage.start, passage.end


def compare(exact, approx, asked: list[dict], vectors: np.ndarray) -> dict:
    """Recall of the approximate arm against the exact one, and the dense pass's cost in both."""
    dense_recall, dense_first, cpu = [], 0, {"exact": [], "approximate": []}
    for i, vector in enumerate(vectors):
        arms = [("exact", exact.reader), ("approximate", approx.reader)]
        found = {}
        for name, reader in arms if i % 2 else arms[::-1]:  # alternate which arm runs first
            t0 = time.thread_time()
            found[name] = reader.content_dense(vector, 50)
            cpu[name].append(time.thread_time() - t0)
        want, got = [row for row, _ in found["exact"]], [row for row, _ in found["approximate"]]
        dense_recall.append(len(set(want) & set(got)) / max(1, len(want)))
        dense_first += bool(want) and bool(got) and want[0] == got[0]
    recall, firsts, different = [], 0, 0
    for query in asked:
        want, got = exact.search(k=10, **query), approx.search(k=10, **query)
        keys = {passage_key(p) for p in want}
        recall.append(len(keys & {passage_key(p) for p in got}) / max(1, len(keys)) if want or got else 1.0)
        firsts += bool(want) and (not got or passage_key(want[0]) != passage_key(got[0]))
        different += want != got
    return {
        "dense": {"questions": len(vectors), "recall_at_50": float(np.mean(dense_recall)),
                  "recall_min": float(np.min(dense_recall)), "first_same": int(dense_first),
                  "under_0_9": int(sum(r < 0.9 for r in dense_recall))},
        "search": {"questions": len(asked), "recall_at_10": float(np.mean(recall)), "recall_min": float(np.min(recall)),
                   "first_differs": firsts, "lists_differ": different},
        "dense_cpu": {name: stats(seconds) for name, seconds in cpu.items()},
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index")
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--m", type=int, nargs="+", default=[approximate.M])
    parser.add_argument("--ef-construction", type=int, nargs="+", default=[approximate.EF_CONSTRUCTION])
    parser.add_argument("--ef-search", type=int, nargs="+", default=[approximate.EF_SEARCH])
    parser.add_argument("--candidates", type=int, nargs="+", default=[approximate.CANDIDATES])
    parser.add_argument("--own", action="store_true", help="the index's own graph, not one built here")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="result file (default bench/results/approximate.json)")
    args = parser.parse_args(argv)

    from qa import Assistant

    doc = common.start("approximate", argv, searches=args.searches, seed=args.seed)
    exact, approx = Assistant.open(args.index), Assistant.open(args.index)
    if args.own and exact.reader.manifest.approximate is None:
        parser.error(f"{args.index} holds no approximate graph (--own)")
    exact.reader.manifest = replace(exact.reader.manifest, approximate=None)
    asked = questions(exact.reader.letters, args.searches, args.seed, args.gold)
    texts = list(dict.fromkeys(query["query"] for query in asked))
    vectors = exact.embedder.embed(texts)
    content = exact.reader._content_matrix()[1]
    doc.update(index=args.index, letters=len(exact.reader.letters), content_rows=len(content),
               provenance=common.provenance(Path(args.index)), runs=[])
    builds = [(None, None)] if args.own else [(m, efc) for m in args.m for efc in args.ef_construction]
    for m, efc in builds:
        built_s = None
        if m is not None:
            approximate.M, approximate.EF_CONSTRUCTION = m, efc
            t0 = time.perf_counter()
            approx.reader._graph = approximate.build(content, exact.reader.content_rows)
            built_s = time.perf_counter() - t0
        for ef in args.ef_search:
            for candidates in args.candidates:
                approximate.EF_SEARCH, approximate.CANDIDATES = ef, candidates
                load = common.loadavg()
                run = {"m": m, "ef_construction": efc, "build_s": built_s, "ef_search": ef,
                       "candidates": candidates, "loadavg": load, **compare(exact, approx, asked, vectors)}
                doc["runs"].append(run)
                dense, search, cpu = run["dense"], run["search"], run["dense_cpu"]
                print(f"M {m or 'own'} efC {efc or '-'} efSearch {ef} candidates {candidates}"
                      + (f" (built in {built_s:.1f} s)" if built_s is not None else "")
                      + f": dense recall@50 {dense['recall_at_50']:.4f} (min {dense['recall_min']:.2f}), "
                      f"first row same {dense['first_same']}/{dense['questions']}; search recall@10 "
                      f"{search['recall_at_10']:.4f} (min {search['recall_min']:.2f}), first passage differs "
                      f"{search['first_differs']}/{search['questions']}, lists differ {search['lists_differ']}; "
                      f"dense CPU p50/p95 exact {cpu['exact']['p50_ms']:.2f}/{cpu['exact']['p95_ms']:.2f} ms, "
                      f"approximate {cpu['approximate']['p50_ms']:.2f}/{cpu['approximate']['p95_ms']:.2f} ms "
                      f"(load {load[0]})", flush=True)
    print(common.finish(doc, args.out or common.RESULTS / "approximate.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
