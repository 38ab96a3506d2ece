"""Sanity check of the judgements tools/make_corpus.py records in each letter's truth ("judgements").

Writes N letters (seed S, every kind; default 300, seed 0) with make_corpus, reads each file back
(its encoding, "\\n" newlines, ’ as ') and checks, per letter:
  words     each recorded judgement's service words (SERVICE_WORDS) and its word (the level or
            comparison written) occur in the letter text;
  order     the judgements can be split, in their recorded order, over the letter's sentences so that
            each sentence holds the service's words, the word written, a comparison phrase of the
            recorded direction, "no"/"none" where negated and the number words of its count or total
            (the first sentence after an outcome's heading takes the heading's words: "... in this
            aspect is good.");
  missed    of the split that fits, no sentence without judgements gives a level word (outstanding,
            excellent, good, satisfactory, adequate, inadequate, poor, weak) or a comparison with
            similar areas or national figures, and no judged sentence has a level word left that none
            of its judgements wrote, unless NOT_JUDGEMENTS says why that is no service's judgement
            (so a template sentence left untagged, or tagged short, shows up here).
Then prints the judgements per service and level (make_corpus.judgement_table), how many letters
judge private fostering inadequate (make_corpus.judged), and the letters that say, in one sentence
or two, both that some of a service is inadequate and that none is: the generator can write "All
three children's homes are inadequate and none is inadequate", or "The children's home is
inadequate." in a letter with "All four children's homes are good and none is inadequate."

    python3 tools/judgements_truth_check.py [N] [SEED] [--mix all|legacy] [--keep DIR]

Standard library only. Exit status 1 if any check fails.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python tools/X.py` imports from the repository root

from tools.make_corpus import (
    APA_AREAS,
    COMPARISON_OF,
    COUNT_WORDS,
    MIXES,
    judged,
    judgement_table,
    make_corpus,
)

# Words that name each service in a sentence (case-insensitive).
SERVICE_WORDS = {
    "private_fostering": r"private(?:ly)? fost",
    "fostering": r"(?<!private )fostering",
    "adoption": r"adoption",
    "childrens_homes": r"children's homes?",
    "nursery_schools": r"nurser(?:y|ies)",
    "primary_schools": r"primary",
    "secondary_schools": r"secondary",
    "special_schools": r"special school",
    "sixth_forms": r"sixth form",
    "pupil_referral_units": r"pupil referral unit",
    "childminding": r"childminding",
    "childcare": r"childcare",
    "early_years": r"early years|very young children",
    "serious_case_reviews": r"serious case review",
    "youth_offending": r"offending|youth justice",
    "camhs": r"CAMHS|mental health",
    "looked_after_children": r"looked after|children in care",  # the ILACS row: "... of children in care"
    "care_leavers": r"care leavers|leaving care",
    "contact_referral_assessment": r"referral|assessment",
    "lscb": r"Safeguarding Children Board|LSCB",
    "safeguarding": r"safeguard|help and protection",  # the SIF and ILACS row: "children who need help and protection"
    "schools": r"schools?\b",
    "being_healthy": r"being healthy|health",
    "staying_safe": r"staying safe",
    "enjoying_achieving": r"enjoying and achieving|enjoy",
    "positive_contribution": r"positive contribution",
    "economic_wellbeing": r"economic well-being",
}
LEVEL_WORD = re.compile(r"\b(?:outstanding|excellent|good|satisfactory|adequate|inadequate|poor|weak)\b", re.I)
COMPARED = re.compile(
    r"similar (?:areas|councils|council areas|authorities)|national|than average|compared? (?:with|well)", re.I
)
# Phrases of each comparison direction, longest first (from make_corpus.COMPARISON_OF).
DIRECTIONS = {
    d: sorted((p for p, v in COMPARISON_OF.items() if v == d), key=len, reverse=True)
    for d in set(COMPARISON_OF.values())
}
AREA_HEADINGS = {heading: key for key, _, heading in APA_AREAS} | {title: key for key, title, _ in APA_AREAS}
NUMBER_OF = {n: w for w, n in COUNT_WORDS.items() if n}
AREA_HEADINGS |= {"Enjoying and achieving": "enjoying_achieving", "Achieving economic well-being": "economic_wellbeing"}

# Sentences with a level word or a comparison that are no judgement of a service in make_corpus.SERVICES
# (matched anywhere in the sentence, case-insensitive), and why.
NOT_JUDGEMENTS = [
    # boilerplate: the rating scales, the guidance and the section 138 paragraphs
    (r"Performs (?:excellently|well|adequately|poorly)|significantly exceeds|minimum requirements", "rating scale"),
    (
        r"no adequate or even good aspects|outstanding judgement of Grade 4|features of outstanding provision|"
        r"judgement of outstanding|judgement of inadequate|local and national contexts|"
        r"4: outstanding/excellent",
        "scale boilerplate",
    ),
    (r"National Indicator Set", "guidance boilerplate"),
    (r"national survey of the education|Ofsted's national report", "survey letter boilerplate"),
    # the headline ratings (truth "ratings") and judgements of things not in SERVICES
    (
        r"Grade \d|APA grade|contribution to outcomes for children and young people is|management of services is|"
        r"capacity to improve its services|management of its services",
        "headline grades: in the ratings",
    ),
    (r"this aspect is .*(?:capacity|management)", "capacity to improve: in the ratings"),
    (
        r"^(?:\d(?:\.\d)? )?(?:Overall effectiveness|Leadership, management and governance|The impact of leaders|"
        r"The experiences and progress of|Children who need help|Children looked after|Adoption performance|"
        r"Experiences and progress|Review of the effectiveness)|Children's services in .* (?:are|require)",
        "SIF and ILACS grades and their section titles: in the ratings (rows of a service: in the judgements)",
    ),
    (r"monitoring visit since the local authority was judged inadequate", "a monitoring visit's reason: the council"),
    (r"National Director", "a signatory's title"),
    (
        r"inspected and regulated services and settings|Performance is good or better in .* of services|"
        r"Very few settings are inadequate",
        "all services and settings together: no one service",
    ),
    (
        r"performance against .*national indicators|indicators in the national indicator set|"
        r"a third of indicators",
        "national indicators: not a service (even those for staying safe, in part)",
    ),
    (r"value for money", "value for money (brief: not a judgement)"),
    (r"track record|progress has been made since the last review", "the council's progress and track record"),
    (r"whose circumstances make them (?:more )?vulnerable|custodial sentence", "vulnerable groups: not a service"),
    (r"Progress since|made (?:good|satisfactory|inadequate) progress", "monitoring visit: progress, not quality"),
    (
        r"Good progress is being made|good working arrangements|good results|good access|a good range of youth|"
        r"good level of support|good quality supervision|Good provision is made|excellent range of opportunities|"
        r"Excellent opportunities|Very good improvements|Very good performance is achieved",
        "an aspect (progress, access, range, support, provision for work, improvements): not the service's quality",
    ),
    (r"at least good", "a target (key area for development), not a judgement"),
    (r"good or outstanding behaviour", "behaviour (brief: not a judgement)"),
    (r"five good GCSE", "GCSE grades"),
    # comparisons of statistics and outcomes, not of a service's quality
    (
        r"attainment|attain|achievement|Educational achievement|Results in the Early Years Foundation Stage|"
        r"level [23]|Levels 2 and 3|Key Stage|GCSE",
        "attainment",
    ),
    (r"not in (?:education, )?employment|NEET|in education, employment or training", "NEET / EET statistics"),
    (r"teenage conceptions|Chlamydia|substance misuse|obesity|Breastfeeding|Healthy School", "health statistics"),
    (
        r"Referral rates|Re-registrations|initial assessments|Initial assessments|core assessments",
        "social care timeliness and rates",
    ),
    (r"re-offending|first-time entrants|final warning|youth service", "youth justice and youth service statistics"),
    (r"Attendance|absence|exclusions|receive tuition", "attendance, exclusions and tuition of excluded pupils"),
    (r"compared with the previous year|the year before", "a change over time, not a comparison with other areas"),
    (r"contribute to their reviews|This performance is better", "looked after children's participation"),
    (r"Outcomes for looked after children", "outcomes of looked after children (a statistic, not the service)"),
    (r"higher than average number engaged", "care leavers' EET (the sentence's level is tagged)"),
    (r"national benchmarks|national timescales", "the council's own evaluation"),
    (r"improved more than it has nationally|than is the case nationally", "attainment"),
    (r"proportion of (?:both )?primary", "a share compared with elsewhere: its comparison is tagged; the level is the "
                                         "share's, not the schools'"),
]
NOT_JUDGEMENT_RES = [(re.compile(p, re.I), why) for p, why in NOT_JUDGEMENTS]


def sentences(text: str) -> list[str]:
    """The letter's sentences in order (lines, split after a full stop before a capital, and at ▪); the
    first sentence after an outcome's heading (past "Grade N") gets the heading in front: its judgement
    sentence ("... in this aspect is good.", "Arrangements to safeguard ...") names the outcome there."""
    out, heading = [], ""
    for line in text.split("\n"):
        line = line.strip()
        if line in AREA_HEADINGS:
            heading = line
            continue
        for part in re.split(r"(?<=\.)\s+(?=[A-Z])|\s*\u25aa\s*", line):
            if part.strip() and not re.fullmatch(r"Grade \d", part):
                out.append(f"{heading}: {part}" if heading else part)
                heading = ""
    return out


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.I) is not None


def fits(judgement: dict, sentence: str) -> bool:
    """Whether the sentence can be the one that wrote the judgement: the service's words, the word written,
    a comparison phrase of its direction, "no"/"none" where negated, its count's and total's number words."""
    low = sentence.lower()
    if not _has(SERVICE_WORDS[judgement["service"]], sentence) or judgement["word"].lower() not in low:
        return False
    if judgement["comparison"] and not any(p in low for p in DIRECTIONS[judgement["comparison"]]):
        return False
    if judgement["negated"] and not _has(r"\b(?:no|none)\b", sentence):
        return False
    count, total = judgement["count"], judgement["total"]
    numbers = [total] if total is not None else [count] if count else []
    return all(_has(rf"\b{NUMBER_OF[n]}\b", sentence) for n in numbers)


def explained(sentence: str) -> str | None:
    return next((why for pattern, why in NOT_JUDGEMENT_RES if pattern.search(sentence)), None)


def unexplained(sentence: str, judgements: list[dict]) -> bool:
    """Whether the sentence, less the words its judgements wrote, still has a level word (or, with no
    judgements, a comparison) that NOT_JUDGEMENTS does not explain."""
    rest = sentence
    for j in sorted(judgements, key=lambda j: -len(j["word"])):
        rest = re.sub(rf"\b{re.escape(j['word'])}\b", "", rest, count=1, flags=re.I)
    found = LEVEL_WORD.search(rest) or (not judgements and COMPARED.search(rest))
    return bool(found) and not explained(sentence if judgements else rest)


def align(judgements: list[dict], parts: list[str]) -> list[list[dict]] | None:
    """The judgements split over the sentences in order (each sentence takes the next 0 to 6), fitting
    each, with the fewest sentences left ``unexplained``; None where no split fits."""
    n, m = len(judgements), len(parts)
    best: dict[tuple[int, int], tuple[float, int]] = {(n, m): (0, 0)}
    for k in range(m - 1, -1, -1):
        for i in range(n, -1, -1):
            options = []
            for take in range(0, min(6, n - i) + 1):
                chunk = judgements[i : i + take]
                if take and not fits(chunk[-1], parts[k]):
                    break
                after = best.get((i + take, k + 1), (float("inf"), 0))[0]
                options.append((after + unexplained(parts[k], chunk), take))
            best[(i, k)] = min(options)
    if best[(0, 0)][0] == float("inf"):
        return None
    split, i = [], 0
    for k in range(m):
        take = best[(i, k)][1]
        split.append(judgements[i : i + take])
        i += take
    return split


def check_letter(text: str, truth: dict, missed: Counter) -> list[str]:
    """Problems with one letter's judgements; the sentences left unexplained are counted in ``missed``."""
    problems = []
    for j in truth["judgements"]:
        if not _has(SERVICE_WORDS[j["service"]], text) or j["word"].lower() not in text.lower():
            problems.append(f"words: {j['service']} / {j['word']!r} not in the letter")
    parts = sentences(text)
    split = align(truth["judgements"], parts)
    if split is None:
        return problems + ["order: the judgements do not fit the sentences in order"]
    for sentence, chunk in zip(parts, split):
        if unexplained(sentence, chunk):
            shape = re.sub(r"\b(?:outstanding|good|adequate|inadequate|satisfactory)\b", "J", sentence)
            missed[("judged: " if chunk else "") + shape] += 1
    return problems


def contradictions(truth: dict) -> list[str]:
    """Services the letter judges inadequate and also says none of is inadequate."""
    return sorted(
        j["service"]
        for j in truth["judgements"]
        if j["negated"] and j["level"] == "inadequate" and judged(truth, j["service"], "inadequate")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=300, metavar="N", help="letters (default 300)")
    parser.add_argument("seed", type=int, nargs="?", default=0, metavar="SEED", help="seed (default 0)")
    parser.add_argument("--mix", choices=MIXES, default="all")
    parser.add_argument("--keep", metavar="DIR", help="write the letters here (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        truths = make_corpus(args.n, folder, seed=args.seed, mix=args.mix)
        texts = [
            (folder / t["file"]).read_bytes().decode(t["encoding"]).replace("\r\n", "\n").replace("\u2019", "'")
            for t in truths
        ]
    missed: Counter = Counter()
    bad = 0
    for text, truth in zip(texts, truths):
        problems = check_letter(text, truth, missed)
        bad += bool(problems)
        for line in problems[:3] if bad <= 10 else []:
            print(f"{truth['file']} ({truth['kind']}): {line}")
    total = sum(len(t["judgements"]) for t in truths)
    print(
        f"{args.n} letters (seed {args.seed}, mix {args.mix}), {total} judgements; "
        f"{sum(bool(t['judgements']) for t in truths)} letters judge some service"
    )
    kinds = Counter(t["kind"] for t in truths)
    judged_kinds = Counter(t["kind"] for t in truths for _ in t["judgements"])
    print("judgements per kind: " + ", ".join(f"{k} {judged_kinds[k]} in {kinds[k]}" for k in sorted(kinds)))
    print("\n".join(judgement_table(truths)))
    inadequate = [t for t in truths if judged(t, "private_fostering", "inadequate")]
    by_kind = Counter(t["kind"] for t in inadequate)
    print(
        f"{len(inadequate)} letters judge private fostering inadequate ("
        + ", ".join(f"{by_kind[k]} {k}" for k in sorted(by_kind))
        + ")"
    )
    both = [(t["file"], contradictions(t)) for t in truths if contradictions(t)]
    print(
        f"{len(both)} letters say both that some of a service is inadequate and that none is: "
        + ", ".join(f"{f} ({', '.join(s)})" for f, s in both[:5])
        + (" ..." if len(both) > 5 else "")
    )
    for sentence, n in missed.most_common(40):
        print(f"  unexplained ({n}): {sentence}")
    print(
        f"check: {bad} of {args.n} letters with a judgement that does not fit the text; "
        f"{sum(missed.values())} unexplained sentences with a level word or a comparison ({len(missed)} distinct)"
    )
    return 1 if bad or missed else 0


if __name__ == "__main__":
    sys.exit(main())
