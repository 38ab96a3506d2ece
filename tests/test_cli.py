"""The letters-qa command line: exit codes, JSON shapes, one-line errors, no torch for `ratings`.

Most commands run in-process through `ui.cli.main` (the model loads once per session);
a few run as real subprocesses to check exit codes and imports end to end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from ui.cli import main

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}


def run(*args, cwd=None):
    """A real `python -m ui ...` process."""
    return subprocess.run([sys.executable, "-m", "ui", *args], capture_output=True, text=True, env=ENV,
                          cwd=cwd or ROOT, timeout=300)


@pytest.fixture
def cli(capsys, real_embedder, monkeypatch):
    """Run `letters-qa ARGS` in this process; returns (exit code, stdout, stderr)."""
    import index.embedder

    # Share the session's loaded model instead of loading another copy per command.
    loaded = real_embedder.model
    monkeypatch.setattr(index.embedder.SentenceTransformerEmbedder, "model", property(lambda self: loaded))

    def call(*args):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return call


def test_ratings_json_is_the_exact_table(cli, seeds_index):
    code, out, err = cli("ratings", "--index", str(seeds_index), "--json")
    assert code == 0, err
    rows = json.loads(out)["ratings"]
    assert len(rows) == 11
    overall = {(r["council"], r["year"], r["grade"]) for r in rows if r["area"] == "overall"}
    assert overall == {
        ("Stockport Metropolitan Borough Council", 2008, 3), ("Stockport Metropolitan Borough Council", 2009, 3),
        ("Stockton-on-Tees Borough Council", 2009, 3), ("Trafford Metropolitan Borough Council", 2009, 3),
        ("Stoke-on-Trent City Council", 2009, 2),
    }


def test_ratings_filters_and_plain_table(cli, seeds_index):
    code, out, err = cli("ratings", "--index", str(seeds_index), "--council", "stoke on trent")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split()[:3] == ["council", "year", "kind"] and len(lines) == 2
    assert "Performs adequately" in lines[1]


@pytest.mark.parametrize("command", [["ratings"], ["ask", "Which councils perform adequately?"]])
def test_ratings_and_list_questions_never_import_torch_or_faiss(seeds_index, command):
    code = ("import sys; from ui.cli import main; rc = main(sys.argv[2:] + ['--index', sys.argv[1]]); "
            "assert not {'torch', 'gradio', 'faiss'} & set(sys.modules), sys.modules.keys(); sys.exit(rc)")
    result = subprocess.run([sys.executable, "-c", code, str(seeds_index), *command], capture_output=True, text=True,
                            env=ENV)
    assert result.returncode == 0, result.stderr


def test_ask_json(cli, seeds_index):
    code, out, err = cli("ask", "Which councils perform adequately?", "--index", str(seeds_index), "--json")
    assert code == 0, err
    document = json.loads(out)
    assert document["question"] == "Which councils perform adequately?"
    assert [r["council"] for r in document["ratings"]] == ["Stoke-on-Trent City Council"]
    citation = document["citations"][0]
    assert citation["text"] == "Children's services in Stoke-on-Trent City Council perform adequately."
    assert (citation["letter"], citation["start"], citation["end"]) == ("004_2db2c4d829b3adf3.txt", 2278, 2348)


def test_ask_plain_prints_answer_and_sources(cli, seeds_index):
    code, out, err = cli("ask", "What rating did Trafford get?", "--index", str(seeds_index))
    assert code == 0
    assert "Performs well (3)" in out and "Sources:" in out


def test_search_json_with_filters(cli, seeds_index):
    code, out, err = cli("search", "private fostering", "-k", "3", "--council", "Trafford",
                         "--index", str(seeds_index), "--json")
    assert code == 0, err
    document = json.loads(out)
    assert document["query"] == "private fostering" and len(document["hits"]) == 3
    assert {h["council"] for h in document["hits"]} == {"Trafford Metropolitan Borough Council"}
    assert set(document["hits"][0]) >= {"letter", "council", "year", "kind", "section", "text", "start", "end", "score"}
    code, out, err = cli("search", "private fostering", "--year", "1999", "--index", str(seeds_index), "--json")
    assert json.loads(out)["hits"] == []


def test_missing_index_is_one_line_exit_1(tmp_path):
    result = run("ask", "anything", "--index", str(tmp_path / "none"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "no index in" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(cli, seeds_index):
    assert cli("search")[0] == 2
    assert cli("search", "x", "-k", "0", "--index", str(seeds_index))[0] == 2
    assert cli("frobnicate")[0] == 2


def test_index_reports_bad_files_and_indexes_the_rest(cli, letters_dir, tmp_path):
    (letters_dir / "empty.txt").write_bytes(b"")
    (letters_dir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (letters_dir / "notes.pdf").write_bytes(b"%PDF-1.4")
    (letters_dir / "photo.png").write_bytes(b"\x89PNG\r\n")
    index_dir = tmp_path / "index"
    code, out, err = cli("index", "--letters", str(letters_dir), "--index", str(index_dir), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert len(report["added"]) == 5 and report["letters"] == 5
    assert {s["file"]: s["reason"] for s in report["skipped"]} == {
        "empty.txt": "empty file",
        "image.txt": "binary file (contains NUL bytes), not a text letter",
        "notes.pdf": "not a readable PDF: data format error",
        "photo.png": "not a letter file (expected .txt, .md, .text, .pdf, .docx, .html, .htm)",
    }
    code2, out2, err2 = cli("index", "--letters", str(letters_dir), "--index", str(index_dir))
    assert code2 == 0 and "unchanged: 5" in out2 and "0 embedded now" in out2


def test_eval_prints_summary(cli, seeds_index):
    code, out, err = cli("eval", str(ROOT / "tests" / "gold.jsonl"), "--index", str(seeds_index), "--json")
    assert code == 0, err
    document = json.loads(out)
    summary = document["summary"]
    assert summary["questions"] == len(document["cases"]) >= 80
    assert summary["contains_hit"] == 1.0 and document["by_category"]["list"]["accuracy"] == 1.0
