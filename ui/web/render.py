"""HTML for the web UI, built from answers, ratings and letters: every value escaped.

Letter text is data: everything built here as HTML goes through `esc` (html.escape), and
the chat's markdown comes escaped from `qa.answer.md_escape`.

But: - no I/O; the callers read letters and pass the text in.
"""

import html
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

import pandas as pd

from index import kinds
from index.intake import AddReport
from index.kinds import AREA_TITLES
from index.reader import LetterInfo, RatingRow
from index.words import plural
from qa import Answer
from qa.answer import md_escape

ALL = ""  # the "no filter" value of the Ratings tab's dropdowns
KIND_NAMES = {kind.key: kind.name for kind in kinds.KINDS}
NO_SOURCES = '<p class="lqa-empty">Ask a question to see its sources here.</p>'
EXCERPT_CONTEXT = 240  # characters of the paragraph shown either side of a cited span


def esc(value) -> str:
    """Escape anything for HTML text or attribute values."""
    return html.escape(str(value), quote=True)


def excerpt_html(text: str | None, start: int, end: int, cited: str, context: int = EXCERPT_CONTEXT) -> str:
    """The cited span inside its paragraph (at most `context` characters either side), marked."""
    if text is None or text[start:end] != cited:
        return f"<mark>{esc(cited)}</mark>"
    return passage_html(text, [(0, start, end)], context)


def passage_html(text: str, spans: list[tuple[int, int, int]], context: int = EXCERPT_CONTEXT) -> str:
    """Cited spans (number, start, end) of one passage of `text`, marked, inside their paragraph (at most
    `context` characters either side of them all); where there are several, each one's number stands
    where it begins."""
    start, end = min(s for _, s, _ in spans), max(e for _, _, e in spans)
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start == -1 else para_start + 2
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end == -1 else para_end
    left, right = max(para_start, start - context), min(para_end, end + context)
    if left > para_start:  # cut inside the paragraph: at a word boundary, with an ellipsis
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else start
    if right < para_end:
        space = text.rfind(" ", end, right)
        right = space if space != -1 else end
    before = ("…" if left > para_start else "") + text[left:start]
    after = text[end:right] + ("…" if right < para_end else "")
    return f"{esc(before)}{_marked_spans(text, spans)}{esc(after)}"


def _marked_spans(text: str, spans: list[tuple[int, int, int]]) -> str:
    """text from the spans' first start to their last end: what a span covers in <mark> (one per
    stretch between two span ends), and, for several spans, each one's number where it begins."""
    cuts = sorted({p for _, s, e in spans for p in (s, e)})
    parts = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if len(spans) > 1:
            parts.extend(f'<span class="lqa-num lqa-at">{n}</span>' for n, s, _ in sorted(spans) if s == a)
        covered = any(s <= a and b <= e for _, s, e in spans)
        parts.append(f"<mark>{esc(text[a:b])}</mark>" if covered else esc(text[a:b]))
    return "".join(parts)


# A letter's table, as the letters have them: rows of tab-separated cells (a row of one long line at most).
MAX_TABLE_LINE = 400


def row_cells(text: str, start: int, end: int, separator: str = "\t") -> list[tuple[int, int]]:
    """The (start, end) of each cell of the table row text[start:end], its white space trimmed: the
    text between two separators (tabs, or a markdown row's pipes, whose outer two stand for no cell),
    an empty cell kept, so that every cell stays in its column. Each tab of a letter's table is one
    cell boundary: seeds/ have one between two cells; a Word or HTML table's empty cell and a PDF's
    cell wrapped onto a line of its own ("\t\trequirements", under the third column) come as tabs
    with nothing between them."""
    cells, a = [], start
    while True:
        b = text.find(separator, a, end)
        stop = end if b == -1 else b
        first, last = a, stop
        while first < last and text[first].isspace():
            first += 1
        while last > first and text[last - 1].isspace():
            last -= 1
        cells.append((first, last))
        if b == -1:
            break
        a = b + 1
    if separator == "|":  # "| a | b |": nothing stands before the first pipe or after the last
        cells = cells[1:-1] if len(cells) > 1 else []
    return cells


def table_block(text: str, start: int, end: int) -> tuple[int, int] | None:
    """(start, end) of the whole tab-separated table (header line included) whose rows hold
    text[start:end], or None where a line of that span is not a table's row."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    last = len(text) if last == -1 else last
    if any("\t" not in line for line in text[first:last].split("\n")):
        return None
    while first > 0:
        above = text.rfind("\n", 0, first - 1) + 1
        if "\t" not in text[above:first - 1] or first - above > MAX_TABLE_LINE:
            break
        first = above
    while last < len(text):
        below = text.find("\n", last + 1)
        below = len(text) if below == -1 else below
        if "\t" not in text[last + 1:below] or below - last > MAX_TABLE_LINE:
            break
        last = below
    return first, last


class Group(NamedTuple):
    """One card's citations (by index), and where their letter's text holds them (passages())."""

    numbers: list[int]
    located: bool  # every citation found at its place in its letter's text
    block: tuple[int, int] | None  # the table (table_block) whose rows they are, if they are a table's


def passages(citations: list, texts: dict[str, str | None]) -> list[Group]:
    """The citations (by index) as passages, each in the order of its first number: one letter's
    citations whose spans overlap, or lie in one paragraph with only white space between them (a
    paragraph's sentences), or in one table (a grade table's rows). A citation not found at its place
    in its letter's text is a passage of its own."""
    alone: list[list[int]] = []
    by_letter: dict[str, list[int]] = {}
    for i, c in enumerate(citations):
        text = texts.get(c.letter)
        if text is None or text[c.start:c.end] != c.text:
            alone.append([i])
        else:
            by_letter.setdefault(c.letter, []).append(i)
    groups = [Group(group, False, None) for group in alone]
    for letter, found in by_letter.items():
        text, mine, reach = texts[letter], [], -1
        for i in sorted(found, key=lambda i: (citations[i].start, citations[i].end)):
            c = citations[i]
            gap = text[reach:c.start] if mine and c.start > reach else ""
            if mine and not gap.strip() and "\n\n" not in gap.replace("\r", ""):
                mine[-1].append(i)
            else:
                mine.append([i])
            reach = max(reach, c.end)
        tables: dict[tuple[int, int], list[int]] = {}  # one card per table, however its rows were cited
        for group in mine:
            block = table_block(text, min(citations[i].start for i in group), max(citations[i].end for i in group))
            if block in tables:
                tables[block].extend(group)
                continue
            if block is not None:
                tables[block] = group
            groups.append(Group(group, True, block))
    return sorted((g._replace(numbers=sorted(g.numbers)) for g in groups), key=lambda g: g.numbers[0])


def numbers_text(numbers: list[int]) -> str:
    """[1, 2, 3, 5] as "1–3, 5"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)


def table_passage_html(text: str, block: tuple[int, int], spans: list[tuple[int, int, int]],
                       ratings: list[RatingRow]) -> str:
    """A letter's table as a table: its rows as the letter has them (cells split at tabs), a cited row
    with its number and marked, with the rating read from it in its grade's colour. The first row is
    the header unless it is cited."""
    rows, pos = [], block[0]
    for line in text[block[0]:block[1]].split("\n"):
        rows.append((pos, pos + len(line), [text[a:b] for a, b in row_cells(text, pos, pos + len(line))]))
        pos += len(line) + 1
    width = max(len(cells) for _, _, cells in rows)
    head = ""
    if not any(s < rows[0][1] and rows[0][0] < e for _, s, e in spans):
        cells = rows.pop(0)[2]
        head = ('<thead><tr><th><span class="lqa-sr">source</span></th>'
                + "".join(f"<th>{esc(c)}</th>" for c in cells) + "<th></th>" * (width - len(cells))
                + "<th>rating</th></tr></thead>")
    body = []
    for start, end, cells in rows:
        hits = [n for n, s, e in spans if s < end and start < e]
        rating = next((r for r in ratings if r.start < end and start < r.end), None)
        mark = (lambda v: f"<mark>{esc(v)}</mark>") if hits else esc
        number = "".join(f'<span class="lqa-num">{n}</span>' for n in hits)
        grade = f'<td class="lqa-g{rating.grade}">{esc(rating.label)}</td>' if rating else "<td></td>"
        attrs = f' class="lqa-cited" data-n="{hits[0]}"' if hits else ""
        body.append(f"<tr{attrs}><td>{number}</td>{''.join(f'<td>{mark(c)}</td>' for c in cells)}"
                    f"{'<td></td>' * (width - len(cells))}{grade}</tr>")
    return (f'<div class="lqa-scroll" tabindex="0"><table class="lqa-table lqa-grade-table">{head}'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def rated_html(ratings: list[RatingRow]) -> str:
    """The ratings read from a quoted sentence, under it: council, the grade in its colour, area and scale."""
    return "".join(f'<div class="lqa-rated">{esc(r.council)}: <span class="lqa-grade lqa-g{r.grade}">'
                   f"{esc(r.label)} ({r.grade})</span> · {esc(AREA_TITLES.get(r.area, r.area))} · "
                   f"{esc(scale_name(r))}</div>" for r in ratings)


def _card(citations: list, group: Group, text: str | None, ratings: list[RatingRow], turn: int) -> str:
    """One passage's card: its numbers and title, letter and characters, "Open in the letter", the
    passage (its table, or its spans marked in their paragraph) and the ratings read from it."""
    first = citations[group.numbers[0]]
    numbers = [i + 1 for i in group.numbers]
    spans = [(i + 1, citations[i].start, citations[i].end) for i in group.numbers]
    start, end = min(s for _, s, _ in spans), max(e for _, _, e in spans)
    if group.block is not None:
        body = table_passage_html(text, group.block, spans, ratings)
    else:
        excerpt = (passage_html(text, spans) if group.located
                   else excerpt_html(text, first.start, first.end, first.text))
        body = f'<div class="lqa-excerpt">{excerpt}</div>{rated_html(ratings)}'
    where = f"characters {start}–{end}"
    return (f'<div class="lqa-cite" data-n="{numbers[0]}" data-ns="{" ".join(map(str, numbers))}">'
            f'<div class="lqa-cite-title"><span class="lqa-num">{numbers_text(numbers)}</span> {esc(first.title)}'
            f'</div><div class="lqa-meta">{esc(first.letter)} · {where}'
            f'<button type="button" class="lqa-open" data-turn="{turn}" data-n="{numbers[0]}">Open in the letter'
            f"</button></div>{body}</div>")


def sources_html(answer: Answer, letter_text: Callable[[str], str | None], turn: int = 0) -> str:
    """One answer's sources, its one list: a card per passage (passages(): overlapping and adjacent
    excerpts of a letter merged, a grade table once, as a table), each with its numbers, title
    (council, year, section), letter, the cited spans marked in their paragraph, the ratings read from
    them, and a button that opens it in the Letters reader; a rating without a quoted sentence is
    listed last. One button copies the answer with its sources as markdown. `turn` (the answer's
    place in the chat) ties the bubble's chips to these cards."""
    head = (f'<div class="lqa-for"><span class="lqa-meta">Sources of: {esc(answer.question)}</span>'
            '<button type="button" class="lqa-copy">Copy as markdown</button></div>'
            f'<textarea class="lqa-md" readonly hidden>{esc(answer_markdown(answer))}</textarea>')
    if not answer.citations and not answer.ratings:
        return f'<div class="lqa-sources" data-turn="{turn}">{head}<p class="lqa-empty">No excerpts cited.</p></div>'
    texts: dict[str, str | None] = {}
    for citation in answer.citations:
        if citation.letter not in texts:
            texts[citation.letter] = letter_text(citation.letter)
    cards, placed = [], set()
    for group in passages(answer.citations, texts):
        letter = answer.citations[group.numbers[0]].letter
        start, end = group.block or (min(answer.citations[i].start for i in group.numbers),
                                     max(answer.citations[i].end for i in group.numbers))
        mine = [r for r in answer.ratings if r.letter == letter and r.start < end and start < r.end
                and id(r) not in placed]
        placed.update(id(r) for r in mine)
        cards.append(_card(answer.citations, group, texts.get(letter), mine, turn))
    rest = [r for r in answer.ratings if id(r) not in placed]
    if rest:
        cards.append('<div class="lqa-unquoted"><div class="lqa-meta">Ratings without a quoted sentence</div>'
                     f"{used_ratings_html(rest)}</div>")
    return f'<div class="lqa-sources" data-turn="{turn}">{head}{"".join(cards)}{dropped_html(answer)}</div>'


def dropped_html(answer: Answer) -> str:
    """What the model wrote that did not check out, with why: shown, never hidden, never as the answer."""
    if not answer.dropped:
        return ""
    rows = "".join(f'<li><q>{esc(d.sentence)}</q> <span class="lqa-meta">{esc(d.reason)}</span></li>'
                   for d in answer.dropped)
    return (f'<details class="lqa-dropped"><summary>Left out of the model\'s answer: '
            f'{plural(len(answer.dropped), "sentence")} that did not check out</summary><ul>{rows}</ul></details>')


def answer_markdown(answer: Answer) -> str:
    """The answer and its sources as markdown, for the clipboard (letter text escaped by md_escape)."""
    if not answer.citations:
        return answer.text
    sources = "\n".join(f"[{n}] {md_escape(c.title)} ({md_escape(c.letter)}, characters {c.start}-{c.end}): "
                         f"{md_escape(c.text)}" for n, c in enumerate(answer.citations, 1))
    return f"{answer.text}\n\nSources:\n{sources}\n"


def html_table(headers: Iterable[str], rows: Iterable[Iterable], classes: Iterable[Iterable[str]] | None = None,
               caption: str = "") -> str:
    """A plain table; every cell escaped. `classes` gives a CSS class per cell (or '')."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    caption = f"<caption>{esc(caption)}</caption>" if caption else ""
    class_rows = iter(classes) if classes is not None else None
    body = []
    for row in rows:
        cell_classes = next(class_rows) if class_rows is not None else ()
        cells = [
            f'<td class="{esc(css)}">{esc(value)}</td>' if css else f"<td>{esc(value)}</td>"
            for value, css in zip(row, [*cell_classes, *[""] * 99])
        ]
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'<div class="lqa-scroll" tabindex="0"><table class="lqa-table">{caption}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def scale_name(row: RatingRow | LetterInfo) -> str:
    return f"{row.year} {KIND_NAMES.get(row.kind, row.kind)}"


def used_ratings_html(rows: Iterable[RatingRow]) -> str:
    """The ratings an answer used, as a small table."""
    rows = list(rows)
    if not rows:
        return '<p class="lqa-empty">No ratings used.</p>'
    # The grade and its label beside the council and year: on a phone the rest scrolls sideways.
    return html_table(
        ("council", "year", "grade", "label", "scale", "area"),
        [(r.council, r.year, r.grade, r.label, KIND_NAMES.get(r.kind, r.kind), AREA_TITLES.get(r.area, r.area))
         for r in rows],
        [("", "", f"lqa-g{r.grade}", f"lqa-g{r.grade}", "", "") for r in rows],
    )


# A citation marker in the answer's markdown: "[3]", not an escaped "\\[3]" from a letter's text
# (an even run of backslashes before it is escaped backslashes, so the marker is real).
_MARKER = re.compile(r"(?<!\\)((?:\\\\)*)\[(\d+)\]")


def markdown_safe_attribute(value: str) -> str:
    """Text for an HTML attribute inside the chat's markdown: every character but letters, digits and
    spaces as a numeric entity, so neither HTML (quotes, <, &) nor markdown (`*`, `_`, backticks, `[`)
    reads anything in it; the browser decodes it back to the text."""
    return "".join(c if c.isalnum() or c == " " else f"&#{ord(c)};" for c in value)


def bubble_markdown(answer: Answer, turn: int = 0) -> str:
    """The chat reply: the answer's markdown (already escaped), each [n] a chip that points at
    excerpt n of this turn in the sources panel. The sources themselves are listed only there."""
    count = len(answer.citations)

    def chip(match: re.Match) -> str:
        n = int(match.group(2))
        if not 1 <= n <= count:
            return match.group(0)
        # The chat's sanitiser drops data- and aria- attributes, so turn and number travel as classes,
        # and the chip's name, "Source 1: Trafford 2009, private fostering", in its title (escaped), from
        # which the page's script sets aria-label.
        name = f"Source {n}: {answer.citations[n - 1].title.replace(' - ', ', ', 1)}"
        return (f'{match.group(1)}<span class="lqa-chip lqa-t{turn} lqa-n{n}" tabindex="0" '
                f'role="button" title="{markdown_safe_attribute(name)}: open it in the letter">{n}</span>')

    return _MARKER.sub(chip, answer.text)


def coverage_note(answer: Answer) -> str:
    """A line under an answer that quotes a sample of the passages, when its text does not say so
    itself (the extractive text ends with that sentence; a model's wording does not): never a top-k
    list read as every match."""
    coverage = answer.coverage
    if coverage is None or coverage.complete or "a sample" in answer.text:
        return ""
    if coverage.matches is None:
        return "\n\n*The most relevant passages found: a sample, not a list of every council.*"
    letters = coverage.letters
    where = f", in {plural(letters, 'letter')}" if letters else ""
    more = " “Show all” quotes every one." if coverage.matches > coverage.shown else ""
    return (f"\n\n*The {coverage.shown} most relevant of {coverage.matches:,} passages that hold the question's "
            f"words{where}: a sample, not a list of every council.{more}*")


PENDING = '<span class="lqa-pending">Looking through the letters…</span>'


def draft_markdown(model: str | None, checked: str) -> str:
    """A model's answer while it is written: the sentences that have passed the checks so far
    (qa/generate.py streams only those, already escaped), marked as still being written."""
    return (f'<span class="lqa-pending">{html.escape(model or "The model")} is writing; each sentence shows once '
            f'it checks out against the letters…</span>\n\n{checked}')


def pending_html(question: str) -> str:
    return f'<p class="lqa-empty">Finding the sources for: {esc(question)}</p>'


def error_html(message: str) -> str:
    return f'<p class="lqa-bad"><strong>Error:</strong> {esc(message)}</p>'


def note_html(note: str) -> str:
    """A line on how a filter was read ("council "stockprt" read as Stockport"); "" for none."""
    return f'<p class="lqa-note" role="status">{esc(note)}</p>' if note else ""


def letters_frame(letters: Iterable[LetterInfo], unsearchable: dict[str, str] | None = None) -> pd.DataFrame:
    """The Letters tab's table; `unsearchable` (letter -> why) fills a "warning" column: a letter a
    search would not find is never listed as if it were fine."""
    unsearchable = unsearchable or {}
    columns = ["council", "year", "kind", "sections", "chunks", "file", "warning"]
    return pd.DataFrame([[x.council, x.year, KIND_NAMES.get(x.kind, x.kind), x.section_count, x.chunks, x.name,
                          unsearchable.get(x.name, "")] for x in letters], columns=columns)


def letters_html(letters: Iterable[LetterInfo], unsearchable: dict[str, str] | None = None) -> str:
    """letters_frame as the Letters tab shows it: a table, which a phone's stylesheet draws as one card per
    letter (style.css picks the cells by their place in letters_frame's columns: no class on each cell,
    which at 50 letters a page would add 8 KB to every page load)."""
    frame = letters_frame(letters, unsearchable)
    if frame.empty:
        return '<p class="lqa-empty">No letters indexed.</p>'
    return html_table(frame.columns, frame.itertuples(index=False), caption="Indexed letters")


def letter_choices(letters: Iterable[LetterInfo]) -> list[tuple[str, str]]:
    return [(f"{x.short_name} {x.year} ({KIND_NAMES.get(x.kind, x.kind)}) - {x.name}", x.name) for x in letters]


# The letters' own markup, drawn rather than shown: "## Heading", a rule of dashes under a table's
# header (or alone), "- item" / "▪ item" / "* item" bullets, and tables: lines of cells separated by
# tabs, or markdown's "| a | b |" rows with their "|---|---|" rule.
_HEADING = re.compile(r"[ \t]*(#{1,6})[ \t]+")
_RULE = re.compile(r"[ \t]*[-=_]{3,}(?:[ \t]+[-=_]{3,})*[ \t]*")
_BULLET = re.compile(r"[ \t]*[-*▪•][ \t]+")
_PIPE_RULE = re.compile(r"[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?")
_SEPARATOR = {"tab": "\t", "pipe": "|"}


def _marked(text: str, start: int, end: int, mark: tuple[int, int] | None, first: list[bool]) -> str:
    """text[start:end] escaped, the part inside `mark` in <mark> (class lqa-target on the first piece)."""
    if mark is None or mark[1] <= start or mark[0] >= end:
        return esc(text[start:end])
    a, b = max(start, mark[0]), min(end, mark[1])
    css = ' class="lqa-target"' if first[0] else ""
    first[0] = False
    return f"{esc(text[start:a])}<mark{css}>{esc(text[a:b])}</mark>{esc(text[b:end])}"


def _row_kind(text: str, start: int, end: int, kind: str | None = None) -> str | None:
    """"tab" or "pipe" for a line that is a table's row (two cells or more), else None. Inside a
    table of tabs (`kind`), a line whose tabs only lead is one of its rows too: a cell wrapped onto a
    line of its own (row_cells)."""
    line = text[start:end]
    if line.lstrip().startswith("|") and line.rstrip().endswith("|") and len(row_cells(text, start, end, "|")) > 1:
        return "pipe"
    if "\t" in line.strip() or (kind == "tab" and line.startswith("\t") and line.strip()):
        return "tab"
    return None


def _table(text: str, lines: list[tuple[int, int]], kind: str, mark, first: list[bool]) -> str:
    """Consecutive rows of one kind (and their rules) as a table; a rule under the first row makes it
    the header. The cells are escaped and marked as any line is; the rules are left out."""
    rule = _RULE if kind == "tab" else _PIPE_RULE
    rows = [(start, end) for start, end in lines if not rule.fullmatch(text, start, end)]
    header = len(lines) > 1 and rule.fullmatch(text, *lines[1]) is not None
    html = []
    for i, (start, end) in enumerate(rows):
        tag = "th" if header and i == 0 else "td"
        cells = "".join(f"<{tag}>{_marked(text, a, b, mark, first)}</{tag}>"
                        for a, b in row_cells(text, start, end, _SEPARATOR[kind]))
        html.append(f"<thead><tr>{cells}</tr></thead><tbody>" if tag == "th" else f"<tr>{cells}</tr>")
    body = "".join(html) if header else f"<tbody>{''.join(html)}"
    return f'<table class="lqa-ltable">{body}</tbody></table>'


def letter_body(text: str, mark: tuple[int, int] | None = None) -> str:
    """A letter's text as the reader draws it, line by line and every character escaped: headings as
    headings, bullets as a list's items, tables (two lines or more: tab-separated cells, or markdown's
    pipes) as tables, rules of dashes left out (unless cited, outside a table); the rest as written
    (white space kept). `mark` (start, end) highlights a cited span.
    A table's cells are row_cells' (an empty one kept, in its column), as the sources panel's are.
    But: no cell spans, no alignment; a wrapped cell's line is a row of its own."""
    lines, pos = [], 0
    for line in text.splitlines(keepends=True):
        lines.append((pos, pos + len(line.rstrip("\r\n"))))
        pos += len(line)
    html, first, i = [], [True], 0
    while i < len(lines):
        start, end = lines[i]
        kind = _row_kind(text, start, end)
        if kind:
            rule = _RULE if kind == "tab" else _PIPE_RULE
            j = i + 1
            while j < len(lines) and (_row_kind(text, *lines[j], kind) == kind or rule.fullmatch(text, *lines[j])):
                j += 1
            if j - i > 1:
                html.append(_table(text, lines[i:j], kind, mark, first))
                i = j
                continue
        i += 1
        cited = mark is not None and mark[0] < end and mark[1] > start
        heading, bullet = _HEADING.match(text, start, end), _BULLET.match(text, start, end)
        if _RULE.fullmatch(text, start, end) and not cited:
            continue
        if heading:
            html.append(f'<div class="lqa-h">{_marked(text, heading.end(), end, mark, first)}</div>')
        elif bullet:
            html.append(f'<div class="lqa-li">{_marked(text, bullet.end(), end, mark, first)}</div>')
        else:
            html.append(f'<div class="lqa-line">{_marked(text, start, end, mark, first) or "&#8203;"}</div>')
    return "".join(html)


def letter_html(info: LetterInfo | None, text: str | None, mark: tuple[int, int] | None = None) -> str:
    """A letter in the reader (letter_body); `mark` (start, end) highlights a cited span, which the page
    scrolls to."""
    if info is None or text is None:
        return '<p class="lqa-empty">Choose a letter to read it.</p>'
    meta = " · ".join(esc(v) for v in (scale_name(info), info.date, info.name) if v)
    span = mark if mark is not None and 0 <= mark[0] < mark[1] <= len(text) else None
    return (f'<div class="lqa-cite-title">{esc(info.council)}</div><div class="lqa-meta">{meta}</div>'
            # It scrolls, so it takes focus (a keyboard can scroll it), as a named region.
            f'<div class="lqa-letter" tabindex="0" role="region" aria-label="The letter\'s text">'
            f"{letter_body(text, span)}</div>")


def upload_result_html(report: AddReport) -> str:
    """The intake's plain sentences (index/intake.py), shown beside the Add button; all escaped."""
    css = {"added": "lqa-ok", "skipped": "lqa-bad", "failure": "lqa-bad", "nothing": "lqa-empty"}
    lines = "".join(f'<p class="{css.get(what, "lqa-meta")}">{esc(sentence)}</p>'
                    for what, sentence in report.sentences())
    return f'<div class="lqa-result">{lines}</div>'

