"""Warm query latency over one index: `search` and `ask` (list and open questions), p50/p95.

    .venv/bin/python bench/query.py INDEX_DIR [--searches 200] [--asks 60] [--seed 0]

Opens the index with `Assistant.open`, loads the model and warms up (not timed), then
times each call with time.perf_counter: ~200 searches over the corpus's topics (private
fostering, serious case reviews, children's homes, care leavers, NEET, schools, ...), a
third with a council filter and some with a year filter; `ask` for list questions ("Which
councils perform adequately?") and for open questions, reported separately, each also split
into time inside `Retriever.search` and outside it (not with --ab). Also: the
process's peak RSS (getrusage maxrss) after all of it, and the index size on disk.
Goals at 10,000 letters: search p95 < 30 ms, ask p95 < 60 ms, peak RSS < 1.5 GB.
But: - one thread, one query at a time; no HTTP or Gradio in the loop (bench/coldstart.py
starts the server).
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common

TOPICS = [
    "private fostering", "private fostering arrangements", "serious case review", "serious case reviews judged",
    "children's homes", "children's homes inadequate", "care leavers", "support for care leavers accommodation",
    "NEET young people not in education, employment or training", "16 to 18 year olds not in education",
    "schools", "secondary schools inadequate", "primary schools good or better", "sixth form provision",
    "pupil referral unit", "special school", "fostering and adoption agencies", "adoption agency inspection",
    "childcare and nurseries", "early years provision", "childminding", "national indicators",
    "performance against national indicators", "staying safe", "stability of placement for looked after children",
    "educational achievement at ages 11 and 16", "level 2 qualification by age 19", "inequality gap at 19",
    "young people with special educational needs", "custodial sentence young offenders", "being healthy",
    "teenage pregnancy", "safeguarding children", "looked after children", "enjoying and achieving",
    "making a positive contribution", "achieving economic well-being", "capacity to improve",
    "leadership and management", "vulnerable children outcomes",
]
OPEN_TEMPLATES = [
    "What did Ofsted say about {topic}?", "How good is {topic} in {council}?", "Tell me about {topic}",
    "Are there concerns about {topic} in {council}?", "What do the letters say about {topic}?",
    "How is {topic} judged in {council}?",
]
LIST_QUESTIONS = [
    "Which councils perform adequately?", "Which councils perform well?", "Which councils perform excellently?",
    "Which councils perform poorly?", "Which councils were rated 2?", "Which councils meet only minimum requirements?",
    "Which councils are outstanding for staying safe?", "Which councils were inadequate for being healthy?",
    "Which councils were rated 3 in 2009?", "Which councils were good for capacity to improve in 2008?",
    "Which councils exceed minimum requirements?", "Which councils performed poorly in 2010?",
]


def make_searches(letters, n: int, rng: random.Random) -> list[dict]:
    out = []
    years = sorted({letter.year for letter in letters})
    for i in range(n):
        query = {"query": TOPICS[i % len(TOPICS)]}
        if i % 3 == 1:
            query["council"] = rng.choice(letters).short_name
        elif i % 6 == 2:
            query["year"] = rng.choice(years)
        out.append(query)
    rng.shuffle(out)
    return out


def make_opens(letters, n: int, rng: random.Random) -> list[str]:
    templates = OPEN_TEMPLATES
    return [templates[i % len(templates)].format(topic=rng.choice(TOPICS), council=rng.choice(letters).short_name)
            for i in range(n)]


def timed(fn, items) -> tuple[list[float], list]:
    """Seconds per item, and the results."""
    seconds, results = [], []
    for item in items:
        t0 = time.perf_counter()
        results.append(fn(item))
        seconds.append(time.perf_counter() - t0)
    return seconds, results


class AskSummary(NamedTuple):
    intent: str
    citations: int  # how many


class SearchClock:
    """Adds up the seconds spent inside Retriever.search, so an ask splits into search and the rest."""

    def __init__(self):
        from qa import retriever

        self.seconds = 0.0
        self._cls, self._search = retriever.Retriever, retriever.Retriever.search
        clock, search = self, self._search

        def timed_search(self, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return search(self, *args, **kwargs)
            finally:
                clock.seconds += time.perf_counter() - t0

        self._cls.search = timed_search

    def close(self) -> None:
        self._cls.search = self._search


def stats(seconds: list[float]) -> dict:
    return {"n": len(seconds), "p50_ms": common.percentile(seconds, 50) * 1000,
            "p95_ms": common.percentile(seconds, 95) * 1000, "max_ms": max(seconds) * 1000,
            "mean_ms": sum(seconds) / len(seconds) * 1000}


def breakdown(assistant, searches: list[dict], k: int) -> dict:
    """Per stage of Retriever.search, the same steps timed one by one (median and p95 ms)."""
    from qa.retriever import MIN_CANDIDATES, Retriever, select_letters

    reader = assistant.reader
    retriever = Retriever(reader, assistant.embedder)
    stages: dict[str, list[float]] = {}
    short = []  # searches where FAISS returned fewer rows than the filters allow (boilerplate is always filtered)

    def lap(name, t0):
        now = time.perf_counter()
        stages.setdefault(name, []).append(now - t0)
        return now

    for q in searches:
        t = time.perf_counter()
        filtered = "council" in q or "year" in q
        letters = select_letters(reader, q.get("council"), q.get("year")) if filtered else reader.letters
        letter_ids = [letter.id for letter in letters] if filtered else None
        allowed = retriever._content_flags(letter_ids, [], [])  # over the non-boilerplate rows, as search
        t = lap("filter", t)
        vector = assistant.embedder.embed([q["query"]])[0]
        t = lap("embed", t)
        dense = reader.content_dense(vector, max(MIN_CANDIDATES, 4 * k), allowed)
        t = lap("faiss", t)
        if allowed is not None:
            wanted = min(max(MIN_CANDIDATES, 4 * k), int(allowed.sum()))
            if len(dense) < wanted:
                short.append({"query": q, "returned": len(dense), "allowed": int(allowed.sum()), "wanted": wanted})
        sparse = reader.content_bm25(q["query"], max(MIN_CANDIDATES, 4 * k), allowed)
        t = lap("bm25", t)
        rows = list(dict.fromkeys([r for r, _ in dense[:k]] + [r for r, _ in sparse[:k]]))[:k]
        retriever._passages(rows, dict.fromkeys(rows, 0.0), dict(dense), dict(sparse))
        lap("passages", t)
    result = {name: {"p50_ms": common.percentile(v, 50) * 1000, "p95_ms": common.percentile(v, 95) * 1000}
              for name, v in stages.items()}
    result["dense_shortfall"] = {"searches": len(short), "of_searches": len(searches),
                                 "with_council_or_year": sum(len(q) > 1 for q in short), "examples": short[:5]}
    return result


def disk_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir")
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--asks", type=int, default=60, help="questions per ask kind (list, open)")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="result file (default bench/results/query-<letters>.json)")
    args = parser.parse_args(argv)
    from qa import Assistant

    index_dir = Path(args.index_dir)
    doc = common.start("query", argv, searches=args.searches, asks=args.asks, k=args.k, seed=args.seed)
    rss_start = rss_mb()
    t0 = time.perf_counter()
    assistant = Assistant.open(index_dir)
    doc["open_s"] = time.perf_counter() - t0
    doc["rss_after_open_mb"] = rss_mb()
    reader = assistant.reader
    letters = reader.letters
    manifest = reader.manifest
    segments = [s.file for s in manifest.segments]
    doc["index"] = {"dir": str(index_dir), "letters": len(letters), "chunks": reader.chunks,
                    "segments": segments, "generation": manifest.generation,
                    "disk_bytes": disk_size(index_dir), "generation_bytes": disk_size(index_dir / manifest.folder),
                    "ratings": len(reader.ratings), "provenance": common.provenance(index_dir)}
    t0 = time.perf_counter()
    assistant.embedder.embed(["load the model"])  # any backend (ONNX, PyTorch): loads it, not timed below
    doc["model_load_s"] = time.perf_counter() - t0
    rng = random.Random(args.seed)
    searches = make_searches(letters, args.searches, rng)
    lists = [LIST_QUESTIONS[i % len(LIST_QUESTIONS)] for i in range(args.asks)]
    opens = make_opens(letters, args.asks, rng)
    # Warm-up: every code path once or more (FAISS, FTS5, parsing, answer building), not timed.
    for query in make_searches(letters, 20, random.Random(args.seed + 1)):
        assistant.search(k=args.k, **query)
    for question in LIST_QUESTIONS[:3] + make_opens(letters, 5, random.Random(args.seed + 2)):
        assistant.ask(question)
    doc["rss_after_warmup_mb"] = rss_mb()

    doc["loadavg_search"] = [common.loadavg()]
    search_s, hits = timed(lambda q: assistant.search(k=args.k, **q), searches)
    doc["loadavg_search"].append(common.loadavg())
    doc["loadavg_ask"] = [common.loadavg()]
    clock = SearchClock()
    inside: list[float] = []

    def ask(question):
        # Only a summary is kept: holding all 80 answers (~1,600 citations each at 10,000 letters)
        # made the collector's full passes grow to ~300 ms, inside timed calls, a cost a server
        # that drops its answers does not pay. Freeing the answer is timed with its ask.
        before = clock.seconds
        answer = assistant.ask(question)
        inside.append(clock.seconds - before)
        return AskSummary(answer.intent, len(answer.citations))

    list_s, list_answers = timed(ask, lists)
    list_inside, inside = inside, []
    open_s, open_answers = timed(ask, opens)
    open_inside = inside
    clock.close()
    doc["loadavg_ask"].append(common.loadavg())
    doc["search"] = stats(search_s) | {
        "filtered_p95_ms": common.percentile([s for s, q in zip(search_s, searches) if len(q) > 1], 95) * 1000,
        "unfiltered_p95_ms": common.percentile([s for s, q in zip(search_s, searches) if len(q) == 1], 95) * 1000,
        "empty_results": sum(not h for h in hits)}
    doc["ask_list"] = stats(list_s) | {
        "intents": sorted({a.intent for a in list_answers}),
        "median_citations": common.median(a.citations for a in list_answers),
        "max_citations": max(a.citations for a in list_answers),
        "per_question_median_ms": {q: common.median(s for s, x in zip(list_s, lists) if x == q) * 1000
                                   for q in dict.fromkeys(lists)}}
    doc["ask_open"] = stats(open_s) | {"intents": sorted({a.intent for a in open_answers}),
                                       "median_citations": common.median(a.citations for a in open_answers)}
    # Time inside Retriever.search and outside it (parsing, ratings, quoting, citations).
    for name, total, searched, answers in (("ask_list", list_s, list_inside, list_answers),
                                           ("ask_open", open_s, open_inside, open_answers)):
        outside = [t - s for t, s in zip(total, searched)]
        doc[name]["outside_search"] = stats(outside)
        doc[name]["inside_search"] = stats([s for s, a in zip(searched, answers) if a.intent == "open"] or [0.0])
        doc[name]["outside_search_by_intent_p95_ms"] = {
            intent: common.percentile([o for o, a in zip(outside, answers) if a.intent == intent], 95) * 1000
            for intent in sorted({a.intent for a in answers})}
    doc["search_breakdown"] = breakdown(assistant, searches, args.k)
    doc["memory"] = {"maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                     "rss_start_mb": rss_start, "rss_end_mb": rss_mb()}
    doc["raw_ms"] = {"search": [s * 1000 for s in search_s], "ask_list": [s * 1000 for s in list_s],
                     "ask_open": [s * 1000 for s in open_s]}
    doc["queries"] = {"search": searches, "ask_list": lists, "ask_open": opens}
    path = common.finish(doc, args.out or common.RESULTS / f"query-{len(letters)}.json")

    idx = doc["index"]
    print(f"index {index_dir}: {idx['letters']} letters, {idx['chunks']} chunks "
          f"({len(idx['segments'])} vector segments), "
          f"{idx['disk_bytes'] / 2**20:.0f} MiB on disk; open {doc['open_s'] * 1000:.0f} ms, model load "
          f"{doc['model_load_s']:.1f} s")
    if (idx["provenance"] or {}).get("vectors") == "fake":
        print("NOTE: this index holds FAKE (random) vectors: only the non-model costs are meaningful")
    print(f"{'':10} {'n':>4} {'p50':>9} {'p95':>9} {'max':>9}  goal (p95)")
    for name, goal in (("search", 30), ("ask_list", 60), ("ask_open", 60)):
        s = doc[name]
        print(f"{name:10} {s['n']:>4} {s['p50_ms']:>7.1f}ms {s['p95_ms']:>7.1f}ms {s['max_ms']:>7.1f}ms  "
              f"< {goal} ms: {'met' if s['p95_ms'] < goal else 'MISSED'}")
    if clock:
        for name in ("ask_list", "ask_open"):
            out, ins = doc[name]["outside_search"], doc[name]["inside_search"]
            print(f"{name} outside search p50 {out['p50_ms']:.1f} ms, p95 {out['p95_ms']:.1f} ms (max "
                  f"{out['max_ms']:.1f}); inside search p50 {ins['p50_ms']:.1f} ms, p95 {ins['p95_ms']:.1f} ms")
    print(f"search p95 filtered {doc['search']['filtered_p95_ms']:.1f} ms, unfiltered "
          f"{doc['search']['unfiltered_p95_ms']:.1f} ms; list answers cite median {doc['ask_list']['median_citations']}"
          f" (max {doc['ask_list']['max_citations']})")
    stages = {name: v for name, v in doc["search_breakdown"].items() if "p50_ms" in v}
    print("search stages p50/p95 ms: " + ", ".join(f"{name} {v['p50_ms']:.1f}/{v['p95_ms']:.1f}"
                                                  for name, v in stages.items()))
    short = doc["search_breakdown"]["dense_shortfall"]
    print(f"searches where FAISS returned fewer rows than the filters allow: {short['searches']} of "
          f"{short['of_searches']} ({short['with_council_or_year']} with a council or year filter)")
    mem = doc["memory"]
    print(f"peak RSS {mem['maxrss_mb']:.0f} MiB (goal < 1.5 GB: {'met' if mem['maxrss_mb'] < 1536 else 'MISSED'}); "
          f"after open {doc['rss_after_open_mb']:.0f} MiB")
    print(f"load average before {doc['loadavg_before']}, after {doc['loadavg_after']}; {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
