"""Any other Ofsted letter to a council: indexed, searched and cited, never graded.

A letter of a kind no module here recognises is not dropped: it keeps its council, date,
sections and passages, and the index report names it a generic letter. It must still be
from Ofsted (it names Ofsted) and to a council (index/letters.py finds one), so a stray note
in the letters folder is refused with a reason instead.
"""

from __future__ import annotations

import re

from index.kinds.base import Kind

_OFSTED = re.compile(r"\bOfsted\b|Office for Standards in Education", re.I)

KIND = Kind(
    key="letter",
    name="other letter",
    title="Ofsted letter",
    prose="Ofsted letter",
    years="any",
    recognise=lambda text: bool(_OFSTED.search(text)),
    question=r"other letters?|generic letters?",
)
