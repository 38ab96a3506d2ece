"""The index folder's lifecycle: generations, the update lock, the atomic switch, garbage.

    INDEX/manifest.json                 what the current generation holds (index/manifest.py)
    INDEX/gen-000007/index.sqlite       letters, chunks, ratings, BM25 postings (index/database.py, index/bm25.py)
    INDEX/gen-000007/vectors*.faiss     the vector segments (index/segments.py)
    INDEX/.lock                         held by the one update allowed at a time

A new generation is written into a temporary folder, fsynced, renamed, and only then does
manifest.json switch to it (os.replace), so a reader sees the old generation or the new
one, never half of one. The generation manifest.json names is never removed before the
new manifest is in place (even by --rebuild), and the previous one is kept for readers
still using it; older ones and leftovers of killed updates go at the next update.
But: - no pickle is written or read anywhere; search is exact except, on large indexes, the
unfiltered dense pass (index/approximate.py).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import IndexBusyError, IndexStoreError
from index.manifest import MANIFEST


@contextmanager
def update_lock(index_dir: Path) -> Iterator[None]:
    """Only one update at a time; a second one is refused at once with a clear message.

    A folder the user cannot write to (read-only, another owner) is refused here, before any work.
    """
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fh = open(index_dir / ".lock", "a+")  # noqa: SIM115 (closed below, after the lock is released)
        if not os.access(index_dir, os.W_OK):
            fh.close()
            raise PermissionError(13, "Permission denied")
    except OSError as exc:
        raise IndexStoreError(f"cannot write to the index folder {index_dir} ({exc.strerror or exc}); "
                              "choose another with --index, or fix its permissions") from None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError(
                f"another update of {index_dir} is running; wait for it to finish, then try again"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def generation_name(generation: int) -> str:
    return f"gen-{generation:06d}"


def collect_garbage(index_dir: Path, keep: set[str]) -> None:
    """Remove generations other than `keep`, and temporary folders and manifests left by killed updates.

    Only called under the update lock, so no temporary file here belongs to a live update.
    """
    for child in index_dir.iterdir():
        if child.is_dir() and child.name.startswith(("gen-", ".gen-")) and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(f".{MANIFEST}.") and child.name.endswith(".tmp"):
            child.unlink(missing_ok=True)
