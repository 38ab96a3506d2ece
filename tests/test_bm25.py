"""BM25 (index/bm25.py): terms, scores against a plain-Python reference, segments, format upgrade."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, CountingEmbedder, FakeEmbedder, reseal

from index import bm25
from index.chunks import search_text
from index.errors import IndexStoreError
from index.manifest import MANIFEST, VERSION
from index.reader import IndexReader
from index.update import update_index


def test_terms_are_folded_stemmed_and_without_stopwords():
    assert bm25.words("Café-style CHILDREN'S homes, 16–18") == ["cafe", "style", "children", "s", "homes", "16", "18"]
    assert bm25.query_terms("What are the children's homes like? Homes!") == ["children", "home", "like"]
    assert bm25.query_terms("the of and") == []
    length, counts = bm25.count_terms("Fostering: the fostered children and fostering agencies")
    assert length == 7 and counts == {"foster": 3, "children": 1, "agenc": 1}


def reference_top(reader: IndexReader, text: str, k: int, allowed) -> list[tuple[int, float]]:
    """BM25 the slow way: every chunk's text tokenised here, FTS5's formula written out."""
    # What BM25 indexes: the chunk's context line, then its text (index/chunks.py search_text).
    rows = reader._query("SELECT row, context, text FROM chunks")
    texts = {row: search_text(context, body) for row, context, body in rows}
    counted = {row: bm25.count_terms(body) for row, body in texts.items()}
    n, average = len(counted), sum(length for length, _ in counted.values()) / len(counted)
    scores = {}
    for term in bm25.query_terms(text):
        holders = [row for row, (_, counts) in counted.items() if term in counts]
        idf = max(math.log((n - len(holders) + 0.5) / (len(holders) + 0.5)), 1e-6)
        for row in holders:
            if allowed is None or allowed[row]:
                tf, length = counted[row][1][term], counted[row][0]
                scores[row] = scores.get(row, 0.0) + idf * tf * (bm25.K1 + 1) / (
                    tf + bm25.K1 * (1 - bm25.B + bm25.B * length / average))
    scores = {row: score for row, score in scores.items() if score > bm25.MIN_SCORE}  # real matches only
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]


def test_a_word_in_most_passages_matches_nothing_alone(seeds_index):
    """"children" is in more than half the passages (idf floored at 1e-6): alone it ranks no row
    (it used to rank them all by row number, and the fusion counted those ranks); beside a real
    term it adds no row to that term's."""
    reader = IndexReader.open(seeds_index)
    assert reader.bm25("children", 1000, None) == []
    alone = [row for row, _ in reader.bm25("fostering", 1000, None)]
    assert alone and {row for row, _ in reader.bm25("children fostering", 1000, None)} == set(alone)


@pytest.mark.parametrize("question", [
    "private fostering arrangements", "serious case review inadequate", "children's homes",
    "Stockport Stockport staying safe", "zebra", "the and of",
])
@pytest.mark.parametrize("boilerplate", [False, True])
def test_scores_match_a_plain_python_reference(seeds_index, question, boilerplate):
    reader = IndexReader.open(seeds_index)
    allowed = None if boilerplate else ~reader.row_boilerplate
    got, want = reader.bm25(question, 1000, allowed), reference_top(reader, question, 1000, allowed)
    assert np.allclose([s for _, s in got], [s for _, s in want], rtol=1e-5)
    # Same rows in the same order, up to float32 rounding among equal scores.
    assert sorted((-round(s, 4), row) for row, s in got) == sorted((-round(s, 4), row) for row, s in want)
    for k in (1, 5, 10):  # the top k in order, ties at the k-th place broken by the lower row as everywhere
        want_k = [(row, round(score, 4)) for row, score in reference_top(reader, question, k, allowed)]
        assert [(row, round(score, 4)) for row, score in reader.bm25(question, k, allowed)] == want_k
    if question in ("zebra", "the and of"):
        assert got == []
    else:
        assert len(got) > 0 and all(allowed is None or allowed[row] for row, _ in got)


def test_a_filter_keeps_only_its_rows_and_the_statistics_of_all(seeds_index):
    reader = IndexReader.open(seeds_index)
    stoke = next(letter.id for letter in reader.letters if letter.short_name == "Stoke-on-Trent")
    allowed = (reader.row_letter == stoke) & ~reader.row_boilerplate
    got = reader.bm25("private fostering", 50, allowed)
    assert got and {reader.row_letter[row] for row, _ in got} == {stoke}
    want = reference_top(reader, "private fostering", 50, allowed)
    assert [row for row, _ in got] == [row for row, _ in want]
    assert np.allclose([s for _, s in got], [s for _, s in want], rtol=1e-5)


def test_merging_segments_changes_no_score(tmp_path, letters_dir):
    update_index(letters_dir, tmp_path / "index", embedder=FakeEmbedder())
    generation = tmp_path / "index" / json.loads((tmp_path / "index" / MANIFEST).read_text())["data"]
    db = sqlite3.connect(generation / "index.sqlite")
    # Split every term's postings in two segments, as appends leave them, then merge them back.
    split = []
    for term, rows, tfs in db.execute("SELECT term, rows, tfs FROM postings").fetchall():
        r, c = np.frombuffer(rows, "<i4"), np.frombuffer(tfs, "<u2")
        half = len(r) // 2
        split += [(term, 0, r[:half].tobytes(), c[:half].tobytes()), (term, 1, r[half:].tobytes(), c[half:].tobytes())]
    db.execute("DELETE FROM postings")
    db.executemany("INSERT INTO postings VALUES (?, ?, ?, ?)", split)
    db.commit()
    reseal(tmp_path / "index")
    before = IndexReader.open(tmp_path / "index").bm25("children's homes fostering", 30, None)
    bm25.merge_segments(db)
    db.commit()
    merged = db.execute("SELECT count(DISTINCT segment), count(*) = count(DISTINCT term) FROM postings").fetchone()
    assert merged == (1, 1)
    db.close()
    reseal(tmp_path / "index")
    assert IndexReader.open(tmp_path / "index").bm25("children's homes fostering", 30, None) == before
    assert len(before) >= 10  # rows with "home" or "foster" (a real match), not every row with "children"


@pytest.mark.parametrize("version", [1, 2])
def test_an_index_in_an_older_format_is_refused_then_upgraded_in_place(tmp_path, seeds_index, letters_dir,
                                                                       real_embedder, version):
    """Format 3 changed what a passage is, so the upgrade reads and embeds every letter again;
    until then the old index is refused with the command that upgrades it."""
    index_dir = tmp_path / "index"
    shutil.copytree(seeds_index, index_dir)
    before = IndexReader.open(index_dir)
    want, ratings, vectors = before.bm25("private fostering", 10, None), before.ratings, before.vectors()
    before.close()
    manifest = json.loads((index_dir / MANIFEST).read_text())
    (index_dir / MANIFEST).write_text(json.dumps({**manifest, "version": version}))
    folder = manifest["letters_dir"]
    with pytest.raises(IndexStoreError, match=r"older letters-qa .*upgrade it with `letters-qa index --index") as error:
        IndexReader.open(index_dir)
    assert f"--letters {folder}`" in str(error.value)  # `index` alone would index seeds/ and drop the rest
    cli = subprocess.run([sys.executable, "-m", "ui", "ratings", "--index", str(index_dir)],
                         capture_output=True, text=True, cwd=ROOT)
    assert cli.returncode == 1 and "upgrade it with" in cli.stderr and "Traceback" not in cli.stderr

    counting = CountingEmbedder(real_embedder)
    report = update_index(letters_dir, index_dir, embedder=counting)
    assert counting.texts == report.embedded_chunks == len(vectors)
    assert report.note.startswith(f"index format {version} upgraded to {VERSION}") and report.generation == 2
    assert sorted(report.added) == sorted(p.name for p in letters_dir.iterdir())
    reader = IndexReader.open(index_dir)
    assert reader.manifest.version == VERSION and reader.bm25("private fostering", 10, None) == want
    assert reader.ratings == ratings and np.allclose(reader.vectors(), vectors, atol=1e-5)
    assert update_index(letters_dir, index_dir, embedder=counting).generation == 2  # nothing left to do


def test_a_replaced_reader_is_freed_without_the_garbage_collector(seeds_index):
    import gc
    import weakref

    reader = IndexReader.open(seeds_index)
    reader.bm25("private fostering", 5, None)  # loads the row arrays and the BM25 scorer
    gone = weakref.ref(reader)
    gc.disable()
    try:
        del reader
        assert gone() is None  # no reference cycle keeps its vectors and SQLite connection alive
    finally:
        gc.enable()


@pytest.mark.parametrize("question", [
    "private fostering arrangements", "serious case review inadequate", "children's homes", "zebra",
    "Stockport Stockport staying safe", "children fostering leavers care looked after",
])
def test_the_held_postings_give_the_scorers_rows_and_scores_float_for_float(seeds_index, question):
    """Searches without boilerplate read the non-boilerplate rows' postings from memory
    (IndexReader.content_bm25, bm25.Held): the same (row, score) pairs as Scorer.top reading
    SQLite with the same filter, for no filter, every letter alone and random halves."""
    reader = IndexReader.open(seeds_index)
    content = reader.content_rows
    scorer = reader._chunk_table()[2]
    rng = np.random.default_rng(4)
    masks = [None] + [reader.content_columns()[0] == letter.id for letter in reader.letters]
    masks += [rng.random(len(content)) < 0.5 for _ in range(3)]
    for mask in masks:
        allowed = ~reader.row_boilerplate
        if mask is not None:
            allowed = np.zeros(reader.chunks, dtype=bool)
            allowed[content[mask]] = True
        for k in (1, 5, 50):
            assert reader.content_bm25(question, k, mask) == scorer.top(question, k, allowed, reader._query)
    assert not reader.row_boilerplate[content].any() and len(content) == (~reader.row_boilerplate).sum()
