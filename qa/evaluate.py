"""Score the assistant on a gold set: answer councils, cited phrases, retrieval rank, per category.

Each line of the gold file is a JSON object:
  question   the question (required)
  history    earlier questions of the conversation, for follow-ups (optional)
  category   the kind of question: list, lookup, compare, superlative, count, change, facts, summary,
             strengths_weaknesses, open, paraphrase, followup, absent, refusal (optional; default
             "uncategorised")
  councils   the councils the answer must name, short or full names ([] = none) (optional)
  phrase     text that must appear in one of the answer's citations (optional)
  contains   text that must appear in the answer itself (optional)
  absent     text that must NOT appear in any of the answer's citations (optional), e.g. a strength
             sentence for a question about weaknesses
  relevant   text the right passage contains, for retrieval top-1, top-3, recall@k and MRR (optional)
But: - the councils an answer "names" are those of its ratings rows and citations.
     - a case is correct when every check its line has passes: council precision and recall both 1,
       phrase, contains and absent. Retrieval rank is scored apart (top-1, top-3, recall@k, MRR).
Text is compared case-insensitively, with runs of whitespace as one space and ’ as '.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import mean

from index.boilerplate import is_standard_wording
from index.errors import LettersQAError
from index.reader import normalise_name

UNCATEGORISED = "uncategorised"


@dataclass
class Case:
    question: str
    intent: str
    precision: float | None = None
    recall: float | None = None
    phrase_ok: bool | None = None
    contains_ok: bool | None = None
    rank: int | None = None  # 1-based rank of the first relevant passage, None if not in the top max(k, 3)
    relevant: bool = False
    councils: list[str] = field(default_factory=list)
    category: str = UNCATEGORISED
    absent_ok: bool | None = None
    correct: bool = False  # every check on the line passed (retrieval rank aside)


def _avg(values) -> float | None:
    values = [float(v) for v in values if v is not None]
    return round(mean(values), 4) if values else None


@dataclass
class EvalReport:
    k: int
    cases: list[Case]

    def _retrieval(self, cases: list[Case]) -> dict:
        """top-1, top-3, recall@k and MRR@k over the cases that have a relevant passage (None if none do)."""
        ranked = [c for c in cases if c.relevant]
        if not ranked:
            return {"top1": None, "top3": None, "recall": None, "mrr": None}
        return {"top1": _avg(c.rank == 1 for c in ranked),
                "top3": _avg(c.rank is not None and c.rank <= 3 for c in ranked),
                "recall": _avg(c.rank is not None and c.rank <= self.k for c in ranked),
                "mrr": _avg((1 / c.rank if c.rank and c.rank <= self.k else 0.0) for c in ranked)}

    def summary(self) -> dict:
        retrieval = self._retrieval(self.cases)
        return {
            "questions": len(self.cases),
            "accuracy": _avg(c.correct for c in self.cases),
            "council_precision": _avg(c.precision for c in self.cases),
            "council_recall": _avg(c.recall for c in self.cases),
            "phrase_hit": _avg(c.phrase_ok for c in self.cases),
            "contains_hit": _avg(c.contains_ok for c in self.cases),
            "absent_ok": _avg(c.absent_ok for c in self.cases),
            "top1": retrieval["top1"],
            "top3": retrieval["top3"],
            f"recall@{self.k}": retrieval["recall"],
            "mrr": retrieval["mrr"],
        }

    def by_category(self) -> dict[str, dict]:
        """Per category, in the order categories first appear in the gold file."""
        groups: dict[str, list[Case]] = {}
        for case in self.cases:
            groups.setdefault(case.category, []).append(case)
        result = {}
        for category, cases in groups.items():
            retrieval = self._retrieval(cases)
            result[category] = {"questions": len(cases), "accuracy": _avg(c.correct for c in cases),
                                "top1": retrieval["top1"], "top3": retrieval["top3"], "mrr": retrieval["mrr"]}
        return result

    def to_dict(self) -> dict:
        return {"summary": self.summary(), "by_category": self.by_category(), "cases": [asdict(c) for c in self.cases]}

    def table(self) -> str:
        rows = [("question", "category", "intent", "correct", "P", "R", "phrase", "contains", "absent", "rank")]
        for c in self.cases:
            rows.append((c.question[:60], c.category, c.intent, _fmt(c.correct), _fmt(c.precision), _fmt(c.recall),
                         _fmt(c.phrase_ok), _fmt(c.contains_ok), _fmt(c.absent_ok),
                         "-" if not c.relevant else str(c.rank or "miss")))
        lines = _columns(rows)
        lines.append("")
        rows = [("category", "questions", "accuracy", "top-1", "top-3", "MRR")]
        categories = self.by_category()
        for category, s in categories.items():
            rows.append((category, str(s["questions"]), _fmt(s["accuracy"]), _fmt(s["top1"]), _fmt(s["top3"]),
                         _fmt(s["mrr"])))
        total = self.summary()
        if len(categories) > 1:
            rows.append(("all", str(total["questions"]), _fmt(total["accuracy"]), _fmt(total["top1"]),
                         _fmt(total["top3"]), _fmt(total["mrr"])))
        lines += _columns(rows, right_from=1)
        lines.append("")
        lines += [f"{key}: {value}" for key, value in total.items()]
        return "\n".join(lines)


def _columns(rows: list[tuple[str, ...]], right_from: int | None = None) -> list[str]:
    """Aligned columns; those from `right_from` on are right-aligned (numbers)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.rjust(w) if right_from is not None and i >= right_from else cell.ljust(w)
                      for i, (cell, w) in enumerate(zip(r, widths))).rstrip() for r in rows]


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
            for key in ("category", "phrase", "contains", "absent", "relevant"):
                if key in item and not isinstance(item[key], str):
                    raise LettersQAError(f"{path}:{number}: \"{key}\" must be a string")
            gold.append(item)
    return gold


def evaluate(assistant, gold_path: Path, k: int = 5) -> EvalReport:
    depth = max(k, 3)  # deep enough for top-3 whatever k is
    cases = []
    letter_texts = [(letter.council, _norm(assistant.reader.letter_text(letter.name) or ""))
                    for letter in assistant.letters()]  # for _shared_only, read once a run
    for item in load_gold(gold_path):
        history = item.get("history") or []
        answer = assistant.ask(item["question"], history=history)
        named = {normalise_name(r.council) for r in answer.ratings}
        named |= {normalise_name(c.council) for c in answer.citations}
        case = Case(item["question"], answer.intent, councils=sorted(named),
                    category=item.get("category") or UNCATEGORISED)
        cited = [_norm(c.text) for c in answer.citations]
        if "councils" in item:
            case.precision, case.recall = _precision_recall(named, item["councils"], assistant,
                                                            _shared_only(answer, letter_texts))
        if "phrase" in item:
            case.phrase_ok = any(_norm(item["phrase"]) in text for text in cited)
        if "contains" in item:
            case.contains_ok = _norm(item["contains"]) in _norm(answer.text)
        if "absent" in item:
            case.absent_ok = not any(_norm(item["absent"]) in text for text in cited)
        case.correct = (case.precision in (None, 1.0) and case.recall in (None, 1.0)
                        and all(ok is not False for ok in (case.phrase_ok, case.contains_ok, case.absent_ok)))
        if "relevant" in item:
            case.relevant = True
            # The retrieval `ask` runs: the question without council names, filtered by them.
            query = assistant.parse(item["question"], history)
            hits = assistant.search(query.search_text or query.text, k=depth, council=list(query.councils) or None,
                                    year=list(query.years) or None)
            case.rank = next((i for i, h in enumerate(hits, 1) if _norm(item["relevant"]) in _norm(h.text)), None)
        cases.append(case)
    return EvalReport(k, cases)


def _precision_recall(named: set[str], expected: list[str], assistant,
                      shared_only: frozenset[str] = frozenset()) -> tuple[float, float]:
    """Expected names may be short ("Trafford"): map them to the index's full names first.
    `shared_only`: councils named only by quoting wording other councils' letters share word for
    word; they count for the councils the line expects and against none (a question about the
    process names no council, and its answer must quote the standard text from some council's copy)."""
    full = {}
    for letter in assistant.letters():
        for name in (letter.council, letter.short_name):
            full[normalise_name(name)] = normalise_name(letter.council)
    want = {full.get(normalise_name(name), normalise_name(name)) for name in expected}
    named = {name for name in named if name not in shared_only or name in want}
    if not named:
        return (1.0 if not want else 0.0), (1.0 if not want else 0.0)
    hits = len(named & want)
    return hits / len(named), (hits / len(want) if want else 1.0)


SHARED_WORDS = 8  # a quote this long that another council's letter holds word for word is shared wording


def _shared_only(answer, texts: list[tuple[str, str]]) -> frozenset[str]:
    """The councils the answer names only through quotes of shared wording: a passage of at least
    SHARED_WORDS words that another council's letter (`texts`: council, normalised text) carries word
    for word (the scale's definitions, the standard paragraphs), or a quote of the standard wording
    index/boilerplate.py knows, which every letter of its kind carries though the index may hold one
    such letter (the seeds' one 2008 APA letter). A name or a date (a letter's facts) is each letter's own."""
    shared, own = set(), {normalise_name(r.council) for r in answer.ratings}
    for c in answer.citations:
        quote = _norm(c.text)
        elsewhere = len(quote.split()) >= SHARED_WORDS and any(
            quote in text for council, text in texts if council != c.council)
        if elsewhere or is_standard_wording(c.text):
            shared.add(normalise_name(c.council))
        else:
            own.add(normalise_name(c.council))
    return frozenset(shared - own)


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


# --- the judgements extractor on hand-labelled sentences ------------------------------------


def judgement_scores(path: str | Path) -> dict:
    """Precision and recall of index/judgements.py on a labelled file (tests/fixtures/judgements_*.jsonl:
    one sentence a line with its judgements), overall, per service and per letter kind. A judgement
    is (service, level, comparison, negated); each sentence's found and labelled ones are matched
    as multisets."""
    from collections import Counter

    from index.judgements import sentence_judgements

    tallies: dict[str, dict[str, Counter]] = {"overall": {}, "service": {}, "kind": {}}

    def add(group: str, key: str, outcome: str, n: int) -> None:
        tallies[group].setdefault(key, Counter())[outcome] += n

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold = Counter((j["service"], j["level"], j["comparison"], bool(j["negated"])) for j in row["judgements"])
        got = Counter((j.service, j.level, j.comparison, j.negated) for j in sentence_judgements(row["sentence"]))
        for outcome, found in (("tp", gold & got), ("fp", got - gold), ("fn", gold - got)):
            for key, n in found.items():
                add("overall", "all", outcome, n)
                add("service", key[0], outcome, n)
                add("kind", row["kind"], outcome, n)

    def rates(c: Counter) -> dict:
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        return {"precision": round(tp / (tp + fp), 4) if tp + fp else None,
                "recall": round(tp / (tp + fn), 4) if tp + fn else None, "tp": tp, "fp": fp, "fn": fn}

    return {"sentences": len(Path(path).read_text(encoding="utf-8").splitlines()),
            **rates(tallies["overall"].get("all", Counter())),
            "by_service": {k: rates(v) for k, v in sorted(tallies["service"].items())},
            "by_kind": {k: rates(v) for k, v in sorted(tallies["kind"].items())}}
