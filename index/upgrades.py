"""Index formats and how `letters-qa index` brings an older one up to date: all in one place.

    1, 2 -> 5  format 3 changed what a passage is: every letter is read and embedded again
    3 -> 5     no embedding: the generation is checked the slow way (SQLite's integrity
               check, every vector file read by FAISS), copied, its boilerplate re-marked by
               council identity (index/database.py), every file checksummed, and the
               judgements read from the stored letter texts (index/judgements.py)
    4 -> 5     no embedding: the judgements read from the stored letter texts

Readers open formats 3, 4 and 5 as they are (index/manifest.py READABLE: 3 and 4 answer
judgement questions by asking for `letters-qa index`) and refuse 1 and 2 with the command
that upgrades them. Adding format 6 means: bump manifest.VERSION, add one Upgrade per older
version here, and say in CHANGELOG.md what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from index.check import verify_generation
from index.manifest import VERSION, Manifest


@dataclass(frozen=True)
class Upgrade:
    reuse: bool  # stored rows and vectors stay valid: the update builds on the old generation
    note: str  # what the update report says


UPGRADES = {
    1: Upgrade(False, f"index format 1 upgraded to {VERSION}: passages changed, so every letter was read and "
                      "embedded again"),
    2: Upgrade(False, f"index format 2 upgraded to {VERSION}: passages changed, so every letter was read and "
                      "embedded again"),
    3: Upgrade(True, f"index format 3 upgraded to {VERSION}: checked, boilerplate re-marked by council identity, "
                     "checksums recorded and judgements read from the letters (nothing embedded again)"),
    4: Upgrade(True, f"index format 4 upgraded to {VERSION}: judgements read from the letters (nothing embedded "
                     "again)"),
}


@dataclass(frozen=True)
class Base:
    """The generation an update builds on (None: read and embed every letter) and why."""

    manifest: Manifest | None
    note: str | None = None
    damaged: bool = False  # the current generation failed verification: it is not built on

    @property
    def upgrading(self) -> bool:
        """Building on a generation of an older format: a new one is written even if no letter changed."""
        return self.manifest is not None and self.manifest.version != VERSION


def base_for(index_dir: Path, current: Manifest | None, model: str, rebuild: bool) -> Base:
    """Which stored generation an update may reuse: none for --rebuild, another model, a format
    whose passages differ, or a generation that fails verification (checksums, or the slow
    checks for a format without them); the note says which, for the report."""
    if current is None or rebuild:
        return Base(None)
    if current.model != model:
        return Base(None, f"model changed from {current.model} to {model}: every letter is embedded again")
    upgrade = UPGRADES.get(current.version)
    if upgrade is not None and not upgrade.reuse:
        return Base(None, upgrade.note)
    problem = verify_generation(index_dir, current)
    if problem:
        return Base(None, f"the index was damaged ({problem}): every letter was read and embedded again",
                    damaged=True)
    return Base(current, upgrade.note if upgrade else None)
