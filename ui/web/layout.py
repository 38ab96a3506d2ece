"""The web UI's page: the Ask, Ratings, Judgements and Letters tabs, wired to WebApp's handlers.

But: - no handlers or HTML of its own beyond labels; those are app.py's and render.py's.
"""

from dataclasses import replace

import gradio as gr

from index import kinds
from index.formats import MAX_DOCUMENT_BYTES
from index.letters import MAX_LETTER_BYTES
from index.scan import LETTER_SUFFIXES
from qa.answer import md_escape
from qa.query import MAX_QUESTION_CHARS, clean_text
from ui.service import Service
from ui.web.app import LOADING, WebApp, chat_messages, show_all_button, temporary_copy
from ui.web.chat import (
    EMPTY_QUESTION,
    STORAGE_KEY,
    STORAGE_SECRET,
    Kept,
    Turn,
    archive,
    conversation_json,
    conversation_markdown,
    earlier_choices,
    keep,
    language_note,
    new_server_id,
    note_line,
    read_kept,
    too_long,
)
from ui.web.gradio_compat import Blocks
from ui.web.judgements import comparison_choices, kind_choices, level_choices, service_choices
from ui.web.ratings import COUNCIL_HINT, grade_choices
from ui.web.render import ALL, NO_SOURCES, letter_html
from ui.web.style import CSS, JS, PAGE_CSS, theme

TITLE = "letters-qa: Ofsted letters to councils"
DESCRIPTION = ("Ask what Ofsted's letters to English councils say about their children's services: "
               "which councils got which rating, and what the letters found. Every answer cites the letters.")
EXAMPLES = (
    "Which councils perform adequately?",
    "Which councils perform well?",
    "What rating did Trafford get?",
    "Which councils are outstanding for staying safe?",
    "What did Ofsted say about private fostering in Trafford?",
    "Which councils have inadequate private fostering?",
    "How is Stockton-on-Tees doing?",
)

POLL_SECONDS = 3  # how often an open page asks whether the index has changed


class _Pager:
    """A grid's pages (ui/web/paging.py): "Previous" and "Next" around the line that says which rows
    show ("Rows 51–100 of 31,897 (page 2 of 638)"), and the page shown, kept per browser tab."""

    def __init__(self, name: str, what: str):
        self.page = gr.State(0)
        with gr.Row(elem_id=f"lqa-{name}-pager", elem_classes=["lqa-pager"], equal_height=True):
            self.back = gr.Button("‹ Previous", size="sm", variant="secondary", scale=0, min_width=110,
                                  elem_id=f"lqa-{name}-prev")
            self.line = gr.HTML("", elem_id=f"lqa-{name}-line", elem_classes=["lqa-page-line"], padding=False,
                                scale=1)
            self.forward = gr.Button("Next ›", size="sm", variant="secondary", scale=0, min_width=110,
                                     elem_id=f"lqa-{name}-next")

    def button(self, step: int) -> gr.Button:
        return self.back if step < 0 else self.forward


def build_app(service: Service) -> gr.Blocks:
    """The Blocks app over `service`: Ask, Ratings, Judgements and Letters tabs, and the /ask,
    /search, /ratings endpoints. Uploads are off when the service has no letters folder."""
    web = WebApp(service)
    with Blocks(title=TITLE, delete_cache=(3600, 86400)) as app:
        # On a phone the description is left out and the title drawn smaller (style.css, "phone").
        gr.Markdown(f"# {TITLE}\n{DESCRIPTION}", elem_id="lqa-header")
        with gr.Tabs(elem_id="lqa-tabs") as tabs:
            with gr.Tab("Ask", id="ask") as ask_tab:
                turns, jump = _ask_tab(web, app)
            with gr.Tab("Ratings", id="ratings") as ratings_tab:
                ratings_parts, ratings_filters = _ratings_tab(web)
            with gr.Tab("Judgements", id="judgements") as judgements_tab:
                judged_choices, judged_parts, judged_filters, marks = _judgements_tab(web)
            with gr.Tab("Letters", id="letters") as letters_tab:
                letters_parts, reader, added = _letters_tab(web)
        # The tab the page shows (its id), from the tabs' select events (a click) and a jump: a refresh
        # makes that tab's CSV download at once, the others' when their tab is opened.
        open_tab = gr.State("ask")
        # A chip or "Open in the letter" (the page's script fills #lqa-jump): the letter in the reader.
        # A council page's row, likewise, with the council it belongs to; a judgement, with the marks
        # of the matrix it was in.
        # The Letters tab's table is drawn when the tab is opened, by a jump or a click (WebApp.load).
        table, _, line, page = letters_parts
        jump.change(web.jump_with_letters, [jump, turns, ratings_filters[0], marks, page],
                    [tabs, *reader, table, line, page, open_tab], api_visibility="private", queue=False)
        ask_tab.select(lambda: "ask", None, [open_tab], api_visibility="private", queue=False,
                       show_progress="hidden")
        letters_tab.select(web.open_letters, [page, open_tab], [*letters_parts, open_tab], api_visibility="private",
                           show_progress="hidden")
        # A tab's CSV download is made when the tab is opened (not at the page's load); the Judgements
        # matrix is drawn then too (WebApp.load).
        # No progress overlay on the button meanwhile (it would dim its text under 4.5:1).
        ratings_tab.select(lambda *now: (web.ratings_download(*now), "ratings"), ratings_filters,
                           [ratings_parts[5], open_tab], api_visibility="private", show_progress="hidden")
        judgements_tab.select(lambda *now: (*web.judgements_view(*now), "judgements"),
                              [*judged_filters, judged_parts[4]], [*judged_parts, open_tab],
                              api_visibility="private", show_progress="hidden")
        # In refresh_all's order; the filters are kept, the choices and views follow the index.
        everything = [*letters_parts, *ratings_parts, *judged_choices, *judged_parts]
        filters = [open_tab, *ratings_filters, *judged_filters]
        seen = gr.State(LOADING)  # the index generation this page shows
        # Hidden progress: the upload's one bar is beside its button, not on every table it refreshes.
        app.load(web.load, filters, [seen, *everything], api_visibility="private", show_progress="hidden")
        added.then(web.reload, filters, [seen, *everything], api_visibility="private", show_progress="hidden")
        # Every open page notices a newer generation (an upload anywhere) within a few seconds.
        gr.Timer(POLL_SECONDS).tick(web.poll, [seen, *filters], [seen, *everything], api_visibility="private",
                                    queue=False, show_progress="hidden")
        gr.api(web.api_ask, api_name="ask")
        gr.api(web.api_search, api_name="search")
        gr.api(web.api_ratings, api_name="ratings")
    app.queue(max_size=64, default_concurrency_limit=2)
    return app


def page_options() -> dict:
    """The arguments of Gradio's launch() that draw the page: theme, CSS, the page's script and the rules
    for Gradio's own container (in the head), footer."""
    return {"css": CSS, "head": f"<style>{PAGE_CSS}</style><script>{JS}</script>", "theme": theme(),
            "footer_links": ["api", "gradio"], "ssr_mode": False}


def _ask_tab(web: WebApp, app: gr.Blocks) -> tuple[gr.State, gr.Textbox]:
    server = new_server_id()  # a restarted server has another: the page says it reconnected
    turns = gr.State([])
    asked = gr.State("")  # the question being answered (the box is cleared at once)
    every = gr.State(False)  # whether it is asked again by "Show all" (every matching passage)
    chosen = gr.State(None)  # the turn whose sources the panel shows (the last, or the one clicked)
    # The conversation, and up to ten earlier ones, kept in the browser's localStorage (chat.py).
    kept = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=STORAGE_SECRET)
    # On a phone the columns dissolve and style.py orders their parts: the chat, the question box,
    # then the sources, and the examples last.
    with gr.Row(equal_height=False, elem_id="lqa-ask-row"):
        with gr.Column(scale=3, elem_id="lqa-ask-main"):
            # No LaTeX: "$$" from a letter would turn the rest of an answer into math (md_escape escapes "$"
            # too; this also covers the chat's own text).
            # No floating "Chat" label over the first line (show_label=False); the page's script brings
            # each new answer's question to the top of the chat (style.py), so Gradio's autoscroll is off.
            chat = gr.Chatbot(label="Chat", show_label=False, height=520, sanitize_html=True, latex_delimiters=[],
                              elem_id="lqa-chat", buttons=["copy_all"], autoscroll=False,
                              placeholder="Ask about the councils' ratings or what the letters say.")
            # For an answer that quotes a sample of the matching passages: ask again for every one.
            show_all = gr.Button("Show all matching passages", visible=False, size="sm", variant="secondary",
                                 elem_id="lqa-show-all")
            with gr.Row(elem_id="lqa-ask-input"):
                # The label is the box's accessible name (read by screen readers, not shown).
                # At most 4 lines high: a pasted page scrolls inside the box, the count and refusal stay in view.
                question = gr.Textbox(label="Ask about the letters", show_label=False, scale=5, max_lines=4,
                                      placeholder="Ask a question, e.g. Which councils perform adequately?",
                                      elem_id="lqa-question", submit_btn=False)
                ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="lqa-ask")
            # The live count near the length limit (the page's script writes it), then refusals and
            # notes on the question (empty, too long, not English), and "reconnected".
            with gr.Row(elem_id="lqa-ask-notes", equal_height=False):
                note = gr.HTML("", elem_id="lqa-ask-note", padding=False, scale=3)
                gr.HTML('<div id="lqa-counter" aria-live="polite"></div>', elem_id="lqa-count", padding=False,
                        scale=1, min_width=120)
            generative = _model_toggle(web.model_name)
            examples = gr.Dataset(components=[question], samples=[[text] for text in EXAMPLES], type="index",
                                  label="Examples (click to ask)", elem_id="lqa-examples", layout="gallery")
            with gr.Row(elem_id="lqa-conversation"):
                clear = gr.Button("New conversation", size="sm", variant="secondary", elem_id="lqa-clear")
                export_md = gr.DownloadButton("Export as markdown", size="sm", variant="secondary",
                                              interactive=False, elem_id="lqa-export-md")
                export_json = gr.DownloadButton("Export as JSON", size="sm", variant="secondary",
                                                interactive=False, elem_id="lqa-export-json")
            earlier = gr.Dropdown([], value=None, label="Earlier conversations (kept in this browser)",
                                  elem_id="lqa-earlier", visible=False)
        with gr.Column(scale=2, elem_id="lqa-ask-side"):
            gr.Markdown("### Sources\nOf the marked answer; click an answer to see its own. Hover a number in "
                        "an answer to find its excerpt; click it to read the letter there.", elem_id="lqa-sources-head")
            sources = gr.HTML(NO_SOURCES, elem_id="lqa-sources")
    jump = gr.Textbox(elem_id="lqa-jump", elem_classes=["lqa-hidden"], container=False, show_label=False)
    # A server restarted under an open page: Gradio reloads the page when it notices (then `restore`
    # runs on load), but a quick restart goes unnoticed and the new server knows none of this page's
    # state. `alive` is set by the page's load; where a tick finds it unset, the server id is written
    # to `restarted`, whose change restores the conversation kept in the browser.
    alive = gr.State(False)
    restarted = gr.Textbox(elem_id="lqa-server", elem_classes=["lqa-hidden"], container=False, show_label=False)

    def echo(text: str, now: list[Turn]):
        """web.echo, after the box's checks: an empty or too long question is refused with a line
        under the box, the text left in it; a French or Welsh one is asked, with a note."""
        cleaned = clean_text((text or "").strip())
        if not cleaned:
            return gr.skip(), "", *(gr.skip(),) * 4, note_line(EMPTY_QUESTION, bad=True)
        if len(cleaned) > MAX_QUESTION_CHARS:
            return gr.skip(), "", *(gr.skip(),) * 4, note_line(too_long(cleaned), bad=True)
        return *web.echo(text, now), note_line(language_note(cleaned))

    def exports(now: list[Turn]):
        if not now:
            return (gr.update(value=None, interactive=False),) * 2
        md = temporary_copy(conversation_markdown(now).encode("utf-8"), "letters-qa-conversation.md")
        js = temporary_copy(conversation_json(now).encode("utf-8"), "letters-qa-conversation.json")
        return gr.update(value=str(md), interactive=True), gr.update(value=str(js), interactive=True)

    def shown(now: list[Turn], message: str = ""):
        """The Ask tab showing conversation `now` (its last answer's sources), with `message` under the box."""
        last = now[-1] if now else None
        return (now, chat_messages(now), last.sources if last else NO_SOURCES, show_all_button(last),
                len(now) - 1 if now else None, note_line(message))

    def earlier_list(value: Kept):
        return gr.update(choices=earlier_choices(value), value=None, visible=bool(value.earlier))

    # gr.State holds the turns as Turns; the browser (gr.BrowserState `kept`) holds JSON, read by
    # read_kept and written by keep / Kept.to_json.
    def save(now: list[Turn], stored):
        return keep(now, read_kept(stored, server), server), *exports(now)

    def restore(stored, after_restart: bool = False):
        """A page load: the conversation the browser kept, if any."""
        value = read_kept(stored, server)
        if not value.turns:
            return *(gr.skip(),) * 6, keep([], value, server), *exports([]), earlier_list(value)
        again = after_restart or (value.server and value.server != server)
        message = ("Reconnected; your conversation is kept." if again
                   else "Your conversation is kept in this browser.")
        now = list(value.turns)
        return *shown(now, message), keep(now, value, server), *exports(now), earlier_list(value)

    def start_new(now: list[Turn], stored):
        """"New conversation": the current one goes to the earlier ones."""
        value = archive(now, read_kept(stored, server), server)
        return "", *shown([]), value.to_json(), *exports([]), earlier_list(value)

    def open_earlier(index, now: list[Turn], stored):
        value = read_kept(stored, server)
        if not isinstance(index, int) or not 0 <= index < len(value.earlier):
            return (gr.skip(),) * 11
        reopened = list(value.earlier[index].turns)
        others = replace(value, earlier=value.earlier[:index] + value.earlier[index + 1:])
        value = replace(archive(now, others, server), turns=tuple(reopened))
        return "", *shown(reopened), value.to_json(), *exports(reopened), earlier_list(value)

    # Two steps: the question and a pending reply show at once (no queue), then the answer; then the
    # conversation is kept in the browser and its exports follow it.
    echoed = [question, asked, chat, sources, every, show_all, note]
    answered = dict(fn=web.respond, inputs=[asked, turns, generative, every],
                    outputs=[turns, chat, sources, show_all, chosen], api_visibility="private",
                    show_progress="hidden")
    saved = dict(fn=save, inputs=[turns, kept], outputs=[kept, export_md, export_json], api_visibility="private",
                 show_progress="hidden")
    for trigger in (ask.click, question.submit):
        trigger(echo, [question, turns], echoed, api_visibility="private", queue=False).then(**answered).then(**saved)
    examples.click(lambda index, now: (*web.echo(EXAMPLES[index], now), ""), [examples, turns], echoed,
                   api_visibility="private", queue=False).then(**answered).then(**saved)
    show_all.click(lambda index, now: (*web.ask_all(index, now), ""), [chosen, turns], echoed,
                   api_visibility="private", queue=False).then(**answered).then(**saved)
    chat.select(web.show_turn, [turns], [sources, show_all, chosen], api_visibility="private")
    whole = [turns, chat, sources, show_all, chosen, note, kept, export_md, export_json, earlier]
    for trigger in (clear.click, chat.clear):
        trigger(start_new, [turns, kept], [question, *whole], api_visibility="private")
    earlier.input(open_earlier, [earlier, turns, kept], [question, *whole], api_visibility="private")
    app.load(restore, [kept], whole, api_visibility="private", show_progress="hidden").then(
        lambda: True, None, [alive], api_visibility="private", show_progress="hidden")
    gr.Timer(POLL_SECONDS).tick(lambda known: (gr.skip(),) * 2 if known else (server, True), [alive],
                                [restarted, alive], api_visibility="private", queue=False, show_progress="hidden")
    restarted.change(lambda stored: restore(stored, after_restart=True), [kept], whole, api_visibility="private",
                     show_progress="hidden")
    return turns, jump


def _model_toggle(model: str | None):
    """With `serve --llm`: whether that model words open answers (ticked at first)."""
    if model is None:
        return gr.State(False)
    return gr.Checkbox(True, label=f"Write open answers with {model}", elem_id="lqa-llm",
                       info="Each sentence is checked against the letters it cites; what fails is left out, and the "
                            "excerpts are shown if nothing passes. Ratings answers stay exact.")


def _ratings_tab(web: WebApp) -> tuple[list, list]:
    gr.Markdown("The ratings read from every indexed letter. Filter them, or sort by clicking a column.")
    with gr.Row():
        council = gr.Dropdown([("All councils", ALL)], value=ALL, label="Council", elem_id="lqa-f-council",
                              allow_custom_value=True)  # typed: read as every council filter (WebApp.council_choice)
        year = gr.Dropdown([("All years", ALL)], value=ALL, label="Year", elem_id="lqa-f-year")
        kind = gr.Dropdown([("All kinds", ALL)] + [(f"{k.name[0].upper()}{k.name[1:]} ({k.years})", k.key)
                                                   for k in kinds.KINDS if k.graded], value=ALL, label="Kind",
                           elem_id="lqa-f-kind")
        grade = gr.Dropdown(grade_choices(), value=ALL, label="Rating grade", elem_id="lqa-f-grade")
    page = gr.HTML(COUNCIL_HINT, elem_id="lqa-council")
    # Drawn as HTML (ratings.chart_html): councils named where there is room, listed on a tap elsewhere.
    chart = gr.HTML(elem_id="lqa-chart")
    # The area column fits "Making a positive contribution" whole at desktop widths (phones: style.py).
    table = gr.Dataframe(label="Ratings", interactive=False, elem_id="lqa-ratings", max_height=460,
                         column_widths=["28%", "5%", "10%", "22%", "14%", "5%", "16%"])
    rows = _Pager("ratings", "rows")
    csv_file = gr.DownloadButton("Download as CSV", elem_id="lqa-ratings-csv", size="sm", interactive=False)
    gr.Markdown("### APA grades by area")
    grid = gr.HTML(elem_id="lqa-apa-grid")
    grid_rows = _Pager("apa", "council-years")
    filters = [council, year, kind, grade]
    views = [table, chart, grid, csv_file, page, rows.line, rows.page, grid_rows.line, grid_rows.page]
    for dropdown in filters:  # a new filter shows the first pages
        dropdown.change(web.ratings_view, filters, views, api_visibility="private")
    # A page of the table or of the grid redraws only that grid and its line (the chart and CSV hold every row).
    for step in (-1, 1):
        rows.button(step).click(lambda *now, step=step: web.ratings_page(*now[:4], now[4] + step),
                                [*filters, rows.page], [table, rows.line, rows.page], api_visibility="private")
        grid_rows.button(step).click(lambda *now, step=step: web.grid_page(*now[:4], now[4] + step),
                                     [*filters, grid_rows.page], [grid, grid_rows.line, grid_rows.page],
                                     api_visibility="private")
    table.select(web.pick_council, None, [council], api_visibility="private")  # a council's name opens its page
    return [council, year, *views], filters


def _judgements_tab(web: WebApp) -> tuple[list, list, list, gr.State]:
    gr.Markdown("Every sentence in which a letter judges a service (“private fostering is inadequate”, “two of "
                "the 14 secondary schools are inadequate”, “below similar areas”): councils down the side, the "
                "services judged across, each judgement coloured by its level.")
    with gr.Row():
        service = gr.Dropdown(service_choices([]), value=ALL, label="Service", elem_id="lqa-j-service")
        level = gr.Dropdown(level_choices(), value=ALL, label="Level", elem_id="lqa-j-level")
        comparison = gr.Dropdown(comparison_choices(), value=ALL, label="Compared", elem_id="lqa-j-comparison")
        council = gr.Dropdown([("All councils", ALL)], value=ALL, label="Council", elem_id="lqa-j-council",
                              allow_custom_value=True)
        year = gr.Dropdown([("All years", ALL)], value=ALL, label="Year", elem_id="lqa-j-year")
        kind = gr.Dropdown(kind_choices(), value=ALL, label="Kind", elem_id="lqa-j-kind")
    matrix = gr.HTML('<p class="lqa-empty">Loading the judgements…</p>', elem_id="lqa-judgements")
    councils = _Pager("judgements", "councils")
    csv_file = gr.DownloadButton("Download as CSV", elem_id="lqa-judgements-csv", size="sm", interactive=False)
    marks = gr.State([])  # [letter, start, end] of each judgement the matrix shows, by its data-j
    filters = [service, level, comparison, council, year, kind]
    views = [matrix, csv_file, marks, councils.line, councils.page]
    for dropdown in filters:
        dropdown.change(web.judgements_view, filters, views, api_visibility="private")
    for step in (-1, 1):  # a page of the matrix; the CSV (every row) stays as it is
        councils.button(step).click(
            lambda *now, step=step: web.judgements_view(*now[:6], now[6] + step, download=None),
            [*filters, councils.page], views, api_visibility="private")
    return [service, council, year], views, filters, marks


def _letters_tab(web: WebApp) -> tuple[list, list, object]:
    # A table of the page's letters (render.letters_html); on a phone, a card per letter (style.css).
    table = gr.HTML('<p class="lqa-empty">Loading the letters…</p>', elem_id="lqa-letters", padding=False)
    letters = _Pager("letters", "letters")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            # The letters of the table's page; a citation or a council page opens any other.
            choose = gr.Dropdown([], value=None, label="Read a letter", elem_id="lqa-letter-choice",
                                 allow_custom_value=True)
            download = gr.DownloadButton("Download the original file", elem_id="lqa-letter-file", size="sm",
                                         interactive=False)
            text = gr.HTML(letter_html(None, None), elem_id="lqa-letter-text")
        with gr.Column(scale=2):
            folder = web.service.letters_dir
            if folder is not None:
                where = f"Saved into `{md_escape(str(folder))}`, then the index is updated."
            else:
                where = f"Uploads are off: {md_escape(web.service.uploads_off)}."
            gr.Markdown(f"### Add letters\n{', '.join(LETTER_SUFFIXES)} files, up to "
                        f"{MAX_LETTER_BYTES // 1_000_000} MB each for text and "
                        f"{MAX_DOCUMENT_BYTES // 1_000_000} MB for PDF, Word and HTML. {where}")
            # The picker offers only letter suffixes (Gradio refuses others with its own message);
            # every other check is the intake's, reported beside the button.
            files = gr.File(file_count="multiple", file_types=list(LETTER_SUFFIXES), label="Letters to add",
                            elem_id="lqa-upload", interactive=folder is not None)
            with gr.Row(equal_height=False):
                add = gr.Button("Add to the index", variant="primary", elem_id="lqa-add", scale=0, min_width=150,
                                interactive=folder is not None)
                report = gr.HTML(elem_id="lqa-report", scale=1)
    for step in (-1, 1):
        letters.button(step).click(lambda now, step=step: web.letters_view(now + step), [letters.page],
                                   [table, choose, letters.line, letters.page], api_visibility="private")
    mark = gr.State(None)  # [letter, start, end] of the citation last opened here
    choose.change(web.open_letter, [choose, mark], [text], api_visibility="private")
    choose.change(web.letter_download, [choose], [download], api_visibility="private")
    # One progress bar, on the result beside the button (not on the file box too).
    added = add.click(web.add_letters, [files], [report, files], api_visibility="private", concurrency_limit=1,
                      concurrency_id="update", show_progress="full", show_progress_on=[report])
    return [table, choose, letters.line, letters.page], [choose, text, mark], added

