"""The web UI: a Gradio app over one index folder (`letters-qa serve`), with the JSON API beside it.

Four tabs. Ask: a chat whose replies cite the letters, with the cited excerpts (the
cited sentence highlighted in its paragraph) and the ratings used shown beside it; an answer that
quotes only a sample of the matching passages offers "Show all N matching passages" (the same
question again with Assistant.ask(all=True), every match grouped by council).
Ratings: the extracted table with filters and a CSV download, a council's page (all its letters and
grades over time, each linking to the letter in the reader; opened from the council filter or a click
on a council's name in the table), a chart of councils per grade and the APA grade grid. On a phone
(style.py's media queries) the header is one line, the Ask tab's chat is the page (it grows, the page
scrolls) with the sources right under it, tables scroll sideways with their key column kept, and the
Letters tab is a card per letter. Judgements (judgements.py): the council x service matrix of
the judgements read from the letters, each coloured by level, its sentence on hover, a click
opening the letter there, with filters and a CSV download. Letters: the indexed letters, a reader
with each letter's original file to download, and uploads that index/intake.py checks, saves under
safe names and indexes at once (as `letters-qa add` and POST /api/letters do). Named endpoints
/ask, /search and /ratings return the DESIGN.md JSON to `gradio_client`. The handlers and the
plain JSON API under /api (ui/api.py) call one Service (ui/service.py); ui/serve.py puts the two
on one server.

style.py holds the CSS, render.py the HTML (every letter-derived value escaped), ratings.py
the Ratings tab's views, judgements.py the Judgements tab's, app.py the handlers (WebApp),
layout.py the page, gradio_compat.py every reach into Gradio past its documented API.
"""

import ui.web.gradio_compat  # noqa: F401 - first: it makes `import gradio` skip its type stubs
from ui.web.app import WebApp
from ui.web.layout import build_app, page_options
from ui.web.render import ALL, KIND_NAMES, esc, excerpt_html, html_table, letter_html, sources_html

__all__ = ["ALL", "KIND_NAMES", "WebApp", "build_app", "esc", "excerpt_html", "html_table", "letter_html",
           "page_options", "sources_html"]
