"""Server-side paging for the web UI's grids (the Ratings table, the APA grid, the Judgements matrix,
the Letters table): the page sends one page of rows, never the whole table (issue 25: at 10,000
letters the page weighed 4.7 MB and a question asked right after it opened waited about 8 s).

But: - no sorting across pages: a grid is sorted by the server (council, then year), and a click on
a column sorts the page shown.
"""

from collections.abc import Sequence

from index.words import plural

PAGE_ROWS = 50  # rows of the Ratings and Letters tables and of the APA grid a page shows
PAGE_COUNCILS = 25  # councils of the Judgements matrix a page shows (each row holds many judgements)
COUNCIL_CHOICES = 300  # beyond this many councils, a council filter lists none: its name is typed


def clamp(page, count: int, size: int) -> int:
    """Page `page` (from 0) within the pages of `count` items; anything unreadable is the first page."""
    try:
        page = int(page or 0)
    except (TypeError, ValueError):
        page = 0
    return min(max(page, 0), max(0, (count - 1) // size))


def page_of(items: Sequence, page, size: int = PAGE_ROWS, what: str = "row") -> tuple[list, int, str]:
    """Page `page` of `items` (clamped), the page it is, and its line: "Rows 51–100 of 31,897 (page 2 of 638)"."""
    page = clamp(page, len(items), size)
    shown = list(items[page * size:(page + 1) * size])
    return shown, page, page_line(len(items), page, size, what)


def page_line(count: int, page: int, size: int, what: str) -> str:
    if count <= size:
        return plural(count, what)
    pages = (count - 1) // size + 1
    first, last = page * size + 1, min(count, (page + 1) * size)
    return f"{what.capitalize()}s {first:,}–{last:,} of {count:,} (page {page + 1:,} of {pages:,})"


def council_choices(councils: Sequence[str], all_label: str = "All councils") -> tuple[list, str]:
    """A council filter's choices and label: every council, or none beyond "All" where there are more
    than COUNCIL_CHOICES (the list alone would outweigh the page); a typed name is read as every
    council filter reads it (WebApp.council_choice)."""
    if len(councils) > COUNCIL_CHOICES:
        return [(all_label, "")], f"Council (type a name: {len(councils):,} councils)"
    return [(all_label, "")] + [(c, c) for c in councils], "Council"
