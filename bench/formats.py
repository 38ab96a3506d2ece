"""Build cost per letter format: the same N letters as .txt, .pdf, .docx and .html, each folder indexed.

For each format, the same N synthetic letters (tools/make_corpus.py, every kind) are written in
that format (PDFs printed by headless Chromium, DOCX by python-docx, HTML as a saved web page:
tests/documents.py), then, in one process with one loaded model (load time excluded), rounds
alternate the formats (forward, then backward) and for each one:
  read   one pass of `index.letters.read_letter` over its files: extraction and parsing, nothing else
  build  `update_index(folder, fresh index, rebuild=True)` with the real model (DEFAULT_MODEL)
Reported per format, medians over the rounds: build seconds and its ratio to the text letters',
time inside the embedder, the build less that (where a format's cost shows: the letters give
the same chunks in every format, so the embedding work is the same and only machine load
moves it), read seconds and its ratio to the text letters', the share of the build that
reading is (read / the fastest build: the load swings the embedding, see summarise), chunks,
and how many letters parse to other kinds, councils, years or ratings than the generator
wrote (make_corpus.check_corpus). `--table` prints an earlier result file's table again.

    .venv/bin/python bench/formats.py [--n 40] [--runs 3] [--formats txt,pdf,docx,html] [--table RESULT.json]

But: - one house style per format (tests/documents.py), not Ofsted's own files; - the read pass
is a separate pass over the same files (the build parses each letter once, in process, the same
way), so the share is an estimate of the build's reading, not a measurement inside it; - the
letters' text differs slightly per format (what extraction gives back), so chunk counts can too.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common
from bench.build import run_pipeline

FORMATS = ("txt", "pdf", "docx", "html")


def write_folders(work: Path, n: int, seed: int, formats: list[str]) -> dict[str, dict]:
    """work/<format>/ with the same n letters in that format; their truth dicts and the time writing took."""
    from tools.make_corpus import make_corpus

    folders = {}
    for fmt in formats:
        folder = work / fmt
        shutil.rmtree(folder, ignore_errors=True)
        t0 = time.perf_counter()
        truths = make_corpus(n, folder, seed=seed, formats={fmt: 1})
        folders[fmt] = {"folder": folder, "truths": truths, "write_s": time.perf_counter() - t0,
                        "bytes": sum(p.stat().st_size for p in folder.iterdir())}
    return folders


def read_pass(folder: Path) -> float:
    """Seconds to read_letter every file of the folder once (a file that fails still counts its time)."""
    from index.errors import LetterError
    from index.letters import read_letter

    t0 = time.perf_counter()
    for path in sorted(folder.iterdir()):
        try:
            read_letter(path)
        except LetterError:
            pass
    return time.perf_counter() - t0


def build(folder: Path, work: Path, embedder, fmt: str) -> dict:
    """One full build of `folder`, timed by bench/build.py's pipeline arm; the index is removed after."""
    run = run_pipeline(folder, work, embedder, fmt)
    shutil.rmtree(run["index"], ignore_errors=True)
    return {"build_s": run["seconds"], "build_cpu_s": run["cpu_seconds"], "embed_s": run["embed_seconds"],
            "other_s": run["other_seconds"], "letters": run["letters"], "chunks": run["chunks"],
            "skipped": run["skipped"], "loadavg_before": run["loadavg_before"], "loadavg_after": run["loadavg_after"]}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="letters per format (default 40)")
    parser.add_argument("--runs", type=int, default=3, help="rounds over the formats (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated, txt first (default: all four)")
    parser.add_argument("--work", default="/tmp/letters-bench-formats", help="scratch folder")
    parser.add_argument("--out", help="result file (default bench/results/formats.json)")
    parser.add_argument("--encoder", choices=("torch", "default"), default="torch",
                        help="torch: sentence-transformers, as docs/performance.md's figures were measured (default); "
                             "default: make_embedder() (ONNX Runtime)")
    parser.add_argument("--table", metavar="RESULT.json", help="only print the table of an earlier run's result file")
    args = parser.parse_args(argv)
    if args.table:
        return reprint(args.table)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if not formats or formats[0] != "txt" or any(f not in FORMATS for f in formats):
        parser.error(f"--formats: some of {', '.join(FORMATS)}, txt first (the ratios are to it)")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    doc = common.start("formats", argv, n=args.n, runs=args.runs, seed=args.seed, formats=formats)

    from tools.make_corpus import check_corpus

    folders = write_folders(work, args.n, args.seed, formats)
    for fmt, info in folders.items():
        info["mismatches"] = check_corpus(info["folder"], info["truths"])  # also warms each reader's imports
        print(f"  {fmt:4s} {args.n} letters, {info['bytes'] / 1e6:.2f} MB, written in {info['write_s']:.1f} s, "
              f"{len(info['mismatches'])} parse differently from their truth", flush=True)
        for line in info["mismatches"][:5]:
            print(f"       {line}")
    if args.encoder == "torch":
        embedder, load_s = common.load_embedder()
    else:
        from index.embedder import make_embedder

        t0 = time.perf_counter()
        embedder = make_embedder()  # what `letters-qa index` uses
        embedder.embed(["warm up the model", "Private fostering arrangements are good."])
        load_s = time.perf_counter() - t0
    doc["model"], doc["model_load_s"] = embedder.name, load_s
    doc["batch_size"] = getattr(getattr(embedder, "chosen", embedder), "batch_size", None)
    doc["encoder"] = getattr(embedder, "backend", "torch")
    runs = []
    for r in range(args.runs):
        for fmt in formats if r % 2 == 0 else formats[::-1]:
            folder = folders[fmt]["folder"]
            result = {"round": r, "format": fmt, "read_s": read_pass(folder), **build(folder, work, embedder, fmt)}
            runs.append(result)
            print(f"  round {r} {fmt:4s} read {result['read_s']:6.2f} s  build {result['build_s']:6.2f} s  "
                  f"embed {result['embed_s']:6.2f} s  other {result['other_s']:5.2f} s  "
                  f"chunks {result['chunks']}  load {result['loadavg_after'][0]}",
                  flush=True)
    info = {fmt: {"mismatches": len(folders[fmt]["mismatches"]), "bytes": folders[fmt]["bytes"],
                  "write_s": folders[fmt]["write_s"]} for fmt in formats}
    summary = summarise(runs, formats, info)
    doc.update(runs=runs, summary=summary,
               mismatches={fmt: folders[fmt]["mismatches"] for fmt in formats})
    path = common.finish(doc, args.out)
    print(f"\n{args.n} letters per format, medians of {args.runs} rounds (and the fastest build), "
          f"model {embedder.name} (load {load_s:.1f} s excluded), {common.machine()['nproc']} CPUs; {path}\n")
    print(table(summary, formats))
    return 0


def summarise(runs: list[dict], formats: list[str], info: dict[str, dict]) -> dict[str, dict]:
    """Per format: medians over the rounds, the fastest build, and their ratios to the text letters'.

    The read share is read_letter's time over the fastest build: on a shared machine the
    embedding time swings with the load (the same chunks took 19-55 s here), and the fastest
    build is the nearest to an unloaded one."""
    summary = {}
    for fmt in formats:
        mine = [x for x in runs if x["format"] == fmt]
        s = {key: common.median(x[key] for x in mine) for key in ("read_s", "build_s", "embed_s", "other_s")}
        s.update(build_min_s=min(x["build_s"] for x in mine), letters=mine[0]["letters"], chunks=mine[0]["chunks"],
                 skipped=mine[0]["skipped"], **info[fmt])
        summary[fmt] = s
    base = summary["txt"]
    for s in summary.values():
        s["build_ratio_to_txt"] = s["build_s"] / base["build_s"]
        s["build_min_ratio_to_txt"] = s["build_min_s"] / base["build_min_s"]
        s["other_ratio_to_txt"] = s["other_s"] / base["other_s"]
        s["read_ratio_to_txt"] = s["read_s"] / base["read_s"]
        s["read_share_of_build"] = s["read_s"] / s["build_min_s"]
    return summary


def table(summary: dict, formats: list[str]) -> str:
    lines = ["| format | letters indexed | chunks | build: median (fastest) | build / txt: median (fastest) "
             "| embedding | build less embedding | that / txt | read_letter | read / txt "
             "| read share of the fastest build | parse mismatches |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for fmt in formats:
        s = summary[fmt]
        cells = [fmt, str(s["letters"]), f"{s['chunks']:,}", f"{s['build_s']:.1f} s ({s['build_min_s']:.1f} s)",
                 f"{s['build_ratio_to_txt']:.2f}x ({s['build_min_ratio_to_txt']:.2f}x)", f"{s['embed_s']:.1f} s",
                 f"{s['other_s']:.2f} s", f"{s['other_ratio_to_txt']:.1f}x", f"{s['read_s']:.2f} s",
                 f"{s['read_ratio_to_txt']:.1f}x", f"{100 * s['read_share_of_build']:.1f}%", str(s["mismatches"])]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def reprint(path: str) -> int:
    """The table of an earlier run's result file, summarised again by this code."""
    import json

    doc = json.loads(Path(path).read_text())
    formats = doc["settings"]["formats"]
    info = {fmt: {key: doc["summary"][fmt][key] for key in ("mismatches", "bytes", "write_s")} for fmt in formats}
    print(table(summarise(doc["runs"], formats, info), formats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
