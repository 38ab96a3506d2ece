"""Query side of letters-qa: the Python API (`from qa import Assistant`)."""

from qa.answer import Answer, Citation
from qa.assistant import Assistant
from qa.query import Query
from qa.retriever import CouncilNotClear, CouncilReading, Passage

__all__ = ["Answer", "Assistant", "Citation", "CouncilNotClear", "CouncilReading", "Passage", "Query"]
