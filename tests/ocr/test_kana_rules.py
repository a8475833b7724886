"""Small or large kana come from the glyph, never from a spelling rule (issue 17).

Names are what their bearers write: ミユ is not ミュ, イツキ is not イッキ. The post-processing
used to rewrite small and large kana both ways by spelling context (ュ only after an i-row
kana, ッ only before a sound it can double, ァィゥェォ never in a name). It now keeps what was
read, and only the glyph's own size and place on the line (against its neighbours) may say
otherwise — except that a small kana where none can stand at all (a word's start, ダィスケ,
ッ before ダ in a name: ``ocr._kana_syllables``) is the large one; nothing is made small by
spelling. These tests give the engine's output and a line drawn with a handwriting font: no
model runs.
"""

from __future__ import annotations

import numpy as np
import pytest

from ocr import _text
from ocr._kana_syllables import small_can_stand
from ocr._ppocr import Recognition
from ocr._text import folded, kana_sizes, text_value
from tests.ocr._lines import font_line

_KATAKANA_THRESHOLD = 0.9  # about the calibrated katakana threshold: above it, accepted


def _read(
    text: str,
    *,
    written: str | None = None,
    sure: float = 0.97,
    alternatives: dict[int, tuple[str, float]] | None = None,
    person_name: bool = False,
) -> Recognition:
    """The engine's output: ``text`` read (with ``alternatives`` per position) from a line
    on which ``written`` (default: ``text``) was written."""
    line, positions = font_line((written or text,))
    per_char = []
    for i, char in enumerate(text):
        other = (alternatives or {}).get(i)
        per_char.append(((char, sure), other) if other else ((char, sure),))
    found = Recognition(
        text, tuple(sure for _ in text), positions=positions, char_alternatives=tuple(per_char)
    )
    return kana_sizes(found, line, person_name=person_name)


def test_the_spelling_rules_are_gone() -> None:
    for name in (
        "_large_kana",
        "_small_in_context",
        "_GEMINATE_BEFORE",
        "_SMALL_ALWAYS",
        "_SMALL_YOON",
        "_I_ROW",
    ):
        assert not hasattr(_text, name), name
    # What the old rules rewrote is kept as read: whether it was right is the glyph's call.
    for read in ("マッモト", "イマイリッ", "ユウタ", "ミュ", "ジェシカ", "ハイッ"):
        assert text_value("katakana", read) == read


@pytest.mark.parametrize(
    "name", ["サトウ ミユ", "スズキ イツキ", "タナカ ショウタ", "コバヤシ キョウコ"]
)
def test_names_keep_what_was_written(name: str) -> None:
    found = _read(name)
    assert text_value("katakana", found.text) == name.replace(" ", "\u3000")
    # A glyph that agrees with the reading keeps it sure enough to be accepted.
    assert min(folded(found, "katakana")) >= 0.97


def test_small_kana_written_small_are_confirmed_by_their_glyph() -> None:
    # The model hesitates between ョ and ヨ; the glyph is small and low: the pair counts.
    found = _read("キョウコ", alternatives={1: ("ヨ", 0.02)}, sure=0.7)
    assert found.text == "キョウコ"
    assert found.char_confidences[1] >= 0.72


def test_a_large_kana_read_small_is_never_accepted_as_small() -> None:
    # ミユ written with a large ユ, read ミュ by the model (the mistake the old rule let pass).
    found = _read("サトウ ミュ", written="サトウ ミユ", alternatives={5: ("ユ", 0.02)})
    assert found.text in ("サトウ ミユ", "サトウ ミュ")
    assert found.char_confidences[5] <= 0.5 < _KATAKANA_THRESHOLD
    # イツキ read イッキ: the glyph is large, so ッ is not accepted.
    found = _read("スズキ イッキ", written="スズキ イツキ", alternatives={5: ("ツ", 0.02)})
    assert found.char_confidences[5] <= 0.5


def test_a_short_large_kana_in_the_middle_of_the_line_is_large() -> None:
    # エ is short and sits in the line's middle; a small ェ sits on the line. Read ェ where
    # it could stand (ウェ), the glyph (its middle, not its top) says large: エ, and a person
    # looks.
    found = _read("ウェダ", written="ウエダ", alternatives={1: ("エ", 0.3)}, sure=0.6)
    assert found.text == "ウエダ"
    assert found.char_confidences[1] <= 0.5


def test_a_glyph_only_vouches_for_a_reading_it_is_sure_of() -> None:
    # The short エ is judged large but is not as tall as its neighbours: agreeing with the
    # model, it leaves the model's own probability as it was.
    found = _read("ウエダ", alternatives={1: ("ェ", 0.3)}, sure=0.6)
    assert found.text == "ウエダ"
    assert found.char_confidences[1] == pytest.approx(0.6)
    # A tall large ヤ is sure: the pair's probability counts.
    found = _read("ヤマダ", alternatives={0: ("ャ", 0.3)}, sure=0.6)
    assert found.char_confidences[0] == pytest.approx(0.9)


def test_ke_between_kanji_keeps_its_reading() -> None:
    # ヶ in a place name is written at any size: its glyph never turns it into ケ.
    address = "町田市金井ヶ丘２－１２－２０フォレストヒルズ金井ヶ丘"
    found = _read(address)
    assert text_value("address", found.text) == address


def test_an_address_ending_in_haitsu_keeps_it() -> None:
    address = "日野市神明５－２３－１７パークハイツ"
    found = _read(address)
    assert text_value("address", found.text) == address
    assert min(folded(found, "address")) >= 0.97


@pytest.mark.parametrize(
    ("read", "written"),
    [  # a building after a house number, a given name after the space
        ("２０ェクセルハウス", "２０エクセルハウス"),
        ("タナカ　ョウコ", "タナカ　ヨウコ"),
        ("ッジ", "ツジ"),
    ],
)
def test_a_small_kana_where_a_word_begins_is_the_large_one(read: str, written: str) -> None:
    # No word begins with a small kana: ２０ェクセル was read so at 0.88 on a calibration form.
    found = _read(read, written=written)
    assert found.text == written
    assert min(found.char_confidences) >= 0.9


@pytest.mark.parametrize(
    ("read", "written", "person_name"),
    [  # seed 210's フリガナ read with a small kana no syllable has, and a building's name
        ("ナカノ ダィスケ", "ナカノ ダイスケ", True),
        ("サイトウ マュミ", "サイトウ マユミ", True),
        ("モリタ テッャ", "モリタ テツヤ", True),
        ("マッダ ダイキ", "マツダ ダイキ", True),
        ("フジイォサム", "フジイオサム", True),
        ("日野市神明５－２３－１７パークハイッ", "日野市神明５－２３－１７パークハイツ", False),
    ],
)
def test_a_small_kana_where_none_can_stand_is_the_large_one(
    read: str, written: str, person_name: bool
) -> None:
    # Read so even where the glyph looks small: no reading of Japanese has it, so the pair
    # (ィ and イ together) is what the character is worth.
    mended = [i for i, c in enumerate(read) if c != written[i]]
    found = _read(read, written=read, sure=0.6, person_name=person_name,
                  alternatives={i: (written[i], 0.35) for i in mended})  # fmt: skip
    assert found.text == written
    assert all(found.char_confidences[i] == pytest.approx(0.95) for i in mended)


@pytest.mark.parametrize(
    ("text", "person_name"),
    [("タナカ ショウタ", True), ("ハットリ イッペイ", True), ("ジェシカ", True),
     ("ウェイ", True), ("ベッド", False)],
)  # fmt: skip
def test_a_small_kana_that_can_stand_is_left_to_the_glyph(text: str, person_name: bool) -> None:
    # Written small, read small: kept; read small where the glyph is large: doubted as before.
    assert _read(text, person_name=person_name).text == text
    small = next(i for i, c in enumerate(text) if c in "ャュョァィゥェォッ")
    large = _text.PAIRED_SIZES[text[small]]
    written = text[:small] + large + text[small + 1 :]
    found = _read(text, written=written, person_name=person_name,
                  alternatives={small: (large, 0.02)})  # fmt: skip
    assert found.char_confidences[small] <= 0.5


def test_tsu_doubles_in_a_name_only_what_japanese_doubles() -> None:
    assert not small_can_stand("マ", "ッ", "ダ", name=True)
    assert not small_can_stand("マ", "ッ", "モ", name=True)
    assert small_can_stand("ハ", "ッ", "ト", name=True)
    # outside a name a borrowed word doubles a voiced sound (ベッド), never a vowel or nothing
    assert small_can_stand("ベ", "ッ", "ド")
    assert not small_can_stand("イ", "ッ", "ア")
    assert not small_can_stand("イ", "ッ", "")
    assert not small_can_stand("", "ッ", "カ")
    # ヵ and ヶ stand anywhere; a large kana is not judged
    assert small_can_stand("井", "ヶ", "丘")
    assert small_can_stand("マ", "ユ", "ミ")


def test_a_small_ke_between_kanji_is_kept() -> None:
    assert _read("金井ヶ丘").text == "金井ヶ丘"


def test_without_positions_a_small_kana_is_not_sure() -> None:
    # Tesseract gives no character positions: a small kana it reads goes to a person.
    found = kana_sizes(
        Recognition("ショウタ", (0.99, 0.99, 0.99, 0.99)), np.full((40, 200), 255, np.uint8)
    )
    assert found.text == "ショウタ"
    assert found.char_confidences[1] <= 0.5
    assert found.char_confidences[0] == 0.99
