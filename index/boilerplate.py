"""What counts as boilerplate: text every letter (of a kind) carries, never evidence about one council.

Three rules, each here once:
- `is_boilerplate(text)`: a paragraph holding a known phrase (BOILERPLATE_PHRASES: the scale
  table, the guidance paragraph, the "section 138" paragraph, and each kind's own standard
  paragraphs from index/kinds). Chunking (index/chunks.py) marks whole paragraphs by it.
- `is_standard_text(text)`: no finding about the council: the above, the parts of the standard
  paragraphs that chunking cuts away from their phrase (STANDARD_PHRASES), a table row (a
  tab), a "Grade 3" line or a subheading. Polarity, judgements and answers skip such text.
- Shared wording: a passage found in letters about SHARED_MIN_COUNCILS or more councils is
  boilerplate too; index/database.py's mark_shared_boilerplate applies it over the whole index.
But: - phrases, not a model: a standard paragraph reworded past its phrases is not caught
until it is shared by enough councils' letters.
"""

from __future__ import annotations

import re

from index import kinds

SHARED_MIN_COUNCILS = 3  # a passage found in letters about this many councils is boilerplate

BOILERPLATE_PHRASES = (
    "four point scale",
    "minimum requirements",
    "section 138 of the education and inspections act",
    "ofsted guidance published in may",
    "in considering the evidence in the profile",
    "within each level there will be differing standards",
    "this letter summarises the findings",
    "inspectors make judgements based on the following scale",
    "we are grateful for the information",
    "the following table sets out the grades",
    *kinds.BOILERPLATE,  # each kind's own standard paragraphs
)
# Not "assessment judgement area": that header heads the APA grade table, which states this
# council's own grades (the ratings' source spans lie in it), so it is evidence, not boilerplate.

# Parts of the standard paragraphs that chunking cuts off from the phrases above.
STANDARD_PHRASES = (
    "transitional year",
    "performance bands with flexibility",
    "not based on an inspection",
    "grateful to you for assuring",
    "best fit",
    "everything is perfect",
    "adequate or even good",
    "in a rounded way",
    "not necessarily all",
    "does not mean all aspects",
    "managing performance theme",
    "service block in the comprehensive performance assessment",
)
_GRADE_LINE = re.compile(r"\s*Grade\s+\d\s*", re.I)


def is_boilerplate(text: str) -> bool:
    """Whether `text` holds a known boilerplate phrase (any case and spacing)."""
    low = " ".join(text.lower().split())
    return any(phrase in low for phrase in BOILERPLATE_PHRASES)


def is_standard_wording(text: str) -> bool:
    """A boilerplate phrase or a part of a standard paragraph (curly apostrophes straightened)."""
    low = " ".join(text.lower().replace("’", "'").split())
    return is_boilerplate(low) or any(phrase in low for phrase in STANDARD_PHRASES)


def is_standard_text(text: str) -> bool:
    """Boilerplate, a table row, a "Grade 3" line or a subheading: no finding about the council."""
    if "\t" in text or _GRADE_LINE.fullmatch(text) or kinds.SUBHEADINGS.match(text.strip()):
        return True
    return is_standard_wording(text)
