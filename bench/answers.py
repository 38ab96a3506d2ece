"""Every answer to the benchmark's questions, as JSON: to check that a speed change changes no answer.

    .venv/bin/python bench/answers.py INDEX_DIR OUT.json
    cmp before.json after.json

Asks the list questions of query.py, its open questions for seeds 0, 1 and 2 (and the
warm-up's), and a few lookups and a compare over the index's first councils, then writes
`[Answer.to_dict(), ...]` (sorted keys) to OUT.json. Run it with the code before and after
a change, on the same index, and compare the files byte for byte.
But: - times nothing; open questions need the model (their answers depend on the query embedding).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from bench import _common  # noqa: F401 - the offline environment
from bench.query import LIST_QUESTIONS, make_opens, make_searches


def questions(letters) -> list[str]:
    out = list(LIST_QUESTIONS)
    for seed in (0, 1, 2):
        rng = random.Random(seed)
        make_searches(letters, 200, rng)  # query.py draws its searches first, then its open questions
        out += make_opens(letters, 60, rng)
    out += make_opens(letters, 5, random.Random(2))
    names = [letter.short_name for letter in letters[:3]]
    out += [f"What rating did {names[0]} get?", f"Compare {names[0]} and {names[1]}",
            f"How did {names[2]} do for staying safe?",
            "Which councils are adequate or better for being healthy in 2008?"]
    return list(dict.fromkeys(out))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    from qa import Assistant

    assistant = Assistant.open(argv[0])
    answers = [assistant.ask(q).to_dict() for q in questions(assistant.reader.letters)]
    Path(argv[1]).write_text(json.dumps(answers, indent=0, sort_keys=True) + "\n")
    print(f"{len(answers)} answers, {sum(len(a['citations']) for a in answers)} citations -> {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
