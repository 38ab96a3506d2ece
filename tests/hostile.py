"""Small generators of hostile documents: a few KB each that cost gigabytes or minutes to read.

Each is built here from raw PDF syntax or raw zip/deflate bytes (nothing large is stored in the
repository, and nothing large is ever held in memory while building: the zip bombs repeat one
flushed deflate block). Used by tests/test_sandbox.py and to measure the costs in docs/reliability.md.

- `form_bomb_pdf(depth, fanout)`: form XObjects that each draw the next `fanout` times,
  `depth` deep (8 x 10: 10^8 draws from under 5 KB).
- `many_chars_pdf(chars)`: one page of `chars` characters.
- `rectangles_pdf(count)`: one page of `count` filled rectangles.
- `image_objects_pdf(pages, per_page)`: every page draws one tiny image `per_page` times.
- `paragraph_bomb_docx(unpacked)`: a .docx whose document.xml is `unpacked` bytes of empty `<w:p/>`.
- `lying_docx(stated, inflated)`: a .docx whose document.xml says it is `stated` bytes but
  inflates to `inflated`.
- `busy_pages_pdf(pages, per_page, operation)`: pages of rectangles (or of any operator).
- `whitespace_pdf(size)`: a content stream that inflates to `size` bytes of spaces.
- `letter_pdf(text)`: a plain one-font PDF of a text letter (lines as printed), for the
  "a normal letter in the same folder" checks without Chromium.
"""

from __future__ import annotations

import struct
import zlib

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- PDF ---------------------------------------------------------------------------------------


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF file of these objects (object n is objects[n - 1]; 1 is the catalog), with its xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    if compress:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def _pages(contents: list[bytes], resources: bytes, extra: list[bytes] = ()) -> bytes:
    """A PDF of one page per content stream, sharing `resources` (objects after the pages: `extra`)."""
    count = len(contents)
    first_page = 3
    first_content = first_page + count
    first_extra = first_content + count
    kids = b" ".join(b"%d 0 R" % (first_page + n) for n in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)]
    res = resources.replace(b"@", b"%d" % first_extra)  # "@ 0 R": the first extra object
    for n in range(count):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s /Contents %d 0 R >>"
                       % (res, first_content + n))
    objects += contents
    objects += list(extra)
    return _pdf(objects)


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def letter_pdf(text: str, lines_per_page: int = 50) -> bytes:
    """A plain PDF of a text letter: each line of the text one printed line (Helvetica 10 pt), a
    blank line a gap; long lines are wrapped at about 90 characters."""
    printed: list[str] = []
    for line in text.split("\n"):
        while len(line) > 90:
            cut = line.rfind(" ", 0, 90)
            cut = cut if cut > 0 else 90
            printed.append(line[:cut])
            line = line[cut:].lstrip()
        printed.append(line)
    contents = []
    for start in range(0, len(printed), lines_per_page):
        ops = [b"BT /F1 10 Tf 12 TL 56 760 Td"]
        for line in printed[start:start + lines_per_page]:
            ops.append(b"(%s) Tj T*" % _escape(line))
        ops.append(b"ET")
        contents.append(_stream(b"\n".join(ops)))
    return _pages(contents, b"<< /Font << /F1 @ 0 R >> >>", [_FONT])


def form_bomb_pdf(depth: int = 8, fanout: int = 10) -> bytes:
    """Form XObjects X1..X{depth}: the page draws X1 once, each Xn draws X{n+1} `fanout` times,
    and the last one fills a tiny square: fanout ** depth drawings."""
    # Objects: 1 catalog, 2 pages, 3 page, 4 page content, 5 font, 6.. the forms.
    content = _stream(b"BT /F1 12 Tf 72 720 Td (Dear Sir) Tj ET q /X1 Do Q")
    forms = []
    for level in range(1, depth + 1):
        if level < depth:
            body = b" ".join(b"q 1 0 0 1 0.01 0.01 cm /X Do Q" for _ in range(fanout))
            resources = b"<< /XObject << /X %d 0 R >> >>" % (6 + level)
        else:
            body = b"0 0 1 1 re f"
            resources = b"<< >>"
        forms.append(_stream(body, b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources " + resources))
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                 b"/Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> /Contents 4 0 R >>",
                 content, _FONT, *forms])


def many_chars_pdf(chars: int = 5_000_000) -> bytes:
    """One page of `chars` characters: strings of 1,000 in a tiny font, each at a place of its
    own (PDFium drops a character drawn over the same one), in one compressed content stream."""
    string = b"(" + b"a" * 1000 + b") Tj ET\n"
    lines = []
    for n in range(max(1, chars // 1000)):
        x, y = 12 * (n % 12) * 4.2, 0.2 * (n // 12)
        lines.append(b"BT /F1 0.08 Tf %.1f %.1f Td " % (x, y % 790) + string)
    return _pages([_stream(b"".join(lines), compress=True)], b"<< /Font << /F1 @ 0 R >> >>", [_FONT])


def rectangles_pdf(count: int = 2_000_000) -> bytes:
    """One page of `count` tiny filled rectangles (one compressed content stream)."""
    body = b"0 0 1 1 re f\n" * count
    return _pages([_stream(b"BT /F1 10 Tf 56 760 Td (Dear Sir) Tj ET\n" + body, compress=True)],
                  b"<< /Font << /F1 @ 0 R >> >>", [_FONT])


def image_objects_pdf(pages: int = 200, per_page: int = 99_000) -> bytes:
    """`pages` pages, each drawing one 1x1 image `per_page` times (the content stream is shared)."""
    body = b"BT /F1 10 Tf 56 760 Td (Dear Sir) Tj ET\n" + b"q 1 0 0 1 0 0 cm /I Do Q\n" * per_page
    # One content stream object used by every page: objects 1 catalog, 2 pages, 3.. pages, then
    # content, font, image.
    first_page = 3
    content, font, image = first_page + pages, first_page + pages + 1, first_page + pages + 2
    kids = b" ".join(b"%d 0 R" % (first_page + n) for n in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)]
    for _ in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> "
                       b"/XObject << /I %d 0 R >> >> /Contents %d 0 R >>" % (font, image, content))
    objects += [_stream(body, compress=True), _FONT,
                _stream(b"\x00", b" /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
                                 b"/BitsPerComponent 8")]
    return _pdf(objects)


# --- DOCX ----------------------------------------------------------------------------------------

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="word/document.xml"/></Relationships>')
_DOC_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="' + _W.encode()
             + b'"><w:body><w:p><w:r><w:t>Dear Sir</w:t></w:r></w:p>')
_DOC_TAIL = b"</w:body></w:document>"


def _repeated_deflate(head: bytes, unit: bytes, repeats: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head + unit * repeats + tail, built without holding the inflated bytes:
    (compressed, crc32, inflated size). After a full flush the compressor starts afresh, so
    the same unit compresses to the same bytes every time: one block is repeated."""
    make = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = make.compress(head) + make.flush(zlib.Z_FULL_FLUSH)
    block = make.compress(unit) + make.flush(zlib.Z_FULL_FLUSH)
    again = make.compress(unit) + make.flush(zlib.Z_FULL_FLUSH)
    assert again == block, "the deflate block does not repeat"
    end = make.compress(tail) + make.flush()
    crc = zlib.crc32(head)
    for _ in range(repeats):
        crc = zlib.crc32(unit, crc)
    crc = zlib.crc32(tail, crc)
    return start + block * repeats + end, crc, len(head) + len(unit) * repeats + len(tail)


def _zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip of (name, raw deflate data, crc, stated inflated size, method) entries, sizes as given."""
    out, central = bytearray(), bytearray()
    for name, data, crc, size, method in entries:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out += encoded + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return bytes(out + central + end)


def _small(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    make = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, make.compress(data) + make.flush(), zlib.crc32(data), len(data), 8


def paragraph_bomb_docx(unpacked: int = 200_000_000) -> bytes:
    """A .docx whose word/document.xml is about `unpacked` bytes, nearly all empty `<w:p/>`."""
    unit = b"<w:p/>" * 100_000  # 600 KB
    repeats = max(1, (unpacked - len(_DOC_HEAD) - len(_DOC_TAIL)) // len(unit))
    data, crc, size = _repeated_deflate(_DOC_HEAD, unit, repeats, _DOC_TAIL)
    return _zip([_small("[Content_Types].xml", _CONTENT_TYPES), _small("_rels/.rels", _RELS),
                 ("word/document.xml", data, crc, size, 8)])


def lying_docx(stated: int = 10_000, inflated: int = 1_200_000_000) -> bytes:
    """A .docx whose word/document.xml states `stated` bytes (local header and central
    directory alike) but inflates to `inflated` bytes of spaces inside a paragraph."""
    unit = b" " * 1_000_000
    repeats = max(1, (inflated - len(_DOC_HEAD) - len(_DOC_TAIL)) // len(unit))
    data, crc, _ = _repeated_deflate(_DOC_HEAD, unit, repeats, _DOC_TAIL)
    return _zip([_small("[Content_Types].xml", _CONTENT_TYPES), _small("_rels/.rels", _RELS),
                 ("word/document.xml", data, crc, stated, 8)])


def big_html(paragraphs: int = 1_000_000) -> bytes:
    """An HTML page of `paragraphs` tiny <p> elements (about 12 bytes each)."""
    return b"<html><body><main><p>Dear Sir</p>" + b"<p>x y z</p>" * paragraphs + b"</main></body></html>"


def busy_pages_pdf(pages: int = 100, per_page: int = 40_000, operation: bytes = b"0 0 1 1 re f\n") -> bytes:
    """`pages` pages, each doing `operation` (a tiny filled rectangle) `per_page` times, in one
    shared content stream. With `b"q Q\n"` (save and restore the graphics state) a page draws
    nothing at all, so no count stops it, but PDFium still parses every operator."""
    body = b"BT /F1 10 Tf 56 760 Td (Dear Sir) Tj ET\n" + operation * per_page
    first_page = 3
    content, font = first_page + pages, first_page + pages + 1
    kids = b" ".join(b"%d 0 R" % (first_page + n) for n in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)]
    for _ in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> "
                       b">> /Contents %d 0 R >>" % (font, content))
    objects += [_stream(body, compress=True), _FONT]
    return _pdf(objects)


def whitespace_pdf(size: int = 1_000_000_000) -> bytes:
    """One page whose content stream inflates to `size` bytes of spaces (FlateDecode, built by
    repeating one deflate block, so nothing of that size is ever held here)."""
    unit = b" " * 1_000_000
    head, tail = b"BT /F1 10 Tf 56 760 Td (Dear Sir) Tj ET\n", b"\n"
    data, _, inflated = _repeated_deflate(head, unit, max(1, size // len(unit)), tail)
    adler = zlib.adler32(head)
    for _ in range(max(1, size // len(unit))):
        adler = zlib.adler32(unit, adler)
    adler = zlib.adler32(tail, adler)
    stream = b"\x78\xda" + data + struct.pack(">L", adler)  # the zlib wrapper FlateDecode expects
    return _pages([b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"],
                  b"<< /Font << /F1 @ 0 R >> >>", [_FONT])
