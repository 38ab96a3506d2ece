"""Issue 26, item 5: a hand-edited manifest. Whatever `letters-qa check` reports as damaged makes
the next update rebuild (and its report says so) instead of failing or building on it; fusion
weights and k must be positive numbers, in `check` and when an index is opened."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import SEEDS, FakeEmbedder, make_annual_letter

from index.check import check_index
from index.errors import IndexStoreError
from index.manifest import FUSION, MANIFEST, Manifest
from index.reader import IndexReader
from index.update import update_index

TRAFFORD = "003_e59f001d04c76981.txt"


@pytest.fixture
def site(tmp_path):
    letters, index = tmp_path / "letters", tmp_path / "index"
    shutil.copytree(SEEDS, letters)
    update_index(letters, index, embedder=FakeEmbedder())
    return letters, index


def edit(index, change) -> None:
    manifest = json.loads((index / MANIFEST).read_text())
    change(manifest)
    (index / MANIFEST).write_text(json.dumps(manifest))


def add_northwold(letters) -> None:
    (letters / "north.txt").write_text(make_annual_letter("Northwold", "Northwold County Council", "excellently"))


@pytest.mark.parametrize("then_add", [False, True], ids=["no change", "a letter added"])
def test_a_manifest_missing_a_letter_makes_the_next_update_rebuild(site, then_add):
    """Before: every later update failed with "UNIQUE constraint failed: letters.name"."""
    letters, index = site
    edit(index, lambda m: m["letters"].pop(TRAFFORD))
    found = check_index(index)
    assert not found.ok
    assert found.files[1].detail == f"damaged (its letters differ from the manifest's: {TRAFFORD})"
    if then_add:
        add_northwold(letters)
    report = update_index(letters, index, embedder=FakeEmbedder())
    assert report.note == (f"the index was damaged (gen-000001/index.sqlite: damaged (its letters differ from the "
                           f"manifest's: {TRAFFORD})): every letter was read and embedded again")
    assert report.letters == 5 + then_add and report.embedded_chunks == report.chunks
    assert check_index(index).ok
    reader = IndexReader.open(index)
    assert TRAFFORD in reader.by_name and len(reader.letters) == 5 + then_add
    assert update_index(letters, index, embedder=FakeEmbedder()).note is None  # whole again: nothing rebuilt


def test_a_manifest_with_a_changed_hash_or_count_makes_the_next_update_rebuild(site):
    letters, index = site
    edit(index, lambda m: m["letters"].update({TRAFFORD: "0" * 64}))
    report = update_index(letters, index, embedder=FakeEmbedder())
    assert report.note.startswith("the index was damaged (gen-000001/index.sqlite: damaged (its letters differ")
    assert check_index(index).ok and report.letters == 5


@pytest.mark.parametrize("fusion, says", [
    ({"method": "rrf", "k": 2, "dense": 0, "bm25": 0, "expand": "bm25"}, "dense must be a positive number, not 0"),
    ({"method": "rrf", "k": 0, "dense": 1.0, "bm25": 1.0, "expand": "bm25"}, "k must be a positive number, not 0"),
    ({"method": "rrf", "k": 2, "dense": 1.0, "bm25": -1, "expand": "bm25"}, "bm25 must be a positive number, not -1"),
    ({"method": "rrf", "k": 2, "dense": float("nan"), "bm25": 1, "expand": "bm25"},
     "dense must be a positive number, not NaN"),
    ({"method": "rrf", "k": "2", "dense": 1.0, "bm25": 1.0}, 'k must be a positive number, not "2"'),
], ids=["weights 0", "k 0", "negative", "nan", "text"])
def test_fusion_weights_and_k_must_be_positive(site, fusion, says):
    letters, index = site
    edit(index, lambda m: m.update(fusion=fusion))
    with pytest.raises(IndexStoreError, match=r"is damaged \(no valid 'fusion'\); rebuild it with"):
        IndexReader.open(index)
    found = check_index(index)
    assert not found.ok and found.files[0].file == MANIFEST
    assert found.files[0].detail == f"damaged (no valid 'fusion': {says})"
    report = update_index(letters, index, embedder=FakeEmbedder())
    assert report.note == (f"the index was damaged (manifest.json: no valid 'fusion': {says}): every letter was "
                           "read and embedded again")
    assert Manifest.load(index).fusion == FUSION and check_index(index).ok
    assert len(IndexReader.open(index).letters) == 5


def test_letters_qa_check_exits_1_on_zero_weights(site, capsys):
    from ui.cli import main

    _, index = site
    edit(index, lambda m: m["fusion"].update(dense=0, bm25=0))
    assert main(["check", "--index", str(index)]) == 1
    captured = capsys.readouterr()
    assert "DAMAGED  manifest.json: damaged (no valid 'fusion': dense must be a positive number, not 0)" in captured.out
    assert captured.err.startswith(f"letters-qa: error: {index} is damaged: manifest.json: damaged (no valid 'fusion'")
