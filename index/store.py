"""The index folder: a manifest pointing at one complete generation of SQLite + FAISS.

    INDEX/manifest.json         format, version, model, dim, generation, data folder, letter hashes
    INDEX/gen-000007/index.sqlite   letters, chunks, ratings, BM25 postings (index/bm25.py)
    INDEX/gen-000007/vectors.faiss  row i is chunk row i; inner product on normalised vectors
    INDEX/.lock                 held by the one update allowed at a time

A new generation is written into a temporary folder, fsynced, renamed, and only then does
manifest.json switch to it (os.replace), so a reader sees the old generation or the new
one, never half of one. The generation manifest.json names is never removed before the
new manifest is in place (even by --rebuild), and the previous one is kept for readers
still using it; older ones and leftovers of killed updates go at the next update.
But: - BM25's postings live inside the same SQLite file as the chunks, so the two can never
disagree; no pickle is written or read anywhere (postings are raw little-endian arrays).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import IndexBusyError, IndexStoreError

FORMAT = "letters-qa-index"
VERSION = 2
UPGRADABLE = {1}  # versions `letters-qa index` upgrades in place, reusing their vectors
MANIFEST = "manifest.json"
GENERATION = re.compile(r"gen-\d{6,}")
EXACT_LIMIT = 200_000  # chunks; above this an HNSW index is used instead of exact search

SCHEMA = """
CREATE TABLE letters(
    id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, sha256 TEXT NOT NULL, council TEXT NOT NULL,
    short_name TEXT NOT NULL, year INTEGER NOT NULL, kind TEXT NOT NULL, date TEXT, recipient TEXT,
    signatory TEXT, text TEXT NOT NULL, sections TEXT NOT NULL);
CREATE TABLE chunks(
    row INTEGER PRIMARY KEY, letter_id INTEGER NOT NULL REFERENCES letters(id), section TEXT NOT NULL,
    text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    phrase_boilerplate INTEGER NOT NULL, boilerplate INTEGER NOT NULL, fingerprint TEXT NOT NULL,
    length INTEGER NOT NULL DEFAULT 0);
CREATE INDEX chunks_letter ON chunks(letter_id);
CREATE INDEX chunks_fingerprint ON chunks(fingerprint);
CREATE TABLE ratings(
    id INTEGER PRIMARY KEY, letter_id INTEGER NOT NULL REFERENCES letters(id), area TEXT NOT NULL,
    label TEXT NOT NULL, grade INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL);
CREATE INDEX ratings_letter ON ratings(letter_id);
CREATE TABLE postings(term TEXT NOT NULL, segment INTEGER NOT NULL, rows BLOB NOT NULL, tfs BLOB NOT NULL);
CREATE INDEX postings_term ON postings(term, segment);
"""


def rebuild_hint(index_dir: Path) -> str:
    return f"rebuild it with `letters-qa index --rebuild --index {index_dir}`"


def read_manifest(index_dir: Path, upgrading: bool = False) -> dict | None:
    """The manifest, or None for a folder with no index yet; IndexStoreError if it is damaged.

    An index in an older format that an update can upgrade is refused with that advice,
    except to the update itself (`upgrading`).
    """
    path = Path(index_dir) / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexStoreError(f"{path} is damaged ({exc.__class__.__name__}); {rebuild_hint(index_dir)}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise IndexStoreError(f"{path} is not a letters-qa index manifest; {rebuild_hint(index_dir)}")
    if manifest.get("version") in UPGRADABLE and not upgrading:
        raise IndexStoreError(
            f"{path} was written by an older letters-qa (index format {manifest['version']}, this one reads "
            f"{VERSION}); upgrade it with `letters-qa index --index {index_dir}` (no letter is embedded again)"
        )
    if manifest.get("version") != VERSION and not (upgrading and manifest.get("version") in UPGRADABLE):
        raise IndexStoreError(
            f"{path} has index format version {manifest.get('version')}, this letters-qa reads {VERSION}; "
            f"{rebuild_hint(index_dir)}"
        )
    for key, kind in (("generation", int), ("data", str), ("model", str), ("dim", int), ("letters", dict)):
        if not isinstance(manifest.get(key), kind):
            raise IndexStoreError(f"{path} is damaged (no valid {key!r}); {rebuild_hint(index_dir)}")
    # `data` is joined to the folder and its siblings are deleted by updates: only a generation name will do.
    if not GENERATION.fullmatch(manifest["data"]):
        raise IndexStoreError(f"{path} is damaged (no valid 'data'); {rebuild_hint(index_dir)}")
    return manifest


def write_manifest(index_dir: Path, manifest: dict) -> None:
    """Atomically replace manifest.json: readers see the old file or the new one."""
    path = Path(index_dir) / MANIFEST
    tmp = path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    for file in path.iterdir():
        with open(file, "rb") as fh:
            os.fsync(fh.fileno())
    fsync_dir(path)


@contextmanager
def update_lock(index_dir: Path) -> Iterator[None]:
    """Only one update at a time; a second one is refused at once with a clear message."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "a+") as fh:
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


# --- writing one generation ------------------------------------------------------------


def create_database(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    return db


def write_vectors(path: Path, vectors: np.ndarray) -> None:
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if len(vectors) > EXACT_LIMIT:
        index = faiss.IndexHNSWFlat(vectors.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
    else:
        index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    faiss.write_index(index, str(path))


def read_vectors(path: Path):
    import faiss

    try:
        return faiss.read_index(str(path))
    except RuntimeError:  # FAISS's own message is a C++ signature and source line: not for users
        raise IndexStoreError(f"{path} is damaged or truncated (FAISS cannot read it)") from None


def all_vectors(index) -> np.ndarray:
    """Every stored vector in row order (exact and HNSW indexes both keep them)."""
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return index.reconstruct_n(0, index.ntotal)


@dataclass(frozen=True)
class Generation:
    """Paths of one generation folder."""

    folder: Path

    @property
    def database(self) -> Path:
        return self.folder / "index.sqlite"

    @property
    def vectors(self) -> Path:
        return self.folder / "vectors.faiss"
