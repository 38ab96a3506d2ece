"""Find every judgement a letter makes of a service: "private fostering is inadequate".

`extract_judgements(letter)` reads each sentence of the letter's body and returns a
Judgement per service it judges: the service (index/services.py), the letter's own word
("satisfactory"), the normalised level ("adequate"), a comparison with similar areas or the
national figure ("below"), a count ("two of the 14 secondary schools" -> 2 of 14), whether
it is negated ("no inadequate primary schools"), and two spans: the clause that says it and
the whole sentence (what answers cite).

How a sentence is read:
1. Services are found by their words; a level word (index/services.py LEVELS) judges the
   services named since the previous level word, when a linking verb leads up to it ("are
   good", "was judged adequate", "are all good or better") or it stands before the service
   ("no inadequate primary schools"). "a good level of support" judges nothing.
2. With no service of its own, a level word after "the rest", "one", "none", "too many"...
   judges the services the sentence judged before ("Half of the children's homes are good
   and the rest are satisfactory" -> good and adequate).
3. A service named as an exception ("with the exception of private fostering") takes no level
   from the others, only one stated of it ("except for the pupil referral unit where they are
   satisfactory").
4. A comparison ("higher than in similar areas", "below the national average") is set on the
   judgements of its clause, or, with none, is a judgement of its own (level None).
But: - rules, not a model: wordings outside these patterns are missed; tests measure recall
and precision on a hand-labelled set (tests/fixtures/judgements_labelled.jsonl).
- A comparison's direction is the letter's ("above" may be bad news: re-registrations).
- Every pattern is a flat alternation with bounded repeats: linear time on any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index import kinds
from index.boilerplate import is_standard_text
from index.letters import Letter, body_span
from index.sentences import sentence_spans
from index.services import BY_KEY, LEVELS, SERVICES, level_of

MAX_SENTENCE = 2000  # characters; a letter's sentences are far shorter, and longer runs are not prose

_NUMBERS = {"no": 0, "none": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "both": 2}
_NUMBER = r"\d{1,4}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"


@dataclass(frozen=True)
class Judgement:
    """One service judged by one sentence; letter.text[start:end] is the clause that says it."""

    service: str  # index/services.py key
    word: str  # the letter's own words: "satisfactory", "good or better", "below similar areas"
    level: str | None  # outstanding / good / adequate / inadequate; None for a comparison or count alone
    comparison: str | None  # above / in_line / below (similar areas or the national figure)
    count: int | None  # how many of the service the level is about ("two of the 14") when stated
    total: int | None  # how many there are, when stated
    negated: bool  # "no inadequate primary schools": none has this level
    start: int
    end: int
    sentence_start: int
    sentence_end: int


# One alternation of every service's words, each in its own group, most specific first (the order
# of SERVICES); "schools" alone is the generic service, not a school phase's noun.
_PHASE_BEFORE = (r"(?:primary|secondary|special|nursery|infant|junior)"
                 r"(?=,? (?:and|or) (?:primary|secondary|special)|, (?:primary|secondary|special))")
# Matched against the lower-cased sentence, without re.I: a third of the time over this many alternatives.
_SERVICE_RE = re.compile(
    r"\b(?:" + "|".join(f"(?P<s{i}>{service.letter.lower()})" for i, service in enumerate(SERVICES))
    + rf"|(?P<phase>{_PHASE_BEFORE}))\b"
)
_PHASES = {"primary": "primary_schools", "secondary": "secondary_schools", "special": "special_schools",
           "nursery": "nursery_schools", "infant": "primary_schools", "junior": "primary_schools"}
_LEVEL_RE = re.compile(r"\b(?:" + "|".join(level.words for level in LEVELS) + r")\b", re.I)
# What leads up to a level word that judges: a linking verb, then at most three softening words.
_LINK = re.compile(
    r"\b(?:is|are|was|were|be|been|being|remain|remains|remained|judged|rated|graded|found|considered|assessed"
    r"|evaluated|as|provide|provides|providing)\b"
    r"(?:[ ,]+(?:all|mostly|largely|generally|now|also|judged|to|be|been|being|consistently|overall|both|still|at"
    r"|least|broadly|predominantly|nearly|almost|rated|found|as|very|particularly|either|of|a|an|uniformly|mainly"
    r"|usually|always|equally|already|satisfactory)){0,3}[ ,]*$",
    re.I,
)
# A level word followed by these nouns describes something else ("good progress", "a good level of").
_NOT_A_VERDICT_AFTER = re.compile(
    r"^[ ]+(?:progress|practice|practices|use|access|level|levels|range|links|link|support|start|work|relationships"
    r"|opportunities|opportunity|attendance|behaviour|results|outcomes|health|understanding|knowledge|quality|value"
    r"|job|deal|partnership|partnerships|information|advice|care|grades|grade|gcse|gcses|reason|news"
    r"|awareness|communication|engagement|examples|example|analysis|account|effect|impact|evidence|standards)\b",
    re.I,
)
_LEVEL_AS_NOUN = re.compile(r"^[ ]+(?:performance|improvements?)\b", re.I)  # "very good performance is achieved"
_NEGATION_BEFORE = re.compile(
    r"\b(?:not|never|no longer|not yet|n't)[ ]+(?:all[ ]+|always[ ]+|yet[ ]+|been[ ]+|judged[ ]+|be[ ]+){0,2}$", re.I)
_NONE_BEFORE = re.compile(
    r"(?:^|\b(?:are|is|were|was|be|there|and|but|with|has|have|had)[ ]+)(?:no|none|not one)[ ]+$", re.I)
_CARRY = re.compile(
    r"^[ ,;]*(?:and|but|while|whereas|although|with)?[ ,]*(?:the rest|the remainder|the others|the other"
    r"|others|one|two|three|four|five|six|none|neither|all|most|many|too many|some|a few|several|half|each"
    r"|the remaining|the majority|a minority|the other (?:one|two|three)|(?:it|they|these|this|which|where they))\b",
    re.I,
)
_ELLIPSIS = re.compile(r"[ ,]*(?:and|but)?[ ,]*(?:one|two|three|four|five|the rest|the other|the others|another)[ ,]*",
                       re.I)  # "one was judged good and one adequate"
_AS_IS = re.compile(r"[ ,]+as (?:is|are|was|were) (?:the |its |their |all )?", re.I)  # "good as is the children's home"
_EXCEPTION = re.compile(
    r"\b(?:exception of|except for|except|apart from|other than|excluding|with the exception)[ ]+(?:the[ ]+|its[ ]+"
    r"|a[ ]+)?$", re.I)
_RELATIVE = re.compile(r"\b(?:where|which|that|whose|who)\b", re.I)
_CLAUSE = re.compile(r";|, and\b|,? but\b|,? although\b|,? whereas\b|, while\b|, though\b", re.I)
_IMPERATIVE = re.compile(r"\W*(?:ensure|improve|reduce|raise|increase|develop|continue|make sure|strengthen|secure"
                         r"|tackle|address|review|establish|extend|sustain|maintain)\b", re.I)

# Comparisons: "above / below / in line with ... similar areas | the national average", or
# "higher ... than (in) similar areas / nationally"; "good or better than" is a level, not one.
_BASELINE = (r"(?:(?:similar|comparable) (?:areas|councils|authorities|local authorities|council areas"
             r"|areas and nationally)|statistical neighbours|comparator|(?:the )?national (?:average|averages|figure"
             r"|figures|picture|benchmark|rate|trend|level)|nationally|england|other councils|(?:the )?average)")
_COMPARE_DIRECT = re.compile(
    rf"(?<!\bor )\b(?P<dir>above or in line with|in line with or above|well above|above|well below|below"
    rf"|broadly in line with|in line with|similar to|compares? well with|compare favourably with|better than"
    rf"|worse than|stronger than|weaker than|higher than|lower than)[ ]+(?:[a-z'’]+[ ]+){{0,4}}?{_BASELINE}",
    re.I,
)
_COMPARE_THAN = re.compile(
    rf"(?<!\bor )\b(?P<dir>higher|lower|greater|smaller|larger|more|fewer|less|better|worse|stronger|weaker)\b"
    rf"[^;.]{{0,160}}?\bthan[ ]+(?:(?:is|it is|are)[ ]+the case[ ]+|that[ ]+|those[ ]+|in[ ]+|of[ ]+|the[ ]+){{0,3}}"
    rf"{_BASELINE}",
    re.I,
)
_UP = {"above", "well above", "compare well with", "compares well with", "compare favourably with", "better than",
       "stronger than", "higher than", "higher", "greater", "larger", "more", "better", "stronger"}
_IN_LINE = {"in line with", "broadly in line with", "similar to", "above or in line with", "in line with or above"}
# A level word, a comparison's or a count's: a sentence with none of them judges nothing.
_MAY_JUDGE = re.compile(r"\b(?:" + "|".join(level.words for level in LEVELS)
                        + r"|than|above|below|in line with|similar to|compares?|there (?:are|is|were|was))\b")
_SHARE = re.compile(r"\b(?:proportion|percentage|share|number)\b", re.I)
# What a comparison may be of that is not the service itself ("exclusions from primary schools").
_MEASURE = re.compile(r"\b(?:exclusions?|attendance|absence|results|attainment|achievement|behaviour|status"
                      r"|standards|conceptions|admissions|grades|gcse)\b", re.I)
_PEOPLE = frozenset({"looked_after_children", "care_leavers", "youth_offending"})  # their outcomes are the service's
# Measures where more is worse ("a higher proportion ... receiving a final warning or conviction").
_BAD_MEASURE = re.compile(r"\b(?:final warnings?|convictions?|custodial|re-?offending|re-registrations?|moves|excluded"
                          r"|exclusions?|first-time entrants|not in education|neet)\b", re.I)

# Counts: "two of the 14", "all six", "there are 3", "one ... which".
_COUNT_OF = re.compile(
    rf"\b(?P<n>{_NUMBER}|all|half|none|both)[ ]+of[ ]+(?:the[ ]+|its[ ]+|their[ ]+)?(?P<t>{_NUMBER})?[ ]*$", re.I)
_ALL_N = re.compile(rf"\ball[ ]+(?:the[ ]+|of[ ]+the[ ]+)?(?P<t>{_NUMBER})[ ]+$", re.I)
_N_BEFORE = re.compile(rf"(?:^|[ ,(])(?P<n>{_NUMBER}|a|an)[ ]+(?:of[ ]+the[ ]+)?$", re.I)
_THERE_ARE = re.compile(rf"\bthere (?:are|is|were|was)[ ]+(?P<t>{_NUMBER})[ ]+$", re.I)


@dataclass
class _Mention:
    service: str
    start: int  # in the sentence
    end: int
    exception: bool


def extract_judgements(letter: Letter) -> list[Judgement]:
    """Every judgement in the letter's body, in reading order (boilerplate and tables skipped),
    and each graded row of a kind whose area is a service (index/kinds: the ILACS's "The
    experiences and progress of children in care<TAB>Inadequate" judges looked after children)."""
    start, end = body_span(letter.text)
    found = judgements_in(letter.text, start, end) + graded_judgements(letter)
    return sorted(found, key=lambda j: (j.sentence_start, j.start))


def graded_judgements(letter: Letter) -> list[Judgement]:
    """A judgement per service a rating's area grades: each service the rated row names by its
    words ("children in care and care leavers": both), else the area's first."""
    areas = {area.key: area for area in kinds.get(letter.kind).areas}
    found = []
    for rating in letter.ratings:
        area = areas.get(rating.area)
        if area is None or not area.services:
            continue
        row = letter.text[rating.start:rating.end].lower().replace("’", "'")
        named = [key for key in area.services if re.search(rf"\b(?:{BY_KEY[key].letter.lower()})\b", row)]
        level = level_of(rating.label)
        # the row's own words: "Requires improvement" in a SIF table, "Requires improvement to be good" in an ILACS one
        word = rating.label if row.rstrip(" \t|").endswith(rating.label.lower()) else rating.label.split(" to be ")[0]
        for service in named or area.services[:1]:
            found.append(Judgement(service, word, level.key, None, None, None, False,
                                   rating.start, rating.end, rating.start, rating.end))
    return found


def judgements_in(text: str, start: int = 0, end: int | None = None) -> list[Judgement]:
    """The judgements of each sentence of text[start:end], spans as offsets into `text`."""
    end = len(text) if end is None else end
    found: list[Judgement] = []
    for s, e in sentence_spans(text[start:end]):
        sentence = text[start + s:start + e]
        if e - s > MAX_SENTENCE:
            continue
        found.extend(sentence_judgements(sentence, start + s, in_letter=True))
    return found


def sentence_judgements(sentence: str, offset: int = 0, in_letter: bool = False) -> list[Judgement]:
    """The judgements one sentence makes; spans are offsets into the letter (`offset` is the sentence's).
    `in_letter`: a sentence of a letter, where boilerplate, table rows and headings judge nothing."""
    low = _lower(sentence)
    aim = bool(_IMPERATIVE.match(low))  # "Ensure that all children's homes are at least good": an aim, not a finding
    if not _MAY_JUDGE.search(low):
        return []  # most sentences: no level, comparison or count, so no need to look for services
    if in_letter and is_standard_text(sentence):
        return []
    mentions = _mentions(low)
    if not mentions:
        return []
    clauses = _clauses(low)
    found: list[_Found] = []
    previous: list[_Mention] = []
    segment_start = 0
    for match in _LEVEL_RE.finditer(low):
        before, after = low[segment_start:match.start()], low[match.end():]
        if _NOT_A_VERDICT_AFTER.match(after) or _LEVEL_AS_NOUN.match(after):
            continue
        if aim and not re.search(r"\b(?:judged|rated|graded)[ ]+$", low[max(0, match.start() - 10):match.start()]):
            continue  # in an aim, only a stated past judgement ("its fostering agency, judged adequate")
        mine = _specific([m for m in mentions if segment_start <= m.start and m.end <= match.start()])
        eligible = [m for m in mine if not m.exception or _RELATIVE.search(low, m.end, min(match.start(), m.end + 40))]
        prenominal = _prenominal(low, match, mentions)
        linked = bool(_LINK.search(low[max(segment_start, match.start() - 80):match.start()]))
        if prenominal and not (eligible and linked):
            targets, how = [prenominal], "prenominal"
        elif linked and eligible:
            targets, how = eligible, "linked"
        elif previous and not mine and (linked and _CARRY.match(before) or _ELLIPSIS.fullmatch(before)):
            targets, how = previous, "carried"
        elif not eligible and _after(low, match, mentions):
            targets, how = _after(low, match, mentions), "after"
        else:
            continue
        targets = list({m.service: m for m in targets + _as_is(low, match, mentions)}.values())
        level = level_of(match.group(0))
        negated = bool(_NEGATION_BEFORE.search(low[max(0, match.start() - 40):match.start()]) and how != "prenominal")
        none = _NONE_BEFORE.search(low[max(0, match.start() - 20):match.start()]) if how == "prenominal" else None
        none = none or re.search(r"\b(?:no|none|neither|not one)\b", before, re.I) if how != "prenominal" else none
        clause = _clause_at(clauses, match.start())
        share = bool(_SHARE.search(low, segment_start, match.start()))
        for mention in targets:
            count, total = _counts(low, mention, match, segment_start)
            if none:
                count = 0
            found.append(_Found(Judgement(
                mention.service, sentence[match.start():match.end()], level.key, None, count, total,
                bool(none) or negated, offset + clause[0], offset + clause[1], offset, offset + len(sentence)),
                match.start(), share))
        previous = targets
        segment_start = match.end()
        # A service after the level word ("good or better in enjoying and achieving", "no
        # inadequate primary schools", "good as is the children's home") is used up.
        if how in ("after", "prenominal") or len(targets) > 1 and targets[-1].start > match.end():
            segment_start = max(segment_start, max(m.end for m in targets))
    judged = _with_comparisons(found, low, sentence, mentions, clauses, offset)
    return judged + _stated_totals(low, sentence, mentions, clauses, offset, judged)


def _lower(sentence: str) -> str:
    """Lower case with straight apostrophes, always the same length, so spans carry over ("İ" lowers to two)."""
    low = sentence.lower()
    if len(low) != len(sentence):
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in sentence)
    return low.replace("’", "'")


@dataclass
class _Found:
    judgement: Judgement
    at: int  # where its level word starts in the sentence
    share: bool  # "a higher proportion of primary schools are good": the level is of a share, not the service


def _measured(low: str, start: int, end: int, service: str) -> bool:
    """A comparison of a measure of a setting ("exclusions from primary schools"), not of the setting;
    for groups of children (looked after children, care leavers) their outcomes are what is judged."""
    return service not in _PEOPLE and bool(_MEASURE.search(low, start, end))


def _specific(mentions: list[_Mention]) -> list[_Mention]:
    """Generic "schools" beside a named kind of school or setting is its noun ("sixth form provision in schools")."""
    if len(mentions) > 1:
        return [m for m in mentions if m.service != "schools"]
    return mentions


def _as_is(low: str, level: re.Match, mentions: list[_Mention]) -> list[_Mention]:
    """"... is good as is the children's home": the service after "as is" takes the same level."""
    lead = _AS_IS.match(low, level.end())
    return [m for m in mentions if lead and m.start == lead.end()]


def _mentions(low: str) -> list[_Mention]:
    mentions = []
    for match in _SERVICE_RE.finditer(low):
        group = match.lastgroup
        service = _PHASES[match.group("phase").lower()] if group == "phase" else SERVICES[int(group[1:])].key
        exception = bool(_EXCEPTION.search(low, max(0, match.start() - 40), match.start()))
        if low.startswith("'s ", match.end()):  # "the board's most recent serious case review": the owner
            continue
        mentions.append(_Mention(service, match.start(), match.end(), exception))
    return mentions


def _clauses(low: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for cut in _CLAUSE.finditer(low):
        spans.append((start, cut.start()))
        start = cut.end()
    spans.append((start, len(low)))
    trimmed = []
    for s, e in spans:
        while s < e and low[s] in " ,":
            s += 1
        while e > s and low[e - 1] in " ,":
            e -= 1
        trimmed.append((s, e))
    return trimmed


def _clause_at(clauses: list[tuple[int, int]], position: int) -> tuple[int, int]:
    return next((c for c in clauses if c[0] <= position <= c[1]), clauses[-1])


def _prenominal(low: str, level: re.Match, mentions: list[_Mention]) -> _Mention | None:
    """The service right after the level word ("no inadequate primary schools", "two good nurseries")."""
    after = next((m for m in mentions if level.end() <= m.start <= level.end() + 12), None)
    if after is None or low[level.end():after.start].strip(" ") not in ("", "and", "or"):
        return None
    lead = low[max(0, level.start() - 20):level.start()]
    if re.search(rf"(?:^|[ ])(?:no|none|{_NUMBER}|some|several|many|few|more|all|any|an|a)[ ]+$", lead):
        return after
    return None


def _after(low: str, level: re.Match, mentions: list[_Mention]) -> list[_Mention]:
    """"are good or better in enjoying and achieving": a service right after "in" judged by the level before it."""
    rest = low[level.end():level.end() + 40]
    lead = re.match(r"[ ]+(?:in|for|contribution to)[ ]+(?:all[ ]+)?(?:the[ ]+)?", rest)
    if not lead:
        return []
    at = level.end() + lead.end()
    return [m for m in mentions if m.start == at]


def _counts(low: str, mention: _Mention, level: re.Match, segment_start: int) -> tuple[int | None, int | None]:
    """(count, total) the sentence states for this mention ("two of the five", "all six", "one ... which")."""
    lead = low[max(segment_start, mention.start - 40):mention.start]
    of = _COUNT_OF.search(lead)
    if of:
        n, t = of.group("n").lower(), of.group("t")
        total = _number(t) if t else None
        if n == "all":
            return total, total
        if n == "half":
            return (total // 2 if total else None), total
        return _number(n), total
    every = _ALL_N.search(lead)
    if every:
        total = _number(every.group("t"))
        return total, total
    there = _THERE_ARE.search(lead)
    if there:
        return None, _number(there.group("t"))
    single = _N_BEFORE.search(lead)
    if single and single.group("n").lower() not in ("a", "an") and mention.end <= level.start():
        return _number(single.group("n")), None
    carried = re.search(rf"\b(?P<n>{_NUMBER})[ ]+(?:is|was|are|were)\b", low[segment_start:level.start()])
    if carried and mention.end <= segment_start:
        return _number(carried.group("n")), None
    return None, None


def _number(word: str | None) -> int | None:
    if word is None:
        return None
    word = word.lower()
    return int(word) if word.isdigit() else _NUMBERS.get(word)


def _comparison_word(direction: str) -> str:
    direction = direction.lower()
    if direction in _IN_LINE:
        return "in_line"
    return "above" if direction in _UP else "below"


def _with_comparisons(found: list[_Found], low: str, sentence: str, mentions: list[_Mention],
                      clauses: list[tuple[int, int]], offset: int) -> list[Judgement]:
    """Each comparison goes to the judgements of the last level word before it in its clause (a
    level that was of a share, "a higher proportion ... are good ... than nationally", gives way
    to the comparison); with none, the services of its clause are compared, level None."""
    judged = [f.judgement for f in found]
    extra: list[Judgement] = []
    taken: list[tuple[int, int]] = []  # spans of comparisons already read (the two patterns can meet one)
    for pattern in (_COMPARE_THAN, _COMPARE_DIRECT):
        for match in pattern.finditer(low):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            taken.append(match.span())
            clause = _clause_at(clauses, match.start())
            direction = _comparison_word(match.group("dir"))
            if _BAD_MEASURE.search(low, clause[0], clause[1]) and direction != "in_line":
                direction = "below" if direction == "above" else "above"
            word = sentence[match.start():match.end()]
            before = [i for i, f in enumerate(found) if clause[0] <= f.at < match.end()]
            if not before:  # "a higher than average proportion of ... schools is good": the share after it
                later = [f.at for f in found if match.end() <= f.at <= clause[1] and f.share]
                before = [i for i, f in enumerate(found) if later and f.at == min(later)]
            if before:
                last = max(found[i].at for i in before)
                for i in before:
                    f = found[i]
                    j = f.judgement
                    if f.at != last or _measured(low, clause[0], match.end(), j.service):
                        continue
                    judged[i] = Judgement(j.service, word if f.share else j.word, None if f.share else j.level,
                                          direction, j.count, j.total, j.negated, j.start, j.end, j.sentence_start,
                                          j.sentence_end)
                continue
            if any(clause[0] <= f.at <= clause[1] for f in found):
                continue
            subjects = _specific([m for m in mentions if clause[0] <= m.start and m.end <= match.end()
                                  and not m.exception and not _measured(low, clause[0], match.end(), m.service)])
            for mention in subjects:
                if not any(e.service == mention.service and e.start == offset + clause[0] for e in extra):
                    extra.append(Judgement(mention.service, word, None, direction, None, None, False,
                                           offset + clause[0], offset + clause[1], offset, offset + len(sentence)))
    return judged + extra


def _stated_totals(low: str, sentence: str, mentions: list[_Mention], clauses: list[tuple[int, int]],
                   offset: int, found: list[Judgement]) -> list[Judgement]:
    """"There are 3 children's homes": a count with no level, when the sentence judges nothing else of it."""
    extra = []
    judged = {j.service for j in found}
    for mention in mentions:
        there = _THERE_ARE.search(low[max(0, mention.start - 30):mention.start])
        if there and mention.service not in judged:
            clause = _clause_at(clauses, mention.start)
            extra.append(Judgement(mention.service, sentence[mention.start:mention.end], None, None, None,
                                   _number(there.group("t")), False, offset + clause[0], offset + clause[1],
                                   offset, offset + len(sentence)))
    return extra


