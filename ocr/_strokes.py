"""Handwriting that is not a font: characters drawn stroke by stroke, each writer in a style.

Stroke paths come from KanjiVG (the ``kanjivg`` package; © Ulrich Apel, CC BY-SA 3.0,
https://kanjivg.tagaini.net): every kana, digit and kanji as the strokes a person writes, in
order, on a 109×109 grid. A :class:`StrokeHand` is one writer, drawn from a seed: slant,
size, width, spacing, baseline drift, pen width and pressure, ballpoint texture, the size
and place of small kana, where ゛ and ゜ sit, and how often strokes run into each other.
Each stroke is then jittered as a hand does (length, curvature, where it starts and ends).
Images made with it (training data, ``ocr/models/kana-cnn.onnx``) are derived from KanjiVG
and carry its licence (``ocr/models/NOTICE``).

Writers are kept apart by seed (see ``scripts/kana_model/README.md``): :data:`TRAIN_HANDS`
for training, :data:`CALIBRATION_HANDS` for thresholds, :data:`TEST_HANDS` for tests and
benchmarks.
"""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = [
    "CALIBRATION_HANDS",
    "TEST_HANDS",
    "TRAIN_HANDS",
    "StrokeHand",
    "can_write",
    "strokes_of",
]

#: Writer seeds, disjoint: training, calibration, tests and benchmarks.
TRAIN_HANDS = range(10_000, 20_000)
CALIBRATION_HANDS = range(20_000, 30_000)
TEST_HANDS = range(90_000, 100_000)

Point = tuple[float, float]
Glyph = Callable[[Image.Image, str, float, float, float], float]
Stroke = npt.NDArray[np.float64]  # (n, 2) points on the unit square, y down
_GRID = 109.0  # KanjiVG's view box
_SMALL_KANA = frozenset("ァィゥェォャュョッヮヵヶぁぃぅぇぉゃゅょっゎ")
_TOKEN = re.compile(r"[A-Za-z]|-?\d*\.?\d+(?:e-?\d+)?")


@lru_cache(maxsize=1)
def _folder() -> Path:
    try:
        found = Path(str(metadata.distribution("kanjivg").locate_file("kanji")))
    except metadata.PackageNotFoundError:
        found = Path("/nonexistent")
    return found


def _file(char: str) -> Path:
    return _folder() / f"{ord(char):05x}.svg"


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, steps: int) -> list[Point]:
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                    a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def _path(d: str) -> Stroke:
    """An SVG path (M, C, S, L, H, V, Z and their relative forms) as a polyline."""
    tokens = _TOKEN.findall(d)
    points: list[Point] = []
    here: Point = (0.0, 0.0)
    control: Point | None = None
    command, i = "M", 0
    while i < len(tokens):
        if tokens[i].isalpha():
            command, i = tokens[i], i + 1
            if command in "zZ":
                if points:
                    points.append(points[0])
                continue
        relative = command.islower()
        base = here if relative else (0.0, 0.0)
        kind = command.upper()
        need = {"M": 2, "L": 2, "C": 6, "S": 4, "H": 1, "V": 1}.get(kind, 0)
        if need == 0 or i + need > len(tokens):
            break
        v = [float(t) for t in tokens[i : i + need]]
        i += need
        if kind == "M":
            here, control = (base[0] + v[0], base[1] + v[1]), None
            points.append(here)
            command = "l" if relative else "L"
        elif kind in "LHV":
            if kind == "H":
                target = (v[0] + (here[0] if relative else 0.0), here[1])
            elif kind == "V":
                target = (here[0], v[0] + (here[1] if relative else 0.0))
            else:
                target = (base[0] + v[0], base[1] + v[1])
            here, control = target, None
            points.append(here)
        else:
            if kind == "C":
                c1 = (base[0] + v[0], base[1] + v[1])
                c2, end = (base[0] + v[2], base[1] + v[3]), (base[0] + v[4], base[1] + v[5])
            else:  # S: the first control point mirrors the last one
                c1 = (2 * here[0] - control[0], 2 * here[1] - control[1]) if control else here
                c2, end = (base[0] + v[0], base[1] + v[1]), (base[0] + v[2], base[1] + v[3])
            length = math.dist(here, c1) + math.dist(c1, c2) + math.dist(c2, end)
            points += _bezier(here, c1, c2, end, max(3, round(length / 4)))
            here, control = end, c2
    return np.asarray(points, dtype=np.float64) / _GRID


@lru_cache(maxsize=4096)
def strokes_of(char: str) -> tuple[Stroke, ...] | None:
    """``char``'s strokes in writing order on the unit square, or ``None`` if KanjiVG has
    no paths for it. Full-width digits and letters are their ASCII forms."""
    if char.isspace():
        return None
    plain = unicodedata.normalize("NFKC", char)
    if len(plain) != 1:
        return None
    path = _file(plain)
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    strokes = tuple(_path(d) for d in re.findall(r'<path [^>]*\bd="([^"]+)"', text))
    return tuple(s for s in strokes if len(s) >= 2) or None


def can_write(char: str) -> bool:
    """Whether a :class:`StrokeHand` can draw ``char`` (else a font must)."""
    return strokes_of(char) is not None


def _marks(char: str) -> int:
    """How many of ``char``'s last strokes are its ゛ or ゜ (0 for none)."""
    decomposed = unicodedata.normalize("NFD", char)
    if len(decomposed) != 2 or decomposed[1] not in "\u3099\u309a":
        return 0
    base, whole = strokes_of(decomposed[0]), strokes_of(char)
    if base is None or whole is None:
        return 0
    return max(0, len(whole) - len(base))


@dataclass(frozen=True)
class StrokeHand:
    """One writer's style, the same for every character it writes (see :meth:`create`).

    Lengths are shares of the character size; angles in radians.
    """

    seed: int
    scale: float  # character size against the size asked for
    aspect: float  # width against height
    slant: float  # shear: positive leans right
    tilt: float  # rotation of the whole character
    spacing: float  # gap between characters
    drift: float  # baseline random walk per character
    pen: float  # pen width
    pressure: float  # how much the width swells and tapers along a stroke
    texture: float  # ballpoint skips: 0 solid, 0.5 streaky
    small: float  # small kana size against KanjiVG's
    small_drop: float  # small kana moved down (positive) or up
    marks: tuple[float, float, float]  # ゛゜ moved right, moved up, scaled
    joins: float  # chance that a stroke runs on into the next
    wobble: float  # per-stroke curvature jitter
    reach: float  # per-stroke length jitter
    shake: float  # per-stroke start and end jitter

    @classmethod
    def create(cls, seed: int) -> StrokeHand:
        """The writer numbered ``seed``: the same seed, the same hand."""
        rng = random.Random(f"jimu-hand-{seed}")
        return cls(
            seed=seed,
            scale=rng.uniform(0.82, 1.05),
            aspect=rng.uniform(0.8, 1.12),
            slant=rng.gauss(0.05, 0.1),
            tilt=rng.gauss(0, 0.04),
            spacing=rng.uniform(0.0, 0.25),
            drift=rng.uniform(0.0, 0.05),
            pen=rng.uniform(0.045, 0.095),
            pressure=rng.uniform(0.0, 0.45),
            texture=rng.choice([0.0, 0.0, rng.uniform(0.1, 0.5)]),
            small=rng.uniform(0.7, 1.0),
            small_drop=rng.uniform(-0.03, 0.1),
            marks=(rng.gauss(0, 0.04), rng.gauss(0, 0.04), rng.uniform(0.75, 1.3)),
            joins=rng.uniform(0.0, 0.35),
            wobble=rng.uniform(0.01, 0.05),
            reach=rng.uniform(0.02, 0.1),
            shake=rng.uniform(0.01, 0.035),
        )

    def shape(self, char: str, rng: random.Random) -> list[Stroke] | None:
        """``char``'s strokes as this hand writes them this time (unit square, y down)."""
        found = strokes_of(char)
        if found is None:
            return None
        marks = _marks(char)
        mark_shift = np.array([self.marks[0], -self.marks[1]])
        mark_centre = np.concatenate(found[len(found) - marks :]).mean(axis=0) if marks else None
        out = []
        for n, stroke in enumerate(found):
            points = self._jitter(stroke, rng)
            if mark_centre is not None and n >= len(found) - marks:  # ゛ or ゜: own place, size
                points = (points - mark_centre) * self.marks[2] + mark_centre + mark_shift
            out.append(points)
        if char in _SMALL_KANA:
            anchor = np.array([0.5, 0.95])
            out = [(s - anchor) * self.small + anchor + [0, self.small_drop] for s in out]
        angle = self.tilt + rng.gauss(0, 0.035)
        shear = self.slant + rng.gauss(0, 0.04)
        aspect = self.aspect * rng.uniform(0.94, 1.06)
        cos, sin = math.cos(angle), math.sin(angle)
        matrix = np.array([[cos * aspect, -sin - shear], [sin * aspect, cos]])
        centre = np.array([0.5, 0.5])
        return [(s - centre) @ matrix.T + centre for s in out]

    def _jitter(self, stroke: Stroke, rng: random.Random) -> Stroke:
        """One stroke as a hand draws it: a little longer or shorter, bowed, its ends off."""
        steps = np.diff(stroke, axis=0)
        length = float(np.hypot(steps[:, 0], steps[:, 1]).sum())
        points = stroke.copy()
        for end in (0, -1):  # run on past the end, or stop short of it, along the stroke
            inner = 1 if end == 0 else -2
            direction = points[end] - points[inner]
            norm = float(np.hypot(*direction))
            if norm > 1e-6:
                change = rng.gauss(0, self.reach) * max(length, 0.1)
                points[end] = points[end] + direction / norm * change
        t = np.linspace(0.0, 1.0, len(points))[:, None]
        chord = points[-1] - points[0]
        normal = np.array([-chord[1], chord[0]]) / max(float(np.hypot(*chord)), 1e-6)
        bow = rng.gauss(0, self.wobble) * np.sin(np.pi * t) * normal
        start = np.array([rng.gauss(0, self.shake), rng.gauss(0, self.shake)])
        stop = np.array([rng.gauss(0, self.shake), rng.gauss(0, self.shake)])
        return points + bow + start * (1 - t) + stop * t

    def advance(self, char: str, size: float) -> float:
        """How far the pen moves on after writing ``char`` at ``size`` px."""
        small = 0.8 * self.small if char in _SMALL_KANA else 1.0
        return size * self.scale * (self.aspect * 0.92 * small + self.spacing)

    def draw(
        self,
        page: Image.Image,
        char: str,
        x: float,
        y: float,
        size: float,
        *,
        ink: int,
        rng: random.Random,
    ) -> float:
        """Write ``char`` in the square of ``size`` px at (x, y) (top left) on ``page``;
        returns the advance in px. Raises ``ValueError`` for a character without strokes."""
        strokes = self.shape(char, rng)
        if strokes is None:
            raise ValueError(f"no strokes for {char!r}")
        px = size * self.scale * rng.uniform(0.94, 1.06)
        top = y + (size - px) + rng.gauss(0, size * 0.025)
        tile, x0, y0 = self._ink(strokes, px, x + rng.gauss(0, size * 0.02), top, rng)
        _stamp(page, tile, x0, y0, ink)
        return self.advance(char, size) * rng.uniform(0.95, 1.05)

    def write(
        self,
        page: Image.Image,
        text: str,
        x: float,
        y: float,
        size: float,
        *,
        ink: int,
        rng: random.Random,
        width: float | None = None,
        fallback: Glyph | None = None,
        placed: list[tuple[str, float, float]] | None = None,
    ) -> float:
        """Write ``text`` from (x, y) on a drifting baseline, shrunk to fit ``width`` px;
        returns the end x. ``fallback`` draws what has no strokes (a font); ``placed``, if
        given, receives each character with where it starts and ends (px)."""
        natural = sum(self.advance(c, size) for c in text)
        if width is not None and natural > width > 0:
            size *= width / natural
        drift = 0.0
        for char in text:
            if char.isspace():
                x += size * rng.uniform(0.5, 0.9)
                continue
            drift += rng.gauss(0, self.drift) * size
            drift *= 0.8  # a line wanders, but comes back towards where it should be
            if can_write(char):
                step = self.draw(page, char, x, y + drift, size, ink=ink, rng=rng)
            elif fallback is not None:
                step = fallback(page, char, x, y + drift, size)
            else:
                raise ValueError(f"no strokes for {char!r}")
            if placed is not None:
                placed.append((char, x, x + step))
            x += step
        return x

    def _ink(
        self, strokes: list[Stroke], px: float, x: float, y: float, rng: random.Random
    ) -> tuple[npt.NDArray[np.float32], int, int]:
        """The strokes as ink (0–1) on a tile, and where the tile's top left goes."""
        placed = [s * px + (x, y) for s in strokes]
        everything = np.concatenate(placed)
        width = max(1.2, self.pen * px * rng.uniform(0.9, 1.1))
        pad = width * 2 + 3
        x0, y0 = math.floor(everything[:, 0].min() - pad), math.floor(everything[:, 1].min() - pad)
        x1, y1 = math.ceil(everything[:, 0].max() + pad), math.ceil(everything[:, 1].max() + pad)
        tile = np.zeros((y1 - y0, x1 - x0), np.float32)
        previous: Stroke | None = None
        for stroke in placed:
            local = stroke - (x0, y0)
            if previous is not None and rng.random() < self.joins:
                gap = np.stack([previous[-1], local[0]])
                if float(np.hypot(*(gap[1] - gap[0]))) < px * 0.5:  # the pen did not lift
                    _polyline(tile, gap, width * 0.45, 0.0, rng.uniform(0.5, 0.9))
            _polyline(tile, local, width, self.pressure, rng.uniform(0.8, 1.0))
            previous = local
        if self.texture > 0:
            generator = np.random.default_rng(rng.randrange(2**32))
            noise = np.asarray(generator.random(tile.shape), dtype=np.float32)
            streaks = np.asarray(cv2.GaussianBlur(noise, (0, 0), max(0.6, width * 0.6)))
            tile *= np.clip(1 - self.texture * (streaks < 0.47), 0.3, 1.0)
        return tile, x0, y0


def _polyline(
    tile: npt.NDArray[np.float32], points: Stroke, width: float, pressure: float, dark: float
) -> None:
    """Draw one stroke: anti-aliased, its width swelling in the middle and thinning at the end."""
    count = len(points)
    layer = np.zeros_like(tile)
    for i in range(count - 1):
        t = (i + 0.5) / max(count - 1, 1)
        w = width * (1 + pressure * (math.sin(math.pi * t) - 0.5 * t**3))
        a = (round(points[i][0] * 16), round(points[i][1] * 16))
        b = (round(points[i + 1][0] * 16), round(points[i + 1][1] * 16))
        cv2.line(layer, a, b, 1.0, max(1, round(w)), cv2.LINE_AA, shift=4)
    np.maximum(tile, layer * dark, out=tile)


def _stamp(page: Image.Image, alpha: npt.NDArray[np.float32], x: int, y: int, ink: int) -> None:
    """Darken ``page`` with ``alpha`` (1 = full ink) at (x, y), clipped to the page."""
    left, top = max(0, x), max(0, y)
    right, bottom = min(page.width, x + alpha.shape[1]), min(page.height, y + alpha.shape[0])
    if right <= left or bottom <= top:
        return
    a = alpha[top - y : bottom - y, left - x : right - x]
    under = np.asarray(page.crop((left, top, right, bottom)), dtype=np.float32)
    mixed = under * (1 - a) + ink * a
    page.paste(Image.fromarray(np.minimum(under, mixed).astype(np.uint8)), (left, top))
