"""A copy of an index whose non-boilerplate passages carry the real model's vectors.

    .venv/bin/python bench/content_vectors.py INDEX COPY

For a fake-vector index (bench/make_index.py --fake-vectors) too large to embed whole here: the
passages a search reads by default (not boilerplate: 42,386 of 308,453 at 10,000 letters) are
embedded by the default encoder from their stored context and text, as a build embeds them, and
written over their fake vectors in COPY (a new index folder: the SQLite file copied, one vector
segment, the manifest's checksums). Boilerplate rows keep their fake vectors, so a search with
include_boilerplate is not a real-model figure; the default search, its recall and its cost are.
COPY has no approximate graph: `letters-qa index --index COPY --letters ...` writes one where
the index is large enough (index/approximate.py).
But: - 42,386 passages took 41 minutes on this machine's shared 2 cores (one encoder thread, load 2-14).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common  # noqa: F401 - sets the offline environment


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("copy", type=Path)
    args = parser.parse_args(argv)

    from index import database, segments
    from index.chunks import search_text
    from index.embedder import make_embedder
    from index.manifest import DATABASE, Manifest

    manifest = Manifest.load(args.index)
    if manifest is None:
        parser.error(f"no index in {args.index}")
    if args.copy.exists():
        parser.error(f"{args.copy} exists; give a new folder")
    folder = args.copy / manifest.folder
    folder.mkdir(parents=True)
    shutil.copyfile(args.index / manifest.folder / DATABASE, folder / DATABASE)
    db = database.open_read_only(folder / DATABASE)
    try:
        rows = db.execute("SELECT row, context, text FROM chunks WHERE boilerplate = 0 ORDER BY row").fetchall()
    finally:
        db.close()
    t0 = time.perf_counter()
    real = make_embedder(threads=1).embed([search_text(context, text) for _, context, text in rows])
    vectors = segments.all_vectors(manifest, args.index)
    vectors[[row for row, _, _ in rows]] = real
    segment = segments.write(folder, 0, vectors)
    replace(manifest, segments=(segment,), approximate=None).write(args.copy)
    print(f"{len(rows):,} of {len(vectors):,} passages embedded in {time.perf_counter() - t0:.0f} s: {args.copy}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
