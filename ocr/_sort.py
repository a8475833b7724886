"""仕分け: assign each page of a mixed batch to its form, keep multi-page documents together.

A counter receives a bundle of different forms at once. Each page is, in order:

1. **blank** — no ink beyond scanner noise once the page is averaged down to a few pixels
   per mm (specks and grain vanish, a pen stroke does not): dropped with the note 「白紙のページ」;
2. **ranked** against every form page cheaply: ORB keypoints of the page at low resolution
   matched to those of each blank and counted where one rotation, scale and shift agrees
   (keypoints carry their orientation, so a page upside down ranks like an upright one);
3. **aligned** (:func:`~ocr._align.align_page`: marks, else printed content, with its
   verdict) on the best-ranked form and on any other ranked nearly as well — alignment is
   the expensive step, the ranking decides where it is worth trying;
4. assigned to the form whose verdict passes, with its score; when none passes, or two pass
   with scores too close to call, the page is **未仕分け** (unsorted) with the reason. A page is
   never silently given to the wrong form: the verdict, not the ranking, decides.

A form may have several pages (:class:`FormDocument`); its pages are grouped in order into
documents. A continuation page that does not follow the page before it of the same form
(its first page missing, or another form in between) is unsorted with the reason, so it is
never glued to the wrong document. Blank pages (the back of a duplex scan) do not break a
document.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

from core.errors import ConfigError, FormNotRecognised
from ocr._align import Alignment, _find_marks, align_page
from ocr._pages import Page, load_pages
from ocr._render import render_blank
from ocr._template import FormTemplate

__all__ = [
    "BLANK_NOTE",
    "FormDocument",
    "Outcome",
    "PageSort",
    "SortResult",
    "SortedDocument",
    "load_batch",
    "sort_pages",
]

log = logging.getLogger(__name__)

Outcome = Literal["form", "blank", "unsorted"]
BLANK_NOTE = "白紙のページ"

_BLANK_PX_PER_MM = 4.0  # a pen stroke (0.3 mm+) stays dark, a speck averages away
_BLANK_MARGIN_MM = 6.0  # scanner edges and punch holes are not ink
_INK_BELOW_PAPER = 60  # grey levels darker than the paper's to count as ink (faint print too)
#: Spread of grey levels (at 4 px/mm) above which a page is not plain paper, ink or not: a
#: page of noise, a photo. Blank paper with scanner grain and JPEG stays under 5.
_PLAIN_PAPER_STD = 12.0
_SPECK_PX = 3  # a blot this small (under 0.2 mm²) at 4 px/mm is dust, not writing
#: Ink (in pixels at 4 px/mm, past the specks) a blank page may carry: about 2 mm², less
#: than one short pen stroke.
_BLANK_INK_PX = 32

_RANK_PX_PER_MM = 2.5
_RANK_FEATURES = 1500
_RANK_RATIO = 0.8
_RANK_SCALE = (0.7, 1.4)
#: Keypoints agreeing on one placement below which a form is not worth aligning: a page of
#: the form has 60 or more at this resolution, a page of another form or of noise a few.
_RANK_FLOOR = 10
#: Forms ranked at least this share of the best one's count are aligned too (another
#: version of the same form shares most of its print).
_RANK_CLOSE = 0.5
_MAX_TRIES = 3
#: Two forms whose verdicts pass with scores closer than this are not told apart.
_CLOSE_SCORE = 0.05


@dataclass(frozen=True)
class FormDocument:
    """A form of one or more pages: ``pages[0]`` is its first page's template, each next
    template the page that follows. ``name`` identifies the form (default: the first
    page's template name)."""

    pages: tuple[FormTemplate, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if not self.pages:
            raise ConfigError("a form document needs at least one page template")
        if not self.name:
            object.__setattr__(self, "name", self.pages[0].name)

    @property
    def title(self) -> str:
        """The form's printed title (its first page's)."""
        return self.pages[0].title


@dataclass(frozen=True)
class PageSort:
    """Where one page of the batch went.

    ``outcome`` is ``form`` (``form`` is the form's name, ``page`` its page number in that
    form, ``rotation`` how far the scan was turned, ``score`` how well it matched),
    ``blank`` (``reason`` is :data:`BLANK_NOTE`) or ``unsorted`` (``reason`` says why).
    ``alignment`` is the aligned page, so the reader need not align it again.
    """

    index: int
    source: str
    outcome: Outcome
    form: str | None = None
    page: int = 0
    template: str | None = None
    rotation: int = 0
    score: float = 0.0
    reason: str = ""
    alignment: Alignment | None = field(default=None, repr=False, compare=False)

    def describe(self) -> str:
        """One line for a person: page → form, 白紙 or 未仕分け with the reason."""
        if self.outcome == "form":
            return (
                f"{self.source} → {self.form} p{self.page} "
                f"(score {self.score:.2f}, turned {self.rotation}°)"
            )
        if self.outcome == "blank":
            return f"{self.source} → 白紙 ({self.reason})"
        return f"{self.source} → 未仕分け: {self.reason}"


@dataclass(frozen=True)
class SortedDocument:
    """The pages (batch indexes, in order) of one filled-in form; ``complete`` when it has
    every page its form has."""

    form: str
    pages: tuple[int, ...]
    complete: bool


@dataclass(frozen=True)
class SortResult:
    """Every page's outcome (in batch order) and the documents the assigned pages form."""

    pages: tuple[PageSort, ...]
    documents: tuple[SortedDocument, ...]
    seconds: float

    @property
    def blank(self) -> tuple[PageSort, ...]:
        """The pages dropped as blank."""
        return tuple(p for p in self.pages if p.outcome == "blank")

    @property
    def unsorted(self) -> tuple[PageSort, ...]:
        """The pages for the 未仕分け tray, each with its reason."""
        return tuple(p for p in self.pages if p.outcome == "unsorted")


# --- blank pages -----------------------------------------------------------------------


def _is_blank(page: Page, page_mm: tuple[float, float]) -> bool:
    height, width = page.shape
    factor = _BLANK_PX_PER_MM * max(page_mm) / max(height, width)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    small = np.asarray(cv2.resize(page, size, interpolation=cv2.INTER_AREA), dtype=np.int16)
    margin = round(_BLANK_MARGIN_MM * _BLANK_PX_PER_MM)
    inner = small[margin:-margin, margin:-margin] if min(small.shape) > 4 * margin else small
    if float(inner.std()) > _PLAIN_PAPER_STD:
        return False
    paper = int(np.percentile(inner, 90))  # recycled paper or a grey scan is not ink
    ink = (inner < paper - _INK_BELOW_PAPER).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    areas = stats[1:count, cv2.CC_STAT_AREA]
    return int(areas[areas >= _SPECK_PX].sum()) < _BLANK_INK_PX


# --- ranking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keys:
    points: npt.NDArray[np.float32]
    descriptors: npt.NDArray[np.uint8]


_RANK_BLANKS: dict[str, _Keys] = {}


def _orb() -> cv2.ORB:
    return cv2.ORB.create(
        nfeatures=_RANK_FEATURES,
        scaleFactor=1.2,
        nlevels=5,
        edgeThreshold=15,
        patchSize=15,
        fastThreshold=10,
    )


def _keys(image: Page) -> _Keys:
    keypoints, descriptors = _orb().detectAndCompute(image, None)
    points = np.array([k.pt for k in keypoints], dtype=np.float32).reshape(-1, 2)
    if descriptors is None:
        descriptors = np.zeros((0, 32), dtype=np.uint8)
    return _Keys(points, np.asarray(descriptors, dtype=np.uint8))


def _blank_keys(template: FormTemplate) -> _Keys:
    key = template.model_dump_json(include={"page_mm", "blank", "marks", "texts", "fields"})
    if key not in _RANK_BLANKS:
        if len(_RANK_BLANKS) >= 64:
            _RANK_BLANKS.clear()
        grey = np.asarray(render_blank(template, px_per_mm=_RANK_PX_PER_MM), dtype=np.uint8)
        _RANK_BLANKS[key] = _keys(grey)
    return _RANK_BLANKS[key]


def _page_keys(page: Page, page_mm: tuple[float, float]) -> _Keys:
    height, width = page.shape
    factor = _RANK_PX_PER_MM * max(page_mm) / max(height, width)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return _keys(np.asarray(cv2.resize(page, size, interpolation=cv2.INTER_AREA), dtype=np.uint8))


def _agreeing(page: _Keys, blank: _Keys) -> int:
    """How many of the page's keypoints match the blank's under one similarity transform."""
    if len(page.points) < 4 or len(blank.points) < 4:
        return 0
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(page.descriptors, blank.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < _RANK_RATIO * p[1].distance]
    if len(good) < 4:
        return 0
    source = np.array([page.points[m.queryIdx] for m in good], dtype=np.float32)
    target = blank.points[[m.trainIdx for m in good]]
    affine, inliers = cv2.estimateAffinePartial2D(
        source, target, method=cv2.RANSAC, ransacReprojThreshold=3.0, maxIters=2000
    )
    if affine is None or inliers is None:
        return 0
    scale = float(np.hypot(affine[0, 0], affine[1, 0]))
    if not 1 / _RANK_SCALE[1] <= scale <= 1 / _RANK_SCALE[0]:
        return 0
    return int(inliers.sum())


def _has_marks(page: Page, template: FormTemplate) -> bool:
    return template.marks is not None and _find_marks(page, template, template.marks) is not None


# --- sorting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    document: FormDocument
    number: int  # 1-based page of the document
    template: FormTemplate


def _slots(forms: Iterable[FormTemplate | FormDocument]) -> list[_Slot]:
    slots: list[_Slot] = []
    names: set[str] = set()
    for form in forms:
        document = form if isinstance(form, FormDocument) else FormDocument((form,))
        if document.name in names:
            raise ConfigError(f"two forms called {document.name!r} in one sorting")
        names.add(document.name)
        slots.extend(
            _Slot(document, number, template)
            for number, template in enumerate(document.pages, start=1)
        )
    if not slots:
        raise ConfigError("sorting needs at least one form")
    return slots


def _score(alignment: Alignment) -> float:
    """How well the page is this form: its printed lines found, less the stray ink."""
    return alignment.match * (1.0 - alignment.stray)


def _label(slot: _Slot) -> str:
    if len(slot.document.pages) == 1:
        return slot.document.name
    return f"{slot.document.name} p{slot.number}"


def _sort_one(index: int, source: str, page: Page, slots: Sequence[_Slot]) -> PageSort:
    page_mm = slots[0].template.page_mm
    if _is_blank(page, page_mm):
        return PageSort(index, source, "blank", reason=BLANK_NOTE)
    keys: dict[tuple[float, float], _Keys] = {}
    ranks = []
    for slot in slots:
        size = slot.template.page_mm
        if size not in keys:
            keys[size] = _page_keys(page, size)
        ranks.append((_agreeing(keys[size], _blank_keys(slot.template)), slot))
    ranks.sort(key=lambda r: -r[0])
    best_rank = ranks[0][0]
    tries = [
        slot
        for count, slot in ranks[:_MAX_TRIES]
        if count >= _RANK_FLOOR and count >= _RANK_CLOSE * best_rank
    ]
    if not tries:
        # A marked form whose print ranked nowhere (faint, or mostly written over) is still
        # worth aligning when its marks are on the page: they are found without keypoints.
        tries = [s for _, s in ranks if _has_marks(page, s.template)][:1]
    if not tries:
        return PageSort(
            index,
            source,
            "unsorted",
            reason="どの様式の印刷内容も見つかりません（no form's printed content on this page）",
        )
    passed: list[tuple[float, _Slot, Alignment]] = []
    refusals: list[str] = []
    for slot in tries:
        try:
            alignment = align_page(page, slot.template, name=source)
        except FormNotRecognised as exc:
            refusals.append(exc.message.removeprefix(f"{source}: "))
            continue
        passed.append((_score(alignment), slot, alignment))
    if not passed:
        return PageSort(
            index, source, "unsorted", reason="どの様式とも一致しません: " + "; ".join(refusals)
        )
    passed.sort(key=lambda p: -p[0])
    score, slot, alignment = passed[0]
    if len(passed) > 1 and score - passed[1][0] < _CLOSE_SCORE:
        other = passed[1]
        return PageSort(
            index,
            source,
            "unsorted",
            score=score,
            reason=(
                f"複数の様式に一致し判別できません: {_label(slot)} ({score:.2f}) と "
                f"{_label(other[1])} ({other[0]:.2f})"
            ),
        )
    return PageSort(
        index,
        source,
        "form",
        form=slot.document.name,
        page=slot.number,
        template=slot.template.name,
        rotation=alignment.rotated,
        score=score,
        alignment=alignment,
    )


def _group(
    sorted_pages: list[PageSort], sizes: dict[str, int]
) -> tuple[list[PageSort], list[SortedDocument]]:
    """Pages of multi-page forms grouped in order; a continuation page out of place is
    unsorted."""
    documents: list[SortedDocument] = []
    out: list[PageSort] = []
    open_form: str | None = None
    open_pages: list[int] = []

    def close() -> None:
        nonlocal open_form, open_pages
        if open_form is not None:
            complete = len(open_pages) == sizes[open_form]
            documents.append(SortedDocument(open_form, tuple(open_pages), complete))
        open_form, open_pages = None, []

    for result in sorted_pages:
        if result.outcome == "blank":
            out.append(result)
            continue
        if result.outcome == "unsorted":
            close()
            out.append(result)
            continue
        assert result.form is not None
        if result.page == 1:
            close()
            open_form, open_pages = result.form, [result.index]
        elif open_form == result.form and len(open_pages) == result.page - 1:
            open_pages.append(result.index)
        else:
            close()
            out.append(
                PageSort(
                    result.index,
                    result.source,
                    "unsorted",
                    score=result.score,
                    rotation=result.rotation,
                    reason=(
                        f"{result.form} の {result.page} ページ目ですが、"
                        f"{result.page - 1} ページ目の後にありません"
                    ),
                )
            )
            continue
        out.append(result)
        if len(open_pages) == sizes[result.form]:
            close()
    close()
    return out, documents


def sort_pages(
    pages: Iterable[tuple[str, Page]], forms: Iterable[FormTemplate | FormDocument]
) -> SortResult:
    """Assign each page of a mixed batch to one of ``forms`` (a template is a one-page form;
    a :class:`FormDocument` lists the templates of a form's pages).

    ``pages`` are (source name, greyscale image) in batch order, e.g. from
    :func:`load_batch`. Every page comes back once, in order: assigned to a form (with its
    page number, rotation and score), blank (note :data:`BLANK_NOTE`) or unsorted with the
    reason — no form passed the alignment verdict, two passed too closely to call, or a
    continuation page is out of place. Raises :class:`ConfigError` for no forms or two
    forms of one name.
    """
    started = time.perf_counter()
    slots = _slots(forms)
    sizes = {s.document.name: len(s.document.pages) for s in slots}
    results = []
    for index, (source, page) in enumerate(pages):
        began = time.perf_counter()
        result = _sort_one(index, source, page, slots)
        log.info(
            "sorted page %d: %s %s (%.2f s)",
            index,
            result.outcome,
            result.form or "",
            time.perf_counter() - began,
        )
        results.append(result)
    grouped, documents = _group(results, sizes)
    return SortResult(tuple(grouped), tuple(documents), time.perf_counter() - started)


def load_batch(paths: Iterable[Path]) -> list[tuple[str, Page]]:
    """The pages of the files at ``paths``, in order, named ``file.pdf`` or ``file.pdf p2``.

    Raises :class:`~core.errors.InvalidInput` naming a file that cannot be read.
    """
    batch: list[tuple[str, Page]] = []
    for path in paths:
        loaded = load_pages(Path(path))
        for number, page in enumerate(loaded, start=1):
            batch.append((path.name if len(loaded) == 1 else f"{path.name} p{number}", page))
    return batch
