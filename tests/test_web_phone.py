"""The web UI on a phone, 390x844 in headless Chromium (issue 25, defect 7): a compact header, a chat
that is the page (it grows with its answers and the page scrolls, no box scrolling inside the
scrolling page), the question box at hand, and the Letters tab as one card per letter; at 1400x900 the
chat stays a box of its own and the letters a table.

The server is test_web_chat's: 120 generated letters indexed with the fake embedder (the answers read
here are ratings answers, which need no model). Screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import pytest
import test_web
import test_web_chat
from test_web import PHONE, USER, open_app, unfitting
from test_web_chat import LONG, ask, shot

from index.kinds import KINDS
from ui.web.paging import page_of

pytestmark = pytest.mark.browser

browser = test_web.browser  # one Chromium per module
corpus_index, corpus_url, page, phone = (test_web_chat.corpus_index, test_web_chat.corpus_url, test_web_chat.page,
                                         test_web_chat.phone)
DESKTOP = {"width": 1400, "height": 900}

# The elements of the chat that scroll their content (more of it than they show, overflow auto or scroll).
INNER_SCROLLERS = """() => [...document.querySelectorAll('#lqa-chat, #lqa-chat *')].filter((e) => {
    const s = getComputedStyle(e);
    return ['auto', 'scroll'].includes(s.overflowY) && e.scrollHeight > e.clientHeight + 1;
}).map((e) => `${e.tagName}.${e.className} shows ${e.clientHeight} of ${e.scrollHeight} px`)"""


def in_window(page, selector: str) -> bool:
    return page.locator(selector).evaluate("""(e) => {
        const r = e.getBoundingClientRect();
        return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
    }""")


def test_on_a_phone_the_header_is_compact_and_the_chat_is_the_page(phone, corpus_url):
    open_app(phone, corpus_url)
    shot(phone, "phone-open")
    # The title block (title and description) above the tabs: it took 206 of 844 px.
    tabs = phone.locator("#lqa-tabs").bounding_box()
    assert tabs["y"] <= 0.12 * PHONE["height"], tabs
    assert in_window(phone, "#lqa-question textarea")  # the question box on the first screen
    assert not phone.locator("#lqa-header p").is_visible()

    bubble = ask(phone, LONG)
    assert bubble.locator(".lqa-chip").count() >= 20  # a long answer, far taller than the window
    assert phone.evaluate(INNER_SCROLLERS) == []  # no box scrolling inside the page
    assert phone.evaluate("document.documentElement.scrollHeight") > 3 * PHONE["height"]
    # The new answer opens at its question, near the top of the window, its first line under it ...
    question = phone.locator(USER).last.bounding_box()
    assert 0 <= question["y"] <= 0.3 * PHONE["height"], question
    assert bubble.bounding_box()["y"] + 40 <= PHONE["height"]
    # ... with nothing drawn over them, and the question box at hand at the foot of the window.
    assert phone.evaluate(test_web_chat.COVERED) == []
    assert in_window(phone, "#lqa-question textarea")
    shot(phone, "phone-chat")
    # Read on by scrolling the page: the answer's last chip comes into view; the box is still at hand.
    last = bubble.locator(".lqa-chip").last
    last.scroll_into_view_if_needed()
    assert in_window(phone, f"{test_web.BOT} .lqa-chip >> nth=-1") and in_window(phone, "#lqa-question textarea")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways page

    # A wide window keeps the chat a box of its own (520 px) beside the sources.
    phone.set_viewport_size(DESKTOP)
    phone.wait_for_timeout(300)
    assert abs(phone.locator("#lqa-chat").bounding_box()["height"] - 520) <= 2
    assert len(phone.evaluate(INNER_SCROLLERS)) == 1
    assert phone.locator("#lqa-header p").is_visible()  # the description, left out on a phone


def shown_letters(corpus_index):
    """The letters the Letters tab's first page lists, in its order."""
    from fake_embedder import FakeEmbedder

    from qa import Assistant

    return page_of(Assistant.open(corpus_index, embedder=FakeEmbedder()).letters(), 0)[0]


def test_on_a_phone_each_letter_is_a_card_that_tells_it_apart(phone, corpus_index, corpus_url):
    from playwright.sync_api import expect

    letters = shown_letters(corpus_index)
    kinds = {kind.key: kind.name for kind in KINDS}
    open_app(phone, corpus_url, "Letters")
    cards = phone.locator("#lqa-letters tbody tr")
    expect(cards).to_have_count(len(letters))
    width = phone.locator("#lqa-letters").bounding_box()["width"]
    for letter, card in zip(letters[:12], cards.all()):
        text = card.inner_text()
        # Its council, year, kind and file, each whole and inside the window: two letters of one
        # council read apart.
        for part in (letter.council, str(letter.year), kinds[letter.kind], letter.name):
            assert part in text, (part, text)
        shown = card.bounding_box()
        assert shown["width"] >= width - 2 and shown["x"] >= 0 and shown["x"] + shown["width"] <= PHONE["width"]
    assert unfitting(phone, "#lqa-letters td") == []
    texts = cards.all_inner_texts()
    assert len(set(texts)) == len(texts)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "phone-letters")

    # At 1400 px a table: the seven columns' names over one row per letter.
    phone.set_viewport_size(DESKTOP)
    phone.wait_for_timeout(300)
    heads = phone.locator("#lqa-letters thead th").all_inner_texts()
    assert heads == ["council", "year", "kind", "sections", "chunks", "file", "warning"]
    cells = cards.first.locator("td")
    assert len({round(cells.nth(i).bounding_box()["y"]) for i in range(cells.count())}) == 1
    assert cells.nth(5).inner_text() == letters[0].name
