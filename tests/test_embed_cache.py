"""Builds that resume (issue 28): vectors embedded before a kill -9 are kept and not embedded again.

A driver script builds an index of 40 generated letters in a child process with the fake
embedder (tests/fake_embedder.py, loaded by path), which SIGKILLs its own process as the model
call after KILL_AFTER cache slices begins: exactly the slices committed before it are in the
cache. A re-run must take exactly those vectors from the cache, embed only the rest, say so,
and end with the index a clean build gives (same chunk texts, same vectors). The real model's
run through the cache is checked on the seeds; a damaged cache is ignored and rebuilt.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, CountingEmbedder, FakeEmbedder

from index import embed_cache
from index.reader import IndexReader
from index.update import update_index

pytestmark = pytest.mark.slow  # 40-letter builds, one SIGKILLed

KILL_AFTER = 2  # slices of SLICE_BATCHES * 64 texts committed before the kill

DRIVER_SOURCE = '''
import os
import runpy
import signal
import sys

from index import embed_cache
from index.update import update_index

embed_cache.MIN_TEXTS = 0  # cache whatever the build's size
letters, index, embedder_file, kill_after = sys.argv[1:5]
FakeEmbedder = runpy.run_path(embedder_file)["FakeEmbedder"]


class Dying(FakeEmbedder):
    calls = 0

    def embed(self, texts, progress=None):
        Dying.calls += 1
        if Dying.calls > int(kill_after):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().embed(texts, progress)


update_index(letters, index, embedder=Dying())
print("finished without being killed", flush=True)
'''


@pytest.fixture(scope="module")
def forty_letters(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("forty") / "letters"
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_corpus.py"), "40", str(folder), "--seed", "3"],
                   check=True, capture_output=True, cwd=ROOT, timeout=120)
    return folder


def rows_by_text(index_dir: Path) -> dict[str, np.ndarray]:
    """Each stored chunk text (context line and text, as embedded) with its vectors, one row per chunk."""
    from index.chunks import search_text
    from index.manifest import DATABASE

    reader = IndexReader.open(index_dir)
    vectors = reader.vectors()
    db = sqlite3.connect(index_dir / reader.manifest.folder / DATABASE)
    out: dict[str, list] = {}
    for row, context, text in db.execute("SELECT row, context, text FROM chunks ORDER BY row"):
        out.setdefault(search_text(context, text), []).append(vectors[row])
    db.close()
    return {text: np.stack(v) for text, v in out.items()}


def test_a_build_killed_mid_way_resumes_embedding_only_what_is_missing(tmp_path, forty_letters):
    index_dir = tmp_path / "index"
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER_SOURCE)
    child = subprocess.run([sys.executable, str(driver), str(forty_letters), str(index_dir),
                            str(ROOT / "tests" / "fake_embedder.py"), str(KILL_AFTER)],
                           capture_output=True, text=True, cwd=ROOT, timeout=120,
                           env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert child.returncode == -9, child.stdout + child.stderr
    assert not (index_dir / "manifest.json").exists()  # killed before any generation was in place
    kept = embed_cache.count(index_dir)
    assert kept == KILL_AFTER * embed_cache.SLICE_BATCHES * 64

    counting = CountingEmbedder(FakeEmbedder())
    report = update_index(forty_letters, index_dir, embedder=counting)
    clean = update_index(forty_letters, tmp_path / "clean", embedder=FakeEmbedder())
    distinct = clean.embedded_texts
    assert distinct > kept + 64 and clean.cached_texts == 0
    assert (report.cached_texts, report.embedded_texts) == (kept, distinct - kept)
    assert report.note == f"resumed: {kept} texts' vectors were kept from an interrupted build, " \
                          f"{distinct - kept} embedded now"
    assert counting.texts < report.embedded_chunks  # only the missing texts went to the model
    assert not (index_dir / embed_cache.FOLDER).exists()  # in the index now: the cache is gone

    resumed, fresh = rows_by_text(index_dir), rows_by_text(tmp_path / "clean")
    assert resumed.keys() == fresh.keys() and len(resumed) == distinct
    for text, vectors in fresh.items():
        assert np.array_equal(resumed[text], vectors), text
    assert (report.letters, report.chunks) == (clean.letters, clean.chunks)


@pytest.fixture
def always(monkeypatch):
    """Cache builds of any size (the seeds are under embed_cache.MIN_TEXTS)."""
    monkeypatch.setattr(embed_cache, "MIN_TEXTS", 0)


def test_the_real_model_through_the_cache_gives_the_vectors_of_a_plain_encode(tmp_path, letters_dir, real_embedder,
                                                                              always):
    from index.chunks import chunk_letter
    from index.letters import parse_letter

    letters = [parse_letter(p.read_bytes(), p.name) for p in sorted(letters_dir.iterdir())]
    texts = [chunk.search_text for letter in letters for chunk in chunk_letter(letter)]
    vectors, outcome = embed_cache.embed_texts(real_embedder, texts, tmp_path / "index")
    assert (outcome.cached, outcome.embedded) == (0, len(set(texts)))
    direct = real_embedder.embed(texts)
    assert np.allclose(vectors, direct, atol=1e-5)
    # Kept in the cache (the build was never finished): a second call takes every vector from it.
    again, second = embed_cache.embed_texts(real_embedder, texts, tmp_path / "index")
    assert (second.cached, second.embedded) == (len(set(texts)), 0) and np.array_equal(again, vectors)
    # Another model (here the same weights under another backend) never shares them.
    other = CountingEmbedder(FakeEmbedder())
    _, third = embed_cache.embed_texts(other, texts, tmp_path / "index")
    assert (third.cached, third.embedded) == (0, len(set(texts)))


def test_a_cache_that_is_not_sqlite_is_ignored_and_rebuilt(tmp_path, letters_dir, always):
    index_dir = tmp_path / "index"
    texts = ["alpha beta", "gamma delta", "alpha beta"]
    embed_cache.embed_texts(FakeEmbedder(), texts, index_dir)
    path = index_dir / embed_cache.FOLDER / embed_cache.FILE
    path.write_bytes(b"not a database at all" * 100)
    for extra in path.parent.glob(f"{embed_cache.FILE}-*"):
        extra.unlink()
    vectors, outcome = embed_cache.embed_texts(FakeEmbedder(), texts, index_dir)
    assert (outcome.cached, outcome.embedded) == (0, 2)
    assert outcome.note.startswith(f"the embedding cache {path} could not be read (")
    assert outcome.note.endswith("it was removed and started again")
    assert np.array_equal(vectors, FakeEmbedder().embed(texts)) and embed_cache.count(index_dir) == 2

    report = update_index(letters_dir, index_dir, embedder=FakeEmbedder())  # a build over such a cache works
    assert report.letters == 5 and not (index_dir / embed_cache.FOLDER).exists()


def test_a_damaged_vector_is_embedded_again(tmp_path, always):
    index_dir = tmp_path / "index"
    texts = ["alpha beta", "gamma delta", "epsilon"]
    embed_cache.embed_texts(FakeEmbedder(), texts, index_dir)
    db = sqlite3.connect(index_dir / embed_cache.FOLDER / embed_cache.FILE)
    db.execute("UPDATE vectors SET vector = zeroblob(256) WHERE text = ?", (embed_cache.text_hash("gamma delta"),))
    db.commit()
    db.close()
    counting = CountingEmbedder(FakeEmbedder())
    vectors, outcome = embed_cache.embed_texts(counting, texts, index_dir)
    assert (outcome.cached, outcome.embedded, counting.texts) == (2, 1, 1)
    assert outcome.note == "1 vectors in the embedding cache failed their check and were embedded again"
    assert np.array_equal(vectors, FakeEmbedder().embed(texts))


def test_a_full_disk_for_the_cache_does_not_stop_the_build(tmp_path, monkeypatch, always):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(embed_cache.EmbedCache, "_connect", full)
    vectors, outcome = embed_cache.embed_texts(FakeEmbedder(), ["one", "two"], tmp_path / "index")
    assert outcome.embedded == 2 and np.array_equal(vectors, FakeEmbedder().embed(["one", "two"]))
    assert outcome.note.startswith("could not keep vectors in the embedding cache ")
    assert not (tmp_path / "index" / embed_cache.FOLDER).exists()


def test_progress_counts_the_texts_embedded_now(tmp_path, always):
    texts = [f"text number {i} " + "word " * (i % 7) for i in range(700)]
    embed_cache.embed_texts(FakeEmbedder(), texts[:300], tmp_path / "index")
    seen = []
    _, outcome = embed_cache.embed_texts(FakeEmbedder(), texts, tmp_path / "index",
                                         progress=lambda done, total: seen.append((done, total)))
    assert (outcome.cached, outcome.embedded) == (300, 400)
    assert seen[-1] == (400, 400) and all(total == 400 for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_after_a_build_the_index_folder_holds_no_cache(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    assert sorted(p.name for p in index_dir.iterdir()) == [".lock", "gen-000001", "manifest.json"]


def test_a_small_build_writes_no_cache(tmp_path, letters_dir):
    counting = CountingEmbedder(FakeEmbedder())
    texts = [f"text {i}" for i in range(embed_cache.MIN_TEXTS - 1)]
    _, outcome = embed_cache.embed_texts(counting, texts, tmp_path / "index")
    assert (outcome.embedded, counting.calls) == (len(texts), 1)  # one call, as before the cache
    assert not (tmp_path / "index").exists()
