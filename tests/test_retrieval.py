"""Retrieval over the seeds index with the real model, and FAISS checked against brute force.

The seeds index is built once per session (conftest `seeds_index`); every test here only
reads it. Expected passages were read off the letters by eye: Trafford's "private
fostering is inadequate", Stockton-on-Tees' inadequate serious case review.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

import numpy as np
import pytest
from conftest import gold_questions

from index import database, segments
from index.errors import ArgumentError
from index.manifest import DATABASE, FileRecord, Manifest
from index.reader import IndexReader
from index.store import generation_name
from qa.retriever import LITERAL_BONUS, Passage, joined_overlaps

TRAFFORD = "Trafford Metropolitan Borough Council"
STOCKTON = "Stockton-on-Tees Borough Council"
STOKE = "Stoke-on-Trent City Council"
APA_LETTER = "001_e96dc17fe53b9130.txt"
CITATION_FIELDS = {"letter", "council", "year", "kind", "section", "text", "start", "end", "score"}

BOILERPLATE_QUERIES = [
    ("four point scale minimum requirements", "four point scale"),
    ("section 138 Education and Inspections Act", "section 138"),
    ("Ofsted guidance published in May 2009", "ofsted guidance published in may 2009"),
]


def test_private_fostering_ranks_its_two_findings_first(assistant):
    """Trafford's "private fostering is inadequate" and Stockton's "Private fostering arrangements are
    also good": the sentence that says every word of the query comes first, then the fused order."""
    hits = assistant.search("private fostering is inadequate", k=5)
    assert len(hits) == 5
    assert {hit.council for hit in hits[:2]} == {TRAFFORD, STOCKTON}
    trafford = next(hit for hit in hits[:2] if hit.council == TRAFFORD)
    assert trafford.letter == "003_e59f001d04c76981.txt"
    assert "private fostering is inadequate" in trafford.text


def test_serious_case_review_ranks_stockton_first(assistant):
    hits = assistant.search("serious case review judged inadequate", k=5)
    assert hits[0].council == STOCKTON
    assert hits[0].letter == "002_eaefc0db6d347781.txt"
    assert "One serious case review was judged to be inadequate in June 2009." in hits[0].text


@pytest.mark.parametrize(("council", "expected"), [
    ("stoke on trent", STOKE),
    ("Stoke-on-Trent City Council", STOKE),
    ("Trafford", TRAFFORD),
    ("trafford metropolitan borough council", TRAFFORD),
    ("Trafford Council", TRAFFORD),
    ("City of Stoke-on-Trent", STOKE),
])
def test_council_filter_returns_only_that_council(assistant, council, expected):
    hits = assistant.search("fostering and adoption", k=10, council=council)
    assert hits, "the council has passages about fostering"
    assert {hit.council for hit in hits} == {expected}


def test_council_filter_keeps_the_ranking_inside_the_council(assistant):
    hits = assistant.search("private fostering is inadequate", k=3, council="Stoke-on-Trent")
    assert {hit.council for hit in hits} == {STOKE}
    assert "private fostering arrangements were judged as good" in hits[0].text


def test_year_filter_2008_returns_only_the_apa_letter(assistant):
    hits = assistant.search("staying safe outstanding", k=20, year=2008, parse=False)
    assert len(hits) == 20
    assert {(hit.letter, hit.year, hit.kind) for hit in hits} == {(APA_LETTER, 2008, "apa")}


def test_search_applies_the_filters_its_query_names(assistant):
    """Council, year and APA area named in the query filter the search, as they do for `ask`."""
    hits = assistant.search("staying safe outstanding in Stockport in 2008", k=20)
    assert hits and {(hit.letter, hit.section.split(":")[0]) for hit in hits} == {(APA_LETTER, "Staying safe")}
    hits = assistant.search("private fostering in Trafford", k=5)
    assert hits and {hit.council for hit in hits} == {TRAFFORD}


def test_year_filter_accepts_a_string_and_a_list(assistant):
    assert {h.year for h in assistant.search("fostering", k=10, year="2009")} == {2009}
    assert {h.year for h in assistant.search("fostering", k=30, year=[2008, 2009])} == {2008, 2009}


def test_kind_filter(assistant):
    hits = assistant.search("fostering", k=10, kind="annual_rating")
    assert hits and {hit.kind for hit in hits} == {"annual_rating"}


@pytest.mark.parametrize("filters", [
    dict(council="Nowhere"),
    dict(council="Council"),
    dict(council=""),
    dict(year=1999),
    dict(council="Trafford", year=2008),
])
def test_a_filter_that_matches_nothing_returns_nothing(assistant, filters):
    assert assistant.search("private fostering is inadequate", k=5, **filters) == []


@pytest.mark.parametrize("query", ["", "   ", "\n"])
def test_an_empty_query_returns_nothing(assistant, query):
    assert assistant.search(query, k=5) == []


@pytest.mark.parametrize("k", [0, -1, 101])
def test_k_outside_1_to_100_is_refused(assistant, k):
    """It returned nothing for k < 1 before; the Assistant now holds every caller to the HTTP API's
    limit (qa/params.py, tests/test_arguments.py)."""
    with pytest.raises(ArgumentError, match=f"k must be a whole number from 1 to 100, not {k}"):
        assistant.search("fostering", k=k)


@pytest.mark.parametrize(("query", "phrase"), BOILERPLATE_QUERIES)
def test_boilerplate_is_never_a_hit(assistant, query, phrase):
    for council in (None, "Trafford", "Stockport"):
        hits = assistant.search(query, k=20, council=council)
        assert hits
        assert [hit.text for hit in hits if phrase in " ".join(hit.text.lower().split())] == []


@pytest.mark.parametrize(("query", "phrase"), BOILERPLATE_QUERIES)
def test_include_boilerplate_finds_it(assistant, query, phrase):
    hits = assistant.search(query, k=5, include_boilerplate=True)
    # Each letter repeats the paragraph word for word, so its copies tie with each other and
    # with the next boilerplate paragraph: look in the first five, not only the first hit.
    assert any(phrase in " ".join(hit.text.lower().split()) for hit in hits)


def test_the_boilerplate_scale_table_is_found_in_every_annual_letter(assistant):
    hits = assistant.search("four point scale minimum requirements", k=4, include_boilerplate=True)
    assert {hit.council for hit in hits} == {STOKE, TRAFFORD, STOCKTON, "Stockport Metropolitan Borough Council"}
    assert all(hit.text.startswith("The annual rating derives from a four point scale:") for hit in hits)


def test_a_window_that_overlaps_a_better_one_joins_it(assistant):
    """Stockport's 2009 letter: "... key weaknesses in secondary provision. No secondary school is
    outstanding and too many are satisfactory." ranks first, and the window after it, ending "These
    schools do not do as well as in similar areas ...", used to be dropped for sharing a sentence
    with it (the comparison was then at rank 5). Now it extends the first hit: one verbatim span."""
    hits = assistant.search("how do secondaries compare with similar councils on pupils' progress and getting "
                            "them ready for work", k=5, council="Stockport", year=2009)
    first = hits[0]
    assert first.text.startswith("A larger proportion of primary schools are good or better than nationally")
    assert first.text.endswith("These schools do not do as well as in similar areas and the national average in "
                               "enjoying and achieving and achieving economic well-being.")
    assert first.text == assistant.reader.letter_text(first.letter)[first.start:first.end]
    assert not any(h.letter == p.letter and h.start < p.end and p.start < h.end
                   for i, h in enumerate(hits) for p in hits[:i])


LETTER = "One. Two. Three. Four. Five."  # sentences at 0-4, 5-9, 10-16, 17-22, 23-28


def _window(start: int, end: int, letter: str = "a.txt") -> Passage:
    return Passage(letter, "C", 2009, "annual_rating", "S", LETTER[start:end], start, end, 0.0, None, None)


def test_joined_overlaps_extends_a_kept_window_once_and_never_into_another():
    one_two, two_three, three_four, four_five = _window(0, 9), _window(5, 16), _window(10, 22), _window(17, 28)
    every = {"one", "two", "three", "four", "five"}
    joined = joined_overlaps([two_three, one_two, three_four], 5, every)
    assert [(p.start, p.end, p.text) for p in joined] == [(0, 16, "One. Two. Three.")]  # once: Four stays out
    # A union that would overlap another kept window is not made; the overlapping hit is dropped.
    assert [(p.start, p.end) for p in joined_overlaps([one_two, three_four, two_three], 5, every)] == [(0, 9), (10, 22)]
    # Joining takes no place: k counts distinct passages; other letters never join.
    other = _window(5, 16, letter="b.txt")
    assert [(p.letter, p.start, p.end) for p in joined_overlaps([four_five, three_four, other, one_two], 2, every)] == [
        ("a.txt", 10, 28), ("b.txt", 5, 16)]
    # Only a sentence that holds a word of the question joins.
    assert [(p.start, p.end) for p in joined_overlaps([two_three, one_two, three_four], 5, {"four"})] == [(5, 22)]
    assert [(p.start, p.end) for p in joined_overlaps([two_three, one_two, three_four], 5, {"six"})] == [(5, 16)]


def test_the_literal_early_stop_gives_the_full_sorts_passages_when_windows_join():
    """_literal_first stops once its literal passages give k: it must count what joined_overlaps keeps,
    not what without_overlaps would. Here the second window joins the first, so the third (apart from
    the first) overlaps the union and is dropped: the first three windows give one passage, not two,
    and the other letter's window is the second."""
    from qa.retriever import _literal_first, content_terms

    text = "Foster care one. Foster care two. Foster care three. Foster care four."  # 0-16, 17-33, 34-52, 53-70

    def window(start: int, end: int, letter: str = "a.txt") -> Passage:
        return Passage(letter, "C", 2009, "annual_rating", "S", text[start:end], start, end, 0.0, None, None)

    passages = [window(0, 33), window(17, 52), window(34, 70), window(17, 52, letter="b.txt")]
    terms = content_terms("foster care")
    want = joined_overlaps(passages, 2, terms)  # the full sort's answer: every passage says it all
    assert [(p.letter, p.start, p.end) for p in want] == [("a.txt", 0, 52), ("b.txt", 17, 52)]
    assert _literal_first(terms, passages, 2) == joined_overlaps(
        [replace(p, score=p.score + LITERAL_BONUS) for p in passages], 2, terms)


def test_terms_lacking_agrees_with_each_rows_own_words(seeds_index):
    """IndexReader.terms_lacking (from the postings held in memory) gives, for every row of the
    seeds index and the content terms of every third gold question, the terms that the row's
    own words (context line and text, stemmed as BM25 counts them) do not hold; None for a
    boilerplate row, whose postings are not held, and for every row before a search has loaded
    them (it does not load them itself). And what Retriever._unsaid rests on: every sentence's
    content terms are among its row's words or its section title's."""
    from index.bm25 import count_terms
    from index.chunks import search_text
    from qa.retriever import content_terms, sentence_terms

    reader = IndexReader.open(seeds_index)
    stored = reader._db.execute("SELECT row, context, text, boilerplate FROM chunks ORDER BY row").fetchall()
    assert reader.terms_lacking({"foster", "privat"}, [0, 1]) == [None, None] and reader._held is None
    reader.content_bm25("private fostering", 5)  # a search loads the postings
    words = {row: set(count_terms(search_text(context, text))[1]) for row, context, text, _ in stored}
    rows = [row for row, *_ in stored]
    boilerplate = {row for row, *_, flag in stored if flag}
    assert boilerplate and len(boilerplate) < len(rows)
    checked = 0
    for question in gold_questions("gold.jsonl", "gold_people_heldout.jsonl")[::3]:
        terms = content_terms(question)
        for row, missing in zip(rows, reader.terms_lacking(terms, rows)):
            assert missing == (None if row in boilerplate else terms - words[row]), (question, row)
            checked += missing is not None and 0 < len(missing) < len(terms)
    assert checked > 1000  # rows holding some of the terms and not others
    # What _unsaid rests on: a sentence's content terms are among its row's words or title's.
    sections = dict(reader._db.execute("SELECT row, section FROM chunks").fetchall())
    for row, _, text, _ in stored:
        for sentence in sentence_terms(Passage("a.txt", "C", 2009, "annual_rating", sections[row], text, 0,
                                               len(text), 0.0, None, None)):
            assert sentence <= words[row] | content_terms(sections[row]), row
    reader.close()


def test_passages_that_cannot_say_it_all_are_not_read_and_the_answer_is_the_same(assistant, monkeypatch):
    """A search reads the sentences only of the passages whose words and section title hold every
    content term of the query (Retriever._unsaid): every gold and held-out question, with and
    without filters, finds the same passages, scores and order as reading them all. Here the
    keyword steps' sentences are dropped too, so that every passage is judged that way, those
    that do say it all among them."""
    from qa.retriever import Retriever

    calls = [(question, filters) for question in gold_questions("gold.jsonl", "gold_people_heldout.jsonl")
             for filters in ({}, {"year": 2009}, {"polarity": "weakness"})]
    keywords, unsaid, skipped = Retriever._keywords, Retriever._unsaid, []

    def counted(self, *args):
        found = unsaid(self, *args)
        skipped.append(len(found))
        return found

    monkeypatch.setattr(Retriever, "_unsaid", counted)
    normal = [assistant.search(question, k=5, **filters) for question, filters in calls]
    assert sum(skipped) > len(calls) // 3  # passages found by meaning alone, skipped
    monkeypatch.setattr(Retriever, "_keywords", lambda self, *args: (lambda found: found and found._replace(
        sentence_terms={}))(keywords(self, *args)))
    skipped.clear()
    assert [assistant.search(question, k=5, **filters) for question, filters in calls] == normal
    assert sum(skipped) > 5 * len(calls)
    monkeypatch.setattr(Retriever, "_unsaid", lambda self, *args: {})
    assert [assistant.search(question, k=5, **filters) for question, filters in calls] == normal


def test_a_term_in_the_section_title_alone_does_not_rule_a_passage_out(assistant):
    """Retriever._unsaid rules out a passage whose postings lack a query term unless its section
    title holds that term (a sentence says it all with the title's words): in an index whose
    rows carry no context line, the title's words are in no posting. A stand-in reader reports
    "foster" missing from rows 1 and 2, and row 3 as boilerplate (no postings held)."""
    from qa.retriever import Retriever, content_terms

    class Lacking:
        manifest = assistant.reader.manifest

        def terms_lacking(self, terms, rows):
            return [{"foster"}, {"foster"}, None]

    def passage(letter: str, section: str) -> Passage:
        return Passage(letter, "C", 2009, "annual_rating", section, "Arrangements are good.", 0, 22, 0.0, None, None)

    passages = [passage("a.txt", "Private fostering"), passage("b.txt", "Staying safe"), passage("c.txt", "Scale")]
    retriever = Retriever(Lacking(), assistant.embedder)
    unsaid = retriever._unsaid(content_terms("private fostering arrangements"), [1, 2, 3], passages, {})
    assert unsaid == {("b.txt", 0, 22): []}
    assert retriever._unsaid(content_terms("fostering"), [1, 2, 3], passages, {}) == {}  # one term: nothing to rule

QUERIES = [
    ("private fostering is inadequate", {}),
    ("serious case review", {}),
    ("children's homes", dict(council="Stoke-on-Trent")),
    ("capacity to improve", dict(year=2008)),
    ("four point scale", dict(include_boilerplate=True)),
    ("national indicators", dict(k=40)),
]


@pytest.mark.parametrize(("query", "options"), QUERIES)
def test_every_hit_is_the_letter_text_at_its_span(assistant, query, options):
    hits = assistant.search(query, **{"k": 10, **options})
    assert hits
    for hit in hits:
        letter_text = assistant.reader.letter_text(hit.letter)
        assert 0 <= hit.start < hit.end <= len(letter_text)
        assert hit.text == letter_text[hit.start:hit.end]


@pytest.mark.parametrize(("query", "options"), QUERIES)
def test_hits_are_ranked_distinct_and_repeatable(assistant, query, options):
    hits = assistant.search(query, **{"k": 10, **options})
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert len({(hit.letter, hit.start) for hit in hits}) == len(hits)
    assert assistant.search(query, **{"k": 10, **options}) == hits


def test_search_json_has_the_design_fields(assistant):
    hits = assistant.search("private fostering is inadequate", k=3)
    document = json.loads(json.dumps({"query": "private fostering is inadequate", "hits": [h.to_dict() for h in hits]}))
    assert len(document["hits"]) == 3
    for hit in document["hits"]:
        assert CITATION_FIELDS <= set(hit)
        assert isinstance(hit["letter"], str) and hit["letter"].endswith(".txt")
        assert isinstance(hit["year"], int) and isinstance(hit["start"], int) and isinstance(hit["end"], int)
        assert isinstance(hit["score"], float) and hit["score"] > 0
        assert hit["kind"] in ("annual_rating", "apa")
    first = next(hit for hit in document["hits"] if hit["council"] == TRAFFORD)
    assert (first["year"], first["kind"], first["polarity"]) == (2009, "annual_rating", "weakness")
    assert first["section"] == "Children's services rating 2009"


# --- FAISS against brute force ---------------------------------------------------------


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None):
    """Top-k (rows, scores) by numpy: the reference FAISS must agree with."""
    scores = vectors @ query
    rows = np.arange(len(vectors)) if allowed is None else np.flatnonzero(allowed)
    best = rows[np.argsort(-scores[rows], kind="stable")[:k]]
    return best, scores[best]


def agrees_with_brute_force(reader: IndexReader, vectors: np.ndarray, k: int, allowed: np.ndarray | None) -> None:
    """reader.dense gives brute force's rows, in its order, and scores, for 5 random queries."""
    rng = np.random.default_rng(k)
    for _ in range(5):
        query = rng.standard_normal(vectors.shape[1]).astype(np.float32)
        query /= np.linalg.norm(query)
        found = reader.dense(query, k, allowed)
        rows, scores = brute_force(vectors, query, k, allowed)
        assert [row for row, _ in found] == rows.tolist()
        np.testing.assert_allclose([score for _, score in found], scores, atol=1e-5)


def random_reader(folder, n: int, dim: int, seed: int, repeats: int = 1,
                  vectors: np.ndarray | None = None) -> tuple[IndexReader, np.ndarray]:
    """A real index folder whose FAISS rows are n random unit vectors (one letter, n chunks), or
    n // repeats of them, each `repeats` times (equal scores, so ties); or the `vectors` given."""
    if vectors is None:
        rng = np.random.default_rng(seed)
        vectors = rng.standard_normal((n // repeats, dim)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = np.tile(vectors, (repeats, 1))
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n, dim = vectors.shape
    generation = folder / generation_name(1)
    generation.mkdir(parents=True)
    db: sqlite3.Connection = database.create(generation / DATABASE)
    db.execute("INSERT INTO letters VALUES (1, 'r.txt', 'x', 'Random Council', 'Random', 2009, 'annual_rating', "
               "NULL, NULL, NULL, '[]', 'text')")
    db.executemany('INSERT INTO chunks VALUES (?, 1, "s", "t", 0, 1, 0, 0, "f", 1, "", "neutral", "")',
                   [(i,) for i in range(n)])
    db.commit()
    db.close()
    segment = segments.write(generation, 0, vectors)
    Manifest(generation=1, folder=generation.name, model="random", dim=dim, letters={"r.txt": "x"}, chunks=n,
             segments=(segment,), database=FileRecord.of(generation, DATABASE)).write(folder)
    return IndexReader.open(folder), vectors


def masks(n: int, seed: int):
    rng = np.random.default_rng(seed)
    sparse = np.zeros(n, dtype=bool)
    sparse[rng.choice(n, 3, replace=False)] = True
    return {"none": None, "half": rng.random(n) < 0.5, "tenth": rng.random(n) < 0.1, "three rows": sparse}


@pytest.fixture(scope="module")
def random_index(tmp_path_factory):
    reader, vectors = random_reader(tmp_path_factory.mktemp("random-index"), 2000, 384, seed=7)
    yield reader, vectors
    reader.close()


@pytest.mark.parametrize("mask", ["none", "half", "tenth", "three rows"])
@pytest.mark.parametrize("k", [1, 10, 100])
def test_faiss_agrees_with_numpy_on_random_vectors(random_index, mask, k):
    reader, vectors = random_index
    allowed = masks(len(vectors), seed=11)[mask]
    agrees_with_brute_force(reader, vectors, k, allowed)


@pytest.fixture(scope="module")
def repeated_index(tmp_path_factory):
    reader, vectors = random_reader(tmp_path_factory.mktemp("repeated-index"), 3000, 64, seed=5, repeats=3)
    yield reader, vectors
    reader.close()


@pytest.mark.parametrize("mask", ["every row", "half", "first half", "second half", "tenth", "three rows"])
@pytest.mark.parametrize("k", [1, 10, 100])
@pytest.mark.parametrize("fixture", ["random_index", "repeated_index"])
@pytest.mark.parametrize("extra", [512, 3])
def test_the_8bit_first_pass_gives_the_exact_answer(request, monkeypatch, fixture, mask, k, extra):
    """Non-boilerplate searches over COARSE_MIN_ROWS rows or more rank 8-bit copies first
    (IndexReader._dense_coarse) and score in full only the rows that could be in the top k: the
    rows, their order (ties by row, as brute force breaks them) and scores are the exact ones.
    COARSE_MIN_ROWS and COARSE_MIN_ALLOWED are lowered so that these small indexes take that
    path; COARSE_EXTRA 3 makes the first ask too short, so the pass must ask again; "first half"
    and "second half" leave one half of the copy no row; a tenth of the rows (~200, ~300) takes it
    too, though under an eighth of them. Three rows are under COARSE_MIN_ALLOWED, which
    content_dense scores directly: no 8-bit copy is made."""
    import index.reader

    monkeypatch.setattr(index.reader, "COARSE_MIN_ROWS", 50)
    monkeypatch.setattr(index.reader, "COARSE_MIN_ALLOWED", 150)
    monkeypatch.setattr(index.reader, "COARSE_EXTRA", extra)
    reader, vectors = request.getfixturevalue(fixture)
    monkeypatch.setattr(reader, "_coarse", None)  # made here or not at all, whichever test ran before
    middle = int(len(vectors) * index.reader.COARSE_FIRST_SHARE)  # where the copy's second half starts
    halves = {"every row": np.ones(len(vectors), dtype=bool), "first half": np.arange(len(vectors)) < middle,
              "second half": np.arange(len(vectors)) >= middle}
    allowed = halves[mask] if mask in halves else masks(len(vectors), seed=11)[mask]
    agrees_with_brute_force(reader, vectors, k, allowed)
    assert (reader._coarse is not None) == (mask != "three rows")


@pytest.mark.parametrize("fixture", ["random_index", "repeated_index"])
def test_the_8bit_copys_scores_are_within_its_bound(request, monkeypatch, fixture):
    """Every row's score by its 8-bit copy (each half's own ranges, then its offset) is within
    the bound `_dense_coarse` keeps rows by (per unit of the query's length), in both halves: the
    first pass's exactness rests on it. A copy scored without its ranges or offset would be
    far outside it; the bound is also not so loose that it keeps most rows (the worst error seen
    is over a tenth of it)."""
    from index.reader import COARSE_FIRST_SHARE

    reader, vectors = request.getfixturevalue(fixture)
    monkeypatch.setattr(reader, "_coarse", None)
    halves, bound = reader._coarse_index()
    assert [half.start for half in halves] == [0, int(len(vectors) * COARSE_FIRST_SHARE)]
    worst = 0.0
    for query in np.random.default_rng(4).standard_normal((20, vectors.shape[1])).astype(np.float32):
        for half in halves:
            scores, rows = half.search(query, half.index.ntotal, None)
            exact = np.einsum("ij,j->i", vectors[rows], query)
            worst = max(worst, float(np.abs(scores - exact).max()) / float(np.linalg.norm(query)))
    assert bound / 10 < worst <= bound


@pytest.fixture(scope="module")
def clustered_index(tmp_path_factory):
    """3,000 rows in 4 numbers packed close together (c + U(0, 0.02)), the copy's second half
    spread ten times wider, and five far rows that stretch every number's range: copy scores
    crowd within a bound of each other, where a margin of one bound instead of two, or the
    narrower half's bound for both, loses rows of the top k (found by a review's search for a
    failing case)."""
    from index.reader import COARSE_FIRST_SHARE

    rng = np.random.default_rng(7)  # a seed where a margin of one bound loses rows (8 of 600 searches)
    middle = int(3000 * COARSE_FIRST_SHARE)
    vectors = rng.standard_normal(4) + rng.random((3000, 4)) * 0.02
    vectors[middle:] = rng.standard_normal(4) + rng.random((3000 - middle, 4)) * 0.2
    vectors[:5] = rng.standard_normal((5, 4)) * 10
    reader, vectors = random_reader(tmp_path_factory.mktemp("clustered-index"), 0, 0, 0, vectors=vectors)
    yield reader, vectors
    reader.close()


@pytest.mark.parametrize("extra", [256, 3])
def test_the_8bit_first_pass_is_exact_on_crowded_rows(clustered_index, monkeypatch, extra):
    """The 8-bit pass against scoring every allowed row (the same row-by-row product), on rows
    whose copy scores crowd together: every row, order and score, for 40 queries, 5 masks (the
    halves alone, a twentieth) and k 1, 3 and 10."""
    import index.reader
    from index.bm25 import top_rows
    from index.reader import _scores

    monkeypatch.setattr(index.reader, "COARSE_MIN_ROWS", 0)
    monkeypatch.setattr(index.reader, "COARSE_MIN_ALLOWED", 0)
    monkeypatch.setattr(index.reader, "COARSE_EXTRA", extra)
    reader, vectors = clustered_index
    rng, n = np.random.default_rng(100), len(vectors)
    middle = int(n * index.reader.COARSE_FIRST_SHARE)
    cuts = [None, rng.random(n) < 0.5, np.arange(n) < middle, np.arange(n) >= middle, rng.random(n) < 0.05]
    for query in rng.standard_normal((40, 4)).astype(np.float32):
        scores = _scores(vectors, query)
        for allowed in cuts:
            rows = np.arange(n) if allowed is None else np.flatnonzero(allowed)
            for k in (1, 3, 10):
                assert reader.content_dense(query, k, allowed) == top_rows(rows, scores[rows], k)
    assert reader._coarse is not None


def test_faiss_returns_nothing_when_no_row_is_allowed(random_index):
    reader, vectors = random_index
    assert reader.dense(vectors[0], 5, np.zeros(len(vectors), dtype=bool)) == []
    assert reader.dense(vectors[0], 0, None) == []


@pytest.mark.parametrize("query", ["private fostering is inadequate", "capacity to improve", "four point scale"])
@pytest.mark.parametrize("mask", ["none", "not boilerplate", "one letter", "random"])
def test_faiss_agrees_with_numpy_on_the_seeds_index(assistant, real_embedder, query, mask):
    reader = assistant.reader
    vectors = reader.vectors()
    allowed = {
        "none": None,
        "not boilerplate": ~reader.row_boilerplate,
        "one letter": reader.row_letter == reader.row_letter[0],
        "random": np.random.default_rng(3).random(len(vectors)) < 0.5,
    }[mask]
    vector = real_embedder.embed([query])[0]
    for k in (1, 5, 30):
        found = reader.dense(vector, k, allowed)
        rows, scores = brute_force(vectors, vector, k, allowed)
        assert len(found) == len(rows)
        np.testing.assert_allclose([score for _, score in found], scores, atol=1e-5)
        # The seeds repeat boilerplate word for word, so equal vectors may swap places: check
        # each returned row really has its score, and is allowed, rather than the tie order.
        for row, score in found:
            assert allowed is None or allowed[row]
            assert abs(float(vectors[row] @ vector) - score) < 1e-5
        assert len({row for row, _ in found}) == len(found)


def test_question_vectors_are_cached_across_questions_and_generations(tmp_path, letters_dir):
    """A repeated question (or one re-asked after an update swapped the generation) skips the model."""
    from conftest import CountingEmbedder, FakeEmbedder, make_annual_letter

    from index.embedder import QueryCache
    from index.update import update_index
    from qa import Assistant

    update_index(letters_dir, tmp_path / "index", embedder=FakeEmbedder())
    counting = CountingEmbedder(FakeEmbedder())
    assistant = Assistant.open(tmp_path / "index", embedder=counting)
    first = assistant.search("private fostering", k=3)
    assert counting.texts == 1 and assistant.search("private fostering", k=3) == first and counting.texts == 1
    (letters_dir / "northwold.txt").write_text(make_annual_letter("Northwold", "Northwold Council", "well"))
    update_index(letters_dir, tmp_path / "index", embedder=FakeEmbedder())
    assert len(assistant.search("private fostering", k=3)) == 3 and counting.texts == 1  # new generation, cached
    assistant.search("children's homes", k=3)
    assert counting.texts == 2
    cache = QueryCache(counting, size=2)
    for text in ("a", "b", "a", "c", "b"):  # "b" was least recently used when "c" came
        cache.vector(text)
    assert counting.texts == 2 + 4


def test_an_area_named_where_no_letter_grades_areas_is_searched_as_words(assistant):
    """Trafford's only letter (2009) grades no APA areas: "enjoying and achieving in Trafford" used
    to select no passage at all; it now finds the sentence that says the words. Stockport's 2008
    APA grades the area, so there the area still filters."""
    trafford = assistant.search("enjoying and achieving in Trafford", k=3)
    assert "good or better in enjoying and achieving" in trafford[0].text
    assert {hit.council for hit in trafford} == {TRAFFORD}
    stockport = assistant.search("enjoying and achieving in Stockport", k=3)
    assert stockport and all(hit.section.startswith("Enjoying and achieving") for hit in stockport)


@pytest.mark.parametrize("query", ["private fostering is inadequate", "capacity to improve", "care leavers",
                                   "serious case reviews", "the staying safe grade"])
def test_content_search_is_the_dense_search_without_boilerplate(assistant, real_embedder, query):
    """IndexReader.content_dense (flags over the non-boilerplate rows; None for all of them) gives
    what dense gives with the same rows allowed out of every row."""
    reader = assistant.reader
    vector = real_embedder.embed([query])[0]
    letters = reader.content_columns()[0]
    for mask in [None, letters == letters[0], np.random.default_rng(1).random(len(letters)) < 0.5]:
        allowed = ~reader.row_boilerplate
        if mask is not None:
            allowed = np.zeros(reader.chunks, dtype=bool)
            allowed[reader.content_rows[mask]] = True
        for k in (1, 5, 30):
            assert reader.content_dense(vector, k, mask) == reader.dense(vector, k, allowed)


@pytest.mark.parametrize("query", ["private fostering is inadequate", "private fostering", "capacity to improve",
                                   "care leavers accommodation", "serious case reviews judged", "schools"])
def test_the_literal_match_stops_reading_once_k_passages_say_it_all(assistant, real_embedder, query):
    """Retriever.search reads the passages' sentences only until k non-overlapping ones say the
    whole query (qa/retriever.py _literal_first); with a reranker it reads them all, sorts and
    reranks. An identity reranker therefore gives the full sort's answer: the same passages."""
    from qa.retriever import Retriever

    quick = Retriever(assistant.reader, real_embedder)
    full = Retriever(assistant.reader, real_embedder, reranker=lambda _, passages: passages)
    for k in (1, 2, 5, 10):
        for council in (None, "Trafford"):
            assert quick.search(query, k=k, council=council) == full.search(query, k=k, council=council)


def test_readers_of_equal_councils_share_one_council_list(seeds_index, tmp_path, letters_dir):
    """The question parser keys its caches by a reader's council list: two readers of equal
    councils (a server's next generation, two copies of one index) get the same object, so a
    lookup is found by identity; equal but separate lists made each lookup compare every pair."""
    from conftest import FakeEmbedder

    from index.reader import IndexReader
    from index.update import update_index

    first, second = IndexReader.open(seeds_index), IndexReader.open(seeds_index)
    assert first.council_names is second.council_names
    other_dir = tmp_path / "other"
    sorted(letters_dir.glob("*.txt"))[0].unlink()  # one council fewer
    update_index(letters_dir, other_dir, embedder=FakeEmbedder())
    other = IndexReader.open(other_dir)
    assert other.council_names != first.council_names and other.council_names is not first.council_names
    for reader in (first, second, other):
        reader.close()
