"""WCAG 2.1 AA in a real browser (issue 25): axe-core finds no serious or critical violation on any
tab, at desktop and phone size; text is 12 px or more, the placeholder at 4.5:1; the focus ring shows
on whatever the keyboard reaches; Enter on a chip moves the focus to the cited sentence, not <body>.

axe-core is the copy that the PyPI package axe-playwright-python ships in its wheel (the [test]
extra), injected into the page by Playwright. The server is test_web_chat's: 120 generated letters
indexed with the fake embedder (the answers read here are ratings answers, which need no model).
"""

from __future__ import annotations

import re

import pytest
import test_web
import test_web_chat
from test_web import BOT, PHONE, open_app
from test_web_chat import SHORTER, ask, shot

pytestmark = pytest.mark.browser

browser = test_web.browser  # one Chromium per module
corpus_index, corpus_url, page = test_web_chat.corpus_index, test_web_chat.corpus_url, test_web_chat.page

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TABS = ("Ask", "Ratings", "Judgements", "Letters")


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [f"{v['id']} ({v['impact']}): {v['help']}: " + "; ".join(f"{n['target']} {n['failureSummary']}"
                                                                   for n in v["nodes"][:6])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def small_text(page) -> list[str]:
    """Visible HTML text under 12 px (the chart's SVG is the chart's own)."""
    return page.evaluate("""() => [...document.querySelectorAll('body *:not(svg *)')].filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width && r.height && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
            && parseFloat(getComputedStyle(e).fontSize) < 12;
    }).map((e) => `${e.tagName}.${e.className} ${getComputedStyle(e).fontSize}: ${e.textContent.trim()}`)""")


def luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fore: str, back: str) -> float:
    """WCAG's contrast ratio of two CSS rgb()/rgba() colours (the foreground's alpha blended over the back)."""
    f, b = ([float(x) for x in re.findall(r"[\d.]+", c)] for c in (fore, back))
    alpha = f[3] if len(f) > 3 else 1.0
    f = [alpha * fc + (1 - alpha) * bc for fc, bc in zip(f[:3], b[:3])]
    light, dark = sorted((luminance(f), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def open_a_citation(page) -> None:
    """Ask, then open the answer's first chip in the reader (the Letters tab)."""
    from playwright.sync_api import expect

    ask(page, SHORTER)
    page.locator(BOT).first.locator(".lqa-chip").first.click()
    expect(page.locator("#lqa-letter-text mark.lqa-target")).to_have_count(1)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_axe_finds_no_serious_or_critical_violation_on_any_tab(browser, corpus_url, size):
    context = browser.new_context(viewport=PHONE if size == "phone" else {"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        open_app(page, corpus_url)
        open_a_citation(page)  # an answer with its chips and sources, and a letter in the reader
        found = {}
        for tab in TABS:
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(800)
            found[tab] = serious_violations(page)
            shot(page, f"a11y-{size}-{tab.lower()}")
        assert found == {tab: [] for tab in TABS}
    finally:
        context.close()


def test_text_is_12px_or_more_and_the_placeholder_and_meta_text_read_at_4_5_to_1(page, corpus_url):
    open_app(page, corpus_url)
    box = page.locator("#lqa-question textarea")
    colours = box.evaluate("""(e) => {
        let back = e, bg = 'rgba(0, 0, 0, 0)';
        while (back && (bg = getComputedStyle(back).backgroundColor).endsWith(', 0)')) back = back.parentElement;
        return [getComputedStyle(e, '::placeholder').color, bg];
    }""")
    assert contrast(*colours) >= 4.5, colours
    ask(page, SHORTER)
    meta = page.locator("#lqa-sources .lqa-meta").first.evaluate("""(e) => {
        let back = e, bg = 'rgba(0, 0, 0, 0)';
        while (back && (bg = getComputedStyle(back).backgroundColor).endsWith(', 0)')) back = back.parentElement;
        return [getComputedStyle(e).color, bg];
    }""")
    assert contrast(*meta) >= 4.5, meta
    for tab in TABS:
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(500)
        assert small_text(page) == [], tab


def test_the_focus_ring_shows_on_everything_the_keyboard_reaches(page, corpus_url):
    open_app(page, corpus_url)
    ask(page, SHORTER)
    page.locator("#lqa-question textarea").focus()
    faint = []
    for _ in range(45):  # the box, Ask, the answer's chips, the buttons under the chat, the examples, the sources
        page.keyboard.press("Tab")
        ring = page.evaluate("""() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return [e.tagName + '.' + e.className, s.outlineStyle, parseFloat(s.outlineWidth)];
        }""")
        if ring[0].startswith("BODY"):
            break
        if ring[1] == "none" or ring[2] < 2:
            faint.append(ring)
    assert faint == []


def test_enter_on_a_chip_moves_the_focus_to_the_cited_sentence_in_view(page, corpus_url):
    from playwright.sync_api import expect

    open_app(page, corpus_url)
    ask(page, SHORTER)
    chip = page.locator(BOT).first.locator(".lqa-chip").first
    chip.focus()
    page.keyboard.press("Enter")
    target = page.locator("#lqa-letter-text mark.lqa-target")
    expect(target).to_be_focused()
    assert page.evaluate("() => document.activeElement.tagName") == "MARK"
    assert test_web.in_view(page, "#lqa-letter-text mark.lqa-target")
