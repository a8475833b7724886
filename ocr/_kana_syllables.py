"""Where a small katakana can stand at all.

A small kana never begins a syllable: ャ ュ ョ follow an i-row kana (キャ, ジュ, リョ), a small
vowel follows the kana that the 外来語の表記 (内閣告示第二号, 1991, tables 1 and 2) pair it with
(ファ, ティ, ウェ, トゥ), and ッ doubles the sound after it, so it stands before a kana that
begins with a consonant. In a person's name ッ doubles only the sounds Japanese words double:
k, s, t, p (ハットリ, イッペイ; never マッダ, マッモト). A foreign name that doubles another
sound is rare on these forms and would be read with ツ.

These are facts of writing, not guesses between two spellings: nothing here says that a large
kana should be small (ミユ and ミュ, イツキ and イッキ are both names). A reader uses them only to
turn a small kana where none can stand into the large one.
"""

from __future__ import annotations

__all__ = ["small_can_stand"]

_I_ROW = "キギシジチヂニヒビピミリ"
#: What each small kana can follow within one syllable.
_FOLLOWS = {
    "ャ": _I_ROW,
    "ュ": _I_ROW + "テデフヴ",  # テュ デュ フュ ヴュ
    "ョ": _I_ROW,
    "ァ": "クグツフヴ",  # クァ グァ ツァ ファ ヴァ
    "ィ": "ウクツテデフヴ",  # ウィ クィ ツィ ティ ディ フィ ヴィ
    "ゥ": "トド",  # トゥ ドゥ
    "ェ": "イウクシジチツフヴ",  # イェ ウェ クェ シェ ジェ チェ ツェ フェ ヴェ
    "ォ": "ウクツフヴ",  # ウォ クォ ツォ フォ ヴォ
    "ヮ": "クグ",  # クヮ グヮ
}
#: What ッ cannot double: a vowel, ン, ー, a small kana.
_NOT_DOUBLED = frozenset("アイウエオンーァィゥェォャュョッヮヵヶ")
#: What ッ doubles in a name: k, s, t and p.
_DOUBLED_IN_NAMES = frozenset("カキクケコサシスセソタチツテトパピプペポ")


def _katakana(char: str) -> bool:
    return "\u30a1" <= char <= "\u30fa"


def small_can_stand(before: str, small: str, after: str, *, name: bool = False) -> bool:
    """Whether the small kana ``small`` can stand between ``before`` and ``after`` (each a
    character, or ``""`` at either end of the line); ``name`` for a person's name.

    Only small kana are judged; ヵ and ヶ (金井ヶ丘, 一ヵ月), written between kanji, always can.
    """
    if small == "ッ":
        if not _katakana(before):
            return False
        if name:
            return after in _DOUBLED_IN_NAMES
        return _katakana(after) and after not in _NOT_DOUBLED
    follows = _FOLLOWS.get(small)
    return follows is None or (before != "" and before in follows)
