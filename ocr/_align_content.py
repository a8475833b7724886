"""Find where a scan lies on its blank form by the printed content, without registration marks.

A city's own forms (laid out in Excel and printed) have no marks to align on, so the scan is
matched to the blank form's own drawing in two passes, both at :data:`_PX_PER_MM`:

1. Coarse: ORB keypoints of the page matched to those of the blank (Hamming distance, ratio
   test) and a similarity transform (rotation, scale, shift) fitted by RANSAC. ORB keypoints
   carry their orientation, so a page upside down or turned a quarter comes out of the same
   pass; a similarity has too few degrees of freedom to be fooled by a few wrong matches.
2. Fine: patches of the blank where printed lines cross or text stands (never inside a
   field, where the handwriting goes) are looked for in the coarsely warped page by
   normalised cross-correlation within a few mm, and a homography fitted to where they are
   found (RANSAC) takes out the skew and what error the coarse pass left, to a fraction of a
   millimetre.

The blank's keypoints and patches are computed once per template. Whether the result is
this form at all is for the caller to judge (the printed lines must be there).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from ocr._pages import Page
from ocr._render import render_blank
from ocr._template import FormTemplate

__all__ = ["Matrix", "content_transform"]

Matrix = npt.NDArray[np.float64]

_PX_PER_MM = 4.0  # both passes run at about 100 dpi: text labels are still 10–17 px high
_FEATURES = 3000
_RATIO = 0.8
_MIN_INLIERS = 25  # keypoints that agree on one placement; a real scan has 90 or more
_SCALE_RANGE = (0.75, 1.33)  # the scan's size relative to the page it claims to be
_PATCH_MM = 12.0
_SEARCH_MM = 4.0  # the coarse pass is off by under 1 mm; repeated boxes are 5 mm apart
_CELL_MM = 18.0
_MIN_PEAK = 0.5
_MIN_PATCHES = 12
_INSET_MM = 0.6  # a field's inside, where handwriting is, starts past its frame


@dataclass(frozen=True)
class _Blank:
    image: npt.NDArray[np.float32]  # blurred blank at _PX_PER_MM, for the patches
    mask: npt.NDArray[np.uint8]  # 0 inside the fields, where the handwriting goes
    points: npt.NDArray[np.float32]
    descriptors: npt.NDArray[np.uint8]
    patches: tuple[tuple[int, int], ...]  # top-left corners of the patches to look for


_BLANKS: dict[str, _Blank] = {}


def _orb() -> cv2.ORB:
    return cv2.ORB.create(
        nfeatures=_FEATURES,
        scaleFactor=1.2,
        nlevels=6,
        edgeThreshold=19,
        patchSize=19,
        fastThreshold=12,
    )


def _blank(template: FormTemplate) -> _Blank:
    key = template.model_dump_json(include={"page_mm", "blank", "marks", "texts", "fields"})
    if key not in _BLANKS:
        _BLANKS[key] = _prepare_blank(template)
    return _BLANKS[key]


def _prepare_blank(template: FormTemplate) -> _Blank:
    grey = np.asarray(render_blank(template, px_per_mm=_PX_PER_MM), dtype=np.uint8)
    keypoints, descriptors = _orb().detectAndCompute(grey, None)
    points = np.array([k.pt for k in keypoints], dtype=np.float32).reshape(-1, 2)
    if descriptors is None:
        descriptors = np.zeros((0, 32), dtype=np.uint8)
    blurred = np.asarray(cv2.GaussianBlur(grey.astype(np.float32), (0, 0), 1.0), dtype=np.float32)
    mask = np.ones(grey.shape, dtype=np.uint8)
    inset = _INSET_MM
    for spec in template.fields:
        x0, y0 = round((spec.x_mm + inset) * _PX_PER_MM), round((spec.y_mm + inset) * _PX_PER_MM)
        x1 = round((spec.x_mm + spec.width_mm - inset) * _PX_PER_MM)
        y1 = round((spec.y_mm + spec.height_mm - inset) * _PX_PER_MM)
        mask[y0:y1, x0:x1] = 0
    return _Blank(
        blurred,
        mask,
        points,
        np.asarray(descriptors, dtype=np.uint8),
        _choose_patches(blurred, mask),
    )


def _choose_patches(
    blank: npt.NDArray[np.float32], mask: npt.NDArray[np.uint8]
) -> tuple[tuple[int, int], ...]:
    """The best-textured patch of each cell of a coarse grid, judged outside the fields."""
    side = round(_PATCH_MM * _PX_PER_MM)
    margin = round(_SEARCH_MM * _PX_PER_MM)
    corners = cv2.cornerMinEigenVal(blank, blockSize=5) * mask
    # A patch's top-left corner is its score's index.
    score = np.asarray(
        cv2.boxFilter(corners, -1, (side, side), normalize=True, anchor=(0, 0)), dtype=np.float32
    )
    visible = np.asarray(
        cv2.boxFilter(mask.astype(np.float32), -1, (side, side), normalize=True, anchor=(0, 0)),
        dtype=np.float32,
    )
    score[visible < 0.5] = 0
    height, width = blank.shape
    score[:margin, :] = 0
    score[:, :margin] = 0
    score[max(0, height - side - margin) :, :] = 0
    score[:, max(0, width - side - margin) :] = 0
    floor = 0.05 * float(score.max()) if score.size else 0.0
    cell = round(_CELL_MM * _PX_PER_MM)
    chosen = []
    for top in range(0, height, cell):
        for left in range(0, width, cell):
            window = score[top : top + cell, left : left + cell]
            if window.size == 0:
                continue
            y, x = np.unravel_index(int(window.argmax()), window.shape)
            if window[y, x] > floor:
                chosen.append((left + int(x), top + int(y)))
    return tuple(chosen)


def _scaled(page: Page, template: FormTemplate) -> tuple[Page, float]:
    """The page at :data:`_PX_PER_MM` (assuming it shows the whole form), and the factor."""
    height, width = page.shape
    factor = _PX_PER_MM * max(template.page_mm) / max(height, width)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    small = np.asarray(cv2.resize(page, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    return small, factor


def _coarse(small: Page, blank: _Blank) -> Matrix | None:
    """A similarity from the small page to the blank, or None if too few keypoints agree."""
    keypoints, descriptors = _orb().detectAndCompute(small, None)
    if descriptors is None or len(keypoints) < _MIN_INLIERS or len(blank.points) < 2:
        return None
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(descriptors, blank.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < _RATIO * p[1].distance]
    if len(good) < _MIN_INLIERS:
        return None
    source = np.array([keypoints[m.queryIdx].pt for m in good], dtype=np.float32)
    target = blank.points[[m.trainIdx for m in good]]
    affine, inliers = cv2.estimateAffinePartial2D(
        source,
        target,
        method=cv2.RANSAC,
        ransacReprojThreshold=3.0,
        maxIters=5000,
        confidence=0.999,
        refineIters=10,
    )
    if affine is None or inliers is None or int(inliers.sum()) < _MIN_INLIERS:
        return None
    scale = float(np.hypot(affine[0, 0], affine[1, 0]))
    if not 1 / _SCALE_RANGE[1] <= scale <= 1 / _SCALE_RANGE[0]:
        return None
    return np.vstack([affine, [0.0, 0.0, 1.0]]).astype(np.float64)


def _peak(result: npt.NDArray[np.float32]) -> tuple[float, float, float]:
    """The best match's place (with sub-pixel parabola fits) and its score."""
    _, best, _, (x, y) = cv2.minMaxLoc(result)
    height, width = result.shape

    def offset(before: float, at: float, after: float) -> float:
        curve = before - 2 * at + after
        return 0.0 if curve >= 0 else 0.5 * (before - after) / curve

    dx = offset(result[y, x - 1], best, result[y, x + 1]) if 0 < x < width - 1 else 0.0
    dy = offset(result[y - 1, x], best, result[y + 1, x]) if 0 < y < height - 1 else 0.0
    return x + dx, y + dy, float(best)


def _refine(small: Page, coarse: Matrix, blank: _Blank) -> Matrix | None:
    """The coarse transform corrected by where the blank's patches are found in the page."""
    height, width = blank.image.shape
    warped = np.asarray(
        cv2.warpPerspective(
            small, coarse, (width, height), flags=cv2.INTER_LINEAR, borderValue=255
        ),
        dtype=np.uint8,
    )
    warped_f = np.asarray(
        cv2.GaussianBlur(warped.astype(np.float32), (0, 0), 1.0), dtype=np.float32
    )
    side = round(_PATCH_MM * _PX_PER_MM)
    search = round(_SEARCH_MM * _PX_PER_MM)
    found, expected = [], []
    for left, top in blank.patches:
        patch = blank.image[top : top + side, left : left + side]
        mask = blank.mask[top : top + side, left : left + side]
        region = warped_f[top - search : top + side + search, left - search : left + side + search]
        if region.shape != (side + 2 * search, side + 2 * search) or float(region.std()) < 1:
            continue
        result = np.asarray(
            cv2.matchTemplate(region, patch, cv2.TM_CCOEFF_NORMED, mask=mask), dtype=np.float32
        )
        # Where the page is blank under the mask the score is 0/0: no match there.
        result = np.nan_to_num(result, nan=-1.0, posinf=-1.0, neginf=-1.0)
        x, y, score = _peak(result)
        if score < _MIN_PEAK:
            continue
        centre = (left + side / 2, top + side / 2)
        found.append((centre[0] + x - search, centre[1] + y - search))
        expected.append(centre)
    if len(found) < _MIN_PATCHES:
        return None
    correction, inliers = cv2.findHomography(
        np.array(found, dtype=np.float32),
        np.array(expected, dtype=np.float32),
        cv2.RANSAC,
        1.0,
        maxIters=2000,
        confidence=0.999,
    )
    if correction is None or inliers is None or int(inliers.sum()) < _MIN_PATCHES:
        return None
    # The patches were looked for within `search` pixels: a correction that moves a corner
    # of the page further was fitted to patches in a line, or to a repeated pattern.
    corners = np.array([[[0, 0]], [[width, 0]], [[0, height]], [[width, height]]], dtype=np.float64)
    moved = cv2.perspectiveTransform(corners, correction) - corners
    if float(np.abs(moved).max()) > 2 * search:
        return None
    return np.asarray(correction, dtype=np.float64) @ coarse


def content_transform(page: Page, template: FormTemplate, *, px_per_mm: float) -> Matrix | None:
    """The homography from ``page`` pixels to the template's page at ``px_per_mm``.

    ``None`` when the page's printed content does not match the blank form's anywhere (a
    blank page, a photo, another form; a page this form's keypoints can match, but whose
    lines do not, is for the caller to refuse). The transform may turn the page by any angle.
    """
    blank = _blank(template)
    small, factor = _scaled(page, template)
    coarse = _coarse(small, blank)
    if coarse is None:
        return None
    fine = _refine(small, coarse, blank)
    if fine is None:
        return None
    result: Matrix = _scaling(px_per_mm / _PX_PER_MM) @ fine @ _scaling(factor)
    return result


def _scaling(factor: float) -> Matrix:
    # Pixel centres: pixel i covers [i, i + 1), so its centre i + 0.5 is what scales.
    shift = 0.5 * factor - 0.5
    return np.array([[factor, 0.0, shift], [0.0, factor, shift], [0.0, 0.0, 1.0]])
