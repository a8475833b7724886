"""仕分け inside paper intake: the pages of one batch entry sorted against every paper form.

A counter's scan can be a bundle: this run's form, another department's form, a blank back
page, a page of something nobody defined. The entry's pages are sorted (:func:`ocr.sort_pages`)
against the template of every paper scenario (:func:`review._unsorted.paper_forms`) and each
part is written where it will be read:

* a document of this run's form → a new scan among this run's kept scans, read now;
* a document of another paper form → a new file in THAT scenario's inbox, read by its run;
* a blank page → dropped, with the note 白紙 in the batch workbook;
* a page that matches nothing → the 未仕分け tray of the review station, with the reason.

Every written file is named by the SHA-256 of its content (``scan-<16 hex>``), written
atomically and owner-only, and only once every part is where it goes does the entry leave
the batch. A crash in between leaves the entry in the batch: the rerun sorts it again, gets
the same bytes and the same names, and rewriting them changes nothing (the tray and the
other scenario's run know a page by that id). A single-page entry of this run's form takes
the reader's usual path, with its usual document id.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from core.errors import ConfigError, InvalidInput
from review._unsorted import PaperForm, UnsortedTray, page_id_of, paper_forms, write_atomically

if TYPE_CHECKING:
    from flows._batch_files import Entry
    from ocr import FormDocument, SortResult

__all__ = ["COARSE", "MIN_SORT_DPI", "Part", "SortedEntry", "deliver", "sort_entry"]

log = logging.getLogger(__name__)

#: Below this a page's print is too coarse to sort or read reliably: the paper is scanned
#: again (a fax's 200 × 100 dpi still has 200 dpi along the page).
MIN_SORT_DPI = 150
COARSE = "scan-too-coarse"
Page = npt.NDArray[np.uint8]
PartKind = Literal["own", "other", "blank", "unsorted"]


@dataclass(frozen=True)
class Part:
    """One destination of an entry's pages (``pages``: 1-based page numbers in the entry)."""

    kind: PartKind
    part_id: str
    pages: tuple[int, ...]
    data: bytes | None = None
    target: Path | None = None
    form: PaperForm | None = None
    reason: str = ""
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class SortedEntry:
    """Where each part of one entry goes."""

    parts: tuple[Part, ...]
    pages: int

    def summary(self) -> str:
        """One line for the batch workbook: how many pages went where (no names)."""
        counts = {kind: sum(p.kind == kind for p in self.parts) for kind in _KIND_LABELS}
        done = "・".join(f"{_KIND_LABELS[k]} {n}" for k, n in counts.items() if n)
        return f"{self.pages}ページを仕分けました: {done}"


_KIND_LABELS: dict[PartKind, str] = {
    "own": "この様式",
    "other": "他の様式",
    "blank": "白紙",
    "unsorted": "未仕分け",
}


def _png(page: Page) -> bytes:
    ok, encoded = cv2.imencode(".png", page)
    if not ok:
        raise InvalidInput("a page could not be encoded as PNG")
    return encoded.tobytes()


def _document_file(pages: list[Page]) -> tuple[bytes, str]:
    """One page as PNG, several as one multi-page TIFF (both lossless, byte for byte the
    same from the same pages)."""
    if len(pages) == 1:
        return _png(pages[0]), ".png"
    images = [Image.fromarray(page) for page in pages]
    buffer = io.BytesIO()
    images[0].save(buffer, format="TIFF", save_all=True, append_images=images[1:],
                   compression="tiff_deflate")  # fmt: skip
    return buffer.getvalue(), ".tiff"


def _forms(own: str, data_dir: Path) -> tuple[list[PaperForm], list[FormDocument]]:
    """The paper forms to sort against (this run's first), each named by its scenario id.

    Scenarios that read the same form (the same template ``name``: a copied scenario, say)
    are one form to the sorter, not two forms too alike to tell apart: this run's own form
    is read here, and of the others the first by id gets its pages.
    """
    from ocr import FormDocument, load_template

    found = paper_forms(data_dir)
    forms = [f for f in found if f.scenario == own] or [
        PaperForm(own, own, data_dir / own / "scans")
    ]
    forms += [f for f in found if f.scenario != own]
    usable, documents = [], []
    seen: dict[str, str] = {}  # template name → the scenario that reads it
    for form in forms:
        try:
            template = load_template(form.scenario)
        except ConfigError as exc:
            if form.scenario == own:
                raise
            log.warning("paper form %s not sorted against: %s", form.scenario, exc.code)
            continue
        if template.name in seen:
            log.info("paper form %s: the same form as %s", form.scenario, seen[template.name])
            continue
        seen[template.name] = form.scenario
        usable.append(form)
        documents.append(FormDocument((template,), name=form.scenario))
    return usable, documents


def _check_resolution(path: Path, pages: list[Page], documents: list[FormDocument]) -> None:
    """Refuse a page too coarse to sort, from the image file's header when it is an image
    (before the reader refuses it in English below 100 dpi), else from the rendered pages."""
    shortest = min(max(d.pages[0].page_mm) for d in documents)  # an A5 form's long side
    sizes = [max(page.shape) for page in pages]
    if not pages:
        try:
            with Image.open(path) as image:  # reads the header only
                sizes = [max(image.size)]
        except Exception:  # a PDF or a damaged file: the reader says what it is
            return
    for number, size in enumerate(sizes, start=1):
        dpi = size / (shortest / 25.4)
        if dpi < MIN_SORT_DPI:
            where = f"{number}ページ目の" if len(sizes) > 1 else ""
            raise InvalidInput(
                f"{where}解像度が低すぎます（約{dpi:.0f}dpi）。"
                f"{MIN_SORT_DPI}dpi以上（200dpi推奨）でスキャンし直してください",
                code=COARSE,
            )


def sort_entry(entry: Entry, *, scenario: str, data_dir: Path, scans: Path) -> SortedEntry | None:
    """Sort the pages of one batch entry; None when it is one page of ``scenario``'s own
    form (read as it is, by the usual path).

    Raises :class:`InvalidInput` for a file that cannot be read (the reader's reason) or a
    page scanned too coarsely (code :data:`COARSE`).
    """
    from ocr import load_pages, sort_pages

    forms, documents = _forms(scenario, data_dir)
    by_id = {form.scenario: form for form in forms}
    _check_resolution(entry.path, [], documents)
    pages = load_pages(entry.path)
    _check_resolution(entry.path, pages, documents)
    # Pages are named by number only: a file's name can be a person's, and reasons quote it.
    result: SortResult = sort_pages(
        ((f"{n}ページ目", page) for n, page in enumerate(pages, start=1)), documents
    )
    single = len(pages) == 1
    if single and result.documents and result.documents[0].form == scenario:
        return None
    parts: list[Part] = []
    for document in result.documents:
        form = by_id[document.form]
        numbers = tuple(i + 1 for i in document.pages)
        if single:  # the scan itself, as it came: nothing re-encoded
            data, suffix = entry.path.read_bytes(), entry.suffix
        else:
            data, suffix = _document_file([pages[i] for i in document.pages])
        part_id = page_id_of(data)
        if document.form == scenario:
            parts.append(Part("own", part_id, numbers, data, scans / f"{part_id}{suffix}", form))
        else:
            target = form.inbox / f"{part_id}{suffix}"
            reason = f"{form.title}（{form.scenario}）の受付フォルダへ回しました"
            parts.append(Part("other", part_id, numbers, data, target, form, reason))
    for page in result.pages:
        if page.outcome == "blank":
            png = _png(pages[page.index])
            reason = "白紙のページ: 読まずに除きました"
            parts.append(Part("blank", page_id_of(png), (page.index + 1,), reason=reason))
        elif page.outcome == "unsorted":
            png = _png(pages[page.index])
            near = tuple(f for f in by_id if f in page.reason)
            parts.append(Part("unsorted", page_id_of(png), (page.index + 1,), png,
                              reason=page.reason, candidates=near))  # fmt: skip
    parts.sort(key=lambda p: p.pages[0])
    return SortedEntry(tuple(parts), len(pages))


def deliver(sorted_entry: SortedEntry, entry: Entry, *, tray: UnsortedTray, scenario: str) -> None:
    """Write every part where it goes, then take the entry out of the batch.

    Raises ``OSError`` if a part cannot be written: the entry then stays in the batch, and
    the next run sorts it again (the parts written so far are rewritten, not duplicated).
    """
    for part in sorted_entry.parts:
        if part.kind in ("own", "other"):
            assert part.target is not None and part.data is not None
            write_atomically(part.target, part.data)
        elif part.kind == "unsorted":
            assert part.data is not None
            tray.add(part.data, scenario=scenario, reason=part.reason, candidates=part.candidates)
    remove_entry(entry)


def remove_entry(entry: Entry) -> None:
    """The entry leaves the batch (a link: the link only; its target is left as it was)."""
    entry.path.unlink()
