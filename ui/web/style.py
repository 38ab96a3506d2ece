"""The web UI's stylesheets and its one script (static/style.css, page.css, app.js, with the few values
Python owns filled in here): one palette for grades (lqa-g1..lqa-g4) everywhere.

The script only listens (delegated listeners on the document and one MutationObserver): it
reads the numbers our own HTML carries (data-turn, data-n, data-i, data-j) and never takes text
from a letter into markup or handlers (a judgement's title is copied as text, textContent).

But: - no theme of its own: Gradio's Soft theme supplies colours and fonts, with the few of its
colours that fall under WCAG AA's 4.5:1 darkened (theme()).
"""

from pathlib import Path

from qa.query import MAX_QUESTION_CHARS

STATIC = Path(__file__).with_name("static")  # style.css and app.js, which Gradio gets as its css= and js=


def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def theme():
    """Gradio's Soft theme with text at WCAG 2.1 AA contrast (4.5:1, checked by axe-core in
    tests/test_web_a11y.py): its indigo-500 labels on indigo-100 are 3.6:1, white on an indigo-500
    button 4.5:1 less a little, and its grey meta text, links and placeholder about 2.5:1; each is
    one or two shades darker here (indigo-700, neutral-600)."""
    import gradio as gr

    return gr.themes.Soft().set(
        color_accent="*primary_700", border_color_accent="*primary_700",
        block_label_text_color="*primary_700", block_title_text_color="*primary_700",
        button_primary_background_fill="*primary_600", button_primary_background_fill_hover="*primary_700",
        body_text_color_subdued="*neutral_600", input_placeholder_color="*neutral_600",
        link_text_color="*primary_700", link_text_color_visited="*primary_700", link_text_color_hover="*primary_800",
    )

# Grade 4 (best) to 1: the table cells, the chart's bars and the APA grid use these.
GRADE_COLOURS = {4: "#8fd19e", 3: "#cfe79a", 2: "#f7d774", 1: "#f19a8f"}

# The Ratings table's columns (ratings.ratings_frame) and, on a phone, their order and widths (px):
# wide enough for their headers and values, the year and grade beside the council, and the table
# scrolling sideways under a council column that stays put, rather than crushing every column.
RATINGS_COLUMNS = ("council", "year", "kind", "area", "label", "grade", "letter")
MOBILE_COLUMNS = {"council": 150, "year": 64, "grade": 68, "label": 160, "kind": 124, "area": 240, "letter": 196}
MOBILE_WIDTH = 640  # px: at most this wide, the page is laid out for a phone


def _ratings_mobile() -> str:
    """CSS for the Ratings table (Gradio's virtual table, which sizes columns in inline styles) on a phone."""
    rules = []
    for order, (name, width) in enumerate(MOBILE_COLUMNS.items()):
        i = RATINGS_COLUMNS.index(name)
        size = f"width: {width}px !important; min-width: {width}px !important; max-width: {width}px !important;"
        rules.append(f'#lqa-ratings [data-heading="{i}"], #lqa-ratings .body-cell[data-col="{i}"] '
                     f"{{ {size} flex: 0 0 {width}px !important; order: {order}; }}")
    total = sum(MOBILE_COLUMNS.values())
    return (f"@media (max-width: {MOBILE_WIDTH}px) {{\n"
            f"  #lqa-ratings .header-table, #lqa-ratings .virtual-body {{ width: {total}px !important; }}\n"
            # The header row as a flex row like the body's (so the columns can be reordered); Gradio's
            # hidden sizing row would otherwise widen the header table.
            "  #lqa-ratings .header-table, #lqa-ratings .header-table thead { display: block; }\n"
            "  #lqa-ratings .header-table thead tr { display: flex; padding: 0; }\n"
            "  #lqa-ratings .header-table .sizing-body { display: none; }\n  "
            + "\n  ".join(rules) + "\n"
            '  #lqa-ratings [data-heading="0"], #lqa-ratings .body-cell[data-col="0"] { position: sticky !important;\n'
            "      left: 0; z-index: 3;\n"
            "      background: var(--table-even-background-fill, var(--background-fill-primary)); }\n"
            '  #lqa-ratings .row-odd .body-cell[data-col="0"] { background: var(--table-odd-background-fill,\n'
            "      var(--background-fill-secondary)); }\n"
            '  #lqa-ratings .body-cell[data-col="0"] .cell-wrap * { white-space: normal !important; }\n'
            "}\n")


def _judgement_hover() -> str:
    """A judgement's own colours when hovered, over Gradio's `button:hover` (which repaints buttons)."""
    looks = {**{f"lqa-g{g}": (c, "#1f1f1f") for g, c in GRADE_COLOURS.items()},
             "lqa-jcmp": ("var(--background-fill-secondary)", "var(--body-text-color)"),
             "lqa-jneg": ("var(--background-fill-primary)", "var(--body-text-color)")}
    return "\n".join(f"#lqa-judgements .lqa-jcell.{css}:hover {{ background: {background}; color: {colour}; }}"
                     for css, (background, colour) in looks.items())


CSS = ("".join(f".lqa-g{g} {{ background: {c}; }} " for g, c in GRADE_COLOURS.items()) + "\n"
       + _static("style.css").replace("/* @judgement-hover */", _judgement_hover())
       .replace("/* @ratings-mobile */", _ratings_mobile()).replace("@mobile-width", f"{MOBILE_WIDTH}px"))

# For the page's <head>: the rules for Gradio's container (static/page.css says why they are not in CSS).
PAGE_CSS = _static("page.css").replace("@mobile-width", f"{MOBILE_WIDTH}px")

# Delegated: chips and buttons come and go with every answer. A chip's click is sent to the
# server as "turn:n:nonce" through the hidden #lqa-jump box; the server looks the citation up.
JS = _static("app.js").replace("__LQA_MAX__", str(MAX_QUESTION_CHARS))

