"""Handwriting-like ink for generated samples: jittered font glyphs or characters drawn
stroke by stroke (:mod:`ocr._strokes`, KanjiVG paths), real MNIST digits, check marks,
circles around printed options, scribbles and strike-through corrections.
Everything is drawn from a seeded ``Random``.
"""

from __future__ import annotations

import gzip
import itertools
import math
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont

from core.settings import get_settings
from ocr._render import font_path
from ocr._strokes import StrokeHand, can_write

__all__ = [
    "DEFAULT_DIGITS_DIR",
    "MARK_SHAPES",
    "Writer",
    "draw_check",
    "draw_circle",
    "draw_mark",
    "draw_seal",
    "load_digits",
    "scribble",
    "strike_through",
]

#: Where real handwritten digits are looked for (the settings' ``mnist_dir``).
DEFAULT_DIGITS_DIR = get_settings().mnist_dir
_IMAGES = "digits-dev-images-idx3-ubyte.gz"
_LABELS = "digits-dev-labels-idx1-ubyte.gz"

Digits = tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]


@lru_cache(maxsize=4)
def load_digits(folder: Path) -> Digits | None:
    """MNIST images (n, 28, 28; white ink on black) and labels from ``folder``, or ``None``.

    ``None`` when the IDX files are absent or unreadable: the generator then draws digits
    from fonts instead.
    """
    try:
        with gzip.open(folder / _IMAGES) as handle:
            images = handle.read()
        with gzip.open(folder / _LABELS) as handle:
            labels = handle.read()
    except (OSError, EOFError):
        return None
    if int.from_bytes(images[:4], "big") != 2051 or int.from_bytes(labels[:4], "big") != 2049:
        return None
    count = int.from_bytes(images[4:8], "big")
    pixels = np.frombuffer(images, np.uint8, offset=16).reshape(count, 28, 28)
    return pixels, np.frombuffer(labels, np.uint8, offset=8)[:count]


@lru_cache(maxsize=256)
def _font(role: str, size: int) -> ImageFont.FreeTypeFont:
    found = font_path(role) or font_path("klee") or font_path("print")
    assert found is not None, "no font installed"
    return ImageFont.truetype(found[0], max(size, 6), index=found[1])


@dataclass
class Writer:
    """One person's hand: a font, a size, a slant, a stroke weight and an ink colour.

    ``digit_pool`` holds the indices of the MNIST digits this writer may use, per label.
    With a ``hand`` (:class:`~ocr._strokes.StrokeHand`) the writer draws every character
    KanjiVG has stroke by stroke in that hand's style (digits too, where no MNIST digits
    are given), and only the rest from its font.
    """

    rng: random.Random
    font: str
    scale: float
    slant: float
    weight: int
    ink: int
    digits: Digits | None
    digit_pool: dict[int, list[int]]
    hand: StrokeHand | None = None

    @classmethod
    def create(
        cls,
        rng: random.Random,
        digits: Digits | None,
        digit_range: tuple[int, int],
        *,
        hands: range | None = None,
    ) -> Writer:
        """A random hand; MNIST digits are drawn from ``digit_range`` (start, stop).

        With ``hands`` (writer seeds, e.g. :data:`ocr._strokes.TEST_HANDS`) the writer
        writes stroke by stroke as one of them; without, from a font, as before.
        """
        pool: dict[int, list[int]] = {d: [] for d in range(10)}
        if digits is not None:
            stop = min(digit_range[1], len(digits[1]))
            for index in range(digit_range[0], stop):
                pool[int(digits[1][index])].append(index)
        return cls(
            rng=rng,
            font=rng.choice(["klee", "klee-bold", "yoz"]),
            scale=rng.uniform(0.85, 1.05),
            slant=rng.uniform(-4, 4),
            weight=rng.choice([0, 0, 1, 1, 2]),
            ink=rng.randint(10, 70),
            digits=digits if digits is not None and all(pool.values()) else None,
            digit_pool=pool,
            hand=StrokeHand.create(rng.choice(hands)) if hands is not None else None,
        )

    def glyph(self, page: Image.Image, char: str, x: float, y: float, size: float) -> float:
        """Draw ``char`` with its top-left near (x, y); returns its advance width in px."""
        if self.hand is not None and can_write(char):
            return self.hand.draw(page, char, x, y, size, ink=self.ink, rng=self.rng)
        return self._font_glyph(page, char, x, y, size)

    def _font_glyph(self, page: Image.Image, char: str, x: float, y: float, size: float) -> float:
        rng = self.rng
        px = max(6, round(size * self.scale * rng.uniform(0.9, 1.08)))
        font = _font(self.font, px)
        pad = px // 2
        tile = Image.new("L", (px + 2 * pad, px + 2 * pad), 0)
        ImageDraw.Draw(tile).text(
            (pad, pad),
            char,
            fill=255,
            font=font,
            stroke_width=self.weight if px > 24 else 0,
            stroke_fill=255,
        )
        angle = self.slant + rng.uniform(-5, 5)
        tile = tile.rotate(angle, resample=Image.Resampling.BICUBIC)
        dx, dy = rng.gauss(0, px * 0.04), rng.gauss(0, px * 0.05)
        _stamp(page, tile, round(x - pad + dx), round(y - pad + dy), self.ink)
        width = font.getlength(char)
        return float(width) * rng.uniform(0.92, 1.05)

    def text(
        self, page: Image.Image, text: str, x: float, y: float, size: float, width: float
    ) -> float:
        """Write ``text`` from (x, y) shrinking to fit ``width`` px; returns the end x."""
        if self.hand is not None:
            return self.hand.write(page, text, x, y, size, ink=self.ink, rng=self.rng,
                                   width=width, fallback=self._font_glyph)
        spacing = size * 0.06
        natural = sum(_font(self.font, round(size)).getlength(c) + spacing for c in text)
        if natural > width:
            size *= width / natural
            spacing = size * 0.06
        for char in text:
            if char in (" ", "\u3000"):
                x += size * self.rng.uniform(0.5, 0.9)
                continue
            x += self.glyph(page, char, x, y, size) + spacing
        return x

    def digit(self, page: Image.Image, char: str, box: tuple[float, float, float, float]) -> None:
        """Write one digit inside ``box`` (left, top, right, bottom px): MNIST or a font."""
        left, top, right, bottom = box
        height = bottom - top
        if self.hand is not None and can_write(char) and (self.digits is None
                                                          or not char.isdigit()):
            size = height * self.rng.uniform(0.62, 0.78)
            x = (left + right) / 2 - size / 2 + self.rng.gauss(0, height * 0.04)
            y = (top + bottom) / 2 - size / 2 + self.rng.gauss(0, height * 0.04)
            self.hand.draw(page, char, x, y, size, ink=self.ink, rng=self.rng)
            return
        if self.digits is None or not char.isdigit():
            size = height * self.rng.uniform(0.6, 0.75)
            glyph_width = _font(self.font, round(size)).getlength(char)
            x = (left + right) / 2 - glyph_width / 2
            self.glyph(page, char, x, top + (height - size) / 2 - size * 0.1, size)
            return
        images, _ = self.digits
        index = self.rng.choice(self.digit_pool[int(char)])
        # People write to the box: in a narrow cell (an Excel form's 5 mm 個人番号 cells) the
        # digit is narrower, not wider than the cell (MNIST's digit fills ~70% of its tile).
        size = round(min(height * self.rng.uniform(0.95, 1.2), (right - left) * 1.5))
        tile = Image.fromarray(images[index]).resize((size, size), Image.Resampling.BICUBIC)
        x = (left + right) / 2 - size / 2 + self.rng.gauss(0, height * 0.04)
        y = (top + bottom) / 2 - size / 2 + self.rng.gauss(0, height * 0.04)
        _stamp(page, tile, round(x), round(y), self.ink)


def _stamp(page: Image.Image, alpha: Image.Image, x: int, y: int, ink: int) -> None:
    """Darken ``page`` with ``alpha`` (white = full ink) at (x, y), like ink on paper."""
    region = (x, y, x + alpha.width, y + alpha.height)
    under = np.asarray(page.crop(region), dtype=np.float32)
    a = np.asarray(alpha, dtype=np.float32) / 255.0
    mixed = under * (1 - a) + ink * a
    page.paste(Image.fromarray(np.minimum(under, mixed).astype(np.uint8)), region[:2])


def draw_check(
    page: Image.Image, box: tuple[float, float, float, float], rng: random.Random, ink: int
) -> None:
    """A handwritten ✓ (or sometimes ×) in ``box``, often running over its edges."""
    left, top, right, _ = box
    size = right - left
    draw = ImageDraw.Draw(page)
    width = max(2, round(size * rng.uniform(0.08, 0.14)))

    def jitter(fx: float, fy: float) -> tuple[float, float]:
        return (left + size * (fx + rng.gauss(0, 0.06)), top + size * (fy + rng.gauss(0, 0.06)))

    if rng.random() < 0.2:
        draw.line([jitter(0.15, 0.15), jitter(0.85, 0.85)], fill=ink, width=width)
        draw.line([jitter(0.85, 0.15), jitter(0.15, 0.85)], fill=ink, width=width)
    else:
        points = [jitter(0.1, 0.5), jitter(0.4, 0.85), jitter(1.1, -0.15)]
        draw.line(points, fill=ink, width=width, joint="curve")


def strike_through(
    page: Image.Image, x0: float, x1: float, y: float, rng: random.Random, ink: int
) -> None:
    """Two roughly horizontal lines through a written mistake, from x0 to x1 at height y."""
    draw = ImageDraw.Draw(page)
    for offset in (-0.04, 0.04):
        dy = (x1 - x0) * offset
        overrun = rng.uniform(8, 25)  # a pen line runs past the mistake by 1-2 mm
        draw.line(
            [(x0 - overrun, y + dy + rng.gauss(0, 2)), (x1 + overrun, y + dy + rng.gauss(0, 2))],
            fill=ink,
            width=rng.randint(3, 6),
        )


Box = tuple[float, float, float, float]


def _pen(
    page: Image.Image, points: list[tuple[float, float]], width: float, rng: random.Random, ink: int
) -> None:
    """One pen stroke through ``points`` (page px), its width varying a little along it."""
    pad = width * 2 + 2
    x0 = max(0, math.floor(min(x for x, _ in points) - pad))
    y0 = max(0, math.floor(min(y for _, y in points) - pad))
    x1 = min(page.width, math.ceil(max(x for x, _ in points) + pad))
    y1 = min(page.height, math.ceil(max(y for _, y in points) + pad))
    tile = Image.new("L", (x1 - x0, y1 - y0), 0)
    draw = ImageDraw.Draw(tile)
    phase, wave = rng.uniform(0, 2 * math.pi), rng.uniform(0.05, 0.2)
    local = [(x - x0, y - y0) for x, y in points]
    for i, (a, b) in enumerate(itertools.pairwise(local)):
        w = max(1.0, width * (1 + wave * math.sin(phase + i * 0.15)))
        draw.line([a, b], fill=255, width=round(w))
        r = w / 2  # round joints, as a ballpoint leaves them
        draw.ellipse((b[0] - r, b[1] - r, b[0] + r, b[1] + r), fill=255)
    _stamp(page, tile, x0, y0, ink)


def draw_circle(
    page: Image.Image,
    box: Box,
    rng: random.Random,
    ink: int,
    *,
    px_per_mm: float,
    reach: float = 0.0,
    shift: tuple[float, float] = (0.0, 0.0),
) -> None:
    """A hand-drawn circle (an ellipse) around the printed words in ``box`` (px).

    One stroke that does not close exactly (its ends overlap or leave a small gap), with a
    jittered radius, a slight rotation, wobble, a drift from start to end and a pen width
    of 0.25–0.6 mm. ``reach`` (mm) stretches it sideways beyond the box, through a
    neighbour's edge; ``shift`` (mm) moves its centre off the words.
    """
    left, top, right, bottom = box
    half_w, half_h = (right - left) / 2, (bottom - top) / 2
    cx = (left + right) / 2 + rng.gauss(0, 0.05) * half_w * 2 + shift[0] * px_per_mm
    cy = (top + bottom) / 2 + rng.gauss(0, 0.06) * half_h * 2 + shift[1] * px_per_mm
    margin = rng.uniform(0.3, 1.6) * px_per_mm
    a, b = half_w * rng.uniform(1.0, 1.2) + margin, half_h * rng.uniform(1.0, 1.25) + margin
    # Most circles clear the corners of the words; some clip them.
    corners = math.hypot(half_w / a, half_h / b)
    fit = corners / rng.uniform(0.8, 1.04)
    a, b = a * fit + reach * px_per_mm, b * fit
    tilt = math.radians(rng.gauss(0, 6))
    start = rng.uniform(0, 2 * math.pi)
    sweep = 2 * math.pi + rng.uniform(-0.45, 0.6)  # a small gap, or the ends overlapping
    direction = rng.choice((1, -1))
    drift = rng.uniform(-0.1, 0.1)  # the end comes back a little inside or outside the start
    waves = [
        (rng.uniform(0, 0.04), rng.randint(2, 4), rng.uniform(0, 2 * math.pi)) for _ in range(2)
    ]
    steps = 140
    points = []
    for i in range(steps + 1):
        t = i / steps
        angle = start + direction * sweep * t
        scale = 1 + drift * (t - 0.5) + sum(amp * math.sin(k * angle + ph) for amp, k, ph in waves)
        x, y = a * scale * math.cos(angle), b * scale * math.sin(angle)
        points.append(
            (
                cx + x * math.cos(tilt) - y * math.sin(tilt),
                cy + x * math.sin(tilt) + y * math.cos(tilt),
            )
        )
    _pen(page, points, rng.uniform(0.25, 0.6) * px_per_mm, rng, ink)


def scribble(
    page: Image.Image, box: Box, rng: random.Random, ink: int, *, px_per_mm: float
) -> None:
    """A dense zigzag over the words in ``box``: a choice crossed out."""
    left, top, right, bottom = box
    turns = rng.randint(6, 10)
    points = []
    for i in range(turns + 1):
        x = left + (right - left) * (i / turns) + rng.gauss(0, 0.3) * px_per_mm
        y = (top if i % 2 else bottom) + rng.gauss(0, 0.4) * px_per_mm
        points.append((x, y))
    _pen(page, points, rng.uniform(0.3, 0.5) * px_per_mm, rng, ink)


#: Shapes :func:`draw_mark` draws in a check box; all but ``dot`` mean "checked".
MARK_SHAPES = ("tick", "cross", "circle", "filled", "slash", "dot")


def draw_mark(
    page: Image.Image, box: Box, rng: random.Random, ink: int, *, shape: str, px_per_mm: float
) -> None:
    """A hand-made mark of ``shape`` (see :data:`MARK_SHAPES`) in the check box ``box`` (px).

    ``tick`` ✓, ``cross`` ×, ``circle`` ○ and ``slash`` are pen strokes of 0.3–0.6 mm that may
    run a little over the edges; ``filled`` is the box blacked in with a zigzag; ``dot`` is a
    stray touch of the pen (about 0.6–1 mm), which is no mark.
    """
    left, top, right, bottom = box
    size = min(right - left, bottom - top)
    width = rng.uniform(0.3, 0.6) * px_per_mm

    def at(fx: float, fy: float) -> tuple[float, float]:
        return (left + size * (fx + rng.gauss(0, 0.04)), top + size * (fy + rng.gauss(0, 0.04)))

    if shape == "tick":
        _pen(page, [at(0.15, 0.5), at(0.42, 0.82), at(0.95, 0.05)], width, rng, ink)
    elif shape == "cross":
        _pen(page, [at(0.15, 0.15), at(0.85, 0.85)], width, rng, ink)
        _pen(page, [at(0.85, 0.15), at(0.15, 0.85)], width, rng, ink)
    elif shape == "slash":
        _pen(page, [at(0.2, 0.85), at(0.8, 0.15)], width, rng, ink)
    elif shape == "circle":
        cx, cy = at(0.5, 0.5)
        radius = size * rng.uniform(0.28, 0.4)
        start = rng.uniform(0, 2 * math.pi)
        points = [
            (
                cx + radius * (1 + rng.gauss(0, 0.02)) * math.cos(start + t / 40 * 2.1 * math.pi),
                cy + radius * (1 + rng.gauss(0, 0.02)) * math.sin(start + t / 40 * 2.1 * math.pi),
            )
            for t in range(41)
        ]
        _pen(page, points, width, rng, ink)
    elif shape == "filled":
        rows = max(4, round(size / max(1.0, width * 0.8)))
        points = [
            (left + size * (0.12 if i % 2 else 0.88), top + size * (0.12 + 0.76 * i / rows))
            for i in range(rows + 1)
        ]
        _pen(page, points, max(width, size / rows * 1.6), rng, ink)
    elif shape == "dot":
        cx, cy = at(rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7))
        r = rng.uniform(0.3, 0.5) * px_per_mm
        ImageDraw.Draw(page).ellipse((cx - r, cy - r, cx + r, cy + r), fill=ink)
    else:
        raise ValueError(f"unknown mark shape {shape!r}; known: {MARK_SHAPES}")


def draw_seal(
    page: Image.Image,
    box: Box,
    rng: random.Random,
    *,
    name: str,
    px_per_mm: float,
    colour: tuple[int, int, int] = (205, 35, 45),
) -> None:
    """A name seal (認印) stamped over the printed 印 place ``box`` (px): a ring of 10–12 mm
    holding the name read top to bottom, in ``colour`` (vermilion by default; black for a
    black ink pad), pressed a little unevenly and not quite in the middle."""
    left, top, right, bottom = box
    diameter = rng.uniform(10, 12) * px_per_mm
    cx = (left + right) / 2 + rng.gauss(0, 0.8) * px_per_mm
    cy = (top + bottom) / 2 + rng.gauss(0, 0.8) * px_per_mm
    side = math.ceil(diameter) + 4
    tile = Image.new("L", (side, side), 0)
    draw = ImageDraw.Draw(tile)
    ring = max(2, round(0.5 * px_per_mm))
    draw.ellipse((2, 2, side - 3, side - 3), outline=255, width=ring)
    chars = name[:3] or "印"
    size = round(diameter * 0.66 / len(chars))
    font = _font("print", size)
    for i, char in enumerate(chars):
        y = side / 2 + (i - (len(chars) - 1) / 2) * size * 0.98
        draw.text((side / 2, y), char, fill=255, font=font, anchor="mm")
    tile = tile.rotate(rng.uniform(-12, 12), resample=Image.Resampling.BICUBIC)
    pressure = np.asarray(tile, dtype=np.float32) / 255
    patchy = np.random.default_rng(rng.randrange(2**32)).uniform(0.55, 1.0, pressure.shape)
    alpha = Image.fromarray((pressure * patchy * 255).astype(np.uint8))
    x, y = round(cx - side / 2), round(cy - side / 2)
    region = (x, y, x + side, y + side)
    under = np.asarray(page.crop(region), dtype=np.float32)
    a = np.asarray(alpha, dtype=np.float32) / 255
    if page.mode == "RGB":
        a = a[..., None]
        tint = np.asarray(colour, dtype=np.float32)
    else:  # a grey page: the ink's luminance, as a grey scan sees it
        tint = np.full(1, 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2], np.float32)
    mixed = np.minimum(under, under * (1 - a) + tint * a)
    page.paste(Image.fromarray(mixed.astype(np.uint8)), region[:2])
