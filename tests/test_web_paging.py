"""Server-side paging in a real browser (issue 25): the Ratings table, the APA grid, the Judgements
matrix and the Letters table send one page of rows, with Previous / Next and a line saying which rows
show; the page's weight stays under 300 KB whatever the index holds (bench/web_page.py measures it at
10,000 letters; here the 120 letters of test_web_chat's server, which weighed more before paging).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
import test_web
import test_web_chat
from test_web import open_app

from index.words import plural
from ui.web.paging import clamp, page_line, page_of

pytestmark = pytest.mark.browser

browser = test_web.browser  # one Chromium per module
corpus_index, corpus_url, page = test_web_chat.corpus_index, test_web_chat.corpus_url, test_web_chat.page


def test_page_of_clamps_and_says_which_rows_show():
    rows = list(range(120))
    assert page_of(rows, 0) == (list(range(50)), 0, "Rows 1–50 of 120 (page 1 of 3)")
    assert page_of(rows, 2)[0] == list(range(100, 120)) and page_of(rows, 2)[2] == "Rows 101–120 of 120 (page 3 of 3)"
    assert page_of(rows, 7)[1] == 2 and page_of(rows, -3)[1] == 0 and page_of(rows, "x")[1] == 0
    assert page_of([1], 0, what="letter") == ([1], 0, "1 letter") and page_line(0, 0, 50, "row") == "0 rows"
    assert clamp(None, 0, 50) == 0


def test_counts_are_said_one_way():
    """index/words.plural, which the page lines, the chart, the Judgements summary, the conversations list
    and the upload report all say their counts with."""
    assert plural(1, "council") == "1 council" and plural(0, "row") == "0 rows"
    assert plural(1200, "council-year") == "1,200 council-years"
    assert page_line(1, 0, 50, "letter") == "1 letter" and page_line(2_000, 0, 5_000, "row") == "2,000 rows"
    from ui.web.judgements import _summary

    assert "1 judgement of 1 service in 1 letter to 1 council." in _summary(
        [SimpleNamespace(letter="a.txt")], ["fostering"], ["A"], None)


def text(page, selector: str) -> str:
    return page.locator(selector).inner_text().strip()


def test_the_ratings_letters_and_judgements_grids_page_on_the_server(page, corpus_url):
    from playwright.sync_api import expect

    open_app(page, corpus_url, "Ratings")
    line = page.locator("#lqa-ratings-line")
    expect(line).to_have_text("Rows 1–50 of 318 (page 1 of 7)")
    first = page.locator('#lqa-ratings .body-cell[data-col="0"]').first.inner_text()
    page.click("#lqa-ratings-next")
    expect(line).to_have_text("Rows 51–100 of 318 (page 2 of 7)")
    expect(page.locator('#lqa-ratings .body-cell[data-col="0"]').first).not_to_have_text(first)
    page.click("#lqa-ratings-prev")
    expect(line).to_have_text("Rows 1–50 of 318 (page 1 of 7)")
    expect(page.locator("#lqa-ratings-csv")).to_have_text("Download these 318 rows as CSV")  # the CSV holds all
    assert text(page, "#lqa-apa-line").endswith("council-years")
    # A filter starts again at its first page.
    page.click("#lqa-ratings-next")
    expect(line).to_have_text("Rows 51–100 of 318 (page 2 of 7)")
    page.locator("#lqa-f-year input").fill("2009")
    page.keyboard.press("Enter")
    expect(line).not_to_contain_text("of 318")
    assert " 1–" in text(page, "#lqa-ratings-line") or text(page, "#lqa-ratings-line").endswith("rows")

    page.get_by_role("tab", name="Letters").click()
    letters = page.locator("#lqa-letters-line")
    expect(letters).to_have_text("Letters 1–50 of 120 (page 1 of 3)")
    page.click("#lqa-letters-next")
    page.click("#lqa-letters-next")
    expect(letters).to_have_text("Letters 101–120 of 120 (page 3 of 3)")
    page.click("#lqa-letters-next")  # past the last page: stays there
    expect(letters).to_have_text("Letters 101–120 of 120 (page 3 of 3)")

    page.get_by_role("tab", name="Judgements").click()
    councils = page.locator("#lqa-judgements-line")
    expect(councils).to_have_text("Councils 1–25 of 120 (page 1 of 5)")
    expect(page.locator("#lqa-judgements tbody tr")).to_have_count(25)
    page.click("#lqa-judgements-next")
    expect(councils).to_have_text("Councils 26–50 of 120 (page 2 of 5)")


def counted(monkeypatch, owner, name: str) -> list:
    """Each call of owner.name (a module's function or WebApp's method), as the in-process server makes it."""
    calls = []
    inner = getattr(owner, name)

    def counting(*args, **kwargs):
        calls.append(args)
        return inner(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls


def wait_for(page, done, seconds: float = 10) -> None:
    """Until done() (what the server has done for the page) holds."""
    for _ in range(int(seconds * 5)):
        if done():
            return
        page.wait_for_timeout(200)
    assert done()


def test_a_page_of_the_ratings_redraws_only_its_grid(page, corpus_url, monkeypatch):
    """Previous / Next under the Ratings table, or under the APA grid, sends that grid's page and its line:
    not the chart, the other grid or a new CSV (which hold every row, whatever the page)."""
    from playwright.sync_api import expect

    import ui.web.app as app

    open_app(page, corpus_url, "Ratings")
    expect(page.locator("#lqa-ratings-csv")).to_have_text("Download these 318 rows as CSV")
    made = {name: counted(monkeypatch, app, name)
            for name in ("csv_download", "chart_html", "apa_grid_html", "ratings_table")}
    grid = page.locator("#lqa-apa-grid").inner_html()
    page.click("#lqa-ratings-next")
    expect(page.locator("#lqa-ratings-line")).to_have_text("Rows 51–100 of 318 (page 2 of 7)")
    assert page.locator("#lqa-apa-grid").inner_html() == grid
    page.click("#lqa-apa-next")  # the grid's one page: drawn again, as it is
    wait_for(page, lambda: made["apa_grid_html"])
    assert text(page, "#lqa-apa-line").endswith("council-years")
    expect(page.locator("#lqa-ratings-line")).to_have_text("Rows 51–100 of 318 (page 2 of 7)")
    assert {name: len(calls) for name, calls in made.items()} == {
        "csv_download": 0, "chart_html": 0, "apa_grid_html": 1, "ratings_table": 1}
    expect(page.locator("#lqa-ratings-csv")).to_have_text("Download these 318 rows as CSV")


def test_a_page_of_the_judgements_matrix_leaves_its_csv_as_it_is(page, corpus_url, monkeypatch):
    from playwright.sync_api import expect

    import ui.web.app as app

    open_app(page, corpus_url, "Judgements")
    button = page.locator("#lqa-judgements-csv")
    expect(button).to_have_text(re.compile(r"Download these [\d,]+ rows as CSV"))
    label = button.inner_text()
    made = counted(monkeypatch, app, "csv_download")
    page.click("#lqa-judgements-next")
    expect(page.locator("#lqa-judgements-line")).to_have_text("Councils 26–50 of 120 (page 2 of 5)")
    assert made == [] and button.inner_text() == label
    expect(button).to_be_enabled()


def test_a_chip_draws_the_letters_table_once(page, corpus_url, monkeypatch):
    """A citation chip opens the Letters tab with its table drawn in the same step as the reader
    (WebApp.jump_with_letters): the tab's select event does not draw it again."""
    from playwright.sync_api import expect
    from test_web import BOT
    from test_web_chat import SHORTER, ask

    from ui.web.app import WebApp

    open_app(page, corpus_url)
    ask(page, SHORTER)
    drawn = counted(monkeypatch, WebApp, "letters_view")
    page.locator(BOT).first.locator(".lqa-chip").nth(1).click()
    expect(page.locator("#lqa-letter-text mark.lqa-target")).to_contain_text("perform adequately")
    expect(page.locator("#lqa-letters tbody tr")).to_have_count(50)
    page.wait_for_timeout(1000)  # a second draw, if any, has come by now
    assert len(drawn) == 1
    page.get_by_role("tab", name="Ask").click()
    page.get_by_role("tab", name="Letters").click()  # a click on the tab draws it (the index may have changed)
    wait_for(page, lambda: len(drawn) == 2)


def test_the_page_weighs_under_300_kb(browser, corpus_index):
    """bench/web_page.py's visit: every byte the server sends the page but Gradio's own static files,
    until its load event has answered and a question asked at once has its answer (with a 21-council
    list answer, kept in the browser too, it came to 331 KB once)."""
    from bench.web_page import CountingProxy, count_loads, one_visit

    count_loads()  # before the app is built: the visit waits for the page's load to answer
    with test_web_chat.serving_on(corpus_index, test_web.free_port()) as url:
        proxy = CountingProxy(int(url.rstrip("/").rsplit(":", 1)[1]))
        # A lookup, as bench/web_page.py asks: the page's weight, not a long list answer's.
        visit = one_visit(browser, f"http://127.0.0.1:{proxy.port}/", "What rating did Alderby get?", proxy)
    assert visit["data_kb"] <= 300, visit


def test_a_page_load_leaves_the_letters_table_and_judgements_matrix_to_their_tabs(page, corpus_index, corpus_url):
    """The page's load sends neither (at 10,000 letters the matrix took 0.4 of the load's 0.6 s, which a
    question asked at once waited on); opening the tab draws them."""
    import gradio as gr
    from fake_embedder import FakeEmbedder
    from playwright.sync_api import expect

    from qa import Assistant
    from ui.service import Service
    from ui.web.app import REFRESHED, WebApp

    loaded = WebApp(Service(Assistant.open(corpus_index, embedder=FakeEmbedder()))).load("ask", *[""] * 10)
    assert len(loaded) == 1 + REFRESHED and loaded[1:5] == (gr.skip(),) * 4 and loaded[-5:] == (gr.skip(),) * 5
    open_app(page, corpus_url, "Judgements")
    expect(page.locator("#lqa-judgements tbody tr")).to_have_count(25)
    page.get_by_role("tab", name="Letters").click()
    expect(page.locator("#lqa-letters tbody tr")).to_have_count(50)


def test_serve_warms_up_what_the_first_question_builds(corpus_index):
    """The first lookup of a server process built the question parser's council tables and found the
    conflicting ratings (~0.5 s at 10,000 letters); serve's warm-up does both before the first page."""
    from fake_embedder import FakeEmbedder

    from qa import Assistant, query
    from ui.serve import warm_up

    assistant = Assistant.open(corpus_index, embedder=FakeEmbedder())
    query._council_table.cache_clear()
    warm_up(assistant)
    assert "conflicts" in vars(assistant.reader) and query._council_table.cache_info().currsize == 1
    hits = query._council_table.cache_info().hits
    assistant.ask("What rating did Alderby get?")
    assert query._council_table.cache_info().hits > hits  # the tables built once, by the warm-up
