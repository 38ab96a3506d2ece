"""Warm `ask` latency and full-build time on the seeds, for the checkout it runs in.

    python bench/seeds_speed.py INDEX [--gold tests/gold.jsonl] [--categories open,paraphrase] [--tiny]

Prints one JSON line: the median and p95 of `Assistant.ask` over the gold questions of the
chosen categories (3 passes, after 10 warm-up asks; and of the first pass alone, where each
question is embedded, as a question-vector cache answers the later passes), and the median of 3 full builds of
seeds/ into a temporary folder with one warm model. To compare two commits, run it in both
checkouts in turn (interleaved, same machine), each against an index its own code built:
    (cd OLD && PYTHONPATH=OLD python bench/seeds_speed.py OLD_INDEX --gold NEW/tests/gold.jsonl)
But: - seeds only (five letters); bench/query.py and bench/build.py measure at scale.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from index.embedder import make_embedder
from index.update import update_index
from qa import Assistant


def ask_times(index: str, gold: Path, categories: set[str], limit: int | None = None) -> list[float]:
    assistant = Assistant.open(index)
    questions = [json.loads(line) for line in gold.read_text().splitlines() if line.strip()]
    questions = [q for q in questions if q.get("category") in categories][:limit]
    for q in questions[:10]:
        assistant.ask(q["question"], history=q.get("history") or [])
    times = []
    for _ in range(3):
        for q in questions:
            start = time.perf_counter()
            assistant.ask(q["question"], history=q.get("history") or [])
            times.append(time.perf_counter() - start)
    return times  # in asking order: the first pass embeds each question, the later ones may hit a cache


def build_times(letters: str, runs: int = 3) -> tuple[list[float], int]:
    embedder = make_embedder()
    embedder.embed(["warm up"])
    times, chunks = [], 0
    for _ in range(runs):
        folder = tempfile.mkdtemp()
        start = time.perf_counter()
        chunks = update_index(letters, Path(folder) / "index", embedder=embedder).chunks
        times.append(time.perf_counter() - start)
        shutil.rmtree(folder)
    return sorted(times), chunks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index")
    parser.add_argument("--gold", type=Path, default=Path("tests/gold.jsonl"))
    parser.add_argument("--categories", default="open,paraphrase")
    parser.add_argument("--letters", default="seeds")
    parser.add_argument("--tiny", action="store_true", help="one build and 3 questions (the smoke test's run)")
    args = parser.parse_args()
    # Builds first: the query side's embedder sets torch to one thread for the whole process.
    builds, chunks = build_times(args.letters, 1 if args.tiny else 3)
    asks = ask_times(args.index, args.gold, set(args.categories.split(",")), 3 if args.tiny else None)
    first = sorted(asks[: len(asks) // 3])
    asks = sorted(asks)
    print(json.dumps({
        "ask_median_ms": round(statistics.median(asks) * 1000, 2),
        "ask_p95_ms": round(asks[int(0.95 * len(asks))] * 1000, 2), "asks": len(asks),
        "first_pass_median_ms": round(statistics.median(first) * 1000, 2),
        "first_pass_p95_ms": round(first[int(0.95 * len(first))] * 1000, 2),
        "build_median_s": round(statistics.median(builds), 2), "chunks": chunks,
    }))


if __name__ == "__main__":
    main()
