"""The Ratings tab's views of the extracted ratings: filtered rows, the table, the chart (HTML), the APA grid,
and a council's page (all its letters and grades over time).

But: - no I/O; the rows come from Assistant.ratings().
"""

import csv
import io
import itertools
from collections.abc import Iterable

import pandas as pd

from index import kinds
from index.kinds import AREA_TITLES, label_for
from index.kinds.scales import SCALES
from index.reader import LetterInfo, RatingRow
from index.words import plural
from ui.web.paging import page_of
from ui.web.render import ALL, KIND_NAMES, esc, html_table
from ui.web.style import GRADE_COLOURS, RATINGS_COLUMNS


def filter_ratings(rows: Iterable[RatingRow], council=ALL, year=ALL, kind=ALL, grade=ALL) -> list[RatingRow]:
    return [
        r for r in rows
        if (not council or r.council == council) and (not year or str(r.year) == str(year))
        and (not kind or r.kind == kind) and (not grade or str(r.grade) == str(grade))
    ]


def ratings_frame(rows: Iterable[RatingRow]) -> pd.DataFrame:
    columns = list(RATINGS_COLUMNS)  # style.py lays them out for a phone by these names
    return pd.DataFrame([[r.council, r.year, KIND_NAMES.get(r.kind, r.kind), AREA_TITLES.get(r.area, r.area),
                          r.label, r.grade, r.letter] for r in rows], columns=columns)


GRADE_NAMES = {4: "4 excellent / outstanding", 3: "3 good", 2: "2 adequate", 1: "1 poor / inadequate"}
LABELLED = 24  # councils of one grade in a bar drawn a cell each (named where the name fits); more: one cell
# Council names a part's list (under the chart) shows; the rest are counted. The lists go with every page
# load: at 10,000 letters (10,000 councils) 100 a part would have added ~130 KB to a page of ~230 KB.
NAMES_LISTED = 20


def axis_ticks(largest: int) -> list[int]:
    """Whole-number ticks from 0 to `largest` or just past it, at most six, a step of 1, 2 or 5 times a
    power of ten: one council gives 0 and 1 (Vega's 0, 0.5, 1 read "0 / 1 / 1" once rounded)."""
    steps = (k * 10 ** e for e in itertools.count() for k in (1, 2, 5))
    step = next(s for s in steps if largest <= 5 * s)
    return list(range(0, -(-max(largest, 1) // step) * step + 1, step))


def chart_groups(rows: Iterable[RatingRow]) -> list[tuple[str, str, list[tuple[int, list[tuple[str, str]]]]]]:
    """Councils per overall grade, by scale (year and kind, newest first): [(scale, kind, [(grade,
    [(council, short name)])])], grades best first, councils by name."""
    councils: dict[tuple[int, str], dict[int, dict[str, str]]] = {}
    for r in rows:
        if r.area == "overall":
            councils.setdefault((r.year, r.kind), {}).setdefault(r.grade, {})[r.council] = r.short_name or r.council
    return [(f"{year} {KIND_NAMES.get(kind, kind)}", kind,
             [(g, sorted(by_grade[g].items())) for g in (4, 3, 2, 1) if by_grade.get(g)])
            for (year, kind), by_grade in sorted(councils.items(), reverse=True)]


def _cell(label: str) -> str:
    """A council's cell in a bar: its name shows where it fits (style.css wraps it out of sight elsewhere)."""
    return f'<span class="lqa-who"><span>{esc(label)}</span></span>'


def chart_html(rows: Iterable[RatingRow]) -> str:
    """The Ratings chart: a bar per scale (year and kind), its length the councils with an overall
    grade, split by grade (coloured, best first), each council a cell named (short name) where the
    name fits; an axis of whole numbers. A click or tap on a grade's part lists its councils (full
    names) under the chart: a phone cannot hover. Every name escaped."""
    groups = chart_groups(rows)
    if not groups:
        return '<p class="lqa-empty">No overall ratings match the filters.</p>'
    ticks = axis_ticks(max(sum(len(c) for _, c in grades) for _, _, grades in groups))
    top = ticks[-1]
    bars, lists = [], []
    for scale, kind, grades in groups:
        parts = []
        for grade, councils in grades:
            i = len(lists)
            what = f"{scale}, {label_for(kind, grade)} ({grade}): {plural(len(councils), 'council')}"
            cells = ("".join(_cell(short) for _, short in councils) if len(councils) <= LABELLED
                     else _cell(f"{len(councils):,}"))
            parts.append(f'<button type="button" class="lqa-seg lqa-g{grade}" style="flex: {len(councils)} 1 0" '
                         f'data-list="{i}" aria-expanded="false" aria-controls="lqa-chart-list-{i}" '
                         f'aria-label="{esc(what)}: list them" title="{esc(what)}">{cells}</button>')
            names = "".join(f"<li>{esc(full)}</li>" for full, _ in councils[:NAMES_LISTED])
            if len(councils) > NAMES_LISTED:
                names += (f"<li>and {len(councils) - NAMES_LISTED:,} more: filter the table by this year, kind "
                          "and grade to list them all</li>")
            lists.append(f'<div class="lqa-chart-list" id="lqa-chart-list-{i}" hidden>'
                         f'<div class="lqa-cite-title">{esc(what)}</div><ul>{names}</ul></div>')
        total = sum(len(c) for _, c in grades)
        bars.append(f'<div class="lqa-scale">{esc(scale)}</div><div class="lqa-track">'
                    f'<div class="lqa-bar" style="width: {100 * total / top:.6g}%">{"".join(parts)}</div></div>')
    axis = "".join(f'<span class="lqa-tick" style="left: {100 * t / top:.6g}%">{t:,}</span>' for t in ticks)
    legend = "".join(f'<span class="lqa-key lqa-g{g}">{esc(name)}</span>' for g, name in GRADE_NAMES.items())
    return ('<div class="lqa-chart" role="group" aria-label="Councils per overall rating">'
            '<div class="lqa-cite-title">Councils per overall rating</div>'
            '<div class="lqa-meta">A bar per year and kind of letter, a part per grade, a council per cell, named '
            "where the name fits. Click or tap a part to list its councils below the chart.</div>"
            f'<div class="lqa-chart-grid">{"".join(bars)}<div></div><div class="lqa-axis">{axis}</div>'
            '<div></div><div class="lqa-meta lqa-axis-title">number of councils</div></div>'
            f'<div class="lqa-legend">{legend}</div>{"".join(lists)}</div>')


def ratings_table(rows: Iterable[RatingRow]):
    """The table the Ratings tab shows: ratings_frame with the grade and label cells in the grade's colour."""
    frame = ratings_frame(rows)
    if frame.empty:
        return frame

    def colour(row: pd.Series) -> list[str]:
        css = f"background-color: {GRADE_COLOURS.get(row['grade'], 'transparent')}; color: #1f1f1f"
        return [css if column in ("label", "grade") else "" for column in row.index]

    return frame.style.apply(colour, axis=1)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A value for the CSV; text a spreadsheet would run as a formula gets a leading apostrophe."""
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def csv_text(columns: Iterable[str], rows: Iterable[Iterable]) -> str:
    """A header and rows as CSV, every cell through csv_cell (the Ratings and Judgements downloads)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return out.getvalue()


def ratings_csv(rows: Iterable[RatingRow]) -> str:
    """The filtered table as CSV, with the table's columns and values."""
    frame = ratings_frame(rows)
    return csv_text(frame.columns, frame.itertuples(index=False))


def apa_grid_html(rows: Iterable[RatingRow], page=0) -> tuple[str, int, str]:
    """For each kind that grades several areas (the APAs): rows councils (and year), columns its
    areas, cells the grade and its word. One page of PAGE_ROWS council-years (ui/web/paging.py):
    (HTML, the page shown, its line)."""
    by_kind: dict[str, dict[tuple[str, int], dict[str, RatingRow]]] = {}
    for r in rows:
        if len(kinds.get(r.kind).areas) > 1:
            by_kind.setdefault(r.kind, {}).setdefault((r.council, r.year), {})[r.area] = r
    if not by_kind:
        return '<p class="lqa-empty">No APA letters match the filters.</p>', 0, ""
    # Every kind's council-years in the order shown, then one page of them, each under its kind's table.
    entries = [(kind, key) for kind in kinds.APA_FIRST for key in sorted(by_kind.get(kind.key, ()))]
    shown, page, line = page_of(entries, page, what="council-year")
    parts = []
    for kind in kinds.APA_FIRST:
        grades = by_kind.get(kind.key)
        keys = [key for k, key in shown if k is kind]
        if not keys:
            continue
        areas = [area.key for area in kind.areas if any(area.key in cells for cells in grades.values())]
        table, classes = [], []
        for council, year in keys:
            cells = [grades[(council, year)].get(a) for a in areas]
            table.append([council, year, *[f"{c.grade} {c.label}" if c else "–" for c in cells]])
            classes.append(["", "", *[f"lqa-g{c.grade}" if c else "" for c in cells]])
        title = f'<div class="lqa-cite-title">{esc(kind.name)} ({esc(kind.years)})</div>' if len(by_kind) > 1 else ""
        parts.append(title + html_table(["council", "year", *[kind.area_title(a) for a in areas]], table, classes))
    return "".join(parts), page, line


def grade_choices() -> list[tuple[str, str]]:
    return [("All grades", ALL)] + [(f"{g}: {' / '.join(dict.fromkeys(scale.label(g) for scale in SCALES))}", str(g))
                                    for g in (4, 3, 2, 1)]



# --- a council's page ----------------------------------------------------------------------

COUNCIL_HINT = ('<p class="lqa-empty">Choose a council above, or click a council\'s name in the table, to see its '
                "page: all its letters and grades over time.</p>")
_KIND_ORDER = {kind.key: n for n, kind in enumerate(kinds.KINDS)}


def council_rows(letters: Iterable[LetterInfo], ratings: Iterable[RatingRow],
                 council: str) -> list[tuple[LetterInfo, RatingRow | None]]:
    """A council's page, row by row: each of its letters, oldest first, with each grade it gives
    (overall first, then the areas in the kind's order), or None for a letter without grades.
    The page's links carry a row's number in this list."""
    mine = sorted((x for x in letters if x.council == council),
                  key=lambda x: (x.year, _KIND_ORDER.get(x.kind, 99), x.name))
    graded: dict[str, list[RatingRow]] = {}
    for r in ratings:
        if r.council == council:
            graded.setdefault(r.letter, []).append(r)
    rows: list[tuple[LetterInfo, RatingRow | None]] = []
    for info in mine:
        order = {area.key: n for n, area in enumerate(kinds.get(info.kind).areas)} if info.kind in _KIND_ORDER else {}
        found = sorted(graded.get(info.name, ()), key=lambda r: (r.area != "overall", order.get(r.area, 99), r.area))
        rows.extend((info, r) for r in found or [None])
    return rows


def _overall(letter_rows: list[RatingRow | None]) -> RatingRow | None:
    return next((r for r in letter_rows if r is not None and r.area == "overall"), None)


def council_html(council: str, rows: list[tuple[LetterInfo, RatingRow | None]]) -> str:
    """A council's page: its overall grade letter by letter, then every letter's grades, colour-coded,
    each row a link that opens the letter in the reader at the rating's sentence. Every value escaped."""
    if not rows:
        return f'<p class="lqa-empty">No letters for {esc(council)} in the index.</p>'
    letters: dict[str, tuple[LetterInfo, list[RatingRow | None]]] = {}
    for info, row in rows:
        letters.setdefault(info.name, (info, []))[1].append(row)
    steps = []
    for info, found in letters.values():
        overall = _overall(found)
        scale = f"{info.year} {KIND_NAMES.get(info.kind, info.kind)}"
        if overall is None:
            steps.append(f'<span class="lqa-step lqa-none">{esc(scale)}: no overall grade</span>')
        else:
            steps.append(f'<span class="lqa-step lqa-g{overall.grade}">{esc(scale)}: {esc(overall.label)} '
                         f"({overall.grade})</span>")
    years = sorted({info.year for info, _ in letters.values()})
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
    count = f"{plural(len(letters), 'letter')}, {span}"
    body = []
    for i, (info, row) in enumerate(rows):
        link = (f'<button type="button" class="lqa-read" data-i="{i}" title="Read this letter'
                f'{" at this rating" if row else ""}">{esc(info.name)}</button>')
        kind = esc(KIND_NAMES.get(info.kind, info.kind))
        if row is None:
            cells = '<td>–</td><td class="lqa-empty">no grade</td><td>–</td>'
        else:
            css = f"lqa-g{row.grade}"
            cells = (f'<td class="{css} lqa-num-cell">{row.grade}</td><td class="{css}">{esc(row.label)}</td>'
                     f"<td>{esc(AREA_TITLES.get(row.area, row.area))}</td>")
        body.append(f'<tr><td class="lqa-num-cell">{info.year}</td>{cells}<td>{kind}</td><td>{link}</td></tr>')
    # The grade beside the year: on a phone the rest scrolls sideways under the year.
    head = "".join(f"<th>{h}</th>" for h in ("year", "grade", "label", "area", "kind", "letter"))
    return (f'<div class="lqa-council-page"><div class="lqa-cite-title">{esc(council)}</div>'
            f'<div class="lqa-meta">{count}. Click a letter to read it at the rating\'s sentence.</div>'
            f'<div class="lqa-steps">{" → ".join(steps)}</div>'
            f'<div class="lqa-scroll" tabindex="0"><table class="lqa-table lqa-council-table">'
            f'<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div></div>')
