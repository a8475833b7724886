"""jimu's own katakana reader: a small CNN (ONNX) for the glyphs of a katakana line.

PP-OCR reads a whole line; this model reads each of its glyphs alone, cut where PP-OCR read
a character (every pixel of ink goes to the character read nearest to it), and is a second
opinion on it (:meth:`ocr._ppocr.PpOcrRecogniser.read_lines`). A glyph keeps its size and
height against the line, so small kana (ュ, ッ) look small to it. Shrunk to 32 px, a ゜ is a
dot like ゛: a second model (:class:`MarkModel`) reads only each glyph's top right corner at
the line's own resolution (:func:`cut_marks`) as no mark, ゛ or ゜.

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
MARK_SIDE = 20  # the mark model's input is MARK_SIDE × MARK_SIDE
_MARK_SHARE = 0.5  # the corner is this share of the glyph's larger side, square

FloatArray = npt.NDArray[np.float32]


def ink_owners(
    ink: npt.NDArray[np.uint8], centres: npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    """For each pixel of ink, the character it belongs to (-1: none): a stroke goes whole to
    the character read nearest to it, unless it spans several (then pixel by pixel)."""
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    pitch = float(np.median(np.diff(centres))) if len(centres) > 1 else float(ink.shape[1])
    owner = np.full(labels.shape, -1, dtype=np.intp)
    for k in range(1, count):
        pixels = labels == k
        if stats[k, cv2.CC_STAT_WIDTH] <= 1.2 * pitch:
            owner[pixels] = int(np.abs(centres - centroids[k][0]).argmin())
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
    height = line.shape[0]
    out: list[FloatArray | None] = []
    for owned in _own_inks(line, positions):
        if owned is None:
            out.append(None)
            continue
        mask, ink = owned
        xs = np.flatnonzero(mask.any(axis=0))
        crop = ink[:, xs.min() : xs.max() + 1].astype(np.float32)
        scale = min(SIDE / height, SIDE / crop.shape[1])
        size = (max(1, round(crop.shape[1] * scale)), max(1, round(height * scale)))
        small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        glyph = np.zeros((SIDE, SIDE), np.float32)
        top, left = (SIDE - size[1]) // 2, (SIDE - size[0]) // 2
        glyph[top : top + size[1], left : left + size[0]] = small
        peak = float(glyph.max())
        out.append(glyph / peak if peak > 0 else glyph)
    return out


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


def _own_inks(
    line: npt.NDArray[np.uint8], positions: Sequence[float]
) -> list[tuple[npt.NDArray[np.bool_], FloatArray] | None]:
    """For each character, the pixels of ink it owns (:func:`ink_owners`) and the line's
    darkness kept on and beside them (anti-aliased edges too), elsewhere 0; ``None`` where it
    owns too little ink to be a glyph (a gap read as a character)."""
    height = line.shape[0]
    owner = ink_owners((line < 128).astype(np.uint8),
                       np.asarray(positions, dtype=np.float64) * line.shape[1])
    darkness = 255.0 - line.astype(np.float32)
    out: list[tuple[npt.NDArray[np.bool_], FloatArray] | None] = []
    for i in range(len(positions)):
        mask = owner == i
        if int(mask.sum()) < max(4, height // 4):
            out.append(None)
            continue
        near = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        out.append((mask, np.where(near, darkness, 0.0).astype(np.float32)))
    return out


def cut_marks(line: npt.NDArray[np.uint8], positions: Sequence[float]) -> list[FloatArray | None]:
    """Each character's top right corner, where ゛ and ゜ are written, as the mark model's input.

    The corner is a square of half the glyph's larger side at the glyph's top right, at the
    line's own resolution before it becomes :data:`MARK_SIDE` px (a ゜ is a ring of a few
    pixels: shrunk with the whole glyph it is a dot like ゛). Only the character's own ink;
    white on black, 0–1. ``None`` where a character owns no ink.
    """
    out: list[FloatArray | None] = []
    for owned in _own_inks(line, positions):
        if owned is None:
            out.append(None)
            continue
        mask, ink = owned
        ys, xs = np.nonzero(mask)
        top, right = int(ys.min()), int(xs.max()) + 1
        side = max(4, round(_MARK_SHARE * max(int(ys.max()) + 1 - top, right - int(xs.min()))))
        own = np.pad(ink, side).astype(np.float32)
        corner = own[top + side : top + 2 * side, right : right + side]
        small = np.asarray(
            cv2.resize(corner, (MARK_SIDE, MARK_SIDE), interpolation=cv2.INTER_AREA), np.float32
        )
        peak = float(small.max())
        out.append(small / peak if peak > 0 else small)
    return out


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
