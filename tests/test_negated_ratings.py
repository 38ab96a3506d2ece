"""A rating sentence the letter negates states no rating (index/kinds/performs.py).

Seed 000 (Stockport, 2009) states its rating twice: the table row "Children's services
rating<TAB>Performs well (3)" and the sentence "Children's services in Stockport Metropolitan
Borough Council perform well.". Here the sentence is edited to deny a rating. The table then
wins alone (no conflict with a sentence that only denies another grade); with the row gone,
no rating is invented; a sentence that denies the very grade the table gives is shown as a conflict.
"""

from __future__ import annotations

import pytest
from conftest import SEEDS, FakeEmbedder

from index.kinds import Rating
from index.letters import Letter, parse_letter

SEED = (SEEDS / "000_be5145f8e9499e13.txt").read_text(encoding="utf-8")
COUNCIL = "Stockport Metropolitan Borough Council"
ROW = "Children's services rating\tPerforms well (3)"
SENTENCE = f"Children's services in {COUNCIL} perform well."
assert ROW in SEED and SENTENCE in SEED


def letter(sentence: str, row: bool = True) -> Letter:
    text = SEED.replace(SENTENCE, sentence)
    if not row:
        text = text.replace(ROW + "\n", "")
    return parse_letter(text.encode("utf-8"), "000.txt")


def ratings(found: Letter) -> list[tuple]:
    """Each rating as (area, label, grade, its text, the conflicting text or None)."""
    text = found.text
    return [(r.area, r.label, r.grade, text[r.start:r.end], r.conflict and text[r.conflict[0]:r.conflict[1]])
            for r in found.ratings]


NEGATED_EXCELLENTLY = [
    f"It is not true that children's services in {COUNCIL} perform excellently.",
    f"Ofsted does not consider that children's services in {COUNCIL} perform excellently.",
    f"Children's services in {COUNCIL} do not perform excellently.",
    f"Children's services in {COUNCIL} don't perform excellently.",
    f"Children's services in {COUNCIL} fail to perform excellently.",
    f"Children's services in {COUNCIL} cannot be said to perform excellently.",
    f"It is untrue that children's services in {COUNCIL} perform excellently.",
    f"Children's services in {COUNCIL} no longer perform excellently.",
    f"Children's services in {COUNCIL} never perform excellently.",
    # The wordings of the issue, which never named "children's services in ...": no rating either way.
    "It is not true that Stockport performs excellently.",
    "Ofsted does not consider that the council performs excellently.",
]


@pytest.mark.parametrize("sentence", NEGATED_EXCELLENTLY)
def test_the_table_wins_over_a_negated_sentence(sentence: str) -> None:
    found = letter(sentence)
    assert ratings(found) == [("overall", "Performs well", 3, ROW, None)]
    assert found.council == COUNCIL


@pytest.mark.parametrize("sentence", NEGATED_EXCELLENTLY)
def test_a_negated_sentence_alone_gives_no_rating(sentence: str) -> None:
    found = letter(sentence, row=False)
    assert found.ratings == ()
    assert found.council == COUNCIL


def test_a_sentence_denying_the_tables_grade_is_shown_as_a_conflict() -> None:
    denial = f"Children's services in {COUNCIL} do not perform well."
    assert ratings(letter(denial)) == [("overall", "Performs well", 3, ROW, denial)]


def test_the_first_sentence_that_is_not_negated_is_the_rating() -> None:
    both = (f"It is not true that children's services in {COUNCIL} perform excellently. "
            f"Children's services in {COUNCIL} perform adequately.")
    found = letter(both, row=False)
    assert ratings(found) == [("overall", "Performs adequately", 2, both.split(". ")[1], None)]
    assert found.council == COUNCIL


@pytest.mark.parametrize("sentence", [
    SENTENCE,
    f"Children's services in {COUNCIL} perform well, although not all schools are good.",
    f"Although not every school is good, children's services in {COUNCIL} perform well.",
    f"Children's services in {COUNCIL} perform well; nothing is inadequate.",
    f"Not only that: children's services in {COUNCIL} perform well.",
])
def test_a_not_outside_the_rating_clause_negates_nothing(sentence: str) -> None:
    found = letter(sentence, row=False)
    quoted = sentence[sentence.lower().index("children's services in"):]
    assert ratings(found) == [("overall", "Performs well", 3, quoted, None)]
    assert found.council == COUNCIL


def test_every_seed_keeps_its_ratings() -> None:
    """Unchanged seeds read exactly as before (the other tests pin their spans)."""
    expected = {"000": [3], "002": [3], "003": [3], "004": [2]}
    for path in sorted(SEEDS.glob("*.txt")):
        found = parse_letter(path.read_bytes(), path.name)
        if path.name[:3] in expected:
            assert [r.grade for r in found.ratings] == expected[path.name[:3]]
            assert all(isinstance(r, Rating) and r.conflict is None for r in found.ratings)


def test_answers_never_rate_a_council_by_its_negated_sentence(tmp_path) -> None:
    from index.update import update_index
    from qa import Assistant

    folder = tmp_path / "letters"
    folder.mkdir()
    for path in SEEDS.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    negated = f"It is not true that children's services in {COUNCIL} perform excellently."
    (folder / "000_be5145f8e9499e13.txt").write_text(SEED.replace(SENTENCE, negated).replace(ROW + "\n", ""),
                                                     encoding="utf-8")
    update_index(folder, tmp_path / "index", embedder=FakeEmbedder())
    assistant = Assistant.open(tmp_path / "index", embedder=FakeEmbedder())
    assert assistant.ratings(council="Stockport", year=2009) == []
    answer = assistant.ask("Which councils perform excellently?")
    assert "Stockport" not in answer.text and COUNCIL not in {r.council for r in answer.ratings}
    assert not any(r.grade == 4 for r in answer.ratings)  # the ratings that do exist are cited, none is a 4
    assert "Stockport" not in assistant.ask("Which councils perform well?").text.split("Letters in the index")[0]
