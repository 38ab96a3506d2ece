"""The Ask tab's Sources panel, one list of sources per answer (issue 25, defect 4): one card per
passage, a letter's grade table once and as a table, overlapping and adjacent excerpts of a letter
merged, the ratings used shown beside the excerpts they were read from (no "Ratings used" repeating
them). In Chromium over the real Gradio server and the seeds; every letter-derived string escaped.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import test_web
from test_web import BOT, PHONE, ask, open_app, shot

from index.reader import RatingRow
from ui.web.render import sources_html

pytestmark = pytest.mark.browser

browser, page, seeds_url = test_web.browser, test_web.page, test_web.seeds_url

STOCKPORT_2008 = "Summarise Stockport's 2008 assessment"
AREAS = ("Overall effectiveness of children's services", "Being healthy", "Staying safe", "Enjoying and achieving",
         "Making a positive contribution", "Achieving economic well-being", "Capacity to improve")
STOCKTON = "How is Stockton-on-Tees doing?"  # an example question; its answer cites overlapping spans


def panel_text(page) -> str:
    """The excerpts and tables the panel quotes (not the cards' titles, which name sections)."""
    return "\n".join(page.locator("#lqa-sources .lqa-excerpt, #lqa-sources table").all_inner_texts())


def test_a_grade_table_is_one_card_shown_as_a_table_and_its_ratings_are_not_repeated(page, seeds_url, assistant):
    from playwright.sync_api import expect

    answer = assistant.ask(STOCKPORT_2008)
    table_rows = [c for c in answer.citations if "\t" in c.text]
    assert len(table_rows) == 7 and len(answer.ratings) == 7  # a citation and a rating per row of the table
    open_app(page, seeds_url)
    bubble = ask(page, STOCKPORT_2008)
    expect(bubble.locator(".lqa-chip")).to_have_count(len(answer.citations))
    # One card holds the table (its seven rows, numbered 1 to 7), drawn as a table with its header.
    table = page.locator("#lqa-sources table.lqa-grade-table")
    expect(table).to_have_count(1)
    assert table.locator("th").all_inner_texts()[1:] == ["Assessment judgement area", "APA grade", "rating"]
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(7)
    assert [" ".join(t.split()) for t in rows.all_inner_texts()] == [
        "1 Overall effectiveness of children's services 3 Good", "2 Being healthy 3 Good",
        "3 Staying safe 4 Outstanding", "4 Enjoying and achieving 3 Good",
        "5 Making a positive contribution 4 Outstanding", "6 Achieving economic well-being 3 Good",
        "7 Capacity to improve, including the management of services for children and young people 4 Outstanding"]
    assert table.locator("td.lqa-g4").all_inner_texts() == ["Outstanding"] * 3  # in the grades' colours
    assert table.locator("td.lqa-g3").all_inner_texts() == ["Good"] * 4
    # Each area once in the whole panel, and no "Ratings used" list repeating them.
    text = panel_text(page)
    assert [text.count(area) for area in AREAS] == [1] * len(AREAS)
    expect(page.locator("#lqa-used")).to_have_count(0)
    expect(page.get_by_text("Ratings used")).to_have_count(0)
    # Every chip has exactly one card; a table row's chip finds the table's card.
    for n in range(1, len(answer.citations) + 1):
        expect(page.locator(f'#lqa-sources .lqa-cite[data-ns~="{n}"]')).to_have_count(1)
    bubble.locator(".lqa-chip").nth(2).hover()
    expect(page.locator("#lqa-sources .lqa-cite.lqa-hover table.lqa-grade-table")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollHeight") < 2_500  # it was 4,777 px
    shot(page, "sources-grade-table")


def test_overlapping_and_adjacent_excerpts_of_a_letter_are_one_card(page, seeds_url, assistant):
    from playwright.sync_api import expect

    citations = assistant.ask(STOCKTON).citations
    overlapping = [(a, b) for a in citations for b in citations
                   if a is not b and a.letter == b.letter and a.start < b.end and b.start < a.end]
    assert overlapping, "the answer no longer cites overlapping spans: pick another question"
    open_app(page, seeds_url)
    page.get_by_role("button", name=STOCKTON).click()  # the example
    expect(page.locator(BOT)).to_have_count(1, timeout=test_web.SLOW)
    expect(page.locator(BOT).locator(".lqa-pending")).to_have_count(0, timeout=test_web.SLOW)
    chips = page.locator(BOT).locator(".lqa-chip").all_inner_texts()
    assert set(chips) == {str(n) for n in range(1, len(citations) + 1)}
    cards = page.locator("#lqa-sources .lqa-cite")
    # The rating sentence; the paragraph of judgements (eleven sentences, some cited twice over); the
    # paragraph on care leavers: three passages, three cards.
    expect(cards).to_have_count(3)
    assert [c.get_attribute("data-ns") for c in cards.all()] == ["1", "2 3 4 5 6 7 9 10 11 12 13", "8"]
    text = panel_text(page)
    for sentence in ("The pupil referral unit is good.", "Private fostering arrangements are also good.",
                     "One serious case review was judged to be inadequate in June 2009."):
        assert text.count(sentence) == 1, sentence
    paragraph = cards.nth(1)
    assert paragraph.locator(".lqa-cite-title .lqa-num").inner_text() == "2–7, 9–13"
    # Each cited span's number stands where it begins, so a chip's sentence can be found in the card.
    assert paragraph.locator(".lqa-at").all_inner_texts() == ["9", "12", "2", "13", "3", "4", "11", "5", "6", "7",
                                                               "10"]
    # The rating read from the first sentence, beside it, with the council's full name.
    expect(cards.nth(0).locator(".lqa-rated")).to_have_text(
        "Stockton-on-Tees Borough Council: Performs well (3) · Overall effectiveness · 2009 annual rating")
    shot(page, "sources-merged")


def test_on_a_phone_the_grade_table_fits_the_screen(browser, seeds_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        open_app(page, seeds_url)
        ask(page, STOCKPORT_2008)
        expect(page.locator("#lqa-sources table.lqa-grade-table")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways page
        scroller = page.locator("#lqa-sources .lqa-cite .lqa-scroll").bounding_box()
        assert scroller["x"] >= 0 and scroller["x"] + scroller["width"] <= PHONE["width"]
        # Every row whole on the screen, its rating included: nothing to scroll sideways for.
        assert page.locator("#lqa-sources .lqa-scroll").first.evaluate("el => el.scrollWidth <= el.clientWidth")
        for rating in page.locator("#lqa-sources .lqa-grade-table td:last-child").all():
            box = rating.bounding_box()
            assert box["x"] + box["width"] <= scroller["x"] + scroller["width"] + 0.5
        text = panel_text(page)
        assert [text.count(area) for area in AREAS] == [1] * len(AREAS)
        shot(page, "sources-grade-table-mobile")
    finally:
        context.close()


NASTY = '<img src=x onerror=alert(1)>"&<script>'


def test_a_hostile_table_and_merged_excerpts_are_escaped():
    """Letter text in a table's cells, in merged excerpts and in a rating's council and label: as text."""
    text = (f"Intro.\n\narea {NASTY}\tgrade\nBeing {NASTY}\t3\nStaying safe\t4\n\n"
            f"First {NASTY} sentence. Second sentence {NASTY}.\n\nEnd.")
    row = text.index("Being")
    row_end = text.index("\n", row)
    first, second = text.index("First"), text.index("Second")
    end = text.index(".\n\nEnd") + 1

    def cite(start: int, stop: int):
        return SimpleNamespace(letter="x.txt", start=start, end=stop, text=text[start:stop],
                               title=f"Council {NASTY} 2008 - {NASTY}")

    rating = RatingRow(council=f"Council {NASTY}", year=2008, kind="apa", area="being_healthy", label=NASTY,
                       grade=3, letter="x.txt", text=text[row:row_end], start=row, end=row_end, short_name="C")
    answer = SimpleNamespace(question=NASTY, text="[1] [2] [3] [4]", dropped=(), ratings=(rating,),
                             citations=(cite(row, row_end), cite(first, second - 1), cite(second, end),
                                        cite(first, end)))
    html = sources_html(answer, lambda name: text)
    assert "<img" not in html and "<script" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count('class="lqa-cite"') == 2  # the table; the three overlapping sentences as one card
    assert html.count("lqa-grade-table") == 1 and '<td class="lqa-g3">&lt;img' in html


def test_each_passage_s_table_is_looked_for_once(monkeypatch):
    """sources_html finds each card's table (render.table_block) once, in passages(), not again for the
    card; a table's rows cited apart are one card."""
    import ui.web.render as render

    text = ("Intro.\n\narea\tgrade\nBeing healthy\t3\nStaying safe\t4\nEnjoying and achieving\t2\n\n"
            "First sentence. Second sentence.\n\nEnd.")
    spans = [(text.index(row), text.index(row) + len(row))
             for row in ("Being healthy\t3", "Enjoying and achieving\t2", "First sentence.")]
    citations = tuple(SimpleNamespace(letter="x.txt", start=a, end=b, text=text[a:b], title="C 2008 - Grades")
                      for a, b in spans)
    looked = []
    inner = render.table_block
    monkeypatch.setattr(render, "table_block", lambda *args: looked.append(args) or inner(*args))
    answer = SimpleNamespace(question="q", text="[1] [2] [3]", dropped=(), ratings=(), citations=citations)
    html = sources_html(answer, lambda name: text)
    assert html.count('class="lqa-cite"') == 2 and html.count("lqa-grade-table") == 1
    assert len(looked) == 3  # the two rows (apart: one card) and the sentence


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_merged_sources_and_the_chart_s_lists_pass_axe_with_12px_text(browser, seeds_url, size):
    """A grade table's card, a paragraph's merged card (its numbers) and a chart part's list: axe-core's
    WCAG 2.1 AA finds nothing serious or critical, and no text is under 12 px."""
    from playwright.sync_api import expect
    from test_web_a11y import serious_violations, small_text

    context = browser.new_context(viewport=PHONE if size == "phone" else {"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        open_app(page, seeds_url)
        ask(page, STOCKPORT_2008)
        expect(page.locator("#lqa-sources .lqa-at").first).to_be_visible()
        page.wait_for_timeout(1000)  # the conversation is kept and its exports made (their buttons dim meanwhile)
        assert (serious_violations(page), small_text(page)) == ([], [])
        page.get_by_role("tab", name="Ratings").click()
        page.locator("#lqa-chart .lqa-seg").first.click()
        expect(page.locator("#lqa-chart-list-0")).to_be_visible()
        assert (serious_violations(page), small_text(page)) == ([], [])
    finally:
        context.close()
