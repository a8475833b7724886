"""Read a date written as numbers between a printed 「年　月　日」, its era printed or circled.

A city's form prints 「昭和・平成・令和」 to circle and 「　年　月　日」 to write in: no boxes.
The printed 年, 月 and 日 are found on the blank form (the last three marks of print in the
field, left to right); the gap before each is where its number is written, one or two
digits of any width. The new ink in each gap (the blank's print masked out) is cut into
digits (strokes that overlap sideways are one digit; a lone blot twice as wide as tall is
two touching digits), each digit read by the engine with its distribution of 0–9.

The value is the same 7 digits as a boxed date's (era code, YY, MM, DD: see
:func:`ocr.date_value`), decoded as the most probable real day of that era up to ``today``
with its posterior, times the era's own confidence when it was circled. A number that is
clearly written but no day at all (2月30日) is reported as written, so validation names
the problem; no era circled, or a part left empty, goes to a person with the reason. Empty is
a conclusion: strokes found only at a light threshold are :data:`~ocr._fields.FAINT`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import cv2
import numpy as np
import numpy.typing as npt

from core.errors import ConfigError
from ocr._constrain import _all_dates
from ocr._engines import DIGITS, Engine
from ocr._fields import _SECOND_VIEW, FAINT, _averaged, _glyph
from ocr._models import FieldReading
from ocr._pages import Page
from ocr._ppocr import Recognition
from ocr._template import ERAS, FieldSpec

__all__ = ["ERA_MISSING", "ERA_UNCLEAR", "PART_MISSING", "date_gaps_mm", "read_era_date"]

#: Reasons a date with a printed era goes to a person (log-safe: no value in them).
ERA_MISSING = "元号が○で囲まれていません"
ERA_UNCLEAR = "元号が読み取れません"
PART_MISSING = "年・月・日のいずれかが空欄です"
_TOO_MANY = "年・月・日のいずれかに3桁以上の記入があります"

_CODES = {era: str(code) for code, era in enumerate(ERAS, start=3)}  # 昭和 3, 平成 4, 令和 5
_INSET_MM = 0.5  # inside the field's frame
_PRINT_PX = 2  # the blank's print is masked this far around (alignment slack)
_INK_DROP = 60  # grey levels under the paper that count as ink
_LIGHT_DROP = 25  # … and as light ink (pencil, a pen running dry): evidence against "empty"
_SPECK_MM = 0.8  # a digit's stroke reaches this far one way or the other; specks do not
_TOUCHING = 1.1  # a blot this much wider than tall may be two digits written into each other
_FLOOR = 1e-4
#: Raw reading this many times likelier than the best real day: what is written is no day.
_NOT_A_DAY = 20.0


@dataclass(frozen=True)
class _Gaps:
    """Where the numbers go, in field-crop pixels: (left, right) of year, month, day."""

    parts: tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


_LAYOUTS: dict[tuple[str, bytes], _Gaps] = {}


def _crop(page: Page, spec: FieldSpec, px_per_mm: float) -> Page:
    x0 = round((spec.x_mm + _INSET_MM) * px_per_mm)
    y0 = round((spec.y_mm + _INSET_MM) * px_per_mm)
    x1 = round((spec.x_mm + spec.width_mm - _INSET_MM) * px_per_mm)
    y1 = round((spec.y_mm + spec.height_mm - _INSET_MM) * px_per_mm)
    return page[y0:y1, x0:x1]


def _marks(printed: npt.NDArray[np.uint8], px_per_mm: float) -> list[tuple[int, int]]:
    """Left and right of each printed mark (a character) in the crop, left to right; ruled
    lines (the frame) are left out."""
    height, width = printed.shape
    found, _, stats, _ = cv2.connectedComponentsWithStats(printed, connectivity=8)
    spans = sorted(
        (int(stats[i, cv2.CC_STAT_LEFT]), int(stats[i, cv2.CC_STAT_LEFT] + stats[i, 2]))
        for i in range(1, found)
        if stats[i, cv2.CC_STAT_HEIGHT] < 0.9 * height and stats[i, 2] < 0.5 * width
    )
    merged: list[tuple[int, int]] = []
    join = round(0.8 * px_per_mm)  # the strokes of one character lie closer than this
    for left, right in spans:
        if merged and left <= merged[-1][1] + join:
            merged[-1] = (merged[-1][0], max(merged[-1][1], right))
        else:
            merged.append((left, right))
    return merged


def _layout(blank: Page, spec: FieldSpec, px_per_mm: float) -> _Gaps:
    """The three gaps of the field, from the blank's printed 年, 月, 日 (cached)."""
    crop = _crop(blank, spec, px_per_mm)
    key = (spec.model_dump_json(), crop.tobytes())
    if key in _LAYOUTS:
        return _LAYOUTS[key]
    printed = np.asarray((crop < 160) * 255, dtype=np.uint8)
    marks = _marks(printed, px_per_mm)
    if len(marks) < 3:
        raise ConfigError(
            f"field {spec.name!r}: the printed 年, 月 and 日 are not in its area on the blank form"
        )
    year, month, day = marks[-3:]
    start = marks[-4][1] if len(marks) > 3 else 0
    gaps = _Gaps(((start, year[0]), (year[1], month[0]), (month[1], day[0])))
    if len(_LAYOUTS) >= 64:
        _LAYOUTS.clear()
    _LAYOUTS[key] = gaps
    return gaps


def date_gaps_mm(
    blank: Page, spec: FieldSpec, *, px_per_mm: float
) -> tuple[tuple[float, float], ...]:
    """Where the year, the month and the day are written: (left, right) in mm on the page,
    from the printed 年 月 日 of ``blank`` (the blank form at ``px_per_mm``)."""
    gaps = _layout(blank, spec, px_per_mm)
    start = round((spec.x_mm + _INSET_MM) * px_per_mm)
    return tuple(((start + a) / px_per_mm, (start + b) / px_per_mm) for a, b in gaps.parts)


def _written(
    page: Page, blank: Page, px_per_mm: float, *, drop: int = _INK_DROP
) -> tuple[Page, npt.NDArray[np.uint8]]:
    """The crop with the blank's print whitened, and the new ink left (specks dropped):
    ink is ``drop`` grey levels under the paper or darker."""
    paper = float(np.percentile(page, 90))
    smooth = cv2.GaussianBlur(page, (3, 3), 0) if drop < _INK_DROP else page
    ink = np.asarray((smooth < paper - drop) * 255, dtype=np.uint8)
    side = 2 * _PRINT_PX + 1
    printed = cv2.dilate(
        np.asarray((blank < 160) * 255, dtype=np.uint8), np.ones((side, side), np.uint8)
    )
    ink[printed > 0] = 0
    ink = np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)))
    found, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    least = _SPECK_MM * px_per_mm
    keep = [
        i
        for i in range(1, found)
        if max(stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT]) >= least
    ]
    ink = np.asarray(np.isin(labels, keep) * 255, dtype=np.uint8)
    cleaned = page.copy()
    cleaned[printed > 0] = 255
    return cleaned, ink


def _digits_in(
    ink: npt.NDArray[np.uint8], left: int, right: int
) -> list[list[npt.NDArray[np.bool_]]]:
    """The ways to cut what is written between ``left`` and ``right`` into digits (masks,
    left to right): one way, or two for a lone wide blot (one wide digit, or two written
    into each other; the engine's readings decide)."""
    found, labels, stats, centres = cv2.connectedComponentsWithStats(ink, connectivity=8)
    groups: list[tuple[int, int, npt.NDArray[np.bool_]]] = []
    for i in sorted(range(1, found), key=lambda i: int(stats[i, cv2.CC_STAT_LEFT])):
        if not left <= centres[i][0] < right:
            continue
        x0 = int(stats[i, cv2.CC_STAT_LEFT])
        x1 = x0 + int(stats[i, cv2.CC_STAT_WIDTH])
        pixels = labels == i
        if groups:
            g0, g1, mask = groups[-1]
            overlap = min(g1, x1) - max(g0, x0)
            if overlap > 0.3 * min(g1 - g0, x1 - x0):  # a digit written in two strokes
                groups[-1] = (min(g0, x0), max(g1, x1), mask | pixels)
                continue
        groups.append((x0, x1, pixels))
    masks = [mask for _, _, mask in groups]
    if len(groups) != 1:
        return [masks] if masks else []
    x0, x1, mask = groups[0]
    rows = np.flatnonzero(mask.any(axis=1))
    tall = int(rows[-1] - rows[0] + 1)
    if x1 - x0 <= _TOUCHING * tall:
        return [masks]
    # Maybe two digits written into each other: cut at the thinnest column of the middle.
    columns = mask[:, x0:x1].sum(axis=0)
    third = (x1 - x0) // 3
    cut = x0 + third + int(np.argmin(columns[third : 2 * third + 1]))
    first, second = mask.copy(), mask.copy()
    first[:, cut:] = False
    second[:, :cut] = False
    return [masks, [first, second]]


def _likelihood(dists: list[dict[str, float]]) -> float:
    return float(np.prod([max(d.values(), default=0.0) for d in dists]))


def _part_scores(dists: list[dict[str, float]]) -> npt.NDArray[np.float64]:
    """log P(the part reads n) for n = 0..99 from its digits' distributions (1 or 2)."""
    table = np.full((len(dists), 10), _FLOOR)
    for i, dist in enumerate(dists):
        for char, p in dist.items():
            if char.isdigit():
                table[i, int(char)] = max(p, _FLOOR)
    table /= table.sum(axis=1, keepdims=True)
    scores = np.full(100, -np.inf)
    if len(dists) == 1:
        scores[:10] = np.log(table[0])
    else:
        scores[:] = (np.log(table[0])[:, None] + np.log(table[1])[None, :]).reshape(100)
    return scores


@dataclass(frozen=True)
class _Days:
    code: npt.NDArray[np.int64]
    year: npt.NDArray[np.int64]
    month: npt.NDArray[np.int64]
    day: npt.NDArray[np.int64]
    first: date


def _days() -> _Days:
    table = _all_dates().astype(np.int64)
    return _Days(
        table[:, 0],
        table[:, 1] * 10 + table[:, 2],
        table[:, 3] * 10 + table[:, 4],
        table[:, 5] * 10 + table[:, 6],
        date(1926, 12, 25),
    )


def _ways_scores(ways: list[list[dict[str, float]]]) -> npt.NDArray[np.float64]:
    """log P(the part reads n) over every way its ink was cut into digits, each way as likely
    as the other: a wide blot read as one 6 or as 6 and 0 written into each other is 6 or 60,
    and which one the day and the era allow (or a person) decides, not a product of
    probabilities that always favours the single digit (昭和60 was read 06 at 0.94)."""
    each = np.stack([_part_scores(dists) for dists in ways])
    mixed: npt.NDArray[np.float64] = np.logaddexp.reduce(each, axis=0) - np.log(len(ways))
    return mixed


def _decode(
    code: str, parts: list[list[list[dict[str, float]]]], today: date | None
) -> tuple[str, float]:
    """The most probable real day of era ``code`` up to ``today`` and its posterior; or what
    is written, clearly, when it is no day (so validation says why). Each part is given as
    the ways its ink can be cut into digits, each a distribution per digit."""
    scores = [_ways_scores(ways) for ways in parts]
    raw = [int(np.argmax(s)) for s in scores]
    written = code + "".join(f"{n:02d}" for n in raw)
    days = _days()
    rows = days.code == int(code)
    if today is not None:
        rows &= np.arange(len(days.code)) <= (today - days.first).days
    if not rows.any():
        return written, 0.0
    joint = scores[0][days.year[rows]] + scores[1][days.month[rows]] + scores[2][days.day[rows]]
    best = int(np.argmax(joint))
    raw_score = float(sum(s[n] for s, n in zip(scores, raw, strict=True)))
    if raw_score - float(joint[best]) > np.log(_NOT_A_DAY):
        return written, float(np.exp(raw_score))  # clearly written, and no day of that era
    peak = float(joint[best])
    posterior = 1.0 / float(np.exp(joint - peak).sum())
    index = np.flatnonzero(rows)[best]
    value = f"{code}{days.year[index]:02d}{days.month[index]:02d}{days.day[index]:02d}"
    return value, posterior


def _era(spec: FieldSpec, circled: FieldReading | None) -> tuple[str | None, float, str | None]:
    """The era code, how sure, and why there is none."""
    if spec.era is not None:
        return _CODES[spec.era], 1.0, None
    if circled is None or (not circled.value and not circled.reasons):
        return None, 0.0, ERA_MISSING
    if not circled.value or circled.value not in _CODES:
        return None, 0.0, ERA_UNCLEAR
    return _CODES[circled.value], circled.confidence, None


def _read_digits(
    cleaned: Page, masks: list[npt.NDArray[np.bool_]], engine: Engine
) -> list[dict[str, float]]:
    """Each mask read as one digit: its distribution over 0–9 (two views averaged)."""
    glyphs = [_glyph(cleaned, mask) for mask in masks]
    views = [_glyph(cleaned, mask, _SECOND_VIEW) for mask in masks] if engine.two_views else []
    results = engine.read_chars(glyphs + views, [DIGITS] * (len(glyphs) + len(views)))
    found: list[Recognition] = results[: len(glyphs)]
    if views:
        found = [_averaged(a, b) for a, b in zip(found, results[len(glyphs) :], strict=True)]
    return [dict(r.alternatives) or {r.text[:1] or "0": 1.0} for r in found]


def read_era_date(
    aligned: Page,
    blank: Page,
    spec: FieldSpec,
    *,
    engine: Engine,
    px_per_mm: float,
    era: FieldReading | None = None,
    today: date | None = None,
) -> FieldReading:
    """Read a date field with a printed era (``spec.era``) or a circled one (``era``: the
    reading of ``spec.era_from``) from an aligned page and the blank form at the same scale.

    The value is 7 digits (era code, YY, MM, DD) or ``""``; a day up to ``today`` when given.
    Raises :class:`ConfigError` when the blank has no printed 年 月 日 in the field.
    """
    gaps = _layout(blank, spec, px_per_mm)
    page, printed = _crop(aligned, spec, px_per_mm), _crop(blank, spec, px_per_mm)
    cleaned, ink = _written(page, printed, px_per_mm)
    ways = [_digits_in(ink, left, right) for left, right in gaps.parts]
    code, era_confidence, era_problem = _era(spec, era)
    name = spec.name
    if not any(ways):
        if era_problem == ERA_UNCLEAR:
            return FieldReading("date", "", 0.0, engine.name, name, reasons=(ERA_UNCLEAR,))
        # Empty is a conclusion: no strokes at a light threshold either.
        _, light = _written(page, printed, px_per_mm, drop=_LIGHT_DROP)
        if any(_digits_in(light, left, right) for left, right in gaps.parts):
            return FieldReading("date", "", 0.0, engine.name, name, reasons=(FAINT,))
        return FieldReading("date", "", 1.0, engine.name, name)
    masks = [mask for part in ways for way in part for mask in way]
    if any(len(part[0]) > 2 for part in ways if part):
        return FieldReading("date", "", 0.0, engine.name, name, reasons=(_TOO_MANY,))
    dists = _read_digits(cleaned, masks, engine)
    read: list[list[list[dict[str, float]]]] = []  # per part, per way, per digit
    start = 0
    for part in ways:
        options = []
        for way in part:
            options.append(dists[start : start + len(way)])
            start += len(way)
        read.append(options)
    parts = [max(options, key=_likelihood, default=[]) for options in read]
    shares = tuple(max(d.values(), default=0.0) for part in parts for d in part)
    if not all(parts):
        why = (PART_MISSING,)
        return FieldReading(
            "date", "", 0.0, engine.name, name, char_confidences=shares, reasons=why
        )
    if code is None:
        why = (era_problem or ERA_MISSING,)
        return FieldReading(
            "date", "", 0.0, engine.name, name, char_confidences=shares, reasons=why
        )
    value, posterior = _decode(code, read, today)
    return FieldReading(
        "date",
        value,
        min(1.0, posterior * era_confidence),
        engine.name,
        name,
        char_confidences=shares,
    )
