"""jimu's handwritten-digit model: its input normalisation, the committed ONNX file, and
its place as a third opinion on digit boxes."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import get_engine
from ocr._digit_model import MODEL_PATH, DigitModel, normalise_glyph
from ocr._fields import FieldRequest, _averaged, _finish_boxes, _Prepared, read_fields
from ocr._handwriting import DEFAULT_DIGITS_DIR, load_digits
from ocr._ppocr import Recognition, get_recogniser
from ocr._render import font_path


def _written(digit: str, role: str, *, size: int = 60) -> np.ndarray:
    """A digit in a font, dark on white, off-centre on a wide canvas as a glyph can be."""
    found = font_path(role) or font_path("print")
    assert found is not None, "fonts-klee / fonts-noto-cjk are installed by make setup"
    font = ImageFont.truetype(found[0], size, index=found[1])
    image = Image.new("L", (132, 72), 255)
    ImageDraw.Draw(image).text((10, 2), digit, font=font, fill=20)
    return np.asarray(image)


def test_a_glyph_is_normalised_as_mnist_was() -> None:
    normalised = normalise_glyph(_written("7", "klee"))
    assert normalised.shape == (28, 28)
    assert normalised.max() == pytest.approx(1.0)
    ys, xs = np.nonzero(normalised)
    assert max(ys.max() - ys.min(), xs.max() - xs.min()) + 1 <= 20
    rows, cols = np.indices(normalised.shape)
    centre = ((rows * normalised).sum() / normalised.sum(),
              (cols * normalised).sum() / normalised.sum())
    assert centre == pytest.approx((14, 14), abs=1.0)


def test_a_blank_glyph_has_no_ink() -> None:
    assert not normalise_glyph(np.full((72, 132), 250, np.uint8)).any()


def test_the_committed_model_reads_font_digits() -> None:
    assert MODEL_PATH.is_file()
    model = DigitModel()
    glyphs = [_written(d, role) for role in ("klee", "print") for d in "0123456789"]
    probabilities = model.probabilities(glyphs)
    assert probabilities.shape == (20, 10)
    assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4)
    read = "".join(str(i) for i in probabilities.argmax(axis=1))
    assert sum(a == b for a, b in zip(read, "0123456789" * 2, strict=True)) >= 19


def test_the_engine_mixes_in_the_digit_model_only_for_digit_boxes() -> None:
    recogniser = get_recogniser()
    glyph = _written("3", "klee")
    digits, = recogniser.read_chars([glyph], ["0123456789"])
    assert digits.text == "3"
    assert recogniser._digits is not None  # loaded for a digits-only box
    mixed_in = recogniser._digits.probabilities([glyph])[0][3]
    assert 0 < digits.confidence <= 1
    assert mixed_in > 0.5
    wider, = recogniser.read_chars([glyph], ["0123456789ABC"])
    assert {char for char, _ in wider.alternatives} >= {"A", "3"}


def test_a_digit_box_keeps_the_digit_models_own_distribution() -> None:
    recogniser = get_recogniser()
    glyph = _written("3", "klee")
    digits, = recogniser.read_chars([glyph], ["0123456789"])
    own = dict(digits.digit_model)
    assert set(own) == set("0123456789")
    assert sum(own.values()) == pytest.approx(1.0)
    assert recogniser._digits is not None
    row = recogniser._digits.probabilities([glyph])[0]
    assert own["3"] == pytest.approx(float(row[3] / row.sum()), rel=1e-5)
    wider, = recogniser.read_chars([glyph], ["0123456789ABC"])
    assert wider.digit_model == ()  # not a digits-only box: the model is not asked


def _box(mixed: dict[str, float], own: dict[str, float]) -> Recognition:
    alternatives = tuple(sorted(mixed.items(), key=lambda item: -item[1]))
    return Recognition(alternatives[0][0], (alternatives[0][1],), alternatives,
                       digit_model=tuple(sorted(own.items(), key=lambda item: -item[1])))


def test_two_views_average_the_digit_models_distributions_too() -> None:
    first = _box({"1": 0.9, "7": 0.1}, {"1": 0.6, "7": 0.4})
    second = _box({"1": 0.7, "7": 0.3}, {"1": 0.8, "7": 0.2})
    both = _averaged(first, second)
    assert both.text == "1" and both.confidence == pytest.approx(0.8)
    assert dict(both.digit_model) == pytest.approx({"1": 0.7, "7": 0.3})


def _finished(boxes: list[Recognition]) -> tuple[float, tuple[float, ...]]:
    """A boxed digits field without a rule, finished from these box readings."""
    request = FieldRequest(np.zeros((1, 1), np.uint8), "digits", len(boxes))
    prepared = _Prepared(request, glyphs=[np.zeros((1, 1), np.uint8)] * len(boxes))
    reading = _finish_boxes(prepared, get_engine("ppocr"), list(boxes), None)
    assert reading.value == "".join(box.text for box in boxes)
    return reading.confidence, reading.char_confidences


def test_digits_without_a_rule_are_as_sure_as_the_digit_model_finds_each_box() -> None:
    """PP-OCR sure of both boxes, the digit model of one only: the field is as sure as the
    digit model's probabilities for the value read, multiplied (on the calibration forms
    PP-OCR was sure of a digit it misread far more often than the digit model)."""
    boxes = [_box({"6": 0.99, "0": 0.01}, {"6": 0.55, "0": 0.45}),
             _box({"4": 0.98, "9": 0.02}, {"4": 0.97, "9": 0.03})]
    confidence, shares = _finished(boxes)
    assert shares == pytest.approx((0.55, 0.97))
    assert confidence == pytest.approx(0.55 * 0.97)


def test_without_the_digit_model_the_mixed_reading_says_how_sure() -> None:
    boxes = [Recognition("6", (0.99,), (("6", 0.99), ("0", 0.01))),
             Recognition("4", (0.98,), (("4", 0.98), ("9", 0.02)))]
    confidence, _ = _finished(boxes)
    assert confidence == pytest.approx(0.99 * 0.98)


@pytest.mark.skipif(load_digits(DEFAULT_DIGITS_DIR) is None,
                    reason="../shared/data/mnist is not on this machine")
def test_real_handwritten_digits_outside_the_training_range() -> None:
    """MNIST 1500–1799: never trained on (the model learnt from 0–1499)."""
    loaded = load_digits(DEFAULT_DIGITS_DIR)
    assert loaded is not None
    images, labels = loaded
    requests, truth = [], []
    for index in range(1500, 1800):
        crop = np.full((98, 82), 255, np.uint8)
        crop[16:82, 8:74] = cv2.resize(255 - images[index], (66, 66),
                                       interpolation=cv2.INTER_CUBIC)
        cv2.rectangle(crop, (13, 13), (69, 85), 0, 2)
        requests.append(FieldRequest(crop, "digits", 1))
        truth.append(str(labels[index]))
    readings = read_fields(requests, get_engine("ppocr"))
    right = sum(r.value == t for r, t in zip(readings, truth, strict=True))
    assert right / len(truth) >= 0.97
