"""The web UI's event handlers (WebApp) over ui/service.py's Service, and its named endpoints.

The named endpoints /ask, /search and /ratings (for gradio_client) take any JSON: each value's
type is checked here, naming the argument; the rest (lengths, ranges, filters) is the Service's
and the Assistant's, as for the JSON API.

But: - uploads only add letters; nothing here deletes or replaces one (a clash of names
gets a suffix). - Follow-ups take their context from the earlier questions, not from the
earlier answers.
"""

import hashlib
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import gradio as gr

from index.durable import atomic_write
from index.errors import LetterError, LettersQAError
from index.intake import Original
from qa.answer import md_escape
from qa.assistant import MAX_HISTORY
from qa.params import K_RULE, YEAR_RULE
from qa.query import clean_text
from ui.service import Service, UploadsOff
from ui.web.chat import Turn
from ui.web.judgements import judgements_csv, judgements_html, service_choices
from ui.web.paging import council_choices, page_of
from ui.web.ratings import (
    COUNCIL_HINT,
    apa_grid_html,
    chart_html,
    council_html,
    council_rows,
    filter_ratings,
    ratings_csv,
    ratings_frame,
    ratings_table,
)
from ui.web.render import (
    ALL,
    PENDING,
    bubble_markdown,
    coverage_note,
    draft_markdown,
    error_html,
    letter_choices,
    letter_html,
    letters_html,
    note_html,
    pending_html,
    sources_html,
    upload_result_html,
)

DRAFT_REFRESH_SECONDS = 0.25  # a model's draft is redrawn at most this often while it is written


_TEMPORARY: Path | None = None  # where files for Gradio to serve are kept (originals, CSV downloads)


def temporary_copy(data: bytes, filename: str) -> Path:
    """`data` as `filename` under the system's temporary folder, for Gradio to serve: Gradio only
    moves files from there (or its working folder) into its cache, and the letters folder may lie
    anywhere. One copy per content; they go when the machine clears /tmp."""
    global _TEMPORARY
    if _TEMPORARY is None or not _TEMPORARY.is_dir():
        _TEMPORARY = Path(tempfile.mkdtemp(prefix="letters-qa-web-"))
    folder = _TEMPORARY / hashlib.sha256(data).hexdigest()[:32]
    path = folder / filename
    if not path.is_file():
        folder.mkdir(exist_ok=True)
        atomic_write(path, data, sync=False)  # a cache of bytes we hold: no need to outlive a crash
    return path


def download_copy(original: Original) -> Path:
    """A copy of an original letter file that Gradio can serve (temporary_copy)."""
    return temporary_copy(original.data, original.filename)


# --- the app -----------------------------------------------------------------------------


def letter_warnings(reader) -> dict[str, str]:
    """The Letters tab's "warning" column: why a letter would not be found by a search, and a
    conflict with another letter of its kind, council and year (both named)."""
    warnings = dict(reader.unsearchable)
    for conflict in reader.conflicts:
        first, second = conflict["letters"]
        for name, other in ((first, second), (second, first)):
            note = f"conflict: its ratings differ from {other}'s (same kind, council and year)"
            warnings[name] = f"{warnings[name]}; {note}" if name in warnings else note
    return warnings


class WebApp:
    """The event handlers, over one Service; build_app wires them to components."""

    def __init__(self, service: Service):
        self.service = service
        self.assistant = service.assistant

    # Ask -------------------------------------------------------------------------------

    def echo(self, question: str, turns: list[Turn]):
        """At once, before any answer: the question in the chat with a pending reply.
        Returns (textbox, the question to answer, chat messages, sources, whether to quote every
        match, the "Show all" button)."""
        question = clean_text((question or "").strip())
        if not question:
            return gr.skip(), "", gr.skip(), gr.skip(), gr.skip(), gr.skip()
        pending = [{"role": "user", "content": user_markdown(question, False)},
                   {"role": "assistant", "content": PENDING}]
        return "", question, chat_messages(turns) + pending, pending_html(question), False, show_all_button(None)

    def ask_all(self, chosen: int | None, turns: list[Turn]):
        """"Show all N matching passages": the chosen answer's question again, quoting every passage
        that holds its words (Assistant.ask(all=True)), as a new turn of the same conversation.
        Returns what echo does."""
        if chosen is None or not turns or not 0 <= chosen < len(turns) or not turns[chosen].more:
            return gr.skip(), "", gr.skip(), gr.skip(), gr.skip(), show_all_button(None)
        question = turns[chosen].question
        pending = [{"role": "user", "content": user_markdown(question, True)},
                   {"role": "assistant", "content": PENDING}]
        return gr.skip(), question, chat_messages(turns) + pending, pending_html(question), True, show_all_button(None)

    def respond(self, question: str, turns: list[Turn], generative: bool = False, every: bool = False):
        """Answer one chat message; yields (turns, chat messages, sources, the "Show all" button, the
        turn shown); the sources list the ratings used beside the excerpts they were read from. With a
        model (`serve --llm`) and `generative` ticked, its draft shows as it is written, marked as not
        yet checked, and the checked answer replaces it. `every`: quote every passage that holds the
        question's words (the "Show all" button)."""
        if not question:
            yield (gr.skip(),) * 5
            return
        every = every is True
        history = [t.question for t in turns if t.ok][-MAX_HISTORY:]
        number = len(turns)
        asked = {"role": "user", "content": user_markdown(question, every)}
        try:
            draft, shown = "", 0.0
            for item in self.assistant.ask_stream(question, history, generative=bool(generative), all=every):
                if isinstance(item, str):
                    draft += item
                    if time.monotonic() - shown >= DRAFT_REFRESH_SECONDS:
                        shown = time.monotonic()
                        reply = {"role": "assistant", "content": draft_markdown(self.model_name, draft)}
                        yield gr.skip(), chat_messages(turns) + [asked, reply], *(gr.skip(),) * 3
                    continue
                answer = item
            turn = Turn(question, ok=True, all=every, reply=bubble_markdown(answer, number) + coverage_note(answer),
                        sources=sources_html(answer, self.assistant.reader.letter_text, number),
                        cites=tuple((c.letter, c.start, c.end) for c in answer.citations), more=more_matches(answer))
        except LettersQAError as exc:
            turn = Turn(question, ok=False, all=every, reply=f"**Error:** {md_escape(str(exc))}",
                        sources=error_html(str(exc)), cites=(), more=0)
        turns = [*turns, turn]
        yield turns, chat_messages(turns), turn.sources, show_all_button(turn), number

    @property
    def model_name(self) -> str | None:
        """The model that words open answers (`serve --llm`), or None."""
        return self.service.model_name

    def show_turn(self, turns: list[Turn], evt: gr.SelectData):
        """Clicking a message shows that answer's sources in the panel, and its "Show all" button.
        Returns (sources, the button, the turn shown)."""
        index = evt.index if isinstance(evt.index, int) else evt.index[0]
        if not turns or not 0 <= index // 2 < len(turns):
            return (gr.skip(),) * 3
        turn = turns[index // 2]
        return turn.sources, show_all_button(turn), index // 2

    def jump(self, target: str, turns: list[Turn], council: str = ALL, marks: list | None = None):
        """A chip or "Open in the letter" was clicked: "turn:n:nonce" (from the page's script), a
        row of the council page: "c:i:nonce", or a judgement of the Judgements tab: "j:i:nonce"
        (`marks`, kept by judgements_view, holds each one's letter and sentence). Opens citation n of
        that turn, or row i's letter, or judgement i's, in the Letters reader with its span (the
        cited, the rating's or the judging sentence) marked. Returns (tabs, letter choice, reader
        HTML, the mark kept for the reader)."""
        parts = (target or "").split(":")
        try:
            if parts[0] == "j":
                row = int(parts[1])
                if row < 0:
                    raise IndexError(row)
                letter, start, end = (marks or [])[row]
            elif parts[0] == "c":
                row = int(parts[1])
                council = self.council_choice(council)[0]
                info, rating = council_rows(self.assistant.letters(), self.assistant.ratings(), council)[row] \
                    if council and row >= 0 else (None, None)
                if info is None:
                    raise IndexError(row)
                letter, start, end = info.name, *((rating.start, rating.end) if rating else (0, 0))
            else:
                turn, n = int(parts[0]), int(parts[1])
                if turn < 0 or n < 1:
                    raise IndexError(turn)
                letter, start, end = turns[turn].cites[n - 1]
        except (ValueError, IndexError, KeyError, TypeError, LettersQAError):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        mark = [letter, start, end] if end > start else None
        return gr.Tabs(selected="letters"), letter, self.open_letter(letter, mark), mark

    def jump_with_letters(self, target: str, turns: list[dict], council: str = ALL, marks: list | None = None,
                          page=0):
        """`jump`, with the Letters tab's table (page `page`) drawn in the same step, since a page load
        leaves it for the tab's opening (WebApp.load): the reader's mark is scrolled to after the table
        above it is drawn, not pushed out of view by it. jump's outputs, then the table, line and page,
        and the tab now open ("letters", which tells letters_tab's select not to draw the table again)."""
        tabs, letter, text, mark = self.jump(target, turns, council, marks)
        if isinstance(text, dict):  # gr.skip(): nothing to open
            return tabs, letter, text, mark, *(gr.skip(),) * 4
        table, choices, line, page = self.letters_view(page)
        return tabs, gr.update(value=letter, choices=choices["choices"]), text, mark, table, line, page, "letters"

    def open_letters(self, page=0, open_tab: str = ""):
        """The Letters tab opened: letters_view and the tab now open, unless a jump has just drawn the
        table (`open_tab` is then already "letters": a jump's selection of the tab fires this event too)."""
        if open_tab == "letters":
            return *(gr.skip(),) * LETTERS_PARTS, "letters"
        return *self.letters_view(page), "letters"

    # Ratings and Letters ---------------------------------------------------------------

    def council_choice(self, council: str) -> tuple[str, str]:
        """A council box's value (a council of the list, or typed: "stockprt", "Stoke") as the indexed
        council it stands for (Assistant.read_councils, as every council filter reads it), with the
        note to show when it was not read as written or names none. CouncilNotClear (a
        LettersQAError) when a misspelling is as close to several councils."""
        if not council or council in {x.council for x in self.assistant.letters()}:
            return council, ""
        reading = self.assistant.read_councils(council)[0]
        return (reading.councils[0] if reading.councils else council), reading.note or ""

    def ratings_view(self, council=ALL, year=ALL, kind=ALL, grade=ALL, page=0, grid_page=0, download=True):
        """The Ratings tab for the filters: (table, chart, APA grid, CSV download, council page,
        the table's page line, its page, the grid's page line, its page). The table and the grid show
        page `page` and `grid_page` of their rows (paging.py); the chart and the CSV hold them all
        (the CSV is made only with `download`, when the tab is opened; with False the button waits,
        disabled, for that; None leaves it as it is: a page load, which the tab's opening may overtake).
        The council page shows all the chosen council's letters, whatever the other filters; a
        typed council is read as council_choice reads it, said above its page."""
        try:
            council, note = self.council_choice(council)
        except LettersQAError as exc:  # a misspelling as close to several councils: which one?
            return (ratings_frame([]), chart_html([]), "", gr.update(value=None, interactive=False),
                    error_html(str(exc)), "", 0, "", 0)
        try:
            every = self.assistant.ratings()
            rows = filter_ratings(every, council, year, kind, grade)
            mine = council_rows(self.assistant.letters(), every, council) if council else []
            # A note that the council has no letters stands for the page's own "No letters for ...".
            council_page = (note_html(note) + council_html(council, mine) if mine or not note
                            else note_html(note)) if council else COUNCIL_HINT
        except LettersQAError as exc:
            return (ratings_frame([]), chart_html([]), error_html(str(exc)), gr.update(value=None, interactive=False),
                    "", "", 0, "", 0)
        shown, page, line = page_of(rows, page)
        grid, grid_page, grid_line = apa_grid_html(rows, grid_page)
        return (ratings_table(shown), chart_html(rows), grid, csv_button(rows, ratings_csv, "ratings.csv", download),
                council_page, line, page, grid_line, grid_page)

    def ratings_rows(self, council=ALL, year=ALL, kind=ALL, grade=ALL) -> list:
        """The ratings the filters choose (a typed council read as council_choice reads it)."""
        return filter_ratings(self.assistant.ratings(), self.council_choice(council)[0], year, kind, grade)

    def ratings_download(self, council=ALL, year=ALL, kind=ALL, grade=ALL):
        """The Ratings tab's CSV download for the filters, made when the tab is opened (ratings_view)."""
        try:
            return csv_download(self.ratings_rows(council, year, kind, grade), ratings_csv, "ratings.csv")
        except LettersQAError:
            return CSV_LATER

    def ratings_page(self, council=ALL, year=ALL, kind=ALL, grade=ALL, page=0):
        """Previous / Next under the Ratings table: (table, its page line, its page). Nothing else of
        the tab changes with the page (the chart and the CSV hold every row)."""
        try:
            shown, page, line = page_of(self.ratings_rows(council, year, kind, grade), page)
        except LettersQAError as exc:
            return ratings_frame([]), error_html(str(exc)), 0
        return ratings_table(shown), line, page

    def grid_page(self, council=ALL, year=ALL, kind=ALL, grade=ALL, page=0):
        """Previous / Next under the APA grid: (grid, its page line, its page)."""
        try:
            grid, page, line = apa_grid_html(self.ratings_rows(council, year, kind, grade), page)
        except LettersQAError as exc:
            return error_html(str(exc)), "", 0
        return grid, line, page

    def pick_council(self, evt: gr.SelectData):
        """A click on a council's name in the Ratings table chooses that council (its page opens)."""
        index = evt.index if isinstance(evt.index, list | tuple) else (evt.index, None)
        if len(index) < 2 or index[1] != 0 or not isinstance(evt.value, str):
            return gr.skip()
        try:
            known = {x.council for x in self.assistant.letters()}
        except LettersQAError:
            return gr.skip()
        return evt.value if evt.value in known else gr.skip()

    def judgements_view(self, service=ALL, level=ALL, comparison=ALL, council=ALL, year=ALL, kind=ALL, page=0,
                        download=True):
        """The Judgements tab for the filters: (matrix, CSV download, the marks its buttons open, the
        page line, the page): page `page` of the matching councils (paging.PAGE_COUNCILS each). The
        CSV is made only with `download` (ratings_view); None leaves it as it is (a page of the matrix)."""
        try:
            council, note = self.council_choice(council)  # a typed council, read as every filter reads it
            every = self.assistant.judgements()
            # The council as chosen, exactly (as the Ratings tab filters): not every council of its short name.
            rows = [r for r in self.assistant.judgements(service=service or None, level=level or None,
                                                         comparison=comparison or None, year=year or None,
                                                         kind=kind or None) if not council or r.council == council]
        except LettersQAError as exc:
            return error_html(str(exc)), gr.update(value=None, interactive=False, label="Download as CSV"), [], "", 0
        matrix, marks, page, line = judgements_html(rows, len(every), page)
        matrix = note_html(note) + matrix
        csv_file = csv_button(rows, judgements_csv, "judgements.csv", download)
        return matrix, csv_file, marks, line, page

    def judgement_choices(self):
        """The Judgements tab's service, council and year choices: what the index holds."""
        try:
            services = service_choices(self.assistant.judgements())
        except LettersQAError:
            services = service_choices([])
        return (gr.update(choices=services), *self.filter_choices())

    def filter_choices(self):
        letters = self.assistant.letters()
        choices, label = council_choices(sorted({x.council for x in letters}))
        years = sorted({x.year for x in letters}, reverse=True)
        return (gr.update(choices=choices, label=label),
                gr.update(choices=[("All years", ALL)] + [(str(y), str(y)) for y in years]))

    def letters_view(self, page=0):
        """The Letters tab's page `page` of the letters (paging.py): (table, the reader's choices, which
        are the letters of that page, the page line, the page). A citation opens any letter."""
        letters = self.assistant.letters()
        warnings = letter_warnings(self.assistant.reader)
        shown, page, line = page_of(letters, page, what="letter")
        return letters_html(shown, warnings), gr.update(choices=letter_choices(shown)), line, page

    def open_letter(self, name: str | None, mark: list | None = None):
        """The reader's HTML for letter `name`; `mark` [letter, start, end] highlights a cited span of it."""
        if not name:
            return letter_html(None, None)
        try:
            found = self.service.letter(name)
            span = (mark[1], mark[2]) if mark and mark[0] == name else None
            return letter_html(*(found or (None, None)), span)
        except LettersQAError as exc:
            return error_html(str(exc))

    def refresh_all(self, open_tab: str = "", council=ALL, year=ALL, kind=ALL, grade=ALL, *judged):
        """Everything that depends on the index, after a page load or an upload (filters kept):
        `judged` holds the Judgements tab's filters (judgements_view's arguments). `open_tab` is the tab
        the page shows ("ask", "ratings", "judgements" or "letters": the tabs' ids, kept by
        layout.py from their select events): its CSV download is made now, the others' when their tab is opened."""
        try:
            # Not every CSV: at 10,000 letters making both took ~5 s of a page load.
            return (*self.letters_view(), *self.filter_choices(),
                    *self.ratings_view(council, year, kind, grade, download=open_tab == "ratings"),
                    *self.judgement_choices(), *self.judgements_view(*judged, download=open_tab == "judgements"))
        except LettersQAError as exc:
            message = error_html(str(exc))
            return (letters_html([]), gr.skip(), "", 0, gr.skip(), gr.skip(), ratings_frame([]), chart_html([]),
                    message, gr.skip(), "", "", 0, "", 0, gr.skip(), gr.skip(), gr.skip(), message, gr.skip(), [],
                    "", 0)

    def generation(self) -> int | None:
        return self.service.generation()

    def load(self, open_tab: str = "", *filters):
        """A page load: the generation this session now shows, and everything refresh_all gives but the
        Letters tab's table, the Judgements matrix and the CSV downloads, drawn when their tabs are
        opened: at 10,000 letters the table is ~12 KB, and the matrix took 0.4 of the load's 0.6 s,
        which a question asked at once waited on."""
        council, year, kind, grade, *_ = filters
        try:
            return (self.generation(), *(gr.skip(),) * LETTERS_PARTS, *self.filter_choices(),
                    *self.ratings_view(council, year, kind, grade, download=None), *self.judgement_choices(),
                    *(gr.skip(),) * JUDGEMENTS_PARTS)
        except LettersQAError:  # refresh_all says what went wrong in every tab
            return self.reload(open_tab, *filters)

    def reload(self, open_tab: str = "", *filters):
        """After an upload: the generation and everything refresh_all gives, the Letters tab's table too."""
        return self.generation(), *self.refresh_all(open_tab, *filters)

    def poll(self, seen: int | None, open_tab: str = "", *filters):
        """Every few seconds in each open page: refresh it once the index has a newer generation
        (an upload from this page or any other, or `letters-qa add`); otherwise change nothing."""
        now = self.generation()
        # Before the page's own load has answered (a slow one), the load brings everything anyway.
        if seen == LOADING or now == seen:
            return (gr.skip(),) * (1 + REFRESHED)
        return now, *self.refresh_all(open_tab, *filters)

    # Uploads ---------------------------------------------------------------------------

    def add_letters(self, files: list[str] | None, progress=gr.Progress()):
        """Check, save and index uploaded letters (Service.add_letters); returns (result HTML, cleared file input)."""
        if not files and self.service.letters_dir is not None:
            return '<p class="lqa-empty">Choose one or more letter files first.</p>', gr.skip()

        def on_progress(done: int, total: int) -> None:
            progress((done, total), desc="Embedding the new letters", unit="chunks")

        progress(0, desc="Checking the files")
        try:
            # Gradio keeps each upload under its own name in a folder of its own.
            report = self.service.add_letters([(Path(f), Path(f).name) for f in files or ()], on_progress)
        except UploadsOff as exc:
            return error_html(str(exc)), None
        except LettersQAError as exc:
            return error_html(str(exc)), gr.skip()
        return upload_result_html(report), None

    # Original files --------------------------------------------------------------------

    def letter_download(self, name: str | None):
        """The download button of the letter chosen in the reader: its original file, or disabled with why."""
        idle = gr.update(value=None, interactive=False, label="Download the original file")
        if not name:
            return idle
        try:
            original = self.service.original(name)
        except LetterError as exc:
            return gr.update(value=None, interactive=False, label=f"Original file unavailable: {exc.reason}")
        except (LettersQAError, OSError) as exc:
            return gr.update(value=None, interactive=False, label=f"Original file unavailable: {exc}")
        if original is None:
            return idle
        return gr.update(value=str(download_copy(original)), interactive=True, label=f"Download {original.filename}")

    # Named endpoints (gradio_client) -----------------------------------------------------

    # Requests are any JSON: each value's type is checked here, so a wrong one gets a message
    # naming the argument, and the server log no traceback. The rest is the Service's.

    def api_ask(self, question: str, history: list[str] | None = None) -> dict:
        """Answer a question with citations; `history` holds the earlier questions of a conversation."""
        question = api_text(question, "question")
        if history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
            raise api_error(f"history must be a list of the earlier questions (text), or null, not {kind_of(history)}")
        return endpoint(lambda: self.service.ask(question, history))

    def api_search(self, query: str, k: int = 5, council: str | None = None, year: int | None = None) -> dict:
        """The k best passages for a query, optionally only one council's or one year's letters."""
        if not api_text(query, "query").strip():
            raise api_error("the query is empty; type words to search the letters for")
        k = api_int(k, "k", K_RULE)
        council, year = api_council(council), api_year(year)
        return endpoint(lambda: self.service.search(query, k=k, council=council, year=year))

    def api_ratings(self, council: str | None = None, year: int | None = None) -> dict:
        """The extracted ratings table, optionally one council's or one year's."""
        council, year = api_council(council), api_year(year)
        return endpoint(lambda: self.service.ratings(council=council, year=year))


# --- what the named endpoints are sent -----------------------------------------------------

_KINDS = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "an object",
          type(None): "null"}


def api_error(message: str) -> gr.Error:
    """What the client is told; the caller's mistake, so no traceback goes to the server log.

    Gradio's UI would show the message as HTML: it never echoes what was sent."""
    return gr.Error(message, print_exception=False)


def endpoint(call):
    """A Service call for a named endpoint: its one-line errors as the client's gr.Error."""
    try:
        return call()
    except LettersQAError as exc:
        raise api_error(str(exc)) from None


def kind_of(value) -> str:
    return _KINDS.get(type(value), type(value).__name__)


def api_text(value, name: str) -> str:
    if not isinstance(value, str):
        raise api_error(f"{name} must be text, not {kind_of(value)}")
    return value


def api_int(value, name: str, what: str) -> int:
    """A whole number; JSON may send one as 3.0. Its range is the Assistant's."""
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not whole:
        shown = f", not {kind_of(value)}" if not isinstance(value, int | float) or isinstance(value, bool) else ""
        raise api_error(f"{name} must be {what}{shown}")
    return int(value)


def api_council(value) -> str | None:
    """A council filter: text or null."""
    if value is None:
        return None
    return api_text(value, "council")


def api_year(value) -> int | None:
    """A year filter: a whole number or null (0 and "" are no filter too, as before)."""
    if value is None or value == "" or (value == 0 and not isinstance(value, bool)):
        return None
    return api_int(value, "year", YEAR_RULE)


LOADING = "loading"  # the generation a page shows until its load event has answered (poll waits for it)
CSV_LATER = gr.update(value=None, interactive=False, label="Download as CSV")


def csv_button(rows: list, make, filename: str, download: bool | None):
    """A tab's download button: holding `rows` (csv_download) with `download`, waiting (CSV_LATER) with
    False, left as it is with None."""
    if download is None:
        return gr.skip()
    return csv_download(rows, make, filename) if download else CSV_LATER


def csv_download(rows: list, make, filename: str):
    """A download button holding `rows` as CSV (`make(rows)`), its label counting them."""
    label = "Download this 1 row as CSV" if len(rows) == 1 else f"Download these {len(rows):,} rows as CSV"
    return gr.update(value=str(temporary_copy(make(rows).encode("utf-8"), filename)), interactive=bool(rows),
                     label=label)


REFRESHED = 23  # the outputs of refresh_all: letters 4, ratings filters 2 and views 9, judgements 3 and 5
LETTERS_PARTS = 4  # the first outputs of refresh_all: letters_view's table, choices, page line and page
JUDGEMENTS_PARTS = 5  # its last: judgements_view's matrix, CSV, marks, page line and page


def user_markdown(question: str, every: bool) -> str:
    """A question in the chat; asked again by "Show all", marked as such."""
    return md_escape(question) + ("\n\n*(every matching passage)*" if every else "")


def chat_messages(turns: Iterable[Turn]) -> list[dict]:
    """The turns as the Chatbot's messages (Gradio's {"role", "content"} dicts): question, then reply."""
    messages = []
    for turn in turns:
        messages.append({"role": "user", "content": user_markdown(turn.question, turn.all)})
        messages.append({"role": "assistant", "content": turn.reply})
    return messages


def more_matches(answer) -> int:
    """How many passages match an answer that quotes only a sample of them (coverage); else 0."""
    coverage = answer.coverage
    if coverage is None or coverage.complete or coverage.matches is None or coverage.matches <= coverage.shown:
        return 0
    return coverage.matches


def show_all_button(turn: Turn | None):
    """The "Show all N matching passages" button, for a turn whose answer is a sample (or hidden)."""
    more = turn.more if turn is not None else 0
    if not more:
        return gr.update(visible=False)
    return gr.update(visible=True, value=f"Show all {more:,} matching passages")

