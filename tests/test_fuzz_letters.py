"""Fuzzing parse_letter: whatever the bytes, only LetterError may escape.

Inputs: random bytes and text; seed letters mutated (byte flips, truncations, insertions of
bytes, text or parser keywords, digit changes, deletions, splices of two seeds); seed lines
shuffled; seeds with their fields (council, addressee, dates, grades) refilled at random.
When a Letter comes back it must be self-consistent: spans slice its text, grades are 1-4,
chunks are exact spans. 3,000 examples in all; nothing is written to the working directory
(no database, and Hypothesis's cache goes to a temporary folder).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from index import kinds
from index.chunks import chunk_letter
from index.errors import LetterError
from index.letters import Letter, normalise, parse_letter

pytestmark = pytest.mark.slow  # hypothesis: hundreds of generated letters

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
SEED_BYTES = [path.read_bytes() for path in sorted(SEEDS_DIR.glob("*.txt"))]
NAME = "fuzz/letter.txt"

# Even with database=None, Hypothesis caches into ./.hypothesis, and it does so while pytest
# collects, before any fixture runs: point it at a fixed folder under the system temp dir.
if not os.getenv("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "letters-qa-hypothesis")


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,  # no .hypothesis/ folder in the working directory
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def check(data: bytes) -> Letter | None:
    """Parse and check; a LetterError must name the file and give a reason."""
    try:
        letter = parse_letter(data, NAME)
    except LetterError as exc:
        assert exc.path == NAME and exc.reason
        assert str(exc).startswith(f"{NAME}: ")
        return None
    check_letter(letter)
    return letter


def check_letter(letter: Letter) -> None:
    text = letter.text
    assert normalise(text) == text, "the stored text is not in normal form"
    assert letter.council == " ".join(letter.council.split()) and any(c.isalpha() for c in letter.council)
    assert letter.recipient is None or letter.recipient.strip()
    assert letter.short_name and letter.kind in kinds.KEYS
    kind = kinds.get(letter.kind)
    # A mutated letter may lose its heading and be read as another kind (or a generic letter,
    # which has no scale and so no ratings); whatever it is read as, its ratings are that kind's.
    assert kind.graded or not letter.ratings
    areas = [rating.area for rating in letter.ratings]
    assert len(areas) == len(set(areas)) and all(area in {a.key for a in kind.areas} for area in areas)
    for rating in letter.ratings:
        assert 1 <= rating.grade <= 4
        assert rating.label == kind.scale.labels[rating.grade]
        assert 0 <= rating.start < rating.end <= len(text)
        assert text[rating.start : rating.end].strip(), "a rating span with no text"
    previous_end = 0
    for section in letter.sections:
        assert previous_end <= section.start <= section.end <= len(text)
        previous_end = section.end
    titles = {section.title for section in letter.sections}
    for chunk in chunk_letter(letter):
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert chunk.text == text[chunk.start : chunk.end]
        assert (chunk.council, chunk.year, chunk.kind) == (letter.council, letter.year, letter.kind)
        assert chunk.section in titles


# --- strategies ----------------------------------------------------------------------------

seeds = st.sampled_from(SEED_BYTES)

# Words and bytes the parser keys on (an AFL-style dictionary): random bytes rarely spell them.
TOKENS = [
    b"Dear ", "Dear \u2028".encode(), b"Dear Mr ", b" Council", b"Grade ", b"Grade 9", b"Performs ", b" perform ",
    b"Children's services in ", b"Children's services in    perform well.", b"Children's services rating\t",
    b"Children's services annual rating", b"Staying safe\t", b"Yours sincerely", b"Divisional Manager",
    b"Annual performance assessment of services for children and young people in ",
    b" (0)", b" (7)", b"\t", b"|", b"## ", b"- ", b"\r\n", b"\r", b"\n\n", b"\f", "▪".encode(), b"\x95",
    b'<ul style="list-style-type: none">', b"</ul>", b"<", "\u2028".encode(), "\u00a0".encode(), b"\xa0",
    "’".encode(), b"\x92", b"\xef\xbb\xbf", b"\xff\xfe",
]
EDITS = ["flip", "truncate", "insert_bytes", "insert_text", "token", "token", "digit", "delete", "splice"]


@st.composite
def mutated_seeds(draw: st.DrawFn) -> bytes:
    """A seed letter with one to four random edits, half of them at a line end."""
    data = bytearray(draw(seeds))
    for _ in range(draw(st.integers(1, 4))):
        line_ends = [m.start() for m in re.finditer(b"\n", data)] or [len(data)]
        at = draw(st.integers(0, len(data)) | st.sampled_from(line_ends))
        edit = draw(st.sampled_from(EDITS))
        if edit == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif edit == "truncate":
            del data[at:]
        elif edit == "insert_bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif edit == "insert_text":
            data[at:at] = draw(st.text(min_size=1, max_size=16)).encode("utf-8", "surrogatepass")
        elif edit == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif edit == "digit" and (digits := [m.start() for m in re.finditer(rb"[0-9]", data)]):
            data[draw(st.sampled_from(digits))] = draw(st.integers(0x30, 0x39))
        elif edit == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif edit == "splice":
            other = draw(seeds)
            data[at:] = other[draw(st.integers(0, len(other))) :]
    return bytes(data)


@st.composite
def spliced_seeds(draw: st.DrawFn) -> bytes:
    """The head of one seed joined to the tail of another (or the same) seed."""
    first, second = draw(seeds), draw(seeds)
    return first[: draw(st.integers(0, len(first)))] + second[draw(st.integers(0, len(second))) :]


@st.composite
def shuffled_lines(draw: st.DrawFn) -> bytes:
    """Lines drawn from the seeds in any order: letter-shaped text the parser has never seen."""
    lines = [line for seed in SEED_BYTES for line in seed.split(b"\n")]
    picked = draw(st.lists(st.sampled_from(lines), min_size=1, max_size=60))
    newline = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    return newline.join(picked)


# A field value: any text, or only whitespace of the kinds str.split() knows but the regexes may not.
field_values = st.text(max_size=40) | st.text(alphabet=" \t\u00a0\u2028\u3000\x85", max_size=5)
# The fields' slots in the seeds: council names, the salutation's name, dates, grades.
FIELDS = re.compile(
    r"(?P<council>(?:Stockport Metropolitan Borough|Stockton-on-Tees Borough|Trafford Metropolitan Borough"
    r"|Stoke-on-Trent City) Council)|(?<=Dear )(?P<name>[^\n]+)|(?P<date>\d{1,2} December (?:2008|2009))"
    r"|(?<=\()(?P<grade>[1-4])(?=\))|(?<=\t)(?P<cell>[1-4])$|(?<=Grade )(?P<apa>[1-4])$",
    re.M,
)


@st.composite
def letters_from_parts(draw: st.DrawFn) -> bytes:
    """A seed with its fields (council, addressee, dates, grades) refilled with random values."""

    def refill(match: re.Match[str]) -> str:
        if match.lastgroup in ("grade", "cell", "apa"):
            return str(draw(st.integers(0, 9)))
        if match.lastgroup == "date":
            month = draw(st.sampled_from(["December", "Smarch", ""]))
            return f"{draw(st.integers(0, 40))} {month} {draw(st.integers())}"
        return draw(field_values) if draw(st.booleans()) else match.group(0)

    text = FIELDS.sub(refill, draw(seeds).decode("utf-8"))
    return text.encode(draw(st.sampled_from(["utf-8", "utf-16", "cp1252"])), "replace")


# --- the fuzz tests --------------------------------------------------------------------------


@fuzz(600)
@given(st.binary(max_size=3000))
def test_random_bytes(data):
    check(data)


@fuzz(300)
@given(st.text(max_size=400).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_random_text(data):
    check(data)


@fuzz(900)
@given(mutated_seeds())
def test_mutated_seeds(data):
    check(data)


@fuzz(250)
@given(spliced_seeds())
def test_spliced_seeds(data):
    check(data)


@fuzz(250)
@given(shuffled_lines())
def test_shuffled_seed_lines(data):
    check(data)


@fuzz(700)
@given(letters_from_parts())
def test_letters_from_parts(data):
    check(data)


def test_the_checks_accept_every_seed():
    """The seeds themselves pass the fuzz checks (so a failure above is the parser's, not the check's)."""
    letters = [check(seed) for seed in SEED_BYTES]
    assert all(letters) and len(letters) == 5
