"""What is printed on a blank form, found in its image: ruled cells, rows of digit boxes,
check boxes, and the lines of printed text (by ink, before any recognition).

All positions come out in mm from the page's top-left corner. The page is worked on at
:data:`PX_PER_MM` (300 dpi), so every size below is a size on paper:

* **Ruled lines**: runs of ink at least :data:`_LINE_MM` long, horizontal or vertical
  (a morphological opening); glyph strokes of body text are shorter.
* **Cells**: the white areas the ruled lines close (the outside of a table is not one).
* **Boxes**: small cells of equal size side by side in a row (個人番号 in 12, 郵便番号 in 7);
  a small square cell on its own is a **check box**, and so is a hollow printed □.
* **Text lines**: the remaining ink, joined along the line, and split where a ruled line
  or a check box stands between.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from ocr._pages import Page

__all__ = ["PX_PER_MM", "Layout", "Rect", "TextLine", "find_layout"]

PX_PER_MM = 300 / 25.4
_LINE_MM = 4.5  # a ruled line is at least this long; body-text strokes are shorter
_MIN_CELL_MM = 2.5
_BOX_MAX_MM = (12.0, 15.0)  # a digit box is at most this wide and high
_SQUARE_MM = (2.8, 7.0)  # a check box's side
_SAME_EDGE_MM = 0.8
_JOIN_MM = (1.0, 0.8)  # ink closer than this (across, down) is one piece of text
_FLANK_MM = 0.8
_LONG_MM = 8.0  # a ruled line this long is part of a table whatever it touches
_LINE_GAP = 2.5  # pieces further apart than this many text heights are separate lines


@dataclass(frozen=True)
class Rect:
    """A rectangle on the page in mm (left, top, right, bottom)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def contains(self, x: float, y: float) -> bool:
        """Whether the point lies inside."""
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1

    def v_overlap(self, other: Rect) -> float:
        """Their shared height as a share of the lower of the two."""
        shared = min(self.y1, other.y1) - max(self.y0, other.y0)
        return max(0.0, shared) / max(min(self.height, other.height), 1e-6)

    def union(self, other: Rect) -> Rect:
        return Rect(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )


@dataclass
class TextLine:
    """A line of printed text: its box, the boxes of its pieces of ink (glyphs, or the dot
    of ・), and — once read — its text with each character's x position in mm."""

    rect: Rect
    parts: list[Rect]
    text: str = ""
    char_x: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Layout:
    """Everything found on the page."""

    page_mm: tuple[float, float]
    cells: tuple[Rect, ...]  # ruled cells, boxes excluded
    runs: tuple[tuple[Rect, ...], ...]  # rows of equal boxes, left to right
    squares: tuple[Rect, ...]  # check boxes
    lines: tuple[TextLine, ...]


def _mm(x: float, y: float, w: float, h: float) -> Rect:
    return Rect(x / PX_PER_MM, y / PX_PER_MM, (x + w) / PX_PER_MM, (y + h) / PX_PER_MM)


def _ink(grey: Page) -> npt.NDArray[np.uint8]:
    # Otsu for a scanned blank; never above 160, so a grey background is not ink.
    otsu, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return (grey < min(float(otsu), 160.0)).astype(np.uint8)


def _ruled(ink: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    length = round(_LINE_MM * PX_PER_MM)
    bridge = round(0.5 * PX_PER_MM)  # a scanned line may break for a pixel or two
    found = np.zeros_like(ink)
    for size, bridge_size in (((length, 1), (bridge, 1)), ((1, length), (1, bridge))):
        closed = cv2.morphologyEx(
            ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, bridge_size)
        )
        found |= np.asarray(
            cv2.morphologyEx(
                closed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, size)
            ),
            dtype=np.uint8,
        )
    return found


def _cells(ruled: npt.NDArray[np.uint8]) -> list[Rect]:
    grown = cv2.dilate(ruled, np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(
        (1 - grown).astype(np.uint8), connectivity=4
    )
    height, width = ruled.shape
    pad = 1.5  # px: back out to the middle of the ruled line the dilation ate into
    cells = []
    for index in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[index])
        if x == 0 or y == 0 or x + w >= width or y + h >= height:
            continue  # the white around the table, not a cell
        if min(w, h) < _MIN_CELL_MM * PX_PER_MM or area < 0.8 * w * h:
            continue
        cells.append(_mm(x - pad, y - pad, w + 2 * pad, h + 2 * pad))
    return sorted(cells, key=lambda r: (round(r.y0), r.x0))


def _is_small(cell: Rect) -> bool:
    return (
        cell.width <= _BOX_MAX_MM[0]
        and cell.height <= _BOX_MAX_MM[1]
        and (cell.width <= 1.3 * cell.height)
    )


def _is_square(cell: Rect) -> bool:
    low, high = _SQUARE_MM
    return (
        low <= cell.width <= high
        and low <= cell.height <= high
        and (0.75 <= cell.width / cell.height <= 1.33)
    )


def _runs(cells: list[Rect]) -> tuple[list[Rect], list[list[Rect]], list[Rect]]:
    """Split cells into ordinary cells, rows of equal boxes and lone check-box squares."""
    small = sorted((c for c in cells if _is_small(c)), key=lambda r: (r.y0, r.x0))
    runs: list[list[Rect]] = []
    for cell in sorted(small, key=lambda r: r.x0):
        for run in runs:
            last = run[-1]
            if (
                abs(cell.y0 - last.y0) < _SAME_EDGE_MM
                and abs(cell.y1 - last.y1) < _SAME_EDGE_MM
                and abs(cell.x0 - last.x1) < _SAME_EDGE_MM
                and abs(cell.width - last.width) < 0.25 * last.width
            ):
                run.append(cell)
                break
        else:
            runs.append([cell])
    rows = [run for run in runs if len(run) >= 2]
    squares = [run[0] for run in runs if len(run) == 1 and _is_square(run[0])]
    taken = {id(c) for run in rows for c in run} | {id(c) for c in squares}
    ordinary = [c for c in cells if id(c) not in taken]
    return ordinary, sorted(rows, key=lambda r: (r[0].y0, r[0].x0)), squares


def _hollow_squares(ink: npt.NDArray[np.uint8]) -> list[tuple[Rect, tuple[int, int, int, int]]]:
    """Printed □ characters: a square outline, nothing inside."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    low, high = (side * PX_PER_MM for side in _SQUARE_MM)
    found = []
    for index in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[index])
        if not (low <= w <= high and low <= h <= high and 0.85 <= w / h <= 1.18):
            continue
        patch = ink[y : y + h, x : x + w]
        band = max(2, round(min(w, h) * 0.2))
        inner = patch[band:-band, band:-band]
        if inner.size == 0 or inner.mean() > 0.02 or area > 0.45 * w * h:
            continue
        sides = (
            patch[:band].any(axis=0),
            patch[-band:].any(axis=0),
            patch[:, :band].any(axis=1),
            patch[:, -band:].any(axis=1),
        )
        if min(float(side.mean()) for side in sides) < 0.9:
            continue
        # 口 is as hollow as □ but drawn with the font's stroke, twice as thick, and sits
        # between the other glyphs of its word.
        if area / (2 * (w + h)) > 0.07 * max(w, h):
            continue
        near = round(_FLANK_MM * PX_PER_MM)
        left = ink[y : y + h, max(0, x - near) : x].any()
        right = ink[y : y + h, x + w : x + w + near].any()
        if left and right:
            continue
        found.append((_mm(x, y, w, h), (x, y, w, h)))
    return found


def _text_lines(
    ink: npt.NDArray[np.uint8], walls: list[Rect], *, grown_mm: tuple[float, float]
) -> list[TextLine]:
    """Group the ink left after ruled lines and check boxes into lines of text.

    ``ink`` was widened by ``grown_mm`` (across, down) on each side to join the strokes of a
    glyph and glyphs of a word; ``walls`` are the check boxes: text never runs across one.
    """
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    parts = []
    gx, gy = grown_mm
    for i in range(1, count):
        if stats[i][4] < 4:  # specks of a scan
            continue
        r = _mm(*(float(v) for v in stats[i][:4]))
        parts.append(
            Rect(
                r.x0 + gx,
                r.y0 + gy,
                max(r.x1 - gx, r.x0 + gx + 0.1),
                max(r.y1 - gy, r.y0 + gy + 0.1),
            )
        )
    parent = list(range(len(parts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(parts):
        for j in range(i + 1, len(parts)):
            b = parts[j]
            left, right = (a, b) if a.x0 <= b.x0 else (b, a)
            gap = right.x0 - left.x1
            if left.v_overlap(right) < 0.5 or gap > _LINE_GAP * max(a.height, b.height, 1.0):
                continue
            if any(
                w.x0 >= left.x1 - 0.1 and w.x1 <= right.x0 + 0.1 and w.v_overlap(right) > 0.5
                for w in walls
            ):
                continue
            parent[root(i)] = root(j)
    groups: dict[int, list[Rect]] = {}
    for i, part in enumerate(parts):
        groups.setdefault(root(i), []).append(part)
    return [_line(members) for members in groups.values()]


def _line(parts: list[Rect]) -> TextLine:
    rect = parts[0]
    for part in parts[1:]:
        rect = rect.union(part)
    return TextLine(rect=rect, parts=sorted(parts, key=lambda r: r.x0))


def _split_at_walls(lines: list[TextLine], walls: list[Rect]) -> list[TextLine]:
    """Lines never cross a ruled cell's edge: split a line where a cell boundary lies."""
    result: list[TextLine] = []
    for line in lines:
        groups: dict[int, list[Rect]] = {}
        for part in line.parts:
            key = next((i for i, w in enumerate(walls) if w.contains(part.cx, part.cy)), -1)
            groups.setdefault(key, []).append(part)
        result.extend(_line(parts) for parts in groups.values())
    return sorted(result, key=lambda t: (t.rect.y0, t.rect.x0))


def _table_lines(ruled: npt.NDArray[np.uint8], frames: list[Rect]) -> npt.NDArray[np.uint8]:
    """The ruled lines of the table: long ones, and short ones on the edge of a cell or box.
    A short one elsewhere is a stroke of large print (the frame of 国 in a title)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ruled, connectivity=8)
    keep = np.zeros(count, dtype=np.uint8)
    for index in range(1, count):
        x, y, w, h = (int(v) for v in stats[index][:4])
        if max(w, h) >= _LONG_MM * PX_PER_MM:
            keep[index] = 1
            continue
        r = _mm(x, y, w, h)
        near = 1.0
        keep[index] = any(
            f.x0 - near <= r.x0
            and r.x1 <= f.x1 + near
            and f.y0 - near <= r.y0
            and r.y1 <= f.y1 + near
            for f in frames
        )
    return np.asarray(keep[labels], dtype=np.uint8)


def find_layout(grey: Page) -> Layout:
    """The cells, boxes, check boxes and text lines of a blank form drawn at
    :data:`PX_PER_MM` (dark print on white)."""
    ink = _ink(grey)
    ruled = _ruled(ink)
    cells, runs, squares = _runs(_cells(ruled))
    frames = [*cells, *(box for run in runs for box in run), *squares]
    table = np.asarray(
        cv2.dilate(_table_lines(ruled, frames), np.ones((5, 5), np.uint8)), dtype=np.uint8
    )
    text_ink = ink & (1 - table)
    glyph_squares = _hollow_squares(text_ink)
    for _, (x, y, w, h) in glyph_squares:
        text_ink[y : y + h, x : x + w] = 0
    squares += [rect for rect, _ in glyph_squares]
    across, down = (round(mm * PX_PER_MM) | 1 for mm in _JOIN_MM)
    joined = np.asarray(
        cv2.dilate(text_ink, cv2.getStructuringElement(cv2.MORPH_RECT, (across, down))),
        dtype=np.uint8,
    )
    grown = (across // 2 / PX_PER_MM, down // 2 / PX_PER_MM)
    pieces = _text_lines(joined, squares, grown_mm=grown)
    containers = [*cells, *(box for run in runs for box in run), *squares]
    # A speck on its own (a stray dot, a scanner's dust) is no text.
    lines = [
        t for t in _split_at_walls(pieces, containers) if max(t.rect.width, t.rect.height) >= 1.0
    ]
    height, width = grey.shape
    return Layout(
        page_mm=(width / PX_PER_MM, height / PX_PER_MM),
        cells=tuple(cells),
        runs=tuple(tuple(run) for run in runs),
        squares=tuple(sorted(squares, key=lambda r: (r.y0, r.x0))),
        lines=tuple(lines),
    )
