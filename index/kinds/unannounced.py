"""Unannounced inspections of contact, referral and assessment arrangements (2009-2012): no grade.

Layout: "Unannounced inspection of contact, referral and assessment arrangements within <Council>
children's services", a paragraph on when and how the inspection was done, then lists under
"Strengths" (or "Areas of strength"), "Areas for development" and, where there are any,
"Areas for priority action". Answerable and cited like any letter; no rating is ever given.
"""

from __future__ import annotations

import re

from index.kinds.base import APOS, Kind, first_group, year_of

_HEADING = re.compile(r"unannounced inspection of contact,? referral and assessment", re.I)
_TITLE = re.compile(
    r"unannounced inspection of contact,? referral and assessment arrangements (?:within|in|at) "
    rf"(?P<council>[^\n]{{3,120}}?)(?:{APOS}s?)? children{APOS}s (?:social care )?services",
    re.I,
)
_CARRIED_OUT = re.compile(
    r"(?:undertaken|carried out|conducted|took place) (?:on|between) [^\n.]{0,60}?\b((?:19|20)\d\d)\b", re.I)


KIND = Kind(
    key="unannounced",
    name="unannounced inspection",
    title="unannounced inspection of contact, referral and assessment",
    prose="unannounced inspection of contact, referral and assessment",
    years="2009-2012",
    recognise=lambda text: bool(_HEADING.search(text)),
    council=lambda text: first_group(_TITLE, text, "council"),
    year=year_of(_CARRIED_OUT),
    question=r"unannounced(?: inspections?)?|contact,? referral and assessment",
    headings=(r"Unannounced inspection of contact.+",),
    strength_headings=(r"Strengths", r"Areas of strength", r"Areas of good practice"),
    weakness_headings=(r"Areas for development", r"Areas for priority action", r"Areas for improvement"),
    boilerplate=("the inspection was carried out under section 138",),
)
