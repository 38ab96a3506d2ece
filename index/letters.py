"""Read one letter file: decode, clean up, find its metadata, sections and ratings.

`read_letter(path)` returns a Letter whose `text` is the normalised text (UTF-8, UTF-16
with a BOM, or Windows-1252 decoded, LF line endings, no-break spaces made plain, HTML tags
and bullet glyphs turned into plain "- " items, trailing spaces and runs of blank lines
removed). Every span in the project is an offset into that text.

Which kind a letter is, and how its kind names the council, the year and the ratings, is
index/kinds' business; an Ofsted letter of no known kind is a generic letter (no ratings).
But: - a text that names neither a known kind nor Ofsted raises LetterError, as does one
naming no council. - Headings are found by shape, so an unusual heading style may merge two
sections; ratings do not depend on sections.
"""

from __future__ import annotations

import codecs
import datetime
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from index import kinds
from index.blocks import blocks, heading_title
from index.councils import canonical
from index.errors import LetterError
from index.formats import MAX_DOCUMENT_BYTES, MAX_LETTER_CHARS, extract_text, is_document
from index.kinds import Kind, Rating

# What a letter may be. A file may be larger than its text (a document's fonts and images), so
# bytes are capped per format (size_cap) and the text on its own; the real letters for scale:
# the longest (seeds/001_..., an APA letter) is 13,464 bytes, 13,327 characters and 81 chunks.
MAX_LETTER_BYTES = 2_000_000  # a text letter file (documents: index.formats.MAX_DOCUMENT_BYTES)
# MAX_LETTER_CHARS (index.formats): 150,000 characters of text, 11x the longest letter.
MAX_LETTER_CHUNKS = 1_000  # passages to embed: 12x the longest letter's 81 (each costs ~13 ms of CPU to embed)


@dataclass(frozen=True)
class Section:
    """A titled part of the letter body; text[start:end] is its body, heading excluded."""

    title: str
    start: int
    end: int


@dataclass(frozen=True)
class Letter:
    name: str  # path relative to the letters folder, as citations report it
    text: str
    council: str  # as the letter names it: "Stoke-on-Trent City Council"
    short_name: str  # for matching: "Stoke-on-Trent"
    year: int
    kind: str  # a key of index.kinds: "annual_rating", "apa", ..., "letter" for a generic Ofsted letter
    date: str | None
    recipient: str | None
    signatory: str | None
    sections: tuple[Section, ...] = field(repr=False)
    ratings: tuple[Rating, ...]


def read_letter(path: str | Path, name: str | None = None, max_bytes: int | None = None) -> Letter:
    """Parse the letter at `path`; raise LetterError naming the file and the reason.

    A .pdf, .docx, .html or .htm file is read by index.formats (cap MAX_DOCUMENT_BYTES unless
    max_bytes says otherwise), any other as a text letter (cap MAX_LETTER_BYTES).
    """
    path = Path(path)
    name = name or path.name
    return parse_letter(read_capped(path, name, max_bytes if max_bytes is not None else size_cap(name)), name)


def size_cap(name: str) -> int:
    """The most bytes a letter file may have: 20 MB for a PDF, Word or HTML document, 2 MB for text.
    The folder scan, the intake and the uploads all ask here."""
    return MAX_DOCUMENT_BYTES if is_document(name) else MAX_LETTER_BYTES


def read_capped(path: Path, name: str, max_bytes: int) -> bytes:
    """The file's bytes, never more than max_bytes + 1 of them.

    The size is judged by what is read, not by stat: a file that grows after stat, or a
    device whose stat says 0 bytes but never ends (/dev/zero behind a symlink), stops here.
    """
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
            size = os.fstat(file.fileno()).st_size
    except OSError as exc:
        raise LetterError(name, f"cannot read file ({exc.strerror or exc})") from None
    if len(data) > max_bytes:
        # A device or a growing file has no honest size to report: say only that it is over.
        known = size > max_bytes
        stated = f"{size:,} bytes; the cap is {max_bytes:,}" if known else f"over the cap of {max_bytes:,} bytes"
        raise LetterError(name, f"file is too large ({stated})")
    return data


NOT_OFSTED = "not an Ofsted letter (no known letter heading, and Ofsted is not named)"


def parse_letter(data: bytes | str, name: str) -> Letter:
    """Parse a letter from its bytes (a document format's, by its name's suffix) or its text (see read_letter)."""
    if isinstance(data, str):
        text = data
    else:
        text = extract_text(data, name) if is_document(name) else decode(data, name)
    _check_length(text, name)
    text = normalise(text)
    if not text.strip():
        raise LetterError(name, "empty file")
    kind = kinds.recognise(text)
    if kind is None:
        raise LetterError(name, NOT_OFSTED)
    council = find_council(text, kind)
    if council is None:
        raise LetterError(name, "not a letter to a council (no council name found)")
    date = _first(_DATE, text)
    year = _year(text, kind, date)
    future = future_problem(date, year)
    if future:
        raise LetterError(name, future)
    letter = Letter(
        name=name,
        text=text,
        council=council,
        short_name=short_name(council),
        year=year,
        kind=kind.key,
        date=date,
        recipient=_recipient(text),
        signatory=_signatory(text),
        sections=tuple(split_sections(text)),
        ratings=tuple(kind.ratings(text)),
    )
    _check_chunks(letter)
    return letter


def _check_length(text: str, name: str) -> None:
    """LetterError when the text is longer than any letter (MAX_LETTER_CHARS)."""
    if len(text) > MAX_LETTER_CHARS:
        raise LetterError(name, f"too much text for a letter ({len(text):,} characters; the cap is "
                                f"{MAX_LETTER_CHARS:,})")


def _check_chunks(letter: Letter) -> None:
    """LetterError when the letter would make more passages than any letter (MAX_LETTER_CHUNKS)."""
    from index.chunks import chunk_letter  # index.chunks imports this module

    count = len(chunk_letter(letter))
    if count > MAX_LETTER_CHUNKS:
        raise LetterError(letter.name, f"too many passages for a letter ({count:,}; the cap is "
                                       f"{MAX_LETTER_CHUNKS:,})")


FUTURE_SKEW = datetime.timedelta(days=1)  # a clock a day behind the letter's own is allowed for


def today() -> datetime.date:
    """Today's date, as letters are judged by (tests replace it)."""
    return datetime.date.today()


def future_problem(date: str | None, year: int) -> str | None:
    """Why a letter cannot be right because it is dated after today ("dated 9 December 2099, after
    today"), or is about a year after this one; None when it is not. A letter dated in the future
    would become "the latest" that list questions default to, hiding every real one."""
    latest = today() + FUTURE_SKEW
    if date:
        try:
            dated = datetime.datetime.strptime(date, "%d %B %Y").date()
        except ValueError:  # "31 February 2010": not a date to judge by
            dated = None
        if dated is not None and dated > latest:
            return f"dated {date}, after today"
    if year > latest.year:
        return f"about {year}, after this year"
    return None


# --- decoding and clean-up -------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(data: bytes, name: str) -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM (Notepad's "Unicode"), else Windows-1252.

    Windows-1252 decodes almost any bytes, so binary data is caught by its NUL bytes (which
    UTF-16 text is full of, hence the BOM check first) or its share of control characters.
    """
    utf16 = data.startswith(_UTF16_BOMS)
    if b"\x00" in data and not utf16:
        raise LetterError(name, "binary file (contains NUL bytes), not a text letter")
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        if utf16:
            raise LetterError(name, "cannot decode text: not UTF-16, though it starts with a UTF-16 byte-order mark")
        raise LetterError(name, "cannot decode text: neither UTF-8 nor Windows-1252")
    if len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise LetterError(name, "binary file (control characters), not a text letter")
    return text


_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,500}>")
# Spaces are taken only from where their run starts: tried inside a long run, "[ \t]*" scanned
# the rest of it again from every space (quadratic). tests/test_linear_time.py times every
# reader of letters on such runs.
_BULLET_GLYPH = re.compile(r"(?<![ \t])[ \t]++[▪•●■◦][ \t]*|[▪•●■◦][ \t]*")
# No-break and other fixed-width spaces (HTML &nbsp;, Word): the patterns expect plain spaces.
_ODD_SPACE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_BLANK_RUN = re.compile(r"\n{3,}")
# An APA subheading glued to the list item above it ("...6.9%.\nImportant weaknesses ...") starts its own block.
_GLUED_SUBHEADING = re.compile(
    rf"(?<=[^\n])\n(?=(?:{kinds.SUBHEADING_WORDS})[ \t]*\n)", re.I)


# A subheading or a judgement area's title set straight above its list or its "Grade 3" line (as
# some letters and most PDF extractions have it) gets a blank line after it: a block of its own.
_SUBHEADING_ON_TOP = re.compile(rf"^((?:{kinds.SUBHEADING_WORDS})[ \t]*)\n(?=[^\n])", re.I | re.M)
_TITLE_ON_GRADE = re.compile(r"^([^\n]{1,120})\n(?=Grade[ \t]+[1-4][ \t]*(?:\n|$))", re.M)


def normalise(text: str) -> str:
    """LF endings, plain spaces, no HTML tags, bullet glyphs as "- " items, no trailing spaces or blank runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _ODD_SPACE.sub(" ", text)
    text = _HTML_TAG.sub("", text)
    text = _BULLET_GLYPH.sub("\n- ", text)
    text = _CONTROL.sub("", text)
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    lines = ["" if not line.strip(" \t") else line for line in lines]
    text = _GLUED_SUBHEADING.sub("\n\n", "\n".join(lines))
    text = _TITLE_ON_GRADE.sub(r"\1\n\n", _SUBHEADING_ON_TOP.sub(r"\1\n\n", text))
    return _BLANK_RUN.sub("\n\n", text).strip("\n")


# --- metadata --------------------------------------------------------------------------

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(\d{{1,2}} (?:{_MONTHS}) (?:19|20)\d\d)\b")
# "Northwold County Council", "Blackburn with Darwen Borough Council", or a London borough
# named without "Council" ("London Borough of Barnet", "Royal Borough of Greenwich").
_ADDRESS_COUNCIL = re.compile(
    r"^[ \t]*(?P<council>(?:[A-Z][\w’'-]*[ \t]+(?:(?:of|upon|and|the|with)[ \t]+)?){1,6}Council"
    r"|(?:London|Royal) Borough of[ \t]+[A-Z][\w’'-]*(?:[ \t]+(?:(?:of|upon|and|the)[ \t]+)?[A-Z][\w’'-]*){0,4}"
    r")[ \t]*$",
    re.M,
)
# short_name's fallback for councils not in index.councils, longest first. Plain string
# tests, not a regex: user queries reach short_name, and "\s+...\s*" backtracks on long spaces.
_SUFFIXES = (
    " metropolitan borough council", " metropolitan district council", " royal borough council",
    " borough council", " county council", " district council", " city council", " council", " corporation",
)
_PREFIXES = ("london borough of ", "royal borough of ", "city of ", "the ")


def find_council(text: str, kind: Kind) -> str | None:
    """The council as the letter names it: from its kind's own sentence first, else the address block,
    else its kind's title ("Focused visit to Northwold children's services" names it shorter)."""
    address = _ADDRESS_COUNCIL.search(_header(text))
    addressed = " ".join(address.group("council").split()) if address else None
    for council in (kind.council(text), addressed, kind.title_council(text)):
        # The sentence patterns take any run of characters; a name has letters in it.
        if council and any(char.isalpha() for char in council):
            return council
    return None


def short_name(council: str) -> str:
    """"Stoke-on-Trent City Council" -> "Stoke-on-Trent"; used to match questions.

    A known authority gets its canonical short name ("City of London Corporation" -> "City of
    London", "Hull City Council" -> "Kingston upon Hull"); any other council loses one
    "... Council"/"... Corporation" suffix and one "London Borough of"-style prefix.
    """
    known = canonical(council)
    if known:
        return known
    short = " ".join(council.split())
    suffix = next((s for s in _SUFFIXES if short.lower().endswith(s)), "")
    short = short[: len(short) - len(suffix)]
    prefix = next((p for p in _PREFIXES if short.lower().startswith(p)), "")
    return short[len(prefix):] or council


def _year(text: str, kind: Kind, date: str | None) -> int:
    """The year the letter is about (its title's), else the year it is dated, else its first year."""
    year = kind.year(text)
    if year:
        return year
    if date:
        return int(date[-4:])
    match = re.search(r"\b(20\d\d)\b", text)
    return int(match.group(1)) if match else 0


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None


# The name runs to the line's last character that is not a space or comma (a lone "," when
# there is none): a lazy name before "[ \t,]*$" rescanned the tail from each of its characters.
_SALUTATION = re.compile(r"^[ \t]*Dear[ \t]++(?P<name>[^\n]*[^ \t,\n]|,)[ \t,]*$", re.M)
_TITLE_NAME = r"(?:Mr|Mrs|Ms|Miss|Dr|Professor|Cllr|Councillor)\.?"


def _header(text: str) -> str:
    salutation = _SALUTATION.search(text)
    return text[: salutation.start()] if salutation else text[:1500]


def _recipient(text: str) -> str | None:
    """"Mr Andrew Webb": the addressee's full name from the address block, else the salutation's."""
    salutation = _SALUTATION.search(text)
    if not salutation:
        return None
    words = salutation.group("name").split()
    if not words:  # "Dear" and only odd whitespace that normalise keeps (U+2028, U+0085)
        return None
    surname = words[-1]
    full = re.search(rf"\b{_TITLE_NAME}[ \t]+(?:[A-Z][\w'’.-]*[ \t]+){{0,3}}?{re.escape(surname)}\b", _header(text))
    return full.group(0) if full else salutation.group("name")


_ROLE = r"(?:Divisional Manager|Director|Manager|Inspector|HMI|Chief)"
_ROLE_PREFIX = r"(?:(?:Divisional|Deputy|Regional|National|(?:Her|His) Majesty['’]s)[ \t]+)?"


def _signatory(text: str) -> str | None:
    """The signing person's name: the line before (or the words before) their role."""
    tail = text[-600:]
    found = None
    word = rf"(?!{_ROLE})[A-Z][a-z'’-]+"
    signed = re.compile(rf"(?P<name>{word}(?:[ \t]+{word}){{1,3}})[ \t]*\n*[ \t]*{_ROLE_PREFIX}{_ROLE}")
    for found in signed.finditer(tail):
        pass
    return found.group("name") if found else None


# --- sections --------------------------------------------------------------------------

_SIGN_OFF = re.compile(r"^[ \t]*Yours (?:sincerely|faithfully)", re.I | re.M)
SUBHEADINGS = kinds.SUBHEADINGS  # "Major strengths", "Key areas for further development", ...


def body_span(text: str) -> tuple[int, int]:
    """Where the letter's body lies: after the salutation, before the sign-off."""
    salutation = _SALUTATION.search(text)
    start = salutation.end() if salutation else 0
    sign_off = _SIGN_OFF.search(text, start)
    if sign_off:
        return start, sign_off.start()
    # No "Yours sincerely": stop before the signature lines (short name lines, role line).
    end = len(text)
    for block in reversed(list(blocks(text, start, end))[-3:]):
        words = text[block[0] : block[1]].split()
        if len(words) <= 8 and not text[block[1] - 1 : block[1]] == ".":
            end = block[0]
        else:
            break
    return start, end


def split_sections(text: str) -> list[Section]:
    """Sections of the body; an APA strengths/weaknesses list is titled "Area: Major strengths"."""
    start, end = body_span(text)
    sections: list[Section] = []
    title, parent, body_start = "Letter", "Letter", start
    for block_start, block_end in blocks(text, start, end):
        heading = heading_title(text[block_start:block_end])
        if heading is None:
            continue
        if block_start > body_start and text[body_start:block_start].strip():
            sections.append(Section(title, body_start, block_start))
        if SUBHEADINGS.match(heading):
            title = f"{parent}: {heading}"
        else:
            title = parent = heading
        body_start = block_end
    if text[body_start:end].strip():
        sections.append(Section(title, body_start, end))
    return sections
