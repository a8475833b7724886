"""A character the reader left out of an address, which no character's confidence shows.

Greedy CTC decoding reads nothing where the blank wins, however likely a character was
there too: シャトー read シトー (the small ャ squeezed between two large kana) leaves every
character read surely. The decode therefore records, for each run of blank steps, the
likeliest character it passed over, and an address whose reader may have left one out after
its town goes to a person.
"""

from __future__ import annotations

import numpy as np
import pytest

from ocr._address import LEFT_OUT, left_out_after_town
from ocr._engines import ADDRESS
from ocr._ppocr import Recognition, get_recogniser
from tests.ocr.test_address import _form, _read


def _table(steps: list[dict[str, float]]) -> np.ndarray:
    """A (time, classes) probability table of the real model's classes: at each step the
    given characters' probabilities ("" is the blank), the rest of the mass on the blank."""
    recogniser = get_recogniser()
    index = {char: i for i, char in enumerate(recogniser.characters) if i}
    probs = np.zeros((len(steps), len(recogniser.characters)), np.float32)
    for row, step in enumerate(steps):
        for char, p in step.items():
            probs[row, index[char] if char else 0] = p
        probs[row, 0] += 1.0 - float(probs[row].sum())
    return probs


def test_the_decode_records_the_character_it_passed_over() -> None:
    probs = _table([
        {},
        {"シ": 0.95},
        {"ト": 0.3},  # the next character's own edge: not a character left out
        {"ャ": 0.3},  # ャ under the blank between シ and ト
        {"ト": 0.97},
        {" ": 0.4},  # a space is not a character left out
        {"ー": 0.9},
        {},
    ])  # fmt: skip
    found = get_recogniser().decode(probs, ADDRESS)
    assert found.text == "シトー"
    assert len(found.left_out) == 1
    ((where, likely),) = found.left_out
    assert where == pytest.approx(3.5 / 8)
    assert likely == pytest.approx(0.3, abs=0.01)


def test_a_clear_line_leaves_nothing_out() -> None:
    probs = _table([{}, {"シ": 0.98}, {"ャ": 0.005}, {"ト": 0.99}, {}, {"ー": 0.99}, {}])
    assert get_recogniser().decode(probs, ADDRESS).left_out == ()


def _line(text: str, left_out: tuple[tuple[float, float], ...]) -> Recognition:
    positions = tuple((i + 0.5) / len(text) for i in range(len(text)))
    return Recognition(text, tuple(1.0 for _ in text), positions=positions, left_out=left_out)


def test_only_what_follows_the_town_counts() -> None:
    text = "東京都八王子市大横町１１３５－５第２シトーコート"  # town ends at 10, house at 16
    at = {i: (i + 0.5) / len(text) for i in range(len(text))}
    in_the_area = _line(text, ((at[4] + 0.01, 0.6),))  # the postal table writes the area
    assert left_out_after_town(in_the_area, 10, 16, None) == 0.0
    in_the_building = _line(text, ((at[18] + 0.01, 0.2),))  # between シ and ト
    assert left_out_after_town(in_the_building, 10, 16, None) == pytest.approx(0.2)
    in_the_house = _line(text, ((at[13] + 0.01, 0.3),))
    assert left_out_after_town(in_the_house, 10, 16, None) == pytest.approx(0.3)
    # The house number read again decides for the house number: the second reading's own.
    again = Recognition("１１３５－５", (1.0,) * 6, left_out=((0.5, 0.04),))
    assert left_out_after_town(in_the_house, 10, 16, again) == pytest.approx(0.04)
    assert left_out_after_town(_line(text, ()), 10, 16, None) == 0.0
    # Without positions (Tesseract) nothing is known.
    assert left_out_after_town(Recognition(text, (1.0,) * len(text)), 10, 16, None) == 0.0


_WRITTEN = "東京都八王子市大横町１１３５－５　第２シャトーコート１２０４"


def test_an_address_whose_reader_left_a_character_out_goes_to_a_person() -> None:
    # A writer of this test's seed 320 writes 第２シャトーコート; the reader drops the ２
    # between 第 and シ and says nothing of it in any character it read.
    reading = _read(_form(), "192-0062", _WRITTEN, 320)
    assert "第２" not in reading.value
    assert LEFT_OUT in reading.reasons
    assert not reading.accepted


def test_an_address_read_whole_is_not_doubted() -> None:
    reading = _read(_form(), "192-0062", _WRITTEN, 302)  # seed 302's writer, read right
    assert reading.value == _WRITTEN.replace("\u3000", "")
    assert LEFT_OUT not in reading.reasons
