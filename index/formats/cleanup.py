"""Repairs every extracted text needs: ligatures, soft hyphens, bullet glyphs, words broken at line ends.

`repair(text)` expands typographic ligatures (ﬁ -> fi), drops soft hyphens and zero-width
characters, and turns a bullet glyph that starts a line (•, ◦, ▪, Word's Symbol-font ) into a
"- " item. `join_lines(left, right, known)` joins a wrapped line to the next one (with a space),
deciding what a line-end hyphen was:

- U+00AD (soft hyphen): a word broken by the writer's tool -> joined without it;
- a hyphen after a digit or before anything but a lowercase letter ("Stoke-on-" + "Trent",
  "020-7421-" + "6716"): a real hyphen, kept;
- the hyphenated form seen elsewhere in the same text ("well-being"): kept; the joined form seen
  elsewhere ("assessment"): joined;
- otherwise U+2010 (what a renderer draws at an automatic hyphenation point, as Chromium does)
  is joined and a typed "-" is kept: a kept hyphen still reads, a wrongly joined compound does not.

But: - "seen elsewhere" is this letter's own vocabulary, no dictionary; - quotes are left as they
are (the parsers take curly and straight ones alike).
"""

from __future__ import annotations

import re

LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}
# Soft hyphen, zero-width space/joiners, word joiner, BOM: invisible, never part of a word.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_LIGATURE = re.compile("[" + "".join(LIGATURES) + "]")
_LINE_BULLET = re.compile("^[ \t]*[•◦▪■●‣⁃∙\uf0b7\uf0a7][ \t]*", re.M)
HYPHENS = "-\u2010\u00ad"
_PUNCTUATION = "\"'‘’“”()[]{}.,;:!?*"
_TAIL = re.compile(r"([^\W\d_]+)[-\u2010\u00ad]$")
_HEAD = re.compile(r"[^\W\d_]+")
_LONGEST_WORD = 64  # characters of a line's end searched for the broken word


def repair(text: str) -> str:
    """Ligatures expanded, soft hyphens and zero-width characters dropped, line-start bullets as "- "."""
    text = _LIGATURE.sub(lambda m: LIGATURES[m.group(0)], text)
    text = _INVISIBLE.sub("", text)
    return _LINE_BULLET.sub("- ", text)


def vocabulary(texts) -> set[str]:
    """The lowercased words and hyphenated compounds of `texts` (for join_lines)."""
    words: set[str] = set()
    for text in texts:
        for token in text.lower().replace("\u2010", "-").split():
            token = token.strip(_PUNCTUATION)
            parts = token.split("-")
            if all(part.isalpha() for part in parts):
                words.add(token)
                words.update(parts)
    return words


def join_lines(left: str, right: str, known: set[str]) -> tuple[str, str]:
    """`left` and its wrapped continuation `right`, as the two pieces that make one line when
    concatenated (see the module docstring): only `left`'s last word is looked at, so joining
    piece by piece stays linear however long the paragraph."""
    left, right = left.rstrip(" "), right.lstrip(" ")
    if not left or not right:
        return left, right
    hyphen, stem = left[-1], left[:-1]
    if hyphen not in HYPHENS or not stem or stem[-1] in " \t":
        return left, " " + right
    if hyphen == "\u00ad":
        return stem, right
    tail, head = _TAIL.search(left, max(0, len(left) - _LONGEST_WORD)), _HEAD.match(right)
    if tail is None or head is None or not right[0].islower():
        return stem + "-", right
    first, second = tail.group(1).lower(), head.group(0).lower()
    if f"{first}-{second}" not in known and (first + second in known or hyphen == "\u2010"):
        return stem, right
    return stem + "-", right
