"""Hybrid retrieval: exact dense search (FAISS vectors) and BM25 (index/bm25.py), fused by reciprocal rank.

Filters (council, year, kind) choose the letters first and both searches run only over
their chunks, so a filter that matches nothing returns nothing. Boilerplate chunks are
left out unless asked for.
But: - no re-ranking model; the fused order is the order returned.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from index.embedder import Embedder
from index.reader import IndexReader, LetterInfo

RRF_K = 60  # the usual reciprocal-rank-fusion constant
MIN_CANDIDATES = 50


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: `text` is the letter's text at [start:end], verbatim."""

    letter: str
    council: str
    year: int
    kind: str
    section: str
    text: str
    start: int
    end: int
    score: float  # fused reciprocal-rank score, higher is better
    dense_score: float | None  # cosine similarity to the query, when dense search found it
    bm25_score: float | None  # BM25 (index/bm25.py), when keyword search found it

    def to_dict(self) -> dict:
        return asdict(self)


def as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str | int):
        return [value]
    return list(value)


def select_letters(reader: IndexReader, council=None, year=None, kind=None) -> list[LetterInfo]:
    """The letters about any of the councils (see IndexReader.letters_about) and of the years and kinds given."""
    councils, years, kinds = as_list(council), [int(y) for y in as_list(year)], as_list(kind)
    letters = reader.letters
    if councils:
        letters = [letters[i] for i in sorted(set().union(*(reader.letters_about(c) for c in councils)))]
    return [letter for letter in letters if (not years or letter.year in years) and (not kinds or letter.kind in kinds)]


class Retriever:
    def __init__(self, reader: IndexReader, embedder: Embedder):
        self.reader = reader
        self.embedder = embedder

    def search(self, query: str, k: int = 5, council=None, year=None, kind=None,
               include_boilerplate: bool = False) -> list[Passage]:
        """The k best passages for `query` among the letters the filters select."""
        reader = self.reader
        filtered = council is not None or year is not None or kind is not None
        letters = select_letters(reader, council, year, kind) if filtered else reader.letters
        if not letters or k <= 0 or not query.strip():
            return []
        letter_ids = [letter.id for letter in letters] if filtered else None
        allowed = self._allowed_rows(letter_ids, include_boilerplate)
        depth = max(MIN_CANDIDATES, 4 * k)
        dense = reader.dense(self.embedder.embed([query])[0], depth, allowed)
        sparse = reader.bm25(query, depth, allowed)
        fused: dict[int, float] = {}
        for ranking in (dense, sparse):
            for rank, (row, _) in enumerate(ranking):
                fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=lambda row: -fused[row])[:k]
        return self._passages(best, fused, dict(dense), dict(sparse))

    def _allowed_rows(self, letter_ids: list[int] | None, include_boilerplate: bool) -> np.ndarray | None:
        reader = self.reader
        allowed = None if include_boilerplate else ~reader.row_boilerplate
        if letter_ids is not None:
            # A lookup table by letter id: np.isin sorts all rows when many letters are chosen (a year).
            wanted = np.zeros(int(reader.row_letter.max(initial=0)) + 1, dtype=bool)
            ids = np.asarray(letter_ids, dtype=np.int64)
            wanted[ids[ids < len(wanted)]] = True
            in_letters = wanted[reader.row_letter]
            allowed = in_letters if allowed is None else allowed & in_letters
        return allowed

    def _passages(self, rows: list[int], fused, dense, sparse) -> list[Passage]:
        found = self.reader.chunk_rows(rows)
        passages = []
        for row in rows:
            letter_id, section, text, start, end, _ = found[row]
            letter = self.reader.by_id[letter_id]
            passages.append(Passage(
                letter.name, letter.council, letter.year, letter.kind, section, text, start, end,
                round(fused[row], 6), _rounded(dense.get(row)), _rounded(sparse.get(row)),
            ))
        return passages


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
