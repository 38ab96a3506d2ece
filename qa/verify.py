"""Check a model's answer against the passages it was given, sentence by sentence.

A generated sentence is shown only if every check passes; a sentence that fails is dropped
with its reason. The rules (docs/generative.md):

- it cites at least one passage (`[n]`, or "Passage n:" opening it), and every `[n]` is a
  passage the model was given;
- every quoted phrase ("..." or “...”) is in one of its cited passages, word for word
  (case and spacing aside);
- every number written in digits is in one of its cited passages (or is a cited letter's year);
- every council it names is the council of one of its cited passages;
- its judgement words agree with what the cited passages say: a level ("outstanding",
  "performs excellently", "requires improvement", "poor") must be one the passages give, and
  of the same service where the passages judge that service ("private fostering is
  outstanding" against "private fostering is inadequate" is dropped);
- a superlative ("the best in England"), a change ("improved", "declined"), a percentage in
  words ("ninety per cent") or a claim of absence ("no weaknesses") must be in the cited
  passages too.

Nothing here calls a model or trusts its text: the kept sentences are escaped for markdown
and their markers rewritten as "[n]" for the chips. Every pattern is flat (no nested
quantifiers), so a long or hostile answer is checked in linear time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.councils import authority, find_mentions
from index.judgements import judgements_in, sentence_judgements
from index.sentences import split_at_stops
from qa.answer import Citation, md_escape, short
from qa.query import councils_named

MAX_ANSWER_CHARS = 8_000  # a model's answer is cut here before it is checked

_LINE_BREAK = re.compile(r"\n+")
_MARKERS = re.compile(r"\[([0-9,;\s]{1,40})\]")  # "[2]", "[1, 3]", "[1][2]" is two of them
_LEADING_MARKERS = re.compile(r"(?:\[[0-9,;\s]{1,40}\]\s*)+")  # "[2] [3] Next sentence" -> to the one before
_LABEL = re.compile(r"passages?\s+(\d{1,2})\s*[:.)-]\s*", re.I)  # "Passage 2: ..." opening a sentence cites it
_BULLET = re.compile(r"\s*(?:[-*•]|\d{1,2}[.)])\s+")
_EMPHASIS = re.compile(r"\*{1,3}|_{2,3}|^#{1,6}\s*|`")
_QUOTES = (re.compile(r'"([^"\n]{1,600})"'), re.compile(r"“([^”\n]{1,600})”"))
_NUMBER = re.compile(r"\d[\d,]*")  # "1,582", "2009", "12": digits, commas inside
_WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Dropped:
    sentence: str
    reason: str

    def to_dict(self) -> dict:
        return {"sentence": self.sentence, "reason": self.reason}


@dataclass(frozen=True)
class Verification:
    kept: tuple[str, ...]  # markdown sentences, letter-safe, "[n]" markers
    dropped: tuple[Dropped, ...]

    @property
    def markdown(self) -> str:
        return " ".join(self.kept)


def verify(answer: str, passages: Sequence[Citation], councils: Sequence[tuple[str, str]] = ()) -> Verification:
    """Split `answer` into sentences and keep those the `passages` ([1] is passages[0]) support.

    `councils` are the index's (full, short) names, so councils outside the list of English
    authorities (index/councils.py) are recognised too.
    """
    kept: list[str] = []
    dropped: list[Dropped] = []
    given = [_Given(p) for p in passages]
    for sentence in sentences(answer[:MAX_ANSWER_CHARS]):
        numbers, prose = _citations(sentence)
        reason = _problem(prose, numbers, given, councils)
        if reason:
            dropped.append(Dropped(" ".join(sentence.split()), reason))
        else:
            kept.append(_markdown(prose, numbers))
    return Verification(tuple(kept), tuple(dropped))


def sentences(text: str) -> list[str]:
    """The answer's sentences, bullets and emphasis stripped; markers that open a sentence
    ("... in care. [2] The next ...") belong to the sentence before."""
    found: list[str] = []
    for line in _LINE_BREAK.split(text):
        bullet = _BULLET.match(line)
        line = _EMPHASIS.sub("", line[bullet.end():] if bullet else line)
        for part in split_at_stops(line):
            lead = _LEADING_MARKERS.match(part)
            if lead and found:
                found[-1] += " " + lead.group(0).strip()
                part = part[lead.end():].strip()
            if part:
                found.append(part)
    return found


def _citations(sentence: str) -> tuple[list[int], str]:
    """The sentence's passage numbers (in order, once each) and its text without the markers.
    A label opening the sentence ("Passage 2: ...", small models write it) counts as [2]."""
    numbers: list[int] = []
    label = _LABEL.match(sentence)
    if label:
        numbers.append(int(label.group(1)))
        sentence = sentence[label.end():]
    for marker in _MARKERS.finditer(sentence):
        for piece in re.split(r"[,;\s]+", marker.group(1)):
            if piece.isdigit() and int(piece) not in numbers:
                numbers.append(int(piece))
    prose = " ".join(_MARKERS.sub(" ", sentence).split())
    return numbers, re.sub(r"\s+([.,;:!?])", r"\1", prose)


# Judgement words and their level (4 outstanding ... 1 inadequate); "well" only after "perform".
_LEVEL = re.compile(r"\b(?:(?P<l4>outstanding|excellent|excellently|exceptional|exceptionally)"
                    r"|(?P<l3>good|perform(?:s|ed|ing)? well)"
                    r"|(?P<l2>adequate|adequately|satisfactory|requires? improvement|requiring improvement)"
                    r"|(?P<l1>inadequate|poor|poorly|weak|failing))\b")
_SUPERLATIVE = re.compile(r"\b(?:best|worst|finest|top|bottom|highest|lowest|leading|strongest|weakest|greatest"
                          r"|most improved|unrivalled|unparalleled)\b")
# A change over time, by direction; "requires improvement" is a grade, not a change.
_UP = re.compile(r"\b(?:improved|improves|improving|improvement|improvements|better|increased|increases|increasing"
                 r"|risen|rose|rising|higher)\b(?<!requires improvement)(?<!require improvement)")
_DOWN = re.compile(r"\b(?:declined|declines|declining|decline|deteriorated|deteriorating|deterioration|worse|worsened"
                   r"|decreased|decreases|decreasing|fallen|fell|falling|dropped|lower)\b")
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                     "fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_PER_CENT_WORDS = re.compile(r"\b(?P<tens>twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)?[ -]?"
                             r"(?P<unit>zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen"
                             r"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)?[ -]?(?P<hundred>a hundred|"
                             r"one hundred)? ?(?:per ?cent|percent)\b")
_ABSENCE = re.compile(r"\bno (?:weakness(?:es)?|areas? for (?:development|improvement)|concerns?|shortcomings?"
                      r"|problems?|significant weakness(?:es)?)\b|\bnothing (?:to improve|of concern)\b"
                      r"|\bwithout (?:any )?weakness(?:es)?\b|\bfaultless\b|\bflawless\b")


class _Given:
    """A passage as the checks read it, worked out once per answer: its text for quotes, its
    numbers (and its letter's year), its council, its judgement levels and its judgements of services."""

    def __init__(self, passage: Citation):
        self.text = _plain(passage.text)
        self.numbers = {_digits(m.group(0)) for m in _NUMBER.finditer(self.text)} | {str(passage.year)}
        self.council = authority(passage.council)
        self.levels = _levels(self.text)
        self.judged: dict[str, set[str]] = {}  # service -> the levels the passage gives it
        for j in judgements_in(passage.text):
            if j.level and not j.negated:
                self.judged.setdefault(j.service, set()).add(j.level)


def _levels(plain: str) -> set[int]:
    return {int(name[1]) for m in _LEVEL.finditer(plain) for name, value in m.groupdict().items() if value}


def _problem(prose: str, numbers: list[int], given: Sequence[_Given], councils) -> str | None:
    """Why the sentence cannot be shown, or None."""
    if not _WORDS.search(prose):
        return "no words"
    if not numbers:
        return "cites no passage"
    unknown = [n for n in numbers if not 1 <= n <= len(given)]
    if unknown:
        return f"cites [{unknown[0]}], which is not one of the {len(given)} passages given"
    cited = [given[n - 1] for n in numbers]
    for pattern in _QUOTES:
        for quote in pattern.finditer(prose):
            if not any(_plain(quote.group(1)) in p.text for p in cited):
                return f"quotes “{_short(quote.group(1))}”, which is not in the passages it cites"
    written = set().union(*(p.numbers for p in cited))
    for number in _NUMBER.finditer(prose):
        if _digits(number.group(0)) not in written:
            return f"gives the number {number.group(0).rstrip(',')}, which is not in the passages it cites"
    allowed = {p.council for p in cited}
    for name in _named_councils(prose, councils):
        if authority(name) not in allowed:
            return f"names {short(name)}, whose letter it does not cite"
    return _judgement_problem(prose, cited)


_LEVEL_NAMES = {4: "outstanding", 3: "good", 2: "adequate", 1: "inadequate"}


def _judgement_problem(prose: str, cited: Sequence[_Given]) -> str | None:
    """Why the sentence's judgements disagree with its passages, or None (see the module docstring)."""
    plain = _plain(prose)
    texts = " ".join(p.text for p in cited)
    for j in sentence_judgements(prose):  # a service judged: the passages' judgements of it decide
        said = {level for p in cited for level in p.judged.get(j.service, ())}
        if j.level and not j.negated and said and j.level not in said:
            return (f"says {j.service.replace('_', ' ')} is {j.word}; its passages say "
                    f"{' or '.join(sorted(said))}")
    missing = _levels(plain) - set().union(*(p.levels for p in cited))
    if missing:
        return f"judges something {_LEVEL_NAMES[max(missing)]}, which its passages do not say"
    for pattern, what in ((_SUPERLATIVE, "a superlative"), (_ABSENCE, "an absence")):
        for found in pattern.finditer(plain):
            if found.group(0) not in texts:
                return f"states {what} (“{found.group(0)}”) that its passages do not"
    for pattern, what in ((_UP, "a rise or improvement"), (_DOWN, "a fall or decline")):
        found = pattern.search(plain)
        if found and not pattern.search(texts):
            return f"states {what} (“{found.group(0)}”) that its passages do not"
    for found in _PER_CENT_WORDS.finditer(plain):
        value = 100 if found.group("hundred") else _TENS.get(found.group("tens") or "", 0) + _UNITS.get(
            found.group("unit") or "", 0)
        if (found.group("tens") or found.group("unit") or found.group("hundred")) and \
                not any(str(value) in p.numbers for p in cited) and found.group(0).strip() not in texts:
            return f"gives {found.group(0).strip()}, which is not in the passages it cites"
    return None


def _digits(number: str) -> str:
    """"1,582" and "1582" alike."""
    return number.replace(",", "")


def _named_councils(prose: str, councils) -> list[str]:
    named = {authority(name): name for _, _, name in find_mentions(prose)}
    for name in councils_named(prose, councils) if councils else ():
        named.setdefault(authority(name), name)
    return list(named.values())


def _plain(text: str) -> str:
    """Case, spacing and curly apostrophes set aside, for word-for-word comparison."""
    return " ".join(text.replace("’", "'").replace("‘", "'").lower().split())


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _markdown(prose: str, numbers: list[int]) -> str:
    """The sentence as letter-safe markdown with its markers as chips: "Text. [1] [3]"."""
    return f"{md_escape(prose)} {' '.join(f'[{n}]' for n in numbers)}"
