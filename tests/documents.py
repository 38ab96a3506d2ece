"""Build real published-style files (PDF, DOCX, HTML) from text letters, for tests and benchmarks.

A text letter (its normalised `Letter.text`) is laid out as a printed letter: an Ofsted
letterhead, headings, paragraphs long enough to wrap, bullet lists, the rating and grade
tables as real bordered tables, and on every page a running header and a "Page N of M" footer.
PDFs are printed by headless Chromium (Playwright's `page.pdf`), DOCX files are written by
python-docx, and the HTML is a web-archive page with a nav bar, a site footer and scripts.
Printed PDFs are cached by content hash in a temporary folder, so a rerun prints nothing.
Bad files too: an image-only "scanned" PDF (Pillow), encrypted and blank-page PDFs (pypdf), a
macro-enabled Word package. For tests/test_pdf_layout.py, letters as offices make them:
`styled_letter_pdfs` prints one in each of PRINT_STYLES (browser margins, no paragraph margins,
first-line indents, small gaps, justified, a two-column letterhead, no space anywhere) and
`office_docx` writes the Word files that tools/make_test_pdfs.py converts with LibreOffice.

But: - the layouts are plausible house styles, not Ofsted's; - no OCR'd letters, and no
two-column body text (only the letterhead).
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
CACHE = Path(tempfile.gettempdir()) / "letters-qa-documents"
BUILDER_VERSION = "2"  # part of every cache key: bump it when the layout changes

LETTERHEAD = ("Aviation House", "125 Kingsway", "London WC2B 6SE", "T 0300 123 1231",
              "enquiries@ofsted.gov.uk", "www.ofsted.gov.uk")
RUNNING_HEADER = "Ofsted | Raising standards, improving lives"
SITE = "www.ofsted.gov.uk"

# --- the letter's structure -------------------------------------------------------------------

_EMPHASIS = re.compile(r"\*([^*\n]+)\*")
_DASHES = re.compile(r"^-{3,}$")
_LONG_WORD = re.compile(r"\b[a-z]{12,}\b")


def as_printed(line: str) -> str:
    """A line of the text letter as the built documents show it: no *emphasis* or "#" heading markers."""
    return _EMPHASIS.sub(r"\1", line).lstrip("#").strip()


def blocks(text: str) -> Iterator[tuple[str, list]]:
    """("heading", [title]), ("table", [rows of cells]), ("list", [items]) or ("lines", [lines])
    for each blank-line-separated block of the letter; a block mixing "- " items and lines is split."""
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if any("\t" in line for line in lines):
            rows = [[cell.strip() for cell in line.split("\t")] for line in lines]
            yield "table", [row for row in rows if not all(_DASHES.match(cell) or not cell for cell in row)]
        elif len(lines) == 1 and _is_heading(lines[0]):
            yield "heading", [lines[0].lstrip("#").strip()]
        else:
            for is_item, run in itertools.groupby(lines, key=lambda line: line.startswith("- ")):
                run = list(run)
                yield ("list", [item[2:] for item in run]) if is_item else ("lines", run)


def _is_heading(line: str) -> bool:
    if line.startswith("#"):
        return True
    words = line.split()
    return (len(words) <= 14 and line[0].isupper() and line[-1] not in ".:;,!?*" and not line[0].isdigit()
            and not re.match(r"(?:Dear|Yours|Grade\s+\d)\b", line))


def _inline(text: str, soft_hyphens: bool) -> str:
    """Escaped text with *emphasis* in italics and, optionally, soft hyphens in long words."""
    out = html.escape(text, quote=False)
    out = _EMPHASIS.sub(r"<em>\1</em>", out)
    if soft_hyphens:
        out = _LONG_WORD.sub(lambda m: m.group(0)[: len(m.group(0)) // 2] + "&shy;" + m.group(0)[len(m.group(0)) // 2:],
                             out)
    return out


def body_html(text: str, soft_hyphens: bool = True, heading: str = "h2") -> str:
    """The letter's body as HTML elements: h2 (or `heading`), p (with <br> for a block of short lines), ul, table."""
    parts = []
    for kind, items in blocks(text):
        if kind == "heading":
            parts.append(f"<{heading}>{_inline(items[0], False)}</{heading}>")
        elif kind == "list":
            parts.append("<ul>" + "".join(f"<li>{_inline(item, soft_hyphens)}</li>" for item in items) + "</ul>")
        elif kind == "table":
            rows = []
            for i, row in enumerate(items):
                tag = "th" if i == 0 and not any(cell.isdigit() or "(" in cell for cell in row) else "td"
                rows.append("<tr>" + "".join(f"<{tag}>{_inline(cell, False)}</{tag}>" for cell in row) + "</tr>")
            parts.append("<table>" + "".join(rows) + "</table>")
        else:
            hyphens = soft_hyphens and len(items) == 1
            parts.append("<p>" + "<br>".join(_inline(line, hyphens) for line in items) + "</p>")
    return "\n".join(parts)


_PRINT_CSS = """
@page { size: A4; }
body { font-family: "Liberation Sans", Arial, sans-serif; font-size: 11pt; line-height: 1.35; margin: 0; }
.letterhead { display: flex; justify-content: space-between; align-items: flex-start; margin-bottom: 18pt; }
.logo { font-size: 30pt; font-weight: bold; color: #4b2a7b; letter-spacing: 1pt; }
.address { font-size: 9pt; text-align: left; line-height: 1.25; }
h2 { font-size: 12.5pt; margin: 14pt 0 6pt; }
p { margin: 0 0 9pt; }
ul { margin: 0 0 9pt; padding-left: 18pt; }
li { margin: 0 0 3pt; }
table { border-collapse: collapse; margin: 4pt 0 12pt; width: 100%; }
td, th { border: 0.75pt solid #333; padding: 3pt 6pt; text-align: left; vertical-align: top; }
"""


def letter_html(text: str, soft_hyphens: bool = True) -> str:
    """A printable HTML page of the letter: letterhead (logo text, address, phone) above the body."""
    address = "<br>".join(html.escape(line) for line in LETTERHEAD)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><style>{_PRINT_CSS}</style></head><body>"
            f"<div class='letterhead'><div class='logo'>Ofsted</div><div class='address'>{address}</div></div>"
            f"{body_html(text, soft_hyphens)}</body></html>")


_HEADER = (f"<div style='font-size:8pt;width:100%;margin:0 20mm;display:flex;justify-content:space-between;"
           f"font-family:Liberation Sans'><span>Ofsted</span><span>{html.escape(RUNNING_HEADER)}</span></div>")
_FOOTER = ("<div style='font-size:8pt;width:100%;margin:0 20mm;display:flex;justify-content:space-between;"
           f"font-family:Liberation Sans'><span>{SITE}</span>"
           "<span>Page <span class='pageNumber'></span> of <span class='totalPages'></span></span></div>")
PDF_OPTIONS = {"format": "A4", "display_header_footer": True, "header_template": _HEADER,
               "footer_template": _FOOTER, "print_background": True,
               "margin": {"top": "28mm", "bottom": "24mm", "left": "20mm", "right": "20mm"}}


# --- PDF ---------------------------------------------------------------------------------------


def chromium_missing() -> str | None:
    """Why PDFs cannot be printed here, or None."""
    return None if CHROMIUM.exists() else f"{CHROMIUM} is missing (apt-get install chromium)"


@contextmanager
def printer(browser=None) -> Iterator:
    """A function html -> PDF bytes, printed by one headless Chromium for the block's duration
    (`browser`: a Playwright browser already running in this thread, which a second sync
    Playwright cannot start beside)."""
    if browser is not None:
        yield from _printing(browser, close=False)
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield from _printing(launched, close=True)


def _printing(browser, close: bool) -> Iterator:
    page = browser.new_page()

    def print_pdf(page_html: str, **options) -> bytes:
        page.set_content(page_html, wait_until="load")
        settings = {**PDF_OPTIONS, **options}
        if "width" in options:  # a paper size of its own: A4 would override it
            settings.pop("format")
        return page.pdf(**settings)

    try:
        yield print_pdf
    finally:
        page.close()
        if close:
            browser.close()


def pdfs(pages: Iterable[str | tuple[str, dict]], cache: Path = CACHE, browser=None) -> list[bytes]:
    """Each HTML page (or (html, page.pdf options)) printed to PDF; cached by content hash in `cache`."""
    jobs = [(p, {}) if isinstance(p, str) else p for p in pages]
    cache.mkdir(parents=True, exist_ok=True)
    paths = []
    for page_html, options in jobs:
        key = hashlib.sha256(repr((BUILDER_VERSION, page_html, sorted(options.items()))).encode()).hexdigest()
        paths.append(cache / f"{key[:32]}.pdf")
    todo = [(job, path) for job, path in zip(jobs, paths) if not path.exists()]
    if todo:
        with printer(browser) as print_pdf:
            for (page_html, options), path in todo:
                tmp = path.with_suffix(f".{id(path)}.tmp")
                tmp.write_bytes(print_pdf(page_html, **options))
                tmp.replace(path)
    return [path.read_bytes() for path in paths]


def letter_pdfs(texts: Iterable[str], cache: Path = CACHE, browser=None) -> list[bytes]:
    """Each letter text printed as a letter (see the module docstring)."""
    return pdfs([letter_html(text) for text in texts], cache, browser)


def scanned_pdf() -> bytes:
    """A PDF whose only content is a picture of a letter, as a scanner writes it: no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1240, 1754), "white")  # A4 at 150 dpi
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(("Ofsted", "9 December 2009", "Dear Mr Webb", "Children's services annual rating")):
        draw.text((120, 150 + 40 * i), line, fill="black")
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150)
    return out.getvalue()


def encrypted_pdf(pdf: bytes, password: str = "secret") -> bytes:
    """The PDF, encrypted so that it opens only with `password`."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    # RC4-128: pypdf needs the cryptography package for AES, and PDFium refuses either without the password.
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pages_pdf(pages: int) -> bytes:
    """A valid PDF of `pages` empty A4 pages (for the page cap)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- PDFs as offices print them --------------------------------------------------------------------
# Each style is how a council or an office prints a letter from a browser: 11 pt Arial (Liberation
# Sans), 1.15 line spacing, default-ish 10 mm margins, <h3> headings, a "Page n of m" footer. They
# differ in what separates paragraphs and headings (tests/test_pdf_layout.py).

_OFFICE_CSS = """
@page { size: A4; }
body { font-family: "Liberation Sans", Arial, sans-serif; font-size: 11pt; line-height: 1.15; margin: 0; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 0.75pt solid #333; padding: 2pt 4pt; text-align: left; vertical-align: top; }
.cols { display: flex; justify-content: space-between; gap: 24pt; }
.cols > div { flex: 1; }
"""
PRINT_STYLES = {
    # the browser's own margins: p and h3 1em above and below, lists 1em
    "browser": "",
    # no space between paragraphs at all: only the line pitch, headings keep the browser's margins
    "tight": "p { margin: 0; }",
    # paragraphs told apart only by a first-line indent
    "indent": "p { margin: 0; text-indent: 2em; } h3 { margin: 6pt 0 0; }",
    # a small extra gap (a quarter of a line) between paragraphs
    "smallgap": "p { margin: 0 0 3pt; } h3 { margin: 6pt 0 3pt; }",
    # justified paragraphs and list items
    "justified": "p, li { text-align: justify; } p { margin: 0 0 6pt; }",
    # the address block beside Ofsted's address and the date: two columns (a flex row)
    "twocol": "p { margin: 0 0 6pt; }",
    # no blank space anywhere: headings are body-sized bold lines, told apart only by their weight
    "nogap": "p, ul, li, table, h3 { margin: 0; } h3 { font-size: 11pt; }",
}
_PAGE_FOOTER = ("<div style='font-size:8pt;width:100%;margin:0 10mm;text-align:center;font-family:Liberation Sans'>"
                "Page <span class='pageNumber'></span> of <span class='totalPages'></span></div>")
OFFICE_PDF_OPTIONS = {"format": "A4", "display_header_footer": True, "header_template": "<span></span>",
                      "footer_template": _PAGE_FOOTER,
                      "margin": {"top": "10mm", "bottom": "15mm", "left": "10mm", "right": "10mm"}}


def split_header(text: str) -> tuple[str, str, str]:
    """(the address block, the rest of the header, the salutation onwards) of a text letter: the
    address block is the header block naming a council (else the last block before "Dear")."""
    match = re.search(r"^Dear\b", text, re.M)
    head, rest = (text[: match.start()], text[match.start():]) if match else ("", text)
    parts = [part for part in re.split(r"\n\s*\n", head) if part.strip()]
    if not parts:
        return "", "", rest
    address = next((part for part in parts if re.search(r"Council[ \t]*$", part, re.M)), parts[-1])
    others = "\n\n".join(part for part in parts if part is not address)
    return address, others, rest


def styled_letter_html(text: str, style: str) -> str:
    """The letter as an office prints it from a browser in one of PRINT_STYLES."""
    css = _OFFICE_CSS + PRINT_STYLES[style]
    if style == "twocol":
        address, others, rest = split_header(text)
        body = (f"<div class='cols'><div>{body_html(address, False, 'h3')}</div>"
                f"<div>{body_html(others, False, 'h3')}</div></div>{body_html(rest, False, 'h3')}")
    else:
        body = body_html(text, False, "h3")
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><style>{css}</style></head>"
            f"<body>{body}</body></html>")


def styled_letter_pdfs(texts: Iterable[str], style: str, cache: Path = CACHE, browser=None) -> list[bytes]:
    """Each letter printed by Chromium in `style` (PRINT_STYLES), cached like `pdfs`."""
    return pdfs([(styled_letter_html(text, style), OFFICE_PDF_OPTIONS) for text in texts], cache, browser)


# --- DOCX ---------------------------------------------------------------------------------------


def docx_bytes(text: str) -> bytes:
    """The letter as a Word document: letterhead paragraph, real tables, bullet items, header and footer."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = RUNNING_HEADER
    footer = section.footer.paragraphs[0]
    footer.add_run(f"{SITE}\tPage ")
    _field(footer.add_run(), "PAGE", OxmlElement, qn)
    footer.add_run(" of ")
    _field(footer.add_run(), "NUMPAGES", OxmlElement, qn)
    logo = document.add_paragraph().add_run("Ofsted")
    logo.bold, logo.font.size = True, Pt(26)
    head = document.add_paragraph()
    for i, line in enumerate(LETTERHEAD):
        run = head.add_run(line)
        if i < len(LETTERHEAD) - 1:
            run.add_break()
    for kind, items in blocks(text):
        if kind == "heading":
            document.add_heading(items[0], level=2)
        elif kind == "list":
            for item in items:
                _runs(document.add_paragraph(style="List Bullet"), item)
        elif kind == "table":
            table = document.add_table(rows=0, cols=max(len(row) for row in items))
            table.style = "Table Grid"
            for row in items:
                cells = table.add_row().cells
                for cell, value in zip(cells, row):
                    cell.text = value.replace("*", "")
        else:
            paragraph = document.add_paragraph()
            for i, line in enumerate(items):
                _runs(paragraph, line)
                if i < len(items) - 1:
                    paragraph.runs[-1].add_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def office_docx(text: str, spacing: bool = True, two_column: bool = False) -> bytes:
    """The letter as an office writes it in Word: Heading 2 headings, bulleted lists, the grades in a
    "Table Grid" table, a running header and a "Page X of Y" footer (fields); `spacing=False` sets
    every paragraph's space before and after to 0 and single line spacing (no blank space anywhere);
    `two_column` puts the address block and Ofsted's address side by side in a borderless table."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    if not spacing:
        for style in ("Normal", "Heading 2", "List Bullet"):
            fmt = document.styles[style].paragraph_format
            fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0
    section = document.sections[0]
    section.header.paragraphs[0].text = RUNNING_HEADER
    footer = section.footer.paragraphs[0]
    footer.add_run("Page ")
    _field(footer.add_run(), "PAGE", OxmlElement, qn)
    footer.add_run(" of ")
    _field(footer.add_run(), "NUMPAGES", OxmlElement, qn)
    if two_column:
        address, others, text = split_header(text)
        table = document.add_table(rows=1, cols=2)  # the default table style draws no borders
        for cell, part in zip(table.rows[0].cells, (address, others)):
            cell.paragraphs[0].text = ""
            for i, block in enumerate(re.split(r"\n\s*\n", part.strip())):
                paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                for j, line in enumerate(block.split("\n")):
                    run = paragraph.add_run(line.strip())
                    if j < block.count("\n"):
                        run.add_break()
    for kind, items in blocks(text):
        if kind == "heading":
            document.add_heading(items[0], level=2)
        elif kind == "list":
            for item in items:
                _runs(document.add_paragraph(style="List Bullet"), item)
        elif kind == "table":
            table = document.add_table(rows=0, cols=max(len(row) for row in items))
            table.style = "Table Grid"
            for row in items:
                for cell, value in zip(table.add_row().cells, row):
                    cell.text = value.replace("*", "")
        else:
            paragraph = document.add_paragraph()
            for i, line in enumerate(items):
                _runs(paragraph, line)
                if i < len(items) - 1:
                    paragraph.runs[-1].add_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _runs(paragraph, line: str) -> None:
    """Add `line` to the paragraph, *emphasis* as italic runs."""
    for i, piece in enumerate(re.split(r"\*([^*\n]+)\*", line)):
        if piece:
            paragraph.add_run(piece).italic = i % 2 == 1


def _field(run, code: str, OxmlElement, qn) -> None:
    """A Word field (PAGE, NUMPAGES) in `run`, with a cached value as Word would leave it."""
    for kind, text in (("begin", None), (None, f" {code} "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text.strip() == code:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def macro_docx(docx: bytes) -> bytes:
    """The document re-packed as Word saves a macro-enabled one (.docm content type, vbaProject.bin)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
                data = data.replace(b"</Types>", b'<Default Extension="bin" '
                                    b'ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            target.writestr(item, data)
        target.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 60)
    return out.getvalue()


# --- HTML ---------------------------------------------------------------------------------------


def web_page(text: str) -> bytes:
    """The letter as a saved web page: site nav, breadcrumbs, a <main> with the letter, a site footer,
    scripts and styles, non-ASCII characters as entities."""
    body = body_html(text, soft_hyphens=False)
    body = body.replace("’", "&rsquo;").replace("'", "&#39;").replace(" & ", " &amp; ")
    address = "<br>".join(html.escape(line) for line in LETTERHEAD)
    page = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Ofsted letter - web archive</title>
<style>body {{ font-family: sans-serif }} nav a {{ margin-right: 1em }} .hidden {{ display: none }}</style>
<script>window.dataLayer = window.dataLayer || [];
if (1 < 2 && 3 > 2) {{ dataLayer.push({{'page': 'letter'}}); }}</script>
</head><body>
<div id="wayback-banner"><script>document.write("<p>The UK Government Web Archive</p>");</script></div>
<header class="site"><nav><a href="/">Home</a> <a href="/reports">Inspection reports</a>
<a href="/about">About us</a></nav></header>
<main id="content"><article class="letter">
<div class="letterhead"><p class="logo"><strong>Ofsted</strong></p><address>{address}</address></div>
{body}
</article></main>
<footer class="site"><p>&copy; Crown copyright &ndash; Ofsted</p><ul><li><a href="/privacy">Privacy</a></li>
<li><a href="/cookies">Cookies</a></li></ul></footer>
<script type="text/javascript">var x = "<div>not letter text</div>";</script>
<noscript><p>Please enable JavaScript</p></noscript>
</body></html>
"""
    return page.encode("utf-8")
