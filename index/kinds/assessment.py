"""The 2010 and 2011 annual children's services assessments: the "performs" scale again.

Layout: "Annual children's services assessment", the guidance paragraph ("Ofsted guidance
published in July 2010 explains ..."), the scale table, "<Council> children's services
assessment 2010", the row "Children's services assessment<TAB>Performs well (3)" (some letters
put "Overall effectiveness" before it), the sentence "Children's services in X perform well.",
paragraphs of findings and a list under "Key areas for further development".
"""

from __future__ import annotations

import re

from index.kinds.base import APOS
from index.kinds.performs import performs_kind

_HEADING = re.compile(rf"annual children{APOS}s services assessment|children{APOS}s services assessment (?:19|20)\d\d",
                      re.I)

KIND = performs_kind(
    "assessment",
    key="annual_assessment",
    name="annual assessment",
    title="annual children's services assessment",
    prose="annual children's services assessment",
    years="2010-2011",
    recognise=lambda text: bool(_HEADING.search(text)),
    question=r"annual (?:children's services )?assessments?|children's services assessments?",
    headings=(rf"(?:Annual )?children{APOS}s services assessment(?: (?:19|20)\d\d)?",
              rf"[^\n]{{3,80}} children{APOS}s services assessment (?:19|20)\d\d"),
    strength_headings=(r"Key strengths", r"Areas of strength"),
    weakness_headings=(r"Key areas for further development", r"Areas for further development"),
    boilerplate=("ofsted guidance published in july", "ofsted guidance published in april"),
)
