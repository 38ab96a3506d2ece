"""A search's work beside its encoder and its dense pass (index/beside.py): the same results as
one step after the other, errors raised where they are asked for, and no wait for a helper when
every one is busy. The real bundled model through ONNX Runtime; FAISS in helper threads."""

from __future__ import annotations

import random
import threading

import numpy as np
import pytest

from index import beside as beside_module
from index.beside import beside
from index.embedder import FallbackEmbedder, QueryCache, make_embedder

TEXTS = ["private fostering arrangements", "Which councils perform adequately?", "x", "care leavers " * 40]


@pytest.fixture(scope="module")
def onnx_embedder():
    embedder = make_embedder(threads=1)  # as Assistant.open makes it
    assert isinstance(embedder, FallbackEmbedder)
    embedder.embed(["warm up"])
    assert embedder.backend == "onnx"
    return embedder


@pytest.mark.parametrize("text", TEXTS)
def test_the_vector_beside_the_work_is_embeds_own(onnx_embedder, text):
    threads = []
    vector, done = onnx_embedder.embed_beside(text, lambda: threads.append(threading.get_ident()) or "done")
    assert done == "done"
    np.testing.assert_array_equal(vector, onnx_embedder.embed([text])[0])
    assert threads and threads[0] != threading.get_ident()  # a helper ran it, not this thread


def test_the_works_error_is_raised_to_the_caller(onnx_embedder):
    def broken():
        raise ValueError("no such council")

    with pytest.raises(ValueError, match="no such council"):
        onnx_embedder.embed_beside("private fostering", broken)


def test_when_every_helper_is_busy_the_work_runs_here(onnx_embedder):
    """Four helpers held by other work: the encoder does not wait for one; the work runs in this
    thread after the model, with the same result."""
    release = threading.Event()
    held = [beside(release.wait) for _ in range(beside_module._HELPERS._max_workers)]
    try:
        ran_in = []
        vector, done = onnx_embedder.embed_beside("care leavers", lambda: ran_in.append(threading.get_ident()) or 7)
        assert (done, ran_in) == (7, [threading.get_ident()])
        np.testing.assert_array_equal(vector, onnx_embedder.embed(["care leavers"])[0])
    finally:
        release.set()
        for result in held:
            assert result() is True


def test_the_query_cache_keeps_the_vector_it_made_beside_the_work(onnx_embedder):
    calls = []
    cache = QueryCache(onnx_embedder)
    first, a = cache.vector_beside("children's homes", lambda: calls.append(1) or "a")
    again, b = cache.vector_beside("children's homes", lambda: calls.append(2) or "b")
    assert (a, b, calls) == ("a", "b", [1, 2])
    assert again is first  # the second came from the cache: no model call
    np.testing.assert_array_equal(first, onnx_embedder.embed(["children's homes"])[0])


def test_faiss_searches_with_one_openmp_thread_in_every_thread():
    """OpenMP's thread count is per thread: a server's request threads and the helpers began with
    one per core, and FAISS's idle threads then spin beside the encoder."""
    from index.reader import _faiss

    seen = []

    def ask():
        seen.append(_faiss().omp_get_max_threads())

    for _ in range(3):
        worker = threading.Thread(target=ask)
        worker.start()
        worker.join()
    assert beside(ask)() is None
    assert seen == [1, 1, 1, 1]


def test_search_words_reads_what_parse_question_reads(assistant):
    """A search reads its query with search_words, the first part of parse_question: the same
    words searched, councils, years, kinds and areas for every gold question and more."""
    import json

    from conftest import ROOT

    from qa.query import parse_question, search_words

    reader = assistant.reader
    questions = [json.loads(line)["question"] for name in ("gold.jsonl", "gold_people_heldout.jsonl")
                 for line in (ROOT / "tests" / name).read_text().splitlines() if line.strip()]
    rng = random.Random(5)
    topics, councils = ["private fostering", "care leavers"], ["Stockprt", "Trafford", "stoke"]
    questions += [f"{rng.choice(topics)} in {rng.choice(councils)}"
                  f" {rng.choice(['2008', '2009', 'APA', 'annual rating', 'being healthy'])}" for _ in range(40)]
    for question in questions:
        parsed = parse_question(question, reader.council_names, None, reader.passages_with)
        read = search_words(question, reader.council_names, reader.passages_with)
        assert tuple(read) == (parsed.search_text, parsed.councils, parsed.years, parsed.kinds, parsed.areas), question


class _OneAfterTheOther:
    """The same encoder without embed_beside: QueryCache then encodes first, the keyword steps after."""

    def __init__(self, embedder):
        self.name, self.dim, self._embedder = embedder.name, embedder.dim, embedder

    def embed(self, texts, progress=None):
        return self._embedder.embed(texts, progress=progress)


def test_a_search_beside_its_encoder_finds_what_one_after_the_other_does(seeds_index, onnx_embedder):
    """Every gold question searched with and without the keyword steps beside the encoder (and
    with filters): the same passages, scores and order."""
    import json

    from conftest import ROOT

    from qa import Assistant

    together, apart = Assistant(seeds_index, embedder=onnx_embedder), Assistant(
        seeds_index, embedder=_OneAfterTheOther(onnx_embedder))
    lines = (ROOT / "tests" / "gold.jsonl").read_text().splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    for question in questions:
        for filters in ({}, {"year": 2009}, {"council": "Trafford"}, {"polarity": "weakness"}):
            assert together.search(question, k=8, **filters) == apart.search(question, k=8, **filters), question
