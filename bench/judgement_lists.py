"""How fast list questions answered from the tables are at scale (issue 28: <= 100 ms p95 at 10,000 letters).

    .venv/bin/python bench/judgement_lists.py INDEX [--runs 20]
    .venv/bin/python bench/make_index.py 10000 /tmp/big --fake-vectors   # an index to time it on

Opens INDEX (a fake-vector index from bench/make_index.py: these answers come from the ratings
and judgements tables, never from vectors, so fake vectors time them as users see them) and asks
each question `--runs` times after one warm-up: "Which councils have inadequate private
fostering?" and the other service lists, counts, the inspections' "require improvement" list and
a change across councils. Prints and writes the median and p95 per question, and the answer's
size (councils listed). Writes bench/results/judgement_lists.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common
from bench.make_index import FakeEmbedder
from qa import Assistant

QUESTIONS = (
    "Which councils have inadequate private fostering?",
    "How many councils have good adoption services?",
    "Which councils have outstanding children's homes?",
    "Which councils were judged inadequate for children in care?",
    "Which councils require improvement?",
    "Which councils perform well in 2009?",
    "Which councils improved from inadequate to good?",
)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", help="an index folder (bench/make_index.py N FOLDER --fake-vectors: FOLDER/index)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    doc = common.start("judgement_lists", argv, index=args.index, runs=args.runs)
    began = time.perf_counter()
    assistant = Assistant.open(args.index, embedder=FakeEmbedder())
    assistant.ask(QUESTIONS[0])  # the tables are read on first use: that is the open, not a question
    doc["open_and_first_s"] = round(time.perf_counter() - began, 3)
    doc["letters"] = len(assistant.reader.letters)
    doc["judgements"] = len(assistant.reader.judgements or ())
    print(f"{doc['letters']:,} letters, {doc['judgements']:,} judgements; open and first answer "
          f"{doc['open_and_first_s']} s")
    rows = []
    for question in QUESTIONS:
        assistant.ask(question)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            answer = assistant.ask(question)
            times.append((time.perf_counter() - t0) * 1000)
        listed = answer.coverage.matches if answer.coverage else None
        rows.append({"question": question, "intent": answer.intent, "listed": listed,
                     "median_ms": round(common.median(times), 2), "p95_ms": round(common.percentile(times, 95), 2)})
        print(f"  {question}: median {rows[-1]['median_ms']} ms, p95 {rows[-1]['p95_ms']} ms ({answer.intent}, "
              f"{listed} listed)")
    doc["questions"] = rows
    doc["worst_p95_ms"] = max(r["p95_ms"] for r in rows)
    print(f"worst p95 {doc['worst_p95_ms']} ms; written: {common.finish(doc)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
