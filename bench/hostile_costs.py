"""What reading each hostile document (tests/hostile.py) and each real letter costs.

Each file is read by `index.letters.parse_letter` in a fresh Python process of its own, under
RLIMIT_AS (--cap-gb, default 6) and a wall-clock timeout (--timeout, default 150 s), so a bomb
cannot take the machine down while it is measured. Per file it prints the outcome (accepted,
or the refusal's reason, or how the process died), the wall time, and the peak RSS and CPU
seconds of the reading process itself ("parent": the CLI, the server or the indexer) and of the
processes it waited for ("children": the sandbox that reads documents, when there is one). When
the process dies (killed at the cap or the timeout), /usr/bin/time's figures for it and its
children together are shown as the parent's.

    .venv/bin/python bench/hostile_costs.py            # hostile files and the seeds as PDF/DOCX/HTML
    .venv/bin/python bench/hostile_costs.py --only form  # the cases whose name holds "form"

But: - the real letters' PDFs are printed by Chromium (tests/documents.py, cached); without
/usr/bin/chromium the PDF rows use tests/hostile.letter_pdf's plain PDFs instead.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from tests import hostile

ROOT = Path(__file__).resolve().parents[1]

HOSTILE = {
    "form-bomb-8x10.pdf": lambda: hostile.form_bomb_pdf(8, 10),
    "form-bomb-6x10.pdf": lambda: hostile.form_bomb_pdf(6, 10),
    "chars-45M.pdf": lambda: hostile.many_chars_pdf(45_000_000),
    "chars-5M.pdf": lambda: hostile.many_chars_pdf(5_000_000),
    "rectangles-7.7M.pdf": lambda: hostile.rectangles_pdf(7_700_000),
    "images-200x99k.pdf": lambda: hostile.image_objects_pdf(200, 99_000),
    "images-100x99k.pdf": lambda: hostile.image_objects_pdf(100, 99_000),
    "whitespace-1GB.pdf": lambda: hostile.whitespace_pdf(1_000_000_000),
    "busy-100x40k.pdf": lambda: hostile.busy_pages_pdf(100, 40_000),
    "save-restore-100x2M.pdf": lambda: hostile.busy_pages_pdf(100, 2_000_000, b"q Q\n"),
    "paragraphs-199MB.docx": lambda: hostile.paragraph_bomb_docx(199_000_000),
    "lying-1.2GB.docx": lambda: hostile.lying_docx(10_000, 1_200_000_000),
    "paragraphs-20MB.html": lambda: hostile.big_html(1_650_000),
    "chunks-2MB.txt": lambda: _chunky_text(),
}

INNER = r"""
import json, resource, sys, time
from pathlib import Path
from index.errors import LetterError
from index.letters import parse_letter
path = Path(sys.argv[1])
data = path.read_bytes()
start = time.perf_counter()
try:
    letter = parse_letter(data, path.name)
    outcome = f"accepted ({len(letter.text):,} characters)"
except LetterError as exc:
    outcome = "refused: " + exc.reason
wall = time.perf_counter() - start
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"outcome": outcome, "wall": wall, "parent_mb": me.ru_maxrss / 1024,
                  "parent_cpu": me.ru_utime + me.ru_stime, "child_mb": kids.ru_maxrss / 1024,
                  "child_cpu": kids.ru_utime + kids.ru_stime}))
"""


def _chunky_text() -> bytes:
    seed = (ROOT / "seeds" / "000_be5145f8e9499e13.txt").read_bytes()
    at = seed.index(b"Yours sincerely")
    filler = b"Children's services are good here.\n\n" * 52_000
    return (seed[:at] + filler + seed[at:])[:2_000_000]


def real_letters() -> dict:
    from index.letters import read_letter
    from tests import documents

    out = {}
    paths = sorted((ROOT / "seeds").glob("*.txt"))
    texts = [read_letter(path).text for path in paths]
    if documents.chromium_missing():
        pdfs = [hostile.letter_pdf(text) for text in texts]
    else:
        pdfs = documents.letter_pdfs(texts)
    for path, text, pdf in zip(paths, texts, pdfs):
        out[f"{path.stem}.pdf"] = lambda pdf=pdf: pdf
        out[f"{path.stem}.docx"] = lambda text=text: documents.docx_bytes(text)
        out[f"{path.stem}.html"] = lambda text=text: documents.web_page(text)
        out[f"{path.stem}.txt"] = lambda path=path: path.read_bytes()
    return out


def measure(path: Path, cap_gb: float, timeout: float) -> dict:
    limit = int(cap_gb * 1024**3)

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    start = time.perf_counter()
    command = ["/usr/bin/time", "-f", "TIME %M %U %S", sys.executable, "-c", INNER, str(path)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=limits)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    wall = time.perf_counter() - start
    line = out.decode(errors="replace").strip().splitlines()
    if process.returncode == 0 and line:
        return json.loads(line[-1])
    errors = err.decode(errors="replace").splitlines()
    timing = [e.split() for e in errors if e.startswith("TIME ")]
    tail = " ".join(" ".join(e for e in errors if not e.startswith("TIME ")).split())[-120:]
    how = "timed out" if wall >= timeout else f"died (exit {process.returncode})"
    kb, user, system = (float(v) for v in timing[-1][1:4]) if timing else (float("nan"),) * 3
    return {"outcome": f"{how}: {tail}", "wall": wall, "parent_mb": kb / 1024, "parent_cpu": user + system,
            "child_mb": float("nan"), "child_cpu": float("nan")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="cases whose name holds this")
    parser.add_argument("--cap-gb", type=float, default=6.0)
    parser.add_argument("--timeout", type=float, default=150.0)
    parser.add_argument("--no-real", action="store_true", help="hostile files only")
    parser.add_argument("--no-hostile", action="store_true", help="real letters only")
    args = parser.parse_args()
    cases = {} if args.no_hostile else dict(HOSTILE)
    if not args.no_real:
        cases.update(real_letters())
    with tempfile.TemporaryDirectory(prefix="letters-qa-hostile-") as scratch:
        print("| file | size | outcome | wall s | parent peak MB | parent CPU s | child peak MB | child CPU s |")
        print("|---|---|---|---|---|---|---|---|")
        for name, build in cases.items():
            if args.only not in name:
                continue
            path = Path(scratch) / name
            path.write_bytes(build())
            result = measure(path, args.cap_gb, args.timeout)
            print(f"| {name} | {path.stat().st_size:,} | {result['outcome'][:110]} | {result['wall']:.2f} | "
                  f"{result['parent_mb']:.0f} | {result['parent_cpu']:.2f} | {result['child_mb']:.0f} | "
                  f"{result['child_cpu']:.2f} |", flush=True)
            path.unlink()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    raise SystemExit(main())
