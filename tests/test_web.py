"""The web UI in a real browser: Debian's Chromium driven by Playwright.

Two servers run in background threads of this process on free 127.0.0.1 ports, both
over the real model (loaded once per session): one on the session's seeds index with
uploads off, one on a copy of the seeds and of that index, for uploads. Screenshots of
every tab and answer go to tests/screenshots/ (git-ignored).
Without /usr/bin/chromium the browser tests skip, unless CI is set: then they fail.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import free_port
from hypothesis import given, settings
from hypothesis import strategies as st

from index.errors import LetterError, LettersQAError
from index.intake import free_target, place, safe_name
from index.letters import MAX_LETTER_BYTES, parse_letter
from ui.web import esc, excerpt_html, html_table, letter_html

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SHOTS = ROOT / "tests" / "screenshots"
SEED_COUNCILS = ("Stockport Metropolitan Borough Council", "Stockton-on-Tees Borough Council",
                 "Stoke-on-Trent City Council", "Trafford Metropolitan Borough Council")
STOKE_SENTENCE = "Children's services in Stoke-on-Trent City Council perform adequately."
BOT = '#lqa-chat [data-testid="bot"]'
USER = '#lqa-chat [data-testid="user"]'
SLOW = 120_000  # ms: an upload embeds its chunks; the first open question loads nothing new


# --- servers and browser ------------------------------------------------------------------


@contextmanager
def serving(assistant, letters_dir):
    from ui.serve import launch
    from ui.service import Service

    app, url = launch(Service(assistant, letters_dir), "127.0.0.1", free_port())
    try:
        yield url
    finally:
        app.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI must run the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def seeds_url(assistant):
    with serving(assistant, None) as url:
        yield url


@pytest.fixture(scope="module")
def upload_site(tmp_path_factory, seeds_index, real_embedder):
    """A server over a copy of the seeds and of their index: uploads land in the copy."""
    from qa import Assistant

    root = tmp_path_factory.mktemp("web-uploads")
    letters, index = root / "letters", root / "index"
    shutil.copytree(SEEDS, letters)
    shutil.copytree(seeds_index, index)
    assistant = Assistant.open(index, embedder=real_embedder)
    with serving(assistant, letters) as url:
        yield SimpleNamespace(url=url, letters=letters, index=index)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


@pytest.fixture(scope="module", autouse=True)
def seeds_untouched():
    """No test may change seeds/."""
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS.iterdir()}
    yield
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in SEEDS.iterdir()} == before


# --- page helpers -------------------------------------------------------------------------


def open_app(page, url: str, tab: str | None = None) -> None:
    page.goto(url)
    page.wait_for_selector("#lqa-question textarea")
    if tab:
        page.get_by_role("tab", name=tab).click()


def ask(page, question: str):
    """Type a question, press Ask, return the new answer bubble."""
    from playwright.sync_api import expect

    bots = page.locator(BOT)
    before = bots.count()
    page.fill("#lqa-question textarea", question)
    page.click("#lqa-ask")
    expect(bots).to_have_count(before + 1, timeout=SLOW)
    expect(bots.nth(before).locator(".lqa-pending")).to_have_count(0, timeout=SLOW)  # the reply, not the echo
    return bots.nth(before)


def upload(page, files: list[dict]):
    """Choose files in the Letters tab, press "Add to the index", return the result beside the button."""
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Letters").click()
    page.set_input_files("#lqa-upload input[type=file]", files)
    for f in files:
        expect(page.locator("#lqa-upload")).to_contain_text(f["name"].rsplit(".", 1)[0])
    page.click("#lqa-add")
    expect(page.locator("#lqa-report .lqa-result")).to_be_visible(timeout=SLOW)
    return page.locator("#lqa-report")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def shot_mobile(page, name: str) -> None:
    """A screenshot at a phone's size (390x844), then back to the page's own size."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # let the layout settle
    shot(page, name)
    page.set_viewport_size(size)


def chart_parts(page) -> list[str]:
    """Each part of the Ratings chart's bars (ratings.chart_html): its title and the councils its list
    names, "2008 APA, Good (3): 1 council: Stockport Metropolitan Borough Council"."""
    from playwright.sync_api import expect

    expect(page.locator("#lqa-chart .lqa-seg").first).to_be_visible(timeout=30_000)
    return page.evaluate("""() => [...document.querySelectorAll('#lqa-chart .lqa-seg')].map((part) => {
        const list = document.getElementById(part.getAttribute('aria-controls'));
        return part.title + ': ' + [...list.querySelectorAll('li')].map((li) => li.textContent).join('; ');
    })""")


def in_view(page, selector: str) -> bool:
    """Whether the element is inside its scrolling box and the window."""
    return page.evaluate("""(sel) => {
        const el = document.querySelector(sel); if (!el) return false;
        const r = el.getBoundingClientRect();
        let box = el.parentElement;
        while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowY)) box = box.parentElement;
        const b = box ? box.getBoundingClientRect() : {top: 0, bottom: innerHeight};
        return r.top >= Math.max(b.top, 0) - 1 && r.bottom <= Math.min(b.bottom, innerHeight) + 1;
    }""", selector)


PHONE = {"width": 390, "height": 844}

# For each cell of a table: its text, the width that text needs and the width the cell gives it
# (px; a cell that wraps its text needs no more than it has).
CELL_FITS = """(sel) => [...document.querySelectorAll(sel)].map((cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT,
                                             {acceptNode: (n) => n.textContent.trim() ? 1 : 3});
    const text = walker.nextNode();
    if (!text) return [cell.innerText, 0, 0];
    const range = document.createRange();
    range.selectNodeContents(text);
    const style = getComputedStyle(cell);
    const room = cell.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return [text.textContent.trim(), range.getBoundingClientRect().width, room];
})"""


def unfitting(page, selector: str) -> list:
    """The cells matching `selector` whose text is wider than the cell: cut or hidden."""
    return [cell for cell in page.evaluate(CELL_FITS, selector) if cell[1] > cell[2] + 1]


def box(page, selector: str) -> dict:
    """An element's box in page coordinates (the window's scroll added)."""
    found = page.locator(selector).first.bounding_box()
    scroll = page.evaluate("[scrollX, scrollY]")
    return {**found, "x": found["x"] + scroll[0], "y": found["y"] + scroll[1]}


def text_file(name: str, text: str) -> dict:
    return {"name": name, "mimeType": "text/plain", "buffer": text.encode("utf-8")}


def seed_variant(council: str, rating: str, grade: int, body: str) -> str:
    """Seed 004 (Stoke-on-Trent, "perform adequately") as another council with another rating."""
    text = (SEEDS / "004_2db2c4d829b3adf3.txt").read_text(encoding="utf-8")
    changed = (text.replace("Stoke-on-Trent", council)
               .replace("perform adequately", f"perform {rating}")
               .replace("Performs adequately (2)", f"Performs {rating} ({grade})")
               .replace("The quality of early years provision is good and better than that in similar authorities.",
                        body))
    assert changed.count(council) >= 2 and body in changed
    return changed


def letter_names(page) -> set[str]:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Letters").click()
    # The table is filled by the page's load event: wait for it rather than read it empty.
    expect(page.locator("#lqa-letters")).to_contain_text(".txt", timeout=30_000)
    cells = page.locator("#lqa-letters").inner_text()
    return {word for word in cells.split() if word.endswith((".txt", ".md"))}


# --- the Ask tab ------------------------------------------------------------------------


def test_ask_lists_exactly_the_adequate_council_with_its_sentence(page, seeds_url):
    open_app(page, seeds_url)
    bubble = ask(page, "Which councils perform adequately?")
    answer = bubble.inner_text()
    assert "Stoke-on-Trent City Council" in answer
    for other in ("Stockport", "Stockton-on-Tees", "Trafford"):
        assert other not in answer
    sources = page.locator("#lqa-sources")
    assert sources.locator("mark").inner_text() == STOKE_SENTENCE
    assert "Stoke-on-Trent 2009 - Children's services rating 2009" in sources.inner_text()
    assert "004_2db2c4d829b3adf3.txt" in sources.inner_text()
    # The rating used, beside the sentence it was read from (one list of sources: no "Ratings used").
    assert sources.locator(".lqa-rated").inner_text() == \
        "Stoke-on-Trent City Council: Performs adequately (2) · Overall effectiveness · 2009 annual rating"
    assert page.dialogs == []
    shot(page, "ask")


def test_follow_up_keeps_the_context_and_clear_resets(page, seeds_url):
    open_app(page, seeds_url)
    page.get_by_role("button", name="Which councils perform adequately?").click()  # an example question
    page.wait_for_selector(BOT)
    answer = ask(page, "And Trafford?").inner_text()
    assert "Trafford Metropolitan Borough Council" in answer and "Performs well" in answer
    assert "Stoke-on-Trent" not in answer
    assert "Trafford 2009" in page.locator("#lqa-sources").inner_text()
    shot(page, "ask-follow-up")

    page.locator(BOT).first.click()  # an earlier answer shows its own sources again
    page.wait_for_function("document.querySelector('#lqa-sources').innerText.includes('Stoke-on-Trent 2009')")

    page.click("#lqa-clear")
    page.wait_for_function(f"document.querySelectorAll('{BOT}').length === 0")
    assert "Ask a question" in page.locator("#lqa-sources").inner_text()
    answer = ask(page, "And Trafford?").inner_text()  # no context left: a plain lookup
    assert "Trafford" in answer and "Performs adequately" not in answer


def test_open_question_highlights_the_quoted_sentence(page, seeds_url):
    open_app(page, seeds_url)
    answer = ask(page, "What did Ofsted say about private fostering in Trafford?").inner_text()
    assert "private fostering" in answer
    marks = page.locator("#lqa-sources mark").all_inner_texts()
    assert marks and all("private fostering" in m or "fostering" in m for m in marks[:1])
    shot(page, "ask-open-question")


def test_the_questions_people_ask_answer_in_the_browser(page, seeds_url):
    """Superlatives, letter facts, summaries and weaknesses, asked as a user would, each cited."""
    open_app(page, seeds_url)
    bottom = ask(page, "Which council came bottom?").inner_text()
    assert "Stoke-on-Trent City Council" in bottom and "Trafford" not in bottom
    signed = ask(page, "Who wrote to Stockton-on-Tees?").inner_text()
    assert "Juliet Winstanley" in signed and page.locator(BOT).nth(1).locator(".lqa-chip").all_inner_texts() == ["1"]
    badly = ask(page, "What is going badly in Stockport?").inner_text()
    assert "Rates of Chlamydia" in badly and "The fostering service is outstanding." not in badly
    overview = ask(page, "Give me an overview of Stockport's 2009 letter").inner_text()
    assert "Performs well (3)" in overview and "Areas for development" in overview
    assert page.locator("#lqa-sources mark").count() > 0
    shot(page, "ask-new-intents")


def test_the_question_echoes_at_once_with_a_pending_reply(page, seeds_url):
    from playwright.sync_api import expect

    open_app(page, seeds_url)
    # Record whether the question was drawn before any answer was (the bot's turn absent or
    # pending), and whether a pending reply was ever drawn (the answer may replace it within
    # milliseconds). Not a wall-clock bound: under load (CI, 2 cores) the echo once took 1.5 s.
    page.evaluate("""() => { window.lqaPending = false; window.lqaEchoFirst = false;
        new MutationObserver(() => {
            const bot = document.querySelector('#lqa-chat [data-testid="bot"]');
            if (bot && bot.querySelector('.lqa-pending')) window.lqaPending = true;
            if (document.querySelector('#lqa-chat [data-testid="user"]') && (!bot || bot.querySelector('.lqa-pending')))
                window.lqaEchoFirst = true;
        }).observe(document.body, {childList: true, subtree: true}); }""")
    question = "What did Ofsted say about private fostering in Trafford?"
    page.fill("#lqa-question textarea", question)
    page.press("#lqa-question textarea", "Enter")
    expect(page.locator(USER)).to_have_text(question, timeout=SLOW)
    assert page.locator("#lqa-question textarea").input_value() == ""
    expect(page.locator(BOT).locator(".lqa-pending")).to_have_count(0, timeout=SLOW)
    assert page.evaluate("window.lqaEchoFirst") is True
    assert page.evaluate("window.lqaPending") is True
    expect(page.locator(BOT)).to_contain_text("private fostering")
    expect(page.locator("#lqa-sources .lqa-for")).to_contain_text(f"Sources of: {question}")


def test_a_citation_chip_highlights_its_excerpt_and_opens_the_letter_there(page, seeds_url, assistant):
    from playwright.sync_api import expect

    question = "Which councils perform well?"
    citations = assistant.ask(question).citations
    assert len(citations) == 3
    open_app(page, seeds_url)
    bubble = ask(page, question)
    chips = bubble.locator(".lqa-chip")
    assert chips.all_inner_texts() == ["1", "2", "3"]
    # One list of sources, in the panel: none in the bubble.
    assert "Sources" not in bubble.inner_text() and ".txt" not in bubble.inner_text()
    titles = page.locator("#lqa-sources .lqa-cite-title").all_inner_texts()
    assert titles == [f"{n} {c.title}" for n, c in enumerate(citations, 1)]
    assert titles[1] == "2 Stockton-on-Tees 2009 - Children's services rating 2009"

    chips.nth(1).hover()
    hovered = page.locator("#lqa-sources .lqa-cite.lqa-hover")
    expect(hovered).to_have_count(1)
    assert hovered.get_attribute("data-n") == "2"
    assert hovered.locator("mark").inner_text() == citations[1].text
    assert page.locator(f"{BOT}[data-lqa-selected]").count() == 1  # the answer shown in the panel is marked
    shot(page, "ask-chip-hover")
    shot_mobile(page, "ask-mobile")

    chips.nth(1).click()
    target = page.locator("#lqa-letter-text mark.lqa-target")
    expect(target).to_have_text(citations[1].text)
    assert citations[1].text == "Children's services in Stockton-on-Tees Borough Council perform well."
    expect(page.get_by_role("tab", name="Letters")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#lqa-letter-choice input")).to_have_value(re.compile(re.escape(citations[1].letter) + "$"))
    expect(page.locator("#lqa-letter-text")).to_contain_text("Stockton-on-Tees Borough Council")
    page.wait_for_function("(sel) => { const r = document.querySelector(sel).getBoundingClientRect(); "
                           "return r.top >= 0 && r.bottom <= innerHeight; }", arg="#lqa-letter-text mark.lqa-target")
    assert in_view(page, "#lqa-letter-text mark.lqa-target")
    expect(page.locator("#lqa-letter-file")).to_contain_text(f"Download {citations[1].letter}")
    shot(page, "letters-opened-from-chip")
    shot_mobile(page, "letters-mobile")

    # The panel's own button opens excerpt 3 the same way.
    page.get_by_role("tab", name="Ask").click()
    page.locator('#lqa-sources .lqa-cite[data-n="3"] .lqa-open').click()
    expect(target).to_have_text(citations[2].text)
    expect(page.locator("#lqa-letter-choice input")).to_have_value(re.compile(re.escape(citations[2].letter) + "$"))


def test_copy_as_markdown_gives_the_answer_with_its_sources(browser, seeds_url, assistant):
    from ui.web.render import answer_markdown

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        open_app(page, seeds_url)
        ask(page, "Which councils perform adequately?")
        page.locator("#lqa-sources .lqa-copy").click()
        page.wait_for_function("document.querySelector('#lqa-sources .lqa-copy').innerText === 'Copied'")
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == answer_markdown(assistant.ask("Which councils perform adequately?"))
        assert copied.endswith(
            "- **Stoke-on-Trent City Council**: Performs adequately (2) [1]\n\nSources:\n"
            "[1] Stoke-on-Trent 2009 - Children's services rating 2009 (004\\_2db2c4d829b3adf3.txt, characters "
            "2278-2348): Children's services in Stoke-on-Trent City Council perform adequately.\n")
    finally:
        context.close()


def test_the_chat_follows_new_answers_unless_scrolled_up(page, seeds_url):
    from playwright.sync_api import expect

    scroller = "#lqa-chat .bubble-wrap"
    open_app(page, seeds_url)
    for question in ("Which councils perform well?", "What rating did Trafford get?",
                     "Who wrote to Stockton-on-Tees?"):
        ask(page, question)
        expect(page.locator(BOT).last).to_be_in_viewport()
    assert page.evaluate(f"(e => e.scrollHeight > e.clientHeight)(document.querySelector('{scroller}'))")
    expect(page.locator("#lqa-new-answer")).to_have_count(0)
    assert page.locator(BOT).nth(2).get_attribute("data-lqa-selected") is not None

    # The page brings a new answer into view twice (next frame, then 250 ms later); a scroll-up before
    # it settles was undone by it once in CI. The user scrolls up once the chat has stopped moving:
    # two looks 300 ms apart that find it at the same place.
    page.wait_for_function(f"""() => {{ const top = document.querySelector('{scroller}').scrollTop;
        const same = window.lqaTop === top; window.lqaTop = top; return same; }}""", polling=300)
    page.evaluate(f"document.querySelector('{scroller}').scrollTo(0, 0)")  # the user scrolls up
    page.wait_for_timeout(200)
    ask(page, "Which councils perform adequately?")
    marker = page.locator("#lqa-new-answer")
    expect(marker).to_be_visible()
    expect(marker).to_have_text("New answer below")
    assert page.evaluate(f"document.querySelector('{scroller}').scrollTop") == 0  # left where the user was
    assert page.locator(BOT).nth(3).get_attribute("data-lqa-selected") is not None  # the new one is marked
    shot(page, "ask-new-answer-marker")
    marker.click()
    expect(marker).to_be_hidden()
    expect(page.locator(BOT).last).to_be_in_viewport()

    page.locator(BOT).first.click(position={"x": 8, "y": 8})  # choosing an earlier answer moves the mark
    expect(page.locator(BOT).first).to_have_attribute("data-lqa-selected", "")
    expect(page.locator(f"{BOT}[data-lqa-selected]")).to_have_count(1)
    expect(page.locator("#lqa-sources .lqa-for")).to_contain_text("Sources of: Which councils perform well?")


def test_on_a_phone_the_sources_follow_the_answer(browser, seeds_url):
    """At 390x844 the columns stack as chat, question box, sources, then the examples:
    the first excerpt lies a short scroll below its answer (it was ~700-1,000 px, under the examples)."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        open_app(page, seeds_url)
        bubble = ask(page, "Which councils perform well?")
        expect(page.locator("#lqa-sources .lqa-cite")).to_have_count(3)
        answer, first = box(page, BOT), box(page, "#lqa-sources .lqa-cite")
        gap = first["y"] - (answer["y"] + answer["height"])
        assert 0 < gap < 350, gap
        order = [box(page, sel)["y"] for sel in ("#lqa-chat", "#lqa-ask-input", "#lqa-sources", "#lqa-examples",
                                                 "#lqa-clear")]
        assert order == sorted(order)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways page
        # Each card's rating, beside its sentence, whole within the screen.
        rated = page.locator("#lqa-sources .lqa-rated")
        expect(rated).to_have_count(3)
        assert all(r["x"] >= 0 and r["x"] + r["width"] <= PHONE["width"] for r in
                   (rated.nth(i).bounding_box() for i in range(3)))
        bubble.scroll_into_view_if_needed()
        shot(page, "ask-mobile-sources")
        expect(page.locator("#lqa-examples")).to_contain_text("Which councils perform adequately?")

        page.set_viewport_size({"width": 1400, "height": 900})  # a wide window keeps the two columns
        page.wait_for_timeout(300)
        chat, sources = box(page, "#lqa-chat"), box(page, "#lqa-sources")
        assert sources["x"] >= chat["x"] + chat["width"] and sources["y"] < chat["y"] + chat["height"]
    finally:
        context.close()


def test_a_negative_answer_cites_the_ratings_it_lists(page, seeds_url):
    from playwright.sync_api import expect

    open_app(page, seeds_url)
    bubble = ask(page, "Which councils perform poorly?")
    expect(bubble).to_contain_text("No council in the index is rated")
    expect(bubble).to_contain_text("The ratings that do exist:")
    shot(page, "ask-negative-answer")
    expect(bubble.locator(".lqa-chip")).to_have_count(4, timeout=2_000)  # one per council listed
    expect(page.locator("#lqa-sources")).to_contain_text("Stoke-on-Trent City Council: Performs adequately (2)",
                                                        timeout=2_000)


# --- uploads ------------------------------------------------------------------------------


def test_uploaded_letter_is_answerable_at_once(page, upload_site):
    from playwright.sync_api import expect

    open_app(page, upload_site.url)
    letter = seed_variant("Northwold", "excellently", 4,
                          "Northwold's youth service won a national award for its work with young carers.")
    report = upload(page, [text_file("northwold letter.txt", letter)]).inner_text()
    assert "Added 1 letter: Northwold 2009 (performs excellently, northwold_letter.txt)." in report
    assert "The index now holds " in report and "Skipped" not in report
    assert (upload_site.letters / "northwold_letter.txt").read_text(encoding="utf-8") == letter
    expect(page.locator("#lqa-letters")).to_contain_text("Northwold City Council")  # refreshed after the report
    shot(page, "letters-upload")

    page.get_by_role("tab", name="Ask").click()
    answer = ask(page, "Which councils perform excellently?").inner_text()
    assert "Northwold City Council" in answer
    assert "Children's services in Northwold City Council perform excellently." in page.locator(
        "#lqa-sources").inner_text()
    answer = ask(page, "What did Ofsted say about the youth service in Northwold?").inner_text()
    assert "national award" in answer
    shot(page, "ask-uploaded-letter")


def test_every_open_page_shows_an_uploaded_letter_without_a_reload(browser, page, upload_site):
    from playwright.sync_api import expect

    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        open_app(other, upload_site.url, tab="Letters")
        expect(other.locator("#lqa-letters")).to_contain_text(".txt", timeout=30_000)
        assert "Riverton" not in other.locator("#lqa-letters").inner_text()
        open_app(page, upload_site.url)
        letter = seed_variant("Riverton", "excellently", 4, "Riverton's parks hosted a festival for young carers.")
        report = upload(page, [text_file("riverton.txt", letter)])
        expect(report).to_contain_text("Added 1 letter: Riverton 2009 (performs excellently, riverton.txt).")
        # The other page, untouched, catches up within a few polls.
        expect(other.locator("#lqa-letters")).to_contain_text("Riverton City Council", timeout=20_000)
        other.get_by_role("tab", name="Ratings").click()
        expect(other.locator("#lqa-ratings")).to_contain_text("Riverton City Council")
        other.locator("#lqa-f-council input").click()
        expect(other.get_by_role("option", name="Riverton City Council")).to_be_visible()
        other.keyboard.press("Escape")
        shot(other, "ratings-after-upload-elsewhere")
    finally:
        other.context.close()


def test_the_open_tabs_csv_download_follows_a_letter_added_elsewhere(browser, upload_site, real_embedder):
    """A page left on the Ratings tab, and one on the Judgements tab, when the index changes (here the
    library call `letters-qa add` makes): the tab's table is redrawn and its "Download as CSV" stays
    ready, holding the new letter's rows, without leaving the tab."""
    from playwright.sync_api import expect

    from index.intake import add_letters

    pages = [browser.new_context(viewport={"width": 1400, "height": 900}).new_page() for _ in range(2)]
    ratings, judgements = pages
    try:
        open_app(ratings, upload_site.url, tab="Ratings")
        open_app(judgements, upload_site.url, tab="Judgements")
        ready = re.compile(r"Download these ([\d,]+) rows as CSV")
        counts = []
        for page, button in ((ratings, "#lqa-ratings-csv"), (judgements, "#lqa-judgements-csv")):
            expect(page.locator(button)).to_have_text(ready)
            counts.append(int(ready.fullmatch(page.locator(button).inner_text().strip())[1].replace(",", "")))
        sentence = "Private fostering arrangements in Westmere are inadequate."
        source = upload_site.letters.parent / "westmere.txt"
        source.write_text(seed_variant("Westmere", "well", 3, sentence), encoding="utf-8")
        add_letters([(source, "westmere.txt")], upload_site.letters, upload_site.index, embedder=real_embedder)
        expect(ratings.locator("#lqa-ratings")).to_contain_text("Westmere City Council", timeout=20_000)
        expect(judgements.locator("#lqa-judgements")).to_contain_text("Westmere", timeout=20_000)
        for page, button, count, name in ((ratings, "#lqa-ratings-csv", counts[0] + 1, "ratings.csv"),
                                          (judgements, "#lqa-judgements-csv", None, "judgements.csv")):
            csv_button = page.locator(button)
            expect(csv_button).to_have_text(ready)
            expect(csv_button).to_be_enabled()
            shown = int(ready.fullmatch(csv_button.inner_text().strip())[1].replace(",", ""))
            assert shown == count if count else shown > counts[1]
            with page.expect_download() as info:
                csv_button.click()
            assert info.value.suggested_filename == name
            assert "Westmere City Council" in Path(info.value.path()).read_text(encoding="utf-8")
    finally:
        for page in pages:
            page.context.close()


SCRIPT_PARAGRAPH = (
    "Southmere's website for care leavers showed <script>alert(1)</script> and "
    "<img src=x onerror=alert(1)> instead of its guidance for young people leaving care.\n\n"
    # Tags broken over lines survive the letter clean-up, so they reach the page as text.
    "Its portal printed <img src=x\nonerror=alert(2)> and <script\n>alert(3)</script\n> to foster carers."
)


def test_markup_in_a_letter_or_a_question_shows_as_text(page, upload_site):
    open_app(page, upload_site.url)
    letter = seed_variant("Southmere", "poorly", 1, SCRIPT_PARAGRAPH)
    report = upload(page, [text_file("southmere.txt", letter)])
    assert "Added 1 letter: Southmere 2009 (performs poorly, southmere.txt)." in report.inner_text()

    page.locator("#lqa-letter-choice input").click()
    page.get_by_role("option", name="Southmere 2009 (annual rating) - southmere.txt").click()
    shown = page.locator("#lqa-letter-text")
    from playwright.sync_api import expect

    expect(shown).to_contain_text("Southmere's website for care leavers showed alert(1)")
    expect(shown).to_contain_text("<img src=x")
    expect(shown).to_contain_text("onerror=alert(2)>")
    expect(shown).to_contain_text("<script")
    shot(page, "letters-markup-letter")

    page.get_by_role("tab", name="Ask").click()
    ask(page, "What did Ofsted say about the website for care leavers in Southmere? "
              "<script>alert(1)</script> <img src=x onerror=alert(1)>")
    expect(page.locator(USER).last).to_contain_text("<script>alert(1)</script> <img src=x onerror=alert(1)>")
    expect(page.locator("#lqa-sources")).to_contain_text("website for care leavers")
    page.wait_for_timeout(500)  # time for any injected handler to fire
    assert page.dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert page.evaluate("[...document.scripts].some(s => s.textContent.includes('alert('))") is False
    shot(page, "ask-markup-question")


def test_binary_and_non_letter_files_are_rejected_with_reasons(page, upload_site):
    open_app(page, upload_site.url)
    before = letter_names(page)
    generation = (upload_site.index / "manifest.json").read_text()
    big = seed_variant("Bigtown", "well", 3, "Bigtown is large.") + "\n" + "x" * MAX_LETTER_BYTES
    report = upload(page, [
        {"name": "scan.txt", "mimeType": "text/plain", "buffer": bytes(range(256)) * 40},
        text_file("hello.txt", "hello world\n"),
        text_file("big.txt", big),
    ]).inner_text()
    assert "Skipped 3: scan.txt: binary file (contains NUL bytes), not a text letter; hello.txt: " in report
    with pytest.raises(LetterError) as refused:
        parse_letter(b"hello world\n", "hello.txt")
    assert f"hello.txt: {refused.value.reason}; big.txt: file is too large (" in report
    assert "Added" not in report and "The index now holds" not in report
    assert {p.name for p in upload_site.letters.iterdir()}.isdisjoint({"scan.txt", "hello.txt", "big.txt"})
    assert (upload_site.index / "manifest.json").read_text() == generation
    shot(page, "letters-rejected")
    page.reload()
    page.wait_for_selector("#lqa-question textarea")
    assert letter_names(page) == before >= {p.name for p in SEEDS.iterdir()}


# --- the Ratings tab ----------------------------------------------------------------------


def test_ratings_tab_shows_every_seed_council_and_filters(page, seeds_url):
    from playwright.sync_api import expect

    open_app(page, seeds_url, tab="Ratings")
    table = page.locator("#lqa-ratings")
    for council in SEED_COUNCILS:
        expect(table).to_contain_text(council)
    expect(page.locator("#lqa-chart")).to_contain_text("2009 annual rating")
    grid = page.locator("#lqa-apa-grid")
    expect(grid).to_contain_text("Stockport Metropolitan Borough Council")
    expect(grid).to_contain_text("Capacity to improve")
    shot(page, "ratings")

    page.locator("#lqa-f-council input").click()
    page.get_by_role("option", name="Trafford Metropolitan Borough Council").click()
    expect(table).not_to_contain_text("Stockport")
    expect(table).to_contain_text("Trafford Metropolitan Borough Council")
    expect(grid).to_contain_text("No APA letters match the filters")


PALETTE = {4: "rgb(143, 209, 158)", 3: "rgb(207, 231, 154)", 2: "rgb(247, 215, 116)", 1: "rgb(241, 154, 143)"}


def test_the_ratings_chart_names_councils_and_filters_by_year_and_kind(page, seeds_url):
    from playwright.sync_api import expect

    from ui.web.style import GRADE_COLOURS

    assert {g: "rgb({}, {}, {})".format(*bytes.fromhex(c[1:])) for g, c in GRADE_COLOURS.items()} == PALETTE
    open_app(page, seeds_url, tab="Ratings")
    assert chart_parts(page) == [
        "2009 annual rating, Performs well (3): 3 councils: Stockport Metropolitan Borough Council; "
        "Stockton-on-Tees Borough Council; Trafford Metropolitan Borough Council",
        "2009 annual rating, Performs adequately (2): 1 council: Stoke-on-Trent City Council",
        "2008 APA, Good (3): 1 council: Stockport Metropolitan Borough Council",
    ]
    # The bars, the table and the APA grid share one palette.
    fills = page.locator("#lqa-chart .lqa-seg").evaluate_all("ps => ps.map(p => getComputedStyle(p).backgroundColor)")
    assert set(fills) == {PALETTE[3], PALETTE[2]}
    background = "cell => getComputedStyle(cell).backgroundColor"
    adequate = page.locator("#lqa-ratings .body-cell", has_text="Performs adequately")
    expect(adequate).to_have_count(1)
    assert adequate.evaluate(background) == PALETTE[2]
    outstanding = page.locator("#lqa-ratings .body-cell", has_text="Outstanding")
    assert outstanding.evaluate_all(f"cells => cells.map({background})") == [PALETTE[4]] * 3
    assert page.locator("#lqa-apa-grid td.lqa-g4").first.evaluate(background) == PALETTE[4]
    shot(page, "ratings-chart")
    shot_mobile(page, "ratings-mobile")

    page.locator("#lqa-f-kind input").click()
    page.get_by_role("option", name="APA (2006-2008)").click()
    expect(page.locator("#lqa-ratings")).not_to_contain_text("annual rating")
    assert chart_parts(page) == ["2008 APA, Good (3): 1 council: Stockport Metropolitan Borough Council"]
    page.locator("#lqa-f-kind input").click()
    page.get_by_role("option", name="All kinds").click()
    page.locator("#lqa-f-year input").click()
    page.get_by_role("option", name="2009", exact=True).click()
    expect(page.locator("#lqa-ratings")).not_to_contain_text("APA")
    assert len(chart_parts(page)) == 2


def test_the_filtered_ratings_download_as_csv(page, seeds_url):
    from playwright.sync_api import expect

    open_app(page, seeds_url, tab="Ratings")
    page.locator("#lqa-f-council input").click()
    page.get_by_role("option", name="Stockport Metropolitan Borough Council").click()
    page.locator("#lqa-f-grade input").click()
    page.get_by_role("option", name="4: Performs excellently / Outstanding", exact=False).click()
    button = page.locator("#lqa-ratings-csv")
    expect(button).to_have_text("Download these 3 rows as CSV")
    with page.expect_download() as info:
        button.click()
    assert info.value.suggested_filename == "ratings.csv"
    assert Path(info.value.path()).read_text(encoding="utf-8") == (
        "council,year,kind,area,label,grade,letter\n"
        "Stockport Metropolitan Borough Council,2008,APA,Staying safe,Outstanding,4,001_e96dc17fe53b9130.txt\n"
        "Stockport Metropolitan Borough Council,2008,APA,Making a positive contribution,Outstanding,4,"
        "001_e96dc17fe53b9130.txt\n"
        "Stockport Metropolitan Borough Council,2008,APA,Capacity to improve,Outstanding,4,001_e96dc17fe53b9130.txt\n"
    )


def test_on_a_phone_the_ratings_table_scrolls_with_every_column_whole(browser, seeds_url):
    """At 390 px no column is narrower than its header or its values; the year and grade stand
    beside the council, and the table scrolls sideways under the council column."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        open_app(page, seeds_url, tab="Ratings")
        table = page.locator("#lqa-ratings")
        expect(table).to_contain_text("Trafford Metropolitan Borough Council")
        expect(table.locator('.body-cell[data-col="0"]')).not_to_have_count(0)
        headers = table.locator("th.header-cell")
        order = sorted(headers.all(), key=lambda th: th.bounding_box()["x"])
        assert [" ".join(th.inner_text().split()).rstrip(" ⋮") for th in order] == [
            "council", "year", "grade", "label", "kind", "area", "letter"]
        assert unfitting(page, "#lqa-ratings th.header-cell") == []
        assert unfitting(page, "#lqa-ratings .body-cell") == []
        view = table.locator(".virtual-table-viewport")
        right = view.bounding_box()["x"] + view.bounding_box()["width"]
        first_row = {int(c.get_attribute("data-col")): c.bounding_box() for c in
                     table.locator('.body-cell[data-row="0"]').all()}
        assert first_row[1]["x"] + first_row[1]["width"] <= right  # the year, in view
        assert first_row[5]["x"] + first_row[5]["width"] <= right  # the grade, in view
        assert first_row[1]["width"] >= 60 and first_row[5]["width"] >= 60
        shot(page, "ratings-mobile")

        council_x = first_row[0]["x"]
        view.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        assert view.evaluate("el => el.scrollLeft") > 300
        letter = table.locator('.body-cell[data-row="0"][data-col="6"]').bounding_box()
        assert letter["x"] + letter["width"] <= right + 1  # the last column, scrolled into view
        assert abs(table.locator('.body-cell[data-row="0"][data-col="0"]').bounding_box()["x"] - council_x) <= 1
        assert abs(table.locator('th[data-heading="0"]').bounding_box()["x"] - council_x) <= 1
        page.locator("#lqa-ratings").screenshot(path=str(SHOTS / "ratings-mobile-scrolled.png"))
        # The APA grid, likewise: every cell whole, scrolling sideways.
        assert unfitting(page, "#lqa-apa-grid th:not(:first-child), #lqa-apa-grid td:not(:first-child)") == []
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_a_councils_page_shows_its_letters_and_grades_and_opens_them(page, seeds_url, assistant):
    """A council's name in the table opens its page: every letter, oldest first, each grade
    colour-coded; a row's letter opens in the reader at the rating's sentence."""
    from playwright.sync_api import expect

    from ui.web.ratings import council_rows

    stockport = "Stockport Metropolitan Borough Council"
    rows = council_rows(assistant.letters(), assistant.ratings(), stockport)
    assert [(info.year, row.area) for info, row in rows][:2] == [(2008, "overall"), (2008, "being_healthy")]
    open_app(page, seeds_url, tab="Ratings")
    council = page.locator("#lqa-council")
    expect(council).to_contain_text("Choose a council above, or click a council's name in the table")
    page.locator('#lqa-ratings .body-cell[data-col="0"]', has_text=stockport).first.click()
    expect(page.locator("#lqa-f-council input")).to_have_value(stockport)
    expect(council.locator(".lqa-cite-title")).to_have_text(stockport)
    expect(council.locator(".lqa-meta")).to_contain_text("2 letters, 2008–2009")
    steps = council.locator(".lqa-step")
    assert steps.all_inner_texts() == ["2008 APA: Good (3)", "2009 annual rating: Performs well (3)"]
    assert [s.evaluate("e => getComputedStyle(e).backgroundColor") for s in steps.all()] == [PALETTE[3]] * 2
    lines = [" | ".join(c.strip() for c in r.split("\t")) for r in council.locator("tbody tr").all_inner_texts()]
    assert len(lines) == len(rows) == 8
    assert lines[0] == "2008 | 3 | Good | Overall effectiveness | APA | 001_e96dc17fe53b9130.txt"
    safe = lines.index("2008 | 4 | Outstanding | Staying safe | APA | 001_e96dc17fe53b9130.txt")
    assert lines[1] == "2008 | 3 | Good | Being healthy | APA | 001_e96dc17fe53b9130.txt"
    assert lines[-1] == "2009 | 3 | Performs well | Overall effectiveness | annual rating | 000_be5145f8e9499e13.txt"
    staying_safe = council.locator("tbody tr").nth(safe)
    assert staying_safe.locator("td.lqa-g4").count() == 2  # the label and the grade in the grade's colour
    assert staying_safe.locator("td.lqa-g4").first.evaluate("e => getComputedStyle(e).backgroundColor") == PALETTE[4]
    expect(page.locator("#lqa-ratings")).not_to_contain_text("Trafford")  # the table follows the council
    shot(page, "ratings-council-page")
    page.set_viewport_size(PHONE)  # on a phone: the year and grade in view, each cell whole
    page.wait_for_timeout(300)
    grade = council.locator("tbody tr").first.locator("td").nth(1).bounding_box()
    scroller = council.locator(".lqa-scroll").bounding_box()
    assert grade["x"] + grade["width"] <= scroller["x"] + scroller["width"]
    assert unfitting(page, "#lqa-council th, #lqa-council td") == []
    shot(page, "ratings-council-page-mobile")
    page.set_viewport_size({"width": 1400, "height": 900})

    council.locator("tbody tr").last.locator(".lqa-read").click()
    expect(page.get_by_role("tab", name="Letters")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#lqa-letter-choice input")).to_have_value(re.compile(r"000_be5145f8e9499e13\.txt$"))
    expect(page.locator("#lqa-letter-text mark.lqa-target")).to_have_text(rows[-1][1].text)
    assert rows[-1][1].text == "Children's services in Stockport Metropolitan Borough Council perform well."
    expect(page.locator("#lqa-letter-file")).to_contain_text("Download 000_be5145f8e9499e13.txt")
    shot(page, "letters-from-council-page")

    page.get_by_role("tab", name="Ratings").click()  # another council through the filter
    page.locator("#lqa-f-council input").click()
    page.get_by_role("option", name="Trafford Metropolitan Borough Council").click()
    expect(council.locator(".lqa-cite-title")).to_have_text("Trafford Metropolitan Borough Council")
    expect(council.locator("tbody tr")).to_have_count(1)
    council.locator(".lqa-read").click()
    expect(page.locator("#lqa-letter-text mark.lqa-target")).to_have_text(
        "Children's services in Trafford Metropolitan Borough Council perform well.")
    page.get_by_role("tab", name="Ratings").click()
    page.locator("#lqa-f-council input").click()
    page.get_by_role("option", name="All councils").click()
    expect(council).to_contain_text("Choose a council above")


def test_council_page_html_escapes_and_lists_ungraded_letters():
    from ui.web.ratings import council_html, council_rows

    nasty = "Evil <img src=x onerror=alert(1)> & <script>alert(2)</script> Council"
    letter = SimpleNamespace(name="<b>a</b>.txt", council=nasty, year=2009, kind="annual_rating")
    ungraded = SimpleNamespace(name="b.txt", council=nasty, year=2007, kind="no-such-kind")
    other = SimpleNamespace(name="c.txt", council="Elsewhere", year=2009, kind="annual_rating")
    rating = SimpleNamespace(council=nasty, year=2009, kind="annual_rating", area="overall",
                             label="<i>Performs</i> well", grade=3, letter="<b>a</b>.txt", start=5, end=9)
    rows = council_rows([letter, ungraded, other], [rating], nasty)
    assert rows == [(ungraded, None), (letter, rating)]  # oldest first; the ungraded letter listed too
    html = council_html(nasty, rows)
    assert "<img" not in html and "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "Evil &lt;img src=x onerror=alert(1)&gt; &amp; &lt;script&gt;" in html
    assert '<td class="lqa-empty">no grade</td>' in html and "no overall grade" in html
    assert 'class="lqa-read" data-i="0"' in html and 'class="lqa-read" data-i="1"' in html
    assert '<td class="lqa-g3 lqa-num-cell">3</td><td class="lqa-g3">&lt;i&gt;Performs&lt;/i&gt; well</td>' in html
    assert council_html(nasty, []) == f'<p class="lqa-empty">No letters for {esc(nasty)} in the index.</p>'


def test_a_csv_cell_a_spreadsheet_would_run_is_quoted_as_text():
    from types import SimpleNamespace

    from ui.web.ratings import ratings_csv

    row = SimpleNamespace(council="=HYPERLINK(\"http://x\")", year=2009, kind="annual_rating", area="overall",
                          label="-1+1", grade=1, letter="@a.txt")
    assert ratings_csv([row]).splitlines()[1] == (
        "\"'=HYPERLINK(\"\"http://x\"\")\",2009,annual rating,Overall effectiveness,'-1+1,1,'@a.txt")


# --- the HTML builders, without a browser ------------------------------------------------------


def test_html_builders_escape_letter_text():
    nasty = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    text = f"Intro.\n\nBefore {nasty} the cited part. After.\n\nNext."
    start = text.index("the cited")
    html = excerpt_html(text, start, start + len("the cited part."), "the cited part.")
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert html.endswith("<mark>the cited part.</mark> After.")
    assert "<script>" not in html_table(["a"], [[nasty]])
    info = SimpleNamespace(council=nasty, year=2009, kind="annual_rating", date=None, name="x.txt")
    assert "<img" not in letter_html(info, nasty)


@pytest.mark.parametrize(("name", "safe"), [
    ("letter.txt", "letter.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\evil.md", "evil.md"),
    (".hidden.txt", "hidden.txt"),
    ("a b<c>&d.txt", "a_b_c__d.txt"),
    ("....txt", "letter.txt"),
    (".txt", "letter.txt"),
    ("/etc/passwd.txt", "passwd.txt"),
    ("a\x00b.txt", "a_b.txt"),
    ("lettré ✓.txt", "lettr___.txt"),
    ("\u202eevil.txt", "_evil.txt"),
    ("..", "letter"),
])
def test_safe_name(name, safe):
    assert safe_name(name) == safe


@settings(max_examples=300, deadline=None)
@given(name=st.text(min_size=0, max_size=40))
def test_any_upload_name_lands_inside_the_letters_folder(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("letters")
    placed, _ = place(b"data", folder, safe_name(name))  # as the upload handler does
    assert (folder / placed).resolve().parent == folder.resolve()
    assert sorted(p.name for p in folder.iterdir()) == [placed]


def test_place_never_overwrites_nor_leaves_the_folder(tmp_path):
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"one")
    assert place(b"one", folder, "a.txt") == ("a.txt", True)
    assert place(b"two", folder, "a.txt") == ("a-1.txt", False)
    assert (folder / "a.txt").read_bytes() == b"one" and (folder / "a-1.txt").read_bytes() == b"two"
    (folder / "b.txt").symlink_to(tmp_path / "outside.txt")  # a link out of the folder is never followed
    assert free_target(folder, "b.txt", b"three") == (folder / "b-1.txt", False)
    with pytest.raises(LettersQAError, match="not a plain file name"):
        free_target(folder, "../b.txt", b"three")
    assert not (tmp_path / "outside.txt").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["a-1.txt", "a.txt", "b.txt"]  # no temporary files left


# --- the one intake (index/intake.py) and original files ------------------------------------


def test_upload_result_shows_beside_the_button_and_the_original_downloads(page, upload_site):
    import re

    from playwright.sync_api import expect

    from index.scan import LETTER_SUFFIXES

    open_app(page, upload_site.url)
    letter = seed_variant("Eastvale", "well", 3, "Eastvale's libraries ran a reading club for children in care.")
    page.get_by_role("tab", name="Letters").click()
    accept = page.locator("#lqa-upload input[type=file]").get_attribute("accept") or ""
    assert all(suffix in accept for suffix in LETTER_SUFFIXES)  # the picker offers the letter suffixes
    # The picker refuses a file of another suffix itself (Gradio's message), and keeps the letter.
    photo = {"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"}
    page.set_input_files("#lqa-upload input[type=file]", [photo])
    expect(page.locator("[data-testid='toast-body']")).to_contain_text("photo.png")
    result = upload(page, [text_file("eastvale 2009.txt", letter)])
    expect(result).to_contain_text("Added 1 letter: Eastvale 2009 (performs well, eastvale_2009.txt).")
    button, line = page.locator("#lqa-add").bounding_box(), result.bounding_box()
    assert line["x"] >= button["x"] + button["width"] - 1  # to the right of the button, on its row
    assert line["y"] < button["y"] + button["height"] and button["y"] < line["y"] + line["height"]
    assert (upload_site.letters / "eastvale_2009.txt").read_text(encoding="utf-8") == letter

    page.locator("#lqa-letter-choice input").click()
    page.get_by_role("option", name=re.compile(r"eastvale_2009\.txt$")).click()
    download = page.locator("#lqa-letter-file")
    expect(download).to_contain_text("Download eastvale_2009.txt")
    with page.expect_download() as info:
        download.click()
    assert info.value.suggested_filename == "eastvale_2009.txt"
    assert Path(info.value.path()).read_bytes() == letter.encode("utf-8")
    shot(page, "letters-download")


def test_a_pdf_letter_uploads_answers_and_downloads_as_the_original(browser, page, upload_site):
    """A real PDF (the seed layout printed by Chromium: letterhead, tables, page footers) goes
    in through the picker, answers at once with its sentence highlighted, and downloads as sent."""
    import re

    from playwright.sync_api import expect

    from tests.documents import letter_pdfs

    letter = seed_variant("Westvale", "excellently", 4, "Westvale's youth workers ran a summer scheme in every ward.")
    [pdf] = letter_pdfs([letter], browser=browser)
    open_app(page, upload_site.url)
    page.get_by_role("tab", name="Letters").click()
    result = upload(page, [{"name": "westvale.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    expect(result).to_contain_text("Added 1 letter: Westvale 2009 (performs excellently, westvale.pdf).")
    assert (upload_site.letters / "westvale.pdf").read_bytes() == pdf

    page.get_by_role("tab", name="Ask").click()
    assert "Westvale City Council" in ask(page, "Which councils perform excellently?").inner_text()
    sentence = "Children's services in Westvale City Council perform excellently."
    assert sentence in [m.inner_text() for m in page.locator("#lqa-sources mark").all()]

    page.get_by_role("tab", name="Letters").click()
    page.locator("#lqa-letter-choice input").click()
    page.get_by_role("option", name=re.compile(r"westvale\.pdf$")).click()
    expect(page.locator("#lqa-letter-file")).to_contain_text("Download westvale.pdf")
    with page.expect_download() as info:
        page.locator("#lqa-letter-file").click()
    assert Path(info.value.path()).read_bytes() == pdf
    shot(page, "letters-pdf-upload")
