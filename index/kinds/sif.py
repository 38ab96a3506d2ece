"""The single inspection framework (SIF, 2013-2018): services for children in need of help and
protection, children looked after and care leavers, often with a review of the LSCB.

Assumed layout (from the published reports; no real file is on this machine): the council's
name, "Inspection of services for children in need of help and protection, children looked
after and care leavers" and "Review of the effectiveness of the Local Safeguarding Children
Board", "Inspection date: 2 June 2015 - 24 June 2015", the overall judgement sentence
("Children's services in X require improvement to be good."), then a judgement table of
"Children who need help and protection", "Children looked after and achieving permanence",
"Adoption performance", "Experiences and progress of care leavers", "Leadership, management
and governance" (and the LSCB's row), each graded Outstanding / Good / Requires improvement /
Inadequate; then "Summary", "What does the local authority need to improve?" (areas for
improvement: weaknesses) and a section per judgement.
"""

from __future__ import annotations

import re

from index.kinds.base import Area, Kind, area_headings
from index.kinds.inspection import FACT_LINES, OVERALL, inspection_ratings, inspection_year, sentence_council
from index.kinds.scales import INSPECTION_GRADES

_FRAMEWORK = (r"Inspection of services for children in need of help and protection,? children looked after"
              r" and care leavers")
AREAS = (
    OVERALL,
    Area("help_and_protection", "Children who need help and protection",
         r"(?:The experiences and progress of )?children who need help and protection",
         r"help and protection|children who need help", ("safeguarding",)),
    Area("children_in_care", "Children in care", r"Children looked after and achieving permanence",
         "", ("looked_after_children",)),
    Area("adoption", "Adoption performance", r"Adoption performance", "", ("adoption",)),
    Area("care_leavers", "Care leavers", r"(?:The )?experiences and progress of care leavers", "", ("care_leavers",)),
    Area("leadership", "Leadership, management and governance", r"Leadership, management and governance",
         r"leadership,? management and governance"),
    Area("lscb", "The Local Safeguarding Children Board",
         r"(?:Review of )?the effectiveness of the (?:Local Safeguarding Children Board|LSCB)", "", ("lscb",)),
)
_RECOGNISE = re.compile(_FRAMEWORK, re.I)



def _title_council(text: str) -> str | None:
    """The council named on the line above the framework's title (the report's first line). Read
    by hand, not by a regex: a name of any length before the title, with spaces around, backtracked."""
    found = _RECOGNISE.search(text[:3000])
    if not found:
        return None
    lines = [line.strip() for line in text[:found.start()].split("\n")]
    name = next((line for line in reversed(lines) if line), "")
    return " ".join(name.split()) if 3 <= len(name) <= 120 else None


KIND = Kind(
    key="sif",
    name="SIF inspection",
    title="single inspection framework (SIF) inspection of children's services",
    prose="SIF inspection of children's services",
    years="2013-2018",
    recognise=lambda text: bool(_RECOGNISE.search(text[:3000])),
    scale=INSPECTION_GRADES,
    areas=AREAS,
    ratings=lambda text: inspection_ratings(text, AREAS),
    council=lambda text: _title_council(text) or sentence_council(text),
    year=inspection_year,
    question=r"\bsif\b|single inspection(?: framework)?",
    fact_lines=FACT_LINES,
    headings=(*area_headings(AREAS[1:], INSPECTION_GRADES), _FRAMEWORK,
              r"Review of the effectiveness of the Local Safeguarding Children Board",
              r"Judgement table", r"Summary", r"What does the local authority need to improve\??",
              r"Summary for children and young people"),
    weakness_headings=(r"Areas for improvement", r"What does the local authority need to improve\??"),
    strength_headings=(r"Key strengths",),
)
