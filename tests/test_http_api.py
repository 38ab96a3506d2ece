"""The HTTP API of `letters-qa serve`, through gradio_client, against a real server process.

The server runs the way a user starts it (`python -m ui serve`) on a free port of
127.0.0.1, over the session's seeds index; examples/api_client.py (the README's script)
is run against it as a separate process too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port, stop_server, wait_until_ready

ROOT = Path(__file__).resolve().parent.parent
CITATION_FIELDS = {"letter", "council", "year", "kind", "section", "text", "start", "end"}
RATING_FIELDS = {"council", "year", "kind", "area", "label", "grade", "letter"}
STOKE = "Stoke-on-Trent City Council"


@pytest.fixture(scope="module")
def server_url(seeds_index, tmp_path_factory):
    """`python -m ui serve` on the seeds index; uploads go to an empty scratch folder, never seeds/."""
    scratch = tmp_path_factory.mktemp("http-api")
    log = scratch / "server.log"
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    command = [sys.executable, "-m", "ui", "serve", "--index", str(seeds_index), "--port", str(port),
               "--letters", str(scratch)]
    with open(log, "w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_ready(url, server, log)
        yield url
    finally:
        stop_server(server)


def test_api_client_example_prints_the_design_json(server_url):
    run = subprocess.run([sys.executable, str(ROOT / "examples" / "api_client.py"), server_url],
                         capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)

    answer = result["ask"]
    assert answer["question"] == "Which councils perform adequately?"
    assert {r["council"] for r in answer["ratings"]} == {STOKE}
    assert {c["council"] for c in answer["citations"]} == {STOKE}
    assert set(answer["ratings"][0]) >= RATING_FIELDS
    assert answer["citations"][0]["text"] == "Children's services in Stoke-on-Trent City Council perform adequately."

    hits = result["search"]["hits"]
    assert result["search"]["query"] == "private fostering"
    assert 1 <= len(hits) <= 3
    for hit in hits:
        assert set(hit) >= CITATION_FIELDS | {"score"}
        assert hit["council"] == "Trafford Metropolitan Borough Council"
    assert any("private fostering" in hit["text"] for hit in hits)

    assert [(r["council"], r["label"], r["grade"]) for r in result["ratings"]["ratings"]] == [
        (STOKE, "Performs adequately", 2)
    ]


@pytest.fixture(scope="module")
def client(server_url):
    from gradio_client import Client

    return Client(server_url, verbose=False)


def test_only_the_three_api_endpoints_are_named(client):
    endpoints = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert set(endpoints) == {"/ask", "/search", "/ratings"}


def test_follow_up_uses_the_history(client):
    answer = client.predict("And Trafford?", ["Which councils perform adequately?"], api_name="/ask")
    assert isinstance(answer, dict)
    assert {r["council"] for r in answer["ratings"]} == {"Trafford Metropolitan Borough Council"}
    assert "Performs well" in answer["answer"]


def test_ratings_without_filters_lists_every_seed_council(client):
    rows = client.predict(api_name="/ratings")["ratings"]
    assert {r["council"] for r in rows} == {
        "Stockport Metropolitan Borough Council", "Stockton-on-Tees Borough Council", STOKE,
        "Trafford Metropolitan Borough Council",
    }


def test_an_empty_question_is_a_clear_error(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="the question is empty"):
        client.predict("  ", api_name="/ask")
