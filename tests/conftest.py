"""Shared fixtures and helpers: the real bundled model (loaded once), a seeds index, a fake
embedder, servers' ports, and the test markers.

The fake embedder is for plumbing tests only (call counting, crash points); retrieval
and answer tests use the real model and real FAISS/SQLite.
Markers (pyproject.toml; `make check` leaves out the last four): `model` and `browser` are set
here from the fixtures a test uses (the real model; headless Chromium), and by hand on tests
that reach them through a subprocess; `llm` and `slow` are set in the test files.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from fake_embedder import FakeEmbedder  # noqa: F401 - the tests import it from here

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def pytest_collection_modifyitems(items):
    """`model` on every test that uses the real model in this process (real_embedder, and all
    built on it: seeds_index, assistant, counting); `browser` on every test that drives Chromium."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "real_embedder" in names:
            item.add_marker(pytest.mark.model)
        if "browser" in names:
            item.add_marker(pytest.mark.browser)


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


def gold_questions(*names: str) -> list[str]:
    """The questions of these files in tests/ ("gold.jsonl", ...), in order."""
    import json

    return [json.loads(line)["question"] for name in names
            for line in (ROOT / "tests" / name).read_text().splitlines() if line.strip()]


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
    replace(manifest, database=FileRecord.of(index_dir / manifest.folder, DATABASE)).write(index_dir)


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


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the OS picks it, so parallel workers do not collide)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(url: str, server: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    """Poll `url` until it answers 200; fail with the server's log if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer {url} within {timeout:.0f}s:\n{log.read_text()}")


def leftovers(index_dir: Path) -> list[str]:
    """Hidden files an interrupted or failed update left in an index folder (its lock aside)."""
    return sorted(p.name for p in index_dir.iterdir() if p.name.startswith(".") and p.name != ".lock")
