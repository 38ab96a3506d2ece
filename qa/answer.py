"""The answer's values (Answer, Citation) and the one entry point, `answer_query`.

Answering has two steps with a seam between them: qa/evidence.py chooses what the answer
rests on (rating rows, passages, letter facts), qa/compose.py words it as markdown with
numbered citations. A different composer (a generative one, say) plugs in by passing
`compose=` to `answer_query`; it gets the same Evidence and must cite from it.
Letter text is only ever quoted, never followed: it is data, escaped for markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from index import kinds
from index.reader import IndexReader, RatingRow
from qa.query import Query
from qa.retriever import Retriever


@dataclass(frozen=True)
class Citation:
    """An excerpt of a letter: `text == letter_text[start:end]`."""

    letter: str
    council: str
    year: int
    kind: str
    section: str
    text: str
    start: int
    end: int

    @property
    def title(self) -> str:
        """What a person recognises: "Trafford 2009 - Children's services rating 2009"."""
        return f"{short(self.council)} {self.year} - {self.section}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # markdown; [n] refers to citations[n-1]
    citations: tuple[Citation, ...]
    ratings: tuple[RatingRow, ...]
    intent: str
    query: Query | None = None
    # Who wrote `text`: "extractive" (quotes and the ratings table) or "llm:<model id>" (qa/generate.py).
    composer: str = "extractive"
    # Whether a model's text passed every check whole (extractive text is verbatim by construction);
    # false when sentences were dropped or the answer fell back to the excerpts.
    verified: bool = True
    dropped: tuple = ()  # qa.verify.Dropped: the model's sentences left out, with the reason
    fallback: str | None = None  # why the model's answer was replaced by the excerpts

    def to_dict(self) -> dict:
        found = {
            "question": self.question,
            "answer": self.text,
            "intent": self.intent,
            "citations": [c.to_dict() for c in self.citations],
            "ratings": [rating_dict(r) for r in self.ratings],
            "composer": self.composer,
            "verified": self.verified,
        }
        if self.dropped or self.fallback:
            found["dropped"] = [d.to_dict() for d in self.dropped]
        if self.fallback:
            found["fallback"] = self.fallback
        return found


def rating_dict(row: RatingRow) -> dict:
    found = {"council": row.council, "year": row.year, "kind": row.kind, "area": row.area,
             "label": row.label, "grade": row.grade, "scale": kinds.scale_key(row.kind), "letter": row.letter}
    if row.conflict_text is not None:  # the letter states another rating too: both are shown
        found["conflict"] = {"text": row.conflict_text, "start": row.conflict_start, "end": row.conflict_end}
    return found


def short(council: str) -> str:
    from index.letters import short_name

    return short_name(council)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!~&$])")


def md_escape(text: str) -> str:
    """Letter text as literal markdown: no emphasis, links or HTML can come from a letter."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def answer_query(query: Query, reader: IndexReader, retriever: Retriever,
                 compose: Callable | None = None) -> Answer:
    """Gather the evidence for `query`, then word it (qa/compose.py unless `compose` is given)."""
    from qa import compose as default
    from qa.evidence import gather

    return (compose or default.compose)(gather(query, reader, retriever), reader)
