"""A stored passage's row as the reader gives it (ChunkRow), and the non-boilerplate ones held in
memory once a search has read them all (HeldChunks).

Why hold them: a search reads ~15 passages' rows after its encoder, ~8 of them not read beside
it. From SQLite that took ~0.2 ms a search at 10,000 letters (~30 us a row: the encoder has
just pushed SQLite's pages and code out of the cache), a tenth of what a search adds to its
encoder; from here, a few microseconds a row. The rows are columns (one list of texts, numbers in
arrays, each section title and polarity kept once): ~11 MB resident for the 42,386
non-boilerplate rows of 10,000 letters, against ~27 MB as a dict of ChunkRows
(docs/performance.md, round eight). Boilerplate rows stay in SQLite (a search leaves them out
unless asked).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from index.bm25 import sorted_find


class ChunkRow(NamedTuple):
    """One stored passage as the reader gives it: `text == letter_text[start:end]`."""

    row: int  # its FAISS row (index/segments.py) and chunks.row
    letter_id: int  # LetterInfo.id: reader.by_id[letter_id]
    section: str
    text: str
    start: int
    end: int
    boilerplate: bool
    polarity: str  # strength / weakness / neutral (index/polarity.py)


class HeldChunks:
    """Chunk rows held as columns, found by row (`find`), each the ChunkRow SQLite gives for it."""

    def __init__(self, rows: Iterable[tuple]):
        """`rows`: database.CHUNK_ROW's columns, ascending by row."""
        numbers: list[tuple[int, int, int, int]] = []  # row, letter, start, end
        self._texts: list[str] = []
        sections: dict[str, int] = {}
        polarities: dict[str, int] = {}
        kinds: list[tuple[int, int]] = []  # section, polarity: their places in the lists below
        for row, letter_id, section, text, start, end, _boilerplate, polarity in rows:
            numbers.append((row, letter_id, start, end))
            self._texts.append(text)
            kinds.append((sections.setdefault(section, len(sections)),
                           polarities.setdefault(polarity, len(polarities))))
        table = np.array(numbers, dtype=np.int64).reshape(-1, 4)
        self.rows = table[:, 0].copy()
        self._letter, self._start, self._end = table[:, 1].copy(), table[:, 2].copy(), table[:, 3].copy()
        codes = np.array(kinds, dtype=np.int32).reshape(-1, 2)
        self._section, self._polarity = codes[:, 0].copy(), codes[:, 1].copy()
        self._sections, self._polarities = list(sections), list(polarities)
        if len(self.rows) > 1 and not (np.diff(self.rows) > 0).all():
            raise ValueError("chunk rows must come ascending, each once")

    def __len__(self) -> int:
        return len(self.rows)

    def find(self, rows: list[int]) -> tuple[dict[int, ChunkRow], list[int]]:
        """row -> ChunkRow for those of `rows` held, and the rest (boilerplate rows), in order."""
        wanted = np.asarray(rows if isinstance(rows, (list, tuple, np.ndarray)) else list(rows), dtype=np.int64)
        at, held = sorted_find(self.rows, wanted)
        places = at[held]
        found = {
            row: ChunkRow(row, letter, self._sections[section], self._texts[place], start, end, False,
                          self._polarities[polarity])
            for place, row, letter, start, end, section, polarity in zip(
                places.tolist(), wanted[held].tolist(), self._letter[places].tolist(),
                self._start[places].tolist(), self._end[places].tolist(), self._section[places].tolist(),
                self._polarity[places].tolist())
        }
        return found, wanted[~held].tolist()
