"""Ungraded visits of the ILACS years (2018-): focused visits and monitoring visits.

Both are letters to the director of children's services and carry no grade: findings, then
what needs to improve (weaknesses). Assumed layout (from the published letters; no real file
is on this machine):
- focused visit: "Focused visit to <Council> children's services", "This letter summarises the
  findings of the focused visit to <Council> children's services on 12 and 13 June 2019.",
  "Inspectors looked at ...", "Headline findings", "What needs to improve in this area of
  social work practice", "Main findings" (2020-2021: "Focused visit" during the pandemic the same).
- monitoring visit (councils judged inadequate): "Monitoring visit to <Council> children's
  services", "This letter summarises the findings of the monitoring visit to <Council>
  children's services on 4 and 5 December 2019. This was the third monitoring visit since the
  local authority was judged inadequate in March 2018.", "Overview", "Findings and evaluation
  of progress", and where there are any, "Areas for priority action".
"""

from __future__ import annotations

import re

from index.kinds.base import APOS, Kind, first_group


def _visit_kind(key: str, visit: str, question: str, **fields) -> Kind:
    """A visit letter titled "<Visit> to <Council> children's services", dated by its "on <dates>" sentence."""
    title = re.compile(rf"^[ \t]*{visit} (?:to|of) (?P<council>[^\n]{{3,120}}?)(?:{APOS}s)? (?:local authority )?"
                       rf"children{APOS}s services[ \t]*$", re.I | re.M)
    visited = re.compile(rf"findings of the {visit} to [^\n.]{{3,160}}? on [^\n.]{{0,60}}?\b((?:19|20)\d\d)\b", re.I)

    def year(text: str) -> int | None:
        found = visited.search(text)
        return int(found.group(1)) if found else None

    return Kind(key=key, recognise=lambda text: bool(title.search(text[:3000])),
                title_council=lambda text: first_group(title, text, "council"), year=year, question=question,
                headings=(rf"{visit} (?:to|of) [^\n]{{3,120}} children{APOS}s services",), **fields)


FOCUSED = _visit_kind(
    "focused_visit", "Focused visit", r"focused visits?",
    name="focused visit",
    title="focused visit to children's services",
    prose="focused visit to children's services",
    years="2018-2026",
    strength_headings=(r"Headline findings and strengths", r"Strengths"),
    weakness_headings=(r"What needs to improve in this area of social work practice\??",
                       r"What needs to improve\??", r"Areas for improvement", r"Areas for priority action"),
    boilerplate=("ofsted will take the findings from this focused visit into account",),
)

MONITORING = _visit_kind(
    "monitoring_visit", "Monitoring visit",
    r"monitoring visits? (?:letters? )?(?:to|of|on) (?:[a-z']+ )?children'?s services|children'?s services monitoring",
    name="monitoring visit",
    title="monitoring visit to children's services",
    prose="monitoring visit to children's services",
    years="2018-2026",
    weakness_headings=(r"Areas for priority action", r"Areas for improvement", r"What needs to improve\??"),
    boilerplate=("ofsted will take the findings from this monitoring visit into account",),
)
