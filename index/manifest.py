"""manifest.json: the one description of an index folder, typed, validated and written atomically.

    {"format": "letters-qa-index", "version": 5, "generation": 7, "data": "gen-000007",
     "model": ..., "dim": 384, "chunks": 170, "letters": {name: sha256},
     "database": {"file": "index.sqlite", "bytes": ..., "checksum": "xxh3_128:..."},
     "segments": [{"file": "vectors.faiss", "rows": ..., "bytes": ..., "checksum": "xxh3_128:..."}, ...],
     "approximate": {"file": "content-hnsw.faiss", "rows": ..., "bytes": ..., "checksum": ...} (large
     indexes only: index/approximate.py),
     "stats": {name: [size, mtime_ns, ctime_ns]}, "fusion": {...}, "letters_dir": ..., "created": ...,
     "backend": "onnx" or "torch" (what embedded the vectors; both give the same vectors)}

Every file of a generation is recorded with its size and an xxh3-128 checksum (about 10 GB/s,
so verifying a file costs little more than reading it); readers verify each file as they load
it and `letters-qa check` verifies all of them. Everything else about the index folder
(generations, the lock, the atomic switch) is index/store.py; what versions mean and how an
older one is brought up to date is index/upgrades.py.
But: - format 3 recorded no checksums: it is read as it is (nothing to verify) until the next
`letters-qa index` adds them.
"""

from __future__ import annotations

import json
import math
import mmap
import os
import re
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path

import xxhash

from index.durable import atomic_write
from index.errors import IndexStoreError

FORMAT = "letters-qa-index"
VERSION = 5
READABLE = {3, 4, 5}  # versions a reader opens as they are (3: without checksums; 3 and 4: without judgements)
UPGRADABLE = {1, 2}  # versions only `letters-qa index` can bring up to date (index/upgrades.py)
MANIFEST = "manifest.json"
DATABASE = "index.sqlite"
APPROXIMATE = "content-hnsw.faiss"  # index/approximate.py
GENERATION = re.compile(r"gen-\d{6,}")
CHECKSUM = "xxh3_128"
# How qa/retriever.py fuses dense and BM25 rankings over this index's passages; written into
# the manifest at build time. Chosen on tests/gold.jsonl (bench/fusion_grid.py; docs/decisions/fusion-weights.md).
# "expand": which search takes the question with qa/glossary.py's letter terms appended.
FUSION = {"method": "rrf", "k": 2, "dense": 1.0, "bm25": 1.0, "expand": "bm25"}
EXPANSIONS = ("none", "bm25", "dense", "both")


def rebuild_hint(index_dir: Path) -> str:
    return f"rebuild it with `letters-qa index --rebuild --index {index_dir}`"


def checksum_bytes(data: bytes | memoryview) -> str:
    return f"{CHECKSUM}:{xxhash.xxh3_128_hexdigest(data)}"


def checksum_file(path: Path) -> str:
    """The checksum of a file's bytes, hashed through a memory map: no copy into Python (a
    generation's files can be hundreds of MB; 616 MB of vectors take 0.07 s, 0.33 s read in blocks)."""
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return checksum_bytes(b"")
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return checksum_bytes(mapped)


@dataclass(frozen=True)
class FileRecord:
    """One file of a generation as the manifest records it; checksum None: written before checksums."""

    file: str
    bytes: int
    checksum: str | None = None

    def to_json(self) -> dict:
        return {"file": self.file, "bytes": self.bytes, "checksum": self.checksum}

    @classmethod
    def of(cls, folder: Path, name: str) -> FileRecord:
        path = folder / name
        return cls(name, path.stat().st_size, checksum_file(path))


def file_problem(path: Path, record: FileRecord) -> str | None:
    """What is wrong with a generation's file against its record ("missing", "cannot be read (...)",
    "damaged or truncated (...)", "damaged (its checksum differs ...)"), or None when it matches.
    The one check behind readers, segments and `letters-qa check`; no checksum (format 3): size only."""
    try:
        size = path.stat().st_size
        if size != record.bytes:
            return f"damaged or truncated ({size} bytes, expected {record.bytes})"
        if record.checksum is not None and checksum_file(path) != record.checksum:
            return "damaged (its checksum differs from the manifest's)"
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    return None


def problem_error(path: Path, problem: str, hint: str) -> IndexStoreError:
    """`file_problem`'s finding as the one-line error readers raise."""
    verb = "" if problem.startswith("cannot") else "is "
    return IndexStoreError(f"{path} {verb}{problem}; {hint}")


@dataclass(frozen=True)
class Segment(FileRecord):
    """One vector file: FileRecord plus its rows (segments concatenated in order = chunk rows)."""

    rows: int = 0

    def to_json(self) -> dict:
        return {**super().to_json(), "rows": self.rows}


def segment_name(position: int) -> str:
    return "vectors.faiss" if position == 0 else f"vectors-{position:03d}.faiss"


@dataclass(frozen=True)
class Manifest:
    """What manifest.json says; see the module docstring. Load with `Manifest.load`."""

    generation: int
    folder: str  # the generation's folder, "gen-000007" ("data" in manifest.json)
    model: str
    dim: int
    letters: dict[str, str]
    version: int = VERSION
    chunks: int = 0
    segments: tuple[Segment, ...] = ()
    database: FileRecord | None = None
    approximate: Segment | None = None  # the HNSW graph of the non-boilerplate rows (index/approximate.py)
    stats: dict[str, list[int]] = field(default_factory=dict)
    fusion: dict = field(default_factory=dict)
    letters_dir: str | None = None
    created: str | None = None
    backend: str | None = None  # "onnx" or "torch" (index/embedder.py); the vectors agree, see docs/decisions/onnx.md
    # What is wrong with a manifest loaded for an update or a check (`upgrading`), where a reader
    # would refuse it: the update rebuilds (index/check.py verify_generation), `check` reports it.
    problems: tuple[str, ...] = ()

    @property
    def data(self) -> str:
        """`folder` by its former name (manifest.json's key)."""
        return self.folder

    @property
    def verified(self) -> bool:
        """True when every file has a recorded checksum (format 4 on)."""
        return self.database is not None and self.database.checksum is not None and all(
            s.checksum is not None for s in self.segments)  # `approximate` always has one

    def with_stats(self, stats: dict[str, list[int]]) -> Manifest:
        return replace(self, stats=stats)

    def to_json(self) -> dict:
        doc = {
            "format": FORMAT, "version": self.version, "generation": self.generation, "data": self.folder,
            "model": self.model, "dim": self.dim, "chunks": self.chunks, "letters": self.letters,
            "segments": [s.to_json() for s in self.segments], "stats": self.stats, "fusion": self.fusion,
            "letters_dir": self.letters_dir, "created": self.created,
        }
        if self.backend is not None:
            doc["backend"] = self.backend
        if self.database is not None:
            doc["database"] = self.database.to_json()
        if self.approximate is not None:
            doc["approximate"] = self.approximate.to_json()
        return doc

    @classmethod
    def load(cls, index_dir: Path, upgrading: bool = False) -> Manifest | None:
        """The manifest, or None for a folder with no index yet; IndexStoreError if it is damaged.

        An older format is refused with the command that upgrades it, except to that update
        itself (`upgrading`), which only needs its letters, model and generation.
        """
        index_dir = Path(index_dir)
        path = index_dir / MANIFEST
        try:
            doc = json.loads(path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IndexStoreError(f"{path} is damaged ({exc.__class__.__name__}); {rebuild_hint(index_dir)}") from None
        return cls.from_json(doc, index_dir, upgrading)

    @classmethod
    def from_json(cls, doc: object, index_dir: Path, upgrading: bool = False) -> Manifest:
        path = index_dir / MANIFEST

        def damaged(what: str) -> IndexStoreError:
            return IndexStoreError(f"{path} is damaged (no valid {what!r}); {rebuild_hint(index_dir)}")

        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise IndexStoreError(f"{path} is not a letters-qa index manifest; {rebuild_hint(index_dir)}")
        version = doc.get("version")
        if version in UPGRADABLE and not upgrading:
            raise IndexStoreError(
                f"{path} was written by an older letters-qa (index format {version}, this one reads "
                f"{VERSION}); upgrade it with `letters-qa index --index {index_dir}{letters_option(doc)}` "
                "(every letter is read and embedded again: the passages changed)"
            )
        if version not in READABLE | UPGRADABLE or isinstance(version, bool):
            raise IndexStoreError(
                f"{path} has index format version {version}, this letters-qa reads {VERSION}; {rebuild_hint(index_dir)}"
            )
        for key, kind in (("generation", int), ("data", str), ("model", str), ("dim", int), ("letters", dict)):
            if not isinstance(doc.get(key), kind) or isinstance(doc.get(key), bool):
                raise damaged(key)
        if doc["generation"] < 1 or doc["dim"] < 1:
            raise damaged("generation" if doc["generation"] < 1 else "dim")
        # `data` is joined to the folder and its siblings are deleted by updates: only the name of the
        # manifest's own generation will do (an update writes the next one beside it).
        if not GENERATION.fullmatch(doc["data"]) or doc["data"] != f"gen-{doc['generation']:06d}":
            raise damaged("data")
        letters = doc["letters"]
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in letters.items()):
            raise damaged("letters")
        stats = doc.get("stats") or {}
        if not isinstance(stats, dict):
            raise damaged("stats")
        fusion = doc.get("fusion") or {}
        problems: tuple[str, ...] = ()
        fusion_problem = _fusion_problem(fusion)
        if fusion_problem:
            if not upgrading:
                raise damaged("fusion")
            problems, fusion = (f"no valid 'fusion': {fusion_problem}",), {}
        manifest = cls(
            generation=doc["generation"], folder=doc["data"], model=doc["model"], dim=doc["dim"], letters=letters,
            version=version, chunks=doc.get("chunks") or 0, stats=stats, fusion=fusion,
            letters_dir=doc.get("letters_dir") if isinstance(doc.get("letters_dir"), str) else None,
            created=doc.get("created") if isinstance(doc.get("created"), str) else None,
            backend=doc.get("backend") if isinstance(doc.get("backend"), str) else None, problems=problems,
        )
        if version in UPGRADABLE:  # an upgrade reads and embeds every letter again: nothing else is used
            return manifest
        chunks = doc.get("chunks")
        if not isinstance(chunks, int) or isinstance(chunks, bool) or chunks < 0:
            raise damaged("chunks")
        segments = _segments(doc.get("segments"), version)
        if segments is None:
            raise damaged("segments")
        database = None
        if "database" in doc or version >= 4:
            database = _record(doc.get("database"), FileRecord)
            if database is None or database.file != DATABASE or (version >= 4 and database.checksum is None):
                raise damaged("database")
        approximate = None
        if doc.get("approximate") is not None:
            approximate = _record(doc["approximate"], Segment)
            if approximate is None or approximate.file != APPROXIMATE or approximate.checksum is None:
                raise damaged("approximate")
        return replace(manifest, segments=segments, database=database, approximate=approximate)

    def write(self, index_dir: Path) -> None:
        """Atomically replace manifest.json: readers see the old file or the new one.

        A failure (a full disk) removes the temporary file and raises OSError; the old manifest stays.
        """
        # Compact: with indent, json falls back to its pure-Python encoder (0.15 s at 10,000 letters).
        atomic_write(Path(index_dir) / MANIFEST, json.dumps(self.to_json(), sort_keys=True, separators=(",", ":")))


def letters_option(doc: dict) -> str:
    """` --letters DIR` naming the folder the index was built from: `index` defaults to seeds/,
    and upgrading from another folder would remove every letter not in it."""
    folder = doc.get("letters_dir")
    return f" --letters {shlex.quote(folder)}" if isinstance(folder, str) and folder else ""


def _valid_fusion(fusion: object) -> bool:
    """{} (the defaults), or the fusion settings with the types qa/retriever.py computes with."""
    return _fusion_problem(fusion) is None


def _fusion_problem(fusion: object) -> str | None:
    """What is wrong with the fusion settings, or None: `k`, `dense` and `bm25` must be positive
    finite numbers (a weight of 0 silently drops one ranking, k 0 makes the first ranks dominate),
    the method RRF and the expansion one of EXPANSIONS."""
    if not isinstance(fusion, dict):
        return "not an object"
    for key in ("k", "dense", "bm25"):
        if key not in fusion:
            continue
        value = fusion[key]
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
            return f"{key} must be a positive number, not {json.dumps(value)[:40]}"
    if fusion.get("method", "rrf") != "rrf":
        return f"method must be rrf, not {json.dumps(fusion.get('method'))[:40]}"
    if fusion.get("expand", "none") not in EXPANSIONS:
        return f"expand must be one of {', '.join(EXPANSIONS)}, not {json.dumps(fusion.get('expand'))[:40]}"
    return None


def _record(item: object, kind: type[FileRecord]) -> FileRecord | None:
    if not isinstance(item, dict):
        return None
    name, size, checksum = item.get("file"), item.get("bytes"), item.get("checksum")
    if not (isinstance(name, str) and isinstance(size, int) and not isinstance(size, bool) and size >= 0):
        return None
    if checksum is not None and not (isinstance(checksum, str) and checksum.startswith(f"{CHECKSUM}:")):
        return None
    if kind is Segment:
        rows = item.get("rows")
        if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
            return None
        return Segment(name, size, checksum, rows)
    return FileRecord(name, size, checksum)


def _segments(listed: object, version: int) -> tuple[Segment, ...] | None:
    """The listed segments, each under its own position's name: an update writes its new segment
    under the next position's name, so any other name could make that write land on a
    hard-linked file an older generation still uses. Checksums are required from format 4."""
    if not isinstance(listed, list):
        return None
    segments = []
    for position, item in enumerate(listed):
        segment = _record(item, Segment)
        if segment is None or segment.file != segment_name(position) or (version >= 4 and segment.checksum is None):
            return None
        segments.append(segment)
    return tuple(segments)
