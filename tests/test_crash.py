"""Crash safety: an update killed with SIGKILL at any moment leaves the old index or the new one.

A driver script runs `update_index` in a child process (with tests/fake_embedder.py, loaded by
path, so the update is quick and its result exactly repeatable); the test kills it after delays
spread over the whole update, measured first, then opens the index and compares what it
answers (generation, letters, ratings rows, search results) with references built without
a kill: before the update, and after it. A normal update afterwards must then succeed.
Half the trials run `--rebuild`, which replaces every row while the old generation is live.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SEEDS, FakeEmbedder, leftovers

from index.reader import IndexReader
from index.update import update_index
from qa.retriever import Retriever

pytestmark = pytest.mark.slow  # updates SIGKILLed at many moments

ROOT = Path(__file__).resolve().parent.parent
TRIALS = 22
QUERIES = [
    ("private fostering is inadequate", {}),
    ("serious case review", {}),
    ("children's homes", dict(council="Trafford")),
    ("capacity to improve", dict(year=2008)),
    ("national indicators staying safe", dict(council="Ashford")),
]

DRIVER_SOURCE = '''
import runpy
import sys
import time

import faiss  # noqa: F401  (imported before "ready": the kill delays time the update alone)

from index.update import update_index

letters, index, mode, embedder_file = sys.argv[1:5]
FakeEmbedder = runpy.run_path(embedder_file)["FakeEmbedder"]  # the test's own class
print("ready", flush=True)
start = time.perf_counter()
update_index(letters, index, embedder=FakeEmbedder(), rebuild=mode == "rebuild")
print(f"done {time.perf_counter() - start:.6f}", flush=True)
'''

PLACES = [a + b for a in ("Ash", "Brook", "Cold", "Dun", "Elm", "Fern", "Glen", "Hart", "Iron")
          for b in ("ford", "wick", "ley", "ham", "bury")]
SEED_SHORT_NAMES = ["Stockport", "Stockton-on-Tees", "Trafford", "Stoke-on-Trent"]


def invented_letter(number: int) -> tuple[str, str]:
    """(file name, text): seed number % 5 retold about an invented council, its body reworded."""
    seed = sorted(SEEDS.iterdir())[number % 5]
    place = PLACES[number]
    text = seed.read_text(encoding="utf-8")
    for short in SEED_SHORT_NAMES:
        text = text.replace(short, place)
    text = text.replace("children and young people", f"children and young people in {place}")
    text = re.sub(r"\b(\d+) December\b", f"{1 + number % 28} December", text, count=1)
    return f"{100 + number:03d}_{place.lower()}.txt", text


def write_letters(folder: Path, numbers, changed=()) -> None:
    folder.mkdir()
    for seed in SEEDS.iterdir():
        shutil.copy(seed, folder / seed.name)
    for number in numbers:
        name, text = invented_letter(number)
        if number in changed:
            text = text.replace("children and young people in", "children and young people living in")
        (folder / name).write_text(text, encoding="utf-8")


def state(index_dir: Path) -> tuple:
    """Everything a reader can see of an index: it must equal a reference exactly."""
    reader = IndexReader.open(index_dir)
    retriever = Retriever(reader, FakeEmbedder())
    try:
        return (
            reader.manifest.generation, reader.manifest.letters,
            [(letter.name, letter.council, letter.year, letter.chunks) for letter in reader.letters],
            reader.ratings,
            [retriever.search(query, k=5, **filters) for query, filters in QUERIES],
        )
    finally:
        reader.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Letters before and after (changed, removed, renamed and new letters), a base index, references."""
    root = tmp_path_factory.mktemp("crash")
    write_letters(root / "before", range(40))
    write_letters(root / "after", [n for n in range(44) if n not in (3, 17, 25, 31)], changed={5, 12, 20, 38})
    os.rename(root / "after" / invented_letter(8)[0], root / "after" / "renamed.txt")
    base = root / "base"
    update_index(root / "before", base, embedder=FakeEmbedder())
    references = {}
    for mode in ("update", "rebuild"):
        shutil.copytree(base, root / f"ref-{mode}")
        report = update_index(root / "after", root / f"ref-{mode}", embedder=FakeEmbedder(), rebuild=mode == "rebuild")
        assert report.generation == 2 and report.letters == 5 + 40
        references[mode] = state(root / f"ref-{mode}")
    driver = root / "driver.py"
    driver.write_text(DRIVER_SOURCE, encoding="utf-8")
    return dict(root=root, base=base, before=state(base), after=references, driver=driver)


def start_driver(corpus, index_dir: Path, mode: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, str(corpus["driver"]), str(corpus["root"] / "after"), str(index_dir), mode,
         str(Path(__file__).with_name("fake_embedder.py"))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=corpus["root"],
    )
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


def test_the_reference_update_changes_what_readers_see(corpus):
    assert corpus["before"][0] == 1 and corpus["after"]["update"][0] == 2
    assert corpus["before"][1] != corpus["after"]["update"][1]
    assert corpus["before"][4] != corpus["after"]["update"][4]  # the searches answer differently
    assert [hits for hits in corpus["after"]["update"][4] if not hits] == []


def test_sigkill_at_any_moment_leaves_the_old_or_the_new_index(corpus, tmp_path):
    durations = {}
    for mode in ("update", "rebuild"):
        shutil.copytree(corpus["base"], tmp_path / f"timed-{mode}")
        process = start_driver(corpus, tmp_path / f"timed-{mode}", mode)
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        durations[mode] = float(out.split()[-1])
        # The child's clean update is exactly the in-process reference.
        assert state(tmp_path / f"timed-{mode}") == corpus["after"][mode]

    outcomes = []

    def kill_after(trial: int, mode: str, delay: float) -> None:
        index_dir = tmp_path / f"trial-{trial:02d}"
        shutil.copytree(corpus["base"], index_dir)
        process = start_driver(corpus, index_dir, mode)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)

        seen = state(index_dir)
        assert seen in (corpus["before"], corpus["after"][mode]), f"trial {trial} ({mode}, {delay:.3f} s)"
        outcomes.append("new" if seen == corpus["after"][mode] else "old")

        report = update_index(corpus["root"] / "after", index_dir, embedder=FakeEmbedder())
        assert report.generation == 2
        assert state(index_dir) == corpus["after"][mode if outcomes[-1] == "new" else "update"]
        assert leftovers(index_dir) == []

    for trial in range(TRIALS):
        mode = ("update", "rebuild")[trial % 2]
        # From "at once" to past the measured end, so every phase is hit, the swap included.
        kill_after(trial, mode, durations[mode] * 1.5 * trial / (TRIALS - 1))
    # A loaded machine can run a killed update slower than the timed one (CI once killed all
    # 22 before the swap): go on killing later and later until one has finished, so the sweep
    # is known to have reached past the end.
    extra = 0
    while "new" not in outcomes and extra < 6:
        mode = ("update", "rebuild")[extra % 2]
        kill_after(TRIALS + extra, mode, min(20.0, durations[mode] * 1.5 * 2 ** (extra // 2 + 1)))
        extra += 1
    assert outcomes[0] == "old", outcomes
    assert "new" in outcomes, (outcomes, durations)
