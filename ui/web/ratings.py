"""The Ratings tab's views of the extracted ratings: filtered rows, the table, the chart, the APA grid.

But: - no I/O; the rows come from Assistant.ratings().
"""

import csv
import io
from collections.abc import Iterable

import pandas as pd

from index import kinds
from index.kinds import AREA_TITLES, label_for
from index.kinds.scales import SCALES
from index.reader import RatingRow
from ui.web.render import ALL, KIND_NAMES, esc, html_table
from ui.web.style import GRADE_COLOURS


def filter_ratings(rows: Iterable[RatingRow], council=ALL, year=ALL, kind=ALL, grade=ALL) -> list[RatingRow]:
    return [
        r for r in rows
        if (not council or r.council == council) and (not year or str(r.year) == str(year))
        and (not kind or r.kind == kind) and (not grade or str(r.grade) == str(grade))
    ]


def ratings_frame(rows: Iterable[RatingRow]) -> pd.DataFrame:
    columns = ["council", "year", "kind", "area", "label", "grade", "letter"]
    return pd.DataFrame([[r.council, r.year, KIND_NAMES.get(r.kind, r.kind), AREA_TITLES.get(r.area, r.area),
                          r.label, r.grade, r.letter] for r in rows], columns=columns)


GRADE_NAMES = {4: "4 excellent / outstanding", 3: "3 good", 2: "2 adequate", 1: "1 poor / inadequate"}
CHART_COLOURS = {GRADE_NAMES[g]: colour for g, colour in GRADE_COLOURS.items()}
CHART_COLUMNS = ["scale", "grade", "rating", "councils", "names"]
NAMES_SHOWN = 12  # council names in a bar's tooltip; the rest are counted


def chart_frame(rows: Iterable[RatingRow]) -> pd.DataFrame:
    """Councils per overall grade, one bar per scale (year and kind), stacked by grade: the rows
    of the Ratings chart, each with the names of its councils for the tooltip."""
    councils: dict[tuple[int, str], dict[int, set[str]]] = {}
    for r in rows:
        if r.area == "overall":
            councils.setdefault((r.year, r.kind), {}).setdefault(r.grade, set()).add(r.council)
    table = []
    for (year, kind), by_grade in sorted(councils.items(), reverse=True):
        for grade in (4, 3, 2, 1):
            names = sorted(by_grade.get(grade, ()))
            if names:
                shown = "; ".join(names[:NAMES_SHOWN])
                more = f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
                table.append([f"{year} {KIND_NAMES.get(kind, kind)}", GRADE_NAMES[grade], label_for(kind, grade),
                              len(names), shown + more])
    return pd.DataFrame(table, columns=CHART_COLUMNS)


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


def ratings_csv(rows: Iterable[RatingRow]) -> str:
    """The filtered table as CSV, with the table's columns and values."""
    frame = ratings_frame(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    writer.writerows([csv_cell(v) for v in row] for row in frame.itertuples(index=False))
    return out.getvalue()


def apa_grid_html(rows: Iterable[RatingRow]) -> str:
    """For each kind that grades several areas (the APAs): rows councils (and year), columns its
    areas, cells the grade and its word."""
    by_kind: dict[str, dict[tuple[str, int], dict[str, RatingRow]]] = {}
    for r in rows:
        if len(kinds.get(r.kind).areas) > 1:
            by_kind.setdefault(r.kind, {}).setdefault((r.council, r.year), {})[r.area] = r
    if not by_kind:
        return '<p class="lqa-empty">No APA letters match the filters.</p>'
    parts = []
    for kind in kinds.APA_FIRST:
        grades = by_kind.get(kind.key)
        if not grades:
            continue
        areas = [area.key for area in kind.areas if any(area.key in cells for cells in grades.values())]
        table, classes = [], []
        for (council, year), by_area in sorted(grades.items()):
            cells = [by_area.get(a) for a in areas]
            table.append([council, year, *[f"{c.grade} {c.label}" if c else "–" for c in cells]])
            classes.append(["", "", *[f"lqa-g{c.grade}" if c else "" for c in cells]])
        title = f'<div class="lqa-cite-title">{esc(kind.name)} ({esc(kind.years)})</div>' if len(by_kind) > 1 else ""
        parts.append(title + html_table(["council", "year", *[kind.area_title(a) for a in areas]], table, classes))
    return "".join(parts)


def grade_choices() -> list[tuple[str, str]]:
    return [("All grades", ALL)] + [(f"{g}: {' / '.join(scale.label(g) for scale in SCALES)}", str(g))
                                    for g in (4, 3, 2, 1)]

