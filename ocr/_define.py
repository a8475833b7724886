"""``jimu ocr define``: a draft form template from the blank form a city already prints.

The blank (PDF, or an image at 150 dpi or more) is drawn at 300 dpi; its ruled cells, rows
of digit boxes, check boxes and lines of print are found by :mod:`ocr._define_layout`, the
print is read by PP-OCR (full character set, one crop per line), and
:mod:`ocr._define_fields` turns that into fields with labels and guessed kinds. The draft is
written as YAML with a comment per field saying why its kind was guessed and ``# 確認:``
where the guess is weak; it is validated as a :class:`~ocr._template.FormTemplate` before it
is written, and an existing file is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml
from PIL import Image, UnidentifiedImageError
from pydantic import ValidationError

from core.errors import ConfigError, InvalidInput
from ocr._define_fields import DraftForm, draft_fields, normalise_text
from ocr._define_layout import PX_PER_MM, Layout, find_layout
from ocr._pages import MAX_PIXELS, Page, load_pages, to_grey
from ocr._template import MAX_FIELDS, FormTemplate

__all__ = ["MIN_DEFINE_DPI", "Definition", "define_form", "write_definition"]

log = logging.getLogger(__name__)

#: A blank image coarser than this cannot show 3 mm boxes and small print reliably.
MIN_DEFINE_DPI = 150
_DEFAULT_DPI = 300  # an image that does not say its resolution
_DPI = 300
_PAD_MM = 0.8  # around a line of print, for the recogniser


@dataclass(frozen=True)
class Definition:
    """A draft template: validated, and its YAML text with the comments for a person."""

    template: FormTemplate
    yaml_text: str
    layout: Layout
    doubts: int  # fields with a ``# 確認:`` note


def _pdf_page(path: Path) -> tuple[Page, tuple[float, float]]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise InvalidInput(f"{path.name}: not a readable PDF") from exc
    try:
        if len(document) == 0:
            raise InvalidInput(f"{path.name}: the PDF has no pages")
        page = document[0]
        width, height = page.get_size()
        scale = _DPI / 72
        if not (0 < width * height * scale * scale <= MAX_PIXELS):
            raise InvalidInput(f"{path.name}: the page has an impossible size")
        grey = to_grey(page.render(scale=scale, grayscale=True).to_pil())
        if len(document) > 1:
            log.warning("%s has %d pages: the draft is of the first", path.name, len(document))
    except pdfium.PdfiumError as exc:
        raise InvalidInput(f"{path.name}: the page is damaged") from exc
    finally:
        document.close()
    return grey, (width * 25.4 / 72, height * 25.4 / 72)


def _image_page(path: Path) -> tuple[Page, tuple[float, float]]:
    try:
        with Image.open(path) as image:
            dpi_info = image.info.get("dpi")
    except (UnidentifiedImageError, OSError) as exc:
        raise InvalidInput(f"{path.name}: not a readable image or PDF") from exc
    dpi = float(dpi_info[0]) if dpi_info and dpi_info[0] else float(_DEFAULT_DPI)
    if dpi < MIN_DEFINE_DPI:
        raise InvalidInput(
            f"{path.name}: {dpi:.0f} dpi is too coarse to define a form from; scan or "
            f"export the blank at {MIN_DEFINE_DPI} dpi or more (300 is best)"
        )
    grey = load_pages(path)[0]
    height, width = grey.shape
    page_mm = (width / dpi * 25.4, height / dpi * 25.4)
    factor = _DPI / dpi
    if abs(factor - 1) > 0.01:
        grey = np.asarray(
            cv2.resize(
                grey,
                (round(width * factor), round(height * factor)),
                interpolation=cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA,
            ),
            dtype=np.uint8,
        )
    return grey, page_mm


def _load_blank(path: Path) -> tuple[Page, tuple[float, float]]:
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"{path.name}: no such file")
    with path.open("rb") as handle:
        head = handle.read(5)
    return _pdf_page(path) if head == b"%PDF-" else _image_page(path)


def _read_print(grey: Page, layout: Layout) -> None:
    """Read every line of print (PP-OCR, any character) into ``line.text`` and
    ``line.char_x``."""
    from ocr._ppocr import get_recogniser

    lines = list(layout.lines)
    if not lines:
        return
    crops, lefts, widths = [], [], []
    height, width = grey.shape
    for line in lines:
        r = line.rect
        x0 = max(0, round((r.x0 - _PAD_MM) * PX_PER_MM))
        x1 = min(width, round((r.x1 + _PAD_MM) * PX_PER_MM))
        y0 = max(0, round((r.y0 - _PAD_MM) * PX_PER_MM))
        y1 = min(height, round((r.y1 + _PAD_MM) * PX_PER_MM))
        crops.append(np.ascontiguousarray(grey[y0:y1, x0:x1]))
        lefts.append(x0 / PX_PER_MM)
        widths.append((x1 - x0) / PX_PER_MM)
    readings = get_recogniser().read_lines(crops, [None] * len(crops))
    for line, reading, left, span in zip(lines, readings, lefts, widths, strict=True):
        chars, xs = [], []
        positions = reading.positions or tuple(
            (i + 0.5) / max(len(reading.text), 1) for i in range(len(reading.text))
        )
        for char, share in zip(reading.text, positions, strict=False):
            for piece in normalise_text(char):
                chars.append(piece)
                xs.append(left + share * span)
        line.text = "".join(chars)
        line.char_x = xs


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}"
    text = str(value)
    plain = re.fullmatch(r"[^\s:#,\[\]{}&*!|>'\"%@`?-][^:#,\[\]{}]*", text) is not None
    if plain and yaml.safe_load(f"k: {text}") == {"k": text}:
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(data: dict[str, Any]) -> str:
    parts = []
    for key, value in data.items():
        if isinstance(value, list):
            inner = ", ".join(_flow(item) for item in value)
            parts.append(f"{key}: [{inner}]")
        else:
            parts.append(f"{key}: {_scalar(value)}")
    return "{" + ", ".join(parts) + "}"


def _yaml(
    form: DraftForm,
    data: dict[str, Any],
    *,
    source: Path,
    today: dt.date,
) -> str:
    width, height = data["page_mm"]
    out = [
        f"# DRAFT written by `jimu ocr define` on {today.isoformat()} from {source.name}.",
        "# Meant to be corrected, not trusted: check every field's position, label and kind",
        "# (lines marked 確認 first), then move it to scenarios/<form>/template.yaml.",
        "# Positions in mm from the top-left corner of the page. No registration marks:",
        "# scans are aligned to this blank by its printed content.",
        f"name: {_scalar(data['name'])}",
        f"title: {_scalar(data['title'])}",
        f"page_mm: [{width:g}, {height:g}]",
    ]
    if data["texts"]:
        out.append("texts:")
        out.extend(f"  - {_flow(text)}" for text in data["texts"])
    out.append("fields:")
    for draft in form.fields:
        out.append(f"  # {draft.data['kind']}: {draft.why}")
        out.extend(f"  # 確認: {doubt}" for doubt in draft.doubts)
        out.append(f"  - {_flow(draft.data)}")
    return "\n".join(out) + "\n"


def define_form(path: Path, *, form_id: str, today: dt.date | None = None) -> Definition:
    """A draft template for the blank form in ``path`` (PDF, or PNG/TIFF/JPEG at
    :data:`MIN_DEFINE_DPI` or more; an image that does not say its dpi is taken as 300).

    Raises :class:`InvalidInput` for an unreadable or too coarse file, and
    :class:`ConfigError` when nothing that could be a field was found or the draft does not
    validate (``form_id`` must be lower-case ASCII with hyphens).
    """
    path = Path(path)
    grey, page_mm = _load_blank(path)
    layout = find_layout(grey)
    _read_print(grey, layout)
    form = draft_fields(layout)
    if not form.fields:
        raise ConfigError(f"{path.name}: no cells, boxes or check boxes found on the page")
    if len(form.fields) > MAX_FIELDS:
        raise ConfigError(f"{path.name}: more than {MAX_FIELDS} fields found")
    texts = [
        {
            "text": line.text[:200],
            "x_mm": round(line.rect.x0, 1),
            "y_mm": round(line.rect.cy, 1),
            # A glyph's ink is about 0.88 of the font's size.
            "size_mm": round(min(max(line.rect.height / 0.88, 1.0), 50.0), 1),
        }
        for line in form.texts
    ][:MAX_FIELDS]
    data: dict[str, Any] = {
        "name": form_id,
        "title": (form.title or form_id)[:200],
        "page_mm": [round(page_mm[0], 1), round(page_mm[1], 1)],
        "texts": texts,
        "fields": [draft.data for draft in form.fields],
    }
    try:
        FormTemplate.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(
            f"the draft of {path.name} is not a valid template: {where}: {first['msg']}"
        ) from exc
    text = _yaml(form, data, source=path, today=today or dt.date.today())
    # What is written is what is checked: the YAML text itself must load.
    template = FormTemplate.model_validate(yaml.safe_load(text))
    doubts = sum(1 for draft in form.fields if draft.doubts)
    log.info("defined %s: %d fields (%d to check)", form_id, len(form.fields), doubts)
    return Definition(template=template, yaml_text=text, layout=layout, doubts=doubts)


def write_definition(definition: Definition, out: Path) -> Path:
    """Write the draft's YAML to ``out``; raises :class:`ConfigError` if it exists."""
    try:
        with Path(out).open("x", encoding="utf-8") as handle:
            handle.write(definition.yaml_text)
    except FileExistsError:
        raise ConfigError(f"{out} already exists: not overwritten (choose another --out)") from None
    return Path(out)
