"""Letters that cannot both be right: the same letter twice in other formats, and two letters
of one kind for the same council and year whose ratings differ.

    same letter   `letter_key`: the council (as an authority, index.database.authority), the
                  year, the kind, the date and the words of the body (index.letters.body_span),
                  lower-cased. The .txt, .html, .docx and .pdf of one letter share it although
                  their bytes (and their letterheads) differ; `drop_text_copies` keeps one of
                  them in an update, the intake (index/intake.py) calls the others "already there".
    conflict      `find_conflicts`: two letters of one kind, council and year that grade the same
                  area differently. Both stay indexed (which one is right is not ours to decide);
                  every report says so: `letters-qa index`, `add`, the web upload, POST
                  /api/letters, `letters-qa check`, and `IndexReader.conflicts`.
But: - a letter whose body changed by one word is another letter; - two letters of one year
that grade no area in common are not a conflict.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from index import kinds
from index.councils import authority
from index.letters import Letter, body_span

_WORD = re.compile(r"\w+")
# Which copy of one letter an update keeps when several arrive together: the text first (what
# the others were extracted to look like), then the structured formats, the PDF last.
_FORMAT_RANK = {".txt": 0, ".text": 0, ".md": 1, ".html": 2, ".htm": 2, ".docx": 3, ".pdf": 4}


def letter_key(council: str, year: int, kind: str, date: str | None, text: str) -> str:
    """What one letter is, whatever its file format: see the module docstring."""
    start, end = body_span(text)
    words = _WORD.findall(text[start:end].lower()) or _WORD.findall(text.lower())
    body = hashlib.sha256(" ".join(words).encode()).hexdigest()
    return "\x1f".join((authority(council), str(year), kind, date or "", body))


def key_of(letter: Letter) -> str:
    return letter_key(letter.council, letter.year, letter.kind, letter.date, letter.text)


def stored_keys(db: sqlite3.Connection, wanted: Iterable[tuple[str, int, str]]) -> dict[str, str]:
    """letter_key -> name of the stored letters of these (authority, year, kind): only their texts are read."""
    wanted = set(wanted)
    found: dict[str, str] = {}
    for year, kind in {(year, kind) for _, year, kind in wanted}:
        rows = db.execute("SELECT id, name, council FROM letters WHERE year = ? AND kind = ?", (year, kind)).fetchall()
        for letter_id, name, council in rows:
            if (authority(council), year, kind) not in wanted:
                continue
            date, text = db.execute("SELECT date, text FROM letters WHERE id = ?", (letter_id,)).fetchone()
            found.setdefault(letter_key(council, year, kind, date, text), name)
    return found


def drop_text_copies(plan, report, old_letters: dict[str, str], database_path: Path | None) -> None:
    """An update's plan (index/update.py Plan and Report) without the letters read now that are
    another file of a letter already kept: each goes to `report.duplicates` as {"file",
    "same_as", "same_text": True} and is not indexed. A letter indexed before always stays; of
    new copies the text file is kept first, the PDF last (_FORMAT_RANK), then by name."""
    if not plan.parsed:
        return
    keys = {letter.name: key_of(letter) for letter, _ in plan.parsed}
    seen: dict[str, str] = {}
    if plan.reuse and database_path is not None:
        current = {old: new for new, old in plan.reuse.items()}  # stored name -> the name it is kept under
        wanted = {(authority(letter.council), letter.year, letter.kind) for letter, _ in plan.parsed}
        try:
            db = sqlite3.connect(f"{Path(database_path).resolve().as_uri()}?mode=ro", uri=True)
            try:
                stored = stored_keys(db, wanted)
            finally:
                db.close()
        except sqlite3.Error:  # an unreadable base is rebuilt anyway (index/upgrades.py)
            stored = {}
        seen = {key: current[name] for key, name in stored.items() if name in current}
    order = sorted(plan.parsed, key=lambda item: (_FORMAT_RANK.get(Path(item[0].name).suffix.lower(), 5),
                                                  item[0].name))
    dropped: set[str] = set()
    for letter, _ in order:
        key = keys[letter.name]
        if key in seen:
            dropped.add(letter.name)
            report.duplicates.append({"file": letter.name, "same_as": seen[key], "same_text": True})
        else:
            seen[key] = letter.name
    if not dropped:
        return
    plan.parsed = [(letter, sha) for letter, sha in plan.parsed if letter.name not in dropped]
    for name in dropped:
        plan.hashes.pop(name, None)
    report.added = [name for name in report.added if name not in dropped]
    report.updated = [name for name in report.updated if name not in dropped]
    report.generic = [name for name in report.generic if name not in dropped]
    report.removed = sorted({*report.removed, *(name for name in dropped if name in old_letters)})
    report.duplicates.sort(key=lambda item: item["file"])


# --- conflicts -------------------------------------------------------------------------------

SELECT_LETTERS = "SELECT name, council, short_name, year, kind FROM letters"
SELECT_RATINGS = "SELECT l.name, r.area, r.label, r.grade FROM ratings r JOIN letters l ON l.id = r.letter_id"


def find_conflicts(letters: Iterable[tuple[str, str, str, int, str]],
                   ratings: Iterable[tuple[str, str, str, int]]) -> list[dict]:
    """Pairs of letters of one kind, council and year that grade an area differently.

    `letters`: (name, council, short name, year, kind); `ratings`: (letter name, area, label,
    grade). Each conflict: {"council", "short_name", "year", "kind", "letters": [a, b],
    "ratings": [{"area", "letter", "label", "grade", "other_label", "other_grade"}], "problem"},
    sorted by council, year and names.
    """
    graded: dict[str, dict[str, tuple[str, int]]] = {}
    for name, area, label, grade in ratings:
        graded.setdefault(name, {}).setdefault(area, (label, grade))
    groups: dict[tuple[str, int, str], list[tuple[str, str, str]]] = {}
    for name, council, short, year, kind in letters:
        if name in graded:
            groups.setdefault((authority(council), year, kind), []).append((name, council, short))
    found = []
    for (_, year, kind), members in groups.items():
        members.sort()
        for i, (a, council, short) in enumerate(members):
            for b, _, _ in members[i + 1:]:
                differ = [{"area": area, "letter": a, "label": label, "grade": grade,
                           "other_label": graded[b][area][0], "other_grade": graded[b][area][1]}
                          for area, (label, grade) in graded[a].items()
                          if area in graded[b] and graded[b][area][1] != grade]
                if differ:
                    found.append({"council": council, "short_name": short, "year": year, "kind": kind,
                                  "letters": [a, b], "ratings": differ, "problem": _problem(short, year, kind, a, b,
                                                                                             differ)})
    return sorted(found, key=lambda c: (c["council"], c["year"], c["letters"]))


def _problem(short: str, year: int, kind: str, a: str, b: str, differ: list[dict]) -> str:
    """"004.txt and stoke-2.txt are both Stoke-on-Trent's 2009 annual rating, and their ratings differ:
    overall performs adequately (2) in 004.txt, performs poorly (1) in stoke-2.txt"."""
    known = kinds.get(kind)
    parts = [f"{_words(known, d['area'], d['label'])} ({d['grade']}) in {a}, "
             f"{_words(known, d['area'], d['other_label'])} ({d['other_grade']}) in {b}" for d in differ[:3]]
    more = f" and {len(differ) - 3} more" if len(differ) > 3 else ""
    return (f"{a} and {b} are both {short}'s {year} {known.prose}, and their ratings differ: "
            f"{'; '.join(parts)}{more}")


def _words(known, area: str, label: str) -> str:
    """'performs adequately', 'overall effectiveness good', 'staying safe adequate' (as index/intake.py words them)."""
    label = label[:1].lower() + label[1:]
    if area == "overall" and known.scale is not None and known.scale.worded:
        return label
    return f"{known.area_title(area).lower()} {label}"


def conflicts_in(db: sqlite3.Connection) -> list[dict]:
    """find_conflicts over a generation's database."""
    return find_conflicts(db.execute(SELECT_LETTERS), db.execute(SELECT_RATINGS))


def conflicts_at(path: Path) -> list[dict]:
    """conflicts_in a written generation's SQLite file ([] when it cannot be read)."""
    try:
        db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return []
    try:
        return conflicts_in(db)
    except sqlite3.Error:
        return []
    finally:
        db.close()
