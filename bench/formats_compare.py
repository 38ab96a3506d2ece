"""Which PDF extractor, on evidence: table rows, paragraphs, reading order, speed, install size.

    python bench/formats_compare.py [--repeat 5] [--json OUT.json]

Prints two markdown tables. The five seed letters are printed to PDF by headless Chromium
(tests/documents.py: letterhead, bordered rating tables, running header, "Page N of M" footer,
wrapped paragraphs with soft hyphens), then each extractor's own text is scored against the
text letter:
  rows        the letter's table rows that come out as one line, cells split by a tab or 2+ spaces
  paragraphs  the letter's paragraphs (lines over 100 characters) that come out whole on one line
  order       difflib similarity of the word sequences (order, split or merged words, extra text)
  ratings     the seeds' ratings that parse_letter finds on that text with the same grade and cited text
  ms/letter   extraction time, best of --repeat passes over the five PDFs
  install     the package and its dependencies, MB on disk in this venv
"ours" is index.formats (PDFium's characters and rules, then index/formats/layout.py). The
second table times every format's full parse_letter per letter against the text letter's.
But: - five letters of one house style, printed by one browser; - PyMuPDF is not measured (AGPL).
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import re
import sys
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/X.py` imports from the repository root

from index.letters import parse_letter, read_letter
from tests import documents

ROOT = Path(__file__).resolve().parents[1]

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def _pypdf(data: bytes, layout: bool = False) -> str:
    from pypdf import PdfReader

    mode = {"extraction_mode": "layout"} if layout else {}
    return "\n".join(page.extract_text(**mode) for page in PdfReader(io.BytesIO(data)).pages)


def _pdfminer(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def _pdfplumber(data: bytes, tables: bool = False) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        if not tables:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
        # Its table finder on the rules, each row a tab-joined line, beside the page's plain text.
        out = []
        for page in pdf.pages:
            out.append(page.extract_text() or "")
            for table in page.extract_tables():
                out += ["\t".join(" ".join((cell or "").split()) for cell in row) for row in table]
        return "\n".join(out)


def _pypdfium2(data: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def _ours(data: bytes) -> str:
    from index.formats import extract_text

    return extract_text(data, "letter.pdf")


EXTRACTORS = {
    "pypdf": ("pypdf", _pypdf),
    "pypdf (layout mode)": ("pypdf", lambda data: _pypdf(data, layout=True)),
    "pdfminer.six": ("pdfminer.six", _pdfminer),
    "pdfplumber": ("pdfplumber", _pdfplumber),
    "pdfplumber + extract_tables": ("pdfplumber", lambda data: _pdfplumber(data, tables=True)),
    "pypdfium2": ("pypdfium2", _pypdfium2),
    "ours: pypdfium2 + layout.py": ("pypdfium2", _ours),
}


def install_mb(dist: str) -> float:
    """MB on disk of `dist` and everything it requires (not extras), as installed here."""
    seen: set[str] = set()
    todo = [dist]
    total = 0
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen.add(key)
        try:
            found = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        total += sum(f.locate().stat().st_size for f in found.files or [] if f.locate().exists())
        todo += [re.split(r"[ ;<>=!~\[(]", req)[0] for req in found.requires or [] if "extra ==" not in req]
    return round(total / 1e6, 1)


def score(texts: list[str], outputs: list[str]) -> dict:
    rows = rows_found = paragraphs = paragraphs_found = ratings = ratings_found = 0
    order = []
    for (path, text), output in zip(zip(SEEDS, texts), outputs):
        lines = {line.strip() for line in output.replace("\r", "").split("\n")}
        for line in text.split("\n"):
            cells = [cell.strip() for cell in line.split("\t")]
            if len(cells) > 1 and not all(set(cell) <= {"-"} for cell in cells):
                rows += 1
                pattern = r"(?:\t[ \t]*|  +)".join(r" +".join(map(re.escape, cell.split())) for cell in cells)
                rows_found += any(re.fullmatch(rf"[ \t|]*{pattern}[ \t|]*", got) for got in lines)
            elif len(line) > 100 and "\t" not in line:
                paragraphs += 1
                plain = line.replace("*", "").lstrip("#- ").strip()
                paragraphs_found += any(got.lstrip("-• ").replace("*", "") == plain for got in lines)
        words = re.findall(r"\w+", text.replace("*", "").lower())
        got = re.findall(r"\w+", output.lower())
        order.append(difflib.SequenceMatcher(None, words, got, autojunk=False).ratio())
        expected = read_letter(path)
        wanted = {(r.area, r.grade, expected.text[r.start:r.end]) for r in expected.ratings}
        ratings += len(wanted)
        try:
            letter = parse_letter(output, path.stem + ".pdf")
            found = {(r.area, r.grade, letter.text[r.start:r.end]) for r in letter.ratings}
        except Exception:  # a text the parser cannot take counts as no ratings
            found = set()
        ratings_found += len(wanted & found)
    return {"rows": f"{rows_found}/{rows}", "paragraphs": f"{paragraphs_found}/{paragraphs}",
            "order": round(sum(order) / len(order), 3), "ratings": f"{ratings_found}/{ratings}"}


def best_ms(func, items: list, repeat: int) -> float:
    func(items[0])  # imports, caches
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            func(item)
        best = min(best, time.perf_counter() - start)
    return round(best / len(items) * 1000, 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if documents.chromium_missing():
        raise SystemExit(documents.chromium_missing())
    texts = [read_letter(path).text for path in SEEDS]
    pdfs = documents.letter_pdfs(texts)
    results = {}
    print("| extractor | table rows one line | paragraphs whole | word order | ratings same | ms/letter | "
          "install MB (with deps) |\n|---|---|---|---|---|---|---|")
    for label, (dist, extract) in EXTRACTORS.items():
        outputs = [extract(data) for data in pdfs]
        row = {**score(texts, outputs), "ms": best_ms(extract, pdfs, args.repeat), "install_mb": install_mb(dist)}
        results[label] = row
        print(f"| {label} | {row['rows']} | {row['paragraphs']} | {row['order']} | {row['ratings']} | "
              f"{row['ms']} | {row['install_mb']} |")
    pages = sum(len(__import__("pypdfium2").PdfDocument(data)) for data in pdfs)
    print(f"\n{len(pdfs)} letters, {pages} pages in all.\n")
    formats = {
        "text (.txt)": [(path.read_bytes(), path.name) for path in SEEDS],
        "PDF": [(data, "letter.pdf") for data in pdfs],
        "Word (.docx)": [(documents.docx_bytes(text), "letter.docx") for text in texts],
        "HTML (web page)": [(documents.web_page(text), "letter.html") for text in texts],
    }
    print("| format | parse_letter ms/letter | x text |\n|---|---|---|")
    base = None
    for label, items in formats.items():
        ms = best_ms(lambda item: parse_letter(*item), items, args.repeat)
        base = base or ms
        results[f"parse {label}"] = {"ms": ms}
        print(f"| {label} | {ms} | {ms / base:.0f}x |")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
