"""The web UI: a Gradio app over one index folder (`letters-qa serve`), with the JSON API beside it.

Three tabs. Ask: a chat whose replies cite the letters, with the cited excerpts (the
cited sentence highlighted in its paragraph) and the ratings used shown beside it.
Ratings: the extracted table with filters and a CSV download, a council's page (all its letters and
grades over time, each linking to the letter in the reader; opened from the council filter or a click
on a council's name in the table), a chart of councils per grade and the APA grade grid. On a phone
(style.py's media queries) the Ask tab stacks the sources right under the chat, and tables scroll
sideways with their key column kept. Letters: the indexed letters, a reader with each letter's original file to
download, and uploads that index/intake.py checks, saves under safe names and indexes at
once (as `letters-qa add` and POST /api/letters do). Named endpoints /ask, /search and
/ratings return the DESIGN.md JSON to `gradio_client`; the plain JSON API under /api is
ui/api.py, mounted on the same server by `launch`.

style.py holds the CSS, render.py the HTML (every letter-derived value escaped), ratings.py
the Ratings tab's views, app.py the handlers (WebApp), layout.py the page, server.py
launch/serve.
"""

from ui.web.app import MAX_HISTORY, NO_LETTERS_FOLDER, WebApp, default_letters_dir
from ui.web.layout import build_app
from ui.web.render import ALL, KIND_NAMES, esc, excerpt_html, html_table, letter_html, sources_html
from ui.web.server import launch, parse_auth, serve, warm_up

__all__ = ["ALL", "KIND_NAMES", "MAX_HISTORY", "NO_LETTERS_FOLDER", "WebApp", "build_app", "default_letters_dir",
           "esc", "excerpt_html", "html_table", "launch", "letter_html", "parse_auth", "serve", "sources_html",
           "warm_up"]
