"""Build side of letters-qa: letter files -> letters -> chunks -> vectors in an index folder."""

from index.chunks import Chunk, chunk_letter
from index.errors import (
    ArgumentError,
    ArgumentTypeError,
    IndexBusyError,
    IndexStoreError,
    LetterError,
    LettersQAError,
    QuestionError,
)
from index.kinds import Rating
from index.letters import Letter, Section, read_letter

__all__ = [
    "Chunk", "chunk_letter", "ArgumentError", "ArgumentTypeError", "IndexBusyError", "IndexStoreError",
    "LetterError", "LettersQAError", "QuestionError", "Letter", "Section", "read_letter", "Rating",
    "update_index", "check_index",
]


def __getattr__(name: str):
    """`update_index` and `check_index` on first use: the update pulls in numpy, FAISS and the
    embedder, which `letters-qa ratings` and plain readers never need."""
    if name == "update_index":
        from index.update import update_index

        return update_index
    if name == "check_index":
        from index.check import check_index

        return check_index
    raise AttributeError(f"module 'index' has no attribute {name!r}")
