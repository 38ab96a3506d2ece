"""Cut a letter into retrievable passages: overlapping two-sentence windows inside one
paragraph or list item, each about one thing.

Each chunk is a verbatim span of the letter's text (`text`, what is cited) and carries a
`context` line naming what the span itself often does not: the council's short name, the
year, the letter kind and the section title ("Stockport 2008 annual performance assessment.
Being healthy: Important weaknesses and areas for development."). The context is embedded
and indexed for BM25 with the text (see `search_text`), never cited. Short blocks ("Grade 3",
the rating sentence) are joined to the block after them. Sentences end only at ".", "!" or
"?" followed by whitespace (index/sentences.py), so "8.8%" and "2005/06" are never cut. Each chunk also carries
its polarity (index/polarity.py) and the APA judgement area its section is about.

Boilerplate (text every letter repeats: the scale table, the guidance paragraph, the
"section 138" paragraph) is marked here by known phrases (index/boilerplate.py), and again at
index time for any passage found in letters about several councils (index/database.py's
mark_shared_boilerplate). Marked chunks are stored but never cited as evidence about a council.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from index import kinds
from index.blocks import blocks, heading_title
from index.boilerplate import is_boilerplate
from index.polarity import classify
from index.sentences import sentence_spans

if TYPE_CHECKING:  # index.letters imports this module (to count a letter's passages)
    from index.letters import Letter

MIN_WORDS = 12  # shorter blocks are joined to the next one
WINDOW = 2  # sentences per passage; windows overlap by WINDOW - 1 (chosen on the gold set: docs/how-it-answers.md)
_AREA_TITLE = tuple((area.key, re.compile(area.pattern, re.I)) for area in kinds.AREAS)

@dataclass(frozen=True)
class Chunk:
    letter: str  # the letter's name (path relative to the letters folder)
    council: str
    year: int
    kind: str
    section: str
    text: str  # == letter.text[start:end]
    start: int
    end: int
    boilerplate: bool
    context: str = ""  # council, year, kind and section: searched with the text, never cited
    polarity: str = "neutral"  # strength / weakness / neutral (index/polarity.py)
    area: str = ""  # the APA judgement area the section is about ("" for none)

    @property
    def search_text(self) -> str:
        """What is embedded and indexed for BM25: the context line, then the verbatim text."""
        return search_text(self.context, self.text)

    @property
    def fingerprint(self) -> str:
        """Same for the same wording in any letter; used to find shared paragraphs."""
        return text_fingerprint(self.text)


def text_fingerprint(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))
    return hashlib.sha1(" ".join(words).encode()).hexdigest()[:16]


def search_text(context: str, text: str) -> str:
    """What is embedded and indexed for BM25 (index/bm25.py): the context line, then the text."""
    return f"{context}\n{text}" if context else text


def context_line(letter: Letter, section: str) -> str:
    """"Stockport 2009 children's services annual rating. Children's services rating 2009."."""
    kind = kinds.get(letter.kind).title
    return f"{letter.short_name} {letter.year} {kind}. {section.rstrip('.')}."


def section_area(section: str) -> str:
    """The judgement area a section title names ("Staying safe: Major strengths" -> "staying_safe")."""
    for key, pattern in _AREA_TITLE:
        if pattern.match(section):
            return key
    return ""


def chunk_letter(letter: Letter) -> list[Chunk]:
    """The letter's chunks in reading order."""
    chunks = []
    judged: dict[tuple[int, int], bool] = {}  # block -> boilerplate, judged once (not once per window: quadratic)
    for section in letter.sections:
        context, area = context_line(letter, section.title), section_area(section.title)
        for block, (start, end) in _units(letter.text, section.start, section.end):
            text = letter.text[start:end]
            # Judged on the whole paragraph: a window of a standard paragraph may miss its telltale phrase.
            if block not in judged:
                judged[block] = is_boilerplate(letter.text[block[0]:block[1]])
            boilerplate = judged[block]
            # Known boilerplate gets no context: its identical texts in every letter are embedded once.
            chunks.append(
                Chunk(letter.name, letter.council, letter.year, letter.kind, section.title, text, start, end,
                      boilerplate, "" if boilerplate else context,
                      "neutral" if boilerplate else classify(text, section.title), area)
            )
    return chunks


def _units(text: str, start: int, end: int) -> Iterator[tuple[tuple[int, int], tuple[int, int]]]:
    """(block, window) spans: windows of WINDOW sentences over paragraphs and list items
    (short ones joined forward), each with the block it lies in."""
    pending: int | None = None
    spans = [s for b in blocks(text, start, end) for s in _items(text, *b) if heading_title(text[s[0] : s[1]]) is None]
    for i, (s, e) in enumerate(spans):
        s = s if pending is None else pending
        if len(text[s:e].split()) < MIN_WORDS and i + 1 < len(spans):
            pending = s
            continue
        pending = None
        for window in windows(text, s, e):
            yield (s, e), window


def _items(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A block, or each "- " list item in it as its own span."""
    if not re.match(r"[ \t]*[-*] ", text[start:end]):
        yield start, end
        return
    for match in re.finditer(r"[ \t]*[-*] [^\n]*(?:\n(?![ \t]*[-*] )[^\n]+)*", text[start:end]):
        yield start + match.start() + len(match.group(0)) - len(match.group(0).lstrip()), start + match.end()


def windows(text: str, start: int, end: int, size: int = WINDOW) -> Iterator[tuple[int, int]]:
    """Overlapping runs of `size` sentences (one span when the block has fewer)."""
    spans = [(start + s, start + e) for s, e in sentence_spans(text[start:end])]
    if len(spans) <= size:
        if spans:
            yield spans[0][0], spans[-1][1]
        return
    for i in range(len(spans) - size + 1):
        yield spans[i][0], spans[i + size - 1][1]
