"""jimu's own katakana reader: a small CNN (ONNX) for the glyphs of a katakana line.

PP-OCR reads a whole line; this model reads each of its glyphs alone, cut where PP-OCR read
a character (every pixel of ink goes to the character read nearest to it), and is a second
opinion on it (:meth:`ocr._ppocr.PpOcrRecogniser.read_lines`). A glyph keeps its size and
height against the line, so small kana (ュ, ッ) look small to it. Shrunk to 32 px, a ゜ is a
dot like ゛: a second model (:class:`MarkModel`) reads only each glyph's top right corner at
the line's own resolution (:func:`cut_marks`; the corner holds any stroke there small enough
to be a mark, even one nearer the next character) as no mark, ゛ or ゜.

The models (``ocr/models/kana-cnn.onnx``, ``kana-marks.onnx``) were trained offline by
``scripts/kana_model/`` on stroke-drawn writers of :data:`ocr._strokes.TRAIN_HANDS` (KanjiVG
paths, CC BY-SA 3.0: see ``ocr/models/NOTICE``) and on font writing; nothing is downloaded
and no PyTorch is needed.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np
import numpy.typing as npt

from ocr._onnx import load_model

__all__ = [
    "CLASSES",
    "MARKS",
    "MARKS_PATH",
    "MODEL_PATH",
    "KanaModel",
    "MarkModel",
    "cut_glyphs",
    "cut_glyphs_and_marks",
    "cut_marks",
    "ink_owners",
    "mark_of",
    "voicing_family",
]

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent / "models" / "kana-cnn.onnx"
#: What the model tells apart: every katakana from ァ to ヶ, and ー.
CLASSES = "".join(chr(c) for c in range(0x30A1, 0x30F7)) + "ー"
SIDE = 32  # the model's input is SIDE × SIDE: the line's height is SIDE px
MARKS_PATH = Path(__file__).resolve().parent / "models" / "kana-marks.onnx"
#: What the mark model tells apart in a glyph's top right corner: no mark, ゛, ゜.
MARKS = ("", "\u3099", "\u309a")
MARK_SIDE = 24  # the mark model's input is MARK_SIDE × MARK_SIDE
_MARK_SHARE = 0.5  # the corner's square is this share of the glyph's larger side

FloatArray = npt.NDArray[np.float32]


def ink_owners(
    ink: npt.NDArray[np.uint8], centres: npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    """For each pixel of ink, the character it belongs to (-1: none): a stroke goes whole to
    the character read nearest to it, unless it spans several (then pixel by pixel)."""
    return _owners(_Strokes.of(ink), centres)


class _Strokes(NamedTuple):
    """A line's ink as connected strokes (8-connected), as OpenCV labels them."""

    number: int  # of labels, the background's 0 included
    labels: npt.NDArray[np.int32]
    stats: npt.NDArray[np.int32]
    centroids: npt.NDArray[np.float64]

    @classmethod
    def of(cls, ink: npt.NDArray[np.uint8]) -> _Strokes:
        count, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
        return cls(int(count), np.asarray(labels, np.int32), np.asarray(stats, np.int32),
                   np.asarray(centroids, np.float64))


def _owners(strokes: _Strokes, centres: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
    pitch = (float(np.median(np.diff(centres))) if len(centres) > 1
             else float(strokes.labels.shape[1]))
    owner = np.full(strokes.labels.shape, -1, dtype=np.intp)
    for k in range(1, strokes.number):
        pixels = strokes.labels == k
        if strokes.stats[k, cv2.CC_STAT_WIDTH] <= 1.2 * pitch:
            owner[pixels] = int(np.abs(centres - strokes.centroids[k][0]).argmin())
        else:
            ys, xs = np.nonzero(pixels)
            owner[ys, xs] = np.abs(xs[:, None] - centres[None, :]).argmin(axis=1)
    return owner


def cut_glyphs(line: npt.NDArray[np.uint8], positions: Sequence[float]) -> list[FloatArray | None]:
    """Each character's glyph of a line (dark ink on light, as the field reader crops it) as
    the model's input, given where each character was read (shares of the line's width).

    The line's height becomes :data:`SIDE` px (a glyph wider than that is shrunk to fit), the
    glyph centred across and kept at its height; white ink on black, 0–1. ``None`` where a
    character owns no ink (a gap read as a character).
    """
    return _LineCut.of(line, positions).glyphs()


def cut_marks(line: npt.NDArray[np.uint8], positions: Sequence[float]) -> list[FloatArray | None]:
    """Each character's top right corner, where ゛ and ゜ are written, as the mark model's input.

    The corner is a square of half the glyph's larger side at the glyph's top right, widened
    by half as much up and to the right (a ゛ set high or over the next character), at the
    line's own resolution before it becomes :data:`MARK_SIDE` px (a ゜ is a ring of a few
    pixels: shrunk with the whole glyph it is a dot like ゛). It holds the character's own
    ink and every stroke there small enough to be a mark, whoever owns it (a ゛ nearer the
    next character's centre goes to that character's glyph); white on black, 0–1. ``None``
    where a character owns no ink.
    """
    return _LineCut.of(line, positions).corners()


def cut_glyphs_and_marks(
    line: npt.NDArray[np.uint8], positions: Sequence[float]
) -> tuple[list[FloatArray | None], list[FloatArray | None]]:
    """:func:`cut_glyphs` and :func:`cut_marks` of one line, its ink owned once."""
    cut = _LineCut.of(line, positions)
    return cut.glyphs(), cut.corners()


def _glyph(ink: FloatArray, mask: npt.NDArray[np.bool_], height: int) -> FloatArray:
    xs = np.flatnonzero(mask.any(axis=0))
    crop = ink[:, xs.min() : xs.max() + 1].astype(np.float32)
    scale = min(SIDE / height, SIDE / crop.shape[1])
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(height * scale)))
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    glyph = np.zeros((SIDE, SIDE), np.float32)
    top, left = (SIDE - size[1]) // 2, (SIDE - size[0]) // 2
    glyph[top : top + size[1], left : left + size[0]] = small
    return _to_unit(glyph)


def _to_unit(image: FloatArray) -> FloatArray:
    peak = float(image.max())
    return image / peak if peak > 0 else image


_Owned = tuple[npt.NDArray[np.bool_], FloatArray]


class _LineCut(NamedTuple):
    """A line's ink shared among its characters (:func:`ink_owners`): for each character the
    pixels it owns and the line's darkness kept on and beside them (anti-aliased edges too),
    ``None`` where it owns too little ink to be a glyph (a gap read as a character)."""

    owned: list[_Owned | None]
    owner: npt.NDArray[np.intp]
    strokes: _Strokes
    darkness: FloatArray

    @classmethod
    def of(cls, line: npt.NDArray[np.uint8], positions: Sequence[float]) -> _LineCut:
        height = line.shape[0]
        strokes = _Strokes.of((line < 128).astype(np.uint8))
        owner = _owners(strokes, np.asarray(positions, dtype=np.float64) * line.shape[1])
        darkness = (255.0 - line.astype(np.float32)).astype(np.float32)
        owned: list[_Owned | None] = []
        for i in range(len(positions)):
            mask = owner == i
            owned.append(None if int(mask.sum()) < max(4, height // 4)
                         else (mask, _kept_beside(mask, darkness)))
        return cls(owned, owner, strokes, darkness)

    def glyphs(self) -> list[FloatArray | None]:
        height = self.owner.shape[0]
        return [None if owned is None else _glyph(owned[1], owned[0], height)
                for owned in self.owned]

    def corners(self) -> list[FloatArray | None]:
        return [None if owned is None else self._corner(i, owned)
                for i, owned in enumerate(self.owned)]

    def _corner(self, i: int, owned: _Owned) -> FloatArray:
        mask, ink = owned
        ys, xs = np.nonzero(mask)
        top, right = int(ys.min()), int(xs.max()) + 1
        side = max(4, round(_MARK_SHARE * max(int(ys.max()) + 1 - top, right - int(xs.min()))))
        reach = side // 2
        stats = self.strokes.stats
        loose = [k for k in range(1, self.strokes.number)
                 if stats[k, cv2.CC_STAT_WIDTH] <= side and stats[k, cv2.CC_STAT_HEIGHT] <= side
                 and stats[k, cv2.CC_STAT_LEFT] < right + reach
                 and stats[k, cv2.CC_STAT_LEFT] + stats[k, cv2.CC_STAT_WIDTH] > right - side
                 and stats[k, cv2.CC_STAT_TOP] < top + side
                 and stats[k, cv2.CC_STAT_TOP] + stats[k, cv2.CC_STAT_HEIGHT] > top - reach]
        if loose:
            theirs = np.isin(self.strokes.labels, loose) & (self.owner != i)
            ink = np.maximum(ink, _kept_beside(theirs, self.darkness))
        own = np.pad(ink, side)
        # The square runs from right - side to right + reach across, top - reach to top + side
        # down (the ink is padded by side all round).
        square = own[top + side - reach : top + 2 * side, right : right + side + reach]
        small = np.asarray(
            cv2.resize(square, (MARK_SIDE, MARK_SIDE), interpolation=cv2.INTER_AREA), np.float32
        )
        return _to_unit(small)


def _kept_beside(mask: npt.NDArray[np.bool_], darkness: FloatArray) -> FloatArray:
    near = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    return np.where(near, darkness, 0.0).astype(np.float32)


def mark_of(char: str) -> int:
    """Which mark ``char`` carries: the index into :data:`MARKS` (0: none)."""
    decomposed = unicodedata.normalize("NFD", char)
    return MARKS.index(decomposed[1]) if len(decomposed) == 2 and decomposed[1] in MARKS else 0


def voicing_family(char: str) -> str:
    """The katakana that differ from ``char`` only by ゛ or ゜, ``char`` included (カ: カガ;
    ハ: ハバパ); empty for a katakana no mark can change."""
    return _FAMILIES.get(char, "")


def _families() -> dict[str, str]:
    by_base: dict[str, str] = {}
    for char in CLASSES:
        base = unicodedata.normalize("NFD", char)[0]
        by_base[base] = by_base.get(base, "") + char
    return {char: members for members in by_base.values() if len(members) > 1
            for char in members}


_FAMILIES = _families()


class KanaModel:
    """The ONNX katakana classifier, on CPU through onnxruntime.

    Raises :class:`~core.errors.OcrEngineFailure` if the model file is missing or broken.
    """

    def __init__(self, path: Path = MODEL_PATH) -> None:
        self._session, self._input = load_model(path, "kana")

    def probabilities(self, glyphs: Sequence[FloatArray]) -> FloatArray:
        """One row per glyph (as :func:`cut_glyphs` gives them): the probability of each
        character of :data:`CLASSES`."""
        if not glyphs:
            return np.zeros((0, len(CLASSES)), np.float32)
        batch = np.stack(glyphs).astype(np.float32)[:, None, :, :]
        (probabilities,) = self._session.run(None, {self._input: batch})
        return np.asarray(probabilities, dtype=np.float32)


class MarkModel:
    """The ONNX voicing-mark classifier (none, ゛, ゜ in a glyph's corner, as
    :func:`cut_marks` gives it), on CPU through onnxruntime.

    Raises :class:`~core.errors.OcrEngineFailure` if the model file is missing or broken.
    """

    def __init__(self, path: Path = MARKS_PATH) -> None:
        self._session, self._input = load_model(path, "kana mark")

    def probabilities(self, corners: Sequence[FloatArray]) -> FloatArray:
        """One row per corner: the probability of each of :data:`MARKS`."""
        if not corners:
            return np.zeros((0, len(MARKS)), np.float32)
        batch = np.stack(corners).astype(np.float32)[:, None, :, :]
        (probabilities,) = self._session.run(None, {self._input: batch})
        return np.asarray(probabilities, dtype=np.float32)
