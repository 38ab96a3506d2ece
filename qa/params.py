"""The arguments of a question, a search or a table, checked in one place.

Two levels. The shape checks (`as_list`, `text_filter`, `year_filter`, `check_k`, `check_flag`)
turn what a caller may pass (one value or a list, "2009" or 2009) into plain values, and raise
an ArgumentTypeError for a wrong type or an ArgumentError for an unreadable value, naming the
argument; the retriever uses them on every call, the evidence's included. On top, `Filters.of`,
`checked_texts` and `check_k(k, limit=True)` apply the limits a caller is held to: k from 1 to
MAX_K, years of four digits, letter kinds the index knows, text filters at most
MAX_QUESTION_CHARS long. The Assistant applies those at its public methods, so the Python API,
the CLI and the HTTP API (through ui/service.py) refuse the same arguments with the same line.

But: - the front ends still read their wire format (query text into numbers, JSON types, a
blank parameter as none given) before calling the Assistant, naming their own parameters.
- a filter of the right shape that matches nothing ("Nowhere", 1999) selects nothing: it is
not an error.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from index.errors import ArgumentError, ArgumentTypeError
from index.kinds import KEYS as KIND_KEYS
from qa.query import MAX_QUESTION_CHARS, clean_text

MAX_K = 100  # passages one search may ask for
K_RULE = f"a whole number from 1 to {MAX_K}"
YEAR_RULE = "a whole number such as 2009"
FIRST_YEAR = 1000  # years a caller filters by have four digits (a letter whose year is unknown has 0)


@dataclass(frozen=True)
class Filters:
    """Which letters a search, the ratings or the judgements cover, checked (`Filters.of`): each
    a tuple of the values given, or None where none was given (no filter)."""

    council: tuple[str, ...] | None = None
    year: tuple[int, ...] | None = None
    kind: tuple[str, ...] | None = None

    @classmethod
    def of(cls, council=None, year=None, kind=None) -> Filters:
        """`council`: names (each cleaned, at most MAX_QUESTION_CHARS long); `year`: four-digit
        years (ints or their digits); `kind`: keys of index/kinds. One value or a list of them."""
        councils = None if council is None else tuple(checked_texts(council, "council", "a council name"))
        years = None if year is None else tuple(year_filter(year, first=FIRST_YEAR))
        kinds = None if kind is None else tuple(checked_texts(kind, "kind", KIND_WANTED))
        for key in kinds or ():
            if key not in KIND_KEYS:
                raise ArgumentError(f"kind must be one of {', '.join(KIND_KEYS)}, not {shorten(key)!r}")
        return cls(councils, years, kinds)

    def to_kwargs(self) -> dict:
        return {"council": self.council, "year": self.year, "kind": self.kind}


KIND_WANTED = f"a letter kind ({', '.join(repr(key) for key in KIND_KEYS)})"


def checked_texts(value, name: str, wanted: str) -> list[str]:
    """A text filter (`text_filter`), each item at most MAX_QUESTION_CHARS long and cleaned
    (qa.query.clean_text: lone surrogates become U+FFFD)."""
    items = text_filter(value, name, wanted)
    for item in items:
        if len(item) > MAX_QUESTION_CHARS:
            raise ArgumentError(f"{name} is {len(item):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    return [clean_text(item) for item in items]


def as_list(value, name: str = "value", wanted: str = "a value") -> list:
    """A filter as a list: None -> [], one value -> [value], a list, tuple or set -> its items."""
    if value is None:
        return []
    if isinstance(value, str | numbers.Integral):
        return [value]
    if isinstance(value, bytes | bytearray | Mapping) or not isinstance(value, Iterable):
        raise ArgumentTypeError(f"{name} must be {wanted} or a list of them, not {described(value)}")
    return list(value)


def text_filter(value, name: str, wanted: str) -> list[str]:
    """A council, kind, area or polarity filter: strings only."""
    items = as_list(value, name, wanted)
    for item in items:
        if not isinstance(item, str):
            raise ArgumentTypeError(f"{name} must be {wanted} or a list of them, not {described(item)}")
    return items


def year_filter(value, first: int = 0) -> list[int]:
    """Years as ints: 2009, "2009", or a list of them; each from `first` to 9999."""
    years = []
    for item in as_list(value, "year", "a year such as 2009"):
        if isinstance(item, str):
            if not _YEAR.fullmatch(item):
                raise ArgumentError(f"year must be a year such as 2009 or a list of them, not {described(item)}")
            item = int(item)
        elif isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise ArgumentTypeError(f"year must be a year such as 2009 or a list of them, not {described(item)}")
        if not first <= item <= 9999:
            raise ArgumentError(f"year must be {YEAR_RULE}, not {int(item)}")
        years.append(int(item))
    return years


def check_k(k, limit: bool = False) -> int:
    """`k`, the number of passages asked for, as an int. With `limit` (a caller's k) it must be
    from 1 to MAX_K; without (the evidence's own searches), k < 1 asks for none."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise ArgumentTypeError(f"k must be {K_RULE}, not {described(k)}")
    if limit and not 1 <= k <= MAX_K:
        raise ArgumentError(f"k must be {K_RULE}, not {int(k)}")
    return int(k)


def check_flag(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise ArgumentTypeError(f"{name} must be True or False, not {described(value)}")
    return value


def described(value) -> str:
    text = repr(value)
    return f"{text if len(text) <= 40 else text[:37] + '...'} ({type(value).__name__})"


def shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


_YEAR = re.compile(r"[ \t]*[0-9]{1,4}[ \t]*")
