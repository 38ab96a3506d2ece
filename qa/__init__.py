"""Query side of letters-qa: the Python API (`from qa import Assistant`)."""

from qa.assistant import Assistant
from qa.retriever import Passage

__all__ = ["Assistant", "Passage"]
