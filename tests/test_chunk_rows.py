"""The non-boilerplate chunk rows held in memory (index/chunk_rows.py) against SQLite's."""

import random

import pytest

from index.chunk_rows import HeldChunks
from index.reader import IndexReader, _chunk_row


def test_held_rows_are_sqlites_rows(seeds_index):
    """Before a search, chunk_rows reads SQLite; a search loads the non-boilerplate rows, and
    from then on every row (those, and boilerplate ones from SQLite) comes back equal to what
    SQLite gives, field by field and type by type, in any order, repeated, or absent."""
    reader = IndexReader.open(seeds_index)
    stored = {row[0]: _chunk_row(row) for row in reader._db.execute(
        'SELECT row, letter_id, section, text, start, "end", boilerplate, polarity FROM chunks')}
    rows = sorted(stored)
    boilerplate = [row for row in rows if stored[row].boilerplate]
    assert boilerplate and len(boilerplate) < len(rows)
    assert reader.chunk_rows(rows) == stored and reader._held_chunks is None
    reader.content_bm25("private fostering", 5)  # a search loads them
    assert len(reader._held_chunks) == len(rows) - len(boilerplate)
    shuffled = random.Random(0).sample(rows, len(rows)) + rows[:7] + [len(rows), len(rows) + 5]
    found = reader.chunk_rows(shuffled)
    assert found == stored
    assert all(list(map(type, found[row])) == list(map(type, stored[row])) for row in rows)
    assert reader.chunk_rows(boilerplate[:3]) == {row: stored[row] for row in boilerplate[:3]}
    assert reader.chunk_rows([len(rows)]) == {} and reader.chunk_rows([]) == {}


def test_held_chunks_alone():
    """Rows found by row, those not held given back in order; rows out of order refused."""
    held = HeldChunks([(2, 7, "Section", "two", 0, 3, 0, "neutral"), (5, 7, "Section", "five", 4, 8, 0, "strength"),
                       (9, 8, "Other", "nine", 0, 4, 0, "neutral")])
    found, rest = held.find([9, 3, 2, 10, 1])
    assert rest == [3, 10, 1]
    assert found == {9: (9, 8, "Other", "nine", 0, 4, False, "neutral"),
                     2: (2, 7, "Section", "two", 0, 3, False, "neutral")}
    assert HeldChunks([]).find([0, 1]) == ({}, [0, 1])
    with pytest.raises(ValueError):
        HeldChunks([(5, 7, "S", "a", 0, 1, 0, "neutral"), (2, 7, "S", "b", 0, 1, 0, "neutral")])
