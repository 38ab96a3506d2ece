"""Understand a question: which councils, years, rating, judgement area, and what is asked.

`parse_question(text, councils)` returns a Query with one intent:
  list         "Which councils perform adequately?"      -> every council with that rating
  count        "How many councils were rated 2 in 2009?" -> the number, and who
  superlative  "Which council came bottom?"               -> the highest / lowest grade given, ties listed
  lookup       "What rating did Trafford get?"           -> that council's ratings
  compare      "Compare Stockport and Trafford"          -> ratings side by side
  change       "Has Stockport got better since 2008?"    -> one council's letters side by side
  facts        "Who signed the Trafford letter?"         -> signatory, date, recipient, cited
  summary      "Give me an overview of Stockport's 2009 letter" -> rating, strengths, weaknesses
  strengths / weaknesses  "What is going badly in Stockport?" -> evidence of that polarity only
  service_list   "Which councils have inadequate private fostering?" -> every council whose letter
                 judges that service so (index/judgements.py), also "below similar areas", "more
                 than 3 children's homes", and a service named alone ("What did Ofsted say about
                 private fostering?": every council's judgement of it, by level)
  service_count  "How many councils have good private fostering?" -> the number, and who
  service_lookup "Is private fostering in Trafford good?" -> that council's judgements of it
  service_change "Which councils' fostering got better?" -> councils whose judgement of it changed
  council      "What did Ofsted say about Trafford?", "How is Stockport doing?" -> the council's summary
  definition   "What does 'performs adequately' mean?" -> the letters' own definition (the scale table)
  clarify      "stockt rating" (as close to Stockport as to Stockton-on-Tees) -> which one is meant
  open         anything else                             -> retrieval over the letters
A question that still has topic words once councils, years, rating and area words are
taken out ("Which councils have inadequate private fostering?") is an open question.
Follow-ups ("And Trafford?", "What about 2008?") reuse the previous Query's intent.
But: - rule-based, English only; no model is used to read the question. Every pattern here
runs on user text, so none has nested optional groups or nested quantifiers (linear time).
- At most MAX_NAMES council names are read from one question (each costs a pass over it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import NamedTuple

from index import kinds
from index.councils import MIN_TYPO_LETTERS, Speller, canonical, find_mentions, letters_only
from index.kinds.scales import SCALES
from index.letters import short_name
from index.services import AREA_SERVICES, SERVICES
from qa.glossary import GLOSSARY
from qa.spelling import respelt


class Intent(StrEnum):
    """What a question asks for. A str: `Intent.LIST == "list"`, and the JSON and the eval's
    files carry the same strings as before the enum."""

    LIST = "list"
    LOOKUP = "lookup"
    COMPARE = "compare"
    OPEN = "open"
    COUNT = "count"
    SUPERLATIVE = "superlative"
    CHANGE = "change"
    FACTS = "facts"
    SUMMARY = "summary"
    STRENGTHS = "strengths"
    WEAKNESSES = "weaknesses"
    SERVICE_LIST = "service_list"
    SERVICE_COUNT = "service_count"
    SERVICE_LOOKUP = "service_lookup"
    SERVICE_CHANGE = "service_change"
    COUNCIL = "council"
    DEFINITION = "definition"
    CLARIFY = "clarify"


# The names the modules import (qa.query.LIST, ...): the members themselves.
LIST, LOOKUP, COMPARE, OPEN = Intent.LIST, Intent.LOOKUP, Intent.COMPARE, Intent.OPEN
COUNT, SUPERLATIVE, CHANGE = Intent.COUNT, Intent.SUPERLATIVE, Intent.CHANGE
FACTS, SUMMARY = Intent.FACTS, Intent.SUMMARY
STRENGTHS, WEAKNESSES = Intent.STRENGTHS, Intent.WEAKNESSES
SERVICE_LIST, SERVICE_COUNT, SERVICE_LOOKUP = Intent.SERVICE_LIST, Intent.SERVICE_COUNT, Intent.SERVICE_LOOKUP
SERVICE_CHANGE, COUNCIL, DEFINITION, CLARIFY = Intent.SERVICE_CHANGE, Intent.COUNCIL, Intent.DEFINITION, Intent.CLARIFY
SERVICE_INTENTS = (SERVICE_LIST, SERVICE_COUNT, SERVICE_LOOKUP, SERVICE_CHANGE)
MAX_QUESTION_CHARS = 1000  # longer questions are refused with a clear message (qa/assistant.py)
MAX_NAMES = 40  # council names read from one question; any after these are words of the question
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Lone surrogates (undecodable argv bytes, JSON's "\\udXXX", a Python caller's str) as U+FFFD:
    the tokenizer, SQLite and JSON refuse them. Every question and query passes through here."""
    return _SURROGATE.sub("\ufffd", text)


@dataclass(frozen=True)
class Query:
    text: str
    intent: Intent
    councils: tuple[str, ...] = ()  # full names of indexed councils the question names
    unknown_councils: tuple[str, ...] = ()  # named councils with no letter in the index
    years: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()  # asked for explicitly ("APA", "annual rating"): index.kinds keys
    # a Scale.key the wording implies: "performs well" -> "performs", "outstanding" -> "apa_grades"
    scale: str | None = None
    grades: tuple[int, ...] = ()
    areas: tuple[str, ...] = ()
    topic: str = ""  # the question's own words, without councils, years, ratings or generic words
    search_text: str = ""  # the question without council names and years: what retrieval embeds
    followup: bool = False
    polarity: str | None = None  # "strength" / "weakness" when the question asks for one
    extreme: str | None = None  # superlatives: "max" (best, top) or "min" (worst, bottom)
    facts: tuple[str, ...] = ()  # letter facts asked for: "signatory", "date", "recipient"
    services: tuple[str, ...] = ()  # services named (index/services.py keys): "private_fostering"
    comparison: str | None = None  # "above" / "in_line" / "below" similar areas or the national figure
    threshold: tuple[str, int] | None = None  # ("more", 3): "more than 3 children's homes"; also "less", "least"
    change: str | None = None  # "better" / "worse" / "any": a change over time asked about
    term: str = ""  # definition: the words whose meaning is asked ("performs adequately")
    typos: tuple[tuple[str, str], ...] = ()  # (what was written, the indexed council read for it): "stockprt"
    did_you_mean: tuple[str, ...] = ()  # a misspelling as close to several councils: the word, then their names
    transition: tuple[int, int] | None = None  # "from inadequate to good": (1, 3), the grades in the order named
    respelt: tuple[tuple[str, str], ...] = ()  # (written, read as): "fostring" -> "fostering" (qa/spelling.py)


def normalise(text: str) -> str:
    """Lower case, curly quotes straightened, hyphens as spaces: "Stoke-on-Trent" ~ "stoke on trent"."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    return " ".join(re.sub(r"[-–—]", " ", text).split())


# (pattern on normalised text, grades, implied scale key); earlier patterns win their words. Each
# scale's own words come first (index/kinds/scales.py), then the words every scale shares.
_RATING_PATTERNS: tuple[tuple[str, tuple[int, ...], str | None], ...] = (
    *((pattern, (grade,), scale.key) for scale in SCALES for pattern, grade in scale.question_words),
    (r"not good enough|not up to (?:scratch|standard|the mark)|sub ?standard|below standard|letting (?:\w+ )?down"
     r"|lets (?:\w+ )?down", (1,), None),
    (r"excellent|top notch|top rated", (4,), None),
    (r"thumbs up", (3, 4), None),
    (r"good", (3,), None),
    (r"inadequate|failing", (1,), None),
    (r"adequate|satisfactory", (2,), None),
    (r"poor", (1,), None),
    (r"(?:rated|rating(?: of)?|grade[ds]?(?: of)?|scored?(?: of)?|band|got|get|given|received) ?(?:a |an )?"
     r"([1-4])\b", (), None),
    (r"\(([1-4])\)", (), None),
)
# Graded areas as questions name them ("keeping children safe"), from every kind's areas.
_AREA_PHRASES = {area.key: area.question for area in kinds.AREAS if area.question}
_GENERIC = frozenset("""
which what who whom where when how many much list show give tell me us all every any each the a an of for in on at
anything something ofsted's
to by with and or from their its it that those these there this is are was were be been has have had get got gets
received receive given did do does doing done fare fared councils council authorities authority local la las
children's childrens children child services service ofsted rating ratings rated rate grade grades graded score
scores scored perform performs performed performing performance judged judgement judgment annual assessment
assessments apa inspection inspections year years letter letters latest scale level please as only than better
worse least most highest lowest best worst rank ranked compare compared comparison versus vs between against same
also both was were their was being overall effectiveness areas area one ones result results whose according did
came come comes finished ranked place placed now then about councils' council's authorities' authority's
""".split())


class SearchWords(NamedTuple):
    """What a search reads from its query (`search_words`): the words to search, and the
    councils, years, letter kinds and APA areas named, which filter."""

    search_text: str
    councils: tuple[str, ...]
    years: tuple[int, ...]
    kinds: tuple[str, ...]
    areas: tuple[str, ...]


def search_words(text: str, councils: Iterable[tuple[str, str]],
                 passages_with: Callable[[list[str]], dict[str, int]] | None = None) -> SearchWords:
    """The part of `parse_question(text, ...)` a search uses, and the same values: it stops
    before the asks, ratings and services, which only a question's answer needs (a search
    waits for this before its encoder starts)."""
    read = _read_names_and_years(text[:MAX_QUESTION_CHARS], councils, passages_with)
    kinds, norm = _find_kinds(read.norm)
    areas, _ = _find_areas(norm)
    return SearchWords(read.search_text, tuple(read.found), read.years, kinds, areas)


class _NamesAndYears(NamedTuple):
    found: list[str]
    unknown: tuple[str, ...]
    typos: tuple[tuple[str, str], ...]
    did_you_mean: tuple[str, ...]
    words_read: tuple[tuple[str, str], ...]
    years: tuple[int, ...]
    search_text: str
    norm: str  # the question, normalised, without those names and years


def _read_names_and_years(text: str, councils: Iterable[tuple[str, str]],
                          passages_with: Callable[[list[str]], dict[str, int]] | None) -> _NamesAndYears:
    """The councils (named, by another name, misspelt), misspelt words and years of `text`,
    and what is left once they are taken out: the words a search embeds."""
    councils = councils if isinstance(councils, tuple) else tuple(councils)  # keeps a cached hash
    norm = f" {normalise(text)} "
    found, norm = _find_councils(norm, councils)
    by_authority = _by_authority(councils)
    unknown: list[str] = []
    # A question typed all in lower case ("stoke childrens homes any good") names a council whose
    # name is also a word ("stoke", "hull") in lower case too (index/councils.py CAPITAL_ONLY).
    lower_case = not any(ch.isupper() for ch in text)
    for name in _unknown_councils(text, lower_case):
        # "Hull", "County Durham", "the London Borough of Redbridge": an indexed council by another name.
        indexed = by_authority.get(canonical(name) or "", ())
        if indexed:
            found.extend(full for full in indexed if full not in found)
        elif name.islower() and lower_case:
            continue  # a word in lower case is read as a council only when the index has its letters
        elif normalise(name) not in {normalise(f) for f in found} and not any(
                normalise(name) in normalise(f) for f in found):
            unknown.append(name)
        norm = re.sub(rf"(?<![a-z0-9]){re.escape(normalise(name))}(?:'s)?(?![a-z0-9])", " ", norm)
    found, unknown, typos, did_you_mean, norm = _misspelt(found, unknown, norm, councils)
    words_read: tuple[tuple[str, str], ...] = ()
    if passages_with is not None:
        words_read = tuple(respelt(norm, passages_with, _KEPT_WORDS))
        for written, meant in words_read:
            norm = re.sub(rf"(?<![a-z]){written}(?![a-z])", meant, norm)
    unknown = tuple(unknown)
    # "Have exclusions come down since 2006?" is about a figure the letters compare with 2006, not a
    # letter of 2006: "since YEAR" filters nothing and stays in the words searched.
    since = set(re.findall(r"\bsince ((?:19|20)\d\d)\b", norm))
    years = tuple(sorted({int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", norm) if y not in since}))
    norm = re.sub(r"\b(?:19|20)\d\d\b", lambda m: m[0] if m[0] in since else " ", norm)
    return _NamesAndYears(found, unknown, typos, did_you_mean, words_read, years, " ".join(norm.split()), norm)


def parse_question(text: str, councils: Iterable[tuple[str, str]], previous: Query | None = None,
                   passages_with: Callable[[list[str]], dict[str, int]] | None = None) -> Query:
    """Parse `text`; `councils` are the index's (full name, short name) pairs; `passages_with`
    (IndexReader.passages_with), when given, lets misspelt words be read as the letters' words."""
    text = text[:MAX_QUESTION_CHARS]
    found, unknown, typos, did_you_mean, words_read, years, search_text, norm = _read_names_and_years(
        text, councils, passages_with)
    kinds, norm = _find_kinds(norm)
    areas, norm = _find_areas(norm)  # first: "positive contribution", "capacity to improve" are areas
    defined = _DEFINE.search(norm)
    services, comparison, threshold, norm, others = _find_services(norm)
    before_asks = norm
    asks, norm = _find_asks(norm)
    asks.others = frozenset(w for w in re.findall(r"[a-z0-9']+", _find_asks(others)[1])
                            if w not in _GENERIC and len(w) > 1)
    transition = _transition(before_asks) if asks.change else None
    grades, scale, norm = _find_grades(norm)
    if areas and scale is None:
        scale = _area_scale(areas)
    topic_words = [w for w in re.findall(r"[a-z0-9']+", norm) if w not in _GENERIC and len(w) > 1]
    if services and asks.polarity and not grades and not found and not unknown:
        # "Where is private fostering a weakness?": a service's weakness is an inadequate judgement,
        # its strength good or better.
        grades = (1,) if asks.polarity == "weakness" else (3, 4)
    query = Query(text, OPEN, tuple(found), unknown, years, kinds, scale, grades, areas,
                  topic=" ".join(topic_words), search_text=search_text, polarity=asks.polarity,
                  extreme=asks.extreme, facts=asks.facts, services=services,
                  comparison=comparison, threshold=threshold, change=asks.direction,
                  term=_term(defined) if defined else "", typos=typos, did_you_mean=did_you_mean,
                  transition=transition, respelt=words_read)
    if previous is not None and _is_followup(text, query):
        return _merge(previous, query)
    return replace(query, intent=_intent(query, norm, asks))


# Words never read as misspellings of the letters' words: the question words, and the glossary's
# everyday words and abbreviations ("camhs", "neet"), which it maps to the letters' own.
_KEPT_WORDS = _GENERIC | frozenset(w for phrases, _ in GLOSSARY for w in re.findall(r"[a-z]+", phrases))

MAX_TYPO_CANDIDATES = 30  # words and runs of words of one question tried as misspelt council names


def _misspelt(found: list[str], unknown: list[str], norm: str, councils: tuple[tuple[str, str], ...]):
    """Council names misspelt ("stockprt", "What rating did Trafferd get?"): an unknown name, or
    with no council named at all a word or run of up to three words, that is one or two edits
    from exactly one indexed council's short name (index/councils.py spelled_like) is read as it;
    one as close to several is asked about. Returns found, unknown, typos, did_you_mean, norm."""
    shorts, speller = _short_names(councils)
    typos: list[tuple[str, str]] = []
    did_you_mean: tuple[str, ...] = ()
    still: list[str] = []
    for name in unknown:
        near = speller.like(name)
        if len(near) == 1:
            full = shorts[near[0]][0]
            typos.append((name, full))
            if full not in found:
                found.append(full)
        else:
            if len(near) > 1 and not did_you_mean:
                did_you_mean = (name, *near)
            still.append(name)
    if found or still or did_you_mean:
        return found, still, tuple(typos), did_you_mean, norm
    for run in _runs(norm):
        near = speller.like(run)
        if len(near) == 1:
            found.extend(shorts[near[0]])
            typos.append((run, shorts[near[0]][0]))
            norm = re.sub(rf"(?<![a-z0-9]){re.escape(run)}(?:'s)?(?![a-z0-9])", " ", norm)
            break
        if len(near) > 1:
            did_you_mean = (run, *near)
            break
    return found, still, tuple(typos), did_you_mean, norm


@functools.lru_cache(maxsize=4)
def _short_names(councils: tuple[tuple[str, str], ...]) -> tuple[dict[str, tuple[str, ...]], Speller]:
    """Short name -> the full names of the indexed councils it stands for; and a Speller over the
    short names (index/councils.py), which compares a misspelling only with the names that share
    its first or its second letter, not with every council indexed."""
    table: dict[str, list[str]] = {}
    for full, short in councils:
        if full not in table.setdefault(short, []):
            table[short].append(full)
    # The first word of a hyphenated name is how people say it ("Stockton" for Stockton-on-Tees), so
    # "Stockon" is read as it too, where that word is long enough and names one council.
    leads: dict[str, set[str]] = {}
    for short in list(table):
        lead = re.split(r"[- ]", short, maxsplit=1)[0]
        if lead != short and len(letters_only(lead)) >= MIN_TYPO_LETTERS:
            leads.setdefault(lead, set()).add(short)
    for lead, named in leads.items():
        if len(named) == 1 and lead not in table:
            table[lead] = list(table[next(iter(named))])
    return {short: tuple(fulls) for short, fulls in table.items()}, Speller(table)


_WORDS_KNOWN = frozenset(w for service in SERVICES for w in re.findall(r"[a-z]+", service.title.lower()))


def _runs(norm: str) -> list[str]:
    """Runs of one to three words of the question that may be a council's name (no question word
    or service word in them), longest first, at most MAX_TYPO_CANDIDATES."""
    words = [w.removesuffix("'s") for w in re.findall(r"[a-z][a-z']*", norm)]  # "stockon's": the name, not its 's
    runs = []
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            run = words[i:i + size]
            ends, middle = (run[0], run[-1]), run[1:-1]
            if any(w in _GENERIC or w in _WORDS_KNOWN for w in ends) or any(
                    w not in _CONNECTORS and (w in _GENERIC or w in _WORDS_KNOWN) for w in middle):
                continue  # "stoke on trnt": a connector inside a name, never at its ends
            runs.append(" ".join(run))
            if len(runs) >= MAX_TYPO_CANDIDATES:
                return runs
    return runs


def distinct_councils(councils: Iterable[str]) -> int:
    """How many councils these full names are: "Southvale" and "Southvale Metropolitan Borough
    Council" (an ILACS report's name and an older letter's) are one."""
    return len({normalise(short_name(council)) for council in councils})


def councils_named(text: str, councils: Iterable[tuple[str, str]]) -> list[str]:
    """The full names of the indexed councils `text` names (full or short name)."""
    return _find_councils(normalise(text), councils)[0]


def _find_councils(norm: str, councils: Iterable[tuple[str, str]]) -> tuple[list[str], str]:
    """Indexed councils named in the question (full or short name), removed from the text.

    Only names whose first word is in the question are tried (one regex each would be
    compiled for every council on every question otherwise).
    """
    councils = councils if isinstance(councils, tuple) else tuple(councils)
    names, by_first, always = _council_table(councils)
    fulls = _fulls_by_name(councils)
    words = set(re.findall(r"[a-z0-9]+", norm))
    found: list[str] = []
    for rank in sorted({r for word in words for r in by_first.get(word, ())} | set(always)):
        name, full = names[rank]
        if not name or name not in norm:  # most candidates share only a first word ("west", "north")
            continue
        pattern = rf"(?<![a-z0-9]){re.escape(name)}(?:'s)?(?![a-z0-9])"
        if re.search(pattern, norm):
            norm = re.sub(pattern, " ", norm)
            # every council the name stands for: "Southvale" is the ILACS report's "Southvale" and
            # the older letters' "Southvale Metropolitan Borough Council"
            found.extend(f for f in fulls[name] if f not in found)
    return found, norm


@functools.lru_cache(maxsize=4)
def _fulls_by_name(councils: tuple[tuple[str, str], ...]) -> dict[str, tuple[str, ...]]:
    """Normalised full or short name -> the full names of the indexed councils it names."""
    table: dict[str, list[str]] = {}
    for full, short in councils:
        for name in (normalise(full), normalise(short)):
            if full not in table.setdefault(name, []):
                table[name].append(full)
    return {name: tuple(found) for name, found in table.items()}


@functools.lru_cache(maxsize=4)
def _council_table(councils: tuple[tuple[str, str], ...]) -> tuple[list[tuple[str, str]], dict, list[int]]:
    """Normalised (name, full name) pairs, longest first, and their ranks by first word."""
    names = sorted({(normalise(name), full) for full, short in councils for name in (full, short)},
                   key=lambda pair: -len(pair[0]))
    by_first: dict[str, list[int]] = {}
    always: list[int] = []
    for rank, (name, _) in enumerate(names):
        first = re.match(r"[a-z0-9]+", name)
        if first:
            by_first.setdefault(first.group(0), []).append(rank)
        elif name:
            always.append(rank)
    return names, by_first, always


@functools.lru_cache(maxsize=4)
def _by_authority(councils: tuple[tuple[str, str], ...]) -> dict[str, tuple[str, ...]]:
    """Canonical authority name (index/councils.py) -> the indexed councils' full names."""
    table: dict[str, list[str]] = {}
    for full, short in councils:
        name = canonical(full) or canonical(short)
        if name and full not in table.setdefault(name, []):
            table[name].append(full)
    return {name: tuple(fulls) for name, fulls in table.items()}


_CONNECTORS = frozenset({"on", "upon", "under", "and", "le", "with", "of"})
_NAME_WORD = re.compile(r"[\w'’-]+")
_FOLLOWUP_NAME = re.compile(r"\s*(?:and|what about|how about|what of)\s+(?:for |in )?", re.I)
_DID_NAME = re.compile(r"\b(?:did|does|has|is|was)\s+", re.I)
_RATING_VERBS = frozenset({"get", "receive", "perform", "score", "do", "rated", "graded"})


def _unknown_councils(text: str, lower_case: bool = False) -> list[str]:
    """Council names in the question that may have no letter: English authorities by any
    common name (in lower case too, with `lower_case`), or the name in "And X?" / "What rating did X get?"."""
    guessed = []
    match = _FOLLOWUP_NAME.match(text)
    if match:
        guessed.append(_capitalised_run(text, match.end())[0])
    for match in _DID_NAME.finditer(text):
        name, after = _capitalised_run(text, match.end())
        if after.lower() in _RATING_VERBS:
            guessed.append(name)
    names = [text[start:end] for start, end, _ in find_mentions(text, any_case=lower_case)]
    guessed = [n.removesuffix("'s").removesuffix("’s") for n in guessed]  # "What about Stockport's ...": Stockport
    names += [n for n in guessed if n and n[0].isupper() and normalise(n) not in _GENERIC]
    # Each name costs a pass over the question (parse_question takes it out), and each is
    # compared with the others: the first MAX_NAMES distinct ones keep that linear in the text.
    kept: list[str] = []
    distinct = list(dict.fromkeys(names))[:MAX_NAMES]
    for name in sorted(distinct, key=len, reverse=True):  # "Cheshire East" hides "Cheshire"
        if not any(name in longer for longer in kept):
            kept.append(name)
    return kept


def _capitalised_run(text: str, start: int) -> tuple[str, str]:
    """The run of capitalised words from `start` ("City of London", "Kingston upon Hull"),
    connectors allowed between them, and the word after it. One pass over the words: no regex
    backtracking (a nested optional pattern here once took 93 s on 161 characters)."""
    words = list(_NAME_WORD.finditer(text, start, min(len(text), start + 200)))
    end, last, i = start, -1, 0
    while i < len(words) and (i == 0 or not text[words[i - 1].end():words[i].start()].strip(" ")):
        word = words[i].group(0)
        if word[0].isupper():
            end, last = words[i].end(), i
        elif word.lower() not in _CONNECTORS:
            break
        i += 1
    after = words[last + 1].group(0) if last + 1 < len(words) else ""
    return text[start:end].strip(), after


def _find_kinds(norm: str) -> tuple[tuple[str, ...], str]:
    """Letter kinds the question names ("APA", "annual rating", "unannounced inspection"), taken out of it."""
    found = []
    for kind in kinds.KINDS:
        if kind.question and re.search(rf"\b(?:{kind.question})", norm):
            found.append(kind.key)
    for kind in kinds.KINDS:
        if kind.question:
            norm = re.sub(rf"\b(?:{kind.question})", " ", norm)
    return tuple(found), norm


def _find_areas(norm: str) -> tuple[tuple[str, ...], str]:
    areas = []
    for key, phrase in _AREA_PHRASES.items():
        pattern = rf"\b(?:{phrase})\b"
        if re.search(pattern, norm):
            areas.append(key)
            norm = re.sub(pattern, " ", norm)
    return tuple(areas), norm


def _area_scale(areas: tuple[str, ...]) -> str | None:
    """The scale of the first kind (the APA's first) that grades every area named."""
    for kind in kinds.APA_FIRST:
        if kind.scale and set(areas) <= {area.key for area in kind.areas}:
            return kind.scale.key
    return None


def _find_grades(norm: str) -> tuple[tuple[int, ...], str | None, str]:
    grades: list[int] = []
    scale = None
    for pattern, fixed, implied in _RATING_PATTERNS:
        for match in re.finditer(rf"\b(?:{pattern})", norm):
            grades.extend(fixed or (int(match.group(1)),))
            scale = scale or implied
        norm = re.sub(rf"\b(?:{pattern})", " ", norm)
    if grades and re.search(r"\bor (?:better|above|higher)\b|\bat least\b", norm):
        grades = list(range(min(grades), 5))
    elif grades and re.search(r"\bor (?:worse|below|lower)\b|\bat most\b", norm):
        grades = list(range(1, max(grades) + 1))
    norm = re.sub(r"\bor (?:better|above|higher|worse|below|lower)\b|\bat (?:least|most)\b", " ", norm)
    return tuple(sorted(set(grades))), scale, norm


def _transition(norm: str) -> tuple[int, int] | None:
    """"went from inadequate to good" -> (1, 3): two grades named after "from", in their order. The
    rating words are found as _find_grades finds them (earlier patterns first), each blanked out
    with spaces of its own length so the positions of the others still hold."""
    start = norm.find(" from ")
    if start < 0:
        return None
    masked, named = norm, []
    for pattern, fixed, _ in _RATING_PATTERNS:
        if not fixed:
            continue
        for match in re.finditer(rf"\b(?:{pattern})", masked):
            named.append((match.start(), fixed[0]))
        masked = re.sub(rf"\b(?:{pattern})", lambda m: " " * len(m.group(0)), masked)
    after = sorted(g for g in named if g[0] > start)
    if len(after) != 2 or not re.search(r" (?:to|into) ", norm[after[0][0]:after[1][0]]):
        return None
    return after[0][1], after[1][1]


_POLARITY_ASKS = (  # (pattern, polarity); the words are taken out of the topic
    (r"weakness(?:es)?|weakest (?:areas?|points?|aspects?)|areas? for (?:development|improvement)"
     r"|going (?:badly|wrong)|gone (?:badly|wrong)|went (?:badly|wrong)|doing badly|bad news|problems?"
     r"|concerns?|negatives?|shortcomings?|criticisms?|criticised|criticise|needs? to improve|needs? improving"
     r"|struggling|worries|worst aspects?|(?:isn't|is not|aren't|are not) going well|falls? short|fell short"
     r"|falling short|(?:does|do|did) badly|red flags?|anything wrong",
     "weakness"),
    (r"strengths?|strongest (?:areas?|points?|aspects?)|going well|gone well|went well|good news|good at"
     r"|positives?|praised?|strong points?|best aspects?|what works|doing well", "strength"),
)
_REQUEST = re.compile(r"\b(?:i|we) (?:need|want|would like|'d like|am looking for|'m looking for)\b")
_SUPERLATIVES = (
    (r"best|top|highest|strongest|came first|leading|most highly", "max"),
    (r"worst|bottom|lowest|weakest|came last|least well", "min"),
)
_FACT_ASKS = (
    (r"addressed to|to whom|who received|recipient|who did (?:ofsted|they|it|you) write to"
     r"|who (?:was|is) (?:it|the letter|this letter) (?:sent|addressed|written) to", "recipient"),
    (r"who (?:wrote|writes|signed|sent|authored)|signed by|signatory|who (?:is|was) (?:it|the letter) from"
     r"|who (?:is|was) the author|author of", "signatory"),
    (r"what date|which date|dated|date of|the date"
     r"|when (?:was|were|did|is)\b[^?.]{0,60}?\b(?:sent|written|dated|signed|issued|published|write|send)", "date"),
)
_SUMMARY = re.compile(r"\b(?:overview|summary|summari[sz]e|sum up|gist|key points|main points|main findings"
                      r"|key findings|nutshell|outline)\b")
_COUNT = re.compile(r"\b(?:how many|number of) (?:councils|authorities|las|local authorities"
                    r"|\w+ councils|\w+ authorities)\b")
_CHANGE = re.compile(r"\b(?:better or worse|worse or better|(?:got|gotten|getting|doing|done|did|performing) "
                     r"(?:better|worse)|(?:better|worse) now"
                     r"|improved|improve|declined|deteriorated|changed?|progress(?:ed)?|over time|since"
                     r"|(?:went|gone|moved|move|go|goes|rose|risen|fell|fallen|dropped|slipped|climbed) from)\b")


@dataclass
class Asks:
    """What a question's wording asks for beside its topic (`_find_asks`): a polarity, facts of the
    letter, a superlative, a summary, a count, a change (and its direction); `others`, the words
    beside the services it names."""

    polarity: str | None = None  # "strength" / "weakness"
    facts: tuple[str, ...] = ()  # "recipient", "signatory", "date"
    extreme: str | None = None  # "max" / "min"
    summary: bool = False
    count: bool = False
    change: bool = False
    direction: str | None = None  # with change: "better", "worse" or "any"
    others: frozenset[str] = frozenset()


def _find_asks(norm: str) -> tuple[Asks, str]:
    """What kind of answer the wording asks for (polarity, superlative, facts, summary, count,
    change), with those words taken out of the text."""
    asks = Asks()
    norm = f" {' '.join(norm.split())} "
    norm = _REQUEST.sub(" ", norm)  # "I need the bad news for Stockton": the asking, not a topic
    for pattern, polarity in _POLARITY_ASKS:
        norm, found = re.subn(rf"\b(?:{pattern})\b", " ", norm)
        if found:
            asks.polarity = asks.polarity or polarity
    facts = [fact for pattern, fact in _FACT_ASKS if re.search(rf"\b(?:{pattern})\b", norm)]
    if facts:  # each looked for in the whole question, then all taken out
        asks.facts = tuple(facts)
        for pattern, _ in _FACT_ASKS:
            norm = re.sub(rf"\b(?:{pattern})\b", " ", norm)
        norm = re.sub(r"\b(?:when|sent|written|wrote|signed|issued|published|date)\b", " ", norm)
    for pattern, extreme in _SUPERLATIVES:
        norm, found = re.subn(rf"\b(?:{pattern})\b", " ", norm)
        if found:
            asks.extreme = asks.extreme or extreme
    norm, found = _SUMMARY.subn(" ", norm)
    asks.summary = bool(found)
    norm, found = _COUNT.subn(" councils ", norm)
    asks.count = bool(found)
    words = " ".join(match.group(0) for match in _CHANGE.finditer(norm))
    norm, found = _CHANGE.subn(" ", norm)
    if found:
        better, worse = re.search(r"better|improve", words), re.search(r"worse|declin|deteriorat", words)
        asks.change = True
        asks.direction = "better" if better and not worse else "worse" if worse and not better else "any"
    return asks, norm


# Services as questions name them (index/services.py): people's words and the letters' own;
# the APA's judgement areas are read as areas (above), not services. Longest phrases first.
_SERVICE_PHRASES = tuple((service.key, re.compile(rf"\b(?:{service.people}|{service.letter})\b", re.I))
                         for service in SERVICES if service.key not in AREA_SERVICES)
_SCHOOL_PHASES = ("primary_schools", "secondary_schools", "special_schools", "nursery_schools", "schools")
_THAN_ELSEWHERE = (r"\b[^?]{0,60}?\bthan (?:the |in |elsewhere)?(?:national |england )?"
                   r"(?:average|picture|similar|comparable|other|nationally|elsewhere)")
_COMPARED = (
    (r"(?:below|worse than|lower than|weaker than|behind|under|not as good as|less good than|poorer than)"
     r"(?: the| that of| those of| in)?(?: similar| comparable| other| statistical| national| england| the national)"
     r"|(?:below|under) (?:the )?(?:national )?average|below par", "below"),
    (r"(?:above|better than|higher than|stronger than|ahead of|beat|beats|outperform|outperforms)"
     r"(?: the| that of| those of| in)?(?: similar| comparable| other| statistical| national| england| the national)"
     r"|above (?:the )?(?:national )?average", "above"),
    (r"in line with|on a par with|same as (?:similar|national)|similar to (?:similar|other|national)", "in_line"),
    # "more good sixth forms than average": one bounded gap, so linear on any question
    (rf"(?:more|higher|greater|better|bigger){_THAN_ELSEWHERE}", "above"),
    (rf"(?:fewer|lower|less|worse|smaller){_THAN_ELSEWHERE}", "below"),
)
_BASELINE_WORDS = re.compile(r"\b(?:similar|comparable|statistical) (?:areas?|councils?|authorities|neighbours|places)"
                             r"|\bnational (?:average|figures?|picture|rate)|\bnationally\b|\baverage\b|\bengland\b")
_THRESHOLD = re.compile(r"\b(?P<op>more than|over|at least|fewer than|less than|under) (?P<n>\d{1,4}|one|two|three"
                        r"|four|five|six|seven|eight|nine|ten|eleven|twelve)\b")
_NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve"
                                             .split())}


def _find_services(norm: str) -> tuple[tuple[str, ...], str | None, tuple[str, int] | None, str, str]:
    """Services the question names (index/services.py), a comparison with similar areas or the
    national figure, and a count threshold ("more than 3"), the last two taken out of the text;
    and the text without the services too (what else the question asks). "schools" alone asks
    about every kind of school."""
    services: list[str] = []
    others = norm
    for key, pattern in _SERVICE_PHRASES:
        others, found = pattern.subn(" ", others)
        if found:
            services.extend(_SCHOOL_PHASES if key == "schools" and not services else (key,))
    services = list(dict.fromkeys(services))
    if "schools" in services and any(s in services for s in _SCHOOL_PHASES[:-1]) and len(services) < 5:
        services.remove("schools")
    comparison = None
    if services:
        for pattern, direction in _COMPARED:
            norm, found = re.subn(rf"\b(?:{pattern})\b", " ", norm)
            others = re.sub(rf"\b(?:{pattern})\b", " ", others)
            if found and comparison is None:
                comparison = direction
        if comparison:
            norm, others = _BASELINE_WORDS.sub(" ", norm), _BASELINE_WORDS.sub(" ", others)
    threshold = None
    match = _THRESHOLD.search(others) if services else None
    if match:
        n = match.group("n")
        op = {"more than": "more", "over": "more", "at least": "least"}.get(match.group("op"), "less")
        threshold = (op, int(n) if n.isdigit() else _NUMBER_WORDS[n])
        others = others[:match.start()] + " " + others[match.end():]
        norm = _THRESHOLD.sub(" ", norm)
    return tuple(services), comparison, threshold, norm, others


# With a council named and nothing else asked, these words ask for the council as a whole.
_BROAD_WORDS = frozenset("""
say said says tell doing getting going know make made think thought verdict lowdown like news picture pass muster
fare faring shape state
inspectors inspector inspected find found write wrote written story general generally things thing overall
overview summary summarise summarize up sum give what's how's they you headlines headline final news
agency agencies arrangements out
""".split())
_RATING_WORDS = re.compile(r"\b(?:rating|ratings|rated|rate|grade|grades|graded|score|scored|scores|perform"
                           r"|performs|performed|performing|judged|band)\b")


# "What does 'performs adequately' mean?", "the meaning of grade 2": one bounded lazy gap each (linear).
_DEFINE = re.compile(
    r"\bwhat (?:does|do|did|would) (?:a |an |the )?(?:rating of |grade of |judgement of |score of )?(?P<a>[^?]{1,80}?)"
    r" (?:actually |really |exactly )?(?:mean|means|stand for|stands for|signify)\b"
    r"|\b(?:definition|meaning) of (?:a |an |the )?(?P<b>[^?]{1,80})"
    r"|\bwhat is meant by (?:a |an |the )?(?P<c>[^?]{1,80})")


def _term(match: re.Match) -> str:
    term = next(group for group in match.groups() if group)
    return " ".join(term.replace("'", " ").replace('"', " ").split())


def _intent(query: Query, norm: str, asks: Asks) -> Intent:
    named = distinct_councils(query.councils) + len(query.unknown_councils)
    if query.did_you_mean and not query.councils:
        return CLARIFY
    if query.facts:
        return FACTS
    if query.term:
        return DEFINITION
    service = _service_intent(query, named, asks)
    if service:
        return service
    if named == 1 and not (query.grades or query.areas or query.polarity or query.kinds or asks.change
                           or asks.count or query.extreme) and set(query.topic.split()) <= _BROAD_WORDS \
            and not _RATING_WORDS.search(normalise(query.text)) and (query.topic or not query.years):
        return COUNCIL
    if asks.summary and not query.topic:
        return SUMMARY
    if query.polarity and (named or query.topic or query.areas or not query.grades):
        return STRENGTHS if query.polarity == "strength" else WEAKNESSES
    if asks.change and not query.topic and named <= 1:
        return CHANGE
    if query.topic:
        return OPEN
    if asks.count and not named:
        return COUNT
    if query.extreme and not named:
        return SUPERLATIVE
    if named >= 2 or (named == 1 and (len(query.years) >= 2 or re.search(r"\bcompare|\bversus\b|\bvs\b", norm))):
        return COMPARE
    if named == 1:
        return LOOKUP
    if query.grades:
        return LIST
    return OPEN if not query.areas else LIST


def _service_intent(query: Query, named: int, asks: Asks) -> Intent | None:
    """A question about a service's judgements, when it names a service and asks for no passages
    (no polarity, no words beyond the service's): which councils, how many, one council's, a change."""
    broad = asks.others <= _BROAD_WORDS
    if re.search(r"\bhow (?:good|well|bad|badly)\b", normalise(query.text)):  # asks for the passages, not a level
        return None
    if not query.services or query.areas or not (broad or query.grades) or (query.polarity and named):
        return None
    if asks.extreme and named != 1:  # "Whose fostering got the lowest rating?", of every council or of those named
        return SERVICE_LIST
    if named:  # "Is Trafford's private fostering good?", "What grade did Eastmere get for care leavers?"
        asks_level = query.grades or query.comparison or _RATING_WORDS.search(normalise(query.text))
        return SERVICE_LOOKUP if asks_level else None
    if asks.change:
        return SERVICE_CHANGE
    if asks.count:
        return SERVICE_COUNT
    return SERVICE_LIST


_FOLLOWUP = re.compile(r"^\s*(?:and|what about|how about|what of|same for|also|now)\b", re.I)


def _is_followup(text: str, query: Query) -> bool:
    if _FOLLOWUP.match(text):
        return True
    # A bare "Trafford?" or "In 2008?": names something but asks nothing of its own.
    asks = re.match(r"\s*(?:which|what|who|how|is|are|does|did|compare|list|show)\b", text, re.I)
    return not asks and not query.topic and not query.grades and not query.areas and len(text.split()) <= 3


def _merge(previous: Query, new: Query) -> Query:
    """The previous question, with what the follow-up names put in its place."""
    councils_changed = bool(new.councils or new.unknown_councils)
    merged = replace(
        previous,
        text=new.text,
        followup=True,
        councils=new.councils if councils_changed else previous.councils,
        unknown_councils=new.unknown_councils if councils_changed else previous.unknown_councils,
        years=new.years or (() if councils_changed and previous.intent != OPEN else previous.years),
        kinds=new.kinds or previous.kinds,
        grades=new.grades or previous.grades,
        scale=new.scale or (None if new.years else previous.scale),
        areas=new.areas or previous.areas,
        topic=new.topic or previous.topic,
        search_text=new.search_text if new.topic else previous.search_text,
    )
    if previous.intent in (LIST, COUNT, SUPERLATIVE) and councils_changed:
        return replace(merged, intent=LOOKUP if distinct_councils(new.councils) + len(new.unknown_councils) == 1
                       else COMPARE)
    return merged
