"""The first step of an update: every file of the letters folder, hashed, or why it cannot be read.

A file whose size, mtime and ctime match what the previous update recorded for it is not
read: its sha256 is the manifest's (see `stat_cache` for when that is safe). Nothing here
raises for one bad entry (a symlink loop, a name that is not UTF-8, a FIFO, a file that
vanished): it is reported with its reason and the rest is scanned.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import LetterError
from index.letters import read_capped, size_cap
from index.manifest import Manifest

LETTER_SUFFIXES = (".txt", ".md", ".text", ".pdf", ".docx", ".html", ".htm")  # the last four: index.formats
RACY_MARGIN_NS = 2_000_000_000  # mtime ticks of coarse filesystems (FAT: 2 s)


@dataclass(frozen=True)
class File:
    name: str
    sha256: str
    data: bytes | None  # None: not read, its size and mtime matched the previous update's (content unchanged)


@dataclass
class Scan:
    files: list[File] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # name -> why it cannot be read as a letter
    skipped: list[dict] = field(default_factory=list)  # {"file", "reason"}: not letters at all
    seen: dict[str, list[int]] = field(default_factory=dict)  # name -> [size, mtime_ns, ctime_ns] to remember


def scan(letters_dir: Path, index_dir: Path, base: Manifest | None) -> Scan:
    """Every candidate file with its sha256, and what could not be read (see the module docstring)."""
    found = Scan()
    cache = base.stats if base else {}
    hashes = base.letters if base else {}
    # A file modified this close to (or after) the scan's start may change again within the
    # same mtime tick after it is read: its stat then proves nothing, so it is not remembered.
    racy_from = time.time_ns() - RACY_MARGIN_NS
    for path, name, st, linked, problem in _candidates(letters_dir, index_dir):
        if problem:
            found.unreadable[name] = problem
            continue
        if path.suffix.lower() not in LETTER_SUFFIXES:
            expected = ", ".join(LETTER_SUFFIXES)
            found.skipped.append({"file": name, "reason": f"not a letter file (expected {expected})"})
            continue
        # A symlink can be pointed at another file with the same size and mtime: always read.
        # ctime too: `cp -p` or `rsync -a` can rewrite a file keeping its size and mtime, never its ctime.
        key = ([st.st_size, st.st_mtime_ns, st.st_ctime_ns]
               if st is not None and stat.S_ISREG(st.st_mode) and not linked else None)
        if key is not None and name in hashes and cache.get(name) == key:
            found.files.append(File(name, hashes[name], None))
            found.seen[name] = key
            continue
        try:
            data = _read_file(path, name, st)
        except LetterError as exc:
            found.unreadable[name] = exc.reason
            continue
        found.files.append(File(name, hashlib.sha256(data).hexdigest(), data))
        if key is not None and key[1] < racy_from:
            found.seen[name] = key
    return found


def printable_name(name: str) -> str:
    """A file name as it can be shown and stored: bytes that are not UTF-8 become U+FFFD."""
    return os.fsencode(name).decode("utf-8", "replace")


def _candidates(letters_dir: Path, index_dir: Path) -> Iterator[tuple[Path, str, os.stat_result | None, bool, str]]:
    """(path, name, stat, is a symlink, problem) of every entry under `letters_dir`, sorted, that is
    not a folder, not hidden and not inside the index folder; stat follows symlinks (None:
    dangling). `problem` is why the entry cannot be taken at all ('' when it can).

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
            name.encode("utf-8")
        except UnicodeEncodeError:  # os gives undecodable bytes as lone surrogates: unstorable in JSON or SQLite
            yield path, printable_name(name), None, False, "the file name is not valid UTF-8; rename the file"
            continue
        try:
            st = os.lstat(path)
        except OSError:  # gone since listed
            st = None
        linked = st is not None and stat.S_ISLNK(st.st_mode)
        if linked:
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop (Python < 3.13)
                looped = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == 40  # ELOOP
                if looped:
                    yield path, name, None, True, "a symbolic link loop (it points back to itself)"
                    continue
                target = None
            if target is not None and (target == index_abs or index_abs in target.parents):
                continue
            try:
                st = os.stat(path)
            except OSError:  # dangling: not a regular file, reported as such
                st = None
        else:
            folder = name.rpartition("/")[0]
            if folder not in inside:
                try:
                    real = path.parent.resolve()
                except (OSError, RuntimeError):
                    real = path.parent
                inside[folder] = real == index_abs or index_abs in real.parents
            if inside[folder]:
                continue
        if st is not None and stat.S_ISDIR(st.st_mode):
            continue
        yield path, name, st, linked, ""


def _read_file(path: Path, name: str, st: os.stat_result | None) -> bytes:
    """The file's bytes (at most the cap + 1 are read; see read_capped).

    A FIFO or device named like a letter would block or never end, so only regular files are read.
    """
    if st is None or not stat.S_ISREG(st.st_mode):
        raise LetterError(name, "not a regular file")
    return read_capped(path, name, size_cap(name))


def stat_cache(found: Scan, hashes: dict[str, str]) -> dict[str, list[int]]:
    """name -> [size, mtime_ns, ctime_ns] for the manifest's "stats": only files whose content is exactly
    what the manifest's "letters" records for that name (not duplicates, bad files, or letters
    kept at an older version), so a match lets the next scan take that sha256 without reading.
    Files modified near the scan are left out (see `scan`): they are read again next time."""
    return {f.name: found.seen[f.name] for f in found.files if f.name in found.seen and hashes.get(f.name) == f.sha256}
