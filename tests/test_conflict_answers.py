"""Conflicting letters are marked in every answer that lists them, both cited (issue 26, item 4).

A second 2009 letter for Stoke-on-Trent that says it performs poorly sits beside the seed that
says adequately. Both stay indexed (which is right is not the index's to decide); a list, a
lookup and a comparison that show either one say there is a conflict and cite both sentences.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import SEEDS, FakeEmbedder

from index.update import update_index
from qa import Assistant

STOKE = "004_2db2c4d829b3adf3.txt"
ADEQUATELY = "Children's services in Stoke-on-Trent City Council perform adequately."
POORLY = "Children's services in Stoke-on-Trent City Council perform poorly."
NOTE = ("**Conflict**: two letters are Stoke-on-Trent's 2009 annual rating, and they grade it differently: "
        "Performs adequately (2) in 004\\_2db2c4d829b3adf3.txt [{a}]; Performs poorly (1) in stoke-poorly.txt [{b}]. "
        "Both are in the index; which is right is not decided here.")


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    root = tmp_path_factory.mktemp("conflict")
    letters = root / "letters"
    shutil.copytree(SEEDS, letters)
    text = (SEEDS / STOKE).read_text(encoding="utf-8").replace("perform adequately", "perform poorly")
    (letters / "stoke-poorly.txt").write_text(text.replace("Performs adequately (2)", "Performs poorly (1)"),
                                              encoding="utf-8")
    report = update_index(letters, root / "index", embedder=FakeEmbedder())
    assert len(report.conflicts) == 1
    return Assistant.open(root / "index", embedder=FakeEmbedder())


@pytest.mark.parametrize("question", [
    "Which councils perform adequately?",  # lists the seed's side ...
    "Which councils perform poorly?",  # ... or the other side: each names the conflict
    "What rating did Stoke-on-Trent get?",
    "Compare Stoke-on-Trent and Trafford",
    "What did Ofsted say about Stoke-on-Trent?",
    "Has Stoke-on-Trent got better or worse?",
])
def test_an_answer_showing_either_letter_names_the_conflict_and_cites_both(assistant, question):
    answer = assistant.ask(question)
    texts = [c.text for c in answer.citations]
    assert ADEQUATELY in texts and POORLY in texts
    note = NOTE.format(a=texts.index(ADEQUATELY) + 1, b=texts.index(POORLY) + 1)
    assert answer.text.count("**Conflict**") == 1 and note in answer.text


def test_an_answer_about_other_councils_says_nothing_of_it(assistant):
    answer = assistant.ask("Which councils perform well?")
    assert "Conflict" not in answer.text and POORLY not in [c.text for c in answer.citations]


def test_the_letters_view_names_the_conflict_beside_both_letters(assistant):
    from ui.web.app import letter_warnings

    assert letter_warnings(assistant.reader) == {
        STOKE: "conflict: its ratings differ from stoke-poorly.txt's (same kind, council and year)",
        "stoke-poorly.txt": f"conflict: its ratings differ from {STOKE}'s (same kind, council and year)"}
