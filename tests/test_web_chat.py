"""The chat in a real browser (issue 25): long answers read from their top, nothing over the chat's
text, conversations kept in the browser, and the question box's edge inputs.

The server here runs over 120 generated letters (tools/make_corpus.py, the legacy mix: about 85
annual ratings, so "Which councils perform well in 2009?" lists about 30 councils, far taller
than the chat) indexed with the fake embedder: the answers these tests read are ratings answers,
which need no model. Browser and page helpers are test_web's; screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import test_web
from conftest import free_port
from test_web import BOT, PHONE, ROOT, SHOTS, USER, in_view, open_app

pytestmark = pytest.mark.browser

browser = test_web.browser  # one Chromium per module

LONG = "Which councils perform well in 2009?"
SHORTER = "Which councils perform adequately in 2009?"
SLOW = 60_000


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory) -> Path:
    """An index of 120 generated letters, built with the fake embedder (a few seconds)."""
    from fake_embedder import FakeEmbedder

    from index.update import update_index

    root = tmp_path_factory.mktemp("web-chat")
    letters, index = root / "letters", root / "index"
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_corpus.py"), "120", str(letters), "--seed", "5",
                    "--mix", "legacy"], check=True, capture_output=True, cwd=ROOT, timeout=120)
    update_index(letters, index, embedder=FakeEmbedder())
    return index


@contextmanager
def serving_on(index: Path, port: int):
    from fake_embedder import FakeEmbedder

    from qa import Assistant
    from ui.serve import launch
    from ui.service import Service

    app, url = launch(Service(Assistant.open(index, embedder=FakeEmbedder())), "127.0.0.1", port)
    try:
        yield url
    finally:
        app.close()


@pytest.fixture(scope="module")
def corpus_url(corpus_index):
    with serving_on(corpus_index, free_port()) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def ask(page, question: str):
    """Type a question, press Ask, wait for its answer (not the pending echo); return the bubble."""
    from playwright.sync_api import expect

    bots = page.locator(BOT)
    before = bots.count()
    page.fill("#lqa-question textarea", question)
    page.click("#lqa-ask")
    expect(bots).to_have_count(before + 1, timeout=SLOW)
    expect(bots.nth(before).locator(".lqa-pending")).to_have_count(0, timeout=SLOW)
    page.wait_for_timeout(600)  # the chat's scroll settles (the script positions it again after 250 ms)
    return bots.nth(before)


def shot(page, name: str, full: bool = False) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


# What lies over the chat's visible text: for points across the top of the scrolling message list and
# along the first line of the newest question, the topmost element there when it is not part of the
# message list (the floating "Chat" label, the chat's buttons).
COVERED = """() => {
    const wrap = document.querySelector('#lqa-chat .bubble-wrap');
    const users = document.querySelectorAll('#lqa-chat [data-testid="user"]');
    const r = wrap.getBoundingClientRect();
    const ys = [r.top + 4, r.top + 14, r.top + 24];
    if (users.length) {
        const u = users[users.length - 1].getBoundingClientRect();
        ys.push(u.top + 6, u.top + u.height / 2);
    }
    const over = [];
    for (const y of ys) for (let x = r.left + 4; x < r.right - 4; x += 12) {
        const el = document.elementFromPoint(x, y);
        if (el && !wrap.contains(el) && el !== wrap) over.push(`${el.tagName}.${el.className} at ${x},${y}`);
    }
    // Labels and buttons of the chat's own (outside the list) whose box overlaps the list's visible box;
    // the floating label takes no pointer events, so elementFromPoint alone would miss it.
    for (const el of document.querySelectorAll('#lqa-chat label, #lqa-chat button, #lqa-chat .top-panel')) {
        if (wrap.contains(el) || el.closest('.lqa-hidden')) continue;
        const b = el.getBoundingClientRect(), style = getComputedStyle(el);
        if (!b.width || !b.height || style.visibility === 'hidden' || style.display === 'none') continue;
        if (b.left < r.right && b.right > r.left && b.top < r.bottom && b.bottom > r.top)
            over.push(`${el.tagName}.${el.className} "${el.innerText.trim()}" over the messages`);
    }
    return over;
}"""


def question_and_answer_top_in_view(page) -> bool:
    """The newest question and the first line of its answer inside the chat's scroller (and the window)."""
    return page.evaluate("""() => {
        const wrap = document.querySelector('#lqa-chat .bubble-wrap').getBoundingClientRect();
        const users = document.querySelectorAll('#lqa-chat [data-testid="user"]');
        const bots = document.querySelectorAll('#lqa-chat [data-testid="bot"]');
        const u = users[users.length - 1].getBoundingClientRect(), b = bots[bots.length - 1].getBoundingClientRect();
        const top = Math.max(wrap.top, 0) - 1, bottom = Math.min(wrap.bottom, innerHeight) + 1;
        return u.top >= top && u.bottom <= bottom && b.top >= top && b.top + 30 <= bottom;
    }""")


# --- 1. Long answers open at their top ------------------------------------------------------------


def test_a_long_answer_opens_at_its_question_and_first_line(page, corpus_url):
    open_app(page, corpus_url)
    bubble = ask(page, LONG)
    assert bubble.locator(".lqa-chip").count() >= 20  # a long answer: far taller than the chat
    assert page.evaluate("(e => e.scrollHeight > 2 * e.clientHeight)(document.querySelector('#lqa-chat .bubble-wrap'))")
    assert question_and_answer_top_in_view(page)
    assert page.evaluate(COVERED) == []
    shot(page, "chat-long-answer")

    # A second long answer: its own question and first line, not the end of either answer.
    ask(page, SHORTER)
    assert question_and_answer_top_in_view(page)
    assert page.locator(USER).last.inner_text().strip() == SHORTER
    assert page.evaluate(COVERED) == []


def test_on_a_phone_a_long_answer_opens_at_its_question(phone, corpus_url):
    open_app(phone, corpus_url)
    ask(phone, LONG)
    phone.locator("#lqa-chat").scroll_into_view_if_needed()
    assert question_and_answer_top_in_view(phone)
    assert in_view(phone, '#lqa-chat [data-testid="user"]')
    assert phone.evaluate(COVERED) == []
    shot(phone, "chat-long-answer-phone")
    shot(phone, "chat-phone-full", full=True)


# --- 2. Conversations kept in the browser -----------------------------------------------------------


def wait_for_answers(page, count: int) -> None:
    from playwright.sync_api import expect

    expect(page.locator(BOT)).to_have_count(count, timeout=SLOW)
    expect(page.locator(BOT).locator(".lqa-pending")).to_have_count(0, timeout=SLOW)


def test_a_reload_keeps_the_conversation_and_its_chips_still_open_the_letters(page, corpus_url):
    from playwright.sync_api import expect

    open_app(page, corpus_url)
    ask(page, LONG)
    ask(page, SHORTER)
    page.reload()
    page.wait_for_selector("#lqa-question textarea")
    wait_for_answers(page, 2)
    assert [t.strip() for t in page.locator(USER).all_inner_texts()] == [LONG, SHORTER]
    expect(page.locator("#lqa-ask-note")).to_contain_text("Your conversation is kept in this browser")
    expect(page.locator("#lqa-sources .lqa-for")).to_contain_text(f"Sources of: {SHORTER}")
    # The server knows the restored turns: the first answer's chip 2 opens its letter there.
    page.locator(BOT).first.locator(".lqa-chip").nth(1).click()
    expect(page.locator("#lqa-letter-text mark.lqa-target")).to_contain_text("perform well")
    page.get_by_role("tab", name="Ask").click()
    ask(page, "What rating did Trafford get?")  # the conversation goes on: a third turn
    wait_for_answers(page, 3)
    page.reload()
    wait_for_answers(page, 3)


def test_after_a_server_restart_the_page_says_it_reconnected_and_keeps_the_conversation(browser, corpus_index):
    from playwright.sync_api import expect

    port = free_port()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        with serving_on(corpus_index, port) as url:
            open_app(page, url)
            ask(page, SHORTER)
        with serving_on(corpus_index, port):  # Gradio's page reloads itself once the server is back
            expect(page.locator("#lqa-ask-note")).to_contain_text("Reconnected; your conversation is kept",
                                                                  timeout=SLOW)
            wait_for_answers(page, 1)
            assert page.locator(USER).first.inner_text().strip() == SHORTER
            shot(page, "chat-reconnected")
    finally:
        context.close()


def test_new_conversation_keeps_the_old_one_in_the_list_and_exports_download(page, corpus_url):
    import json

    from playwright.sync_api import expect

    open_app(page, corpus_url)
    ask(page, SHORTER)
    with page.expect_download() as download:
        page.click("#lqa-export-md")
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert download.value.suggested_filename == "letters-qa-conversation.md"
    assert f"## 1. {SHORTER}" in markdown and "Performs adequately (2) [1]" in markdown
    assert "Sources:\n[1] " in markdown and "<span" not in markdown
    with page.expect_download() as download:
        page.click("#lqa-export-json")
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [t["question"] for t in exported["turns"]] == [SHORTER]
    assert exported["turns"][0]["citations"][0]["letter"].endswith(".txt")

    page.click("#lqa-clear")  # "New conversation"
    wait_for_answers(page, 0)
    expect(page.locator("#lqa-clear")).to_have_text("New conversation")
    earlier = page.locator("#lqa-earlier")
    expect(earlier).to_be_visible()
    page.reload()
    page.wait_for_selector("#lqa-question textarea")
    expect(earlier).to_be_visible()
    assert page.locator(BOT).count() == 0  # the new, empty conversation is the one kept
    earlier.locator("input").click()
    page.get_by_role("option", name=re.compile(re.escape(SHORTER))).click()
    wait_for_answers(page, 1)
    assert page.locator(USER).first.inner_text().strip() == SHORTER
    shot(page, "chat-earlier-conversations")


# --- 3. Edge inputs ---------------------------------------------------------------------------------


def test_a_question_over_the_limit_is_counted_and_refused_with_its_text_kept(page, corpus_url):
    from playwright.sync_api import expect

    open_app(page, corpus_url)
    box, counter = page.locator("#lqa-question textarea"), page.locator("#lqa-counter")
    note = page.locator("#lqa-ask-note")
    box.fill("Which councils perform well? " * 20)  # 580 characters: no count yet
    expect(counter).to_have_text("")
    near = "Which councils perform well in 2009? " * 25  # 925
    box.fill(near)
    expect(counter).to_have_text(f"{len(near)} / 1,000 characters")
    long = "x" * 5_000
    box.fill(long)
    expect(counter).to_have_text("5,000 / 1,000 characters: 4,000 over the limit")
    expect(counter).to_have_class(re.compile("lqa-over"))
    assert box.get_attribute("aria-invalid") == "true"
    page.click("#lqa-ask")
    expect(note).to_contain_text("Your question is 5,000 characters long; the limit is 1,000")
    expect(note).to_be_in_viewport()
    expect(counter).to_be_in_viewport()
    page.wait_for_timeout(1_000)
    assert page.locator(USER).count() == 0 and page.locator(BOT).count() == 0  # no giant bubble
    assert box.input_value() == long  # nothing cleared
    shot(page, "chat-too-long")
    # Shortened, it is asked, and the refusal goes.
    box.fill(SHORTER)
    expect(counter).to_have_text("")
    ask(page, SHORTER)
    expect(note).to_have_text("")
    assert box.input_value() == ""


def test_an_empty_send_says_so(page, corpus_url):
    from playwright.sync_api import expect

    open_app(page, corpus_url)
    page.click("#lqa-ask")
    expect(page.locator("#lqa-ask-note")).to_have_text("Type a question first.")
    page.fill("#lqa-question textarea", "   ")
    page.press("#lqa-question textarea", "Enter")
    expect(page.locator("#lqa-ask-note")).to_have_text("Type a question first.")
    assert page.locator(USER).count() == 0


@pytest.mark.parametrize(("question", "language"), [
    ("Quels conseils ont une bonne note pour le placement familial ?", "French"),
    ("Pa gynghorau sy'n perfformio'n dda?", "Welsh"),
])
def test_a_french_or_welsh_question_gets_a_note_that_the_letters_are_english(page, corpus_url, question, language):
    from playwright.sync_api import expect

    open_app(page, corpus_url)
    ask(page, question)  # still answered
    note = page.locator("#lqa-ask-note")
    expect(note).to_have_text(f"This question looks {language}: the letters and the question parser are English, "
                              "so ask in English for a reliable answer.")
    ask(page, SHORTER)
    expect(note).to_have_text("")


# --- 4. Accessibility -----------------------------------------------------------------------------


def test_the_box_chips_and_turns_have_names_and_focus_shows(page, corpus_url):
    from playwright.sync_api import expect

    open_app(page, corpus_url)
    box = page.get_by_role("textbox", name="Ask about the letters")
    expect(box).to_have_count(1)
    ask(page, SHORTER)
    chip = page.locator(BOT).first.locator(".lqa-chip").first
    name = chip.get_attribute("aria-label")
    assert re.fullmatch(r"Source 1: \S.* 2009, Children's services rating 2009", name), name
    expect(page.get_by_role("button", name=name)).to_have_count(1)
    expect(page.get_by_role("article", name="Your question")).to_have_count(1)
    expect(page.get_by_role("article", name="Answer")).to_have_count(1)
    # A focus ring of at least 2 px on the box and on a chip reached by the keyboard.
    box.focus()
    ring = box.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] != "none" and ring[1] >= 2, ring
    chip.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    ring = chip.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] != "none" and ring[1] >= 2, ring
    shot(page, "chat-focus-ring")
