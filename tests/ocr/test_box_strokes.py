"""A boxed digit is read with the light parts of its strokes.

The usual ink threshold loses the thin, light part of a stroke: the top of a 9's loop goes,
and what is left reads as a 4. Light ink in a stroke that holds a box's ink belongs to that
box (to the nearest box's ink, pixel by pixel, where two digits touch).
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr import read_field
from ocr._fields import _with_faint_parts
from ocr._render import font_path

_PX_PER_MM = 8
_BOX_MM = (6.0, 9.0)


def _boxes(digits: str, *, light_top_of: int | None = None) -> np.ndarray:
    """A frame of ``len(digits)`` boxes with ``digits`` written in it (Klee font); the digit
    at ``light_top_of`` has the upper half of its ink in light grey, as a pen that skipped."""
    found = font_path("klee") or font_path("print")
    assert found is not None, "no Japanese font installed"
    box_w, box_h = (round(mm * _PX_PER_MM) for mm in _BOX_MM)
    margin = 16
    width, height = box_w * len(digits) + 2 * margin, box_h + 2 * margin
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(found[0], round(box_h * 0.7), index=found[1])
    for i, digit in enumerate(digits):
        glyph = Image.new("L", (box_w, box_h), 255)
        ImageDraw.Draw(glyph).text((box_w / 2, box_h / 2), digit, fill=0, font=font, anchor="mm")
        ink = np.asarray(glyph).copy()
        if i == light_top_of:
            rows = np.flatnonzero((ink < 128).any(axis=1))
            half = (rows[0] + rows[-1]) // 2
            upper = ink[:half]
            upper[upper < 250] = np.maximum(upper[upper < 250], 185)  # light grey, not black
        page.paste(Image.fromarray(ink), (margin + i * box_w, margin))
    for i in range(len(digits) + 1):
        x = margin + i * box_w
        draw.line([(x, margin), (x, margin + box_h)], fill=0, width=2)
    frame = [margin, margin, margin + box_w * len(digits), margin + box_h]
    draw.rectangle(frame, outline=0, width=2)
    return np.asarray(page)


def test_a_digit_whose_loop_was_written_lightly_is_read_whole() -> None:
    image = _boxes("9090909", light_top_of=2)

    reading = read_field(image, kind="digits", boxes=7)

    assert reading.value == "9090909"
    assert reading.reasons == ()  # every box held ink at the usual threshold: nothing faint


def test_light_ink_goes_to_the_nearest_box_and_stray_light_ink_to_none() -> None:
    shape = (20, 40)
    left, right = np.zeros(shape, bool), np.zeros(shape, bool)
    left[5:15, 5:10] = True
    right[5:15, 30:35] = True
    light = np.zeros(shape, np.uint8)
    light[8:10, 5:35] = 255  # a light stroke joining the two digits
    light[0:2, 15:25] = 255  # a light speck touching no digit

    grown = _with_faint_parts([left, None, right], light)

    assert grown[1] is None
    first, last = grown[0], grown[2]
    assert first is not None and last is not None
    assert first[8, 12] and not last[8, 12]  # nearer the left digit
    assert last[8, 28] and not first[8, 28]  # nearer the right one
    assert not (first | last)[0:2, 15:25].any()
