"""The Python API scripts use: `Assistant.open(index_dir)`, then search, ask, ratings.

Opening reads the index folder but loads no model: torch is imported on the first
search or open question. A long-running process (the web server) picks up a newer
generation of the index on its next call, without a restart. A bad argument raises a
LettersQAError naming it: ArgumentError (also a ValueError; ArgumentTypeError is a TypeError
too) for a wrong type or value, QuestionError for an empty or over-long question. The limits are
checked here, once, for every caller (qa/params.py): k from 1 to 100, years of four digits, a
letter kind the index knows, text filters up to 1,000 characters, a history of at most
MAX_HISTORY questions. The CLI, the web UI and the HTTP API rely on these checks.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from index.embedder import DEFAULT_MODEL, Embedder, QueryCache, make_embedder
from index.errors import ArgumentError, ArgumentTypeError, IndexStoreError, QuestionError
from index.reader import IndexReader, JudgementRow, LetterInfo, RatingRow
from index.services import BY_KEY as SERVICES
from index.services import COMPARISONS, LEVEL_KEYS, level_of
from qa.answer import Answer
from qa.params import Filters, check_flag, check_k, checked_texts
from qa.query import MAX_QUESTION_CHARS, Query, clean_text, parse_question, search_words
from qa.retriever import CouncilReading, Passage, Reranker, Retriever, read_councils, select_letters

MAX_HISTORY = 50  # earlier questions one question may carry (the HTTP API's limit too)


class Assistant:
    def __init__(self, index_dir: str | Path, embedder: Embedder | None = None, model: str | None = None,
                 reranker: Reranker | None = None, llm: str | None = None, threads: int = 1):
        _check_arguments(index_dir, embedder, model, reranker)
        if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= 64:
            raise ArgumentTypeError(f"threads must be a whole number from 1 to 64, not {threads!r}")
        if llm is not None and not isinstance(llm, str):
            raise ArgumentTypeError(f"llm must be a model name for the llm library (str), not {type(llm).__name__}")
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._reader = IndexReader.open(self.index_dir)
        wanted = embedder.name if embedder is not None else model
        if wanted is not None and wanted != self._reader.model:
            raise IndexStoreError(
                f"the index in {self.index_dir} was built with model {self._reader.model!r}, not {wanted!r}; "
                f"rebuild it with `letters-qa index --rebuild --model {wanted}` or leave out --model"
            )
        # The encoder's threads per question. One (the default, and the server's): concurrent requests
        # use the cores instead, 342 against 309 questions/s for 8 callers on 2 cores. The CLI, which
        # asks one question, uses two: p50 3.95 against 5.13 ms an encode (docs/performance.md).
        self.embedder = embedder or make_embedder(self._reader.model or DEFAULT_MODEL, threads=threads)
        self.reranker = reranker
        self._queries = QueryCache(self.embedder)
        self._retriever: Retriever | None = None
        self.composer = None  # extractive; with llm=, a qa.generate.ModelComposer for passage answers
        if llm:
            from qa.generate import ModelComposer

            self.composer = ModelComposer(llm)

    @classmethod
    def open(cls, index_dir: str | Path = ".letters-index", **kwargs) -> Assistant:
        return cls(index_dir, **kwargs)

    @property
    def reader(self) -> IndexReader:
        """The current generation; reopened when an update has swapped in a newer one."""
        with self._lock:
            if self._reader.is_stale():
                self._reader = IndexReader.open(self.index_dir)
            return self._reader

    @property
    def retriever(self) -> Retriever:
        """The retriever over the current generation (made again only when the reader is)."""
        reader = self.reader
        with self._lock:
            if self._retriever is None or self._retriever.reader is not reader:
                self._retriever = Retriever(reader, self.embedder, reranker=self.reranker, queries=self._queries)
            return self._retriever

    def search(self, query: str, k: int = 5, council=None, year=None, kind=None, area=None, polarity=None,
               include_boilerplate: bool = False, parse: bool = True) -> list[Passage]:
        """Ranked passages (dense + BM25, fused); filters select letters and chunks before ranking.

        Councils, years, letter kinds and APA areas named in `query` filter too ("private
        fostering in Trafford" searches Trafford's letters for "private fostering"), unless
        given as arguments or `parse=False`; an area named in `query` that no selected letter
        grades is searched as words instead of matching nothing; a misspelt word is searched as
        the letters' word it misspells (qa/spelling.py: "fostring" as "fostering"). `council=` is read as
        `read_councils` says (a misspelling of one council as it; CouncilNotClear for several).
        """
        k = check_k(k, limit=True)  # first, as the HTTP API always has; the retriever checks area and polarity
        has_words = _check_text(query, "query", "the search query")
        query = clean_text(query)
        given = Filters.of(council, year, kind)
        council, year, kind = given.council, given.year, given.kind
        area_named = False
        retriever = self.retriever  # one generation for the words read and the search (one stat of the manifest)
        if check_flag(parse, "parse") and has_words:
            parsed = search_words(query, retriever.reader.council_names, retriever.reader.passages_with)
            query = parsed.search_text or query
            council = council if council is not None else (list(parsed.councils) or None)
            year = year if year is not None else (list(parsed.years) or None)
            kind = kind if kind is not None else (list(parsed.kinds) or None)
            area_named = area is None and bool(parsed.areas)
            area = area if area is not None else (list(parsed.areas) or None)
        found = retriever.search(query, k=k, council=council, year=year, kind=kind, area=area,
                                 polarity=polarity, include_boilerplate=include_boilerplate)
        if not found and area_named:
            # "enjoying and achieving" in letters that grade no areas (2009-2011): the words, not a filter.
            found = retriever.search(query, k=k, council=council, year=year, kind=kind, polarity=polarity,
                                     include_boilerplate=include_boilerplate)
        return found

    def ask(self, question: str, history: Iterable | None = None, generative: bool = True,
            all: bool = False) -> Answer:  # noqa: A002 (the documented name)
        """Answer `question`; `history` holds the earlier questions of the conversation (strings,
        Answers or {"question": ...} dicts), so follow-ups like "And Trafford?" resolve.
        Opened with `llm=`, open questions are worded by that model (checked; qa/generate.py)
        unless `generative=False`. `all=True`: an open question quotes every passage that holds
        its words, grouped by council, instead of the few most relevant (answer.coverage says which)."""
        answer = None
        for item in self.ask_stream(question, history, generative, all):
            answer = item
        return answer

    def ask_stream(self, question: str, history: Iterable | None = None,
                   generative: bool = True, all: bool = False) -> Iterator[str | Answer]:  # noqa: A002
        """`ask`, as it is written: with a model (`llm=`), each of its sentences once it has passed
        the checks (markdown; unchecked text is never given out); the last item is always the
        Answer, which is what to show."""
        check_flag(generative, "generative")
        every = check_flag(all, "all")
        if not _check_text(question):
            raise QuestionError("the question is empty; type a question about the letters")
        earlier = _history(history)
        retriever = self.retriever
        query = self._parse(clean_text(question), earlier, retriever.reader)
        if self.composer is None or not generative or every:
            yield answer_query(query, retriever.reader, retriever, every=every)
            return
        from qa.evidence import gather

        yield from self.composer.stream(gather(query, retriever.reader, retriever), retriever.reader, earlier)

    def parse(self, question: str, history: Iterable | None = None) -> Query:
        """How `question` is understood (intent, councils, years, rating, area), given the history."""
        _check_text(question)
        return self._parse(clean_text(question), _history(history), self.reader)

    def _parse(self, question: str, earlier: list[str], reader: IndexReader) -> Query:
        """`question` read against `reader`'s councils and words (the generation that answers it)."""
        councils, known = reader.council_names, reader.passages_with
        previous = None
        for text in earlier:
            previous = parse_question(text, councils, previous, known)
        return parse_question(question, councils, previous, known)

    def read_councils(self, council=None) -> list[CouncilReading]:
        """How a council filter (a name or a list of them) is read by search, ratings and judgements:
        one CouncilReading each, whose `.note` says when it was not read as written ("council
        "stockprt" read as Stockport") or selects nothing. Raises CouncilNotClear (an ArgumentError)
        when a misspelling is as close to several councils, naming them (qa/retriever.py)."""
        return read_councils(self.reader, Filters.of(council=council).council)

    def ratings(self, council=None, year=None, kind=None) -> list[RatingRow]:
        """The extracted ratings table (no model needed)."""
        filters = Filters.of(council, year, kind)
        reader = self.reader
        names = {letter.name for letter in select_letters(reader, **filters.to_kwargs())}
        return [row for row in reader.ratings if row.letter in names]

    def judgements(self, service=None, level=None, council=None, year=None, kind=None,
                   comparison=None) -> list[JudgementRow]:
        """The extracted judgements of services (index/judgements.py; no model needed): `service`
        a key of index/services.py ("private_fostering"), `level` outstanding / good / adequate
        (or "satisfactory") / inadequate (or "poor"), `comparison` above / in_line / below.
        A level never matches a negated judgement ("no inadequate primary schools")."""
        filters = Filters.of(council, year, kind)
        services = [" ".join(s.lower().replace("'", "").replace("’", "").split()).replace(" ", "_")
                    for s in checked_texts(service, "service", "a service key (see `letters-qa judgements --help`)")]
        unknown = [s for s in services if s not in SERVICES]
        if unknown:
            raise ArgumentError(f"unknown service {unknown[0]!r}; services: {', '.join(SERVICES)}")
        levels = []
        for word in checked_texts(level, "level", f"a level ({', '.join(LEVEL_KEYS)})"):
            try:
                levels.append(level_of(word).key)
            except ValueError:
                raise ArgumentError(f"unknown level {word!r}; levels: {', '.join(LEVEL_KEYS)}") from None
        comparisons = checked_texts(comparison, "comparison", "'above', 'in_line' or 'below'")
        if any(c not in COMPARISONS for c in comparisons):
            raise ArgumentError("comparison must be 'above', 'in_line' or 'below'")
        reader = self.reader
        if reader.judgements is None:
            raise IndexStoreError(f"the index in {self.index_dir} was built before judgements were read from the "
                                  f"letters; run `letters-qa index --index {self.index_dir}` to add them (nothing is "
                                  "embedded again)")
        names = {letter.name for letter in select_letters(reader, **filters.to_kwargs())}
        return [j for j in reader.judgements if j.letter in names and (not services or j.service in services)
                and (not levels or (j.level in levels and not j.negated))
                and (not comparisons or j.comparison in comparisons)]

    def letters(self) -> list[LetterInfo]:
        return list(self.reader.letters)


def _check_text(text, name: str = "question", what: str = "the question") -> bool:
    """Whether `text` has any words; it must be a string (ArgumentTypeError naming `name`) within
    the length cap (QuestionError calling it `what`)."""
    if not isinstance(text, str):
        raise ArgumentTypeError(f"{name} must be a string, not {type(text).__name__}")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"{what} is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}: "
                            f"shorten it")
    return bool(text.strip())


def _history(history) -> list[str]:
    """The earlier questions of a conversation: strings, Answers or {"question": ...} dicts; blank ones skipped."""
    if history is None:
        return []
    if isinstance(history, str | bytes | Mapping) or not isinstance(history, Iterable):
        raise ArgumentTypeError(f"history must be a list of the earlier questions (strings, Answers or "
                                f"{{'question': ...}} dicts), not {type(history).__name__}")
    history = list(history)
    if len(history) > MAX_HISTORY:
        raise ArgumentError(f"history holds at most {MAX_HISTORY} questions; send the latest ones")
    questions = []
    for i, turn in enumerate(history):
        text = turn.question if isinstance(turn, Answer) else turn
        text = text.get("question") if isinstance(text, Mapping) else text
        if not isinstance(text, str):
            raise ArgumentTypeError(f"history[{i}] must be an earlier question (a string, an Answer or a "
                                    f"{{'question': ...}} dict), not {_turn_type(turn)}")
        if _check_text(text, f"history[{i}]", f"history[{i}]"):
            questions.append(clean_text(text))
    return questions


def _turn_type(turn) -> str:
    if isinstance(turn, Mapping):
        return "a dict without a 'question' string"
    return type(turn).__name__


def _check_arguments(index_dir, embedder, model, reranker) -> None:
    if not isinstance(index_dir, str | os.PathLike):
        raise ArgumentTypeError(f"index_dir must be a folder path (str or Path), not {type(index_dir).__name__}")
    if Path(index_dir).is_file():
        raise ArgumentError(f"index_dir {index_dir} is a file, not an index folder; pass the folder "
                            f"`letters-qa index --index DIR` built")
    if embedder is not None and not (callable(getattr(embedder, "embed", None)) and hasattr(embedder, "name")):
        raise ArgumentTypeError(f"embedder must be an Embedder (with .name, .dim and .embed(texts)), "
                                f"not {type(embedder).__name__}")
    if model is not None and not isinstance(model, str):
        raise ArgumentTypeError(f"model must be a model name or path (str), not {type(model).__name__}")
    if reranker is not None and not callable(reranker):
        raise ArgumentTypeError(f"reranker must be a function of (query, passages), not {type(reranker).__name__}")


def answer_query(query: Query, reader: IndexReader, retriever: Retriever,
                 compose: Callable | None = None, every: bool = False) -> Answer:
    """Gather the evidence for `query`, then word it (qa/compose.py unless `compose` is given);
    `every`: quote every passage that matches an open question, not the best few."""
    from qa import compose as default
    from qa.evidence import gather

    return (compose or default.compose)(gather(query, reader, retriever, every), reader)
