"""Vectors a build has embedded so far, kept on disk so that an interrupted build resumes.

    INDEX/embed-cache/vectors.sqlite   one row per (model, text): the text's SHA-256, its float32
                                       vector and an xxh3-64 check of both (SQLite BLOBs, no pickle)

`embed_texts` embeds each distinct text once, as the embedders do, but first takes every
vector the cache already holds for this model, then embeds the rest in slices of a few
hundred texts (longest first, as the embedders batch them) and commits each slice to the cache
(SQLite, synchronous=FULL: fsync'd) before the next one. A build killed part way (Ctrl-C,
kill -9, a reboot) therefore keeps what it had embedded, and the next run embeds only the
rest. A build with fewer than MIN_TEXTS texts to embed writes no cache. Once an update's new
generation is in place the cache has served its purpose and is removed (`clear`): between
builds the index folder holds no cache.
The model's identity in the key is its name, backend, version and dimension: vectors of
another model, or of the same model through another backend (ONNX and PyTorch agree to a
cosine of 0.9999, not bit for bit), are never mixed.
But: - a cache that cannot be read (not SQLite, damaged) is removed and rebuilt, and a row whose
check fails is embedded again; either is said in the update's note. A cache that cannot be
written (a full disk) is dropped and the build goes on without it, also said.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xxhash

from index.errors import IndexStoreError
from index.manifest import rebuild_hint

FOLDER = "embed-cache"
FILE = "vectors.sqlite"
SCHEMA = 1  # PRAGMA user_version; another value is a cache of another layout: dropped
SLICE_BATCHES = 4  # texts committed together: this many of the embedder's batches (256 at batch size 64)
# Fewer texts to embed than this are not written to the cache: seconds of work (~10 s here), where
# fsyncs and a second copy of the vectors on disk would cost more than an interruption does
# (adding one letter embeds ~20-60 texts). The cache is read whatever the count.
MIN_TEXTS = 1024


@dataclass
class Outcome:
    """What embed_texts did: distinct texts taken from the cache and embedded now, and anything to say."""

    cached: int = 0
    embedded: int = 0
    note: str | None = None


def model_key(embedder) -> str:
    """The embedder's identity for the cache: name, backend, package version (bundled model), dimension.

    For the ONNX-or-PyTorch embedder this loads the model first, so that a fallback to PyTorch
    is known before anything is looked up."""
    chosen = getattr(embedder, "chosen", embedder)  # FallbackEmbedder: the one that really embeds
    name = str(getattr(embedder, "name", "?"))
    version = "-"
    from index.embedder import DEFAULT_MODEL

    if name == DEFAULT_MODEL:
        from importlib import metadata

        try:
            version = metadata.version(DEFAULT_MODEL)
        except metadata.PackageNotFoundError:
            pass
    return f"{name}|{getattr(chosen, 'backend', '-')}|{version}|{int(embedder.dim)}"


def text_hash(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _check(key: str, digest: bytes, vector: bytes) -> bytes:
    return xxhash.xxh3_64_digest(key.encode() + digest + vector)


class EmbedCache:
    """The cache file of one index folder. Only used under the folder's update lock (one writer)."""

    def __init__(self, index_dir: Path):
        self.folder = Path(index_dir) / FOLDER
        self.path = self.folder / FILE
        self.notes: list[str] = []
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def _open(self) -> sqlite3.Connection | None:
        if self._db is not None or self._broken:
            return self._db
        existed = self.path.exists()
        try:
            self._db = self._connect()
        except sqlite3.Error as exc:  # not SQLite, damaged, another layout: start again
            self._close()
            self._remove()
            if existed:
                self.notes.append(f"the embedding cache {self.path} could not be read ({_first_line(exc)}): "
                                  "it was removed and started again")
            try:
                self._db = self._connect()
            except (sqlite3.Error, OSError) as again:
                self._give_up(again)
        except OSError as exc:
            self._give_up(exc)
        return self._db

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None)
        self._db = db
        if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("SQLite's quick_check failed")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables and version != SCHEMA:
            raise sqlite3.DatabaseError(f"layout {version}, not {SCHEMA}")
        # A rollback journal, not WAL: no second copy of the vectors on disk (a build already needs room
        # for its new generation beside the cache). synchronous=FULL: each committed slice is on disk.
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA synchronous = FULL")
        # A rowid table with 16 KiB pages: ~1.8 KB a 384-dimensional row (1.5 KB of vector); WITHOUT
        # ROWID stored each such row in a page of its own, 4.7 KB (measured).
        db.execute("PRAGMA page_size = 16384")
        db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, text BLOB NOT NULL, "
                   "vector BLOB NOT NULL, checksum BLOB NOT NULL, UNIQUE (model, text))")
        db.execute(f"PRAGMA user_version = {SCHEMA}")
        return db

    def _give_up(self, exc: BaseException) -> None:
        """The cache cannot be written (a full disk, no permission): build without it."""
        self._close()
        self._remove()
        self._broken = True
        self.notes.append(f"could not keep vectors in the embedding cache {self.path} ({_first_line(exc)}); "
                          "an interrupted build would embed them again")

    def get(self, key: str, digests: Sequence[bytes], dim: int) -> tuple[dict[int, np.ndarray], int]:
        """{position in digests: vector} for the texts the cache holds for `key`, and how many rows
        failed their check (those are embedded again)."""
        if not self.path.exists() and not self.folder.exists():
            return {}, 0
        db = self._open()
        if db is None:
            return {}, 0
        found: dict[int, np.ndarray] = {}
        damaged = 0
        try:
            if db.execute("SELECT 1 FROM vectors WHERE model = ? LIMIT 1", (key,)).fetchone() is None:
                return {}, 0
            query = "SELECT vector, checksum FROM vectors WHERE model = ? AND text = ?"
            for i, digest in enumerate(digests):
                row = db.execute(query, (key, digest)).fetchone()
                if row is None:
                    continue
                vector, checksum = row
                if len(vector) != 4 * dim or _check(key, digest, vector) != checksum:
                    damaged += 1
                    continue
                found[i] = np.frombuffer(vector, dtype="<f4")
        except sqlite3.Error as exc:  # damaged past what quick_check saw: embed everything again
            self._close()
            self._remove()
            self.notes.append(f"the embedding cache {self.path} could not be read ({_first_line(exc)}): "
                              "it was removed and started again")
            return {}, 0
        return found, damaged

    def put(self, key: str, digests: Sequence[bytes], vectors: np.ndarray) -> None:
        """Add these vectors and commit (fsync'd) before returning."""
        db = self._open()
        if db is None:
            return
        vectors = np.ascontiguousarray(vectors, dtype="<f4")
        rows = []
        for digest, vector in zip(digests, vectors):
            data = vector.tobytes()
            rows.append((key, digest, data, _check(key, digest, data)))
        try:
            db.execute("BEGIN")
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
            db.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            self._give_up(exc)

    def _close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    def _remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def close(self) -> None:
        self._close()


def clear(index_dir: Path) -> None:
    """Remove the cache: called once a new generation is in place (its vectors are in the index now)."""
    shutil.rmtree(Path(index_dir) / FOLDER, ignore_errors=True)


def count(index_dir: Path) -> int:
    """Vectors in the cache (any model), read-only; 0 when there is none or it cannot be read. For tests and bench."""
    path = Path(index_dir) / FOLDER / FILE
    if not path.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(db.execute("SELECT count(*) FROM vectors").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return text


def _lengths(embedder) -> Callable[[Sequence[str]], list[int]]:
    """What the embedder sorts its batches by (tokens for ONNX), so slices hold the batches it would make."""
    chosen = getattr(embedder, "chosen", embedder)
    return getattr(chosen, "lengths", None) or (lambda texts: [len(t) for t in texts])


def embed_texts(embedder, texts: Sequence[str], index_dir: Path,
                progress: Callable[[int, int], None] | None = None,
                expect_dim: int | None = None) -> tuple[np.ndarray, Outcome]:
    """Vectors for `texts` (rows in input order), from the cache where it has them, else embedded
    and added to it slice by slice. `progress(done, total)` counts the distinct texts embedded now;
    `expect_dim`: the dimension of the index being extended (another one is refused)."""
    slots: dict[str, int] = {}
    inverse = np.fromiter((slots.setdefault(t, len(slots)) for t in texts), dtype=np.int64, count=len(texts))
    distinct = list(slots)
    repeats = np.bincount(inverse, minlength=len(distinct))
    outcome = Outcome()
    cache = EmbedCache(index_dir)
    try:
        key = model_key(embedder)
        dim = int(expect_dim or embedder.dim)
        digests = [text_hash(t) for t in distinct]
        out = np.empty((len(distinct), dim), dtype=np.float32)
        found, damaged = cache.get(key, digests, dim)
        for i, vector in found.items():
            out[i] = vector
        missing = [i for i in range(len(distinct)) if i not in found]
        outcome.cached, outcome.embedded = len(found), len(missing)
        if damaged:
            cache.notes.append(f"{damaged} vectors in the embedding cache failed their check and were embedded again")
        if missing:
            lengths = _lengths(embedder)([distinct[i] for i in missing]) if len(missing) > 1 else [0]
            order = [missing[j] for j in np.argsort(lengths, kind="stable")[::-1]]
            shown = [-1]

            def report(done: int) -> None:
                """progress(done, total) in distinct texts embedded now, each count once."""
                if progress and done != shown[0]:
                    shown[0] = done
                    progress(done, len(order))

            step = SLICE_BATCHES * int(getattr(getattr(embedder, "chosen", embedder), "batch_size", 64))
            step = step if len(order) >= MIN_TEXTS else len(order)  # not cached: one call, as ever
            for start in range(0, len(order), step):
                part = order[start : start + step]

                def inner(done: int, total: int, start: int = start, size: int = len(part)) -> None:
                    # The embedder counts distinct texts or every text it was handed: scale to this slice.
                    report(start + (done * size // total if total else size))

                # Every chunk text of the slice, repeats included, as the embedder was always handed
                # them (it embeds each distinct one once); the first row of each is kept.
                given = [distinct[i] for i in part for _ in range(int(repeats[i]))]
                vectors = np.asarray(embedder.embed(given, progress=inner), dtype=np.float32)
                if vectors.ndim != 2 or vectors.shape[0] != len(given):
                    raise IndexStoreError(f"the embedder returned {vectors.shape[0]} vectors for {len(given)} chunks")
                if vectors.shape[1] != dim:
                    held = (f"the index holds {dim}; {rebuild_hint(Path(index_dir))}" if expect_dim
                            else f"not the {dim} it declares")
                    raise IndexStoreError(f"the embedder {embedder.name!r} gives {vectors.shape[1]}-dimensional "
                                          f"vectors, {held}")
                vectors = vectors[np.cumsum([0, *(int(repeats[i]) for i in part[:-1])])]
                out[part] = vectors
                if step < len(order) or len(order) >= MIN_TEXTS:
                    cache.put(key, [digests[i] for i in part], vectors)
                report(start + len(part))
    finally:
        cache.close()
        outcome.note = "; ".join(cache.notes) or None
    return out[inverse], outcome
