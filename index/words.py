"""Counts in words, the one way every sentence the project writes has them: "1 council", "3 councils".

But: - regular plurals only (a word and "s"): every counted noun of the project's sentences is one.
"""


def plural(count: int, word: str) -> str:
    """"1 council", "3 councils", "1,200 councils", "0 rows"."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
