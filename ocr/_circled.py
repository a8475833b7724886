"""Read a circled-option field (○で囲む: 男・女, 昭和・平成・令和): which printed option is circled.

No engine is asked. The blank form's print (the option words, the separators, the cell's
frame) is masked out of the aligned page, so the printed word is never taken for a circle;
what is left is new ink. Around each option the ink is looked at in the option's own frame
(its box scaled to a unit square), in a ring from just inside the box to well outside it,
and counted in angular sectors: the option's **coverage** is the share of sectors that hold
ink, a short run of empty sectors between inked ones (the gap a hand leaves, or where the
circle runs along a printed line) counting as inked. A circle around the word covers nearly
every sector; the edge of a neighbour's circle covers those on one side only.

One option clearly covered is the value; two circled, or a choice scribbled out, go to a
person (never a guess); no new ink around any option is an empty field; anything between is
read with a low confidence, so a person looks.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from core.errors import InvalidInput
from ocr._align import PX_PER_MM
from ocr._models import FieldReading
from ocr._pages import Page
from ocr._template import FieldSpec

__all__ = [
    "ACCEPT",
    "AMBIGUOUS",
    "MULTIPLE",
    "SCRIBBLED",
    "OptionEvidence",
    "circled_evidence",
    "read_circled",
]

#: The confidence threshold the tests hold a circled field to (0.5% wrong among accepted at
#: most); ``jimu ocr calibrate`` writes a form's own.
ACCEPT = 0.5
#: Reasons a circled field goes to a person (log-safe: they name no option).
MULTIPLE = "複数の選択肢が囲まれています"
SCRIBBLED = "選択肢に訂正（塗りつぶし）があります"
AMBIGUOUS = "選択肢の周りに囲みと判別できない記入があります"

_MARGIN_MM = 3.0  # a circle runs out of the option cell
_PAD_MM = 0.5  # added to each half side of an option's box before it is made a unit square
_RING = (0.75, 2.6)  # the ring, in the option's unit frame (1.0: the box's edge)
_SECTORS = 24
_SECTOR_PX = 3  # pixels of ink that make a sector inked
_MAX_GAP = 3  # empty sectors between inked ones that still count as closed (45°)
_PRINT_PX = 3  # the blank's print is masked this far around (alignment and scan blur)
_NEAR_PRINT_PX = 4  # … and ink this much further out that hugs it is its fringe
_FRINGE = 0.8  # share of a stroke's pixels near the print that makes it the print's fringe
_INK_DROP = 50  # grey levels under the paper that count as ink
_LIGHT_DROP = 25  # … and as light ink: evidence against "empty"
_SPECK_MM = 0.6  # a stroke reaches at least this far; specks and noise do not
_CIRCLED = 0.6  # coverage from which an option counts as circled
_LOW, _HIGH = 0.4, 0.75  # coverage ramp of the confidence
_SCRIBBLE = 0.1  # share of an option's inner box under new ink (print masked): crossed out


@dataclass(frozen=True)
class OptionEvidence:
    """What the page shows around one option: ring ``coverage`` (0–1) and ``scribble``,
    the share of its inner box under new ink (print masked)."""

    value: str
    coverage: float
    scribble: float


def _strokes(
    mask: npt.NDArray[np.bool_], near_print: npt.NDArray[np.bool_], px_per_mm: float
) -> npt.NDArray[np.bool_]:
    """``mask`` without specks (components shorter than ``_SPECK_MM`` both ways) and without
    the fringe of the print (components lying almost wholly close to it: a printed line
    the alignment or the scanner's blur moved by a pixel or two)."""
    found, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    least = _SPECK_MM * px_per_mm
    fringe = np.bincount(labels[near_print], minlength=found)
    keep = np.zeros(found, dtype=bool)
    for i in range(1, found):
        tall, wide = stats[i, cv2.CC_STAT_HEIGHT], stats[i, cv2.CC_STAT_WIDTH]
        area = stats[i, cv2.CC_STAT_AREA]
        keep[i] = max(tall, wide) >= least and area >= 8 and fringe[i] < _FRINGE * area
    kept: npt.NDArray[np.bool_] = keep[labels]
    return kept


def _closed(inked: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Sectors inked, short runs of empty ones between inked ones filled (circularly)."""
    if inked.all() or not inked.any():
        return inked
    out = inked.copy()
    count = len(inked)
    start = int(np.flatnonzero(inked)[0])
    run: list[int] = []
    for step in range(1, count + 1):
        i = (start + step) % count
        if inked[i]:
            if 0 < len(run) <= _MAX_GAP:
                out[run] = True
            run = []
        else:
            run.append(i)
    return out


@dataclass(frozen=True)
class _Area:
    grey: Page
    new: npt.NDArray[np.bool_]  # ink that is not the blank's print
    light: npt.NDArray[np.bool_]  # … at the light threshold
    printed: npt.NDArray[np.bool_]
    origin: tuple[int, int]  # (x, y) px of the crop on the page


def _area(aligned: Page, blank: Page, spec: FieldSpec, px_per_mm: float) -> _Area:
    if aligned.shape != blank.shape:
        raise InvalidInput("the aligned page and the blank form differ in size")
    height, width = aligned.shape
    x0 = max(0, round((spec.x_mm - _MARGIN_MM) * px_per_mm))
    y0 = max(0, round((spec.y_mm - _MARGIN_MM) * px_per_mm))
    x1 = min(width, round((spec.x_mm + spec.width_mm + _MARGIN_MM) * px_per_mm))
    y1 = min(height, round((spec.y_mm + spec.height_mm + _MARGIN_MM) * px_per_mm))
    grey = aligned[y0:y1, x0:x1]
    smooth = cv2.GaussianBlur(grey, (3, 3), 0)
    paper = float(np.percentile(smooth, 90))
    side = 2 * _PRINT_PX + 1
    printed = (
        cv2.dilate((blank[y0:y1, x0:x1] < 200).astype(np.uint8), np.ones((side, side), np.uint8))
        > 0
    )
    near = 2 * _NEAR_PRINT_PX + 1
    near_print = cv2.dilate(printed.astype(np.uint8), np.ones((near, near), np.uint8)) > 0
    new = _strokes((smooth < min(paper - _INK_DROP, 170)) & ~printed, near_print, px_per_mm)
    light = _strokes((smooth < paper - _LIGHT_DROP) & ~printed, near_print, px_per_mm)
    return _Area(grey, new, light, printed, (x0, y0))


def _unit_frame(
    area: _Area, option_box: tuple[float, float, float, float], px_per_mm: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Every pixel's (u, v) in the option's unit frame: its centre at 0, its box ±1."""
    left, top, right, bottom = option_box
    pad = _PAD_MM * px_per_mm
    cx, cy = (left + right) / 2 - area.origin[0], (top + bottom) / 2 - area.origin[1]
    half_w, half_h = (right - left) / 2 + pad, (bottom - top) / 2 + pad
    ys, xs = np.mgrid[0 : area.grey.shape[0], 0 : area.grey.shape[1]]
    return (xs - cx) / half_w, (ys - cy) / half_h


def circled_evidence(
    aligned: Page, blank: Page, spec: FieldSpec, *, px_per_mm: float
) -> tuple[list[OptionEvidence], bool]:
    """Each option's evidence, and whether any new ink (light included) lies around an
    option. ``aligned`` and ``blank`` are whole pages at ``px_per_mm``."""
    area = _area(aligned, blank, spec, px_per_mm)
    evidence: list[OptionEvidence] = []
    inked_near = False
    for option in spec.options or ():
        box = (
            option.x_mm * px_per_mm,
            option.y_mm * px_per_mm,
            (option.x_mm + option.width_mm) * px_per_mm,
            (option.y_mm + option.height_mm) * px_per_mm,
        )
        u, v = _unit_frame(area, box, px_per_mm)
        r = np.hypot(u, v)
        ring = (r >= _RING[0]) & (r <= _RING[1])
        inked_near |= bool((area.light & (r <= _RING[1])).any())
        hits = area.new & ring
        angles = np.arctan2(v[hits], u[hits])
        sectors = ((angles + np.pi) / (2 * np.pi) * _SECTORS).astype(int) % _SECTORS
        inked = np.bincount(sectors, minlength=_SECTORS) >= _SECTOR_PX
        coverage = float(_closed(inked).mean())
        # New ink over the whole inner box: a circle crossing the words adds a line, a
        # scribble many.
        inner_box = (np.abs(u) <= 0.8) & (np.abs(v) <= 0.8)
        scribble = float(area.new[inner_box & ~area.printed].sum() / max(1, inner_box.sum()))
        evidence.append(OptionEvidence(option.value, coverage, scribble))
    return evidence, inked_near


def _ramp(coverage: float) -> float:
    return float(np.clip((coverage - _LOW) / (_HIGH - _LOW), 0.0, 1.0))


def read_circled(
    aligned: Page, blank: Page, spec: FieldSpec, *, px_per_mm: float = PX_PER_MM
) -> FieldReading:
    """Which printed option of the circled field ``spec`` is circled on an aligned page.

    ``aligned`` is the page warped onto the template and ``blank`` the blank form, both
    whole pages at ``px_per_mm``. The value is the circled option's ``value``, or ``""``.
    Confidence is the best option's coverage (ramped) times one minus the next one's: a
    clean circle with nothing around its neighbours is 1.0; empty is 1.0 only when no new
    ink (light ink included) lies around any option. Two circled options, a scribbled-out
    option, or ink that is no clear circle give confidence 0 and a reason. Raises
    :class:`~core.errors.InvalidInput` if the two pages differ in size.
    """
    evidence, inked_near = circled_evidence(aligned, blank, spec, px_per_mm=px_per_mm)
    ranked = sorted(evidence, key=lambda e: -e.coverage)
    best, second = ranked[0], ranked[1]
    circled = [e for e in ranked if e.coverage >= _CIRCLED]
    value, confidence = "", 1.0
    reasons: tuple[str, ...] = ()
    if any(e.scribble >= _SCRIBBLE for e in evidence):
        kept = [e for e in circled if e.scribble < _SCRIBBLE]
        value = kept[0].value if len(kept) == 1 else ""
        confidence, reasons = 0.0, (SCRIBBLED,)
    elif len(circled) > 1:
        confidence, reasons = 0.0, (MULTIPLE,)
    elif circled:
        value = best.value
        confidence = _ramp(best.coverage) * (1 - _ramp(second.coverage))
    elif inked_near:
        confidence, reasons = 0.0, (AMBIGUOUS,)
    return FieldReading(
        kind="circled",
        value=value,
        confidence=confidence,
        engine="ring",
        name=spec.name,
        reasons=reasons,
    )
