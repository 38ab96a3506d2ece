"""Say whether a passage of a letter reports a strength, a weakness, or neither.

`classify(text, section)` labels one passage (a sentence or a chunk of a few); the
`classify_sentences` it rests on labels each sentence (which polarity a user's question asks
for is qa/query.py's business). The rules, in order, for each sentence:

1. Not a finding -> NEUTRAL: standard text (index/boilerplate.py: the boilerplate phrases and the
   parts of the standard paragraphs chunking cuts away from them, table rows (a tab), "Grade 3",
   and the APA subheadings themselves).
2. APA structure: under "Major strengths" -> STRENGTH; under "Important weaknesses" or
   "Areas for development" -> WEAKNESS. The letters say it outright. One exception: under
   "Major strengths", a severe weakness cue ("too high", "key weakness", "remains a key
   priority") wins. It was first needed for a heading glued to the list item before it
   (seed 001, economic well-being), which index/letters.py now splits off; it stays as a
   guard for a weakness listed under the wrong heading.
   A subheading line inside the passage switches the section for the sentences after it.
3. Wording: weakness cues ("inadequate", "below", "lower than", "gap ... wider", "too many",
   "not as high", "except for"...) and strength cues ("good", "outstanding", "above",
   "better than", "improved", "well placed"...). Direction words are read against what is
   measured, clause by clause: higher rates of a bad thing (diseases, admissions, exclusions,
   custodial sentences, NEET, inadequate settings) are a weakness, fewer or reduced ones a
   strength; "fewer ... good" is a weakness.
   - "satisfactory", "adequate(ly)" and "is average" alone are NEUTRAL (the middle of the scale);
     next to a strength cue in the same sentence ("half are good and the rest satisfactory"),
     or after a leading "However"/"But", they are the weaker part: WEAKNESS.
   - "in line with" is NEUTRAL: the average, neither strength nor weakness.
   - A gap is a weakness unless it is closing or narrowing (then a strength).
   - Mixed sentences: weakness wins. "A larger proportion of primary schools are good ...
     but there are key weaknesses in secondary provision" is a WEAKNESS: a passage shown as a
     strength never carries a weakness cue, and users asking "what is going badly" see it.
4. A passage is WEAKNESS when any sentence is, else STRENGTH when any sentence is, else NEUTRAL.

But: - rules, not a model: wording outside the cue lists is NEUTRAL, and an unforeseen
phrasing can mislead a cue ("below" of a good thing, "higher" of a bad thing not listed).
- Sentence level only: a sentence that needs the one before it ("Childminding is
satisfactory." after a line about good nurseries) is read alone.
- A strength word negated in its clause ("do not perform well", "not effective") is a WEAKNESS.
- The overall verdict sentence is read by its words: "perform well" is a STRENGTH,
"perform adequately" NEUTRAL, "perform poorly" a WEAKNESS; the grade itself is index/kinds' business.
- Every pattern is a flat alternation (no quantified group holding a quantifier), so each
runs in linear time on untrusted text; tests/test_polarity.py checks the structure.
"""

from __future__ import annotations

import re

from index.boilerplate import is_standard_text, is_standard_wording
from index.kinds import STRENGTH_HEADINGS, SUBHEADINGS, WEAKNESS_HEADINGS
from index.sentences import sentence_spans

STRENGTH, WEAKNESS, NEUTRAL = "strength", "weakness", "neutral"
POLARITIES = (NEUTRAL, STRENGTH, WEAKNESS)  # the index stores these; a reader codes them by position

# --- not findings ------------------------------------------------------------------------

# --- cues --------------------------------------------------------------------------------

# Each kind's subheadings (index/kinds): "Major strengths", "Key areas for further development", ...
_STRENGTH_SECTION = re.compile(rf"\b(?:{STRENGTH_HEADINGS})\b", re.I)
_WEAKNESS_SECTION = re.compile(rf"\b(?:important weaknesses|areas for development|{WEAKNESS_HEADINGS})\b", re.I)

# Phrases that name the lists or the letter's own apparatus, not a finding; blanked first.
_META = re.compile(
    r"\b(?:strengths and areas for development|strengths and weaknesses|areas for development identified"
    r"|important weaknesses and areas for development|major strengths|weaknesses identified below"
    r"|identified below|table below"
    r"|set out below|listed below|gaps in the data|more vulnerable)\b",
    re.I,
)
_CLAUSE = re.compile(r";|\b(?:but|however|although|though|whereas|despite)\b", re.I)
_LEADING_CONTRAST = re.compile(r"\W*(?:however|but|yet)\b", re.I)

_WEAK = re.compile(
    r"\b(?:key weakness|key weaknesses|weakness|weaknesses|weak|too many|too few|too high|too low|too slow"
    r"|less good|less well|not as high|not as well|not as good|not as strong|not good|not effective"
    r"|do not do as well|does not do as well|not achieving|not achieved|not meet|not met|has not|have not|had not"
    r"|poor|poorly|worse|worst|declined|declining|deteriorated|deteriorating|widened|widening|wider"
    r"|inequality|inequalities|remains a key priority|remain a key priority|remains a priority"
    r"|just satisfactory|only satisfactory|only adequate|needs to improve|need to improve|must improve"
    r"|requires improvement|slower|slow|underestimate|underestimates|overvalue|overvalues|concern|concerns"
    r"|failed|failing|with the exception of|except for|apart from|perform poorly|performs poorly)\b",
    re.I,
)
_SEVERE = re.compile(
    r"\b(?:key weakness|key weaknesses|too many|too few|too high|too low|remains a key priority"
    r"|needs to improve|not achieving)\b",
    re.I,
)
_STRONG = re.compile(
    r"\b(?:good|better|best|outstanding|excellent|excellently|excellence|strong|strongly|strength|strengths"
    r"|improved|improvement|improvements|well placed|well managed|well conceived|well attuned"
    r"|highly effective|effective|effectively|successful|successfully|success|particularly well|very well"
    r"|do well|does well|contribute well|perform well|performs well|perform excellently|performs excellently"
    r"|precise|precisely|rigorous|productive|positively|timely|clear view|clear understanding)\b",
    re.I,
)
# No school is good: the strength word is negated. One bounded quantifier (linear).
_NONE_GOOD = re.compile(r"\b(?:no|none of the) [a-z ]{0,40}?\b(?:is|are) (?:good|outstanding)\b", re.I)
# A strength word negated in its clause ("do not perform well", "is not good enough"): a weakness.
# One bounded quantifier over one class (linear); "not only good" is not a negation.
_NOT_GOOD = re.compile(
    r"(?:\bnot|n't|\bnever|\bno longer|\bfails? to|\bfailed to)\b(?! only\b)[a-z ]{0,30}?\b(?:good|well|outstanding"
    r"|excellent|excellently|effective|effectively|successful|successfully|strong)\b",
    re.I,
)
_MEDIOCRE = re.compile(r"\b(?:satisfactory|adequate|adequately|is average|are average|was average)\b", re.I)
_GAP = re.compile(r"\bgaps?\b", re.I)
_CLOSING = re.compile(r"\b(?:closing|closed|narrowed|narrowing|narrower)\b", re.I)

# What is measured, when more of it is bad.
_BAD_THING = re.compile(
    r"\b(?:diseases|disease|infections|chlamydia|admissions|admission|exclusions|exclusion|custodial"
    r"|offences|reoffending|re-offending|conceptions|pregnancy|pregnancies|obesity|drinking|smoking|drugs"
    r"|substance misuse|absence|absences|waiting times|waiting time|not in education|not in employment"
    r"|not in training|not engaged|neet|inadequate|unemployment|bullying)\b",
    re.I,
)
_UP = re.compile(
    r"\b(?:high|higher|highest|more|greater|larger|increase|increased|increasing|rose|risen|rising|above"
    r"|too high|too many|remains|remain)\b",
    re.I,
)
_DOWN = re.compile(
    r"\b(?:low|lower|fewer|few|smaller|less|reduced|reducing|reduction|reduce|fell|fallen|falling|declined"
    r"|declining|below|down|no|none|nor|without)\b",
    re.I,
)
# With no bad thing in the clause: comparisons that praise or blame.
_UP_GOOD = re.compile(
    r"\b(?:higher|greater|larger|above|increased|increasingly|high levels|high percentage|high proportion)\b",
    re.I,
)
_DOWN_BAD = re.compile(r"\b(?:lower|fewer|smaller|less|below|fell|fallen|falling)\b", re.I)


def _clause_cues(clause: str) -> tuple[bool, bool]:
    """(weakness cue, strength cue) of one clause."""
    negated = bool(_NOT_GOOD.search(clause))
    weak = bool(_WEAK.search(clause) or _NONE_GOOD.search(clause)) or negated
    strong = bool(_STRONG.search(clause)) and not negated
    if _GAP.search(clause):
        if _CLOSING.search(clause):
            strong = True
        else:
            weak = True
    if _BAD_THING.search(clause):
        if _UP.search(clause) or not _DOWN.search(clause):
            weak = True
        else:
            strong = True
    else:
        weak = weak or bool(_DOWN_BAD.search(clause))
        strong = strong or bool(_UP_GOOD.search(clause))
    return weak, strong


def _by_wording(sentence: str) -> str:
    text = _META.sub(" ", sentence.replace("’", "'"))
    cues = [_clause_cues(clause) for clause in _CLAUSE.split(text)]
    weak = any(w for w, _ in cues)
    strong = any(s for _, s in cues)
    if _MEDIOCRE.search(text) and (strong or _LEADING_CONTRAST.match(text)):
        weak = True
    if weak:
        return WEAKNESS
    return STRENGTH if strong else NEUTRAL


def _classify_one(sentence: str, section: str) -> str:
    if is_standard_text(sentence):
        return NEUTRAL
    if _WEAKNESS_SECTION.search(section):
        return WEAKNESS
    if _STRENGTH_SECTION.search(section):
        return WEAKNESS if _SEVERE.search(_META.sub(" ", sentence)) else STRENGTH
    return _by_wording(sentence)


# --- public ------------------------------------------------------------------------------


def mixed(sentence: str) -> bool:
    """Whether a sentence read as a weakness also names a strength ("Childminding is good and most
    childcare settings are satisfactory overall"): a weaknesses answer that quotes it says so."""
    if is_standard_text(sentence):
        return False
    text = _META.sub(" ", sentence.replace("’", "'"))
    cues = [_clause_cues(clause) for clause in _CLAUSE.split(text)]
    strong = any(s for _, s in cues)
    return strong and (any(w for w, _ in cues) or bool(_MEDIOCRE.search(text)))


def weakness_starts(sentence: str) -> int:
    """Where a sentence's weakness begins: the first clause with a weakness cue when the clauses
    before it only praise ("The fostering and adoption services are good but private fostering is
    inadequate." -> the offset of "private"), else 0."""
    text = sentence.replace("’", "'")
    start, praised = 0, False
    for cut in [*_CLAUSE.finditer(text), None]:
        end = cut.start() if cut else len(text)
        if not text[start:end].strip(" ,;"):  # "; however," cuts twice
            start = cut.end() if cut else start
            continue
        weak, strong = _clause_cues(_META.sub(" ", text[start:end]))
        if weak:
            return start + len(text[start:end]) - len(text[start:end].lstrip(" ,;")) if praised else 0
        if not strong or cut is None:
            return 0
        praised, start = True, cut.end()
    return 0


def classify_spans(text: str, section: str = "") -> list[tuple[tuple[int, int], str]]:
    """Each sentence of `text` (its span, as index/sentences.py cuts it) with its polarity, in order.

    A boilerplate passage is NEUTRAL throughout, whatever its section. A subheading line
    ("Important weaknesses and areas for development") sets the section for what follows.
    """
    spans = sentence_spans(text)
    if is_standard_wording(text):
        return [(span, NEUTRAL) for span in spans]
    parent = section.split(":")[0].strip()
    labelled = []
    for start, end in spans:
        sentence = text[start:end]
        if SUBHEADINGS.match(sentence.strip()):
            section = f"{parent}: {sentence.strip()}"
        labelled.append(((start, end), _classify_one(sentence, section)))
    return labelled


def classify_sentences(text: str, section: str = "") -> list[str]:
    """The polarity of each sentence of `text`, in order (see classify_spans)."""
    return [label for _, label in classify_spans(text, section)]


def classify(text: str, section: str = "") -> str:
    """The polarity of a passage: WEAKNESS when any sentence is one (a user asking what is
    going badly must see it, and a passage shown as a strength must hold no weakness), else
    STRENGTH when any sentence is one, else NEUTRAL."""
    labels = classify_sentences(text, section)
    if WEAKNESS in labels:
        return WEAKNESS
    return STRENGTH if STRENGTH in labels else NEUTRAL
