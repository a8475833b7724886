"""The stroke-level handwriting generator: KanjiVG strokes in a writer's own style.

Real KanjiVG paths are drawn; nothing is mocked. A writer is a seed: the same seed writes the
same image, two writers write the same word differently, and every katakana and digit can be
written.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from ocr._handwriting import Writer
from ocr._kana_model import CLASSES
from ocr._strokes import (
    CALIBRATION_HANDS,
    TEST_HANDS,
    TRAIN_HANDS,
    StrokeHand,
    can_write,
    strokes_of,
)


def _written(seed: int, text: str, *, draw: int = 1) -> np.ndarray:
    page = Image.new("L", (900, 140), 255)
    StrokeHand.create(seed).write(page, text, 20, 30, 70, ink=30,
                                  rng=random.Random(f"draw-{draw}"))
    return np.asarray(page)


def test_the_writer_sets_are_disjoint() -> None:
    sets = [set(TRAIN_HANDS), set(CALIBRATION_HANDS), set(TEST_HANDS)]
    assert not sets[0] & sets[1] and not sets[0] & sets[2] and not sets[1] & sets[2]


def test_every_katakana_and_digit_has_strokes() -> None:
    for char in CLASSES + "0123456789":
        strokes = strokes_of(char)
        assert strokes is not None, char
        for stroke in strokes:
            assert stroke.shape[1] == 2 and len(stroke) >= 2
            assert stroke.min() >= -0.1 and stroke.max() <= 1.1, char
    assert strokes_of("１") is not None  # full-width digits are their ASCII strokes
    assert not can_write("－") and not can_write(" ")
    assert len(strokes_of("ガ") or ()) == len(strokes_of("カ") or ()) + 2


@pytest.mark.parametrize("seed", [TEST_HANDS[0], TEST_HANDS[7]])
def test_every_katakana_and_digit_renders_with_ink(seed: int) -> None:
    hand = StrokeHand.create(seed)
    rng = random.Random(1)
    for char in CLASSES + "0123456789":
        page = Image.new("L", (120, 120), 255)
        advance = hand.draw(page, char, 20, 20, 70, ink=30, rng=rng)
        ink = np.asarray(page) < 128
        assert ink.sum() > 40, char
        assert 20 < advance < 120, char


def test_the_same_writer_writes_the_same_image() -> None:
    assert np.array_equal(_written(TEST_HANDS[3], "キョウコ"), _written(TEST_HANDS[3], "キョウコ"))
    assert StrokeHand.create(TEST_HANDS[3]) == StrokeHand.create(TEST_HANDS[3])


def test_writers_differ_and_so_does_each_writing() -> None:
    def differ(a: np.ndarray, b: np.ndarray) -> float:
        return float(((a < 200) != (b < 200)).sum() / ((a < 200) | (b < 200)).sum())

    one, other = _written(TEST_HANDS[1], "ショウタ"), _written(TEST_HANDS[2], "ショウタ")
    assert differ(one, other) > 0.4
    again = _written(TEST_HANDS[1], "ショウタ", draw=2)  # the same hand, written again
    assert differ(one, again) > 0.2
    styles = {StrokeHand.create(seed).slant for seed in TEST_HANDS[:20]}
    assert len(styles) == 20


def test_small_kana_are_written_smaller_and_lower() -> None:
    def extent(char: str) -> tuple[float, float]:
        page = Image.new("L", (160, 160), 255)
        StrokeHand.create(TEST_HANDS[5]).draw(page, char, 40, 40, 80, ink=0,
                                              rng=random.Random(3))
        ys, _ = np.nonzero(np.asarray(page) < 128)
        return float(ys.max() - ys.min()), float(ys.mean())

    (large, large_y), (small, small_y) = extent("ユ"), extent("ュ")
    assert small < 0.85 * large
    assert small_y > large_y


def test_a_form_writer_writes_stroke_by_stroke_and_falls_back_to_its_font() -> None:
    rng = random.Random(4)
    writer = Writer.create(rng, None, (0, 0), hands=TEST_HANDS)
    assert writer.hand is not None and writer.hand.seed in TEST_HANDS
    page = Image.new("L", (1000, 200), 255)
    end = writer.text(page, "ミユ　－１２", 20, 40, 70, 900)
    assert 100 < end < 900
    writer.digit(page, "7", (800, 100, 860, 180))
    assert (np.asarray(page)[100:180, 800:860] < 128).sum() > 40
    # Without hands, a writer is a font writer drawing from rng exactly as before.
    first, second = random.Random(8), random.Random(8)
    for draw in ("font", [0, 0, 1, 1, 2]):  # what Writer.create draws without hands
        second.choice(["klee", "klee-bold", "yoz"] if draw == "font" else draw)
        if draw == "font":
            second.uniform(0.85, 1.05), second.uniform(-4, 4)
    second.randint(10, 70)
    plain = Writer.create(first, None, (0, 0))
    assert plain.hand is None
    assert first.random() == second.random()
