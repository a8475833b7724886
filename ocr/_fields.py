"""Read one field from a crop of it: find the printed frame, split the boxes, wipe the
printed lines, normalise each glyph, and hand glyphs or lines to an engine in one batch.

Check boxes are read by ink, not by an engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from core.errors import InvalidInput
from core.kana import to_fullwidth
from core.text import nfkc
from ocr._engines import ADDRESS, DIGITS, KANJI, KATAKANA, Engine, get_engine
from ocr._models import FieldReading
from ocr._pages import Page, to_grey
from ocr._ppocr import Recognition
from ocr._template import DATE_BOXES, KINDS

__all__ = ["FieldRequest", "default_charsets", "read_field", "read_fields"]

_GLYPH = 40  # glyph ink height in px on the engine canvas (as MNIST: 20 of 28)
_CANVAS = (72, 132)
_EMPTY_BOX = 0.012  # share of inked pixels below which a box counts as empty
_CHECKED = 0.05  # share of inked pixels above which a check box counts as ticked
_DATE_CHARSETS = ("345", DIGITS, DIGITS, "01", DIGITS, "0123", DIGITS)
_LINE_CHARSETS = {"katakana": KATAKANA, "kanji": KANJI, "address": ADDRESS}
_STRIKE = 0.5  # a horizontal stroke this many field-heights long is a correction line
_SMALL_ALWAYS = str.maketrans("ァィゥェォヮヵヶ", "アイウエオワカケ")
_SMALL_YOON = str.maketrans("ャュョ", "ヤユヨ")
_I_ROW = frozenset("キギシジチヂニヒビピミリ")
_HYPHENS = str.maketrans({"ー": "－", "-": "－", "‐": "－", "−": "－", "一": "－"})


def default_charsets(kind: str, boxes: int | None) -> list[str]:
    """The charset of each box (boxed kinds) or of the line (text kinds)."""
    if kind == "date":
        return list(_DATE_CHARSETS)
    if kind == "digits":
        return [DIGITS] * (boxes or 1)
    return [_LINE_CHARSETS.get(kind, "")]


@dataclass(frozen=True)
class FieldRequest:
    """A field to read: its crop (box lines included), kind, box count and charset."""

    image: Page
    kind: str
    boxes: int | None = None
    charset: str | None = None
    name: str = ""


@dataclass
class _Prepared:
    request: FieldRequest
    glyphs: list[Page | None] = field(default_factory=list)
    charsets: list[str] = field(default_factory=list)
    line: Page | None = None
    ink: float = 0.0
    struck: bool = False


def _ink_mask(grey: Page) -> npt.NDArray[np.uint8]:
    paper = float(np.percentile(grey, 90))
    threshold = min(paper - 40, 150)
    return ((grey < threshold) * 255).astype(np.uint8)


def _u8(array: object) -> npt.NDArray[np.uint8]:
    return np.asarray(array, dtype=np.uint8)


def _rows(mask: npt.NDArray[np.uint8], share: float) -> npt.NDArray[np.intp]:
    return np.flatnonzero((mask > 0).mean(axis=1) > share)


def _clean(
    grey: Page, boxes: int
) -> tuple[Page, npt.NDArray[np.uint8], tuple[int, int, int, int]]:
    """The crop with the printed frame wiped white, the remaining ink, and the frame.

    Horizontal rules are long runs of ink; vertical ones run the frame's full height and,
    in a boxed field, stand where the box dividers are expected: a written ``1`` next to
    a divider must survive.
    """
    ink = _ink_mask(grey)
    height, width = ink.shape
    long_run = np.ones((1, max(8, width // 2)), np.uint8)
    horizontal = _u8(cv2.morphologyEx(ink, cv2.MORPH_OPEN, long_run))
    rows = _rows(horizontal, 0.45)
    top, bottom = (int(rows[0]), int(rows[-1])) if len(rows) and rows[-1] - rows[0] > height * 0.3 \
        else (0, height - 1)
    # Only the top and bottom rules are printed; a long stroke between them is writing.
    rule = np.zeros(height, dtype=bool)
    rule[max(0, top - 3): top + 4] = rule[max(0, bottom - 3): bottom + 4] = True
    horizontal[~rule] = 0
    tall = max(6, int((bottom - top) * 0.85))
    vertical = _u8(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((tall, 1), np.uint8)))
    cols = _rows(vertical[top: bottom + 1].T, 0.6)
    left, right = (int(cols[0]), int(cols[-1])) if len(cols) and cols[-1] - cols[0] > width * 0.3 \
        else (0, width - 1)
    if boxes > 1:
        step = (right - left) / boxes
        near = np.zeros(width, dtype=bool)
        band = max(3, round(step * 0.12))
        for i in range(boxes + 1):
            x = round(left + i * step)
            near[max(0, x - band): x + band + 1] = True
        vertical[:, ~near] = 0
    lines = _u8(cv2.dilate(horizontal | vertical, np.ones((5, 5), np.uint8)))
    cleaned = grey.copy()
    cleaned[lines > 0] = 255
    ink = _u8(cv2.morphologyEx(ink & ~lines, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)))
    return cleaned, ink, (left, top, right, bottom)


def _stretch(grey: Page) -> Page:
    low, high = float(grey.min()), float(np.percentile(grey, 95))
    if high - low < 1:
        return grey
    return _u8(np.clip((grey.astype(np.float32) - low) * 255 / (high - low), 0, 255))


def _glyph(cleaned: Page, ink: npt.NDArray[np.uint8]) -> Page | None:
    """The ink of one box on the engine's canvas, or None if the box is empty."""
    if ink.size == 0:
        return None
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height = ink.shape[0]
    # Specks, dust and stubs of the printed lines are small in both directions: drop them.
    keep = [i for i in range(1, count)
            if max(stats[i, cv2.CC_STAT_HEIGHT], stats[i, cv2.CC_STAT_WIDTH]) >= height * 0.15]
    if not keep:
        return None
    mask = np.isin(labels, keep)
    if mask.mean() < _EMPTY_BOX / 3:
        return None
    ys, xs = np.nonzero(mask)
    near = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    only_ink = np.where(near, cleaned, 255).astype(np.uint8)
    crop = _stretch(only_ink[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1])
    height, width = crop.shape
    scale = min(_GLYPH / height, 48 / width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    glyph = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    canvas = np.full(_CANVAS, 255, np.uint8)
    top, left = 8 + (56 - size[1]) // 2, 8 + (56 - size[0]) // 2
    canvas[top: top + size[1], left: left + size[0]] = glyph
    return canvas


def _prepare(request: FieldRequest) -> _Prepared:
    if request.kind not in KINDS:
        raise InvalidInput(f"unknown field kind {request.kind!r}; known: {list(KINDS)}")
    prepared = _Prepared(request)
    count = DATE_BOXES if request.kind == "date" else request.boxes or 1
    cleaned, ink, (left, top, right, bottom) = _clean(request.image, count)
    if request.kind == "checkbox":
        inset = max(1, (right - left) // 6)
        inner = ink[top + inset: bottom - inset, left + inset: right - inset]
        prepared.ink = float((inner > 0).mean()) if inner.size else 0.0
        return prepared
    charsets = default_charsets(request.kind, request.boxes)
    if request.charset is not None:
        charsets = [request.charset] * len(charsets)
    if request.kind in ("digits", "date"):
        step = (right - left) / count
        for i in range(count):
            x0, x1 = round(left + i * step), round(left + (i + 1) * step)
            prepared.glyphs.append(_glyph(cleaned[:, x0:x1], ink[:, x0:x1]))
        prepared.charsets = charsets
        return prepared
    inner = ink[top:bottom, left:right]
    prepared.ink = float((inner > 0).mean()) if inner.size else 0.0
    strike = max(8, int((bottom - top) * _STRIKE))
    # Thicken vertically first so that a slightly slanted line still counts as one run.
    thick = cv2.dilate(inner, np.ones((5, 1), np.uint8)) if inner.size else inner
    prepared.struck = bool(
        inner.size and cv2.morphologyEx(thick, cv2.MORPH_OPEN, np.ones((1, strike), np.uint8)).any()
    )
    if prepared.ink >= _EMPTY_BOX / 4:
        xs = np.flatnonzero(inner.any(axis=0))
        pad = (bottom - top) // 3
        x0, x1 = max(0, left + xs[0] - pad), min(cleaned.shape[1], left + xs[-1] + pad)
        prepared.line = _stretch(cleaned[top:bottom, x0:x1])
    prepared.charsets = charsets
    return prepared


def _large_kana(text: str) -> str:
    """Small kana where Japanese names cannot have them, written large (ユ not ュ after イ)."""
    out: list[str] = []
    for char in text.translate(_SMALL_ALWAYS):
        if char in "ャュョ" and (not out or out[-1] not in _I_ROW):
            char = char.translate(_SMALL_YOON)
        out.append(char)
    return "".join(out)


def _text_value(kind: str, text: str) -> str:
    if kind == "katakana":
        text = _large_kana(text)
    words = text.split()
    if kind == "address":
        return to_fullwidth(nfkc("".join(words))).translate(_HYPHENS).replace("\u3000", "")
    return "\u3000".join(words)


def _finish(prepared: _Prepared, engine: Engine, results: list[Recognition]) -> FieldReading:
    request = prepared.request
    if request.kind == "checkbox":
        ticked = prepared.ink >= _CHECKED
        margin = abs(prepared.ink - _CHECKED) / _CHECKED
        return FieldReading(kind="checkbox", value="1" if ticked else "",
                            confidence=min(1.0, margin), engine="ink", name=request.name)
    if request.kind in ("digits", "date"):
        chars, confidences = [], []
        for glyph in prepared.glyphs:
            if glyph is None:
                chars.append(" ")
                continue
            found = results.pop(0)
            chars.append(found.text or "?")
            confidences.append(found.confidence)
        value = "".join(chars).rstrip()
        if " " in value:  # a gap between written boxes: report it, never close it up
            confidences.append(0.0)
        return FieldReading(kind=request.kind, value=value,
                            confidence=min(confidences, default=1.0), engine=engine.name,
                            name=request.name, char_confidences=tuple(confidences))
    if prepared.line is None:
        return FieldReading(kind=request.kind, value="", confidence=1.0, engine=engine.name,
                            name=request.name)
    found = results.pop(0)
    # A struck-through mistake is read as text like any other: only a person can tell.
    return FieldReading(kind=request.kind, value=_text_value(request.kind, found.text),
                        confidence=0.0 if prepared.struck else found.confidence,
                        engine=engine.name, name=request.name,
                        char_confidences=found.char_confidences,
                        reasons=("訂正線があります",) if prepared.struck else ())


def read_fields(requests: Sequence[FieldRequest], engine: Engine) -> list[FieldReading]:
    """Read many fields with two engine calls in all (one for box glyphs, one for lines)."""
    prepared = [_prepare(request) for request in requests]
    glyphs: list[Page] = []
    glyph_sets: list[str] = []
    lines: list[Page] = []
    line_sets: list[str | None] = []
    for item in prepared:
        for glyph, charset in zip(item.glyphs, item.charsets, strict=False):
            if glyph is not None:
                glyphs.append(glyph)
                glyph_sets.append(charset)
        if item.line is not None:
            lines.append(item.line)
            line_sets.append(item.charsets[0] or None)
    char_results = engine.read_chars(glyphs, glyph_sets) if glyphs else []
    line_results = engine.read_lines(lines, line_sets) if lines else []
    out = []
    for item in prepared:
        pending = char_results if item.glyphs else line_results
        out.append(_finish(item, engine, pending))
    return out


def read_field(
    image: Image.Image | npt.NDArray[np.generic],
    *,
    kind: str,
    boxes: int | None = None,
    charset: str | None = None,
    engine: str | Engine = "ppocr",
) -> FieldReading:
    """Read one field from a crop of the whole field, box lines included.

    ``kind`` is ``digits``, ``date`` (7 boxes: era code 3/4/5, YY, MM, DD), ``katakana``,
    ``kanji``, ``address`` or ``checkbox``; ``boxes`` is the number of boxes of a
    ``digits`` field. Decoding is constrained to ``charset`` (default: the kind's). The
    reading is not validated or accepted yet (see :func:`ocr.validate_page`). Raises
    :class:`~core.errors.InvalidInput` for an unknown kind or an unusable image and
    :class:`~core.errors.OcrEngineFailure` if the engine cannot run.
    """
    grey = to_grey(image)
    if min(grey.shape) < 8:
        raise InvalidInput(f"the field image is too small ({grey.shape[1]}×{grey.shape[0]} px)")
    chosen = get_engine(engine) if isinstance(engine, str) else engine
    return read_fields([FieldRequest(grey, kind, boxes, charset)], chosen)[0]
