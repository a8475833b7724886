"""Read one field from a crop of it: find the printed frame, wipe the printed lines, give
each box its strokes, normalise each glyph, and hand glyphs or lines to an engine in one batch.

A glyph is read at two sizes and the two distributions averaged. A line's confidence is its
least sure character, where a character counts every reading the kind's rules write the same
way (一, ー and － between numbers of an address), halved when a second model reads the line
otherwise (an address: otherwise in what is entered, its town as the table writes it, its
house number and building). Small or large kana (ュ or ユ) are as the glyph's size says,
not as spelling would.
Check boxes and seals are read by ink, not by an engine: a check box holds a mark of any
shape (✓ × ○ / or blacked in) when its ink is enough and spreads across the box, so a stray
dot is no mark; a seal (印) is there when ink beyond the printed 印 spreads over its place.
Free-written numbers (電話) and amounts (円, commas) are lines under their own charsets, an
address is checked against the postal table by :mod:`ocr._address`.

Empty is a conclusion from evidence: a field (or box) without ink at the usual threshold is
looked at again at a light one, with the blank form's own print at its place masked out.
Writing found only there, or too little to read, is read for the reviewer but never accepted
(:data:`FAINT`); only a field without ink at either threshold is empty, with confidence 1.
A box keeps the light parts of its strokes (the thin top of a 9's loop). A line whose
writing runs past the crop's side was not read to its end (:data:`RUNS_OFF`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from core.errors import InvalidInput
from core.kana import to_fullwidth
from core.text import nfkc
from ocr._address import (
    HOUSE_CHARSET,
    HOUSE_SURE,
    LEFT_OUT,
    NO_HOUSE,
    NO_TOWN,
    UNSURE_HOUSE,
    TownMatch,
    building_by_town,
    building_words,
    house_agreement,
    house_confidences,
    house_doubts,
    house_span,
    left_out_after_town,
    match_town,
)
from ocr._constrain import decode_boxes, decode_postal, snap_address
from ocr._engines import ADDRESS, DIGITS, KANJI, KATAKANA, Engine, get_engine
from ocr._models import FieldReading
from ocr._name_lexicon import NAME_AND_READING_DIFFER, reading_differs, weigh_name
from ocr._names import UNCLEAR_NAME_SPACE, name_space
from ocr._pages import Page, to_grey
from ocr._ppocr import Recognition
from ocr._template import DATE_BOXES, KINDS
from ocr._text import (
    folded,
    gaps_are_spaces,
    has_variant_form,
    kana_context,
    kana_sizes,
    text_value,
    widest_glyph,
)

__all__ = [
    "FAINT",
    "LOST_CHARACTER",
    "RUNS_OFF",
    "VARIANT_FORM",
    "FieldRequest",
    "default_charsets",
    "read_field",
    "read_fields",
]

#: The reason a field written too lightly to be sure of goes to a person.
FAINT = "薄い記入があります"
#: The reason a line written on past its frame's side goes to a person (its end was not read).
RUNS_OFF = "枠の外まで記入があります"
#: The reason a name or address read with an old or variant kanji form goes to a person.
VARIANT_FORM = "旧字体・異体字があります（字形を確認してください）"
#: The reason a kanji line goes to a person when one character's ink is as wide as two: the
#: reader may have left one out (松本　一輝 read 松本　一 at 1.0 by both models).
LOST_CHARACTER = "読み落とした文字があるかもしれません（字の幅）"

_GLYPH = 40  # glyph ink height in px on the engine canvas (as MNIST: 20 of 28)
_SECOND_VIEW = 46  # a glyph is read twice, at two sizes, and the distributions averaged
_CANVAS = (72, 132)
_EMPTY_BOX = 0.012  # share of inked pixels below which a box counts as empty
# Empty is a conclusion: besides the usual threshold, ink is looked for at a light one that
# catches pencil and a ballpoint running dry, with the blank form's own print (frame,
# dividers, printed texts) and a margin for registration masked out.
_LIGHT_DROP = 20  # grey levels under the paper that count as light ink (after smoothing)
_PRINT_MARGIN = 9  # px (about 1 mm at 8 px/mm): print masked this far around, alignment slack
_RULES_MARGIN = 2  # px: a box's dividers, found in the scan, masked this far around for light ink
_STROKE = 0.15  # a stroke is at least this share of the frame's height long
_STROKE_PX = 12  # … and holds at least this many pixels (specks and noise hold fewer)
_EDGE_PIECE = 6  # px: ink this long at a crop's side is writing cut off there, not a speck
_LINE_PAD = 0.2  # space kept above and below the written line, as a share of its height
_DISAGREED = 0.5  # a line a second model reads differently is only half as sure
_VARIANT_FORM = 0.5  # the most a line holding 惠, 髙, 﨑 … is worth (ocr._text.has_variant_form)
# A kanji whose ink is this many times as wide as the others' (ocr._text.widest_glyph) may
# hold a second one the reader left out: on 141 names by calibration stroke writers read
# right, the widest was at most 1.4 times the others (3.6 once, beside a struck mistake).
_LOST_WIDTH = 2.0
_LOST = 0.5  # … and the line is worth at most this
_LEFT_OUT = 0.02  # an address whose reader may have left a character out this likely
_SNAP_POSTAL = 0.9  # a postal code this sure may correct the area part of the address
_CORRECTED = 0.5  # an area part the table corrected without a postal code to vouch for it
_CHECKED = 0.05  # share of inked pixels above which a check box counts as ticked
_MARK_SPAN = 0.4  # … and the ink spreads over this share of the box (a dot does not)
_FILLED = 0.6  # share of dark pixels inside a box blacked in (its ink is wiped as print)
_SEAL_SPAN = 0.45  # a stamp spreads over this share of the 印 place (the printed 印 alone not)
_SEAL_INK = 0.03  # … and inks this share of it
_DASH_CHARS = "-－ー‐−一"  # a hyphen in a written number, however the engine reads it
_NUMBER = DIGITS + "-－ー"
_AMOUNT = DIGITS + ",，円"
_DATE_CHARSETS = ("345", DIGITS, DIGITS, "01", DIGITS, "0123", DIGITS)
_LINE_CHARSETS = {
    "katakana": KATAKANA,
    "kanji": KANJI,
    "address": ADDRESS,
    "number": _NUMBER,
    "amount": _AMOUNT,
}
_RULE_SPAN = 15  # px: a wiped rule (with its margin) is at most about 11 px thick at 8 px/mm
_DIVIDER_SPAN = 5  # px: a box divider is wiped without a margin: about 3 px at 8 px/mm
_STRIKE = 0.8  # a horizontal stroke this many field-heights long is a correction line
# (a kanji's own longest stroke, as written here, stays under about 0.7),
_STRIKE_BY_WRITING = 1.3  # or this many times the writing's height: a line through one
# small character (本 struck before 今井 was read 本今井 at 0.93). Not in an address, whose
# dashes and ー run on: there a struck character before the town is dropped by the table.
_CROSSED_OUT = 2.0  # a correction line this many times the writing's height long, and
_FIRM_ROWS = 6  # this many rows thick when thickened, crosses out what it covers: read the rest
_CROSSED_MARGIN = 2  # px beyond the line's ends taken out with it


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
    rule: str | None = None
    blank: Page | None = None  # the blank form's crop at the same place: what is printed
    names: Path | None = None  # the form's own table of names (``rule: person_name``)
    reading_of: str | None = None  # a フリガナ: the name of the 氏名 field it reads


@dataclass
class _Prepared:
    request: FieldRequest
    glyphs: list[Page | None] = field(default_factory=list)
    views: list[Page] = field(default_factory=list)  # each written box's second view
    charsets: list[str] = field(default_factory=list)
    line: Page | None = None
    ink: float = 0.0
    struck: bool = False
    faint: bool = False
    runs_off: bool = False  # a line's writing goes on past the crop's side
    dists: list[dict[str, float]] = field(default_factory=list)
    span: float = 0.0  # check boxes and seals: how far the ink spreads across the place
    filled: bool = False  # a check box blacked in
    found: Recognition | None = None  # a line's reading, before it became a value
    name_as_read: Recognition | None = None  # a name with its space, before the table weighed it


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
) -> tuple[Page, npt.NDArray[np.uint8], tuple[int, int, int, int], npt.NDArray[np.uint8]]:
    """The crop with the printed frame wiped white, the remaining ink, the frame, and the
    printed lines found.

    Horizontal rules are long runs of ink; vertical ones run the frame's full height and,
    in a boxed field, stand where the box dividers are expected: a written ``1`` next to
    a divider must survive.
    """
    ink = _ink_mask(grey)
    height, width = ink.shape
    long_run = np.ones((1, max(8, width // 2)), np.uint8)
    horizontal = _u8(cv2.morphologyEx(ink, cv2.MORPH_OPEN, long_run))
    rows = _rows(horizontal, 0.45)
    top, bottom = (
        (int(rows[0]), int(rows[-1]))
        if len(rows) and rows[-1] - rows[0] > height * 0.3
        else (0, height - 1)
    )
    # The crop's margin may hold the rule of the field above or below: the frame's own rules
    # are the ones its side lines (ink at least half the crop tall) run between.
    sides = _u8(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((max(6, height // 2), 1), np.uint8)))
    side_rows = np.flatnonzero(sides.any(axis=1))
    if len(rows) and len(side_rows) and side_rows[-1] - side_rows[0] > height * 0.3:
        top = int(rows[np.abs(rows - side_rows[0]).argmin()])
        bottom = int(rows[np.abs(rows - side_rows[-1]).argmin()])
        if bottom - top <= height * 0.3:
            top, bottom = int(side_rows[0]), int(side_rows[-1])
    # Only the top and bottom rules are printed; a long stroke between them is writing.
    rule = np.zeros(height, dtype=bool)
    rule[max(0, top - 3) : top + 4] = rule[max(0, bottom - 3) : bottom + 4] = True
    horizontal[~rule] = 0
    tall = max(6, int((bottom - top) * 0.85))
    vertical = _u8(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((tall, 1), np.uint8)))
    cols = _rows(vertical[top : bottom + 1].T, 0.6)
    left, right = (
        (int(cols[0]), int(cols[-1]))
        if len(cols) and cols[-1] - cols[0] > width * 0.3
        else (0, width - 1)
    )
    if boxes > 1:
        step = (right - left) / boxes
        near = np.zeros(width, dtype=bool)
        band = max(3, round(step * 0.12))
        for i in range(boxes + 1):
            x = round(left + i * step)
            near[max(0, x - band) : x + band + 1] = True
        vertical[:, ~near] = 0
    margin = np.ones((5, 5), np.uint8)
    if boxes > 1:
        # A divider is wiped only where it is printed, not a margin beside it: a margin takes
        # the side of a digit written against the divider (a 0 becomes a C, a 9 a 4). What
        # is left of the divider's edge alone (a sliver along it) is dropped below.
        exact = np.ones((5, 1), np.uint8)
        lines = _u8(cv2.dilate(horizontal, margin)) | _u8(cv2.dilate(vertical, exact))
    else:
        lines = _u8(cv2.dilate(horizontal | vertical, margin))
    written = ink & ~lines
    if boxes > 1:
        written = _without_slivers(written, _u8(cv2.dilate(vertical, margin)))
    # A stroke that crosses a printed rule is cut in two when the rule is wiped: join the two
    # ends again across the rule (vertically across a horizontal rule, and the other way).
    span = _DIVIDER_SPAN if boxes > 1 else _RULE_SPAN
    across = _bridge(written, lines, horizontal, vertical, span)
    cleaned = grey.copy()
    cleaned[lines > 0] = 255
    if across.any():
        cleaned[across > 0] = np.uint8(np.percentile(grey[written > 0], 30)) if written.any() else 0
    ink = _u8(cv2.morphologyEx(written | across, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)))
    return cleaned, ink, (left, top, right, bottom), lines


def _without_slivers(
    written: npt.NDArray[np.uint8], band: npt.NDArray[np.uint8]
) -> npt.NDArray[np.uint8]:
    """``written`` without the pieces lying wholly in ``band`` (beside a wiped divider)."""
    found, labels = cv2.connectedComponents(written, connectivity=8)
    if found <= 1:
        return written
    pieces = labels[written > 0]
    outside = np.bincount(labels[(written > 0) & (band == 0)], minlength=found)
    keep = outside > 0
    keep[0] = False
    out = np.zeros_like(written)
    out[written > 0] = np.where(keep[pieces], 255, 0).astype(np.uint8)
    return out


def _bridge(
    written: npt.NDArray[np.uint8],
    lines: npt.NDArray[np.uint8],
    horizontal: npt.NDArray[np.uint8],
    vertical: npt.NDArray[np.uint8],
    vertical_span: int,
) -> npt.NDArray[np.uint8]:
    """Pixels of the wiped rules where writing continues on both sides of the rule,
    ``vertical_span`` px apart at most across a vertical rule."""
    out = np.zeros_like(written)
    for rules, kernel in ((horizontal, (_RULE_SPAN, 1)), (vertical, (1, vertical_span))):
        if not rules.any():
            continue
        band = _u8(cv2.dilate(rules, np.ones((5, 5), np.uint8))) & lines
        closed = _u8(cv2.morphologyEx(written, cv2.MORPH_CLOSE, np.ones(kernel, np.uint8)))
        out |= closed & band
    return out


def _stretch(grey: Page) -> Page:
    low, high = float(grey.min()), float(np.percentile(grey, 95))
    if high - low < 1:
        return grey
    return _u8(np.clip((grey.astype(np.float32) - low) * 255 / (high - low), 0, 255))


def _box_masks(
    ink: npt.NDArray[np.uint8], frame: tuple[int, int, int, int], count: int
) -> list[npt.NDArray[np.bool_] | None]:
    """The ink of each box (None: empty), whole strokes assigned to the box they belong to.

    A digit often runs over its box's printed divider. Cutting at the divider would hand
    the overflow to the neighbour (a stray stroke there) and truncate the digit, so each
    connected stroke goes, whole, to the box holding its centre of mass. A stroke is cut at
    the dividers only where it must be: wider than one and a half boxes, or reaching into a
    box between written ones that would otherwise stay empty (two digits written into each
    other). A stroke whose centre lies above or below the frame is the neighbouring field's
    writing reaching into the crop's margin (a 0 that gains a dot, a 1 a hook): not this box's.
    """
    left, top, right, bottom = frame
    height, width = ink.shape
    step = (right - left) / count
    least = _EMPTY_BOX / 3 * step * height
    found, labels, stats, centres = cv2.connectedComponentsWithStats(ink, connectivity=8)
    column = np.clip(((np.arange(width) - left) // step).astype(int), 0, count - 1)
    strokes: list[tuple[npt.NDArray[np.bool_], int]] = []  # (pixels, box; -1: cut)
    for i in range(1, found):
        wide, tall = stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT]
        # Specks, dust and stubs of the printed lines are small in both directions: drop them.
        if max(wide, tall) < height * 0.15:
            continue
        x, y = (float(c) for c in centres[i])
        if not left - 0.3 * step <= x <= right + 0.3 * step:
            continue  # writing beside the frame is not in it
        if not top <= y <= bottom:
            continue  # nor is writing above or below it
        box = -1 if wide > 1.5 * step else int(np.clip((x - left) // step, 0, count - 1))
        strokes.append((labels == i, box))
    held = np.zeros(count)
    for pixels, box in strokes:
        if box >= 0:
            held[box] += pixels.sum()
        else:
            held += np.bincount(column[np.nonzero(pixels)[1]], minlength=count)
    for n, (pixels, box) in enumerate(strokes):
        if box < 0:
            continue
        spread = np.bincount(column[np.nonzero(pixels)[1]], minlength=count)
        written = np.flatnonzero(held >= least)
        # Only a gap between written boxes: a short number leaves the last boxes empty.
        if any(
            held[b] < least <= spread[b] and written.min() < b < written.max()
            for b in range(count)
            if b != box
        ):
            strokes[n] = (pixels, -1)
            held[box] -= pixels.sum()
            held += spread
    masks = [np.zeros(ink.shape, dtype=bool) for _ in range(count)]
    for pixels, box in strokes:
        if box >= 0:
            masks[box] |= pixels
        else:
            for b in range(count):
                masks[b] |= pixels & (column == b)[None, :]
    return [mask if mask.sum() >= least else None for mask in masks]


def _with_faint_parts(
    masks: list[npt.NDArray[np.bool_] | None], light: npt.NDArray[np.uint8]
) -> list[npt.NDArray[np.bool_] | None]:
    """Each box's ink with the lighter parts of its own strokes.

    The usual threshold loses the thin, light part of a stroke (the top of a 9's loop, and
    the 9 reads as a 4). Light ink in a stroke that holds a box's ink goes to the box whose
    ink is nearest, pixel by pixel, so that two digits touching across a divider stay apart.
    """
    held = {i: mask for i, mask in enumerate(masks) if mask is not None}
    if not held or not light.any():
        return masks
    union = np.logical_or.reduce(list(held.values()))
    _, labels = cv2.connectedComponents(light, connectivity=8)
    touching = np.unique(labels[union & (light > 0)])
    extra = np.isin(labels, touching[touching > 0]) & ~union
    if not extra.any():
        return masks
    distances = np.stack(
        [cv2.distanceTransform(_u8(~mask), cv2.DIST_L2, 3) for mask in held.values()]
    )
    nearest = distances.argmin(axis=0)
    out = list(masks)
    for n, (i, mask) in enumerate(held.items()):
        out[i] = mask | (extra & (nearest == n))
    return out


def _glyph(cleaned: Page, mask: npt.NDArray[np.bool_], ink_height: int = _GLYPH) -> Page:
    """The ink of one box on the engine's canvas, ``ink_height`` px tall at most."""
    ys, xs = np.nonzero(mask)
    near = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    only_ink = np.where(near, cleaned, 255).astype(np.uint8)
    crop = _stretch(only_ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])
    height, width = crop.shape
    scale = min(ink_height / height, 48 / width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    glyph = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    canvas = np.full(_CANVAS, 255, np.uint8)
    top, left = 8 + (56 - size[1]) // 2, 8 + (56 - size[0]) // 2
    canvas[top : top + size[1], left : left + size[0]] = glyph
    return canvas


def _light_ink(
    cleaned: Page,
    lines: npt.NDArray[np.uint8],
    frame: tuple[int, int, int, int],
    blank: Page | None,
    *,
    rules_margin: int = _PRINT_MARGIN,
) -> npt.NDArray[np.uint8]:
    """Strokes inside the frame at the light threshold, none of them printed.

    The print is what the blank form has at this place, widened by ``_PRINT_MARGIN`` for
    alignment slack, and the rules found in the crop, widened by ``rules_margin`` (found in
    the scan itself, a box's dividers need only a little: a whole millimetre each side of
    them would hide the light part of a digit written against one, and a 9 whose loop's
    side is thin reads as a 3). Noise and specks are dropped by size.
    """
    left, top, right, bottom = frame
    paper = float(np.percentile(cleaned, 90))
    smooth = cv2.GaussianBlur(cleaned, (3, 3), 0)
    light = _u8((smooth < paper - _LIGHT_DROP) * 255)
    side = 2 * _PRINT_MARGIN + 1
    printed = _u8(cv2.dilate(lines, np.ones((2 * rules_margin + 1,) * 2, np.uint8)))
    if blank is not None and blank.shape == cleaned.shape:
        from_blank = _u8((blank < 160) * 255)
        if rules_margin < _PRINT_MARGIN:  # the blank's own rules are the ones found
            from_blank[cv2.dilate(lines, np.ones((side, side), np.uint8)) > 0] = 0
        printed |= _u8(cv2.dilate(from_blank, np.ones((side, side), np.uint8)))
    light[printed > 0] = 0
    inside = np.zeros_like(light)
    inside[top + 2 : bottom - 1, left + 2 : right - 1] = 1
    light &= inside * 255
    found, labels, stats, _ = cv2.connectedComponentsWithStats(light, connectivity=8)
    least = max(4.0, (bottom - top) * _STROKE)
    keep = [
        i
        for i in range(1, found)
        if max(stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT]) >= least
        and stats[i, cv2.CC_STAT_AREA] >= _STROKE_PX
    ]
    return _u8(np.isin(labels, keep) * 255)


def _runs_off(band: npt.NDArray[np.uint8]) -> bool:
    """Whether writing in a field's rows reaches the crop's left or right edge: it goes on
    past what was cut out (an address written beyond its frame), so its end was not read.
    A piece cut off by the edge may be a few pixels of a character: only specks are left out.
    """
    _, labels, stats, _ = cv2.connectedComponentsWithStats(band, connectivity=8)
    edge = {*labels[:, :2].ravel(), *labels[:, -2:].ravel()} - {0}
    return any(
        max(stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT]) >= _EDGE_PIECE
        for i in edge
    )


def _span(mask: npt.NDArray[np.uint8]) -> float:
    """How far the ink of ``mask`` spreads: its bounding box's longer side against the
    place's shorter side (0 for no ink)."""
    ys, xs = np.nonzero(mask)
    if not len(ys) or not min(mask.shape):
        return 0.0
    longer = max(int(ys.max() - ys.min()), int(xs.max() - xs.min())) + 1
    return float(longer / min(mask.shape))


def _prepare(request: FieldRequest) -> _Prepared:
    if request.kind not in KINDS:
        raise InvalidInput(f"unknown field kind {request.kind!r}; known: {list(KINDS)}")
    prepared = _Prepared(request)
    count = DATE_BOXES if request.kind == "date" else request.boxes or 1
    cleaned, ink, (left, top, right, bottom), lines = _clean(request.image, count)
    frame = (left, top, right, bottom)
    if request.kind == "checkbox":
        inset = max(1, (right - left) // 6)
        inner = ink[top + inset : bottom - inset, left + inset : right - inset]
        prepared.ink = float((inner > 0).mean()) if inner.size else 0.0
        prepared.span = _span(inner)
        # Blacked in, the mark is wiped with the frame as if printed: look at the raw ink.
        raw = _ink_mask(request.image)[top + inset : bottom - inset, left + inset : right - inset]
        prepared.filled = bool(raw.size) and float((raw > 0).mean()) >= _FILLED
        if prepared.ink < _CHECKED and not prepared.filled:  # a tick drawn lightly is a tick
            light = _light_ink(cleaned, lines, frame, request.blank)
            inside = light[top + inset : bottom - inset, left + inset : right - inset]
            prepared.faint = (
                bool(inside.size)
                and float((inside > 0).mean()) >= _CHECKED / 2
                and _span(inside) >= _MARK_SPAN
            )
        return prepared
    if request.kind == "seal":
        # Stamp ink (vermilion is light in grey) beyond the printed 印 and the frame.
        inner = _light_ink(cleaned, lines, frame, request.blank)[top:bottom, left:right]
        prepared.ink = float((inner > 0).mean()) if inner.size else 0.0
        prepared.span = _span(inner)
        return prepared
    charsets = default_charsets(request.kind, request.boxes)
    if request.charset is not None:
        charsets = [request.charset] * len(charsets)
    if request.kind in ("digits", "date"):
        masks = _box_masks(ink, frame, count)
        light = _light_ink(cleaned, lines, frame, request.blank, rules_margin=_RULES_MARGIN)
        if any(mask is None for mask in masks):
            # A box left empty at the usual threshold may hold light writing: read it, faint.
            lighter = _box_masks(ink | light, frame, count)
            if any(a is None and b is not None for a, b in zip(masks, lighter, strict=True)):
                masks, prepared.faint = lighter, True
        masks = _with_faint_parts(masks, light)
        prepared.glyphs = [None if mask is None else _glyph(cleaned, mask) for mask in masks]
        prepared.views = [_glyph(cleaned, mask, _SECOND_VIEW) for mask in masks if mask is not None]
        prepared.charsets = charsets
        return prepared
    inner = ink[top:bottom, left:right]
    prepared.ink = float((inner > 0).mean()) if inner.size else 0.0
    strike, writing = max(8, int((bottom - top) * _STRIKE)), 0.0
    if inner.any():
        rows = np.nonzero(inner)[0]
        writing = float(np.percentile(rows, 99.5) - np.percentile(rows, 0.5))
        if request.kind != "address":
            strike = min(strike, max(8, int(writing * _STRIKE_BY_WRITING)))
    # Thicken vertically first so that a slightly slanted line still counts as one run. On
    # the ink before its specks are opened away: a thin pen's correction line, one pixel
    # thick in places, is cut into short pieces by that (中イ struck, then 林: read 中林).
    unopened = (_ink_mask(request.image) & ~lines)[top:bottom, left:right]
    thick = cv2.dilate(unopened, np.ones((5, 1), np.uint8)) if inner.size else inner
    struck_runs = (
        _u8(cv2.morphologyEx(thick, cv2.MORPH_OPEN, np.ones((1, strike), np.uint8)))
        if inner.size
        else inner
    )
    prepared.struck = bool(struck_runs.any())
    prepared.runs_off = _runs_off(ink[top:bottom])
    if prepared.struck:
        inner, cleaned = _without_struck(inner, cleaned, struck_runs, writing, (left, top))
    if prepared.ink < _EMPTY_BOX / 4:
        # Too little ink to read at the usual threshold: empty only if none at a light one.
        light = _light_ink(cleaned, lines, frame, request.blank)[top:bottom, left:right]
        if light.any():
            inner, prepared.faint = inner | light, True
    if prepared.ink >= _EMPTY_BOX / 4 or prepared.faint:
        ys, xs = np.nonzero(inner)
        pad = (bottom - top) // 3
        x0, x1 = max(0, left + xs.min() - pad), min(cleaned.shape[1], left + xs.max() + pad)
        # Height from the ink, not the frame: the model sees the writing larger, dakuten too.
        y_low, y_high = np.percentile(ys, [0.5, 99.5])
        vpad = max(3, round((y_high - y_low) * _LINE_PAD))
        y0, y1 = max(top, top + int(y_low) - vpad), min(bottom, top + int(y_high) + vpad + 1)
        prepared.line = _stretch(cleaned[y0:y1, x0:x1])
    prepared.charsets = charsets
    return prepared


def _without_struck(
    inner: npt.NDArray[np.uint8],
    cleaned: Page,
    runs: npt.NDArray[np.uint8],
    writing: float,
    corner: tuple[int, int],
) -> tuple[npt.NDArray[np.uint8], Page]:
    """The field's ink and image without what a correction line crosses out, so that what
    the writer meant is read for the person who confirms the correction.

    Only a line that is surely a correction is taken out: at least :data:`_CROSSED_OUT`
    times the writing's height long and :data:`_FIRM_ROWS` rows thick once thickened (a
    double line, or one drawn firmly). A long stroke of a character (ブ's top, 一) is neither,
    and stays. Everything in the columns such a line covers goes; if nothing is left (the
    correction was written above the line, say), the field is read whole, as before.
    """
    found, _, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    keep = np.ones(inner.shape[1], dtype=bool)
    for x, _y, width, height, _area in stats[1:found]:
        if width >= writing * _CROSSED_OUT and height >= _FIRM_ROWS:
            keep[max(0, x - _CROSSED_MARGIN) : x + width + _CROSSED_MARGIN] = False
    if keep.all() or not inner[:, keep].any():
        return inner, cleaned
    left, top = corner
    inner, cleaned = inner.copy(), cleaned.copy()
    inner[:, ~keep] = 0
    cut = np.flatnonzero(~keep) + left
    cleaned[top : top + inner.shape[0], cut] = 255
    return inner, cleaned


def _finish(
    prepared: _Prepared, engine: Engine, results: list[Recognition], today: date | None
) -> FieldReading:
    reading = _finish_read(prepared, engine, results, today)
    if not prepared.faint:
        return reading
    # Light writing is read for the person who checks it, but never accepted, nor empty.
    return replace(reading, confidence=0.0, reasons=(*reading.reasons, FAINT))


def _finish_read(
    prepared: _Prepared, engine: Engine, results: list[Recognition], today: date | None
) -> FieldReading:
    request = prepared.request
    if request.kind in ("checkbox", "seal"):
        return _by_ink(prepared)
    if request.kind in ("digits", "date"):
        return _finish_boxes(prepared, engine, results, today)
    if prepared.line is None:
        return FieldReading(
            kind=request.kind, value="", confidence=1.0, engine=engine.name, name=request.name
        )
    found = gaps_are_spaces(results.pop(0), prepared.line)
    if request.kind in ("number", "amount"):
        return _figures(prepared, engine, found)
    if request.kind == "address":
        found = kana_context(found)
    if request.kind in ("katakana", "address"):
        found = kana_sizes(found, prepared.line, person_name=request.rule == "person_name")
    reasons = []
    if request.rule == "person_name":
        found, clear = name_space(found, prepared.line)
        if clear:
            prepared.name_as_read = found
            found = weigh_name(found, request.kind, extra=request.names)
        else:
            reasons.append(UNCLEAR_NAME_SPACE)
    return _text_reading(prepared, engine, found, reasons)


def _text_reading(
    prepared: _Prepared, engine: Engine, found: Recognition, reasons: list[str]
) -> FieldReading:
    """A line's reading (as weighed) made a value with its confidence and reasons."""
    request = prepared.request
    assert prepared.line is not None
    reasons = list(reasons)
    confidences = folded(found, request.kind)
    confidence = min(confidences, default=0.0) * (_DISAGREED if found.agreed is False else 1.0)
    prepared.found = replace(found, char_confidences=confidences)
    doubts = _ink_doubts(prepared)
    if doubts:
        confidence = 0.0
        reasons += doubts
    if request.kind in ("kanji", "address") and has_variant_form(found.text):
        confidence = min(confidence, _VARIANT_FORM)
        reasons.append(VARIANT_FORM)
    if request.kind == "kanji" and widest_glyph(found, prepared.line) >= _LOST_WIDTH:
        confidence = min(confidence, _LOST)
        reasons.append(LOST_CHARACTER)
    return FieldReading(
        kind=request.kind,
        value=text_value(request.kind, found.text),
        confidence=confidence,
        engine=engine.name,
        name=request.name,
        char_confidences=confidences,
        reasons=tuple(reasons),
    )


def _by_ink(prepared: _Prepared) -> FieldReading:
    """A check box or a seal, from how much ink is there and how far it spreads.

    Each verdict is as sure as its weakest evidence: a mark needs both enough ink and a
    spread across the box; no mark needs either too little ink or ink in one spot.
    """
    request = prepared.request
    least, spread = (
        (_CHECKED, _MARK_SPAN) if request.kind == "checkbox" else (_SEAL_INK, _SEAL_SPAN)
    )
    by_ink = abs(prepared.ink - least) / least
    by_span = abs(prepared.span - spread) / (spread / 2)
    if prepared.filled:
        marked, confidence = True, 1.0
    elif prepared.ink >= least and prepared.span >= spread:
        marked, confidence = True, min(by_ink, by_span)
    else:
        marked = False
        confidence = max(
            by_ink if prepared.ink < least else 0.0,
            by_span if prepared.span < spread else 0.0,
        )
    return FieldReading(
        kind=request.kind,
        value="1" if marked else "",
        confidence=min(1.0, confidence),
        engine="ink",
        name=request.name,
    )


def _figures(prepared: _Prepared, engine: Engine, found: Recognition) -> FieldReading:
    """A free-written number (digits and hyphens) or amount (digits, commas, 円).

    The value is what was written in half-width (hyphens as ``-``; an amount without its
    円); a hyphen counts every dash-like reading the engine gave it as one.
    """
    request = prepared.request
    text = nfkc("".join(found.text.split()))
    confidences = list(found.char_confidences)
    if len(found.char_alternatives) == len(found.text) and len(text) == len(found.text):
        for i, char in enumerate(text):
            if char in _DASH_CHARS:
                confidences[i] = min(
                    1.0, sum(p for c, p in found.char_alternatives[i] if c in _DASH_CHARS)
                )
    if request.kind == "number":
        value = "".join("-" if c in _DASH_CHARS else c for c in text)
    else:
        value = "".join(c for c in text if c not in "円¥")
    prepared.found = replace(found, char_confidences=tuple(confidences))
    doubts = _ink_doubts(prepared)
    return FieldReading(
        kind=request.kind,
        value=value,
        confidence=0.0 if doubts else min(confidences, default=0.0),
        engine=engine.name,
        name=request.name,
        char_confidences=tuple(confidences),
        reasons=doubts,
    )


def _ink_doubts(prepared: _Prepared) -> tuple[str, ...]:
    """What the ink of a line shows that sends it to a person whatever was read: a
    struck-through mistake (read like any text: a person tells), writing cut off at a side."""
    return (*(("訂正線があります",) if prepared.struck else ()),
            *((RUNS_OFF,) if prepared.runs_off else ()))


def _finish_boxes(
    prepared: _Prepared, engine: Engine, results: list[Recognition], today: date | None
) -> FieldReading:
    """A boxed field: the most probable value obeying its rule (see :mod:`ocr._constrain`).

    Digits without a rule are only as sure as the digit model finds each box: the value is
    the mixed reading, its confidence the product of the digit model's probabilities for it.
    """
    request = prepared.request
    chars, confidences, dists, judges = [], [], [], []
    for glyph in prepared.glyphs:
        if glyph is None:
            chars.append(" ")
            continue
        found = results.pop(0)
        chars.append(found.text or "?")
        confidences.append(found.confidence)
        dists.append(dict(found.alternatives))
        judges.append(dict(found.digit_model))
    prepared.dists = dists
    value = "".join(chars).rstrip()
    if " " in value:  # a gap between written boxes: report it, never close it up
        confidences.append(0.0)
    elif value:
        decided = decode_boxes(dists, kind=request.kind, rule=request.rule, not_after=today)
        if decided is not None:
            value, confidence, shares = decided
            if request.kind == "digits" and request.rule is None and all(judges):
                shares = tuple(judge.get(ch, 0.0) for judge, ch in zip(judges, value, strict=True))
                confidence = float(np.prod(shares))
            return FieldReading(
                kind=request.kind,
                value=value,
                confidence=confidence,
                engine=engine.name,
                name=request.name,
                char_confidences=shares,
            )
    confidence = min(confidences, default=1.0)
    if value and confidences:  # every box must be right: the product, not the weakest
        confidence = float(np.prod(confidences))
    return FieldReading(
        kind=request.kind,
        value=value,
        confidence=confidence,
        engine=engine.name,
        name=request.name,
        char_confidences=tuple(confidences),
    )


def read_fields(
    requests: Sequence[FieldRequest], engine: Engine, *, today: date | None = None
) -> list[FieldReading]:
    """Read many fields with two engine calls in all (one for box glyphs, one for lines).

    With ``today`` a date field is read as a day no later than ``today`` (the day the form
    was received: it cannot be dated, nor name a birth, after that).
    """
    prepared = [_prepare(request) for request in requests]
    glyphs: list[Page] = []
    glyph_sets: list[str] = []
    views: list[Page] = []
    lines: list[Page] = []
    line_sets: list[str | None] = []
    for item in prepared:
        for glyph, charset in zip(item.glyphs, item.charsets, strict=False):
            if glyph is not None:
                glyphs.append(glyph)
                glyph_sets.append(charset)
        if engine.two_views:
            views.extend(item.views)
        if item.line is not None:
            lines.append(item.line)
            line_sets.append(item.charsets[0] or None)
    char_results = []
    if glyphs:
        both = engine.read_chars(glyphs + views, glyph_sets + glyph_sets[: len(views)])
        char_results = both[: len(glyphs)]
        if views:
            char_results = [
                _averaged(first, second)
                for first, second in zip(char_results, both[len(glyphs) :], strict=True)
            ]
    line_results = engine.read_lines(lines, line_sets) if lines else []
    out = []
    for item in prepared:
        pending = char_results if item.glyphs else line_results
        out.append(_finish(item, engine, pending, today))
    out = _names_by_reading(prepared, out, engine)
    by_postal, doubts = _postal_by_address(prepared, out)
    return _addresses(prepared, by_postal, engine, doubts)


def _addresses(
    prepared: list[_Prepared],
    readings: list[FieldReading],
    engine: Engine,
    doubts: dict[int, float] | None = None,
) -> list[FieldReading]:
    """Each address split after its town (checked against the postal table) and its house
    number read again under :data:`~ocr._address.HOUSE_CHARSET`, in one engine call; the
    address at index ``i`` of ``doubts`` no surer than ``doubts[i]`` (what the postal code's
    boxes leave it, see :func:`_postal_by_address`)."""
    doubts = doubts or {}
    postal = next(
        (
            r
            for item, r in zip(prepared, readings, strict=True)
            if item.request.rule == "postal_code" and len(r.value) == 7 and r.value.isdigit()
        ),
        None,
    )
    out = list(readings)
    jobs: list[tuple[int, TownMatch, int]] = []
    crops: list[Page] = []
    for i, item in enumerate(prepared):
        found = item.found
        if item.request.kind != "address" or found is None or item.line is None:
            continue
        if _ink_doubts(item) or item.faint:  # a person reads it anyway
            continue
        match = match_town(found.text, postal_code=postal.value if postal else None)
        if match is None:
            out[i] = replace(out[i], reasons=(*out[i].reasons, NO_TOWN))
            continue
        end = house_span(found.text, match.end, found.positions)
        if end == match.end or len(found.positions) != len(found.text):
            # No number after the town, or no positions to cut it out by (Tesseract).
            jobs.append((i, match, end))
            crops.append(np.zeros((0, 0), np.uint8))
            continue
        jobs.append((i, match, end))
        crops.append(_cut(item.line, found.positions, match.end, end))
    wanted = [crop for crop in crops if crop.size]
    results = iter(engine.read_lines(wanted, [HOUSE_CHARSET] * len(wanted)) if wanted else [])
    for (i, match, end), crop in zip(jobs, crops, strict=True):
        again = next(results) if crop.size else None
        address = _address(prepared[i], out[i], match, end, again, postal)
        out[i] = replace(address, confidence=min(address.confidence, doubts.get(i, 1.0)))
    return out


def _cut(line: Page, positions: Sequence[float], start: int, end: int) -> Page:
    """The part of a line holding characters ``start``..``end`` (exclusive), cut halfway
    between neighbouring characters, with a margin of paper."""
    width = line.shape[1]
    x0 = 0 if start == 0 else round((positions[start - 1] + positions[start]) / 2 * width)
    x1 = width
    if end < len(positions):
        x1 = round((positions[end - 1] + positions[end]) / 2 * width)
    pad = max(2, line.shape[0] // 4)
    return np.pad(line[:, x0:x1], ((0, 0), (pad, pad)), constant_values=255)


def _address(
    prepared: _Prepared,
    reading: FieldReading,
    match: TownMatch,
    end: int,
    again: Recognition | None,
    postal: FieldReading | None,
) -> FieldReading:
    """An address as the table writes its area, its house number as read again, and the
    least sure of the parts as its confidence (see :mod:`ocr._address`)."""
    assert prepared.found is not None
    found = building_words(building_by_town(prepared.found, end, match.area), end)
    read = found.char_confidences
    if match.changed == 0:
        area = min(read[: match.end], default=1.0)
    else:  # corrected by the table: as sure as the postal code that listed it, or a guess
        area = postal.confidence if match.by_postal and postal is not None else _CORRECTED
    if again is not None:
        house_text, house = again.text, min(house_confidences(again), default=0.0)
        house = min(house, house_agreement(found.text[match.end : end],
                                           found.char_alternatives[match.end : end], again.text))
    else:
        house_text, house = found.text[match.end : end], min(read[match.end : end], default=0.0)
    building = min(read[end:], default=1.0)
    tail = house_text + found.text[end:]
    agreed = found.agreed is not False or _same_after_town(found.second_text, match, tail, postal)
    confidence = min(area, house, building) * (1.0 if agreed else _DISAGREED)
    reasons = list(reading.reasons)
    if not any(nfkc(char).isdigit() for char in house_text):
        reasons.append(NO_HOUSE)
    elif house < HOUSE_SURE:
        reasons.append(UNSURE_HOUSE)
    reasons += house_doubts(found.text[match.end : end], house_text, found.text[end:])
    if left_out_after_town(prepared.found, match.end, end, again) >= _LEFT_OUT:
        reasons.append(LEFT_OUT)
    value = text_value("address", match.area + tail)
    return replace(reading, value=value, confidence=confidence, reasons=tuple(reasons))


def _same_after_town(
    second: str | None, match: TownMatch, tail: str, postal: FieldReading | None
) -> bool:
    """Whether the second model's address names the same town of the table and the same
    house number and building as ``tail``: the two models then agree on what is entered,
    though they read the area's characters differently (the table writes those anyway)."""
    if not second:
        return False
    other = match_town(second, postal_code=postal.value if postal else None)
    return (
        other is not None
        and other.area == match.area
        and text_value("address", second[other.end :]) == text_value("address", tail)
    )


def _averaged(first: Recognition, second: Recognition) -> Recognition:
    """One box read from two views: the mean of the two distributions, and of the digit
    model's where both views have one (the first reading alone if the engine gives no
    distribution)."""
    if not first.alternatives or not second.alternatives:
        return first
    mixed = _mean(first.alternatives, second.alternatives)
    judged = _mean(first.digit_model, second.digit_model) if second.digit_model else ()
    return Recognition(mixed[0][0], (mixed[0][1],), mixed, digit_model=judged)


def _mean(
    first: tuple[tuple[str, float], ...], second: tuple[tuple[str, float], ...]
) -> tuple[tuple[str, float], ...]:
    """The mean of two distributions over the same characters, best first."""
    other = dict(second)
    return tuple(sorted(((char, (p + other.get(char, 0.0)) / 2) for char, p in first),
                        key=lambda item: -item[1]))


def _names_by_reading(
    prepared: list[_Prepared], readings: list[FieldReading], engine: Engine
) -> list[FieldReading]:
    """Each フリガナ field (``reading_of``) and the 氏名 it reads weighed again, each by the
    other as the table pairs names with readings (:func:`ocr._name_lexicon.weigh_name`):
    both as first read, each against the other as the table alone weighed it. Where the
    table reads the 氏名 otherwise than the フリガナ then says, both go to a person
    (:data:`~ocr._name_lexicon.NAME_AND_READING_DIFFER`)."""
    out = list(readings)
    by_name = {item.request.name: i for i, item in enumerate(prepared)}
    for k, kana in enumerate(prepared):
        w = by_name.get(kana.request.reading_of or "")
        if w is None:
            continue
        written = prepared[w]
        kana_found, written_found = kana.found, written.found
        first_kana, first_written = kana.name_as_read, written.name_as_read
        if kana.faint or written.faint or not (
            kana_found and written_found and first_kana and first_written
        ):
            continue
        texts = {}
        for i, item, as_read, other in (
            (k, kana, first_kana, written_found), (w, written, first_written, kana_found)
        ):
            found = weigh_name(as_read, item.request.kind, extra=item.request.names, other=other)
            out[i] = _text_reading(item, engine, found, [])  # its name space was clear
            texts[i] = found.text
        if reading_differs(texts[w], texts[k], extra=written.request.names):
            for i in (k, w):
                out[i] = replace(out[i], reasons=(*out[i].reasons, NAME_AND_READING_DIFFER))
    return out


def _postal_by_address(
    prepared: list[_Prepared], readings: list[FieldReading]
) -> tuple[list[FieldReading], dict[int, float]]:
    """Read a postal code again knowing the address written on the same page: only codes of
    the town (or city) the address names remain candidates. The area is taken as the table
    writes it where the reading is a character or two off (北字和郡 for 北宇和郡).

    Also returns how sure that address may be, by its index, where the boxes read another
    code than the address names: no surer than the code it names is by the boxes (椚田町
    read 田町, a town of the same city, with the boxes clearly 椚田町's code: the address is
    doubted, not the boxes overruled).
    """
    doubts: dict[int, float] = {}
    where = next((i for i, r in enumerate(readings) if r.kind == "address" and r.value), None)
    if where is None:
        return readings, doubts
    out = list(readings)
    written = out[where].value
    match = match_town(written)
    if match is not None:
        written = match.area + written[match.end:]
    for i, item in enumerate(prepared):
        if item.request.rule != "postal_code" or " " in out[i].value:
            continue
        from_boxes = out[i].value
        decided = decode_postal(item.dists, written)
        if decided is not None:
            value, confidence, shares = decided
            out[i] = replace(out[i], value=value, confidence=confidence, char_confidences=shares)
            if value != from_boxes:  # the boxes and the address disagree: doubt both
                doubts[where] = min(doubts.get(where, 1.0), confidence)
                out[where] = replace(
                    out[where], confidence=min(out[where].confidence, doubts[where])
                )
        out[where] = _address_by_postal(out[where], out[i])
    return out, doubts


def _address_by_postal(address: FieldReading, postal: FieldReading) -> FieldReading:
    """Write the area part of the address as the national table does for a sure postal code.

    Where characters were changed, the address is only as sure as the postal code.
    """
    if address.confidence == 0.0 or postal.confidence < _SNAP_POSTAL or len(postal.value) != 7:
        return address  # a struck-through address, or a postal code not sure enough
    snapped = snap_address(address.value, postal.value)
    if snapped is None or snapped[1] == 0:
        return address
    value, _ = snapped
    return replace(
        address, value=to_fullwidth(value), confidence=min(address.confidence, postal.confidence)
    )


def read_field(
    image: Image.Image | npt.NDArray[np.generic],
    *,
    kind: str,
    boxes: int | None = None,
    charset: str | None = None,
    engine: str | Engine = "ppocr",
    rule: str | None = None,
) -> FieldReading:
    """Read one field from a crop of the whole field, box lines included.

    ``kind`` is ``digits``, ``date`` (7 boxes: era code 3/4/5, YY, MM, DD), ``katakana``,
    ``kanji``, ``address`` or ``checkbox``; ``boxes`` is the number of boxes of a
    ``digits`` field. Decoding is constrained to ``charset`` (default: the kind's). With
    ``rule`` (``my_number``, ``postal_code``) a digits field is decoded to the most probable
    value that obeys the rule, as a date always is; ``confidence`` is then that value's
    share of the probability of all values that obey it. The
    reading is not validated or accepted yet (see :func:`ocr.validate_page`). Raises
    :class:`~core.errors.InvalidInput` for an unknown kind or an unusable image and
    :class:`~core.errors.OcrEngineFailure` if the engine cannot run.
    """
    grey = to_grey(image)
    if min(grey.shape) < 8:
        raise InvalidInput(f"the field image is too small ({grey.shape[1]}×{grey.shape[0]} px)")
    chosen = get_engine(engine) if isinstance(engine, str) else engine
    return read_fields([FieldRequest(grey, kind, boxes, charset, rule=rule)], chosen)[0]
