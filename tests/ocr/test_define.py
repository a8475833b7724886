"""``jimu ocr define`` on a blank made the way a city makes one: a 方眼紙 workbook
(openpyxl) printed to PDF by LibreOffice. Real LibreOffice, real PP-OCR."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cli._main import main
from core.errors import InvalidInput
from ocr import FieldSpec, FormTemplate, load_template, render_blank
from ocr._define import define_form
from ocr._define_layout import PX_PER_MM
from sandbox.excel_forms import KOKUHO_FIELDS, build_kokuho_workbook, workbook_to_pdf

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed: scripts/setup.sh installs it",
)


@pytest.fixture(scope="module")
def blank_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("excel-form")
    return workbook_to_pdf(build_kokuho_workbook(folder / "kokuho.xlsx"), folder)


@pytest.fixture(scope="module")
def draft_path(blank_pdf: Path) -> Path:
    out = blank_pdf.parent / "draft" / "template.yaml"
    out.parent.mkdir()
    assert main(["ocr", "define", str(blank_pdf), "--id", "kokuho-shutoku", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def draft(draft_path: Path) -> FormTemplate:
    return load_template(draft_path)


def _matches(spec: FieldSpec, label: str, kind: str, options: tuple[str, ...]) -> bool:
    if spec.label != label or spec.kind != kind:
        return False
    if kind == "checkbox" and options:
        return spec.option == options[0]
    if kind == "circled":
        return tuple(o.value for o in spec.options or ()) == options
    return True


def test_the_draft_loads_and_finds_the_fields_with_label_and_kind(draft: FormTemplate) -> None:
    found = [
        e
        for e in KOKUHO_FIELDS
        if any(_matches(s, e.label, e.kind, e.options) for s in draft.fields)
    ]
    assert len(found) >= 0.8 * len(KOKUHO_FIELDS), [
        e.label for e in KOKUHO_FIELDS if e not in found
    ]
    assert draft.page_mm == (210.0, 297.0)
    assert draft.marks is None
    assert draft.title == "国民健康保険被保険者資格取得届"


def test_the_furigana_is_drafted_as_the_reading_of_the_name_below_it(draft: FormTemplate) -> None:
    by_label = {spec.label: spec for spec in draft.fields}
    kana, name = by_label["フリガナ"], by_label["氏名"]
    assert (kana.kind, kana.rule, name.kind, name.rule) == (
        "katakana", "person_name", "kanji", "person_name"
    )
    assert kana.reading_of == name.name
    assert all(spec.reading_of is None for spec in draft.fields if spec is not kana)


def test_boxes_circled_options_and_check_boxes(draft: FormTemplate) -> None:
    by_label = {s.label: s for s in draft.fields if s.kind != "checkbox"}
    assert (by_label["個人番号"].boxes, by_label["個人番号"].rule) == (12, "my_number")
    assert (by_label["郵便番号"].boxes, by_label["郵便番号"].rule) == (7, "postal_code")
    assert by_label["口座番号"].boxes == 7
    gender = by_label["性別"]
    assert gender.kind == "circled"
    assert [o.value for o in gender.options or ()] == ["男", "女"]
    account = by_label["預金種目"]
    assert [(o.value, o.printed) for o in account.options or ()] == [
        ("普通", "1.普通"),
        ("当座", "2.当座"),
    ]
    checks = {s.option: s for s in draft.fields if s.kind == "checkbox"}
    assert checks["郵送希望"].group == checks["窓口受取"].group
    assert 3 <= checks["郵送希望"].width_mm <= 6
    assert "上記の内容に相違ありません" in checks


def test_the_yaml_says_it_is_a_draft_and_what_to_check(draft_path: Path) -> None:
    text = draft_path.read_text(encoding="utf-8")
    assert text.startswith("# DRAFT written by `jimu ocr define`")
    assert "kokuho.pdf" in text.splitlines()[0]
    assert "# 確認:" in text  # the date's boxes, the phone's boxes


def _edge_ink(page: np.ndarray, y_mm: float, x0_mm: float, x1_mm: float) -> float:
    """Share of columns along a horizontal edge with ink within 0.6 mm of it."""
    y = round(y_mm * PX_PER_MM)
    reach = round(0.6 * PX_PER_MM)
    band = page[y - reach : y + reach + 1, round(x0_mm * PX_PER_MM) : round(x1_mm * PX_PER_MM)]
    return float((band < 128).any(axis=0).mean())


def test_fields_lie_on_the_printed_cells_and_the_draft_renders(
    draft: FormTemplate, blank_pdf: Path
) -> None:
    from ocr._define import _load_blank

    page, _ = _load_blank(blank_pdf)
    for spec in draft.fields:
        if spec.kind == "circled":
            continue
        # The top and bottom of every field are printed lines of the original form.
        x0, x1 = spec.x_mm + 0.5, spec.x_mm + spec.width_mm - 0.5
        assert _edge_ink(page, spec.y_mm, x0, x1) > 0.9, spec.name
        assert _edge_ink(page, spec.y_mm + spec.height_mm, x0, x1) > 0.9, spec.name
        boxed = spec.kind == "digits" and spec.rule != "phone"  # printed boxes, not a cell
        if boxed:  # every printed divider between two boxes is where the draft has one
            step = spec.width_mm / (spec.boxes or 1)
            for i in range(1, spec.boxes or 1):
                x = round((spec.x_mm + i * step) * PX_PER_MM)
                reach = round(0.5 * PX_PER_MM)
                middle = page[
                    round((spec.y_mm + spec.height_mm / 4) * PX_PER_MM) : round(
                        (spec.y_mm + spec.height_mm * 3 / 4) * PX_PER_MM
                    ),
                    x - reach : x + reach + 1,
                ]
                assert (middle < 128).any(axis=1).mean() > 0.9, (spec.name, i)
        elif spec.kind != "date":  # inside an empty cell is room to write
            inside = page[
                round((spec.y_mm + 1) * PX_PER_MM) : round(
                    (spec.y_mm + spec.height_mm - 1) * PX_PER_MM
                ),
                round((spec.x_mm + 1) * PX_PER_MM) : round(
                    (spec.x_mm + spec.width_mm - 1) * PX_PER_MM
                ),
            ]
            assert (inside < 128).mean() < 0.01, spec.name
    for spec in draft.fields:
        for option in spec.options or ():  # each option box holds its printed word
            box = page[
                round(option.y_mm * PX_PER_MM) : round(
                    (option.y_mm + option.height_mm) * PX_PER_MM
                ),
                round(option.x_mm * PX_PER_MM) : round((option.x_mm + option.width_mm) * PX_PER_MM),
            ]
            assert (box < 128).mean() > 0.05, option.value
    image = render_blank(draft, px_per_mm=4)
    assert image.size == (840, 1188)


def test_an_existing_file_is_not_overwritten(draft_path: Path, blank_pdf: Path) -> None:
    before = draft_path.read_bytes()
    assert (
        main(["ocr", "define", str(blank_pdf), "--id", "kokuho-shutoku", "--out", str(draft_path)])
        == 2
    )
    assert draft_path.read_bytes() == before


def test_a_coarse_image_is_refused_and_a_png_without_dpi_is_taken_as_300(
    blank_pdf: Path, tmp_path: Path
) -> None:
    from ocr._define import _load_blank

    page, _ = _load_blank(blank_pdf)
    image = Image.fromarray(page)
    coarse = tmp_path / "coarse.png"
    image.resize((image.width // 3, image.height // 3)).save(coarse, dpi=(100, 100))
    with pytest.raises(InvalidInput, match="150 dpi"):
        define_form(coarse, form_id="x")
    plain = tmp_path / "plain.png"
    image.save(plain)  # no dpi in the file
    definition = define_form(plain, form_id="kokuho-png")
    assert definition.template.page_mm == pytest.approx((210, 297), abs=0.5)
    assert {s.kind for s in definition.template.fields} >= {"digits", "circled", "checkbox"}
