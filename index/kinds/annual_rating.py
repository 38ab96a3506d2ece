"""The 2009 children's services annual rating: one overall grade on the "performs" scale.

Layout: "Children's services rating 2009" (or "annual rating"), the scale table every letter
repeats, the row "Children's services rating<TAB>Performs well (3)" and the sentence
"Children's services in X perform well.", then paragraphs of findings (no subheadings).
"""

from __future__ import annotations

import re

from index.kinds.base import APOS
from index.kinds.performs import performs_kind

_HEADING = re.compile(rf"children{APOS}s services (?:annual )?rating", re.I)

KIND = performs_kind(
    "rating",
    key="annual_rating",
    name="annual rating",
    title="children's services annual rating",
    prose="annual rating",
    years="2009",
    recognise=lambda text: bool(_HEADING.search(text)),
    question=r"annual rating|children's services rating",
    headings=(rf"Children{APOS}s services (?:annual )?rating(?: (?:19|20)\d\d)?",),
    boilerplate=("ofsted guidance published in may",),
)
