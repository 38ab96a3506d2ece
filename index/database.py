"""index.sqlite: its schema and every SQL statement run on it.

Writers (index/update.py, index/bm25.py) call the functions here; the reader
(index/reader.py) and BM25's scorer run the SELECT statements here through the reader's
locked connection. What the postings' blobs hold (raw little-endian arrays, no pickle) is
index/bm25.py's business.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from index import kinds
from index.boilerplate import SHARED_MIN_COUNCILS, is_standard_text
from index.chunks import Chunk, text_fingerprint
from index.councils import authority
from index.judgements import Judgement, judgements_in
from index.letters import Letter
from index.polarity import POLARITIES

AREA_KEYS = ("", *kinds.AREA_KEYS)  # the reader's row_area codes

SCHEMA = """
CREATE TABLE letters(
    id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL, sha256 TEXT NOT NULL, council TEXT NOT NULL,
    short_name TEXT NOT NULL, year INTEGER NOT NULL, kind TEXT NOT NULL, date TEXT, recipient TEXT,
    signatory TEXT, sections TEXT NOT NULL, text TEXT NOT NULL);  -- text last: metadata reads skip it
CREATE TABLE chunks(
    row INTEGER PRIMARY KEY, letter_id INTEGER NOT NULL REFERENCES letters(id), section TEXT NOT NULL,
    text TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    phrase_boilerplate INTEGER NOT NULL, boilerplate INTEGER NOT NULL, fingerprint TEXT NOT NULL,
    length INTEGER NOT NULL DEFAULT 0,
    context TEXT NOT NULL,  -- council, year, kind, section: embedded and indexed with text, never cited
    polarity TEXT NOT NULL,  -- strength / weakness / neutral (index/polarity.py)
    area TEXT NOT NULL);  -- the APA judgement area of its section, or ''

CREATE INDEX chunks_letter ON chunks(letter_id);
CREATE INDEX chunks_fingerprint ON chunks(fingerprint);
CREATE TABLE ratings(
    id INTEGER PRIMARY KEY, letter_id INTEGER NOT NULL REFERENCES letters(id), area TEXT NOT NULL,
    label TEXT NOT NULL, grade INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL,  -- the letter's text[start:end], so listing ratings never reads whole letters
    conflict_start INTEGER, conflict_end INTEGER, conflict_text TEXT);  -- where the letter says otherwise
CREATE INDEX ratings_letter ON ratings(letter_id);
CREATE TABLE judgements(
    id INTEGER PRIMARY KEY, letter_id INTEGER NOT NULL REFERENCES letters(id), service TEXT NOT NULL,
    word TEXT NOT NULL, level TEXT, comparison TEXT, count INTEGER, total INTEGER, negated INTEGER NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL,  -- the clause that judges
    sentence_start INTEGER NOT NULL, sentence_end INTEGER NOT NULL,
    text TEXT NOT NULL);  -- the letter's text[sentence_start:sentence_end]: what answers cite
CREATE INDEX judgements_letter ON judgements(letter_id);
CREATE INDEX judgements_service ON judgements(service, level);
CREATE TABLE postings(term TEXT NOT NULL, segment INTEGER NOT NULL, rows BLOB NOT NULL, tfs BLOB NOT NULL);
CREATE INDEX postings_term ON postings(term, segment);
"""

_LETTER_COLUMNS = "council, short_name, year, kind, date, recipient, signatory, text, sections"
_RATING_COLUMNS = 'area, label, grade, start, "end", text, conflict_start, conflict_end, conflict_text'
_JUDGEMENT_COLUMNS = ('service, word, level, comparison, count, total, negated, start, "end", sentence_start, '
                      'sentence_end, text')
_INSERT_JUDGEMENT = f"INSERT INTO judgements(letter_id, {_JUDGEMENT_COLUMNS}) VALUES (?{', ?' * 12})"
_CHUNK_COLUMNS = 'section, text, start, "end", phrase_boilerplate, fingerprint, context, polarity, area'
_INSERT_CHUNK = (f"INSERT INTO chunks(row, letter_id, {_CHUNK_COLUMNS}, boilerplate) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


# --- writing -----------------------------------------------------------------------------


def create(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    return db


def open_copy(path: Path) -> sqlite3.Connection:
    """A generation's own copy of an earlier database, to extend in place."""
    return sqlite3.connect(path)


def open_read_only(path: Path, threads: bool = False) -> sqlite3.Connection:
    """Read-only, by a file: URI whose path is percent-encoded ('#', '?' and '%' in a folder name
    would otherwise cut the URI, and SQLite would create an empty file elsewhere)."""
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, check_same_thread=not threads)


def chunk_count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(*) FROM chunks").fetchone()[0]


def counts(db: sqlite3.Connection) -> tuple[int, int]:
    """(letters, chunks)."""
    return db.execute("SELECT count(*) FROM letters").fetchone()[0], chunk_count(db)


def insert_letter(db: sqlite3.Connection, letter: Letter, sha256: str) -> int:
    """The letter's row and its ratings (each with its verbatim text and any conflicting span); its id."""
    cursor = db.execute(
        f"INSERT INTO letters(name, sha256, {_LETTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (letter.name, sha256, letter.council, letter.short_name, letter.year, letter.kind, letter.date,
         letter.recipient, letter.signatory, letter.text,
         json.dumps([[s.title, s.start, s.end] for s in letter.sections])),
    )
    text = letter.text
    db.executemany(
        f"INSERT INTO ratings(letter_id, {_RATING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(cursor.lastrowid, r.area, r.label, r.grade, r.start, r.end, text[r.start:r.end],
          *((r.conflict[0], r.conflict[1], text[r.conflict[0]:r.conflict[1]]) if r.conflict else (None, None, None)))
         for r in letter.ratings],
    )
    return cursor.lastrowid


def insert_judgements(db: sqlite3.Connection, letter_id: int, text: str, judgements: Iterable[Judgement]) -> None:
    db.executemany(_INSERT_JUDGEMENT, [
        (letter_id, j.service, j.word, j.level, j.comparison, j.count, j.total, int(j.negated), j.start, j.end,
         j.sentence_start, j.sentence_end, text[j.sentence_start:j.sentence_end]) for j in judgements])


HAS_JUDGEMENTS = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'judgements'"


def has_judgements(db: sqlite3.Connection) -> bool:
    """Whether the database has the judgements table (index format 5 on)."""
    return db.execute(HAS_JUDGEMENTS).fetchone()[0] > 0


def add_judgements(db: sqlite3.Connection) -> None:
    """An older generation's copy brought to format 5: the table, filled from each stored letter's text."""
    db.executescript(SCHEMA[SCHEMA.index("CREATE TABLE judgements"):SCHEMA.index("CREATE TABLE postings")])
    for letter_id, text in db.execute("SELECT id, text FROM letters ORDER BY id").fetchall():
        judge_stored(db, letter_id, text)


def judge_stored(db: sqlite3.Connection, letter_id: int, text: str) -> None:
    """The judgements of a letter stored before they were extracted, read from its stored text."""
    from index.letters import body_span

    insert_judgements(db, letter_id, text, judgements_in(text, *body_span(text)))


def insert_chunks(db: sqlite3.Connection, letter_id: int, chunks: Iterable[Chunk], first_row: int) -> int:
    """The letter's chunks as rows first_row, first_row + 1, ...; returns how many."""
    rows = [(first_row + i, letter_id, c.section, c.text, c.start, c.end, int(c.boilerplate),
             text_fingerprint(c.text), c.context, c.polarity, c.area, int(c.boilerplate))
            for i, c in enumerate(chunks)]
    db.executemany(_INSERT_CHUNK, rows)
    return len(rows)


def copy_letter(db: sqlite3.Connection, old_db: sqlite3.Connection, old_id: int, name: str, sha256: str,
                first_row: int) -> list[int]:
    """Copy one letter with its ratings and chunks from an earlier generation's database, under
    `name`, its chunks renumbered from `first_row`; returns their old rows (to take their vectors)."""
    row = old_db.execute(f"SELECT {_LETTER_COLUMNS} FROM letters WHERE id = ?", (old_id,)).fetchone()
    cursor = db.execute(
        f"INSERT INTO letters(name, sha256, {_LETTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (name, sha256, *row),
    )
    letter_id = cursor.lastrowid
    db.executemany(
        f"INSERT INTO ratings(letter_id, {_RATING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(letter_id, *r) for r in old_db.execute(
            f"SELECT {_RATING_COLUMNS} FROM ratings WHERE letter_id = ? ORDER BY id", (old_id,))],
    )
    if has_judgements(old_db):
        db.executemany(
            _INSERT_JUDGEMENT, [(letter_id, *j) for j in old_db.execute(
                f"SELECT {_JUDGEMENT_COLUMNS} FROM judgements WHERE letter_id = ? ORDER BY id", (old_id,))])
    else:  # an index from before judgements (format 3 or 4)
        judge_stored(db, letter_id, row[_LETTER_COLUMNS.split(", ").index("text")])
    old_rows, copied = [], []
    for old_row, *columns in old_db.execute(
        f"SELECT row, {_CHUNK_COLUMNS} FROM chunks WHERE letter_id = ? ORDER BY row", (old_id,)
    ):
        copied.append((first_row + len(old_rows), letter_id, *columns, columns[4]))  # boilerplate re-marked later
        old_rows.append(old_row)
    db.executemany(_INSERT_CHUNK, copied)
    return old_rows


def letter_hashes(db: sqlite3.Connection) -> dict[str, str]:
    """name -> sha256 of every letter: what the manifest's "letters" must say."""
    return dict(db.execute("SELECT name, sha256 FROM letters"))


def letter_ids(db: sqlite3.Connection) -> dict[str, int]:
    return dict(db.execute("SELECT name, id FROM letters"))


def mark_shared_boilerplate(db: sqlite3.Connection, from_row: int = 0, reset: bool = False) -> None:
    """Boilerplate = a known phrase, or a passage found in letters about several councils.

    Councils are counted by identity ("Stockport" and "Stockport Metropolitan Borough Council"
    are one), so copies of one council's letters never turn its own passages into boilerplate.
    Only wordings of rows >= from_row are looked at (an add-only update); `reset` first drops
    every shared mark (the counting rule changed).
    """
    db.execute("CREATE TEMP TABLE IF NOT EXISTS authorities(letter_id INTEGER PRIMARY KEY, authority TEXT)")
    db.execute("DELETE FROM temp.authorities")
    db.executemany("INSERT INTO temp.authorities VALUES (?, ?)",
                   [(i, authority(council)) for i, council in db.execute("SELECT id, council FROM letters")])
    if reset:
        db.execute("UPDATE chunks SET boilerplate = phrase_boilerplate")
    db.execute(
        "UPDATE chunks SET boilerplate = 1 WHERE boilerplate = 0 AND fingerprint IN ("
        " SELECT c.fingerprint FROM chunks c JOIN temp.authorities a ON a.letter_id = c.letter_id"
        " WHERE c.fingerprint IN (SELECT fingerprint FROM chunks WHERE row >= ?)"
        " GROUP BY c.fingerprint HAVING count(DISTINCT a.authority) >= ?)",
        (from_row, SHARED_MIN_COUNCILS),
    )
    db.execute("DROP TABLE temp.authorities")
    keep_letters_searchable(db)


def keep_letters_searchable(db: sqlite3.Connection) -> None:
    """A boilerplate decision never takes a whole letter out of search. In a letter every passage
    of which is marked (shared with other councils' letters, or a whole body read as one paragraph
    that holds a standard phrase), each passage whose own text holds no standard phrase is searchable."""
    texts = db.execute("SELECT row, text FROM chunks WHERE letter_id IN (SELECT letter_id FROM chunks"
                       " GROUP BY letter_id HAVING min(boilerplate) = 1)").fetchall()
    db.executemany("UPDATE chunks SET boilerplate = 0 WHERE row = ?",
                   [(row,) for row, text in texts if not is_standard_text(text)])


SHARED_WARNING = 0.5  # share of a letter's own text hidden as shared with other councils' letters: warn past it


SELECT_SEARCHABILITY = (
    "SELECT l.name, json_array_length(l.sections), count(c.row), coalesce(sum(c.boilerplate = 0), 0),"
    " coalesce(sum(CASE WHEN c.boilerplate AND NOT c.phrase_boilerplate THEN length(c.text) ELSE 0 END) * 1.0"
    " / nullif(sum(CASE WHEN c.phrase_boilerplate THEN 0 ELSE length(c.text) END), 0), 0)"
    " FROM letters l LEFT JOIN chunks c ON c.letter_id = l.id GROUP BY l.id ORDER BY l.name"
)


def searchability(db: sqlite3.Connection) -> list[dict]:
    """{"letter", "problem"} for each letter that a person would not find by searching: no passage
    left to search, a single section (its headings were not found), or more than SHARED_WARNING of
    its own text (the standard paragraphs aside: 2009-2011 letters are about half standard text by
    design) hidden because letters to three or more other councils share it word for word."""
    return searchability_problems(db.execute(SELECT_SEARCHABILITY))


def searchability_problems(rows: Iterable[tuple]) -> list[dict]:
    """`searchability` of SELECT_SEARCHABILITY's rows (the reader runs it on its own connection)."""
    found = []
    for name, sections, chunks, searchable, shared in rows:
        if not searchable:
            problem = ("no passage of it can be searched or cited: all its text is the standard text every "
                       "letter repeats" if chunks else "no passage of it can be searched or cited: no body text "
                       "was found in it")
        elif sections <= 1:
            problem = "its text was read as a single section: its headings were not found"
        elif shared > SHARED_WARNING:
            problem = (f"{shared:.0%} of its own text (the standard paragraphs aside) is not searched: letters "
                       "to three or more other councils share it word for word")
        else:
            continue
        found.append({"letter": name, "problem": problem})
    return found

def chunk_texts(db: sqlite3.Connection, first_row: int) -> sqlite3.Cursor:
    """(row, context, text) of chunk rows >= first_row, in row order: what BM25 indexes."""
    return db.execute("SELECT row, context, text FROM chunks WHERE row >= ? ORDER BY row", (first_row,))


def set_lengths(db: sqlite3.Connection, lengths: dict[int, int]) -> None:
    db.executemany("UPDATE chunks SET length = ? WHERE row = ?", [(n, row) for row, n in lengths.items()])


def insert_postings(db: sqlite3.Connection, records: Iterable[tuple[str, int, bytes, bytes]]) -> None:
    db.executemany("INSERT INTO postings(term, segment, rows, tfs) VALUES (?, ?, ?, ?)", records)


def next_postings_segment(db: sqlite3.Connection) -> int:
    return db.execute("SELECT coalesce(max(segment) + 1, 0) FROM postings").fetchone()[0]


def postings_segments(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(DISTINCT segment) FROM postings").fetchone()[0]


def all_postings(db: sqlite3.Connection) -> list[tuple[str, bytes, bytes]]:
    return db.execute(SELECT_ALL_POSTINGS).fetchall()


def replace_postings(db: sqlite3.Connection, records: Iterable[tuple[str, int, bytes, bytes]]) -> None:
    db.execute("DELETE FROM postings")
    insert_postings(db, records)


def integrity_problem(db: sqlite3.Connection) -> str | None:
    """SQLite's own check of every page and index; None when it finds nothing."""
    rows = db.execute("PRAGMA integrity_check").fetchall()
    found = [row[0] for row in rows if row[0] != "ok"]
    return "; ".join(found[:3]) if found else None


# --- reading (index/reader.py runs these through its locked connection) -------------------

SELECT_LETTERS = (
    "SELECT l.id, l.name, l.council, l.short_name, l.year, l.kind, l.date, l.recipient, l.signatory, "
    "json_array_length(l.sections), coalesce(c.n, 0) FROM letters l "
    "LEFT JOIN (SELECT letter_id, count(*) AS n FROM chunks GROUP BY letter_id) c ON c.letter_id = l.id "
    "ORDER BY l.council, l.year, l.name"
)
SELECT_RATINGS = (
    'SELECT l.council, l.year, l.kind, r.area, r.label, r.grade, l.name, '
    'r.text, r.start, r."end", l.short_name, r.conflict_text, r.conflict_start, r.conflict_end '
    "FROM ratings r JOIN letters l ON l.id = r.letter_id ORDER BY l.council, l.year, r.id"
)
SELECT_JUDGEMENTS = (
    "SELECT l.council, l.year, l.kind, j.service, j.word, j.level, j.comparison, j.count, j.total, j.negated, "
    'l.name, j.text, j.sentence_start, j.sentence_end, j.start, j."end", l.short_name '
    "FROM judgements j JOIN letters l ON l.id = j.letter_id ORDER BY l.council, l.year, j.id"
)
SELECT_SHAPE = "SELECT count(*), max(row) FROM chunks"  # rows must be 0..count-1, one per vector
PROBE_POSTINGS = "SELECT term, rows, tfs FROM postings LIMIT 1"
SELECT_ALL_POSTINGS = "SELECT term, rows, tfs FROM postings ORDER BY term, segment"
SELECT_LETTER_TEXT = "SELECT text FROM letters WHERE name = ?"


def content_rows(db: sqlite3.Connection) -> list[int]:
    """The non-boilerplate chunk rows, ascending (what a search reads by default)."""
    return [row for (row,) in db.execute("SELECT row FROM chunks WHERE boilerplate = 0 ORDER BY row")]


def select_chunk_table() -> str:
    """Every row's letter id, boilerplate flag, BM25 length, polarity code and area code, in row order."""
    polarity = " ".join(f"WHEN '{p}' THEN {i}" for i, p in enumerate(POLARITIES))
    area = " ".join(f"WHEN '{a}' THEN {i}" for i, a in enumerate(AREA_KEYS))
    return (f"SELECT letter_id, boilerplate, length, CASE polarity {polarity} ELSE 0 END, "
            f"CASE area {area} ELSE 0 END FROM chunks ORDER BY row")


def select_sections(count: int) -> str:
    return f"SELECT name, sections FROM letters WHERE name IN ({','.join('?' * count)})"


CHUNK_ROW = 'row, letter_id, section, text, start, "end", boilerplate, polarity'  # index.chunk_rows.ChunkRow's fields
SELECT_CONTENT_CHUNKS = f"SELECT {CHUNK_ROW} FROM chunks WHERE boilerplate = 0 ORDER BY row"


def select_chunk_rows(count: int) -> str:
    return f"SELECT {CHUNK_ROW} FROM chunks WHERE row IN ({','.join('?' * count)})"


def count_postings(count: int) -> str:
    """(term, rows holding it) for `count` terms: each segment's rows blob is 4 bytes a row."""
    return f"SELECT term, sum(length(rows)) / 4 FROM postings WHERE term IN ({','.join('?' * count)}) GROUP BY term"


def select_postings(count: int) -> str:
    return f"SELECT term, rows, tfs FROM postings WHERE term IN ({','.join('?' * count)}) ORDER BY term, segment"


def select_letter_chunks(polarity: bool, areas: int) -> str:
    sql = f"SELECT {CHUNK_ROW} FROM chunks WHERE boilerplate = 0 AND letter_id = ?"
    if polarity:
        sql += " AND polarity = ?"
    if areas:
        sql += f" AND area IN ({','.join('?' * areas)})"
    return sql + " ORDER BY row"
