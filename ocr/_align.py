"""Align a scanned page to its template: registration marks → homography → upright page.

The four solid squares near the corners give a perspective transform that undoes shift,
scale, skew (deskew) and rotation in one step. Marks are symmetric, so a page and the same
page upside down give the same marks: both orientations are warped and compared with the
blank form's printed lines, and the one that matches wins. A page whose lines match neither
orientation well is not this form (:class:`~core.errors.FormNotRecognised`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from core.errors import FormNotRecognised
from ocr._pages import Page
from ocr._render import render_blank
from ocr._template import FormTemplate

__all__ = ["PX_PER_MM", "Alignment", "align_page"]

PX_PER_MM = 8.0  # working resolution of aligned pages: about 203 dpi
_FIND_PX_PER_MM = 3.0
_MIN_MATCH = 0.55


@dataclass(frozen=True)
class Alignment:
    """An aligned page, how well its printed lines match the template, and how it lay."""

    image: Page
    match: float
    rotated: int  # degrees the scan was turned to make it upright: 0, 90, 180 or 270


def _ink(grey: Page) -> npt.NDArray[np.uint8]:
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Otsu on a nearly blank page picks a threshold inside the paper noise; never go above 160.
    _, ink = cv2.threshold(grey, min(threshold, 160), 255, cv2.THRESH_BINARY_INV)
    return np.asarray(ink, dtype=np.uint8)


def _find_marks(page: Page, template: FormTemplate) -> npt.NDArray[np.float32] | None:
    """Mark centres nearest the four page corners (TL, TR, BL, BR) in page pixels."""
    height, width = page.shape
    scale = _FIND_PX_PER_MM * template.page_mm[1] / max(height, width)
    small = np.asarray(cv2.resize(page, (max(1, round(width * scale)),
                                         max(1, round(height * scale))),
                                  interpolation=cv2.INTER_AREA), dtype=np.uint8)
    ink = _ink(small)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    side = template.marks.size_mm * _FIND_PX_PER_MM
    candidates = []
    for i in range(1, count):
        _, _, w, h, area = stats[i]
        if not (0.55 * side <= w <= 1.6 * side and 0.55 * side <= h <= 1.6 * side):
            continue
        if area < 0.7 * w * h or area < 0.35 * side * side:
            continue
        candidates.append(centroids[i])
    if len(candidates) < 4:
        return None
    points = np.array(candidates, dtype=np.float32)
    sh, sw = small.shape
    corners = np.array([[0, 0], [sw, 0], [0, sh], [sw, sh]], dtype=np.float32)
    limit = 45 * _FIND_PX_PER_MM
    chosen = []
    for corner in corners:
        distances = np.linalg.norm(points - corner, axis=1)
        best = int(distances.argmin())
        if distances[best] > limit:
            return None
        chosen.append(points[best])
    if len({(round(float(p[0])), round(float(p[1]))) for p in chosen}) < 4:
        return None
    return np.asarray(np.array(chosen, dtype=np.float32) / scale, dtype=np.float32)


_BLANKS: dict[str, tuple[npt.NDArray[np.bool_], int]] = {}


def _blank_lines(template: FormTemplate) -> tuple[npt.NDArray[np.bool_], int]:
    key = template.model_dump_json(include={"name", "page_mm", "marks", "texts", "fields"})
    if key not in _BLANKS:
        _BLANKS[key] = _draw_blank_lines(template)
    return _BLANKS[key]


def _draw_blank_lines(template: FormTemplate) -> tuple[npt.NDArray[np.bool_], int]:
    blank = np.asarray(render_blank(template, px_per_mm=PX_PER_MM))
    ink = blank < 128
    half = round(template.marks.size_mm * PX_PER_MM)
    for cx, cy in template.marks.centers_mm:  # the marks match by construction: leave out
        x, y = round(cx * PX_PER_MM), round(cy * PX_PER_MM)
        ink[max(0, y - half): y + half, max(0, x - half): x + half] = False
    return ink, int(ink.sum())


def _match(aligned: Page, template: FormTemplate) -> float:
    expected, total = _blank_lines(template)
    ink = cv2.dilate(_ink(aligned), np.ones((5, 5), np.uint8)) > 0
    return float((ink & expected).sum()) / max(total, 1)


def _template_points(template: FormTemplate) -> npt.NDArray[np.float32]:
    centres = sorted(template.marks.centers_mm, key=lambda c: (c[1], c[0]))
    top = sorted(centres[:2])
    bottom = sorted(centres[2:])
    return np.array([*top, *bottom], dtype=np.float32) * PX_PER_MM


def align_page(page: Page, template: FormTemplate, *, name: str = "page") -> Alignment:
    """The page warped upright onto the template at :data:`PX_PER_MM`.

    Raises :class:`FormNotRecognised` (naming ``name``) when the registration marks are
    missing or the printed lines do not match the template in any orientation.
    """
    size = (round(template.page_mm[0] * PX_PER_MM), round(template.page_mm[1] * PX_PER_MM))
    target = _template_points(template)
    best: Alignment | None = None
    turns = (0, 1) if page.shape[0] >= page.shape[1] else (1, 3)
    for quarter in turns:
        turned = np.ascontiguousarray(np.rot90(page, -quarter)) if quarter else page
        marks = _find_marks(turned, template)
        if marks is None:
            continue
        for flip, order in ((0, marks), (180, marks[::-1].copy())):
            # Upside down, the page's top-left mark is the template's bottom-right one.
            matrix = cv2.getPerspectiveTransform(order, target)
            candidate = np.asarray(cv2.warpPerspective(turned, matrix, size,
                                                       flags=cv2.INTER_AREA, borderValue=255),
                                   dtype=np.uint8)
            score = _match(candidate, template)
            if best is None or score > best.match:
                best = Alignment(candidate, score, (quarter * 90 + flip) % 360)
    if best is None:
        raise FormNotRecognised(f"{name}: no registration marks found; is this the "
                                f"{template.title}?")
    if best.match < _MIN_MATCH:
        raise FormNotRecognised(
            f"{name}: does not look like the {template.title} (printed lines match "
            f"{best.match:.0%})"
        )
    return best
