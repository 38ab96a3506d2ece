"""A build killed part way, then run again: what the embedding cache saves (issue 28).

    .venv/bin/python bench/resume.py [--letters 200] [--seed 0] [--kill-at 0.5] [--runs 3]
    .venv/bin/python bench/resume.py --tiny          (seconds: the smoke test's run)

Per run, each build a fresh process (`update_index` with the default encoder, as `letters-qa
index` runs it; model load included), over N letters from tools/make_corpus.py:
  clean    a build from scratch into an empty folder
  killed   the same into another folder, SIGKILLed once the embedding cache (index/embed_cache.py)
           holds --kill-at of the texts the clean build embedded
  resumed  that folder's build run again: it takes the cached vectors and embeds the rest
Reported: wall seconds and texts embedded for clean and resumed (medians over runs), the
killed build's seconds, and whether the resumed index's vectors equal the clean one's, text for
text (largest absolute difference). Writes bench/results/resume.json.
But: - the kill lands between two polls of the cache (every 50 ms), so slightly past --kill-at.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common


def child(letters: str, index: str, min_texts: int | None) -> int:
    """One build in this process; prints the report as JSON. --tiny: every 64 texts cached."""
    from index import embed_cache
    from index.update import update_index

    if min_texts is not None:
        embed_cache.MIN_TEXTS, embed_cache.SLICE_BATCHES = min_texts, 1
    report = update_index(letters, index)
    print(json.dumps(report.to_dict()), flush=True)
    return 0


def spawn(letters: Path, index: Path, min_texts: int | None) -> subprocess.Popen:
    command = [sys.executable, __file__, "--child", str(letters), str(index)]
    if min_texts is not None:
        command += ["--min-texts", str(min_texts)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=common.ROOT)


def build(letters: Path, index: Path, min_texts: int | None) -> tuple[float, dict]:
    start = time.perf_counter()
    process = spawn(letters, index, min_texts)
    out, err = process.communicate()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"the build of {index} failed: {err.strip()[-2000:]}")
    return seconds, json.loads(out.strip().splitlines()[-1])


def killed_build(letters: Path, index: Path, min_texts: int | None, at: int) -> tuple[float, int]:
    """Build until the cache holds `at` texts or more, then SIGKILL; (seconds, texts in the cache)."""
    from index import embed_cache

    start = time.perf_counter()
    process = spawn(letters, index, min_texts)
    while process.poll() is None and embed_cache.count(index) < at:
        time.sleep(0.05)
    if process.poll() is not None:
        raise SystemExit(f"the build finished before the cache held {at} texts: lower --kill-at")
    process.send_signal(signal.SIGKILL)
    process.communicate()
    return time.perf_counter() - start, embed_cache.count(index)


def vectors_by_text(index_dir: Path) -> dict[str, object]:
    from index.chunks import search_text
    from index.manifest import DATABASE
    from index.reader import IndexReader

    reader = IndexReader.open(index_dir)
    vectors = reader.vectors()
    db = sqlite3.connect(index_dir / reader.manifest.folder / DATABASE)
    try:
        return {search_text(context, text): vectors[row]
                for row, context, text in db.execute("SELECT row, context, text FROM chunks ORDER BY row")}
    finally:
        db.close()


def compare(clean: Path, resumed: Path) -> dict:
    import numpy as np

    a, b = vectors_by_text(clean), vectors_by_text(resumed)
    if a.keys() != b.keys():
        return {"same_texts": False}
    diff = max(float(np.max(np.abs(a[t] - b[t]))) for t in a)
    return {"same_texts": True, "texts": len(a), "max_abs_diff": diff,
            "identical": all(np.array_equal(a[t], b[t]) for t in a)}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of the texts cached at the kill")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", default="/tmp/letters-bench-resume")
    parser.add_argument("--tiny", action="store_true", help="5 letters, 1 run, every 64 texts cached")
    parser.add_argument("--out", help="result file (default bench/results/resume.json)")
    parser.add_argument("--child", nargs=2, metavar=("LETTERS", "INDEX"), help=argparse.SUPPRESS)
    parser.add_argument("--min-texts", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child, args.min_texts)
    min_texts = None
    if args.tiny:
        args.letters, args.runs, args.kill_at, min_texts = 5, 1, 0.3, 0
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    letters = work / "letters"
    subprocess.run([sys.executable, str(common.ROOT / "tools" / "make_corpus.py"), str(args.letters), str(letters),
                    "--seed", str(args.seed)], check=True, capture_output=True)
    doc = common.start("resume", argv, letters=args.letters, seed=args.seed, kill_at=args.kill_at, runs=args.runs)
    runs = doc["runs"] = []
    for run in range(args.runs):
        clean, resumed = work / f"clean-{run}", work / f"resumed-{run}"
        clean_s, clean_report = build(letters, clean, min_texts)
        distinct = clean_report["embedded_texts"]
        at = max(1, int(args.kill_at * distinct))
        killed_s, kept = killed_build(letters, resumed, min_texts, at)
        resumed_s, resumed_report = build(letters, resumed, min_texts)
        runs.append({"clean_s": round(clean_s, 2), "clean_embedded": distinct, "chunks": clean_report["chunks"],
                     "killed_s": round(killed_s, 2), "cached_at_kill": kept,
                     "resumed_s": round(resumed_s, 2), "resumed_cached": resumed_report["cached_texts"],
                     "resumed_embedded": resumed_report["embedded_texts"], "note": resumed_report["note"],
                     "vectors": compare(clean, resumed), "loadavg": common.loadavg()})
        print(json.dumps(runs[-1]), flush=True)
        if not args.tiny:
            shutil.rmtree(clean, ignore_errors=True)
            shutil.rmtree(resumed, ignore_errors=True)
    doc["median"] = {key: common.median([r[key] for r in runs])
                     for key in ("clean_s", "clean_embedded", "killed_s", "resumed_s", "resumed_embedded")}
    path = common.finish(doc, args.out)
    m = doc["median"]
    print(f"{args.letters} letters, {runs[0]['chunks']} chunks, median of {len(runs)}: "
          f"clean build {m['clean_s']:.1f} s "
          f"({m['clean_embedded']} texts embedded); killed at {m['killed_s']:.1f} s; re-run {m['resumed_s']:.1f} s "
          f"({m['resumed_embedded']} texts embedded, the rest from the cache); load {doc['loadavg_before']} -> "
          f"{common.loadavg()}; {path}")
    bad = [r for r in runs if not r["vectors"].get("same_texts") or r["vectors"]["max_abs_diff"] > 1e-5
           or r["resumed_cached"] != r["cached_at_kill"]]
    if bad:
        print(f"FAILED: {len(bad)} runs resumed with other texts, other vectors or another count than cached")
    return 1 if bad else 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.exit(main())
