"""Field kinds of Japanese forms: a check mark of any shape, a seal (印), a phone number
written freely, an amount with commas and 円 — drawn by hand-like strokes on a small form,
read by the real reader (PP-OCR for lines, ink for marks and seals)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from ocr import FormTemplate, Writer, render_blank
from ocr._align import PX_PER_MM
from ocr._document import crop_field
from ocr._engines import get_engine
from ocr._fields import FieldRequest, read_fields
from ocr._handwriting import MARK_SHAPES, draw_mark, draw_seal
from ocr._models import FieldReading
from ocr._render import MM_PER_INCH, box_rects
from ocr._validate import validate_field, validate_page

_SCALE = 300 / MM_PER_INCH
_SEEDS = (61, 62, 63)  # this test's own writers, apart from training, calibration and benchmark
_PHONES = ("090-1234-5678", "03-3581-2716", "042-675-1234")
_AMOUNTS = ("12,000", "3,500円", "150,000")
_VERMILION, _BLACK = (205, 35, 45), (35, 35, 35)


def _form() -> FormTemplate:
    boxes = [
        {
            "name": f"mark_{shape}",
            "label": "",
            "kind": "checkbox",
            "x_mm": 20 + 15 * i,
            "y_mm": 45,
            "width_mm": 5,
            "height_mm": 5,
            "group": f"g_{shape}",
            "option": "有",
            "required": False,
        }
        for i, shape in enumerate(MARK_SHAPES)
    ]
    fields = [
        {"name": "tel", "label": "電話", "kind": "number", "rule": "phone",
         "x_mm": 30, "y_mm": 10, "width_mm": 70, "height_mm": 10},
        {"name": "fee", "label": "金額", "kind": "amount",
         "x_mm": 30, "y_mm": 25, "width_mm": 60, "height_mm": 10},
        {"name": "seal", "label": "", "kind": "seal",
         "x_mm": 120, "y_mm": 8, "width_mm": 18, "height_mm": 18},
    ]  # fmt: skip
    texts = [
        {"text": "円", "x_mm": 85, "y_mm": 30, "size_mm": 4.5},
        {"text": "印", "x_mm": 129, "y_mm": 17, "size_mm": 4, "anchor": "center"},
    ]
    return FormTemplate.model_validate(
        {"name": "kinds", "title": "届", "page_mm": [160, 60], "texts": texts,
         "fields": [*fields, *boxes]}
    )  # fmt: skip


@pytest.fixture(scope="module")
def form() -> FormTemplate:
    return _form()


def _filled(
    form: FormTemplate, seed: int, *, seal: tuple[int, int, int] | None
) -> tuple[dict[str, FieldReading], dict[str, str]]:
    """A filled form read at the working resolution (as an aligned scan is)."""
    rng = random.Random(seed)
    writer = Writer.create(rng, None, (0, 0))
    page = render_blank(form, px_per_mm=_SCALE)
    for shape in MARK_SHAPES:
        box = box_rects(form.field(f"mark_{shape}"), _SCALE)[0]
        draw_mark(page, box, rng, writer.ink, shape=shape, px_per_mm=_SCALE)
    if seal is not None:
        box = box_rects(form.field("seal"), _SCALE)[0]
        draw_seal(page, box, rng, name="山田", px_per_mm=_SCALE, colour=seal)
    truth = {"tel": _PHONES[seed % 3], "fee": _AMOUNTS[seed % 3]}
    for name, text in truth.items():
        spec = form.field(name)
        x, y = (spec.x_mm + 3) * _SCALE, (spec.y_mm + 2) * _SCALE
        writer.text(page, text, x, y, 6 * _SCALE, 40 * _SCALE)
    blank = np.asarray(render_blank(form, px_per_mm=PX_PER_MM))
    small = np.asarray(page.resize(blank.shape[::-1], Image.Resampling.LANCZOS))
    requests = [
        FieldRequest(crop_field(small, form, s.name), s.kind, s.boxes, None, s.name, s.rule,
                     blank=crop_field(blank, form, s.name))
        for s in form.fields
    ]  # fmt: skip
    readings = read_fields(requests, get_engine("ppocr"))
    return {r.name: r for r in readings}, truth


Filled = list[tuple[dict[str, FieldReading], dict[str, str], bool]]


@pytest.fixture(scope="module")
def read(form: FormTemplate) -> Filled:
    out = []
    for seed, ink in zip(_SEEDS, (_VERMILION, None, _BLACK), strict=True):
        readings, truth = _filled(form, seed, seal=ink)
        out.append((readings, truth, ink is not None))
    return out


def test_a_mark_of_any_shape_is_ticked_and_a_stray_dot_is_not(read: Filled) -> None:
    for readings, _, _ in read:
        for shape in MARK_SHAPES:
            reading = readings[f"mark_{shape}"]
            assert reading.value == ("" if shape == "dot" else "1"), shape
            if shape != "dot":
                assert reading.confidence == 1.0, shape


def test_a_seal_is_seen_in_red_or_black_ink_and_the_printed_印_alone_is_no_seal(
    read: Filled,
) -> None:
    for readings, _, stamped in read:
        seal = readings["seal"]
        assert seal.value == ("1" if stamped else ""), stamped
        assert seal.confidence > 0.5


def test_a_seal_left_out_is_a_reason_to_look(read: Filled, form: FormTemplate) -> None:
    unstamped = next(readings for readings, _, stamped in read if not stamped)
    value, reasons = validate_field(unstamped["seal"], form.field("seal"))
    assert value is None and reasons == ["押印がありません"]


def test_a_phone_number_written_freely_is_read_with_its_hyphens(
    read: Filled, form: FormTemplate
) -> None:
    for readings, truth, _ in read:
        tel = readings["tel"]
        assert tel.value == truth["tel"]
        value, reasons = validate_field(tel, form.field("tel"))
        assert reasons == [] and value == truth["tel"].replace("-", "")


def test_an_amount_is_read_and_normalised_to_plain_digits(read: Filled, form: FormTemplate) -> None:
    for readings, truth, _ in read:
        fee = readings["fee"]
        written = truth["fee"].removesuffix("円")
        assert fee.value == written  # the printed (or written) 円 is not part of it
        value, reasons = validate_field(fee, form.field("fee"))
        assert reasons == [] and value == written.replace(",", "")


@pytest.mark.parametrize(
    ("kind", "value", "reason"),
    [
        ("amount", "12,00", "桁区切り"),
        ("amount", "1,2000", "桁区切り"),
        ("number", "090--1234", "ハイフン"),
        ("number", "0901234567８9", None),
        # 080-8298-6614 with a 0 lost beside a hyphen: ten digits, but no area code 08
        ("number", "08-8298-6614", "ハイフンの位置"),
    ],
)
def test_a_badly_written_figure_is_refused_with_a_reason(
    form: FormTemplate, kind: str, value: str, reason: str | None
) -> None:
    spec = form.field("fee" if kind == "amount" else "tel")
    reading = FieldReading(kind=kind, value=value, confidence=1.0, engine="test", name=spec.name)
    normalised, reasons = validate_field(reading, spec)
    if reason is None:  # a full-width digit is still a digit: read values are half-width
        assert reasons
    else:
        assert normalised is None and any(reason in r for r in reasons)


def test_new_kinds_are_never_accepted_before_calibration(read: Filled, form: FormTemplate) -> None:
    readings, _, _ = read[0]
    checked, _ = validate_page(readings, form)
    for name in ("tel", "fee", "seal"):
        assert not checked[name].accepted
        assert any("基準 1.01" in r for r in checked[name].reasons)


def test_the_review_station_shows_a_seal_as_押印あり_or_なし() -> None:
    from pathlib import Path
    from types import SimpleNamespace

    from jinja2 import ChainableUndefined, Environment, FileSystemLoader

    import review

    folder = Path(review.__file__).parent / "templates"
    env = Environment(loader=FileSystemLoader(folder), undefined=ChainableUndefined,
                      autoescape=True)  # fmt: skip
    env.filters["jst"] = str
    fields = [
        SimpleNamespace(name=name, label=label, kind=kind, value=value, ocr_value=value,
                        confidence=1.0, accepted=True, reason=None, critical=False, crop_id=None)
        for name, label, kind, value in (
            ("seal", "印", "seal", "1"),
            ("seal2", "印2", "seal", ""),
            ("fee", "金額", "amount", "12,000"),
        )
    ]  # fmt: skip
    state = SimpleNamespace(label="確定", value="confirmed")
    doc = SimpleNamespace(document_id="d1", scenario="s", source_name="a.pdf", submitted_at="",
                          state=state, fields=fields)  # fmt: skip
    html = env.get_template("document.html").render(
        doc=doc, mode="view", editable=set(), typed={}, field_errors={}, session=None
    )
    assert "押印あり" in html and "押印なし" in html
    assert "12,000円" in html
