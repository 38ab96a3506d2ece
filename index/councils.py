"""Every English children's services authority, by every common way of writing its name.

`AUTHORITIES` lists the 154 councils that held children's services between 2005 and 2011:
the 150 of 2005-2009 and the 152 of 2009-2011 together, so Bedfordshire and Cheshire
county councils (abolished in April 2009) sit beside Bedford, Central Bedfordshire,
Cheshire East and Cheshire West and Chester. Each has a canonical short name in the
spelling the letters use ("Stoke-on-Trent", "Kingston upon Hull"), its formal name as
Ofsted's letters write it, and the unambiguous variants people type ("Hull", "B&NES").

`canonical(name)` maps any of those, in any case, spacing or hyphenation, with "upon"/"on",
"St"/"St."/"Saint", "&"/"and", a leading "the" and the usual "... Council" or "London
Borough of ..." added or dropped, to the canonical short name. `find_mentions(text)` finds
every authority named in free text, in time linear in the text.

Left out: district councils, Welsh, Scottish and Northern Irish councils, the councils
created after 2011 (Bournemouth, Christchurch and Poole; the Northamptonshire unitaries),
ambiguous names ("Kingston", "Cleveland", "Berkshire"); misspellings are `spelled_like`'s,
against the names a caller gives (qa/query.py: the indexed councils). A former district
with an authority's name ("Durham City Council", "Bedford Borough Council" before 2009)
maps to that authority. Names are matched on ASCII words; other letters never match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple


class Authority(NamedTuple):
    name: str  # canonical short name: "Stoke-on-Trent"
    formal: str  # as Ofsted's letters write it: "Stoke-on-Trent City Council"
    variants: tuple[str, ...]  # other unambiguous names: ("Stoke",)


# canonical | formal name | variants separated by ";" (the first two columns are names too).
_TABLE = """
City of London | City of London Corporation | Corporation of London
Barking and Dagenham | London Borough of Barking and Dagenham | Barking; Dagenham
Barnet | London Borough of Barnet |
Bexley | London Borough of Bexley |
Brent | London Borough of Brent |
Bromley | London Borough of Bromley |
Camden | London Borough of Camden |
Croydon | London Borough of Croydon |
Ealing | London Borough of Ealing |
Enfield | London Borough of Enfield |
Greenwich | London Borough of Greenwich | Royal Greenwich
Hackney | London Borough of Hackney |
Hammersmith and Fulham | London Borough of Hammersmith and Fulham | Hammersmith; H&F; LBHF
Haringey | London Borough of Haringey |
Harrow | London Borough of Harrow |
Havering | London Borough of Havering |
Hillingdon | London Borough of Hillingdon |
Hounslow | London Borough of Hounslow |
Islington | London Borough of Islington |
Kensington and Chelsea | Royal Borough of Kensington and Chelsea | Kensington; K&C; RBKC
Kingston upon Thames | Royal Borough of Kingston upon Thames | Royal Borough of Kingston
Lambeth | London Borough of Lambeth |
Lewisham | London Borough of Lewisham |
Merton | London Borough of Merton |
Newham | London Borough of Newham |
Redbridge | London Borough of Redbridge |
Richmond upon Thames | London Borough of Richmond upon Thames | Richmond
Southwark | London Borough of Southwark |
Sutton | London Borough of Sutton |
Tower Hamlets | London Borough of Tower Hamlets |
Waltham Forest | London Borough of Waltham Forest |
Wandsworth | London Borough of Wandsworth |
Westminster | Westminster City Council | City of Westminster
Bolton | Bolton Metropolitan Borough Council |
Bury | Bury Metropolitan Borough Council |
Manchester | Manchester City Council |
Oldham | Oldham Metropolitan Borough Council |
Rochdale | Rochdale Metropolitan Borough Council |
Salford | Salford City Council |
Stockport | Stockport Metropolitan Borough Council |
Tameside | Tameside Metropolitan Borough Council |
Trafford | Trafford Metropolitan Borough Council |
Wigan | Wigan Metropolitan Borough Council |
Knowsley | Knowsley Metropolitan Borough Council |
Liverpool | Liverpool City Council |
St Helens | St Helens Metropolitan Borough Council |
Sefton | Sefton Metropolitan Borough Council |
Wirral | Wirral Metropolitan Borough Council |
Barnsley | Barnsley Metropolitan Borough Council |
Doncaster | Doncaster Metropolitan Borough Council |
Rotherham | Rotherham Metropolitan Borough Council |
Sheffield | Sheffield City Council |
Gateshead | Gateshead Council |
Newcastle upon Tyne | Newcastle upon Tyne City Council | Newcastle
North Tyneside | North Tyneside Council |
South Tyneside | South Tyneside Council |
Sunderland | Sunderland City Council |
Birmingham | Birmingham City Council |
Coventry | Coventry City Council |
Dudley | Dudley Metropolitan Borough Council |
Sandwell | Sandwell Metropolitan Borough Council |
Solihull | Solihull Metropolitan Borough Council |
Walsall | Walsall Metropolitan Borough Council |
Wolverhampton | Wolverhampton City Council |
Bradford | City of Bradford Metropolitan District Council |
Calderdale | Calderdale Metropolitan Borough Council |
Kirklees | Kirklees Council |
Leeds | Leeds City Council |
Wakefield | Wakefield Metropolitan District Council |
Bedfordshire | Bedfordshire County Council |
Buckinghamshire | Buckinghamshire County Council | Bucks
Cambridgeshire | Cambridgeshire County Council | Cambs
Cheshire | Cheshire County Council |
Cornwall | Cornwall Council |
Cumbria | Cumbria County Council |
Derbyshire | Derbyshire County Council | Derbys
Devon | Devon County Council |
Dorset | Dorset County Council |
Durham | Durham County Council | County Durham
East Sussex | East Sussex County Council |
Essex | Essex County Council |
Gloucestershire | Gloucestershire County Council | Glos; Gloucs
Hampshire | Hampshire County Council | Hants
Hertfordshire | Hertfordshire County Council | Herts
Kent | Kent County Council |
Lancashire | Lancashire County Council | Lancs
Leicestershire | Leicestershire County Council | Leics
Lincolnshire | Lincolnshire County Council | Lincs
Norfolk | Norfolk County Council |
North Yorkshire | North Yorkshire County Council |
Northamptonshire | Northamptonshire County Council | Northants
Northumberland | Northumberland County Council |
Nottinghamshire | Nottinghamshire County Council | Notts
Oxfordshire | Oxfordshire County Council | Oxon
Shropshire | Shropshire Council |
Somerset | Somerset County Council |
Staffordshire | Staffordshire County Council | Staffs
Suffolk | Suffolk County Council |
Surrey | Surrey County Council |
Warwickshire | Warwickshire County Council | Warks
West Sussex | West Sussex County Council |
Wiltshire | Wiltshire Council | Wilts
Worcestershire | Worcestershire County Council | Worcs
Bath and North East Somerset | Bath and North East Somerset Council | BANES; B&NES; Bath and NE Somerset
Blackburn with Darwen | Blackburn with Darwen Borough Council | Blackburn; Blackburn and Darwen
Blackpool | Blackpool Council |
Bournemouth | Bournemouth Borough Council |
Bracknell Forest | Bracknell Forest Borough Council | Bracknell
Brighton and Hove | Brighton and Hove City Council | Brighton
Bristol | Bristol City Council | City of Bristol
Darlington | Darlington Borough Council |
Derby | Derby City Council |
East Riding of Yorkshire | East Riding of Yorkshire Council | East Riding; East Yorkshire
Halton | Halton Borough Council |
Hartlepool | Hartlepool Borough Council |
Herefordshire | Herefordshire Council | County of Herefordshire
Isle of Wight | Isle of Wight Council |
Kingston upon Hull | Kingston upon Hull City Council | Hull; City of Kingston upon Hull
Leicester | Leicester City Council |
Luton | Luton Borough Council |
Medway | Medway Council |
Middlesbrough | Middlesbrough Council |
Milton Keynes | Milton Keynes Council |
North East Lincolnshire | North East Lincolnshire Council |
North Lincolnshire | North Lincolnshire Council |
North Somerset | North Somerset Council |
Nottingham | Nottingham City Council |
Peterborough | Peterborough City Council |
Plymouth | Plymouth City Council |
Poole | Borough of Poole |
Portsmouth | Portsmouth City Council |
Reading | Reading Borough Council |
Redcar and Cleveland | Redcar and Cleveland Borough Council | Redcar
Rutland | Rutland County Council |
Slough | Slough Borough Council |
South Gloucestershire | South Gloucestershire Council |
Southampton | Southampton City Council |
Southend-on-Sea | Southend-on-Sea Borough Council | Southend
Stockton-on-Tees | Stockton-on-Tees Borough Council | Stockton
Stoke-on-Trent | Stoke-on-Trent City Council | Stoke
Swindon | Swindon Borough Council |
Telford and Wrekin | Telford and Wrekin Council | Telford
Thurrock | Thurrock Council |
Torbay | Torbay Council |
Warrington | Warrington Borough Council |
West Berkshire | West Berkshire Council |
Windsor and Maidenhead | Royal Borough of Windsor and Maidenhead | Windsor; Maidenhead
Wokingham | Wokingham Borough Council |
York | City of York Council | City of York
Isles of Scilly | Council of the Isles of Scilly | Scilly; Scilly Isles
Bedford | Bedford Borough Council |
Central Bedfordshire | Central Bedfordshire Council |
Cheshire East | Cheshire East Council |
Cheshire West and Chester | Cheshire West and Chester Council | Cheshire West
"""

# One-word names that are also ordinary lower-case English words (a gerund, verbs, nouns:
# "reading the letter", "bury", a ship's "hull", "stoke" a fire, "barking", "slough off",
# a "harrow", "bucks", "staffs", "wilts"). find_mentions counts them only when capitalised.
# Proper names that merely resemble words ("Sutton", "Poole", "Derby") match in any case.
CAPITAL_ONLY = frozenset({"reading", "bury", "hull", "stoke", "barking", "slough", "harrow", "bucks", "staffs",
                          "wilts"})
# ... and of those, the words of the letters' own subject: "reading" (literacy) is never the
# council in lower case, even where find_mentions is asked for any case.
SUBJECT_WORDS = frozenset({"reading"})

_WORD = re.compile(r"[^\W_]+|&")  # a run of letters/digits, or "&": linear, no nesting
_SAME_WORD = {"upon": "on", "saint": "st", "&": "and"}
_DROPPED = "the"
# Characters that may sit between two words of one name in free text.
_JOINERS = frozenset(" \t\r\n\f\v\u00a0-\u2010\u2011\u2012\u2013")

_SUFFIXES = tuple(tuple(s.split()) for s in (
    "council", "city council", "county council", "borough council", "district council",
    "metropolitan borough council", "metropolitan district council", "metropolitan council",
    "royal borough council", "corporation", "mbc", "mdc", "bc", "cc", "dc",  # as council lines abbreviate them
))
_PREFIXES = tuple(tuple(p.split()) for p in (
    "london borough of", "royal borough of", "metropolitan borough of", "borough of", "city of", "county of",
))


def _parse(table: str) -> tuple[Authority, ...]:
    """The authorities of `_TABLE`, one a line."""
    rows = []
    for line in table.strip().splitlines():
        name, formal, variants = (part.strip() for part in line.split("|"))
        rows.append(Authority(name, formal, tuple(v.strip() for v in variants.split(";") if v.strip())))
    return tuple(rows)


AUTHORITIES: tuple[Authority, ...] = _parse(_TABLE)


def _word(raw: str) -> str:
    """One word as keys spell it: lower case, "upon" -> "on", "saint" -> "st", "&" -> "and"."""
    word = raw.lower()
    return _SAME_WORD.get(word, word)


def name_key(name: str) -> tuple[str, ...]:
    """The words of `name` as the lookup table spells them, "the" dropped."""
    words = (_word(raw) for raw in _WORD.findall(name))
    return tuple(word for word in words if word != _DROPPED)


def _build(authorities: tuple[Authority, ...]) -> dict[tuple[str, ...], str]:
    """Every name's key -> its canonical name, and every proper prefix of a key -> ""."""
    table: dict[tuple[str, ...], str] = {}
    for authority in authorities:
        for alias in (authority.name, authority.formal, *authority.variants):
            key = name_key(alias)
            if not key:
                raise ValueError(f"empty name in the table: {alias!r}")
            for n in range(1, len(key)):
                table.setdefault(key[:n], "")
            if table.get(key) not in (None, "", authority.name):
                raise ValueError(f"{alias!r} names both {table[key]!r} and {authority.name!r}")
            table[key] = authority.name
    return table


_NGRAMS = _build(AUTHORITIES)
MAX_WORDS = max(len(key) for key in _NGRAMS)  # the longest name, in words
_MAX_WORD_LEN = max(len(word) for key in _NGRAMS for word in key)
_MAX_AFFIX = max(len(a) for a in _PREFIXES) + max(len(s) for s in _SUFFIXES)


def canonical(name: str) -> str | None:
    """The canonical short name of the authority `name` writes, or None if it names none."""
    words = name_key(name)
    if not words or len(words) > MAX_WORDS + _MAX_AFFIX:
        return None
    for core in _cores(words):
        found = _NGRAMS.get(core)
        if found:
            return found
    return None


def _cores(words: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """`words` itself, then with one known suffix, prefix, or both taken off."""
    ends = [words] + [words[: -len(s)] for s in _SUFFIXES if len(words) > len(s) and words[-len(s):] == s]
    yield from ends
    for end in ends:
        for prefix in _PREFIXES:
            if len(end) > len(prefix) and end[: len(prefix)] == prefix:
                yield end[len(prefix):]


def normalise_name(name: str) -> str:
    """Case-, hyphen- and apostrophe-insensitive form of a council name, for matching:
    "Stoke-on-Trent City Council" -> "stoke on trent city council", "King’s Lynn" -> "kings lynn"."""
    return " ".join(re.findall(r"[a-z0-9]+", name.lower().replace("’", "'").replace("'", "")))


def authority(name: str) -> str:
    """Who a name is about, whatever the spelling: the canonical authority, else the normalised name."""
    return canonical(name) or normalise_name(name)


class _Token(NamedTuple):
    start: int
    end: int
    word: str  # as keys spell it
    joined: bool  # only spaces/hyphens (and dropped "the"s) since the previous token


def _tokens(text: str) -> list[_Token]:
    """The words of `text` with their offsets, in one pass; "the" is dropped as in keys."""
    tokens: list[_Token] = []
    prev_end, prev_word, linked = 0, "", True
    for match in _WORD.finditer(text):
        joined = linked and _joins(text[prev_end : match.start()], prev_word)
        word = _word(match.group())
        prev_end, prev_word = match.end(), word
        if word == _DROPPED:
            linked = joined
            continue
        tokens.append(_Token(match.start(), match.end(), word, joined))
        linked = True
    return tokens


def _joins(gap: str, prev_word: str) -> bool:
    """Whether `gap` may sit inside a name: spaces and hyphens, and a dot after "St"."""
    if prev_word == "st" and gap.startswith("."):
        gap = gap[1:]
    return all(char in _JOINERS for char in gap)


def find_mentions(text: str, any_case: bool = False) -> list[tuple[int, int, str]]:
    """Every authority named in `text`: (start, end, canonical), left to right, never overlapping.

    At each word the longest name starting there wins ("Cheshire West and Chester", not
    "Cheshire"); a possessive "'s" after a name is left outside the span. Linear time:
    at most MAX_WORDS table lookups a word. A CAPITAL_ONLY name counts only capitalised, or with
    `any_case` (a question typed all in lower case) unless it is one of the SUBJECT_WORDS.
    """
    tokens = _tokens(text)
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        hit = _longest_at(tokens, i, text, any_case)
        if hit is None:
            i += 1
            continue
        last, name = hit
        found.append((tokens[i].start, tokens[last].end, name))
        i = last + 1
    return found


def _longest_at(tokens: list[_Token], i: int, text: str, any_case: bool = False) -> tuple[int, str] | None:
    """(index of the last token, canonical) of the longest name starting at tokens[i]."""
    best = None
    key: tuple[str, ...] = ()
    for j in range(i, min(len(tokens), i + MAX_WORDS)):
        token = tokens[j]
        if (j > i and not token.joined) or len(token.word) > _MAX_WORD_LEN:
            break
        key += (token.word,)
        name = _NGRAMS.get(key)
        if name is None:
            break
        if name and (j > i or token.word not in CAPITAL_ONLY or text[token.start].isupper()
                     or any_case and token.word not in SUBJECT_WORDS):
            best = (j, name)
    return best


# --- misspellings -------------------------------------------------------------------------------

MIN_TYPO_LETTERS = 6  # shorter words are too close to ordinary words ("Kent", "rent") to correct


def letters_only(name: str) -> str:
    """The name's ASCII letters, lower case: what misspellings are compared on ("Stoke-on-Trent" -> "stokeontrent")."""
    return "".join(ch for ch in name.lower() if "a" <= ch <= "z")


def spelled_like(written: str, names: list[str]) -> list[str]:
    """The names (of `names`) that `written` misspells: within one edit (a letter added, dropped,
    changed, or two swapped) for a word of 6-8 letters, two for longer ones; letters alone are
    compared ("stockprt" -> "Stockport", "stoke on trnt" -> "Stoke-on-Trent"). [] for an exact
    name (not a misspelling) or a word under MIN_TYPO_LETTERS letters."""
    word = letters_only(written)
    if len(word) < MIN_TYPO_LETTERS:
        return []
    limit = 1 if len(word) < 9 else 2
    found = []
    for name in names:
        target = letters_only(name)
        if target == word:
            return []
        if abs(len(target) - len(word)) <= limit and _edits(word, target, limit) <= limit:
            found.append(name)
    return found


class Speller:
    """`spelled_like` over one fixed list of names, asked about many words (qa/query.py: every
    question against every indexed council, 10,000 of them in bench/make_corpus.py's largest
    folder). Each name's letters, length and letter counts are kept once; a word is compared
    only with the names that share its first or its second letter (a typo seldom changes both),
    and _edits runs only on those within its edit limit in length and in letter counts (an edit
    changes the counts by at most two). Answers are spelled_like's over those names, in the
    names' order: first-letter matches first, then second-letter ones."""

    def __init__(self, names: Iterable[str]):
        import numpy as np

        self.names = list(dict.fromkeys(names))
        self._letters = [letters_only(name) for name in self.names]
        self._exact = set(self._letters)
        self._lengths = np.array([len(word) for word in self._letters], dtype=np.int32)
        self._counts = np.stack([_letter_counts(word) for word in self._letters]) if self.names else None
        self._first = np.array([word[:1] for word in self._letters], dtype="U1")
        leads: dict[str, list[int]] = {}
        for i, word in enumerate(self._letters):
            for key in {f"1{word[:1]}", f"2{word[1:2]}"}:
                leads.setdefault(key, []).append(i)
        self._leads = {key: np.array(rows, dtype=np.int64) for key, rows in leads.items()}
        self._known: dict[str, tuple[str, ...]] = {}  # word's letters -> its answer: questions repeat words

    def like(self, written: str) -> list[str]:
        word = letters_only(written)
        found = self._known.get(word)
        if found is None:
            if len(self._known) >= 8192:
                self._known.clear()
            found = self._known[word] = tuple(self._like(word))
        return list(found)

    def _like(self, word: str) -> list[str]:
        import numpy as np

        if len(word) < MIN_TYPO_LETTERS or word in self._exact:  # spelled_like: [] for an exact name
            return []
        limit = 1 if len(word) < 9 else 2
        empty = np.zeros(0, dtype=np.int64)
        first, second = self._leads.get(f"1{word[:1]}", empty), self._leads.get(f"2{word[1:2]}", empty)
        rows = np.concatenate([first, second[self._first[second] != word[:1]]])
        rows = rows[np.abs(self._lengths[rows] - len(word)) <= limit]
        if len(rows):
            rows = rows[np.abs(self._counts[rows] - _letter_counts(word)).sum(axis=1) <= 2 * limit]
        return [self.names[i] for i in rows.tolist() if _edits(word, self._letters[i], limit) <= limit]


def _letter_counts(word: str):
    """How many of each letter a-z `word` (letters_only) holds, as 26 int16."""
    import numpy as np

    codes = np.frombuffer(word.encode("ascii"), dtype=np.uint8) - ord("a")
    return np.bincount(codes, minlength=26).astype(np.int16)


def _edits(a: str, b: str, limit: int) -> int:
    """Edit distance with adjacent swaps (optimal string alignment), or limit + 1 once it is over."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
