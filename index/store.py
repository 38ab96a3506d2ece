"""The index folder: a manifest pointing at one complete generation of SQLite + FAISS segments.

    INDEX/manifest.json                 format, version, model, dim, generation, data folder, letter
                                        hashes, the vector segments in row order, the scan's stat cache
    INDEX/gen-000007/index.sqlite       letters, chunks, ratings, BM25 postings (index/bm25.py)
    INDEX/gen-000007/vectors.faiss      segment 0: exact IndexFlatIP, inner product on normalised vectors
    INDEX/gen-000007/vectors-001.faiss  segment 1, 2, ...: the vectors of later add-only updates
    INDEX/.lock                         held by the one update allowed at a time

The segments, concatenated in the manifest's order, hold one vector per chunk row: row i of
them is chunk row i. A segment file is immutable once written: an add-only update hard-links
the previous generation's segments into the new folder and writes one small segment, so
two generations may share a file, and nothing may ever write into an existing one.
A new generation is written into a temporary folder, fsynced, renamed, and only then does
manifest.json switch to it (os.replace), so a reader sees the old generation or the new
one, never half of one. The generation manifest.json names is never removed before the
new manifest is in place (even by --rebuild), and the previous one is kept for readers
still using it; older ones and leftovers of killed updates go at the next update.
But: - BM25's postings live inside the same SQLite file as the chunks, so the two can never
disagree; no pickle is written or read anywhere (postings are raw little-endian arrays).
- Search is exact (no HNSW or other approximate index). An index of an older format (1 or 2)
is refused, and `letters-qa index` upgrades it in place by reading and embedding every letter
again (format 3 changed what a chunk is, so no stored vector can be reused).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shlex
import shutil
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import IndexBusyError, IndexStoreError

FORMAT = "letters-qa-index"
VERSION = 3
UPGRADABLE = {1, 2}  # versions `letters-qa index` upgrades in place (reading and embedding every letter again)
MANIFEST = "manifest.json"
GENERATION = re.compile(r"gen-\d{6,}")
MAX_SEGMENTS = 16  # an add-only update that would make more writes all vectors as one segment
FLAT = b"IxFI"  # FAISS's tag for IndexFlatIP, the only kind written now
# How qa/retriever.py fuses dense and BM25 rankings over this index's passages; written into
# the manifest at build time. Chosen on tests/gold.jsonl (bench/ablation.py; README "How it answers").
FUSION = {"method": "rrf", "k": 5, "dense": 3.0, "bm25": 1.0}

SCHEMA = """
CREATE TABLE letters(
    id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, sha256 TEXT NOT NULL, council TEXT NOT NULL,
    short_name TEXT NOT NULL, year INTEGER NOT NULL, kind TEXT NOT NULL, date TEXT, recipient TEXT,
    signatory TEXT, sections TEXT NOT NULL, text TEXT NOT NULL);  -- text last: metadata reads skip it
CREATE TABLE chunks(
    row INTEGER PRIMARY KEY, letter_id INTEGER NOT NULL REFERENCES letters(id), section TEXT NOT NULL,
    text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    phrase_boilerplate INTEGER NOT NULL, boilerplate INTEGER NOT NULL, fingerprint TEXT NOT NULL,
    length INTEGER NOT NULL DEFAULT 0,
    context TEXT NOT NULL,  -- council, year, kind, section: embedded and indexed with text, never cited
    polarity TEXT NOT NULL,  -- strength / weakness / neutral (index/polarity.py)
    area TEXT NOT NULL);  -- the APA judgement area of its section, or ''

CREATE INDEX chunks_letter ON chunks(letter_id);
CREATE INDEX chunks_fingerprint ON chunks(fingerprint);
CREATE TABLE ratings(
    id INTEGER PRIMARY KEY, letter_id INTEGER NOT NULL REFERENCES letters(id), area TEXT NOT NULL,
    label TEXT NOT NULL, grade INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL,  -- the letter's text[start:end], so listing ratings never reads whole letters
    conflict_start INTEGER, conflict_end INTEGER, conflict_text TEXT);  -- where the letter says otherwise
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
            f"{VERSION}); upgrade it with `letters-qa index --index {index_dir}{_letters_option(manifest)}` "
            "(every letter is read and embedded again: the passages changed)"
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


def _letters_option(manifest: dict) -> str:
    """` --letters DIR` naming the folder the index was built from: `index` defaults to seeds/,
    and upgrading from another folder would remove every letter not in it."""
    folder = manifest.get("letters_dir")
    return f" --letters {shlex.quote(folder)}" if isinstance(folder, str) and folder else ""


def write_manifest(index_dir: Path, manifest: dict) -> None:
    """Atomically replace manifest.json: readers see the old file or the new one."""
    path = Path(index_dir) / MANIFEST
    tmp = path.with_name(f".{MANIFEST}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        # Compact: with indent, json falls back to its pure-Python encoder (0.15 s at 10,000 letters).
        json.dump(manifest, fh, sort_keys=True, separators=(",", ":"))
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


def fsync_tree(path: Path, skip: set[str] | frozenset[str] = frozenset()) -> None:
    """fsync the files of `path` (except those named in `skip`, hard links to files already
    synced by an earlier generation), then the folder itself, which holds the new links."""
    for file in path.iterdir():
        if file.name in skip:
            continue
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
    """Write one segment: an exact inner-product index over `vectors` (a new file, never an existing one)."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    faiss.write_index(index, str(path))


def read_vectors(path: Path):
    """One segment as an exact FAISS index (IndexFlat); IndexStoreError if FAISS cannot read it."""
    import faiss

    try:
        index = faiss.read_index(str(path))
    except RuntimeError:  # FAISS's own message is a C++ signature and source line: not for users
        raise IndexStoreError(f"{path} is damaged or truncated (FAISS cannot read it)") from None
    if not isinstance(index, faiss.IndexFlat) and hasattr(index, "storage"):
        # A vectors.faiss written before segments is HNSW above 200,000 chunks: search its
        # stored vectors exactly (a view; the HNSW object is kept alive with it).
        flat = faiss.downcast_index(index.storage)
        flat.referenced_objects = [index]
        index = flat
    if not isinstance(index, faiss.IndexFlat):
        raise IndexStoreError(f"{path} is not a FAISS index this letters-qa reads ({type(index).__name__})")
    return index


def stored_vectors(index) -> np.ndarray:
    """A zero-copy (ntotal, d) view of the vectors a flat segment holds; valid while `index` lives."""
    import faiss

    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(index.ntotal, index.d)


@dataclass(frozen=True)
class Segment:
    """One vector file of a generation: its name, its rows, and its size in bytes when recorded."""

    file: str
    rows: int | None = None  # None: a vectors.faiss from before segments, whose rows are read from it
    bytes: int | None = None
    flat: bool = True  # False: an HNSW vectors.faiss from before segments

    def to_json(self) -> dict:
        return {"file": self.file, "rows": self.rows, "bytes": self.bytes}


def segment_name(position: int) -> str:
    return "vectors.faiss" if position == 0 else f"vectors-{position:03d}.faiss"


def listed_segments(manifest: dict, index_dir: Path) -> list[Segment]:
    """The segments the manifest lists (one vectors.faiss for an index written before segments)."""
    listed = manifest.get("segments")
    if listed is None:
        return [Segment("vectors.faiss")]
    segments = []
    try:
        for position, item in enumerate(listed):
            name, rows, size = item["file"], item["rows"], item["bytes"]
            # Names are joined to the generation folder, and an update writes its new segment
            # under the next position's name: only the name of its own position will do (else
            # that write could land on a hard-linked file that an older generation still uses).
            if not (name == segment_name(position) and isinstance(rows, int) and rows >= 0 and isinstance(size, int)):
                raise TypeError
            segments.append(Segment(name, rows, size))
    except (TypeError, KeyError):
        raise IndexStoreError(
            f"{Path(index_dir) / MANIFEST} is damaged (no valid 'segments'); {rebuild_hint(index_dir)}"
        ) from None
    return segments


def check_segments(folder: Path, manifest: dict, index_dir: Path) -> list[Segment]:
    """The generation's segments, each checked cheaply without loading it: it exists, has the
    recorded size, and its header states the manifest's dimension and the recorded rows.
    IndexStoreError (with the rebuild hint) for the first that does not."""
    hint = rebuild_hint(index_dir)
    checked = []
    for segment in listed_segments(manifest, index_dir):
        path = folder / segment.file
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                header = fh.read(16)
        except FileNotFoundError:
            raise IndexStoreError(f"{path} is missing; {hint}") from None
        except OSError as exc:
            raise IndexStoreError(f"{path} cannot be read ({exc.strerror or exc}); {hint}") from None
        if segment.bytes is not None and size != segment.bytes:
            raise IndexStoreError(f"{path} is damaged or truncated ({size} bytes, expected {segment.bytes}); {hint}")
        if len(header) < 16:
            raise IndexStoreError(f"{path} is damaged or truncated (FAISS cannot read it); {hint}")
        # Every FAISS index file opens with a 4-byte type tag, the dimension and the row count.
        tag, dim, rows = struct.unpack("<4siq", header)
        if dim != manifest["dim"]:
            raise IndexStoreError(f"{path} has dimension {dim}, the manifest {manifest['dim']}; {hint}")
        if rows < 0 or (segment.rows is not None and rows != segment.rows):
            raise IndexStoreError(f"{path} is damaged (it holds {rows} rows, the manifest says {segment.rows}); {hint}")
        checked.append(Segment(segment.file, rows, size, tag == FLAT))
    return checked


def read_segments(folder: Path, segments: list[Segment], index_dir: Path) -> list:
    """Load every segment (FAISS indexes in row order), checked against what `check_segments` found."""
    indexes = []
    for segment in segments:
        path = folder / segment.file
        try:
            index = read_vectors(path)
        except IndexStoreError as exc:
            raise IndexStoreError(f"{exc}; {rebuild_hint(index_dir)}") from None
        if index.ntotal != segment.rows:
            hint = rebuild_hint(index_dir)
            raise IndexStoreError(f"{path} is damaged (it holds {index.ntotal} rows, its header says "
                                  f"{segment.rows}); {hint}")
        indexes.append(index)
    return indexes


def link_or_copy(source: Path, target: Path) -> bool:
    """Hard-link `source` as `target` (True); copy it where the filesystem cannot link (False)."""
    try:
        os.link(source, target)
        return True
    except OSError:
        shutil.copyfile(source, target)
        return False


@dataclass(frozen=True)
class Generation:
    """Paths of one generation folder."""

    folder: Path

    @property
    def database(self) -> Path:
        return self.folder / "index.sqlite"

    @property
    def vectors(self) -> Path:
        """Segment 0 (the only one of a full build)."""
        return self.folder / segment_name(0)
