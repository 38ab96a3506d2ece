"""A fake embedder for plumbing tests: hashed bag-of-words vectors, deterministic, no model.

Its own module rather than conftest's, so that a script in a child process can load the
same class by path (tests/test_crash.py's driver) and both sides embed identically.
But: - its vectors mean little; retrieval and answer tests use the real model.
"""

from __future__ import annotations

import hashlib

import numpy as np


class FakeEmbedder:
    """Each word adds 1 to the dimension its MD5 picks; rows L2-normalised."""

    name = "fake-hash-embedder"
    dim = 64

    def embed(self, texts, progress=None):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out
