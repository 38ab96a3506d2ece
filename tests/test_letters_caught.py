"""Issue 26, item 4: letters that cannot be right are caught at intake.

A letter dated after today is refused by name with the reason; the same letter in another
format is "already there"; two letters of one kind for the same council and year whose
ratings differ are flagged (every intake report, `letters-qa index`, `letters-qa check`,
`IndexReader.conflicts`). Each test failed before this work.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, FakeEmbedder

from index.check import check_index
from index.conflicts import key_of
from index.errors import LetterError
from index.intake import add_letters
from index.letters import parse_letter, read_letter
from index.reader import IndexReader
from index.update import update_index

pytestmark = pytest.mark.slow  # every letter kind's hard cases through full builds

sys.path.insert(0, str(ROOT / "tests"))
from documents import docx_bytes, web_page  # noqa: E402

STOKE = "004_2db2c4d829b3adf3.txt"
PDFS = ROOT / "tests" / "fixtures" / "pdfs"
THREE_WELL = {"Stockport Metropolitan Borough Council", "Stockton-on-Tees Borough Council",
              "Trafford Metropolitan Borough Council"}


@pytest.fixture
def site(tmp_path):
    """A copy of the seeds and an index of them (fake vectors)."""
    letters, index = tmp_path / "letters", tmp_path / "index"
    shutil.copytree(SEEDS, letters)
    update_index(letters, index, embedder=FakeEmbedder())
    return letters, index


def future_stoke() -> bytes:
    text = (SEEDS / STOKE).read_text(encoding="utf-8")
    assert "9 December 2009" in text
    return text.replace("9 December 2009", "9 December 2099").encode()


def poorly_stoke() -> bytes:
    text = (SEEDS / STOKE).read_text(encoding="utf-8")
    text = text.replace("perform adequately", "perform poorly")
    text = text.replace("Performs adequately (2)", "Performs poorly (1)")
    return text.replace("9 December 2009", "10 December 2009").encode()


def well_councils(index: Path) -> tuple[set[str], set[int]]:
    from qa import Assistant

    answer = Assistant.open(index, embedder=FakeEmbedder()).ask("Which councils perform well?")
    return {r.council for r in answer.ratings}, {r.year for r in answer.ratings}


# --- a date after today ----------------------------------------------------------------------


def test_a_letter_dated_after_today_is_refused_with_the_reason():
    with pytest.raises(LetterError) as error:
        parse_letter(future_stoke(), "stoke-2099.txt")
    assert str(error.value) == "stoke-2099.txt: dated 9 December 2099, after today"
    assert parse_letter((SEEDS / STOKE).read_bytes(), STOKE).date == "9 December 2009"


def test_a_day_of_clock_skew_is_allowed(monkeypatch):
    import datetime

    import index.letters

    monkeypatch.setattr(index.letters, "today", lambda: datetime.date(2009, 12, 8))
    assert parse_letter((SEEDS / STOKE).read_bytes(), STOKE).year == 2009  # dated tomorrow: allowed
    monkeypatch.setattr(index.letters, "today", lambda: datetime.date(2009, 12, 7))
    with pytest.raises(LetterError, match="dated 9 December 2009, after today"):
        parse_letter((SEEDS / STOKE).read_bytes(), STOKE)


def test_adding_a_future_letter_skips_it_and_list_questions_still_answer_for_2009(site):
    letters, index = site
    assert well_councils(index) == (THREE_WELL, {2009})
    report = add_letters([(future_stoke(), "stoke-2099.txt")], letters, index, embedder=FakeEmbedder())
    assert [(s.file, s.reason) for s in report.skipped] == [("stoke-2099.txt", "dated 9 December 2099, after today")]
    assert not report.added and report.update is None and not report.ok
    assert sorted(p.name for p in letters.iterdir()) == sorted(p.name for p in SEEDS.iterdir())
    assert well_councils(index) == (THREE_WELL, {2009})


def test_a_future_letter_in_the_folder_is_skipped_by_the_update_and_the_rest_indexed(site):
    letters, index = site
    (letters / "stoke-2099.txt").write_bytes(future_stoke())
    report = update_index(letters, index, embedder=FakeEmbedder())
    assert report.skipped == [{"file": "stoke-2099.txt", "reason": "dated 9 December 2099, after today"}]
    assert report.letters == 5 and not report.changed
    assert well_councils(index) == (THREE_WELL, {2009})


# --- the same letter in another format --------------------------------------------------------


def test_the_pdf_html_and_docx_of_an_indexed_letter_are_already_there(site):
    letters, index = site
    text = read_letter(SEEDS / STOKE).text
    files = [((PDFS / "004_2db2c4d829b3adf3.word.pdf").read_bytes(), "stoke.pdf"), (web_page(text), "stoke.html"),
             (docx_bytes(text), "stoke.docx")]
    report = add_letters(files, letters, index, embedder=FakeEmbedder())
    assert [(a.file, a.letter, a.same_text) for a in report.already_there] == [
        ("stoke.pdf", STOKE, True), ("stoke.html", STOKE, True), ("stoke.docx", STOKE, True)]
    assert report.ok and not report.added and not report.skipped and report.update is None
    assert report.summary() == ["Already in the letters folder: stoke.pdf (as 004_2db2c4d829b3adf3.txt: the same "
                                "letter in another format), stoke.html (as 004_2db2c4d829b3adf3.txt: the same letter "
                                "in another format), stoke.docx (as 004_2db2c4d829b3adf3.txt: the same letter in "
                                "another format)."]
    assert sorted(p.name for p in letters.iterdir()) == sorted(p.name for p in SEEDS.iterdir())
    assert report.to_dict()["already_there"][0]["same_text"] is True


def test_a_new_letter_given_in_three_formats_at_once_is_added_once(site):
    letters, index = site
    text = (SEEDS / STOKE).read_text(encoding="utf-8").replace("Stoke-on-Trent", "Northwold")
    text = text.replace("Northwold City Council", "Northwold County Council")
    normalised = parse_letter(text.encode(), "north.txt").text
    files = [(text.encode(), "north.txt"), (web_page(normalised), "north.html"), (docx_bytes(normalised), "north.docx")]
    report = add_letters(files, letters, index, embedder=FakeEmbedder())
    assert [a.letter for a in report.added] == ["north.txt"]
    assert [(a.file, a.letter, a.same_text) for a in report.already_there] == [("north.html", "north.txt", True),
                                                                                ("north.docx", "north.txt", True)]
    assert report.update.letters == 6 and not (letters / "north.html").exists()


def test_an_update_indexes_one_letter_of_three_formats_in_the_folder(tmp_path):
    letters, index = tmp_path / "letters", tmp_path / "index"
    letters.mkdir()
    shutil.copy(SEEDS / STOKE, letters / "stoke.txt")
    shutil.copy(PDFS / "004_2db2c4d829b3adf3.word.pdf", letters / "stoke.pdf")
    (letters / "stoke.html").write_bytes(web_page(read_letter(SEEDS / STOKE).text))
    report = update_index(letters, index, embedder=FakeEmbedder())
    assert report.added == ["stoke.txt"] and report.letters == 1
    assert report.duplicates == [{"file": "stoke.html", "same_as": "stoke.txt", "same_text": True},
                                 {"file": "stoke.pdf", "same_as": "stoke.txt", "same_text": True}]
    # A later update keeps the indexed one, whatever arrives.
    shutil.copy(SEEDS / "000_be5145f8e9499e13.txt", letters)
    again = update_index(letters, index, embedder=FakeEmbedder())
    assert again.added == ["000_be5145f8e9499e13.txt"] and again.removed == [] and again.letters == 2
    assert [d["file"] for d in again.duplicates] == ["stoke.html", "stoke.pdf"]


def test_the_same_letter_key_holds_across_the_fixture_pdfs():
    for pdf in sorted(PDFS.glob("00*.pdf")):
        text = read_letter(SEEDS / (pdf.name.split(".")[0] + ".txt"))
        assert key_of(read_letter(pdf)) == key_of(text), pdf.name
    stoke = read_letter(SEEDS / STOKE)
    assert key_of(parse_letter(poorly_stoke(), "x.txt")) != key_of(stoke)


# --- conflicts --------------------------------------------------------------------------------


def test_a_second_letter_with_another_rating_is_flagged_at_intake_and_by_check(site):
    letters, index = site
    report = add_letters([(poorly_stoke(), "stoke-poorly.txt")], letters, index, embedder=FakeEmbedder())
    assert [a.letter for a in report.added] == ["stoke-poorly.txt"] and report.ok
    problem = ("004_2db2c4d829b3adf3.txt and stoke-poorly.txt are both Stoke-on-Trent's 2009 annual rating, and their "
               "ratings differ: performs adequately (2) in 004_2db2c4d829b3adf3.txt, performs poorly (1) in "
               "stoke-poorly.txt")
    assert [c["problem"] for c in report.conflicts] == [problem]
    assert report.conflicts[0]["letters"] == [STOKE, "stoke-poorly.txt"]
    assert ("conflicts", f"Check {problem}. Both letters are indexed; which is right is for you to decide.") \
        in report.sentences()
    assert report.to_dict()["conflicts"] == report.conflicts
    assert [c["problem"] for c in report.update.conflicts] == [problem]
    found = check_index(index)
    assert found.ok and [c["problem"] for c in found.conflicts] == [problem]
    reader = IndexReader.open(index)
    assert reader.conflicts == found.conflicts and reader.conflicts_of("stoke-poorly.txt") == found.conflicts
    assert reader.conflicts_of("000_be5145f8e9499e13.txt") == []
    # An update that changes nothing still names it.
    assert update_index(letters, index, embedder=FakeEmbedder()).conflicts == found.conflicts


def test_the_seeds_have_no_conflicts(site):
    letters, index = site
    assert check_index(index).conflicts == [] and IndexReader.open(index).conflicts == []


def test_letters_qa_index_and_check_print_the_conflict(site, capsys, monkeypatch):
    from ui.cli import main

    letters, index = site
    (letters / "stoke-poorly.txt").write_bytes(poorly_stoke())
    shutil.copy(PDFS / "004_2db2c4d829b3adf3.word.pdf", letters / "stoke.pdf")
    monkeypatch.setattr("index.update.make_embedder", lambda model=None: FakeEmbedder())
    assert main(["index", "--index", str(index), "--letters", str(letters)]) == 0
    out = capsys.readouterr().out
    assert ("warning: conflict: 004_2db2c4d829b3adf3.txt and stoke-poorly.txt are both Stoke-on-Trent's 2009 annual "
            "rating, and their ratings differ") in out
    assert ("duplicate: stoke.pdf (the same letter as 004_2db2c4d829b3adf3.txt, in another format; indexed once)"
            in out)
    assert main(["check", "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "conflicts: 1 (letters of one kind, council and year whose ratings differ; both are indexed)" in out
    assert "  conflict: 004_2db2c4d829b3adf3.txt and stoke-poorly.txt are both" in out
    assert main(["check", "--index", str(index), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["conflicts"][0]["letters"] == [STOKE, "stoke-poorly.txt"]
