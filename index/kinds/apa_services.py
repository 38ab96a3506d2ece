"""The 2005 annual performance assessment: grades for services, not for seven areas.

The first APA graded the council's contribution through its services (children's services,
education, social care: whichever the letter names) and its capacity to improve, on grade
descriptors of its own: "4 A service that delivers well above minimum requirements for users"
down to "1 A service that does not deliver minimum requirements for users".

Layout: "2005 annual performance assessment of <Council>'s education and children's social
care services", paragraphs under the five outcome headings, "Key strengths" and "Key areas
for development", and a grade table: "The contribution of the local authority's children's
services in maintaining and improving outcomes for children and young people<TAB>3", "The
council's overall capacity to improve its services for children and young people<TAB>3".
Only the rows a letter has count: it is read for what it grades.
"""

from __future__ import annotations

import re

from index.kinds.base import APOS, Area, Kind, first_group, table_ratings, year_of
from index.kinds.scales import SERVICE_GRADES

# No question words for the three services: "children's services" and "education" are in most
# questions, and an open question must not be narrowed to an area no section is titled with.
_CONTRIBUTION = r"The contribution of the (?:local authority|council){apos}s {what} services"
AREAS = (
    Area("children_services", "Children's services",
         _CONTRIBUTION.format(apos=APOS, what=rf"children{APOS}s")),
    Area("education", "Education services", _CONTRIBUTION.format(apos=APOS, what="education")),
    Area("social_care", "Social care services", _CONTRIBUTION.format(apos=APOS, what="social care")),
    Area("capacity_to_improve", "Capacity to improve",
         rf"The council{APOS}s overall capacity to improve", r"capacity to improve|capacity"),
)

_TITLE = re.compile(
    r"(?P<year>(?:19|20)\d\d) annual performance assessment of (?P<council>[^\n]{3,120}?)"
    rf"{APOS}s? (?:education and children{APOS}s social care|children{APOS}s) services",
    re.I,
)
_SERVICE_ROW = re.compile(rf"^[ \t|]*{_CONTRIBUTION.format(apos=APOS, what='[a-z’ ]{3,40}')}", re.I | re.M)
_DESCRIPTOR = re.compile(r"delivers (?:well |consistently )?above minimum requirements", re.I)


def _recognise(text: str) -> bool:
    return bool(re.search(r"annual performance assessment", text, re.I)) and bool(
        _SERVICE_ROW.search(text) or _DESCRIPTOR.search(text) or _TITLE.search(text))


KIND = Kind(
    key="apa_services",
    name="APA (services)",
    title="annual performance assessment of services",
    prose="annual performance assessment (APA) of services",
    years="2005",
    recognise=_recognise,
    scale=SERVICE_GRADES,
    areas=AREAS,
    ratings=lambda text: table_ratings(text, AREAS, SERVICE_GRADES),
    council=lambda text: first_group(_TITLE, text, "council"),
    year=year_of(_TITLE, "year"),
    question=r"\bapa\b|annual performance assessment",  # the same words as the later APA: years tell them apart
    headings=(r"(?:19|20)\d\d annual performance assessment of .+", r"Summary table of grades",
              r"Areas for judgement.*"),
    strength_headings=(r"Key strengths",),
    weakness_headings=(r"Key areas for development", r"Areas for improvement"),
    boilerplate=("a service that delivers well above minimum requirements", "grade descriptors"),
)
