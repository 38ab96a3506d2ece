"""Cut a letter into retrievable chunks: paragraphs and list items inside one section.

Each chunk is a verbatim span of the letter's text and carries the letter's metadata and
its section title. Short blocks ("Grade 3", the rating sentence) are joined to the block
after them; long paragraphs are cut at sentence ends.

Boilerplate (text every letter repeats: the scale table, the guidance paragraph, the
"section 138" paragraph) is marked by known phrases here, and again at index time by
`mark_shared` for any paragraph found in letters about different councils. Marked chunks
are stored but never cited as evidence about a council.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from index.letters import Letter, blocks, heading_title

MIN_WORDS = 12  # shorter blocks are joined to the next one
MAX_WORDS = 80  # longer paragraphs are cut at sentence ends: short chunks rank sharper (measured on the seeds)

BOILERPLATE_PHRASES = (
    "four point scale",
    "minimum requirements",
    "section 138 of the education and inspections act",
    "ofsted guidance published in may",
    "in considering the evidence in the profile",
    "within each level there will be differing standards",
    "this letter summarises the findings",
    "inspectors make judgements based on the following scale",
    "we are grateful for the information",
    "the following table sets out the grades",
)
# Not "assessment judgement area": that header heads the APA grade table, which states this
# council's own grades (the ratings' source spans lie in it), so it is evidence, not boilerplate.


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

    @property
    def fingerprint(self) -> str:
        """Same for the same wording in any letter; used to find shared paragraphs."""
        return text_fingerprint(self.text)


def text_fingerprint(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))
    return hashlib.sha1(" ".join(words).encode()).hexdigest()[:16]


def is_boilerplate(text: str) -> bool:
    low = " ".join(text.lower().split())
    return any(phrase in low for phrase in BOILERPLATE_PHRASES)


def chunk_letter(letter: Letter) -> list[Chunk]:
    """The letter's chunks in reading order."""
    chunks = []
    for section in letter.sections:
        for start, end in _units(letter.text, section.start, section.end):
            text = letter.text[start:end]
            chunks.append(
                Chunk(letter.name, letter.council, letter.year, letter.kind, section.title,
                      text, start, end, is_boilerplate(text))
            )
    return chunks


def mark_shared(chunks: Iterable[Chunk], councils_by_fingerprint: dict[str, set[str]]) -> Iterator[Chunk]:
    """Mark as boilerplate the chunks whose wording appears in letters about 2+ councils."""
    for chunk in chunks:
        shared = len(councils_by_fingerprint.get(chunk.fingerprint, ())) > 1
        yield replace(chunk, boilerplate=True) if shared and not chunk.boilerplate else chunk


def _units(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Spans of paragraphs and list items, short ones joined forward, long ones cut."""
    pending: int | None = None
    spans = [s for b in blocks(text, start, end) for s in _items(text, *b) if heading_title(text[s[0] : s[1]]) is None]
    for i, (s, e) in enumerate(spans):
        s = s if pending is None else pending
        if len(text[s:e].split()) < MIN_WORDS and i + 1 < len(spans):
            pending = s
            continue
        pending = None
        yield from _cut_long(text, s, e)


def _items(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A block, or each "- " list item in it as its own span."""
    if not re.match(r"[ \t]*[-*] ", text[start:end]):
        yield start, end
        return
    for match in re.finditer(r"[ \t]*[-*] [^\n]*(?:\n(?![ \t]*[-*] )[^\n]+)*", text[start:end]):
        yield start + match.start() + len(match.group(0)) - len(match.group(0).lstrip()), start + match.end()


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


def _cut_long(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    if len(text[start:end].split()) <= MAX_WORDS:
        yield start, end
        return
    piece_start = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if len(text[piece_start : match.start()].split()) >= MAX_WORDS // 2:
            yield piece_start, match.start()
            piece_start = match.end()
    yield piece_start, end
