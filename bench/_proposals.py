"""Proposed library changes not (yet) in the library, as monkeypatches so a benchmark can time before and after.

Each `apply_*` patches index.update in this process only and returns an undo function;
`PROPOSALS` names them for `bench/update.py --patch NAME`.
  sqlcopy   _copy_reused done by SQLite itself (ATTACH + INSERT ... SELECT)
But: - these are measurement aids, not the library; nothing outside bench/ imports them.
The proposals the library has taken since (dedup, query1thread, parsefast, citefast, askfast,
filterfast, exact, append, scanfast) are gone from here; bench/README.md says at which commits their
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
    db.execute('INSERT INTO ratings(letter_id, area, label, grade, start, "end", text) SELECT m.new_id, o.area,'
               ' o.label, o.grade, o.start, o."end", substr(l.text, o.start + 1, o."end" - o.start)'
               " FROM temp.idmap m JOIN old.ratings o ON o.letter_id = m.old_id JOIN old.letters l ON l.id = m.old_id"
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
    return _replace("_copy_reused", _copy_reused_sql)


PROPOSALS = {"sqlcopy": apply_sql_copy}
