"""The HTTP API under wrong types and random input, against one real `letters-qa serve`.

Plain HTTP (POST /gradio_api/call/<name>, then read its event stream), so any JSON can be
sent: text where a number belongs, lists, objects, 100 kB strings, lone surrogates, too
few values. Every reply must be a proper result or an error whose message says what was
wrong, the server must keep answering, and its log must hold no traceback. Hypothesis
runs a few hundred cases with no database, its cache in a temporary folder.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import free_port, stop_server, wait_until_ready
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

pytestmark = pytest.mark.slow  # a live server fuzzed over HTTP

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = {"ask": ("question", "history"), "search": ("query", "k", "council", "year"),
             "ratings": ("council", "year")}
RESULT_KEYS = {"ask": {"question", "answer", "intent", "citations", "ratings"}, "search": {"query", "hits"},
               "ratings": {"ratings"}}

if not os.getenv("HYPOTHESIS_STORAGE_DIRECTORY"):  # as tests/test_fuzz_letters.py: no .hypothesis/ here
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "letters-qa-hypothesis")


@pytest.fixture(scope="module")
def api(seeds_index, tmp_path_factory):
    """`python -m ui serve` on the seeds index (uploads off); its stdout and stderr go to `log`."""
    scratch = tmp_path_factory.mktemp("http-fuzz")
    log, port = scratch / "server.log", free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "ui", "serve", "--index", str(seeds_index), "--port",
                                   str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_ready(url, server, log)
        yield SimpleNamespace(url=url, log=log, server=server)
    finally:
        stop_server(server)


def call(url: str, name: str, data) -> tuple[str, object]:
    """("complete", result), ("error", message) or ("http <status>", body) for one API call."""
    body = json.dumps({"data": data}).encode()  # lone surrogates travel as "\udXXX" escapes
    request = urllib.request.Request(f"{url}gradio_api/call/{name}", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            event_id = json.loads(response.read())["event_id"]
    except urllib.error.HTTPError as exc:
        return f"http {exc.code}", json.loads(exc.read() or b"null")
    with urllib.request.urlopen(f"{url}gradio_api/call/{name}/{event_id}", timeout=120) as response:
        stream = response.read().decode()
    events = [block.split("\n") for block in stream.strip().split("\n\n")]
    last = [(e[0].removeprefix("event: "), e[1].removeprefix("data: ")) for e in events if len(e) == 2][-1]
    kind, payload = last[0], json.loads(last[1])
    if kind == "complete":
        return kind, payload[0]
    return kind, payload.get("error") if isinstance(payload, dict) else payload


def new_log(api, since: int) -> str:
    return api.log.read_text(errors="replace")[since:]


# --- task 3: wrong types and sizes get a clear error, never a traceback ---------------------------


@pytest.mark.parametrize(("name", "data", "says"), [
    ("search", ["fostering", 3, None, "abc"], "year must be a whole number such as 2009, not text"),
    ("search", ["fostering", "x", None, None], "k must be a whole number from 1 to 100, not text"),
    ("search", ["fostering", 0, None, None], "k must be a whole number from 1 to 100"),
    ("search", ["fostering", 2.5, None, None], "k must be a whole number from 1 to 100"),
    ("search", ["fostering", True, None, None], "k must be a whole number from 1 to 100, not true/false"),
    ("search", [["a"], 3, None, None], "query must be text, not a list"),
    ("search", ["fostering", 3, ["Trafford"], None], "council must be text, not a list"),
    ("search", ["fostering", 3, None, 10**30], "year must be a whole number such as 2009"),
    ("search", ["fostering"], "/search takes 4 values (query, k, council, year); 1 given"),
    ("search", ["", 5, None, None], "the query is empty"),
    ("search", ["a" * 100_000, 5, None, None], "100,000 characters long; the limit is 1,000"),
    ("search", ["fostering", 5, "T" * 100_000, None], "council is 100,000 characters long"),
    ("ask", [5, None], "question must be text, not a number"),
    ("ask", [None, None], "question must be text, not null"),
    ("ask", ["Which councils perform well?", "abc"], "history must be a list of the earlier questions"),
    ("ask", ["Which councils perform well?", [1, 2]], "history must be a list of the earlier questions"),
    ("ask", ["And Trafford?", ["Which councils perform well?"] * 51], "history holds at most 50 questions"),
    ("ask", ["a" * 100_000, None], "the question is 100,000 characters long; the limit is 1,000"),
    ("ask", ["   ", None], "the question is empty"),
    ("ask", [], "/ask takes 2 values (question, history); 0 given"),
    ("ratings", [None, "abc"], "year must be a whole number such as 2009, not text"),
    ("ratings", [5, None], "council must be text, not a number"),
    ("ratings", [{"a": 1}, None], "council must be text, not an object"),
])
def test_wrong_types_get_a_clear_error_and_no_traceback(api, name, data, says):
    since = len(api.log.read_text(errors="replace"))
    kind, message = call(api.url, name, data)
    assert (kind, says in (message or "")) == ("error", True), message
    assert "Traceback" not in new_log(api, since)


@pytest.mark.parametrize(("name", "data"), [
    ("ask", ["Which councils perform \ud800 well?", None]),  # a lone surrogate: JSON allows its escape
    ("search", ["private \udcff fostering", 3, "Traffor\udcffd", 2009]),
    ("search", ["private fostering", 3.0, "", 2009.0]),  # whole numbers as JSON floats
    ("ratings", ["Stoke\udcff", None]),
])
def test_odd_but_valid_input_is_answered(api, name, data):
    since = len(api.log.read_text(errors="replace"))
    kind, result = call(api.url, name, data)
    assert kind == "complete" and set(result) >= RESULT_KEYS[name], result
    assert "Traceback" not in new_log(api, since)


def test_gradio_client_sees_the_message(api):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(api.url, verbose=False)
    with pytest.raises(AppError, match="k must be a whole number from 1 to 100, not text"):
        client.predict("fostering", k="x", api_name="/search")
    with pytest.raises(AppError, match="year must be a whole number such as 2009, not text"):
        client.predict(year="abc", api_name="/ratings")


# --- task 5: random input to every endpoint -----------------------------------------------------

MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "![b](http://127.0.0.1:9/b)", "$$x$$",
          "`", "<!--", "[1]: http://x", "| a | b |", "**", "\\", "&lt;", "\x00", "\u202e", "\ufeff", "\ud800",
          "Stoke-on-Trent", "Trafford", "Which councils perform adequately?", "And Trafford?", "2009"]
TEXT = st.one_of(
    st.text(min_size=1, max_size=60),
    st.text(st.characters(codec=None, categories=["Cc", "Cs", "Zl", "Zp", "Co", "So"]), max_size=40),
    st.lists(st.sampled_from(MARKUP), min_size=1, max_size=6).map(" ".join),
)
LONG = st.builds(lambda word, n: word * n, st.sampled_from(["a", "é ", "<b>", "\ud83d\ude00"]),
                 st.integers(900, 120_000))
WRONG = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=20)), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3), st.just(""), LONG,
)
COUNCILS = st.sampled_from(["Trafford", "Stoke-on-Trent City Council", "stockport", "Barnet", ""])
GOOD = {
    "question": TEXT, "query": TEXT,
    "history": st.one_of(st.none(), st.lists(TEXT, max_size=3)),
    "k": st.integers(1, 100),
    "council": st.one_of(st.none(), COUNCILS, TEXT),
    "year": st.one_of(st.none(), st.integers(2005, 2011)),
}


@st.composite
def api_calls(draw):
    """An endpoint and its values: each mostly of the right type, sometimes anything; now and
    then one value too few or too many."""
    name = draw(st.sampled_from(sorted(ENDPOINTS)))
    params = list(ENDPOINTS[name])
    values = [draw(st.one_of(GOOD[p], GOOD[p], GOOD[p], WRONG)) for p in params]
    arity = draw(st.sampled_from(["same"] * 8 + ["fewer", "more"]))
    if arity == "fewer":
        values = values[: draw(st.integers(0, len(values) - 1))]
    elif arity == "more":
        values.append(draw(WRONG))
    return name, values


def test_fuzz_every_endpoint(api):
    since = len(api.log.read_text(errors="replace"))
    seen: dict[str, int] = {}

    @settings(max_examples=250, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(api_calls())
    # Both paths always run: some runs' random draws give few well-formed calls (15 of 250 in one CI run).
    @example(("ask", ["Which councils perform adequately?", None]))
    @example(("ask", ["What is going badly in Stockport?", []]))
    @example(("ask", ["\ud800 <script>alert(1)</script>", ["And Trafford?"]]))
    @example(("search", ["private fostering", 5, None, None]))
    @example(("search", ["\u202e fostering", 100, "Trafford", 2009]))
    @example(("ratings", [None, None]))
    @example(("ratings", ["stockport", 2008]))
    @example(("ask", ["", None]))
    @example(("search", ["fostering", 0, None, None]))
    @example(("ratings", [None, "2009"]))
    def one(case):
        name, data = case
        kind, payload = call(api.url, name, data)
        seen[kind] = seen.get(kind, 0) + 1
        if kind == "complete":
            assert isinstance(payload, dict) and set(payload) >= RESULT_KEYS[name], payload
        elif kind == "error":  # a message that says something, not gradio's bare "Error"
            assert isinstance(payload, str) and len(payload) > 10, (name, data, payload)
        else:  # a body that is not JSON's idea of the call at all
            assert kind == "http 422" and payload["detail"], (kind, payload)
        assert api.server.poll() is None, "the server died"

    one()
    assert seen.get("complete", 0) >= 7 and seen.get("error", 0) >= 3, seen  # both paths were exercised
    kind, result = call(api.url, "ratings", [None, 2009])
    assert kind == "complete" and len(result["ratings"]) == 4
    log = new_log(api, since)
    assert "Traceback" not in log, log[-3000:]


def test_non_finite_numbers_are_refused(api):
    """JSON has no NaN; Python's json writes it anyway. Refused before our code (422) or by it."""
    kind, payload = call(api.url, "search", ["fostering", math.nan, None, math.inf])
    assert kind in ("http 422", "error") and payload
