"""Build one index over N synthetic letters with the real model, for the update/query/memory benchmarks.

    .venv/bin/python bench/make_index.py N FOLDER [--seed S] [--fake-vectors]

FOLDER/letters holds the N letters, FOLDER/extra the letter the update benchmark adds,
FOLDER/index the index. --fake-vectors stores deterministic random unit vectors (one per
distinct text) under the real model's name instead: for timing what does not depend on the
model (copying, SQLite, FTS5, FAISS) at sizes the model cannot embed in time on this machine.
Such an index answers nothing meaningfully by vector, and no figure from it is a figure of
the real pipeline.
Writes bench/results/make_index-N.json (build time, chunks, load averages).
But: - an existing FOLDER/index is rebuilt from scratch.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common


class FakeEmbedder:
    """Random unit vectors seeded by each text's hash, under the default model's name (see --fake-vectors)."""

    dim = 384

    def __init__(self):
        from index.embedder import DEFAULT_MODEL

        self.name = DEFAULT_MODEL

    def embed(self, texts, progress=None):
        import hashlib

        import numpy as np

        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim)
            out[i] = vector / np.linalg.norm(vector)
        if progress:
            progress(len(texts), len(texts))
        return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("folder")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fake-vectors", action="store_true", help="random unit vectors, not the model's")
    args = parser.parse_args(argv)
    from index.update import update_index

    doc = common.start(f"make_index-{args.n}", argv, n=args.n, seed=args.seed,
                       vectors="fake" if args.fake_vectors else "model")
    letters, _ = common.corpus(args.folder, args.n, args.seed)
    if args.fake_vectors:
        embedder, doc["model_load_s"] = FakeEmbedder(), 0.0
    else:
        embedder, doc["model_load_s"] = common.load_embedder()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 60 or done == total:
            last[0] = time.perf_counter()
            print(f"  embedded {done}/{total}  load {common.loadavg()}", flush=True)

    c0, t0 = time.process_time(), time.perf_counter()
    report = update_index(letters, f"{args.folder}/index", embedder=embedder, rebuild=True, progress=progress)
    doc.update(seconds=time.perf_counter() - t0, cpu_seconds=time.process_time() - c0, letters=report.letters,
               chunks=report.chunks, embedded_chunks=report.embedded_chunks, index=f"{args.folder}/index")
    path = common.finish(doc)
    shutil.copy(path, Path(args.folder) / "make_index.json")  # read by the benchmarks as the index's provenance
    print(f"built {report.letters} letters, {report.chunks} chunks in {doc['seconds']:.1f} s "
          f"(cpu {doc['cpu_seconds']:.1f} s, fake vectors={args.fake_vectors}); {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
