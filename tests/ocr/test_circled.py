"""Circled options (○で囲む): which printed word a person circled, one or none.

The samples are a small form of the city's own kind (its option words printed in table
cells, registration marks in the corners) filled by hand-like circles and scanned: rotated,
shifted, 200–300 dpi, blurred, noisy, JPEG. The paper-intake form is left as it is, so its
benchmark does not move.
"""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pytest
from PIL import Image, ImageFilter
from pydantic import ValidationError

from ocr import (
    FieldReading,
    FormTemplate,
    Writer,
    align_page,
    draw_circle,
    option_rects,
    render_blank,
    scribble,
)
from ocr._align import PX_PER_MM
from ocr._circled import ACCEPT, AMBIGUOUS, MULTIPLE, SCRIBBLED, read_circled
from ocr._document import read_page
from ocr._render import MM_PER_INCH
from ocr._template import FieldSpec
from ocr._validate import validate_page
from sandbox.paper_samples import render_filled

_DPI = 300
_SCALE = _DPI / MM_PER_INCH


def _row(
    name: str,
    label: str,
    x: float,
    y: float,
    words: list[str],
    *,
    width: float,
    gap: float,
    height: float = 10.0,
    size: float = 4.5,
) -> dict[str, object]:
    options = []
    left = x + 3
    for word in words:
        value = word.split(".")[-1]
        option: dict[str, object] = {
            "value": value,
            "x_mm": left,
            "y_mm": y + (height - size) / 2,
            "width_mm": width,
            "height_mm": size,
        }
        if value != word:
            option["text"] = word
        options.append(option)
        left += width + gap
    return {
        "name": name,
        "label": label,
        "kind": "circled",
        "x_mm": x,
        "y_mm": y,
        "width_mm": left - gap + 3 - x,
        "height_mm": height,
        "options": options,
        "required": False,
    }


def _column(name: str, label: str, x: float, y: float, words: list[str]) -> dict[str, object]:
    options = [
        {"value": word, "x_mm": x + 4, "y_mm": y + 3 + 9 * i, "width_mm": 9, "height_mm": 4.5}
        for i, word in enumerate(words)
    ]
    return {
        "name": name,
        "label": label,
        "kind": "circled",
        "x_mm": x,
        "y_mm": y,
        "width_mm": 17,
        "height_mm": 9 * len(words) + 1.5,
        "options": options,
        "required": False,
    }


@cache
def circled_form() -> FormTemplate:
    """An A5 form with five circled fields: 男・女, five eras, 1.普通 2.当座,
    有・無, and 新規/変更/廃止 stacked in a column."""
    fields = [
        _row("sex", "性別", 30, 14, ["男", "女"], width=5, gap=6),
        _row("era", "元号", 30, 30, ["明治", "大正", "昭和", "平成", "令和"], width=8, gap=4),
        _row("account", "預金種目", 30, 46, ["1.普通", "2.当座"], width=12, gap=6),
        _row("spouse", "配偶者", 30, 62, ["有", "無"], width=5, gap=5, height=9),
        _column("kind", "区分", 115, 14, ["新規", "変更", "廃止"]),
    ]
    return FormTemplate.model_validate(
        {
            "name": "circled-test",
            "title": "丸で囲む様式",
            "page_mm": [148, 210],
            "marks": {"size_mm": 5, "centers_mm": [[8, 8], [140, 8], [8, 202], [140, 202]]},
            "texts": [
                {"text": "該当するものを○で囲んでください", "x_mm": 30, "y_mm": 85, "size_mm": 3},
                {"text": "届出書", "x_mm": 74, "y_mm": 120, "size_mm": 8, "anchor": "center"},
            ],
            "fields": fields,
            "thresholds": {"by_kind": {"circled": ACCEPT}},
        }
    )


@dataclass(frozen=True)
class Filled:
    """One generated page: the truth per field, and what a person must be asked."""

    page: Image.Image
    truth: dict[str, str]
    variant: dict[str, str]  # field → "circle", "none", "two", "scribble", "gap"


def _scan(page: Image.Image, rng: random.Random) -> Image.Image:
    angle = rng.uniform(-2.5, 2.5)
    shift = (round(rng.uniform(-3, 3) * _SCALE), round(rng.uniform(-3, 3) * _SCALE))
    out = page.rotate(
        angle + (180 if rng.random() < 0.1 else 0),
        resample=Image.Resampling.BILINEAR,
        translate=shift,
        fillcolor=255,
    )
    dpi = rng.choice([200, 240, 300])
    if dpi != _DPI:
        out = out.resize(
            (round(out.width * dpi / _DPI), round(out.height * dpi / _DPI)),
            Image.Resampling.LANCZOS,
        )
    if (blur := rng.uniform(0.0, 0.9)) > 0.3:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    array = np.asarray(out, dtype=np.float64)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(0, 8), array.shape)
    out = Image.fromarray(np.clip(array + noise, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    out.save(buffer, format="JPEG", quality=rng.randint(55, 95))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def fill(seed: int, *, special: float = 0.0, empty: float = 0.1) -> Filled:
    """A filled, scanned page: each field circled at a random option (``empty``: none).

    With ``special`` a field instead gets two circles (``two``), a circle scribbled out
    beside the right one (``scribble``), its circle drawn off the word towards a neighbour
    (``offset``), or only a circle around the gap between two options (``gap``, truth "").
    """
    template = circled_form()
    rng = random.Random(f"circled-{seed}")
    writer = Writer.create(rng, None, (0, 0))
    truth, variant = {}, {}
    for spec in template.fields:
        values = [o.value for o in spec.options or ()]
        truth[spec.name] = "" if rng.random() < empty else rng.choice(values)
        variant[spec.name] = "circle" if truth[spec.name] else "none"
        if truth[spec.name] and rng.random() < special:
            variant[spec.name] = rng.choice(["two", "scribble", "offset", "gap"])
    plain = {name: value for name, value in truth.items() if variant[name] == "circle"}
    page, _ = render_filled(template, plain, rng, writer)
    for spec in template.fields:
        if variant[spec.name] not in ("circle", "none"):
            _special(page, spec, truth[spec.name], variant[spec.name], rng, writer.ink)
            if variant[spec.name] == "gap":
                truth[spec.name] = ""
    return Filled(_scan(page, rng), truth, variant)


def _special(
    page: Image.Image, spec: FieldSpec, value: str, kind: str, rng: random.Random, ink: int
) -> None:
    values = [o.value for o in spec.options or ()]
    rects = option_rects(spec, _SCALE)
    chosen = values.index(value)
    other = chosen + 1 if chosen + 1 < len(values) else chosen - 1
    (x0, y0, x1, y1), (p0, q0, p1, q1) = rects[chosen], rects[other]
    # from the chosen word's centre towards the neighbour's, in mm
    toward = ((p0 + p1 - x0 - x1) / 2 / _SCALE, (q0 + q1 - y0 - y1) / 2 / _SCALE)
    if kind == "gap":
        middle = rng.uniform(0.4, 0.6)
        shift = (toward[0] * middle, toward[1] * middle)
        small = (x0, y0, x0 + (y1 - y0), y1)  # a circle the size of one character
        shifted = (
            small[0] + (x1 - x0 - (y1 - y0)) / 2,
            y0,
            small[2] + (x1 - x0 - (y1 - y0)) / 2,
            y1,
        )
        draw_circle(page, shifted, rng, ink, px_per_mm=_SCALE, shift=shift)
        return
    if kind == "offset":
        lean = rng.uniform(0.15, 0.3)
        draw_circle(
            page,
            rects[chosen],
            rng,
            ink,
            px_per_mm=_SCALE,
            shift=(toward[0] * lean, toward[1] * lean),
        )
        return
    draw_circle(page, rects[chosen], rng, ink, px_per_mm=_SCALE)
    draw_circle(page, rects[other], rng, ink, px_per_mm=_SCALE)
    if kind == "scribble":
        scribble(page, rects[other], rng, ink, px_per_mm=_SCALE)


def read(filled: Filled) -> dict[str, FieldReading]:
    template = circled_form()
    aligned = align_page(np.asarray(filled.page), template).image
    fields, _ = validate_page(read_page(aligned, template), template)
    return dict(fields)


@pytest.fixture(scope="module")
def plain() -> list[tuple[Filled, dict[str, FieldReading]]]:
    """45 pages, 225 fields: circled by different hands, a tenth left empty."""
    pages = [fill(seed, empty=0.1) for seed in range(45)]
    return [(page, read(page)) for page in pages]


@pytest.fixture(scope="module")
def special() -> list[tuple[Filled, dict[str, FieldReading]]]:
    """20 pages whose circled fields are mostly two circles, a scribble-out beside the
    circle, a circle leaning off its word, or a circle in the gap between two words."""
    pages = [fill(1000 + seed, special=0.8, empty=0.0) for seed in range(20)]
    return [(page, read(page)) for page in pages]


def test_circled_options_are_read_exactly_and_none_accepted_wrong(
    plain: list[tuple[Filled, dict[str, FieldReading]]],
) -> None:
    outcomes = [
        (filled.truth[name], reading)
        for filled, fields in plain
        for name, reading in fields.items()
    ]
    assert len(outcomes) >= 200
    exact = sum(reading.value == truth for truth, reading in outcomes)
    accepted = [(truth, r) for truth, r in outcomes if r.accepted]
    wrong = [(truth, r.value) for truth, r in accepted if r.value != truth]
    assert exact / len(outcomes) >= 0.99
    assert wrong == []
    assert len(accepted) / len(outcomes) >= 0.95
    assert any(truth == "" for truth, _ in accepted)  # an empty field is a sure reading too


def test_two_circles_or_a_scribble_out_go_to_a_person(
    special: list[tuple[Filled, dict[str, FieldReading]]],
) -> None:
    seen = set()
    for filled, fields in special:
        for name, reading in fields.items():
            variant = filled.variant[name]
            if variant in ("two", "scribble"):
                seen.add(variant)
                assert not reading.accepted, (variant, name)
                assert {MULTIPLE, SCRIBBLED} & set(reading.reasons)
    assert seen == {"two", "scribble"}


def test_a_circle_off_its_word_or_in_a_gap_never_chooses_the_neighbour(
    special: list[tuple[Filled, dict[str, FieldReading]]],
) -> None:
    seen = set()
    for filled, fields in special:
        for name, reading in fields.items():
            variant, truth = filled.variant[name], filled.truth[name]
            if variant in ("offset", "gap"):
                seen.add(variant)
                assert reading.value in (truth, ""), (variant, name)
                if reading.accepted:
                    assert reading.value == truth and variant == "offset"
                if variant == "gap":  # ink that circles no word: a person looks
                    assert not reading.accepted
                    assert {AMBIGUOUS, SCRIBBLED} & set(reading.reasons)
    assert seen == {"offset", "gap"}


def test_the_blank_form_shows_the_options_and_reads_empty_and_sure() -> None:
    template = circled_form()
    blank = np.asarray(render_blank(template, px_per_mm=PX_PER_MM))
    for spec in template.fields:
        for left, top, right, bottom in option_rects(spec, PX_PER_MM):
            word = blank[round(top) : round(bottom), round(left) : round(right)]
            assert (word < 128).mean() > 0.05  # the printed word is there …
        reading = read_circled(blank, blank, spec)
        assert (reading.value, reading.confidence, reading.reasons) == (
            "",
            1.0,
            (),
        )  # … not a circle


def test_no_circle_reads_empty_and_a_required_field_asks_for_one() -> None:
    filled = fill(7, empty=1.0)
    fields = read(filled)
    assert all(r.value == "" and r.accepted for r in fields.values())
    template = circled_form()
    required = template.model_copy(
        update={
            "fields": tuple(spec.model_copy(update={"required": True}) for spec in template.fields)
        }
    )
    aligned = align_page(np.asarray(filled.page), required).image
    checked, _ = validate_page(read_page(aligned, required), required)
    assert all("必須項目が空欄です" in r.reasons for r in checked.values())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"options": None}, "at least two"),
        (
            {"options": [{"value": "男", "x_mm": 34, "y_mm": 16, "width_mm": 5, "height_mm": 5}]},
            "at least two",
        ),
        (
            {
                "options": [
                    {"value": "男", "x_mm": 34, "y_mm": 16, "width_mm": 5, "height_mm": 5},
                    {"value": "男", "x_mm": 45, "y_mm": 16, "width_mm": 5, "height_mm": 5},
                ]
            },
            "must differ",
        ),
        (
            {
                "options": [
                    {"value": "男", "x_mm": 34, "y_mm": 16, "width_mm": 5, "height_mm": 5},
                    {"value": "女", "x_mm": 58, "y_mm": 16, "width_mm": 5, "height_mm": 5},
                ]
            },
            "outside the field",
        ),
        (
            {
                "options": [
                    {"value": "男", "x_mm": 34, "y_mm": 16, "width_mm": 5, "height_mm": 5},
                    {"value": "女", "x_mm": 37, "y_mm": 16, "width_mm": 5, "height_mm": 5},
                ]
            },
            "overlap",
        ),
        (
            {
                "options": [
                    {
                        "value": "男",
                        "x_mm": 34,
                        "y_mm": 16,
                        "width_mm": 5,
                        "height_mm": 5,
                        "colour": "red",
                    },
                    {"value": "女", "x_mm": 45, "y_mm": 16, "width_mm": 5, "height_mm": 5},
                ]
            },
            "Extra inputs",
        ),
        ({"kind": "checkbox", "group": "g", "option": "男"}, "only for circled"),
    ],
)
def test_a_wrong_circled_field_is_refused(change: dict[str, object], message: str) -> None:
    spec = circled_form().field("sex").model_dump()
    spec.update(change)
    with pytest.raises(ValidationError, match=message):
        FieldSpec.model_validate(spec)


def test_the_review_station_offers_the_printed_words() -> None:
    from flows._paper_intake import _review_field
    from review import ReviewField

    template = circled_form()
    reading = FieldReading(
        kind="circled", value="", confidence=0.0, engine="ring", name="era", reasons=(MULTIPLE,)
    )
    shown: ReviewField = _review_field(template, "元号", "era", reading, critical=False)
    assert shown.kind == "circled" and shown.reason == MULTIPLE
    assert shown.pattern is not None and shown.hint is not None
    assert "昭和" in shown.hint
    assert all(re.fullmatch(shown.pattern, word) for word in ("昭和", "令和", ""))
    assert not re.fullmatch(shown.pattern, "昭和令和")
