"""index/durable.py: a write leaves the old file or the new one, and no temporary file behind."""

from __future__ import annotations

import os

import pytest

from index.durable import atomic_write, replacing, write_synced


@pytest.mark.parametrize("sync", [True, False])
def test_atomic_write_replaces_the_file_and_leaves_nothing_else(tmp_path, sync):
    path = tmp_path / "manifest.json"
    path.write_text("old")
    atomic_write(path, "new ✓", sync=sync)
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary_one(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(path) as tmp:
        tmp.write_bytes(b"half")
        assert tmp.parent == tmp_path and tmp.name.startswith(".model.onnx.") and tmp.name.endswith(".tmp")
        raise RuntimeError("the exporter failed")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]


def test_write_synced_never_overwrites(tmp_path):
    path = tmp_path / "letter.txt"
    write_synced(path, b"first")
    with pytest.raises(FileExistsError):
        write_synced(path, b"second")
    assert path.read_bytes() == b"first"
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o644 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
