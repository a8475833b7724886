"""Clean-ups of a line of text after decoding, and what they mean for its confidence.

Handwriting leaves some choices to rules rather than to the model: a small kana where a name
cannot have one is the large one, a dash between numbers of an address is －, a character
between two katakana is katakana. A character's confidence then counts every reading the
rules write the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from core.kana import to_fullwidth
from core.text import nfkc
from ocr._pages import Page
from ocr._ppocr import Recognition

__all__ = ["folded", "gaps_are_spaces", "kana_context", "text_value"]

_SMALL_ALWAYS = str.maketrans("ァィゥェォヮヵヶ", "アイウエオワカケ")
_SMALL_YOON = str.maketrans("ャュョ", "ヤユヨ")
_I_ROW = frozenset("キギシジチヂニヒビピミリ")
_DASHES = "ー-‐−一－"
_GEMINATE_BEFORE = frozenset(  # ッ doubles only a k, s, t or p sound (and a few loan sounds)
    "カキクケコガギグゲゴサシスセソザジズゼゾタチツテトダヂヅデドパピプペポハヒフヘホバビブベボ")
_KANA_CONTEXT = 0.05  # the least probability of a katakana the script context may choose


def _large_kana(text: str) -> str:
    """Small kana where Japanese names cannot have them, written large (ユ not ュ after イ)."""
    return _small_in_context(text.translate(_SMALL_ALWAYS))


def _small_in_context(text: str) -> str:
    """ャュョ only after an i-row kana and ッ only before a sound it can double; elsewhere
    the large kana was meant (…ハイツ, not …ハイッ)."""
    out: list[str] = []
    for i, char in enumerate(text):
        if char in "ャュョ" and (not out or out[-1] not in _I_ROW):
            char = char.translate(_SMALL_YOON)
        following = text[i + 1] if i + 1 < len(text) else ""
        if char == "ッ" and (not out or following not in _GEMINATE_BEFORE):
            char = "ツ"  # no small ッ first, last or before a sound it cannot double
        out.append(char)
    return "".join(out)


def _address_dashes(text: str) -> str:
    """A dash between numbers (5－23) is full-width －; after kana it is the long vowel ー."""
    out = []
    for i, char in enumerate(text):
        if char in _DASHES:
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            kana = "\u30a1" <= before <= "\u30fa" or before == "ー"
            if char == "一":  # the kanji for one (一丁目) is a dash only between numbers
                char = "－" if before.isdigit() and after.isdigit() else char
            else:
                char = "ー" if kana and not after.isdigit() else "－"
        out.append(char)
    return "".join(out)


def _katakana(char: str) -> bool:
    return "\u30a1" <= char <= "\u30fa" or char == "ー"


def kana_context(found: Recognition) -> Recognition:
    """In an address, a kanji or hiragana between two katakana, or a hiragana before a small
    katakana, is read as the likeliest katakana the model saw there (…コーポ, not …コ一ポ;
    フォレスト, not つォレスト), if that katakana had a fair chance (``_KANA_CONTEXT``).
    Its confidence is then its share of the katakana seen there."""
    text, alternatives = found.text, found.char_alternatives
    if len(alternatives) != len(text):
        return found
    chars, confidences, kept = list(text), list(found.char_confidences), list(alternatives)
    for i, char in enumerate(text):
        if char < "\u3040" or _katakana(char):
            continue
        before, after = text[i - 1: i], text[i + 1: i + 2]
        # ヶ (金井ヶ丘) is written between kanji: it says nothing about its neighbours.
        between = all(_katakana(c) and c not in "ヶヵ" for c in (before, after) if c) \
            and bool(before) and bool(after)
        if not between and not (char <= "\u309f" and after and after in "ァィゥェォャュョ"):
            continue
        kana = [(c, p) for c, p in alternatives[i] if _katakana(c)]
        if not kana or kana[0][1] < _KANA_CONTEXT:
            continue
        total = sum(p for _, p in kana)
        chars[i], confidences[i] = kana[0][0], kana[0][1] / total
        kept[i] = tuple((c, p / total) for c, p in kana)
    return replace(found, text="".join(chars), char_confidences=tuple(confidences),
                   char_alternatives=tuple(kept))


_REWRITE: dict[str, Callable[[str], str]] = {
    "katakana": _large_kana,
    "address": lambda text: _address_dashes(_small_in_context(text)),
}


def folded(found: Recognition, kind: str) -> tuple[float, ...]:
    """Each character's confidence as the probability of every reading the kind's rules
    write the same way: ュ and ユ at the start of a name are one character (both give ユ),
    so is the choice between 一, ー and － between two numbers of an address."""
    rewrite = _REWRITE.get(kind)
    text = found.text
    if rewrite is None or len(found.char_alternatives) != len(text):
        return found.char_confidences
    final = rewrite(text)
    if len(final) != len(text):
        return found.char_confidences
    out = []
    for i, (alternatives, own) in enumerate(zip(found.char_alternatives,
                                                found.char_confidences, strict=True)):
        same = sum(p for char, p in alternatives
                   if rewrite(text[:i] + char + text[i + 1:])[i] == final[i])
        out.append(max(own, min(1.0, same)))
    return tuple(out)


def text_value(kind: str, text: str) -> str:
    rewrite = _REWRITE.get(kind)
    if rewrite is not None:
        text = rewrite(text)
    words = text.split()
    if kind == "address":
        return _address_dashes(to_fullwidth(nfkc("".join(words)))).replace("\u3000", "")
    return "\u3000".join(words)


def gaps_are_spaces(found: Recognition, line: Page) -> Recognition:
    """A long-vowel mark ー read where the line holds no ink is the gap between two words."""
    if "ー" not in found.text or len(found.positions) != len(found.text):
        return found
    height, width = line.shape
    band = max(2, round(height * 0.25))
    chars = list(found.text)
    for i, (char, where) in enumerate(zip(found.text, found.positions, strict=True)):
        x = round(where * width)
        column = line[:, max(0, x - band): x + band + 1]
        if char == "ー" and column.size and (column < 128).mean() < 0.004:
            chars[i] = " "
    return replace(found, text="".join(chars))
