"""`search` against the bare encoder call, paired, on one or more indexes: how its cost grows.

    .venv/bin/python bench/search_cost.py INDEX [INDEX ...] [--searches 100] [--passes 2] [--out FILE]

For each index: opens it with `Assistant.open` (one encoder thread, as the server), warms up,
then times query.py's searches (a third with a council filter, a sixth with a year), each
paired with the bare encoder call on the same text by the same model object (suite.py's
`paired`: the arms alternate order item by item and the question-vector cache is emptied
before each call). Reports p50 / p95 of both and their ratios (goal, issue 28: search within
1.5x of the bare encode at 10,000 letters), unfiltered and filtered apart, the same in process CPU
time (every thread's), and query.py's per-stage breakdown.
Writes bench/results/search-cost.json (--out for another file).
But: - wall clock on a shared machine: compare the ratios, and read the load averages it records.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common
from bench.query import breakdown, make_searches, stats
from bench.suite import bare_encoder, paired, summary
from qa import Assistant


def measure(index_dir: Path, searches: int, passes: int, seed: int) -> dict:
    t0 = time.perf_counter()
    assistant = Assistant.open(index_dir)
    reader = assistant.reader
    queries = make_searches(reader.letters, searches, random.Random(seed))
    for query in make_searches(reader.letters, 20, random.Random(seed + 1)):  # loads vectors, postings, model
        assistant.search(k=5, **query)
    ready_s = time.perf_counter() - t0
    encode = bare_encoder(assistant.embedder)
    load = common.loadavg()
    cpu: dict[str, list[float]] = {"bare": [], "search": []}

    def on_cpu(name, call):
        """The arm, adding its process CPU seconds (every thread's) to cpu[name]."""
        def arm(q):
            t0 = time.process_time()
            call(q)
            cpu[name].append(time.process_time() - t0)
        return arm

    times, embedded = paired(assistant, queries, {"bare": on_cpu("bare", lambda q: encode(q["query"])),
                                                  "search": on_cpu("search", lambda q: assistant.search(k=5, **q))},
                             passes=passes)
    result = summary((times, embedded))
    result["cpu"] = {name: stats(seconds) for name, seconds in cpu.items()}
    result["cpu"]["p50_ratio"] = result["cpu"]["search"]["p50_ms"] / result["cpu"]["bare"]["p50_ms"]
    result["cpu"]["p95_ratio"] = result["cpu"]["search"]["p95_ms"] / result["cpu"]["bare"]["p95_ms"]
    filtered = [len(q) > 1 for _ in range(passes) for q in queries]
    for name, wanted in (("unfiltered", False), ("filtered", True)):
        pick = [i for i, f in enumerate(filtered) if f == wanted]
        if not pick:
            continue
        arm, base = stats([times["search"][i] for i in pick]), stats([times["bare"][i] for i in pick])
        result[name] = {"n": len(pick), "search": arm, "bare": base,
                        "p50_ratio": arm["p50_ms"] / base["p50_ms"], "p95_ratio": arm["p95_ms"] / base["p95_ms"]}
    return {"index": str(index_dir), "letters": len(reader.letters), "chunks": reader.chunks,
            "provenance": common.provenance(index_dir), "open_and_warm_s": ready_s,
            "loadavg_before": load, "loadavg_after": common.loadavg(), **result,
            "stages": breakdown(assistant, queries, 5)}


def ratios(run: dict, name: str) -> str:
    found = run.get(name)
    return f"{found['p50_ratio']:.2f}x / {found['p95_ratio']:.2f}x" if found else "-"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("indexes", nargs="+")
    parser.add_argument("--searches", type=int, default=100)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="result file (default bench/results/search-cost.json)")
    args = parser.parse_args(argv)
    doc = common.start("search_cost", argv, searches=args.searches, passes=args.passes, seed=args.seed)
    doc["runs"] = [measure(Path(index), args.searches, args.passes, args.seed) for index in args.indexes]
    path = common.finish(doc, args.out or common.RESULTS / "search-cost.json")
    print(f"{'letters':>8} {'chunks':>8} {'search p50/p95 ms':>18} {'bare encode p50/p95':>20} {'ratio p50/p95':>14}"
          "  unfiltered ratio  filtered ratio")
    for run in doc["runs"]:
        search, bare, paired_ = run["search"], run["bare"], run["search"].get("paired", {})
        print(f"{run['letters']:>8,} {run['chunks']:>8,} {search['p50_ms']:>8.2f} / {search['p95_ms']:<7.2f}"
              f" {bare['p50_ms']:>9.2f} / {bare['p95_ms']:<8.2f} {search['p50_ms'] / bare['p50_ms']:>6.2f}x / "
              f"{search['p95_ms'] / bare['p95_ms']:.2f}x  {ratios(run, 'unfiltered')}  {ratios(run, 'filtered')}"
              f"  (paired calls: {paired_.get('n', 0)}; load "
              f"{run['loadavg_before'][0]} -> {run['loadavg_after'][0]})")
        cpu = run["cpu"]
        print(f"          CPU time (all threads): search p50 {cpu['search']['p50_ms']:.2f} / p95 "
              f"{cpu['search']['p95_ms']:.2f} ms, bare encode {cpu['bare']['p50_ms']:.2f} / {cpu['bare']['p95_ms']:.2f}"
              f" ms: {cpu['p50_ratio']:.2f}x / {cpu['p95_ratio']:.2f}x")
        stages = {name: v for name, v in run["stages"].items() if "p50_ms" in v}
        print("          stages p50/p95 ms: " + ", ".join(f"{name} {v['p50_ms']:.2f}/{v['p95_ms']:.2f}"
                                                         for name, v in stages.items()))
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
