"""Okapi BM25 over chunk texts: postings stored in SQLite, scored with numpy.

Each term's postings are two arrays (chunk rows as int32, term counts as uint16) kept as
BLOBs in the `postings` table of the generation's SQLite file, one record per term and
segment: a full build writes segment 0 and the add-only update appends a segment, so
adding one letter never rewrites the postings of the letters before it. A query reads
the records of its few terms and scores every matching row in a handful of vector
operations. SQLite's FTS5 `bm25()` did the same one row at a time: at 10,000 letters a
question with "children" in it matches 100,000 rows and took ~90-180 ms (here: a few ms).

Terms are lowercased words with accents folded, stemmed by the Snowball English stemmer
(PyStemmer); stopwords are left out of the postings but count in a chunk's length.
Scores follow FTS5's bm25(): k1 = 1.2, b = 0.75, idf = log((N - n + 0.5) / (n + 0.5)),
floored at 1e-6, over every chunk (boilerplate included, as the index holds it); a row whose
score is only such floored terms (under MIN_SCORE) is no match and is not ranked.
But: - no phrase or proximity scoring, and no field weights: a chunk's context line and text count alike.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np

from index import database
from index.chunks import search_text

K1 = 1.2
MIN_SCORE = 1e-3  # a floored term adds ~2e-6; one real match at least ~0.01
B = 0.75
MAX_POSTING_SEGMENTS = 32  # once the postings table holds this many segments, an update merges them all
MAX_TERMS = 200  # a question's distinct terms used (SQLite caps the parameters of one query)

STOPWORDS = frozenset(
    "a an and are as at be by did do does for from get got had has have how i in is it its me of on or s "
    "the their them there these this to was were what which who why with about any all".split()
)
_WORD = re.compile(r"[^\W_]+")
_local = threading.local()  # a Stemmer object must not be shared between threads


def words(text: str) -> list[str]:
    """Lowercase words of `text`, accents folded ("Café" -> "cafe")."""
    text = text.lower()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _WORD.findall(text)


def _stem(tokens: list[str]) -> list[str]:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWords(tokens)


def query_terms(text: str) -> list[str]:
    """The distinct terms of a query, in order."""
    return list(dict.fromkeys(_stem([w for w in words(text) if w not in STOPWORDS])))


def count_terms(text: str) -> tuple[int, Counter]:
    """(length in words, term -> count) of one chunk."""
    tokens = words(text)
    return len(tokens), Counter(_stem([w for w in tokens if w not in STOPWORDS]))


def postings(rows: Iterable[tuple[int, str]]) -> tuple[dict[int, int], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Lengths by row and postings by term for (row, text) pairs, rows ascending."""
    lengths: dict[int, int] = {}
    found: dict[str, tuple[list[int], list[int]]] = {}
    for row, text in rows:
        lengths[row], counts = count_terms(text)
        for term, count in counts.items():
            held = found.get(term)
            if held is None:
                held = found[term] = ([], [])
            held[0].append(row)
            held[1].append(count)
    return lengths, {
        term: (np.asarray(r, dtype=np.int32), np.minimum(np.asarray(c), 65535).astype(np.uint16))
        for term, (r, c) in found.items()
    }


def write_postings(db: sqlite3.Connection, by_term: dict[str, tuple[np.ndarray, np.ndarray]], segment: int) -> None:
    database.insert_postings(
        db, [(term, segment, r.astype("<i4").tobytes(), c.astype("<u2").tobytes()) for term, (r, c) in by_term.items()])


def index_rows(db: sqlite3.Connection, first_row: int) -> None:
    """Lengths and postings for chunk rows >= first_row, as a new segment (all rows from 0: the first)."""
    rows = database.chunk_texts(db, first_row)
    lengths, by_term = postings((row, search_text(context, text)) for row, context, text in rows)
    database.set_lengths(db, lengths)
    segment = database.next_postings_segment(db) if first_row else 0
    write_postings(db, by_term, segment)
    if segment and database.postings_segments(db) >= MAX_POSTING_SEGMENTS:
        merge_segments(db)


def _joined(records: Iterable[tuple[str, bytes, bytes]]) -> dict[str, tuple[bytes, bytes]]:
    """term -> (rows, counts) with each term's segments concatenated, from records in segment
    order (segments are in row order, so rows stay ascending)."""
    parts: dict[str, tuple[list[bytes], list[bytes]]] = {}
    for term, rows, tfs in records:
        held = parts.setdefault(term, ([], []))
        held[0].append(rows)
        held[1].append(tfs)
    return {term: (b"".join(r), b"".join(c)) for term, (r, c) in parts.items()}


def merge_segments(db: sqlite3.Connection) -> None:
    """One record per term again."""
    merged = _joined(database.all_postings(db))
    database.replace_postings(db, [(term, 0, rows, tfs) for term, (rows, tfs) in merged.items()])


class Scorer:
    """BM25 over one generation: chunk lengths in memory, postings read per query.

    `fetch(sql, params)` runs a query on the generation's SQLite file; it is passed per call,
    not kept, so a reader holding a Scorer forms no reference cycle (a replaced reader and its
    vectors are freed at once, not at the next full garbage collection).
    """

    def __init__(self, lengths: np.ndarray):
        self.count = len(lengths)
        average = float(lengths.mean()) if len(lengths) else 1.0
        # The length part of BM25's denominator, per row, computed once.
        self._norm = (K1 * (1 - B + B * lengths / max(average, 1e-9))).astype(np.float32)

    @staticmethod
    def _postings(terms: list[str], fetch: Callable[[str, list], list[tuple]]) -> dict[str, tuple]:
        found = fetch(database.select_postings(len(terms)), terms)
        return {term: (np.frombuffer(rows, dtype="<i4"), np.frombuffer(tfs, dtype="<u2"))
                for term, (rows, tfs) in _joined(found).items()}

    def held(self, rows: np.ndarray, records: Iterable[tuple[str, bytes, bytes]]) -> Held:
        """The postings of `rows` (ascending) in memory, from every record of the postings table
        (term and segment order); other rows' postings are left out, their statistics kept."""
        return Held(self, rows, records)

    def top(self, text: str, k: int, allowed: np.ndarray | None, fetch) -> list[tuple[int, float]]:
        """The k best (row, score) for `text` among rows where `allowed` is True (None: all)."""
        terms = query_terms(text)[:MAX_TERMS]
        if not terms or k <= 0 or self.count == 0:
            return []
        scores = np.zeros(self.count, dtype=np.float32)
        for rows, tfs in self._postings(terms, fetch).values():
            # the term's document frequency over every chunk, as the statistics use
            add_term(scores, rows, tfs, len(rows), self.count, self._norm, allowed)
        return best(scores, k)


def add_term(scores: np.ndarray, rows: np.ndarray, tfs: np.ndarray, n: int, count: int, norm: np.ndarray,
             allowed: np.ndarray | None) -> None:
    """Add one term's BM25 to `scores` at `rows` (its postings; only where `allowed`), n being
    its document frequency among all `count` rows and `norm` each row's length part."""
    idf = max(math.log((count - n + 0.5) / (n + 0.5)), 1e-6)
    if allowed is not None:
        keep = allowed[rows]
        rows, tfs = rows[keep], tfs[keep]
    tf = tfs.astype(np.float32)
    scores[rows] += np.float32(idf * (K1 + 1)) * tf / (tf + norm[rows])


def best(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (position, score) of `scores` over MIN_SCORE. A row matched only by terms in
    half the chunks or more (idf floored: "children", the council's name in every context line)
    is no keyword match; ranked, it would take a place in the fusion by row order alone."""
    found = np.flatnonzero(scores > MIN_SCORE)
    if len(found) == 0:
        return []
    return top_rows(found, scores[found], k)


class Held:
    """One set of rows' postings, held in memory (the non-boilerplate rows, which every search
    without boilerplate reads: 13% of the rows and ~20% of the postings of the 10,000-letter fake
    index), as one array of positions in `rows` and one of term counts, each term a slice.

    `top` gives Scorer.top's rows and scores, float for float: the same terms in the same order
    (the postings table's, by term), the same float32 arithmetic per row, and each term's idf
    from its postings over every row. It reads no SQLite and scores no posting of a row left
    out, where Scorer.top fetched every row's postings (boilerplate included) and filtered them.
    """

    def __init__(self, scorer: Scorer, rows: np.ndarray, records: Iterable[tuple[str, bytes, bytes]]):
        self.count, self.rows = scorer.count, np.asarray(rows, dtype=np.int64)
        position = np.full(scorer.count, -1, dtype=np.int32)
        position[self.rows] = np.arange(len(self.rows), dtype=np.int32)
        self._norm = scorer._norm[self.rows]
        self._terms: dict[str, tuple[int, int, int]] = {}  # term -> start, end, postings over every row
        positions, counts, start = [], [], 0
        for term, (term_rows, tfs) in _joined(records).items():
            found = position[np.frombuffer(term_rows, dtype="<i4")]
            keep = found >= 0
            positions.append(found[keep])
            counts.append(np.frombuffer(tfs, dtype="<u2")[keep])
            self._terms[term] = (start, start + len(positions[-1]), len(keep))
            start += len(positions[-1])
        self._positions = np.concatenate(positions) if positions else np.zeros(0, np.int32)
        self._counts = np.concatenate(counts) if counts else np.zeros(0, np.uint16)

    def frequency(self, term: str) -> int:
        """The term's document frequency over every row (0: no row holds it)."""
        return self._terms.get(term, (0, 0, 0))[2]

    @property
    def nbytes(self) -> int:
        return self._positions.nbytes + self._counts.nbytes + self._norm.nbytes + self.rows.nbytes

    def lacking(self, terms: Iterable[str], rows: list[int]) -> list[set[str] | None]:
        """Per chunk row, which of `terms` its postings (its text's and context's words) do not
        hold; None for a row not held here."""
        at, held = sorted_find(self.rows, np.asarray(rows, dtype=np.int64))
        found: list[set[str] | None] = [set() if ok else None for ok in held]
        for term in terms:
            start, end, _ = self._terms.get(term, (0, 0, 0))
            _, has = sorted_find(self._positions[start:end], at)  # the term's held rows' positions, ascending
            for i in np.flatnonzero(held & ~has):
                found[i].add(term)
        return found

    def top(self, text: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best (row, score) for `text` among the held rows where `mask` (one flag per
        held row) is True (None: all of them)."""
        terms = query_terms(text)[:MAX_TERMS]
        if not terms or k <= 0 or len(self.rows) == 0:
            return []
        scores = np.zeros(len(self.rows), dtype=np.float32)
        for term in sorted(terms):  # the order Scorer.top adds them in: the postings table's
            held = self._terms.get(term)
            if held is None:
                continue
            start, end, n = held
            add_term(scores, self._positions[start:end], self._counts[start:end], n, self.count, self._norm, mask)
        return [(int(self.rows[i]), score) for i, score in best(scores, k)]


def matching_rows(terms: list[str], allowed: np.ndarray | None, fetch) -> np.ndarray | None:
    """Rows (where `allowed`) whose text or context holds every one of `terms` that the index
    holds anywhere, ascending; None when it holds none of them (nothing to count by)."""
    terms = list(dict.fromkeys(terms))[:MAX_TERMS]
    postings = Scorer._postings(terms, fetch) if terms else {}
    if not postings:
        return None
    rows = None
    for term_rows, _ in postings.values():
        rows = np.unique(term_rows) if rows is None else np.intersect1d(rows, term_rows, assume_unique=True)
    if allowed is not None:
        rows = rows[allowed[rows]]
    return rows


def sorted_find(values: np.ndarray, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each wanted value's place in `values` (ascending), and whether it is there."""
    at = np.searchsorted(values, wanted)
    if not len(values):
        return at, np.zeros(len(wanted), dtype=bool)
    return at, values[np.minimum(at, len(values) - 1)] == wanted


def top_rows(rows: np.ndarray, values: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k highest (row, value) pairs, ties broken by lower row, also at the k-th place."""
    if len(rows) > k:
        cut = values[np.argpartition(-values, k - 1)[k - 1]]
        keep = values >= cut  # every row tied with the k-th, so the tie-break below sees them all
        rows, values = rows[keep], values[keep]
    order = np.lexsort((rows, -values))[:k]
    return [(int(rows[i]), float(values[i])) for i in order]
