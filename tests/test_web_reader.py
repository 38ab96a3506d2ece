"""The Letters reader draws a letter's headings, bullets, rules and tables rather than showing their
markup (`##`, `-----`, tabs, pipes), every character escaped, the cited span marked on every line it
covers (issue 25)."""

from __future__ import annotations

import pytest
import test_web
import test_web_chat
from test_web import BOT, open_app
from test_web_chat import SHORTER, ask

from ui.web.render import letter_body, row_cells, table_block, table_passage_html

browser = test_web.browser  # one Chromium per module
corpus_index, corpus_url, page = test_web_chat.corpus_index, test_web_chat.corpus_url, test_web_chat.page

LETTER = ("## Children's services rating 2009\r\nRating\tPerforms well (3)\r\n-----------   ----------\r\n"
          "- Strengths <b>noted</b>\r\n▪ Private fostering\r\nThe end & more")


def test_headings_bullets_and_rules_are_drawn_not_shown_and_escaped():
    html = letter_body(LETTER)
    assert "##" not in html and "-----" not in html and "<b>" not in html and "&lt;b&gt;noted" in html
    assert '<div class="lqa-h">Children&#x27;s services rating 2009</div>' in html
    assert ('<div class="lqa-li">Strengths &lt;b&gt;noted&lt;/b&gt;</div>'
            '<div class="lqa-li">Private fostering</div>') in html
    assert "The end &amp; more" in html


# The 2008 letters' grade table (seed 001) and 2009's scale, tab-separated; a markdown table.
TABLES = ("Grades:\r\nAssessment judgement area\tAPA grade\r\nBeing healthy\t3\r\nStaying <safe>\t\t4\r\n\r\n"
          "4\tPerforms excellently\tAn organisation that significantly exceeds minimum requirements\n"
          "1\tPerforms poorly\tAn organisation that does not meet minimum requirements\n\n"
          "| Area | Grade |\n|:-----|----:|\n| Being *healthy* | 3 |\n\n"
          "One\ttab alone\n\n\tIndented by a tab")


def test_tables_are_drawn_as_tables_every_cell_escaped():
    html = letter_body(TABLES)
    assert html.count("<table") == 3 and "\t" not in html.split("One", 1)[0] and "|" not in html
    assert ('<table class="lqa-ltable"><tbody><tr><td>Assessment judgement area</td><td>APA grade</td></tr>'
            '<tr><td>Being healthy</td><td>3</td></tr><tr><td>Staying &lt;safe&gt;</td><td></td><td>4</td></tr>'
            '</tbody></table>') in html  # two tabs hold an empty cell between them
    assert ("<tr><td>1</td><td>Performs poorly</td><td>An organisation that does not meet minimum requirements"
            "</td></tr>") in html
    # A rule under a table's first row makes it the header; the rule itself is not drawn.
    assert ('<thead><tr><th>Area</th><th>Grade</th></tr></thead><tbody><tr><td>Being *healthy*</td><td>3</td></tr>'
            ) in html
    assert ('<table class="lqa-ltable"><thead><tr><th>Rating</th><th>Performs well (3)</th></tr></thead>'
            ) in letter_body(LETTER)
    # One line with a tab is no table, nor is a line indented by one.
    assert ('<div class="lqa-line">One\ttab alone</div><div class="lqa-line">&#8203;</div>'
            '<div class="lqa-line">\tIndented by a tab</div>') in html


# The 2009 scale as the PDF of seed 003 (tests/fixtures/pdfs) reads: a cell wrapped onto a line of its own,
# under the third column.
WRAPPED = ("4\tPerforms excellently\tAn organisation that significantly exceeds minimum requirements\n"
           "2\tPerforms adequately\tAn organisation that meets only minimum\n\t\trequirements\n"
           "1\tPerforms poorly\tAn organisation that does not meet minimum requirements")


def test_every_tab_is_one_cell_boundary_in_the_reader_and_the_sources():
    """row_cells, which the reader and the sources panel's table both split rows with: each tab parts two
    cells, an empty cell kept in its column; a wrapped cell's line stays in its table."""
    row = "a\t\t c \r"
    assert [row[a:b] for a, b in row_cells(row, 0, len(row))] == ["a", "", "c"]
    assert [WRAPPED[a:b] for a, b in row_cells(WRAPPED, *line_at(WRAPPED, "\t\trequirements"))] == \
        ["", "", "requirements"]
    row = "| a |  | c |"
    assert [row[a:b] for a, b in row_cells(row, 0, len(row), "|")] == ["a", "", "c"] and row_cells("x", 0, 1, "|") == []
    html = letter_body(WRAPPED)
    assert html.count("<table") == 1 and html.count("<tr>") == 4 and "\t" not in html
    assert "<tr><td></td><td></td><td>requirements</td></tr><tr><td>1</td><td>Performs poorly</td>" in html
    card = table_passage_html(WRAPPED, table_block(WRAPPED, 0, 10), [(1, 0, 10)], [])
    assert "<td></td><td></td><td>requirements</td><td></td></tr>" in card and card.count("<tr") == 4


def line_at(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, text.index("\n", start)


def test_a_cited_span_is_marked_on_each_line_and_cell_it_covers_the_first_piece_the_target():
    start = LETTER.index("Performs well")
    end = LETTER.index("Private") + len("Private")
    html = letter_body(LETTER, (start, end))
    # The rule under the table's header is left out, cited or not.
    assert html.count("<mark") == 3 and html.count('class="lqa-target"') == 1
    assert '<th><mark class="lqa-target">Performs well (3)</mark></th>' in html
    assert "<mark>Private</mark> fostering" in html
    # A rule on its own inside the cited span stays, marked, so that the citation reads whole.
    text = "The first line\n-----\nThe second line"
    html = letter_body(text, (text.index("first"), text.index("second")))
    assert html.count("<mark") == 3 and "<mark>-----</mark>" in html
    cell = TABLES.index("Being healthy")
    html = letter_body(TABLES, (cell, cell + len("Being healthy\t3")))
    assert '<td><mark class="lqa-target">Being healthy</mark></td><td><mark>3</mark></td>' in html


@pytest.mark.parametrize("size", ["desktop"])
def test_a_chip_opens_the_letter_drawn_with_the_cited_sentence_in_view(page, corpus_url, size):
    from playwright.sync_api import expect

    open_app(page, corpus_url)
    ask(page, SHORTER)
    page.locator(BOT).first.locator(".lqa-chip").nth(1).click()
    reader = page.locator("#lqa-letter-text .lqa-letter")
    expect(reader.locator("mark.lqa-target")).to_contain_text("perform adequately")
    assert reader.locator(".lqa-h").count() >= 1
    # The 2009 letters' scale, tab-separated in the file, is a table of four rows of three cells.
    scale = reader.locator("table.lqa-ltable", has_text="Performs excellently")
    assert scale.locator("tr").count() == 4 and scale.locator("td").count() == 12
    shown = reader.inner_text()
    assert "## " not in shown and "-----" not in shown
    assert test_web.in_view(page, "#lqa-letter-text mark.lqa-target")


def test_every_chip_lands_on_its_sentence_and_back_to_the_answer_returns_to_the_chip(page, corpus_url):
    """The second and third jumps too, the same citation twice, and after a visit to another tab."""
    from playwright.sync_api import expect

    open_app(page, corpus_url)
    ask(page, SHORTER)
    chips = page.locator(BOT).first.locator(".lqa-chip")
    target = page.locator("#lqa-letter-text mark.lqa-target")
    for n in (0, 1, 1, 2):
        page.get_by_role("tab", name="Ask").click()
        chips.nth(n).click()
        expect(page.get_by_role("tab", name="Letters")).to_have_attribute("aria-selected", "true")
        expect(target).to_be_focused()
        page.wait_for_timeout(300)
        assert test_web.in_view(page, "#lqa-letter-text mark.lqa-target"), n
        page.get_by_role("tab", name="Ratings").click()  # away, then back through the chat
    page.get_by_role("tab", name="Ask").click()
    chips.nth(2).click()
    expect(target).to_be_focused()
    page.get_by_role("button", name="← Back to the answer").click()
    expect(page.get_by_role("tab", name="Ask")).to_have_attribute("aria-selected", "true")
    expect(chips.nth(2)).to_be_focused()


def test_on_a_phone_a_chip_is_a_44px_target_and_one_tap_opens_the_letter(browser, corpus_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=test_web.PHONE, has_touch=True, is_mobile=True)
    phone = context.new_page()
    phone.set_default_timeout(30_000)
    try:
        open_app(phone, corpus_url)
        ask(phone, SHORTER)
        chip = phone.locator(BOT).first.locator(".lqa-chip").nth(1)
        chip.scroll_into_view_if_needed()
        # Every point 21 px from the chip's centre, across and down, still lands on the chip.
        missed = chip.evaluate("""(c) => {
            const r = c.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
            return [[-21, 0], [21, 0], [0, -21], [0, 21]].filter(([dx, dy]) => {
                const hit = document.elementFromPoint(x + dx, y + dy);
                return !(hit && hit.closest('.lqa-chip') === c);
            });
        }""")
        assert missed == []
        chip.tap()
        expect(phone.get_by_role("tab", name="Letters")).to_have_attribute("aria-selected", "true")
        expect(phone.locator("#lqa-letter-text mark.lqa-target")).to_be_focused()
    finally:
        context.close()
