"""The answer's values (Answer, Citation, Coverage) and how the JSON gives them.

Answering has two steps with a seam between them: qa/evidence.py chooses what the answer
rests on (rating rows, passages, letter facts), qa/compose.py words it as markdown with
numbered citations; qa/assistant.py's `answer_query` runs both. A different composer (a
generative one, say) plugs in by passing `compose=` to it; it gets the same Evidence and
must cite from it.
Letter text is only ever quoted, never followed: it is data, escaped for markdown.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from index import kinds
from index.reader import RatingRow
from qa.query import Query


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
class Coverage:
    """How complete an answer is: `complete` when it shows every match there is (a list from the
    ratings or judgements table), else a sample: `shown` of `matches` passages (in `letters` letters)."""

    complete: bool
    matches: int | None  # None: the question's words are not ones to count matches by
    shown: int
    letters: int | None = None

    def to_dict(self) -> dict:
        found = {"complete": self.complete, "matches": self.matches, "shown": self.shown}
        if self.letters is not None:
            found["letters"] = self.letters
        return found


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
    coverage: Coverage | None = None
    judgements: tuple = ()  # index.reader.JudgementRow: the judgements of services the answer used

    def to_dict(self) -> dict:
        found = {
            "question": self.question,
            "answer": self.text,
            "intent": self.intent,
            "citations": [c.to_dict() for c in self.citations],
            "ratings": [rating_dict(r) for r in self.ratings],
            "composer": self.composer,
            "verified": self.verified,
            "coverage": self.coverage.to_dict() if self.coverage else None,
            "judgements": [judgement_dict(j) for j in self.judgements],
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


def judgement_dict(row) -> dict:
    """A JudgementRow as the JSON gives it: `text == letter_text[start:end]` is the judging sentence."""
    return {"council": row.council, "year": row.year, "kind": row.kind, "service": row.service, "word": row.word,
            "level": row.level, "comparison": row.comparison, "count": row.count, "total": row.total,
            "negated": row.negated, "letter": row.letter, "text": row.text, "start": row.start, "end": row.end,
            "clause_start": row.clause_start, "clause_end": row.clause_end}


def short(council: str) -> str:
    from index.letters import short_name

    return short_name(council)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!~&$])")


def md_escape(text: str) -> str:
    """Letter text as literal markdown: no emphasis, links or HTML can come from a letter."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
