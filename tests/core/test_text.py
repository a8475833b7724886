"""NFKC normalisation: 全角 and 半角 forms of the same text compare equal."""

from __future__ import annotations

import pytest

from core.text import nfkc, same_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("ｶﾀｶﾅ", "カタカナ"),
        ("ｶﾞｷﾞﾊﾟ", "ガギパ"),
        ("　", " "),  # 全角 space
        ("（株）", "(株)"),
        ("東京都", "東京都"),
        ("㋿", "令和"),
    ],
)
def test_nfkc(text: str, expected: str) -> None:
    assert nfkc(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("ｶﾀｶﾅ", "カタカナ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ"),
        ("東京都千代田区１－１", "東京都千代田区1-1"),
        ("  山田 太郎 ", "山田　太郎"),
        ("山田  太郎", "山田 太郎"),  # runs of spaces collapse
    ],
)
def test_same_text(a: str, b: str) -> None:
    assert same_text(a, b)
    assert same_text(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("カタカナ", "かたかな"),  # katakana and hiragana differ
        ("ABC", "abc"),  # case matters
        ("山田太郎", "山田 太郎"),
        ("123", "124"),
    ],
)
def test_different_text(a: str, b: str) -> None:
    assert not same_text(a, b)


def test_same_text_ignoring_spaces() -> None:
    assert same_text("山田太郎", "山田　太郎", ignore_spaces=True)
    assert same_text("ﾔﾏﾀﾞﾀﾛｳ", "ヤマダ　タロウ", ignore_spaces=True)
    assert not same_text("山田太郎", "山田次郎", ignore_spaces=True)


def test_edit_distance_counts_the_fewest_single_character_edits() -> None:
    from core.text import edit_distance

    assert edit_distance("ヤマダ", "ヤマダ") == 0
    assert edit_distance("ヤマダ", "ヤマタ") == 1  # a lost dakuten
    assert edit_distance("コーポ", "コポ") == 1
    assert edit_distance("", "東京都") == 3
    assert edit_distance("kitten", "sitting") == 3
