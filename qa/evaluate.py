"""Score the assistant on a gold set: answer councils, cited phrases, retrieval rank.

Each line of the gold file is a JSON object:
  question   the question (required)
  history    earlier questions of the conversation, for follow-ups (optional)
  councils   the councils the answer must name, short or full names ([] = none) (optional)
  phrase     text that must appear in one of the answer's citations (optional)
  contains   text that must appear in the answer itself (optional)
  relevant   text the right passage contains, for retrieval recall@k and MRR (optional)
But: - the councils an answer "names" are those of its ratings rows and citations.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import mean

from index.errors import LettersQAError
from index.reader import normalise_name


@dataclass
class Case:
    question: str
    intent: str
    precision: float | None = None
    recall: float | None = None
    phrase_ok: bool | None = None
    contains_ok: bool | None = None
    rank: int | None = None  # 1-based rank of the first relevant passage, None if not in top k
    relevant: bool = False
    councils: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    k: int
    cases: list[Case]

    def summary(self) -> dict:
        def avg(values):
            values = [float(v) for v in values if v is not None]
            return round(mean(values), 4) if values else None

        retrieval = [c for c in self.cases if c.relevant]
        return {
            "questions": len(self.cases),
            "council_precision": avg(c.precision for c in self.cases),
            "council_recall": avg(c.recall for c in self.cases),
            "phrase_hit": avg(c.phrase_ok for c in self.cases),
            "contains_hit": avg(c.contains_ok for c in self.cases),
            f"recall@{self.k}": avg(c.rank is not None for c in retrieval) if retrieval else None,
            "mrr": avg((1 / c.rank if c.rank else 0.0) for c in retrieval) if retrieval else None,
        }

    def to_dict(self) -> dict:
        return {"summary": self.summary(), "cases": [asdict(c) for c in self.cases]}

    def table(self) -> str:
        rows = [("question", "intent", "P", "R", "phrase", "contains", "rank")]
        for c in self.cases:
            rows.append((c.question[:60], c.intent, _fmt(c.precision), _fmt(c.recall), _fmt(c.phrase_ok),
                         _fmt(c.contains_ok), "-" if not c.relevant else str(c.rank or "miss")))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
        lines.append("")
        lines += [f"{key}: {value}" for key, value in self.summary().items()]
        return "\n".join(lines)


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "ok" if value else "FAIL"
    return f"{value:.2f}"


def load_gold(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LettersQAError(f"cannot read gold file {path}: {exc}") from None
    gold = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise LettersQAError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise LettersQAError(f"{path}:{number}: each line needs a \"question\" string")
            gold.append(item)
    return gold


def evaluate(assistant, gold_path: Path, k: int = 5) -> EvalReport:
    cases = []
    for item in load_gold(gold_path):
        answer = assistant.ask(item["question"], history=item.get("history") or [])
        named = {normalise_name(r.council) for r in answer.ratings}
        named |= {normalise_name(c.council) for c in answer.citations}
        case = Case(item["question"], answer.intent, councils=sorted(named))
        if "councils" in item:
            case.precision, case.recall = _precision_recall(named, item["councils"], assistant)
        if "phrase" in item:
            case.phrase_ok = any(_norm(item["phrase"]) in _norm(c.text) for c in answer.citations)
        if "contains" in item:
            case.contains_ok = _norm(item["contains"]) in _norm(answer.text)
        if "relevant" in item:
            case.relevant = True
            # The retrieval `ask` runs: the question without council names, filtered by them.
            query = assistant.parse(item["question"], item.get("history") or [])
            hits = assistant.search(query.search_text or query.text, k=k, council=list(query.councils) or None,
                                    year=list(query.years) or None)
            case.rank = next((i for i, h in enumerate(hits, 1) if _norm(item["relevant"]) in _norm(h.text)), None)
        cases.append(case)
    return EvalReport(k, cases)


def _precision_recall(named: set[str], expected: list[str], assistant) -> tuple[float, float]:
    """Expected names may be short ("Trafford"): map them to the index's full names first."""
    full = {}
    for letter in assistant.letters():
        for name in (letter.council, letter.short_name):
            full[normalise_name(name)] = normalise_name(letter.council)
    want = {full.get(normalise_name(name), normalise_name(name)) for name in expected}
    if not named:
        return (1.0 if not want else 0.0), (1.0 if not want else 0.0)
    hits = len(named & want)
    return hits / len(named), (hits / len(want) if want else 1.0)


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())
