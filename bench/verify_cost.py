"""What checksums cost when an index is loaded: the same generation with and without them.

    .venv/bin/python bench/verify_cost.py INDEX [--runs 5]

Makes a second manifest for the same files with no checksums (format 3, which is read as it
is), then alternates runs of each in fresh processes (cold Python, warm page cache):
`IndexReader.open` (verifies index.sqlite), the first search's vector load (verifies every
segment), and `letters-qa check` (everything, plus SQLite's integrity check). Reports
medians and the ratio with / without. Writes bench/results/verify_cost.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common

PROBE = """
import sys, time, json
sys.path.insert(0, {root!r})
import numpy as np
from index.reader import IndexReader
t0 = time.perf_counter()
reader = IndexReader.open({index!r})
opened = time.perf_counter() - t0
t0 = time.perf_counter()
reader.dense(np.ones(reader.manifest.dim, np.float32) / reader.manifest.dim ** 0.5, 5, None)
print(json.dumps({{"open_s": opened, "vectors_s": time.perf_counter() - t0}}))
"""


def unverified_copy(index_dir: Path, work: Path) -> Path:
    """The same generation folder (hard links), under a manifest without checksums."""
    target = work / "unverified"
    manifest = json.loads((index_dir / "manifest.json").read_text())
    target.mkdir()
    shutil.copytree(index_dir / manifest["data"], target / manifest["data"], copy_function=_link)
    manifest["version"] = 3
    manifest.pop("database", None)
    for segment in manifest["segments"]:
        segment.pop("checksum", None)
    (target / "manifest.json").write_text(json.dumps(manifest))
    return target


def _link(source, target):
    Path(target).hardlink_to(source)


def probe(index_dir: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(root=str(common.ROOT), index=str(index_dir))],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", help="result file (default bench/results/verify_cost.json)")
    args = parser.parse_args(argv)
    index_dir = Path(args.index)
    doc = common.start("verify_cost", sys.argv[1:], runs=args.runs)
    sizes = {p.name: p.stat().st_size for p in (index_dir / json.loads(
        (index_dir / "manifest.json").read_text())["data"]).iterdir()}
    doc["index"] = {"dir": str(index_dir), "files_bytes": sizes, "provenance": common.provenance(index_dir)}
    with tempfile.TemporaryDirectory() as work:
        plain = unverified_copy(index_dir, Path(work))
        probe(index_dir), probe(plain)  # page cache warm for both (they share the files)
        runs = {"verified": [], "unverified": []}
        for _ in range(args.runs):
            runs["verified"].append(probe(index_dir))
            runs["unverified"].append(probe(plain))
        checks = []
        for _ in range(max(1, args.runs // 2)):
            t0 = common.time.perf_counter()
            subprocess.run([sys.executable, "-m", "ui", "check", "--index", str(index_dir)], cwd=common.ROOT,
                           capture_output=True, check=True)
            checks.append(common.time.perf_counter() - t0)
    doc["runs"] = runs
    for key in ("open_s", "vectors_s"):
        with_ = common.median(r[key] for r in runs["verified"])
        without = common.median(r[key] for r in runs["unverified"])
        doc[key] = {"verified": with_, "unverified": without, "ratio": with_ / without}
        print(f"{key:10} verified {with_:.3f} s, unverified {without:.3f} s, ratio {with_ / without:.2f}")
    doc["check_s"] = common.median(checks)
    print(f"letters-qa check (checksums + SQLite integrity_check + FAISS read): median {doc['check_s']:.2f} s")
    path = common.finish(doc, args.out)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
