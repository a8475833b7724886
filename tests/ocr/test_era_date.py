"""Dates with a printed era: numbers written between a printed 「年　月　日」, the era circled
(the Excel-made 資格取得届) or printed (``era: 令和``).

Pages are filled at 300 dpi and read at the working resolution straight away (alignment is
tested in test_kokuho_form.py), with digits from fonts so the date, not the digit model, is
what is tested.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

import numpy as np
import pytest
from PIL import Image
from pydantic import ValidationError

from ocr import FieldReading, FormTemplate, Writer, date_value, load_template
from ocr._align import PX_PER_MM
from ocr._document import read_page
from ocr._era_date import ERA_MISSING, PART_MISSING, _decode
from ocr._fields import FAINT
from ocr._template import FieldSpec
from ocr._validate import validate_page
from sandbox.kokuho_samples import write_kokuho

_TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def kokuho() -> FormTemplate:
    """The era and the date of the 資格取得届, and nothing else, accepted at 0.5."""
    full = load_template("kokuho-shutoku")
    fields = tuple(f for f in full.fields if f.name in ("birth_date_era", "birth_date"))
    thresholds = full.thresholds.model_copy(update={"by_kind": {"circled": 0.5, "date": 0.5}})
    return full.model_copy(update={"fields": fields, "thresholds": thresholds})


def _read(
    template: FormTemplate, era: str, numbers: Sequence[str], *, seed: int = 1, ink: int = 0
) -> dict[str, FieldReading]:
    rng = random.Random(seed)
    writer = Writer.create(rng, None, (0, 0))  # digits from fonts
    writer.ink = ink or writer.ink
    dates = {spec.name: numbers for spec in template.fields if spec.printed_era}
    page, _ = write_kokuho(template, {"birth_date_era": era}, rng, writer, dates=dates)
    size = (round(template.page_mm[0] * PX_PER_MM), round(template.page_mm[1] * PX_PER_MM))
    aligned = np.asarray(page.resize(size, Image.Resampling.LANCZOS), dtype=np.uint8)
    fields = read_page(aligned, template, today=_TODAY)
    checked, _ = validate_page(fields, template, today=_TODAY)
    return checked


@pytest.mark.parametrize(
    ("era", "numbers", "expected"),
    [
        ("昭和", ("58", "3", "14"), date(1983, 3, 14)),
        ("平成", ("1", "12", "31"), date(1989, 12, 31)),
        ("令和", ("7", "05", "9"), date(2025, 5, 9)),
    ],
)
def test_a_circled_era_and_written_numbers_are_a_date(
    kokuho: FormTemplate, era: str, numbers: Sequence[str], expected: date
) -> None:
    read = _read(kokuho, era, numbers)["birth_date"]
    assert read.normalised == expected.isoformat(), read
    assert date_value(read.value) == expected  # the same value as a boxed date's
    assert read.accepted, read.reasons


def test_an_impossible_date_goes_to_review_with_its_reason(kokuho: FormTemplate) -> None:
    read = _read(kokuho, "平成", ("10", "2", "30"))["birth_date"]
    assert not read.accepted
    assert "存在しない日付です" in read.reasons
    assert read.normalised is None


def test_a_date_after_the_day_received_goes_to_review(kokuho: FormTemplate) -> None:
    read = _read(kokuho, "令和", ("8", "12", "24"))["birth_date"]  # 2026-12-24
    assert not read.accepted
    assert "生年月日が未来の日付です" in read.reasons


def test_numbers_without_a_circled_era_go_to_review(kokuho: FormTemplate) -> None:
    read = _read(kokuho, "", ("58", "3", "14"))["birth_date"]
    assert not read.accepted
    assert ERA_MISSING in read.reasons


def test_a_part_left_empty_goes_to_review(kokuho: FormTemplate) -> None:
    read = _read(kokuho, "昭和", ("58", "", "14"))["birth_date"]
    assert not read.accepted
    assert PART_MISSING in read.reasons


def test_nothing_written_is_an_empty_date(kokuho: FormTemplate) -> None:
    read = _read(kokuho, "", ("", "", ""))["birth_date"]
    assert read.value == ""
    assert read.confidence == 1.0
    assert read.reasons == ("必須項目が空欄です",)


def test_numbers_written_too_lightly_are_not_an_empty_date(kokuho: FormTemplate) -> None:
    read = _read(kokuho, "", ("58", "3", "14"), ink=215)["birth_date"]  # a pen running dry
    assert read.value == ""
    assert FAINT in read.reasons
    assert not read.accepted


def test_a_printed_era_needs_no_circle() -> None:
    """A form that prints 令和 before the 年 (jimu's drawing of it: no blank file)."""
    spec = FieldSpec(name="received", label="受付日", kind="date", era="令和",
                     x_mm=40, y_mm=40, width_mm=90, height_mm=10)  # fmt: skip
    template = FormTemplate(
        name="printed-era", title="受付票", fields=(spec,),
        thresholds={"by_kind": {"date": 0.5}},  # type: ignore[arg-type]
    )  # fmt: skip
    read = _read(template, "", ("6", "4", "1"))["received"]
    assert read.normalised == "2024-04-01", read
    assert read.accepted


def _spec(**extra: object) -> dict[str, object]:
    return {"name": "d", "label": "日付", "kind": "date", "x_mm": 10, "y_mm": 10,
            "width_mm": 80, "height_mm": 9, **extra}  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"era": "令和", "era_from": "e"}, "not both"),
        ({"era": "令和", "boxes": 7}, "has no 'boxes'"),
        ({"era": "明治"}, "Input should be"),
        ({}, "needs 'boxes'"),
    ],
)
def test_a_wrong_printed_era_date_is_refused(extra: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        FieldSpec.model_validate(_spec(**extra))


def test_the_era_comes_from_a_circled_field_of_eras() -> None:
    options = [
        {"value": value, "x_mm": x, "y_mm": 32, "width_mm": 5, "height_mm": 5}
        for value, x in (("男", 12), ("女", 30))
    ]
    gender = {"name": "g", "label": "性別", "kind": "circled", "x_mm": 10, "y_mm": 30,
              "width_mm": 40, "height_mm": 9, "options": options}  # fmt: skip
    with pytest.raises(ValidationError, match="must be eras"):
        FormTemplate.model_validate(
            {"name": "f", "title": "f", "fields": [_spec(era_from="g"), gender]}
        )
    with pytest.raises(ValidationError, match="not a circled field"):
        FormTemplate.model_validate({"name": "f", "title": "f", "fields": [_spec(era_from="x")]})


def _sure(digit: str, p: float = 0.99) -> dict[str, float]:
    return {**dict.fromkeys("0123456789", (1 - p) / 9), digit: p}


def test_a_wide_blot_is_weighed_as_one_digit_and_as_two() -> None:
    """６０ written into each other: one wide ６, or ６ and ０. Both are days of 昭和; the
    single digit no longer wins by a product of fewer probabilities (昭和60 read 06 at 0.94
    on a test writer's form), so the date is not sure and a person looks."""
    one, two = [_sure("6", 0.995)], [_sure("6"), _sure("0")]
    month, day = [[_sure("0"), _sure("4")]], [[_sure("1"), _sure("4")]]
    today = date(2026, 12, 7)
    value, mixed = _decode("3", [[one, two], month, day], today)
    assert value in ("3060414", "3600414")
    assert mixed < 0.6
    # Cut only one way, the reading is as sure as its digits.
    value, alone = _decode("3", [[two], month, day], today)
    assert value == "3600414"
    assert alone > 0.9
