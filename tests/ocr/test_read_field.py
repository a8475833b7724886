"""read_field on clean crops, and decoding that never leaves the field's charset."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from core.errors import InvalidInput
from ocr import FormTemplate, align_page, crop_field, load_pages, read_field
from ocr._engines import DIGITS, KATAKANA
from ocr._fields import VARIANT_FORM
from ocr._models import FieldReading
from ocr._ppocr import get_recogniser
from sandbox.paper_samples import Sample
from tests.ocr.conftest import truth_of


@pytest.fixture(scope="module")
def clean_page(clean_sample: Sample, template: FormTemplate) -> np.ndarray:
    return align_page(load_pages(clean_sample.path)[0], template).image


@pytest.mark.parametrize("name", ["my_number", "postal_code", "account_number", "birth_date"])
def test_reads_boxed_digits(clean_page: np.ndarray, clean_sample: Sample,
                            template: FormTemplate, name: str) -> None:
    spec = template.field(name)
    reading = read_field(crop_field(clean_page, template, name), kind=spec.kind, boxes=spec.boxes)
    assert reading.value == truth_of(clean_sample, name)
    assert reading.engine == "ppocr"


def test_reads_katakana_from_a_pil_image(clean_page: np.ndarray, clean_sample: Sample,
                                         template: FormTemplate) -> None:
    corrected = set(clean_sample.truth["corrected"])
    name = next(n for n in ("name_kana", "account_holder_kana", "child1_name_kana")
                if n not in corrected)
    image = Image.fromarray(crop_field(clean_page, template, name)).convert("RGB")
    reading = read_field(image, kind="katakana")
    assert reading.value.replace("\u3000", "") == truth_of(clean_sample, name).replace(
        "\u3000", "")
    assert all(char in KATAKANA or char == "\u3000" for char in reading.value)


@pytest.mark.parametrize("kind", ["kanji", "address"])
def test_reads_kanji_names_and_addresses(clean_page: np.ndarray, clean_sample: Sample,
                                         template: FormTemplate, kind: str) -> None:
    corrected = set(clean_sample.truth["corrected"])
    names = [spec.name for spec in template.fields
             if spec.kind == kind and spec.name not in corrected and truth_of(clean_sample,
                                                                               spec.name)]
    assert names
    for name in names:
        reading = read_field(crop_field(clean_page, template, name), kind=kind)
        assert reading.value.replace("\u3000", "") == truth_of(clean_sample, name).replace(
            "\u3000", ""), name
        assert 0 < reading.confidence <= 1


def test_a_struck_through_correction_goes_to_a_person(
    clean_page: np.ndarray, clean_sample: Sample, template: FormTemplate
) -> None:
    corrected = list(clean_sample.truth["corrected"])
    assert corrected, "seed 9 writes one correction"
    spec = template.field(corrected[0])
    reading = read_field(crop_field(clean_page, template, spec.name), kind=spec.kind)
    assert reading.confidence == 0.0
    assert "訂正線があります" in reading.reasons


def test_reads_check_boxes_by_ink(clean_page: np.ndarray, clean_sample: Sample,
                                  template: FormTemplate) -> None:
    for name in ("spouse_yes", "spouse_no", "account_futsu", "account_toza"):
        reading = read_field(crop_field(clean_page, template, name), kind="checkbox")
        assert reading.value == truth_of(clean_sample, name), name


def test_an_empty_field_reads_empty(template: FormTemplate) -> None:
    from ocr import render_blank
    from ocr._align import PX_PER_MM

    blank = np.asarray(render_blank(template, px_per_mm=PX_PER_MM))
    reading = read_field(crop_field(blank, template, "my_number"), kind="digits", boxes=12)
    assert reading.value == ""


def test_constrained_decoding_never_leaves_the_charset(
    clean_page: np.ndarray, template: FormTemplate
) -> None:
    recogniser = get_recogniser()
    rng = np.random.default_rng(0)
    crops = [crop_field(clean_page, template, n) for n in ("name", "address", "name_kana")]
    noise = [rng.integers(0, 255, (48, 200), dtype=np.uint8) for _ in range(3)]
    for probs in recogniser.probabilities([*crops, *noise]):
        for charset in (DIGITS, "345", KATAKANA):
            assert set(recogniser.decode(probs, charset).text) <= set(charset)
            assert set(recogniser.decode_one(probs, charset).text) <= set(charset)
    fake = rng.random((40, len(recogniser.characters))).astype(np.float32)
    assert set(recogniser.decode(fake, "01").text) <= {"0", "1"}


def test_unknown_kind_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="kind"):
        read_field(np.full((40, 200), 255, np.uint8), kind="emoji")


def test_an_old_kanji_form_goes_to_a_person_and_the_usual_form_does_not() -> None:
    """惠 and 恵 differ by a stroke that handwriting does not settle, and names use both."""
    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 44)

    def read(text: str) -> FieldReading:
        image = Image.new("L", (420, 80), 255)
        ImageDraw.Draw(image).text((20, 10), text, font=font, fill=0)
        return read_field(np.asarray(image), kind="kanji")

    old, usual = read("山口　惠美"), read("山口　恵美")
    assert old.value == "山口惠美" and VARIANT_FORM in old.reasons and old.confidence <= 0.5
    assert usual.value == "山口恵美" and VARIANT_FORM not in usual.reasons
