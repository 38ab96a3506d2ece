"""The letter kinds, one module each, and the registry that tries them in order.

Adding a kind: write index/kinds/<kind>.py with its `KIND` (see base.py) and add it to
`KINDS` below, before `generic` (which takes any Ofsted letter) and before any kind whose
recognition it would share (the 2005 APA before the later APA: both say "annual performance
assessment"). Everything else (sections, polarity, questions, answers, the web's tables)
asks the registry.
"""

from __future__ import annotations

import re
from dataclasses import replace

from index.kinds import annual_rating, apa, apa_services, assessment, generic, ilacs, jtai, sif, unannounced, visits
from index.kinds.base import Area, Kind, Rating, Scale
from index.kinds.scales import SCALES

# The letters since 2013 first: each is known by its title line, and may mention older kinds' words.
KINDS: tuple[Kind, ...] = (
    sif.KIND, ilacs.KIND, visits.FOCUSED, visits.MONITORING, jtai.KIND,
    apa_services.KIND, apa.KIND, assessment.KIND, annual_rating.KIND, unannounced.KIND, generic.KIND,
)
ANNUAL = annual_rating.KIND.key
APA = apa.KIND.key
GENERIC = generic.KIND.key
KEYS = tuple(kind.key for kind in KINDS)
_BY_KEY = {kind.key: kind for kind in KINDS}


def recognise(text: str) -> Kind | None:
    """The first kind that recognises the letter (generic for any other Ofsted letter); None if none does."""
    return next((kind for kind in KINDS if kind.recognise(text)), None)


def get(key: str) -> Kind:
    """The kind stored under `key`; an unknown key (an index from a later version) reads as ungraded."""
    name = key.replace("_", " ")
    return _BY_KEY.get(key) or Kind(key, name, name, name, "", lambda _text: False)


def label_for(kind: str, grade: int) -> str:
    """The kind's own word for a grade: label_for("apa", 3) == "Good"."""
    return get(kind).label(grade)


def kinds_on(scale: str) -> tuple[str, ...]:
    """The kinds that grade on the scale `scale` (a Scale.key)."""
    return tuple(kind.key for kind in KINDS if kind.scale and kind.scale.key == scale)


def scale_of(kind: str) -> Scale | None:
    return get(kind).scale


def rolling(kind: str) -> bool:
    """Whether the kind grades on a rolling programme's scale (the inspections since 2013: each
    council inspected in its own year, its grade standing until the next)."""
    scale = get(kind).scale
    return scale is not None and scale.rolling


def scale_key(kind: str) -> str:
    """The key of the scale a kind's grades are on ("performs", "apa_grades", "service_grades"),
    "" for an ungraded kind: grades on different scales are not the same judgement."""
    scale = get(kind).scale
    return scale.key if scale else ""


# The seven-area APA first: its areas head the area tables, and a question naming an area it
# grades ("staying safe") is read on its scale.
APA_FIRST: tuple[Kind, ...] = (apa.KIND, *(kind for kind in KINDS if kind is not apa.KIND))


def _union_areas() -> tuple[Area, ...]:
    """One Area per key: the first kind's title and question words, every kind's title pattern
    (the SIF's "Children looked after and achieving permanence" and the ILACS's "The experiences
    and progress of children in care" are one area)."""
    seen: dict[str, Area] = {}
    patterns: dict[str, list[str]] = {}
    for kind in APA_FIRST:
        for area in kind.areas:
            seen.setdefault(area.key, area)
            if area.pattern not in patterns.setdefault(area.key, []):
                patterns[area.key].append(area.pattern)
    return tuple(replace(area, pattern=area.pattern if len(patterns[key]) == 1 else
                         "|".join(f"(?:{pattern})" for pattern in patterns[key])) for key, area in seen.items())


AREAS: tuple[Area, ...] = _union_areas()  # every graded area of every kind, first definition first
AREA_KEYS = tuple(area.key for area in AREAS)
AREA_TITLES = {area.key: area.title for area in AREAS}


def _alternation(parts) -> str:
    return "|".join(dict.fromkeys(parts))


# Whole-line headings any kind uses, its strength and weakness subheadings, its boilerplate.
KNOWN_HEADINGS = re.compile(rf"^(?:{_alternation(h for kind in KINDS for h in kind.headings)})$", re.I)
STRENGTH_HEADINGS = _alternation(h for kind in KINDS for h in kind.strength_headings)
WEAKNESS_HEADINGS = _alternation(h for kind in KINDS for h in kind.weakness_headings)
SUBHEADING_WORDS = f"{WEAKNESS_HEADINGS}|{STRENGTH_HEADINGS}"  # either kind of subheading, as a regex alternation
SUBHEADINGS = re.compile(rf"^(?:{SUBHEADING_WORDS})$", re.I)
# "Inspection dates: ...", "Lead inspector: ...": lines that state a fact, never a section's title.
FACT_LINES = re.compile(rf"^(?:{_alternation(f for kind in KINDS for f in kind.fact_lines) or '(?!)'})", re.I)
BOILERPLATE = tuple(dict.fromkeys(phrase for kind in KINDS for phrase in kind.boilerplate))

__all__ = ["ANNUAL", "APA", "APA_FIRST", "AREAS", "AREA_KEYS", "AREA_TITLES", "GENERIC", "KEYS", "KINDS", "SCALES",
           "Area", "Kind", "Rating", "Scale", "get", "kinds_on", "label_for", "recognise", "rolling", "scale_key",
           "scale_of"]
