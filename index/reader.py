"""Open the index folder's current generation for reading, checked and held in memory.

`IndexReader.open(index_dir)` validates the manifest against the generation it names
(the SQLite file's checksum, schema and chunk count, and each vector segment's size,
dimension and rows from its header) and loads what every question needs: the letters and
the ratings. What only a search needs (the FAISS segments, each chunk row's letter,
boilerplate flag and length for BM25, and the non-boilerplate rows' vectors, their 8-bit
copy, their BM25 postings and their texts) is loaded on the first search, once, under a lock;
each segment's checksum is verified then, and a damaged one is reported. Boilerplate chunks'
texts stay in SQLite and are fetched for the few rows a query returns; letters' section
titles are read on first use and kept for the reader's lifetime (one generation).
But: - it reads one generation; `IndexReader.is_stale()` tells a long-running server
when a newer one has been swapped in, and the caller reopens.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import approximate, database, segments
from index.beside import beside
from index.bm25 import Held, Scorer, matching_rows, query_terms, sorted_find, top_rows
from index.chunk_rows import ChunkRow, HeldChunks
from index.councils import normalise_name
from index.database import AREA_KEYS
from index.errors import IndexStoreError
from index.letters import short_name
from index.manifest import DATABASE, MANIFEST, Manifest, file_problem, problem_error, rebuild_hint
from index.segments import stored_vectors

# Searches of the non-boilerplate rows of an index with at least this many of them rank them by
# 8-bit copies first (IndexReader._dense_coarse): 42,386 rows at 10,000 letters; the seeds have ~100.
COARSE_MIN_ROWS = 8192
# ...unless a filter allows fewer rows than this: they are scored directly. At 10,000 letters
# (docs/performance.md, round seven) the two ways cross near 2,000 allowed rows: 1,224 rows
# 0.69 ms directly against 0.80 through the copy; 3,837 rows 1.60 against 1.03; 6,779 rows 2.53
# against 1.13 (a year filter, formerly scored directly: more than an eighth, under 8192).
COARSE_MIN_ALLOWED = 2048
# Rows asked of each half of the 8-bit copy beyond k: enough, nearly always, to reach the floor
# (on the model's vectors at 10,000 letters, rows of both halves within it, median / most: 93 / 164
# for bench/query.py's unfiltered searches, 113 / 214 for the gold questions; none asked again).
COARSE_EXTRA = 256
# The share of those rows in the first half, which the search's own thread ranks while a helper
# ranks the rest: the helper starts ~0.09 ms later and hands its answer back ~0.08 ms after it
# ends, so an even split left this thread waiting. At 10,000 letters (the dense pass after an
# encode, p50, in turn in one process): 0.50 1.197 ms, 0.53 1.161, 0.56 1.150, 0.60 1.142; again
# 0.50 1.478, 0.55 1.378, 0.58 1.386, 0.62 1.411 (docs/performance.md, round eight).
COARSE_FIRST_SHARE = 0.56

__all__ = ["AREA_KEYS", "ChunkRow", "IndexReader", "JudgementRow", "LetterInfo", "RatingRow", "normalise_name"]


@dataclass(frozen=True)
class LetterInfo:
    """An indexed letter's metadata, as the index's letters table holds it (no text)."""

    id: int
    name: str
    council: str
    short_name: str
    year: int
    kind: str
    date: str | None
    recipient: str | None
    signatory: str | None
    section_count: int  # how many sections the letter was split into ("sections" in the JSON)
    chunks: int  # how many passages it was chunked into


@dataclass(frozen=True)
class RatingRow:
    """One extracted rating with its letter's metadata and the verbatim source text."""

    council: str
    year: int
    kind: str
    area: str
    label: str
    grade: int
    letter: str
    text: str
    start: int
    end: int
    short_name: str
    conflict_text: str | None = None  # where the same letter states a different rating (index/kinds/performs.py)
    conflict_start: int | None = None
    conflict_end: int | None = None


@dataclass(frozen=True)
class JudgementRow:
    """One judgement of a service (index/judgements.py) with its letter's metadata; `text` is the
    judging sentence, letter_text[start:end], and [clause_start:clause_end] the clause that judges."""

    council: str
    year: int
    kind: str
    service: str
    word: str
    level: str | None
    comparison: str | None
    count: int | None
    total: int | None
    negated: bool
    letter: str
    text: str
    start: int
    end: int
    clause_start: int
    clause_end: int
    short_name: str


class IndexReader:
    """One loaded generation of an index folder (thread-safe for concurrent queries)."""

    def __init__(self, index_dir: Path, manifest: Manifest, db: sqlite3.Connection):
        self.index_dir = index_dir
        self.manifest = manifest
        self._db = db
        self._lock = threading.Lock()  # the SQLite connection
        self._load_lock = threading.Lock()  # the lazy loads below
        self._folder = index_dir / manifest.folder
        self.chunks = sum(segment.rows for segment in manifest.segments)
        self._manifest_stat = _stat(index_dir / MANIFEST)
        self.letters = self._load_letters()
        self.by_id = {letter.id: letter for letter in self.letters}
        self.by_name = {letter.name: letter for letter in self.letters}
        self.ratings = self._load_ratings()
        self._vectors: list[tuple[int, object]] | None = None  # (first row, FAISS index) per segment
        self._rows: tuple | None = None  # row_letter, row_boilerplate, BM25, row_polarity, row_area
        self._content: tuple[np.ndarray, np.ndarray] | None = None  # (rows, vectors) of non-boilerplate rows
        self._coarse: tuple[list[_Coarse], float] | None = None  # their 8-bit copy in two halves, its error bound
        self._graph: object | None = None  # their HNSW graph, where the manifest lists one (index/approximate.py)
        self._held: Held | None = None  # their BM25 postings
        self._held_chunks: HeldChunks | None = None  # their rows (texts), loaded with the postings

    @classmethod
    def open(cls, index_dir: str | Path) -> IndexReader:
        index_dir = Path(index_dir)
        manifest = Manifest.load(index_dir)
        if manifest is None:
            raise IndexStoreError(f"no index in {index_dir}; build one with `letters-qa index --index {index_dir}`")
        folder = index_dir / manifest.folder
        path, hint = folder / DATABASE, rebuild_hint(index_dir)
        if not path.is_file():
            raise IndexStoreError(f"{path} is missing; {hint}")
        problem = file_problem(path, manifest.database) if manifest.database else None
        if problem:
            raise problem_error(path, problem, hint)
        segments.check(folder, manifest.segments, manifest.dim, index_dir)
        try:
            db = database.open_read_only(path, threads=True)
        except sqlite3.Error as exc:
            raise IndexStoreError(f"{path} cannot be opened ({exc}); {hint}") from None
        try:
            db.execute(database.PROBE_POSTINGS).fetchall()
            count, last = db.execute(database.SELECT_SHAPE).fetchone()
            vectors = sum(segment.rows for segment in manifest.segments)
            if count != vectors or (count and last != count - 1):
                raise IndexStoreError(
                    f"the index in {index_dir} is damaged (SQLite has {count} chunks, FAISS {vectors}); {hint}"
                )
            return cls(index_dir, manifest, db)
        except sqlite3.Error as exc:
            db.close()
            raise IndexStoreError(f"{path} is damaged ({exc}); {hint}") from None
        except IndexStoreError:
            db.close()
            raise

    @property
    def row_letter(self) -> np.ndarray:
        """Each chunk row's letter id (loaded on first use)."""
        return self._chunk_table()[0]

    @property
    def row_boilerplate(self) -> np.ndarray:
        """Each chunk row's boilerplate flag (loaded on first use)."""
        return self._chunk_table()[1]

    @property
    def row_polarity(self) -> np.ndarray:
        """Each chunk row's polarity, as its position in POLARITIES (loaded on first use)."""
        return self._chunk_table()[3]

    @property
    def row_area(self) -> np.ndarray:
        """Each chunk row's APA area, as its position in AREA_KEYS (0: none; loaded on first use)."""
        return self._chunk_table()[4]

    def _chunk_table(self) -> tuple[np.ndarray, np.ndarray, Scorer, np.ndarray, np.ndarray]:
        if self._rows is None:
            with self._load_lock:
                if self._rows is None:
                    # Rows 0..chunks-1, one per vector: `open` checked it on this read-only file.
                    rows = self._query(database.select_chunk_table())
                    rows = np.array(rows, dtype=np.int64).reshape(-1, 5)
                    self._rows = (rows[:, 0].astype(np.int32), rows[:, 1].astype(bool), Scorer(rows[:, 2]),
                                  rows[:, 3].astype(np.int8), rows[:, 4].astype(np.int8))
        return self._rows

    def _segment_indexes(self) -> list[tuple[int, object]]:
        """(first row, FAISS index) of every segment, read on first use."""
        if self._vectors is None:
            with self._load_lock:
                if self._vectors is None:
                    indexes = self._read(lambda: segments.load(self._folder, self.manifest.segments, self.index_dir))
                    starts = np.cumsum([0] + [index.ntotal for index in indexes])[:-1]
                    self._vectors = [(int(start), index) for start, index in zip(starts, indexes)]
        return self._vectors

    def _read(self, load):
        """load(): a generation's files read; a failure because later updates collected them
        (not damage) says to open the index again."""
        try:
            return load()
        except IndexStoreError:
            if self.is_stale():
                raise IndexStoreError(f"the index in {self.index_dir} was updated twice since it was opened; "
                                      "open it again (`Assistant` does this by itself)") from None
            raise

    def vectors(self) -> np.ndarray:
        """Every stored vector in row order, as one (chunks, dim) array (a copy; for tests and tools)."""
        parts = [stored_vectors(index) for _, index in self._segment_indexes()]
        return np.concatenate(parts) if parts else np.zeros((0, self.manifest.dim), np.float32)

    def is_stale(self) -> bool:
        """True once manifest.json names another generation than the one loaded.

        A manifest rewritten for the same generation (an update that changed no letter but
        refreshed its stat cache) is read once and does not count.
        """
        now = _stat(self.index_dir / MANIFEST)
        if now == self._manifest_stat:
            return False
        try:
            current = Manifest.load(self.index_dir)
        except IndexStoreError:
            return True
        if current is None or current.folder != self.manifest.folder:
            return True
        self._manifest_stat = now
        return False

    @property
    def model(self) -> str:
        return self.manifest.model

    def _query(self, sql: str, params=()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from None

    def _each(self, sql: str, params=()) -> Iterator[tuple]:
        """`_query`'s rows one at a time, for a load that should not hold them all twice (the rows
        fetched, and what is kept of them: held at once, the 42,386 chunk rows of 10,000 letters
        left ~50 MB more resident, read one at a time ~11)."""
        with self._lock:
            try:
                yield from self._db.execute(sql, params)
            except sqlite3.DatabaseError as exc:
                raise self._damaged(exc) from None

    def _damaged(self, exc: sqlite3.DatabaseError) -> IndexStoreError:
        """SQLite's error reading this generation, as the error that says to rebuild."""
        return IndexStoreError(f"the index in {self.index_dir} is damaged ({exc}); {rebuild_hint(self.index_dir)}")

    def _load_letters(self) -> list[LetterInfo]:
        return [LetterInfo(*row) for row in self._query(database.SELECT_LETTERS)]

    def _load_ratings(self) -> list[RatingRow]:
        return [RatingRow(*row) for row in self._query(database.SELECT_RATINGS)]

    @functools.cached_property
    def judgements(self) -> list[JudgementRow] | None:
        """Every judgement of a service, by council and year; read on first use. None for an index
        written before judgements were extracted (format 3 or 4: `letters-qa index` adds them)."""
        if not self._query(database.HAS_JUDGEMENTS)[0][0]:
            return None
        return [JudgementRow(*row[:9], bool(row[9]), *row[10:]) for row in self._query(database.SELECT_JUDGEMENTS)]

    def judgements_of(self, services) -> list[JudgementRow]:
        """The judgements of these services, in `judgements` order (a list question reads one
        service's rows, not all 70,000 of 10,000 letters); [] for an index without judgements."""
        return _picked(self.judgements, self._judgement_positions, services) if self.judgements else []

    @functools.cached_property
    def _judgement_positions(self) -> dict[str, list[int]]:
        return _positions(self.judgements or (), lambda row: row.service)

    @functools.cached_property
    def unsearchable(self) -> dict[str, str]:
        """letter name -> why a search would not find it (database.searchability); read on first use."""
        rows = self._query(database.SELECT_SEARCHABILITY)
        return {found["letter"]: found["problem"] for found in database.searchability_problems(rows)}

    @functools.cached_property
    def conflicts(self) -> list[dict]:
        """Pairs of letters of one kind, council and year whose ratings differ (index/conflicts.py
        find_conflicts: {"council", "short_name", "year", "kind", "letters": [a, b], "ratings": [{"area",
        "letter", "label", "grade", "other_label", "other_grade"}], "problem"}); from the loaded
        letters and ratings, on first use."""
        from index.conflicts import find_conflicts

        return find_conflicts([(x.name, x.council, x.short_name, x.year, x.kind) for x in self.letters],
                              [(r.letter, r.area, r.label, r.grade) for r in self.ratings])

    def conflicts_of(self, letter: str) -> list[dict]:
        """The conflicts (see `conflicts`) that name this letter."""
        return [c for c in self.conflicts if letter in c["letters"]]

    @functools.cached_property
    def council_names(self) -> tuple[tuple[str, str], ...]:
        """(council, short name) of every letter, in `letters` order; built once per reader. Its hash
        is computed once: question parsing keys its caches by it (10,000 pairs took ~0.3 ms a hash)."""
        return _OnceHashed.shared((letter.council, letter.short_name) for letter in self.letters)

    def letters_of_years(self, years: Iterable[int]) -> list[LetterInfo]:
        """The letters of these years, in `letters` order."""
        return _picked(self.letters, self._year_positions, years)

    @functools.cached_property
    def _year_positions(self) -> dict[int, list[int]]:
        """year -> positions of its letters in `letters`; built on the first lookup."""
        return _positions(self.letters, lambda letter: letter.year)

    def ratings_for(self, councils: Iterable[str]) -> list[RatingRow]:
        """The rating rows of these councils (full names), in `ratings` order."""
        return _picked(self.ratings, self._rating_positions, councils)

    @functools.cached_property
    def _rating_positions(self) -> dict[str, list[int]]:
        """council -> positions of its rows in `ratings`; built on the first lookup."""
        return _positions(self.ratings, lambda row: row.council)

    def section_at(self, name: str, offset: int) -> str:
        """The title of the section of letter `name` that holds `offset` ("Letter" if none does)."""
        return self.section_titles([(name, offset)])[0]

    def letters_about(self, council: str) -> set[int]:
        """Positions in `letters` of the letters about `council`, by short or full name.

        Case-, hyphen- and apostrophe-insensitive; the query's own suffix is dropped too
        ("Trafford Council" -> "Trafford"): people rarely type "Metropolitan Borough Council".
        """
        want = normalise_name(council)
        if not want:
            return set()
        by_name, by_short = self._name_table
        return by_name.get(want, set()) | by_short.get(normalise_name(short_name(council)), set())

    @functools.cached_property
    def _name_table(self) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
        by_name: dict[str, set[int]] = {}
        by_short: dict[str, set[int]] = {}
        for i, letter in enumerate(self.letters):
            short, full = normalise_name(letter.short_name), normalise_name(letter.council)
            by_name.setdefault(short, set()).add(i)
            by_name.setdefault(full, set()).add(i)
            by_short.setdefault(short, set()).add(i)
        return by_name, by_short

    def section_titles(self, spans: Iterable[tuple[str, int]]) -> list[str]:
        """`section_at` for many (letter name, offset) pairs: letters not seen before are read in
        one query, and each letter's sections are parsed once per reader (one generation)."""
        spans = list(spans)
        sections = self._sections
        missing = list(dict.fromkeys(name for name, _ in spans if name not in sections))
        for i in range(0, len(missing), 500):  # well under SQLite's limit on bound parameters
            batch = missing[i : i + 500]
            rows = self._query(database.select_sections(len(batch)), batch)
            found = {name: tuple(map(tuple, json.loads(text))) for name, text in rows}
            for name in batch:
                sections[name] = found.get(name, ())
        return [_section_title(sections[name], offset) for name, offset in spans]

    @functools.cached_property
    def _sections(self) -> dict[str, tuple[tuple[str, int, int], ...]]:
        """letter name -> its (title, start, end) sections, filled by `section_titles`."""
        return {}

    def letter_text(self, name: str) -> str | None:
        rows = self._query(database.SELECT_LETTER_TEXT, (name,))
        return rows[0][0] if rows else None

    def chunk_rows(self, rows: list[int]) -> dict[int, ChunkRow]:
        """row -> its ChunkRow, for the given rows: from memory for the non-boilerplate rows once a
        search has loaded them (index/chunk_rows.py HeldChunks), from SQLite otherwise."""
        if not rows:
            return {}
        held = self._held_chunks
        found, rest = held.find(rows) if held is not None else ({}, [int(r) for r in rows])
        if rest:
            found.update((row[0], _chunk_row(row)) for row in self._query(database.select_chunk_rows(len(rest)), rest))
        return found

    def letter_chunks(self, letter_id: int, polarity: str | None = None, areas: Iterable[str] = ()) -> list[ChunkRow]:
        """One letter's non-boilerplate chunks, optionally of one polarity and of some APA areas,
        in reading order."""
        areas = list(areas)
        params = [int(letter_id), *([polarity] if polarity else []), *areas]
        return [_chunk_row(row) for row in self._query(database.select_letter_chunks(bool(polarity), len(areas)),
                                                        params)]

    def dense(self, vector: np.ndarray, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """Top-k (row, cosine) by exact inner product, only over rows where `allowed` is True."""
        if self.chunks == 0 or k <= 0 or (allowed is not None and not allowed.any()):
            return []
        if allowed is not None and not (allowed & self.row_boilerplate).any():
            return self.content_dense(vector, k, allowed[self.content_rows])
        _faiss()  # one OpenMP thread
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        found: list[tuple[int, float]] = []
        for start, index in self._segment_indexes():
            if index.ntotal == 0:
                continue
            part = None if allowed is None else allowed[start:start + index.ntotal]
            if part is None or part.all():
                scores, ids = index.search(query, min(k, index.ntotal))
            elif part.any():
                scores, ids = index.search(query, min(k, int(part.sum())), params=_selected(part))
            else:
                continue
            found.extend((start + int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0)
        found.sort(key=lambda hit: -hit[1])  # stable: ties keep row order within a segment
        return found[:k]

    # --- the non-boilerplate rows ("content"), which every search that leaves boilerplate out
    # reads: filters are flags over them (`content_rows`), not over every row. ---

    @property
    def content_rows(self) -> np.ndarray:
        """The non-boilerplate rows, ascending (loaded on first use)."""
        return self._content_table[0]

    def content_columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """row_letter, row_area and row_polarity of the `content_rows` alone."""
        return self._content_table[1:]

    @functools.cached_property
    def _content_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        letter, boilerplate, _, polarity, area = self._chunk_table()
        ids = np.flatnonzero(~boilerplate)
        return ids, letter[ids], area[ids], polarity[ids]

    def content_dense(self, vector: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (row, cosine) by exact inner product over the non-boilerplate rows where `mask`
        (one flag per `content_rows` row) is True (None: all of them).

        They are one matrix, copied once, instead of FAISS with an ID selector (most rows are
        boilerplate). In an index of COARSE_MIN_ROWS such rows or more, when COARSE_MIN_ALLOWED of them
        or more are allowed, the rows that could be among the k best are found first from an 8-bit
        copy (`_dense_coarse`) and only they are scored in full.
        A search over every row of an index with an approximate graph (index/approximate.py)
        scores in full only the rows the graph ranks first: not exact, see the module.
        """
        ids, matrix = self._content_matrix()
        count = len(ids) if mask is None else int(mask.sum())
        if count == 0 or k <= 0:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if count == len(ids) and (keep := self._graph_candidates(query, k)) is not None:
            pass
        elif len(ids) >= COARSE_MIN_ROWS and count >= COARSE_MIN_ALLOWED:
            keep = self._dense_coarse(query, k, mask)
        elif mask is None:  # every row of a small index: no copy
            return top_rows(ids, _scores(matrix, query), min(k, count))
        else:
            keep = np.flatnonzero(mask)
        rows, scores = ids[keep], _scores(matrix[keep], query)
        return top_rows(rows, scores, min(k, count))

    def content_bm25(self, text: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """`bm25` over the non-boilerplate rows where `mask` (one flag per `content_rows` row) is
        True (None: all of them), from their postings held in memory (index/bm25.py Held): the
        same rows and scores as `bm25` with that filter."""
        return self._held_postings().top(text, k, mask)

    def passages_with(self, words: Iterable[str]) -> dict[str, int]:
        """Each word -> how many passages (boilerplate included) hold a word of its stem: 0 for a
        word the letters never use (qa/spelling.py reads it as a misspelling of one they do). From
        the postings held in memory once a search has loaded them; before, one SQLite query (a
        ratings question need not load them: ~1 s at 10,000 letters)."""
        stems = {word: terms[0] for word in words if len(terms := query_terms(word)) == 1}
        if self._held is not None:
            counts = {stem: self._held.frequency(stem) for stem in set(stems.values())}
        else:
            unique = sorted(set(stems.values()))
            counts = dict(self._query(database.count_postings(len(unique)), unique)) if unique else {}
        return {word: counts.get(stems.get(word, ""), 0) for word in words}

    def terms_lacking(self, terms: Iterable[str], rows: list[int]) -> list[set[str] | None]:
        """Per chunk row, which of `terms` (stems, as BM25 reads them) its text and context lack,
        from the non-boilerplate rows' postings held in memory; None for a boilerplate row, and
        for every row while no search has loaded them (loading takes ~1 s at 10,000 letters)."""
        held = self._held
        return [None] * len(rows) if held is None else held.lacking(terms, rows)

    def _held_postings(self) -> Held:
        """The non-boilerplate rows' postings, loaded on a search's first use with their rows
        (`chunk_rows`' texts): what every search then reads, from memory."""
        if self._held is None:
            scorer, ids = self._chunk_table()[2], self.content_rows
            with self._load_lock:
                if self._held is None:
                    # closing: a load that fails part way frees the connection's lock with it
                    with contextlib.closing(self._each(database.SELECT_CONTENT_CHUNKS)) as rows:
                        self._held_chunks = HeldChunks(rows)
                    self._held = scorer.held(ids, self._query(database.SELECT_ALL_POSTINGS))
        return self._held

    def _content_matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, vectors) of the non-boilerplate rows, copied from the segments on first use."""
        if self._content is None:
            ids = self.content_rows
            indexes = self._segment_indexes()
            with self._load_lock:
                if self._content is None:
                    parts = []
                    for start, index in indexes:
                        mine = ids[(ids >= start) & (ids < start + index.ntotal)] - start
                        parts.append(stored_vectors(index)[mine])
                    matrix = np.concatenate(parts) if parts else np.zeros((0, self.manifest.dim), np.float32)
                    self._content = (ids, np.ascontiguousarray(matrix))
        return self._content

    def _dense_coarse(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> np.ndarray:
        """Positions (in `_content_matrix`) of every allowed row whose exact score could be among
        the k best, ascending: FAISS ranks the rows by their 8-bit copies (a quarter of the
        memory traffic of the float32 product; the encoder has just pushed everything out of the
        cache) and every row within twice the copies' error of the k-th is kept. A copy's score
        is within `bound * |query|` of the exact one (`_coarse_index`), so the k-th scores of the
        two rankings differ by at most that, and no row of the exact top k (ties included) is
        left out: the answer is the exact search's. The copy is in two halves, the second
        ranked by a helper thread (index/beside.py) while this one ranks the first."""
        halves, bound = self._coarse_index()
        margin = 2 * bound * float(np.linalg.norm(query))
        asks = []  # per half: the half, its search parameters, its allowed rows
        for half in halves:
            flags = None if mask is None else mask[half.start:half.start + half.index.ntotal]
            allowed = half.index.ntotal if flags is None else int(flags.sum())
            if allowed:
                asks.append((half, None if flags is None or allowed == len(flags) else _selected(flags), allowed))

        def ranked(ask, wanted: int) -> tuple[np.ndarray, np.ndarray]:
            half, params, _ = ask
            _faiss()  # one OpenMP thread in this thread too
            return half.search(query, wanted, params)

        wants = [min(allowed, k + COARSE_EXTRA) for *_, allowed in asks]
        later = [beside(functools.partial(ranked, ask, wanted)) for ask, wanted in zip(asks[1:], wants[1:])]
        try:
            results = [ranked(asks[0], wants[0]), *(job.result() for job in later)]
        finally:
            for job in later:
                job.cancel()  # none left to run for nothing when this thread's half failed
        while True:
            scores = np.concatenate([found_scores for found_scores, _ in results])
            kth = len(scores) - min(k, len(scores))  # the k-th highest's place in ascending order
            floor = np.partition(scores, kth)[kth] - margin
            # A half is complete once a row below the floor came back (every row after it is
            # lower) or every allowed row of it did; one that is not is asked again for more.
            short = [i for i, ((found_scores, _), wanted, ask) in enumerate(zip(results, wants, asks))
                     if wanted < ask[2] and len(found_scores) == wanted and found_scores[-1] >= floor]
            if not short:
                break
            for i in short:
                wants[i] = min(asks[i][2], wants[i] * 8)
                results[i] = ranked(asks[i], wants[i])
        found = np.concatenate([rows for _, rows in results])
        return np.sort(found[scores >= floor])

    def _graph_candidates(self, query: np.ndarray, k: int) -> np.ndarray | None:
        """Positions (in `_content_matrix`) of the rows the approximate graph ranks best, ascending
        (approximate.candidates); None without a graph, or when it cannot narrow the search (then
        the search is exact). The graph is the manifest's, read on first use (bench/approximate.py
        sets one it built)."""
        ids = self.content_rows
        if self._graph is None:
            if self.manifest.approximate is None:
                return None
            with self._load_lock:
                if self._graph is None:
                    self._graph = self._read(lambda: approximate.load(self._folder, self.manifest.approximate,
                                                                      self.index_dir, rows=ids))
        _faiss()  # one OpenMP thread
        found = approximate.candidates(self._graph, query, k)
        if found is None:
            return None
        # Chunk rows to positions in content_rows; rows that became boilerplate since the graph
        # was built are not there and drop out.
        at, there = sorted_find(ids, found)
        keep = np.sort(at[there])
        return keep if len(keep) >= min(k, len(ids)) else None

    def _coarse_index(self) -> tuple[list[_Coarse], float]:
        """8-bit copies of `_content_matrix`'s vectors in two halves (`_Coarse`), and a bound on
        how far a copy's score can be from the exact one, per unit of the query's length
        (`_Coarse.bound`)."""
        if self._coarse is None:
            ids, matrix = self._content_matrix()
            with self._load_lock:
                if self._coarse is None:
                    middle = int(len(matrix) * COARSE_FIRST_SHARE)  # 0 for one row: one half
                    halves = [_Coarse.of(matrix, start, end)
                              for start, end in ((0, middle), (middle, len(matrix))) if start < end]
                    self._coarse = (halves, max(half.bound for half in halves))
        return self._coarse

    def bm25(self, text: str, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        """Top-k (row, BM25 score, higher is better) over rows where `allowed` is True (None: all)."""
        if allowed is not None and not (allowed & self.row_boilerplate).any():
            return self.content_bm25(text, k, allowed[self.content_rows])
        return self._chunk_table()[2].top(text, k, allowed, self._query)

    def matching(self, terms: list[str], allowed: np.ndarray | None) -> np.ndarray | None:
        """Rows holding every one of `terms` the index knows (index/bm25.py matching_rows)."""
        self._chunk_table()
        return matching_rows(terms, allowed, self._query)

    def close(self) -> None:
        with self._lock:
            self._db.close()


_OMP = threading.local()


def _faiss():
    """faiss, searching with one OpenMP thread in the calling thread: a search is one query,
    and FAISS's threads wait spinning for work, so a second one only slows it on a busy machine
    (the float16 search at 10,000 letters, load 12 on 2 cores: 4.2 ms with one thread, 16-24 ms
    with two); concurrent requests use the cores instead. OpenMP's setting is per thread (a
    server's request threads start with one per core), so each thread sets it once."""
    import faiss

    if not getattr(_OMP, "set", False):
        faiss.omp_set_num_threads(1)
        _OMP.set = True
    return faiss


class _Coarse:
    """An 8-bit copy of rows start:end of a matrix. Each number is first put in its own range,
    (x - low) / width, from the rows' least (0) to their most (1), and FAISS's 8-bit copy with one
    range for every number (QT_8bit_uniform, the fastest of its 8-bit kinds here) keeps that: the
    error is per number's range, as with a range per number (QT_8bit, slower), and half that of
    the rows themselves in one range (on the model's vectors at 10,000 letters: 0.0070 against
    0.0137, so that half as many rows are scored in full). The query is scaled by the widths, and
    adding its product with `low` gives each row's copy's score."""

    def __init__(self, start: int, index, low: np.ndarray, width: np.ndarray, bound: float):
        self.start, self.index, self.low, self.width = start, index, low, width
        self.bound = bound  # per unit of |query|, how far an exact score may be from its copy's

    @classmethod
    def of(cls, matrix: np.ndarray, start: int, end: int) -> _Coarse:
        faiss = _faiss()
        rows = matrix[start:end]
        low = rows.min(axis=0).astype(np.float64)
        width = np.maximum(rows.max(axis=0) - low, np.finfo(np.float32).tiny)
        index = faiss.IndexScalarQuantizer(rows.shape[1], faiss.ScalarQuantizer.QT_8bit_uniform,
                                           faiss.METRIC_INNER_PRODUCT)
        index.train(np.stack([np.zeros(rows.shape[1]), np.ones(rows.shape[1])]).astype(np.float32))  # 0 to 1
        apart = longest = 0.0
        for first in range(0, len(rows), 8192):  # in blocks: no second whole matrix
            block = rows[first:first + 8192].astype(np.float64)
            scaled = np.clip((block - low) / width, 0, 1).astype(np.float32)
            index.add(scaled)
            decoded = low + width * index.sa_decode(index.sa_encode(scaled)).astype(np.float64)
            apart = max(apart, float(np.sqrt(((block - decoded) ** 2).sum(axis=1)).max()))
            longest = max(longest, float(np.sqrt((block * block).sum(axis=1)).max()))
        # Cauchy-Schwarz: a row's copy's score is within |query| * apart of the row's; and the
        # rounding of both float32 sums, FAISS's (its terms' sizes sum to at most |query| |width|:
        # every decoded number is between 0 and 1) and numpy's exact score (|query| |row|).
        rounding = _rounding(rows.shape[1]) * (float(np.linalg.norm(width)) + longest)
        return cls(start, index, low, width, apart + rounding)

    def search(self, query: np.ndarray, wanted: int, params) -> tuple[np.ndarray, np.ndarray]:
        """The copy's scores of the `wanted` best allowed rows, best first, and their positions in
        the matrix."""
        query = query.astype(np.float64)
        scores, found = self.index.search((query * self.width).astype(np.float32).reshape(1, -1), wanted,
                                          params=params)
        kept = found[0] >= 0
        return scores[0][kept].astype(np.float64) + float(query @ self.low), found[0][kept] + self.start


def _rounding(numbers: int) -> float:
    """A bound on a float32 sum's rounding, relative to the sum of its terms' sizes, in any
    order, twice over: FAISS's over a copy and numpy's exact score, `numbers` terms each
    (numbers * 2^-24), with the scaled query's, the decoded number's and the product's own
    rounding and FAISS's decoding against `sa_decode`'s (4 * 2^-24 a term). 2^-14.4 for the
    model's 384 numbers."""
    return 2 * (numbers + 4) * 2.0**-24


def _scores(rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Each row's inner product with `query`, row by row: a row gets the same score in any block
    of rows, so equal vectors tie wherever they sit and ties go by row (a BLAS product may
    round a block's last rows differently, and with OpenBLAS's threads, which then wait
    spinning on the core a search's helper needs). One thread, as fast as BLAS's two here."""
    return np.einsum("ij,j->i", rows, query)


def _selected(mask: np.ndarray):
    """FAISS search parameters that keep the rows where `mask` is True."""
    faiss = _faiss()
    # Bit i of byte i // 8, least significant first, as IDSelectorBitmap reads it; its first
    # argument is the bitmap's length in bytes, not the number of rows.
    bitmap = np.packbits(mask.astype(np.uint8), bitorder="little")
    params = faiss.SearchParameters(sel=faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap)))
    params.bitmap = bitmap  # the selector reads the array: it must live as long as the parameters
    return params


def _picked(items, positions: dict, keys) -> list:
    """The items at the positions (`_positions`) of any of these keys, in their order."""
    return [items[i] for i in sorted(i for key in set(keys) for i in positions.get(key, ()))]


def _positions(items, key) -> dict:
    """key(item) -> the positions of the items with that key, ascending."""
    positions: dict = {}
    for i, item in enumerate(items):
        positions.setdefault(key(item), []).append(i)
    return positions


class _OnceHashed(tuple):
    """A tuple whose hash is computed on first use and kept."""

    _recent: dict[int, _OnceHashed] = {}  # hash -> the last few made by `shared`

    def __hash__(self) -> int:
        found = self.__dict__.get("hash")
        if found is None:
            found = self.__dict__["hash"] = tuple.__hash__(self)
        return found

    _lock = threading.Lock()

    @classmethod
    def shared(cls, items: Iterable) -> _OnceHashed:
        """The tuple of `items`, as the same object as an equal one made lately: a cache keyed by
        it then finds it by identity. Two readers of equal councils (a server's next generation,
        two copies of an index) otherwise made every lookup compare 10,000 pairs (~2 ms a question)."""
        made = cls(items)
        with cls._lock:
            found = cls._recent.get(hash(made))
            if found is not None and tuple.__eq__(found, made):
                return found
            if len(cls._recent) >= 4:
                cls._recent.pop(next(iter(cls._recent)))
            cls._recent[hash(made)] = made
        return made


def _section_title(sections: tuple[tuple[str, int, int], ...], offset: int) -> str:
    for title, start, end in sections:
        if start <= offset < end:
            return title
    return "Letter"


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_ino
    except OSError:
        return None


def _chunk_row(row: tuple) -> ChunkRow:
    """A ChunkRow from database.CHUNK_ROW's columns."""
    number, letter_id, section, text, start, end, boilerplate, polarity = row
    return ChunkRow(number, letter_id, section, text, start, end, bool(boilerplate), polarity)
