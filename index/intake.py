"""Add new letter files to the letters folder and the index: the one intake behind
`letters-qa add`, the web UI's upload and `POST /api/letters`.

`add_letters(files, letters_dir, index_dir)` takes each file in turn (its bytes or its path,
and the name it came with) and decides, before anything lands in the letters folder:

    name     a safe base name ([A-Za-z0-9._-], never hidden, never outside the folder)
    suffix   one of index.scan.LETTER_SUFFIXES
    size     at most index.letters.size_cap(name): 2 MB for text, 20 MB for PDF, Word, HTML
    letter   index.letters.parse_letter parses those bytes under the safe name; its reason is the refusal
    present  the same bytes already lie in the folder (an indexed letter, the same name or a
             "-N" variant of it, or an earlier file of this call): "already there", not copied;
             so is the same letter in another format (its .txt beside its .pdf: the same council,
             year, kind, date and body text, index/conflicts.py letter_key)
    place    written to a hidden temporary file, fsynced, then linked (or renamed) to a free
             name: a different file of the same name is kept and the new one gets "-1", "-2"...

then runs `update_index` once for all of them. The AddReport says what was added (council,
year, kind, overall rating), what was already there, what was skipped and why, and what the
update did. `original_file` gives an indexed letter's file back, checked, for downloads.

File names and letter text are data: a name is only sanitised and shown, never interpreted.
But: - nothing here deletes or replaces a letter. - An update that fails after files were
placed leaves them in the folder (the report says so); the next update indexes them.
- A letters folder that lacks indexed letters is refused (IntakeRefused): an update from it
would drop those letters from the index.
"""

from __future__ import annotations

import errno
import hashlib
import mimetypes
import os
import re
import sqlite3
import stat
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from index import kinds
from index.conflicts import key_of, stored_keys
from index.councils import authority
from index.durable import fsync_dir, write_synced
from index.embedder import Embedder
from index.errors import LetterError, LettersQAError
from index.letters import Letter, parse_letter, read_capped, size_cap
from index.manifest import DATABASE, Manifest
from index.scan import LETTER_SUFFIXES
from index.update import Report, update_index
from index.words import plural

Source = str | os.PathLike | bytes  # a file's path, or its bytes
MAX_STEM = 120  # characters of a saved name before its suffix: far below any filesystem's limit
_UNSUPPORTED_LINK = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}
_CONTENT_TYPES = {".txt": "text/plain", ".text": "text/plain", ".md": "text/markdown", ".htm": "text/html",
                  ".html": "text/html", ".pdf": "application/pdf",
                  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class IntakeRefused(LettersQAError):
    """Nothing may be added now: the letters folder lacks letters the index holds."""


@dataclass(frozen=True)
class Added:
    """A letter now in the letters folder (`letter` is its name there) and what it is."""

    file: str  # the name it came with, as given
    letter: str
    council: str
    short_name: str
    year: int
    kind: str
    rating: str | None  # the overall rating's label ("Performs well", "Good"); None when the letter states none
    grade: int | None
    same_text: bool = False  # already there: the same letter in another file format (not the same bytes)

    def describe(self) -> str:
        """'Northwold City Council, 2009 annual rating, performs excellently'."""
        return f"{self.council}, {self.year} {kinds.get(self.kind).prose}, {rating_words(self)}"


class Outcome(StrEnum):
    """What became of one file given to add_letters: the AddReport list it goes in."""

    ADDED = "added"
    ALREADY_THERE = "already_there"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Skipped:
    file: str
    reason: str


@dataclass
class AddReport:
    """What `add_letters` did; `to_dict()` is the JSON of `letters-qa add --json` and POST /api/letters."""

    letters_dir: str
    index_dir: str
    added: list[Added] = field(default_factory=list)  # copied into the folder by this call
    already_there: list[Added] = field(default_factory=list)  # the same bytes were in the folder already
    skipped: list[Skipped] = field(default_factory=list)
    update: Report | None = None  # None: no update ran (nothing new), or it failed (see failure)
    conflicts: list[dict] = field(default_factory=list)  # index/conflicts.py, those naming a letter added now
    failure: LettersQAError | None = field(default=None, repr=False)  # why the update failed

    def record(self, outcome: Outcome, item: Added | Skipped) -> None:
        """Put one file's outcome in its list."""
        match outcome:
            case Outcome.ADDED:
                self.added.append(item)
            case Outcome.ALREADY_THERE:
                self.already_there.append(item)
            case Outcome.SKIPPED:
                self.skipped.append(item)

    @property
    def ok(self) -> bool:
        """At least one letter added, or every file already there, and the index updated."""
        taken = bool(self.added) or (bool(self.already_there) and not self.skipped)
        return taken and self.failure is None

    def sentences(self) -> list[tuple[str, str]]:
        """(what, plain sentence): what is "added", "already_there", "skipped", "unsearchable", "failure",
        "index" or "nothing"."""
        out = []
        if self.added:
            letters = ", ".join(f"{a.short_name} {a.year} ({rating_words(a)}, {a.letter})" for a in self.added)
            out.append(("added", f"Added {plural(len(self.added), 'letter')}: {letters}."))
        if self.already_there:
            out.append(("already_there", "Already in the letters folder: "
                        f"{', '.join(_already(a) for a in self.already_there)}."))
        if self.skipped:
            reasons = "; ".join(f"{s.file}: {s.reason}" for s in self.skipped)
            out.append(("skipped", f"Skipped {len(self.skipped)}: {reasons}."))
        added = {a.letter for a in self.added}
        hidden = [u for u in (self.update.unsearchable if self.update is not None else ()) if u["letter"] in added]
        if hidden:
            out.append(("unsearchable", "Check " + "; ".join(f"{u['letter']}: {u['problem']}" for u in hidden)
                        + ". Its ratings are read, but a search may not find it."))
        if self.conflicts:
            out.append(("conflicts", "Check " + "; ".join(c["problem"] for c in self.conflicts)
                        + ". Both letters are indexed; which is right is for you to decide."))
        if self.failure is not None:
            out.append(("failure", f"The index was not updated: {self.failure}. The new letters are in the letters "
                                   "folder; the next update (letters-qa index) indexes them."))
        elif self.update is not None:
            out.append(("index", f"The index now holds {plural(self.update.letters, 'letter')}."))
        return out or [("nothing", "No files were given.")]

    def summary(self) -> list[str]:
        """Plain sentences: what was added, already there, skipped, and the index now."""
        return [sentence for _, sentence in self.sentences()]

    def to_dict(self) -> dict:
        return {"letters_dir": self.letters_dir, "index_dir": self.index_dir,
                # "same_text" only where it can be true: a letter already there in another format
                "added": [{k: v for k, v in asdict(a).items() if k != "same_text"} for a in self.added],
                "already_there": [asdict(a) for a in self.already_there],
                "skipped": [asdict(s) for s in self.skipped],
                "index": self.update.to_dict() if self.update is not None else None,
                "index_error": str(self.failure) if self.failure is not None else None,
                "conflicts": self.conflicts, "summary": " ".join(self.summary())}


def add_letters(
    files: Iterable[tuple[Source, str]],
    letters_dir: str | Path,
    index_dir: str | Path,
    *,
    embedder: Embedder | None = None,
    model: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_bytes: int | None = None,  # default: index.letters.size_cap for each file
) -> AddReport:
    """Check each (path or bytes, name), copy the letters into `letters_dir`, then update the
    index once; see the module docstring. Raises (before anything is copied) for a letters
    folder that is missing, or that lacks indexed letters (IntakeRefused), and for an index
    whose manifest cannot be read; a failed update is reported in `AddReport.failure`."""
    letters_dir, index_dir = Path(letters_dir), Path(index_dir)
    if not letters_dir.is_dir():
        raise LettersQAError(f"letters folder {letters_dir} does not exist or is not a folder")
    manifest = Manifest.load(index_dir, upgrading=True)
    indexed = dict(manifest.letters) if manifest else {}
    refusal = folder_refusal(letters_dir, indexed)
    if refusal:
        raise IntakeRefused(refusal)
    report = AddReport(str(letters_dir), str(index_dir))
    intake = _Intake(letters_dir, indexed, max_bytes, index_dir / manifest.folder / DATABASE if manifest else None)
    try:
        for source, given in files:
            report.record(*intake.take(source, str(given)))
    finally:
        intake.close()
    # Files found already there under a name the index does not hold with that content
    # (dropped into the folder by hand) are indexed too: the caller expects them answered.
    if report.added or any(indexed.get(a.letter) != intake.sha[a.letter] for a in report.already_there):
        try:
            report.update = update_index(letters_dir, index_dir, embedder=embedder, model=model, progress=progress)
        except LettersQAError as exc:
            report.failure = exc
    if report.update is not None:
        added = {a.letter for a in report.added}
        report.conflicts = [c for c in report.update.conflicts if added & set(c["letters"])]
    return report


def folder_refusal(letters_dir: Path, indexed: dict[str, str]) -> str | None:
    """Why nothing may be added to `letters_dir` now, or None: a folder that lacks indexed
    letters (another folder than the index was built from), as an update from it would drop
    them from the index."""
    missing = [name for name in indexed if not (letters_dir / name).is_file()]
    if not missing:
        return None
    return (f"the letters folder {letters_dir} lacks {len(missing)} indexed letter(s) (e.g. {missing[0]}); "
            "an update from it would drop them from the index, so nothing was saved. Use the folder the index "
            "was built from (--letters), or run `letters-qa index` first.")


def recorded_letters_dir(index_dir: str | Path) -> Path | None:
    """The letters folder the index was last updated from, if the index records one that exists."""
    manifest = Manifest.load(Path(index_dir), upgrading=True)
    folder = manifest.letters_dir if manifest else None
    return Path(folder) if folder and Path(folder).is_dir() else None


class _Intake:
    """The checks of one add_letters call, with what it has seen so far."""

    def __init__(self, folder: Path, indexed: dict[str, str], max_bytes: int | None, database_path: Path | None):
        self.folder, self.max_bytes = folder, max_bytes
        self.indexed = indexed
        self.by_hash: dict[str, list[str]] = {}
        for name, sha in indexed.items():
            self.by_hash.setdefault(sha, []).append(name)
        self.sha: dict[str, str] = {}  # name in the folder -> sha256, for every file of this call taken
        self.keys: dict[str, str] = {}  # conflicts.letter_key -> name: indexed letters looked at, this call's
        self.looked: set[tuple[str, int, str]] = set()  # (authority, year, kind) whose indexed letters are in `keys`
        self.database_path = database_path
        self._db: sqlite3.Connection | None = None

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def take(self, source: Source, given: str) -> tuple[Outcome, Added | Skipped]:
        """(ADDED or ALREADY_THERE, Added) or (SKIPPED, Skipped)."""
        name = safe_name(given)
        if Path(name).suffix.lower() not in LETTER_SUFFIXES:
            return Outcome.SKIPPED, Skipped(given, f"not a letter file (expected {', '.join(LETTER_SUFFIXES)})")
        try:
            cap = self.max_bytes if self.max_bytes is not None else size_cap(name)
            data = _read_source(source, given, cap)
            # Parsed from its bytes under its safe name (the parser goes by the suffix): a file
            # that is not a letter never enters the letters folder.
            letter = parse_letter(data, name)
        except LetterError as exc:
            return Outcome.SKIPPED, Skipped(given, exc.reason)
        sha = hashlib.sha256(data).hexdigest()
        present = self._present(name, data, sha)
        if present is not None:
            self.sha[present] = sha
            return Outcome.ALREADY_THERE, _added(given, present, letter)
        key = key_of(letter)
        same = self._same_letter(letter, key)
        if same is not None:  # the same letter in another format: its bytes differ, its text does not
            self.sha.setdefault(same, self.indexed.get(same, ""))
            return Outcome.ALREADY_THERE, replace(_added(given, same, letter), same_text=True)
        try:
            saved, there = place(data, self.folder, name)
        except (LettersQAError, OSError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            return Outcome.SKIPPED, Skipped(given, f"cannot save it in the letters folder ({why})")
        self.sha[saved] = sha
        self.keys.setdefault(key, saved)
        return (Outcome.ALREADY_THERE if there else Outcome.ADDED), _added(given, saved, letter)

    def _same_letter(self, letter: Letter, key: str) -> str | None:
        """The name of an indexed letter, or a file of this call, that is this letter in another format."""
        group = (authority(letter.council), letter.year, letter.kind)
        if group not in self.looked and self.database_path is not None:
            self.looked.add(group)
            try:
                if self._db is None:
                    self._db = sqlite3.connect(f"{self.database_path.resolve().as_uri()}?mode=ro", uri=True)
                stored = stored_keys(self._db, [group])
            except sqlite3.Error:  # a damaged index: the update rebuilds it, and finds copies then
                stored = {}
            for found, name in stored.items():
                if name in self.indexed:
                    self.keys.setdefault(found, name)
        same = self.keys.get(key)
        return same if same is not None and (self.folder / same).is_file() else None

    def _present(self, name: str, data: bytes, sha: str) -> str | None:
        """The name under which these bytes already lie in the folder: an indexed letter with
        the same hash, or a file of this call (same-name variants are found by `place`)."""
        for other in [*self.by_hash.get(sha, ()), *(n for n, s in self.sha.items() if s == sha)]:
            if _same_file(self.folder / other, data):
                return other
        return None


def _read_source(source: Source, given: str, max_bytes: int) -> bytes:
    """The bytes of a path (regular files only: a FIFO would block) or the bytes given, capped."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > max_bytes:
            raise LetterError(given, f"file is too large ({len(data):,} bytes; the cap is {max_bytes:,})")
        return data
    path = Path(source)
    try:
        st = os.stat(path)
    except OSError as exc:
        raise LetterError(given, f"cannot read file ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        raise LetterError(given, "not a regular file")
    return read_capped(path, given, max_bytes)


def _added(given: str, name: str, letter: Letter) -> Added:
    overall = next((r for r in letter.ratings if r.area == "overall"), None)
    return Added(file=given, letter=name, council=letter.council, short_name=letter.short_name, year=letter.year,
                 kind=letter.kind, rating=overall.label if overall else None, grade=overall.grade if overall else None)


def rating_words(added: Added) -> str:
    """The overall rating in words: 'performs excellently', 'overall effectiveness good'."""
    if added.rating is None:
        return "no overall rating stated"
    kind = kinds.get(added.kind)
    label = added.rating[:1].lower() + added.rating[1:]
    return label if kind.scale is not None and kind.scale.worded else f"{kind.area_title('overall').lower()} {label}"


def _already(added: Added) -> str:
    """'north.pdf (as north.txt: the same letter in another format)', 'north.txt (as north-1.txt)'."""
    return f"{added.file} (as {added.letter}{': the same letter in another format' if added.same_text else ''})"


# --- names and placing ---------------------------------------------------------------------


def safe_name(name: str) -> str:
    """A plain file name: the base name only, [A-Za-z0-9._-], no leading dot, at most MAX_STEM
    characters before the suffix; 'letter' where nothing usable is left of the stem."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[^A-Za-z0-9._-]", "_", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.lstrip(".")[:MAX_STEM]
    if not stem.strip("._-"):
        stem = "letter"
    return f"{stem}.{suffix[:MAX_STEM]}" if suffix else stem


def free_target(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """Where to save `data` as `name` in `folder`: (path, True if the same bytes are already there).

    `name` must be a plain name (safe_name). Any entry already there (a different file, a
    folder, a symbolic link wherever it points) is left alone and "-1", "-2"... is tried.
    """
    if name != Path(name).name or name in ("", ".", ".."):
        raise LettersQAError(f"refusing to save {name!r}: not a plain file name")
    stem, suffix = os.path.splitext(name)
    for n in range(1000):
        candidate = folder / (name if n == 0 else f"{stem}-{n}{suffix}")
        try:
            st = os.lstat(candidate)
        except FileNotFoundError:
            return candidate, False
        if stat.S_ISREG(st.st_mode) and _same_file(candidate, data):
            return candidate, True
    raise LettersQAError(f"too many files named like {name} in {folder}")


def place(data: bytes, folder: Path, name: str) -> tuple[str, bool]:
    """Write `data` into `folder` under `name` or a free variant; (name used, True if it was there already).

    Written to a hidden file first (the index ignores dot files) and fsynced, then hard-linked
    to its name, which fails rather than overwrite a file that appeared meanwhile; where the
    filesystem has no hard links, the name is reserved (O_EXCL) and the file renamed onto it.
    """
    for _ in range(5):
        target, present = free_target(folder, name, data)
        if present:
            return target.name, True
        tmp = folder / f".{uuid.uuid4().hex}.{target.name}.part"
        try:
            write_synced(tmp, data)
            if not _link_or_rename(tmp, target):
                continue
            fsync_dir(folder)
            return target.name, False
        finally:
            tmp.unlink(missing_ok=True)
    raise LettersQAError(f"the name {name} kept being taken while saving")


def _link_or_rename(tmp: Path, target: Path) -> bool:
    """Give `tmp` the name `target` unless that name is taken; False when it is."""
    try:
        os.link(tmp, target)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED_LINK:
            raise
    try:  # no hard links here (FAT, some network filesystems)
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except FileExistsError:
        return False
    os.replace(tmp, target)
    return True


def _same_file(path: Path, data: bytes) -> bool:
    """Whether the file at `path` holds exactly `data` (read no further than needed)."""
    try:
        if path.stat().st_size != len(data):
            return False
        with path.open("rb") as fh:
            return fh.read(len(data) + 1) == data
    except OSError:
        return False


# --- original files, for downloads ---------------------------------------------------------


@dataclass(frozen=True)
class Original:
    """An indexed letter's file as it lies in the letters folder."""

    name: str  # as indexed: the path relative to the letters folder
    data: bytes
    content_type: str  # with "; charset=utf-8" for text that is UTF-8

    @property
    def filename(self) -> str:
        return Path(self.name).name


def original_file(letters_dir: str | Path, name: str, indexed: dict[str, str]) -> Original | None:
    """The file of indexed letter `name` from `letters_dir`, or None when no letter of that name
    is indexed. Raises LetterError when the file is gone, lies outside the folder (a link out of
    it), is not a regular file, or has changed since it was indexed (its sha256 differs)."""
    sha = indexed.get(name)
    if sha is None:
        return None
    folder = Path(letters_dir).resolve()
    path = (folder / name).resolve()
    if folder not in path.parents:
        raise LetterError(name, "its file lies outside the letters folder; it is not served")
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise LetterError(name, "its file in the letters folder is not a regular file")
        data = read_capped(path, name, size_cap(name))
    except FileNotFoundError:
        raise LetterError(name, f"its file is no longer in the letters folder {letters_dir}") from None
    except OSError as exc:
        raise LetterError(name, f"cannot read its file ({exc.strerror or exc})") from None
    if hashlib.sha256(data).hexdigest() != sha:
        raise LetterError(name, "its file has changed since it was indexed; run `letters-qa index` to index it again")
    return Original(name, data, content_type(name, data))


def content_type(name: str, data: bytes) -> str:
    """The media type by suffix (text/plain, application/pdf, ...), with a charset for UTF-8 text."""
    suffix = Path(name).suffix.lower()
    kind = _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if kind.startswith("text/"):
        try:
            data.decode("utf-8")
            kind += "; charset=utf-8"
        except UnicodeDecodeError:
            pass  # Windows-1252 or UTF-16 text: no charset claimed rather than a wrong one
    return kind
