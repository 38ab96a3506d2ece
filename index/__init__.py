"""Build side of letters-qa: letter files -> letters -> chunks -> vectors in an index folder."""

from index.chunks import Chunk, chunk_letter
from index.errors import IndexBusyError, IndexStoreError, LetterError, LettersQAError
from index.letters import Letter, Section, read_letter
from index.ratings import Rating

__all__ = [
    "Chunk", "chunk_letter", "IndexBusyError", "IndexStoreError", "LetterError", "LettersQAError",
    "Letter", "Section", "read_letter", "Rating",
]
