"""Make the test PDFs of tests/fixtures/pdfs: the five seed letters written as Word documents by
python-docx and converted to PDF by LibreOffice, the way offices make them.

    apt-get install -y libreoffice-writer-nogui      # soffice; CI has no LibreOffice, hence the fixtures
    .venv/bin/python tools/make_test_pdfs.py         # writes tests/fixtures/pdfs/*.pdf and its README.md
    .venv/bin/python tools/make_test_pdfs.py --chromium /tmp/prints   # also the Chromium styles, to look at

The five seeds in every variant, and five letters of tests/fixtures/kinds (APA 2007, a 2009
monitoring letter, 2010 and 2011 assessments, a 2010 unannounced inspection) as `word` and
`word-nospacing`. Variants (tests/documents.py builds the documents):
- `word`: Heading 2 headings, a "Table Grid" table for the grades, bulleted lists, a running header
  and a "Page X of Y" footer (PAGE and NUMPAGES fields), python-docx's default spacing;
- `word-nospacing`: the same with no space before or after any paragraph and single line spacing:
  no blank line anywhere, headings told apart only by their size and weight;
- `word-twocol`: the address block and Ofsted's address side by side in a borderless table.

The Chromium styles (documents.PRINT_STYLES) are printed at test time (CI has Chromium), so they
are not written here unless --chromium asks.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python tools/X.py` imports from the repository root

from index.letters import read_letter
from tests import documents

ROOT = Path(__file__).resolve().parents[1]

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
# Letters of the other kinds to 2011 (tests/fixtures/kinds), in the two commonest variants; not
# 2005-apa-eastmere, whose text glues the title "Grade descriptors" to its table (a one-cell row
# in print, read as a heading of its own).
KINDS = [ROOT / "tests" / "fixtures" / "kinds" / f"{name}.txt" for name in (
    "2007-apa-southvale", "2009-letter-kellingford", "2010-assessment-northwold", "2010-unannounced-harrowby",
    "2011-assessment-westbridge")]
OUT = ROOT / "tests" / "fixtures" / "pdfs"
VARIANTS = {
    "word": {},
    "word-nospacing": {"spacing": False},
    "word-twocol": {"two_column": True},
}
KIND_VARIANTS = ("word", "word-nospacing")


def soffice_version() -> str:
    return subprocess.run(["soffice", "--version"], capture_output=True, text=True, check=True).stdout.strip()


def chromium_version() -> str:
    try:
        return subprocess.run([str(documents.CHROMIUM), "--version"], capture_output=True, text=True,
                              timeout=60).stdout.strip().split(" built on")[0] or "an unknown Chromium"
    except OSError:
        return "an unknown Chromium"


def convert(docx: dict[str, bytes], out: Path) -> None:
    """name -> .docx bytes, converted by one LibreOffice run into out/name.pdf."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in docx.items():
            (folder / f"{name}.docx").write_bytes(data)
        profile = folder / "profile"
        subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(folder), *sorted(str(path) for path in folder.glob("*.docx"))],
                       check=True, capture_output=True, timeout=600)
        for name in docx:
            shutil.copy(folder / f"{name}.pdf", out / f"{name}.pdf")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--chromium", type=Path, help="also print the Chromium styles into this folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    texts = {path.stem: read_letter(path).text for path in SEEDS}
    docx = {f"{stem}.{variant}": documents.office_docx(text, **options)
            for stem, text in texts.items() for variant, options in VARIANTS.items()}
    for path in KINDS:
        text = read_letter(path).text
        docx.update({f"{path.stem}.{variant}": documents.office_docx(text, **VARIANTS[variant])
                     for variant in KIND_VARIANTS})
    convert(docx, args.out)
    version = soffice_version()
    sizes = sorted((path.name, path.stat().st_size) for path in args.out.glob("*.pdf"))
    lines = [
        "# Test PDFs made as offices make them",
        "",
        "Made by `tools/make_test_pdfs.py` (read its docstring): each seed letter of `seeds/` and five",
        "letters of `tests/fixtures/kinds/` written as a Word document by python-docx (`tests/documents.py`,",
        f"`office_docx`) and converted to PDF by {version} (`soffice --headless --convert-to pdf`).",
        "CI has no LibreOffice, so the PDFs are kept here; tests/test_pdf_layout.py reads them.",
        "The Chromium styles (`documents.PRINT_STYLES`) are printed at test time instead (CI has",
        f"Chromium; these tests were written against {chromium_version()}).",
        "",
        "| file | bytes |",
        "|---|---|",
        *(f"| {name} | {size:,} |" for name, size in sizes),
        f"| total | {sum(size for _, size in sizes):,} |",
        "",
    ]
    (args.out / "README.md").write_text("\n".join(lines))
    if args.chromium:
        args.chromium.mkdir(parents=True, exist_ok=True)
        texts.update({path.stem: read_letter(path).text for path in KINDS})
        for style in documents.PRINT_STYLES:
            for stem, data in zip(texts, documents.styled_letter_pdfs(texts.values(), style)):
                (args.chromium / f"{stem}.{style}.pdf").write_bytes(data)
    print(f"{len(sizes)} PDFs in {args.out} ({sum(size for _, size in sizes):,} bytes), {version}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
