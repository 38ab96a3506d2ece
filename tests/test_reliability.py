"""Faults while updating: a full disk, and a server that keeps answering during an update."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from index.errors import IndexStoreError
from index.update import update_index
from qa import Assistant
from tests.conftest import ROOT, make_annual_letter

pytestmark = pytest.mark.slow  # servers and updates under failure


def test_full_disk_fails_clearly_and_the_previous_index_keeps_serving(small_disk, letters_dir, real_embedder):
    index_dir = small_disk / "index"
    update_index(letters_dir, index_dir, embedder=real_embedder)
    assistant = Assistant.open(index_dir, embedder=real_embedder)
    before = assistant.ask("Which councils perform adequately?").to_dict()
    for i in range(40):
        (letters_dir / f"new_{i:02d}.txt").write_text(
            make_annual_letter(f"Northwold{chr(65 + i % 26)}{i}", f"Northwold{chr(65 + i % 26)}{i} Borough Council",
                               "adequately"), encoding="utf-8")
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"\0" * max(0, free - 48 * 1024))

    with pytest.raises(IndexStoreError) as caught:
        update_index(letters_dir, index_dir, embedder=real_embedder)
    message = str(caught.value)
    assert "no space left on the device" in message and "previous index is unchanged" in message
    assert sorted(p.name for p in index_dir.iterdir() if p.name.startswith(".gen-")) == []
    reopened = Assistant.open(index_dir, embedder=real_embedder)
    assert reopened.ask("Which councils perform adequately?").to_dict() == before
    assert assistant.ask("Which councils perform adequately?").to_dict() == before

    (small_disk / "filler").unlink()
    for i in range(36):
        (letters_dir / f"new_{i:02d}.txt").unlink()
    report = update_index(letters_dir, index_dir, embedder=real_embedder)
    assert len(report.added) == 4
    assert len(assistant.ask("Which councils perform adequately?").ratings) == 5


def test_full_disk_via_cli_is_one_line_exit_1(small_disk, letters_dir, tmp_path):
    index_dir = small_disk / "index"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    (small_disk / "filler").write_bytes(b"\0" * max(0, shutil.disk_usage(small_disk).free - 16 * 1024))
    command = [sys.executable, "-m", "ui", "index", "--letters", str(letters_dir), "--index", str(index_dir)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0
    assert "no space left on the device" in result.stderr


def test_a_reader_keeps_answering_during_updates_and_sees_the_new_generation(letters_dir, tmp_path, real_embedder):
    """Queries run in a loop beside repeated updates: every answer is the old one or the new one."""
    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=real_embedder)
    assistant = Assistant.open(index_dir, embedder=real_embedder)
    question = "Which councils perform adequately?"
    old = {"Stoke-on-Trent City Council"}
    new = old | {"Northwold Borough Council"}
    seen, errors, stop = [], [], threading.Event()

    def ask_loop():
        while not stop.is_set():
            try:
                seen.append(frozenset(r.council for r in assistant.ask(question).ratings))
                assistant.search("private fostering", k=3)
            except Exception as exc:  # any error at all is a failure of this test
                errors.append(repr(exc))

    threads = [threading.Thread(target=ask_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        target = letters_dir / "100_northwold.txt"
        northwold = make_annual_letter("Northwold", "Northwold Borough Council", "adequately")
        for _ in range(3):
            target.write_text(northwold, encoding="utf-8")
            update_index(letters_dir, index_dir, embedder=real_embedder)
            time.sleep(0.3)
            target.unlink()
            update_index(letters_dir, index_dir, embedder=real_embedder)
            time.sleep(0.3)
        target.write_text(northwold, encoding="utf-8")
        update_index(letters_dir, index_dir, embedder=real_embedder)
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert len(seen) > 20
    assert set(seen) <= {frozenset(old), frozenset(new)}
    assert frozenset(new) in set(seen)
    assert {r.council for r in assistant.ask(question).ratings} == new


def test_a_running_server_answers_while_letters_qa_index_runs_beside_it(letters_dir, tmp_path, real_embedder):
    """The real `letters-qa serve` process and a real `letters-qa index` process side by side."""
    from conftest import free_port, wait_until_ready
    from gradio_client import Client

    index_dir = tmp_path / "index"
    update_index(letters_dir, index_dir, embedder=real_embedder)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    port, log = free_port(), tmp_path / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "ui", "serve", "--index", str(index_dir), "--port", str(port),
                                   "--letters", str(letters_dir)], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_ready(url, server, log)
        client = Client(url, verbose=False)

        def ask() -> set[str]:
            answer = client.predict("Which councils perform adequately?", api_name="/ask")
            return {r["council"] for r in answer["ratings"]}

        assert ask() == {"Stoke-on-Trent City Council"}
        (letters_dir / "100_northwold.txt").write_text(
            make_annual_letter("Northwold", "Northwold Borough Council", "adequately"), encoding="utf-8")
        indexer = subprocess.Popen([sys.executable, "-m", "ui", "index", "--letters", str(letters_dir),
                                    "--index", str(index_dir)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        answers = []
        while indexer.poll() is None:
            answers.append(frozenset(ask()))
        assert indexer.returncode == 0, indexer.stderr.read().decode()
        assert set(answers) <= {frozenset({"Stoke-on-Trent City Council"}),
                                frozenset({"Stoke-on-Trent City Council", "Northwold Borough Council"})}
        assert len(answers) >= 3
        assert ask() == {"Stoke-on-Trent City Council", "Northwold Borough Council"}  # no restart
    finally:
        server.terminate()
        server.wait(timeout=30)
