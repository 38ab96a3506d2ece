"""Proposed library changes, applied as monkeypatches so a benchmark can time before and after.

Each `apply_*` patches the library in this process only and returns an undo function.
The matching diff for the library is in bench/README.md.
But: - these are measurement aids, not the library; nothing outside bench/ imports them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def apply_dedup_embed() -> Callable[[], None]:
    """Embed each distinct chunk text once (letters repeat boilerplate and stock sentences verbatim)."""
    from index.embedder import SentenceTransformerEmbedder

    original = SentenceTransformerEmbedder.embed

    def embed(self, texts, progress=None):
        slots: dict[str, int] = {}
        inverse = np.fromiter((slots.setdefault(t, len(slots)) for t in texts), dtype=np.int64, count=len(texts))
        if len(slots) == len(texts):
            return original(self, texts, progress)
        return original(self, list(slots), progress)[inverse]

    SentenceTransformerEmbedder.embed = embed

    def undo() -> None:
        SentenceTransformerEmbedder.embed = original

    return undo


SMALL_BATCH = 16  # texts; a query is 1


def apply_small_batch_one_thread() -> Callable[[], None]:
    """Embed small batches (queries) on one torch thread.

    A one-text forward pass is too small to split across threads; on a busy 2-core machine
    torch's second OpenMP thread waits for a core at every layer, which costs far more.
    """
    from index.embedder import SentenceTransformerEmbedder

    original = SentenceTransformerEmbedder.embed

    def embed(self, texts, progress=None):
        if len(texts) > SMALL_BATCH:
            return original(self, texts, progress)
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return original(self, texts, progress)
        finally:
            torch.set_num_threads(threads)

    SentenceTransformerEmbedder.embed = embed

    def undo() -> None:
        SentenceTransformerEmbedder.embed = original

    return undo


def _copy_reused_sql(db, index_dir, old, plan):
    """index.update._copy_reused done by SQLite itself (ATTACH + INSERT ... SELECT), not row by row in Python.

    Same rows in the same order: reused letters sorted by their new name, chunks by old row.
    """
    import sqlite3

    from index.errors import IndexStoreError
    from index.store import Generation, rebuild_hint
    from index.update import _old_vectors

    source = Generation(index_dir / old["data"])
    old_vectors = _old_vectors(index_dir, old)
    try:
        db.execute("ATTACH DATABASE ? AS old", (str(source.database),))
    except sqlite3.Error as exc:
        raise IndexStoreError(f"the index in {index_dir} is damaged ({exc}); {rebuild_hint(index_dir)}") from None
    db.execute("CREATE TEMP TABLE reuse(pos INTEGER PRIMARY KEY, new_name TEXT, old_name TEXT, sha TEXT)")
    db.executemany("INSERT INTO temp.reuse(new_name, old_name, sha) VALUES (?, ?, ?)",
                   [(new, old_name, plan.hashes[new]) for new, old_name in sorted(plan.reuse.items())])
    db.execute(
        "INSERT INTO letters(name, sha256, council, short_name, year, kind, date, recipient, signatory, text, sections)"
        " SELECT r.new_name, r.sha, l.council, l.short_name, l.year, l.kind, l.date, l.recipient, l.signatory,"
        " l.text, l.sections FROM temp.reuse r JOIN old.letters l ON l.name = r.old_name ORDER BY r.pos")
    db.execute("CREATE TEMP TABLE idmap AS SELECT r.pos AS pos, ol.id AS old_id, nl.id AS new_id FROM temp.reuse r"
               " JOIN old.letters ol ON ol.name = r.old_name JOIN main.letters nl ON nl.name = r.new_name")
    db.execute('INSERT INTO ratings(letter_id, area, label, grade, start, "end") SELECT m.new_id, o.area, o.label,'
               ' o.grade, o.start, o."end" FROM temp.idmap m JOIN old.ratings o ON o.letter_id = m.old_id'
               " ORDER BY m.pos, o.id")
    db.execute(
        'INSERT INTO chunks(row, letter_id, section, text, start, "end", phrase_boilerplate, boilerplate, fingerprint)'
        " SELECT row_number() OVER (ORDER BY m.pos, c.row) - 1, m.new_id, c.section, c.text, c.start, c.\"end\","
        " c.phrase_boilerplate, c.phrase_boilerplate, c.fingerprint"
        " FROM temp.idmap m JOIN old.chunks c ON c.letter_id = m.old_id ORDER BY m.pos, c.row")
    rows = [r for (r,) in db.execute("SELECT c.row FROM temp.idmap m JOIN old.chunks c ON c.letter_id = m.old_id"
                                     " ORDER BY m.pos, c.row")]
    db.execute("DROP TABLE temp.reuse")
    db.execute("DROP TABLE temp.idmap")
    db.commit()
    db.execute("DETACH DATABASE old")
    return old_vectors[rows] if rows else np.zeros((0, old_vectors.shape[1]), np.float32)


def apply_sql_copy() -> Callable[[], None]:
    """Copy the reused letters' rows with SQL inside SQLite instead of a Python loop per chunk."""
    import index.update as update

    original = update._copy_reused
    update._copy_reused = _copy_reused_sql

    def undo() -> None:
        update._copy_reused = original

    return undo


def apply_parse_fast() -> Callable[[], None]:
    """qa.query._find_councils without one regex per indexed council name per question.

    The name table (normalised, longest first) is built once per council list, and only names
    whose first word occurs in the question are tried, with the same regex, in the same order.
    (Today every question compiles 2 x councils patterns: past 256 councils Python's regex
    cache thrashes and each pattern is compiled again on every question.)
    """
    import functools
    import re

    import qa.query as query

    original = query._find_councils

    @functools.lru_cache(maxsize=4)
    def table(councils: tuple) -> tuple[list, dict, list]:
        names = sorted({(query.normalise(name), full) for full, short in councils for name in (full, short)},
                       key=lambda pair: -len(pair[0]))
        by_first: dict[str, list[int]] = {}
        always = []
        for rank, (name, _) in enumerate(names):
            first = re.match(r"[a-z0-9]+", name)
            if first:
                by_first.setdefault(first.group(0), []).append(rank)
            elif name:
                always.append(rank)
        return names, by_first, always

    def find_councils(norm, councils):
        names, by_first, always = table(tuple(councils))
        ranks = sorted({r for word in set(re.findall(r"[a-z0-9]+", norm)) for r in by_first.get(word, ())}
                       | set(always))
        found: list[str] = []
        for rank in ranks:
            name, full = names[rank]
            pattern = rf"(?<![a-z0-9]){re.escape(name)}(?:'s)?(?![a-z0-9])"
            if re.search(pattern, norm):
                norm = re.sub(pattern, " ", norm)
                if full not in found:
                    found.append(full)
        return found, norm

    query._find_councils = find_councils

    def undo() -> None:
        query._find_councils = original

    return undo


def apply_cite_fast() -> Callable[[], None]:
    """qa.answer's citation bookkeeping in O(1) per citation instead of O(letters + citations).

    `cite` found the letter by scanning every LetterInfo and deduplicated with `in` and
    `.index` on the list of citations; `cite_rating` the same on the list of ratings. A list
    answer at 10,000 letters cites ~2,000 rows, so that was quadratic.
    """
    import qa.answer as answer

    builder = answer._Builder
    original = builder.cite, builder.cite_rating

    def by_name(reader) -> dict:
        table = reader.__dict__.get("_letters_by_name")
        if table is None:
            table = reader.__dict__["_letters_by_name"] = {info.name: info for info in reader.letters}
        return table

    def cite(self, letter, start, end, text):
        numbers = self.__dict__.setdefault("_citation_numbers", {})
        info = by_name(self.reader)[letter]
        citation = answer.Citation(letter, info.council, info.year, info.kind, self.reader.section_at(letter, start),
                                   text, start, end)
        if citation not in numbers:
            self.citations.append(citation)
            numbers[citation] = len(self.citations)
        return numbers[citation]

    def cite_rating(self, row):
        seen = self.__dict__.setdefault("_rating_rows", set())
        if row not in seen:
            seen.add(row)
            self.ratings.append(row)
        return self.cite(row.letter, row.start, row.end, row.text)

    builder.cite, builder.cite_rating = cite, cite_rating

    def undo() -> None:
        builder.cite, builder.cite_rating = original

    return undo


def apply_filter_fast() -> Callable[[], None]:
    """qa.retriever.select_letters with council names normalised once per letter list, not per query.

    Today every filtered search normalises both names of every letter (two regex passes per
    letter): 10,000 letters cost ~100 ms per query. Same matches, same order.
    """
    import qa.assistant as assistant
    import qa.retriever as retriever
    from index.letters import short_name
    from index.reader import normalise_name

    original = retriever.select_letters
    tables: dict[int, tuple] = {}

    def table(letters: list) -> dict:
        held = tables.get(id(letters))
        if held is None or held[0] is not letters:
            by_name: dict[str, set[int]] = {}
            by_short: dict[str, set[int]] = {}
            for i, letter in enumerate(letters):
                short, full = normalise_name(letter.short_name), normalise_name(letter.council)
                by_name.setdefault(short, set()).add(i)
                by_name.setdefault(full, set()).add(i)
                by_short.setdefault(short, set()).add(i)
            tables.clear()
            held = tables[id(letters)] = (letters, by_name, by_short)
        return held

    def select_letters(letters, council=None, year=None, kind=None):
        councils = retriever.as_list(council)
        if not councils or not isinstance(letters, list):
            return original(letters, council, year, kind)
        _, by_name, by_short = table(letters)
        positions: set[int] = set()
        for c in councils:
            want = normalise_name(c)
            if want:
                positions |= by_name.get(want, set()) | by_short.get(normalise_name(short_name(c)), set())
        years, kinds = [int(y) for y in retriever.as_list(year)], retriever.as_list(kind)
        return [letters[i] for i in sorted(positions)
                if (not years or letters[i].year in years) and (not kinds or letters[i].kind in kinds)]

    retriever.select_letters = assistant.select_letters = select_letters

    def undo() -> None:
        retriever.select_letters = assistant.select_letters = original

    return undo


def apply_ask_fast() -> Callable[[], None]:
    undo_parse, undo_cite = apply_parse_fast(), apply_cite_fast()

    def undo() -> None:
        undo_cite()
        undo_parse()

    return undo


# `append`, `scanfast` and `exact` were removed once the library had them (306cc2d, a35ac1f and the
# segments change): they patched functions that no longer exist in that shape.
PROPOSALS = {"filterfast": apply_filter_fast, "askfast": apply_ask_fast,
             "parsefast": apply_parse_fast, "citefast": apply_cite_fast,
             "sqlcopy": apply_sql_copy, "dedup": apply_dedup_embed,
             "query1thread": apply_small_batch_one_thread}
