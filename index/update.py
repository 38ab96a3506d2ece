"""Build or update an index folder from a folder of letters, embedding only what is new.

`update_index(letters_dir, index_dir)` hashes every file, compares with the manifest, and
writes a new generation: unchanged letters (by content hash, whatever their name) keep
their stored chunks and vectors; new and changed letters are parsed, chunked and embedded;
removed letters disappear. Bad files are skipped with their reason, and a letter that
was indexed before and is now unreadable keeps its previous version. Copies of one content
are indexed once, under the name already indexed (a new copy never renames a letter).
But: - a different model than the manifest's re-embeds everything (vectors of two models
cannot share one index), and the report says so.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index import bm25
from index.chunks import chunk_letter, text_fingerprint
from index.embedder import DEFAULT_MODEL, Embedder, SentenceTransformerEmbedder
from index.errors import IndexStoreError, LetterError, LettersQAError
from index.letters import MAX_LETTER_BYTES, Letter, parse_letter, read_capped
from index.store import (
    FORMAT,
    FUSION,
    MAX_SEGMENTS,
    VERSION,
    Generation,
    Segment,
    check_segments,
    collect_garbage,
    create_database,
    fsync_dir,
    fsync_tree,
    generation_name,
    link_or_copy,
    read_manifest,
    read_segments,
    rebuild_hint,
    segment_name,
    stored_vectors,
    update_lock,
    write_manifest,
    write_vectors,
)

LETTER_SUFFIXES = (".txt", ".md", ".text")
RACY_MARGIN_NS = 2_000_000_000  # mtime ticks of coarse filesystems (FAT: 2 s)
SHARED_MIN_COUNCILS = 3  # a paragraph in letters about this many councils is boilerplate


@dataclass
class Report:
    """What an update did; `to_dict()` is the `letters-qa index --json` document."""

    index_dir: str
    letters_dir: str
    model: str
    generation: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"file", "reason"}
    duplicates: list[dict] = field(default_factory=list)  # {"file", "same_as"}
    embedded_chunks: int = 0
    letters: int = 0
    chunks: int = 0
    note: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _File:
    name: str
    sha256: str
    data: bytes | None  # None: not read, its size and mtime matched the previous update's (content unchanged)


def update_index(
    letters_dir: str | Path,
    index_dir: str | Path,
    *,
    embedder: Embedder | None = None,
    model: str | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Bring `index_dir` up to date with the letters in `letters_dir`; see the module docstring."""
    letters_dir, index_dir = Path(letters_dir), Path(index_dir)
    if not letters_dir.is_dir():
        raise LettersQAError(f"letters folder {letters_dir} does not exist or is not a folder")
    with update_lock(index_dir):
        try:
            old = read_manifest(index_dir, upgrading=True)
        except IndexStoreError:
            if not rebuild:
                raise
            old = None
        model = embedder.name if embedder is not None else model or (old or {}).get("model") or DEFAULT_MODEL
        report = Report(str(index_dir), str(letters_dir), model)
        if old and not rebuild and old["model"] != model:
            report.note = f"model changed from {old['model']} to {model}: every letter is embedded again"
        if old and not rebuild and old["version"] != VERSION:
            report.note = (f"index format {old['version']} upgraded to {VERSION}: passages changed, so every letter "
                           "was read and embedded again")
        if rebuild or (old and (old["model"] != model or old["version"] != VERSION)):
            old = None
        files, unreadable, seen = _scan(letters_dir, index_dir, report, old)
        plan = _plan(files, unreadable, old, report)
        plan.stats = _stat_cache(files, seen, plan)
        if old and not report.changed:  # old is None for an index of an older format: it is rebuilt
            report.generation = old["generation"]
            report.letters, report.chunks = len(old["letters"]), old.get("chunks", 0)
            if plan.stats != old.get("stats"):  # remember what was read, so the next scan need not
                write_manifest(index_dir, {**old, "stats": plan.stats})
            return report
        embedder = embedder or SentenceTransformerEmbedder(model)
        _write_generation(index_dir, letters_dir, old, plan, embedder, report, progress)
        return report


def _scan(
    letters_dir: Path, index_dir: Path, report: Report, old: dict | None
) -> tuple[list[_File], dict[str, str], dict[str, list[int]]]:
    """Every candidate file with its sha256, why each unreadable one could not be read, and
    the [size, mtime_ns, ctime_ns] of each file whose hash can be remembered for the next scan.

    A file whose size and mtime match what the previous update recorded for it is not read:
    its sha256 is the manifest's (see `_stat_cache` for when that is safe).
    """
    files, unreadable, seen = [], {}, {}
    cache = (old or {}).get("stats") or {}
    hashes = (old or {}).get("letters") or {}
    # A file modified this close to (or after) the scan's start may change again within the
    # same mtime tick after it is read: its stat then proves nothing, so it is not remembered.
    racy_from = time.time_ns() - RACY_MARGIN_NS
    for path, name, st, linked in _candidates(letters_dir, index_dir):
        if path.suffix.lower() not in LETTER_SUFFIXES:
            expected = ", ".join(LETTER_SUFFIXES)
            report.skipped.append({"file": name, "reason": f"not a letter file (expected {expected})"})
            continue
        # A symlink can be pointed at another file with the same size and mtime: always read.
        # ctime too: `cp -p` or `rsync -a` can rewrite a file keeping its size and mtime, never its ctime.
        key = ([st.st_size, st.st_mtime_ns, st.st_ctime_ns]
               if st is not None and stat.S_ISREG(st.st_mode) and not linked else None)
        if key is not None and name in hashes and cache.get(name) == key:
            files.append(_File(name, hashes[name], None))
            seen[name] = key
            continue
        try:
            data = _read_file(path, name, st)
        except LetterError as exc:
            unreadable[name] = exc.reason
            continue
        files.append(_File(name, hashlib.sha256(data).hexdigest(), data))
        if key is not None and key[1] < racy_from:
            seen[name] = key
    return files, unreadable, seen


def _candidates(letters_dir: Path, index_dir: Path) -> Iterator[tuple[Path, str, os.stat_result | None, bool]]:
    """(path, name, stat, is a symlink) of every entry under `letters_dir`, sorted, that is not a
    folder, not hidden and not inside the index folder; stat follows symlinks (None: dangling).

    "Inside the index folder?" resolves each folder once (symlinks one by one), names come from
    string slicing, and one lstat serves a file that is not a symlink: per-file pathlib work
    was most of a 10,000-letter scan.
    """
    index_abs = index_dir.resolve()
    inside: dict[str, bool] = {}  # folder name (relative) -> whether it is in the index folder
    root = str(letters_dir).rstrip("/")
    prefix = 0 if root == "." else len(root) + 1  # rglob yields "a.txt", not "./a.txt", under Path(".")
    for path in sorted(letters_dir.rglob("*"), key=lambda p: p.parts):
        name = str(path)[prefix:]
        if any(part.startswith(".") for part in name.split("/")):
            continue
        try:
            st = os.lstat(path)
        except OSError:  # gone since listed
            st = None
        linked = st is not None and stat.S_ISLNK(st.st_mode)
        if linked:
            if index_abs in path.resolve().parents:
                continue
            try:
                st = os.stat(path)
            except OSError:  # dangling: not a regular file, reported as such
                st = None
        else:
            folder = name.rpartition("/")[0]
            if folder not in inside:
                real = path.parent.resolve()
                inside[folder] = real == index_abs or index_abs in real.parents
            if inside[folder]:
                continue
        if st is not None and stat.S_ISDIR(st.st_mode):
            continue
        yield path, name, st, linked


def _read_file(path: Path, name: str, st: os.stat_result | None) -> bytes:
    """The file's bytes (at most the cap + 1 are read; see read_capped).

    A FIFO or device named like a letter would block or never end, so only regular files are read.
    """
    if st is None or not stat.S_ISREG(st.st_mode):
        raise LetterError(name, "not a regular file")
    return read_capped(path, name, MAX_LETTER_BYTES)


def _stat_cache(files: list[_File], seen: dict[str, list[int]], plan: _Plan) -> dict[str, list[int]]:
    """name -> [size, mtime_ns, ctime_ns] for the manifest's "stats": only files whose content is exactly
    what the manifest's "letters" records for that name (not duplicates, bad files, or letters
    kept at an older version), so a match lets the next scan take that sha256 without reading.
    Files modified near the scan are left out (see `_scan`): they are read again next time."""
    return {f.name: seen[f.name] for f in files if f.name in seen and plan.hashes.get(f.name) == f.sha256}


@dataclass
class _Plan:
    reuse: dict[str, str] = field(default_factory=dict)  # new name -> old name with the same content
    parsed: list[tuple[Letter, str]] = field(default_factory=list)  # (letter, sha256) to embed
    hashes: dict[str, str] = field(default_factory=dict)  # name -> sha256 of everything indexed
    stats: dict[str, list[int]] = field(default_factory=dict)  # name -> [size, mtime_ns, ctime_ns] (see _stat_cache)


def _plan(files: list[_File], unreadable: dict[str, str], old: dict | None, report: Report) -> _Plan:
    """Decide per file: reuse stored vectors, parse and embed, keep the old version, or skip."""
    old_letters: dict[str, str] = old["letters"] if old else {}
    old_by_hash = {sha: name for name, sha in old_letters.items()}
    originals, copies = _split_copies(files, old_letters)
    plan, bad = _Plan(), {}  # bad: sha256 -> why that content cannot be indexed
    claimed = {f.sha256 for f in originals}

    def skip(name: str, reason: str) -> None:
        # A letter indexed before keeps that version rather than vanish, unless its old
        # content is now in another file (keeping it too would index it twice).
        old_sha = old_letters.get(name)
        if old_sha is not None and old_sha not in claimed:
            plan.reuse[name], plan.hashes[name] = name, old_sha
            reason = f"{reason}; kept the previously indexed version"
        report.skipped.append({"file": name, "reason": reason})

    for f in originals:
        if f.sha256 in old_by_hash:
            plan.reuse[f.name], plan.hashes[f.name] = old_by_hash[f.sha256], f.sha256
            (report.unchanged if old_letters.get(f.name) == f.sha256 else
             report.updated if f.name in old_letters else report.added).append(f.name)
            continue
        try:
            letter = parse_letter(f.data, f.name)
        except LetterError as exc:
            bad[f.sha256] = exc.reason
            skip(f.name, exc.reason)
            continue
        plan.parsed.append((letter, f.sha256))
        plan.hashes[f.name] = f.sha256
        (report.updated if f.name in old_letters else report.added).append(f.name)
    for f, same_as in copies:  # a copy of a bad file is as bad, not a duplicate of an indexed letter
        if f.sha256 in bad:
            skip(f.name, bad[f.sha256])
        else:
            report.duplicates.append({"file": f.name, "same_as": same_as})
    for name, reason in unreadable.items():
        skip(name, reason)
    report.skipped.sort(key=lambda item: item["file"])
    report.removed = sorted(name for name in old_letters if name not in plan.hashes)
    return plan


def _split_copies(files: list[_File], old_letters: dict[str, str]) -> tuple[list[_File], list[tuple[_File, str]]]:
    """One file per content, and the other copies with the name they copy.

    The one kept is the name already indexed with that content, else the first by name: adding
    a copy must not rename (remove and re-add) a letter that is already indexed.
    """
    chosen: dict[str, _File] = {}
    for f in files:
        held = chosen.get(f.sha256)
        if held is None or (old_letters.get(f.name) == f.sha256 and old_letters.get(held.name) != f.sha256):
            chosen[f.sha256] = f
    originals = [f for f in files if chosen[f.sha256] is f]
    return originals, [(f, chosen[f.sha256].name) for f in files if chosen[f.sha256] is not f]


def _write_generation(index_dir, letters_dir, old, plan, embedder, report, progress) -> None:
    # What manifest.json names stays until the new manifest is in place, even when this update
    # does not reuse it (--rebuild, a new model): a crash here must leave a readable index.
    current = _readable_manifest(index_dir)
    live = {current["data"]} if current else set()
    generation = (current["generation"] if current else _last_generation(index_dir)) + 1
    final = index_dir / generation_name(generation)
    tmp = index_dir / f".{final.name}.tmp-{os.getpid()}"
    collect_garbage(index_dir, keep=live)
    try:
        _build_into(tmp, final, index_dir, letters_dir, old, plan, embedder, report, progress, generation)
    except (OSError, sqlite3.Error, RuntimeError) as exc:
        # A full disk, a read-only folder, ...: drop what was half written; the manifest
        # still names the previous generation, which keeps serving.
        shutil.rmtree(tmp, ignore_errors=True)
        if (_readable_manifest(index_dir) or {}).get("data") != final.name:
            shutil.rmtree(final, ignore_errors=True)
        raise IndexStoreError(
            f"could not write the new index generation in {index_dir}: {_reason(exc)}; "
            "the previous index is unchanged and still answers"
        ) from None
    # The previous generation stays for readers that still have it open.
    collect_garbage(index_dir, keep={final.name} | live)
    report.generation = generation


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "disk is full" in str(exc) or "No space" in str(exc):
        return "no space left on the device"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _build_into(tmp, final, index_dir, letters_dir, old, plan, embedder, report, progress, generation) -> None:
    """Write the whole generation into `tmp`, rename it to `final`, then switch the manifest."""
    tmp.mkdir(parents=True)
    appended = _append_into(tmp, index_dir, old, plan, embedder, report, progress) if _append_only(old, plan) else None
    if appended is None:
        db = create_database(tmp / "index.sqlite")
        try:
            dim, vectors = _fill_database(db, index_dir, old, plan, embedder, report, progress)
        finally:
            db.close()
        segments, linked = [_write_segment(tmp, 0, vectors)], set()
    else:
        dim, segments, linked = appended
    fsync_tree(tmp, skip=linked)  # linked segments were synced by the generation that wrote them
    os.rename(tmp, final)
    fsync_dir(index_dir)
    write_manifest(index_dir, {
        "format": FORMAT, "version": VERSION, "generation": generation, "data": final.name,
        "model": report.model, "dim": int(dim), "chunks": report.chunks, "letters": plan.hashes,
        "segments": [segment.to_json() for segment in segments], "stats": plan.stats, "fusion": FUSION,
        "letters_dir": str(letters_dir.resolve()), "created": datetime.now(UTC).isoformat(timespec="seconds"),
    })


def _write_segment(folder: Path, position: int, vectors: np.ndarray) -> Segment:
    name = segment_name(position)
    write_vectors(folder / name, vectors)
    return Segment(name, len(vectors), (folder / name).stat().st_size)


def _append_only(old: dict | None, plan: _Plan) -> bool:
    """Every indexed letter kept under its own name and content, nothing removed: only additions."""
    if not old or not plan.parsed:
        return False
    letters = old["letters"]
    return (len(plan.reuse) == len(letters) and all(plan.reuse.get(name) == name for name in letters)
            and all(plan.hashes.get(name) == sha for name, sha in letters.items()))


def _append_into(tmp, index_dir, old, plan, embedder, report, progress) -> tuple | None:
    """The add-only fast path: extend a copy of the current generation.

    The SQLite file is copied as it is (rows, ids and BM25 postings stay valid), the new
    letters are appended and only their chunks indexed (one new postings segment), boilerplate
    is re-marked only for their wordings, and their vectors go into one new vector segment (see
    `_append_segments`). Returns (dim, segments, names of the hard-linked files); None (nothing
    written) when the stored segments do not match the manifest: the full path then reports the damage.
    """
    source = Generation(index_dir / old["data"])
    try:
        segments = check_segments(source.folder, old, index_dir)
    except IndexStoreError:
        return None
    if sum(segment.rows for segment in segments) != old.get("chunks"):
        return None
    shutil.copyfile(source.database, tmp / "index.sqlite")
    db = sqlite3.connect(tmp / "index.sqlite")
    try:
        first = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        vectors = _insert_new(db, plan.parsed, embedder, report, progress)
        bm25.index_rows(db, first)
        db.execute(
            "UPDATE chunks SET boilerplate = 1 WHERE boilerplate = 0 AND fingerprint IN ("
            " SELECT c.fingerprint FROM chunks c JOIN letters l ON l.id = c.letter_id"
            " WHERE c.fingerprint IN (SELECT fingerprint FROM chunks WHERE row >= ?)"
            " GROUP BY c.fingerprint HAVING count(DISTINCT lower(l.council)) >= ?)",
            (first, SHARED_MIN_COUNCILS),
        )
        report.letters = db.execute("SELECT count(*) FROM letters").fetchone()[0]
        report.chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        db.commit()
    finally:
        db.close()
    return (int(old["dim"]), *_append_segments(tmp, index_dir, old, segments, vectors))


def _append_segments(tmp: Path, index_dir: Path, old: dict, segments: list[Segment], vectors: np.ndarray):
    """The previous generation's segments, hard-linked (never rewritten: the old generation's
    readers share them), and one new segment with `vectors`; returns (segments, linked names).

    Past MAX_SEGMENTS, or when a segment is an HNSW file from before segments, every vector
    is written as one new segment instead (compaction).
    """
    source = Generation(index_dir / old["data"])
    if len(segments) + (len(vectors) > 0) > MAX_SEGMENTS or not all(segment.flat for segment in segments):
        everything = _old_vectors(index_dir, old)
        if len(vectors):
            everything = np.concatenate([everything, vectors])
        return [_write_segment(tmp, 0, everything)], set()
    linked = set()
    for segment in segments:
        if link_or_copy(source.folder / segment.file, tmp / segment.file):
            linked.add(segment.file)
    if len(vectors):
        segments = [*segments, _write_segment(tmp, len(segments), vectors)]
    return segments, linked


def _old_vectors(index_dir: Path, old: dict) -> np.ndarray:
    """Every vector of the manifest's generation in row order (one array, a copy)."""
    folder = index_dir / old["data"]
    indexes = read_segments(folder, check_segments(folder, old, index_dir), index_dir)
    parts = [stored_vectors(index) for index in indexes]
    return np.concatenate(parts) if parts else np.zeros((0, old["dim"]), np.float32)


def _fill_database(db, index_dir, old, plan, embedder, report, progress):
    """Letters, chunks, ratings and BM25 into `db`; returns (dim, vectors in chunk-row order)."""
    parts = [_copy_reused(db, index_dir, old, plan)] if plan.reuse else []
    parts.append(_insert_new(db, plan.parsed, embedder, report, progress))
    parts = [p for p in parts if len(p)]
    dim = parts[0].shape[1] if parts else (old or {}).get("dim") or embedder.dim
    _mark_shared_boilerplate(db)
    bm25.index_rows(db, 0)
    report.letters = db.execute("SELECT count(*) FROM letters").fetchone()[0]
    report.chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    db.commit()
    return dim, np.concatenate(parts) if parts else np.zeros((0, dim), np.float32)


def _readable_manifest(index_dir: Path) -> dict | None:
    """The manifest readers use now, or None when there is none or it is damaged (--rebuild)."""
    try:
        return read_manifest(index_dir, upgrading=True)
    except IndexStoreError:
        return None


def _last_generation(index_dir: Path) -> int:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return max(numbers, default=0)


def _copy_reused(db: sqlite3.Connection, index_dir: Path, old: dict, plan: _Plan) -> np.ndarray:
    """Copy reused letters' rows from the old generation, renumbering chunk rows; return their vectors."""
    source = Generation(index_dir / old["data"])
    old_vectors = _old_vectors(index_dir, old)
    try:
        old_db = sqlite3.connect(f"file:{source.database}?mode=ro", uri=True)
        old_ids = dict(old_db.execute("SELECT name, id FROM letters"))
    except sqlite3.Error as exc:
        raise IndexStoreError(f"the index in {index_dir} is damaged ({exc}); {rebuild_hint(index_dir)}") from None
    rows = []
    for new_name, old_name in sorted(plan.reuse.items()):
        letter_id = _insert_letter_row(db, old_db, old_ids[old_name], new_name, plan.hashes[new_name])
        for row, section, text, start, end, phrase, fingerprint, context, polarity, area in old_db.execute(
            'SELECT row, section, text, start, "end", phrase_boilerplate, fingerprint, context, polarity, area '
            "FROM chunks WHERE letter_id = ? ORDER BY row", (old_ids[old_name],)
        ):
            db.execute(
                'INSERT INTO chunks(row, letter_id, section, text, start, "end", phrase_boilerplate, boilerplate, '
                "fingerprint, context, polarity, area) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (len(rows), letter_id, section, text, start, end, phrase, phrase, fingerprint, context, polarity, area),
            )
            rows.append(row)
    old_db.close()
    return old_vectors[rows] if rows else np.zeros((0, old_vectors.shape[1]), np.float32)


RATING_COLUMNS = 'area, label, grade, start, "end", text, conflict_start, conflict_end, conflict_text'


def _insert_letter_row(db, old_db, old_id: int, name: str, sha: str) -> int:
    row = old_db.execute(
        "SELECT council, short_name, year, kind, date, recipient, signatory, text, sections FROM letters WHERE id = ?",
        (old_id,),
    ).fetchone()
    cursor = db.execute(
        "INSERT INTO letters(name, sha256, council, short_name, year, kind, date, recipient, signatory, text, sections)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (name, sha, *row),
    )
    db.executemany(
        f"INSERT INTO ratings(letter_id, {RATING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(cursor.lastrowid, *r) for r in old_db.execute(
            f"SELECT {RATING_COLUMNS} FROM ratings WHERE letter_id = ? ORDER BY id", (old_id,))],
    )
    return cursor.lastrowid


def _insert_new(db, parsed, embedder: Embedder, report: Report, progress) -> np.ndarray:
    """Insert the new letters and their chunks; embed the chunks (the only model call of an update)."""
    first_row = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
    texts = []
    for letter, sha in parsed:
        cursor = db.execute(
            "INSERT INTO letters(name, sha256, council, short_name, year, kind, date, recipient, signatory, text, "
            "sections) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (letter.name, sha, letter.council, letter.short_name, letter.year, letter.kind, letter.date,
             letter.recipient, letter.signatory, letter.text,
             json.dumps([[s.title, s.start, s.end] for s in letter.sections])),
        )
        db.executemany(
            f"INSERT INTO ratings(letter_id, {RATING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(cursor.lastrowid, r.area, r.label, r.grade, r.start, r.end, letter.text[r.start:r.end],
              *((r.conflict[0], r.conflict[1], letter.text[r.conflict[0]:r.conflict[1]]) if r.conflict
                else (None, None, None)))
             for r in letter.ratings],
        )
        for chunk in chunk_letter(letter):
            db.execute(
                'INSERT INTO chunks(row, letter_id, section, text, start, "end", phrase_boilerplate, boilerplate, '
                "fingerprint, context, polarity, area) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (first_row + len(texts), cursor.lastrowid, chunk.section, chunk.text, chunk.start, chunk.end,
                 int(chunk.boilerplate), int(chunk.boilerplate), text_fingerprint(chunk.text), chunk.context,
                 chunk.polarity, chunk.area),
            )
            texts.append(chunk.search_text)
    report.embedded_chunks = len(texts)
    if not texts:
        return np.zeros((0, 0), np.float32)
    vectors = np.asarray(embedder.embed(texts, progress=progress), dtype=np.float32)
    if vectors.shape[0] != len(texts):
        raise IndexStoreError(f"the embedder returned {vectors.shape[0]} vectors for {len(texts)} chunks")
    return vectors


def _mark_shared_boilerplate(db: sqlite3.Connection) -> None:
    """Boilerplate = a known phrase, or wording found in letters about several councils."""
    db.execute(
        "UPDATE chunks SET boilerplate = 1 WHERE fingerprint IN ("
        " SELECT c.fingerprint FROM chunks c JOIN letters l ON l.id = c.letter_id"
        " GROUP BY c.fingerprint HAVING count(DISTINCT lower(l.council)) >= ?)",
        (SHARED_MIN_COUNCILS,),
    )
