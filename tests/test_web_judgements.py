"""The Judgements tab and the chat's "Show all" in a real browser, over the seeds' real index.

The Judgements tab: a council x service matrix of the judgements read from the letters, each
cell coloured by level, its sentence on hover, a click opening the letter there, filters and a CSV
of the filtered rows; it follows the index when a letter is added. The chat: a list of councils
from the judgements table, and an open answer's "Show all N matching passages", which asks again
for every matching passage. Servers, browser and screenshot helpers are test_web's.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import test_web
import test_web_security
from test_web import BOT, PALETTE, PHONE, USER, ask, in_view, open_app, seed_variant, shot, shot_mobile
from test_web_security import assert_nothing_rendered, watch

pytestmark = pytest.mark.browser

# test_web's fixtures: one Chromium per module, a page per test, servers over the seeds (and a copy).
browser, page, seeds_url, upload_site = test_web.browser, test_web.page, test_web.seeds_url, test_web.upload_site
hostile_site = test_web_security.hostile_site

TRAFFORD = "Trafford Metropolitan Borough Council"
STOCKTON = "Stockton-on-Tees Borough Council"
PRIVATE_FOSTERING = "The local authority fostering and adoption services are good but private fostering is inadequate."
SECONDARY = "There are no inadequate primary schools but two of the 14 secondary schools are inadequate."
SCR = "One serious case review was judged to be inadequate in June 2009."
OPEN_QUESTION = "What did Ofsted say about private fostering in Trafford?"

# Each row of the matrix as {council's short name: {column: [its judgements' texts]}}.
MATRIX = """() => {
    const heads = [...document.querySelectorAll('#lqa-judgements thead th')].map(th => th.innerText.trim());
    const rows = {};
    for (const tr of document.querySelectorAll('#lqa-judgements tbody tr')) {
        const cells = {};
        [...tr.children].slice(1).forEach((td, i) => {
            const found = [...td.querySelectorAll('.lqa-jcell')].map(b => b.innerText.trim());
            if (found.length) cells[heads[i + 1]] = found;
        });
        rows[tr.children[0].innerText.trim()] = cells;
    }
    return rows;
}"""


def judgements_tab(page, url: str) -> None:
    from playwright.sync_api import expect

    open_app(page, url, tab="Judgements")
    expect(page.locator("#lqa-judgements .lqa-jtable")).to_be_visible(timeout=30_000)


def choose(page, dropdown: str, option: str) -> None:
    from playwright.sync_api import expect

    page.locator(f"{dropdown} input").click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_role("option")).to_have_count(0)  # the list closed (it fades over the matrix)


def cell(page, council_short: str, column: str):
    """The judgement buttons of one cell of the matrix."""
    heads = [" ".join(t.split()) for t in page.locator("#lqa-judgements thead th").all_inner_texts()]
    row = page.locator("#lqa-judgements tbody tr").filter(
        has=page.locator("th", has_text=re.compile(f"^{re.escape(council_short)}$")))
    return row.locator("td").nth(heads.index(column) - 1).locator(".lqa-jcell")


# --- the Judgements tab ----------------------------------------------------------------------------


def expected_matrix(rows) -> dict:
    """What MATRIX should read for `rows`: by council, by service, each judgement's text in
    letter order (with its year where the council's row holds several)."""
    from index.services import service_title
    from ui.web.judgements import cell_look

    found: dict = {}
    for r in sorted(rows, key=lambda r: (r.year, r.letter, r.start)):
        years = {j.year for j in rows if j.council == r.council}
        text = (f"{r.year} " if len(years) > 1 else "") + cell_look(r)[1]
        found.setdefault(r.short_name, {}).setdefault(service_title(r.service), []).append(text)
    return found


def test_the_matrix_colours_each_judgement_and_shows_its_sentence_on_hover(page, seeds_url, assistant):
    from playwright.sync_api import expect

    from index.services import LEVEL_GRADES, SERVICES

    every = assistant.judgements()
    judgements_tab(page, seeds_url)
    matrix = page.locator("#lqa-judgements")
    expect(matrix.locator(".lqa-jsummary")).to_contain_text(f"{len(every)} judgements of ")
    # Columns: only the services some letter judges, in index/services.py's order.
    judged = {j.service for j in every}
    assert page.locator("#lqa-judgements thead th").all_inner_texts()[1:] == [
        s.title for s in SERVICES if s.key in judged]
    assert page.locator("#lqa-judgements tbody th").all_inner_texts() == [
        "Stockport", "Stockton-on-Tees", "Stoke-on-Trent", "Trafford"]
    assert matrix.locator(".lqa-jcell").count() == len(every)
    assert page.evaluate(MATRIX) == expected_matrix(every)

    fostering = cell(page, "Trafford", "Private fostering")
    expect(fostering).to_have_count(1)
    expect(fostering).to_have_text("inadequate")
    assert fostering.evaluate("e => getComputedStyle(e).backgroundColor") == PALETTE[1]
    assert fostering.get_attribute("title").startswith(PRIVATE_FOSTERING + "\n(Trafford 2009, Private fostering:")
    fostering.hover()
    detail = matrix.locator(".lqa-jdetail")
    expect(detail).to_contain_text(PRIVATE_FOSTERING)
    expect(detail).to_contain_text("Trafford 2009, Private fostering: “inadequate”")
    # Every level in the one palette; negated and comparison-only judgements neutral, saying so.
    colours = matrix.locator(".lqa-jcell").evaluate_all("bs => bs.map(b => getComputedStyle(b).backgroundColor)")
    shown = sorted(every, key=lambda r: (r.council, r.service, r.year, r.letter, r.start))
    order = [(r.council, r.service) for r in shown]
    assert order == sorted(order)  # the matrix's order: councils down, then services across
    by_row = {}
    for r in every:
        by_row.setdefault(r.council, []).append(r)
    drawn = []  # (row, colour) in the page's order: council by council, column by column
    columns = [s.key for s in SERVICES if s.key in judged]
    for council in sorted(by_row):
        for key in columns:
            drawn += sorted((r for r in by_row[council] if r.service == key), key=lambda r: (r.year, r.letter, r.start))
    assert len(drawn) == len(colours)
    for r, colour in zip(drawn, colours):
        if r.level and not r.negated:
            assert colour == PALETTE[LEVEL_GRADES[r.level]], r
        else:
            assert colour not in PALETTE.values(), r
    assert {r.level for r in drawn if not r.negated} >= {"outstanding", "good", "adequate", "inadequate"}
    negated = next(i for i, r in enumerate(drawn) if r.negated)
    compared = next(i for i, r in enumerate(drawn) if r.level is None and r.comparison and not r.negated)
    expect(matrix.locator(".lqa-jcell").nth(negated)).to_have_class(re.compile(r"\blqa-jneg\b"))
    expect(matrix.locator(".lqa-jcell").nth(negated)).to_contain_text(f"no {drawn[negated].level}")
    expect(matrix.locator(".lqa-jcell").nth(compared)).to_have_class(re.compile(r"\blqa-jcmp\b"))
    expect(matrix.locator(".lqa-jcell").nth(compared)).to_contain_text(
        {"above": "above", "in_line": "in line", "below": "below"}[drawn[compared].comparison])
    # A council with letters of several years: each judgement says its year.
    stockport = page.locator("#lqa-judgements tbody tr").first.locator(".lqa-jcell").all_inner_texts()
    assert stockport and all(re.match(r"^200[89] ", text) for text in stockport)
    shot(page, "judgements")
    fostering.hover()
    shot_mobile(page, "judgements-mobile")


def test_the_text_colours_meet_wcag_aa(page, seeds_url):
    """Every kind of judgement cell, the legend, and the sentence line: contrast of at least 4.5:1."""
    judgements_tab(page, seeds_url)
    pairs = page.evaluate("""() => {
        const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const lum = ([r, g, b]) => {
            const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
            return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const background = (el) => {
            for (; el; el = el.parentElement) {
                const c = getComputedStyle(el).backgroundColor;
                if (c && !c.endsWith(', 0)') && c !== 'transparent') return c;
            }
            return 'rgb(255, 255, 255)';
        };
        for (const css of ['lqa-meta', 'lqa-empty', 'lqa-pending']) {  // the secondary text used everywhere
            const probe = document.createElement('span');
            probe.className = `${css} lqa-probe`; probe.textContent = 'x';
            document.querySelector('#lqa-judgements .lqa-jsummary').appendChild(probe);
        }
        const sel = '#lqa-judgements .lqa-jcell, #lqa-judgements .lqa-jkey, #lqa-judgements .lqa-jdetail, '
                  + '#lqa-judgements .lqa-jsummary, #lqa-judgements th, .lqa-probe';
        const seen = {};
        for (const el of document.querySelectorAll(sel)) {
            const fg = getComputedStyle(el).color, bg = background(el);
            const [a, b] = [lum(rgb(fg)), lum(rgb(bg))].sort((x, y) => y - x);
            seen[`${el.className} ${fg} on ${bg}`] = (a + 0.05) / (b + 0.05);
        }
        return seen;
    }""")
    assert len(pairs) >= 8 and sum("lqa-probe" in k for k in pairs) == 3
    assert {k: round(v, 2) for k, v in pairs.items() if v < 4.5} == {}
    page.evaluate("document.querySelectorAll('.lqa-probe').forEach((e) => e.remove())")
    # Hovered, a judgement keeps its colours (Gradio repaints buttons on hover); an outline marks it.
    for css in ("lqa-g1", "lqa-g3", "lqa-jcmp", "lqa-jneg"):
        button = page.locator(f"#lqa-judgements .lqa-jcell.{css}").first
        look = "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]"
        before = button.evaluate(look)
        button.hover()
        assert button.evaluate(look) == before, css
        assert button.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"


def test_filtering_by_level_shows_exactly_those_judgements_and_downloads_them(page, seeds_url, assistant):
    from playwright.sync_api import expect

    from ui.web.judgements import judgements_csv

    inadequate = assistant.judgements(level="inadequate")
    assert sorted((j.council, j.service, j.count, j.total) for j in inadequate) == [
        (STOCKTON, "secondary_schools", 2, 14), (STOCKTON, "serious_case_reviews", 1, None),
        (TRAFFORD, "private_fostering", None, None)]
    judgements_tab(page, seeds_url)
    choose(page, "#lqa-j-level", "Inadequate (1)")
    matrix = page.locator("#lqa-judgements")
    expect(matrix.locator(".lqa-jcell")).to_have_count(3)
    assert page.evaluate(MATRIX) == {
        "Stockton-on-Tees": {"Secondary schools": ["inadequate 2/14"], "Serious case reviews": ["inadequate (1)"]},
        "Trafford": {"Private fostering": ["inadequate"]},
    }
    expect(matrix.locator(".lqa-jsummary")).to_have_text(
        f"3 judgements (of {len(assistant.judgements())} in the index) of 3 services in 2 letters to 2 councils.")
    assert cell(page, "Stockton-on-Tees", "Secondary schools").get_attribute("title").startswith(SECONDARY)
    assert cell(page, "Stockton-on-Tees", "Serious case reviews").get_attribute("title").startswith(SCR)
    shot(page, "judgements-inadequate")

    button = page.locator("#lqa-judgements-csv")
    expect(button).to_have_text("Download these 3 rows as CSV")
    with page.expect_download() as info:
        button.click()
    assert info.value.suggested_filename == "judgements.csv"
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text == judgements_csv(inadequate)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["council"], r["service"], r["level"], r["count"], r["total"], r["negated"], r["sentence"], r["letter"])
            for r in rows] == [
        (STOCKTON, "Secondary schools", "inadequate", "2", "14", "no", SECONDARY, "002_eaefc0db6d347781.txt"),
        (STOCKTON, "Serious case reviews", "inadequate", "1", "", "no", SCR, "002_eaefc0db6d347781.txt"),
        (TRAFFORD, "Private fostering", "inadequate", "", "", "no", PRIVATE_FOSTERING, "003_e59f001d04c76981.txt"),
    ]
    for row in rows:  # each sentence is where the CSV says it is in its letter
        assert assistant.reader.letter_text(row["letter"])[int(row["start"]):int(row["end"])] == row["sentence"]

    # More filters narrow it further; a filter with nothing to show says so and offers no download.
    choose(page, "#lqa-j-council", TRAFFORD)
    expect(matrix.locator(".lqa-jcell")).to_have_count(1)
    expect(button).to_have_text("Download this 1 row as CSV")
    choose(page, "#lqa-j-service", "Adoption service")
    expect(matrix).to_contain_text("No judgements of the")
    expect(button).to_be_disabled()
    choose(page, "#lqa-j-level", "All levels")
    expect(matrix.locator("thead th")).to_have_text(["council", "Adoption service"])
    expect(cell(page, "Trafford", "Adoption service")).to_have_text("good")
    choose(page, "#lqa-j-council", "All councils")
    choose(page, "#lqa-j-service", "All services")
    choose(page, "#lqa-j-comparison", "Below similar areas or nationally")
    below = assistant.judgements(comparison="below")
    assert below and all(j.comparison == "below" for j in below)
    expect(matrix.locator(".lqa-jcell")).to_have_count(len(below))
    assert page.evaluate(MATRIX) == expected_matrix(below)


def test_clicking_a_judgement_opens_the_letter_at_its_sentence(page, seeds_url):
    from playwright.sync_api import expect

    judgements_tab(page, seeds_url)
    choose(page, "#lqa-j-level", "Inadequate (1)")
    expect(page.locator("#lqa-judgements .lqa-jcell")).to_have_count(3)
    cell(page, "Trafford", "Private fostering").click()
    expect(page.get_by_role("tab", name="Letters")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#lqa-letter-choice input")).to_have_value(re.compile(r"003_e59f001d04c76981\.txt$"))
    target = page.locator("#lqa-letter-text mark.lqa-target")
    expect(target).to_have_text(PRIVATE_FOSTERING)
    page.wait_for_function("(sel) => { const r = document.querySelector(sel).getBoundingClientRect(); "
                           "return r.top >= 0 && r.bottom <= innerHeight; }", arg="#lqa-letter-text mark.lqa-target")
    assert in_view(page, "#lqa-letter-text mark.lqa-target")
    shot(page, "letters-from-judgement")

    page.get_by_role("tab", name="Judgements").click()  # and another, by the keyboard
    stockton = cell(page, "Stockton-on-Tees", "Secondary schools")
    stockton.focus()
    expect(page.locator("#lqa-judgements .lqa-jdetail")).to_contain_text(SECONDARY)
    page.keyboard.press("Enter")
    expect(target).to_have_text(SECONDARY)
    expect(page.locator("#lqa-letter-choice input")).to_have_value(re.compile(r"002_eaefc0db6d347781\.txt$"))


def test_on_a_phone_every_tab_shows_and_the_matrix_scrolls_under_its_councils(browser, seeds_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        open_app(page, seeds_url)
        for name in ("Ask", "Ratings", "Judgements", "Letters"):  # none in Gradio's overflow menu
            expect(page.get_by_role("tab", name=name)).to_be_visible()
        page.get_by_role("tab", name="Judgements").click()
        scroller = page.locator("#lqa-judgements .lqa-jscroll")
        expect(scroller).to_be_visible(timeout=30_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways page
        council = page.locator("#lqa-judgements tbody th").first.bounding_box()["x"]
        scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        assert scroller.evaluate("el => el.scrollLeft") > 300
        assert abs(page.locator("#lqa-judgements tbody th").first.bounding_box()["x"] - council) <= 1  # stays put
        last = page.locator("#lqa-judgements thead th").last.bounding_box()
        box = scroller.bounding_box()
        assert last["x"] + last["width"] <= box["x"] + box["width"] + 1
        scroller.evaluate("el => { el.scrollLeft = 0; }")
        shot(page, "judgements-phone")
    finally:
        context.close()


def test_the_matrix_follows_the_index_when_a_letter_is_added(browser, upload_site, real_embedder):
    """A letter added elsewhere (`letters-qa add`, here the library call it makes) shows in an open
    page's matrix, filters kept, within a few of its index checks."""
    from playwright.sync_api import expect

    from index.intake import add_letters

    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    try:
        judgements_tab(page, upload_site.url)
        choose(page, "#lqa-j-level", "Inadequate (1)")
        matrix = page.locator("#lqa-judgements")
        expect(matrix.locator(".lqa-jcell")).not_to_have_count(0)
        assert "Eastmoor" not in matrix.inner_text()
        sentence = "Private fostering arrangements in Eastmoor are inadequate."
        source = upload_site.letters.parent / "eastmoor.txt"
        source.write_text(seed_variant("Eastmoor", "adequately", 2, sentence), encoding="utf-8")
        add_letters([(source, "eastmoor.txt")], upload_site.letters, upload_site.index, embedder=real_embedder)
        fostering = page.locator("#lqa-judgements tbody tr", has=page.locator("th", has_text="Eastmoor"))
        expect(fostering.locator(".lqa-jcell")).to_have_text(["inadequate"], timeout=20_000)
        assert fostering.locator(".lqa-jcell").get_attribute("title").startswith(sentence)
        expect(page.locator("#lqa-j-level input")).to_have_value("Inadequate (1)")  # the filter kept
        page.locator("#lqa-j-council input").click()
        expect(page.get_by_role("option", name="Eastmoor City Council")).to_be_visible()
        page.keyboard.press("Escape")
    finally:
        page.context.close()


def test_hostile_council_names_show_as_text_in_the_matrix(page, hostile_site):
    from playwright.sync_api import expect

    site = hostile_site
    asked = watch(page)
    judgements_tab(page, site.url)
    heads = page.locator("#lqa-judgements tbody th")
    expect(heads).not_to_have_count(0)
    names = heads.all_inner_texts()
    for short in site.shorts.values():
        assert short in names
    titles = heads.evaluate_all("ths => ths.map(th => th.title)")
    assert all(full in titles for full in [*site.fulls, site.apa])
    row = page.locator("#lqa-judgements tbody tr").filter(has=page.locator("th", has_text="Imgton"))
    first = row.locator(".lqa-jcell").first
    first.hover()
    assert site.shorts["img tag"] in page.locator("#lqa-judgements .lqa-jdetail").inner_text()
    choose(page, "#lqa-j-council", site.fulls[1])
    expect(page.locator("#lqa-judgements tbody th")).to_have_text([site.shorts["img tag"]])
    shot(page, "judgements-hostile")
    assert_nothing_rendered(page, site, asked)


# --- the chat: judgements answers, coverage and "Show all" ------------------------------------------


def test_which_councils_have_inadequate_private_fostering_lists_trafford_with_its_sentence(page, seeds_url):
    from playwright.sync_api import expect

    open_app(page, seeds_url)
    bubble = ask(page, "Which councils have inadequate private fostering?")
    expect(bubble).to_contain_text("1 council")
    expect(bubble).to_contain_text(TRAFFORD)
    for other in ("Stockport", "Stockton", "Stoke"):
        expect(bubble).not_to_contain_text(other)
    assert bubble.locator(".lqa-chip").all_inner_texts() == ["1"]
    assert page.locator("#lqa-sources mark").all_inner_texts() == [PRIVATE_FOSTERING]
    expect(page.locator("#lqa-sources .lqa-cite-title")).to_have_text(
        ["1 Trafford 2009 - Children's services rating 2009"])
    expect(page.locator("#lqa-show-all")).to_be_hidden()  # a complete list: nothing more to show
    shot(page, "ask-judgements")


def test_show_all_asks_again_for_every_matching_passage(page, seeds_url, assistant):
    from playwright.sync_api import expect

    sample, every = assistant.ask(OPEN_QUESTION), assistant.ask(OPEN_QUESTION, all=True)
    assert not sample.coverage.complete and sample.coverage.matches > sample.coverage.shown
    assert every.coverage.complete and every.intent == "open"
    open_app(page, seeds_url)
    first = ask(page, "Which councils perform well?")
    expect(page.locator("#lqa-show-all")).to_be_hidden()
    bubble = ask(page, OPEN_QUESTION)
    # The answer says it is a sample; the button offers every match.
    expect(bubble).to_contain_text(f"The {sample.coverage.shown} most relevant of {sample.coverage.matches} passages")
    expect(bubble).to_contain_text("a sample, not a list of every council")
    show_all = page.locator("#lqa-show-all")
    expect(show_all).to_be_visible()
    expect(show_all).to_have_text(f"Show all {sample.coverage.matches} matching passages")
    shot(page, "ask-show-all")
    shot_mobile(page, "ask-show-all-mobile")

    show_all.click()
    bots = page.locator(BOT)
    expect(bots).to_have_count(3, timeout=test_web.SLOW)
    expect(bots.nth(2).locator(".lqa-pending")).to_have_count(0, timeout=test_web.SLOW)
    expect(page.locator(USER).nth(2)).to_contain_text(OPEN_QUESTION)
    expect(page.locator(USER).nth(2)).to_contain_text("(every matching passage)")
    all_of_them = bots.nth(2)
    expect(all_of_them).to_contain_text(f"Every passage that holds the question's words: {every.coverage.matches} in")
    expect(all_of_them.locator("strong", has_text=re.compile(f"^{TRAFFORD}$"))).to_have_count(1)  # by council
    assert all_of_them.locator(".lqa-chip").count() == len(every.citations)
    assert page.locator("#lqa-sources mark").all_inner_texts() == [c.text for c in every.citations]
    assert any(PRIVATE_FOSTERING in c.text for c in every.citations)
    expect(show_all).to_be_hidden()  # every match is shown now
    # The conversation is kept: the earlier answers are there, and choosing the sample offers it again.
    expect(bots.first).to_contain_text("Stockport Metropolitan Borough Council")
    bubble.click(position={"x": 8, "y": 8})
    expect(show_all).to_be_visible()
    expect(page.locator("#lqa-sources .lqa-for")).to_contain_text(f"Sources of: {OPEN_QUESTION}")
    first.click(position={"x": 8, "y": 8})
    expect(show_all).to_be_hidden()
    bots.nth(2).click(position={"x": 8, "y": 8})
    expect(page.locator("#lqa-sources .lqa-cite-title")).to_have_count(len(every.citations))
    expect(page.locator("#lqa-sources .lqa-excerpt mark").first).to_have_text(every.citations[0].text)
    if page.locator("#lqa-new-answer").is_visible():  # (Gradio's own scroll arrow lies over it)
        page.locator("#lqa-new-answer").dispatch_event("click")
    page.wait_for_timeout(500)  # the panel's update settles (Gradio dims it while pending)
    shot(page, "ask-show-all-done")
    shot_mobile(page, "ask-show-all-done-mobile")
    answer = ask(page, "And in Stockport?")  # a follow-up still reads the conversation
    expect(answer).to_contain_text("Stockport")
    page.click("#lqa-clear")
    expect(show_all).to_be_hidden()


# --- the HTML and CSV builders, without a browser ----------------------------------------------------


def judgement(**changes) -> SimpleNamespace:
    row = dict(council="Trafford Metropolitan Borough Council", year=2009, kind="annual_rating",
               service="private_fostering", word="inadequate", level="inadequate", comparison=None, count=None,
               total=None, negated=False, letter="003.txt", text="Private fostering is inadequate.", start=10,
               end=42, clause_start=10, clause_end=42, short_name="Trafford")
    return SimpleNamespace(**{**row, **changes})


def test_the_matrix_escapes_every_letter_derived_value():
    from ui.web.judgements import judgements_html

    nasty = "<img src=x onerror=alert(1)> & <script>alert(2)</script>"
    rows = [judgement(council=f"{nasty} Council", short_name=nasty, word=f'bad" onmouseover="alert(3) {nasty}',
                      level=None, comparison=None, text=f'"{nasty}" is "inadequate".')]
    html, marks, _, _ = judgements_html(rows, 1)
    assert "<img" not in html and "<script" not in html and 'onmouseover="' not in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;script&gt;" in html
    assert marks == [["003.txt", 10, 42]] and 'data-j="0"' in html


def test_cells_say_negated_and_comparison_only_judgements():
    from ui.web.judgements import cell_look

    assert cell_look(judgement()) == ("lqa-g1", "inadequate")
    assert cell_look(judgement(count=2, total=14)) == ("lqa-g1", "inadequate 2/14")
    assert cell_look(judgement(level="good", comparison="above", count=1)) == ("lqa-g3", "good (1), above")
    assert cell_look(judgement(negated=True, count=0)) == ("lqa-jneg", "no inadequate")
    assert cell_look(judgement(level=None, comparison="in_line", word="in line with similar areas")) == (
        "lqa-jcmp", "in line")


def test_the_matrix_draws_one_page_of_councils_and_says_which():
    from ui.web.judgements import judgements_html
    from ui.web.paging import PAGE_COUNCILS

    rows = [judgement(council=f"Council {n:04}", short_name=f"C{n:04}", start=n, end=n + 5) for n in range(260)]
    html, marks, page, line = judgements_html(rows, 260)
    assert PAGE_COUNCILS == 25 and html.count("<tr>") == 1 + 25 and len(marks) == 25 and page == 0
    assert line == "Councils 1–25 of 260 (page 1 of 11)" and "C0024" in html and "C0025" not in html
    html, marks, page, line = judgements_html(rows, 260, 10)  # the last page holds the last 10
    assert page == 10 and line == "Councils 251–260 of 260 (page 11 of 11)" and html.count("<tr>") == 1 + 10
    assert "C0259" in html and "C0249" not in html
    assert judgements_html(rows, 260, 99)[2] == 10 and judgements_html(rows, 260, "x")[2] == 0


def test_the_judgements_csv_quotes_formula_cells_as_the_ratings_csv_does():
    from ui.web import ratings
    from ui.web.judgements import judgements_csv

    row = judgement(council="=HYPERLINK(\"http://x\")", text="-1+1 is inadequate.", letter="@a.txt", count=2,
                    total=14)
    lines = judgements_csv([row]).splitlines()
    assert lines[0] == "council,year,kind,service,level,comparison,count,total,negated,word,sentence,letter,start,end"
    assert lines[1] == ("\"'=HYPERLINK(\"\"http://x\"\")\",2009,annual rating,Private fostering,inadequate,,2,14,no,"
                        "inadequate,'-1+1 is inadequate.,'@a.txt,10,42")
    assert judgements_csv.__globals__["csv_text"] is ratings.csv_text  # one quoting, shared


def test_an_answer_that_does_not_say_it_is_a_sample_gets_a_coverage_line():
    """A model's wording (serve --llm) drops the extractive text's closing sentence on coverage."""
    from qa.answer import Coverage
    from ui.web.app import more_matches
    from ui.web.render import coverage_note

    worded = SimpleNamespace(text="Private fostering in Trafford is inadequate [1].",
                             coverage=Coverage(False, 3, 2, 1))
    assert coverage_note(worded) == ("\n\n*The 2 most relevant of 3 passages that hold the question's words, in 1 "
                                     "letter: a sample, not a list of every council. “Show all” quotes every one.*")
    assert more_matches(worded) == 3
    said = SimpleNamespace(text="… in 1 letter: a sample, not a list of every council.", coverage=Coverage(False, 3, 2))
    assert coverage_note(said) == ""
    complete = SimpleNamespace(text="**1 council**", coverage=Coverage(True, 1, 1))
    assert coverage_note(complete) == "" and more_matches(complete) == 0
    unknown = SimpleNamespace(text="Quotes.", coverage=Coverage(False, None, 5))
    assert "a sample" in coverage_note(unknown) and more_matches(unknown) == 0


def test_an_index_without_judgements_says_what_to_do_in_the_tab():
    from index.errors import IndexStoreError
    from ui.service import Service
    from ui.web.app import WebApp

    reason = "the index in /x was built before judgements were read from the letters; run `letters-qa index`"

    class OldIndex:
        embedder = None

        def judgements(self, **filters):
            raise IndexStoreError(reason)

        def letters(self):
            return [SimpleNamespace(council="Trafford <b>MBC</b>", year=2009)]

    web = WebApp(Service(OldIndex(), None, embedder=object()))
    matrix, download, marks, _, _ = web.judgements_view()
    assert matrix == f'<p class="lqa-bad"><strong>Error:</strong> {reason}</p>' and marks == []
    assert download["interactive"] is False
    services, councils, years = web.judgement_choices()
    assert services["choices"] == [("All services", "")]
    assert councils["choices"] == [("All councils", ""), ("Trafford <b>MBC</b>", "Trafford <b>MBC</b>")]
