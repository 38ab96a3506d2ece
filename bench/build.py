"""Full build: update_index(rebuild=True) against a bare encode of the same chunk texts.

For each corpus size, in one process with one loaded encoder (load time excluded from both),
it alternates pipeline builds into fresh folders with bare encodes of exactly the texts the
build embedded (each stored chunk's context line and text, `index.chunks.search_text`, row
order), same encoder object and batch size, so machine noise falls on both. Reported:
seconds, chunks/s, CPU seconds, time inside the embedder, and the ratio pipeline / bare
encode (goal <= 1.15x). The library embeds each distinct text once (since a35ac1f) and the
`bare` arm encodes every stored text, so that ratio includes the saving; a third arm,
`distinct`, encodes each distinct stored text once, the least work any pipeline that stores
these vectors must do, so pipeline / distinct is its overhead.

The encoder is the library's default (`make_embedder()`: ONNX Runtime for the bundled model,
threads one per core, as `letters-qa index` runs it); its bare encode is the encoder's own
batch call over the texts longest first (by its own `lengths`: tokens for the ONNX encoder)
in batches of its batch size, as sentence-transformers' `encode` sorts (by characters).
`--encoder torch` times sentence-transformers instead (bare arm `model.encode`), as this
script did before the ONNX encoder.

    .venv/bin/python bench/build.py [--sizes 10,100,1000] [--runs 3]
    .venv/bin/python bench/build.py --letters DIR --runs 1 --arms pipeline,distinct --bare-every 4

`--letters DIR` builds that folder instead of generating one per size. `--bare-every K` times
the bare arms on a fixed sample of their batches, one batch drawn at random (seeded) from each
K consecutive batches of the length-sorted texts, and projects the whole encode as
seconds x texts / sampled texts (reported with the measured part); 1 (the default) encodes all.
With K > 1 each round is a sandwich, so that a drift in the machine's load falls on both: half
the sampled batches (every other one, so both halves span all lengths), the pipeline, the other
half; the texts are first collected by one build with a null encoder (timed too: the pipeline's
cost outside the model).

But: - the corpus is synthetic (tools/make_corpus.py), so its share of repeated text is
not that of real letters; GPU builds are not measured here.
"""

from __future__ import annotations

import argparse
import glob
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

import numpy as np

from bench import _common as common

ARMS = ("pipeline", "bare", "distinct")  # round 0 runs the pipeline first: the others encode the texts it stored
BARE = ("bare", "distinct")


def corpus(work: Path, size: int, seed: int) -> Path:
    from tools.make_corpus import make_corpus

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
    def backend(self):  # recorded in the manifest
        return getattr(self.inner, "backend", None)

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
    """What the build embedded for each stored chunk, in row order: context line and text."""
    from index.chunks import search_text

    database = glob.glob(str(index_dir / "gen-*" / "index.sqlite"))[0]
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    rows = db.execute("SELECT context, text FROM chunks ORDER BY row")
    texts = [search_text(context, text) for context, text in rows]
    db.close()
    return texts


def stored_vectors(index_dir: Path) -> np.ndarray:
    from index.reader import IndexReader

    return IndexReader.open(index_dir).vectors()


def load_encoder(kind: str):
    """(embedder for the pipeline, load seconds, bare(texts) -> vectors with the same encoder object)."""
    if kind == "torch":
        embedder, load_s = common.load_embedder()
        return embedder, load_s, lambda texts: embedder.model.encode(texts, batch_size=embedder.batch_size,
                                                                     normalize_embeddings=True)
    from index.embedder import make_embedder

    embedder = make_embedder()  # what `letters-qa index` uses
    t0 = time.perf_counter()
    encoder = getattr(embedder, "chosen", embedder)  # loads (FallbackEmbedder) and warms up
    load_s = time.perf_counter() - t0
    encoder.encode(["warm up the model", "Private fostering arrangements are good."])
    return embedder, load_s, lambda texts: encode_batches(encoder, texts, encoder.batch_size)


def length_batches(texts: list[str], batch_size: int, encoder=None) -> list[np.ndarray]:
    """Indices of `texts`, longest first, in batches: by the encoder's own measure of length
    (BatchedEmbedder.lengths: tokens for the ONNX encoder), else characters (sentence-transformers)."""
    lengths = encoder.lengths(texts) if hasattr(encoder, "lengths") else [len(t) for t in texts]
    order = np.argsort([-n for n in lengths], kind="stable")
    return [order[i : i + batch_size] for i in range(0, len(texts), batch_size)]


def encode_batches(encoder, texts: list[str], batch_size: int) -> np.ndarray:
    """The encoder's own batch call over `texts`, longest first; vectors in input order."""
    out = np.empty((len(texts), encoder.dim), dtype=np.float32)
    for idx in length_batches(texts, batch_size, encoder):
        out[idx] = encoder.encode([texts[j] for j in idx])
    return out


def sample_texts(texts: list[str], batch_size: int, every: int, seed: int, encoder=None) -> list[str]:
    """One length-sorted batch drawn at random from each `every` consecutive ones (all when every <= 1)."""
    if every <= 1:
        return texts
    rng = random.Random(seed)
    batches = length_batches(texts, batch_size, encoder)
    picked = [batches[i + rng.randrange(min(every, len(batches) - i))] for i in range(0, len(batches), every)]
    return [texts[j] for idx in picked for j in idx]


def run_bare(texts: list[str], bare, arm: str = "bare", total: int | None = None) -> tuple[dict, np.ndarray]:
    """Time bare(texts); `total` (the full count when `texts` is a sample) projects the whole encode."""
    load0 = common.loadavg()
    c0, t0 = time.process_time(), time.perf_counter()
    vectors = bare(texts)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    total = total or len(texts)
    scale = total / len(texts)
    result = {"arm": arm, "seconds": wall * scale, "cpu_seconds": cpu * scale, "chunks": total,
              "loadavg_before": load0, "loadavg_after": common.loadavg()}
    if scale != 1:
        result |= {"sampled_texts": len(texts), "sampled_seconds": wall, "sampled_cpu_seconds": cpu}
    return result, vectors


class NullEmbedder:
    """Records the texts the pipeline asks to embed; returns random unit vectors at once."""

    def __init__(self, name: str, dim: int):
        self.name, self.dim, self.backend, self.texts = name, dim, "null", []

    def embed(self, texts, progress=None):
        self.texts = list(texts)
        vectors = np.random.default_rng(0).standard_normal((len(texts), self.dim)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def sandwich_rounds(letters: Path, args, work: Path, embedder, bare) -> tuple[list, list, dict]:
    """Per round: half the sampled bare batches, the pipeline, the other half (see the docstring)."""
    null = NullEmbedder(embedder.name, embedder.dim)
    result = run_pipeline(letters, work, null, "null")
    folder = Path(result.pop("index"))
    texts = stored_texts(folder)
    shutil.rmtree(folder, ignore_errors=True)
    if sorted(null.texts) != sorted(texts):
        raise SystemExit("the null build embedded other texts than it stored")
    result["round"] = -1
    runs, check, halves = [result], {}, {}
    print(f"  null encoder pipeline {result['seconds']:8.2f} s  ({len(texts)} chunks)", flush=True)
    for arm in (a for a in BARE if a in args.arms):
        every = texts if arm == "bare" else list(dict.fromkeys(texts))
        sample = sample_texts(every, args.batch_size, args.bare_every, args.seed, args.encoder_object)
        batches = [sample[i : i + args.batch_size] for i in range(0, len(sample), args.batch_size)]
        halves[arm] = ([t for b in batches[0::2] for t in b], [t for b in batches[1::2] for t in b], len(every))
    stored = None
    for r in range(args.runs):
        parts: dict[str, list] = {arm: [] for arm in halves}
        for step in ("before", "pipeline", "after"):
            if step == "pipeline":
                result = run_pipeline(letters, work, embedder, "pipeline")
                if stored_texts(Path(result["index"])) != texts:
                    raise SystemExit(f"pipeline run {r} stored other chunk texts than the null build")
                if stored is None:
                    stored = stored_vectors(Path(result["index"]))
                shutil.rmtree(result.pop("index"), ignore_errors=True)
                result["round"] = r
                runs.append(result)
                print(f"  round {r} pipeline {result['seconds']:8.2f} s  cpu {result['cpu_seconds']:8.2f} s  "
                      f"load {result['loadavg_after'][0]}", flush=True)
                continue
            for arm, (first, second, _) in halves.items():
                half = first if step == "before" else second
                part, vectors = run_bare(half, bare, arm)
                check.update(zip(half, vectors, strict=True))
                parts[arm].append(part)
                print(f"  round {r} {arm} {step:6s} {part['seconds']:8.2f} s for {len(half)} texts  "
                      f"load {part['loadavg_after'][0]}", flush=True)
        for arm, done in parts.items():
            sampled, total = len(halves[arm][0]) + len(halves[arm][1]), halves[arm][2]
            wall, cpu = sum(p["seconds"] for p in done), sum(p["cpu_seconds"] for p in done)
            runs.append({"arm": arm, "round": r, "seconds": wall * total / sampled,
                         "cpu_seconds": cpu * total / sampled, "chunks": total, "sampled_texts": sampled,
                         "sampled_seconds": wall, "sampled_cpu_seconds": cpu,
                         "parts": done, "loadavg_before": done[0]["loadavg_before"],
                         "loadavg_after": done[-1]["loadavg_after"]})
    return runs, texts, {"vectors": stored, "texts": texts, "check": check}


def bench_size(size: int, args, work: Path, embedder, bare, letters: Path | None = None) -> dict:
    arms = [a for a in ARMS if a in args.arms]
    letters = letters or corpus(work, size, args.seed)
    runs, texts, check, agreement = [], None, None, None  # check: {text: bare vector}
    if args.bare_every > 1:
        runs, texts, agreement = sandwich_rounds(letters, args, work, embedder, bare)
        check = agreement.pop("check")
    for r in range(args.runs if args.bare_every <= 1 else 0):
        for arm in arms if r % 2 == 0 else arms[::-1]:  # ABBA: neither arm always goes first
            if arm in BARE:
                every = texts if arm == "bare" else list(dict.fromkeys(texts))
                result, vectors = run_bare(every, bare, arm)
                if check is None:
                    check = dict(zip(every, vectors, strict=True))
            else:
                result = run_pipeline(letters, work, embedder, arm)
                if texts is None:
                    texts = stored_texts(Path(result["index"]))
                elif stored_texts(Path(result["index"])) != texts:
                    raise SystemExit(f"{arm} run {r} stored other chunk texts than the first run")
                if agreement is None:
                    agreement = {"vectors": stored_vectors(Path(result["index"])), "texts": texts}
                shutil.rmtree(result.pop("index"), ignore_errors=True)
            result["round"] = r
            runs.append(result)
            sampled = f" (projected from {result['sampled_texts']} texts)" if "sampled_texts" in result else ""
            print(f"  size {size} round {r} {arm:8s} {result['seconds']:8.2f} s  cpu {result['cpu_seconds']:8.2f} s  "
                  f"load {result['loadavg_after'][0]}{sampled}", flush=True)
    if agreement is not None and check is not None:  # pipeline's stored vectors against the bare ones, same texts
        rows = {t: i for i, t in reversed(list(enumerate(agreement["texts"])))}
        keys = [t for t in check if t in rows]
        stored = agreement["vectors"][[rows[t] for t in keys]]
        agreement = float(np.min(np.sum(stored * np.stack([check[t] for t in keys]), axis=1)))
    else:
        agreement = None
    first = next(x for x in runs if x["arm"] == "pipeline")
    summary = {"size": size, "letters": first["letters"], "chunks": first["chunks"],
               "distinct_texts": len(set(texts)), "letters_dir": str(letters), "runs": runs}
    null = [x for x in runs if x["arm"] == "null"]
    if null:
        summary["null_encoder_pipeline_s"] = null[0]["seconds"]
    for arm in arms:
        mine = [x for x in runs if x["arm"] == arm]
        summary[arm] = {"median_s": common.median(x["seconds"] for x in mine),
                        "median_cpu_s": common.median(x["cpu_seconds"] for x in mine),
                        "chunks_per_s": len(texts) / common.median(x["seconds"] for x in mine)}
    mine, pipeline = [x for x in runs if x["arm"] == "pipeline"], summary["pipeline"]
    pipeline["median_embed_s"] = common.median(x["embed_seconds"] for x in mine)
    pipeline["median_other_s"] = common.median(x["other_seconds"] for x in mine)
    for arm in (a for a in BARE if a in arms):  # "ratio_to_bare", "paired_ratio_to_distinct", ...
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
    parser.add_argument("--letters", help="build this folder of letters (instead of generating one per size)")
    parser.add_argument("--encoder", choices=("default", "torch"), default="default",
                        help="default: make_embedder() (ONNX Runtime); torch: sentence-transformers")
    parser.add_argument("--arms", default=",".join(ARMS), help=f"comma-separated, of {','.join(ARMS)} (default all)")
    parser.add_argument("--bare-every", type=int, default=1, metavar="K",
                        help="time the bare arms on one batch in K (seeded), projecting the rest (default 1: all)")
    parser.add_argument("--out", help="result file (default bench/results/build.json)")
    args = parser.parse_args(argv)
    args.arms = [a.strip() for a in args.arms.split(",") if a.strip()]
    if "pipeline" not in args.arms or not set(args.arms) <= set(ARMS):
        parser.error(f"--arms must include pipeline, and be among {', '.join(ARMS)}")
    letters = Path(args.letters) if args.letters else None
    sizes = [len(list(letters.iterdir()))] if letters else [int(s) for s in args.sizes.split(",")]
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    doc = common.start("build", argv, sizes=sizes, runs=args.runs, seed=args.seed, arms=args.arms,
                       encoder=args.encoder, bare_every=args.bare_every, letters=args.letters)
    embedder, load_s, bare = load_encoder(args.encoder)
    args.encoder_object = getattr(embedder, "chosen", None)  # sorts the sample's batches as the encoder sorts
    doc["model_load_s"] = load_s
    doc["backend"] = getattr(embedder, "backend", "torch")
    doc["batch_size"] = args.batch_size = getattr(embedder, "chosen", embedder).batch_size
    doc["threads"] = getattr(getattr(embedder, "chosen", embedder), "threads", None) or "one per core"
    doc["sizes"] = []
    for size in sizes:
        doc["sizes"].append(bench_size(size, args, work, embedder, bare, letters))
        path = common.finish(doc, args.out)  # written after every size, so a long run keeps what it has
    print(f"\nfull build, {doc['backend']} encoder, load {load_s:.1f} s excluded, batch size {doc['batch_size']}; "
          f"{path}")
    print(f"{'letters':>7} {'chunks':>7} {'distinct':>8} {'arm':>8} {'median':>9} {'chunks/s':>9} {'embed':>9} "
          f"{'other':>8}   pipeline / this arm: median, paired, cpu")
    for s in doc["sizes"]:
        p = s["pipeline"]
        for arm in (a for a in ARMS if a in s):
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
