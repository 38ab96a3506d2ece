"""Hostile letters in the real web UI, and the guard on serving beyond this machine.

Letters whose council line holds markdown or HTML (an image, an <img>, an <iframe>, "$$")
are indexed beside copies of the seeds, served by the real Gradio app, and asked about in
headless Chromium: lists, a lookup, a comparison, a "no letter" answer, open questions, the
Letters and Ratings tabs and an upload. Nothing from a letter may become an element or
fetch a URL, and every council must read as the text the letter gives.

The servers bind 127.0.0.1 (and 127.0.0.2, which Linux routes to this machine too) only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
import test_web
from conftest import free_port, make_annual_letter, wait_until_ready
from test_web import SLOW, ask, chart_parts, open_app, serving, shot, text_file

browser, page = test_web.browser, test_web.page  # test_web's fixtures: one Chromium per module, a page per test

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
BEACON_WORD = "beacon"


# --- a server that counts the requests hostile markup would make --------------------------------


class Beacon:
    """An HTTP server on 127.0.0.1 recording every path asked of it."""

    def __init__(self):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        # Letters' council lines cannot hold a dot, so the address is written as one number.
        self.base = f"http://2130706433:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def hostile_councils(base: str) -> dict[str, str]:
    """Short names for 2009 annual letters (a council line there cannot hold a dot or a newline)."""
    return {
        "markdown image": f"Markton ![b]({base}/{BEACON_WORD}-md)",
        "img tag": f"Imgton <img src={base}/{BEACON_WORD}-img onerror=alert(1)",
        "iframe": f"Frameton <iframe src={base}/{BEACON_WORD}-frame",
        "latex": "Dollarton $$ x $$ \\href{beacon-tex}{y} $$",
        "code and comment": "Ticksby ` <!-- [x]: beacon-ref | ** _",
    }


# HTML entities: harmless as text, but markdown decodes them ("&lt;" shows as "<").
ENTITY_COUNCIL = "Docton <iframe srcdoc=&lt;img&#32;src=beacon-srcdoc&gt;"


def apa_letter(council: str) -> str:
    """Seed 001 (Stockport's 2008 APA) for another council; this council line may hold dots."""
    text = (SEEDS / "001_e96dc17fe53b9130.txt").read_text(encoding="utf-8")
    text = text.replace("Stockport Metropolitan Borough Council", council).replace("Stockport", "Beaconby")
    assert text.count(council) >= 3
    return text


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory, real_embedder):
    """Seeds and hostile letters, indexed and served; uploads go into the same copy."""
    from index.update import update_index
    from qa import Assistant

    beacon = Beacon()
    root = tmp_path_factory.mktemp("web-hostile")
    letters, index = root / "letters", root / "index"
    shutil.copytree(SEEDS, letters)
    shorts = hostile_councils(beacon.base)
    for n, short in enumerate([*shorts.values(), ENTITY_COUNCIL]):
        (letters / f"hostile_{n}.txt").write_text(
            make_annual_letter(short, f"{short} City Council", "poorly"), encoding="utf-8")
    apa = f"Beaconby ![b](http://127.0.0.1:{beacon.port}/{BEACON_WORD}-apa.png) Council"
    (letters / "hostile_apa.txt").write_text(apa_letter(apa), encoding="utf-8")
    report = update_index(letters, index, embedder=real_embedder)
    assert not report.skipped, report.skipped
    assistant = Assistant.open(index, embedder=real_embedder)
    fulls = [f"{short} City Council" for short in shorts.values()]
    entity = f"{ENTITY_COUNCIL} City Council"
    # Indexed under exactly the hostile names, or the test would prove nothing.
    assert {x.council for x in assistant.letters()} >= {*fulls, entity, apa}
    with serving(assistant, letters) as url:
        yield SimpleNamespace(url=url, beacon=beacon, shorts=shorts, fulls=fulls, entity=entity, apa=apa)
    beacon.close()


def watch(page) -> list[str]:
    """Every URL the page asks for that hostile markup would have put there."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if BEACON_WORD in request.url
            or "2130706433" in request.url else None)
    return asked


def assert_nothing_rendered(page, site, asked: list[str]) -> None:
    page.wait_for_timeout(500)  # time for any injected element to load
    found = page.evaluate("""() => ({
        frames: document.querySelectorAll('iframe, object, embed').length,
        images: [...document.querySelectorAll('img, video, audio, source')].map(e => e.src || '')
                .filter(src => src.includes('beacon') || src.includes('2130706433')),
        math: document.querySelectorAll('.katex, .katex-display, math').length,
    })""")
    assert found == {"frames": 0, "images": [], "math": 0}
    assert asked == [] and site.beacon.hits == []
    assert page.dialogs == []


def shown(page, selector: str) -> str:
    return " ".join(page.locator(selector).inner_text().split())


CITED = None  # answer()'s `expected` for "the reply cites at least one source"


def answer(page, question: str, expected: str | None) -> str:
    """Ask; wait until the answer holds `expected` (or, for CITED, a citation chip); its text."""
    from playwright.sync_api import expect

    bubble = ask(page, question)
    if expected is CITED:
        expect(bubble.locator(".lqa-chip").first).to_be_visible()
    else:
        expect(bubble).to_contain_text(expected)
    return " ".join(bubble.inner_text().split())


# --- task 1: council names with markup, everywhere they are shown ----------------------------


def test_hostile_council_names_show_as_text_in_answers(page, hostile_site):
    site = hostile_site
    asked = watch(page)
    open_app(page, site.url)
    listed = answer(page, "Which councils perform poorly?", CITED)
    for full in site.fulls:
        # as text, and nothing after it swallowed: its citation chip follows
        assert re.search(re.escape(f"{full}: Performs poorly (1) ") + r"\d+ ", listed + " ")
    assert listed.count("Performs poorly (1)") == len(site.fulls) + 1  # and the entity one
    sources = shown(page, "#lqa-sources")
    for short in [*site.shorts.values(), ENTITY_COUNCIL]:
        assert f"{short} 2009 - Children's services rating 2009" in sources
    assert all(f"{full}: Performs poorly (1)" in sources for full in [*site.fulls, site.entity])  # ratings used

    markdown, img = site.shorts["markdown image"], site.shorts["img tag"]
    lookup = answer(page, f"What rating did {markdown} get?", CITED)
    assert f"{markdown} City Council: The 2009 annual rating: Performs poorly (1) 1" in lookup
    compared = answer(page, f"Compare {img} and Trafford", "highest first")
    assert f"{img} City Council" in compared and f"highest first: Trafford (3), {img} (1)." in compared
    absent = answer(page, "What rating did Barnet get?", "There is no letter for Barnet")
    assert all(f"{short}," in absent for short in site.shorts.values())
    good = answer(page, "Which councils are good for being healthy?", CITED)
    assert f"{site.apa}: grade 3 (good) 1" in good
    assert "Annual performance assessment of services for children and young people in " \
           f"{site.apa} 2008" in shown(page, "#lqa-sources")  # a section title from the letter
    quoted = answer(page, f"What did Ofsted say about children and young people in {img}?", CITED)
    assert f"children and young people in {img} whose circumstances" in quoted
    assert f"{img} 2009" in shown(page, "#lqa-sources")
    assert_nothing_rendered(page, site, asked)


def test_an_entity_in_a_council_name_reads_verbatim_in_answers(page, hostile_site):
    open_app(page, hostile_site.url)
    assert hostile_site.entity in answer(page, "Which councils perform poorly?", CITED)


def test_hostile_council_names_show_as_text_in_the_tabs(page, hostile_site):
    from playwright.sync_api import expect

    site = hostile_site
    asked = watch(page)
    open_app(page, site.url, tab="Letters")
    table = page.locator("#lqa-letters")
    expect(table).to_contain_text(site.apa, timeout=30_000)
    for full in site.fulls:
        expect(table).to_contain_text(full)
    page.locator("#lqa-letter-choice input").click()
    options = " ".join(page.get_by_role("option").all_inner_texts())
    assert all(f"{short} 2009 (annual rating)" in options for short in site.shorts.values())
    page.get_by_role("option", name="hostile_1.txt").click()
    expect(page.locator("#lqa-letter-text")).to_contain_text(f"{site.shorts['img tag']} City Council")

    page.get_by_role("tab", name="Ratings").click()
    ratings = page.locator("#lqa-ratings")
    expect(ratings).to_contain_text(site.apa)
    for full in site.fulls:
        expect(ratings).to_contain_text(full)
    expect(page.locator("#lqa-apa-grid")).to_contain_text(site.apa)
    expect(page.locator("#lqa-chart")).to_contain_text("2009 annual rating")
    tooltips = " ".join(chart_parts(page))  # the chart's parts and their lists name the councils, as text
    assert all(full in tooltips for full in [*site.fulls, site.entity])
    page.locator("#lqa-f-council input").click()
    options = " ".join(page.get_by_role("option").all_inner_texts())
    assert all(full in options for full in [*site.fulls, site.apa])
    page.get_by_role("option", name=site.fulls[1]).click()  # filter by a hostile council
    expect(ratings).not_to_contain_text("Trafford")
    expect(ratings).to_contain_text(site.fulls[1])
    # Its council page: the name as text, its letter a link to the reader at the rating's sentence.
    council = page.locator("#lqa-council")
    expect(council.locator(".lqa-cite-title")).to_have_text(site.fulls[1])
    expect(council.locator("tbody tr")).to_have_count(1)
    assert " ".join(council.locator("tbody tr").inner_text().split()) == \
        "2009 1 Performs poorly Overall effectiveness annual rating hostile_1.txt"
    council.locator(".lqa-read").click()
    expect(page.locator("#lqa-letter-text mark.lqa-target")).to_have_text(
        f"Children's services in {site.fulls[1]} perform poorly.")
    page.get_by_role("tab", name="Ratings").click()
    # The APA council (a markdown image in its name) through a click on its name in the table.
    page.locator("#lqa-f-council input").click()
    page.get_by_role("option", name="All councils").click()
    expect(council).to_contain_text("Choose a council above")
    page.locator('#lqa-ratings .body-cell[data-col="0"]', has_text=site.apa).first.click()
    expect(council.locator(".lqa-cite-title")).to_have_text(site.apa)
    expect(council.locator(".lqa-step")).to_have_text(["2008 APA: Good (3)"])
    assert council.locator("tbody tr").count() == 7
    for short in site.shorts.values():  # and each of the others, by the filter
        full = f"{short} City Council"
        page.locator("#lqa-f-council input").click()
        page.get_by_role("option", name=full, exact=True).click()
        expect(council.locator(".lqa-cite-title")).to_have_text(full)
    page.locator("#lqa-f-council input").click()
    page.get_by_role("option", name=site.entity, exact=True).click()
    expect(council.locator(".lqa-cite-title")).to_have_text(site.entity)  # the entity, verbatim
    shot(page, "ratings-council-page-hostile")
    assert_nothing_rendered(page, site, asked)


def test_hostile_upload_name_and_letter_show_as_text(page, hostile_site):
    from playwright.sync_api import expect

    site = hostile_site
    asked = watch(page)
    open_app(page, site.url)
    short = "Uploadham <img src=beacon-upload-letter"
    name = "<img src=beacon-upload-name>.txt"
    page.get_by_role("tab", name="Letters").click()
    page.set_input_files("#lqa-upload input[type=file]", [text_file(name, make_annual_letter(
        short, f"{short} City Council", "poorly"))])
    page.click("#lqa-add")
    report = page.locator("#lqa-report")
    expect(report).to_contain_text("Added 1 letter: ", timeout=SLOW)
    assert "beacon-upload-name" in report.inner_text() and short in report.inner_text()  # the name, as text
    expect(page.locator("#lqa-letters")).to_contain_text(f"{short} City Council")
    page.get_by_role("tab", name="Ask").click()
    assert f"{short} City Council" in answer(page, "Which councils perform poorly?", CITED)
    assert_nothing_rendered(page, site, asked)


# --- task 2: serving beyond this machine needs a password or an explicit opt-out -------------


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "LETTERS_QA_AUTH"}
    return subprocess.run([sys.executable, "-m", "ui", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env={**env, "HF_HUB_OFFLINE": "1"})


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7", "example.org"])
def test_serving_beyond_this_machine_without_auth_is_refused(tmp_path, host):
    port = free_port()
    started = time.monotonic()
    run = run_cli("serve", "--host", host, "--port", str(port), "--index", str(tmp_path / "no-index"))
    assert run.returncode == 2, run.stderr
    assert run.stderr == (f"letters-qa: error: serving on {host} lets anyone who can reach it read the letters: "
                          "give --auth-file FILE (USER:PASSWORD), set LETTERS_QA_AUTH or give --auth USER:PASSWORD, "
                          "or --insecure-no-auth to serve without a password\n")
    assert run.stdout == ""
    assert time.monotonic() - started < 5  # refused before gradio (6 s to import) or the index load


@pytest.mark.parametrize(("flags", "says"), [
    (["--allow-uploads"], "--allow-uploads goes with --insecure-no-auth"),
    (["--host", "0.0.0.0", "--allow-uploads"], "--allow-uploads goes with --insecure-no-auth"),
    (["--auth", "u:p", "--insecure-no-auth"], "give --auth or --insecure-no-auth, not both"),
])
def test_serve_flags_that_contradict_are_refused(tmp_path, flags, says):
    run = run_cli("serve", *flags, "--index", str(tmp_path / "no-index"))
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith(f"letters-qa: error: {says}") and run.stderr.count("\n") == 1


def test_bad_auth_is_one_line(tmp_path):
    run = run_cli("serve", "--host", "0.0.0.0", "--auth", "nocolon", "--index", str(tmp_path / "no-index"))
    assert (run.returncode, run.stderr) == (1, "letters-qa: error: --auth must be USER:PASSWORD (or set "
                                               "LETTERS_QA_AUTH)\n")


def test_a_port_in_use_is_one_line(seeds_index):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        run = run_cli("serve", "--index", str(seeds_index), "--port", str(taken.getsockname()[1]), timeout=120)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("letters-qa: error: cannot serve on 127.0.0.1 port ")


def upload_config(url: str) -> dict:
    with urllib.request.urlopen(url + "config", timeout=10) as response:
        config = json.loads(response.read())
    return next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "lqa-upload")


@pytest.mark.parametrize(("flags", "uploads"), [(["--insecure-no-auth"], False),
                                                (["--insecure-no-auth", "--allow-uploads"], True)])
def test_insecure_no_auth_serves_with_uploads_off_unless_allowed(seeds_index, tmp_path, flags, uploads):
    """127.0.0.2 is not one of the local names, so it takes the outside path, yet stays on this machine."""

    port = free_port()
    log = tmp_path / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "LETTERS_QA_AUTH"}
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "ui", "serve", "--index", str(seeds_index), "--host",
                                   "127.0.0.2", "--port", str(port), "--letters", str(tmp_path), *flags],
                                  cwd=ROOT, env={**env, "HF_HUB_OFFLINE": "1"}, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.2:{port}/"
        wait_until_ready(url, server, log)
        assert upload_config(url)["props"]["interactive"] is uploads
        deadline = time.monotonic() + 30  # the server answers a moment before it prints where it serves
        while "letters-qa: serving" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        text = log.read_text()
        assert ("uploads go to" in text) is uploads and ("uploads are off" in text) is not uploads
        assert "warning: serving on 127.0.0.2 without a password" in text
    finally:
        server.terminate()
        server.wait(timeout=15)
