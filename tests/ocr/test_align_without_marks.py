"""Forms without registration marks: a scan is aligned on its blank form's printed content.

A city's own forms (laid out in Excel and printed) have no marks. The paper-intake form is
drawn here without them, filled in, and scanned the ways office scanners and faxes do; every
scan must read the same values as the straight one, and a page that is not the form must be
refused, never aligned wrongly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from core.errors import FormNotRecognised
from ocr import FormTemplate, align_page, load_pages, load_template, render_blank
from ocr._align import Alignment
from ocr._document import read_page
from ocr._pages import Page
from sandbox.paper_samples import Sample, generate_samples
from tests.ocr._scans import PX_PER_MM, at_dpi, jpeg

#: The fields read on every scan: where a box or a frame in the wrong place shows first.
_READ = frozenset(
    {
        "request_date",
        "birth_date",
        "my_number",
        "postal_code",
        "phone",
        "bank_code",
        "account_number",
        "name_kana",
        "gender_male",
        "gender_female",
        "spouse_yes",
        "spouse_no",
        "account_futsu",
        "account_toza",
    }
)

_TO_A_PERSON = "(要確認: 確信度 0)"


@pytest.fixture(scope="module")
def plain() -> FormTemplate:
    """The paper-intake form as a city prints its own: no registration marks."""
    return load_template("paper-intake").model_copy(update={"marks": None})


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, plain: FormTemplate) -> Sample:
    """The form without marks, filled in (digits drawn from fonts), straight, at 300 dpi."""
    folder = tmp_path_factory.mktemp("plain-form")
    return generate_samples(
        folder, n=1, seed=9, template=plain, digits_dir=None, formats=("png",), scan=False
    )[0]


def _read(
    page: Page, template: FormTemplate, sample: Sample, name: str
) -> tuple[Alignment, dict[str, str]]:
    alignment = align_page(page, template, name=name)
    subset = template.model_copy(
        update={"fields": tuple(f for f in template.fields if f.name in _READ)}
    )
    today = date.fromisoformat(str(sample.truth["received_at"]))
    fields = read_page(alignment.image, subset, today=today)
    # A field the reader gives no confidence at all (a struck-out correction) goes to a person
    # whatever it spells, and that verdict is what must not change with the scan.
    return alignment, {
        field: reading.value if reading.confidence > 0 else _TO_A_PERSON
        for field, reading in fields.items()
    }


@pytest.fixture(scope="module")
def straight(filled: Sample, plain: FormTemplate) -> tuple[Alignment, dict[str, str]]:
    """The straight scan, aligned and read."""
    return _read(load_pages(filled.path)[0], plain, filled, filled.path.name)


def _affine(
    page: Image.Image,
    *,
    angle: float = 0.0,
    scale: float = 1.0,
    shift_mm: tuple[float, float] = (0.0, 0.0),
) -> Image.Image:
    """The page turned ``angle`` degrees (counter-clockwise), scaled and shifted on paper
    of the same size, as a scanner glass does it."""
    turn = cv2.getRotationMatrix2D((page.width / 2, page.height / 2), angle, scale)
    matrix = np.asarray(turn, dtype=np.float64)
    matrix[:, 2] += np.array(shift_mm) * PX_PER_MM
    moved = cv2.warpAffine(
        np.asarray(page), matrix, page.size, flags=cv2.INTER_LINEAR, borderValue=255
    )
    return Image.fromarray(np.asarray(moved, dtype=np.uint8))


def _fax(page: Image.Image) -> Image.Image:
    """200 dpi, skewed, speckled and compressed: what a fax machine makes of a form."""
    skewed = np.asarray(at_dpi(_affine(page, angle=1.5, shift_mm=(-3, 5)), 200), dtype=np.int16)
    rng = np.random.default_rng(16)
    specks = rng.random(skewed.shape)
    noisy = np.where(specks < 0.002, 0, np.where(specks > 0.998, 255, skewed))
    noisy = noisy + rng.normal(0, 8, skewed.shape)
    return jpeg(Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)), 60)


_SCANS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "rotated -3°": lambda page: _affine(page, angle=-3),
    "rotated +3°": lambda page: _affine(page, angle=3),
    "scaled 0.95": lambda page: _affine(page, scale=0.95),
    "scaled 1.05": lambda page: _affine(page, scale=1.05),
    "shifted": lambda page: _affine(page, shift_mm=(6, -4)),
    "JPEG quality 40": lambda page: jpeg(page, 40),
    "200 dpi": lambda page: at_dpi(page, 200),
    "upside down": lambda page: _affine(page, angle=181),
    "a fax": _fax,
}


def _offset(expected: Page, aligned: Page) -> float:
    """The largest shift between two aligned pages over their four quarters, in pixels."""
    height, width = expected.shape
    worst = 0.0
    for rows in (slice(0, height // 2), slice(height // 2, height)):
        for columns in (slice(0, width // 2), slice(width // 2, width)):
            (dx, dy), _ = cv2.phaseCorrelate(
                expected[rows, columns].astype(np.float32),
                aligned[rows, columns].astype(np.float32),
            )
            worst = max(worst, abs(dx), abs(dy))
    return worst


@pytest.mark.parametrize("scan", list(_SCANS))
def test_a_scan_without_marks_reads_like_the_straight_one(
    scan: str,
    filled: Sample,
    plain: FormTemplate,
    straight: tuple[Alignment, dict[str, str]],
    tmp: Path,
) -> None:
    path = tmp / "scan.png"
    _SCANS[scan](Image.open(filled.path).convert("L")).save(path)
    alignment, values = _read(load_pages(path)[0], plain, filled, path.name)
    assert alignment.by == "content"
    assert alignment.rotated == (180 if scan == "upside down" else 0)
    # Every quarter of the page lands where it does on the straight scan, to a pixel (1/8 mm).
    assert _offset(straight[0].image, alignment.image) < 1.0
    assert values == straight[1]


def test_the_straight_scan_without_marks_reads_what_was_written(
    filled: Sample, straight: tuple[Alignment, dict[str, str]]
) -> None:
    truth = filled.truth["fields"]
    assert isinstance(truth, dict)
    right = [name for name, value in straight[1].items() if value == truth[name]]
    assert len(right) >= len(_READ) - 1
    assert straight[0].match > 0.95


def _other_form() -> FormTemplate:
    """A different form of the same city: same fonts and style, another layout."""
    field = {"kind": "digits", "width_mm": 49, "height_mm": 9, "boxes": 7}
    return FormTemplate.model_validate(
        {
            "name": "account-transfer",
            "title": "口座振替依頼書",
            "texts": [
                {
                    "text": "口座振替依頼書",
                    "x_mm": 105,
                    "y_mm": 20,
                    "size_mm": 7,
                    "anchor": "center",
                },
                {"text": "（あて先）多摩南市長", "x_mm": 20, "y_mm": 35, "size_mm": 3.5},
                {"text": "納付者", "x_mm": 20, "y_mm": 50, "size_mm": 4.2},
            ],
            "fields": [
                {
                    "name": "name",
                    "label": "氏名",
                    "kind": "kanji",
                    "x_mm": 60,
                    "y_mm": 60,
                    "width_mm": 120,
                    "height_mm": 12,
                },
                {
                    "name": "address",
                    "label": "住所",
                    "kind": "address",
                    "x_mm": 60,
                    "y_mm": 80,
                    "width_mm": 120,
                    "height_mm": 12,
                },
                {**field, "name": "account", "label": "口座番号", "x_mm": 60, "y_mm": 115},
                {
                    **field,
                    "name": "birth",
                    "label": "生年月日",
                    "kind": "date",
                    "x_mm": 60,
                    "y_mm": 130,
                },
                {
                    **field,
                    "name": "phone",
                    "label": "電話番号",
                    "x_mm": 60,
                    "y_mm": 150,
                    "width_mm": 77,
                    "boxes": 11,
                },
            ],
        }
    )


def _moved_boxes(template: FormTemplate) -> FormTemplate:
    """Another version of this form: the same print, the boxes moved along their rows."""
    fields = tuple(f.model_copy(update={"x_mm": f.x_mm * 0.9 + 12}) for f in template.fields)
    return template.model_copy(update={"fields": fields})


_NOT_THE_FORM: dict[str, Callable[[FormTemplate], Image.Image]] = {
    "blank": lambda _: Image.new("L", (2480, 3508), 255),
    "noise": lambda _: Image.fromarray(
        np.random.default_rng(3).integers(0, 256, (3508, 2480), dtype=np.uint8)
    ),
    "other-form": lambda _: render_blank(_other_form(), px_per_mm=PX_PER_MM),
    "moved-boxes": lambda plain: render_blank(_moved_boxes(plain), px_per_mm=PX_PER_MM),
}


@pytest.mark.parametrize("page", list(_NOT_THE_FORM))
def test_a_page_that_is_not_the_form_is_refused(page: str, plain: FormTemplate, tmp: Path) -> None:
    path = tmp / f"{page}.png"
    _NOT_THE_FORM[page](plain).save(path)
    with pytest.raises(FormNotRecognised, match=rf"{page}\.png: .*児童手当認定請求書"):
        align_page(load_pages(path)[0], plain, name=path.name)


def test_marks_come_first_and_the_content_takes_over_without_them(
    clean_sample: Sample, template: FormTemplate
) -> None:
    page = load_pages(clean_sample.path)[0]
    by_marks = align_page(page, template)
    assert by_marks.by == "marks"
    assert template.marks is not None
    unmarked = page.copy()
    scale = page.shape[0] / template.page_mm[1]
    half = round(template.marks.size_mm * scale)
    for cx, cy in template.marks.centers_mm:  # the corners cut off by a copier
        x, y = round(cx * scale), round(cy * scale)
        unmarked[max(0, y - half) : y + half, max(0, x - half) : x + half] = 255
    by_content = align_page(unmarked, template)
    assert by_content.by == "content"
    assert by_content.match > 0.95
    assert _offset(by_marks.image, by_content.image) < 3.0  # a few pixels at 8 px/mm


def test_a_template_without_marks_loads_and_draws_none(tmp: Path) -> None:
    source = load_template("paper-intake").source
    assert source is not None
    lines = source.read_text(encoding="utf-8").splitlines()
    start = lines.index("marks:")
    kept = lines[:start] + lines[start + 3 :]
    (tmp / "template.yaml").write_text("\n".join(kept) + "\n", encoding="utf-8")
    template = load_template(tmp / "template.yaml")
    assert template.marks is None
    blank = np.asarray(render_blank(template, px_per_mm=4))
    assert blank[: 20 * 4, : 15 * 4].min() == 255  # where the top-left mark was
