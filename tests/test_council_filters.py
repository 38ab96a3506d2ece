"""Council filters as people type them (issue 24, part 4): every council filter (the CLI's --council,
Assistant.search/ratings/judgements(council=), the JSON API's and the Gradio endpoints' council=,
the web's council boxes) reads a misspelt council as the one council it is closest to and says
so; refuses one as close to several, naming them (CLI exit 2, HTTP 400); says when a council has
no letter in the index; and never reads a council as another (qa/retriever.py read_council).
"""

from __future__ import annotations

import html
import json

import pytest
import test_web
from test_councils import _typos

from index import councils
from index.councils import AUTHORITIES, Authority
from index.letters import short_name
from index.reader import IndexReader, LetterInfo
from qa.retriever import CouncilNotClear, read_council

STOCKPORT = "Stockport Metropolitan Borough Council"
TRAFFORD = "Trafford Metropolitan Borough Council"
STOKE = "Stoke-on-Trent City Council"
STOCKTON = "Stockton-on-Tees Borough Council"

# test_web's fixtures, for the one browser test: Chromium, a page, a server over the seeds.
browser, page, seeds_url = test_web.browser, test_web.page, test_web.seeds_url


# --- every authority indexed at once: no council is ever read as another ---------------------------


class Names:
    """The council look-up of an IndexReader (letters_about, council_names) over one letter per
    council: what read_council needs, without building an index of 154 letters."""

    _name_table = IndexReader.__dict__["_name_table"]
    council_names = IndexReader.__dict__["council_names"]
    letters_about = IndexReader.letters_about

    def __init__(self, fulls: list[str]):
        self.letters = [LetterInfo(i, f"{i}.txt", full, short_name(full), 2009, "annual_rating", None, None, None,
                                   1, 1) for i, full in enumerate(fulls)]


ALL = Names([a.formal for a in AUTHORITIES])


def _twice(name: str) -> list[str]:
    """Two edits (one letter dropped near each end) in names long enough that two are still a typo."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(letters) < 12:
        return []
    i, j = letters[2], letters[-3]
    return [name[:i] + name[i + 1:j] + name[j + 1:]]


def _read(reader, written: str):
    try:
        return read_council(reader, written)
    except CouncilNotClear as exc:
        return exc


def _spellings(authority: Authority) -> list[str]:
    names = [authority.name, authority.formal, *authority.variants]
    typos = [typo for name in names for typo in (*_typos(name), *_twice(name))]
    return list(dict.fromkeys(typos + [typo.lower() for typo in typos]))


@pytest.mark.parametrize("authority", AUTHORITIES, ids=lambda a: a.name)
def test_a_misspelt_council_filter_is_read_as_itself_or_refused_never_as_another(authority: Authority) -> None:
    """Every one of the 154 authorities indexed at once; each of its names (short, formal, every
    variant) misspelt three ways (a letter dropped, two swapped, one changed; and a letter dropped
    near each end of long names), in its case and in lower case: the filter reads as that council,
    or is refused naming it among those it is as close to, or (under six letters) reads as none.
    It never selects another council."""
    for typo in _spellings(authority):
        reading = _read(ALL, typo)
        if isinstance(reading, CouncilNotClear):
            assert authority.name in reading.names, (typo, reading.names)
            assert str(reading).startswith(f'council "{typo}" is not in the index; did you mean ')
            continue
        assert set(reading.councils) <= {authority.formal}, (typo, reading)
        if reading.councils:
            assert reading.read_as in (None, authority.name), (typo, reading)
            assert reading.note is None or reading.note == f'council "{typo}" read as {authority.name}'
        else:
            assert len(councils.letters_only(typo)) < councils.MIN_TYPO_LETTERS, (typo, reading)
            assert reading.note == f'no council "{typo}" in the index'


@pytest.mark.parametrize("authority", AUTHORITIES, ids=lambda a: a.name)
def test_a_councils_own_name_always_wins(authority: Authority) -> None:
    """Each authority's every name reads as exactly it, with nothing to say; and with every other
    authority indexed but not it, as no letters for it: never corrected to a neighbour."""
    others = Names([a.formal for a in AUTHORITIES if a is not authority])
    for name in (authority.name, authority.formal, *authority.variants):
        reading = read_council(ALL, name)
        assert (reading.councils, reading.read_as, reading.note) == ((authority.formal,), None, None), name
        missing = read_council(others, name)
        assert (missing.councils, missing.read_as, missing.absent) == ((), None, authority.name), name
        assert missing.note.startswith(f"no letters for {authority.name} in the index"), name
    for typo in _typos(authority.name):  # and a misspelling of it is never read as a neighbour it lacks
        reading = _read(others, typo)
        assert isinstance(reading, CouncilNotClear) or not reading.councils, (typo, reading)


def test_a_misspelling_as_close_to_two_indexed_councils_is_refused_naming_both() -> None:
    both = Names(["Sutton London Borough Council", "Sefton Metropolitan Borough Council"])
    with pytest.raises(CouncilNotClear, match=r'^council "Sufton" is not in the index; did you mean Sefton or '
                                              r'Sutton\?$') as caught:
        read_council(both, "Sufton")
    assert caught.value.names == ("Sefton", "Sutton") and caught.value.usage


def test_a_council_the_authorities_table_lacks_is_read_through_a_typo_too() -> None:
    made_up = Names(["Northwold Borough Council", STOCKPORT])
    reading = read_council(made_up, "Nothwold")
    assert (reading.councils, reading.read_as) == (("Northwold Borough Council",), "Northwold")
    assert reading.note == 'council "Nothwold" read as Northwold'


# --- the Python API over the seeds' real index ------------------------------------------------------


def test_search_ratings_and_judgements_read_a_misspelt_council(assistant) -> None:
    hits = assistant.search("private fostering", k=5, council="stockprt")
    assert hits and {h.council for h in hits} == {STOCKPORT}
    assert [h.to_dict() for h in hits] == [h.to_dict() for h in assistant.search("private fostering", k=5,
                                                                                    council="Stockport")]
    assert assistant.ratings(council="Trafferd") == assistant.ratings(council="Trafford") != []
    assert assistant.ratings(council=["stockprt", "stoke on trnt"]) == assistant.ratings(
        council=["Stockport", "Stoke-on-Trent"])
    assert assistant.judgements(council="stockprt") == assistant.judgements(council="Stockport") != []
    [reading] = assistant.read_councils("stockprt")
    assert (reading.councils, reading.read_as) == ((STOCKPORT,), "Stockport")
    assert reading.note == 'council "stockprt" read as Stockport'


@pytest.mark.parametrize(("written", "council"), [
    ("Stoke", STOKE), ("Stockton", STOCKTON), ("stoke on trent", STOKE), (TRAFFORD, TRAFFORD),
    ("Trafford Council", TRAFFORD), ("STOCKPORT", STOCKPORT),
])
def test_names_and_short_forms_read_as_written_with_nothing_to_say(assistant, written, council) -> None:
    [reading] = assistant.read_councils(written)
    assert (reading.councils, reading.read_as, reading.note) == ((council,), None, None)
    assert {r.council for r in assistant.ratings(council=written)} == {council}


@pytest.mark.parametrize(("written", "note"), [
    ("Kent", "no letters for Kent in the index"),
    ("Kent County Council", 'no letters for Kent in the index (you wrote "Kent County Council")'),
    ("Wiltshre", 'no letters for Wiltshire in the index (you wrote "Wiltshre")'),
    ("Nowhere", 'no council "Nowhere" in the index'),
])
def test_a_council_without_letters_selects_nothing_and_says_so(assistant, written, note) -> None:
    [reading] = assistant.read_councils(written)
    assert reading.councils == () and reading.note == note
    assert assistant.ratings(council=written) == [] and assistant.search("fostering", council=written) == []


def test_a_misspelling_as_close_to_several_councils_is_an_argument_error_naming_them(assistant) -> None:
    from index.errors import ArgumentError

    for call in (lambda: assistant.search("fostering", council="Sufton"), lambda: assistant.ratings(council="Sufton"),
                 lambda: assistant.judgements(council="Sufton"), lambda: assistant.read_councils("Sufton")):
        with pytest.raises(ArgumentError, match=r'council "Sufton" is not in the index; did you mean Sefton or '
                                                r'Sutton\?'):
            call()


# --- the CLI --------------------------------------------------------------------------------------


@pytest.fixture
def cli(capsys):
    """`letters-qa ARGS` in this process (ratings and judgements load no model); (code, out, err)."""
    from ui.cli import main

    def call(*args):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.mark.parametrize("command", [["ratings"], ["judgements"]])
def test_cli_reads_a_misspelt_council_and_notes_it_on_stderr(cli, seeds_index, command) -> None:
    index = ["--index", str(seeds_index)]
    code, out, err = cli(*command, *index, "--council", "stockprt")
    assert code == 0 and err == 'note: council "stockprt" read as Stockport\n'
    assert cli(*command, *index, "--council", "Stockport") == (0, out, "")
    assert STOCKPORT in out and TRAFFORD not in out

    code, out, err = cli(*command, *index, "--council", "stockprt", "--json")
    assert code == 0 and err == 'note: council "stockprt" read as Stockport\n'
    document = json.loads(out)
    exact = json.loads(cli(*command, *index, "--council", "Stockport", "--json")[1])
    rows = "ratings" if command == ["ratings"] else "judgements"
    assert document[rows] == exact[rows] != [] and set(exact) == {rows}
    assert document["notes"] == ['council "stockprt" read as Stockport']
    assert document["council_filter"] == [{"written": "stockprt", "councils": [STOCKPORT], "read_as": "Stockport",
                                           "absent": None, "note": 'council "stockprt" read as Stockport'}]


def test_cli_search_reads_a_misspelt_council(cli, seeds_index, real_embedder, monkeypatch) -> None:
    import index.embedder

    loaded = real_embedder.model
    monkeypatch.setattr(index.embedder.SentenceTransformerEmbedder, "model", property(lambda self: loaded))
    code, out, err = cli("search", "private fostering", "--index", str(seeds_index), "--council", "Trafferd",
                         "--json")
    assert code == 0 and err == 'note: council "Trafferd" read as Trafford\n'
    document = json.loads(out)
    assert document["hits"] and {h["council"] for h in document["hits"]} == {TRAFFORD}
    assert document["notes"] == ['council "Trafferd" read as Trafford']


@pytest.mark.parametrize("command", [["ratings"], ["judgements"], ["search", "fostering"]])
def test_cli_refuses_a_council_as_close_to_several_with_exit_2(cli, seeds_index, command) -> None:
    for extra in ([], ["--json"]):
        code, out, err = cli(*command, "--index", str(seeds_index), "--council", "Sufton", *extra)
        assert (code, out) == (2, "")
        assert err == ('letters-qa: error: council "Sufton" is not in the index; did you mean Sefton or Sutton?\n')


def test_cli_says_when_a_council_has_no_letters(cli, seeds_index) -> None:
    code, out, err = cli("ratings", "--index", str(seeds_index), "--council", "Nowhere")
    assert (code, out, err) == (0, "no ratings found\n", 'note: no council "Nowhere" in the index\n')
    code, out, err = cli("ratings", "--index", str(seeds_index), "--council", "Kent", "--json")
    assert code == 0 and err == "note: no letters for Kent in the index\n"
    assert json.loads(out)["ratings"] == [] and json.loads(out)["notes"] == ["no letters for Kent in the index"]


def test_cli_exit_2_end_to_end_without_a_traceback(seeds_index) -> None:
    from test_cli import run

    result = run("ratings", "--index", str(seeds_index), "--council", "Sufton")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        'letters-qa: error: council "Sufton" is not in the index; did you mean Sefton or Sutton?']


# --- the JSON API (ui/api.py) and the Gradio endpoints (ui/web/app.py) -------------------------------


@pytest.fixture(scope="module")
def web(assistant):
    from ui.service import Service
    from ui.web.app import WebApp

    return WebApp(Service(assistant))


@pytest.fixture(scope="module")
def http(web):
    from fastapi.testclient import TestClient

    from ui.api import build_api

    with TestClient(build_api(web.service)) as client:
        yield client


@pytest.mark.parametrize(("path", "params", "rows"), [
    ("/ratings", {}, "ratings"), ("/judgements", {}, "judgements"),
    ("/search", {"q": "private fostering", "k": "3"}, "hits"),
])
def test_json_api_reads_a_misspelt_council_and_says_so(http, path, params, rows) -> None:
    response = http.get(path, params={**params, "council": "stockprt"})
    assert response.status_code == 200
    found = response.json()
    exact = http.get(path, params={**params, "council": "Stockport"}).json()
    assert found[rows] == exact[rows] != [] and "notes" not in exact
    assert {row["council"] for row in found[rows]} == {STOCKPORT}
    assert found["notes"] == ['council "stockprt" read as Stockport']
    assert found["council_filter"][0]["read_as"] == "Stockport"


@pytest.mark.parametrize(("path", "params"), [("/ratings", {}), ("/judgements", {}), ("/search", {"q": "fostering"})])
def test_json_api_refuses_a_council_as_close_to_several_with_400(http, path, params) -> None:
    response = http.get(path, params={**params, "council": "Sufton"})
    assert response.status_code == 400
    assert response.json() == {"error": 'council "Sufton" is not in the index; did you mean Sefton or Sutton?',
                               "did_you_mean": ["Sefton", "Sutton"]}


def test_json_api_says_when_a_council_has_no_letters(http) -> None:
    found = http.get("/ratings", params={"council": "Kent"}).json()
    assert found["ratings"] == [] and found["notes"] == ["no letters for Kent in the index"]


def test_gradio_endpoints_read_a_misspelt_council(web) -> None:
    import gradio as gr

    found = web.api_ratings(council="Trafferd")
    assert {r["council"] for r in found["ratings"]} == {TRAFFORD}
    assert found["notes"] == ['council "Trafferd" read as Trafford']
    hits = web.api_search("private fostering", k=3, council="stockprt")
    assert hits["hits"] and {h["council"] for h in hits["hits"]} == {STOCKPORT} and hits["notes"]
    with pytest.raises(gr.Error, match="did you mean Sefton or Sutton"):
        web.api_ratings(council="Sufton")


# --- the web's council boxes (handlers; the browser test below types into one) -----------------------


def test_the_ratings_tab_reads_a_typed_council_and_says_so(web) -> None:
    table, _, _, _, page, *_ = web.ratings_view("stockprt")
    page = html.unescape(page)
    assert set(table.data["council"]) == {STOCKPORT}
    assert 'council "stockprt" read as Stockport' in page and "Stockport" in page
    exact = web.ratings_view(STOCKPORT)
    assert "read as" not in exact[4]
    _, _, _, _, page, *_ = web.ratings_view("Sufton")
    assert 'council "Sufton" is not in the index; did you mean Sefton or Sutton?' in html.unescape(page)
    assert "no letters for Kent in the index" in web.ratings_view("Kent")[4]


def test_the_judgements_tab_reads_a_typed_council_and_says_so(web) -> None:
    matrix, _, marks, *_ = web.judgements_view("", "", "", "stockprt", "", "")
    matrix = html.unescape(matrix)
    exact, _, exact_marks, *_ = web.judgements_view("", "", "", STOCKPORT, "", "")
    assert 'council "stockprt" read as Stockport' in matrix and marks == exact_marks != []
    matrix, _, marks, *_ = web.judgements_view("", "", "", "Sufton", "", "")
    assert "did you mean Sefton or Sutton?" in matrix and marks == []


def test_a_council_page_row_of_a_typed_council_opens_its_letter(web) -> None:
    import gradio as gr

    tabs, letter, _, _ = web.jump("c:0:1", [], "stockprt")
    assert isinstance(tabs, gr.Tabs) and web.assistant.reader.by_name[letter].council == STOCKPORT


@pytest.mark.browser
def test_typing_a_misspelt_council_in_the_ratings_box_shows_its_ratings_and_the_note(page, seeds_url) -> None:
    from playwright.sync_api import expect
    from test_web import open_app

    open_app(page, seeds_url, tab="Ratings")
    box = page.locator("#lqa-f-council input")
    box.click()
    box.fill("stockprt")
    box.press("Enter")
    expect(page.locator("#lqa-council")).to_contain_text('council "stockprt" read as Stockport')
    table = page.locator("#lqa-ratings")
    expect(table).to_contain_text(STOCKPORT)
    expect(table).not_to_contain_text("Trafford")
