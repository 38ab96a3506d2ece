"""The web UI: a Gradio app over one index folder (`letters-qa serve`), with the JSON API beside it.

Four tabs. Ask: a chat whose replies cite the letters, with the cited excerpts (the
cited sentence highlighted in its paragraph) and the ratings used shown beside it; an answer that
quotes only a sample of the matching passages offers "Show all N matching passages" (the same
question again with Assistant.ask(all=True), every match grouped by council).
Ratings: the extracted table with filters and a CSV download, a council's page (all its letters and
grades over time, each linking to the letter in the reader; opened from the council filter or a click
on a council's name in the table), a chart of councils per grade and the APA grade grid. On a phone
(style.py's media queries) the Ask tab stacks the sources right under the chat, and tables scroll
sideways with their key column kept. Judgements (judgements.py): the council x service matrix of
the judgements read from the letters, each coloured by level, its sentence on hover, a click
opening the letter there, with filters and a CSV download. Letters: the indexed letters, a reader
with each letter's original file to download, and uploads that index/intake.py checks, saves under
safe names and indexes at once (as `letters-qa add` and POST /api/letters do). Named endpoints
/ask, /search and /ratings return the DESIGN.md JSON to `gradio_client`; the plain JSON API under
/api is ui/api.py, mounted on the same server by `launch`.

style.py holds the CSS, render.py the HTML (every letter-derived value escaped), ratings.py
the Ratings tab's views, judgements.py the Judgements tab's, app.py the handlers (WebApp),
layout.py the page, server.py launch/serve.
"""

import importlib.abc
import importlib.util
import sys


class _NoGradioStubs(importlib.abc.MetaPathFinder):
    """Imports gradio.component_meta with its `create_or_modify_pyi` a no-op.

    Gradio (6.x) calls that for every component class it defines, at every `import gradio`: it
    reads the class's source file, parses it with ast, renders a jinja2 template and compares it
    with the .pyi type stub beside it (rewriting the stub when they differ), for Gradio's own
    developers' type checking. Here that was ~45% of `import gradio` (3.2 s -> 1.75 s at load 4,
    the largest part of `letters-qa serve`'s start; bench/results/2026-12-03-serve-start.md).
    The stubs do nothing at run time and the wheel ships them. Harmless if Gradio renames it.
    """

    def find_spec(self, name, path=None, target=None):
        if name != "gradio.component_meta":
            return None
        sys.meta_path.remove(self)  # once; and find_spec below must not come back here
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_without_stubs(module):
            exec_module(module)
            if hasattr(module, "create_or_modify_pyi"):
                module.create_or_modify_pyi = _no_stub

        spec.loader.exec_module = exec_without_stubs
        return spec


def _no_stub(*args, **kwargs) -> None:
    return None


if "gradio" not in sys.modules:
    sys.meta_path.insert(0, _NoGradioStubs())

from ui.web.app import MAX_HISTORY, NO_LETTERS_FOLDER, WebApp, default_letters_dir  # noqa: E402 - gradio after the hook
from ui.web.layout import build_app  # noqa: E402
from ui.web.render import ALL, KIND_NAMES, esc, excerpt_html, html_table, letter_html, sources_html  # noqa: E402
from ui.web.server import launch, parse_auth, serve, warm_up  # noqa: E402

__all__ = ["ALL", "KIND_NAMES", "MAX_HISTORY", "NO_LETTERS_FOLDER", "WebApp", "build_app", "default_letters_dir",
           "esc", "excerpt_html", "html_table", "launch", "letter_html", "parse_auth", "serve", "sources_html",
           "warm_up"]
