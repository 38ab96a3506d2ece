"""Proposed library changes not (yet) in the library, as monkeypatches so a benchmark can time before and after.

Each `apply_*` patches index.update in this process only and returns an undo function;
`PROPOSALS` names them for `bench/update.py --patch NAME`.
  scanfast  _scan without per-file pathlib work (the diff: results/proposed-scan.diff)
  sqlcopy   _copy_reused done by SQLite itself (ATTACH + INSERT ... SELECT)
But: - these are measurement aids, not the library; nothing outside bench/ imports them.
The proposals the library has taken since (dedup, query1thread, parsefast, citefast, askfast,
filterfast, exact, append) are gone from here; bench/README.md says at which commits their
figures were measured.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def _replace(name: str, new) -> Callable[[], None]:
    """Set index.update.<name> to `new`; return the undo."""
    import index.update as update

    original = getattr(update, name)
    setattr(update, name, new)
    return lambda: setattr(update, name, original)


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


def apply_sql_copy() -> Callable[[], None]:
    """Copy the reused letters' rows with SQL inside SQLite instead of a Python loop per chunk."""
    return _replace("_copy_reused", _copy_reused_sql)


def apply_scan_fast() -> Callable[[], None]:
    return _replace("_scan", _scan_fast)


PROPOSALS = {"scanfast": apply_scan_fast, "sqlcopy": apply_sql_copy}
