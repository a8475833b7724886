"""Text normalisation: NFKC, so that 全角 and 半角 forms of the same text compare equal."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["edit_distance", "nfkc", "same_text"]

_SPACES = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """NFKC-normalise ``text`` (full-width ASCII → ASCII, half-width kana → full-width kana)."""
    return unicodedata.normalize("NFKC", text)


def same_text(a: str, b: str, *, ignore_spaces: bool = False) -> bool:
    """True if ``a`` and ``b`` are the same text after NFKC and collapsing white space.

    With ``ignore_spaces`` all white space (including the 全角 space) is dropped first.
    """
    left, right = nfkc(a).strip(), nfkc(b).strip()
    if ignore_spaces:
        return _SPACES.sub("", left) == _SPACES.sub("", right)
    return _SPACES.sub(" ", left) == _SPACES.sub(" ", right)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest insertions, deletions and substitutions from a to b."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
