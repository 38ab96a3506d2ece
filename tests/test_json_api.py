"""The plain JSON API (/api/...) of `letters-qa serve`, over HTTP against real server processes.

Two servers run the way a user starts them (`python -m ui serve`) on free 127.0.0.1 ports:
one on the session's seeds index with uploads off (--insecure-no-auth), one on copies of
the seeds and of that index with uploads on and --auth. Every error case checks the exact
status and message, and that the server's stderr holds no traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from conftest import SEEDS, free_port, make_annual_letter, stop_server, wait_until_ready
from test_http_api import CITATION_FIELDS, RATING_FIELDS, STOKE

from index.errors import LetterError
from index.letters import parse_letter
from index.scan import LETTER_SUFFIXES

ROOT = Path(__file__).resolve().parent.parent
TRAFFORD = "Trafford Metropolitan Borough Council"
SEED_COUNCILS = {"Stockport Metropolitan Borough Council", "Stockton-on-Tees Borough Council", STOKE, TRAFFORD}
AUTH = ("reader", "s3cret-pass")


class Server:
    def __init__(self, url: str, log: Path):
        self.url, self.log = url, log
        self.http = httpx.Client(base_url=url + "api", timeout=120)

    def no_traceback(self) -> None:
        text = self.log.read_text()
        assert "Traceback" not in text, text[-3000:]


def start(args: list[str], folder: Path):
    log = folder / "server.stderr"
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    env.pop("LETTERS_QA_AUTH", None)
    with open(log, "w") as err:
        server = subprocess.Popen([sys.executable, "-m", "ui", "serve", "--port", str(port), *args], cwd=ROOT,
                                  env=env, stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}/"
    return server, url, log


@pytest.fixture(scope="module")
def api(seeds_index, tmp_path_factory):
    """The seeds index, no password, uploads off."""
    folder = tmp_path_factory.mktemp("json-api")
    server, url, log = start(["--index", str(seeds_index), "--insecure-no-auth"], folder)
    try:
        wait_until_ready(url + "api/health", server, log)
        yield Server(url, log)
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def upload_api(seeds_index, tmp_path_factory):
    """Copies of the seeds and their index, uploads on, behind --auth."""
    folder = tmp_path_factory.mktemp("json-api-upload")
    letters, index = folder / "letters", folder / "index"
    shutil.copytree(SEEDS, letters)
    shutil.copytree(seeds_index, index)
    server, url, log = start(["--index", str(index), "--letters", str(letters), "--auth", ":".join(AUTH)], folder)
    try:
        ready = Server(url, log)
        wait_until_ready(url, server, log)  # the UI's login page answers 200 without a password
        ready.http.auth = AUTH
        ready.letters = letters
        yield ready
    finally:
        stop_server(server)


# --- answers, search, ratings, letters ---------------------------------------------------


def test_ask_lists_exactly_the_adequate_council_and_citations_match_the_letters(api):
    response = api.http.post("/ask", json={"question": "Which councils perform adequately?"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["question"] == "Which councils perform adequately?"
    assert {r["council"] for r in answer["ratings"]} == {STOKE}
    assert {c["council"] for c in answer["citations"]} == {STOKE}
    assert set(answer["ratings"][0]) >= RATING_FIELDS
    assert answer["citations"][0]["text"] == "Children's services in Stoke-on-Trent City Council perform adequately."
    assert_citations_are_letter_slices(api, answer["citations"])


def test_open_answer_citations_are_letter_slices(api):
    answer = api.http.post("/ask", json={"question": "What did Ofsted say about private fostering in Trafford?"}).json()
    assert answer["citations"]
    assert {c["council"] for c in answer["citations"]} == {TRAFFORD}
    assert_citations_are_letter_slices(api, answer["citations"])


def assert_citations_are_letter_slices(api: Server, citations: list[dict]) -> None:
    for citation in citations:
        assert set(citation) >= CITATION_FIELDS
        letter = api.http.get(f"/letters/{citation['letter']}")
        assert letter.status_code == 200
        assert letter.json()["text"][citation["start"]:citation["end"]] == citation["text"]


def test_follow_up_uses_the_history(api):
    answer = api.http.post("/ask", json={"question": "And Trafford?",
                                         "history": ["Which councils perform adequately?"]}).json()
    assert {r["council"] for r in answer["ratings"]} == {TRAFFORD}
    assert "Performs well" in answer["answer"]


def test_search_with_a_council_filter(api):
    result = api.http.get("/search", params={"q": "private fostering", "k": 3, "council": "Trafford"}).json()
    assert result["query"] == "private fostering"
    assert 1 <= len(result["hits"]) <= 3
    for hit in result["hits"]:
        assert set(hit) >= CITATION_FIELDS | {"score"}
        assert hit["council"] == TRAFFORD
    assert any("private fostering" in hit["text"] for hit in result["hits"])


def test_search_with_year_and_kind_filters(api):
    hits = api.http.get("/search", params={"q": "staying safe", "year": 2008, "kind": "apa"}).json()["hits"]
    assert hits and {(h["year"], h["kind"]) for h in hits} == {(2008, "apa")}


@pytest.mark.parametrize("params, expected", [
    ({}, None),
    ({"council": "Stoke-on-Trent"}, [(STOKE, 2009, "annual_rating", "Performs adequately", 2)]),
    ({"year": "2009", "kind": "annual_rating"}, "annual 2009"),
    ({"kind": "apa"}, "apa"),
])
def test_ratings_filters(api, params, expected):
    response = api.http.get("/ratings", params=params)
    assert response.status_code == 200
    rows = response.json()["ratings"]
    assert rows and all(set(r) >= RATING_FIELDS for r in rows)
    if expected is None:
        assert {r["council"] for r in rows} == SEED_COUNCILS
    elif expected == "annual 2009":
        assert {(r["year"], r["kind"]) for r in rows} == {(2009, "annual_rating")}
        assert {r["council"] for r in rows} == SEED_COUNCILS
    elif expected == "apa":
        assert {r["kind"] for r in rows} == {"apa"}
    else:
        assert [(r["council"], r["year"], r["kind"], r["label"], r["grade"]) for r in rows] == expected


def test_letters_list_and_one_letter(api):
    letters = api.http.get("/letters").json()["letters"]
    assert sorted(x["letter"] for x in letters) == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert {x["council"] for x in letters} == SEED_COUNCILS
    first = letters[0]
    letter = api.http.get(f"/letters/{first['letter']}").json()
    assert {k: v for k, v in letter.items() if k != "text"} == first
    assert letter["text"].startswith("Aviation House") or len(letter["text"]) > 1000


@pytest.mark.parametrize("name", ["nope.txt", "sub/dir/004.txt", "..%2F..%2Fetc%2Fpasswd"])
def test_an_unknown_letter_is_404(api, name):
    response = api.http.get(f"/letters/{name}")
    assert response.status_code == 404
    assert response.json()["error"].startswith("no indexed letter is named ")
    assert response.json()["error"].endswith("; GET /api/letters lists them")


def test_health(api):
    health = api.http.get("/health").json()
    assert health["ok"] is True and health["letters"] == 5
    assert isinstance(health["generation"], int) and isinstance(health["model_loaded"], bool)
    api.http.post("/ask", json={"question": "What did Ofsted say about private fostering in Trafford?"})
    assert api.http.get("/health").json()["model_loaded"] is True  # an open question has embedded by now


def test_openapi_documents_the_endpoints(api):
    schema = api.http.get("/openapi.json").json()
    assert {"/ask", "/search", "/ratings", "/judgements", "/letters", "/letters/{letter}", "/health"} <= set(
        schema["paths"])
    names = {p["name"] for p in schema["paths"]["/judgements"]["get"]["parameters"]}
    assert names == {"service", "level", "council", "year", "kind", "comparison"}
    docs = api.http.get("/docs")
    assert docs.status_code == 200 and "/api/openapi.json" in docs.text


def resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_openapi_gives_every_endpoints_response_schema(api):
    """Each endpoint's 200 has a schema naming its fields (the JSON's), and its errors theirs."""
    schema = api.http.get("/openapi.json").json()
    assert schema["servers"] == [{"url": "/api"}]
    operations = [(path, method, op) for path, methods in schema["paths"].items() for method, op in methods.items()]
    assert len(operations) == 9
    for path, method, op in operations:
        content = op["responses"]["200"]["content"]
        if path == "/letters/{letter}/file":
            assert content["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}
            continue
        body = resolve(schema, content["application/json"]["schema"])
        assert body["type"] == "object" and body["properties"] and body["required"], (method, path, body)
        error = resolve(schema, op["responses"]["400"]["content"]["application/json"]["schema"])
        assert error["required"] == ["error"], (method, path)
    fields = {path: set(resolve(schema, methods[next(iter(methods))]["responses"]["200"]["content"]
                                ["application/json"]["schema"])["required"])
              for path, methods in schema["paths"].items() if path != "/letters/{letter}/file"}
    assert fields["/ask"] >= {"question", "answer", "citations", "ratings"}
    assert fields["/search"] == {"query", "hits"} and fields["/ratings"] == {"ratings"}
    hit = resolve(schema, resolve(schema, schema["paths"]["/search"]["get"]["responses"]["200"]["content"]
                                  ["application/json"]["schema"])["properties"]["hits"]["items"])
    assert set(CITATION_FIELDS) | {"score"} <= set(hit["properties"])
    assert "HTTPBasic" not in schema.get("components", {}).get("securitySchemes", {})  # this server has none


# --- errors ----------------------------------------------------------------------------------


KIND_ERROR = ("kind must be one of sif, ilacs, focused_visit, monitoring_visit, jtai, apa_services, apa, "
              "annual_assessment, annual_rating, unannounced, letter")

@pytest.mark.parametrize("method, path, body, status, message", [
    ("POST", "/ask", {"question": "   "}, 400, "the question is empty; type a question about the letters"),
    ("POST", "/ask", {"question": "x" * 5000}, 400,
     "the question is 5,000 characters long; the limit is 1,000: shorten it"),
    ("POST", "/ask", {"question": 5}, 422, "question: input should be a valid string"),
    ("POST", "/ask", {"question": "Why?", "history": "abc"}, 422, "history: input should be a valid list"),
    ("POST", "/ask", {"question": "Why?", "history": [1]}, 422, "history.0: input should be a valid string"),
    ("POST", "/ask", {"question": "Why?", "history": ["a"] * 51}, 400,
     "history holds at most 50 questions; send the latest ones"),
    ("POST", "/ask", {}, 422, "question is required"),
    ("POST", "/ask", b"{not json", 422, "the request body is not valid JSON"),
    ("POST", "/ask", b'{"question": "' + b"x" * 300_000 + b'"}', 413,
     "the request body is over 256 KB; send one question and its history"),
    ("GET", "/search?q=fostering&k=abc", None, 400, "k must be a whole number from 1 to 100, not 'abc'"),
    ("GET", "/search?q=fostering&k=0", None, 400, "k must be a whole number from 1 to 100, not 0"),
    ("GET", "/search?q=fostering&k=101", None, 400, "k must be a whole number from 1 to 100, not 101"),
    ("GET", "/search?q=fostering&year=abc", None, 400, "year must be a whole number such as 2009, not 'abc'"),
    ("GET", "/search?q=fostering&kind=zzz", None, 400, KIND_ERROR + ", not 'zzz'"),
    ("GET", "/search?q=%20", None, 400, "q is empty; give words to search the letters for"),
    ("GET", "/search?k=3", None, 422, "q is required"),
    ("GET", "/ratings?year=20x9", None, 400, "year must be a whole number such as 2009, not '20x9'"),
    ("GET", "/ratings?kind=annual", None, 400, KIND_ERROR + ", not 'annual'"),
    ("GET", "/judgements?service=nothing", None, 400, "unknown service 'nothing'; services: private_fostering, "
     "fostering, adoption, childrens_homes, nursery_schools, primary_schools, secondary_schools, special_schools, "
     "sixth_forms, pupil_referral_units, childminding, childcare, early_years, serious_case_reviews, "
     "youth_offending, camhs, looked_after_children, care_leavers, contact_referral_assessment, lscb, "
     "safeguarding, schools, being_healthy, staying_safe, enjoying_achieving, positive_contribution, "
     "economic_wellbeing"),
    ("GET", "/judgements?level=middling", None, 400,
     "unknown level 'middling'; levels: outstanding, good, adequate, inadequate"),
    ("GET", "/judgements?comparison=sideways", None, 400, "comparison must be 'above', 'in_line' or 'below'"),
    ("GET", "/ask", None, 405, "Method Not Allowed"),
    ("GET", "/nothing", None, 404, "no such endpoint; see /api/docs"),
])
def test_errors_are_one_line_with_exact_status(api, method, path, body, status, message):
    if isinstance(body, bytes):
        response = api.http.request(method, path, content=body, headers={"content-type": "application/json"})
    else:
        response = api.http.request(method, path, json=body)
    assert (response.status_code, response.json()) == (status, {"error": message})
    api.no_traceback()


def test_upload_when_uploads_are_off_is_403(api):
    response = api.http.post("/letters", files={"files": ("new.txt", b"Dear Sir", "text/plain")})
    assert response.status_code == 403
    assert response.json() == {"error": "uploads are off: this server has no password (--insecure-no-auth); "
                                        "--allow-uploads turns them on"}
    api.no_traceback()


# --- uploads and auth --------------------------------------------------------------------------


def test_auth_is_needed_when_the_server_has_one(upload_api):
    bare = httpx.get(upload_api.url + "api/health")
    assert bare.status_code == 401
    assert bare.headers["www-authenticate"].startswith("Basic ")
    assert bare.json() == {"error": "this server needs a password: send HTTP Basic credentials "
                                    "(curl -u USER:PASSWORD)"}
    assert httpx.get(upload_api.url + "api/health", auth=(AUTH[0], "wrong")).status_code == 401
    assert httpx.get(upload_api.url + "api/docs").status_code == 401
    assert httpx.get(upload_api.url + "api/nothing").status_code == 401  # no endpoint: the password first too
    assert httpx.get(upload_api.url + "api/ask").status_code == 401
    assert upload_api.http.get("/health").status_code == 200
    assert upload_api.http.get("/nothing").status_code == 404 and upload_api.http.get("/ask").status_code == 405


def test_a_utf8_password_works_and_a_malformed_header_is_a_failed_login(assistant):
    """HTTP Basic as RFC 7617's charset="UTF-8" (the realm says so): FastAPI's HTTPBasic reads ASCII only."""

    from fastapi.testclient import TestClient

    from ui.api import build_api
    from ui.auth import Guard
    from ui.service import Service

    guard = Guard(("lecteur", "mot de passe é€"))
    with TestClient(build_api(Service(assistant), guard)) as client:
        assert client.get("/health", auth=("lecteur", "mot de passe é€")).status_code == 200
        assert client.get("/health", auth=("lecteur", "mot de passe e")).status_code == 401
        malformed = client.get("/health", headers={"Authorization": "Basic %%%"})
        assert malformed.status_code == 401 and malformed.json()["error"].startswith("this server needs a password")
        assert len(guard._failures["testclient"]) == 2  # both wrong ones counted; the right one cleared them
        big = b'{"question": "' + b"x" * 300_000 + b'"}'  # over the body cap: still the password first
        assert client.post("/ask", content=big, headers={"content-type": "application/json"}).status_code == 401
        assert client.post("/ask", content=big, headers={"content-type": "application/json"},
                           auth=("lecteur", "mot de passe é€")).status_code == 413
        schema = client.get("/openapi.json", auth=("lecteur", "mot de passe é€")).json()
        assert schema["components"]["securitySchemes"]["HTTPBasic"] == {
            "type": "http", "scheme": "basic", "description": "the server's USER:PASSWORD (letters-qa serve)"}


def test_upload_of_a_non_letter_is_rejected_with_the_reason(upload_api):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    response = upload_api.http.post("/letters", files={"files": ("chart.png", png, "image/png")})
    reason = f"not a letter file (expected {', '.join(LETTER_SUFFIXES)})"
    assert response.status_code == 400
    assert response.json() == {"error": f"no letter was added: chart.png: {reason}", "added": [], "already_there": [],
                               "skipped": [{"file": "chart.png", "reason": reason}], "index": None,
                               "index_error": None, "conflicts": [], "summary": f"Skipped 1: chart.png: {reason}."}
    assert not (upload_api.letters / "chart.png").exists()
    upload_api.no_traceback()


def test_upload_without_files_is_400(upload_api):
    response = upload_api.http.post("/letters", data={"other": "x"}, files={"x": ("a.txt", b"a", "text/plain")})
    assert (response.status_code, response.json()) == (
        400, {"error": "no files: send each letter in a multipart field named files"})


def test_uploaded_letter_is_indexed_and_answers(upload_api):
    text = make_annual_letter("Wigan", "Wigan Metropolitan Borough Council", "poorly")
    before = upload_api.http.get("/health").json()
    response = upload_api.http.post("/letters", files={"files": ("wigan 2009.txt", text.encode(), "text/plain")})
    assert response.status_code == 200, response.text
    result = response.json()
    wigan = {"file": "wigan 2009.txt", "letter": "wigan_2009.txt", "council": "Wigan Metropolitan Borough Council",
             "short_name": "Wigan", "year": 2009, "kind": "annual_rating", "rating": "Performs poorly", "grade": 1}
    assert result["added"] == [wigan]
    assert result["already_there"] == [] and result["skipped"] == [] and result["index_error"] is None
    assert result["index"]["added"] == ["wigan_2009.txt"] and result["index"]["letters"] == before["letters"] + 1
    assert result["summary"] == (f"Added 1 letter: Wigan 2009 (performs poorly, wigan_2009.txt). "
                                 f"The index now holds {before['letters'] + 1} letters.")
    assert (upload_api.letters / "wigan_2009.txt").read_text(encoding="utf-8") == text

    health = upload_api.http.get("/health").json()
    assert (health["letters"], health["generation"]) == (before["letters"] + 1, result["index"]["generation"])
    assert "wigan_2009.txt" in {x["letter"] for x in upload_api.http.get("/letters").json()["letters"]}
    answer = upload_api.http.post("/ask", json={"question": "Which councils perform poorly?"}).json()
    assert {r["council"] for r in answer["ratings"]} == {"Wigan Metropolitan Borough Council"}
    letter = upload_api.http.get("/letters/wigan_2009.txt").json()
    for citation in answer["citations"]:
        assert letter["text"][citation["start"]:citation["end"]] == citation["text"]

    # The same bytes under another name are already there: not copied twice, nothing to index.
    again = upload_api.http.post("/letters", files={"files": ("copy.txt", text.encode(), "text/plain")})
    assert again.status_code == 200, again.text
    assert again.json()["already_there"] == [{**wigan, "file": "copy.txt", "same_text": False}]
    assert again.json()["added"] == [] and again.json()["index"] is None
    assert again.json()["summary"] == "Already in the letters folder: copy.txt (as wigan_2009.txt)."
    assert not (upload_api.letters / "copy.txt").exists()
    assert upload_api.http.get("/health").json()["generation"] == result["index"]["generation"]
    upload_api.no_traceback()


# --- uploads through index/intake.py, and original files ------------------------------------


def parser_reason(data: bytes) -> str:
    """Why the letter parser refuses `data`: the reason an upload of it must be skipped with."""
    with pytest.raises(LetterError) as refused:
        parse_letter(data, "x.txt")
    return refused.value.reason


def test_upload_of_several_files_adds_the_letter_and_says_why_the_others_were_not(upload_api):
    text = make_annual_letter("Bolton", "Bolton Metropolitan Borough Council", "excellently")
    seed = (SEEDS / "003_e59f001d04c76981.txt").read_bytes()
    before = sorted(p.name for p in upload_api.letters.iterdir())
    response = upload_api.http.post("/letters", files=[
        ("files", ("../../bolton.txt", text.encode(), "text/plain")),
        ("files", ("notes.txt", b"shopping list: milk", "text/plain")),
        ("files", ("seed copy.txt", seed, "text/plain")),
        ("files", ("empty.md", b"", "text/markdown")),
    ])
    assert response.status_code == 200, response.text
    result = response.json()
    assert [(a["file"], a["letter"], a["council"], a["rating"]) for a in result["added"]] == [
        ("../../bolton.txt", "bolton.txt", "Bolton Metropolitan Borough Council", "Performs excellently")]
    assert [(a["file"], a["letter"]) for a in result["already_there"]] == [
        ("seed copy.txt", "003_e59f001d04c76981.txt")]
    assert result["skipped"] == [{"file": "notes.txt", "reason": parser_reason(b"shopping list: milk")},
                                 {"file": "empty.md", "reason": "empty file"}]
    assert result["index"]["added"] == ["bolton.txt"]
    assert "letters_dir" not in result and "index_dir" not in result["index"]  # no server paths in the answer
    assert sorted(p.name for p in upload_api.letters.iterdir()) == sorted([*before, "bolton.txt"])
    assert (upload_api.letters / "bolton.txt").read_text(encoding="utf-8") == text
    upload_api.no_traceback()


def test_upload_into_a_folder_that_lacks_indexed_letters_is_refused_409(upload_api):
    seed = upload_api.letters / "000_be5145f8e9499e13.txt"
    aside = upload_api.letters.parent / "aside.txt"
    seed.rename(aside)
    try:
        text = make_annual_letter("Bury", "Bury Metropolitan Borough Council", "well")
        response = upload_api.http.post("/letters", files={"files": ("bury.txt", text.encode(), "text/plain")})
    finally:
        aside.rename(seed)
    assert response.status_code == 409
    assert response.json()["error"].startswith(f"the letters folder {upload_api.letters} lacks 1 indexed letter(s) "
                                               "(e.g. 000_be5145f8e9499e13.txt); an update from it would drop them")
    assert not (upload_api.letters / "bury.txt").exists()
    upload_api.no_traceback()


def test_original_file_is_the_letters_bytes_as_an_attachment(api):
    for seed in sorted(SEEDS.glob("*.txt")):
        response = api.http.get(f"/letters/{seed.name}/file")
        assert response.status_code == 200, response.text
        assert response.content == seed.read_bytes()
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.headers["content-disposition"] == f'attachment; filename="{seed.name}"'
        assert response.headers["x-content-type-options"] == "nosniff"
    api.no_traceback()


@pytest.mark.parametrize("name", ["nope.txt", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "..%2Fmanifest.json",
                                  "sub/004_2db2c4d829b3adf3.txt", "..%2Fseeds%2F004_2db2c4d829b3adf3.txt"])
def test_original_file_of_an_unindexed_name_is_404(api, name):
    response = api.http.get(f"/letters/{name}/file")
    assert response.status_code == 404
    assert response.json()["error"].startswith("no indexed letter is named ")
    assert response.json()["error"].endswith("; GET /api/letters lists them")


def test_original_file_needs_the_password_and_says_when_the_file_changed(upload_api):
    name = "004_2db2c4d829b3adf3.txt"
    bare = httpx.get(upload_api.url + f"api/letters/{name}/file")
    assert bare.status_code == 401 and bare.content.startswith(b'{"error"')
    assert upload_api.http.get(f"/letters/{name}/file").content == (SEEDS / name).read_bytes()

    path = upload_api.letters / name
    original = path.read_bytes()
    path.write_bytes(original.replace(b"perform adequately", b"perform well"))
    try:
        changed = upload_api.http.get(f"/letters/{name}/file")
    finally:
        path.write_bytes(original)
    assert changed.status_code == 409
    assert changed.json() == {"error": f"{name}: its file has changed since it was indexed; "
                                       "run `letters-qa index` to index it again"}
    upload_api.no_traceback()


# The questions issue 11 found unanswered, with what each answer must hold.
FIRST_LIST = [
    ("Which councils got the top grade in 2009?", "Performs well (3)", {"Stockport Metropolitan Borough Council",
                                                                       "Stockton-on-Tees Borough Council", TRAFFORD}),
    ("Which council came bottom?", "Performs adequately (2)", {STOKE}),
    ("Give me an overview of Stockport's 2009 letter", "Areas for development",
     {"Stockport Metropolitan Borough Council"}),
    ("Who wrote to Stockton-on-Tees?", "Juliet Winstanley", {"Stockton-on-Tees Borough Council"}),
    ("What date is the Stoke-on-Trent letter?", "9 December 2009", {STOKE}),
    ("What is going badly in Stockport?", "Rates of Chlamydia", {"Stockport Metropolitan Borough Council"}),
    ("What are Trafford's areas for development?", "receive a custodial sentence", {TRAFFORD}),
]


@pytest.mark.parametrize(("question", "said", "cited"), FIRST_LIST, ids=[q for q, _, _ in FIRST_LIST])
def test_the_questions_people_ask_answer_alike_in_python_cli_and_http(api, assistant, capsys, monkeypatch,
                                                                       real_embedder, question, said, cited):
    """The same answer, text and citations, from `Assistant.ask`, `letters-qa ask --json` and
    POST /api/ask (the browser test asks them in the web UI)."""
    import json

    import index.embedder
    from ui.cli import main

    python = json.loads(json.dumps(assistant.ask(question).to_dict()))
    loaded = real_embedder.model
    monkeypatch.setattr(index.embedder.SentenceTransformerEmbedder, "model", property(lambda self: loaded))
    assert main(["ask", "--json", "--index", str(assistant.index_dir), question]) in (0, None)
    cli = json.loads(capsys.readouterr().out)
    http = api.http.post("/ask", json={"question": question}).json()
    for answer in (python, cli, http):
        assert said in answer["answer"]
        assert {c["council"] for c in answer["citations"]} == cited
        assert (answer["answer"], answer["citations"]) == (python["answer"], python["citations"])
    assert_citations_are_letter_slices(api, http["citations"])


# --- issue 23: every judgement as data, the same through every interface ---------------------------

STOCKTON, STOCKPORT = "Stockton-on-Tees Borough Council", "Stockport Metropolitan Borough Council"
JUDGEMENT_QUESTIONS = [
    ("Which councils have inadequate private fostering?", "**1 council** whose letter judges private fostering "
     "inadequate (complete", {TRAFFORD}, {"complete": True, "matches": 1, "shown": 1, "letters": 1}),
    ("How many councils have good private fostering?", "**2 councils**", {STOCKTON, STOKE},
     {"complete": True, "matches": 2, "shown": 2, "letters": 2}),
    ("Which councils' primary schools are above similar areas?", "above similar areas",
     {STOCKPORT, STOCKTON, TRAFFORD}, {"complete": True, "matches": 3, "shown": 3, "letters": 3}),
    ("Which councils have more than 3 children's homes?", "counts more than 3 children's homes", {STOCKTON, STOKE},
     {"complete": True, "matches": 2, "shown": 2, "letters": 2}),
    ("Which councils' fostering got worse between their 2008 and 2009 letters?", "2008 fostering service "
     "“outstanding” [1] → 2009 fostering service “good” [2]", {STOCKPORT}, None),
    ("Is private fostering in Trafford good?", "- No: asked whether it is good", {TRAFFORD}, None),
    ("What did Ofsted say about Trafford?", "Judged inadequate or below similar areas in its 2009 annual rating: "
     "private fostering", {TRAFFORD}, None),
    ("What did the letter to Stockport say?", "Ratings, oldest first", {STOCKPORT}, None),
    ("Tell me about Stoke-on-Trent", "Main strengths (2009)", {STOKE}, None),
    ("How is Stockton-on-Tees doing?", "secondary schools (“inadequate” (2 of 14))", {STOCKTON}, None),
]


@pytest.mark.parametrize(("question", "said", "cited", "coverage"), JUDGEMENT_QUESTIONS,
                         ids=[q for q, *_ in JUDGEMENT_QUESTIONS])
def test_judgement_questions_answer_alike_in_python_cli_and_http(api, assistant, capsys, question, said, cited,
                                                                 coverage):
    """Issue 23's questions: every council, the count first, one citation each, the same JSON from
    `Assistant.ask`, `letters-qa ask --json` and POST /api/ask (the web chat asks them in test_web)."""
    import json

    from ui.cli import main

    python = json.loads(json.dumps(assistant.ask(question).to_dict()))
    assert main(["ask", "--json", "--index", str(assistant.index_dir), question]) in (0, None)
    cli = json.loads(capsys.readouterr().out)
    http = api.http.post("/ask", json={"question": question}).json()
    for answer in (python, cli, http):
        assert said in answer["answer"], answer["answer"]
        assert {c["council"] for c in answer["citations"]} == cited
        assert answer == python
        if coverage:
            assert answer["coverage"] == coverage
            assert {j["council"] for j in answer["judgements"]} == cited
    assert_citations_are_letter_slices(api, http["citations"])


def test_judgements_endpoint_matches_the_cli_and_python(api, assistant, capsys):
    import json

    from qa.answer import judgement_dict
    from ui.cli import main

    http = api.http.get("/judgements", params={"level": "inadequate"}).json()["judgements"]
    assert main(["judgements", "--json", "--level", "poor", "--index", str(assistant.index_dir)]) in (0, None)
    cli = json.loads(capsys.readouterr().out)["judgements"]
    python = [judgement_dict(j) for j in assistant.judgements(level="inadequate")]
    assert http == cli == python
    assert {(j["council"], j["service"], j["count"], j["total"]) for j in http} == {
        (STOCKTON, "secondary_schools", 2, 14), (STOCKTON, "serious_case_reviews", 1, None),
        (TRAFFORD, "private_fostering", None, None)}
    assert not any(j["negated"] for j in http)  # "no inadequate primary schools" is not an inadequate one
    for row in http:  # the sentence and the clause are the letter's own text
        text = api.http.get(f"/letters/{row['letter']}").json()["text"]
        assert text[row["start"]:row["end"]] == row["text"]
        assert row["start"] <= row["clause_start"] < row["clause_end"] <= row["end"]
        assert row["word"] in text[row["clause_start"]:row["clause_end"]]
    one = api.http.get("/judgements", params={"service": "children's homes", "council": "Stoke-on-Trent"}).json()
    assert [(j["level"], j["count"], j["total"], j["negated"]) for j in one["judgements"]] == [
        ("good", 6, 6, False), ("inadequate", 0, None, True)]


def test_an_open_answer_says_it_is_a_sample_and_all_gives_every_match(api):
    question = "What did Ofsted say about private fostering in Trafford?"
    sample = api.http.post("/ask", json={"question": question}).json()
    assert sample["coverage"]["complete"] is False and sample["coverage"]["matches"] > sample["coverage"]["shown"]
    assert "a sample, not a list of every council" in sample["answer"]
    every = api.http.post("/ask", json={"question": question, "all": True}).json()
    assert every["coverage"]["complete"] is True and every["coverage"]["matches"] == sample["coverage"]["matches"]
    assert "Every passage that holds the question's words" in every["answer"]
    assert {c["text"] for c in sample["citations"]} <= {c["text"] for c in every["citations"]} or all(
        any(s["text"] in e["text"] for e in every["citations"]) for s in sample["citations"])
    assert_citations_are_letter_slices(api, every["citations"])
