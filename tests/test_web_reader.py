"""The Letters reader draws a letter's headings, bullets and rules rather than showing their markup
(`##`, `-----`), every character escaped, the cited span marked on every line it covers (issue 25)."""

from __future__ import annotations

import pytest
import test_web
import test_web_chat
from test_web import BOT, open_app
from test_web_chat import SHORTER, ask

from ui.web.render import letter_body

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
    assert "Rating\tPerforms well (3)" in html and "The end &amp; more" in html


def test_a_cited_span_is_marked_on_each_line_it_covers_the_first_piece_the_target():
    start = LETTER.index("Performs well")
    end = LETTER.index("Private") + len("Private")
    html = letter_body(LETTER, (start, end))
    # A rule inside the cited span stays, marked, so that the citation reads whole.
    assert html.count("<mark") == 4 and html.count('class="lqa-target"') == 1
    assert '<mark class="lqa-target">Performs well (3)</mark>' in html and "<mark>Private</mark> fostering" in html


@pytest.mark.parametrize("size", ["desktop"])
def test_a_chip_opens_the_letter_drawn_with_the_cited_sentence_in_view(page, corpus_url, size):
    from playwright.sync_api import expect

    open_app(page, corpus_url)
    ask(page, SHORTER)
    page.locator(BOT).first.locator(".lqa-chip").nth(1).click()
    reader = page.locator("#lqa-letter-text .lqa-letter")
    expect(reader.locator("mark.lqa-target")).to_contain_text("perform adequately")
    assert reader.locator(".lqa-h").count() >= 1
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
