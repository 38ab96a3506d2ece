"""The services and settings letters judge, as data: each one's key, title, and the words for it.

`letter` is how letters name the service (a regex alternation run over letter sentences by
index/judgements.py); `people` adds the words people use in questions ("foster care",
"PRU", "kids in care"), read by qa/query.py. `LEVELS` is the one normalised scale of
judgement words (outstanding 4 ... inadequate 1), with every word letters use for each.
But: - a service is named by its words, not understood: "homes" alone is not a children's
home, and "schools" alone is the generic "schools" service, not each kind of school.
- Every alternation is flat (no nested quantifiers), so it runs in linear time on any text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    key: str  # stored in the judgements table and the JSON: "private_fostering"
    title: str  # for tables and answers: "Private fostering"
    letter: str  # regex alternation: how letters name it
    people: str = ""  # regex alternation: other words people ask with (on a normalised question)

    @property
    def plural(self) -> str:
        return self.title.lower()


APOS = "['’]?"
SERVICES: tuple[Service, ...] = (
    Service("private_fostering", "Private fostering",
            r"private fostering|privately fostered children|privately fostered",
            r"private foster(?:ing)?|privately fostered"),
    Service("fostering", "Fostering service",
            r"(?<!private )(?<!privately )fostering (?:agency|agencies|service|services|team)"
            r"|fostering(?= and adoption)|(?<!private )(?<!privately )fostering(?! and adoption| inspection)",
            r"foster care|fostering|foster carers?|fostering agenc(?:y|ies)|fostering services?"),
    Service("adoption", "Adoption service",
            r"adoption (?:agency|agencies|service|services|team|support)|adoption",
            r"adoption|adoptions|adopting"),
    Service("childrens_homes", "Children's homes",
            rf"children{APOS}s homes|children{APOS}s home|residential (?:care )?homes|residential homes"
            rf"|residential special schools",
            r"children'?s homes?|care homes?|residential homes?|kids'? homes?"),
    Service("nursery_schools", "Nursery schools",
            r"nursery schools|nursery school|day nurseries|nurseries|nursery",
            r"nurser(?:y|ies)(?: schools?)?|pre ?schools?"),
    Service("primary_schools", "Primary schools", r"primary schools|primary school|primary provision",
            r"primary(?: schools?)?|junior schools?|infant schools?"),
    Service("secondary_schools", "Secondary schools",
            r"secondary schools|secondary school|secondary provision|high schools",
            r"secondary(?: schools?)?|high schools?|comprehensives?"),
    Service("special_schools", "Special schools", r"special schools|special school",
            r"special schools?|send schools?|sen schools?"),
    Service("sixth_forms", "Sixth forms",
            rf"sixth form provision|sixth form colleges|sixth form college|sixth forms|sixth form"
            rf"|schools{APOS} sixth forms",
            r"sixth forms?|6th forms?|post 16|post-16"),
    Service("pupil_referral_units", "Pupil referral units",
            r"pupil referral units|pupil referral unit|\bPRUs\b|\bPRU\b",
            r"pupil referral units?|prus?|alternative provision"),
    Service("childminding", "Childminding", r"childminding|childminders|childminder|child minders|child minding",
            r"child ?minding|child ?minders?"),
    Service("childcare", "Childcare", r"childcare settings|childcare provision|childcare|child care",
            r"child ?care|day care"),
    Service("early_years", "Early years",
            r"early years provision|early years settings|early years|provision for very young children"
            r"|provision for young children|foundation stage",
            r"early years|under ?5s|under fives|very young children|toddlers"),
    Service("serious_case_reviews", "Serious case reviews", r"serious case reviews|serious case review|\bSCRs?\b",
            r"serious case reviews?|scrs?|case reviews?"),
    Service("youth_offending", "Youth offending service",
            r"youth offending (?:service|team|teams|services)|youth offending|youth justice (?:service|services)"
            r"|\bYOT\b|\bYOS\b|young people known to the offending services|offending services"
            r"|custodial sentences?|re-?offending|first-time entrants(?: to the youth justice system)?",
            r"youth offending|youth justice|yots?|yos|young offenders?"),
    Service("camhs", "CAMHS",
            r"child and adolescent mental health services|child and adolescent mental health service|\bCAMHS\b",
            r"camhs|mental health"),
    Service("looked_after_children", "Looked after children",
            r"looked after children|looked after young people|children looked after|children in care",
            r"looked after(?: children)?|children in care|kids in care|\blac\b|care system"),
    Service("care_leavers", "Care leavers",
            r"care leavers|young people leaving care|care leaver|leaving care services|leaving care",
            r"care leavers?|leaving care"),
    Service("contact_referral_assessment", "Contact, referral and assessment",
            r"contact,? referral and assessment(?: arrangements| services)?|initial assessments|core assessments"
            r"|referral and assessment",
            r"contact referral (?:and )?assessment|front door|referrals?|assessments of need"),
    Service("lscb", "Local Safeguarding Children Board",
            r"Local Safeguarding Children Boards?|Safeguarding Children Boards?|\bLSCBs?\b",
            r"lscbs?|safeguarding (?:children )?boards?"),
    Service("safeguarding", "Safeguarding",
            r"safeguarding arrangements|safeguarding services|safeguarding|child protection arrangements"
            r"|child protection services|child protection|arrangements to safeguard children",
            r"safeguarding|child protection|protecting children"),
    Service("schools", "Schools", r"schools", r"schools"),
    # The APA's judgement areas, when a sentence judges one ("Judgements on staying safe are all good").
    Service("being_healthy", "Being healthy",
            r"being healthy|improving the health of children and young people|improving the health of children"),
    Service("staying_safe", "Staying safe", r"staying safe"),
    Service("enjoying_achieving", "Enjoying and achieving",
            r"enjoying and achieving|helping children and young people enjoy their education and achieve well"),
    Service("positive_contribution", "Making a positive contribution", r"making a positive contribution"),
    Service("economic_wellbeing", "Achieving economic well-being",
            r"achieving economic well-being|economic well-being"),
)
BY_KEY = {service.key: service for service in SERVICES}
AREA_SERVICES = frozenset({"being_healthy", "staying_safe", "enjoying_achieving", "positive_contribution",
                           "economic_wellbeing"})


@dataclass(frozen=True)
class Level:
    key: str  # "inadequate"
    grade: int  # 4 outstanding ... 1 inadequate
    words: str  # regex alternation of the letters' words for it


# Longest first where one contains another ("good or better" before "good").
LEVELS: tuple[Level, ...] = (
    Level("outstanding", 4, r"outstanding|excellent"),
    Level("good", 3, r"good or better|good or outstanding|good or excellent|good"),
    # "requires improvement (to be good)": the third grade of the inspections since 2012, the old "adequate".
    Level("adequate", 2, r"satisfactory|adequate|requires improvement to be good|requires improvement"
                         r"|require improvement to be good|require improvement"),
    # "in special measures" / "a notice to improve": the inadequate categories of school inspection.
    Level("inadequate", 1, r"inadequate|poor|weak|in special measures|have a notice to improve"
                           r"|has a notice to improve"),
)
LEVEL_KEYS = tuple(level.key for level in LEVELS)
LEVEL_GRADES = {level.key: level.grade for level in LEVELS}
COMPARISONS = ("above", "in_line", "below")


def level_of(word: str) -> Level:
    """The level of a judgement word the letters use ("satisfactory" -> adequate)."""
    low = word.lower()
    for level in LEVELS:
        if re.fullmatch(level.words, low):
            return level
    raise ValueError(f"not a judgement word: {word!r}")


def service_title(key: str) -> str:
    service = BY_KEY.get(key)
    return service.title if service else key.replace("_", " ").capitalize()
