"""Hostile documents are refused with one clear line, at bounded cost, and the letters beside them are indexed.

Each hostile file is built here by tests/hostile.py from a few lines of raw PDF or zip syntax
(none is stored): form XObjects that draw each other 10 times, 8 deep; millions of characters
or rectangles on one page; pages of thousands of images; a Word file of 200 MB of empty
paragraphs in 300 KB; a zip entry that states 10 KB and inflates to 1.2 GB; an HTML page of
1.65 million paragraphs; a text letter of too much text or too many passages. Each goes into a
letters folder beside a normal letter (a text letter and a PDF), and `update_index` must skip it
with its reason, index the others, take at most a few seconds, and leave this process's peak
RSS within 100 MB of where it was (the reading happens in a limited child:
index/formats/sandbox.py). A live server takes the form bomb by upload, keeps answering, stays
under 1 GiB and leaves no scratch folder behind.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import hostile
import pytest
from conftest import SEEDS, FakeEmbedder, free_port, stop_server, wait_until_ready

from index.errors import LetterError
from index.formats import MAX_LETTER_CHARS, extract_text, sandbox
from index.formats.docx import MAX_UNPACKED_BYTES, MAX_XML_ELEMENTS
from index.formats.html import MAX_TAGS
from index.formats.pdf import MAX_FORM_DEPTH, MAX_OBJECTS, MAX_PAGE_CHARS, MAX_PAGE_IMAGES, MAX_PAGES
from index.letters import MAX_LETTER_CHUNKS, parse_letter
from index.update import update_index

pytestmark = pytest.mark.slow  # hostile documents read to their limits

ROOT = Path(__file__).resolve().parent.parent
SEED = SEEDS / "000_be5145f8e9499e13.txt"
PDF_SEED = SEEDS / "002_eaefc0db6d347781.txt"
MEMORY = sandbox.memory_refusal()
assert MEMORY == "uses more than 512 MB to read; not a letter"
GROWTH_KB = 100 * 1024  # the most this process's peak RSS may grow while a folder of bombs is indexed


def _chunky_text() -> bytes:
    """A text letter of about 110,000 characters (under the character cap) in 1,200 passages."""
    seed = SEED.read_bytes()
    at = seed.index(b"Yours sincerely")
    paragraph = b"Children's services in this council are judged to be good in each of the ways that matter.\n\n"
    return seed[:at] + paragraph * 1_200 + seed[at:]


def _long_text() -> bytes:
    seed = SEED.read_bytes()
    at = seed.index(b"Yours sincerely")
    return seed[:at] + b"Children's services are good here.\n\n" * 5_000 + seed[at:]


# name -> (builder, the reason it is skipped with)
HOSTILE = {
    "form-bomb.pdf": (lambda: hostile.form_bomb_pdf(8, 10), MEMORY),
    "form-bomb-6.pdf": (lambda: hostile.form_bomb_pdf(6, 10),
                        f"page 1 nests forms more than {MAX_FORM_DEPTH} deep; not a letter"),
    "chars-5M.pdf": (lambda: hostile.many_chars_pdf(5_000_000), MEMORY),
    "chars-100k.pdf": (lambda: hostile.many_chars_pdf(100_000),
                       "too much text on page 1 for a letter (100,099 characters; "
                       f"the cap is {MAX_PAGE_CHARS:,} a page)"),
    "rectangles.pdf": (lambda: hostile.rectangles_pdf(4_000_000), MEMORY),
    "busy-pages.pdf": (lambda: hostile.busy_pages_pdf(100, 40_000),
                       f"draws more than {MAX_OBJECTS:,} objects in its first 7 pages; not a letter"),
    "whitespace.pdf": (lambda: hostile.whitespace_pdf(1_000_000_000), MEMORY),
    "images.pdf": (lambda: hostile.image_objects_pdf(2, 1_000),
                   f"page 1 draws more than {MAX_PAGE_IMAGES} images; not a letter"),
    "many-pages.pdf": (lambda: hostile.image_objects_pdf(200, 99_000),
                       f"too many pages for a letter (200; the cap is {MAX_PAGES})"),
    "zip-bomb.docx": (lambda: hostile.paragraph_bomb_docx(200_000_000),
                      f"a Word file that unpacks to more than {MAX_UNPACKED_BYTES:,} bytes of XML; not a letter"),
    "small-zip-bomb.docx": (lambda: hostile.paragraph_bomb_docx(19_000_000),
                            f"a Word file of more than {MAX_XML_ELEMENTS:,} XML elements; not a letter"),
    "lying.docx": (lambda: hostile.lying_docx(10_000, 1_200_000_000),
                   "a Word file whose part word/document.xml inflates past the 10,000 bytes it states; not a letter"),
    "paragraphs.html": (lambda: hostile.big_html(1_650_000),
                        f"an HTML page of 3,300,008 tags; the cap for a letter is {MAX_TAGS:,}"),
    "long.txt": (_long_text, None),  # the reason names the length: checked below
    "chunky.txt": (_chunky_text, None),
}


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> None:
    """One update first, so that numpy, FAISS and the readers are imported before RSS is measured."""
    folder = tmp_path_factory.mktemp("warm")
    (folder / "letters").mkdir()
    shutil.copy(SEED, folder / "letters")
    (folder / "letters" / "letter.pdf").write_bytes(hostile.letter_pdf(PDF_SEED.read_text()))
    update_index(folder / "letters", folder / "index", embedder=FakeEmbedder())


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_file_is_skipped_at_bounded_cost_and_its_neighbours_are_indexed(tmp_path, warm, name):
    build, reason = HOSTILE[name]
    letters = tmp_path / "letters"
    letters.mkdir()
    (letters / name).write_bytes(build())
    shutil.copy(SEED, letters)
    (letters / "letter.pdf").write_bytes(hostile.letter_pdf(PDF_SEED.read_text()))
    before = _peak_kb()
    start = time.monotonic()
    report = update_index(letters, tmp_path / "index", embedder=FakeEmbedder())
    took = time.monotonic() - start
    grew = _peak_kb() - before
    assert sorted(report.added) == sorted([SEED.name, "letter.pdf"])
    skipped = {item["file"]: item["reason"] for item in report.skipped}
    assert list(skipped) == [name]
    if name == "long.txt":
        size = len(_long_text())
        reason = f"too much text for a letter ({size:,} characters; the cap is {MAX_LETTER_CHARS:,})"
    elif name == "chunky.txt":
        assert skipped[name].startswith("too many passages for a letter (")
        reason = skipped[name]
        assert int(reason.split("(")[1].split(";")[0].replace(",", "")) > MAX_LETTER_CHUNKS
        assert reason.endswith(f"; the cap is {MAX_LETTER_CHUNKS:,})")
    assert skipped[name] == reason
    assert took < 20, f"{name}: the update took {took:.1f} s"
    assert grew < GROWTH_KB, f"{name}: this process's peak RSS grew by {grew / 1024:.0f} MB"


def test_the_bombs_are_refused_by_the_reader_directly_in_seconds():
    """extract_text itself (what the CLI's add, the intake and the uploads reach): the clear line."""
    for name in ("form-bomb.pdf", "lying.docx", "zip-bomb.docx"):
        build, reason = HOSTILE[name]
        start = time.monotonic()
        with pytest.raises(LetterError) as caught:
            extract_text(build(), name)
        assert caught.value.path == name and caught.value.reason == reason
        assert time.monotonic() - start < 15


def test_a_document_over_the_cpu_limit_is_refused_with_the_cpu_line(monkeypatch):
    """100 pages of a million "q Q" each (they draw nothing, so no count stops them) take about
    0.1 s of CPU a page: the CPU limit stops the child (lowered to 1 s here, to keep the test fast)."""
    monkeypatch.setattr(sandbox, "CPU_SECONDS", 1)
    start = time.monotonic()
    with pytest.raises(LetterError) as caught:
        extract_text(hostile.busy_pages_pdf(100, 1_000_000, b"q Q\n"), "slow.pdf")
    assert caught.value.reason == "takes more than 1 s of CPU to read; not a letter"
    assert time.monotonic() - start < 10


def test_a_document_over_the_wall_limit_is_refused_with_the_wall_line(monkeypatch):
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 0.5)
    with pytest.raises(LetterError) as caught:
        extract_text(hostile.busy_pages_pdf(100, 1_000_000, b"q Q\n"), "slow.pdf")
    assert caught.value.reason == "takes more than 0.5 s to read; not a letter"


def test_no_child_is_left_behind(monkeypatch):
    """After refusals by every limit, no child process of this one is still running."""
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 0.5)
    for build, name in ((lambda: hostile.busy_pages_pdf(100, 1_000_000, b"q Q\n"), "slow.pdf"),
                        (HOSTILE["form-bomb.pdf"][0], "form-bomb.pdf")):
        with pytest.raises(LetterError):
            extract_text(build(), name)
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    if children.exists():
        pids = children.read_text().split()
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in pids if Path(f"/proc/{pid}").exists()]
        assert not [c for c in commands if b"index.formats.sandbox" in c]


def test_a_normal_letter_reads_the_same_through_the_child():
    """The child's text is the reader's own (index.formats.read_document in this process)."""
    from index.formats import read_document

    data = hostile.letter_pdf(PDF_SEED.read_text())
    assert extract_text(data, "a.pdf") == read_document(data, "a.pdf", "PDF")
    letter = parse_letter(data, "a.pdf")
    assert letter.council and letter.ratings


def test_the_parent_never_loads_the_document_libraries():
    """A fresh process that reads a PDF, a Word file and an HTML page through parse_letter has
    imported neither pypdfium2, nor lxml, nor docx."""
    code = ("import sys\n"
            "sys.path.insert(0, 'tests')\n"
            "import documents, hostile\n"
            "from pathlib import Path\n"
            "from index.letters import parse_letter\n"
            f"text = Path({str(PDF_SEED)!r}).read_text()\n"
            "for data, name in ((hostile.letter_pdf(text), 'a.pdf'), (documents.web_page(text), 'a.html')):\n"
            "    parse_letter(data, name)\n"
            "print(sorted(m for m in ('pypdfium2', 'lxml', 'lxml.etree', 'docx') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


# --- a live server --------------------------------------------------------------------------------


def test_a_server_survives_an_uploaded_bomb_and_removes_its_scratch_files(seeds_index, tmp_path):
    import httpx

    letters, index, scratch = tmp_path / "letters", tmp_path / "index", tmp_path / "tmp"
    shutil.copytree(SEEDS, letters)
    shutil.copytree(seeds_index, index)
    scratch.mkdir()
    auth = ("reader", "s3cret-pass")
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "TMPDIR": str(scratch)}
    env.pop("LETTERS_QA_AUTH", None)
    log = tmp_path / "server.stderr"
    with open(log, "w") as err:
        server = subprocess.Popen([sys.executable, "-m", "ui", "serve", "--port", str(port), "--index", str(index),
                                   "--letters", str(letters), "--auth", ":".join(auth)],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_ready(url, server, log)
        http = httpx.Client(base_url=url + "api", timeout=120, auth=auth)
        bomb = hostile.form_bomb_pdf(8, 10)
        zip_bomb = hostile.paragraph_bomb_docx(200_000_000)
        letter = hostile.letter_pdf(make_letter_text())
        response = http.post("/letters", files=[("files", ("bomb.pdf", bomb, "application/pdf")),
                                                ("files", ("bomb.docx", zip_bomb, "application/octet-stream")),
                                                ("files", ("newtown.pdf", letter, "application/pdf"))])
        assert response.status_code == 200, response.text
        result = response.json()
        assert {item["file"]: item["reason"] for item in result["skipped"]} == {
            "bomb.pdf": MEMORY, "bomb.docx": HOSTILE["zip-bomb.docx"][1]}
        assert [item["file"] for item in result["added"]] == ["newtown.pdf"]
        assert http.get("/health").status_code == 200
        answer = http.post("/ask", json={"question": "What rating did Newtown get?"}).json()
        assert "Newtown" in answer["answer"]
        status = Path(f"/proc/{server.pid}/status").read_text()
        peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
        assert peak_kb < 1024 * 1024, f"the server's peak RSS was {peak_kb / 1024:.0f} MB"
        assert not list(scratch.glob("letters-qa-upload-*"))
        assert not (letters / "bomb.pdf").exists() and not (letters / "bomb.docx").exists()
        assert "Traceback" not in log.read_text()
    finally:
        stop_server(server)


def make_letter_text() -> str:
    from conftest import make_annual_letter

    return make_annual_letter("Newtown", "Newtown Borough Council", "well")
