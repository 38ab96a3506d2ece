"""Every bench/ and tools/ entry point runs on a tiny input (issue 28: benchmarks that cannot rot).

Each script in bench/ and tools/ is run as users run it, `python bench/NAME.py ARGS` (no
PYTHONPATH), in a fresh process, with its smallest arguments (a `--tiny` flag where the script had
no small setting), on the seeds index or a few generated letters, with a time limit; it must exit 0. Result files go to
a temporary folder (LETTERS_QA_BENCH_RESULTS), never bench/results. A new script must be added
to scripts_args, or to NOT_RUN with the reason: `test_every_bench_script_is_listed` fails otherwise.
Nothing here checks a figure: only that each script still runs against today's code.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every bench/ and tools/ script in a fresh process

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("bench", "tools")
LIMIT_S = 120  # per script; each takes 1-15 s on the 2-core machine

# Scripts that cannot run here, each with why (they are not silently skipped).
NOT_RUN = {
    "tools/make_test_pdfs.py": "needs LibreOffice (soffice), which CI does not have (hence the committed "
                               "tests/fixtures/pdfs it writes); tests/test_pdf_layout.py reads what it made",
}
# Scripts that need an optional extra: run when it is installed, else skipped with the reason.
NEEDS = {
    "bench/generative.py": (("llm",), "needs the llm extra (make llm)"),
}


def scripts_args(ctx: dict) -> dict[str, list[str]]:
    """Each runnable script's smallest arguments."""
    index, work = str(ctx["index"]), ctx["work"]
    return {
        "bench/answers.py": [index, str(work / "answers.json")],
        "bench/approximate.py": [index, "--searches", "3", "--ef-search", "64", "--candidates", "20",
                                 "--gold", str(ctx["gold1"]), "--out", str(work / "approximate.json")],
        "bench/build.py": ["--sizes", "2", "--runs", "1", "--arms", "pipeline,distinct", "--work", str(work / "build")],
        "bench/content_vectors.py": [index, str(work / "content_vectors")],
        "bench/coldstart.py": [index, "--runs", "1", "--only", "ratings", "--no-serve"],
        "bench/formats.py": ["--n", "1", "--runs", "1", "--formats", "txt", "--encoder", "default",
                             "--work", str(work / "formats")],
        "bench/fusion_grid.py": [index, "--gold", str(ctx["gold"])],
        "bench/generative.py": [index, "--gold", str(ctx["gold1"]), "--out", str(work / "generative.json")],
        "bench/hostile_costs.py": ["--no-real", "--only", "chunks-2MB.txt"],  # one case, a plain text file
        "bench/judgement_labels.py": [],
        "bench/judgement_lists.py": [index, "--runs", "2"],
        "bench/judgements.py": ["--letters", "10", "--runs", "1", "--cache", str(work / "judgements")],
        "bench/make_index.py": ["3", str(work / "make_index"), "--fake-vectors"],
        "bench/query.py": [index, "--searches", "3", "--asks", "2"],
        "bench/search_cost.py": [index, "--searches", "3", "--passes", "1", "--out", str(work / "search_cost.json")],
        "bench/resume.py": ["--tiny", "--work", str(work / "resume")],
        "bench/seeds_speed.py": [index, "--tiny", "--letters", str(ctx["two"])],
        "bench/suite.py": ["--tiny", "--out", str(work / "suite")],
        "bench/web_page.py": [str(Path(ctx["folder"]) / "index"), "--runs", "1"],
        "bench/update.py": [str(ctx["folder"]), "--runs", "1", "--encoder", "default", "--work", str(work / "update")],
        "tools/judgements_truth_check.py": ["5", "0"],
        "tools/load.py": ["--index", index, "--clients", "1", "--seconds", "1", "--paths", "json",
                          "--out", str(work / "load.json")],
        "tools/make_corpus.py": ["3", str(work / "corpus")],
        "tools/soak.py": ["--minutes", "0", "--pool", "3", "--work", str(work / "soak")],
    }


def bench_scripts() -> list[str]:
    """Each entry point as FOLDER/NAME.py; modules starting with _ and __init__.py are not."""
    return sorted(f"{folder}/{p.name}" for folder in FOLDERS for p in (ROOT / folder).glob("*.py")
                  if not p.name.startswith("_"))


def env(results: Path) -> dict:
    """No PYTHONPATH: each script finds the repository itself, as when a user runs it."""
    return {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "HF_HUB_OFFLINE": "1",
            "LETTERS_QA_BENCH_RESULTS": str(results)}


@pytest.fixture(scope="module")
def ctx(tmp_path_factory) -> dict:
    """The seeds index (default encoder), a 3-letter make_index folder, 3 and 1 gold questions, 2 seed letters."""
    work = tmp_path_factory.mktemp("bench-smoke")
    results = work / "results"
    subprocess.run([sys.executable, "-m", "ui", "index", "--letters", str(ROOT / "seeds"), "--index",
                    str(work / "index"), "--json"], check=True, capture_output=True, cwd=ROOT, env=env(results),
                   timeout=LIMIT_S)
    subprocess.run([sys.executable, str(ROOT / "bench" / "make_index.py"), "3", str(work / "folder"), "--fake-vectors"],
                   check=True, capture_output=True, cwd=ROOT, env=env(results), timeout=LIMIT_S)
    gold = [json.loads(line) for line in (ROOT / "tests" / "gold.jsonl").read_text().splitlines() if line.strip()]
    picked = [[q for q in gold if q.get("category") == category and "relevant" in q][:n]
              for category, n in (("open", 2), ("paraphrase", 1))]
    (work / "gold3.jsonl").write_text("".join(json.dumps(q) + "\n" for q in picked[0] + picked[1]))
    (work / "gold1.jsonl").write_text(json.dumps(picked[0][0]) + "\n")
    (work / "two").mkdir()
    for letter in sorted((ROOT / "seeds").iterdir())[:2]:
        (work / "two" / letter.name).write_bytes(letter.read_bytes())
    return {"work": work, "results": results, "index": work / "index", "folder": work / "folder",
            "gold": work / "gold3.jsonl", "gold1": work / "gold1.jsonl", "two": work / "two"}


def test_every_bench_script_is_listed():
    blank = {"index": "", "work": Path(), "gold": "", "gold1": "", "folder": "", "two": ""}
    listed = set(scripts_args(blank)) | set(NOT_RUN)
    assert set(bench_scripts()) == listed, "add the new bench script to SCRIPTS (with its smallest arguments) " \
                                           "or to NOT_RUN (with the reason)"
    assert not set(NOT_RUN) & set(NEEDS)


@pytest.mark.parametrize("script", [s for s in bench_scripts() if s not in NOT_RUN])
def test_bench_script_runs_on_a_tiny_input(script, ctx):
    modules, why = NEEDS.get(script, ((), ""))
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"{script} {why} ({', '.join(missing)} missing)")
    args = scripts_args(ctx)[script]
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / script), *args], capture_output=True, text=True,
                            cwd=ROOT, env=env(ctx["results"]), timeout=LIMIT_S)
    seconds = time.perf_counter() - start
    assert result.returncode == 0, f"{script} {' '.join(args)} exited {result.returncode} after " \
                                   f"{seconds:.1f} s:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
