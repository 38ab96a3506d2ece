"""The letters-qa command line: exit codes, JSON shapes, one-line errors, no torch for `ratings`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ui", *args], capture_output=True, text=True, env=ENV,
                          cwd=cwd or ROOT, timeout=300)


def test_ratings_json_is_the_exact_table(seeds_index):
    result = run("ratings", "--index", str(seeds_index), "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["ratings"]
    assert len(rows) == 11
    overall = {(r["council"], r["year"], r["grade"]) for r in rows if r["area"] == "overall"}
    assert overall == {
        ("Stockport Metropolitan Borough Council", 2008, 3), ("Stockport Metropolitan Borough Council", 2009, 3),
        ("Stockton-on-Tees Borough Council", 2009, 3), ("Trafford Metropolitan Borough Council", 2009, 3),
        ("Stoke-on-Trent City Council", 2009, 2),
    }


def test_ratings_filters_and_plain_table(seeds_index):
    result = run("ratings", "--index", str(seeds_index), "--council", "stoke on trent")
    assert result.returncode == 0
    lines = result.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["council", "year", "kind"] and len(lines) == 2
    assert "Performs adequately" in lines[1]


def test_ratings_never_imports_torch(seeds_index):
    code = ("import sys; from ui.cli import main; rc = main(['ratings', '--index', sys.argv[1]]); "
            "assert 'torch' not in sys.modules and 'gradio' not in sys.modules; sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(seeds_index)], capture_output=True, text=True, env=ENV)
    assert result.returncode == 0, result.stderr


def test_ask_json(seeds_index):
    result = run("ask", "Which councils perform adequately?", "--index", str(seeds_index), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["question"] == "Which councils perform adequately?"
    assert [r["council"] for r in document["ratings"]] == ["Stoke-on-Trent City Council"]
    citation = document["citations"][0]
    assert citation["text"] == "Children's services in Stoke-on-Trent City Council perform adequately."
    assert (citation["letter"], citation["start"], citation["end"]) == ("004_2db2c4d829b3adf3.txt", 2278, 2348)


def test_ask_plain_prints_answer_and_sources(seeds_index):
    result = run("ask", "What rating did Trafford get?", "--index", str(seeds_index))
    assert result.returncode == 0
    assert "Performs well (3)" in result.stdout and "Sources:" in result.stdout


def test_search_json_with_filters(seeds_index):
    result = run("search", "private fostering", "-k", "3", "--council", "Trafford", "--index", str(seeds_index), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["query"] == "private fostering" and len(document["hits"]) == 3
    assert {h["council"] for h in document["hits"]} == {"Trafford Metropolitan Borough Council"}
    assert set(document["hits"][0]) >= {"letter", "council", "year", "kind", "section", "text", "start", "end", "score"}
    result = run("search", "private fostering", "--year", "1999", "--index", str(seeds_index), "--json")
    assert json.loads(result.stdout)["hits"] == []


def test_missing_index_is_one_line_exit_1(tmp_path):
    result = run("ask", "anything", "--index", str(tmp_path / "none"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "no index in" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(seeds_index):
    assert run("search").returncode == 2
    assert run("search", "x", "-k", "0", "--index", str(seeds_index)).returncode == 2
    assert run("frobnicate").returncode == 2


def test_index_reports_bad_files_and_indexes_the_rest(letters_dir, tmp_path):
    (letters_dir / "empty.txt").write_bytes(b"")
    (letters_dir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (letters_dir / "notes.pdf").write_bytes(b"%PDF-1.4")
    index_dir = tmp_path / "index"
    result = run("index", "--letters", str(letters_dir), "--index", str(index_dir), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["added"]) == 5 and report["letters"] == 5
    assert {s["file"]: s["reason"] for s in report["skipped"]} == {
        "empty.txt": "empty file",
        "image.txt": "binary file (contains NUL bytes), not a text letter",
        "notes.pdf": "not a letter file (expected .txt, .md, .text)",
    }
    again = run("index", "--letters", str(letters_dir), "--index", str(index_dir))
    assert again.returncode == 0 and "unchanged: 5" in again.stdout and "0 embedded now" in again.stdout


def test_eval_prints_summary(seeds_index):
    result = run("eval", str(ROOT / "tests" / "gold.jsonl"), "--index", str(seeds_index), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)["summary"]
    assert summary["council_precision"] == 1.0 and summary["recall@5"] == 1.0
