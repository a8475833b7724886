"""A name keeps the space between family and given name (``rule: person_name``).

PP-OCR rarely reads the writer's gap between 姓 and 名 as a space; the gap is found in the
ink. Where the ink does not show one clearly, a person decides: a name never goes into a
business system as 中山翔 for 中山　翔 unreviewed.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from pydantic import ValidationError

from ocr import FormTemplate
from ocr._calibrate import same_value
from ocr._engines import get_engine
from ocr._fields import FieldRequest, read_fields
from ocr._handwriting import Writer
from ocr._models import FieldReading
from ocr._name_lexicon import NAME_AND_READING_DIFFER
from ocr._names import UNCLEAR_NAME_SPACE, name_space
from ocr._ppocr import Recognition
from ocr._render import render_blank
from ocr._template import FieldSpec
from ocr._text import text_value
from ocr._validate import validate_field
from scripts.kana_model.make_data import _DPI_SCALE, written_field
from tests.ocr._lines import font_line


def _written(words: tuple[str, ...], *, gap: float) -> tuple[Recognition, np.ndarray]:
    """``words`` written with the Klee font, ``gap`` × size apart, read by an engine that saw
    no space: the text without spaces and where each character stands, and the line."""
    line, centres = font_line(words, gap=gap, spacing=0.06)
    text = "".join(words)
    return Recognition(text, tuple(0.98 for _ in text), positions=centres), line


def _spaced(words: tuple[str, ...], *, gap: float) -> tuple[Recognition, bool]:
    return name_space(*_written(words, gap=gap))


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        (("ナカヤマ", "ショウ"), "katakana"),
        (("中山", "翔"), "kanji"),
        (("スズキ", "イツキ"), "katakana"),
    ],
)
def test_the_space_is_where_the_writer_left_a_gap(words: tuple[str, ...], kind: str) -> None:
    spaced, clear = _spaced(words, gap=0.7)
    assert clear
    assert text_value(kind, spaced.text) == "\u3000".join(words)
    assert len(spaced.positions) == len(spaced.char_confidences) == len(spaced.text)
    assert min(spaced.char_confidences) == pytest.approx(0.98)


def test_a_name_written_without_a_gap_goes_to_a_person() -> None:
    spaced, clear = _spaced(("ナカヤマショウ",), gap=0.0)
    assert not clear
    # The best guess is shown, and the space itself is what is unsure.
    assert " " in spaced.text
    assert spaced.char_confidences[spaced.text.index(" ")] == 0.0


def _with_space(plain: Recognition, after: int, sure: float) -> Recognition:
    """``plain`` with a space PP-OCR read (at ``sure``) after character ``after``."""
    cut = after + 1
    where = (plain.positions[after] + plain.positions[cut]) / 2
    return Recognition(
        plain.text[:cut] + " " + plain.text[cut:],
        (*plain.char_confidences[:cut], sure, *plain.char_confidences[cut:]),
        positions=(*plain.positions[:cut], where, *plain.positions[cut:]),
    )


def test_a_space_read_in_the_wrong_place_moves_to_the_gap_and_a_person_looks() -> None:
    plain, line = _written(("ナカヤマ", "ショウ"), gap=0.7)
    spaced, clear = name_space(_with_space(plain, 1, 0.9), line)  # PP-OCR: ナカ ヤマショウ
    assert spaced.text == "ナカヤマ ショウ"
    assert not clear  # the engine and the ink disagree


def test_a_space_the_engine_doubted_keeps_its_doubt() -> None:
    """PP-OCR read a space at the gap but doubted it (a character may be lost there, as in
    小林 海 for 小林　拓海): the gap is clear, the space only as sure as the engine was."""
    plain, line = _written(("ナカヤマ", "ショウ"), gap=0.7)
    spaced, clear = name_space(_with_space(plain, 3, 0.4), line)
    assert clear and spaced.text == "ナカヤマ ショウ"
    assert spaced.char_confidences[4] == pytest.approx(0.4)
    # a space the engine did not read at a clear gap is sure
    assert name_space(plain, line)[0].char_confidences[4] == 1.0


def test_a_space_read_at_a_narrow_gap_agrees_with_the_ink_widest_gap() -> None:
    """A space the engine read at the ink's widest gap, though the gap alone is not clear:
    together they are sure enough, as sure as the engine was of the space."""
    plain, line = _written(("ナカヤマショウ",), gap=0.0)
    spaced, clear = name_space(plain, line)
    assert not clear
    at = spaced.text.index(" ")
    agreed, clear = name_space(_with_space(plain, at - 1, 0.9), line)
    assert clear and agreed.text == spaced.text
    assert agreed.char_confidences[at] == pytest.approx(0.9)


def test_without_positions_the_space_cannot_be_vouched_for() -> None:
    found = Recognition("ナカヤマショウ", tuple(0.99 for _ in range(7)))
    same, clear = name_space(found, np.full((40, 300), 255, np.uint8))
    assert same == found and not clear


def test_a_name_of_one_word_does_not_validate() -> None:
    spec = FieldSpec(
        name="name", label="氏名", kind="kanji", rule="person_name",
        x_mm=10, y_mm=10, width_mm=80, height_mm=10,
    )  # fmt: skip
    assert validate_field(FieldReading("kanji", "中山翔", 0.99, "t"), spec)[1] == [
        "姓と名の間に空白がありません"
    ]
    assert validate_field(FieldReading("kanji", "中山\u3000翔", 0.99, "t"), spec) == (
        "中山\u3000翔",
        [],
    )
    with pytest.raises(ValidationError, match="person_name"):
        FieldSpec(
            name="n", label="x", kind="digits", boxes=4, rule="person_name",
            x_mm=10, y_mm=10, width_mm=80, height_mm=10,
        )  # fmt: skip


def test_calibration_counts_where_the_space_is() -> None:
    assert not same_value("kanji", "中山翔", "中山\u3000翔")
    assert not same_value("katakana", "ナカ\u3000ヤマショウ", "ナカヤマ\u3000ショウ")
    assert same_value("katakana", "ナカヤマ ショウ", "ナカヤマ\u3000ショウ")  # width is not counted
    assert same_value("address", "東京都千代田区1-1 ビル", "東京都千代田区1-1ビル")


@pytest.mark.parametrize(
    ("written", "clear"), [("ナカヤマ\u3000ショウ", True), ("ナカヤマショウ", False)]
)
def test_a_name_field_read_by_the_engine_keeps_its_space_or_says_why(
    written: str, clear: bool, template: FormTemplate
) -> None:
    """The real engine on a フリガナ field written by a handwriting font: with a gap the value
    has its space; without one, a person is told why and the field is never accepted."""
    blank = render_blank(template, px_per_mm=_DPI_SCALE)
    spec = template.field("name_kana")
    rng = random.Random("name-space")
    writer = Writer.create(rng, None, (0, 0))
    crop = written_field(blank, spec, written, writer, rng)
    (reading,) = read_fields(
        [FieldRequest(crop, "katakana", rule="person_name")], get_engine("ppocr")
    )
    assert " " in reading.value or "\u3000" in reading.value
    if clear:
        assert UNCLEAR_NAME_SPACE not in reading.reasons
    else:
        assert UNCLEAR_NAME_SPACE in reading.reasons and reading.confidence == 0.0


@pytest.mark.parametrize(
    ("kana", "paired", "differ"),
    [
        ("ヨシダ\u3000マサト", True, False),
        ("コシノ\u3000マサト", True, True),  # 吉田 is ヨシダ: one of the two is misread
        ("コシノ\u3000マサト", False, False),  # a form that does not pair them says nothing
    ],
)
def test_a_furigana_the_name_does_not_read_as_sends_both_to_a_person(
    kana: str, paired: bool, differ: bool, template: FormTemplate
) -> None:
    """The real engine on a 氏名 and its フリガナ written by a handwriting font, read in one
    call as a page's fields are: paired (``reading_of``), a フリガナ the table never gives
    the 氏名 sends both to a person, saying why."""
    blank = render_blank(template, px_per_mm=_DPI_SCALE)
    rng = random.Random("name-reading")
    writer = Writer.create(rng, None, (0, 0))
    crops = [written_field(blank, template.field(name), text, writer, rng)
             for name, text in (("name", "吉田\u3000雅人"), ("name_kana", kana))]
    requests = [
        FieldRequest(crops[0], "kanji", name="name", rule="person_name"),
        FieldRequest(crops[1], "katakana", name="name_kana", rule="person_name",
                     reading_of="name" if paired else None),
    ]
    name, reading = read_fields(requests, get_engine("ppocr"))
    assert (name.value, reading.value) == ("吉田\u3000雅人", kana)
    for field in (name, reading):
        assert (NAME_AND_READING_DIFFER in field.reasons) is differ
