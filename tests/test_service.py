"""ui/service.py: the one service under the web UI and the JSON API, without either of them.

The HTTP and Gradio tests (test_json_api.py, test_http_fuzz.py, test_web*.py) check what each
front end makes of it; these check the Service itself: its limits, its one upload at a time, and
that it loads neither Gradio nor FastAPI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading

import pytest
from conftest import ROOT, SEEDS, FakeEmbedder, make_annual_letter

from index import update_index
from index.errors import ArgumentError, QuestionError
from qa import Assistant
from qa.params import MAX_K
from ui.service import Service, UploadBusy, UploadsOff

TRAFFORD = "Trafford Metropolitan Borough Council"


@pytest.fixture(scope="module")
def service(assistant):
    return Service(assistant)


def test_importing_the_service_loads_no_front_end():
    code = "import sys, ui.service; print(sorted({'gradio', 'fastapi', 'starlette'} & set(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout.strip()) == (0, "[]"), run.stderr[-2000:]


def test_the_answers_are_the_json_of_the_docs(service, assistant):
    assert service.ratings(council="Trafford") == {"ratings": [r for r in service.ratings()["ratings"]
                                                               if r["council"] == TRAFFORD]}
    found = service.ratings(council="Trafferd")
    assert found["notes"] == ['council "Trafferd" read as Trafford'] and found["council_filter"][0]["read_as"]
    hits = service.search("private fostering", k=3, council="  Trafford ")
    assert hits["query"] == "private fostering" and 0 < len(hits["hits"]) <= 3 and "notes" not in hits
    assert {hit["council"] for hit in hits["hits"]} == {TRAFFORD}
    answer = service.ask("Which councils perform adequately?")
    assert answer == assistant.ask("Which councils perform adequately?").to_dict()
    assert len(service.letters()) == 5 and service.health()["letters"] == 5


def test_a_letter_is_found_by_its_name(service, assistant):
    name = assistant.letters()[0].name
    info, text = service.letter(name)
    assert info.name == name and text == assistant.reader.letter_text(name)
    assert service.letter("nope.txt") is None and service.letter(f"../{name}") is None


@pytest.mark.parametrize(("call", "error", "says"), [
    (lambda s: s.search("fostering", k=0), ArgumentError, f"k must be a whole number from 1 to {MAX_K}, not 0"),
    (lambda s: s.search("fostering", k=MAX_K + 1), ArgumentError, f"not {MAX_K + 1}"),
    (lambda s: s.ratings(year=99), ArgumentError, "year must be a whole number such as 2009, not 99"),
    (lambda s: s.ratings(kind="annual"), ArgumentError, "kind must be one of sif, ilacs, "),
    (lambda s: s.judgements(council="x" * 1001), ArgumentError, "council is 1,001 characters long; the limit is 1,000"),
    (lambda s: s.judgements(level="middling"), ArgumentError, "unknown level 'middling'"),
    (lambda s: s.ask("   "), QuestionError, "the question is empty"),
    (lambda s: s.ask("And Trafford?", ["Which councils perform well?"] * 51), ArgumentError,
     "history holds at most 50 questions; send the latest ones"),
])
def test_a_mistake_is_one_line_naming_it(service, call, error, says):
    with pytest.raises(error) as raised:
        call(service)
    assert says in str(raised.value) and "\n" not in str(raised.value)


def test_uploads_run_one_at_a_time_and_only_with_a_letters_folder(assistant, tmp_path):
    with pytest.raises(UploadsOff, match="uploads are off: this server has no letters folder"):
        Service(assistant).add_letters([])
    letters, index = tmp_path / "letters", tmp_path / "index"
    shutil.copytree(SEEDS, letters)
    update_index(letters, index, embedder=FakeEmbedder())
    service = Service(Assistant.open(index, embedder=FakeEmbedder()), letters)
    entered, release = threading.Event(), threading.Event()

    def slow(done: int, total: int) -> None:  # the first upload's embedding, held until the second is tried
        entered.set()
        release.wait(60)

    new = tmp_path / "wigan.txt"
    new.write_text(make_annual_letter("Wigan", "Wigan Metropolitan Borough Council", "well"), encoding="utf-8")
    reports = []
    first = threading.Thread(target=lambda: reports.append(service.add_letters([(new, "wigan.txt")], slow)))
    first.start()
    try:
        assert entered.wait(60), "the first upload never embedded"
        with pytest.raises(UploadBusy, match="another upload is being indexed; try again when it has finished"):
            service.add_letters([(new, "wigan-again.txt")])
    finally:
        release.set()
        first.join(120)
    assert [added.letter for added in reports[0].added] == ["wigan.txt"]
    assert service.add_letters([(new, "wigan-again.txt")]).already_there  # the lock is free again
