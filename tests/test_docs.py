"""Docs stay true: every command in README.md and docs/ runs (or is checked), every link resolves.

The convention, for whoever writes the docs:

- A *command* is a non-blank line, not a `#` comment, inside a fenced block tagged ```sh,
  ```bash, ```console or ```shell (in ```console a leading "$ " is dropped; a trailing
  "# comment" is not part of it). Every fenced block is tagged: ```text for listings and
  transcripts, ```json and ```python for code. An untagged fence fails the test.
- Each command is either **run** here, or **checked** and listed in NOT_RUN with the reason it
  is not run. A command that is neither fails the test; so does a NOT_RUN entry no page holds.
  - `letters-qa ...` runs in this process (`ui.cli.main`, which is `letters-qa` and
    `python -m ui`) against a temporary folder holding a copy of seeds/, `tests/` (for the
    gold files) and an index built from the copy with the fake embedder (tests/fake_embedder.py:
    no model, so the whole file takes seconds). It must exit 0; with `--json` it must print
    JSON. `index` and `add` get a folder of their own, since they change it. `IDX`, `INDEX`, `DIR`
    and `FOLDER` stand for that index; `~/Downloads/wigan-2009.txt` is a letter written there.
  - `curl ...` runs against the JSON API in this process (FastAPI's TestClient over
    `ui.api.build_api` mounted at /api, as `letters-qa serve` mounts it: ui/serve.py), on an index
    of its own with uploads on and `--auth user:secret` where the command gives `-u`. It must answer 200 (JSON where
    the API answers JSON).
  - In NOT_RUN (a server, a model, the network, or minutes):
    `letters-qa SUB ...` must have `letters-qa SUB --help` exit 0 and name every flag (and any
    `NAME=` environment variable) the command uses; `make T` must be a Makefile target;
    `[.venv/bin/]python SCRIPT ...` must name a file that exists, whose `--help` exits 0 and
    names every flag used; `.venv/bin/pip install P...` must install packages pyproject.toml
    names; anything else is listed with its reason only.
- A ```text block whose first line is `$ letters-qa ...` is a transcript: its command runs as
  above and its output must be exactly what the block shows, unless the command is in
  TRANSCRIPTS_NOT_COMPARED with the reason.
- ```python blocks: README.md's runs against the temporary index (it is the first code a
  newcomer copies); the others are listed in PYTHON_NOT_RUN with the reason.
- Every relative link (`[text](path)`, `![alt](path)`) in README.md, CHANGELOG.md and docs/
  names a file that exists, and a `#fragment` names a heading of that file.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, FakeEmbedder, make_annual_letter

PAGES = sorted([ROOT / "README.md", ROOT / "CHANGELOG.md", *(ROOT / "docs").rglob("*.md")])
SHELL = {"sh", "bash", "console", "shell"}
TAGS = SHELL | {"text", "json", "python"}
PLACEHOLDERS = {"IDX", "INDEX", "DIR", "FOLDER"}
AUTH = ("user", "secret")

# Commands that are checked, not run: the exact line (comment dropped) -> why not.
SERVER = "serves until stopped: a server (the JSON API's commands run below, through TestClient)"
MINUTES = "a benchmark: minutes of CPU on a real model or a 1,000-10,000 letter corpus"
LLM = "needs the llm extra and a local model (SmolLM2 loads and writes for seconds per answer)"
NOT_RUN = {
    "make run": SERVER + "; it also installs .venv",
    "make test": "the whole suite, which runs this file (about 10 minutes)",
    "make llm": "compiles llama-cpp-python (about 5 minutes)",
    ". .venv/bin/activate": "a shell builtin; this test runs the venv's letters-qa in its own process",
    "letters-qa serve --port 7860": SERVER,
    "letters-qa serve --llm SmolLM2": SERVER,
    "letters-qa serve --llm local-qwen": SERVER + "; and needs an OpenAI-compatible model server",
    'letters-qa ask "Are many young people in Trafford locked up?" --llm SmolLM2 --stream': LLM,
    'letters-qa ask "What did Ofsted say about private fostering in Trafford?" --llm SmolLM2 --json': LLM,
    'letters-qa ask "What did Ofsted say about private fostering in Trafford?" --llm SmolLM2 --stream': LLM,
    "LETTERS_QA_LLM=SmolLM2 letters-qa ask ...": LLM + "; '...' stands for a question",
    'letters-qa ask "Where is private fostering inadequate?" --llm llama3.2 --stream':
        "needs Ollama and its llama3.2 model, which this machine cannot reach",
    ".venv/bin/llm install llm-ollama && ollama pull llama3.2": "installs a plugin and downloads a model (network)",
    '.venv/bin/llm keys set openai && letters-qa ask "..." --llm gpt-4o-mini':
        "stores an API key and calls a hosted model (network)",
    ".venv/bin/python bench/query.py INDEX --asks 20 --searches 100": MINUTES,
    ".venv/bin/python bench/make_index.py 10000 /tmp/big --fake-vectors": MINUTES + " (10,000 letters)",
    ".venv/bin/python bench/judgement_lists.py /tmp/big/index --runs 20": "needs the 10,000-letter index above",
    ".venv/bin/python bench/web_page.py /tmp/big/index --runs 3": "needs the 10,000-letter index above and Chromium",
    ".venv/bin/python bench/make_index.py 1000 /tmp/k1 --fake-vectors": MINUTES + " (1,000 letters)",
    ".venv/bin/python bench/search_cost.py /tmp/big/index /tmp/k1/index --searches 100 --passes 2":
        "needs the two indexes above (tests/test_bench_smoke.py runs it on a tiny one)",
    ".venv/bin/python bench/make_index.py 30000 /tmp/k30 --fake-vectors": MINUTES + " (30,000 letters: ~45 min here)",
    ".venv/bin/python bench/search_cost.py /tmp/k1/index /tmp/big/index /tmp/k30/index --searches 100 --passes 2":
        "needs the three indexes above (tests/test_bench_smoke.py runs it on a tiny one)",
    ".venv/bin/python bench/content_vectors.py /tmp/big/index /tmp/real10k":
        "embeds the 10,000-letter index's 42,386 searched passages with the model (41 minutes here)",
    ".venv/bin/python bench/approximate.py /tmp/real10k --ef-construction 80 300 --ef-search 256 512":
        "needs the real-vector copy above (tests/test_bench_smoke.py runs it on the seeds)",
    ".venv/bin/python tools/make_corpus.py 500 /tmp/c500": "writes 500 letters for the real build below",
    "/usr/bin/time -v .venv/bin/python -m ui.cli index --letters /tmp/c500 --index /tmp/ix500":
        "a real-model build of 500 letters: 15 minutes here",
    ".venv/bin/python tools/load.py --index /tmp/seeds-index --clients 1 10 50 --seconds 20 --paths json "
    "--distinct --encoder-threads 1 2 --rounds 2": "a load test: starts a server per setting, twice each (minutes)",
    ".venv/bin/python bench/fusion_grid.py IDX": MINUTES + " (every weight on the gold set, real model)",
    ".venv/bin/python bench/fusion_grid.py IDX --gold tests/gold_heldout.jsonl": MINUTES + " (real model)",
    ".venv/bin/python bench/generative.py IDX": MINUTES + "; " + LLM,
}
TRANSCRIPTS_NOT_COMPARED = {
    "letters-qa add north.txt photo.png seeds/004_2db2c4d829b3adf3.txt":
        "an illustration: its files (north.txt, photo.png) and paths (/home/me/...) are the reader's own",
}
PYTHON_NOT_RUN = {
    "docs/python-api.md": "a tour of every call, with placeholders (`data`, north.txt); tests/test_cli.py, "
                          "tests/test_intake.py and tests/test_answers.py run these calls",
    "docs/generative.md": LLM + "; tests/test_generate.py runs these calls",
    "docs/json-api.md": "gradio_client against a running server (tests/test_http_api.py runs these calls)",
}


@dataclass(frozen=True)
class Command:
    page: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.text}"


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    tag: str
    body: str


def blocks() -> list[Block]:
    found = []
    for path in PAGES:
        lines = path.read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            fence = re.match(r"^(\s*)```(\S*)", lines[i])
            if not fence:
                i += 1
                continue
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip().startswith("```"))
            found.append(Block(str(path.relative_to(ROOT)), i + 1, fence.group(2),
                               "\n".join(line[len(fence.group(1)):] for line in lines[i + 1:end])))
            i = end + 1
    return found


def commands() -> list[Command]:
    found = []
    for block in blocks():
        if block.tag not in SHELL:
            continue
        for offset, line in enumerate(block.body.splitlines(), start=1):
            text = line.strip()
            if block.tag == "console":
                if not text.startswith("$ "):
                    continue  # the output of the command above
                text = text[2:]
            if not text or text.startswith("#"):
                continue
            found.append(Command(block.page, block.line + offset, without_comment(text)))
    return found


def without_comment(text: str) -> str:
    """The command without a trailing `# comment`: a # after a space, outside quotes."""
    quote = None
    for i, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and i and text[i - 1].isspace():
            return text[:i].rstrip()
    return text


COMMANDS = commands()
RUN_CLI = [c for c in COMMANDS if c.text not in NOT_RUN and c.text.startswith("letters-qa ")]
RUN_CURL = [c for c in COMMANDS if c.text not in NOT_RUN and c.text.startswith("curl ")]
CHECKED = [c for c in COMMANDS if c.text in NOT_RUN]


def test_every_fence_is_tagged():
    untagged = [f"{b.page}:{b.line}" for b in blocks() if b.tag not in TAGS]
    assert not untagged, f"tag these fences (```text for a listing or transcript; one of {sorted(TAGS)}): {untagged}"


def test_every_command_is_run_or_listed_with_its_reason():
    assert len(COMMANDS) >= 20, "the docs' commands were not found: has the convention changed?"
    neither = [str(c) for c in COMMANDS if c not in RUN_CLI and c not in RUN_CURL and c not in CHECKED]
    assert not neither, ("each command must run here (letters-qa, curl) or be in NOT_RUN with why not:\n"
                         + "\n".join(neither))
    texts = {c.text for c in COMMANDS}
    stale = [text for text in NOT_RUN if text not in texts]
    assert not stale, f"NOT_RUN lists commands no page holds any more: {stale}"


# --- a temporary folder with the seeds and a fake-embedder index ------------------------------


def make_workspace(folder: Path, index: bool = True) -> Path:
    """seeds/ (a copy), tests/ (the gold files), .letters-index/ (fake vectors, unless `index` is
    false) and home/Downloads/wigan-2009.txt."""
    from index.update import update_index

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SEEDS, folder / "seeds")
    (folder / "tests").symlink_to(ROOT / "tests")
    if index:
        update_index(folder / "seeds", folder / ".letters-index", embedder=FakeEmbedder())
    downloads = folder / "home" / "Downloads"
    downloads.mkdir(parents=True)
    wigan = make_annual_letter("Wigan", "Wigan Metropolitan Borough Council", "well")
    (downloads / "wigan-2009.txt").write_text(wigan, encoding="utf-8")
    (folder / "new_letter.txt").write_text(
        make_annual_letter("Bolton", "Bolton Metropolitan Borough Council", "excellently"), encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def fake_model(monkeypatch):
    """Every embedder the CLI, the Assistant and an update make is the fake one: no model loads."""
    import index.embedder
    import index.update
    import qa.assistant

    def make(*args, **kwargs):
        return FakeEmbedder()

    for module in (index.embedder, index.update, qa.assistant):
        monkeypatch.setattr(module, "make_embedder", make)
    for name in ("LETTERS_QA_INDEX", "LETTERS_QA_MODEL", "LETTERS_QA_LLM", "LETTERS_QA_AUTH"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """One workspace for the commands that only read."""
    return make_workspace(tmp_path_factory.mktemp("docs") / "shared")


def cli_args(text: str, workspace: Path) -> list[str]:
    args = shlex.split(text)[1:]
    out = []
    for arg in args:
        if arg in PLACEHOLDERS:
            arg = str(workspace / ".letters-index")
        elif arg.startswith("~/"):
            arg = str(workspace / "home" / arg[2:])
        out.append(arg)
    return out


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    from ui.cli import main

    try:
        code = main(args)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


CHANGES = {"index", "add"}  # they write: each gets a folder of its own (`index` one with no index yet)


@pytest.mark.parametrize("command", RUN_CLI, ids=str)
def test_the_command_runs(command, shared, tmp_path, monkeypatch, capsys):
    sub = shlex.split(command.text)[1]
    workspace = make_workspace(tmp_path / "ws", index=sub != "index") if sub in CHANGES else shared
    monkeypatch.chdir(workspace)
    args = cli_args(command.text, workspace)
    code, out, err = run_cli(args, capsys)
    assert code == 0, f"{command}\nexit {code}\nstderr: {err}\nstdout: {out[-2000:]}"
    assert out.strip(), f"{command} printed nothing"
    if "--json" in args:
        json.loads(out)


def transcripts() -> list:
    found = []
    for block in blocks():
        first, _, rest = block.body.partition("\n")
        if block.tag == "text" and first.startswith("$ letters-qa "):
            found.append(pytest.param(block, first[2:], rest, id=f"{block.page}:{block.line}: {first[2:]}"))
    return found


@pytest.mark.parametrize("block,command,expected", transcripts())
def test_the_transcript_is_what_the_command_prints(block, command, expected, shared, monkeypatch, capsys):
    if command in TRANSCRIPTS_NOT_COMPARED:
        assert shlex.split(command)[1] in {c.text.split()[1] for c in RUN_CLI}, "its command is run elsewhere"
        return
    monkeypatch.chdir(shared)
    code, out, err = run_cli(cli_args(command, shared), capsys)
    assert code == 0, err
    assert out.strip() == expected.strip(), f"{block.page}:{block.line}: the page shows\n{expected}\nit prints\n{out}"


def test_the_readme_python_example_runs(shared, monkeypatch):
    monkeypatch.chdir(shared)
    python = [b for b in blocks() if b.tag == "python"]
    readme = [b for b in python if b.page == "README.md"]
    assert readme, "README.md has no ```python example"
    for block in readme:
        exec(compile(block.body, f"{block.page}:{block.line}", "exec"), {})
    others = {b.page for b in python} - {"README.md"}
    unlisted = others - set(PYTHON_NOT_RUN)
    assert not unlisted, f"```python blocks neither run here nor listed in PYTHON_NOT_RUN: {unlisted}"
    assert not set(PYTHON_NOT_RUN) - others, "PYTHON_NOT_RUN lists a page with no ```python block"


# --- curl, against the JSON API in this process -----------------------------------------------


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """TestClients over the JSON API: one open, one with --auth user:secret; uploads on."""
    import index.embedder
    import index.update
    import qa.assistant

    patch = pytest.MonkeyPatch()
    for module in (index.embedder, index.update, qa.assistant):
        patch.setattr(module, "make_embedder", lambda *a, **k: FakeEmbedder())
    from fastapi.testclient import TestClient
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from qa import Assistant
    from ui.api import build_api
    from ui.service import Service

    workspace = make_workspace(tmp_path_factory.mktemp("docs-api") / "ws")
    service = Service(Assistant.open(workspace / ".letters-index", embedder=FakeEmbedder()), workspace / "seeds")
    def served(auth):  # mounted at /api, as `letters-qa serve` mounts it (ui/serve.py)
        return TestClient(Starlette(routes=[Mount("/api", app=build_api(service, auth))]))

    clients = {False: served(None), True: served(AUTH)}
    yield workspace, clients
    patch.undo()


def curl_request(text: str, workspace: Path) -> dict:
    """A curl command line as a request: method, url, headers, body, files, auth."""
    args = shlex.split(text)[1:]
    request = {"method": "GET", "url": None, "headers": {}, "data": None, "files": [], "auth": None}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-H", "-d", "-F", "-u"):
            value = args[i + 1]
            i += 2
            if arg == "-H":
                name, _, header = value.partition(":")
                request["headers"][name.strip()] = header.strip()
            elif arg == "-d":
                request["method"], request["data"] = "POST", value
            elif arg == "-F":
                field, _, name = value.partition("=@")
                request["method"] = "POST"
                request["files"].append((field, (name, (workspace / name).read_bytes())))
            else:
                request["auth"] = tuple(value.split(":", 1))
            continue
        if arg.startswith("-"):
            assert set(arg[1:]) <= set("sOJ"), f"{text}: this test does not know curl's {arg}"
        else:
            request["url"] = re.sub(r"^(https?://)?(localhost|127\.0\.0\.1):7860", "", arg)
        i += 1
    assert request["url"] and request["url"].startswith("/api/"), f"{text}: not a JSON API URL"
    return request


@pytest.mark.parametrize("command", RUN_CURL, ids=str)
def test_the_curl_command_runs(command, api):
    workspace, clients = api
    request = curl_request(command.text, workspace)
    client = clients[request["auth"] is not None]
    if request["auth"]:
        assert request["auth"] == AUTH, f"{command}: the page's --auth is {AUTH}"
    response = client.request(request["method"], request["url"], headers=request["headers"],
                              content=request["data"], files=request["files"] or None, auth=request["auth"])
    assert response.status_code == 200, f"{command}\n{response.status_code}: {response.text[:500]}"
    if response.headers.get("content-type", "").startswith("application/json"):
        response.json()
    if "J" in "".join(a for a in shlex.split(command.text) if a.startswith("-")):
        assert "attachment" in response.headers.get("content-disposition", ""), "curl -J saves under this name"


# --- the commands that are not run: they must still parse -------------------------------------


def cli_help(sub: str) -> str:
    result = subprocess.run([sys.executable, "-m", "ui", sub, "--help"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, f"letters-qa {sub} --help: {result.stderr}"
    return result.stdout


def flags(tokens: list[str]) -> list[str]:
    return [t.split("=", 1)[0] for t in tokens if t.startswith("-") and t != "-"]


@pytest.mark.parametrize("command", CHECKED, ids=str)
def test_the_command_not_run_parses(command):
    for part in command.text.split("&&"):
        tokens = shlex.split(part)
        env = []
        while tokens and re.match(r"^[A-Z_]+=", tokens[0]):
            env.append(tokens.pop(0).split("=", 1)[0])
        if tokens[:1] == ["letters-qa"]:
            help_text = cli_help(tokens[1])
            missing = [f for f in flags(tokens[2:]) + env if f not in help_text]
            assert not missing, f"{command}: `letters-qa {tokens[1]} --help` does not name {missing}"
        elif tokens[:1] == ["make"]:
            makefile = (ROOT / "Makefile").read_text()
            assert re.search(rf"^{re.escape(tokens[1])}:", makefile, re.M), f"{command}: no such Makefile target"
        elif tokens[:1] in (["python"], [".venv/bin/python"]) and not tokens[1].startswith("-"):
            script = ROOT / tokens[1]
            assert script.is_file(), f"{command}: {tokens[1]} is gone (a decision record names the commit that had it)"
            used = flags(tokens[2:])
            if used:
                result = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True,
                                        cwd=ROOT, timeout=60)
                assert result.returncode == 0, f"{tokens[1]} --help: {result.stderr[-1000:]}"
                missing = [f for f in used if f not in result.stdout]
                assert not missing, f"{command}: `{tokens[1]} --help` does not name {missing}"
        elif tokens[:3] == [".venv/bin/pip", "install"]:
            pyproject = (ROOT / "pyproject.toml").read_text()
            missing = [p for p in tokens[3:] if not p.startswith("-") and f'"{p}' not in pyproject]
            assert not missing, f"{command}: pyproject.toml does not name {missing}"
    assert NOT_RUN[command.text], "every command not run has its reason"


# --- links ------------------------------------------------------------------------------------


def anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    found = set()
    for heading in re.findall(r"^#+\s+(.+?)\s*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", "")).replace(" ", "-")
        found.add(slug)
    return found


def test_every_relative_link_resolves():
    broken = []
    for page in PAGES:
        text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
        text = re.sub(r"`[^`\n]*`", "", text)
        for target in re.findall(r"!?\[[^\]]*\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue  # http:, https:, mailto:
            path, _, fragment = target.partition("#")
            resolved = (page.parent / path) if path else page
            if not resolved.exists():
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such file)")
            elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
                broken.append(f"{page.relative_to(ROOT)}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_the_readme_is_short_and_keeps_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    assert "make run" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci, ".ci/run runs the README's test command"
