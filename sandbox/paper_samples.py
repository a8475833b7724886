"""Generated scans of filled-in forms, with ground truth, for tests, calibration and benchmarks.

``generate_samples(out, n=200, seed=3)`` fills the template for fake claimants from
:class:`sandbox.fake_people.FakePeople`, in handwriting-like ink (jittered Klee One and
YOzFont glyphs, real MNIST digits in digit boxes), then adds scan effects (rotation up to
±3°, shift, blur, noise, JPEG, 200–300 dpi, some pages upside down) and writes each page as
PDF, PNG or TIFF with a ``.json`` of the true values beside it. The same seed gives the same
files.
"""

from __future__ import annotations

import io
import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from core.settings import get_settings
from core.wareki import to_wareki
from ocr import (
    FieldSpec,
    FormTemplate,
    Writer,
    box_rects,
    draw_check,
    draw_circle,
    load_digits,
    load_template,
    option_rects,
    render_blank,
    strike_through,
)
from sandbox.fake_people import FakePeople
from systems.business_system import ChildAllowanceApplication

__all__ = ["DEFAULT_DIGITS_DIR", "Sample", "generate_samples", "true_values"]

log = logging.getLogger(__name__)

MM_PER_INCH = 25.4
#: Real handwritten digits, if the folder is there (the settings' ``mnist_dir``).
DEFAULT_DIGITS_DIR = get_settings().mnist_dir

_DRAW_DPI = 300
_ERA_CODES = {"昭和": "3", "平成": "4", "令和": "5"}
_FORMATS = ("pdf", "png", "tiff")


def date_boxes(day: date) -> str:
    """The 7 box digits of a date: era code, then YY, MM, DD."""
    wareki = to_wareki(day)
    return f"{_ERA_CODES[wareki.era.name]}{wareki.year:02d}{wareki.month:02d}{wareki.day:02d}"


def _digits_only(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def true_values(application: ChildAllowanceApplication, request_date: date) -> dict[str, str]:
    """What a citizen writes in each field, as box digits or text ('1' = ticked box)."""
    person, account = application.applicant, application.account
    values = {
        "request_date": date_boxes(request_date),
        "name_kana": person.name_kana,
        "name": person.name,
        "birth_date": date_boxes(person.birth_date),
        "my_number": person.my_number,
        "postal_code": _digits_only(person.postal_code),
        "address": person.address,
        "phone": _digits_only(person.phone),
        "gender_male": "1" if person.gender == "男" else "",
        "gender_female": "1" if person.gender == "女" else "",
        "spouse_yes": "1" if person.has_spouse else "",
        "spouse_no": "" if person.has_spouse else "1",
        "bank_code": account.bank_code,
        "branch_code": account.branch_code,
        "account_futsu": "1" if account.account_type == "普通" else "",
        "account_toza": "1" if account.account_type == "当座" else "",
        "account_number": account.account_number,
        "account_holder_kana": account.account_holder_kana,
    }
    for i in range(3):
        child = application.children[i] if i < len(application.children) else None
        values[f"child{i + 1}_name_kana"] = child.name_kana if child else ""
        values[f"child{i + 1}_name"] = child.name if child else ""
        values[f"child{i + 1}_birth_date"] = date_boxes(child.birth_date) if child else ""
        values[f"child{i + 1}_male"] = "1" if child and child.gender == "男" else ""
        values[f"child{i + 1}_female"] = "1" if child and child.gender == "女" else ""
    return values


@dataclass(frozen=True)
class Sample:
    """One generated file and what is written on it."""

    path: Path
    truth: dict[str, Any]


_WRONG = "アイウエオカキクケコ山川田中本木"


def _write_field(page: Image.Image, spec: FieldSpec, value: str, writer: Writer,
                 scale: float, rng: random.Random) -> bool:
    """Fill one field; returns True if a strike-through correction was made."""
    if not value:
        return False
    if spec.kind == "checkbox":
        draw_check(page, box_rects(spec, scale)[0], rng, writer.ink)
        return False
    if spec.kind == "circled":  # the value is the option circled
        values = [option.value for option in spec.options or ()]
        draw_circle(page, option_rects(spec, scale)[values.index(value)], rng, writer.ink,
                    px_per_mm=scale)
        return False
    if spec.kind in ("digits", "date"):
        for box, char in zip(box_rects(spec, scale), value, strict=False):
            writer.digit(page, char, box)
        return False
    left, top = spec.x_mm * scale, spec.y_mm * scale
    height, width = spec.height_mm * scale, spec.width_mm * scale
    size = height * rng.uniform(0.55, 0.68)
    x = left + rng.uniform(1.5, 4.0) * scale
    y = top + (height - size) / 2 - size * 0.12
    corrected = rng.random() < 0.04
    if corrected:
        wrong = "".join(rng.choice(_WRONG) for _ in range(rng.randint(1, 2)))
        end = writer.text(page, wrong, x, y, size, width * 0.2)
        strike_through(page, x, end, y + size * 0.55, rng, writer.ink)
        x = end + size * 0.5
    writer.text(page, value, x, y, size, left + width - x - 2 * scale)
    return corrected


def _scan(page: Image.Image, rng: random.Random) -> tuple[Image.Image, dict[str, Any]]:
    """Scanner effects; returns the scanned page and what was done."""
    angle = rng.uniform(-3, 3)
    upside_down = rng.random() < 0.12
    px_per_mm = _DRAW_DPI / MM_PER_INCH
    shift = (rng.uniform(-4, 4) * px_per_mm, rng.uniform(-4, 4) * px_per_mm)
    out = page.rotate(angle + (180 if upside_down else 0), resample=Image.Resampling.BILINEAR,
                      translate=(round(shift[0]), round(shift[1])), fillcolor=255)
    dpi = rng.choice([200, 240, 300])
    if dpi != _DRAW_DPI:
        size = (round(out.width * dpi / _DRAW_DPI), round(out.height * dpi / _DRAW_DPI))
        out = out.resize(size, Image.Resampling.LANCZOS)
    blur = rng.uniform(0.0, 0.9)
    if blur > 0.3:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    noise = rng.uniform(0, 10)
    array = np.asarray(out, dtype=np.float64)
    array = array + np.random.default_rng(rng.randrange(2**32)).normal(0, noise, array.shape)
    out = Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))
    quality = rng.randint(55, 95)
    buffer = io.BytesIO()
    out.save(buffer, format="JPEG", quality=quality)
    out = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    effects = {"angle": round(angle, 2), "upside_down": upside_down, "dpi": dpi,
               "blur": round(blur, 2), "noise": round(noise, 2), "jpeg_quality": quality}
    return out, effects


def _save(image: Image.Image, path: Path, dpi: int) -> None:
    if path.suffix == ".pdf":
        from reportlab.lib.utils import ImageReader
        from reportlab.pdfgen.canvas import Canvas

        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        buffer.seek(0)
        points = (image.width * 72 / dpi, image.height * 72 / dpi)
        canvas = Canvas(str(path), pagesize=points, invariant=1)
        canvas.drawImage(ImageReader(buffer), 0, 0, width=points[0], height=points[1])
        canvas.showPage()
        canvas.save()
    elif path.suffix == ".tiff":
        image.save(path, format="TIFF", compression="tiff_deflate", dpi=(dpi, dpi))
    else:
        image.save(path, format="PNG", dpi=(dpi, dpi))


def save_sample(
    page: Image.Image,
    rng: random.Random,
    stem: Path,
    truth: dict[str, Any],
    *,
    formats: Sequence[str],
    scan: bool,
) -> Sample:
    """Scan a filled ``page`` (unless ``scan`` is false), save it as ``stem`` with one of
    ``formats`` and its ground truth (``truth`` with the file's name and the scan's effects)
    as ``stem.json`` beside it."""
    effects: dict[str, Any] = {"dpi": _DRAW_DPI, "upside_down": False}
    if scan:
        page, effects = _scan(page, rng)
    path = stem.with_name(f"{stem.name}.{formats[rng.randrange(len(formats))]}")
    _save(page, path, effects["dpi"])
    written = {"file": path.name, **truth, "scan": effects}
    path.with_suffix(".json").write_text(
        json.dumps(written, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return Sample(path, written)


def render_filled(template: FormTemplate, values: dict[str, str], rng: random.Random,
                  writer: Writer) -> tuple[Image.Image, list[str]]:
    """The form at 300 dpi filled with ``values``; returns it and the corrected fields."""
    scale = _DRAW_DPI / MM_PER_INCH
    page = render_blank(template, px_per_mm=scale)
    corrected = [
        spec.name for spec in template.fields
        if _write_field(page, spec, values.get(spec.name, ""), writer, scale, rng)
    ]
    return page, corrected


def generate_samples(
    out: Path,
    *,
    n: int = 200,
    seed: int = 3,
    template: FormTemplate | None = None,
    digits_dir: Path | None = DEFAULT_DIGITS_DIR,
    digit_range: tuple[int, int] = (0, 4000),
    formats: tuple[str, ...] = _FORMATS,
    scan: bool = True,
    received_to: date | None = None,
    hands: range | None = None,
) -> list[Sample]:
    """Write ``n`` filled, scanned forms and their ground truth into ``out``.

    Files are ``sample-0001.pdf`` (or ``.png``/``.tiff``) with ``sample-0001.json``; the
    MNIST digits come from ``digits_dir`` (indices in ``digit_range``), or from fonts when
    the folder has no IDX files; with ``hands`` (writer seeds of :mod:`ocr._strokes`) the
    words are written stroke by stroke, not from the fonts. Same arguments, same files.
    ``received_to`` ends the
    claims' dates early (pass today for forms that could have been written by now).
    """
    template = template or load_template("paper-intake")
    out.mkdir(parents=True, exist_ok=True)
    digits = load_digits(digits_dir) if digits_dir is not None else None
    applications = FakePeople(seed=seed).applications(n, received_to=received_to)
    samples = []
    for index, application in enumerate(applications, start=1):
        rng = random.Random(f"jimu-samples-{seed}-{index}")
        # Written up to 10 days before it was received, and never before a child was born.
        written = application.received_at - timedelta(days=rng.randint(0, 10))
        request_date = max(written, *(child.birth_date for child in application.children))
        values = true_values(application, request_date)
        writer = Writer.create(rng, digits, digit_range, hands=hands)
        page, corrected = render_filled(template, values, rng, writer)
        truth = {
            "template": template.name,
            "seed": seed,
            "index": index,
            "received_at": application.received_at.isoformat(),
            "fields": values,
            "corrected": corrected,
            "mnist_digits": writer.digits is not None,
            "hands": [hands.start, hands.stop] if hands is not None else None,
        }
        samples.append(save_sample(page, rng, out / f"sample-{index:04d}", truth,
                                   formats=formats, scan=scan))  # fmt: skip
        log.debug("generated sample %d of %d", index, n)
    return samples
