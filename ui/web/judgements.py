"""The Judgements tab's views of the extracted judgements of services: the council x service matrix,
its filters' choices and its CSV.

Each cell of the matrix holds one button per judgement of that service in that council's letters,
coloured by level in the grades' palette (outstanding 4 ... inadequate 1); a negated judgement ("no
inadequate primary schools") and one that only compares ("below similar areas") are neutral cells
that say so. A button's title is the judging sentence; its data-j is its place in the list of marks
that app.py keeps, so a click opens the letter at that sentence (style.py's script, as chips do).

But: - no I/O; the rows come from Assistant.judgements(). - One page of PAGE_COUNCILS councils
is drawn (ui/web/paging.py; the CSV holds every row). - Only services with a judgement in the
filtered rows get a column.
"""

from collections.abc import Iterable

from index import kinds
from index.reader import JudgementRow
from index.services import LEVEL_GRADES, LEVEL_KEYS, SERVICES, service_title
from index.words import plural
from ui.web.paging import PAGE_COUNCILS, page_of
from ui.web.ratings import csv_text
from ui.web.render import ALL, KIND_NAMES, esc

COMPARISON_WORDS = {"above": "above", "in_line": "in line", "below": "below"}
CSV_COLUMNS = ("council", "year", "kind", "service", "level", "comparison", "count", "total", "negated", "word",
               "sentence", "letter", "start", "end")
JUDGEMENTS_HINT = "Hover a judgement to read its sentence here; click it to read the letter there."
_SERVICE_ORDER = {service.key: n for n, service in enumerate(SERVICES)}


def level_choices() -> list[tuple[str, str]]:
    return [("All levels", ALL)] + [(f"{key.capitalize()} ({LEVEL_GRADES[key]})", key) for key in LEVEL_KEYS]


def comparison_choices() -> list[tuple[str, str]]:
    return [("Any", ALL)] + [(f"{word.capitalize()} similar areas or nationally" if key != "in_line"
                              else "In line with similar areas or nationally", key)
                             for key, word in COMPARISON_WORDS.items()]


def kind_choices() -> list[tuple[str, str]]:
    return [("All kinds", ALL)] + [(f"{k.name[0].upper()}{k.name[1:]} ({k.years})", k.key) for k in kinds.KINDS]


def service_choices(rows: Iterable[JudgementRow]) -> list[tuple[str, str]]:
    """The services that some letter judges, in index/services.py's order."""
    keys = sorted({r.service for r in rows}, key=lambda key: (_SERVICE_ORDER.get(key, 999), key))
    return [("All services", ALL)] + [(service_title(key), key) for key in keys]


def _counted(row: JudgementRow) -> str:
    if row.count is not None and row.total is not None:
        return f" {row.count}/{row.total}"
    return f" ({row.count})" if row.count is not None else ""


def cell_look(row: JudgementRow) -> tuple[str, str]:
    """A judgement's CSS class and its short text in the matrix: the level's colour and word (with
    "2/14" when the letter counts), or a neutral cell for a negated or comparison-only one."""
    compared = COMPARISON_WORDS.get(row.comparison or "", "")
    if row.negated:
        return "lqa-jneg", f"no {row.level or row.word}"
    if row.level:
        return f"lqa-g{LEVEL_GRADES[row.level]}", row.level + _counted(row) + (f", {compared}" if compared else "")
    return "lqa-jcmp", compared or " ".join(row.word.split())


def cell_title(row: JudgementRow) -> str:
    """The hover text: the judging sentence, then where it is from."""
    sentence = " ".join(row.text.split())
    return f"{sentence}\n({row.short_name} {row.year}, {service_title(row.service)}: “{' '.join(row.word.split())}”)"


def judgements_html(rows: list[JudgementRow], total: int | None = None,
                    page=0) -> tuple[str, list[list], int, str]:
    """The matrix for the filtered `rows` (of `total` in the index), page `page` of their councils;
    the marks [letter, start, end] its buttons' data-j point at, the page shown and its line.
    Every letter-derived value escaped."""
    if not rows:
        found = f" of the {total:,} in the index" if total else ""
        return f'<p class="lqa-empty">No judgements{found} match the filters.</p>', [], 0, ""
    by_council: dict[str, dict[str, list[JudgementRow]]] = {}
    for r in rows:
        by_council.setdefault(r.council, {}).setdefault(r.service, []).append(r)
    services = sorted({r.service for r in rows}, key=lambda key: (_SERVICE_ORDER.get(key, 999), key))
    councils = sorted(by_council)
    shown, page, line = page_of(councils, page, PAGE_COUNCILS, "council")
    marks: list[list] = []
    body = []
    for council in shown:
        cells = by_council[council]
        several_years = len({r.year for found in cells.values() for r in found}) > 1
        short = next(iter(cells.values()))[0].short_name
        tds = [f'<th scope="row" title="{esc(council)}">{esc(short)}</th>']
        for service in services:
            buttons = []
            for r in sorted(cells.get(service, ()), key=lambda r: (r.year, r.letter, r.start)):
                css, text = cell_look(r)
                year = f'<span class="lqa-jyear">{r.year}</span> ' if several_years else ""
                buttons.append(f'<button type="button" class="lqa-jcell {css}" data-j="{len(marks)}" '
                               f'title="{esc(cell_title(r))}">{year}{esc(text)}</button>')
                marks.append([r.letter, r.start, r.end])
            tds.append(f"<td>{''.join(buttons)}</td>" if buttons else '<td class="lqa-jblank"></td>')
        body.append(f"<tr>{''.join(tds)}</tr>")
    head = "".join(f"<th>{esc(service_title(s))}</th>" for s in services)
    return (f'<div class="lqa-jmatrix">{_summary(rows, services, councils, total)}{LEGEND}'
            f'<div class="lqa-jdetail" aria-live="polite">{JUDGEMENTS_HINT}</div>'
            f'<div class="lqa-scroll lqa-jscroll"><table class="lqa-table lqa-jtable"><thead><tr><th>council</th>'
            f'{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div></div>'), marks, page, line


def _summary(rows: list[JudgementRow], services: list[str], councils: list[str], total: int | None) -> str:
    letters = len({r.letter for r in rows})
    of = f" (of {total:,} in the index)" if total is not None and total != len(rows) else ""
    text = (f"{plural(len(rows), 'judgement')}{of} of {plural(len(services), 'service')} in "
            f"{plural(letters, 'letter')} to {plural(len(councils), 'council')}.")
    return f'<p class="lqa-jsummary">{text}</p>'


LEGEND = ('<div class="lqa-jlegend">'
          + "".join(f'<span class="lqa-jkey lqa-g{LEVEL_GRADES[key]}">{key}</span>' for key in LEVEL_KEYS)
          + '<span class="lqa-jkey lqa-jcmp">above / in line / below: compared only</span>'
          '<span class="lqa-jkey lqa-jneg">no inadequate: none at that level</span></div>')


def judgements_csv(rows: Iterable[JudgementRow]) -> str:
    """The filtered judgements as CSV: one row each, with its sentence and where it is in its letter."""
    return csv_text(CSV_COLUMNS, (
        (r.council, r.year, KIND_NAMES.get(r.kind, r.kind), service_title(r.service), r.level or "",
         COMPARISON_WORDS.get(r.comparison or "", r.comparison or ""), "" if r.count is None else r.count,
         "" if r.total is None else r.total, "yes" if r.negated else "no", " ".join(r.word.split()),
         r.text, r.letter, r.start, r.end)
        for r in rows))
