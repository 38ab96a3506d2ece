"""index/intake.py, the one intake for new letters, and `letters-qa add` over it.

Every case checks the exact outcome, what the letters folder holds afterwards and what the
index holds. Plumbing tests use the fake embedder; the CLI runs as a real process (and once
in-process with the session's model, for --json).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, FakeEmbedder, make_annual_letter
from hypothesis import given, settings
from hypothesis import strategies as st

from index.errors import IndexBusyError, LetterError, LettersQAError
from index.intake import (
    IntakeRefused,
    add_letters,
    content_type,
    free_target,
    original_file,
    place,
    recorded_letters_dir,
    safe_name,
)
from index.letters import MAX_LETTER_BYTES, parse_letter
from index.manifest import Manifest
from index.scan import LETTER_SUFFIXES
from index.store import update_lock
from index.update import update_index

SEED_NAMES = sorted(p.name for p in SEEDS.iterdir())
STOKE = "004_2db2c4d829b3adf3.txt"
NOT_A_LETTER_FILE = f"not a letter file (expected {', '.join(LETTER_SUFFIXES)})"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}


def northwold() -> bytes:
    return make_annual_letter("Northwold", "Northwold County Council", "excellently").encode()


def southmere() -> bytes:
    return make_annual_letter("Southmere", "Southmere Borough Council", "poorly").encode()


class ReportingEmbedder(FakeEmbedder):
    """The fake embedder, reporting its progress as the real one does."""

    def embed(self, texts, progress=None):
        if progress is not None:
            progress(len(texts), len(texts))
        return super().embed(texts)


def parser_reason(data: bytes) -> str:
    """What the letter parser says of `data`: an intake must pass the same reason on."""
    with pytest.raises(LetterError) as refused:
        parse_letter(data, "x.txt")
    return refused.value.reason


@pytest.fixture
def index_dir(letters_dir, tmp_path) -> Path:
    """An index of the seeds (fake vectors), built from `letters_dir`."""
    index = tmp_path / "index"
    update_index(letters_dir, index, embedder=FakeEmbedder())
    return index


def add(files, letters_dir, index_dir, **kwargs):
    return add_letters(files, letters_dir, index_dir, embedder=FakeEmbedder(), **kwargs)


def folder(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir())


def indexed(index_dir: Path) -> dict[str, str]:
    return Manifest.load(index_dir).letters


# --- what is added ----------------------------------------------------------------------


def test_good_letters_are_copied_in_and_indexed_once(letters_dir, index_dir, tmp_path):
    source = tmp_path / "from disk.txt"
    source.write_bytes(southmere())
    calls = []
    report = add_letters([(northwold(), "Northwold letter.txt"), (source, str(source))], letters_dir, index_dir,
                         embedder=ReportingEmbedder(), progress=lambda done, total: calls.append((done, total)))
    assert [(a.file, a.letter, a.council, a.short_name, a.year, a.kind, a.rating, a.grade) for a in report.added] == [
        ("Northwold letter.txt", "Northwold_letter.txt", "Northwold County Council", "Northwold", 2009,
         "annual_rating", "Performs excellently", 4),
        (str(source), "from_disk.txt", "Southmere Borough Council", "Southmere", 2009, "annual_rating",
         "Performs poorly", 1),
    ]
    assert report.already_there == [] and report.skipped == [] and report.failure is None and report.ok
    assert report.added[0].describe() == "Northwold County Council, 2009 annual rating, performs excellently"
    assert report.summary() == [
        "Added 2 letters: Northwold 2009 (performs excellently, Northwold_letter.txt), "
        "Southmere 2009 (performs poorly, from_disk.txt).",
        # Both are Stoke-on-Trent's paragraphs (conftest.make_annual_letter): three councils share most of them.
        "Check Northwold_letter.txt: 69% of its own text (the standard paragraphs aside) is not searched: letters "
        "to three or more other councils share it word for word; from_disk.txt: 69% of its own text (the standard "
        "paragraphs aside) is not searched: letters to three or more other councils share it word for word. Its "
        "ratings are read, but a search may not find it.",
        "The index now holds 7 letters.",
    ]
    assert folder(letters_dir) == sorted([*SEED_NAMES, "Northwold_letter.txt", "from_disk.txt"])
    assert (letters_dir / "Northwold_letter.txt").read_bytes() == northwold()
    assert (letters_dir / "from_disk.txt").read_bytes() == southmere()
    assert report.update.added == ["Northwold_letter.txt", "from_disk.txt"] and report.update.generation == 2
    assert set(indexed(index_dir)) == {*SEED_NAMES, "Northwold_letter.txt", "from_disk.txt"}
    assert len(calls) == 1 and calls[0][0] == calls[0][1] > 0  # one update, its embedding's progress
    document = report.to_dict()
    assert set(document) == {"letters_dir", "index_dir", "added", "already_there", "skipped", "index",
                             "index_error", "conflicts", "summary"}
    assert document["added"][0] == {"file": "Northwold letter.txt", "letter": "Northwold_letter.txt",
                                    "council": "Northwold County Council", "short_name": "Northwold", "year": 2009,
                                    "kind": "annual_rating", "rating": "Performs excellently", "grade": 4}
    assert document["index"]["added"] == ["Northwold_letter.txt", "from_disk.txt"]
    assert document["summary"] == " ".join(report.summary())
    json.dumps(document)


def test_an_apa_letter_is_described_by_its_overall_effectiveness(tmp_path):
    letters, index = tmp_path / "letters", tmp_path / "index"
    letters.mkdir()
    report = add([(SEEDS / "001_e96dc17fe53b9130.txt", "stockport apa.txt")], letters, index)
    assert report.added[0].describe() == ("Stockport Metropolitan Borough Council, 2008 annual performance "
                                          "assessment (APA), overall effectiveness good")
    assert folder(letters) == ["stockport_apa.txt"] and set(indexed(index)) == {"stockport_apa.txt"}


def test_an_identical_file_is_already_there_and_not_copied_twice(letters_dir, index_dir):
    manifest = (index_dir / "manifest.json").read_bytes()
    seed = (SEEDS / STOKE).read_bytes()
    report = add([(seed, STOKE), (seed, "stoke copy.txt")], letters_dir, index_dir)
    assert report.added == [] and report.skipped == []
    assert [(a.file, a.letter, a.council) for a in report.already_there] == [
        (STOKE, STOKE, "Stoke-on-Trent City Council"), ("stoke copy.txt", STOKE, "Stoke-on-Trent City Council")]
    assert report.ok and report.update is None  # nothing new: no update ran
    assert report.summary() == [f"Already in the letters folder: {STOKE} (as {STOKE}), stoke copy.txt (as {STOKE})."]
    assert folder(letters_dir) == SEED_NAMES
    assert (index_dir / "manifest.json").read_bytes() == manifest


def test_the_same_new_letter_twice_in_one_call_is_copied_once(letters_dir, index_dir):
    report = add([(northwold(), "a.txt"), (northwold(), "b.txt"), (northwold(), "a.txt")], letters_dir, index_dir)
    assert [(a.file, a.letter) for a in report.added] == [("a.txt", "a.txt")]
    assert [(a.file, a.letter) for a in report.already_there] == [("b.txt", "a.txt"), ("a.txt", "a.txt")]
    assert folder(letters_dir) == sorted([*SEED_NAMES, "a.txt"])
    assert set(indexed(index_dir)) == {*SEED_NAMES, "a.txt"}


def test_a_file_already_in_the_folder_but_not_indexed_is_indexed(letters_dir, index_dir):
    (letters_dir / "dropped.txt").write_bytes(northwold())  # put there by hand, no update since
    report = add([(northwold(), "dropped.txt")], letters_dir, index_dir)
    assert [(a.file, a.letter) for a in report.already_there] == [("dropped.txt", "dropped.txt")]
    assert report.update is not None and report.update.added == ["dropped.txt"]
    assert "dropped.txt" in indexed(index_dir)


def test_a_different_file_with_the_same_name_gets_a_suffix(letters_dir, index_dir):
    report = add([(northwold(), STOKE), (southmere(), STOKE)], letters_dir, index_dir)
    assert [(a.file, a.letter, a.short_name) for a in report.added] == [
        (STOKE, "004_2db2c4d829b3adf3-1.txt", "Northwold"), (STOKE, "004_2db2c4d829b3adf3-2.txt", "Southmere")]
    assert (letters_dir / STOKE).read_bytes() == (SEEDS / STOKE).read_bytes()  # never overwritten
    assert folder(letters_dir) == sorted([*SEED_NAMES, "004_2db2c4d829b3adf3-1.txt", "004_2db2c4d829b3adf3-2.txt"])
    assert indexed(index_dir)[STOKE] == Manifest.load(index_dir).letters[STOKE]
    assert {"004_2db2c4d829b3adf3-1.txt", "004_2db2c4d829b3adf3-2.txt"} <= set(indexed(index_dir))


# --- what is skipped --------------------------------------------------------------------


def test_files_that_are_not_letters_are_skipped_with_the_reason_and_never_land(letters_dir, index_dir, tmp_path):
    manifest = (index_dir / "manifest.json").read_bytes()
    big = tmp_path / "big.txt"
    big.write_bytes(northwold() + b"x" * MAX_LETTER_BYTES)
    size = big.stat().st_size
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    hello = b"Dear colleague, the meeting moved to Tuesday.\n"
    report = add([
        (b"\x89PNG\r\n\x1a\n", "photo.png"),
        (b"", "empty.txt"),
        (bytes(range(256)) * 4, "scan.txt"),
        (hello, "notes.md"),
        (big, "big.txt"),
        (b"x" * (MAX_LETTER_BYTES + 1), "huge.md"),
        (tmp_path / "missing.txt", "missing.txt"),
        (tmp_path, "folder.txt"),
        (fifo, "pipe.txt"),
        (northwold(), "no suffix"),
        (northwold(), "letter.pdf.exe"),
    ], letters_dir, index_dir)
    assert [(s.file, s.reason) for s in report.skipped] == [
        ("photo.png", NOT_A_LETTER_FILE),
        ("empty.txt", "empty file"),
        ("scan.txt", "binary file (contains NUL bytes), not a text letter"),
        ("notes.md", parser_reason(hello)),
        ("big.txt", f"file is too large ({size:,} bytes; the cap is {MAX_LETTER_BYTES:,})"),
        ("huge.md", f"file is too large ({MAX_LETTER_BYTES + 1:,} bytes; the cap is {MAX_LETTER_BYTES:,})"),
        ("missing.txt", "cannot read file (No such file or directory)"),
        ("folder.txt", "not a regular file"),
        ("pipe.txt", "not a regular file"),
        ("no suffix", NOT_A_LETTER_FILE),
        ("letter.pdf.exe", NOT_A_LETTER_FILE),
    ]
    assert report.added == [] and report.already_there == [] and not report.ok and report.update is None
    assert report.summary()[0].startswith(f"Skipped 11: photo.png: {NOT_A_LETTER_FILE}; empty.txt: empty file; ")
    assert folder(letters_dir) == SEED_NAMES  # no file and no temporary file left
    assert (index_dir / "manifest.json").read_bytes() == manifest


def test_a_bad_file_does_not_stop_the_good_ones(letters_dir, index_dir):
    report = add([(b"", "empty.txt"), (northwold(), "northwold.txt")], letters_dir, index_dir)
    assert [a.letter for a in report.added] == ["northwold.txt"] and report.ok
    assert [(s.file, s.reason) for s in report.skipped] == [("empty.txt", "empty file")]
    assert report.summary() == ["Added 1 letter: Northwold 2009 (performs excellently, northwold.txt).",
                                "Skipped 1: empty.txt: empty file.", "The index now holds 6 letters."]


@pytest.mark.parametrize(("given", "saved"), [
    ("../../outside.txt", "outside.txt"),
    ("..\\..\\outside.txt", "outside.txt"),
    ("/etc/passwd.txt", "passwd.txt"),
    ("sub/dir/../../../x.md", "x.md"),
    ("../.hidden.txt", "hidden.txt"),
    ("../....txt", "letter.txt"),
])
def test_a_name_with_folders_in_it_lands_inside_the_letters_folder(letters_dir, index_dir, tmp_path, given, saved):
    report = add([(northwold(), given)], letters_dir, index_dir)
    assert [(a.file, a.letter) for a in report.added] == [(given, saved)]
    assert folder(letters_dir) == sorted([*SEED_NAMES, saved])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index", "letters"]  # nothing written beside it
    assert saved in indexed(index_dir)


@pytest.fixture
def read_only_letters(tmp_path):
    """A copy of the seeds in a folder nobody can write to (root: a read-only tmpfs; else chmod)."""
    target = tmp_path / "read-only"
    target.mkdir()
    if os.geteuid() != 0:
        shutil.copytree(SEEDS, target, dirs_exist_ok=True)
        target.chmod(0o555)
        yield target, "Permission denied"
        target.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(target)], capture_output=True)
    if mounted.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"could not mount a tmpfs: {mounted.stderr.decode().strip()}")
        pytest.skip("cannot mount a tmpfs here")
    try:
        shutil.copytree(SEEDS, target, dirs_exist_ok=True)
        subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True)
        yield target, "Read-only file system"
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


def test_a_read_only_letters_folder_skips_each_letter_and_leaves_the_index(read_only_letters, tmp_path):
    letters, why = read_only_letters
    index = tmp_path / "index"
    update_index(letters, index, embedder=FakeEmbedder())
    manifest = (index / "manifest.json").read_bytes()
    report = add([(northwold(), "northwold.txt"), (b"", "empty.txt")], letters, index)
    assert [(s.file, s.reason) for s in report.skipped] == [
        ("northwold.txt", f"cannot save it in the letters folder ({why})"), ("empty.txt", "empty file")]
    assert report.added == [] and not report.ok and report.update is None
    assert folder(letters) == SEED_NAMES
    assert (index / "manifest.json").read_bytes() == manifest


# --- refusals and failures ------------------------------------------------------------------


def test_a_letters_folder_that_lacks_indexed_letters_is_refused_before_anything(letters_dir, index_dir):
    (letters_dir / STOKE).unlink()
    with pytest.raises(IntakeRefused, match=rf"lacks 1 indexed letter\(s\) \(e.g. {STOKE}\); an update from it "
                                            "would drop them from the index, so nothing was saved"):
        add([(northwold(), "northwold.txt")], letters_dir, index_dir)
    assert folder(letters_dir) == [n for n in SEED_NAMES if n != STOKE]
    assert set(indexed(index_dir)) == set(SEED_NAMES)


def test_a_missing_letters_folder_is_one_line(tmp_path, index_dir):
    with pytest.raises(LettersQAError, match="letters folder .*nowhere does not exist or is not a folder"):
        add([(northwold(), "n.txt")], tmp_path / "nowhere", index_dir)


def test_a_failed_update_keeps_the_copied_letter_and_says_so(letters_dir, index_dir):
    with update_lock(index_dir):  # another update holds the index
        report = add([(northwold(), "northwold.txt")], letters_dir, index_dir)
    assert [a.letter for a in report.added] == ["northwold.txt"]
    assert isinstance(report.failure, IndexBusyError) and not report.ok and report.update is None
    assert report.summary()[-1].startswith("The index was not updated: another update of ")
    assert report.to_dict()["index_error"] == str(report.failure)
    assert "northwold.txt" in folder(letters_dir) and "northwold.txt" not in indexed(index_dir)
    assert add([(northwold(), "northwold.txt")], letters_dir, index_dir).update.added == ["northwold.txt"]


def test_a_new_index_is_built_when_there_is_none(tmp_path):
    letters = tmp_path / "letters"
    letters.mkdir()
    report = add([(northwold(), "n.txt")], letters, tmp_path / "index")
    assert report.update.added == ["n.txt"] and set(indexed(tmp_path / "index")) == {"n.txt"}
    assert recorded_letters_dir(tmp_path / "index") == letters.resolve()
    assert recorded_letters_dir(tmp_path / "no-index") is None


# --- names and placing ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "safe"), [
    ("letter.txt", "letter.txt"), ("a b<c>&d.txt", "a_b_c__d.txt"), ("\u202eevil.txt", "_evil.txt"),
    ("lettré ✓.txt", "lettr___.txt"), ("a\x00b.txt", "a_b.txt"), (".txt", "letter.txt"), ("..", "letter"),
    ("", "letter"), ("x" * 300 + ".txt", "x" * 120 + ".txt"), ("CON.TXT", "CON.TXT"), ("x.md", "x.md"),
])
def test_safe_name(name, safe):
    assert safe_name(name) == safe


@settings(max_examples=200, deadline=None)
@given(name=st.text(min_size=0, max_size=300))
def test_any_name_is_plain_and_never_hidden(name):
    safe = safe_name(name)
    assert safe and not safe.startswith(".") and "/" not in safe and "\\" not in safe and safe not in (".", "..")
    assert len(safe.encode()) < 255


def test_a_link_at_the_name_is_never_followed(tmp_path):
    letters = tmp_path / "letters"
    letters.mkdir()
    (letters / "b.txt").symlink_to(tmp_path / "outside.txt")
    assert free_target(letters, "b.txt", b"data") == (letters / "b-1.txt", False)
    assert place(b"data", letters, "b.txt") == ("b-1.txt", False)
    assert not (tmp_path / "outside.txt").exists()
    with pytest.raises(LettersQAError, match="not a plain file name"):
        free_target(letters, "../b.txt", b"data")
    assert folder(letters) == ["b-1.txt", "b.txt"]


# --- original files -------------------------------------------------------------------------------


def test_original_file_gives_the_indexed_bytes_and_refuses_the_rest(letters_dir, index_dir, tmp_path):
    hashes = indexed(index_dir)
    original = original_file(letters_dir, STOKE, hashes)
    assert (original.name, original.filename, original.data) == (STOKE, STOKE, (SEEDS / STOKE).read_bytes())
    assert original.content_type == "text/plain; charset=utf-8"
    for name in ("nope.txt", "../seeds/" + STOKE, "/etc/passwd", "", ".lock"):
        assert original_file(letters_dir, name, hashes) is None

    (letters_dir / STOKE).write_bytes(northwold())
    with pytest.raises(LetterError, match="its file has changed since it was indexed"):
        original_file(letters_dir, STOKE, hashes)
    (letters_dir / STOKE).unlink()
    with pytest.raises(LetterError, match="its file is no longer in the letters folder"):
        original_file(letters_dir, STOKE, hashes)
    (tmp_path / "elsewhere.txt").write_bytes((SEEDS / STOKE).read_bytes())
    (letters_dir / STOKE).symlink_to(tmp_path / "elsewhere.txt")
    with pytest.raises(LetterError, match="lies outside the letters folder"):
        original_file(letters_dir, STOKE, hashes)


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("a.txt", b"plain", "text/plain; charset=utf-8"),
    ("a.txt", "caf\u00e9".encode("cp1252"), "text/plain"),
    ("a.md", b"# x", "text/markdown; charset=utf-8"),
    ("a.text", b"x", "text/plain; charset=utf-8"),
    ("a.html", b"<p>x</p>", "text/html; charset=utf-8"),
    ("a.htm", b"<p>x</p>", "text/html; charset=utf-8"),
    ("a.pdf", b"%PDF-1.4", "application/pdf"),
    ("a.docx", b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("a.unknownsuffix", b"x", "application/octet-stream"),
])
def test_content_type(name, data, expected):
    assert content_type(name, data) == expected


# --- letters-qa add -----------------------------------------------------------------------------


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ui", *args], capture_output=True, text=True, env=ENV,
                          cwd=cwd or ROOT, timeout=300)


@pytest.fixture
def cli_site(seeds_index, letters_dir, tmp_path):
    """A copy of the seeds index (real model) that records `letters_dir` as its letters folder."""
    index = tmp_path / "index"
    shutil.copytree(seeds_index, index)
    replace(Manifest.load(index), letters_dir=str(letters_dir.resolve())).write(index)
    return index, letters_dir


def test_cli_add_copies_into_the_recorded_folder_and_prints_one_line_per_file(cli_site, tmp_path):
    index, letters = cli_site
    (tmp_path / "north wold.txt").write_bytes(northwold())
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    result = run("add", str(tmp_path / "north wold.txt"), str(tmp_path / "photo.png"), str(SEEDS / STOKE),
                 "--index", str(index))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        f"Added {tmp_path / 'north wold.txt'} as {letters.resolve() / 'north_wold.txt'}: "
        "Northwold County Council, 2009 annual rating, performs excellently.",
        f"Already there: {SEEDS / STOKE} (as {letters.resolve() / STOKE}): "
        "Stoke-on-Trent City Council, 2009 annual rating, performs adequately.",
        f"Skipped {tmp_path / 'photo.png'}: {NOT_A_LETTER_FILE}",
    ]
    assert lines[3].startswith(f"Index {index}: 6 letters, ") and len(lines) == 4
    assert result.stderr == ""
    assert folder(letters) == sorted([*SEED_NAMES, "north_wold.txt"])
    assert set(indexed(index)) == {*SEED_NAMES, "north_wold.txt"}
    assert not (SEEDS / "north_wold.txt").exists()


def test_cli_add_exit_codes_and_json(cli_site, tmp_path):
    index, letters = cli_site
    manifest = (index / "manifest.json").read_bytes()
    (tmp_path / "photo.png").write_bytes(b"\x89PNG")

    none = run("add", str(tmp_path / "photo.png"), "--index", str(index))  # nothing could be added: 1
    assert none.returncode == 1
    assert none.stdout == f"Skipped {tmp_path / 'photo.png'}: {NOT_A_LETTER_FILE}\n"
    assert none.stderr == "letters-qa: error: no letter was added (see above)\n"

    there = run("add", str(SEEDS / STOKE), "--index", str(index), "--json")  # all already there: 0
    assert there.returncode == 0, there.stderr
    document = json.loads(there.stdout)
    assert set(document) == {"letters_dir", "index_dir", "added", "already_there", "skipped", "index",
                             "index_error", "conflicts", "summary"}
    assert document["already_there"] == [{"file": str(SEEDS / STOKE), "letter": STOKE,
                                          "council": "Stoke-on-Trent City Council", "short_name": "Stoke-on-Trent",
                                          "year": 2009, "kind": "annual_rating", "rating": "Performs adequately",
                                          "grade": 2, "same_text": False}]
    assert (document["added"], document["skipped"], document["index"], document["index_error"]) == ([], [], None, None)
    assert document["letters_dir"] == str(letters.resolve())

    mixed = run("add", str(SEEDS / STOKE), str(tmp_path / "photo.png"), "--index", str(index))  # none added: 1
    assert mixed.returncode == 1

    assert run("add", "--index", str(index)).returncode == 2  # no FILE
    nowhere = run("add", str(SEEDS / STOKE), "--index", str(tmp_path / "no-index"))
    assert nowhere.returncode == 2
    assert nowhere.stderr == (f"letters-qa: error: the index in {tmp_path / 'no-index'} records no letters folder "
                              "that exists; give the folder to copy the letters into with --letters DIR\n")
    missing = run("add", str(SEEDS / STOKE), "--index", str(index), "--letters", str(tmp_path / "gone"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr == (f"letters-qa: error: letters folder {tmp_path / 'gone'} does not exist or is not "
                              "a folder\n")
    assert (index / "manifest.json").read_bytes() == manifest
    assert folder(letters) == SEED_NAMES


def test_cli_add_json_of_an_added_letter(cli_site, tmp_path, real_embedder, monkeypatch, capsys):
    import index.embedder
    from ui.cli import main

    loaded = real_embedder.model  # the session's model, not a second copy
    monkeypatch.setattr(index.embedder.SentenceTransformerEmbedder, "model", property(lambda self: loaded))
    index_dir, _ = cli_site
    other = tmp_path / "other letters"
    shutil.copytree(SEEDS, other)
    (tmp_path / "s.txt").write_bytes(southmere())
    code = main(["add", str(tmp_path / "s.txt"), "--index", str(index_dir), "--letters", str(other), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    document = json.loads(out)
    assert [(a["letter"], a["council"], a["rating"], a["grade"]) for a in document["added"]] == [
        ("s.txt", "Southmere Borough Council", "Performs poorly", 1)]
    assert document["index"]["added"] == ["s.txt"] and document["index"]["letters"] == 6
    assert document["summary"] == ("Added 1 letter: Southmere 2009 (performs poorly, s.txt). "
                                   "The index now holds 6 letters.")
    assert folder(other) == sorted([*SEED_NAMES, "s.txt"])
    assert Manifest.load(index_dir).letters_dir == str(other.resolve())  # --letters won over the recorded folder
