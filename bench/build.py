"""Full build: update_index(rebuild=True) against a bare model.encode of the same chunk texts.

For each corpus size, in one process with one loaded model (load time excluded from both),
it alternates pipeline builds into fresh folders with bare encodes of exactly the chunk
texts the build stored (SQLite `chunks`, row order), same model and batch size, so machine
noise falls on both. Reported: seconds, chunks/s, CPU seconds, time inside the embedder,
and the ratio pipeline / bare encode (goal <= 1.15x). The library embeds each distinct
text once (since a35ac1f) and the `bare` arm encodes every stored text, so that ratio includes
the saving; a third arm, `distinct`, encodes each distinct stored text once, the least work
any pipeline that stores these vectors must do, so pipeline / distinct is its overhead.

    .venv/bin/python bench/build.py [--sizes 10,100,1000] [--runs 3]

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

ARMS = ("pipeline", "bare", "distinct")  # round 0 runs the pipeline first: the others encode the texts it stored
BARE = ("bare", "distinct")


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
            "embedded_chunks": report.embedded_chunks, "skipped": len(report.skipped), "loadavg_before": load0,
            "loadavg_after": common.loadavg(),
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


def run_bare(texts: list[str], model, batch_size: int, arm: str = "bare") -> tuple[dict, np.ndarray]:
    load0 = common.loadavg()
    c0, t0 = time.process_time(), time.perf_counter()
    vectors = model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return ({"arm": arm, "seconds": wall, "cpu_seconds": cpu, "chunks": len(texts), "loadavg_before": load0,
             "loadavg_after": common.loadavg()}, vectors)


def bench_size(size: int, args, work: Path, embedder) -> dict:
    from index.embedder import BATCH_SIZE

    letters = corpus(work, size, args.seed)
    runs, texts, check, agreement = [], None, None, None
    for r in range(args.runs):
        for arm in ARMS if r % 2 == 0 else ARMS[::-1]:  # ABBA: neither arm always goes first
            if arm == "distinct":
                result, _ = run_bare(list(dict.fromkeys(texts)), embedder.model, BATCH_SIZE, arm)
            elif arm == "bare":
                result, vectors = run_bare(texts, embedder.model, BATCH_SIZE)
                if check is None:
                    check = vectors
            else:
                result = run_pipeline(letters, work, embedder, arm)
                if texts is None:
                    texts = stored_texts(Path(result["index"]))
                elif stored_texts(Path(result["index"])) != texts:
                    raise SystemExit(f"{arm} run {r} stored other chunk texts than the first run")
                if check is not None and agreement is None:
                    agreement = float(np.min(np.sum(stored_vectors(Path(result["index"])) * check, axis=1)))
                shutil.rmtree(result.pop("index"), ignore_errors=True)
            result["round"] = r
            runs.append(result)
            print(f"  size {size} round {r} {arm:8s} {result['seconds']:8.2f} s  cpu {result['cpu_seconds']:8.2f} s  "
                  f"load {result['loadavg_after'][0]}", flush=True)
    summary = {"size": size, "letters": runs[0]["letters"], "chunks": runs[0]["chunks"],
               "distinct_texts": len(set(texts)), "runs": runs}
    for arm in ARMS:
        mine = [x for x in runs if x["arm"] == arm]
        summary[arm] = {"median_s": common.median(x["seconds"] for x in mine),
                        "median_cpu_s": common.median(x["cpu_seconds"] for x in mine),
                        "chunks_per_s": len(texts) / common.median(x["seconds"] for x in mine)}
    mine, pipeline = [x for x in runs if x["arm"] == "pipeline"], summary["pipeline"]
    pipeline["median_embed_s"] = common.median(x["embed_seconds"] for x in mine)
    pipeline["median_other_s"] = common.median(x["other_seconds"] for x in mine)
    for arm in BARE:  # "ratio_to_bare", "paired_ratio_to_distinct", ...
        theirs = [x for x in runs if x["arm"] == arm]
        pipeline[f"ratio_to_{arm}"] = pipeline["median_s"] / summary[arm]["median_s"]
        pipeline[f"cpu_ratio_to_{arm}"] = pipeline["median_cpu_s"] / summary[arm]["median_cpu_s"]
        pipeline[f"paired_ratio_to_{arm}"] = common.median(
            p["seconds"] / b["seconds"] for p in mine for b in theirs if b["round"] == p["round"])
    summary["min_cosine_pipeline_vs_bare"] = agreement
    return summary


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="comma-separated letter counts (default 10,100,1000)")
    parser.add_argument("--runs", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--work", default="/tmp/letters-bench", help="scratch folder (default /tmp/letters-bench)")
    parser.add_argument("--out", help="result file (default bench/results/build.json)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    doc = common.start("build", argv, sizes=sizes, runs=args.runs, seed=args.seed, arms=list(ARMS))
    embedder, load_s = common.load_embedder()
    doc["model_load_s"] = load_s
    doc["batch_size"] = embedder.batch_size
    doc["sizes"] = []
    for size in sizes:
        doc["sizes"].append(bench_size(size, args, work, embedder))
        path = common.finish(doc, args.out)  # written after every size, so a long run keeps what it has
    print(f"\nfull build, model load {load_s:.1f} s excluded, batch size {embedder.batch_size}; {path}")
    print(f"{'letters':>7} {'chunks':>7} {'distinct':>8} {'arm':>8} {'median':>9} {'chunks/s':>9} {'embed':>9} "
          f"{'other':>8}   pipeline / this arm: median, paired, cpu")
    for s in doc["sizes"]:
        p = s["pipeline"]
        for arm in ARMS:
            a = s[arm]
            ratios = "" if arm == "pipeline" else (f"   {_f(p[f'ratio_to_{arm}'], 'x')}, "
                                                   f"{_f(p[f'paired_ratio_to_{arm}'], 'x')}, "
                                                   f"{_f(p[f'cpu_ratio_to_{arm}'], 'x')}")
            print(f"{s['letters']:>7} {s['chunks']:>7} {s['distinct_texts']:>8} {arm:>8} {a['median_s']:>8.2f}s "
                  f"{a['chunks_per_s']:>9.1f} {_f(a.get('median_embed_s')):>9} {_f(a.get('median_other_s')):>8}"
                  f"{ratios}")
    print(f"goal: pipeline <= 1.15x bare encode; load average before {doc['loadavg_before']}, "
          f"after {doc['loadavg_after']}")
    return 0


def _f(value, unit: str = "s") -> str:
    return "-" if value is None else f"{value:.2f}{unit}"


if __name__ == "__main__":
    sys.exit(main())
