"""The annual performance assessment (APA) of 2006-2008: grades 1-4 for seven judgement areas.

Layout: "Annual performance assessment of services for children and young people in <Council>
<year>", a paragraph per area, each area's "Major strengths" and "Important weaknesses and
areas for development" lists, and the grade table ("Staying safe<TAB>3"; some letters put
"Grade 3" on the line under the area's heading instead). Only the areas a letter grades count.
"""

from __future__ import annotations

import re

from index.kinds.base import APOS, OVERALL, Area, Kind, first_group, table_ratings
from index.kinds.scales import APA_GRADES

AREAS = (
    OVERALL,
    Area("being_healthy", "Being healthy", r"Being healthy", r"being healthy|\bhealth(?:y)?\b"),
    Area("staying_safe", "Staying safe", r"Staying safe",
         # "(local) safeguarding children board" is the LSCB, a service, not this area
         r"staying safe|keep(?:ing)? (?:children )?safe|\bsafe(?:ty|guarding)?\b(?! children board)"),
    Area("enjoying_achieving", "Enjoying and achieving", r"Enjoying and achieving",
         r"enjoying and achieving|enjoy(?:ing)? and achiev(?:e|ing)|(?:school|exam|test) results"),
    Area("positive_contribution", "Making a positive contribution", r"Making a positive contribution",
         r"(?:making a )?positive contribution"),
    Area("economic_wellbeing", "Achieving economic well-being", r"Achieving economic well[- ]?being",
         r"(?:achieving )?economic well ?being|economic|\bjobs\b"),
    Area("capacity_to_improve", "Capacity to improve", r"Capacity to improve",
         r"capacity to improve|capacity|management of (?:children's )?services"),
)

_HEADING = re.compile(r"annual performance assessment", re.I)
# A council of two or more characters ends with a non-space (the shorter one before its last
# space would match first), so the lazy name does not step through a run of spaces trying
# "\s+" from each of them (quadratic on "... in a      b").
TITLE = re.compile(
    r"Annual performance assessment of services for children and young people in "
    r"(?P<council>[^\S\n]|[^\n]*?\S)\s++(?P<year>(?:19|20)\d\d)\s*$",
    re.I | re.M,
)
_CONTRIBUTION = re.compile(rf"(?P<council>[A-Z][^\n.]{{2,80}}? Council){APOS}s contribution to outcomes")
_YEAR_BEFORE = re.compile(r"\b((?:19|20)\d\d) annual performance assessment", re.I)


def council(text: str) -> str | None:
    return first_group(TITLE, text, "council") or first_group(_CONTRIBUTION, text, "council")


def year(text: str) -> int | None:
    match = TITLE.search(text)
    if match:
        return int(match.group("year"))
    match = _YEAR_BEFORE.search(text)
    return int(match.group(1)) if match else None


KIND = Kind(
    key="apa",
    name="APA",
    title="annual performance assessment",
    prose="annual performance assessment (APA)",
    years="2006-2008",
    recognise=lambda text: bool(_HEADING.search(text)),
    scale=APA_GRADES,
    areas=AREAS,
    ratings=lambda text: table_ratings(text, AREAS, APA_GRADES),
    council=council,
    year=year,
    question=r"\bapa\b|annual performance assessment",
    headings=(r"Annual performance assessment of .+", *(rf"{area.pattern}.*" for area in AREAS)),
    strength_headings=(r"Major strengths",),
    weakness_headings=(r"Important weaknesses and areas for development", r"Areas for development"),
    boilerplate=("inspectors make judgements based on the following scale",
                 "the following table sets out the grades", "this letter summarises the findings"),
)
