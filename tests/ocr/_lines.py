"""A line of text written with a handwriting font, and where each character stands: what the
field reader hands the kana rules and the name space, without a form around it."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr._render import font_path


def font_line(
    words: tuple[str, ...], *, gap: float = 0.0, spacing: float = 0.0, size: int = 44
) -> tuple[np.ndarray, tuple[float, ...]]:
    """``words`` written with the Klee font, ``spacing`` × size between characters and ``gap``
    × size after each word; the line and each character's centre (share of its width)."""
    found = font_path("klee") or font_path("print")
    assert found is not None, "no Japanese font installed"
    font = ImageFont.truetype(found[0], size, index=found[1])
    text = "".join(words)
    inked = sum(font.getlength(c) for c in text)
    width = round(inked + (spacing * len(text) + gap * len(words)) * size) + 2 * size
    image = Image.new("L", (width, round(size * 1.6)), 255)
    draw = ImageDraw.Draw(image)
    x, centres = float(size), []
    for word in words:
        for char in word:
            advance = font.getlength(char)
            draw.text((x, size * 0.3), char, fill=0, font=font)
            centres.append((x + advance / 2) / width)
            x += advance + spacing * size
        x += gap * size
    return np.asarray(image), tuple(centres)
