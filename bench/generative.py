"""Generative answers with a real model: latency and how many pass the checks, per gold question.

    .venv/bin/python bench/generative.py INDEX [--llm SmolLM2] [--gold tests/gold.jsonl] [--runs 1]

For every gold question the model is given (open, paraphrased open, strengths/weaknesses):
the time to the model's first chunk, to the whole checked answer, chunks per second while it
writes (llama.cpp streams one token per chunk), and what the checks made of it (shown as
written, some sentences dropped, or fallen back to the excerpts), beside the extractive
answer to the same question in the same run (the baseline). One warm-up question first (the
model loads then; its time is reported apart). Writes bench/results/generative.json; `--out` for
another path. Needs the llm extra (`make llm`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common

CATEGORIES = ("open", "paraphrase", "strengths_weaknesses")


def run_one(assistant, question: str, history: list[str]) -> dict:
    start = time.perf_counter()
    first, chunks, answer = None, 0, None
    for item in assistant.ask_stream(question, history):
        if isinstance(item, str):
            chunks += 1
            first = first if first is not None else time.perf_counter() - start
        else:
            answer = item
    total = time.perf_counter() - start
    writing = total - first if first is not None else None
    return {"question": question, "first_chunk_s": first, "total_s": total, "chunks": chunks,
            "chunks_per_s": chunks / writing if writing else None, "composer": answer.composer,
            "verified": answer.verified, "dropped": len(answer.dropped), "fallback": answer.fallback,
            "reasons": [d.reason.split(",")[0] for d in answer.dropped]}


def main(argv: list[str] | None = None) -> int:
    from qa import Assistant

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index")
    parser.add_argument("--llm", default="SmolLM2")
    parser.add_argument("--gold", default=str(common.ROOT / "tests" / "gold.jsonl"))
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    doc = common.start("generative", sys.argv[1:] if argv is None else argv, llm=args.llm, gold=args.gold,
                       runs=args.runs)
    gold = [json.loads(line) for line in Path(args.gold).read_text().splitlines() if line.strip()]
    gold = [g for g in gold if g.get("category") in CATEGORIES]
    plain = Assistant.open(args.index)
    t0 = time.perf_counter()
    model = Assistant.open(args.index, llm=args.llm)
    plain.ask("warm up the encoder: what about private fostering?")
    warm = run_one(model, "What did Ofsted say about private fostering?", [])
    doc["open_s"], doc["warm_up"] = time.perf_counter() - t0 - warm["total_s"], warm
    rows, baseline = [], []
    for _ in range(args.runs):
        for g in gold:
            t = time.perf_counter()
            plain.ask(g["question"], history=g.get("history") or [])
            baseline.append(time.perf_counter() - t)
            rows.append(run_one(model, g["question"], g.get("history") or []) | {"category": g["category"]})
    given = [r for r in rows if r["chunks"]]
    outcome = Counter("shown whole" if r["composer"] != "extractive" and r["verified"]
                      else "shown, sentences dropped" if r["composer"] != "extractive"
                      else "fell back" if r["fallback"] else "not given to the model" for r in rows)
    doc["questions"] = len(rows)
    doc["outcomes"] = dict(outcome)
    doc["drop_reasons"] = dict(Counter(reason for r in rows for reason in r["reasons"]))
    doc["first_chunk_ms"] = _stats([r["first_chunk_s"] for r in given])
    doc["answer_ms"] = _stats([r["total_s"] for r in given])
    doc["extractive_ms"] = _stats(baseline)
    doc["chunks_per_s"] = _stats([r["chunks_per_s"] for r in given if r["chunks_per_s"]], scale=1)
    doc["rows"] = rows
    print(f"{args.llm}: {len(rows)} questions, {dict(outcome)}")
    print(f"first chunk {doc['first_chunk_ms']}, whole answer {doc['answer_ms']}, extractive {doc['extractive_ms']} "
          f"(ms, p50/p95); {doc['chunks_per_s']} chunks/s; open + load {doc['open_s']:.2f} s, first answer "
          f"{warm['total_s']:.2f} s; drop reasons {doc['drop_reasons']}")
    print(common.finish(doc, args.out))
    return 0


def _stats(values, scale: float = 1000) -> dict | None:
    values = [v * scale for v in values if v is not None]
    if not values:
        return None
    return {"p50": round(common.median(values), 1), "p95": round(common.percentile(values, 95), 1), "n": len(values)}


if __name__ == "__main__":
    sys.exit(main())
