"""Align a scanned page to its template: registration marks or printed content → upright page.

When the template has registration marks, the four solid squares near the corners give a
perspective transform that undoes shift, scale, skew (deskew) and rotation in one step.
Marks are symmetric, so a page and the same page upside down give the same marks: both
orientations are warped and compared with the blank form's printed lines, and the one that
matches wins. Marks are fast and exact, so they come first.

A form without marks (a city's own, laid out in Excel), or a page whose marks are not found
or do not lead to the form, is aligned by its printed content instead
(:mod:`ocr._align_content`: keypoints, then patches of the blank found in the page).

Either way the verdict is the same: the blank form's printed lines must be on the warped
page, and the page must not carry much ink where the form has neither print nor fields (a
page of noise has ink everywhere). A page that fails is not this form
(:class:`~core.errors.FormNotRecognised`, with the reason), never aligned wrongly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

from core.errors import FormNotRecognised
from ocr._align_content import Matrix, content_transform
from ocr._pages import Page
from ocr._render import render_blank
from ocr._template import FormTemplate, RegistrationMarks

__all__ = ["PX_PER_MM", "AlignedBy", "Alignment", "align_page"]

AlignedBy = Literal["marks", "content"]
PX_PER_MM = 8.0  # working resolution of aligned pages: about 203 dpi
_FIND_PX_PER_MM = 3.0
_MIN_MATCH = 0.55
#: Most of a page's ink that may lie away from the printed form and its fields: a filled
#: scan has about 5% there (specks, marks), a page of noise about 60%.
_MAX_STRAY = 0.35
_FIELD_SLACK_MM = 3.0  # handwriting runs over a field's frame
#: Share of the fields whose frames must be found, each edge with half its ink or more: a
#: field can lose an edge to a faint print, never many fields to an aligned scan.
_MIN_FIELDS = 0.9
_MIN_EDGE = 0.5
_EDGE_MM = 1.0


@dataclass(frozen=True)
class Alignment:
    """An aligned page, how well its printed lines match the template, and how it lay."""

    image: Page
    match: float
    rotated: int  # degrees the scan was turned to make it upright: 0, 90, 180 or 270
    by: AlignedBy = "marks"  # what it was aligned on
    stray: float = 0.0  # share of the page's ink away from the form's print and fields
    fields: float = 1.0  # share of the fields whose frames are found where they should be


def _ink(grey: Page) -> npt.NDArray[np.uint8]:
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Otsu on a nearly blank page picks a threshold inside the paper noise; never go above 160.
    _, ink = cv2.threshold(grey, min(threshold, 160), 255, cv2.THRESH_BINARY_INV)
    return np.asarray(ink, dtype=np.uint8)


def _find_marks(
    page: Page, template: FormTemplate, marks: RegistrationMarks
) -> npt.NDArray[np.float32] | None:
    """Mark centres nearest the four page corners (TL, TR, BL, BR) in page pixels."""
    height, width = page.shape
    scale = _FIND_PX_PER_MM * template.page_mm[1] / max(height, width)
    small = np.asarray(
        cv2.resize(
            page,
            (max(1, round(width * scale)), max(1, round(height * scale))),
            interpolation=cv2.INTER_AREA,
        ),
        dtype=np.uint8,
    )
    ink = _ink(small)
    count, _, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    side = marks.size_mm * _FIND_PX_PER_MM
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


@dataclass(frozen=True)
class _Expected:
    lines: npt.NDArray[np.bool_]  # the blank form's printed lines and text (marks left out)
    total: int
    allowed: npt.NDArray[np.bool_]  # where ink may be: near the print, in and by the fields
    frames: tuple[tuple[tuple[slice, slice, int], ...], ...]  # per field: its 4 edges' ink


_BLANKS: dict[str, _Expected] = {}


def _expected(template: FormTemplate) -> _Expected:
    key = template.model_dump_json(include={"name", "page_mm", "blank", "marks", "texts", "fields"})
    if key not in _BLANKS:
        _BLANKS[key] = _draw_expected(template)
    return _BLANKS[key]


def _mm_box(
    template: FormTemplate, left: float, top: float, right: float, bottom: float
) -> tuple[slice, slice]:
    """Rows and columns of a rectangle given in mm, clipped to the page."""
    width, height = _page_size(template)
    return (
        slice(max(0, round(top * PX_PER_MM)), min(height, round(bottom * PX_PER_MM))),
        slice(max(0, round(left * PX_PER_MM)), min(width, round(right * PX_PER_MM))),
    )


def _draw_expected(template: FormTemplate) -> _Expected:
    blank = np.asarray(render_blank(template, px_per_mm=PX_PER_MM))
    ink = blank < 128
    allowed = cv2.dilate(ink.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    if template.marks is not None:
        half = round(template.marks.size_mm * PX_PER_MM)
        for cx, cy in template.marks.centers_mm:  # the marks match by construction: leave out
            x, y = round(cx * PX_PER_MM), round(cy * PX_PER_MM)
            ink[max(0, y - half) : y + half, max(0, x - half) : x + half] = False
    frames = []
    slack, edge = _FIELD_SLACK_MM, _EDGE_MM
    for spec in template.fields:
        x0, y0 = spec.x_mm, spec.y_mm
        x1, y1 = x0 + spec.width_mm, y0 + spec.height_mm
        allowed[_mm_box(template, x0 - slack, y0 - slack, x1 + slack, y1 + slack)] = True
        strips = (
            _mm_box(template, x0 - edge, y0, x0 + edge, y1),
            _mm_box(template, x1 - edge, y0, x1 + edge, y1),
            _mm_box(template, x0, y0 - edge, x1, y0 + edge),
            _mm_box(template, x0, y1 - edge, x1, y1 + edge),
        )
        frames.append(
            tuple((rows, columns, int(ink[rows, columns].sum())) for rows, columns in strips)
        )
    return _Expected(ink, int(ink.sum()), allowed, tuple(frames))


def _verdict(aligned: Page, template: FormTemplate) -> tuple[float, float, float]:
    """How the page compares with the blank form: the share of its printed lines found on
    the page, the share of the page's ink that is stray (away from the print and the
    fields), and the share of fields whose four frame edges are all where they should be.

    The last tells another version of the form from this one: moved boxes still share most
    of their long lines with the right ones, but not their ends.
    """
    expected = _expected(template)
    ink = _ink(aligned) > 0
    near = cv2.dilate(ink.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    found = near & expected.lines
    match = float(found.sum()) / max(expected.total, 1)
    stray = float((ink & ~expected.allowed).sum()) / max(int(ink.sum()), 1)
    framed = sum(
        all(
            float(found[rows, columns].sum()) >= _MIN_EDGE * total for rows, columns, total in frame
        )
        for frame in expected.frames
    )
    return match, stray, framed / max(len(expected.frames), 1)


def _page_size(template: FormTemplate) -> tuple[int, int]:
    return round(template.page_mm[0] * PX_PER_MM), round(template.page_mm[1] * PX_PER_MM)


def _warp(
    page: Page, matrix: Matrix, template: FormTemplate, rotated: int, by: AlignedBy
) -> Alignment:
    image = np.asarray(
        cv2.warpPerspective(
            page, matrix, _page_size(template), flags=cv2.INTER_AREA, borderValue=255
        ),
        dtype=np.uint8,
    )
    match, stray, fields = _verdict(image, template)
    return Alignment(image, match, rotated, by, stray, fields)


def _good(alignment: Alignment | None) -> bool:
    return (
        alignment is not None
        and alignment.match >= _MIN_MATCH
        and (alignment.stray <= _MAX_STRAY and alignment.fields >= _MIN_FIELDS)
    )


def _template_points(marks: RegistrationMarks) -> npt.NDArray[np.float32]:
    centres = sorted(marks.centers_mm, key=lambda c: (c[1], c[0]))
    top = sorted(centres[:2])
    bottom = sorted(centres[2:])
    return np.array([*top, *bottom], dtype=np.float32) * PX_PER_MM


def _align_by_marks(
    page: Page, template: FormTemplate, marks: RegistrationMarks
) -> Alignment | None:
    target = _template_points(marks)
    best: Alignment | None = None
    turns = (0, 1) if page.shape[0] >= page.shape[1] else (1, 3)
    for quarter in turns:
        turned = np.ascontiguousarray(np.rot90(page, -quarter)) if quarter else page
        found = _find_marks(turned, template, marks)
        if found is None:
            continue
        for flip, order in ((0, found), (180, found[::-1].copy())):
            # Upside down, the page's top-left mark is the template's bottom-right one.
            matrix = np.asarray(cv2.getPerspectiveTransform(order, target), dtype=np.float64)
            candidate = _warp(turned, matrix, template, (quarter * 90 + flip) % 360, "marks")
            if best is None or candidate.match > best.match:
                best = candidate
    return best


def _turn_of(matrix: Matrix, page: Page) -> int:
    """How far (0, 90, 180, 270° clockwise) ``matrix`` turns the page to make it upright."""
    height, width = page.shape
    ends = np.array([[[width / 2, height / 2]], [[width / 2 + 100, height / 2]]])
    (start,), (end,) = cv2.perspectiveTransform(ends, matrix)
    degrees = float(np.degrees(np.arctan2(end[1] - start[1], end[0] - start[0])))
    return round(degrees / 90) % 4 * 90


def _align_by_content(page: Page, template: FormTemplate) -> Alignment | None:
    best: Alignment | None = None
    height, width = page.shape
    # Page pixels → the same page turned 180°, whose keypoints sit on other pyramid pixels.
    half_turn = np.array([[-1.0, 0.0, width - 1.0], [0.0, -1.0, height - 1.0], [0, 0, 1]])
    for turned in (False, True):
        source = np.ascontiguousarray(page[::-1, ::-1]) if turned else page
        matrix = content_transform(source, template, px_per_mm=PX_PER_MM)
        if matrix is None:
            continue
        if turned:
            matrix = matrix @ half_turn
        candidate = _warp(page, matrix, template, _turn_of(matrix, page), "content")
        if best is None or (_good(candidate), candidate.match) > (_good(best), best.match):
            best = candidate
        if _good(best):
            # The keypoints know their orientation, so an upside-down page aligns on the
            # first try; the turned page is a second chance, not a competing answer.
            break
    return best


def align_page(page: Page, template: FormTemplate, *, name: str = "page") -> Alignment:
    """The page warped upright onto the template at :data:`PX_PER_MM`.

    Aligns on the registration marks when the template has them and they are found and lead
    to the form, else on the printed content. Raises :class:`FormNotRecognised` (naming
    ``name`` and the reason) when neither finds the form's printed lines in any orientation.
    """
    by_marks = None
    if template.marks is not None:
        by_marks = _align_by_marks(page, template, template.marks)
        if by_marks is not None and _good(by_marks):
            return by_marks
    by_content = _align_by_content(page, template)
    candidates = [a for a in (by_marks, by_content) if a is not None]
    if not candidates:
        marks = "no registration marks, and " if template.marks is not None else ""
        raise FormNotRecognised(
            f"{name}: {marks}the printed content of the {template.title} is not on this page"
        )
    best = max(candidates, key=lambda a: (_good(a), a.match))
    if best.match < _MIN_MATCH:
        raise FormNotRecognised(
            f"{name}: does not look like the {template.title} (printed lines match "
            f"{best.match:.0%})"
        )
    if best.fields < _MIN_FIELDS:
        raise FormNotRecognised(
            f"{name}: does not look like the {template.title} (the boxes of "
            f"{1 - best.fields:.0%} of its fields are not where the form has them)"
        )
    if best.stray > _MAX_STRAY:
        raise FormNotRecognised(
            f"{name}: does not look like the {template.title} ({best.stray:.0%} of the ink "
            f"lies away from the form's print and fields)"
        )
    return best
