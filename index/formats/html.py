"""HTML letters (a saved or archived web page) as text.

The letter is the page's <main> if it has one, else its first <article>, else the whole page.
Block elements (p, div, headings, tables, lists...) end a block (a blank line), <br> and <tr>
end a line, <li> starts a "- " item, a table row is one line with its cells joined by a tab,
whitespace runs are one space (not in <pre>), entities are decoded. Scripts, styles,
navigation, forms, <head> and other non-text elements are dropped.

Why lxml's HTML parser (libxml2) and not the standard library's html.parser: html.parser is
quadratic on unterminated markup before CPython's 2025 fixes (160 KB of "<a " took 330 s on this
project's Python 3.11.7; lxml: 3 ms), and a letter can be 20 MB. lxml is already installed
for python-docx; it recovers from broken markup, decodes entities and does no network access.
But: - CSS is not applied (display:none text is read); - a page with neither <main> nor
<article> keeps its site header and footer text; - the charset: a BOM, else UTF-8 when the bytes
are valid UTF-8, else <meta>'s, else Windows-1252; - libxml2 stops nesting at depth 256, dropping what lies deeper.
"""

from __future__ import annotations

import codecs
import re

from index.errors import LetterError

# Tags ("<"s) a page may have before it is parsed: lxml builds a node of about 0.5 KB for each
# (1.65 million <p> took 1.46 GB). A letter's web-archive page has 140-300 (the seeds).
MAX_TAGS = 100_000

_BLOCK = {"address", "article", "aside", "blockquote", "body", "center", "dd", "details", "dialog", "div", "dl",
          "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
          "main", "ol", "p", "pre", "section", "summary", "table", "ul", "caption"}
_DROP = {"script", "style", "noscript", "template", "head", "title", "svg", "math", "nav", "form", "button",
         "select", "textarea", "iframe", "object", "canvas", "audio", "video", "map"}
_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\n\r\f]+")
_ITEM = ("- ",)  # a list item's marker: breaks right after it (a <p> inside the <li>) are dropped


def html_text(data: bytes, name: str) -> str:
    """The letter's text from the page (see the module docstring)."""
    from lxml import etree

    tags = data.count(b"<")
    if tags > MAX_TAGS:
        raise LetterError(name, f"an HTML page of {tags:,} tags; the cap for a letter is {MAX_TAGS:,}")
    text = decode_html(data, name)
    if not text.strip():
        return ""
    parser = etree.HTMLParser(encoding="utf-8", recover=True, no_network=True, remove_comments=True,
                              remove_pis=True)
    root = etree.fromstring(text.encode("utf-8", "replace"), parser)
    if root is None:
        return ""
    # Not `or`: an lxml element without children is falsy.
    letter = next(root.iter("main"), None)
    letter = next(root.iter("article"), None) if letter is None else letter
    return _assemble(_walk(root if letter is None else letter))


def decode_html(data: bytes, name: str) -> str:
    """The page as text: by its BOM; else UTF-8 if the bytes are valid UTF-8 (Windows-1252 text
    with any accented letter or curly quote never is, whatever its <meta> says); else the <meta>
    charset; else Windows-1252."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _checked(data.decode(encoding, "replace"), name)
    if b"\x00" in data:
        raise LetterError(name, "binary file (contains NUL bytes), not an HTML page")
    encodings = ["utf-8"]
    declared = _CHARSET.search(data[:4096])
    if declared:
        label = declared.group(1).decode("ascii").lower()
        # As browsers do: a page labelled Latin-1 or ASCII is read as Windows-1252.
        label = "cp1252" if label in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii") else label
        try:
            encodings.append(codecs.lookup(label).name)
        except LookupError:
            pass
    for encoding in encodings:
        try:
            return _checked(data.decode(encoding), name)
        except UnicodeDecodeError:
            continue
    return _checked(data.decode("cp1252", "replace"), name)


def _checked(text: str, name: str) -> str:
    if len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise LetterError(name, "binary file (control characters), not an HTML page")
    return text


class _Walk:
    """The text tokens of one element's subtree: strings, 1 or 2 (a line or block break), _ITEM."""

    def __init__(self) -> None:
        self.parts: list = []
        self.pre = self.cells = self.items = 0  # depth inside <pre>, table cells, list items
        self.first_cell = False

    def _break(self, strength: int) -> None:
        self.parts.append(strength if not self.cells else " ")

    def start(self, tag: str) -> None:
        if tag == "pre":
            self.pre += 1
        if tag == "br":
            self._break(1)
        elif tag == "li":
            self._break(1)
            if not self.cells:
                self.parts.append(_ITEM)
            self.items += 1
        elif tag == "tr":
            self._break(1)
            self.first_cell = True
        elif tag in ("td", "th"):
            if self.cells:
                self.parts.append(" ")
            elif not self.first_cell:
                self.parts.append("\t")
            self.first_cell = False
            self.cells += 1
        elif tag in _BLOCK:
            self._break(1 if self.items else 2)

    def end(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.cells = max(self.cells - 1, 0)
        elif tag == "li":
            self.items = max(self.items - 1, 0)
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
        if tag in _BLOCK or tag in ("li", "tr"):
            self._break(1 if tag in ("li", "tr") or self.items else 2)

    def data(self, text: str | None) -> None:
        if text:
            self.parts.append(text if self.pre else _SPACES.sub(" ", text))


def _walk(letter) -> list:
    from lxml import etree

    walk = _Walk()
    events = etree.iterwalk(letter, events=("start", "end"))
    for event, element in events:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _DROP:
                events.skip_subtree()
                continue
            walk.start(tag)
            walk.data(element.text)
        else:
            if tag not in _DROP:
                walk.end(tag)
            if element is not letter:
                walk.data(element.tail)
    return walk.parts


def _assemble(parts: list) -> str:
    """Text and break tokens (1: a line end, 2: a blank line) as text: the strongest break of a
    run wins, spaces next to a break or a tab go, and no space is doubled."""
    out: list[str] = []
    pending = 0
    for part in parts:
        if isinstance(part, int):
            pending = max(pending, part) if out and out[-1] != "- " else 0
            continue
        if pending and part is not _ITEM and not part.strip(" "):
            continue  # the source's own line breaks between two blocks
        if pending:
            out[-1] = out[-1].rstrip(" ")
            out.append("\n" * pending)
            pending = 0
        if part is _ITEM:
            if out and out[-1][-1:] != "\n":
                out.append("\n")
            out.append("- ")
            continue
        if part == "\t" and out:
            out[-1] = out[-1].rstrip(" ")
        if (not out or out[-1][-1:] in (" ", "\n", "\t")) and part[:1] == " ":
            part = part.lstrip(" ")
        if part:
            out.append(part)
    return "".join(out).strip()
