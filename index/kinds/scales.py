"""The grading scales the letters use. Several kinds may share one: the 2009 annual rating and
the 2010-2011 annual assessments both say "performs excellently (4)" down to "performs poorly (1)".

A question's rating words ("perform well", "outstanding", "above minimum requirements") pick a
scale here; words every scale shares ("good", "poor", "grade 2") are qa/query.py's.
"""

from __future__ import annotations

from index.kinds.base import Scale

PERFORMS = Scale(
    "performs",
    "the four-point scale from performs excellently (4) to performs poorly (1)",
    {4: "Performs excellently", 3: "Performs well", 2: "Performs adequately", 1: "Performs poorly"},
    (
        (r"significantly exceeds? (?:the )?minimum requirements?", 4),
        (r"(?:does not|do not|doesn't|don't|did not|didn't|fails? to|failing to|not) meets? (?:the |even )?"
         r"minimum requirements?", 1),
        (r"(?:only )?meets? (?:only )?(?:the )?minimum requirements?", 2),
        (r"exceeds? (?:the )?minimum requirements?", 3),
        (r"perform(?:s|ed|ing)? excellently|excellently", 4),
        (r"perform(?:s|ed|ing)? well|(?:doing|done|did|do|does|rated|graded) well|(?<=about )well", 3),
        (r"perform(?:s|ed|ing)? adequately|adequately", 2),
        (r"perform(?:s|ed|ing)? poorly|poorly|perform(?:s|ed|ing)? badly", 1),
    ),
    worded=True,
)

APA_GRADES = Scale(
    "apa_grades",
    "the APA's grades from 4 (outstanding) to 1 (inadequate)",
    {4: "Outstanding", 3: "Good", 2: "Adequate", 1: "Inadequate"},
    ((r"outstanding", 4),),
)

# The 2005 APA's grade descriptors, "A service that delivers well above minimum requirements for users".
SERVICE_GRADES = Scale(
    "service_grades",
    "the 2005 APA's grades from 4 (delivers well above minimum requirements) to 1 (does not deliver them)",
    {4: "Delivers well above minimum requirements", 3: "Consistently delivers above minimum requirements",
     2: "Delivers only minimum requirements", 1: "Does not deliver minimum requirements"},
    (
        (r"(?:delivers? )?well above (?:the )?minimum requirements?", 4),
        (r"(?:does not|do not|doesn't|don't|not) deliver (?:the )?minimum requirements?", 1),
        (r"(?:consistently )?(?:delivers? )?above (?:the )?minimum requirements?", 3),
        (r"delivers? only (?:the )?minimum requirements?", 2),
    ),
)

# The inspections since 2013 (SIF 2013-2018, ILACS 2018-): Ofsted's common inspection grades. A
# rolling programme: each council is inspected every few years, so its latest grade stands until
# the next, and "which councils are good?" reads each council's latest inspection, not one year's.
INSPECTION_GRADES = Scale(
    "inspection_grades",
    "the inspections' grades since 2013, from outstanding (4) to inadequate (1)",
    {4: "Outstanding", 3: "Good", 2: "Requires improvement to be good", 1: "Inadequate"},
    ((r"requires? improvement(?: to be good)?|requiring improvement(?: to be good)?|needs? improvement", 2),),
    rolling=True,
)

SCALES = (PERFORMS, APA_GRADES, SERVICE_GRADES, INSPECTION_GRADES)
