"""Hybrid retrieval: exact dense search (FAISS vectors) and BM25 (index/bm25.py), fused by
weighted reciprocal rank.

Filters (council, year, kind) choose the letters first, then area and polarity choose among
their chunks; both searches run only over what is left, so a filter that matches nothing
returns nothing. Boilerplate chunks are left out unless asked for. Passages are overlapping
windows: a hit that overlaps a better one in the same letter joins it once (their union, three
sentences) when the sentence it adds holds a word of the question, and is dropped otherwise
(`joined_overlaps`). An argument of
the wrong type or an unreadable one (`k="x"`, `council=5`, `year="abc"`) raises ArgumentError
naming it (qa/params.py); a well-formed filter that matches nothing (`council="Nowhere"`, `k=0`)
returns nothing. The Assistant holds its callers to limits on top (k from 1 to 100, a known kind).
The fusion weights are the manifest's "fusion" (written at build time from index/manifest.py's
FUSION, chosen on the gold set: docs/decisions/fusion-weights.md).
But: - no re-ranking model by default; `Retriever(reranker=...)` takes one (any callable
from (query, passages) to passages), applied to the fused candidates.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from typing import NamedTuple

import numpy as np

from index.bm25 import query_terms
from index.councils import AUTHORITIES, canonical, letters_only, spelled_like
from index.embedder import Embedder, QueryCache
from index.errors import ArgumentError, ArgumentTypeError
from index.letters import short_name
from index.manifest import FUSION
from index.polarity import POLARITIES
from index.reader import AREA_KEYS, ChunkRow, IndexReader, LetterInfo
from index.sentences import sentences
from qa.answer import Citation
from qa.glossary import expand
from qa.params import KIND_WANTED, check_flag, check_k, described, text_filter, year_filter

RRF_K = 60  # the usual reciprocal-rank-fusion constant
MIN_CANDIDATES = 50
LITERAL_BONUS = 1.0  # over any fused score (at most dense + BM25 weights over k + 1): a literal match leads


@dataclass(frozen=True)
class Passage(Citation):
    """A retrieved chunk: its Citation (`text` is the letter's text at [start:end], verbatim) and scores."""

    score: float  # fused reciprocal-rank score (+ LITERAL_BONUS when a sentence says the whole query), higher wins
    dense_score: float | None  # cosine similarity to the query, when dense search found it
    bm25_score: float | None  # BM25 (index/bm25.py), when keyword search found it
    polarity: str = "neutral"  # strength / weakness / neutral (index/polarity.py)
    boilerplate: bool = False  # text every letter of its kind carries (the scale table): never about one council

    @classmethod
    def of(cls, letter: LetterInfo, chunk: ChunkRow, score: float = 0.0, dense_score: float | None = None,
           bm25_score: float | None = None) -> Passage:
        """The passage of a stored chunk of `letter`."""
        return cls(letter.name, letter.council, letter.year, letter.kind, chunk.section, chunk.text, chunk.start,
                   chunk.end, score, dense_score, bm25_score, chunk.polarity, chunk.boilerplate)

    def to_dict(self) -> dict:
        return asdict(self)


def select_letters(reader: IndexReader, council=None, year=None, kind=None) -> list[LetterInfo]:
    """The letters about any of the councils, each read by `read_councils` (a misspelt one as the
    council it is closest to; CouncilNotClear when it is as close to several), and of the years
    and kinds given."""
    readings = read_councils(reader, council)
    years = year_filter(year)
    kinds = text_filter(kind, "kind", KIND_WANTED)
    letters = reader.letters
    if readings:
        letters = [letters[i] for i in sorted(set().union(*(r.positions for r in readings)))]
    elif years:  # a year's letters from the reader's table, not a pass over every letter
        letters = reader.letters_of_years(years)
    return [letter for letter in letters if (not years or letter.year in years) and (not kinds or letter.kind in kinds)]


# --- council filters as people type them (issue 24) ----------------------------------------------
# Every council filter (CLI --council, Assistant.search/ratings/judgements(council=), the HTTP
# API's council=, the web's council boxes) is read here. A name the index knows (full or short,
# or a form index/councils.py knows: "Stoke", "K&C") selects its letters as before. Otherwise a
# misspelling (index.councils.spelled_like: one edit for 6-8 letters, two for longer) of exactly
# one council is read as it, and said; one as close to several is refused (CouncilNotClear),
# naming them. The names compared with are the indexed councils' and every authority's
# (index.councils.AUTHORITIES), so a misspelling is never read as an indexed council when it is
# as close to an authority the index lacks; and a real authority's own name is never corrected.


class CouncilNotClear(ArgumentError):
    """A council filter misspelt as closely as several councils' names: the message lists them."""

    def __init__(self, written: str, names: tuple[str, ...]):
        self.written, self.names = written, names
        listed = f"{', '.join(names[:-1])} or {names[-1]}"
        super().__init__(f'council "{_shown(written)}" is not in the index; did you mean {listed}?')


@dataclass(frozen=True)
class CouncilReading:
    """How one council of a filter was read: `councils`, the indexed councils (full names) whose
    letters it selects; `read_as`, the council a misspelling was read as (its short name);
    `absent`, the authority it names when the index holds no letter of it."""

    written: str
    councils: tuple[str, ...] = ()
    positions: frozenset[int] = frozenset()  # of the letters, in IndexReader.letters
    read_as: str | None = None
    absent: str | None = None

    @property
    def note(self) -> str | None:
        """One line for the user when the filter was not read as written, or selects nothing."""
        written = _shown(self.written)
        if self.read_as:
            return f'council "{written}" read as {self.read_as}'
        if self.absent:
            said = "" if letters_only(self.written) == letters_only(self.absent) else f' (you wrote "{written}")'
            return f"no letters for {self.absent} in the index{said}"
        if not self.positions and self.written.strip():
            return f'no council "{written}" in the index'
        return None

    def to_dict(self) -> dict:
        return {"written": self.written, "councils": list(self.councils), "read_as": self.read_as,
                "absent": self.absent, "note": self.note}


def council_notes(readings: Iterable[CouncilReading]) -> dict:
    """The fields every surface adds to its JSON when a council filter was not read as written or
    selects nothing: "notes" (the lines to show) and "council_filter" (each reading as a dict);
    {} otherwise, so the JSON is unchanged for a name the index knows."""
    readings = list(readings)
    notes = [r.note for r in readings if r.note]
    return {"notes": notes, "council_filter": [r.to_dict() for r in readings]} if notes else {}


def read_councils(reader: IndexReader, council) -> list[CouncilReading]:
    """Each council of a filter (None, a name or a list of names) as read_council reads it."""
    return [read_council(reader, name) for name in text_filter(council, "council", "a council name")]


def read_council(reader: IndexReader, written: str) -> CouncilReading:
    """What the council filter `written` selects (see the comment above); CouncilNotClear when a
    misspelling is as close to several councils."""
    positions = reader.letters_about(written)
    if positions:
        return CouncilReading(written, _fulls(reader, positions), frozenset(positions))
    if not written.strip():
        return CouncilReading(written)
    known = short_name(written)
    if canonical(known):  # an authority by one of its names, with no letter in the index: never corrected
        return CouncilReading(written, absent=canonical(known))
    names, letters = _spellings(reader.council_names)
    near = letters.get(letters_only(written)) or letters.get(letters_only(known))
    if near is None:
        found = [names[n] for text in dict.fromkeys((written, known)) for n in spelled_like(text, list(names))]
        near = tuple(dict.fromkeys(found))
    else:
        near = (near,)
    if len(near) > 1:
        raise CouncilNotClear(written, tuple(sorted(near)))
    if not near:
        return CouncilReading(written)
    positions = reader.letters_about(near[0])
    if not positions:
        return CouncilReading(written, absent=near[0])
    return CouncilReading(written, _fulls(reader, positions), frozenset(positions), read_as=near[0])


def _fulls(reader: IndexReader, positions: Iterable[int]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(reader.letters[i].council for i in sorted(positions)))


@functools.lru_cache(maxsize=4)
def _spellings(councils: tuple[tuple[str, str], ...]) -> tuple[dict[str, str], dict[str, str]]:
    """Every name a misspelling is compared with -> the council it names (an indexed council's short
    name, or an authority's): the indexed councils' short and full names and every authority's
    names (index/councils.py); and the same by their letters alone ("stockport" -> "Stockport")."""
    names: dict[str, str] = {}
    for full, short in councils:
        names.setdefault(short, short)
        names.setdefault(full, short)
    for authority in AUTHORITIES:
        for alias in (authority.name, authority.formal, *authority.variants):
            names.setdefault(alias, authority.name)
    letters: dict[str, str] = {}
    for name, council in names.items():
        letters.setdefault(letters_only(name), council)
    return names, letters


def _shown(written: str) -> str:
    """A written council as a message quotes it: one line, at most 60 characters."""
    text = " ".join(written.split())
    return text if len(text) <= 60 else text[:57] + "..."


class _Keywords(NamedTuple):
    """What Retriever._keywords found: the rows allowed, BM25's ranking, the chunks of its first
    rows, the query's content terms and those chunks' sentence terms (by `_span`)."""

    allowed: np.ndarray | None
    sparse: list[tuple[int, float]]
    chunks: dict[int, ChunkRow]
    terms: set[str]
    sentence_terms: dict[tuple[str, int, int], list[set[str]]]


Reranker = Callable[[str, list["Passage"]], list["Passage"]]


_STOPWORDS = frozenset(query_terms(
    "which what councils council about their there does ofsted letter letters children services young people "
    "have many much tell with from that say said find found where when how why who whom"
))

def content_terms(text: str) -> set[str]:
    """Stemmed content words (Snowball, as BM25 uses): "leavers" ~ "leaving" would not match; "fostering" ~ "foster"."""
    return {t for t in query_terms(text) if len(t) > 2 and t not in _STOPWORDS}

def sentence_terms(passage: Passage) -> list[set[str]]:
    """Each sentence's content terms, with the section title's."""
    return _sentence_terms(passage.section, passage.text)


def _sentence_terms(section: str, text: str) -> list[set[str]]:
    title = _title_terms(section)
    return [content_terms(s) | title for s in sentences(text)]


@functools.lru_cache(maxsize=4096)
def _title_terms(section: str) -> frozenset[str]:
    """A section title's content terms (titles repeat in every letter of a kind)."""
    return frozenset(content_terms(section))


def says_it_all(terms: set[str], passage: Passage, held: list[set[str]] | None = None) -> bool:
    """One sentence of the passage (with its section title) holds every one of `terms`, two or more.
    `held`: the passage's sentence_terms, where the caller has them already."""
    if len(terms) < 2:
        return False
    return any(terms <= sentence for sentence in (held if held is not None else sentence_terms(passage)))


class Retriever:
    def __init__(self, reader: IndexReader, embedder: Embedder, reranker: Reranker | None = None,
                 queries: QueryCache | None = None):
        self.reader = reader
        self.embedder = embedder
        self.reranker = reranker
        # Question vectors outlive one generation: the Assistant passes the same cache to each retriever.
        self.queries = queries if queries is not None and queries.embedder is embedder else QueryCache(embedder)
        self.fusion = {**FUSION, **reader.manifest.fusion}

    def search(self, query: str, k: int = 5, council=None, year=None, kind=None, area=None, polarity=None,
               include_boilerplate: bool = False) -> list[Passage]:
        """The k best passages for `query` among the letters and chunks the filters select.

        The letters the filters choose are read first (a filter that is refused is refused
        before any encode). What else needs no question vector (the rows the filters allow, BM25,
        the passages BM25 ranks first and their sentences' words) runs in a second thread while
        the encoder runs (QueryCache.vector_beside); the steps and the answer are the same as one
        after the other."""
        if not isinstance(query, str):
            raise ArgumentTypeError(f"query must be a string, not {described(query)}")
        k, include_boilerplate = check_k(k), check_flag(include_boilerplate, "include_boilerplate")
        areas = text_filter(area, "area", f"a graded area ({', '.join(repr(a) for a in AREA_KEYS if a)})")
        polarities = text_filter(polarity, "polarity", "'strength', 'weakness' or 'neutral'")
        filtered = council is not None or year is not None or kind is not None
        # The letters first, here: a council filter that is not clear, or a year or kind that is
        # not one, is refused before the encoder runs, and one that selects nothing costs nothing.
        letters = select_letters(self.reader, council, year, kind) if filtered else None
        if not (letters if filtered else self.reader.letters) or k <= 0 or not query.strip():
            return []
        mode = self.fusion.get("expand", "none")
        dense_text = expand(query) if mode in ("both", "dense") else query
        words = functools.partial(self._keywords, query, k, letters, areas, polarities, include_boilerplate, mode)
        vector, found = self.queries.vector_beside(dense_text, words)
        if found is None:
            return []
        by_vector = self.reader.dense if include_boilerplate else self.reader.content_dense
        dense = by_vector(vector, max(MIN_CANDIDATES, 4 * k), found.allowed)
        fused = fuse(dense, found.sparse, self.fusion)
        ranked = sorted(fused, key=lambda row: -fused[row])
        passages = self._passages(ranked[: 3 * k], fused, dict(dense), dict(found.sparse), found.chunks)
        # A passage with one sentence that says every content word of the query comes first
        # ("private fostering is inadequate": Trafford's sentence before "Private fostering
        # arrangements are also good"); otherwise the fused order stands.
        terms = found.terms
        if self.reranker is None:
            held = found.sentence_terms
            return _literal_first(terms, passages, k, {**held, **self._unsaid(terms, ranked[: 3 * k], passages, held)})
        passages = sorted((replace(p, score=round(p.score + LITERAL_BONUS, 6)) if says_it_all(terms, p) else p
                           for p in passages), key=lambda p: -p.score)
        return joined_overlaps(self.reranker(query, passages), k, terms)

    def _keywords(self, query: str, k: int, letters: list[LetterInfo] | None, areas: list[str],
                  polarities: list[str], include_boilerplate: bool, mode: str) -> _Keywords | None:
        """Search's steps that need no question vector: the rows the filters allow (`letters`:
        those the letter filters chose, None for every letter), BM25's ranking over them, and the
        chunks and sentence words of BM25's first 3k rows (most of the passages the fused ranking
        shows). None when the filters allow nothing."""
        reader = self.reader
        letter_ids = None if letters is None else [letter.id for letter in letters]
        if include_boilerplate:
            allowed = self._allowed_rows(letter_ids, True, areas, polarities)
            by_words = reader.bm25
        else:  # flags over the non-boilerplate rows alone, searched apart (IndexReader.content_dense)
            allowed = self._content_flags(letter_ids, areas, polarities)
            by_words = reader.content_bm25
        if allowed is not None and not allowed.any():
            return None
        sparse = by_words(expand(query) if mode in ("both", "bm25") else query, max(MIN_CANDIDATES, 4 * k), allowed)
        chunks = reader.chunk_rows([row for row, _ in sparse[: 3 * k]])
        terms = content_terms(query)
        held = {_span(reader.by_id[chunk.letter_id].name, chunk): _sentence_terms(chunk.section, chunk.text)
                for chunk in chunks.values()} if len(terms) > 1 else {}
        return _Keywords(allowed, sparse, chunks, terms, held)

    def _unsaid(self, terms: set[str], rows: list[int], passages: list[Passage],
                held: dict[tuple, list[set[str]]]) -> dict[tuple, list[set[str]]]:
        """The passages of these rows (not among `held`) that cannot say every one of `terms`,
        by `_span`, each with no sentence: one of the terms is neither in its postings (every
        word of its text and context) nor in its section title, so no sentence of it with the
        title holds them all (says_it_all) and its sentences need not be read (passages found by
        meaning alone often lack one: the literal check went from 0.25 to 0.19 ms p50 at 10,000
        letters)."""
        if len(terms) < 2:
            return {}
        unread = [(row, span, passage.section) for row, passage in zip(rows, passages)
                  if (span := _span(passage.letter, passage)) not in held]
        lacking = self.reader.terms_lacking(terms, [row for row, *_ in unread]) if unread else []
        return {span: [] for (_, span, section), missing in zip(unread, lacking)
                if missing is not None and not missing <= _title_terms(section)}

    def matching(self, words: str, council=None, year=None, kind=None, area=None,
                 polarity=None) -> list[int] | None:
        """Every non-boilerplate passage row (of the selected letters, areas and polarity) whose
        text holds each content word of `words` the index knows, in row order: how many passages
        an answer's few quotes are drawn from. None when no word is one the index holds."""
        terms = sorted(content_terms(words))
        if not terms:
            return None
        filtered = council is not None or year is not None or kind is not None
        letters = select_letters(self.reader, council, year, kind) if filtered else self.reader.letters
        if not letters:
            return []
        areas = text_filter(area, "area", "a graded area")
        polarities = text_filter(polarity, "polarity", "'strength', 'weakness' or 'neutral'")
        allowed = self._allowed_rows([letter.id for letter in letters] if filtered else None, False, areas, polarities)
        rows = self.reader.matching(terms, allowed)
        return None if rows is None else [int(row) for row in rows]

    def passages(self, rows: list[int]) -> list[Passage]:
        """The passages of these chunk rows, unscored, in the order given."""
        return self._passages(list(rows), {row: 0.0 for row in rows}, {}, {})

    def _allowed_rows(self, letter_ids: list[int] | None, include_boilerplate: bool, areas: list[str],
                      polarities: list[str]) -> np.ndarray | None:
        """Flags over every row: the rows of these letters, areas and polarities (None: all rows)."""
        reader = self.reader
        allowed = _flags(reader.row_letter, reader.row_area, reader.row_polarity, letter_ids, areas, polarities)
        if include_boilerplate:
            return allowed
        return ~reader.row_boilerplate if allowed is None else allowed & ~reader.row_boilerplate

    def _content_flags(self, letter_ids: list[int] | None, areas: list[str],
                       polarities: list[str]) -> np.ndarray | None:
        """The same over the non-boilerplate rows alone (IndexReader.content_rows; None: all of them)."""
        return _flags(*self.reader.content_columns(), letter_ids, areas, polarities)

    def _passages(self, rows: list[int], fused, dense, sparse,
                  known: dict[int, ChunkRow] | None = None) -> list[Passage]:
        """The passages of these rows, in order; `known`: chunk rows read already."""
        known = known or {}
        found = {**known, **self.reader.chunk_rows([row for row in rows if row not in known])}
        passages = []
        for row in rows:
            passages.append(Passage.of(self.reader.by_id[found[row].letter_id], found[row], round(fused[row], 6),
                                       _rounded(dense.get(row)), _rounded(sparse.get(row))))
        return passages


def _flags(row_letter: np.ndarray, row_area: np.ndarray, row_polarity: np.ndarray, letter_ids: list[int] | None,
           areas: list[str], polarities: list[str]) -> np.ndarray | None:
    """Flags over rows (given by their letter, area and polarity columns): True where a row is of
    one of the letters, areas and polarities asked for; None when nothing is asked for."""
    allowed = None
    if letter_ids is not None:
        # A lookup table by letter id: np.isin sorts all rows when many letters are chosen (a year).
        wanted = np.zeros(int(row_letter.max(initial=0)) + 1, dtype=bool)
        ids = np.asarray(letter_ids, dtype=np.int64)
        wanted[ids[ids < len(wanted)]] = True
        allowed = wanted[row_letter]
    for column, codes in ((row_area, [AREA_KEYS.index(a) for a in areas if a in AREA_KEYS] if areas else None),
                          (row_polarity, [POLARITIES.index(p) for p in polarities if p in POLARITIES]
                           if polarities else None)):
        if codes is not None:
            mask = np.isin(column, codes)
            allowed = mask if allowed is None else allowed & mask
    return allowed


def fuse(dense: list[tuple[int, float]], sparse: list[tuple[int, float]], fusion: dict) -> dict[int, float]:
    """Weighted reciprocal-rank fusion: row -> sum of weight / (k + rank) over the two rankings."""
    fused: dict[int, float] = {}
    k = float(fusion.get("k", RRF_K))
    for ranking, weight in ((dense, float(fusion.get("dense", 1.0))), (sparse, float(fusion.get("bm25", 1.0)))):
        for rank, (row, _) in enumerate(ranking):
            fused[row] = fused.get(row, 0.0) + weight / (k + rank + 1)
    return fused


def _literal_first(terms: set[str], passages: list[Passage], k: int,
                   held: dict[tuple, list[set[str]]] | None = None) -> list[Passage]:
    """joined_overlaps(k) of the passages (in fused order) re-sorted with LITERAL_BONUS added to
    those that say_it_all: the literal ones first, each part in fused order (the bonus is over
    any fused score, and adding it keeps their order). The passages are read in order and the
    rest left unread once joined_overlaps keeps k of the literal ones read so far: it reads its
    input in order and stops at k, so the whole list's answer begins with this same prefix and
    ends there (counting without_overlaps' k instead was wrong: a window that joins another can
    make a later one overlap the union). Most searches stop there, saving the sentence terms of the rest.
    `held`: sentence terms read already, by `_span`."""
    held = held or {}
    literal: list[Passage] = []
    others: list[Passage] = []
    for passage in passages:
        if says_it_all(terms, passage, held.get(_span(passage.letter, passage))):
            literal.append(replace(passage, score=round(passage.score + LITERAL_BONUS, 6)))
            top = joined_overlaps(literal, k, terms)
            if len(top) == k:
                return top
        else:
            others.append(passage)
    return joined_overlaps(literal + others, k, terms)


def _span(letter: str, chunk: ChunkRow | Passage) -> tuple[str, int, int]:
    return letter, chunk.start, chunk.end


def without_overlaps(passages: Iterable[Passage], k: int | None = None) -> list[Passage]:
    """The first k passages (all, when k is None), skipping any that overlaps an earlier one
    in the same letter: a better-ranked hit, or the window before it in reading order."""
    kept: list[Passage] = []
    for passage in passages:
        if not any(_overlap(p, passage) for p in kept):
            kept.append(passage)
            if len(kept) == k:
                break
    return kept


def joined_overlaps(passages: Iterable[Passage], k: int, terms: set[str]) -> list[Passage]:
    """The first k passages, where one that overlaps a kept passage of the same letter extends it
    to their union instead of taking a place, when the sentence it adds holds one of `terms` (the
    question's content words, as `content_terms` gives them): once per kept passage, and only when
    the union overlaps no other kept one. Otherwise it is dropped, as by without_overlaps.

    Two windows that share a sentence compete for one place, and the one that loses takes its
    other sentence with it: "No secondary school is outstanding and too many are satisfactory.
    These schools do not do as well as in similar areas ..." lost its second sentence to the
    window before it, which ranked higher. A sentence that says none of the question's words
    stays out, so a quote still starts and ends at what matched. The union is a verbatim span:
    both texts are the letter's, and they overlap."""
    kept: list[Passage] = []
    grown: set[int] = set()
    for passage in passages:
        at = [i for i, p in enumerate(kept) if _overlap(p, passage)]
        if not at:
            kept.append(passage)
            if len(kept) == k:
                break
            continue
        i, p = at[0], kept[at[0]]
        if len(at) > 1 or i in grown or p.start <= passage.start and passage.end <= p.end:
            continue
        union = joined(p, passage)
        added = union.text[: p.start - union.start] + " " + union.text[len(union.text) - (union.end - p.end):]
        if not content_terms(added) & terms or any(_overlap(q, union) for q in kept if q is not p):
            continue
        kept[i] = union
        grown.add(i)
    return kept


def joined(a: Passage, b: Passage) -> Passage:
    """Two overlapping (or touching) spans of one letter as one, with `a`'s scores and labels: the
    letter's text from the first start to the last end, built from the two verbatim texts."""
    start, end = min(a.start, b.start), max(a.end, b.end)
    before = b.text[: a.start - start]
    after = b.text[len(b.text) - (end - a.end):] if end > a.end else ""
    return replace(a, text=before + a.text + after, start=start, end=end)


def _overlap(a: Passage, b: Passage) -> bool:
    return a.letter == b.letter and a.start < b.end and b.start < a.end


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
