"""A search's work beside its encoder and its dense pass (index/beside.py): the same results as
one step after the other, errors raised where they are asked for, and no wait for a helper when
every one is busy. The real bundled model through ONNX Runtime; FAISS in helper threads."""

from __future__ import annotations

import random
import threading
import time

import numpy as np
import pytest
from conftest import CountingEmbedder, gold_questions

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
    vector, done = onnx_embedder.embed_beside(text, lambda: "done")
    assert done == "done"
    np.testing.assert_array_equal(vector, onnx_embedder.embed([text])[0])


def test_the_work_runs_while_the_model_does(onnx_embedder, monkeypatch):
    """The model's run waits (up to 10 s) for the work to have begun in another thread: were
    the work run after the model, or in this thread, the wait would time out."""
    session = onnx_embedder.chosen._load()
    begun, seen = threading.Event(), {}

    class Waiting:
        def run(self, *args, **kwargs):
            seen["waited"] = begun.wait(10)
            return session.run(*args, **kwargs)

    monkeypatch.setattr(onnx_embedder.chosen, "_session", Waiting())
    vector, thread = onnx_embedder.embed_beside("private fostering", lambda: begun.set() or threading.get_ident())
    assert seen == {"waited": True} and thread != threading.get_ident()
    monkeypatch.undo()
    np.testing.assert_array_equal(vector, onnx_embedder.embed(["private fostering"])[0])


def test_the_works_error_is_raised_to_the_caller(onnx_embedder):
    def broken():
        raise ValueError("no such council")

    with pytest.raises(ValueError, match="no such council"):
        onnx_embedder.embed_beside("private fostering", broken)


def test_when_every_helper_is_busy_the_work_runs_here(onnx_embedder):
    """Every helper held by other work: the encoder does not wait for one; the work runs in this
    thread after the model, with the same result."""
    settled()
    release = threading.Event()
    held = [beside(release.wait) for _ in range(beside_module._WORKERS)]
    try:
        ran_in = []
        vector, done = onnx_embedder.embed_beside("care leavers", lambda: ran_in.append(threading.get_ident()) or 7)
        assert (done, ran_in) == (7, [threading.get_ident()])
        np.testing.assert_array_equal(vector, onnx_embedder.embed(["care leavers"])[0])
    finally:
        release.set()
        assert [job.result() for job in held] == [True] * beside_module._WORKERS


def settled():
    """Waits until every helper started is idle (one that has just handed back a result is put
    back a moment later), so that a test can hold them all."""
    deadline = time.monotonic() + 10
    while len(beside_module._idle) < beside_module._started and time.monotonic() < deadline:
        time.sleep(0.001)
    assert len(beside_module._idle) == beside_module._started


def test_work_runs_once_here_when_no_thread_can_be_started(monkeypatch):
    """At interpreter shutdown no new thread can start (Thread.start raises): with every helper
    busy and room for one more, the work runs in the caller, once, however often its result is
    asked for, and no helper is counted as started."""

    def refused(self):
        raise RuntimeError("can't create new thread at interpreter shutdown")

    settled()
    release = threading.Event()
    held = [beside(release.wait) for _ in range(beside_module._WORKERS)]
    try:
        started = beside_module._started
        monkeypatch.setattr(beside_module, "_WORKERS", beside_module._WORKERS + 1)
        monkeypatch.setattr(threading.Thread, "start", refused)
        calls = []
        job = beside(lambda: calls.append(threading.get_ident()) or "value")
        assert (job.result(), job.result(), calls) == ("value", "value", [threading.get_ident()])
        assert beside_module._started == started
    finally:
        monkeypatch.undo()
        release.set()
        assert [job.result() for job in held] == [True] * beside_module._WORKERS


def in_a_helper(work):
    """work() run by a helper (once every helper is idle, waiting until one has begun it, so that
    result() does not run it here), and the thread it ran in."""
    settled()
    begun, ran_in = threading.Event(), []

    def job():
        ran_in.append(threading.get_ident())
        begun.set()
        return work()

    started = beside(job)
    assert begun.wait(10), "no helper began the work"
    return started.result(), ran_in[0]


def test_errors_and_cancelling():
    """A helper's error is raised to the caller each time the result is asked for; work cancelled
    before a helper begins it runs in the caller when its result is asked for, once."""
    def broken():
        raise KeyError("gone")

    job = beside(broken)
    for _ in range(2):
        with pytest.raises(KeyError, match="gone"):
            job.result()
    settled()
    release, calls = threading.Event(), []
    held = [beside(release.wait) for _ in range(beside_module._WORKERS)]  # every helper busy
    try:
        late = beside(lambda: calls.append(threading.get_ident()) or 5)
        late.cancel()
        assert (late.result(), late.result(), calls) == (5, 5, [threading.get_ident()])
    finally:
        release.set()
        assert [job.result() for job in held] == [True] * beside_module._WORKERS
    assert in_a_helper(lambda: 3)[0] == 3  # the helpers are free again


def test_a_finished_job_keeps_nothing_of_its_work_alive():
    """Once a search has its result, nothing of its work stays reachable from the helper that ran
    it, asleep until its next job (or forever): the work reaches a reader, and an old generation
    (its vectors, copies and rows) would be kept alive by it (found by a review)."""
    import gc
    import weakref

    class Reader:  # stands for an IndexReader the work reaches
        pass

    def search():
        reader = Reader()
        value, ran_in = in_a_helper(lambda: reader and "found")
        assert value == "found" and ran_in != threading.get_ident()
        return weakref.ref(reader)

    gone = search()
    settled()
    gc.collect()
    assert gone() is None


def test_a_load_that_fails_part_way_frees_the_connection(seeds_index, monkeypatch):
    """The held chunk rows are read one at a time under the SQLite connection's lock: a load that
    fails part way (here the third row) frees the lock, even while its error is kept, and the
    next search reads the rows from SQLite instead (found by a review)."""
    import index.reader
    from index.reader import IndexReader

    def failing(rows):
        for count, _ in enumerate(rows):
            if count == 2:
                raise MemoryError("part way")

    reader = IndexReader.open(seeds_index)
    monkeypatch.setattr(index.reader, "HeldChunks", failing)
    with pytest.raises(MemoryError) as kept:
        reader.content_bm25("private fostering", 5)
    assert kept.value is not None and not reader._lock.locked() and reader._held_chunks is None
    assert reader.chunk_rows([0, 1]).keys() == {0, 1}


def test_a_forked_child_makes_its_own_helpers():
    """A child forked after the helpers started has none of their threads: it starts its own,
    which run work (the parent's, asleep in the parent, would never wake)."""
    import os

    assert in_a_helper(lambda: None)[1] != threading.get_ident()
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: report whether a helper of its own ran the work
        try:
            ok = in_a_helper(lambda: None)[1] != threading.get_ident()
            os.write(write, b"helper" if ok else b"caller")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 16)
    os.waitpid(child, 0)
    assert answer == b"helper"


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
    assert in_a_helper(ask)[1] != threading.get_ident()  # in a helper thread
    assert seen == [1, 1, 1, 1]


def test_search_words_reads_what_parse_question_reads(assistant):
    """A search reads its query with search_words, the first part of parse_question: the same
    words searched, councils, years, kinds and areas for every gold question and more."""
    from qa.query import parse_question, search_words

    reader = assistant.reader
    questions = gold_questions("gold.jsonl", "gold_people_heldout.jsonl")
    rng = random.Random(5)
    topics, councils = ["private fostering", "care leavers"], ["Stockprt", "Trafford", "stoke"]
    questions += [f"{rng.choice(topics)} in {rng.choice(councils)}"
                  f" {rng.choice(['2008', '2009', 'APA', 'annual rating', 'being healthy'])}" for _ in range(40)]
    for question in questions:
        parsed = parse_question(question, reader.council_names, None, reader.passages_with)
        read = search_words(question, reader.council_names, reader.passages_with)
        assert tuple(read) == (parsed.search_text, parsed.councils, parsed.years, parsed.kinds, parsed.areas), question


def test_a_search_beside_its_encoder_finds_what_one_after_the_other_does(seeds_index, onnx_embedder):
    """Every gold question searched with and without the keyword steps beside the encoder (and
    with filters): the same passages, scores and order. CountingEmbedder has no embed_beside, so
    QueryCache encodes first and runs the keyword steps after."""
    from qa import Assistant

    together, apart = Assistant(seeds_index, embedder=onnx_embedder), Assistant(
        seeds_index, embedder=CountingEmbedder(onnx_embedder))
    questions = gold_questions("gold.jsonl")
    for question in questions:
        for filters in ({}, {"year": 2009}, {"council": "Trafford"}, {"polarity": "weakness"}):
            assert together.search(question, k=8, **filters) == apart.search(question, k=8, **filters), question


class _Counting(CountingEmbedder):
    """conftest's CountingEmbedder, with the encoder's embed_beside counted too."""

    def embed_beside(self, text, work):
        self.calls += 1
        self.texts += 1
        return self.inner.embed_beside(text, work)


def test_a_council_filter_is_read_before_the_encoder_runs(seeds_index, onnx_embedder):
    """A council filter as close to two councils is refused as before the keyword steps moved
    beside the encoder: the same error and message, raised before any encode, also for an
    empty query; a filter that selects no letter returns nothing without encoding."""
    from qa import Assistant
    from qa.retriever import CouncilNotClear

    counting = _Counting(onnx_embedder)
    assistant = Assistant(seeds_index, embedder=counting)
    for query in ("private fostering", "   "):
        with pytest.raises(CouncilNotClear, match=r'^council "Sufton" is not in the index; did you mean Sefton or '
                                                  r'Sutton\?$'):
            assistant.retriever.search(query, council="Sufton")
    assert assistant.search("private fostering", council="Trafford", year=1999) == []
    assert counting.calls == 0
    assert assistant.search("private fostering", council="Trafford") and counting.calls == 1


def test_concurrent_searches_find_what_one_at_a_time_finds(seeds_index, onnx_embedder, monkeypatch):
    """Eight threads searching at once (more than the helpers: some keyword steps and 8-bit
    halves run in the caller) find exactly what the same searches find one at a time; the
    8-bit first pass in two halves is on (COARSE_MIN_ROWS and COARSE_MIN_ALLOWED lowered for the
    seeds)."""
    from concurrent.futures import ThreadPoolExecutor

    import index.reader
    from qa import Assistant

    monkeypatch.setattr(index.reader, "COARSE_MIN_ROWS", 20)
    monkeypatch.setattr(index.reader, "COARSE_MIN_ALLOWED", 10)
    assistant = Assistant(seeds_index, embedder=onnx_embedder)
    questions = gold_questions("gold.jsonl")[:60]
    filters = ({}, {"year": 2009}, {"polarity": "strength"})
    calls = [(question, chosen) for question in questions for chosen in filters]

    def search(call):
        assistant.retriever.queries._vectors.clear()  # every search encodes: the helpers are used
        return assistant.search(call[0], k=8, **call[1])

    alone = [search(call) for call in calls]
    assert assistant.reader._coarse is not None  # the two halves were used
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(search, calls))
    assert together == alone
