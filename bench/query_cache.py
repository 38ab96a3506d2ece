"""What the question-vector cache saves: the same searches and open questions, new then repeated.

    .venv/bin/python bench/query_cache.py INDEX [--n 30]

One warm Assistant (model loaded first); N distinct searches and N distinct open questions,
each timed when new (the model embeds it) and again when repeated (the vector comes from the
cache). Prints medians and their ratio; writes bench/results/query_cache.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common as common


def timed(call, items) -> list[float]:
    out = []
    for item in items:
        t0 = time.perf_counter()
        call(item)
        out.append(time.perf_counter() - t0)
    return out


def main(argv: list[str] | None = None) -> int:
    from qa import Assistant

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index")
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args(argv)
    doc = common.start("query_cache", sys.argv[1:] if argv is None else argv, n=args.n)
    assistant = Assistant.open(args.index)
    assistant.search("warm up the model", k=5)
    searches = [f"how private fostering is checked, case {i}" for i in range(args.n)]
    questions = [f"What is going well in Trafford for children, case {i}?" for i in range(args.n)]
    for name, call, items in (("search", lambda q: assistant.search(q, k=5), searches),
                              ("ask", assistant.ask, questions)):
        new, repeated = timed(call, items), timed(call, items)
        doc[name] = {"new_ms": 1000 * common.median(new), "repeated_ms": 1000 * common.median(repeated)}
        doc[name]["ratio"] = doc[name]["new_ms"] / doc[name]["repeated_ms"]
        print(f"{name:6} new {doc[name]['new_ms']:.1f} ms, repeated {doc[name]['repeated_ms']:.1f} ms "
              f"(median of {args.n}; {doc[name]['ratio']:.1f}x)")
    print(common.finish(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
