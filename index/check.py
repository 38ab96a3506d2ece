"""Is an index folder whole? Every file of its current generation against the manifest.

`verify_generation` is what an update runs before it builds on a generation (checksums
only, or for a format without them SQLite's integrity check and a full FAISS read);
`check_index` is `letters-qa check`: everything, file by file, with what to do.
"""

from __future__ import annotations

import fcntl
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path

from index import approximate, database, segments
from index.conflicts import conflicts_at
from index.errors import IndexStoreError
from index.manifest import DATABASE, MANIFEST, UPGRADABLE, Manifest, file_problem, letters_option


@dataclass
class FileCheck:
    file: str  # relative to the index folder
    ok: bool
    detail: str


@dataclass
class CheckReport:
    """What `letters-qa check` found; `to_dict()` is its --json document."""

    index_dir: str
    ok: bool = True
    version: int | None = None
    generation: int | None = None
    letters: int = 0
    chunks: int = 0
    files: list[FileCheck] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # temporary folders of killed updates (removed by the next)
    updating: bool = False  # an update holds the lock now (then `leftovers` may be its work in progress)
    unsearchable: list[dict] = field(default_factory=list)  # {"letter", "problem"}: database.searchability
    conflicts: list[dict] = field(default_factory=list)  # index/conflicts.py: one kind, council, year; ratings differ
    advice: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def verify_generation(index_dir: Path, manifest: Manifest) -> str | None:
    """The first problem with the manifest's generation, or None when it is whole: anything
    `check_index` reports as damaged, so the update that asks rebuilds rather than build on it
    (a manifest edited by hand, whose letters no longer match the database, made every later
    update fail on "UNIQUE constraint failed: letters.name")."""
    if manifest.problems:
        return f"{MANIFEST}: {manifest.problems[0]}"
    thorough = not manifest.verified
    for item in _file_checks(index_dir, manifest, thorough=thorough):
        if not item.ok:
            return f"{item.file}: {item.detail}"
    if not thorough:  # the thorough checks compared these already
        problem = _consistency(index_dir / manifest.folder / DATABASE, manifest)
        if problem:
            return f"{manifest.folder}/{DATABASE}: {problem}"
    return None


def _consistency(path: Path, manifest: Manifest) -> str | None:
    """Whether the database holds what the manifest says (its letters and their hashes, and as
    many passages): cheap queries, no integrity check. None when it does."""
    try:
        db = database.open_read_only(path)
        try:
            count, last = db.execute(database.SELECT_SHAPE).fetchone()
            letters = database.letter_hashes(db)
        finally:
            db.close()
    except sqlite3.Error as exc:
        return f"damaged ({exc})"
    return _disagreement(count, last, letters, manifest)


def _disagreement(count: int, last: int | None, letters: dict[str, str], manifest: Manifest) -> str | None:
    """How the database's passages and letters disagree with the manifest, or None."""
    if count != manifest.chunks or (count and last != count - 1):
        return f"damaged (it holds {count} passages, the manifest says {manifest.chunks})"
    if letters != manifest.letters:
        names = letters.keys() | manifest.letters.keys()
        differ = sorted(name for name in names if letters.get(name) != manifest.letters.get(name))
        return (f"damaged (its letters differ from the manifest's: {differ[0]}"
                f"{f' and {len(differ) - 1} more' if len(differ) > 1 else ''})")
    return None


def check_index(index_dir: str | Path) -> CheckReport:
    index_dir = Path(index_dir)
    report = CheckReport(str(index_dir))
    try:
        manifest = Manifest.load(index_dir, upgrading=True)
    except IndexStoreError as exc:
        report.ok = False
        report.files.append(FileCheck(MANIFEST, False, str(exc).split("; rebuild it")[0]))
        report.advice = f"rebuild it with `letters-qa index --rebuild --index {index_dir} --letters FOLDER`"
        return report
    if manifest is not None and manifest.version in UPGRADABLE:
        report.ok, report.version = False, manifest.version
        report.files.append(FileCheck(MANIFEST, False, f"index format {manifest.version}, written by an older "
                                                       "letters-qa: it must be upgraded before it is read"))
        report.advice = (f"upgrade it with `letters-qa index --index {index_dir}"
                         f"{letters_option({'letters_dir': manifest.letters_dir})}` (every letter is read and "
                         "embedded again)")
        return report
    if manifest is None:
        report.ok = False
        report.files.append(FileCheck(MANIFEST, False, "missing: there is no index here"))
        report.advice = f"build one: `letters-qa index --index {index_dir} --letters FOLDER`"
        return report
    report.version, report.generation = manifest.version, manifest.generation
    report.letters, report.chunks = len(manifest.letters), manifest.chunks
    report.files.append(FileCheck(MANIFEST, True, f"format {manifest.version}, generation {manifest.generation}, "
                                                  f"{len(manifest.letters)} letters, {manifest.chunks} passages")
                        if not manifest.problems else FileCheck(MANIFEST, False, f"damaged ({manifest.problems[0]})"))
    report.files += _file_checks(index_dir, manifest, thorough=True)
    report.leftovers = sorted(p.name for p in index_dir.iterdir() if p.name.startswith((".gen-", f".{MANIFEST}.")))
    report.updating = _update_running(index_dir)
    report.ok = all(item.ok for item in report.files)
    if report.ok:
        report.unsearchable = searchability(index_dir / manifest.folder / DATABASE)
        report.conflicts = conflicts_at(index_dir / manifest.folder / DATABASE)
    again = f"`letters-qa index --rebuild --index {index_dir}{letters_option({'letters_dir': manifest.letters_dir})}`"
    if not report.ok:
        report.advice = (f"rebuild it with {again} (every letter is read and embedded again from the letters "
                         "folder; the damaged files are replaced)")
    elif not manifest.verified:
        report.advice = (f"this index (format {manifest.version}) records no checksums; `letters-qa index --index "
                         f"{index_dir}{letters_option({'letters_dir': manifest.letters_dir})}` adds them "
                         "without embedding anything again")
    return report


def searchability(path: Path) -> list[dict]:
    """database.searchability of a written generation's SQLite file ([] when it cannot be read)."""
    try:
        db = database.open_read_only(path)
    except sqlite3.Error:
        return []
    try:
        return database.searchability(db)
    finally:
        db.close()


def _update_running(index_dir: Path) -> bool:
    """Whether an update holds the folder's lock now (tested without waiting, released at once)."""
    try:
        with open(index_dir / ".lock", "rb") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError:
        pass
    return False


def _file_checks(index_dir: Path, manifest: Manifest, thorough: bool) -> list[FileCheck]:
    """One FileCheck per file of the generation, in order; stops at the first broken one.

    Checksums when the manifest has them; `thorough` adds SQLite's integrity check, a full FAISS
    read of every segment and the row counts (what a format without checksums can be checked by).
    """
    folder = index_dir / manifest.folder
    checks: list[FileCheck] = []

    def add(name: str, ok: bool, detail: str) -> bool:
        checks.append(FileCheck(f"{manifest.folder}/{name}", ok, detail))
        return ok

    db_path = folder / DATABASE
    record = manifest.database
    if record is not None:
        problem = file_problem(db_path, record)
    else:  # format 3 recorded no size: only that the file is there
        problem = None if db_path.is_file() else "missing"
    if problem:
        add(DATABASE, False, problem)
        return checks
    if thorough and not _database_whole(db_path, manifest, add):
        return checks
    if not checks:
        add(DATABASE, True, f"{record.bytes:,} bytes, checksum matches")
    for segment in manifest.segments:
        try:
            segments.check(folder, (segment,), manifest.dim, index_dir)
            if thorough:
                segments.load(folder, (segment,), index_dir)
            else:
                segments.verify(folder, segment, index_dir)
        except IndexStoreError as exc:
            add(segment.file, False, str(exc).split("; rebuild")[0].removeprefix(f"{folder / segment.file} "))
            return checks
        add(segment.file, True, f"{segment.rows:,} vectors, {segment.bytes:,} bytes"
                                + (", checksum matches" if segment.checksum else ", no checksum recorded"))
    graph = manifest.approximate
    if graph is not None:
        problem = file_problem(folder / graph.file, graph)
        if problem is None and thorough:
            try:
                approximate.load(folder, graph, index_dir)
            except IndexStoreError as exc:
                problem = str(exc).split("; rebuild")[0].removeprefix(f"{folder / graph.file} ")
        if problem:
            add(graph.file, False, problem)
            return checks
        add(graph.file, True, f"approximate graph of {graph.rows:,} passages, {graph.bytes:,} bytes, checksum matches")
    total = sum(segment.rows for segment in manifest.segments)
    if total != manifest.chunks:
        add("vectors", False, f"the segments hold {total} vectors, the manifest {manifest.chunks} passages")
    return checks


def _database_whole(path: Path, manifest: Manifest, add) -> bool:
    try:
        db = database.open_read_only(path)
        try:
            problem = database.integrity_problem(db)
            count, last = db.execute(database.SELECT_SHAPE).fetchone()
            letters = database.letter_hashes(db)
        finally:
            db.close()
    except sqlite3.Error as exc:
        return add(DATABASE, False, f"damaged ({exc})")
    if problem:
        return add(DATABASE, False, f"damaged (SQLite: {problem})")
    disagreement = _disagreement(count, last, letters, manifest)
    if disagreement:
        return add(DATABASE, False, disagreement)
    checksum = "checksum matches, " if manifest.database and manifest.database.checksum else ""
    size = manifest.database.bytes if manifest.database else None
    return add(DATABASE, True, f"{size:,} bytes, {checksum}SQLite integrity ok" if size is not None
               else f"{checksum}SQLite integrity ok")
