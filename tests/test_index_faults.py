"""Bad folder entries and failing disks during an update: each is reported, nothing is lost.

Each test here failed before its fix (issue 12): a symlink loop and a file name that is not
UTF-8 aborted the whole update with a traceback; a full disk while only the stat cache was
rewritten gave a traceback and left `.manifest.json.*.tmp`; a read-only index folder gave
PermissionError; renamed copies of one council's letter turned its own passages into boilerplate.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, FakeEmbedder, leftovers

from index.check import check_index
from index.councils import authority
from index.errors import IndexStoreError
from index.manifest import MANIFEST
from index.reader import IndexReader
from index.update import update_index

TRAFFORD = "003_e59f001d04c76981.txt"


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "ui", *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_a_symlink_loop_is_skipped_with_its_reason(tmp_path, letters_dir):
    (letters_dir / "loop.txt").symlink_to("loop.txt")
    (letters_dir / "a.txt").symlink_to("b.txt")
    (letters_dir / "b.txt").symlink_to("a.txt")
    report = update_index(letters_dir, tmp_path / "index", embedder=FakeEmbedder())
    assert report.letters == 5
    reasons = {item["file"]: item["reason"] for item in report.skipped}
    loop = "a symbolic link loop (it points back to itself)"
    assert reasons == {name: loop for name in ("a.txt", "b.txt", "loop.txt")}
    assert leftovers(tmp_path / "index") == []


def test_a_file_name_that_is_not_utf8_is_skipped_and_named(tmp_path, letters_dir, seeds_index):
    bad = os.fsencode(letters_dir) + b"/caf\xe9-letter.txt"
    with open(bad, "wb") as fh:  # a letter of its own (a copy would only be listed as a duplicate)
        fh.write((SEEDS / TRAFFORD).read_bytes().replace(b"perform well", b"perform poorly"))
    shutil.copytree(seeds_index, tmp_path / "index")  # the seeds are unchanged: no model is loaded
    result = cli("index", "--letters", str(letters_dir), "--index", str(tmp_path / "index"), "--json")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert report["letters"] == 5
    assert report["skipped"] == [{"file": "caf\ufffd-letter.txt",
                                  "reason": "the file name is not valid UTF-8; rename the file"}]
    assert leftovers(tmp_path / "index") == []


def test_renamed_copies_of_one_councils_letter_do_not_make_its_passages_boilerplate(tmp_path, letters_dir):
    """Councils are counted by identity, not spelling: three spellings of Trafford are one council."""
    text = (SEEDS / TRAFFORD).read_text(encoding="utf-8")
    for i, name in enumerate(["Trafford Council", "Trafford MBC"]):
        (letters_dir / f"trafford-copy-{i}.txt").write_text(
            text.replace("Trafford Metropolitan Borough Council", name), encoding="utf-8")
    update_index(letters_dir, tmp_path / "index", embedder=FakeEmbedder())
    reader = IndexReader.open(tmp_path / "index")
    trafford = [letter for letter in reader.letters if letter.name == TRAFFORD][0]
    copies = [letter for letter in reader.letters if letter.name.startswith("trafford-copy")]
    assert len({authority(letter.council) for letter in [trafford, *copies]}) == 1 and len(copies) == 2
    alone = IndexReader.open(_index_of(tmp_path / "alone", letters_dir, exclude="trafford-copy"))
    own = reader.letter_chunks(trafford.id)
    assert len(own) == len(alone.letter_chunks([x for x in alone.letters if x.name == TRAFFORD][0].id)) > 10


def _index_of(index_dir: Path, letters_dir: Path, exclude: str) -> Path:
    folder = index_dir.parent / f"{index_dir.name}-letters"
    folder.mkdir()
    for path in letters_dir.iterdir():
        if not path.name.startswith(exclude):
            shutil.copy(path, folder / path.name)
    update_index(folder, index_dir, embedder=FakeEmbedder())
    return index_dir


def _fill(folder: Path) -> None:
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_full_disk_while_only_the_stat_cache_is_saved_loses_nothing(small_disk, letters_dir):
    index_dir = small_disk / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    before = (index_dir / MANIFEST).read_bytes()
    past = time.time() - 3600  # an mtime change with the same content: re-read, and only the cache changes
    os.utime(letters_dir / TRAFFORD, (past, past))
    _fill(small_disk)
    result = cli("index", "--letters", str(letters_dir), "--index", str(index_dir), "--json")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert report["note"] == ("could not save which files were read (no space left on the device); the index is "
                              "unchanged, and the next update reads every letter file again")
    assert (index_dir / MANIFEST).read_bytes() == before and leftovers(index_dir) == []
    assert len(IndexReader.open(index_dir).letters) == 5


def test_a_read_only_index_folder_is_one_clear_line(small_disk, letters_dir):
    index_dir = small_disk / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    shutil.copy(SEEDS / TRAFFORD, letters_dir / "new.txt")
    (letters_dir / "new.txt").write_text((SEEDS / TRAFFORD).read_text().replace("perform well", "perform poorly"))
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = cli("index", "--letters", str(letters_dir), "--index", str(index_dir))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"letters-qa: error: cannot write to the index folder {index_dir} (Read-only file system); "
        "choose another with --index, or fix its permissions"]
    assert len(IndexReader.open(index_dir).letters) == 5  # still answers


def test_letters_qa_check_finds_a_flipped_byte_and_says_what_to_do(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    ok = cli("check", "--index", str(index_dir))
    assert ok.returncode == 0 and ok.stderr == "", ok.stderr
    assert ok.stdout.splitlines()[0] == "ok       manifest.json: format 5, generation 1, 5 letters, 170 passages"
    assert "ok       gen-000001/vectors.faiss: 170 vectors" in ok.stdout
    path = index_dir / "gen-000001" / "index.sqlite"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    bad = cli("check", "--index", str(index_dir), "--json")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    doc = json.loads(bad.stdout)
    assert doc["ok"] is False and doc["files"][1] == {
        "file": "gen-000001/index.sqlite", "ok": False, "detail": "damaged (its checksum differs from the manifest's)"}
    assert doc["advice"].startswith(f"rebuild it with `letters-qa index --rebuild --index {index_dir} --letters ")
    assert bad.stderr.strip() == f"letters-qa: error: {index_dir} is damaged: gen-000001/index.sqlite: damaged " \
                                 f"(its checksum differs from the manifest's); {doc['advice']}"


def test_a_failed_update_over_a_damaged_index_does_not_claim_it_still_answers(tmp_path, letters_dir, monkeypatch):
    """Before: any failed write said "the previous index is unchanged and still answers", even
    when that index was damaged. Now it says so only of an index it verified."""
    import index.segments

    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    path = index_dir / "gen-000001" / "vectors.faiss"
    data = bytearray(path.read_bytes())
    data[-40] ^= 0x40
    path.write_bytes(bytes(data))

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(index.segments, "write", full)
    with pytest.raises(IndexStoreError) as error:
        update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    assert str(error.value) == (
        f"could not write the new index generation in {index_dir}: no space left on the device; the previous "
        f"index is unchanged but damaged; `letters-qa check --index {index_dir}` says how")
    monkeypatch.undo()
    assert path.read_bytes() == bytes(data)  # nothing was written over it: still damaged
    assert update_index(letters_dir, index_dir, embedder=FakeEmbedder()).note.startswith("the index was damaged")


def test_letters_qa_check_on_an_older_format_says_upgrade_and_sees_a_running_update(tmp_path, letters_dir):
    from index.check import check_index
    from index.store import update_lock

    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    (index_dir / ".gen-000002.tmp-1").mkdir()
    with update_lock(index_dir):
        found = check_index(index_dir)
    assert found.ok and found.updating and found.leftovers == [".gen-000002.tmp-1"]
    assert not check_index(index_dir).updating
    manifest = json.loads((index_dir / MANIFEST).read_text())
    (index_dir / MANIFEST).write_text(json.dumps({**manifest, "version": 2}))
    old = check_index(index_dir)
    assert not old.ok and old.files[0].detail.startswith("index format 2, written by an older letters-qa")
    assert old.advice == (f"upgrade it with `letters-qa index --index {index_dir} --letters {letters_dir.resolve()}` "
                          "(every letter is read and embedded again)")


def test_the_readmes_python_imports_work():
    """README: `from index import update_index` (it was not exported before this test)."""
    from index import ArgumentError, LettersQAError, check_index, update_index

    assert update_index.__module__ == "index.update" and check_index.__module__ == "index.check"
    assert issubclass(ArgumentError, LettersQAError) and issubclass(ArgumentError, ValueError)


# --- found by review (each failed before its fix) -------------------------------------------


@pytest.mark.parametrize("folder", ["x #y", "x?z", "x%20y"])
def test_an_index_folder_named_with_uri_characters_opens(tmp_path, letters_dir, folder):
    """The read-only SQLite URI cut the path at '#' or '?' (and decoded '%20'), so the index read
    as damaged and an empty file appeared outside the folder."""
    index_dir = tmp_path / folder / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    (letters_dir / "003_e59f001d04c76981.txt").unlink()  # a removal: the full path reads the old database
    assert update_index(letters_dir, index_dir, embedder=FakeEmbedder()).letters == 4
    assert len(IndexReader.open(index_dir).letters) == 4 and check_index(index_dir).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["letters", folder])  # nothing stray


@pytest.mark.parametrize("change, key", [
    (lambda m: m.update(generation=-5), "generation"),
    (lambda m: m.update(generation=True), "generation"),
    (lambda m: m.update(data="gen-000002"), "data"),
    (lambda m: m.update(chunks=-1), "chunks"),
    (lambda m: m.update(chunks=True), "chunks"),
    (lambda m: m.update(fusion={"method": "rrf", "k": "x"}), "fusion"),
    (lambda m: m.update(fusion={"method": "rrf", "expand": "everything"}), "fusion"),
    (lambda m: m["database"].update(checksum=None), "database"),
    (lambda m: m["database"].update(bytes=True), "database"),
], ids=["negative generation", "bool generation", "data not its generation", "negative chunks", "bool chunks",
        "fusion of text", "unknown expansion", "format 4 database without checksum", "bool bytes"])
def test_a_manifest_with_a_wrong_value_is_refused_as_damaged(tmp_path, letters_dir, change, key):
    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    manifest = json.loads((index_dir / MANIFEST).read_text())
    change(manifest)
    (index_dir / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(IndexStoreError, match=f"is damaged \\(no valid '{key}'\\); rebuild it with"):
        IndexReader.open(index_dir)


def test_an_embedder_that_fails_leaves_nothing_and_says_so_in_one_line(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())

    class Broken(FakeEmbedder):
        def embed(self, texts, progress=None):
            raise ValueError("tokenizer exploded\nsecond line")

    shutil.copy(SEEDS / TRAFFORD, letters_dir / "new.txt")
    (letters_dir / "new.txt").write_text((SEEDS / TRAFFORD).read_text().replace("perform well", "perform poorly"))
    with pytest.raises(IndexStoreError) as error:
        update_index(letters_dir, index_dir, embedder=Broken())
    assert str(error.value) == (f"could not write the new index generation in {index_dir}: ValueError: tokenizer "
                                "exploded; the previous index is unchanged and still answers")
    assert leftovers(index_dir) == [] and len(IndexReader.open(index_dir).letters) == 5


def test_an_embedder_of_another_dimension_is_refused_before_anything_is_written(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())

    class Narrow(FakeEmbedder):
        def embed(self, texts, progress=None):
            return super().embed(texts, progress)[:, :32].copy()

    (letters_dir / "new.txt").write_text((SEEDS / TRAFFORD).read_text().replace("perform well", "perform poorly"))
    with pytest.raises(IndexStoreError, match="gives 32-dimensional vectors, the index holds 64"):
        update_index(letters_dir, index_dir, embedder=Narrow())
    assert leftovers(index_dir) == [] and check_index(index_dir).ok


def test_a_database_that_cannot_be_read_is_a_finding_of_check_not_a_traceback(tmp_path, letters_dir, monkeypatch):
    import index.manifest

    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())

    def unreadable(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(index.manifest, "checksum_file", unreadable)
    found = check_index(index_dir)
    assert not found.ok and found.files[1].detail == "cannot be read (Permission denied)"


def test_check_finds_a_manifest_whose_letters_differ_from_the_database(tmp_path, letters_dir):
    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=FakeEmbedder())
    manifest = json.loads((index_dir / MANIFEST).read_text())
    manifest["letters"][TRAFFORD] = "0" * 64
    (index_dir / MANIFEST).write_text(json.dumps(manifest))
    found = check_index(index_dir)
    assert not found.ok
    assert found.files[1].detail == f"damaged (its letters differ from the manifest's: {TRAFFORD})"
