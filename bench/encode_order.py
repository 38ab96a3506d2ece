"""Build-side encoder throughput by batch order: sorted by length or not, tokenising ahead or not.

On a fixed random sample of the distinct texts a full build embeds (collected by one build of
`--letters` with a null encoder, bench/build.py), the default encoder (ONNX Runtime, as
`letters-qa index` runs it) embeds the sample in batches of `--batch-size`, each arm in turn,
rounds interleaved (the order rotates), the same encoder object throughout:

  sorted     BatchedEmbedder.embed as the library does it: longest first (characters)
  unsorted   the same batch loop in the sample's (random) order
  tokens     longest first by token count (the tokenising for the sort is timed too)
  prefetch   longest first (characters), the next batch tokenised in a thread while ONNX
             Runtime runs this one (tokenizers and onnxruntime both release the GIL)

Reported per arm: median texts/s, and for `sorted` the seconds inside tokenising, the ONNX
session and pooling; each arm's vectors against `sorted`'s (largest absolute difference, least
cosine: padding changes the shapes ONNX Runtime computes, so not necessarily bit-identical).

    .venv/bin/python bench/encode_order.py --letters DIR [--sample 2000] [--rounds 3]

But: - one sample, one machine; compare the ratios, not the texts/s, across runs.
"""

from __future__ import annotations

import argparse
import queue
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

import numpy as np

from bench import _common as common

ARMS = ("sorted", "unsorted", "tokens", "prefetch")


def build_texts(letters: Path, work: Path) -> list[str]:
    """The distinct texts a full build of `letters` embeds (one build with a null encoder)."""
    from bench.build import NullEmbedder, run_pipeline, stored_texts
    from index.embedder import DEFAULT_MODEL

    result = run_pipeline(letters, work, NullEmbedder(DEFAULT_MODEL, 384), "null")
    folder = Path(result["index"])
    texts = list(dict.fromkeys(stored_texts(folder)))
    shutil.rmtree(folder, ignore_errors=True)
    return texts


class Timed:
    """The ONNX embedder's encode() split into its three steps, each step's seconds summed."""

    def __init__(self, encoder):
        from index import onnx_encoder

        self.encoder, self.oe = encoder, onnx_encoder
        self.session = encoder._load()
        self.seconds = {"tokenise": 0.0, "session": 0.0, "pool": 0.0}

    def tokenise(self, batch: list[str]) -> dict:
        t0 = time.perf_counter()
        feed = self.oe.tokenize(self.encoder._tok, batch)
        self.seconds["tokenise"] += time.perf_counter() - t0
        return feed

    def run(self, feed: dict) -> np.ndarray:
        t0 = time.perf_counter()
        hidden = self.session.run(None, {k: feed[k] for k in self.encoder._inputs})[0]
        t1 = time.perf_counter()
        out = self.oe.pool(hidden, feed["attention_mask"])
        self.seconds["session"] += t1 - t0
        self.seconds["pool"] += time.perf_counter() - t1
        return out


def batches_of(order, size: int) -> list:
    return [order[i : i + size] for i in range(0, len(order), size)]


def embed(arm: str, texts: list[str], timed: Timed, size: int) -> np.ndarray:
    out = np.empty((len(texts), 384), dtype=np.float32)
    if arm == "unsorted":
        order = np.arange(len(texts))
    elif arm == "tokens":
        order = np.argsort(timed.encoder.lengths(texts), kind="stable")[::-1]  # as OnnxEmbedder.embed measures
    else:  # as BatchedEmbedder.embed
        order = np.argsort([len(t) for t in texts])[::-1]
    groups = batches_of(order, size)
    if arm != "prefetch":
        for idx in groups:
            out[idx] = timed.run(timed.tokenise([texts[j] for j in idx]))
        return out
    feeds: queue.Queue = queue.Queue(maxsize=1)  # the tokeniser stays at most one batch ahead

    def producer():
        for idx in groups:
            feeds.put(timed.tokenise([texts[j] for j in idx]))

    thread = threading.Thread(target=producer, daemon=True)
    thread.start()
    for idx in groups:
        out[idx] = timed.run(feeds.get())
    thread.join()
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", required=True, help="folder of letters whose build texts are sampled")
    parser.add_argument("--sample", type=int, default=2000, help="distinct texts sampled (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the arms (default 3)")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the library's BATCH_SIZE")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--arms", default=",".join(ARMS), help=f"comma-separated, of {','.join(ARMS)}")
    parser.add_argument("--out", help="result file (default bench/results/encode_order.json)")
    args = parser.parse_args(argv)
    from index.embedder import BATCH_SIZE, make_embedder

    size = args.batch_size or BATCH_SIZE
    arms = [a for a in args.arms.split(",") if a]
    doc = common.start("encode_order", argv, sample=args.sample, rounds=args.rounds, batch_size=size, seed=args.seed,
                       arms=arms, letters=args.letters)
    with tempfile.TemporaryDirectory(prefix="encode-order-") as work:
        texts = build_texts(Path(args.letters), Path(work))
    sample = random.Random(args.seed).sample(texts, min(args.sample, len(texts)))
    encoder = make_embedder()
    encoder = getattr(encoder, "chosen", encoder)
    if getattr(encoder, "backend", None) != "onnx":
        raise SystemExit("this measures the ONNX encoder; it did not load")
    timed = Timed(encoder)
    embed("sorted", sample[:128], timed, size)  # warm up
    doc["distinct_texts"] = len(texts)
    doc["sampled"] = len(sample)
    doc["mean_chars"] = float(np.mean([len(t) for t in sample]))
    runs, vectors = [], {}
    for r in range(args.rounds):
        for arm in arms[r % len(arms):] + arms[: r % len(arms)]:
            timed.seconds = dict.fromkeys(timed.seconds, 0.0)
            load0 = common.loadavg()
            c0, t0 = time.process_time(), time.perf_counter()
            got = embed(arm, sample, timed, size)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            vectors.setdefault(arm, got)
            runs.append({"arm": arm, "round": r, "seconds": wall, "cpu_seconds": cpu, "texts_per_s": len(sample) / wall,
                         "steps": dict(timed.seconds), "loadavg_before": load0, "loadavg_after": common.loadavg()})
            print(f"  round {r} {arm:9s} {wall:7.2f} s  {len(sample) / wall:6.1f} texts/s  cpu {cpu:7.2f} s  "
                  f"steps {', '.join(f'{k} {v:.2f}' for k, v in timed.seconds.items())}  load {load0[0]}", flush=True)
    doc["runs"] = runs
    summary = {}
    base = vectors.get("sorted")
    for arm in arms:
        mine = [x for x in runs if x["arm"] == arm]
        entry = {"median_s": common.median(x["seconds"] for x in mine),
                 "median_texts_per_s": common.median(x["texts_per_s"] for x in mine),
                 "median_cpu_s": common.median(x["cpu_seconds"] for x in mine),
                 "median_steps_s": {k: common.median(x["steps"][k] for x in mine) for k in timed.seconds}}
        if base is not None:
            entry["max_abs_diff_to_sorted"] = float(np.max(np.abs(vectors[arm] - base)))
            entry["min_cosine_to_sorted"] = float(np.min(np.sum(vectors[arm] * base, axis=1)))
            entry["identical_to_sorted"] = bool(np.array_equal(vectors[arm], base))
        summary[arm] = entry
    if "sorted" in summary:
        reference = summary["sorted"]["median_texts_per_s"]
        for arm in arms:
            summary[arm]["speed_vs_sorted"] = summary[arm]["median_texts_per_s"] / reference
    doc["summary"] = summary
    path = common.finish(doc, args.out)
    print(f"\n{len(sample)} of {len(texts)} distinct texts, batch {size}; {path}")
    for arm, s in summary.items():
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in s["median_steps_s"].items())
        print(f"{arm:9s} {s['median_texts_per_s']:7.1f} texts/s  x{s.get('speed_vs_sorted', 1):.2f}  ({steps})  "
              f"max |diff| {s.get('max_abs_diff_to_sorted', 0):.2e}  min cos {s.get('min_cosine_to_sorted', 1):.7f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
