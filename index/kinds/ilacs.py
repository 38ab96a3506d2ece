"""The inspection of local authority children's services (ILACS, 2018-): five graded judgements.

Assumed layout (from the published reports; no real file is on this machine): "Inspection of
<Council> local authority children's services", "Inspection dates: 14 to 25 January 2019",
"Lead inspector: ...", then the judgement table, "Judgement<TAB>Grade" and a row each for "The
impact of leaders on social work practice with children and families", "The experiences and
progress of children who need help and protection", "The experiences and progress of children
in care" (until 2023 "... of children in care and care leavers"), "The experiences and
progress of care leavers" (from 2023) and "Overall effectiveness", each graded Outstanding /
Good / Requires improvement to be good / Inadequate; then "What needs to improve in this local
authority?" (areas for improvement: weaknesses) and a section per judgement.
"""

from __future__ import annotations

import re

from index.kinds.base import APOS, Area, Kind, area_headings, first_group
from index.kinds.inspection import FACT_LINES, OVERALL, inspection_ratings, inspection_year, sentence_council
from index.kinds.scales import INSPECTION_GRADES

AREAS = (
    OVERALL,
    Area("leaders_impact", "The impact of leaders on social work practice",
         r"The impact of leaders on social work practice(?: with children and families)?",
         r"impact of leaders|leaders'? impact", ()),
    Area("help_and_protection", "Children who need help and protection",
         r"(?:The experiences and progress of )?children who need help and protection",
         r"help and protection|children who need help", ("safeguarding",)),
    Area("children_in_care", "Children in care",
         r"The experiences and progress of children in care(?: and care leavers)?", "",
         ("looked_after_children", "care_leavers")),
    Area("care_leavers", "Care leavers", r"(?:The )?experiences and progress of care leavers", "", ("care_leavers",)),
)
_TITLE = re.compile(
    rf"^[ \t]*Inspection of (?P<council>[^\n]{{3,120}}?)(?:{APOS}s)? (?:local authority )?children{APOS}s services"
    r"[ \t]*$",
    re.I | re.M)



KIND = Kind(
    key="ilacs",
    name="ILACS inspection",
    title="inspection of local authority children's services (ILACS)",
    prose="ILACS inspection of children's services",
    years="2018-2026",
    recognise=lambda text: bool(_TITLE.search(text[:3000])),
    scale=INSPECTION_GRADES,
    areas=AREAS,
    ratings=lambda text: inspection_ratings(text, AREAS),
    council=lambda text: first_group(_TITLE, text, "council") or sentence_council(text),
    year=inspection_year,
    question=r"\bilacs\b|inspections? of local authority children'?s services",
    fact_lines=FACT_LINES,
    headings=(*area_headings(AREAS[1:], INSPECTION_GRADES), rf"Inspection of [^\n]{{3,120}} children{APOS}s services",
              r"Judgement\tGrade",
              r"What needs to improve in this local authority\??",
              r"What needs to improve in this local authority{APOS}s children{APOS}s services\??"),
    weakness_headings=(r"What needs to improve in this local authority\??", r"Areas for improvement",
                       r"Areas for priority action"),
)
