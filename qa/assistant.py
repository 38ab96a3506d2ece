"""The Python API scripts use: `Assistant.open(index_dir)`, then search, ask, ratings.

Opening reads the index folder but loads no model: torch is imported on the first
search or open question. A long-running process (the web server) picks up a newer
generation of the index on its next call, without a restart.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from index.embedder import DEFAULT_MODEL, Embedder, SentenceTransformerEmbedder
from index.errors import IndexStoreError, QuestionError
from index.reader import IndexReader, LetterInfo, RatingRow
from qa.answer import Answer, answer_query
from qa.query import MAX_QUESTION_CHARS, Query, parse_question
from qa.retriever import Passage, Reranker, Retriever, select_letters


class Assistant:
    def __init__(self, index_dir: str | Path, embedder: Embedder | None = None, model: str | None = None,
                 reranker: Reranker | None = None):
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._reader = IndexReader.open(self.index_dir)
        wanted = embedder.name if embedder is not None else model
        if wanted is not None and wanted != self._reader.model:
            raise IndexStoreError(
                f"the index in {self.index_dir} was built with model {self._reader.model!r}, not {wanted!r}; "
                f"rebuild it with `letters-qa index --rebuild --model {wanted}` or leave out --model"
            )
        # One torch thread per query: concurrent requests use the cores instead (see embedder.py).
        self.embedder = embedder or SentenceTransformerEmbedder(self._reader.model or DEFAULT_MODEL, threads=1)
        self.reranker = reranker
        self._retriever: Retriever | None = None

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
                self._retriever = Retriever(reader, self.embedder, reranker=self.reranker)
            return self._retriever

    def search(self, query: str, k: int = 5, council=None, year=None, kind=None, area=None, polarity=None,
               include_boilerplate: bool = False, parse: bool = True) -> list[Passage]:
        """Ranked passages (dense + BM25, fused); filters select letters and chunks before ranking.

        Councils, years, letter kinds and APA areas named in `query` filter too ("private
        fostering in Trafford" searches Trafford's letters for "private fostering"), unless
        given as arguments or `parse=False`.
        """
        if not isinstance(query, str) or not query.strip():
            return []
        _check_text(query)
        if parse:
            parsed = self.parse(query)
            query = parsed.search_text or query
            council = council if council is not None else (list(parsed.councils) or None)
            year = year if year is not None else (list(parsed.years) or None)
            kind = kind if kind is not None else (list(parsed.kinds) or None)
            area = area if area is not None else (list(parsed.areas) or None)
        return self.retriever.search(query, k=k, council=council, year=year, kind=kind, area=area,
                                     polarity=polarity, include_boilerplate=include_boilerplate)

    def ask(self, question: str, history: Iterable | None = None) -> Answer:
        """Answer `question`; `history` holds the earlier questions of the conversation (strings,
        Answers or {"question": ...} dicts), so follow-ups like "And Trafford?" resolve."""
        _check_text(question)
        retriever = self.retriever
        return answer_query(self.parse(question, history), retriever.reader, retriever)

    def parse(self, question: str, history: Iterable | None = None) -> Query:
        """How `question` is understood (intent, councils, years, rating, area), given the history."""
        councils = self.reader.council_names
        previous = None
        for turn in history or ():
            text = turn.question if isinstance(turn, Answer) else turn
            text = text.get("question") if isinstance(text, dict) else text
            if isinstance(text, str) and text.strip():
                previous = parse_question(text, councils, previous)
        return parse_question(question, councils, previous)

    def ratings(self, council=None, year=None, kind=None) -> list[RatingRow]:
        """The extracted ratings table (no model needed)."""
        reader = self.reader
        names = {letter.name for letter in select_letters(reader, council, year, kind)}
        return [row for row in reader.ratings if row.letter in names]

    def letters(self) -> list[LetterInfo]:
        return list(self.reader.letters)


def _check_text(text) -> None:
    if not isinstance(text, str) or not text.strip():
        raise QuestionError("the question is empty; type a question about the letters")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
