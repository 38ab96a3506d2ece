"""Full build: update_index(rebuild=True) against a bare model.encode of the same chunk texts.

For each corpus size, in one process with one loaded model (load time excluded from both),
it alternates pipeline builds into fresh folders with bare encodes of exactly the chunk
texts the build stored (SQLite `chunks`, row order), same model and batch size, so machine
noise falls on both. Reported: seconds, chunks/s, CPU seconds, time inside the embedder,
and the ratio pipeline / bare encode (goal <= 1.15x).

    .venv/bin/python bench/build.py [--sizes 10,100,1000] [--runs 3] [--dedup]

--dedup adds a third arm: the pipeline with the proposed "embed each distinct text once"
patch (bench/_proposals.py), interleaved with the others.
But: - the corpus is synthetic (bench/make_corpus.py), so its share of repeated text is
not that of real letters; GPU builds are not measured here.
"""

from __future__ import annotations

import argparse
import glob
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import _common as common  # noqa: I001 - sets sys.path and the offline environment first
import numpy as np


def corpus(work: Path, size: int, seed: int) -> Path:
    from bench.make_corpus import make_corpus

    folder = work / f"corpus-{size}-seed{seed}"
    if not (folder.is_dir() and len(list(folder.iterdir())) == size):
        shutil.rmtree(folder, ignore_errors=True)
        make_corpus(size, folder, seed=seed)
    return folder


class TimedEmbedder:
    """The real embedder, counting the seconds spent inside embed()."""

    def __init__(self, inner):
        self.inner, self.name, self.seconds = inner, inner.name, 0.0

    @property
    def dim(self):
        return self.inner.dim

    def embed(self, texts, progress=None):
        t0 = time.perf_counter()
        try:
            return type(self.inner).embed(self.inner, texts, progress)
        finally:
            self.seconds += time.perf_counter() - t0


def run_pipeline(letters: Path, work: Path, embedder, label: str) -> dict:
    from index.update import update_index

    target = Path(tempfile.mkdtemp(prefix=f"idx-{label}-", dir=work))
    timed = TimedEmbedder(embedder)
    load0 = common.loadavg()
    c0, t0 = time.process_time(), time.perf_counter()
    report = update_index(letters, target, embedder=timed, rebuild=True)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"arm": label, "seconds": wall, "cpu_seconds": cpu, "embed_seconds": timed.seconds,
            "other_seconds": wall - timed.seconds, "chunks": report.chunks, "letters": report.letters,
            "embedded_chunks": report.embedded_chunks, "loadavg_before": load0, "loadavg_after": common.loadavg(),
            "index": str(target)}


def stored_texts(index_dir: Path) -> list[str]:
    database = glob.glob(str(index_dir / "gen-*" / "index.sqlite"))[0]
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    texts = [row[0] for row in db.execute("SELECT text FROM chunks ORDER BY row")]
    db.close()
    return texts


def stored_vectors(index_dir: Path) -> np.ndarray:
    from index.reader import IndexReader

    return IndexReader.open(index_dir).vectors()


def run_bare(texts: list[str], model, batch_size: int) -> tuple[dict, np.ndarray]:
    load0 = common.loadavg()
    c0, t0 = time.process_time(), time.perf_counter()
    vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return ({"arm": "bare", "seconds": wall, "cpu_seconds": cpu, "chunks": len(texts), "loadavg_before": load0,
             "loadavg_after": common.loadavg()}, vectors)


def bench_size(size: int, args, work: Path, embedder, arms: list[str]) -> dict:
    from index.embedder import BATCH_SIZE

    letters = corpus(work, size, args.seed)
    runs, texts, check, agreement = [], None, None, None
    for r in range(args.runs):
        order = arms if r % 2 == 0 else arms[::-1]  # ABBA: neither arm always goes first
        if texts is None:
            order = ["pipeline"] + [a for a in order if a != "pipeline"]
        for arm in order:
            if arm == "bare":
                result, vectors = run_bare(texts, embedder.model, BATCH_SIZE)
                if check is None:
                    check = vectors
            else:
                undo = _patch(arm)
                try:
                    result = run_pipeline(letters, work, embedder, arm)
                finally:
                    undo()
                if texts is None:
                    texts = stored_texts(Path(result["index"]))
                elif stored_texts(Path(result["index"])) != texts:
                    raise SystemExit(f"{arm} run {r} stored other chunk texts than the first run")
                if arm == "pipeline" and check is not None and agreement is None:
                    agreement = float(np.min(np.sum(stored_vectors(Path(result["index"])) * check, axis=1)))
                shutil.rmtree(result.pop("index"), ignore_errors=True)
            result["round"] = r
            runs.append(result)
            print(f"  size {size} round {r} {arm:8s} {result['seconds']:8.2f} s  cpu {result['cpu_seconds']:8.2f} s  "
                  f"load {result['loadavg_after'][0]}", flush=True)
    summary = {"size": size, "letters": runs[0]["letters"], "chunks": runs[0]["chunks"],
               "distinct_texts": len(set(texts)), "runs": runs}
    for arm in sorted(arms, key=lambda a: a != "bare"):  # bare first: the others are ratios to it
        mine = [x for x in runs if x["arm"] == arm]
        summary[arm] = {"median_s": common.median(x["seconds"] for x in mine),
                        "median_cpu_s": common.median(x["cpu_seconds"] for x in mine),
                        "chunks_per_s": len(texts) / common.median(x["seconds"] for x in mine)}
        if arm != "bare":
            summary[arm]["median_embed_s"] = common.median(x["embed_seconds"] for x in mine)
            summary[arm]["median_other_s"] = common.median(x["other_seconds"] for x in mine)
            bare = [x for x in runs if x["arm"] == "bare"]
            summary[arm]["ratio_to_bare"] = summary[arm]["median_s"] / summary["bare"]["median_s"] if bare else None
            summary[arm]["cpu_ratio_to_bare"] = (summary[arm]["median_cpu_s"] / summary["bare"]["median_cpu_s"]
                                                 if bare else None)
            paired = [p["seconds"] / b["seconds"] for p in mine for b in bare if b["round"] == p["round"]]
            summary[arm]["paired_ratio_median"] = common.median(paired)
    summary["min_cosine_pipeline_vs_bare"] = agreement
    return summary


def _patch(arm: str):
    if arm == "dedup":
        from _proposals import apply_dedup_embed

        return apply_dedup_embed()
    return lambda: None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated letter counts (default 10,100,1000)")
    parser.add_argument("--runs", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--dedup", action="store_true", help="add the proposed dedup-embedding arm")
    parser.add_argument("--work", default="/tmp/letters-bench", help="scratch folder (default /tmp/letters-bench)")
    parser.add_argument("--out", help="result file (default bench/results/build.json)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    arms = ["pipeline", "bare"] + (["dedup"] if args.dedup else [])
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    doc = common.start("build", argv, sizes=sizes, runs=args.runs, seed=args.seed, arms=arms)
    embedder, load_s = common.load_embedder()
    doc["model_load_s"] = load_s
    doc["batch_size"] = embedder.batch_size
    doc["sizes"] = []
    for size in sizes:
        doc["sizes"].append(bench_size(size, args, work, embedder, arms))
        path = common.finish(doc, args.out)  # written after every size, so a long run keeps what it has
    print(f"\nfull build, model load {load_s:.1f} s excluded, batch size {embedder.batch_size}; {path}")
    print(f"{'letters':>7} {'chunks':>7} {'distinct':>8} {'arm':>8} {'median':>9} {'chunks/s':>9} {'embed':>9} "
          f"{'other':>8} {'ratio':>6} {'paired':>6} {'cpu ratio':>9}")
    for s in doc["sizes"]:
        for arm in arms:
            a = s[arm]
            print(f"{s['letters']:>7} {s['chunks']:>7} {s['distinct_texts']:>8} {arm:>8} {a['median_s']:>8.2f}s "
                  f"{a['chunks_per_s']:>9.1f} {_f(a.get('median_embed_s')):>9} {_f(a.get('median_other_s')):>8} "
                  f"{_f(a.get('ratio_to_bare'), 'x'):>6} {_f(a.get('paired_ratio_median'), 'x'):>6} "
                  f"{_f(a.get('cpu_ratio_to_bare'), 'x'):>9}")
    print(f"goal: pipeline <= 1.15x bare encode; load average before {doc['loadavg_before']}, "
          f"after {doc['loadavg_after']}")
    return 0


def _f(value, unit: str = "s") -> str:
    return "-" if value is None else f"{value:.2f}{unit}"


if __name__ == "__main__":
    sys.exit(main())
