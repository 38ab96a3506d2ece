"""Writing files so that a crash leaves the old content or the new, never half of one.

`atomic_write(path, data)` writes a temporary file beside `path`, fsyncs it, renames it onto
`path` (os.replace) and fsyncs the folder; `replacing(path)` does the same for a writer that
wants a path of its own (an exporter). `write_synced` writes a new file and fsyncs it;
`fsync_dir` and `fsync_tree` make a rename or a whole folder durable.
The temporary file is named `.NAME.<pid>-<random>.tmp`, so a reader that lists the folder
skips it (dot files) and a later clean-up can find it (index/store.py's collect_garbage).
But: - no locking: two writers of one path both succeed, the last rename wins (index/store.py
has the update lock); - `sync=False` skips every fsync, for files that need not outlive a crash.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make the names in the folder `path` (a rename, a new link) durable."""
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


def write_synced(path: Path, data: bytes) -> None:
    """Create `path` (it must not exist: O_EXCL), write `data` and fsync; removed again on failure."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def temporary_name(path: Path) -> Path:
    """A fresh hidden name beside `path`: `.NAME.<pid>-<random>.tmp`."""
    return path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")


@contextmanager
def replacing(path: Path, sync: bool = True) -> Iterator[Path]:
    """A temporary path beside `path` for the caller to write; when the block ends without an
    error it replaces `path` (fsynced first, and the folder after, when `sync`). On an error
    the temporary file is removed and `path` is left as it was."""
    path = Path(path)
    tmp = temporary_name(path)
    try:
        yield tmp
        if sync:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    if sync:
        fsync_dir(path.parent)


def atomic_write(path: Path, data: bytes | str, sync: bool = True) -> None:
    """Replace `path` with `data` (str is written as UTF-8): readers see the old file or the new one.

    A failure (a full disk) removes the temporary file and raises OSError; the old file stays.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path, sync=False) as tmp:
        if sync:
            write_synced(tmp, payload)
        else:
            tmp.write_bytes(payload)
    if sync:
        fsync_dir(Path(path).parent)
