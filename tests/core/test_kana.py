"""Kana checks and 全角/半角 conversion, as used for フリガナ, names and bank account holders."""

from __future__ import annotations

import pytest

from core.kana import (
    hiragana_to_katakana,
    is_fullwidth,
    is_hiragana,
    is_katakana,
    katakana_to_hiragana,
    to_fullwidth,
    to_halfwidth,
)
from core.text import same_text


@pytest.mark.parametrize(
    "text",
    [
        "ヤマダ",
        "ヤマダ　タロウ",  # 全角 space
        "ヴァイオリン",
        "キャッシュ",
        "ァィゥェォッャュョヮヵヶ",
        "ラーメン",
        "スズキ　イチロー",
        "ヰヱヲン",
    ],
)
def test_is_katakana_accepts(text: str) -> None:
    assert is_katakana(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "　",
        "ヤマダ タロウ",  # half-width space
        "ﾔﾏﾀﾞ",  # 半角カナ
        "やまだ",
        "ヤマだ",
        "山田",
        "ヤマダ1",
        "ヤマダ１",
        "スミス・ジョン",  # the middle dot is not a letter
        "ABC",
    ],
)
def test_is_katakana_rejects(text: str) -> None:
    assert not is_katakana(text)


def test_is_katakana_without_spaces() -> None:
    assert is_katakana("ヤマダタロウ", allow_space=False)
    assert not is_katakana("ヤマダ　タロウ", allow_space=False)


@pytest.mark.parametrize(
    "text", ["やまだ", "やまだ　たろう", "ぁぃぅぇぉっゃゅょゎ", "らーめん", "ゔ"]
)
def test_is_hiragana_accepts(text: str) -> None:
    assert is_hiragana(text)


@pytest.mark.parametrize("text", ["", "　", "ヤマダ", "やまだ たろう", "山田", "やまだ1", "やまダ"])
def test_is_hiragana_rejects(text: str) -> None:
    assert not is_hiragana(text)


def test_is_hiragana_without_spaces() -> None:
    assert not is_hiragana("やまだ　たろう", allow_space=False)


@pytest.mark.parametrize(
    ("hiragana", "katakana"),
    [
        ("やまだ　たろう", "ヤマダ　タロウ"),
        ("がっこう", "ガッコウ"),
        ("ぱぴぷぺぽ", "パピプペポ"),
        ("ゔぁいおりん", "ヴァイオリン"),
        ("らーめん", "ラーメン"),
        ("ぁゎゕゖ", "ァヮヵヶ"),
        ("いすゞ", "イスヾ"),
    ],
)
def test_hiragana_katakana_both_ways(hiragana: str, katakana: str) -> None:
    assert hiragana_to_katakana(hiragana) == katakana
    assert katakana_to_hiragana(katakana) == hiragana


def test_kana_conversion_leaves_other_characters() -> None:
    assert hiragana_to_katakana("山田たろう123abc") == "山田タロウ123abc"
    assert katakana_to_hiragana("山田タロウ　ABC") == "山田たろう　ABC"
    assert katakana_to_hiragana("ヷヺ") == "ヷヺ"  # no hiragana for these


@pytest.mark.parametrize(
    ("half", "full"),
    [
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ"),
        ("ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ"),
        ("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ"),
        ("ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ", "バビブベボ"),
        ("ｳﾞｧｲｵﾘﾝ", "ヴァイオリン"),
        ("ﾜﾞ", "ヷ"),
        ("ｷｬｯｼｭ", "キャッシュ"),
        ("ﾗｰﾒﾝ", "ラーメン"),
        ("ｶ)ﾔﾏﾀﾞｼｮｳｼﾞ", "カ）ヤマダショウジ"),
        ("ABC-123", "ＡＢＣ－１２３"),
        ("abc xyz", "ａｂｃ　ｘｙｚ"),
        (
            "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
            "！＂＃＄％＆＇（）＊＋，－．／：；＜＝＞？＠［＼］＾＿｀｛｜｝～",
        ),
        ("｢ｱｲｳ｣､｡･", "「アイウ」、。・"),
    ],
)
def test_to_fullwidth(half: str, full: str) -> None:
    assert to_fullwidth(half) == full
    assert is_fullwidth(full)


def test_to_fullwidth_keeps_full_width_text_and_kanji() -> None:
    text = "東京都千代田区１－１　ガ"
    assert to_fullwidth(text) == text


def test_to_fullwidth_sound_mark_that_cannot_combine() -> None:
    # ア has no voiced form: the mark stays, as the spacing ゛, and the result is 全角.
    assert to_fullwidth("ｱﾞ") == "ア゛"
    assert to_fullwidth("ﾞ") == "゛"
    assert to_fullwidth("ﾟ") == "゜"
    assert is_fullwidth(to_fullwidth("ｱﾞﾟ"))


@pytest.mark.parametrize(
    ("full", "half"),
    [
        ("ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("ガギグゲゴ", "ｶﾞｷﾞｸﾞｹﾞｺﾞ"),
        ("パピプペポ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"),
        ("ヴァイオリン", "ｳﾞｧｲｵﾘﾝ"),
        ("ヷヺ", "ﾜﾞｦﾞ"),
        ("カ）ヤマダショウジ", "ｶ)ﾔﾏﾀﾞｼｮｳｼﾞ"),
        ("ＡＢＣ－１２３", "ABC-123"),
        ("「アイウ」、。・ー", "｢ｱｲｳ｣､｡･ｰ"),
    ],
)
def test_to_halfwidth(full: str, half: str) -> None:
    assert to_halfwidth(full) == half


def test_to_halfwidth_leaves_characters_without_half_form() -> None:
    assert to_halfwidth("山田やまだヮヵヶ") == "山田やまだヮヵヶ"


@pytest.mark.parametrize(
    "half",
    ["ﾔﾏﾀﾞ ﾀﾛｳ", "ｶ)ﾔﾏﾀﾞｼｮｳｼﾞ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ ｳﾞ", "ABC-123 xyz", "ｶﾞｷﾞｸﾞｹﾞｺﾞｻﾞｼﾞｽﾞｾﾞｿﾞ"],
)
def test_width_round_trip_and_nfkc_agree(half: str) -> None:
    full = to_fullwidth(half)
    assert to_halfwidth(full) == half
    assert same_text(full, half)


def test_every_halfwidth_katakana_round_trips() -> None:
    letters = [chr(c) for c in range(0xFF66, 0xFF9E)]  # ｦ … ﾝ
    for letter in letters:
        assert to_halfwidth(to_fullwidth(letter)) == letter
        assert is_fullwidth(to_fullwidth(letter))


@pytest.mark.parametrize(
    "text", ["山田　太郎", "東京都千代田区１－１", "ヤマダ", "やまだ", "ＡＢＣ", "、。「」"]
)
def test_is_fullwidth_accepts(text: str) -> None:
    assert is_fullwidth(text)


@pytest.mark.parametrize(
    "text",
    ["", "山田 太郎", "ﾔﾏﾀﾞ", "東京都千代田区1-1", "ABC", "①", "※", "東京都千代田区１−１"],
)
def test_is_fullwidth_rejects(text: str) -> None:
    assert not is_fullwidth(text)
