"""Kana and character-width helpers: katakana/hiragana checks and 全角 ↔ 半角 conversion.

Target systems insist on one form: 全角 for names and addresses, 半角カナ for bank account
holder names. These helpers convert between the forms; comparisons should use
:func:`core.text.same_text` (NFKC) instead.
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "hiragana_to_katakana",
    "is_fullwidth",
    "is_hiragana",
    "is_katakana",
    "katakana_to_hiragana",
    "to_fullwidth",
    "to_halfwidth",
]

_FULLWIDTH_SPACE = "\u3000"
_PROLONGED_SOUND = "ー"
_DAKUTEN = "\u3099"  # combining voiced sound mark
_HANDAKUTEN = "\u309a"  # combining semi-voiced sound mark
_HALF_DAKUTEN = "ﾞ"
_HALF_HANDAKUTEN = "ﾟ"

# ァ (U+30A1) … ヺ (U+30FA): every katakana letter, small kana, ヴ, ヵ, ヶ and ヷ–ヺ; plus the
# iteration marks ヽ ヾ. The middle dot ・ (U+30FB) is not a letter and is not included.
_KATAKANA = frozenset(chr(c) for c in range(0x30A1, 0x30FB)) | {"ヽ", "ヾ", _PROLONGED_SOUND}
# ぁ (U+3041) … ゖ (U+3096) and the iteration marks ゝ ゞ; ー is used in hiragana words too.
_HIRAGANA = frozenset(chr(c) for c in range(0x3041, 0x3097)) | {"ゝ", "ゞ", _PROLONGED_SOUND}
_HIRA_TO_KATA = {c: c + 0x60 for c in range(0x3041, 0x3097)} | {ord("ゝ"): "ヽ", ord("ゞ"): "ヾ"}
_KATA_TO_HIRA = {c: c - 0x60 for c in range(0x30A1, 0x30F7)} | {ord("ヽ"): "ゝ", ord("ヾ"): "ゞ"}


def _halfwidth_kana_table() -> dict[str, str]:
    # ｡ (U+FF61) … ﾟ (U+FF9F); NFKC gives the full-width letter, except that the sound
    # marks would become combining characters: use the spacing ゛ ゜ instead.
    table = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0xFF61, 0xFFA0)}
    table[_HALF_DAKUTEN] = "゛"
    table[_HALF_HANDAKUTEN] = "゜"
    return table


_HALF_TO_FULL_KANA = _halfwidth_kana_table()


def _full_to_half_kana_table() -> dict[str, str]:
    table = {full: half for half, full in _HALF_TO_FULL_KANA.items()}
    # ガ → ｶﾞ, パ → ﾊﾟ, ヴ → ｳﾞ, ヷ → ﾜﾞ …: every letter that composes with a sound mark.
    for half, full in _HALF_TO_FULL_KANA.items():
        for mark, half_mark in ((_DAKUTEN, _HALF_DAKUTEN), (_HANDAKUTEN, _HALF_HANDAKUTEN)):
            composed = unicodedata.normalize("NFC", full + mark)
            if len(composed) == 1:
                table[composed] = half + half_mark
    return table


_FULL_TO_HALF_KANA = _full_to_half_kana_table()
# Printable ASCII ! (U+21) … ~ (U+7E) ↔ ！ (U+FF01) … ～ (U+FF5E); space ↔ 全角 space.
_ASCII_TO_FULL: dict[int, str] = {c: chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {
    ord(" "): _FULLWIDTH_SPACE
}
_FULL_TO_ASCII: dict[str, str] = {full: chr(c) for c, full in _ASCII_TO_FULL.items()}


def _only(text: str, allowed: frozenset[str], *, allow_space: bool) -> bool:
    letters = text.replace(_FULLWIDTH_SPACE, "") if allow_space else text
    return bool(letters) and all(char in allowed for char in letters)


def is_katakana(text: str, *, allow_space: bool = True) -> bool:
    """True if ``text`` is 全角カタカナ only (ー, ヴ and small kana included).

    With ``allow_space`` the 全角 space is accepted too (a half-width space never is: apply
    :func:`to_fullwidth` first to accept half-width input). Empty or blank text is false.
    """
    return _only(text, _KATAKANA, allow_space=allow_space)


def is_hiragana(text: str, *, allow_space: bool = True) -> bool:
    """True if ``text`` is ひらがな only (ー and small kana included).

    With ``allow_space`` the 全角 space is accepted too. Empty or blank text is false.
    """
    return _only(text, _HIRAGANA, allow_space=allow_space)


def hiragana_to_katakana(text: str) -> str:
    """``text`` with every ひらがな turned into カタカナ; other characters unchanged."""
    return text.translate(_HIRA_TO_KATA)


def katakana_to_hiragana(text: str) -> str:
    """``text`` with every 全角カタカナ turned into ひらがな where one exists (ヷ–ヺ stay)."""
    return text.translate(_KATA_TO_HIRA)


def to_fullwidth(text: str) -> str:
    """``text`` with half-width ASCII and 半角カナ turned into 全角.

    A half-width sound mark joins the letter before it (``ｶﾞ`` → ``ガ``, ``ﾊﾟ`` → ``パ``); a
    space becomes the 全角 space. Characters that are already full-width are unchanged.
    """
    out: list[str] = []
    for char in text.translate(_ASCII_TO_FULL):
        if char in (_HALF_DAKUTEN, _HALF_HANDAKUTEN) and out:
            mark = _DAKUTEN if char == _HALF_DAKUTEN else _HANDAKUTEN
            composed = unicodedata.normalize("NFC", out[-1] + mark)
            if len(composed) == 1:
                out[-1] = composed
                continue
        out.append(_HALF_TO_FULL_KANA.get(char, char))
    return "".join(out)


def to_halfwidth(text: str) -> str:
    """``text`` with 全角 ASCII and 全角カタカナ turned into 半角 (``ガ`` → ``ｶﾞ``).

    This is the form of bank account holder names. The 全角 space becomes a space.
    Characters without a half-width form (ひらがな, kanji, ヮ, ヵ, ヶ, ヰ, ヱ) are unchanged.
    """
    return "".join(_FULL_TO_HALF_KANA.get(char) or _FULL_TO_ASCII.get(char, char) for char in text)


def is_fullwidth(text: str) -> bool:
    """True if every character of ``text`` is 全角 (East Asian Width F or W).

    Ambiguous-width characters (①, ※, ○, Greek and Cyrillic letters) and the minus sign −
    (U+2212) are not 全角; empty text is false.
    """
    return bool(text) and all(unicodedata.east_asian_width(char) in ("F", "W") for char in text)
