"""Read a whole scanned file: pages → alignment → field crops → engine → validation."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import cv2
import numpy as np

from core.errors import InvalidInput
from ocr._align import PX_PER_MM, align_page
from ocr._circled import read_circled
from ocr._engines import Engine, get_engine
from ocr._era_date import read_era_date
from ocr._fields import FieldRequest, read_fields
from ocr._models import DocumentReading, FieldReading, PageReading
from ocr._pages import Page, load_pages
from ocr._render import render_blank
from ocr._template import FormTemplate, load_template
from ocr._validate import validate_page

__all__ = ["crop_field", "read_document", "read_page"]

log = logging.getLogger(__name__)

_MARGIN_MM = 1.6
_BLANKS: dict[str, Page] = {}  # the blank form at the working resolution, per layout


def _blank(template: FormTemplate) -> Page:
    """The blank form drawn at the working resolution (cached per template layout): the
    reader tells what is printed at a field's place from what is written there."""
    key = template.model_dump_json(exclude={"thresholds"})
    if key not in _BLANKS:
        if len(_BLANKS) >= 16:
            _BLANKS.clear()
        _BLANKS[key] = np.asarray(render_blank(template, px_per_mm=PX_PER_MM), dtype=np.uint8)
    return _BLANKS[key]


def crop_field(aligned: Page, template: FormTemplate, name: str) -> Page:
    """The crop of field ``name`` (frame and a small margin) from an aligned page."""
    spec = template.field(name)
    margin = _MARGIN_MM * (0.6 if spec.kind == "checkbox" else 1.0)
    x0 = max(0, round((spec.x_mm - margin) * PX_PER_MM))
    y0 = max(0, round((spec.y_mm - margin) * PX_PER_MM))
    x1 = round((spec.x_mm + spec.width_mm + margin) * PX_PER_MM)
    y1 = round((spec.y_mm + spec.height_mm + margin) * PX_PER_MM)
    return aligned[y0:y1, x0:x1]


def read_page(
    aligned: Page,
    template: FormTemplate,
    *,
    engines: Mapping[str, Engine] | None = None,
    default_engine: Engine | None = None,
    today: date | None = None,
) -> dict[str, FieldReading]:
    """Read every field of an aligned page; ``engines`` picks an engine per field kind.

    With ``today`` (the day the form was received) dates are read as days up to then.
    """
    engine = default_engine or get_engine("ppocr")
    blank = _blank(template)
    names = template.names_path()
    by_engine: dict[str, tuple[Engine, list[FieldRequest]]] = {}
    for spec in template.fields:
        if spec.kind == "circled" or spec.printed_era:  # read below: by ink, or after its era
            continue
        chosen = (engines or {}).get(spec.kind, engine)
        request = FieldRequest(
            crop_field(aligned, template, spec.name),
            spec.kind,
            spec.boxes,
            spec.charset,
            spec.name,
            spec.rule,
            blank=crop_field(blank, template, spec.name),
            names=names,
            reading_of=spec.reading_of,
        )
        by_engine.setdefault(chosen.name, (chosen, []))[1].append(request)
    readings: dict[str, FieldReading] = {}
    for chosen, requests in by_engine.values():
        for reading in read_fields(requests, chosen, today=today):
            readings[reading.name] = reading
    for spec in template.fields:
        if spec.kind == "circled":
            readings[spec.name] = read_circled(aligned, blank, spec, px_per_mm=PX_PER_MM)
    for spec in template.fields:
        if spec.printed_era:  # its era may be the circle read above
            readings[spec.name] = read_era_date(
                aligned,
                blank,
                spec,
                engine=(engines or {}).get(spec.kind, engine),
                px_per_mm=PX_PER_MM,
                era=readings.get(spec.era_from) if spec.era_from else None,
                today=today,
            )
    return {spec.name: readings[spec.name] for spec in template.fields}


def read_document(
    path: str | Path,
    template: FormTemplate | str = "paper-intake",
    *,
    engines: Mapping[str, Engine] | None = None,
    default_engine: Engine | None = None,
    today: date | None = None,
    crops_dir: Path | None = None,
) -> DocumentReading:
    """Read every page of a scanned PDF or image file with ``template``.

    Each page is turned upright, aligned on the registration marks, cut into fields and
    read; each field is validated and accepted only if its confidence clears the kind's
    calibrated threshold and it validates. ``today`` (default: the system date) is the day
    the form was received: no date on it is read as later. With ``crops_dir`` each field's
    crop is saved there as PNG and its path recorded. Raises
    :class:`~core.errors.InvalidInput` for a file that cannot be read and
    :class:`~core.errors.FormNotRecognised` for a page that is not this form; both name the
    file.
    """
    started = time.perf_counter()
    today = today or date.today()
    path = Path(path)
    form = load_template(template) if isinstance(template, str) else template
    pages = []
    for number, page in enumerate(load_pages(path), start=1):
        label = path.name if number == 1 else f"{path.name} page {number}"
        alignment = align_page(page, form, name=label)
        fields = read_page(
            alignment.image, form, engines=engines, default_engine=default_engine, today=today
        )
        if crops_dir is not None:
            folder = crops_dir / f"{path.stem}-p{number}"
            fields = _save_crops(alignment.image, form, fields, folder)
        checked, choices = validate_page(fields, form, today=today)
        pages.append(PageReading(number, alignment.rotated, alignment.match, checked, choices))
        log.info(
            "read %s page %d: %d of %d fields need review",
            path.name,
            number,
            len(pages[-1].needs_review),
            len(checked),
        )
    if not pages:
        raise InvalidInput(f"{path.name}: no pages")
    return DocumentReading(str(path), form.name, tuple(pages), time.perf_counter() - started)


def _save_crops(
    aligned: Page, form: FormTemplate, fields: dict[str, FieldReading], folder: Path
) -> dict[str, FieldReading]:
    from dataclasses import replace

    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    out = {}
    for name, reading in fields.items():
        target = folder / f"{name}.png"
        cv2.imwrite(str(target), crop_field(aligned, form, name))
        out[name] = replace(reading, crop_path=str(target))
    return out
