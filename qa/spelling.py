"""Misspelt words of a question read as the letters' words: "stokport fostring any good" asks about fostering.

A misspelt council is index/councils.py's job; this is every other word. A word is read as
another only when all of these hold, so a word that is merely not the letters' ("tight",
"boozing", "kids") is never changed:
- the letters never use it (no passage holds its stem: IndexReader.passages_with);
- it has MIN_LETTERS letters or more, and is not a question word or a glossary phrase's word
  ("camhs", "neet": qa/glossary.py maps those);
- no English dictionary knows it (pyspellchecker's word list, American, so British endings are
  tried in their American spelling: "colour" is a word; loaded only when a variant was found:
  the list takes ~0.5 s to load);
- some variant one edit away (a letter added, dropped or changed, or two swapped) is an English
  word that the letters use; the variant most passages hold is taken.
The answer says which words were read as which, as it does for a misspelt council.
But: - one edit only: "nurserys" (two from "nurseries") is left as written; the glossary and the
  model still see it.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Callable

MIN_LETTERS = 5  # shorter words are too close to other words ("kids" ~ "aids") to correct
MAX_WORDS = 12  # words of one question tried (each costs ~450 stem lookups)
_WORD = re.compile(r"[a-z]+")


def respelt(text: str, passages_with: Callable[[list[str]], dict[str, int]],
            keep: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(written, read as) for each misspelt word of `text` (lower case), in order; `passages_with`
    counts the passages holding each word's stem (IndexReader.passages_with); `keep` holds words
    never to change."""
    words = [w for w in dict.fromkeys(_WORD.findall(text)) if len(w) >= MIN_LETTERS and w not in keep][:MAX_WORDS]
    counts = passages_with(words) if words else {}
    found: list[tuple[str, str]] = []
    for word in (w for w in words if not counts.get(w)):
        variants = sorted(_one_edit(word))
        held = [(count, variant) for variant, count in passages_with(variants).items() if count]
        if not held or _is_english(word):
            continue
        held = [(count, variant) for count, variant in held if variant in english_words()]
        if held:
            found.append((word, max(held, key=lambda pair: pair[0])[1]))
    return found


# British endings the (American) word list spells otherwise: "colour", "centre", "paediatric".
_BRITISH = (("our", "or"), ("tre", "ter"), ("yse", "yze"), ("ise", "ize"), ("ising", "izing"), ("ised", "ized"),
            ("ogue", "og"), ("ence", "ense"))


def _is_english(word: str) -> bool:
    """The word list knows `word`, or its American spelling."""
    english = english_words()
    if word in english or word.replace("ae", "e") in english:
        return True
    return any(word.endswith(gb) and word[: -len(gb)] + us in english for gb, us in _BRITISH)


def _one_edit(word: str) -> set[str]:
    """Every string one edit from `word` (Norvig's four edits). Written out, not pyspellchecker's
    `edit_distance_1`: that needs its dictionary loaded first, and most questions never need it."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changes = {a + c + b[1:] for a, b in splits if b for c in string.ascii_lowercase}
    inserts = {a + c + b for a, b in splits for c in string.ascii_lowercase}
    return (deletes | swaps | changes | inserts) - {word}


@functools.cache
def english_words():
    """pyspellchecker's English word list (a set-like object: `word in english_words()`)."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)
