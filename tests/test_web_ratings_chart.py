"""The Ratings tab's chart (issue 25, defect 8), in Chromium over the real Gradio server and the seeds:
councils named in their bars where the name fits and, where it does not, listed under the chart on a
click or tap (a phone cannot hover); an axis of whole numbers; singular and plural right on the tab.
"""

from __future__ import annotations

import re

import pytest
import test_web
from test_web import PHONE, chart_parts, open_app, shot

pytestmark = pytest.mark.browser

browser, page, seeds_url = test_web.browser, test_web.page, test_web.seeds_url

TRAFFORD = "Trafford Metropolitan Borough Council"
WELL = ("2009 annual rating, Performs well (3): 3 councils: Stockport Metropolitan Borough Council; "
        "Stockton-on-Tees Borough Council; Trafford Metropolitan Borough Council")

# Each council's cell in the bars: [its short name, whether the name shows (on the cell's first line,
# inside it), the name's width, the cell's width] (px).
LABELS = """() => [...document.querySelectorAll('#lqa-chart .lqa-who > span')].map((name) => {
    const cell = name.parentElement.getBoundingClientRect(), box = name.getBoundingClientRect();
    return [name.textContent, box.top >= cell.top && box.bottom <= cell.bottom + 0.5, box.width, cell.width];
})"""


def labels(page) -> list:
    from playwright.sync_api import expect

    expect(page.locator("#lqa-chart .lqa-who").first).to_be_visible(timeout=30_000)
    return page.evaluate(LABELS)


def tab_text(page) -> str:
    return " ".join(page.locator("#lqa-tabs [role=tabpanel]:visible").inner_text().split())


def test_the_chart_names_councils_where_they_fit_and_lists_them_on_a_click(page, seeds_url):
    from playwright.sync_api import expect

    open_app(page, seeds_url, tab="Ratings")
    assert chart_parts(page)[0] == WELL
    found = labels(page)
    # At 1400 px every council's short name fits its cell, and shows whole.
    assert [name for name, shown, _, _ in found if shown] == [
        "Stockport", "Stockton-on-Tees", "Trafford", "Stoke-on-Trent", "Stockport"]
    assert all(width <= cell + 0.5 for _, _, width, cell in found)
    assert page.locator("#lqa-chart .lqa-tick").all_inner_texts() == ["0", "1", "2", "3", "4"]
    part = page.locator("#lqa-chart .lqa-seg").first
    part.click()
    listed = page.locator("#lqa-chart-list-0")
    expect(listed).to_be_visible()
    expect(part).to_have_attribute("aria-expanded", "true")
    assert listed.locator("li").all_inner_texts() == [
        "Stockport Metropolitan Borough Council", "Stockton-on-Tees Borough Council", TRAFFORD]
    shot(page, "ratings-chart-listed")
    part.click()  # again: the list closes
    expect(listed).to_be_hidden()
    expect(part).to_have_attribute("aria-expanded", "false")


def test_on_a_phone_councils_without_room_are_listed_on_a_tap(browser, seeds_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        open_app(page, seeds_url, tab="Ratings")
        found = labels(page)
        shown = [name for name, visible, _, _ in found if visible]
        hidden = [name for name, visible, _, _ in found if not visible]
        # A name shows only where it fits whole; the longer ones have no room at 390 px.
        assert "Stockton-on-Tees" in hidden and "Trafford" in shown
        assert all(width <= cell + 0.5 for _, visible, width, cell in found if visible)
        assert all(width > cell for _, visible, width, cell in found if not visible)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        part = page.locator("#lqa-chart .lqa-seg").first
        assert part.bounding_box()["height"] >= 44  # a touch target
        part.tap()
        listed = page.locator("#lqa-chart-list-0")
        expect(listed).to_be_visible()
        assert "Stockton-on-Tees Borough Council" in listed.locator("li").all_inner_texts()
        axis = page.locator("#lqa-chart .lqa-axis").bounding_box()
        assert listed.bounding_box()["y"] > axis["y"]  # below the chart
        listed.scroll_into_view_if_needed()
        shot(page, "ratings-chart-phone-tapped")
    finally:
        context.close()


def test_one_council_reads_in_whole_numbers_and_the_singular(page, seeds_url):
    from playwright.sync_api import expect

    open_app(page, seeds_url, tab="Ratings")
    page.locator("#lqa-f-council input").click()
    page.get_by_role("option", name=TRAFFORD).click()
    expect(page.locator("#lqa-ratings")).not_to_contain_text("Stockport")
    expect(page.locator("#lqa-chart .lqa-seg")).to_have_count(1)
    assert page.locator("#lqa-chart .lqa-tick").all_inner_texts() == ["0", "1"]  # not 0, 1, 1
    assert chart_parts(page) == [f"2009 annual rating, Performs well (3): 1 council: {TRAFFORD}"]
    expect(page.locator("#lqa-ratings-csv")).to_have_text("Download this 1 row as CSV")
    expect(page.locator("#lqa-ratings-line")).to_have_text("1 row")
    expect(page.locator("#lqa-council")).to_contain_text("1 letter, 2009.")
    page.locator("#lqa-chart .lqa-seg").click()
    expect(page.locator("#lqa-chart-list-0")).to_contain_text("Performs well (3): 1 council")
    text = tab_text(page)
    assert not re.search(r"\b1 (?:rows|councils|letters|council-years|ratings)\b", text), text
    assert not re.search(r"\bthese 1\b", text), text
    shot(page, "ratings-one-council")
