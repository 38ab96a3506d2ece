"""Shared fixtures: the real bundled model (loaded once), a seeds index, a fake embedder.

The fake embedder is for plumbing tests only (call counting, crash points); retrieval
and answer tests use the real model and real FAISS/SQLite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fake_embedder import FakeEmbedder  # noqa: F401 - the tests import it from here

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


class CountingEmbedder:
    """Wraps an embedder and counts the texts it was asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.calls = 0
        self.texts = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    def embed(self, texts, progress=None):
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed(texts, progress=progress)


@pytest.fixture(scope="session")
def real_embedder():
    from index.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])
    return embedder


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory, real_embedder) -> Path:
    """A real index of the five seeds, built once per session; tests must not modify it."""
    from index.update import update_index

    index_dir = tmp_path_factory.mktemp("seeds-index") / "index"
    update_index(SEEDS, index_dir, embedder=real_embedder)
    return index_dir


@pytest.fixture(scope="session")
def assistant(seeds_index, real_embedder):
    from qa import Assistant

    return Assistant.open(seeds_index, embedder=real_embedder)


@pytest.fixture
def letters_dir(tmp_path) -> Path:
    """A writable copy of the seeds."""
    target = tmp_path / "letters"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def counting(real_embedder):
    return CountingEmbedder(real_embedder)


_WORD_GRADE = {"excellently": 4, "well": 3, "adequately": 2, "poorly": 1}


def make_annual_letter(short: str, full: str, word: str, extra: str = "") -> str:
    """A 2009 annual-rating letter in the seeds' format (from 004_) for another council and rating.

    Body paragraphs get the council's name woven in, so they do not read as text shared by
    several councils (which the index would rightly mark as boilerplate)."""
    text = (SEEDS / "004_2db2c4d829b3adf3.txt").read_text(encoding="utf-8")
    text = text.replace("Stoke-on-Trent City Council", full).replace("Stoke-on-Trent", short)
    text = text.replace("perform adequately", f"perform {word}")
    text = text.replace("Performs adequately (2)", f"Performs {word} ({_WORD_GRADE[word]})")
    text = text.replace("children and young people", f"children and young people in {short}")
    if extra:
        text = text.replace("Yours sincerely", f"{extra}\n\nYours sincerely")
    return text


def reseal(index_dir: Path) -> None:
    """Record the current database file's size and checksum in the manifest, as a writer would:
    for tests that edit index.sqlite on purpose and want what follows, not the checksum error."""
    from dataclasses import replace

    from index.manifest import DATABASE, FileRecord, Manifest

    manifest = Manifest.load(index_dir)
    replace(manifest, database=FileRecord.of(index_dir / manifest.data, DATABASE)).write(index_dir)


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs mounted for this test (needs root; under CI it must work, not skip)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 and not os.environ.get("CI"):
        pytest.skip("mounting a tmpfs needs root")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"could not mount a tmpfs for the full-disk test: {result.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def stop_server(server: subprocess.Popen) -> None:
    """Stop a `letters-qa serve` subprocess: politely, then for sure."""
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
