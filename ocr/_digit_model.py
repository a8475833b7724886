"""jimu's own handwritten-digit classifier: a small CNN (ONNX) for boxed digits.

PP-OCR reads printed and handwritten text alike, but a model trained only on handwritten
digits makes different mistakes, and few of them: its distribution is a third opinion on
every box whose charset is digits only (see :meth:`ocr._ppocr.PpOcrRecogniser.read_chars`).

The model (``ocr/models/digits-cnn.onnx``: two small networks trained apart, their
probabilities averaged inside the graph) was trained offline by
``scripts/digit_model/`` on MNIST digits 0–1499 of ``../shared/data/mnist`` (never on the
digits calibration and the benchmarks use) and on glyphs cut from generated forms; nothing
is downloaded. A glyph is normalised as MNIST was: the ink's bounding box scaled into 20×20
px and centred by its centre of mass in 28×28, white ink on black.
"""

from __future__ import annotations

import logging
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from ocr._onnx import load_model

__all__ = ["MODEL_PATH", "DigitModel", "normalise_glyph"]

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).resolve().parent / "models" / "digits-cnn.onnx"
_SIDE, _INNER = 28, 20

FloatArray = npt.NDArray[np.float32]


def normalise_glyph(glyph: npt.NDArray[np.uint8]) -> FloatArray:
    """A dark-on-light glyph image as the model's 28×28 input (white ink on black, 0–1).

    An image with no ink gives an all-black input.
    """
    grey = glyph if glyph.ndim == 2 else cv2.cvtColor(glyph, cv2.COLOR_BGR2GRAY)
    ink = 255.0 - grey.astype(np.float32)
    ink[ink < 48] = 0.0
    ys, xs = np.nonzero(ink)
    out = np.zeros((_SIDE, _SIDE), np.float32)
    if len(ys) == 0:
        return out
    crop = ink[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]
    height, width = crop.shape
    scale = _INNER / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    total = float(small.sum())
    if total <= 0:
        return out
    rows, cols = np.indices(small.shape)
    cy, cx = float((rows * small).sum() / total), float((cols * small).sum() / total)
    top = round(_SIDE / 2 - cy)
    left = round(_SIDE / 2 - cx)
    top = min(max(top, 0), _SIDE - size[1])
    left = min(max(left, 0), _SIDE - size[0])
    out[top: top + size[1], left: left + size[0]] = small
    peak = float(out.max())
    return out / peak if peak > 0 else out


class DigitModel:
    """The ONNX digit classifier, on CPU through onnxruntime.

    Raises :class:`~core.errors.OcrEngineFailure` if the model file is missing or broken.
    """

    def __init__(self, path: Path = MODEL_PATH) -> None:
        self._session, self._input = load_model(path, "digit")

    def probabilities(self, glyphs: list[npt.NDArray[np.uint8]]) -> FloatArray:
        """One row per glyph: the probability of each digit 0–9."""
        if not glyphs:
            return np.zeros((0, 10), np.float32)
        batch = np.stack([normalise_glyph(g) for g in glyphs])[:, None, :, :]
        (probabilities,) = self._session.run(None, {self._input: batch})
        return np.asarray(probabilities, dtype=np.float32)
