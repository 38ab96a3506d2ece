"""The 2009 children's services annual rating: one overall grade on the "performs" scale.

Layout: "Children's services rating 2009" (or "annual rating"), the scale table every letter
repeats, the row "Children's services rating<TAB>Performs well (3)" and the sentence
"Children's services in X perform well.", then paragraphs of findings (no subheadings).
"""

from __future__ import annotations

import re

from index.kinds.base import APOS, Area, Kind, year_of
from index.kinds.performs import performs_ratings, row_pattern, sentence_council
from index.kinds.scales import PERFORMS

_HEADING = re.compile(rf"children{APOS}s services (?:annual )?rating", re.I)
_YEAR = re.compile(rf"children{APOS}s services rating (?:for )?((?:19|20)\d\d)", re.I)
_ROW = row_pattern(rf"Children{APOS}s services rating")


KIND = Kind(
    key="annual_rating",
    name="annual rating",
    title="children's services annual rating",
    prose="annual rating",
    years="2009",
    recognise=lambda text: bool(_HEADING.search(text)),
    scale=PERFORMS,
    areas=(Area("overall", "Overall effectiveness", rf"Overall effectiveness of children{APOS}s services"),),
    ratings=lambda text: performs_ratings(text, _ROW),
    council=sentence_council,
    year=year_of(_YEAR),
    question=r"annual rating|children's services rating",
    headings=(rf"Children{APOS}s services (?:annual )?rating(?: (?:19|20)\d\d)?",),
    boilerplate=("ofsted guidance published in may",),
)
