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


PROPOSALS = {"dedup": apply_dedup_embed, "query1thread": apply_small_batch_one_thread}
