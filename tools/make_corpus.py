"""Deterministic synthetic corpus of Ofsted letters to (invented) English councils.

What it generates
-----------------
Plain-text letters of every kind index/kinds reads, each in its published layout (the seeds
in ``seeds/`` and tests/fixtures/kinds/), in roughly the proportions Ofsted wrote them
(``KIND_YEARS``: about one letter per council per year of each graded kind, ~50 unannounced
inspections a year, a few other letters). Per 1,236 letters: 150 ``apa_services`` (2005),
450 ``apa`` (150 each in 2006, 2007, 2008), 152 ``annual_rating`` (2009), 304
``annual_assessment`` (152 each in 2010, 2011), 150 ``unannounced`` (50 each 2009-2011) and
30 ``letter`` (generic, 2007-2011). Each letter's kind is drawn with those weights, so a
corpus of N has about those shares. ``--mix legacy`` (``mix="legacy"``) gives the corpora of
the benchmarks before the other kinds, byte for byte: 70% annual rating (2009, some 2010),
30% APA (2007-2008).

* ``annual_rating`` (2009): the
  "Children's services annual rating" letter. The shared boilerplate
  (guidance paragraph, "In considering the evidence..." paragraph, the
  tab-separated four point scale, "Within each level..." and the section 138
  paragraph) is copied verbatim from the seeds. The rating table row
  ``Children's services rating<TAB>Performs well (3)`` with its dashed
  underline (the " (3)" is left out in about 20%), the sentence
  "Children's services in <Council> perform well." and 2 to 5 body paragraphs
  drawn from a phrase bank (schools, childcare, fostering, adoption, private
  fostering, children's homes, serious case reviews, national indicators, care
  leavers, NEET) with judgements drawn at random, biased by the rating.
  Layout varies as in the seeds: "## " headings or plain ones, multi-line or
  single-line address block and letterhead, different sign-offs.
* ``apa`` (2006-2008; legacy: 2007 and 2008): the "Annual performance assessment
  of services for children and young people in <Council> <year>" letter,
  structured exactly like seed 001_: intro paragraphs, the seven-row
  ``Assessment judgement area<TAB>APA grade`` table, the scale note, then one
  section per area with "Grade N", a judgement paragraph and "Major strengths"
  / "Important weaknesses and areas for development" bullet lists ("- item"
  lines, or in some UTF-8 letters the one-line ``<ul ...> ▪ item ▪ item`` form).
* ``apa_services`` (2005): "2005 annual performance assessment of <Council>'s education
  and children's social care services" (or "... children's services"), a paragraph per
  outcome, service management, "Key strengths" / "Key areas for development" lists, the
  "Summary table of grades" (all four service rows, or children's services and capacity,
  or education, social care and capacity) and the grade descriptors.
* ``annual_assessment`` (2010, 2011): "Annual children's services assessment", the July
  2010 or April 2011 guidance paragraph, the scale table (always in 2010, half of 2011),
  "<Council> children's services assessment <year>", the row ``[Overall effectiveness<TAB>]
  Children's services assessment<TAB>Performs well (3)`` (the " (3)" left out in ~20%), the
  sentence, the annual rating's body paragraphs and "Key areas for further development".
* ``unannounced`` (2009 from June, 2010, 2011): the unannounced inspection of contact,
  referral and assessment arrangements: title, the dates it was "undertaken on", lists under
  "Strengths" (or "Areas of strength"), "Areas for development" and, in some weaker
  councils, "Areas for priority action". No rating.
* ``letter`` (generic): monitoring visits (youth offending service, adoption and fostering
  agencies) and a survey visit. No rating; the council is named only in the address block,
  so these councils are drawn among names that end in "Council" without "with" (the
  parser does not read "London Borough of X" or "A with B Council" there).

Each letter is encoded as UTF-8 or (about 15%) Windows-1252, where curly
apostrophes become byte 0x92; some UTF-8 letters have curly apostrophes too.
About 20% use CRLF line endings. Like the seeds, files have no final newline.
Council names are invented from place-name parts, never repeat within a corpus
(checked on the short name, case-insensitively, for any N) and never equal a
real English children's services authority such as the seed councils.

``--formats txt=70,md=5,pdf=20,docx=5`` (also ``html``) writes exactly that share of the
letters (largest remainders, order shuffled by its own generator, so the letters are the
same whatever the formats) as ``.md`` (the text file renamed) or as documents built by
tests/documents.py from the letter's normalised text: PDFs printed by one headless Chromium
for the whole batch (cached by content), DOCX by python-docx, HTML as a saved web page.
A document's truth has ``"encoding": null`` and ``"newline": null``; every truth has a
``"format"``. ``--check`` parses every file written with ``index.letters.read_letter`` and
counts the letters whose kind, council, short name, year or ratings differ from the truth.

Judgements
----------
Each truth dict's ``"judgements"`` lists every judgement of a service the letter writes, in the
order written: ``{"service", "level", "word", "comparison", "count", "total", "negated"}``. The
service is one of ``SERVICES`` (private_fostering, fostering, adoption, childrens_homes, the school
phases, childminding, childcare, early_years, serious_case_reviews, care_leavers, ..., and the five
APA outcome areas where a sentence judges one); the level is "outstanding", "good", "adequate",
"inadequate" or null (``LEVEL_OF``: excellent is outstanding, "good or better" and "good or
outstanding" good, satisfactory adequate, poor and weak inadequate); "word" is the level words as
written (or the comparison's, where there is no level); the comparison with similar areas or
national figures is "above", "in_line", "below" or null (``COMPARISON_OF``); count and total are
how many of how many ("two of the five": 2 and 5), else null; "no inadequate primary schools" and
"none is inadequate" give count 0 and negated true. ``judged(truth, service, level)`` says whether
a letter judges some of a service at a level (not negated). A level word about anything else
(value for money, attainment, behaviour, access, progress, the headline grades) is no judgement.

The phrase templates say what they judge with tagged placeholders, which _fill writes like the
untagged ones (the same draws, the tag left out):

* ``{NAME:SERVICES}`` draws NAME as usual (``{j:private_fostering}`` writes, say, "inadequate");
  ``{=WORDS:SERVICES}`` writes WORDS without drawing (``{=inadequate:private_fostering}``).
* SERVICES is one service key or several joined by "+" (``{j:fostering+adoption}``).
* What the value says follows from its text: a level (``LEVEL_OF``), a comparison
  (``COMPARISON_OF``: above, below, better than, higher, greater, ...), a count ("no", "none",
  "one" to "six", "two of the five") or "the rest" (the total less the last count).
* ``@total`` makes a number the total (``{Num:serious_case_reviews@total} serious case reviews``),
  ``@all`` both count and total (``All {num:childrens_homes@all} children's homes``).
* Within one sentence, a value fills in its service's last record, or starts a new one (keeping the
  total) where that record has the field already: "{of_total:childrens_homes} children's homes are
  {j:childrens_homes} and {=the rest:childrens_homes} are {j:childrens_homes}" gives two records.

Text carries its judgements as a ``Judged`` str (``+`` and _join keep them) up to the letter, so only
the sentences actually written, after any sampling or trimming, are recorded.
tools/judgements_truth_check.py checks them against the letters' text.

What it leaves out
------------------
* Councils never get letters of several years (each name is used once), so no council has
  a history across kinds.
* Any PDF-extraction noise beyond what the seeds show (the odd blank or
  space-only line, a mis-spelt signature scribble) in the text letters.
* Year-specific boilerplate for 2010 in the legacy mix: 2010 annual rating letters reuse the
  2009 paragraphs verbatim except "rating for 2009" (which becomes "rating for 2010"), and
  change the date and the "rating 2010" heading.
* Curly apostrophes are only put in prose (body paragraphs, bullets, the APA
  "Overall effectiveness of children’s services" heading), never in the
  boilerplate or the rating tables, as in the seeds.
* The judgements record no comparisons of statistics (attainment, NEET, rates, timeliness) and no
  judgement-like phrases without a level word ("key weaknesses in secondary provision"); "in
  special measures" is recorded as inadequate (the school inspection category it is). The text is
  not made consistent: "All three children's homes are inadequate and none is inadequate" can be
  written, and is recorded as written (both records).

Usage::

    python tools/make_corpus.py N OUT_DIR [--seed S] [--truth FILE] [--mix all|legacy]
                                [--formats txt=70,pdf=20,...] [--judgements] [--check]

or ``from tools.make_corpus import make_letter, make_corpus, check_corpus, judged``. The same N, seed,
mix and formats always give the same letters; text files are byte-identical (standard library
only, ``random.Random(seed)``; --formats and --check import tests/documents.py and index).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python tools/X.py` imports from the repository root

# --------------------------------------------------------------------------
# Verbatim boilerplate (copied from the seeds)
# --------------------------------------------------------------------------

GUIDANCE = (
    "Ofsted guidance published in May 2009 explained that the annual rating would derive "
    "from a new performance profile of the quality of services and outcomes for children "
    "and young people in each local area. This profile includes findings from across "
    "Ofsted's inspection and regulation of services and settings for which the council has "
    "strategic or operational responsibilities, either alone or in partnership with others, "
    "together with data from the relevant *Every Child Matters* indicators in the new "
    "National Indicator Set (NIS)."
)
CONSIDERING = (
    "In considering the evidence in the profile to determine the children's services rating "
    "for 2009 it has become clear that the continuing gaps in the data are significant, "
    "particularly those relating to aspects of social care and services for Looked After "
    "Children. Ofsted has decided therefore to use 2009 as a transitional year easing into "
    "the full application of the new system in 2010. As a consequence, although the "
    "performance profile remains central to Ofsted's rating, we have interpreted the "
    "performance bands with flexibility and exercised professional judgement with caution."
)
SCALE_INTRO = "The annual rating derives from a four point scale:"
SCALE_ROWS = [
    "4\tPerforms excellently\tAn organisation that significantly exceeds minimum requirements",
    "3\tPerforms well\tAn organisation that exceeds minimum requirements",
    "2\tPerforms adequately\tAn organisation that meets only minimum requirements",
    "1\tPerforms poorly\tAn organisation that does not meet minimum requirements",
]
WITHIN_LEVEL = (
    "Within each level there will be differing standards of provision. For example, a rating "
    "of 'performs excellently' does not mean all aspects of provision are perfect. Similarly, "
    "a rating of 'performs poorly' does not mean there are no adequate or even good aspects."
)
SECTION_138_ANNUAL = (
    "The children's services rating is provided for the purpose of section 138 of the "
    "Education and Inspections Act 2006. The rating of local authority children's services "
    "will contribute significantly to the managing performance theme of each local "
    "authority's Comprehensive Area Assessment (CAA) organisational assessment and therefore "
    "to the score for each local authority overall."
)
APA_INTRO = (
    "This letter summarises the findings of the {year} annual performance assessment (APA) "
    "for your council. The evaluations and judgements in the letter draw on a range of data "
    "and information which covers the period 1 April {prev} to 31 March {year}. As you know, "
    "the APA is not based on an inspection of your services and, therefore, can only provide "
    "a snapshot based on the evidence considered. As such, I am grateful to you for assuring "
    "the quality of the data provided."
)
APA_SCALE_TEXT = (
    "Performance is judged on a four point scale as detailed in the handbook. I should "
    "emphasise that the grades awarded are based on an overall 'best fit' model. For "
    "instance, an outstanding judgement of Grade 4 reflects that overall most aspects, but "
    "not necessarily all, of the services in the area are working very well. We know that "
    "one of the features of outstanding provision is the drive for greater improvement and "
    "no council would suggest, and nor would Ofsted, that a judgement of outstanding "
    "indicates that everything is perfect. Similarly within a judgement of inadequate "
    "overall, Grade 1, there could be some aspects of the overall service that are adequate "
    "or even good. Judgements are made in a rounded way, balancing all of the evidence and "
    "giving due consideration to outcomes, local and national contexts, priorities and "
    "decision-making."
)
APA_SCALE_NOTE = [
    "*Inspectors make judgements based on the following scale",
    "4: outstanding/excellent; 3: good; 2: adequate; 1: inadequate*",
]
SECTION_138_APA = (
    "The children's services grade is the performance rating for the purpose of section 138 "
    "of the Education and Inspections Act 2006. It will also provide the score for the "
    "children and young people service block in the comprehensive performance assessment to "
    "be published by the Audit Commission."
)
APA_THANKS = (
    "We are grateful for the information you provided to support this process and for the "
    "time given by you and your colleagues during the assessment."
)
STRENGTHS = "Major strengths"
WEAKNESSES = "Important weaknesses and areas for development"
HTML_UL = '<ul style="list-style-type: none">'
HTML_BULLET = "\u25aa"  # ▪, not encodable in Windows-1252

# --------------------------------------------------------------------------
# Ratings
# --------------------------------------------------------------------------

ANNUAL_LABELS = {4: "Performs excellently", 3: "Performs well", 2: "Performs adequately", 1: "Performs poorly"}
ANNUAL_ADVERBS = {4: "excellently", 3: "well", 2: "adequately", 1: "poorly"}
ANNUAL_GRADE_WEIGHTS = {4: 15, 3: 45, 2: 30, 1: 10}
APA_LABELS = {4: "Outstanding", 3: "Good", 2: "Adequate", 1: "Inadequate"}
APA_GRADE_WEIGHTS = {4: 15, 3: 50, 2: 28, 1: 7}
# (truth key, row title in the grade table, section heading)
APA_AREAS = [
    ("overall", "Overall effectiveness of children's services", "Overall effectiveness of children's services"),
    ("being_healthy", "Being healthy", "Being healthy"),
    ("staying_safe", "Staying safe", "Staying safe"),
    ("enjoying_achieving", "Enjoying and achieving", "Enjoying and achieving"),
    ("positive_contribution", "Making a positive contribution", "Making a positive contribution"),
    ("economic_wellbeing", "Achieving economic well-being", "Achieving economic well-being"),
    (
        "capacity_to_improve",
        "Capacity to improve, including the management of services for children and young people",
        "Capacity to improve, including the management of children's services",
    ),
]
JUDGEMENTS = ["outstanding", "good", "adequate", "inadequate"]
JUDGEMENT_WEIGHTS = {4: [40, 48, 9, 3], 3: [14, 52, 24, 10], 2: [5, 33, 40, 22], 1: [2, 18, 40, 40]}
COMPARISONS = ["above", "in line with", "below"]
COMPARISON_WEIGHTS = {4: [60, 35, 5], 3: [30, 55, 15], 2: [10, 50, 40], 1: [5, 35, 60]}

# --------------------------------------------------------------------------
# Invented names
# --------------------------------------------------------------------------

PREFIXES = (
    "Ash Ald Alder Bar Beck Bel Birch Bram Bran Brook Carl Cas Chal Cold Cran Dal Dun Elm "
    "Eld Fair Fal Fen Fox Glen Gran Hal Har Hart Hay Hazel Hol Ink Kel Kes Lang Lin Lox Mar "
    "Mel Mill Nor North Oak Os Pen Quen Rad Red Ros Sand Sel Shep Stan Sud Thorn Tod Up "
    "Wal Wen Whit Wil Win Wor Wyn Yar"
).split()
SUFFIXES = (
    "wold bury ford ham ton ley field worth by wick stead mouth chester caster minster "
    "borough dale combe hurst den well bridge brook mere stow thorpe leigh cote haven moor"
).split()
SHIRE_ENDINGS = ("ford", "ham", "wick", "ester", "ton", "by", "worth", "bury")
RIVERS = "Arle Brue Colne Dane Eden Frome Kennet Lune Mease Otter Rother Sowe Wey Wyre Yeo Sea".split()
QUALIFIERS = "Great Upper Lower North South East West Old Mid".split()
TRAILERS = "Vale Heath Forest Downs Moor Fields Marsh".split()
COUNCIL_KINDS = [  # (template, weight); {} is the short name
    ("{} Metropolitan Borough Council", 20),
    ("{} Borough Council", 21),
    ("{} City Council", 15),
    ("{} County Council", 20),
    ("{} Council", 20),
    ("London Borough of {}", 4),
]
REAL_AUTHORITIES = (
    (
        "Barking and Dagenham;Barnet;Barnsley;Bath and North East Somerset;Bedford;Bedfordshire;Bexley;"
        "Birmingham;Blackburn with Darwen;Blackpool;Bolton;Bournemouth;Bracknell Forest;Bradford;"
        "Brent;Brighton and Hove;Bristol;Bromley;Buckinghamshire;Bury;Calderdale;Cambridgeshire;"
        "Camden;Central Bedfordshire;Cheshire;Cheshire East;Cheshire West and Chester;City of London;"
        "Cornwall;Coventry;Croydon;Cumbria;Darlington;Derby;Derbyshire;Devon;Doncaster;Dorset;"
        "Dudley;Durham;Ealing;East Riding of Yorkshire;East Sussex;Enfield;Essex;Gateshead;"
        "Gloucestershire;Greenwich;Hackney;Halton;Hammersmith and Fulham;Hampshire;Haringey;"
        "Harrow;Hartlepool;Havering;Herefordshire;Hertfordshire;Hillingdon;Hounslow;Isle of Wight;"
        "Hull;Isles of Scilly;Islington;Kensington and Chelsea;Kent;Kingston upon Hull;"
        "Kingston upon Thames;Kirklees;Knowsley;Lambeth;Lancashire;Leeds;Leicester;"
        "Leicestershire;Lewisham;Lincolnshire;Liverpool;Luton;Manchester;Medway;Merton;"
        "Middlesbrough;Milton Keynes;Newcastle;Newcastle upon Tyne;Newham;Norfolk;North East Lincolnshire;"
        "North Lincolnshire;North Somerset;North Tyneside;North Yorkshire;Northamptonshire;"
        "Northumberland;Nottingham;Nottinghamshire;Oldham;Oxfordshire;Peterborough;Plymouth;"
        "Poole;Portsmouth;Reading;Redbridge;Redcar and Cleveland;Richmond upon Thames;Rochdale;"
        "Rotherham;Rutland;Salford;Sandwell;Sefton;Sheffield;Shropshire;Slough;Solihull;Somerset;"
        "South Gloucestershire;South Tyneside;Southampton;Southend-on-Sea;Southwark;St Helens;"
        "Staffordshire;Stockport;Stockton-on-Tees;Stoke-on-Trent;Suffolk;Sunderland;Surrey;"
        "Sutton;Swindon;Tameside;Telford and Wrekin;Thurrock;Torbay;Tower Hamlets;Trafford;"
        "Wakefield;Walsall;Waltham Forest;Wandsworth;Warrington;Warwickshire;West Berkshire;"
        "West Sussex;Westminster;Wigan;Wiltshire;Windsor and Maidenhead;Wirral;Wokingham;"
        "Wolverhampton;Worcestershire;York"
    )
    .lower()
    .split(";")
)
REAL_NAMES = frozenset(REAL_AUTHORITIES)
_COMMON_WORDS = {
    "and",
    "of",
    "on",
    "upon",
    "with",
    "north",
    "south",
    "east",
    "west",
    "city",
    "central",
    "forest",
    "isle",
    "isles",
    "st",
}
REAL_WORDS = frozenset(w for name in REAL_AUTHORITIES for w in re.split(r"[ -]", name) if w not in _COMMON_WORDS)
SEED_FRAGMENTS = ("stock", "stoke", "trafford", "tees", "trent")

FIRST_NAMES_M = (
    "Andrew Chris David Graham Ian John Keith Mark Martin Neil Paul Peter Richard Robert Simon Stephen Tim Tony"
).split()
FIRST_NAMES_F = (
    "Alison Anne Carol Catherine Claire Elaine Gillian Helen Jane Janet Julie "
    "Karen Linda Margaret Ruth Sally Sarah Susan"
).split()
SURNAMES = (
    "Ainsworth Barraclough Bennett Bradshaw Carter Cheetham Dawson Eccles Fairclough "
    "Fletcher Garside Greenhalgh Hargreaves Holroyd Kershaw Lockwood Marsden Mellor "
    "Nuttall Ogden Pickering Priestley Ramsden Rowbotham Sutcliffe Thwaite Whitworth "
    "Wilkinson Worrall Yates"
).split()
DIRECTOR_ROLES = [
    "Director of Children's Services",
    "Corporate Director, Children and Young People",
    "Strategic Director, Children's Services",
    "Executive Director for Children, Young People and Families",
    "Corporate Director, Children, Education and Social Care",
    "Chief Executive of Children and Young Peoples Services",
    "Director of Children, Schools and Families",
]
SIGNATORIES = [
    "Juliet Winstanley",
    "Margaret Holloway",
    "Christopher Russell",
    "Sheena Doyle",
    "Jonathan Hebden",
    "Pauline Ashcroft",
]
ADDRESS_BUILDINGS = [
    "Town Hall",
    "Civic Centre",
    "County Hall",
    "Municipal Buildings",
    "Council Offices",
    "Children and Young People's Directorate",
    "Stopford House",
    "Kingsway House",
]
ADDRESS_FLOORS = ["3rd Floor", "Floor 2", "Ground Floor", "1st Floor"]
STREET_NAMES = "Church Station Market High Castle Victoria Albert King Queen Glebe Talbot".split()
STREET_KINDS = "Road Street Lane Square Way".split()
MONTHS = ("January February March April May June July August September October November December").split()
NUMBER_WORDS = "two three four five six".split()
APA_REGIONS = [
    ("North", "0161 618"),
    ("Central", "0121 683"),
    ("South", "0117 945"),
    ("London", "020 7421"),
    ("East", "01223 578"),
]


@dataclass
class Ctx:
    """Per-letter facts that the phrase templates may refer to."""

    council: str
    short: str
    year: int
    grade: int
    curly: float  # probability that an apostrophe in prose is curly
    html_bullets: bool = False
    markdown: bool = False
    one_line: bool = False
    verbosity: int = 0  # extra bullets per APA section, for longer letters


# --------------------------------------------------------------------------
# Annual letter phrase bank. Placeholders are filled by _fill().
# --------------------------------------------------------------------------

OVERVIEW = [
    "The overall effectiveness of {qty} of inspected and regulated services and settings is {j}.",
    "Performance is good or better in {qty} of services.",
    "Very few settings are inadequate.",
    "The overall effectiveness of {qty} of inspected and regulated services and settings is good or better.",
]
EARLY_YEARS = [
    "Provision for very young children is {j:early_years}.",
    "A {more:nursery_schools+childcare} proportion of nursery schools and childcare is "
    "good or outstanding than is the case nationally and in similar areas.",
    "Childminding is {js:childminding} and most childcare settings are {js:childcare} overall.",
    "The quality of early years provision is {j:early_years} and {cmpw:early_years} that in similar authorities.",
    "Most nurseries are {jpos:nursery_schools} and the proportion is {more:nursery_schools} than that of "
    "similar areas.",
]
SCHOOLS = [
    "A {higher:primary_schools} proportion of primary schools are good or better than nationally "
    "but there are key weaknesses in secondary provision.",
    "A {=higher than average:primary_schools+secondary_schools+sixth_forms} proportion of both primary and "
    "secondary schools, including the schools' sixth forms, is "
    "good or outstanding.",
    "There are {=no:primary_schools} {=inadequate:primary_schools} primary schools but "
    "{of_total:secondary_schools} secondary schools are {=inadequate:secondary_schools}.",
    "{=One:special_schools} special school is {j:special_schools}, {=one:special_schools} is {j:special_schools} "
    "and {=one:special_schools} is {=satisfactory:special_schools}.",
    "The pupil referral unit is {j:pupil_referral_units}.",
    "{=No:secondary_schools} secondary school is {=outstanding:secondary_schools} and too many are "
    "{=satisfactory:secondary_schools}.",
    "Half of primary schools and a third of secondary schools provide {j:primary_schools+secondary_schools} education.",
    "Sixth form provision in schools is {j:sixth_forms} overall.",
]
SOCIAL_CARE = [
    "The performance of the local authority's fostering and adoption agencies is {j:fostering+adoption}.",
    "The local authority fostering agency is {j:fostering} and the adoption agency is {j:adoption}.",
    "Private fostering arrangements are {j:private_fostering}.",
    "The local authority fostering and adoption services are {j:fostering+adoption} but private fostering is "
    "{j:private_fostering}.",
    "Private fostering was judged {j:private_fostering} at its most recent inspection.",
    "{Of_total:childrens_homes} children's homes are {j:childrens_homes} and {=the rest:childrens_homes} are "
    "{j:childrens_homes}.",
    "The children's home is {j:childrens_homes}.",
    "All {num:childrens_homes@all} children's homes are {j:childrens_homes} and {=none:childrens_homes} is "
    "{=inadequate:childrens_homes}.",
    "Arrangements for private fostering are {j:private_fostering}, although notification rates remain low.",
    "The local authority's adoption agency was judged {j:adoption} at its most recent inspection and "
    "the fostering agency was judged {j:fostering}.",
]
CASE_REVIEWS = [
    "{=One:serious_case_reviews} serious case review was judged to be {j:serious_case_reviews} in {month} {year}.",
    "There has been {=one:serious_case_reviews} serious case review which was judged {j:serious_case_reviews}.",
    "{Num:serious_case_reviews@total} serious case reviews were evaluated during the year; "
    "{=one:serious_case_reviews} was judged {j:serious_case_reviews} and {=one:serious_case_reviews} "
    "{j:serious_case_reviews}.",
    "The serious case review evaluated in {month} {year} was judged {j:serious_case_reviews}.",
]
INDICATORS = [
    "Performance against {qty} of national indicators, including those for staying safe and "
    "enjoying and achieving, is {cmp} similar areas and the national figure.",
    "Overall, performance against the national indicators is {j}, with {qty} demonstrating "
    "performance in line with or better than similar areas.",
    "A large majority of indicators in the national indicator set are {cmp} the performance of similar areas.",
    "However, a third of indicators are below similar areas and national figures.",
    "Educational achievement is {cmp} the national averages at ages 11 and 16.",
    "Achievement of a level 2 qualification by the age of 19 is {cmp} similar areas, but at level 3 it is {cmp} them.",
    "Under staying safe performance is {cmp:staying_safe} similar areas apart from the stability of "
    "placement for looked after children.",
    "The proportion of secondary schools with good or outstanding behaviour is {higher} than "
    "similar areas and the national average.",
]
VULNERABLE = [
    "Outcomes for young people whose circumstances make them more vulnerable are less good "
    "than for all children who live in {short}.",
    "The gap at Key Stage 4 between all young people and those with special educational "
    "needs has {trend} over three years.",
    "At the age of 19 there remains an inequality gap between those who achieve a level 3 and those who do not.",
    "The quality of education and care provision for children and young people whose "
    "circumstances make them vulnerable is {j}.",
    "A larger proportion of young people receive a custodial sentence than in similar areas.",
    "The gap in achievement between children and young people whose circumstances make them "
    "more vulnerable and their peers is {closing} in line with similar areas.",
]
CARE_LEAVERS = [
    "Performance for care leavers is {j:care_leavers}.",
    "Performance for care leavers and for young people known to the offending services is "
    "{jpos:care_leavers+youth_offending} with a higher than average number engaged in education, employment or "
    "training.",
    "A {smaller} proportion of young people leaving care are in education, employment or "
    "training than the national average and in similar areas.",
    "Support for care leavers in {short} is {j:care_leavers} and most have suitable accommodation.",
]
NEET = [
    "A {more} proportion of 16- to 18-year-olds than in similar areas and found nationally "
    "are not in education, employment or training.",
    "The proportion of young people not in education, employment or training (NEET) has "
    "fallen to {pct}, which is {cmp} similar areas.",
    "Too many young people aged 16 to 18 are not in education, employment or training.",
]
# Used to give every letter with curly apostrophes at least one "children’s".
CHILDRENS_SENTENCES = [s for s in SOCIAL_CARE + VULNERABLE if "children's" in s]
# Each recipe: list of (bank, min sentences, max sentences). The first is always used.
PARAGRAPH_RECIPES = [
    [(OVERVIEW, 1, 1), (EARLY_YEARS, 1, 2), (SCHOOLS, 1, 3), (SOCIAL_CARE, 1, 3)],
    [(CASE_REVIEWS, 0, 1), (INDICATORS, 2, 3)],
    [(VULNERABLE, 2, 3)],
    [(CARE_LEAVERS, 1, 2), (NEET, 0, 2)],
    [(SOCIAL_CARE, 2, 3), (CASE_REVIEWS, 1, 1)],
]

# --------------------------------------------------------------------------
# APA phrase bank: bullet items per area, as (strengths, weaknesses).
# --------------------------------------------------------------------------

APA_BULLETS = {
    "being_healthy": (
        [
            "Good progress is being made in achieving a comprehensive CAMHS with an increased "
            "capacity and access to services, supported by good working arrangements between services.",
            "More young people with learning difficulties and/or disabilities are getting access to "
            "CAMHS compared with the previous year.",
            "More schools have achieved and been assessed for Healthy School status than nationally "
            "and targeted work to promote physical activity is achieving good results.",
            "Local surveys indicate fewer young people are drinking, smoking or trying illegal drugs "
            "and more are eating more healthily.",
            "High levels of immunisations, dental checks and health assessments are being achieved "
            "for looked after children.",
            "Children with complex health needs have good access to services such as speech and "
            "language, occupational health and physiotherapy.",
            "The proportion of young people with learning difficulties and/or disabilities having a "
            "transition plan has risen from {pct_a} to {pct_b}.",
            "The rate of teenage conceptions has fallen by {pct} since 1998, faster than in similar areas.",
            "Breastfeeding initiation rates are above those of similar councils and continue to rise.",
            "The fostering inspection confirmed that health arrangements for looked after children are "
            "{jpos:looked_after_children}.",
            "Waiting times for specialist CAMHS have reduced and almost all young people are seen within 13 weeks.",
        ],
        [
            "Rates of Chlamydia and other sexually transmitted diseases are higher than they are in "
            "other similar council areas and {short} is not achieving its targets for improvement.",
            "Rates of substance misuse related hospital admissions for young people under 20 years "
            "are higher than similar areas.",
            "The rate of teenage conceptions remains above the national average and has not fallen "
            "as quickly as planned.",
            "Too few looked after children receive an annual health assessment.",
            "Childhood obesity levels at Reception and Year 6 are higher than in similar areas.",
            "Access to CAMHS for 16- and 17-year-olds remains inconsistent across the area.",
        ],
    ),
    "staying_safe": (
        [
            "Referral rates are below those found in similar areas.",
            "The common assessment framework has ensured over a third more children in need have "
            "received additional services.",
            "The fostering service is {jpos:fostering}.",
            "Very good performance is achieved in completing core assessments.",
            "Initial assessments are completed within timescales in {pct_b} of cases, which is "
            "better than in similar councils.",
            "All children on the child protection register have an allocated qualified social worker.",
            "Reviews of child protection cases are held on time in all cases.",
            "The stability of placements for looked after children is {=good:looked_after_children}, with few children "
            "experiencing three or more moves in a year.",
            "The Local Safeguarding Children Board is well established and provides effective "
            "challenge to partner agencies.",
            "Private fostering arrangements are {jpos:private_fostering} and notifications have increased following "
            "a publicity campaign.",
            "The adoption service is {jpos:adoption} and the number of children adopted from care has increased.",
        ],
        [
            "Private fostering arrangements are {=inadequate:private_fostering} and too few privately fostered "
            "children are known to the council.",
            "The proportion of initial assessments completed within seven working days is below "
            "that of similar councils.",
            "Too many looked after children experience three or more placement moves in a year.",
            "Re-registrations on the child protection register are higher than in similar areas.",
            "A serious case review completed during the year was judged {=inadequate:serious_case_reviews}.",
            "The council's fostering service was judged {jneg:fostering} at its most recent inspection.",
            "Recruitment and retention of qualified social workers remain difficult and caseloads are high.",
        ],
    ),
    "enjoying_achieving": (
        [
            "The performance of children with low prior attainment, and also that of boys, has "
            "improved more than it has nationally.",
            "At Key Stage 4, more students attain at least five A* to C grades at GCSE, including "
            "English and mathematics, than is the case nationally.",
            "All secondary schools meet the Government's target for {year} of at least 30% of "
            "students attaining five good GCSE grades.",
            "Results in the Early Years Foundation Stage Profile are above the national average.",
            "Attainment at Key Stage 2 in English and mathematics is {cmpup} the national average and "
            "has improved for three years.",
            "The percentage of permanent and fixed term exclusions from primary schools is much "
            "lower than that nationally. All excluded children and young people receive tuition for "
            "20 or more hours per week, and this is significantly better than the national picture.",
            "The council provides a good level of support and challenge to help its schools improve.",
            "No schools are in special measures and the number of schools causing concern has fallen.",
            "Attendance in primary and secondary schools is better than in similar areas.",
            "The educational attainment of looked after children has improved and is above that of similar councils.",
        ],
        [
            "Standards in English and science at the end of Key Stage 3, although in line with "
            "national averages, are not as high as those attained at the end of Key Stages 1, 2 and 4.",
            "{Num:secondary_schools} secondary schools are {=in special measures:secondary_schools} or have a notice "
            "to improve.",
            "Persistent absence in secondary schools is higher than in similar areas.",
            "The attainment of looked after children at Key Stage 4 remains low.",
            "Fixed term exclusions from secondary schools are higher than the national average.",
            "The gap between the attainment of pupils eligible for free school meals and their peers is not narrowing.",
        ],
    ),
    "positive_contribution": (
        [
            "Young people, including those with learning difficulties and/or disabilities and "
            "looked after young people, are provided with an excellent range of opportunities to "
            "make a positive contribution.",
            "A high percentage of looked after children contribute to their reviews. This "
            "performance is better than similar council areas and the national average.",
            "School inspections indicate that learners are able to contribute well to the running "
            "of their schools through practical suggestions for improvement made to headteachers.",
            "The youth council is well established and influences decisions made by the council and its partners.",
            "The number of first-time entrants to the youth justice system has fallen and is below "
            "that of similar areas.",
            "Rates of re-offending by young people are low compared with similar areas.",
            "Young people are actively involved in the recruitment of staff and in the "
            "commissioning of youth services.",
            "Participation in volunteering and community activities is high, supported by a good "
            "range of youth provision.",
        ],
        [
            "The rate of re-offending by young people has increased and is above that of similar areas.",
            "Too few young people with learning difficulties and/or disabilities participate in youth activities.",
            "The proportion of looked after children receiving a final warning or conviction is "
            "higher than in similar councils.",
            "Participation of young people in the youth service remains below the national benchmark.",
        ],
    ),
    "economic_wellbeing": (
        [
            "Partnership to develop provision for the 14 to 19 age range is strong and widely representative.",
            "Cooperation between the council and schools, colleges and employers is productive, "
            "for example in providing the increased range of apprenticeships available in the "
            "area, with {n_hi} young people completing these last year compared with {n_lo} the "
            "year before.",
            "{short} is now well placed to offer {num} diplomas this year and a further {num} next year.",
            "The percentages of young people reaching Levels 2 and 3 by the age of 19 are {cmpup} national averages.",
            "The number of school leavers not in employment, education or training has reduced "
            "from {pct_hi} to {pct_lo}.",
            "Good provision is made to prepare young people for work, including well-planned work experience.",
            "The proportion of care leavers in suitable accommodation is high.",
            "Childcare places are sufficient and well distributed across the area.",
        ],
        [
            "The percentage of young people with learning difficulties and/or disabilities not "
            "engaged in employment, education or training after the age of 16 remains too high, "
            "despite recent improvements.",
            "The proportion of young people not in education, employment or training is above that "
            "of similar councils.",
            "Too few care leavers are in education, employment or training.",
            "Achievement of a level 3 qualification by the age of 19 is below that in similar areas.",
        ],
    ),
    "capacity_to_improve": (
        [
            "Planning is highly effective as evidenced by the Children and Young People's Plan. "
            "This is based on effective consultation with stakeholders, clear analysis of needs "
            "including that of children in the most deprived areas of the community, and well "
            "attuned actions for development supported by precise targets.",
            "The management of improvement is strongly supported by regular and rigorous "
            "evaluation of performance and outcomes set against local and national benchmarks.",
            "Sustained improvements have been made in performance, including in the areas for "
            "development identified in the APA for {prev}.",
            "Value for money is {jpos}, with spending closely aligned with agreed priorities.",
            "Partnership working is strong and the Children's Trust arrangements are well established.",
            "The council has a clear view of its strengths and weaknesses and has well conceived "
            "ambitions for children and young people.",
            "Workforce planning is effective and the council has been successful in recruiting "
            "qualified social workers.",
        ],
        [
            "Performance management is not yet consistently applied across all services.",
            "Some targets in the Children and Young People's Plan lack precision, making progress "
            "difficult to measure.",
            "The council's self-assessment is not always accurate and overstates progress in some areas.",
            "Recruitment and retention of key staff remain a challenge.",
        ],
    ),
}
APA_ANALYSIS = [
    "The council's analysis of its strengths and areas for development for this outcome area "
    "is consistent with the evidence.",
    "The council's analysis of its strengths and areas for development in this outcome area is mostly accurate.",
    "The council's analysis of its strengths and areas for development in this outcome area "
    "underestimate a number of important weaknesses and overvalue the areas where progress "
    "has been made.",
]
APA_TABLE_BELOW = "The table below sets out the evidence for the grade awarded."
# An outcome section's judgement sentence; AREA becomes the section's key (its grade's judgement).
APA_ASPECT = (
    "The contribution of services to improving outcomes for children and young people in this aspect is {label:AREA}."
)
OVERALL_POSITIVE = [
    "Children and young people are encouraged to be physically active and have increasingly "
    "good access to the child and adolescent mental health service (CAMHS).",
    "Very good improvements have been achieved in completing core assessments within "
    "national timescales and are better than national and other similar councils.",
    "Educational attainment in the early years and during compulsory schooling is predominantly above average.",
    "Excellent opportunities are available to children and young people to make a positive "
    "contribution to their schools and communities; these are widely taken up.",
    "Good provision is made to prepare young people for work.",
    "Arrangements for safeguarding children are robust and well understood by partner agencies.",
    "Outcomes for looked after children are improving and compare well with similar councils.",
]
OVERALL_NEGATIVE = [  # the first one used gets "However, " in front
    "attainment at Key Stage 3 is average in English and science.",
    "increasing the proportion of young people with learning difficulties and/or "
    "disabilities in work related activities remains a key priority.",
    "too many young people are not in education, employment or training.",
    "private fostering arrangements remain {=inadequate:private_fostering}.",
    "the rate of teenage conceptions remains high.",
    "attendance in secondary schools is below that of similar areas.",
]
MANAGEMENT_SENTENCES = [
    "Services are focused precisely on identified needs, including those of the more "
    "vulnerable members of the community.",
    "The users of services are effectively consulted and are mainly content with provision.",
    "The council is {success} in working with a range of partners and in securing {vfm} value for money.",
    "It has a clear view of its strengths.",
    "The weaknesses identified below need to be tackled within the council's continuing "
    "policy of improving its provision.",
]
CAPACITY_RESPONSE = {
    4: "It has responded positively and in a timely manner to the areas for development identified in {prev}.",
    3: "It has responded positively to the areas for development identified in {prev}.",
    2: "It has responded to most of the areas for development identified in {prev}.",
    1: "It has not responded effectively to the areas for development identified in {prev}.",
}
TRACK_RECORD = {4: "strong", 3: "good", 2: "satisfactory", 1: "limited"}
# Placeholders that are a plain choice, not biased by the grade.
SIMPLE_CHOICES = {
    "jpos": ("good", "outstanding"),
    "jneg": ("adequate", "inadequate"),
    "js": ("good", "satisfactory", "satisfactory", "outstanding", "inadequate"),
    "more": ("greater", "smaller"),
    "higher": ("higher", "lower"),
    "smaller": ("smaller", "larger"),
    "trend": ("widened", "narrowed"),
    "closing": ("closing", "not closing"),
    "cmpw": ("better than", "similar to", "weaker than"),
    "qty": ("a large majority", "the majority", "a majority", "just over half", "a minority", "the large majority"),
    "cmpup": ("above", "in line with", "well above"),
    "month": MONTHS,
    "success": ("very successful", "successful", "increasingly successful"),
    "vfm": ("excellent", "good", "adequate"),
}


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def _of_total(rng: random.Random) -> str:
    """'two of the five': a part and a larger whole, as number words."""
    total = rng.randint(3, 6)
    return f"{NUMBER_WORDS[rng.randint(0, total - 3)]} of the {NUMBER_WORDS[total - 2]}"


# Numeric placeholders. Pairs are drawn from disjoint ranges so that, for example,
# "reduced from {pct_hi} to {pct_lo}" always goes down.
NUMERIC_DRAWS = {
    "pct": lambda rng: f"{rng.uniform(4.0, 12.0):.1f}%",
    "pct_a": lambda rng: f"{rng.randint(60, 85)}%",
    "pct_b": lambda rng: f"{rng.randint(86, 99)}%",
    "pct_lo": lambda rng: f"{rng.uniform(3.0, 6.9):.1f}%",
    "pct_hi": lambda rng: f"{rng.uniform(7.0, 12.0):.1f}%",
    "n_lo": lambda rng: str(rng.randint(250, 499)),
    "n_hi": lambda rng: str(rng.randint(500, 900)),
    "num": lambda rng: rng.choice(NUMBER_WORDS),
    "of_total": _of_total,
}


def _word_draw(rng: random.Random, name: str, ctx: Ctx, grade: int) -> str:
    """Draw one placeholder value; judgements are biased by ``grade``."""
    if name in NUMERIC_DRAWS:
        return NUMERIC_DRAWS[name](rng)
    if name == "j":
        return rng.choices(JUDGEMENTS, JUDGEMENT_WEIGHTS[grade])[0]
    if name == "cmp":
        return rng.choices(COMPARISONS, COMPARISON_WEIGHTS[grade])[0]
    if name in SIMPLE_CHOICES:
        return rng.choice(SIMPLE_CHOICES[name])
    fixed = {"short": ctx.short, "year": str(ctx.year), "prev": str(ctx.year - 1)}
    return fixed[name]


# Tagged placeholders (see the module docstring): {NAME:SERVICES[@ROLE]} or {=WORDS:SERVICES[@ROLE]}.
TAGGED = re.compile(r"\{(=[^{}:]+|\w+)(?::([a-z_]+(?:\+[a-z_]+)*)(?:@(all|total))?)?\}")
# What a tagged value says, by its (lower-cased) text: a level, a comparison or a count.
LEVEL_OF = {
    "outstanding": "outstanding",
    "excellent": "outstanding",
    "good": "good",
    "good or better": "good",
    "good or outstanding": "good",
    "satisfactory": "adequate",
    "adequate": "adequate",
    "inadequate": "inadequate",
    "in special measures": "inadequate",  # a school inspection's inadequate category
    "poor": "inadequate",
    "weak": "inadequate",
}
COMPARISON_OF = {
    "above": "above",
    "well above": "above",
    "better than": "above",
    "greater": "above",
    "higher": "above",
    "higher than average": "above",
    "in line with": "in_line",
    "similar to": "in_line",
    "below": "below",
    "weaker than": "below",
    "smaller": "below",
    "lower": "below",
}
COUNT_WORDS = {"no": 0, "none": 0, "one": 1, **{w: k for k, w in enumerate(NUMBER_WORDS, 2)}}
# The services a judgement can be of. fostering: the local authority fostering agency or service;
# nursery_schools: nursery schools and nurseries; childcare: childcare settings; early_years: early
# years provision, provision for very young children; schools: schools in general; the last five: the
# APA outcome areas, where a sentence judges one (an outcome section's or the 2005 letter's own sentence).
SERVICES = (
    "private_fostering fostering adoption childrens_homes nursery_schools primary_schools secondary_schools "
    "special_schools sixth_forms pupil_referral_units childminding childcare early_years serious_case_reviews "
    "youth_offending camhs looked_after_children care_leavers contact_referral_assessment lscb safeguarding "
    "schools being_healthy staying_safe enjoying_achieving positive_contribution economic_wellbeing"
).split()
LEVELS = ("outstanding", "good", "adequate", "inadequate")


class Judged(str):
    """Letter text with the judgements written in it, in the order written (``.judgements``, dicts as
    in a truth's "judgements"). ``+`` and _join keep them; other str methods give a plain str."""

    def __new__(cls, text: str = "", judgements=()):
        self = super().__new__(cls, text)
        self.judgements = tuple(judgements)
        return self

    def __add__(self, other):
        return Judged(str.__add__(self, other), self.judgements + _judgements(other))

    def __radd__(self, other):
        return Judged(str.__add__(other, self), _judgements(other) + self.judgements)


def _judgements(text) -> tuple:
    return getattr(text, "judgements", ())


def _join(sep: str, parts) -> Judged:
    """sep.join(parts), keeping the parts' judgements."""
    parts = list(parts)
    return Judged(sep.join(parts), [j for part in parts for j in _judgements(part)])


def _recase(text: str, upper: bool) -> Judged:
    """The text with its first letter upper- (or lower-) cased, keeping its judgements."""
    first = text[0].upper() if upper else text[0].lower()
    return Judged(first + text[1:], _judgements(text))


def _tag(records: list[dict], services: str, value: str, role: str | None) -> None:
    """Add what one tagged value says to each of its services' records for this sentence. A value
    adds its fields (level, comparison, count or total) to the service's last record, or starts a new
    record (keeping the last one's total) where that record has them set already."""
    low = value.lower()
    if role in ("all", "total"):
        fields = {"total": COUNT_WORDS[low]} | ({"count": COUNT_WORDS[low]} if role == "all" else {})
    elif low in LEVEL_OF:
        fields = {"level": LEVEL_OF[low], "word": value}
    elif low in COMPARISON_OF:
        fields = {"comparison": COMPARISON_OF[low]}
    elif low in COUNT_WORDS:
        fields = {"count": COUNT_WORDS[low], "negated": COUNT_WORDS[low] == 0}
    elif low == "the rest":
        fields = {"count": None}  # the last record's total less its count, below
    elif match := re.fullmatch(r"(\w+) of the (\w+)", low):
        fields = {"count": COUNT_WORDS[match[1]], "total": COUNT_WORDS[match[2]]}
    else:
        raise ValueError(f"tagged value {value!r} is no level, comparison or count")
    for service in services.split("+"):
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r} in a tag")
        last = next((r for r in reversed(records) if r["service"] == service), None)
        record = last
        if record is None or any(record[k] is not None for k in fields if k not in ("word", "negated")):
            record = dict(service=service, level=None, word=None, comparison=None, count=None, negated=False)
            record["total"] = last["total"] if last else None
            records.append(record)
        record.update(fields)
        if low == "the rest":
            record["count"] = record["total"] - last["count"]
        if record["word"] is None and "comparison" in fields:
            record["word"] = value


def _fill(template: str, rng: random.Random, ctx: Ctx, grade: int | None = None, **values: str) -> Judged:
    """Replace each {name} with a fresh draw ({Name} gives a capitalised value), or with values[name]
    where given, and each {=words} with the words; tagged ones also record judgements (see the module
    docstring) in the Judged text returned."""
    grade = ctx.grade if grade is None else grade
    records: list[dict] = []

    def draw(match: re.Match) -> str:
        name, services, role = match.groups()
        if name[0] == "=":
            value = name[1:]
        else:
            value = values[name.lower()] if name.lower() in values else _word_draw(rng, name.lower(), ctx, grade)
            value = value[0].upper() + value[1:] if name[0].isupper() else value
        if services:
            _tag(records, services, value, role)
        return value

    text = TAGGED.sub(draw, template)
    order = ("service", "level", "word", "comparison", "count", "total", "negated")
    return Judged(text, [{k: r[k] for k in order} for r in records])


def _curl(text: str, rng: random.Random, ctx: Ctx) -> str:
    """Turn some in-word apostrophes (children's, council's) into ’."""
    if ctx.curly <= 0:
        return text
    curled = re.sub(r"(?<=[A-Za-z])'(?=[a-z])", lambda m: "\u2019" if rng.random() < ctx.curly else "'", text)
    return Judged(curled, _judgements(text))


def _paragraph(lines: list[str], text: str, blanks: int = 1) -> None:
    """Append a paragraph followed by ``blanks`` blank lines."""
    lines.append(text)
    lines.extend([""] * blanks)


# --------------------------------------------------------------------------
# Council and people names
# --------------------------------------------------------------------------


def _allowed(text: str) -> bool:
    low = text.lower()
    if low in REAL_NAMES or any(f in low for f in SEED_FRAGMENTS):
        return False
    return not any(w in REAL_WORDS for w in re.split(r"[ -]", low))


def _place_word(rng: random.Random) -> str:
    """One invented single-word place name such as 'Ashwold' or 'Kelbury'."""
    while True:
        prefix, suffix = rng.choice(PREFIXES), rng.choice(SUFFIXES)
        word = prefix + suffix
        if prefix[-1] != suffix[0] and _allowed(word):
            return word


def _place_name(rng: random.Random, level: int, county: bool) -> str:
    """A place name; higher levels combine more parts (more distinct names)."""
    word = _place_word(rng)
    if level == 0:
        if county and word.endswith(SHIRE_ENDINGS) and rng.random() < 0.5:
            return word + "shire"
        return word
    if level >= 2:
        base = _place_name(rng, 1, False) if level == 3 else word
        other = _place_word(rng)
        while other == word:
            other = _place_word(rng)
        return base + (" with " if rng.random() < 0.1 else " and ") + other
    form = rng.choices(range(4), [35, 20, 30, 15])[0]
    if form == 0:
        return f"{rng.choice(QUALIFIERS)} {word}"
    if form == 1:
        return f"{word} {rng.choice(TRAILERS)}"
    if form == 2:
        return f"{word}-on-{rng.choice(RIVERS)}"
    return f"{word} upon {rng.choice(RIVERS)}"


def _council_name(rng: random.Random, used: set[str]) -> tuple[str, str]:
    """(full name, short name), unique within ``used`` (short names, lower case)."""
    kind = rng.choices([k for k, _ in COUNCIL_KINDS], [w for _, w in COUNCIL_KINDS])[0]
    county = kind.startswith("{} County")
    level = rng.choices([0, 1, 2], [70, 25, 5])[0]
    while True:
        for _ in range(12):
            short = _place_name(rng, level, county)
            if short.lower() not in used and _allowed(short):
                used.add(short.lower())
                return kind.format(short), short
        level = min(level + 1, 3)


def _person(rng: random.Random) -> tuple[str, str, str]:
    """(title, first name, surname) of a director of children's services."""
    if rng.random() < 0.5:
        title, first = rng.choice(["Mr", "Mr", "Mr", "Dr"]), rng.choice(FIRST_NAMES_M)
    else:
        title, first = rng.choice(["Ms", "Ms", "Mrs", "Dr"]), rng.choice(FIRST_NAMES_F)
    return title, first, rng.choice(SURNAMES)


def _postcode(rng: random.Random, short: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXY"
    area = short[0].upper() + rng.choice(letters) if rng.random() < 0.7 else short[0].upper()
    return f"{area}{rng.randint(1, 29)} {rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"


def _address_lines(rng: random.Random, ctx: Ctx, person: tuple[str, str, str]) -> list[str]:
    """Recipient address block: name, role, council, street lines, town, postcode."""
    title, first, last = person
    lines = [f"{title} {first} {last}", rng.choice(DIRECTOR_ROLES), ctx.council]
    if rng.random() < 0.4:
        lines.append(rng.choice(ADDRESS_FLOORS + [f"PO Box {rng.randint(10, 400)}"]))
    lines.extend(rng.sample(ADDRESS_BUILDINGS, rng.randint(1, 2)))
    if rng.random() < 0.6:
        lines.append(f"{rng.choice(STREET_NAMES)} {rng.choice(STREET_KINDS)}")
    town = ctx.short.split(" and ")[0].split(" with ")[0].removesuffix("shire")
    town = "London" if ctx.council.startswith("London") else town
    lines.append(town)
    if town != "London" and rng.random() < 0.3:
        lines.append(_place_word(rng) + "shire")
    lines.append(_postcode(rng, ctx.short))
    return lines


# --------------------------------------------------------------------------
# Annual rating letters
# --------------------------------------------------------------------------


def _annual_letterhead(rng: random.Random, ctx: Ctx, signatory: str) -> list[str]:
    """Ofsted letterhead as in the seeds: absent, one line, or split in two."""
    email = signatory.lower().replace(" ", ".") + "@ofsted.gov.uk"
    address = "Aviation House 125 Kingsway London WC2B 6SE"
    contact = (
        f"T 08456 40 40 40 enquiries@ofsted.gov.uk www.ofsted.gov.uk "
        f"Direct T 020-7421-{rng.randint(6000, 6999)} "
        f"Direct F 020-7421-{rng.randint(5000, 5999)} {email}"
    )
    style = 1 if ctx.one_line else rng.choices([0, 1, 2], [40, 35, 25])[0]
    if style == 0:
        return ["", ""]
    if style == 1:
        return [f"{address} {contact}"] + [""] * rng.choice([1, 3])
    return [address, "", contact, "", "", ""]


def _annual_header(rng: random.Random, ctx: Ctx, signatory: str) -> list[str]:
    """Letterhead, date, address block, salutation and the first heading."""
    lines = _annual_letterhead(rng, ctx, signatory)
    day = rng.choice([9, 9, 9, 9, 8, 10]) if ctx.year == 2009 else rng.randint(7, 10)
    date = f"{day} December {ctx.year}"
    md = "## " if ctx.markdown else ""
    _paragraph(lines, f"## {date}" if ctx.markdown and rng.random() < 0.3 else date)
    person = _person(rng)
    address = _address_lines(rng, ctx, person)
    if ctx.one_line:
        _paragraph(lines, " ".join(address))
    else:
        lines.extend(address + [""])
    _paragraph(lines, f"Dear {person[0]} {person[2]}")
    _paragraph(lines, f"{md}Children's services annual rating")
    return lines


def _annual_rating_block(rng: random.Random, ctx: Ctx) -> list[str]:
    """Boilerplate, the rating table and the 'perform well' sentence."""
    lines: list[str] = []
    considering = CONSIDERING.replace("rating for 2009", f"rating for {ctx.year}")
    for text in (GUIDANCE, considering, SCALE_INTRO):
        _paragraph(lines, text)
    lines.extend(SCALE_ROWS + [""])
    _paragraph(lines, WITHIN_LEVEL, blanks=rng.choice([1, 1, 3, 3, 5]))
    md = "## " if ctx.markdown else ""
    _paragraph(lines, f"{md}Children's services rating {ctx.year}")
    label = ANNUAL_LABELS[ctx.grade]
    value = label if rng.random() < 0.2 else f"{label} ({ctx.grade})"
    left = "Children's services rating"
    extra = (9, 9) if rng.random() < 0.15 else (2, 2)
    lines.append(f"{left}\t{value}")
    _paragraph(lines, f"{'-' * (len(left) + extra[0])}\t{'-' * (len(value) + extra[1])}")
    _paragraph(lines, f"Children's services in {ctx.council} perform {ANNUAL_ADVERBS[ctx.grade]}.")
    if rng.random() < 0.1:
        _paragraph(lines, " ")
    return lines


def _body_paragraph(rng: random.Random, ctx: Ctx, recipe) -> str:
    sentences = []
    for bank, low, high in recipe:
        for template in rng.sample(bank, rng.randint(low, high)):
            sentences.append(_fill(template, rng, ctx))
    return _curl(_join(" ", sentences), rng, ctx)


def _annual_body(rng: random.Random, ctx: Ctx) -> list[str]:
    """2 to 5 body paragraphs; the settings paragraph always comes first."""
    count = rng.randint(2, 5)
    others = sorted(rng.sample(range(1, len(PARAGRAPH_RECIPES)), count - 1))
    return [_body_paragraph(rng, ctx, PARAGRAPH_RECIPES[k]) for k in [0] + others]


def _annual_signoff(rng: random.Random, ctx: Ctx, signatory: str) -> list[str]:
    role = "Divisional Manager, CAA"
    if ctx.one_line or rng.random() < 0.1:
        first, last = signatory.split()
        if rng.random() < 0.5:  # a mis-read scribble, as in seed 002_
            k = rng.randrange(1, len(last) - 1)
            last = last[:k] + rng.choice("aeinrst") + last[k + 1 :]
        return [f"{first[0]}. {last}", "", f"{signatory} {role}"]
    if rng.random() < 0.5:
        return ["Yours sincerely", "", "", "", signatory, role]
    return ["Yours sincerely", "", signatory, "", role]


def _annual_letter(rng: random.Random, ctx: Ctx) -> str:
    signatory = rng.choice(SIGNATORIES)
    lines = _annual_header(rng, ctx, signatory) + _annual_rating_block(rng, ctx)
    body = _annual_body(rng, ctx)
    size = sum(len(x) + 1 for x in lines) + len(SECTION_138_ANNUAL) + 80
    while size + sum(len(p) + 2 for p in body) > 5900 and len(body) > 2:
        body.pop()
    while size + sum(len(p) + 2 for p in body) < 3100:
        body.append(_body_paragraph(rng, ctx, rng.choice(PARAGRAPH_RECIPES[1:])))
    if ctx.curly and not any("\u2019" in p for p in body):
        extra = _fill(rng.choice(CHILDRENS_SENTENCES), rng, ctx)
        body[0] += " " + Judged(extra.replace("'", "\u2019"), extra.judgements)
    for paragraph in body:
        _paragraph(lines, paragraph)
    _paragraph(lines, SECTION_138_ANNUAL)
    return _join("\n", lines + _annual_signoff(rng, ctx, signatory))


# --------------------------------------------------------------------------
# Annual performance assessment (APA) letters
# --------------------------------------------------------------------------


def _apa_header(rng: random.Random, ctx: Ctx) -> list[str]:
    """Multi-line Ofsted letterhead, date, address block, salutation, title."""
    region, phone = rng.choice(APA_REGIONS)
    lines = [
        "",
        "",
        "Alexandra House",
        "33 Kingsway",
        "London",
        "WC2B 6SE",
        "",
        "T 08456 40 40 40",
        "enquiries@ofsted.gov.uk",
        "www.ofsted.gov.uk",
        "",
        f"Direct T {phone} {rng.randint(8000, 8999)}",
        f"Direct F {phone} {rng.randint(8000, 8999)}",
        f"{region}_apa@ofsted.gov.uk",
        "",
        "",
        "",
    ]
    _paragraph(lines, f"{rng.randint(10, 20)} December {ctx.year}")
    person = _person(rng)
    lines.extend(_address_lines(rng, ctx, person) + [""])
    _paragraph(lines, f"Dear {person[0]} {person[2]}")
    _paragraph(
        lines, f"Annual performance assessment of services for children and young people in {ctx.council} {ctx.year}"
    )
    return lines


def _apa_table(ctx: Ctx, grades: dict[str, int]) -> list[str]:
    """Intro paragraphs, the grade table and the scale note."""
    lines: list[str] = []
    _paragraph(lines, APA_INTRO.format(year=ctx.year, prev=ctx.year - 1))
    _paragraph(lines, APA_SCALE_TEXT, blanks=3)
    _paragraph(lines, f"The following table sets out the grades awarded for performance in {ctx.year}.")
    lines.append("Assessment judgement area\tAPA grade")
    lines.extend(f"{title}\t{grades[key]}" for key, title, _ in APA_AREAS)
    lines.append("")
    lines.extend(APA_SCALE_NOTE + [""])
    return lines


def _apa_bullet_items(rng: random.Random, ctx: Ctx, key: str, grade: int) -> tuple[list, list]:
    """Strength and weakness bullet texts; counts depend on the area grade."""
    strengths, weaknesses = APA_BULLETS[key]
    n_strong = max(2, min(len(strengths), grade + rng.randint(0, 3) + ctx.verbosity))
    n_weak = max(0, min(len(weaknesses), 4 - grade + rng.randint(-1, 1) + ctx.verbosity // 2))
    picked = [_fill(t, rng, ctx, 4) for t in rng.sample(strengths, n_strong)]
    if len(picked) > 3 and rng.random() < 0.4:  # some bullets run two items together
        picked[0:2] = [picked[0] + " " + picked[1]]
    weak = [_fill(t, rng, ctx, 1) for t in rng.sample(weaknesses, n_weak)]
    return [_curl(x, rng, ctx) for x in picked], [_curl(x, rng, ctx) for x in weak]


def _apa_bullets(rng: random.Random, ctx: Ctx, strong: list[str], weak: list[str]) -> list[str]:
    """The two bullet lists, as "- item" lines or as one-line HTML lists (seed 001_)."""
    if ctx.html_bullets and rng.random() < 0.5:
        lines = [STRENGTHS, HTML_UL + _join("", [f" {HTML_BULLET} " + s for s in strong]), WEAKNESSES]
        if weak:
            lines.append(HTML_UL + _join("", [f" {HTML_BULLET} " + w for w in weak]))
        return lines + [""]
    lines = [STRENGTHS, ""] + ([" ", ""] if rng.random() < 0.08 else [])
    lines.extend(["- " + s for s in strong] + ["", WEAKNESSES, ""])
    if weak:
        lines.extend(["- " + w for w in weak] + [""])
    return lines


def _apa_area_section(rng: random.Random, ctx: Ctx, key: str, heading: str, grade: int) -> list[str]:
    """One outcome area: heading, grade, judgement paragraph, bullet lists."""
    lines: list[str] = []
    _paragraph(lines, heading)
    _paragraph(lines, f"Grade {grade}")
    label = APA_LABELS[grade].lower()
    if key == "capacity_to_improve":
        text = (
            f"The council's capacity to improve its services for children and young people "
            f"is {label} and its management of these services is also {label}. "
        )
        text += rng.choice(APA_ANALYSIS) + " " + _fill(CAPACITY_RESPONSE[grade], rng, ctx)
    else:
        text = _fill(APA_ASPECT.replace("AREA", key), rng, ctx, label=label) + " " + rng.choice(APA_ANALYSIS)
        if rng.random() < 0.4:
            text += " " + APA_TABLE_BELOW
    _paragraph(lines, _curl(text, rng, ctx))
    strong, weak = _apa_bullet_items(rng, ctx, key, grade)
    return lines + _apa_bullets(rng, ctx, strong, weak)


def _apa_overall_section(rng: random.Random, ctx: Ctx, grades: dict[str, int]) -> list[str]:
    """Overall effectiveness: grade and two summary paragraphs, no bullets."""
    grade, capacity = grades["overall"], grades["capacity_to_improve"]
    lines: list[str] = []
    heading = APA_AREAS[0][2]
    _paragraph(lines, heading.replace("'", "\u2019") if ctx.curly else heading)
    _paragraph(lines, f"Grade {grade}")
    n_pos = max(1, grade - 1 + rng.randint(0, 3))
    n_neg = max(1, 4 - grade + rng.randint(-1, 0))
    negatives = [_recase(_fill(s, rng, ctx), True) for s in rng.sample(OVERALL_NEGATIVE, n_neg)]
    negatives[0] = "However, " + _recase(negatives[0], False)
    first = [
        f"{ctx.council}'s contribution to outcomes for children and young people is "
        f"{APA_LABELS[grade].lower()} overall."
    ]
    first += rng.sample(OVERALL_POSITIVE, n_pos) + negatives
    _paragraph(lines, _curl(_join(" ", first), rng, ctx))
    second = [
        f"The council has a {TRACK_RECORD[capacity]} track record of securing "
        f"improvements. The management of services is {APA_LABELS[capacity].lower()}, "
        f"as is the capacity of the council to improve them further."
    ]
    picked = rng.sample(MANAGEMENT_SENTENCES, rng.randint(2, len(MANAGEMENT_SENTENCES)))
    second += [_fill(s, rng, ctx, capacity) for s in picked]
    _paragraph(lines, _curl(" ".join(second), rng, ctx))
    return lines


def _apa_grades(rng: random.Random, overall: int) -> dict[str, int]:
    """Area grades scattered around the overall grade (capacity tracks it closely)."""
    grades = {"overall": overall}
    for key, _, _ in APA_AREAS[1:]:
        spread = rng.choices([-1, 0, 1], [20, 60, 20])[0]
        if key == "capacity_to_improve":
            spread = rng.choices([-1, 0, 1], [10, 75, 15])[0]
        grades[key] = max(1, min(4, overall + spread))
    return grades


def _apa_letter(rng: random.Random, ctx: Ctx) -> tuple[str, dict[str, int]]:
    grades = _apa_grades(rng, ctx.grade)
    lines = _apa_header(rng, ctx) + _apa_table(ctx, grades)
    lines += _apa_overall_section(rng, ctx, grades)
    for key, _, heading in APA_AREAS[1:]:
        lines += _apa_area_section(rng, ctx, key, heading, grades[key])
    _paragraph(lines, SECTION_138_APA)
    _paragraph(lines, APA_THANKS)
    lines += ["Yours sincerely", "", "", "", rng.choice(SIGNATORIES), "Divisional Manager, Local Services Inspection"]
    return _join("\n", lines), grades


# --------------------------------------------------------------------------
# The other kinds (the "all" mix): 2005 APA of services, 2010-2011 annual
# assessments, unannounced inspections and other Ofsted letters
# --------------------------------------------------------------------------

# (kind, year, weight): about one letter per council per year for the graded kinds (150
# councils until 2009, 152 after), about 50 unannounced inspections a year, a few other letters.
KIND_YEARS = [
    ("apa_services", 2005, 150),
    ("apa", 2006, 150),
    ("apa", 2007, 150),
    ("apa", 2008, 150),
    ("annual_rating", 2009, 152),
    ("annual_assessment", 2010, 152),
    ("annual_assessment", 2011, 152),
    ("unannounced", 2009, 50),
    ("unannounced", 2010, 50),
    ("unannounced", 2011, 50),
    ("letter", 2007, 5),
    ("letter", 2008, 5),
    ("letter", 2009, 6),
    ("letter", 2010, 7),
    ("letter", 2011, 7),
]
# The letters since 2013 (in "all", not in "2005-2011"): SIF inspections of about 30 councils a
# year, ILACS inspections of about 25, focused and monitoring visits, a few JTAIs.
MODERN_KIND_YEARS = [
    *(("sif", year, 30) for year in range(2014, 2019)),
    *(("ilacs", year, 25) for year in range(2019, 2026)),
    *(("focused_visit", year, 20) for year in range(2019, 2025)),
    *(("monitoring_visit", year, 10) for year in range(2016, 2026)),
    *(("jtai", year, 5) for year in range(2017, 2025)),
]
MIXES = ("all", "2005-2011", "legacy")
SERVICE_LABELS = {
    4: "Delivers well above minimum requirements",
    3: "Consistently delivers above minimum requirements",
    2: "Delivers only minimum requirements",
    1: "Does not deliver minimum requirements",
}
SERVICE_GRADE_WEIGHTS = {4: 12, 3: 55, 2: 28, 1: 5}
ASSESSMENT_GRADE_WEIGHTS = {4: 12, 3: 48, 2: 32, 1: 8}
# The 2005 grade table's rows: (truth key, row title); which rows a letter has varies.
SERVICE_ROWS = {
    "children_services": "The contribution of the {who}'s children's services in maintaining and improving "
    "outcomes for children and young people",
    "education": "The contribution of the {who}'s education services in maintaining and improving outcomes "
    "for children and young people",
    "social_care": "The contribution of the {who}'s social care services in maintaining and improving outcomes "
    "for children and young people",
    "capacity_to_improve": "The council's overall capacity to improve its services for children and young people",
}
SERVICE_ROW_SETS = [  # (rows, weight)
    (("children_services", "education", "social_care", "capacity_to_improve"), 50),
    (("children_services", "capacity_to_improve"), 25),
    (("education", "social_care", "capacity_to_improve"), 25),
]
SERVICE_DESCRIPTORS = [
    "4\tA service that delivers well above minimum requirements for users",
    "3\tA service that consistently delivers above minimum requirements for users",
    "2\tA service that delivers only minimum requirements for users",
    "1\tA service that does not deliver minimum requirements for users",
]
SERVICE_INTRO = (
    "This letter summarises the findings of the 2005 annual performance assessment (APA) of your council's "
    "{what} services. The assessment was made by Ofsted and the Commission for Social Care Inspection. It "
    "draws on the council's self-assessment, the data and information held by both inspectorates and "
    "discussions with officers, and covers the period 1 April 2004 to 31 March 2005."
)
SERVICE_OUTCOMES = [  # (heading, APA_BULLETS key, judgement sentence)
    (
        "Being healthy",
        "being_healthy",
        "The council's contribution to improving the health of children and young people is {label:being_healthy}.",
    ),
    (
        "Staying safe",
        "staying_safe",
        "Arrangements to safeguard children and young people are {label:safeguarding}.",
    ),
    (
        "Enjoying and achieving",
        "enjoying_achieving",
        "The contribution of services to helping children and young people enjoy their education and achieve "
        "well is {label:enjoying_achieving}.",
    ),
    (
        "Making a positive contribution",
        "positive_contribution",
        "Children and young people are given {label:positive_contribution} opportunities to make a positive "
        "contribution.",
    ),
    (
        "Achieving economic well-being",
        "economic_wellbeing",
        "The contribution of services to helping young people achieve economic well-being is "
        "{label:economic_wellbeing}.",
    ),
]
SERVICE_MANAGEMENT = (
    "The council's management of its services for children and young people is {label}. {track} "
    "The council knows its strengths and weaknesses well and its plans are {plans}."
)
CSCI_ROLES = [
    "Chief Inspector, Commission for Social Care Inspection",
    "Director of Inspection, Commission for Social Care Inspection",
]

ASSESSMENT_GUIDANCE = {
    2010: (
        "Ofsted guidance published in July 2010 explains that the annual assessment of children's services is "
        "derived from the performance profile of the quality of services and outcomes for children and young "
        "people in each local area. This performance profile includes findings from across Ofsted's inspection "
        "and regulation of services and settings for which the council has strategic or operational "
        "responsibilities, either alone or in partnership with others, together with data from the relevant "
        "indicators in the National Indicator Set (NIS)."
    ),
    2011: (
        "Ofsted guidance published in April 2011 explains that the annual assessment of children's services is "
        "derived from the performance profile of the quality of services and outcomes for children and young "
        "people in each local area. This performance profile includes findings from across Ofsted's inspection "
        "and regulation of services and settings for which the council has strategic or operational "
        "responsibilities, either alone or in partnership with others, together with data from the relevant "
        "indicators in the National Indicator Set (NIS) that were still collected in 2011."
    ),
}
ASSESSMENT_SCALE_INTRO = "Children's services are assessed on a four point scale:"
ASSESSMENT_LETTERHEADS = [
    [
        "Alexandra House",
        "33 Kingsway",
        "London",
        "WC2B 6SE",
        "",
        "T 0300 123 1231",
        "enquiries@ofsted.gov.uk",
        "www.ofsted.gov.uk",
    ],
    ["Piccadilly Gate", "Store Street", "Manchester", "M1 2WD", "", "T 0300 123 1231", "www.ofsted.gov.uk"],
    [
        "Aviation House",
        "125 Kingsway",
        "London",
        "WC2B 6SE",
        "",
        "T 0300 123 1231",
        "textphone 0161 618 8524",
        "enquiries@ofsted.gov.uk",
        "www.ofsted.gov.uk",
    ],
]
ASSESSMENT_SIGNOFFS = [
    ("Juliet Winstanley", "Divisional Manager, Children's Services Assessment"),
    ("John Goldup", "Deputy Chief Inspector"),
    ("Margaret Holloway", "Divisional Manager, Children's Services Assessment"),
]
ASSESSMENT_DEVELOPMENT = [
    "Raise attainment at the age of 16, particularly for pupils eligible for free school meals.",
    "Reduce the number of secondary schools judged {=satisfactory:secondary_schools}.",
    "Improve the timeliness of initial assessments in children's social care.",
    "Reduce the proportion of young people aged 16 to 18 who are not in education, employment or training.",
    "Improve the quality of the council's fostering agency, judged {=adequate:fostering} at its last inspection.",
    "Increase the proportion of looked after children who have an annual health assessment.",
    "Reduce persistent absence from secondary schools.",
    "Improve the stability of placements for looked after children.",
    "Ensure that all children's homes are at least good.",
    "Narrow the gap in attainment between children with special educational needs and their peers.",
]

UNANNOUNCED_TITLE = (
    "Unannounced inspection of contact, referral and assessment arrangements within {council} children's services"
)
UNANNOUNCED_INTRO = (
    "This letter summarises the findings of the unannounced inspection of contact, referral and assessment "
    "arrangements within {council} children's services {done} {dates}. The inspection was carried out under "
    "section 138 of the Education and Inspections Act 2006."
)
UNANNOUNCED_METHOD = [
    "The inspection sampled a range of cases, including referrals and assessments, and spoke to social workers, "
    "managers and partner agencies.",
    "Inspectors looked at {num} case files, observed the work of the duty and assessment teams and met "
    "representatives of the police, health services and schools.",
    "The inspection considered the quality of initial and core assessments, the response to referrals out of "
    "hours and the management oversight of decisions.",
]
UNANNOUNCED_STRENGTHS = [
    "Referrals are screened promptly by qualified social workers and decisions are recorded clearly.",
    "Partner agencies report good access to advice from the duty team.",
    "Thresholds for access to children's social care are understood and applied consistently.",
    "Managers are visible and accessible, and staff morale is high.",
    "Caseloads are manageable and all cases are allocated to a qualified social worker.",
    "Strategy discussions with the police are held promptly and are well recorded.",
    "The out of hours service responds quickly and passes information to day teams the next morning.",
    "Social workers have access to regular, good quality supervision.",
    "The electronic recording system supports timely and accurate case recording.",
    "Children are seen and, where appropriate, seen alone during assessments.",
]
UNANNOUNCED_DEVELOPMENT = [
    "Initial assessments do not always record the views of the child.",
    "Supervision of newly qualified social workers is not recorded consistently.",
    "The analysis of risk in some core assessments is not sufficiently thorough.",
    "Feedback to referring agencies on the outcome of their referral is inconsistent.",
    "Chronologies are not routinely used to inform assessments.",
    "The ethnicity and religion of children are not always recorded.",
    "Some assessments are completed outside the required timescales.",
    "Plans arising from assessments are not always specific or measurable.",
]
UNANNOUNCED_PRIORITY = [
    "Ensure that all children who are the subject of a child protection enquiry are seen by a social worker "
    "within the agreed timescale.",
    "Ensure that all referrals are allocated to a qualified social worker without delay.",
    "Ensure that managers record their decisions and the reasons for them on every case file.",
]
UNANNOUNCED_CLOSE = "Any areas for priority action will be considered at the annual assessment of children's services."
UNANNOUNCED_OFFICES = [
    ["Royal Exchange Buildings", "St Ann's Square", "Manchester", "M2 7LA"],
    ["Alexandra House", "33 Kingsway", "London", "WC2B 6SE"],
    ["Piccadilly Gate", "Store Street", "Manchester", "M1 2WD"],
    ["Cannon House", "18 The Priory Queensway", "Birmingham", "B4 6BS"],
]

# Other Ofsted letters (no kind of their own): (heading, opening, paragraph templates).
GENERIC_LETTERS = [
    (
        "Monitoring visit to the youth offending service",
        "Thank you for the help your staff gave during the monitoring visit on {dates}.",
        [
            "Progress since the last visit is {progress}. The service has improved the timeliness of its "
            "pre-sentence reports, and most young people now have a plan agreed within ten working days.",
            "Management oversight of cases has been strengthened, although the quality of risk assessments "
            "still varies between teams.",
        ],
    ),
    (
        "Monitoring visit of the local authority adoption agency",
        "I am writing to confirm the findings of the monitoring visit to the adoption agency on {dates}.",
        [
            "The agency has made {progress} progress against the recommendations of its last inspection. "
            "Matching panels are now quorate and their minutes record the reasons for each decision.",
            "Prospective adopters who spoke to inspectors valued the preparation groups and the support they "
            "receive after a child is placed.",
        ],
    ),
    (
        "Monitoring visit of the local authority fostering agency",
        "Thank you for your cooperation during the monitoring visit to the fostering agency on {dates}.",
        [
            "Progress since the inspection is {progress}. All foster carers now have an allocated supervising "
            "social worker and annual reviews are up to date.",
            "The agency should continue to improve the recruitment of carers for sibling groups and for older "
            "children.",
        ],
    ),
    (
        "Survey visit: the education of looked after children",
        "Thank you for your help during my visit on {dates} with two HMI colleagues, as part of a national "
        "survey of the education of children in care.",
        [
            "The virtual school head knows each child well and tracks their progress closely. Personal education "
            "plans are completed for nearly all children, but the targets in them are not always specific.",
            "The findings of this visit will contribute to Ofsted's national report; your authority will not be "
            "named in it.",
        ],
    ),
]
GENERIC_PROGRESS = ["satisfactory", "good", "inadequate", "good"]
GENERIC_ROLES = ["HMI, Ofsted", "Her Majesty's Inspector", "Regulatory Inspection Manager, Ofsted"]
# A generic letter names its council only in the address block: a line of capitalised words ending
# "Council" (index/letters.py's _ADDRESS_COUNCIL). "London Borough of X" and "X with Y ... Council" are not.
ADDRESS_COUNCIL = re.compile(r"(?:[A-Z][\w'-]*[ \t]+(?:(?:of|upon|and|the)[ \t]+)?){1,6}Council")


def _kind_ctx(rng: random.Random, used: set[str], kind: str, year: int, encoding: str) -> Ctx:
    """Draw the council, grade and layout options of one letter of the "all" mix."""
    council, short = _council_name(rng, used)
    while kind == "letter" and not ADDRESS_COUNCIL.fullmatch(council):
        council, short = _council_name(rng, used)  # the name stays used: harmless
    weights = {
        "apa_services": SERVICE_GRADE_WEIGHTS,
        "apa": APA_GRADE_WEIGHTS,
        "annual_rating": ANNUAL_GRADE_WEIGHTS,
        "annual_assessment": ASSESSMENT_GRADE_WEIGHTS,
        "sif": INSPECTION_GRADE_WEIGHTS,
        "ilacs": INSPECTION_GRADE_WEIGHTS,
    }.get(kind, ASSESSMENT_GRADE_WEIGHTS)
    grade = rng.choices(list(weights), list(weights.values()))[0]  # ungraded kinds: biases the prose only
    curly = _curly(rng, encoding)
    return Ctx(
        council=council,
        short=short,
        year=year,
        grade=grade,
        curly=curly,
        html_bullets=kind == "apa" and encoding == "utf-8" and rng.random() < 0.3,
        markdown=kind == "annual_rating" and rng.random() < 0.4,
        one_line=kind == "annual_rating" and rng.random() < 0.2,
        verbosity=rng.randint(0, 3) if kind == "apa" else 0,
    )


def _curly(rng: random.Random, encoding: str) -> float:
    """The share of curly quotes: Windows-1252 letters are mostly curly, UTF-8 ones mostly straight."""
    if encoding == "cp1252":
        return 0.85
    return rng.choice([0.3, 0.6]) if rng.random() < 0.3 else 0.0


def _near(rng: random.Random, grade: int, weights=(20, 60, 20)) -> int:
    return max(1, min(4, grade + rng.choices([-1, 0, 1], weights)[0]))


def _dates(rng: random.Random, year: int, months: range) -> tuple[str, int]:
    """A two-day visit ("2 and 3 March 2010") in one of `months` (1-12); also its month."""
    month = rng.choice(months)
    day = rng.randint(1, 27)
    return f"{day} and {day + 1} {MONTHS[month - 1]} {year}", month


def _later_date(rng: random.Random, year: int, month: int) -> str:
    """A date some weeks after a visit in `month`, in the same year (the visits end by November)."""
    month = min(12, month + 1)
    return f"{rng.randint(1, 28)} {MONTHS[month - 1]} {year}"


def _addressed(rng: random.Random, ctx: Ctx) -> list[str]:
    """The recipient's address block and the salutation."""
    person = _person(rng)
    lines = _address_lines(rng, ctx, person) + [""]
    _paragraph(lines, f"Dear {person[0]} {person[2]}")
    return lines


def _bullets(items: list[str]) -> list[str]:
    return ["- " + item for item in items] + [""]


def _apa_services_letter(rng: random.Random, ctx: Ctx) -> tuple[str, list[tuple[str, int]]]:
    """The 2005 APA of services (tests/fixtures/kinds/2005-apa-eastmere.txt): outcome sections, key
    strengths and areas for development, the summary table of grades and the grade descriptors."""
    rows = rng.choices([r for r, _ in SERVICE_ROW_SETS], [w for _, w in SERVICE_ROW_SETS])[0]
    grades = {key: _near(rng, ctx.grade, (15, 70, 15)) for key in rows}
    if "children_services" in grades:
        grades["children_services"] = ctx.grade
    what = rng.choice(["education and children's social care", "children's"])
    lines = [
        "Ofsted",
        "Alexandra House",
        "33 Kingsway",
        "London WC2B 6SE",
        "",
        "Commission for Social Care Inspection",
        "",
    ]
    _paragraph(lines, f"{rng.randint(14, 30)} November 2005")
    lines += _addressed(rng, ctx)
    _paragraph(lines, f"2005 annual performance assessment of {ctx.council}'s {what} services")
    _paragraph(lines, SERVICE_INTRO.format(what=what))
    strengths, weaknesses = [], []
    for heading, key, judgement in SERVICE_OUTCOMES:
        grade = _near(rng, ctx.grade)
        good, weak = APA_BULLETS[key]
        text = [_fill(judgement, rng, ctx, grade, label=JUDGEMENTS[4 - grade])]
        text += [_fill(t, rng, ctx, grade) for t in rng.sample(good, rng.randint(1, 2))]
        if grade <= 3:
            text += [_fill(t, rng, ctx, grade) for t in rng.sample(weak, rng.randint(0, 2))]
        _paragraph(lines, heading)
        _paragraph(lines, _curl(_join(" ", text), rng, ctx))
        strengths.append(_fill(rng.choice(good), rng, ctx, 4))
        weaknesses.append(_fill(rng.choice(weak), rng, ctx, 1))
    capacity = grades["capacity_to_improve"]
    _paragraph(lines, "Service management")
    track = TRACK_RECORD[capacity].capitalize()
    _paragraph(
        lines,
        _curl(
            SERVICE_MANAGEMENT.format(
                label=JUDGEMENTS[4 - capacity],
                track=f"{track} progress has been made since the last review.",
                plans=rng.choice(["well focused", "realistic", "not yet precise enough"]),
            ),
            rng,
            ctx,
        ),
    )
    _paragraph(lines, "Key strengths")
    lines += _bullets([_curl(s, rng, ctx) for s in rng.sample(strengths, rng.randint(2, 4))])
    _paragraph(lines, "Key areas for development")
    lines += _bullets([_curl(w, rng, ctx) for w in rng.sample(weaknesses, rng.randint(1, 3))])
    _paragraph(lines, "Summary table of grades")
    who = rng.choice(["local authority", "local authority", "council"])
    lines.append("Areas for judgement\tGrade awarded")
    lines.extend(f"{SERVICE_ROWS[key].format(who=who)}\t{grades[key]}" for key in rows)
    lines.append("")
    _paragraph(lines, "Grade descriptors")
    lines.extend(SERVICE_DESCRIPTORS + [""])
    first, last = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M), rng.choice(SURNAMES)
    lines += [
        "Yours sincerely",
        "",
        rng.choice(SIGNATORIES),
        "Divisional Manager, Ofsted",
        "",
        f"{first} {last}",
        rng.choice(CSCI_ROLES),
    ]
    return _join("\n", lines), [(key, grades[key]) for key in SERVICE_ROWS if key in grades]


def _assessment_letter(rng: random.Random, ctx: Ctx) -> str:
    """The 2010-2011 annual children's services assessment (tests/fixtures/kinds/2010-assessment-northwold.txt
    and 2011-assessment-westbridge.txt): guidance, scale table, the row and the sentence, findings, a list."""
    lines = list(rng.choice(ASSESSMENT_LETTERHEADS)) + [""]
    _paragraph(lines, f"{rng.randint(7, 10)} {'December' if ctx.year == 2010 else 'November'} {ctx.year}")
    lines += _addressed(rng, ctx)
    _paragraph(lines, "Annual children's services assessment")
    _paragraph(lines, ASSESSMENT_GUIDANCE[ctx.year])
    if ctx.year == 2010 or rng.random() < 0.5:
        _paragraph(lines, ASSESSMENT_SCALE_INTRO)
        lines.extend(SCALE_ROWS + [""])
        if rng.random() < 0.5:
            _paragraph(lines, WITHIN_LEVEL)
    _paragraph(lines, f"{ctx.council} children's services assessment {ctx.year}")
    label = ANNUAL_LABELS[ctx.grade]
    value = label if rng.random() < 0.2 else f"{label} ({ctx.grade})"
    left = "Overall effectiveness\t" if rng.random() < 0.5 else ""
    _paragraph(lines, f"{left}Children's services assessment\t{value}")
    _paragraph(lines, f"Children's services in {ctx.council} perform {ANNUAL_ADVERBS[ctx.grade]}.")
    for paragraph in _annual_body(rng, ctx)[:4]:
        _paragraph(lines, paragraph)
    _paragraph(lines, "Key areas for further development")
    items = rng.sample(ASSESSMENT_DEVELOPMENT, max(1, min(5, 5 - ctx.grade + rng.randint(-1, 1))))
    lines += _bullets([_curl(_fill(item, rng, ctx), rng, ctx) for item in items])
    name, role = rng.choice(ASSESSMENT_SIGNOFFS)
    return _join("\n", lines + ["Yours sincerely", "", name, role])


def _unannounced_letter(rng: random.Random, ctx: Ctx) -> str:
    """An unannounced inspection of contact, referral and assessment (tests/fixtures/kinds/
    2010-unannounced-harrowby.txt): no grade; strengths, areas for development, priority actions."""
    dates, month = _dates(rng, ctx.year, range(6, 12) if ctx.year == 2009 else range(1, 12))
    # The title's council runs up to "children's services"; a name ending in "s" takes an apostrophe,
    # or the parser reads "London Borough of Ashwold Downs children's" as "... Down" (+ "s").
    council = f"{ctx.council}'" if ctx.council.endswith("s") else ctx.council
    lines = ["Ofsted"] if rng.random() < 0.6 else []
    lines += rng.choice(UNANNOUNCED_OFFICES) + [""]
    _paragraph(lines, _later_date(rng, ctx.year, month))
    lines += _addressed(rng, ctx)
    _paragraph(lines, UNANNOUNCED_TITLE.format(council=council))
    done = rng.choice(["undertaken on", "carried out on", "conducted on"])
    _paragraph(lines, UNANNOUNCED_INTRO.format(council=council, done=done, dates=dates))
    _paragraph(lines, _fill(rng.choice(UNANNOUNCED_METHOD), rng, ctx))
    _paragraph(lines, rng.choice(["Strengths", "Areas of strength"]))
    lines += _bullets([_curl(s, rng, ctx) for s in rng.sample(UNANNOUNCED_STRENGTHS, rng.randint(2, 5))])
    _paragraph(lines, "Areas for development")
    lines += _bullets(rng.sample(UNANNOUNCED_DEVELOPMENT, rng.randint(1, 4)))
    if ctx.grade <= 2 and rng.random() < 0.6:
        _paragraph(lines, "Areas for priority action")
        lines += _bullets(rng.sample(UNANNOUNCED_PRIORITY, rng.randint(1, 2)))
    _paragraph(lines, UNANNOUNCED_CLOSE)
    first, last = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M), rng.choice(SURNAMES)
    return "\n".join(lines + ["Yours sincerely", "", f"{first} {last}", "HMI"])


def _generic_letter(rng: random.Random, ctx: Ctx) -> str:
    """Another Ofsted letter (tests/fixtures/kinds/2009-letter-kellingford.txt): a monitoring or survey visit."""
    heading, opening, paragraphs = rng.choice(GENERIC_LETTERS)
    dates, month = _dates(rng, ctx.year, range(1, 12))
    lines = ["Ofsted", *rng.choice(UNANNOUNCED_OFFICES), ""]
    _paragraph(lines, _later_date(rng, ctx.year, month))
    lines += _addressed(rng, ctx)
    _paragraph(lines, heading)
    _paragraph(lines, opening.format(dates=dates))
    progress = rng.choice(GENERIC_PROGRESS)
    for paragraph in paragraphs:
        _paragraph(lines, _curl(paragraph.format(progress=progress), rng, ctx))
    first, last = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M), rng.choice(SURNAMES)
    return "\n".join(lines + ["Yours sincerely", "", f"{first} {last}", rng.choice(GENERIC_ROLES)])


def _any_letter(rng: random.Random, used: set[str], encoding: str,
                kind_years=KIND_YEARS) -> tuple[Ctx, str, str, list[dict]]:
    """One letter of the "all" (or "2005-2011") mix: (ctx, kind, text, expected ratings)."""
    kind, year, _ = rng.choices(kind_years, [w for _, _, w in kind_years])[0]
    ctx = _kind_ctx(rng, used, kind, year, encoding)
    if kind in MODERN_LETTERS:
        text, ratings = MODERN_LETTERS[kind](rng, ctx)
    elif kind == "apa_services":
        text, grades = _apa_services_letter(rng, ctx)
        ratings = [{"area": key, "label": SERVICE_LABELS[grade], "grade": grade} for key, grade in grades]
    elif kind == "apa":
        text, apa_grades = _apa_letter(rng, ctx)
        ratings = [
            {"area": key, "label": APA_LABELS[apa_grades[key]], "grade": apa_grades[key]} for key, _, _ in APA_AREAS
        ]
    elif kind in ("annual_rating", "annual_assessment"):
        text = (_annual_letter if kind == "annual_rating" else _assessment_letter)(rng, ctx)
        ratings = [{"area": "overall", "label": ANNUAL_LABELS[ctx.grade], "grade": ctx.grade}]
    else:
        text = (_unannounced_letter if kind == "unannounced" else _generic_letter)(rng, ctx)
        ratings = []
    return ctx, kind, text, ratings


# --------------------------------------------------------------------------
# The letters since 2013: SIF and ILACS inspections, focused and monitoring visits, JTAIs
# (tests/fixtures/kinds/2015-sif-southvale.txt ... 2018-jtai-westbridge.txt). Their prose uses no
# level word and no comparison: the only judgements are the graded rows, recorded with the truth.
# --------------------------------------------------------------------------

INSPECTION_LABELS = {4: "Outstanding", 3: "Good", 2: "Requires improvement to be good", 1: "Inadequate"}
INSPECTION_GRADE_WEIGHTS = {4: 10, 3: 45, 2: 33, 1: 12}
# (area key, the row's title, the services its grade judges)
SIF_ROWS = [
    ("help_and_protection", "Children who need help and protection", ("safeguarding",)),
    ("children_in_care", "Children looked after and achieving permanence", ("looked_after_children",)),
    ("adoption", "Adoption performance", ("adoption",)),
    ("care_leavers", "Experiences and progress of care leavers", ("care_leavers",)),
    ("leadership", "Leadership, management and governance", ()),
]
SIF_LSCB = ("lscb", "Review of the effectiveness of the Local Safeguarding Children Board", ("lscb",))
ILACS_ROWS = [
    ("leaders_impact", "The impact of leaders on social work practice with children and families", ()),
    ("help_and_protection", "The experiences and progress of children who need help and protection",
     ("safeguarding",)),
]
ILACS_CARE_JOINED = [("children_in_care", "The experiences and progress of children in care and care leavers",
                      ("looked_after_children", "care_leavers"))]  # 2018-2022
ILACS_CARE_SPLIT = [  # from 2023
    ("children_in_care", "The experiences and progress of children in care", ("looked_after_children",)),
    ("care_leavers", "The experiences and progress of care leavers", ("care_leavers",)),
]
MODERN_FINDINGS = [
    "Social workers know the children they work with and visit them regularly.",
    "Strategy meetings are held promptly and include the police and health partners.",
    "Too many assessments take longer than the timescale set for them.",
    "Managers track the progress of every plan, and the reasons for decisions are recorded.",
    "Children who go missing from home are offered a return home interview, but too few take it up.",
    "Caseloads have fallen since the last visit, and most social workers hold fewer than 20 children.",
    "Written plans do not always say what needs to change and by when.",
    "Personal advisers keep in touch with most care leavers and help them find somewhere to live.",
    "The front door screens referrals within one working day.",
    "Leaders have recruited more permanent social workers, and fewer agency staff are used.",
    "Children in care are helped to keep in touch with their brothers and sisters.",
    "Disabled children wait too long for an assessment of their needs.",
]
MODERN_IMPROVE = [
    "The quality and timeliness of return home interviews for children who go missing.",
    "The consistency of management oversight of casework.",
    "The recording of the views of children in their assessments and plans.",
    "The help offered to care leavers to find suitable accommodation.",
    "The timeliness of initial child protection conferences.",
    "The use of chronologies to inform assessments of risk.",
]
JTAI_THEMES = ["children living with domestic abuse", "child sexual exploitation and children missing from home",
               "children's mental health", "child criminal exploitation", "neglect"]
JTAI_SIGNATORIES = ["Yvette Stanley\nNational Director, Social Care, Ofsted", "Eleanor Schooling\nNational Director, "
                    "Social Care, Ofsted"]


def _graded_rows(rng: random.Random, rows, overall: int) -> tuple[dict[str, int], list]:
    grades = {key: _near(rng, overall) for key, _, _ in rows}
    return grades, [(key, title, services, grades[key]) for key, title, services in rows]


INSPECTION_LEVELS = {"Outstanding": "outstanding", "Good": "good", "Requires improvement to be good": "adequate",
                     "Requires improvement": "adequate", "Inadequate": "inadequate"}


def _row_judgements(title: str, label: str, services: tuple[str, ...]) -> Judged:
    """A judgement table's row, with a judgement of each service its grade judges (index/kinds' Area.services)."""
    level = INSPECTION_LEVELS[label]
    return Judged(f"{title}\t{label}", [dict(service=s, level=level, word=label, comparison=None, count=None,
                                              total=None, negated=False) for s in services])


def _sif_letter(rng: random.Random, ctx: Ctx) -> tuple[str, list[dict]]:
    """A SIF inspection report (tests/fixtures/kinds/2015-sif-southvale.txt): the council's name, the
    framework's title, the overall sentence, the judgement table (numbered rows, SIF's "Requires
    improvement"), then the summary, the areas for improvement and a section or two."""
    overall = ctx.grade
    grades, rows = _graded_rows(rng, SIF_ROWS, overall)
    lscb = rng.random() < 0.7
    month = rng.randint(1, 10)
    lines = [ctx.council, ""]
    _paragraph(lines, "Inspection of services for children in need of help and protection, children looked after "
                      "and care leavers")
    if lscb:
        _paragraph(lines, "and")
        _paragraph(lines, SIF_LSCB[1])
    _paragraph(lines, f"Inspection date: {rng.randint(1, 5)} {MONTHS[month - 1]} {ctx.year} to "
                      f"{rng.randint(20, 28)} {MONTHS[month - 1]} {ctx.year}")
    _paragraph(lines, f"Report published: {rng.randint(1, 28)} {MONTHS[month]} {ctx.year}")
    said = {4: "are outstanding", 3: "are good", 2: "require improvement to be good", 1: "are inadequate"}[overall]
    _paragraph(lines, f"Children's services in {ctx.short} {said}.")
    _paragraph(lines, "Judgement table")
    table = Judged("")
    for n, (key, title, services, grade) in zip(("1.", "2.", "2.1", "2.2", "3."), rows):
        label = INSPECTION_LABELS[grade].replace(" to be good", "")
        table = table + _row_judgements(f"{n} {title}", label, services) + "\n"
    ratings = [{"area": "overall", "label": INSPECTION_LABELS[overall], "grade": overall}]
    ratings += [{"area": key, "label": INSPECTION_LABELS[grade], "grade": grade} for key, _, _, grade in rows]
    lines += [Judged(str(table)[:-1], _judgements(table)), ""]
    if lscb:
        grade = _near(rng, overall)
        _paragraph(lines, _row_judgements(SIF_LSCB[1], INSPECTION_LABELS[grade].replace(" to be good", ""),
                                          SIF_LSCB[2]))
        ratings.append({"area": "lscb", "label": INSPECTION_LABELS[grade], "grade": grade})
    _paragraph(lines, "Summary")
    _paragraph(lines, " ".join(rng.sample(MODERN_FINDINGS, 3)))
    _paragraph(lines, "What does the local authority need to improve?")
    _paragraph(lines, "Areas for improvement")
    lines += _bullets(rng.sample(MODERN_IMPROVE, rng.randint(2, 4)))
    _paragraph(lines, "Leadership, management and governance")
    _paragraph(lines, " ".join(rng.sample(MODERN_FINDINGS, 2)))
    text = _join("\n", lines)
    return Judged(text.rstrip("\n"), _judgements(text)), ratings


def _ilacs_letter(rng: random.Random, ctx: Ctx) -> tuple[str, list[dict]]:
    """An ILACS inspection report (tests/fixtures/kinds/2019-ilacs-southvale.txt, 2023-ilacs-eastmere.txt):
    the title, the dates, the judgement table (children in care and care leavers in one row until
    2022, a row each from 2023), what needs to improve and a section per judgement."""
    overall = ctx.grade
    care = ILACS_CARE_SPLIT if ctx.year >= 2023 else ILACS_CARE_JOINED
    grades, rows = _graded_rows(rng, ILACS_ROWS + care, overall)
    month = rng.randint(1, 10)
    lines: list = []
    _paragraph(lines, f"Inspection of {ctx.short} local authority children's services")
    _paragraph(lines, f"Inspection dates: {rng.randint(1, 9)} {MONTHS[month - 1]} {ctx.year} to "
                      f"{rng.randint(12, 26)} {MONTHS[month - 1]} {ctx.year}")
    first, last = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M), rng.choice(SURNAMES)
    majesty = "His" if ctx.year >= 2023 else "Her"
    _paragraph(lines, f"Lead inspector: {first} {last}, {majesty} Majesty's Inspector")
    table = Judged("Judgement\tGrade\n")
    for key, title, services, grade in rows:
        table = table + _row_judgements(title, INSPECTION_LABELS[grade], services) + "\n"
    table = table + f"Overall effectiveness\t{INSPECTION_LABELS[overall]}"
    lines += [table, ""]
    order = [key for key, *_ in ILACS_ROWS + care]
    ratings = [{"area": "overall", "label": INSPECTION_LABELS[overall], "grade": overall}]
    ratings += [{"area": key, "label": INSPECTION_LABELS[grades[key]], "grade": grades[key]}
                for key in ("leaders_impact", "help_and_protection", "children_in_care", "care_leavers")
                if key in order]
    _paragraph(lines, " ".join(rng.sample(MODERN_FINDINGS, 2)))
    _paragraph(lines, "What needs to improve in this local authority?")
    lines += _bullets(rng.sample(MODERN_IMPROVE, rng.randint(2, 4)))
    for key, title, _, grade in rows[1:]:
        _paragraph(lines, f"{title}: {INSPECTION_LABELS[grade].lower()}")
        _paragraph(lines, " ".join(rng.sample(MODERN_FINDINGS, 2)))
    text = _join("\n", lines)
    return Judged(text.rstrip("\n"), _judgements(text)), ratings


def _visit_letter(rng: random.Random, ctx: Ctx, visit: str) -> str:
    """A focused or monitoring visit letter (tests/fixtures/kinds/2019-focused-visit-northwold.txt,
    2016-monitoring-visit-southvale.txt): no grade; findings and what needs to improve."""
    dates, month = _dates(rng, ctx.year, range(1, 12))
    lines = ["Ofsted", *rng.choice(UNANNOUNCED_OFFICES), ""]
    _paragraph(lines, _later_date(rng, ctx.year, month))
    lines += _addressed(rng, ctx)
    _paragraph(lines, f"{visit} to {ctx.short} children's services")
    intro = f"This letter summarises the findings of the {visit.lower()} to {ctx.short} children's services on {dates}."
    if visit == "Monitoring visit":
        nth = rng.choice(["first", "second", "third", "fourth", "fifth"])
        intro += (f" The visit was the {nth} monitoring visit since the local authority was judged inadequate in "
                  f"{MONTHS[rng.randint(0, 11)]} {ctx.year - 1}.")
    _paragraph(lines, intro)
    if visit == "Focused visit":
        _paragraph(lines, "Headline findings")
        _paragraph(lines, " ".join(rng.sample(MODERN_FINDINGS, 2)))
        _paragraph(lines, "What needs to improve in this area of social work practice")
        lines += _bullets(rng.sample(MODERN_IMPROVE, rng.randint(1, 3)))
        _paragraph(lines, "Main findings")
    else:
        _paragraph(lines, "Overview")
        _paragraph(lines, " ".join(rng.sample(MODERN_FINDINGS, 2)))
        _paragraph(lines, "Findings and evaluation of progress")
    _paragraph(lines, " ".join(rng.sample(MODERN_FINDINGS, 3)))
    if visit == "Monitoring visit":
        _paragraph(lines, "Areas for priority action")
        lines += _bullets(rng.sample(MODERN_IMPROVE, rng.randint(1, 2)))
    _paragraph(lines, f"Ofsted will take the findings from this {visit.lower()} into account at your next "
                      f"{'inspection' if visit == 'Focused visit' else 'monitoring visit'}.")
    first, last = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M), rng.choice(SURNAMES)
    return "\n".join(lines + ["Yours sincerely", "", f"{first} {last}", "Her Majesty's Inspector"])


def _jtai_letter(rng: random.Random, ctx: Ctx) -> str:
    """A joint targeted area inspection letter (tests/fixtures/kinds/2018-jtai-westbridge.txt): no grade."""
    dates, month = _dates(rng, ctx.year, range(1, 12))
    theme = rng.choice(JTAI_THEMES)
    lines = ["Ofsted", *rng.choice(UNANNOUNCED_OFFICES), ""]
    _paragraph(lines, _later_date(rng, ctx.year, month))
    lines += _addressed(rng, ctx)
    _paragraph(lines, f"Joint targeted area inspection of the multi-agency response to {theme} in {ctx.short}")
    _paragraph(lines, f"Between {dates.replace(' and ', ' and ', 1)}, Ofsted, the Care Quality Commission (CQC), "
                      "Her Majesty's Inspectorate of Constabulary and Fire and Rescue Services (HMICFRS) and Her "
                      f"Majesty's Inspectorate of Probation (HMI Probation) undertook a joint inspection of the "
                      f"multi-agency response to {theme} in {ctx.short}.")
    _paragraph(lines, "Context")
    _paragraph(lines, rng.choice(MODERN_FINDINGS))
    _paragraph(lines, "Key strengths")
    lines += _bullets(rng.sample(MODERN_FINDINGS, 2))
    _paragraph(lines, "Areas for improvement")
    lines += _bullets(rng.sample(MODERN_IMPROVE, 2))
    _paragraph(lines, "Next steps")
    _paragraph(lines, "The director of children's services should prepare a written statement of proposed action "
                      "responding to the findings outlined in this letter.")
    return "\n".join(lines + ["Yours sincerely", "", rng.choice(JTAI_SIGNATORIES)])


MODERN_LETTERS = {
    "sif": _sif_letter,
    "ilacs": _ilacs_letter,
    "focused_visit": lambda rng, ctx: (_visit_letter(rng, ctx, "Focused visit"), []),
    "monitoring_visit": lambda rng, ctx: (_visit_letter(rng, ctx, "Monitoring visit"), []),
    "jtai": lambda rng, ctx: (_jtai_letter(rng, ctx), []),
}


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _letter_ctx(rng: random.Random, used: set[str], apa: bool, encoding: str) -> Ctx:
    """Draw the council, year, grade and layout options of one letter."""
    council, short = _council_name(rng, used)
    if apa:
        year = rng.choice([2007, 2008])
        grade = rng.choices(list(APA_GRADE_WEIGHTS), list(APA_GRADE_WEIGHTS.values()))[0]
    else:
        year = 2009 if rng.random() < 0.85 else 2010
        grade = rng.choices(list(ANNUAL_GRADE_WEIGHTS), list(ANNUAL_GRADE_WEIGHTS.values()))[0]
    curly = _curly(rng, encoding)
    return Ctx(
        council=council,
        short=short,
        year=year,
        grade=grade,
        curly=curly,
        html_bullets=apa and encoding == "utf-8" and rng.random() < 0.3,
        markdown=rng.random() < 0.4,
        one_line=not apa and rng.random() < 0.2,
        verbosity=rng.randint(0, 3) if apa else 0,
    )


def make_letter(i: int, rng: random.Random, used: set[str] | None = None, mix: str = "all") -> tuple[str, bytes, dict]:
    """Generate letter number ``i``: (file name, file bytes, truth dict).

    ``used`` holds the lower-cased short names already taken; pass the same set
    for every letter of a corpus to keep council names unique (make_corpus does).
    ``mix`` is "all" (every kind, 2005-2026: KIND_YEARS and MODERN_KIND_YEARS), "2005-2011"
    (KIND_YEARS only: byte-identical to the "all" corpora before the kinds of 2013-2026) or
    "legacy" (the two old kinds, byte-identical to the corpora of the benchmarks before the other kinds).
    """
    if mix not in MIXES:
        raise ValueError(f"unknown mix {mix!r} (one of {', '.join(MIXES)})")
    used = set() if used is None else used
    if mix == "legacy":
        apa = rng.random() < 0.3
        encoding = "cp1252" if rng.random() < 0.15 else "utf-8"
        newline = "\r\n" if rng.random() < 0.2 else "\n"
        ctx = _letter_ctx(rng, used, apa, encoding)
        kind = "apa" if apa else "annual_rating"
        if apa:
            text, grades = _apa_letter(rng, ctx)
            ratings = [{"area": key, "label": APA_LABELS[grades[key]], "grade": grades[key]} for key, _, _ in APA_AREAS]
        else:
            text = _annual_letter(rng, ctx)
            ratings = [{"area": "overall", "label": ANNUAL_LABELS[ctx.grade], "grade": ctx.grade}]
    else:
        encoding = "cp1252" if rng.random() < 0.15 else "utf-8"
        newline = "\r\n" if rng.random() < 0.2 else "\n"
        ctx, kind, text, ratings = _any_letter(rng, used, encoding,
                                               KIND_YEARS + MODERN_KIND_YEARS if mix == "all" else KIND_YEARS)
    data = text.replace("\n", newline).encode(encoding)
    name = f"syn_{i:06d}_{hashlib.sha1(data).hexdigest()[:8]}.txt"
    truth = {
        "file": name,
        "council": ctx.short if kind == "ilacs" else ctx.council,  # an ILACS report names it by its short name
        "short": ctx.short,
        "year": ctx.year,
        "kind": kind,
        "encoding": encoding,
        "newline": newline,
        "ratings": ratings,
        "judgements": [dict(j) for j in _judgements(text)],
        "format": "txt",
    }
    return name, data, truth


# --------------------------------------------------------------------------
# Formats: some letters as .md, .pdf, .docx or .html files
# --------------------------------------------------------------------------

FORMATS = ("txt", "md", "pdf", "docx", "html")
DOCUMENT_FORMATS = ("pdf", "docx", "html")


def parse_formats(spec: str) -> dict[str, float]:
    """Each format's share, from "txt=70,pdf=20,docx=5,md=5" to {"txt": 70.0, ...} (any positive scale)."""
    shares: dict[str, float] = {}
    for part in spec.split(","):
        fmt, sep, share = part.strip().partition("=")
        fmt = fmt.strip().lower().lstrip(".")
        if fmt not in FORMATS or not sep:
            known = ", ".join(FORMATS)
            raise ValueError(f"bad format share {part.strip()!r}: want FORMAT=SHARE, FORMAT one of {known}")
        try:
            shares[fmt] = float(share)
        except ValueError:
            raise ValueError(f"bad share in {part.strip()!r}: not a number") from None
        if shares[fmt] < 0:
            raise ValueError(f"bad share in {part.strip()!r}: negative")
    if not sum(shares.values()) > 0:
        raise ValueError("the format shares add up to 0")
    return shares


def assign_formats(n: int, shares: dict[str, float], seed: int = 0) -> list[str]:
    """Each of the n letters' format: exactly its share of n (largest remainders), in a shuffled order
    drawn from its own generator, so the letters themselves are the same whatever the formats."""
    total = sum(shares.values())
    exact = {fmt: n * share / total for fmt, share in shares.items()}
    counts = {fmt: int(value) for fmt, value in exact.items()}
    for fmt in sorted(exact, key=lambda f: (counts[f] - exact[f], FORMATS.index(f)))[: n - sum(counts.values())]:
        counts[fmt] += 1
    order = [fmt for fmt in FORMATS for _ in range(counts.get(fmt, 0))]
    random.Random(f"formats-{seed}").shuffle(order)
    return order


def _documents():
    """tests/documents.py (the builders of PDF, DOCX and HTML letters), imported from the repository."""
    from tests import documents

    return documents


def letter_text(data: bytes, truth: dict) -> str:
    """A generated letter's text as index.letters normalises it (what the document builders lay out)."""
    from index.letters import normalise

    return normalise(data.decode(truth["encoding"]))


def render(letters: list[tuple[bytes, dict]], formats: list[str]) -> list[tuple[str, bytes, dict]]:
    """Each (text letter bytes, truth) in its format: (file name, file bytes, truth). PDFs are printed
    in one batch by one headless Chromium (tests/documents.py letter_pdfs, cached by content)."""
    out: list[tuple[str, bytes, dict] | None] = [None] * len(letters)
    pdf_jobs: list[int] = []
    for k, ((data, truth), fmt) in enumerate(zip(letters, formats)):
        stem = truth["file"].rsplit(".", 1)[0]
        truth = {**truth, "file": f"{stem}.{fmt}", "format": fmt}
        if fmt not in DOCUMENT_FORMATS:  # txt, md: the text letter's bytes
            out[k] = (truth["file"], data, truth)
            continue
        truth.update(encoding=None, newline=None)
        if fmt == "pdf":
            out[k] = (truth["file"], b"", truth)
            pdf_jobs.append(k)
        elif fmt == "docx":
            out[k] = (truth["file"], _documents().docx_bytes(letter_text(*letters[k])), truth)
        else:
            out[k] = (truth["file"], _documents().web_page(letter_text(*letters[k])), truth)
    if pdf_jobs:
        pdfs = _documents().letter_pdfs([letter_text(*letters[k]) for k in pdf_jobs])
        for k, pdf in zip(pdf_jobs, pdfs):
            out[k] = (out[k][0], pdf, out[k][2])
    return out  # type: ignore[return-value]


def make_corpus(
    n: int, out_dir, seed: int = 0, mix: str = "all", formats: dict[str, float] | None = None
) -> list[dict]:
    """Write ``n`` letters into ``out_dir`` (created if missing); return the truth dicts.

    ``formats`` ({"txt": 70, "pdf": 20, ...}, see parse_formats) writes that share of the letters
    as .md, .pdf, .docx or .html files; the letters are the same ones either way.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    used: set[str] = set()
    letters = []
    for i in range(n):
        _, data, truth = make_letter(i, rng, used, mix)
        letters.append((data, truth))
    chosen = assign_formats(n, formats, seed) if formats else ["txt"] * n
    truths = []
    for name, data, truth in render(letters, chosen):
        (out / name).write_bytes(data)
        truths.append(truth)
    return truths


def check_corpus(out_dir, truths: list[dict]) -> list[str]:
    """Parse every letter with index.letters.read_letter; one line per letter whose kind, council,
    short name, year or ratings (area, label, grade, in order) differ from its truth dict."""
    from index.errors import LetterError
    from index.letters import read_letter

    problems = []
    for truth in truths:
        try:
            letter = read_letter(Path(out_dir) / truth["file"])
        except LetterError as exc:
            problems.append(f"{truth['file']}: not read: {exc}")
            continue
        got = {
            "kind": letter.kind,
            "council": letter.council,
            "short": letter.short_name,
            "year": letter.year,
            "ratings": [{"area": r.area, "label": r.label, "grade": r.grade} for r in letter.ratings],
        }
        wrong = [f"{key} {got[key]!r}, expected {truth[key]!r}" for key in got if got[key] != truth[key]]
        if wrong:
            problems.append(f"{truth['file']} ({truth['kind']}): " + "; ".join(wrong))
    return problems


def judgement_table(truths: list[dict]) -> list[str]:
    """The judgements of the truth dicts, one line per service judged: how many at each level (and with
    no level), compared above / in line / below, negated ("no X is inadequate"), and in how many letters."""
    columns = (*LEVELS, None)
    head = f"{'service':<28}" + "".join(f"{c or 'no level':>12}" for c in columns)
    lines = [head + f"{'above':>7}{'in_line':>8}{'below':>7}{'negated':>8}{'letters':>8}"]
    for service in SERVICES:
        found = [(k, j) for k, t in enumerate(truths) for j in t["judgements"] if j["service"] == service]
        if not found:
            continue
        levels = Counter(j["level"] for _, j in found)
        comparisons = Counter(j["comparison"] for _, j in found)
        row = f"{service:<28}" + "".join(f"{levels[c]:>12}" for c in columns)
        row += "".join(f"{comparisons[c]:>{w}}" for c, w in (("above", 7), ("in_line", 8), ("below", 7)))
        lines.append(row + f"{sum(j['negated'] for _, j in found):>8}{len({k for k, _ in found}):>8}")
    unjudged = [s for s in SERVICES if not any(j["service"] == s for t in truths for j in t["judgements"])]
    return lines + ([f"never judged: {', '.join(unjudged)}"] if unjudged else [])


def judged(truth: dict, service: str, level: str) -> bool:
    """Whether the letter says (not "no ... is") that some of its ``service`` is ``level``."""
    return any(
        j["service"] == service and j["level"] == level and not j["negated"] and j["count"] != 0
        for j in truth["judgements"]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, metavar="N", help="number of letters")
    parser.add_argument("out_dir", metavar="OUT_DIR", help="output folder (created if missing)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--truth", metavar="FILE", help="write truth dicts as JSON lines")
    parser.add_argument(
        "--mix",
        choices=MIXES,
        default="all",
        help="all: every kind in the proportions of KIND_YEARS (default); legacy: the 2009 "
        "annual rating and the 2007-2008 APA only, as before",
    )
    parser.add_argument(
        "--formats",
        metavar="SHARES",
        help="e.g. txt=70,md=5,pdf=20,docx=5 (also html): write that share of the letters in each "
        "format; PDFs need Chromium and Playwright, DOCX python-docx (tests/documents.py)",
    )
    parser.add_argument(
        "--judgements",
        action="store_true",
        help="print how many judgements of each service the letters hold, by level and comparison",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="parse every letter written and count those whose kind, council, year or ratings "
        "differ from the truth (exit 1 if any)",
    )
    args = parser.parse_args(argv)
    try:
        formats = parse_formats(args.formats) if args.formats else None
    except ValueError as exc:
        parser.error(str(exc))
    start = time.perf_counter()
    truths = make_corpus(args.n, args.out_dir, seed=args.seed, mix=args.mix, formats=formats)
    if args.truth:
        with open(args.truth, "w", encoding="utf-8", newline="\n") as fh:
            fh.writelines(json.dumps(t) + "\n" for t in truths)
    kinds = Counter(t["kind"] for t in truths)
    shares = Counter(t["format"] for t in truths)
    cp = sum(t["encoding"] == "cp1252" for t in truths)
    crlf = sum(t["newline"] == "\r\n" for t in truths)
    print(
        f"wrote {len(truths)} letters to {args.out_dir} (seed {args.seed}, mix {args.mix}): "
        + ", ".join(f"{kinds[k]} {k}" for k in sorted(kinds, key=lambda k: -kinds[k]))
        + f"; {cp} cp1252, {crlf} crlf; "
        + ", ".join(f"{shares[f]} {f}" for f in FORMATS if shares[f])
        + f" in {time.perf_counter() - start:.2f}s"
    )
    if args.judgements:
        inadequate = sum(judged(t, "private_fostering", "inadequate") for t in truths)
        print("\n".join(judgement_table(truths)))
        print(f"{inadequate} letters judge private fostering inadequate")
    if not args.check:
        return 0
    start = time.perf_counter()
    problems = check_corpus(args.out_dir, truths)
    for line in problems[:30]:
        print("  " + line)
    print(
        f"check: {len(problems)} of {len(truths)} letters differ from their truth "
        f"(read in {time.perf_counter() - start:.2f}s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
