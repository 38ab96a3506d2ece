"""Query side of letters-qa: the Python API (`from qa import Assistant`)."""

from index.errors import ArgumentError, ArgumentTypeError, LettersQAError, QuestionError
from qa.answer import Answer, Citation
from qa.assistant import Assistant
from qa.query import Query
from qa.retriever import CouncilNotClear, CouncilReading, Passage

__all__ = ["Answer", "ArgumentError", "ArgumentTypeError", "Assistant", "Citation", "CouncilNotClear",
           "CouncilReading", "LettersQAError", "Passage", "Query", "QuestionError"]
