"""Build or update an index folder from a folder of letters, embedding only what is new.

`update_index(letters_dir, index_dir)` runs three steps under the folder's lock:

    scan  (index/scan.py)  every file hashed (or its stat matched), or why it cannot be read
    plan                   per file: reuse stored rows and vectors, parse and embed, keep, skip
    write                  a new generation: extend a copy of the current one when letters were
                           only added, else a full one; then the manifest switches to it

Unchanged letters (by content hash, whatever their name) keep their stored chunks and
vectors; new and changed letters are parsed, chunked and embedded; removed letters
disappear. Bad files are skipped with their reason, and a letter that was indexed before and
is now unreadable keeps its previous version. Copies of one content are indexed once, under
the name already indexed (a new copy never renames a letter). An update never builds on a
generation that fails verification (index/upgrades.py `base_for`): it reads and embeds every
letter again and says so.
But: - a different model than the manifest's re-embeds everything (vectors of two models
cannot share one index), and the report says so.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index import approximate, bm25, database, embed_cache, kinds, segments
from index.check import searchability
from index.chunks import chunk_letter
from index.conflicts import conflicts_at, conflicts_in, drop_text_copies
from index.durable import fsync_dir, fsync_tree
from index.embedder import DEFAULT_MODEL, Embedder, make_embedder
from index.errors import IndexStoreError, LetterError, LettersQAError
from index.judgements import extract_judgements
from index.letters import Letter, parse_letter
from index.manifest import DATABASE, FUSION, FileRecord, Manifest, Segment, checksum_file, rebuild_hint
from index.scan import File, Scan, scan, stat_cache
from index.store import collect_garbage, generation_name, update_lock
from index.upgrades import Base, base_for


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
    generic: list[str] = field(default_factory=list)  # read now, of no known kind: indexed without ratings
    # letters a search would not find, each with why (database.searchability): never silently unsearchable
    unsearchable: list[dict] = field(default_factory=list)
    # letters of one kind, council and year whose ratings differ (index/conflicts.py): both kept, both named
    conflicts: list[dict] = field(default_factory=list)
    embedded_chunks: int = 0
    # distinct chunk texts whose vectors came from an interrupted build's cache / the model embedded now
    cached_texts: int = 0
    embedded_texts: int = 0
    letters: int = 0
    chunks: int = 0
    note: str | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Plan:
    reuse: dict[str, str] = field(default_factory=dict)  # new name -> old name with the same content
    parsed: list[tuple[Letter, str]] = field(default_factory=list)  # (letter, sha256) to embed
    hashes: dict[str, str] = field(default_factory=dict)  # name -> sha256 of everything indexed
    stats: dict[str, list[int]] = field(default_factory=dict)  # the scan's stat cache (scan.stat_cache)


@dataclass
class _Update:
    """What the write step needs: the folders, the generation built on, the plan and the report."""

    index_dir: Path
    letters_dir: Path
    base: Base
    plan: Plan
    report: Report
    embedder: Embedder
    progress: Callable[[int, int], None] | None


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
            current = Manifest.load(index_dir, upgrading=True)
        except IndexStoreError:
            if not rebuild:
                raise
            current = None
        model = embedder.name if embedder is not None else model or (current.model if current else DEFAULT_MODEL)
        report = Report(str(index_dir), str(letters_dir), model)
        base = base_for(index_dir, current, model, rebuild)
        report.note = base.note
        found = scan(letters_dir, index_dir, base.manifest)
        report.skipped += found.skipped
        plan = make_plan(found, base.manifest, report)
        drop_text_copies(plan, report, base.manifest.letters if base.manifest else {},  # one letter in two formats
                         index_dir / base.manifest.folder / DATABASE if base.manifest else None)
        plan.stats = stat_cache(found, plan.hashes)
        old = base.manifest
        missing = old is not None and not base.upgrading and not report.changed and _graph_missing(index_dir, old)
        if missing:
            report.note = ("wrote the approximate search graph that an index of this size gets (written before "
                           "it existed; nothing embedded again)")
        if old is not None and not base.upgrading and not report.changed and not missing:
            report.generation, report.letters, report.chunks = old.generation, len(old.letters), old.chunks
            report.unsearchable = searchability(index_dir / old.folder / DATABASE)
            report.conflicts = conflicts_at(index_dir / old.folder / DATABASE)
            if plan.stats != old.stats:  # remember what was read, so the next scan need not
                _save_stat_cache(index_dir, old, plan.stats, report)
            return report
        embedder = embedder or make_embedder(model)
        write_generation(_Update(index_dir, letters_dir, base, plan, report, embedder, progress))
        return report


def _save_stat_cache(index_dir: Path, manifest: Manifest, stats: dict, report: Report) -> None:
    """The stat cache only saves reading files next time: failing to write it loses nothing."""
    try:
        manifest.with_stats(stats).write(index_dir)
    except OSError as exc:
        report.note = (f"could not save which files were read ({_reason(exc)}); the index is unchanged, "
                       "and the next update reads every letter file again")


# --- plan ------------------------------------------------------------------------------


def make_plan(found: Scan, old: Manifest | None, report: Report) -> Plan:
    """Decide per file: reuse stored vectors, parse and embed, keep the old version, or skip."""
    old_letters: dict[str, str] = old.letters if old else {}
    old_by_hash = {sha: name for name, sha in old_letters.items()}
    originals, copies = _split_copies(found.files, old_letters)
    plan, bad = Plan(), {}  # bad: sha256 -> why that content cannot be indexed
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
        if letter.kind == kinds.GENERIC:
            report.generic.append(f.name)
        (report.updated if f.name in old_letters else report.added).append(f.name)
    for f, same_as in copies:  # a copy of a bad file is as bad, not a duplicate of an indexed letter
        if f.sha256 in bad:
            skip(f.name, bad[f.sha256])
        else:
            report.duplicates.append({"file": f.name, "same_as": same_as})
    for name, reason in found.unreadable.items():
        skip(name, reason)
    report.skipped.sort(key=lambda item: item["file"])
    report.removed = sorted(name for name in old_letters if name not in plan.hashes)
    return plan


def _split_copies(files: list[File], old_letters: dict[str, str]) -> tuple[list[File], list[tuple[File, str]]]:
    """One file per content, and the other copies with the name they copy.

    The one kept is the name already indexed with that content, else the first by name: adding
    a copy must not rename (remove and re-add) a letter that is already indexed.
    """
    chosen: dict[str, File] = {}
    for f in files:
        held = chosen.get(f.sha256)
        if held is None or (old_letters.get(f.name) == f.sha256 and old_letters.get(held.name) != f.sha256):
            chosen[f.sha256] = f
    originals = [f for f in files if chosen[f.sha256] is f]
    return originals, [(f, chosen[f.sha256].name) for f in files if chosen[f.sha256] is not f]


# --- write -----------------------------------------------------------------------------


def write_generation(job: _Update) -> None:
    """Write the next generation and switch the manifest to it; on failure nothing changes."""
    index_dir = job.index_dir
    # What manifest.json names stays until the new manifest is in place, even when this update
    # does not reuse it (--rebuild, a new model): a crash here must leave a readable index.
    current = _readable_manifest(index_dir)
    live = {current.folder} if current else set()
    generation = (current.generation if current else _last_generation(index_dir)) + 1
    final = index_dir / generation_name(generation)
    tmp = index_dir / f".{final.name}.tmp-{os.getpid()}"
    collect_garbage(index_dir, keep=live)
    try:
        _build_into(job, tmp, final, generation)
    except BaseException as exc:
        # A full disk, a read-only folder, an embedder that fails, Ctrl-C: drop what was half
        # written; the manifest still names the previous generation.
        shutil.rmtree(tmp, ignore_errors=True)
        now = _readable_manifest(index_dir)
        if (now.folder if now else None) != final.name:
            shutil.rmtree(final, ignore_errors=True)
        if isinstance(exc, LettersQAError) or not isinstance(exc, Exception):  # already one line; Ctrl-C
            raise
        raise IndexStoreError(f"could not write the new index generation in {index_dir}: {_reason(exc)}; "
                              f"{_previous_state(job, current)}") from None
    # The previous generation stays for readers that still have it open.
    collect_garbage(index_dir, keep={final.name} | live)
    embed_cache.clear(index_dir)  # its vectors are in the new generation now
    job.report.generation = generation


def _previous_state(job: _Update, current: Manifest | None) -> str:
    """What is true of the index after a failed write: only claim it answers when it was verified."""
    if current is None:
        return "there was no index before, and none was written"
    if job.base.manifest is not None and job.base.manifest.folder == current.folder:
        return "the previous index is unchanged and still answers"
    if job.base.damaged:
        return f"the previous index is unchanged but damaged; `letters-qa check --index {job.index_dir}` says how"
    return "the previous index is unchanged"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "disk is full" in str(exc) or "No space" in str(exc):
        return "no space left on the device"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    if not isinstance(exc, sqlite3.Error | RuntimeError):  # the embedder or a bug: say what it was
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}" if str(exc) else type(exc).__name__
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _build_into(job: _Update, tmp: Path, final: Path, generation: int) -> None:
    """Write the whole generation into `tmp`, rename it to `final`, then switch the manifest."""
    tmp.mkdir(parents=True)
    old = job.base.manifest
    if old is not None and _extends(old, job.plan):
        dim, written, linked, graph = _extend_into(job, tmp)
    else:
        db = database.create(tmp / DATABASE)
        try:
            dim, vectors = _fill_database(job, db)
            content = database.content_rows(db)
        finally:
            db.close()
        written, linked = [segments.write(tmp, 0, vectors)], set()
        wanted = approximate.wanted(len(content))
        graph = approximate.write(tmp, approximate.build(vectors[content], np.asarray(content))) if wanted else None
    # A segment from before checksums (format 3), linked as it is, gets its checksum now.
    written = [s if s.checksum else Segment(s.file, s.bytes, checksum_file(tmp / s.file), s.rows) for s in written]
    record = FileRecord.of(tmp, DATABASE)
    fsync_tree(tmp, skip=linked)  # linked segments were synced by the generation that wrote them
    os.rename(tmp, final)
    fsync_dir(job.index_dir)
    report = job.report
    Manifest(
        generation=generation, folder=final.name, model=report.model, dim=int(dim), letters=job.plan.hashes,
        chunks=report.chunks, segments=tuple(written), database=record, approximate=graph, stats=job.plan.stats,
        fusion=FUSION,
        letters_dir=str(job.letters_dir.resolve()), created=datetime.now(UTC).isoformat(timespec="seconds"),
        backend=getattr(job.embedder, "backend", None),
    ).write(job.index_dir)


def _extends(old: Manifest, plan: Plan) -> bool:
    """Every indexed letter kept under its own name and content, nothing removed: only additions."""
    letters = old.letters
    return (len(plan.reuse) == len(letters) and all(plan.reuse.get(name) == name for name in letters)
            and all(plan.hashes.get(name) == sha for name, sha in letters.items()))


def _extend_into(job: _Update, tmp: Path) -> tuple[int, list[Segment], set[str], Segment | None]:
    """The add-only path: extend a copy of the verified current generation.

    The SQLite file is copied as it is (rows, ids and BM25 postings stay valid), the new
    letters are appended and only their chunks indexed (one new postings segment), boilerplate
    is re-marked only for their wordings (all of it when upgrading from an older format), their
    vectors go into one new vector segment (see segments.extend), and the approximate graph is
    extended or built again (`_extended_graph`).
    """
    old = job.base.manifest
    shutil.copyfile(job.index_dir / old.folder / DATABASE, tmp / DATABASE)
    if old.database and old.database.checksum and checksum_file(tmp / DATABASE) != old.database.checksum:
        # Verified when the update began; damage since then must not be copied and re-checksummed as whole.
        raise IndexStoreError(f"{job.index_dir / old.folder / DATABASE} changed on disk during the update; "
                              f"run `letters-qa check --index {job.index_dir}`")
    db = database.open_copy(tmp / DATABASE)
    try:
        first = database.chunk_count(db)
        before = database.content_rows(db)
        if not database.has_judgements(db):  # upgrading from format 3 or 4
            database.add_judgements(db)
        vectors = _insert_new(job, db)
        if len(vectors):
            bm25.index_rows(db, first)
        database.mark_shared_boilerplate(db, 0 if job.base.upgrading else first, reset=job.base.upgrading)
        job.report.letters, job.report.chunks = database.counts(db)
        job.report.unsearchable = database.searchability(db)
        job.report.conflicts = conflicts_in(db)
        after = database.content_rows(db)
        db.commit()
    finally:
        db.close()
    written, linked = segments.extend(tmp, old, job.index_dir, vectors)
    graph, shared = _extended_graph(job, tmp, np.asarray(before, np.int64), np.asarray(after, np.int64), first,
                                    vectors)
    return old.dim, written, linked | shared, graph


def _extended_graph(job: _Update, tmp: Path, before: np.ndarray, after: np.ndarray, first: int,
                    vectors: np.ndarray) -> tuple[Segment | None, set[str]]:
    """The approximate graph (index/approximate.py) of an add-only update's generation, or None
    under its threshold: the previous generation's graph with the rows it lacks added (the new
    letters' non-boilerplate rows, and earlier rows no longer boilerplate), hard-linked when it
    lacks none; built again when it has none, or when more than MAX_STALE of its rows are
    boilerplate now. Also returns the file's name when it was hard-linked (synced by the
    generation that wrote it)."""
    if not approximate.wanted(len(after)):
        return None, set()
    old, index_dir = job.base.manifest, job.index_dir
    source = index_dir / old.folder
    graph = _readable_graph(source, old, index_dir)
    if graph is not None:
        held = approximate.rows_of(graph)
        missing = np.setdiff1d(after, held)
        if len(held) - np.isin(held, after).sum() <= approximate.MAX_STALE * len(held):
            if not len(missing):  # verified with the generation (index/check.py)
                linked = segments.link_or_copy(source / approximate.FILE, tmp / approximate.FILE)
                return old.approximate, {approximate.FILE} if linked else set()
            earlier, new = missing[missing < first], missing[missing >= first] - first
            parts = ([segments.all_vectors(old, index_dir)[earlier]] if len(earlier) else []) + (
                [vectors[new]] if len(new) else [])
            approximate.add(graph, np.concatenate(parts), missing)
            return approximate.write(tmp, graph), set()
    everything = segments.all_vectors(old, index_dir)
    if len(vectors):
        everything = np.concatenate([everything, vectors])
    return approximate.write(tmp, approximate.build(everything[after], after)), set()


def _readable_graph(source: Path, old: Manifest, index_dir: Path):
    """The previous generation's graph, or None when it has none or one this version does not
    read (its checksum was verified with the generation; the graph is then built again)."""
    if old.approximate is None:
        return None
    try:
        return approximate.load(source, old.approximate, index_dir)
    except IndexStoreError:
        return None


def _graph_missing(index_dir: Path, manifest: Manifest) -> bool:
    """Whether the generation lacks the approximate graph its size calls for (written before it
    existed): `letters-qa index` then writes a new generation with it, embedding nothing."""
    if manifest.approximate is not None or not approximate.wanted(manifest.chunks):
        return False
    try:
        db = database.open_read_only(index_dir / manifest.folder / DATABASE)
        try:
            return approximate.wanted(len(database.content_rows(db)))
        finally:
            db.close()
    except sqlite3.Error:
        return False  # a reader would report it; the update changes nothing


def _fill_database(job: _Update, db: sqlite3.Connection) -> tuple[int, np.ndarray]:
    """Letters, chunks, ratings and BM25 into `db`; returns (dim, vectors in chunk-row order)."""
    old = job.base.manifest
    parts = [_copy_reused(job, db)] if job.plan.reuse else []
    parts.append(_insert_new(job, db))
    parts = [p for p in parts if len(p)]
    dim = parts[0].shape[1] if parts else (old.dim if old else job.embedder.dim)
    database.mark_shared_boilerplate(db)
    bm25.index_rows(db, 0)
    job.report.letters, job.report.chunks = database.counts(db)
    job.report.unsearchable = database.searchability(db)
    job.report.conflicts = conflicts_in(db)
    db.commit()
    return dim, np.concatenate(parts) if parts else np.zeros((0, dim), np.float32)


def _copy_reused(job: _Update, db: sqlite3.Connection) -> np.ndarray:
    """Copy reused letters' rows from the old generation, renumbering chunk rows; return their vectors."""
    old, index_dir = job.base.manifest, job.index_dir
    old_vectors = segments.all_vectors(old, index_dir)
    try:
        old_db = database.open_read_only(index_dir / old.folder / DATABASE)
        old_ids = database.letter_ids(old_db)
    except sqlite3.Error as exc:
        raise IndexStoreError(f"the index in {index_dir} is damaged ({exc}); {rebuild_hint(index_dir)}") from None
    rows: list[int] = []
    try:
        for new_name, old_name in sorted(job.plan.reuse.items()):
            rows += database.copy_letter(db, old_db, old_ids[old_name], new_name, job.plan.hashes[new_name], len(rows))
    finally:
        old_db.close()
    return old_vectors[rows] if rows else np.zeros((0, old_vectors.shape[1]), np.float32)


def _insert_new(job: _Update, db: sqlite3.Connection) -> np.ndarray:
    """Insert the new letters and their chunks; embed the chunks (the only model call of an update)."""
    first_row = database.chunk_count(db)
    texts: list[str] = []
    for letter, sha in job.plan.parsed:
        letter_id = database.insert_letter(db, letter, sha)
        database.insert_judgements(db, letter_id, letter.text, extract_judgements(letter))
        chunks = chunk_letter(letter)
        database.insert_chunks(db, letter_id, chunks, first_row + len(texts))
        texts += [chunk.search_text for chunk in chunks]
    job.report.embedded_chunks = len(texts)
    if not texts:
        return np.zeros((0, 0), np.float32)
    old = job.base.manifest
    # Through the index folder's embedding cache: what an interrupted build embedded is reused.
    vectors, cached = embed_cache.embed_texts(job.embedder, texts, job.index_dir, job.progress,
                                              expect_dim=old.dim if old is not None else None)
    job.report.cached_texts, job.report.embedded_texts = cached.cached, cached.embedded
    notes = [job.report.note] if job.report.note else []
    if cached.cached:
        notes.append(f"resumed: {cached.cached} texts' vectors were kept from an interrupted build, "
                     f"{cached.embedded} embedded now")
    job.report.note = "; ".join(notes + ([cached.note] if cached.note else [])) or None
    if vectors.ndim != 2 or vectors.shape[0] != len(texts):
        raise IndexStoreError(f"the embedder returned {vectors.shape[0]} vectors for {len(texts)} chunks")
    if old is not None and vectors.shape[1] != old.dim:
        raise IndexStoreError(f"the embedder {job.embedder.name!r} gives {vectors.shape[1]}-dimensional vectors, "
                              f"the index holds {old.dim}; {rebuild_hint(job.index_dir)}")
    return vectors


def _readable_manifest(index_dir: Path) -> Manifest | None:
    """The manifest readers use now, or None when there is none or it is damaged (--rebuild)."""
    try:
        return Manifest.load(index_dir, upgrading=True)
    except IndexStoreError:
        return None


def _last_generation(index_dir: Path) -> int:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    return max(numbers, default=0)
