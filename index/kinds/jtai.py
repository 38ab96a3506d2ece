"""Joint targeted area inspections (JTAI, 2016-): Ofsted with the CQC, HMICFRS and HMI Probation.

A letter to the council's director of children's services and the area's other leaders
(police, health, probation) about one theme ("the multi-agency response to children living
with domestic abuse"); no grade. Assumed layout (from the published letters; no real file is
on this machine): "Joint targeted area inspection of the multi-agency response to <theme> in
<area>", "Between 2 and 6 October 2017, Ofsted, the Care Quality Commission (CQC), ... undertook
a joint inspection of ...", "Context", "Key strengths", "Case study: highly effective
practice", "Areas for improvement" (weaknesses), "Case study: area for improvement", "Next steps".
The council is read from the address block (the title names the area, not the council).
"""

from __future__ import annotations

import re

from index.kinds.base import Kind

_TITLE = re.compile(r"^[ \t]*Joint targeted area inspection of\b", re.I | re.M)
_BETWEEN = re.compile(r"\bBetween [^\n.]{0,60}?\b((?:19|20)\d\d)\b[^\n.]{0,300}?undertook a joint", re.I)


def _year(text: str) -> int | None:
    found = _BETWEEN.search(text)
    return int(found.group(1)) if found else None


KIND = Kind(
    key="jtai",
    name="JTAI",
    title="joint targeted area inspection (JTAI)",
    prose="joint targeted area inspection (JTAI)",
    years="2016-2026",
    recognise=lambda text: bool(_TITLE.search(text[:3000])),
    year=_year,
    question=r"\bjtais?\b|joint targeted area inspections?|joint targeted inspections?",
    headings=(r"Joint targeted area inspection of [^\n]{3,200}", r"Context", r"Next steps",
              r"Case study: [^\n]{3,80}"),
    strength_headings=(r"Key strengths", r"Strengths"),
    weakness_headings=(r"Areas for improvement", r"Areas for priority action"),
)
