"""Incremental update: add one letter to an N-letter index, beyond model load (goal < 3 s).

    .venv/bin/python bench/make_index.py 1000 /tmp/bench1000      # once: letters, extra, index
    .venv/bin/python bench/update.py /tmp/bench1000 [/tmp/bench10k ...] [--runs 3] [--encoder torch|default]

Each FOLDER holds letters/ (N letters), extra/ (the letter to add) and index/ (built from
letters/). Every run copies the index to a scratch folder (not timed), then times
update_index(letters + the extra letter, copy) with the model already loaded and warm.
Stage times come from timing wrappers around index.update's steps (scan, plan, copy of the
reused rows, insert and embed the new letter, boilerplate marking, BM25 postings, FAISS
write, linking the previous segments, fsync, garbage collection).
But: - only the "one letter added" case; a changed or removed letter takes the same path.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common

# (module, attribute) of each step an update calls through its module's namespace
STAGES = (("index.update", "scan"), ("index.update", "make_plan"), ("index.upgrades", "verify_generation"),
          ("index.update", "_copy_reused"), ("index.update", "_insert_new"),
          ("index.database", "mark_shared_boilerplate"), ("index.database", "create"), ("index.bm25", "index_rows"),
          ("index.segments", "write"), ("index.segments", "extend"), ("index.update", "fsync_tree"),
          ("index.update", "collect_garbage"), ("index.manifest", "checksum_file"))


class StageTimer:
    """Wraps the update's steps (STAGES) with timers; `undo` puts the originals back."""

    def __init__(self):
        import importlib

        self.seconds, self.originals = {}, {}
        for module_name, name in STAGES:
            module = importlib.import_module(module_name)
            self.originals[(module, name)] = getattr(module, name)
            setattr(module, name, self._wrap(name, getattr(module, name)))

    def _wrap(self, name, fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0
            return _TimedConnection(result, self) if name == "create" else result

        return wrapper

    def undo(self):
        for (module, name), fn in self.originals.items():
            setattr(module, name, fn)


class _TimedConnection:
    """A sqlite3 connection that times the commit."""

    def __init__(self, db, timer: StageTimer):
        self._db, self._timer = db, timer

    def __getattr__(self, name):
        return getattr(self._db, name)

    def _timed(self, label, fn, *args):
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self._timer.seconds[label] = self._timer.seconds.get(label, 0.0) + time.perf_counter() - t0

    def commit(self):
        return self._timed("commit", self._db.commit)


def bench_folder(folder: Path, runs: int, embedder, work: Path, profile: bool) -> dict:
    from index.manifest import Manifest
    from index.update import update_index

    letters, extra = folder / "letters", folder / "extra"
    base = folder / "index"
    n = len(Manifest.load(base).letters)
    plus = work / f"letters-{n}-plus-one"
    if not (plus.is_dir() and len(list(plus.iterdir())) == n + 1):
        shutil.rmtree(plus, ignore_errors=True)
        shutil.copytree(letters, plus)
        for path in extra.iterdir():
            shutil.copy2(path, plus / path.name)
    results = []
    for r in range(runs + (1 if profile else 0)):
        target = work / f"index-{n}-run{r}"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(base, target)
        timer = StageTimer()
        profiler = None
        if profile and r == runs:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
        load0 = common.loadavg()
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            report = update_index(plus, target, embedder=embedder)
        finally:
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            timer.undo()
        if profiler:
            profiler.stop()
            text = profiler.output_text(unicode=False, color=False, show_all=False)
            (common.RESULTS / "raw").mkdir(parents=True, exist_ok=True)
            out = common.RESULTS / "raw" / f"update-{n}-profile.txt"
            out.write_text(text)
            print(text[:6000])
            shutil.rmtree(target, ignore_errors=True)
            continue
        assert report.added and len(report.added) == 1, report.added
        results.append({"seconds": wall, "cpu_seconds": cpu, "stages": timer.seconds, "added": report.added,
                        "embedded_chunks": report.embedded_chunks, "chunks": report.chunks,
                        "loadavg_before": load0, "loadavg_after": common.loadavg()})
        stages = ", ".join(f"{k} {v:.2f}" for k, v in sorted(timer.seconds.items(), key=lambda kv: -kv[1])[:6])
        print(f"  {n} letters run {r}: {wall:.2f} s (cpu {cpu:.2f} s)  {stages}  load {common.loadavg()[0]}",
              flush=True)
        shutil.rmtree(target, ignore_errors=True)
    stage_names = sorted({k for x in results for k in x["stages"]})
    return {"folder": str(folder), "base_index": common.provenance(base), "letters": n, "chunks": results[0]["chunks"],
            "embedded_chunks": results[0]["embedded_chunks"], "median_s": common.median(x["seconds"] for x in results),
            "median_cpu_s": common.median(x["cpu_seconds"] for x in results),
            "median_stages_s": {k: common.median(x["stages"].get(k, 0.0) for x in results) for k in stage_names},
            "runs": results}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", help="folders made by bench/make_index.py")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="one more run under pyinstrument (not counted)")
    parser.add_argument("--work", default="/tmp/letters-bench-update")
    parser.add_argument("--out", help="result file (default bench/results/update.json)")
    parser.add_argument("--encoder", choices=("torch", "default"), default="torch",
                        help="torch: sentence-transformers, as the figures in docs/performance.md were measured "
                             "(default); default: make_embedder() (ONNX Runtime), what `letters-qa add` uses")
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    doc = common.start("update", argv, runs=args.runs)
    if args.encoder == "torch":
        embedder, doc["model_load_s"] = common.load_embedder()
    else:
        from index.embedder import make_embedder

        t0 = time.perf_counter()
        embedder = make_embedder()
        embedder.embed(["warm up the model", "Private fostering arrangements are good."])
        doc["model_load_s"] = time.perf_counter() - t0
    doc["encoder"] = getattr(embedder, "backend", "torch")
    doc["sizes"] = []
    for folder in args.folders:
        doc["sizes"].append(bench_folder(Path(folder), args.runs, embedder, work, args.profile))
        path = common.finish(doc, args.out)
    print(f"\nadd one letter, model loaded and warm (load {doc['model_load_s']:.1f} s excluded); {path}")
    for s in doc["sizes"]:
        top = sorted(s["median_stages_s"].items(), key=lambda kv: -kv[1])[:5]
        fake = " [base index vectors FAKE: timing of non-model stages only]" if (
            s["base_index"] or {}).get("vectors") == "fake" else ""
        print(f"{s['letters']:>6} letters{fake} {s['chunks']:>7} chunks: median {s['median_s']:.2f} s "
              f"(cpu {s['median_cpu_s']:.2f} s; goal < 3 s: {'met' if s['median_s'] < 3 else 'MISSED'}); "
              + ", ".join(f"{k} {v:.2f} s" for k, v in top))
    print(f"load average before {doc['loadavg_before']}, after {doc['loadavg_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
