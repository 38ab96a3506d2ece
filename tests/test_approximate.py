"""The approximate dense first pass (index/approximate.py), with real FAISS: an HNSW graph of the
non-boilerplate rows, written by builds over approximate.MIN_ROWS of them. The seeds have 118,
so these tests lower the threshold to write and read one: against the exact search on the seeds'
questions with the real model, through updates (the graph's rows stay the reader's rows), crashes
and damage.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import faiss
import numpy as np
import pytest
from conftest import ROOT, SEEDS, FakeEmbedder, make_annual_letter

from index import approximate
from index.check import check_index
from index.errors import IndexStoreError
from index.manifest import MANIFEST, Manifest
from index.reader import IndexReader
from index.segments import stored_vectors
from index.update import update_index

QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "tests" / "gold.jsonl").read_text().splitlines()
             if line.strip()]


@pytest.fixture(scope="module")
def graph_index(tmp_path_factory, real_embedder):
    """The seeds indexed with the real model and their graph written (the threshold lowered)."""
    index_dir = tmp_path_factory.mktemp("graph-index") / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(approximate, "MIN_ROWS", 0)
        update_index(SEEDS, index_dir, embedder=real_embedder)
    return index_dir


def without_graph(assistant):
    """The assistant's reader, told its index has no graph: it searches exactly."""
    assistant.reader.manifest = replace(assistant.reader.manifest, approximate=None)
    return assistant


def test_the_graph_gives_the_exact_answers_on_the_seeds_questions(graph_index, seeds_index, real_embedder,
                                                                  monkeypatch):
    """Gold questions searched through the graph (100 candidates of the 118 rows for a search's
    depth of 50, 30 for a dense top 10, then scored exactly) give the exact search's passages,
    order and scores (both arms score rows one by one: index/reader.py `_scores`)."""
    from qa import Assistant

    monkeypatch.setattr(approximate, "CANDIDATES", 30)
    narrowed = []
    candidates = approximate.candidates

    def counted(graph, query, k):
        found = candidates(graph, query, k)
        narrowed.append(found is not None and len(found) < graph.ntotal)
        return found

    monkeypatch.setattr(approximate, "candidates", counted)
    approx = Assistant.open(graph_index, embedder=real_embedder)
    exact = without_graph(Assistant.open(graph_index, embedder=real_embedder))
    assert approx.reader.manifest.approximate.rows == len(approx.reader.content_rows) == 118
    through = 0
    for question in QUESTIONS[::4]:  # a quarter: two searches each, several seconds under load
        narrowed.clear()
        assert approx.search(question, k=5) == exact.search(question, k=5), question
        # Through the graph, or not asked at all: a question naming an area or a council filters.
        assert narrowed in ([], [True]), question
        through += narrowed == [True]
    assert through >= 5
    narrowed.clear()
    for vector in real_embedder.embed(QUESTIONS):  # every question's dense top 10, unfiltered
        assert approx.reader.content_dense(vector, 10) == exact.reader.content_dense(vector, 10)
    assert narrowed == [True] * len(QUESTIONS)
    # The session's seeds index, built with the usual threshold, has no graph and searches exactly.
    assert Manifest.load(seeds_index).approximate is None
    assert not (seeds_index / Manifest.load(seeds_index).folder / approximate.FILE).exists()


def test_an_index_without_the_graph_still_searches(graph_index, tmp_path, real_embedder):
    """The manifest without its "approximate" entry (an index written before it, or by an
    older letters-qa): the reader never looks for the file and answers as before."""
    from qa import Assistant

    copy = tmp_path / "index"
    shutil.copytree(graph_index, copy)
    doc = json.loads((copy / MANIFEST).read_text())
    del doc["approximate"]
    (copy / MANIFEST).write_text(json.dumps(doc))
    (copy / doc["data"] / approximate.FILE).unlink()
    plain = Assistant.open(copy, embedder=real_embedder)
    exact = without_graph(Assistant.open(graph_index, embedder=real_embedder))
    for question in QUESTIONS[::10]:
        assert plain.search(question, k=5) == exact.search(question, k=5)
    assert plain.reader._graph is None and check_index(copy).ok


def graph_rows(index_dir):
    """(the graph's vectors of the non-boilerplate rows, those rows' vectors), for an index with a
    graph; the graph must hold every such row (approximate.load checks it)."""
    reader = IndexReader.open(index_dir)
    rows = reader.content_rows
    graph = approximate.load(index_dir / reader.manifest.folder, reader.manifest.approximate, index_dir, rows=rows)
    stored = stored_vectors(faiss.downcast_index(faiss.downcast_index(graph.index).storage))
    at = {int(row): i for i, row in enumerate(approximate.rows_of(graph))}
    return stored[[at[int(row)] for row in rows]], reader._content_matrix()[1]


def test_updates_keep_the_graph_row_for_row(tmp_path, letters_dir, monkeypatch):
    """The graph holds every non-boilerplate row under its chunk row, with its vector, after every
    kind of update: an index written without a graph, which `letters-qa index` then gives one
    without embedding anything; an added letter (its rows added, nothing built again); letters
    that make earlier passages boilerplate (they stay in the graph, unused, up to MAX_STALE of it;
    past that it is built again); a removed letter (built again)."""
    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())  # under the usual threshold: no graph
    assert Manifest.load(index_dir).approximate is None
    monkeypatch.setattr(approximate, "MIN_ROWS", 0)
    builds = []
    build = approximate.build
    monkeypatch.setattr(approximate, "build", lambda *args: builds.append(len(args[1])) or build(*args))

    report = update_index(letters_dir, index_dir, embedder=FakeEmbedder())  # no letter changed
    assert (report.generation, report.embedded_chunks, report.changed) == (2, 0, False)
    assert "wrote the approximate search graph" in report.note
    assert builds == [118] and Manifest.load(index_dir).approximate.rows == 118
    np.testing.assert_array_equal(*graph_rows(index_dir))

    (letters_dir / "005_northwold.txt").write_text(make_annual_letter("Northwold", "Northwold Council", "well"))
    report = update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    assert report.added == ["005_northwold.txt"] and builds == [118]  # extended, not built again
    graph, content = graph_rows(index_dir)
    assert len(content) > 118
    np.testing.assert_array_equal(graph, content)

    # A third council's letter in Stoke's words: passages of Stoke's and Northwold's letters are
    # now in three councils' letters, so boilerplate (index/boilerplate.py).
    searched = IndexReader.open(index_dir).content_rows
    monkeypatch.setattr(approximate, "MAX_STALE", 1.0)
    (letters_dir / "006_southwold.txt").write_text(make_annual_letter("Southwold", "Southwold Council", "well"))
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    now = IndexReader.open(index_dir).content_rows
    assert not np.isin(searched, now).all() and builds == [118]
    assert Manifest.load(index_dir).approximate.rows > len(now)  # the new boilerplate rows stay, unused
    np.testing.assert_array_equal(*graph_rows(index_dir))
    monkeypatch.setattr(approximate, "MAX_STALE", 0.0)
    (letters_dir / "007_eastwold.txt").write_text(make_annual_letter("Eastwold", "Eastwold Council", "well"))
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    now = IndexReader.open(index_dir).content_rows
    assert builds == [118, len(now)] and Manifest.load(index_dir).approximate.rows == len(now)
    np.testing.assert_array_equal(*graph_rows(index_dir))

    (letters_dir / "005_northwold.txt").unlink()
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    assert len(builds) == 3
    np.testing.assert_array_equal(*graph_rows(index_dir))
    assert check_index(index_dir).ok


@pytest.mark.parametrize("rebuild", [False, True], ids=["add-only", "full"])
@pytest.mark.parametrize("failing", ["build", "write"])
def test_an_update_that_fails_writing_the_graph_leaves_the_old_index(tmp_path, letters_dir, monkeypatch, rebuild,
                                                                     failing):
    monkeypatch.setattr(approximate, "MIN_ROWS", 0)
    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    before = (index_dir / MANIFEST).read_bytes()
    (letters_dir / "005_northwold.txt").write_text(make_annual_letter("Northwold", "Northwold Council", "well"))

    def crash(*args, **kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(approximate, failing, crash)
        if not rebuild and failing == "build":  # the add-only path adds to the old graph instead
            patch.setattr(approximate, "load", crash)
        with pytest.raises(IndexStoreError, match="disk full; the previous index is unchanged"):
            update_index(letters_dir, index_dir, embedder=FakeEmbedder(), rebuild=rebuild)
    assert (index_dir / MANIFEST).read_bytes() == before and check_index(index_dir).ok
    assert sorted(p.name for p in index_dir.iterdir()) == [".lock", "gen-000001", MANIFEST]
    report = update_index(letters_dir, index_dir, embedder=FakeEmbedder(), rebuild=rebuild)
    assert report.letters == 6
    np.testing.assert_array_equal(*graph_rows(index_dir))


def test_a_damaged_graph_is_reported(graph_index, tmp_path, real_embedder):
    """A graph whose bytes changed fails its checksum: `check` names it, and the first search
    that would read it says what to do, as for the other files."""
    from qa import Assistant

    copy = tmp_path / "index"
    shutil.copytree(graph_index, copy)
    path = copy / Manifest.load(copy).folder / approximate.FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    report = check_index(copy)
    assert not report.ok and report.files[-1].file.endswith(approximate.FILE)
    assert "checksum differs" in report.files[-1].detail
    with pytest.raises(IndexStoreError, match=f"{approximate.FILE} is damaged.*letters-qa index --rebuild"):
        Assistant.open(copy, embedder=real_embedder).search("private fostering", k=5)
