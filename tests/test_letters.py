"""The letter-reading layer: read_letter, ratings with spans, sections, chunks, boilerplate.

Every seed is checked against values read off the letter by eye, then rebuilt in the
messy shapes real files come in (CRLF, Windows-1252, markdown or plain headings, a
missing rating number, a one-line address, HTML bullets) to check the same facts come
out. Bad files must raise LetterError naming the file and the reason.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from index.chunks import Chunk, chunk_letter, text_fingerprint
from index.errors import LetterError
from index.kinds import apa
from index.kinds.scales import APA_GRADES as APA_SCALE
from index.kinds.scales import PERFORMS
from index.letters import Letter, parse_letter, read_letter

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
APA_SEED = "001_e96dc17fe53b9130.txt"
STOKE_SEED = "004_2db2c4d829b3adf3.txt"

APA_GRADES = [
    ("overall", 3), ("being_healthy", 3), ("staying_safe", 4), ("enjoying_achieving", 3),
    ("positive_contribution", 4), ("economic_wellbeing", 3), ("capacity_to_improve", 4),
]

# What a careful reader takes from each letter. Ratings: (area, label, grade, stated text).
EXPECTED = {
    "000_be5145f8e9499e13.txt": dict(
        council="Stockport Metropolitan Borough Council", short_name="Stockport", year=2009,
        kind="annual_rating", date="9 December 2009", recipient="Mr Andrew Webb",
        signatory="Juliet Winstanley",
        ratings=[("overall", "Performs well", 3,
                  "Children's services in Stockport Metropolitan Borough Council perform well.")],
    ),
    APA_SEED: dict(
        council="Stockport Metropolitan Borough Council", short_name="Stockport", year=2008,
        kind="apa", date="17 December 2008", recipient="Mr Andrew Webb",
        signatory="Juliet Winstanley",
        ratings=[
            ("overall", "Good", 3, "Overall effectiveness of children's services\t3"),
            ("being_healthy", "Good", 3, "Being healthy\t3"),
            ("staying_safe", "Outstanding", 4, "Staying safe\t4"),
            ("enjoying_achieving", "Good", 3, "Enjoying and achieving\t3"),
            ("positive_contribution", "Outstanding", 4, "Making a positive contribution\t4"),
            ("economic_wellbeing", "Good", 3, "Achieving economic well-being\t3"),
            ("capacity_to_improve", "Outstanding", 4,
             "Capacity to improve, including the management of services for children and young people\t4"),
        ],
    ),
    "002_eaefc0db6d347781.txt": dict(
        council="Stockton-on-Tees Borough Council", short_name="Stockton-on-Tees", year=2009,
        kind="annual_rating", date="9 December 2009", recipient="Ms Jane Humphreys",
        signatory="Juliet Winstanley",
        ratings=[("overall", "Performs well", 3,
                  "Children's services in Stockton-on-Tees Borough Council perform well.")],
    ),
    "003_e59f001d04c76981.txt": dict(
        council="Trafford Metropolitan Borough Council", short_name="Trafford", year=2009,
        kind="annual_rating", date="9 December 2009", recipient="Mr Chris Pratt",
        signatory="Juliet Winstanley",
        ratings=[("overall", "Performs well", 3,
                  "Children's services in Trafford Metropolitan Borough Council perform well.")],
    ),
    STOKE_SEED: dict(
        council="Stoke-on-Trent City Council", short_name="Stoke-on-Trent", year=2009,
        kind="annual_rating", date="9 December 2009", recipient="Mr Ged Rowney",
        signatory="Juliet Winstanley",
        ratings=[("overall", "Performs adequately", 2,
                  "Children's services in Stoke-on-Trent City Council perform adequately.")],
    ),
}
SEEDS = sorted(EXPECTED)
ANNUAL_SEEDS = [name for name in SEEDS if EXPECTED[name]["kind"] == "annual_rating"]
AREA_PATTERNS = {area.key: area.pattern for area in apa.AREAS}


# --- helpers ---------------------------------------------------------------------------


def seed_text(name: str) -> str:
    return (SEEDS_DIR / name).read_text(encoding="utf-8")


def write_and_read(tmp_path: Path, name: str, data: bytes) -> Letter:
    path = tmp_path / name
    path.write_bytes(data)
    return read_letter(path)


def facts(letter: Letter) -> dict:
    """What must survive any messy rendering of the same letter."""
    return dict(
        council=letter.council, short_name=letter.short_name, year=letter.year, kind=letter.kind,
        date=letter.date, recipient=letter.recipient, signatory=letter.signatory,
        ratings=[(r.area, r.label, r.grade) for r in letter.ratings],
    )


def expected_facts(name: str) -> dict:
    want = dict(EXPECTED[name])
    want["ratings"] = [(area, label, grade) for area, label, grade, _ in want["ratings"]]
    return want


def scale_table_span(text: str) -> tuple[int, int]:
    """Where the scale table every letter repeats lies (annual: 4..1 rows; APA: the starred key)."""
    found = re.search(r"^4\tPerforms excellently.*?^1\tPerforms poorly[^\n]*", text, re.S | re.M)
    found = found or re.search(r"^\*?Inspectors make judgements based on the following scale.*?inadequate\*?", text,
                               re.S | re.M)
    assert found, "no scale table found"
    return found.span()


def assert_rating_stated(letter: Letter) -> None:
    """Each rating span slices back to the letter's own rating sentence or table row."""
    table_start, table_end = scale_table_span(letter.text)
    for rating in letter.ratings:
        assert 0 <= rating.start < rating.end <= len(letter.text)
        stated = letter.text[rating.start : rating.end]
        assert rating.end <= table_start or rating.start >= table_end, f"{stated!r} lies in the scale table"
        assert 1 <= rating.grade <= 4
        if letter.kind == "annual_rating":
            word = rating.label.split()[-1]
            assert rating.label == PERFORMS.labels[rating.grade]
            assert re.fullmatch(
                rf"Children['’]s services in {re.escape(letter.council)} perform {word}\."
                rf"|Children['’]s services rating\tPerforms {word}(?: \({rating.grade}\))?",
                stated,
            ), stated
        else:
            assert rating.label == APA_SCALE.labels[rating.grade]
            # A table row "Staying safe<TAB>4", or a heading followed by "Grade 4".
            assert re.match(AREA_PATTERNS[rating.area], stated), stated
            assert stated.endswith(str(rating.grade)), stated


def assert_spans_slice(letter: Letter, chunks: list[Chunk]) -> None:
    text = letter.text
    previous_end = 0
    for section in letter.sections:
        assert previous_end <= section.start <= section.end <= len(text), section
        previous_end = section.end
    for chunk in chunks:
        assert 0 <= chunk.start < chunk.end <= len(text)
        assert chunk.text == text[chunk.start : chunk.end]
        assert (chunk.letter, chunk.council, chunk.year, chunk.kind) == (
            letter.name, letter.council, letter.year, letter.kind)
        assert any(s.title == chunk.section and s.start <= chunk.start and chunk.end <= s.end
                   for s in letter.sections), f"chunk {chunk.text[:40]!r} outside its section {chunk.section!r}"


def chunk_with(chunks: list[Chunk], phrase: str) -> Chunk:
    found = [chunk for chunk in chunks if phrase in chunk.text]
    assert len(found) == 1, f"{len(found)} chunks contain {phrase!r}"
    return found[0]


# --- the seeds as they are -------------------------------------------------------------


def test_all_five_seeds_are_covered():
    assert sorted(p.name for p in SEEDS_DIR.glob("*.txt")) == SEEDS


@pytest.mark.parametrize("name", SEEDS)
def test_seed_metadata(name):
    letter = read_letter(SEEDS_DIR / name)
    want = EXPECTED[name]
    assert letter.name == name
    assert (letter.council, letter.short_name, letter.year, letter.kind) == (
        want["council"], want["short_name"], want["year"], want["kind"])
    assert (letter.date, letter.recipient, letter.signatory) == (
        want["date"], want["recipient"], want["signatory"])


@pytest.mark.parametrize("name", SEEDS)
def test_seed_ratings_and_their_spans(name):
    letter = read_letter(SEEDS_DIR / name)
    got = [(r.area, r.label, r.grade, letter.text[r.start : r.end]) for r in letter.ratings]
    assert got == EXPECTED[name]["ratings"]
    assert_rating_stated(letter)


def test_apa_grades_in_table_order():
    letter = read_letter(SEEDS_DIR / APA_SEED)
    assert [(r.area, r.grade) for r in letter.ratings] == APA_GRADES
    assert [r.area for r in letter.ratings] == [area.key for area in apa.AREAS]
    overall = letter.ratings[0]
    assert (overall.label, overall.grade) == ("Good", 3)


def test_stockton_grade_comes_from_the_scale_word():
    text = seed_text("002_eaefc0db6d347781.txt")
    assert "Children's services rating\tPerforms well\n" in text  # the letter gives no "(3)"
    (rating,) = read_letter(SEEDS_DIR / "002_eaefc0db6d347781.txt").ratings
    assert (rating.label, rating.grade) == ("Performs well", 3)


def test_row_grade_wins_when_the_sentence_disagrees():
    """If the table row says (2) but the sentence says "well", the row's grade and span are used."""
    text = seed_text(STOKE_SEED).replace("perform adequately.", "perform well.")
    letter = parse_letter(text.encode(), "edited.txt")
    (rating,) = letter.ratings
    assert (rating.label, rating.grade) == ("Performs adequately", 2)
    assert letter.text[rating.start : rating.end] == "Children's services rating\tPerforms adequately (2)"
    # The sentence says otherwise: the rating carries its span, so answers show both.
    assert letter.text[rating.conflict[0] : rating.conflict[1]] == (
        "Children's services in Stoke-on-Trent City Council perform well.")


def test_a_table_word_that_disagrees_with_its_number_is_a_conflict():
    """Table "Performs excellently (2)", sentence "perform adequately": the number and the
    sentence agree, the sentence is cited, and the table row is the conflicting span."""
    text = seed_text(STOKE_SEED).replace("Performs adequately (2)", "Performs excellently (2)")
    letter = parse_letter(text.encode(), "edited.txt")
    (rating,) = letter.ratings
    assert (rating.label, rating.grade) == ("Performs adequately", 2)
    assert letter.text[rating.start : rating.end].endswith("perform adequately.")
    conflict = letter.text[rating.conflict[0] : rating.conflict[1]]
    assert conflict == "Children's services rating\tPerforms excellently (2)"


@pytest.mark.parametrize("name", SEEDS)
def test_sections_and_chunks_are_exact_spans(name):
    letter = read_letter(SEEDS_DIR / name)
    chunks = chunk_letter(letter)
    assert letter.sections and chunks
    assert_spans_slice(letter, chunks)


@pytest.mark.parametrize("name", ANNUAL_SEEDS)
def test_annual_sections(name):
    letter = read_letter(SEEDS_DIR / name)
    titles = [section.title for section in letter.sections]
    assert titles == ["Children's services annual rating", "Children's services rating 2009"]
    # The body stops before the sign-off: the signature is not part of any section.
    assert all("Winstanley" not in letter.text[s.start : s.end] for s in letter.sections)


def test_apa_sections():
    titles = [s.title for s in read_letter(SEEDS_DIR / APA_SEED).sections]
    assert titles[0].startswith("Annual performance assessment of services for children and young people in Stockport")
    for title in ("Staying safe", "Being healthy: Major strengths",
                  "Being healthy: Important weaknesses and areas for development", "Achieving economic well-being"):
        assert title in titles


# --- boilerplate -------------------------------------------------------------------------


@pytest.mark.parametrize("name", SEEDS)
def test_boilerplate_chunks(name):
    letter = read_letter(SEEDS_DIR / name)
    chunks = chunk_letter(letter)
    scale = "4\tPerforms excellently" if letter.kind == "annual_rating" else "Inspectors make judgements based on"
    # Windows overlap, so a phrase may lie in two chunks: every one of them is boilerplate.
    standard = ("transitional year", "differing standards of provision") if letter.kind == "annual_rating" \
        else ("best fit", "rounded way")
    for phrase in (scale, "section 138", *standard):
        found = [chunk for chunk in chunks if phrase in chunk.text]
        assert found and all(chunk.boilerplate for chunk in found), phrase
    if letter.kind == "annual_rating":
        assert chunk_with(chunks, "Ofsted guidance published in May 2009").boilerplate
    # The letter's own findings are not boilerplate.
    assert not all(chunk.boilerplate for chunk in chunks)


def test_rating_sentence_chunk_is_not_boilerplate():
    chunks = chunk_letter(read_letter(SEEDS_DIR / STOKE_SEED))
    assert not chunk_with(chunks, "Children's services in Stoke-on-Trent City Council perform adequately.").boilerplate


@pytest.mark.parametrize("name", SEEDS)
def test_no_rating_is_stated_inside_boilerplate(name):
    """A rating is evidence about one council, so the chunk stating it must be citable."""
    letter = read_letter(SEEDS_DIR / name)
    for chunk in chunk_letter(letter):
        for rating in letter.ratings:
            if chunk.start <= rating.start and rating.end <= chunk.end:
                assert not chunk.boilerplate, f"{rating.area} stated in boilerplate chunk {chunk.text[:60]!r}"


def chunks_of(chunks: list[Chunk], letter: Letter, paragraph: str) -> list[Chunk]:
    """The letter's chunks that lie within `paragraph` (a long paragraph may be cut in several)."""
    start = letter.text.index(paragraph)
    found = [c for c in chunks if c.letter == letter.name and start <= c.start and c.end <= start + len(paragraph)]
    assert found and found[0].start == start and found[-1].end == start + len(paragraph)
    assert all(not letter.text[a.end : b.start].strip() for a, b in zip(found, found[1:]))  # no gaps
    return found


def test_fingerprint_ignores_case_spacing_and_apostrophe_style():
    assert text_fingerprint("The council’s  work.\n") == text_fingerprint("the council's work")
    assert text_fingerprint("Grade 3") != text_fingerprint("Grade 4")


# --- messy variants ----------------------------------------------------------------------

HEADING_LINE = re.compile(
    r"^(?:Children's services (?:annual )?rating(?: 2009)?|Annual performance assessment of .+"
    r"|Overall effectiveness of children.s services|Being healthy|Staying safe|Enjoying and achieving"
    r"|Making a positive contribution|Achieving economic well-being|Capacity to improve, including the management"
    r" of children's services|Major strengths|Important weaknesses and areas for development)$",
    re.M,
)


def crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


def cp1252(text: str) -> bytes:
    # "▪" has no Windows-1252 byte; Word writes its own bullet "•" (0x95) instead.
    return text.replace("'", "’").replace("▪", "•").encode("cp1252")


def toggle_markdown(text: str) -> bytes:
    """Markdown headings become plain lines; plain heading lines become "## " headings."""
    if re.search(r"^## ", text, re.M):
        return re.sub(r"^## ", "", text, flags=re.M).encode()
    return HEADING_LINE.sub(lambda m: "## " + m.group(0), text).encode()


def drop_rating_numbers(text: str) -> bytes:
    """"Performs adequately (2)" -> "Performs adequately"; APA table rows lose their grade column."""
    text = re.sub(r"(Performs \w+) \([1-4]\)", r"\1", text)
    return re.sub(r"^([A-Z][^\t\n]*)\t[1-4]$", r"\1", text, flags=re.M).encode()


def one_line_address(text: str) -> bytes:
    """The address block above "Dear ..." joined into one line."""
    lines = text.split("\n")
    end = next(i for i, line in enumerate(lines) if line.startswith("Dear ")) - 1
    while not lines[end].strip():
        end -= 1
    start = end
    while start > 0 and lines[start - 1].strip():
        start -= 1
    block = " ".join(line.strip() for line in lines[start : end + 1])
    return "\n".join(lines[:start] + [block] + lines[end + 1 :]).encode()


def html_bullets(text: str) -> bytes:
    """Lists as the HTML export writes them; a letter without lists gets one made of a paragraph."""

    def as_html(items: list[str]) -> str:
        return '<ul style="list-style-type: none"> ' + " ".join(f"▪ {item}" for item in items) + "</ul>"

    if re.search(r"^- ", text, re.M):
        return re.sub(r"^- [^\n]*(?:\n- [^\n]*)*",
                      lambda m: as_html([line[2:] for line in m.group(0).split("\n")]), text, flags=re.M).encode()
    paragraphs = text.split("\n\n")
    i = next(i for i, p in enumerate(paragraphs) if re.match(r"Children's services in .* perform \w+\.$", p)) + 1
    paragraphs[i] = as_html(re.split(r"(?<=\.) (?=[A-Z])", paragraphs[i]))
    return "\n\n".join(paragraphs).encode()


def nbsp(text: str) -> bytes:
    """Every space a no-break space, as HTML exports write &nbsp;."""
    return text.replace(" ", "\u00a0").encode()


def utf16(text: str) -> bytes:
    """Notepad's "Unicode": UTF-16 with a byte-order mark."""
    return text.encode("utf-16")


def everything_at_once(text: str) -> bytes:
    text = drop_rating_numbers(text).decode()
    text = toggle_markdown(text).decode()
    text = one_line_address(text).decode()
    text = html_bullets(text).decode()
    return cp1252(text).replace(b"\n", b"\r\n")


VARIANTS = {f.__name__: f for f in (crlf, cp1252, toggle_markdown, drop_rating_numbers, one_line_address,
                                     html_bullets, nbsp, utf16, everything_at_once)}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("name", SEEDS)
def test_messy_variant_gives_the_same_facts(tmp_path, name, variant):
    original = seed_text(name)
    data = VARIANTS[variant](original)
    # 002's address is one line already and its rating row has no number.
    if (name, variant) not in {("002_eaefc0db6d347781.txt", "one_line_address"),
                               ("002_eaefc0db6d347781.txt", "drop_rating_numbers")}:
        assert data != original.encode(), "the variant changed nothing"
    letter = write_and_read(tmp_path, name, data)
    assert facts(letter) == expected_facts(name)
    assert_rating_stated(letter)
    assert_spans_slice(letter, chunk_letter(letter))
    assert "\r" not in letter.text and "<ul" not in letter.text and "▪" not in letter.text


@pytest.mark.parametrize("name", SEEDS)
def test_variant_text_is_normalised_like_the_original(tmp_path, name):
    """CRLF, &nbsp;, UTF-16 and Windows-1252 change bytes, not the text spans point into (but apostrophes)."""
    plain = read_letter(SEEDS_DIR / name)
    assert write_and_read(tmp_path, "crlf.txt", crlf(seed_text(name))).text == plain.text
    assert write_and_read(tmp_path, "nbsp.txt", nbsp(seed_text(name))).text == plain.text
    assert write_and_read(tmp_path, "utf16.txt", utf16(seed_text(name))).text == plain.text
    windows = write_and_read(tmp_path, "cp1252.txt", cp1252(seed_text(name)))
    assert windows.text == plain.text.replace("'", "’").replace("▪", "•")
    assert [(r.start, r.end) for r in windows.ratings] == [(r.start, r.end) for r in plain.ratings]


def test_html_bullets_become_list_items(tmp_path):
    letter = write_and_read(tmp_path, "apa.txt", html_bullets(seed_text(APA_SEED)))
    assert "\n- Referral rates are below those found in similar areas.\n- The common assessment" in letter.text
    items = [c for c in chunk_letter(letter) if c.section == "Staying safe: Major strengths"]
    assert [c.text for c in items][0] == ("Referral rates are below those found in similar areas.\n"
                                          "- The common assessment framework has ensured over a third more children "
                                          "in need have received additional services.")


def test_utf8_bom_is_not_part_of_the_text(tmp_path):
    letter = write_and_read(tmp_path, "bom.txt", b"\xef\xbb\xbf" + (SEEDS_DIR / STOKE_SEED).read_bytes())
    assert letter.text == read_letter(SEEDS_DIR / STOKE_SEED).text


def test_read_letter_uses_the_given_name(tmp_path):
    letter = read_letter(SEEDS_DIR / STOKE_SEED, name="2009/stoke.txt")
    assert letter.name == "2009/stoke.txt"
    assert {chunk.letter for chunk in chunk_letter(letter)} == {"2009/stoke.txt"}


# --- bad input ---------------------------------------------------------------------------

NOT_A_LETTER = "not an Ofsted letter (no known letter heading, and Ofsted is not named)"
BAD_BYTES = {
    "empty": (b"", "empty file"),
    "whitespace": (b"  \n\r\n\t \n", "empty file"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
            "binary file (contains NUL bytes), not a text letter"),
    "controls": (b"Children's services annual rating " + b"\x01\x02\x03\x04\x05\x06" * 40,
                 "binary file (control characters), not a text letter"),
    "undecodable": (b"Children's services annual rating \x81\x8d\x8f in Stoke",
                    "cannot decode text: neither UTF-8 nor Windows-1252"),
    "bad_utf16": (b"\xff\xfe" + "Children's services".encode("utf-16-le") + b"\x00\xd8",  # a lone surrogate
                  "cannot decode text: not UTF-16, though it starts with a UTF-16 byte-order mark"),
    "utf16_binary": (b"\xff\xfe" + ("\x01\x02\x03" * 50).encode("utf-16-le"),
                     "binary file (control characters), not a text letter"),
    "hello": (b"hello world\n", NOT_A_LETTER),
    "no_council": (b"Children's services annual rating\n\nThe annual rating derives from a four point scale.\n",
                   "not a letter to a council (no council name found)"),
    "blank_council": (b"Children's services rating 2009\n\nChildren's services in     perform well.\n",
                      "not a letter to a council (no council name found)"),
}


def assert_letter_error(excinfo: pytest.ExceptionInfo[LetterError], name: str, reason: str) -> None:
    assert excinfo.value.path == name
    assert excinfo.value.reason == reason
    assert str(excinfo.value) == f"{name}: {reason}"


@pytest.mark.parametrize("case", BAD_BYTES)
def test_bad_file_raises_letter_error(tmp_path, case):
    data, reason = BAD_BYTES[case]
    path = tmp_path / f"{case}.txt"
    path.write_bytes(data)
    with pytest.raises(LetterError) as excinfo:
        read_letter(path)
    assert_letter_error(excinfo, f"{case}.txt", reason)


def test_file_over_the_size_cap(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes((SEEDS_DIR / STOKE_SEED).read_bytes())
    size = path.stat().st_size
    assert read_letter(path, max_bytes=size).council == "Stoke-on-Trent City Council"  # the cap itself is allowed
    with pytest.raises(LetterError) as excinfo:
        read_letter(path, max_bytes=1000)
    assert_letter_error(excinfo, "big.txt", f"file is too large ({size:,} bytes; the cap is 1,000)")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_file_stops_at_the_cap(tmp_path):
    """A file whose size says 0 but never ends (a device behind a symlink) must not be read whole."""
    link = tmp_path / "zero.txt"
    link.symlink_to("/dev/zero")
    with pytest.raises(LetterError) as excinfo:
        read_letter(link, max_bytes=4096)
    assert_letter_error(excinfo, "zero.txt", "file is too large (over the cap of 4,096 bytes)")


def test_missing_file(tmp_path):
    with pytest.raises(LetterError) as excinfo:
        read_letter(tmp_path / "missing.txt")
    assert_letter_error(excinfo, "missing.txt", "cannot read file (No such file or directory)")


def test_directory(tmp_path):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(LetterError) as excinfo:
        read_letter(folder)
    assert_letter_error(excinfo, "folder.txt", "cannot read file (Is a directory)")


@pytest.mark.parametrize("space", ["\u2028", "\u0085", "\u3000"])
def test_odd_whitespace_in_the_salutation(tmp_path, space):
    """ "Dear" followed only by Unicode whitespace once crashed with IndexError."""
    text = seed_text(STOKE_SEED).replace("Dear Mr Rowney", f"Dear {space}")
    letter = write_and_read(tmp_path, "odd.txt", text.encode())
    assert letter.council == "Stoke-on-Trent City Council"
    assert letter.recipient is None
