"""Everyday words to the letters' words: query expansion for open questions.

People ask about "kids in care", "young offenders being locked up" or "pupils sent home";
the letters say "looked after children", "custodial sentence" and "exclusions". MiniLM
rarely bridges that gap and BM25 never does, so `expand(question)` appends the letters'
terms for each everyday phrase it finds. The search runs on the expanded text (dense and
BM25); nothing of it is shown or cited.

The entries are the vocabulary of children's services inspection (Every Child Matters
outcomes, the national indicators, the letters' recurring phrases), written for the domain,
not for one question: docs/how-it-answers.md gives the gold set before and after, and a
held-out set (tests/gold_heldout.jsonl) written without sight of this list.
But: - a phrase is expanded wherever it occurs ("work" also in "social work"); the added
terms only add candidates and weight, the filters and the evidence checks still apply.
- Every pattern is one flat alternation of literal phrases (linear time on any text).
"""

from __future__ import annotations

import re

# (everyday phrases, the letters' terms). Order does not matter; each entry adds its terms once.
GLOSSARY: tuple[tuple[str, str], ...] = (
    # children in care
    ("kids in care|children in care|in care|in the care|care system|fostered|foster kids|care children|lac|cla"
     "|looked-after", "looked after children"),
    ("care leavers|leaving care|left care|leave care|after care", "young people leaving care care leavers"),
    ("moved between|moved around|keep moving|keeps moving|moving between|placement moves|moves between|settled",
     "stability of placement placements"),
    ("foster|fostering|foster carers|foster parents", "fostering agencies"),
    ("family friends|relatives|friends of the family|living with friends|informal care|informal arrangements",
     "private fostering"),
    ("adopt|adopted|adoption|adoptive", "adoption agencies"),
    ("residential care|care homes|care home|residential homes|group homes|homes for children",
     "children's homes"),
    ("have a say|say in|views|listened to|consulted|voice|involved in decisions|decisions about",
     "contribute to their reviews participation views"),
    ("jabs|vaccinations|vaccinated|immunised|dentist|dental|health checks|check-ups|checkups",
     "health assessments immunisations dental checks"),
    # schools and learning
    ("kicked out|sent home|expelled|expulsions|suspended|suspensions|excluded|exclusion|exclusions|thrown out",
     "exclusions permanent fixed term pupil referral unit"),
    ("behave|behaved|behaving|behaviour|behavior|badly behaved|discipline|unruly|disruptive", "behaviour"),
    ("truancy|truanting|bunking off|skipping school|skip school|attendance|missing school|off school",
     "attendance absence persistent absence"),
    ("gcse|gcses|exam results|exams|at 16|sixteen|ks4|age 16|aged 16|16-year-olds", "key stage 4 attainment"),
    ("maths|math|sums|numeracy", "mathematics"),
    ("ks3|at 14|age 14|aged 14|fourteen|14-year-olds|year 9", "key stage 3 attainment"),
    ("sats|at 11|eleven|end of primary|primary results|ks2|age 11|aged 11", "key stage 2 attainment"),
    ("ks1|at 7|age 7|aged 7|seven-year-olds|infants", "key stage 1 attainment"),
    ("a-level|a-levels|a level|a levels|at 19|nineteen|sixth form", "level 3 qualifications at 19"),
    ("under-fives|under fives|toddlers|babies|pre-school|preschool|nursery|nurseries|little ones|early years",
     "early years very young children nursery schools childcare"),
    ("childminders|childminder|home-based daycare|home based daycare|daycare|day care|creche",
     "childminding childcare settings"),
    ("special needs|sen|send|sen/d|disabled|disabilities|disability|learning difficulties|autism|autistic",
     "special educational needs learning difficulties and/or disabilities"),
    ("poorer|poor families|deprived|disadvantaged|free school meals|poverty|low income|hard-up|hard up",
     "free school meals vulnerable deprivation low income backgrounds"),
    ("at-risk|at risk|vulnerable|troubled|most needy|struggling families|in need",
     "whose circumstances make them vulnerable"),
    ("secondary|secondaries|high schools|high school|senior schools|comprehensives", "secondary schools"),
    ("primary|primaries|junior schools|infant schools", "primary schools"),
    ("college|university|further education|apprenticeship|apprenticeships|training|jobs|job|work|ready for work"
     "|employability",
     "education, employment or training"),
    ("out of work|jobless|unemployed|neet|neets|doing nothing|idle|not working",
     "not in education, employment or training"),
    ("failing|failed|bad schools|poor schools", "inadequate"),
    ("catching up|catch up|caught up|closing the gap|close the gap|gap", "gap narrowing improved"),
    ("stretched|able pupils|bright|gifted", "more able higher attainers"),
    # youth justice
    ("young offenders|youth crime|offenders|offending|crime|criminal|criminals|reoffend|reoffending"
     "|trouble with the police", "offending youth offending service first time entrants"),
    ("locked up|lock up|locks up|locking up|banged up|sent down|put away|prison|jail|custody|custodial|detention"
     "|detained", "custodial sentence"),
    # health
    ("a&e|accident and emergency|hospital|hospitalised|hospitalized", "hospital admissions"),
    ("drink|drinking|alcohol|drunk|booze|boozing|binge|drugs|drug|substance",
     "substance misuse drinking alcohol drugs"),
    ("teenage pregnancy|teen pregnancy|teenage mums|teenage mothers|pregnant|pregnancies|young mums",
     "teenage conceptions under-18 conception rate"),
    ("sexual health|stis|sti|sexually transmitted|chlamydia", "sexual health chlamydia"),
    ("fat|overweight|obese|obesity|weight|diet|healthy eating", "obesity healthy eating"),
    ("mental health|emotional|wellbeing|well-being|depression|anxiety|self-harm|counselling|camhs",
     "emotional health child and adolescent mental health services camhs"),
    ("smoking|smoke|cigarettes", "smoking"),
    ("sport|sports|exercise|physical activity|pe", "physical education sport"),
    # safeguarding
    ("child protection|abuse|abused|neglect|neglected|protect|protected|protecting|harm|keeping children safe|safe",
     "safeguarding child protection staying safe"),
    ("inquiry|inquiries|investigation|case review|child death|death of a child|serious case|scr|scrs",
     "serious case review"),
    ("lscb|safeguarding board|safeguarding children board|safeguarding boards", "local safeguarding children board"),
    ("yot|yos|youth offending team|youth justice team", "youth offending service"),
    ("pru|prus|referral unit|unit for excluded pupils", "pupil referral unit"),
    ("caf|early help|early intervention", "common assessment framework"),
    ("bullying|bullied|bullies", "bullying"),
    ("social workers|social worker|social care|caseloads|referrals", "social care referrals assessments"),
    # the council as a whole
    ("money|budget|budgets|cuts|finances|financial|spending|value for money|tight|afford|funding",
     "resources value for money budget"),
    ("targets|government targets|league tables|benchmarks|indicators|statistics|figures",
     "national indicators national indicator set"),
    ("rest of the country|elsewhere|national average|other councils|other areas|neighbours|comparable",
     "nationally national average similar areas"),
    ("leadership|leaders|managers|management|run|running|managed", "leadership management capacity to improve"),
    ("self-assessment|self assessment|assessed itself|assesses itself|knows itself|know itself|its own view"
     "|its own assessment|its own analysis|its own judgement", "the council's analysis of its strengths and areas for"
     " development self-assessment"),
    ("flagged|picked up on|pointed out|told to fix|last year's problems|problems last year|the year before"
     "|previous year|last year's report|sorted out|fixed", "areas for development identified in the previous year"
     " responded"),
    ("kidding itself|fooling itself|deluded|too rosy|rose-tinted|overrated|overrate|over-optimistic|honest about"
     "|realistic about", "the council's analysis underestimate weaknesses overvalue self-assessment"),
    ("ask people|asked people|consult|consultation|listen|listens|listening|what they wanted",
     "consultation views of children and young people"),
    ("volunteering|volunteer|school council|youth council|youth parliament|community|anti-social|antisocial",
     "positive contribution"),
    ("youth clubs|youth centres|youth services|activities|things to do|leisure", "youth services activities"),
)

_ENTRIES = [(re.compile(rf"(?<![a-z0-9])(?:{phrases})(?![a-z0-9])"), terms) for phrases, terms in GLOSSARY]


def letter_terms(question: str) -> list[str]:
    """The letters' terms for the everyday phrases in `question`, each entry once, in glossary order."""
    low = question.lower().replace("’", "'")
    return [terms for pattern, terms in _ENTRIES if pattern.search(low)]


def expand(question: str) -> str:
    """`question` with the letters' terms for its everyday phrases appended (unchanged when none)."""
    terms = letter_terms(question)
    return f"{question} ({'; '.join(terms)})" if terms else question
