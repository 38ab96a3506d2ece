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
    from index.store import Generation, all_vectors, read_vectors, rebuild_hint

    source = Generation(index_dir / old["data"])
    try:
        old_vectors = all_vectors(read_vectors(source.vectors))
        db.execute("ATTACH DATABASE ? AS old", (str(source.database),))
    except (sqlite3.Error, IndexStoreError) as exc:
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


def _append_only(old, plan) -> bool:
    """Every indexed letter kept under its own name and content, nothing removed: only additions."""
    if not old or not plan.parsed:
        return False
    letters = old["letters"]
    return (len(plan.reuse) == len(letters) and all(plan.reuse.get(name) == name for name in letters)
            and all(plan.hashes.get(name) == sha for name, sha in letters.items()))


def apply_append_fast_path() -> Callable[[], None]:
    """When an update only adds letters, extend a copy of the current generation instead of rebuilding it.

    The SQLite file is copied as it is (rows, ids and the FTS5 index stay valid), the new
    letters are appended, only their chunks are added to FTS5, boilerplate is re-marked only
    for their fingerprints, and the new vectors are added to the stored FAISS index (flat or
    HNSW) instead of building a new one. Anything else (a removal, a change, a rename, a
    rebuild, crossing the exact/HNSW threshold) takes the full path as before.
    """
    import shutil
    import sqlite3
    from datetime import UTC, datetime

    import faiss

    import index.update as update
    from index.store import EXACT_LIMIT, FORMAT, VERSION, Generation

    original = update._build_into

    def build_into(tmp, final, index_dir, letters_dir, old, plan, embedder, report, progress, generation):
        if not _append_only(old, plan):
            return original(tmp, final, index_dir, letters_dir, old, plan, embedder, report, progress, generation)
        source = Generation(index_dir / old["data"])
        stored = update.read_vectors(source.vectors)
        if stored.ntotal != old.get("chunks", stored.ntotal) or (
                not hasattr(stored, "hnsw") and stored.ntotal + 1000 > EXACT_LIMIT):
            return original(tmp, final, index_dir, letters_dir, old, plan, embedder, report, progress, generation)
        tmp.mkdir(parents=True)
        shutil.copyfile(source.database, tmp / "index.sqlite")
        db = sqlite3.connect(tmp / "index.sqlite")
        try:
            first = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
            vectors = update._insert_new(db, plan.parsed, embedder, report, progress)
            db.execute("INSERT INTO chunks_fts(rowid, text) SELECT row, text FROM chunks WHERE row >= ?", (first,))
            db.execute(
                "UPDATE chunks SET boilerplate = 1 WHERE boilerplate = 0 AND fingerprint IN ("
                " SELECT c.fingerprint FROM chunks c JOIN letters l ON l.id = c.letter_id"
                " WHERE c.fingerprint IN (SELECT fingerprint FROM chunks WHERE row >= ?)"
                " GROUP BY c.fingerprint HAVING count(DISTINCT lower(l.council)) >= ?)",
                (first, update.SHARED_MIN_COUNCILS),
            )
            report.letters = db.execute("SELECT count(*) FROM letters").fetchone()[0]
            report.chunks = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
            db.commit()
        finally:
            db.close()
        if len(vectors):
            stored.add(np.ascontiguousarray(vectors, dtype=np.float32))
        faiss.write_index(stored, str(tmp / "vectors.faiss"))
        update.fsync_tree(tmp)
        update.os.rename(tmp, final)
        update.fsync_dir(index_dir)
        update.write_manifest(index_dir, {
            "format": FORMAT, "version": VERSION, "generation": generation, "data": final.name,
            "model": report.model, "dim": int(stored.d), "chunks": report.chunks, "letters": plan.hashes,
            "letters_dir": str(letters_dir.resolve()), "created": datetime.now(UTC).isoformat(timespec="seconds"),
        })

    update._build_into = build_into

    def undo() -> None:
        update._build_into = original

    return undo


def _scan_fast(letters_dir, index_dir, report):
    """index.update._scan with the per-file pathlib work cut: the "inside the index folder?" test
    resolves each directory once (and only symlinked files one by one), names come from string
    slicing, and the sort key is the parts tuple (the same order as sorting the Paths)."""
    import hashlib

    import index.update as update

    files, unreadable = [], {}
    index_abs = index_dir.resolve()
    inside: dict = {}

    def in_index(path) -> bool:
        if path.is_symlink():
            return index_abs in path.resolve().parents
        parent = path.parent
        if parent not in inside:
            real = parent.resolve()
            inside[parent] = real == index_abs or index_abs in real.parents
        return inside[parent]

    root = str(letters_dir).rstrip("/")
    prefix = 0 if root == "." else len(root) + 1  # rglob yields "a.txt", not "./a.txt", under Path(".")
    for path in sorted(letters_dir.rglob("*"), key=lambda p: p.parts):
        name = str(path)[prefix:]
        if any(part.startswith(".") for part in name.split("/")) or in_index(path):
            continue
        if path.is_dir():
            continue
        if path.suffix.lower() not in update.LETTER_SUFFIXES:
            expected = ", ".join(update.LETTER_SUFFIXES)
            report.skipped.append({"file": name, "reason": f"not a letter file (expected {expected})"})
            continue
        try:
            data = update._read_file(path, name)
        except update.LetterError as exc:
            unreadable[name] = exc.reason
            continue
        files.append(update._File(name, hashlib.sha256(data).hexdigest(), data))
    return files, unreadable


def apply_scan_fast() -> Callable[[], None]:
    import index.update as update

    original = update._scan
    update._scan = _scan_fast

    def undo() -> None:
        update._scan = original

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


def _stored_matrix(index) -> np.ndarray:
    """A zero-copy (ntotal, d) float32 view of the vectors an IndexFlat or IndexHNSWFlat holds."""
    import faiss

    flat = faiss.downcast_index(index.storage) if hasattr(index, "hnsw") else index
    return faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * flat.d).reshape(flat.ntotal, flat.d)


def apply_exact_allowed() -> Callable[[], None]:
    """IndexReader.dense: exact inner products over the rows a search may return, whenever
    boilerplate is excluded (the default), instead of FAISS with an ID selector.

    Non-boilerplate rows' vectors are copied once into one contiguous matrix (about a sixth
    of the vectors on the synthetic corpus), so a query is one matrix-vector product over
    them plus a mask for council/year filters. On the HNSW path (> 200,000 chunks) FAISS with
    a selector that excludes most rows returns far fewer than k rows, often none.
    """
    from index.reader import IndexReader

    original = IndexReader.dense

    def dense(self, vector, k, allowed):
        if allowed is None or self.faiss.ntotal == 0 or k <= 0 or allowed[self.row_boilerplate].any():
            return original(self, vector, k, allowed)
        cache = self.__dict__.get("_content_vectors")
        if cache is None:
            ids = np.flatnonzero(~self.row_boilerplate)
            matrix = np.ascontiguousarray(_stored_matrix(self.faiss)[ids])
            cache = self.__dict__["_content_vectors"] = (ids, matrix)
        ids, matrix = cache
        mask = allowed[ids]
        count = int(mask.sum())
        if count == 0:
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        if count < len(ids) // 8:
            keep = np.flatnonzero(mask)
            rows, scores = ids[keep], matrix[keep] @ query
        else:
            rows, scores = ids, np.where(mask, matrix @ query, -np.inf)
        top = min(k, count)
        best = np.argpartition(-scores, top - 1)[:top]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(rows[i]), float(scores[i])) for i in best]

    IndexReader.dense = dense

    def undo() -> None:
        IndexReader.dense = original

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


PROPOSALS = {"filterfast": apply_filter_fast, "exact": apply_exact_allowed, "askfast": apply_ask_fast,
             "parsefast": apply_parse_fast, "citefast": apply_cite_fast, "scanfast": apply_scan_fast,
             "append": apply_append_fast_path, "sqlcopy": apply_sql_copy, "dedup": apply_dedup_embed,
             "query1thread": apply_small_batch_one_thread}
