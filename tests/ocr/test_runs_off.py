"""Writing that goes on past its frame's side goes to a person: its end was never read.

An address written in large hand runs past the right side of its cell; the crop holds the
frame and a small margin, so the last characters are cut. The house number read from what is
left (４－２９－２ for ４－２９－２１) validated and was accepted at 0.98 before this check.
"""

from __future__ import annotations

import numpy as np

from ocr import read_field
from ocr._fields import RUNS_OFF

from ._lines import font_line


def _cell(words: tuple[str, ...], *, beyond: bool) -> np.ndarray:
    """A ruled cell (frame and a 13 px margin) holding ``words``; with ``beyond`` the
    frame's right side stands before the last character, and the crop (its margin past the
    frame) ends in the middle of it."""
    line, centres = font_line(words, size=40)
    margin, pad = 13, 20
    at = [round(c * line.shape[1]) for c in centres]
    ink = line[:, at[0] - 30 : at[-1] + 30]
    height = ink.shape[0] + 20
    right = margin + pad + (at[-2] + at[-1]) // 2 - at[0] + 30 if beyond else 0
    width = ink.shape[1] + 2 * pad
    crop = np.full((height + 2 * margin, width + 2 * margin), 255, np.uint8)
    crop[margin + 10 : margin + 10 + ink.shape[0], margin + pad : margin + pad + ink.shape[1]] = ink
    right = right or margin + width
    crop[margin : margin + 2, margin:right] = 0
    crop[margin + height - 2 : margin + height, margin:right] = 0
    crop[margin : margin + height, margin : margin + 2] = 0
    crop[margin : margin + height, right - 2 : right] = 0
    return crop[:, : right + margin] if beyond else crop


def test_an_address_written_past_its_frame_goes_to_a_person() -> None:
    reading = read_field(_cell(("東京都八王子市散田町３－９－４８",), beyond=True), kind="address")

    assert RUNS_OFF in reading.reasons
    assert reading.confidence == 0.0


def test_an_address_inside_its_frame_is_not_doubted_for_it() -> None:
    reading = read_field(_cell(("東京都八王子市散田町３－９－４８",), beyond=False), kind="address")

    assert RUNS_OFF not in reading.reasons
    assert reading.value.startswith("東京都八王子市散田町")
