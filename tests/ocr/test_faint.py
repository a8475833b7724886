"""Empty is a conclusion from evidence: light writing goes to a person, never vanishes.

A field is empty only if it holds no ink beyond the blank form's own print at its place, at
the usual threshold and at a light one. Writing seen only at the light one (pencil, a pen
running dry) is read for the reviewer but never accepted (「薄い記入があります」), and a child
row written partly or lightly keeps every field of the row in front of a person.
"""

from __future__ import annotations

import io
import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from ocr import FormTemplate, Writer, crop_field, read_document, render_blank
from ocr._align import PX_PER_MM
from ocr._document import _blank
from ocr._engines import get_engine
from ocr._fields import FAINT, FieldRequest, read_fields
from ocr._models import PageReading
from sandbox.fake_people import FakePeople
from sandbox.paper_samples import render_filled, true_values

_DPI = 300
_SCALE = _DPI / 25.4
_FAINT_FIELDS = (
    "name_kana",
    "child2_name_kana",
    "child2_name",
    "child2_birth_date",
    "child3_name_kana",
)
_CHILD2 = ("child2_name_kana", "child2_name", "child2_birth_date", "child2_male", "child2_female")


def _lighten(
    page: Image.Image, blank: Image.Image, template: FormTemplate, name: str, *, share: float
) -> Image.Image:
    """The writing in field ``name`` (not the print) made thin and light grey: each pixel
    keeps ``share`` of its darkness."""
    spec = template.field(name)
    margin = 1.5 * _SCALE
    x0, y0 = round(spec.x_mm * _SCALE - margin), round(spec.y_mm * _SCALE - margin)
    x1 = round((spec.x_mm + spec.width_mm) * _SCALE + margin)
    y1 = round((spec.y_mm + spec.height_mm) * _SCALE + margin)
    pixels = np.asarray(page, dtype=np.float32).copy()
    region = pixels[y0:y1, x0:x1]
    writing = (np.asarray(blank)[y0:y1, x0:x1] == 255) & (region < 250)
    thinner = Image.fromarray(region.astype(np.uint8)).filter(ImageFilter.MaxFilter(3))
    light = 255 - (255 - np.asarray(thinner, dtype=np.float32)) * share
    region[writing] = light[writing]
    return Image.fromarray(pixels.astype(np.uint8))


def _scanned(page: Image.Image, path: Path, *, seed: int) -> Path:
    """A mild scan: a small turn, 200 dpi, sensor noise and JPEG, saved as PNG."""
    turned = page.rotate(0.7, resample=Image.Resampling.BILINEAR, fillcolor=255)
    small = turned.resize(
        (round(turned.width * 200 / _DPI), round(turned.height * 200 / _DPI)),
        Image.Resampling.LANCZOS,
    )
    noisy = np.asarray(small, dtype=np.float64)
    noisy = noisy + np.random.default_rng(seed).normal(0, 4, noisy.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=80)
    Image.open(io.BytesIO(buffer.getvalue())).save(path)
    return path


@pytest.fixture(scope="module")
def lightly_written(
    template: FormTemplate, tmp_path_factory: pytest.TempPathFactory
) -> tuple[PageReading, dict[str, str]]:
    """A claim for two children whose claimant's フリガナ and second child's row are written
    lightly, and whose third child's row holds only a light フリガナ."""
    application = next(a for a in FakePeople(seed=17).applications(30) if len(a.children) == 2)
    rng = random.Random("faint-1")  # a hand that makes no strike-through correction
    received = application.received_at
    requested = max(received - timedelta(days=2), *(c.birth_date for c in application.children))
    values = true_values(application, requested)
    values["child3_name_kana"] = values["child1_name_kana"]
    page, corrected = render_filled(template, values, rng, Writer.create(rng, None, (0, 0)))
    assert not corrected
    blank = render_blank(template, px_per_mm=_SCALE)
    for name in (*_FAINT_FIELDS, "child2_male", "child2_female"):
        page = _lighten(page, blank, template, name, share=0.28)
    path = _scanned(page, tmp_path_factory.mktemp("faint") / "faint.png", seed=1)
    reading = read_document(path, template, today=received)
    return reading.pages[0], values


def test_faint_writing_goes_to_review_and_is_never_empty(
    lightly_written: tuple[PageReading, dict[str, str]],
) -> None:
    page, _ = lightly_written
    for name in _FAINT_FIELDS:
        field = page.fields[name]
        assert not field.accepted, name
        assert FAINT in field.reasons, name
        assert "必須項目が空欄です" not in field.reasons  # it is not blank
    # Writing at the usual darkness next to it is read and accepted as before.
    assert page.fields["name"].accepted


def test_a_lightly_filled_child_row_does_not_disappear(
    lightly_written: tuple[PageReading, dict[str, str]],
) -> None:
    page, values = lightly_written
    assert values["child2_name_kana"] and values["child2_birth_date"]
    for name in _CHILD2:
        field = page.fields[name]
        assert not field.accepted, name  # every field of the row is in front of a person
        assert field.reasons, name
    # A row holding only light writing: its empty fields go to a person too.
    for name in ("child3_name", "child3_birth_date"):
        field = page.fields[name]
        assert field.value == "" and not field.accepted, name
        assert "児童3の欄が一部だけ記入されています" in field.reasons, name


def test_a_truly_empty_form_reads_empty_and_sure(template: FormTemplate, tmp: Path) -> None:
    page = render_blank(template, px_per_mm=_SCALE)
    path = _scanned(page, tmp / "blank-form.png", seed=2)
    reading = read_document(path, template, today=date(2026, 4, 1)).pages[0]
    for name, field in reading.fields.items():
        assert field.value == "", name
        assert FAINT not in field.reasons, name
        assert field.confidence >= 0.99, name
        spec = template.field(name)
        if spec.required and spec.kind != "checkbox":
            assert "必須項目が空欄です" in field.reasons
    # The optional rows left empty are accepted as empty: nothing was written there.
    assert all(
        reading.fields[n].accepted for n in ("child3_name_kana", "child3_name", "child3_birth_date")
    )


def test_printed_lines_never_count_as_writing(template: FormTemplate) -> None:
    blank = _blank(template)
    # The print a little off its place, as after an imperfect alignment.
    shifted = np.roll(blank, (2, -2), axis=(0, 1))
    requests = [
        FieldRequest(
            crop_field(shifted, template, spec.name),
            spec.kind,
            spec.boxes,
            spec.charset,
            spec.name,
            spec.rule,
            blank=crop_field(blank, template, spec.name),
        )
        for spec in template.fields
    ]
    for reading in read_fields(requests, get_engine("ppocr")):
        assert reading.value == "", reading.name
        assert FAINT not in reading.reasons, reading.name
        assert reading.confidence >= 0.99, reading.name
    assert blank.shape[1] / template.page_mm[0] == PX_PER_MM


def test_a_required_empty_field_goes_to_review(template: FormTemplate) -> None:
    from ocr._models import FieldReading
    from ocr._validate import validate_field

    empty = FieldReading(kind="katakana", value="", confidence=1.0, engine="ppocr")
    assert validate_field(empty, template.field("name_kana"))[1] == ["必須項目が空欄です"]
    light = replace(empty, confidence=0.0, reasons=(FAINT,))
    assert validate_field(light, template.field("name_kana"))[1] == []  # its own reason says
