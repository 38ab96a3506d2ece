"""The web UI and its HTTP API: a Gradio app over one index folder (`letters-qa serve`).

Three tabs. Ask: a chat whose replies cite the letters, with the cited excerpts (the
cited sentence highlighted in its paragraph) and the ratings used shown beside it.
Ratings: the extracted table with filters, a chart of councils per rating and the APA
grade grid. Letters: the indexed letters, a reader with each letter's original file to
download, and uploads that index/intake.py checks, saves under safe names and indexes at
once (as `letters-qa add` and POST /api/letters do). Named endpoints /ask, /search and /ratings return
the DESIGN.md JSON to `gradio_client`; the plain JSON API under /api is ui/api.py, mounted
on the same server by `launch`.

Letter text is data: everything built here as HTML goes through `html.escape`, and the
chat's markdown comes escaped from `qa.answer.md_escape`.

But: - uploads only add letters; nothing here deletes or replaces one (a clash of names
gets a suffix). - Follow-ups take their context from the earlier questions, not from the
earlier answers. - One optional shared password (Gradio's login), no user accounts.
"""

import hashlib
import html
import inspect
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import gradio as gr
import pandas as pd

from index import kinds
from index.errors import LetterError, LettersQAError
from index.formats import MAX_DOCUMENT_BYTES
from index.intake import AddReport, Original, add_letters, original_file
from index.kinds import AREA_TITLES, label_for
from index.kinds.scales import SCALES
from index.letters import MAX_LETTER_BYTES
from index.reader import LetterInfo, RatingRow
from index.scan import LETTER_SUFFIXES
from qa import Answer, Assistant
from qa.answer import md_escape, rating_dict
from qa.query import MAX_QUESTION_CHARS, clean_text
from ui.cli import LOCAL_HOSTS, serve_refusal

TITLE = "letters-qa: Ofsted letters to councils"
DESCRIPTION = ("Ask what Ofsted's letters to English councils say about their children's services: "
               "which councils got which rating, and what the letters found. Every answer cites the letters.")
EXAMPLES = (
    "Which councils perform adequately?",
    "Which councils perform well?",
    "What rating did Trafford get?",
    "Which councils are outstanding for staying safe?",
    "What did Ofsted say about private fostering in Trafford?",
)
NO_LETTERS_FOLDER = "this server has no letters folder (start it with --letters DIR)"
# Gradio refuses bigger uploads outright; between the two caps the file reaches us and
# is listed as rejected with its size, which is the clearer message.
UPLOAD_CAP_BYTES = 2 * MAX_DOCUMENT_BYTES
ALL = ""  # the "no filter" value of the Ratings tab's dropdowns
KIND_NAMES = {kind.key: kind.name for kind in kinds.KINDS}
NO_SOURCES = '<p class="lqa-empty">Ask a question to see its sources here.</p>'
NO_ANSWER = '<p class="lqa-empty">No answer yet.</p>'
EXCERPT_CONTEXT = 240  # characters of the paragraph shown either side of a cited span

CSS = """
.lqa-cite { border-left: 3px solid var(--color-accent); padding: 2px 0 2px 10px; margin: 0 0 14px 0; }
.lqa-cite-title { font-weight: 600; }
.lqa-meta { color: var(--body-text-color-subdued); font-size: 0.85em; }
.lqa-excerpt { white-space: pre-wrap; margin: 4px 0 0 0; line-height: 1.45; }
.lqa-excerpt mark { background: #ffe08a; color: #1f1f1f; padding: 0 1px; }
.lqa-table { border-collapse: collapse; font-size: 0.9em; width: 100%; }
.lqa-table th, .lqa-table td { border: 1px solid var(--border-color-primary); padding: 3px 6px; text-align: left; }
.lqa-table th { background: var(--background-fill-secondary); }
.lqa-g4 { background: #c8ecc9; } .lqa-g3 { background: #e3f2c6; }
.lqa-g2 { background: #fdf0c2; } .lqa-g1 { background: #f9d0cc; }
.lqa-g4, .lqa-g3, .lqa-g2, .lqa-g1 { color: #1f1f1f; }
.lqa-letter { white-space: pre-wrap; font-family: var(--font-mono); font-size: 0.85em; max-height: 560px;
              overflow-y: auto; border: 1px solid var(--border-color-primary); padding: 10px; }
.lqa-ok { color: #1b7a2c; } .lqa-bad { color: #b3261e; }
.lqa-empty { color: var(--body-text-color-subdued); }
.lqa-chart-block { margin-bottom: 14px; }
.lqa-bar-row { display: flex; align-items: center; gap: 8px; margin: 3px 0; font-size: 0.9em; }
.lqa-bar-label { flex: 0 0 12.5em; white-space: nowrap; }
.lqa-bar-track { flex: 1; background: var(--background-fill-secondary); height: 1.1em; border-radius: 3px; }
.lqa-bar { display: block; height: 100%; border-radius: 3px; border: 1px solid #8a8a8a; box-sizing: border-box; }
.lqa-bar-count { flex: 0 0 2em; text-align: right; font-variant-numeric: tabular-nums; }
#lqa-apa-grid { overflow-x: auto; }
"""


# --- HTML for the Ask panel ---------------------------------------------------------------


def esc(value) -> str:
    """Escape anything for HTML text or attribute values."""
    return html.escape(str(value), quote=True)


def excerpt_html(text: str | None, start: int, end: int, cited: str, context: int = EXCERPT_CONTEXT) -> str:
    """The cited span inside its paragraph (at most `context` characters either side), marked."""
    if text is None or text[start:end] != cited:
        return f"<mark>{esc(cited)}</mark>"
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
    return f"{esc(before)}<mark>{esc(text[start:end])}</mark>{esc(after)}"


def sources_html(answer: Answer, letter_text: Callable[[str], str | None]) -> str:
    """The numbered cited excerpts of an answer."""
    if not answer.citations:
        return '<p class="lqa-empty">No excerpts cited.</p>'
    texts: dict[str, str | None] = {}
    items = []
    for number, citation in enumerate(answer.citations, 1):
        if citation.letter not in texts:
            texts[citation.letter] = letter_text(citation.letter)
        excerpt = excerpt_html(texts[citation.letter], citation.start, citation.end, citation.text)
        items.append(
            f'<div class="lqa-cite"><div class="lqa-cite-title">[{number}] {esc(citation.title)}</div>'
            f'<div class="lqa-meta">{esc(citation.letter)} · characters {citation.start}–{citation.end}</div>'
            f'<div class="lqa-excerpt">{excerpt}</div></div>'
        )
    return "".join(items)


def html_table(headers: Iterable[str], rows: Iterable[Iterable], classes: Iterable[Iterable[str]] | None = None) -> str:
    """A plain table; every cell escaped. `classes` gives a CSS class per cell (or '')."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    class_rows = iter(classes) if classes is not None else None
    body = []
    for row in rows:
        cell_classes = next(class_rows) if class_rows is not None else ()
        cells = [
            f'<td class="{esc(css)}">{esc(value)}</td>' if css else f"<td>{esc(value)}</td>"
            for value, css in zip(row, [*cell_classes, *[""] * 99])
        ]
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="lqa-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def scale_name(row: RatingRow | LetterInfo) -> str:
    return f"{row.year} {KIND_NAMES.get(row.kind, row.kind)}"


def used_ratings_html(rows: Iterable[RatingRow]) -> str:
    """The ratings an answer used, as a small table."""
    rows = list(rows)
    if not rows:
        return '<p class="lqa-empty">No ratings used.</p>'
    return html_table(
        ("council", "year", "scale", "area", "label", "grade"),
        [(r.council, r.year, KIND_NAMES.get(r.kind, r.kind), AREA_TITLES.get(r.area, r.area), r.label, r.grade)
         for r in rows],
        [("", "", "", "", "", f"lqa-g{r.grade}") for r in rows],
    )


def bubble_markdown(answer: Answer) -> str:
    """The chat reply: the answer's markdown (already escaped) and the titles of its sources."""
    if not answer.citations:
        return answer.text
    sources = "  \n".join(f"[{n}] {md_escape(c.title)}" for n, c in enumerate(answer.citations, 1))
    return f"{answer.text}\n\n**Sources**  \n{sources}"


def error_html(message: str) -> str:
    return f'<p class="lqa-bad"><strong>Error:</strong> {esc(message)}</p>'


# --- the Ratings tab ---------------------------------------------------------------------


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


def chart_html(rows: Iterable[RatingRow]) -> str:
    """Councils per overall rating as bars, one block per scale (year and kind), zero counts shown."""
    councils: dict[tuple[int, str], dict[int, set[str]]] = {}
    for r in rows:
        if r.area == "overall":
            councils.setdefault((r.year, r.kind), {}).setdefault(r.grade, set()).add(r.council)
    if not councils:
        return '<p class="lqa-empty">No overall ratings match the filters.</p>'
    top = max(len(names) for by_grade in councils.values() for names in by_grade.values())
    scales = sorted(councils.items(), reverse=True)
    return "".join(_chart_block(year, kind, by_grade, top) for (year, kind), by_grade in scales)


def _chart_block(year: int, kind: str, by_grade: dict[int, set[str]], top: int) -> str:
    bars = []
    for grade in (4, 3, 2, 1):
        count = len(by_grade.get(grade, ()))
        bar = f'<span class="lqa-bar lqa-g{grade}" style="width:{100 * count / top:.0f}%"></span>' if count else ""
        bars.append(f'<div class="lqa-bar-row"><span class="lqa-bar-label">{grade} {esc(label_for(kind, grade))}</span>'
                    f'<span class="lqa-bar-track">{bar}</span><span class="lqa-bar-count">{count}</span></div>')
    several = len(kinds.get(kind).areas) > 1
    title = f"{year} {KIND_NAMES.get(kind, kind)}" + (", overall effectiveness" if several else "")
    return f'<div class="lqa-chart-block"><div class="lqa-cite-title">{esc(title)}</div>{"".join(bars)}</div>'


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


# --- the Letters tab ---------------------------------------------------------------------


def letters_frame(letters: Iterable[LetterInfo]) -> pd.DataFrame:
    columns = ["council", "year", "kind", "sections", "chunks", "file"]
    return pd.DataFrame([[x.council, x.year, KIND_NAMES.get(x.kind, x.kind), x.sections, x.chunks, x.name]
                         for x in letters], columns=columns)


def letter_choices(letters: Iterable[LetterInfo]) -> list[tuple[str, str]]:
    return [(f"{x.short_name} {x.year} ({KIND_NAMES.get(x.kind, x.kind)}) - {x.name}", x.name) for x in letters]


def letter_html(info: LetterInfo | None, text: str | None) -> str:
    if info is None or text is None:
        return '<p class="lqa-empty">Choose a letter to read it.</p>'
    meta = " · ".join(esc(v) for v in (scale_name(info), info.date, info.name) if v)
    return (f'<div class="lqa-cite-title">{esc(info.council)}</div><div class="lqa-meta">{meta}</div>'
            f'<div class="lqa-letter">{esc(text)}</div>')


def upload_result_html(report: AddReport) -> str:
    """The intake's plain sentences (index/intake.py), shown beside the Add button; all escaped."""
    css = {"added": "lqa-ok", "skipped": "lqa-bad", "failure": "lqa-bad", "nothing": "lqa-empty"}
    lines = "".join(f'<p class="{css.get(what, "lqa-meta")}">{esc(sentence)}</p>'
                    for what, sentence in report.sentences())
    return f'<div class="lqa-result">{lines}</div>'


_ORIGINALS: Path | None = None  # where download copies of original letter files are kept (see letter_download)


def download_copy(original: Original) -> Path:
    """A copy of an original letter file under the system's temporary folder, for Gradio to serve:
    Gradio only moves files from there (or its working folder) into its cache, and the letters
    folder may lie anywhere. One copy per content; they go when the machine clears /tmp."""
    global _ORIGINALS
    if _ORIGINALS is None or not _ORIGINALS.is_dir():
        _ORIGINALS = Path(tempfile.mkdtemp(prefix="letters-qa-originals-"))
    folder = _ORIGINALS / hashlib.sha256(original.data).hexdigest()[:32]
    path = folder / original.filename
    if not path.is_file():
        folder.mkdir(exist_ok=True)
        partial = folder / f".{original.filename}.part"
        partial.write_bytes(original.data)
        partial.replace(path)
    return path


# --- the app -----------------------------------------------------------------------------


class WebApp:
    """The event handlers, over one Assistant; build_app wires them to components."""

    def __init__(self, assistant: Assistant, letters_dir: Path | None, embedder=None, uploads_off: str | None = None):
        self.assistant = assistant
        self.letters_dir = Path(letters_dir) if letters_dir is not None else None
        self.uploads_off = uploads_off or NO_LETTERS_FOLDER  # why, when letters_dir is None
        self.embedder = embedder or assistant.embedder
        self._update = threading.Lock()

    # Ask -------------------------------------------------------------------------------

    def respond(self, question: str, turns: list[dict]):
        """Answer one chat message; returns (textbox, turns, chat messages, sources, ratings)."""
        question = clean_text((question or "").strip())
        if not question:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        history = [t["question"] for t in turns if t["ok"]]
        try:
            answer = self.assistant.ask(question, history=history)
            turn = {"question": question, "ok": True, "reply": bubble_markdown(answer),
                    "sources": sources_html(answer, self.assistant.reader.letter_text),
                    "ratings": used_ratings_html(answer.ratings)}
        except LettersQAError as exc:
            turn = {"question": question, "ok": False, "reply": f"**Error:** {md_escape(str(exc))}",
                    "sources": error_html(str(exc)), "ratings": ""}
        turns = [*turns, turn]
        return "", turns, chat_messages(turns), turn["sources"], turn["ratings"]

    def show_turn(self, turns: list[dict], evt: gr.SelectData):
        """Clicking a message shows that answer's sources in the panel."""
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        if not turns or not 0 <= index // 2 < len(turns):
            return gr.skip(), gr.skip()
        turn = turns[index // 2]
        return turn["sources"], turn["ratings"]

    # Ratings and Letters ---------------------------------------------------------------

    def ratings_view(self, council=ALL, year=ALL, kind=ALL, grade=ALL):
        try:
            rows = filter_ratings(self.assistant.ratings(), council, year, kind, grade)
        except LettersQAError as exc:
            return ratings_frame([]), error_html(str(exc)), ""
        return ratings_frame(rows), chart_html(rows), apa_grid_html(rows)

    def filter_choices(self):
        letters = self.assistant.letters()
        councils = sorted({x.council for x in letters})
        years = sorted({x.year for x in letters}, reverse=True)
        return (gr.update(choices=[("All councils", ALL)] + [(c, c) for c in councils]),
                gr.update(choices=[("All years", ALL)] + [(str(y), str(y)) for y in years]))

    def letters_view(self):
        letters = self.assistant.letters()
        return letters_frame(letters), gr.update(choices=letter_choices(letters))

    def open_letter(self, name: str | None):
        if not name:
            return letter_html(None, None)
        try:
            reader = self.assistant.reader
            info = next((x for x in reader.letters if x.name == name), None)
            return letter_html(info, reader.letter_text(name) if info else None)
        except LettersQAError as exc:
            return error_html(str(exc))

    def refresh_all(self, council=ALL, year=ALL, kind=ALL, grade=ALL):
        """Everything that depends on the index, after a page load or an upload (filters kept)."""
        try:
            return (*self.letters_view(), *self.filter_choices(), *self.ratings_view(council, year, kind, grade))
        except LettersQAError as exc:
            message = error_html(str(exc))
            return letters_frame([]), gr.skip(), gr.skip(), gr.skip(), ratings_frame([]), message, ""

    # Uploads ---------------------------------------------------------------------------

    def add_letters(self, files: list[str] | None, progress=gr.Progress()):
        """Check, save and index uploaded letters (index/intake.py); returns (result HTML, cleared file input)."""
        if self.letters_dir is None:
            return error_html(f"uploads are off: {self.uploads_off}"), None
        if not files:
            return '<p class="lqa-empty">Choose one or more letter files first.</p>', gr.skip()
        if not self._update.acquire(blocking=False):
            return error_html("another upload is being indexed; try again when it has finished"), gr.skip()
        try:
            return self._add_letters(files, progress), None
        except LettersQAError as exc:
            return error_html(str(exc)), gr.skip()
        finally:
            self._update.release()

    def _add_letters(self, files: list[str], progress) -> str:
        progress(0, desc="Checking the files")

        def on_progress(done: int, total: int) -> None:
            progress((done, total), desc="Embedding the new letters", unit="chunks")

        # Gradio keeps each upload under its own name in a folder of its own.
        report = add_letters([(Path(f), Path(f).name) for f in files], self.letters_dir, self.assistant.index_dir,
                             embedder=self.embedder, progress=on_progress)
        return upload_result_html(report)

    # Original files --------------------------------------------------------------------

    def originals_dir(self) -> Path | None:
        """Where indexed letters' files are read for download: the upload folder, else the
        folder the index was built from (the server may have uploads off)."""
        return self.letters_dir or default_letters_dir(self.assistant)

    def original(self, name: str) -> Original | None:
        """Indexed letter `name`'s file, checked (index.intake.original_file); None when no
        letter of that name is indexed. LettersQAError when its file cannot be served."""
        indexed = self.assistant.reader.manifest.letters
        folder = self.originals_dir()
        if folder is None:
            if name in indexed:
                raise LetterError(name, "this server does not know the letters folder (start it with --letters DIR)")
            return None
        return original_file(folder, name, indexed)

    def letter_download(self, name: str | None):
        """The download button of the letter chosen in the reader: its original file, or disabled with why."""
        idle = gr.update(value=None, interactive=False, label="Download the original file")
        if not name:
            return idle
        try:
            original = self.original(name)
        except LetterError as exc:
            return gr.update(value=None, interactive=False, label=f"Original file unavailable: {exc.reason}")
        except (LettersQAError, OSError) as exc:
            return gr.update(value=None, interactive=False, label=f"Original file unavailable: {exc}")
        if original is None:
            return idle
        return gr.update(value=str(download_copy(original)), interactive=True, label=f"Download {original.filename}")

    # HTTP API --------------------------------------------------------------------------

    # Requests are any JSON: every argument is checked here, so a wrong type or size gets a
    # message naming the argument, and the server log no traceback.

    def api_ask(self, question: str, history: list[str] | None = None) -> dict:
        """Answer a question with citations; `history` holds the earlier questions of a conversation."""
        question = api_text(question, "question", "the question is empty; type a question about the letters")
        if history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
            raise api_error(f"history must be a list of the earlier questions (text), or null, not {kind_of(history)}")
        if len(history or ()) > MAX_HISTORY:
            raise api_error(f"history holds at most {MAX_HISTORY} questions; send the latest ones")
        history = [clean_text(h) for h in history or ()]
        return self._api(lambda: self.assistant.ask(question, history=history).to_dict())

    def api_search(self, query: str, k: int = 5, council: str | None = None, year: int | None = None) -> dict:
        """The k best passages for a query, optionally only one council's or one year's letters."""
        query = api_text(query, "query", "the query is empty; type words to search the letters for")
        k = api_int(k, "k", "a whole number from 1 to 100", 1, 100)
        council, year = api_council(council), api_year(year)
        hits = self._api(lambda: self.assistant.search(query, k=k, council=council, year=year))
        return {"query": query, "hits": [h.to_dict() for h in hits]}

    def api_ratings(self, council: str | None = None, year: int | None = None) -> dict:
        """The extracted ratings table, optionally one council's or one year's."""
        council, year = api_council(council), api_year(year)
        rows = self._api(lambda: self.assistant.ratings(council=council, year=year))
        return {"ratings": [rating_dict(r) for r in rows]}

    @staticmethod
    def _api(call):
        try:
            return call()
        except LettersQAError as exc:
            raise api_error(str(exc)) from None


# --- checking what the HTTP API is sent --------------------------------------------------

MAX_HISTORY = 50  # earlier questions an /ask call may carry
_KINDS = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "an object",
          type(None): "null"}


def api_error(message: str) -> gr.Error:
    """What the client is told; the caller's mistake, so no traceback goes to the server log.

    Gradio's UI would show the message as HTML: it never echoes what was sent."""
    return gr.Error(message, print_exception=False)


def kind_of(value) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def api_text(value, name: str, empty: str) -> str:
    if not isinstance(value, str):
        raise api_error(f"{name} must be text, not {kind_of(value)}")
    if not value.strip():
        raise api_error(empty)
    return clean_text(value)


def api_int(value, name: str, what: str, low: int, high: int) -> int:
    """A whole number in [low, high]; JSON may send one as 3.0."""
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole or not low <= value <= high:
        shown = f", not {kind_of(value)}" if not isinstance(value, int | float) or isinstance(value, bool) else ""
        raise api_error(f"{name} must be {what}{shown}")
    return int(value)


def api_council(value) -> str | None:
    """A council filter: text or null ("" is no filter too)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise api_error(f"council must be text, not {kind_of(value)}")
    if len(value) > MAX_QUESTION_CHARS:
        raise api_error(f"council is {len(value):,} characters long; a council's name is under {MAX_QUESTION_CHARS:,}")
    return clean_text(value)


def api_year(value) -> int | None:
    """A year filter: a whole number or null (0 and "" are no filter too, as before)."""
    if value is None or value == "" or (value == 0 and not isinstance(value, bool)):
        return None
    return api_int(value, "year", "a whole number such as 2009", 1000, 9999)


class Blocks(gr.Blocks):
    """gr.Blocks whose calls with too few values get a clear error, not a traceback in the log."""

    def validate_inputs(self, block_fn, inputs) -> None:
        if len(inputs) < len(block_fn.inputs):
            names = ", ".join(inspect.signature(block_fn.fn).parameters) if block_fn.fn else "values"
            raise api_error(f"/{block_fn.api_name} takes {len(block_fn.inputs)} values ({names}); "
                            f"{len(inputs)} given")
        super().validate_inputs(block_fn, inputs)


def chat_messages(turns: list[dict]) -> list[dict]:
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": md_escape(turn["question"])})
        messages.append({"role": "assistant", "content": turn["reply"]})
    return messages


def build_app(assistant: Assistant, letters_dir: Path | None, embedder=None,
              uploads_off: str | None = None) -> gr.Blocks:
    """The Blocks app: Ask, Ratings and Letters tabs, and the /ask, /search, /ratings endpoints.

    Without `letters_dir` uploads are off; `uploads_off` says why (no letters folder by default)."""
    web = WebApp(assistant, letters_dir, embedder, uploads_off)
    with Blocks(title=TITLE, delete_cache=(3600, 86400)) as app:
        gr.Markdown(f"# {TITLE}\n{DESCRIPTION}")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                _ask_tab(web)
            with gr.Tab("Ratings", id="ratings"):
                ratings_parts, filters = _ratings_tab(web)
            with gr.Tab("Letters", id="letters"):
                letters_parts, added = _letters_tab(web)
        everything = [*letters_parts, *ratings_parts]
        app.load(web.refresh_all, filters, everything, api_visibility="private")
        added.then(web.refresh_all, filters, everything, api_visibility="private")
        gr.api(web.api_ask, api_name="ask")
        gr.api(web.api_search, api_name="search")
        gr.api(web.api_ratings, api_name="ratings")
    app.queue(max_size=64, default_concurrency_limit=2)
    app.letters_qa_web = web  # for launch(): the JSON API (ui/api.py) serves the same handlers
    return app


def _ask_tab(web: WebApp) -> None:
    turns = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            # No LaTeX: "$$" from a letter would turn the rest of an answer into math (md_escape escapes "$"
            # too; this also covers the chat's own text).
            chat = gr.Chatbot(label="Chat", height=520, sanitize_html=True, latex_delimiters=[], elem_id="lqa-chat",
                              buttons=["copy_all"],
                              placeholder="Ask about the councils' ratings or what the letters say.")
            with gr.Row():
                question = gr.Textbox(placeholder="Ask a question, e.g. Which councils perform adequately?",
                                      show_label=False, scale=5, elem_id="lqa-question", submit_btn=False)
                ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="lqa-ask")
            examples = gr.Dataset(components=[question], samples=[[text] for text in EXAMPLES], type="index",
                                  label="Examples (click to ask)", elem_id="lqa-examples", layout="gallery")
            clear = gr.Button("Clear chat", size="sm", variant="secondary", elem_id="lqa-clear")
        with gr.Column(scale=2):
            gr.Markdown("### Cited excerpts\nOf the latest answer; click an earlier answer to see its own.")
            sources = gr.HTML(NO_SOURCES, elem_id="lqa-sources")
            gr.Markdown("### Ratings used")
            used = gr.HTML(NO_ANSWER, elem_id="lqa-used")
    outputs = [question, turns, chat, sources, used]
    for trigger in (ask.click, question.submit):
        trigger(web.respond, [question, turns], outputs, api_visibility="private")
    examples.click(lambda index, turns: web.respond(EXAMPLES[index], turns), [examples, turns], outputs,
                   api_visibility="private")
    chat.select(web.show_turn, [turns], [sources, used], api_visibility="private")
    for trigger in (clear.click, chat.clear):
        trigger(lambda: ("", [], [], NO_SOURCES, NO_ANSWER), None, outputs, api_visibility="private")


def _ratings_tab(web: WebApp) -> tuple[list, list]:
    gr.Markdown("The ratings read from every indexed letter. Filter them, or sort by clicking a column.")
    with gr.Row():
        council = gr.Dropdown([("All councils", ALL)], value=ALL, label="Council", elem_id="lqa-f-council")
        year = gr.Dropdown([("All years", ALL)], value=ALL, label="Year", elem_id="lqa-f-year")
        kind = gr.Dropdown([("All kinds", ALL)] + [(f"{k.name[0].upper()}{k.name[1:]} ({k.years})", k.key)
                                                   for k in kinds.KINDS if k.graded], value=ALL, label="Kind")
        grade = gr.Dropdown(grade_choices(), value=ALL, label="Rating grade")
    table = gr.Dataframe(label="Ratings", interactive=False, elem_id="lqa-ratings", max_height=460,
                         column_widths=["29%", "5%", "12%", "19%", "15%", "5%", "15%"])
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=320):
            gr.Markdown("### Councils per overall rating")
            chart = gr.HTML(elem_id="lqa-chart")
        with gr.Column(scale=2):
            gr.Markdown("### APA grades by area")
            grid = gr.HTML(elem_id="lqa-apa-grid")
    filters = [council, year, kind, grade]
    for dropdown in filters:
        dropdown.change(web.ratings_view, filters, [table, chart, grid], api_visibility="private")
    return [council, year, table, chart, grid], filters


def _letters_tab(web: WebApp) -> tuple[list, object]:
    table = gr.Dataframe(label="Indexed letters", interactive=False, elem_id="lqa-letters", max_height=360)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            choose = gr.Dropdown([], value=None, label="Read a letter", elem_id="lqa-letter-choice")
            download = gr.DownloadButton("Download the original file", elem_id="lqa-letter-file", size="sm",
                                         interactive=False)
            text = gr.HTML(letter_html(None, None), elem_id="lqa-letter-text")
        with gr.Column(scale=2):
            if web.letters_dir is not None:
                where = f"Saved into `{md_escape(str(web.letters_dir))}`, then the index is updated."
            else:
                where = f"Uploads are off: {md_escape(web.uploads_off)}."
            gr.Markdown(f"### Add letters\n{', '.join(LETTER_SUFFIXES)} files, up to "
                        f"{MAX_LETTER_BYTES // 1_000_000} MB each for text and "
                        f"{MAX_DOCUMENT_BYTES // 1_000_000} MB for PDF, Word and HTML. {where}")
            # The picker offers only letter suffixes (Gradio refuses others with its own message);
            # every other check is the intake's, reported beside the button.
            files = gr.File(file_count="multiple", file_types=list(LETTER_SUFFIXES), label="Letters to add",
                            elem_id="lqa-upload", interactive=web.letters_dir is not None)
            with gr.Row(equal_height=False):
                add = gr.Button("Add to the index", variant="primary", elem_id="lqa-add", scale=0, min_width=150,
                                interactive=web.letters_dir is not None)
                report = gr.HTML(elem_id="lqa-report", scale=1)
    choose.change(web.open_letter, [choose], [text], api_visibility="private")
    choose.change(web.letter_download, [choose], [download], api_visibility="private")
    # One progress bar, on the result beside the button (not on the file box too).
    added = add.click(web.add_letters, [files], [report, files], api_visibility="private", concurrency_limit=1,
                      concurrency_id="update", show_progress="full", show_progress_on=[report])
    return [table, choose], added


# --- serving -----------------------------------------------------------------------------


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    if not auth:
        return None
    user, colon, password = auth.partition(":")
    if not colon or not user or not password:
        raise LettersQAError("--auth must be USER:PASSWORD (or set LETTERS_QA_AUTH)")
    return user, password


def launch(app: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, auth: tuple[str, str] | None = None,
           quiet: bool = True) -> str:
    """Start serving in background threads, the JSON API (ui/api.py) at /api beside the UI; return the local URL."""
    from starlette.routing import Mount

    from ui.api import build_api

    # Passed as a route of the FastAPI app Gradio creates, so it is there before the server starts.
    routes = [Mount("/api", app=build_api(app.letters_qa_web, auth))] if hasattr(app, "letters_qa_web") else []
    _, url, _ = app.launch(
        server_name=host, server_port=port, auth=auth, prevent_thread_lock=True, quiet=quiet,
        max_file_size=UPLOAD_CAP_BYTES, ssr_mode=False, show_error=False, css=CSS,
        footer_links=["api", "gradio"], theme=gr.themes.Soft(), app_kwargs={"routes": routes},
    )
    return url


def default_letters_dir(assistant: Assistant) -> Path | None:
    recorded = assistant.reader.manifest.letters_dir
    return Path(recorded) if recorded and Path(recorded).is_dir() else None


def serve(index_dir, host: str = "127.0.0.1", port: int = 7860, letters_dir=None, auth: str | None = None,
          model: str | None = None, insecure_no_auth: bool = False, allow_uploads: bool = False) -> None:
    """Serve the web UI for `index_dir` until interrupted.

    Elsewhere than this machine it needs `auth`, or `insecure_no_auth`, which also turns
    uploads off unless `allow_uploads` (ui.cli.serve_refusal says why it will not start).
    """
    problem = serve_refusal(host, auth, insecure_no_auth, allow_uploads)
    if problem:
        raise LettersQAError(problem)
    credentials = parse_auth(auth)
    assistant = Assistant.open(Path(index_dir), model=model)
    folder = Path(letters_dir) if letters_dir else default_letters_dir(assistant)
    off = NO_LETTERS_FOLDER
    if insecure_no_auth and not allow_uploads:
        folder, off = None, "this server has no password (--insecure-no-auth); --allow-uploads turns them on"
    if host not in LOCAL_HOSTS and credentials is None:
        print(f"letters-qa: warning: serving on {host} without a password: anyone who can reach it can read the "
              f"letters{' and upload new ones' if folder else ''}", file=sys.stderr)
    app = build_app(assistant, folder, uploads_off=off)
    try:
        url = launch(app, host, port, credentials)
    except OSError:  # gradio says only "Cannot find empty port", naming its own launch() arguments
        raise LettersQAError(f"cannot serve on {host} port {port}: the port is in use or the address is not "
                             "this machine's; choose another --port or --host") from None
    uploads = f"uploads go to {folder}" if folder else f"uploads are off: {off}"
    print(f"letters-qa: serving {index_dir} at {url} ({uploads}); press Ctrl+C to stop", flush=True)
    threading.Thread(target=warm_up, args=(assistant,), daemon=True).start()
    app.block_thread()


def warm_up(assistant: Assistant) -> None:
    """Load the model now rather than on the first open question (ratings questions need none)."""
    try:
        assistant.embedder.embed(["warm up"])
    except Exception as exc:  # the first search reports it properly; here it is only a hint
        print(f"letters-qa: warning: the model did not load yet ({exc})", file=sys.stderr)
