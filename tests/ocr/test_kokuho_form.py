"""The second real form: a 国民健康保険 被保険者資格取得届 laid out in Excel (方眼紙), printed by
LibreOffice, defined with ``jimu ocr define`` and corrected (scenarios/kokuho-shutoku).

No registration marks, options circled by hand, a date written between a printed 年 月 日,
and a blank that is the printed PDF itself: the reader aligns to and masks with that page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from core.errors import ConfigError, FormNotRecognised
from core.scenario import scenarios_dir
from ocr import FormTemplate, align_page, load_pages, load_template, read_document, render_blank
from ocr._align import PX_PER_MM as WORK_PX_PER_MM
from ocr._document import read_page
from sandbox.kokuho_samples import generate_kokuho_samples
from sandbox.paper_samples import Sample
from tests.ocr._scans import PX_PER_MM, jpeg

_FOLDER = scenarios_dir() / "kokuho-shutoku"
#: Fields read on every scan of the alignment test: each kind the form has.
_READ = (
    "name_kana",
    "birth_date_era",
    "birth_date",
    "gender",
    "my_number",
    "postal_code",
    "delivery_1",
    "delivery_2",
    "account_type",
    "account_number",
    "check",
)


@pytest.fixture(scope="module")
def kokuho() -> FormTemplate:
    return load_template("kokuho-shutoku")


def test_the_template_names_its_printed_blank_and_the_reader_draws_it(
    kokuho: FormTemplate,
) -> None:
    assert kokuho.blank == (_FOLDER / "form.pdf").resolve()
    assert kokuho.marks is None
    drawn = np.asarray(render_blank(kokuho, px_per_mm=4), dtype=np.float32)
    page = load_pages(_FOLDER / "form.pdf")[0]
    printed = np.asarray(
        cv2.resize(page, drawn.shape[::-1], interpolation=cv2.INTER_AREA), dtype=np.float32
    )
    ours = np.asarray(
        render_blank(kokuho.model_copy(update={"blank": None}), px_per_mm=4), dtype=np.float32
    )
    # The printed form (up to resampling), not jimu's drawing of the template: other fonts,
    # other line weights, print where the template has none.
    same = float(np.abs(drawn - printed).mean())
    assert same < 2.5
    assert float(np.abs(ours - printed).mean()) > 2 * same


@pytest.mark.parametrize(
    ("blank", "message"),
    [
        ("missing.pdf", "no such blank form file"),
        ("form.docx", "a PDF or an image"),
        ("two-pages.pdf", "one page, not 2"),
        ("postcard.png", "the template's page_mm"),
    ],
)
def test_a_wrong_blank_file_is_refused_naming_the_key(
    tmp_path: Path, blank: str, message: str
) -> None:
    from reportlab.pdfgen.canvas import Canvas

    text = (_FOLDER / "template.yaml").read_text(encoding="utf-8")
    (tmp_path / "template.yaml").write_text(
        text.replace("blank: form.pdf", f"blank: {blank}"), encoding="utf-8"
    )
    (tmp_path / "form.docx").write_bytes(b"PK\x03\x04")
    canvas = Canvas(str(tmp_path / "two-pages.pdf"), pagesize=(595, 842))
    canvas.showPage()
    canvas.showPage()
    canvas.save()
    Image.new("L", (1181, 1748), 255).save(tmp_path / "postcard.png", dpi=(300, 300))
    with pytest.raises(ConfigError) as caught:
        load_template(tmp_path / "template.yaml")
    assert message in str(caught.value)
    assert "blank" in str(caught.value)  # the key, with the file and the line


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory, kokuho: FormTemplate) -> list[Sample]:
    """Filled and scanned forms (turns, 200–300 dpi, blur, noise, JPEG), digits from fonts."""
    folder = tmp_path_factory.mktemp("kokuho")
    return generate_kokuho_samples(folder, n=3, seed=12, template=kokuho, digits_dir=None)


def test_filled_forms_read_field_by_field(kokuho: FormTemplate, samples: list[Sample]) -> None:
    for sample in samples:
        truth = sample.truth["fields"]
        assert isinstance(truth, dict)
        today = date.fromisoformat(str(sample.truth["received_at"]))
        reading = read_document(sample.path, kokuho, today=today)
        got = {name: field.value for name, field in reading.pages[0].fields.items()}
        for name in ("birth_date_era", "birth_date", "gender", "my_number", "postal_code",
                     "delivery_1", "delivery_2", "account_type", "check"):  # fmt: skip
            assert got[name] == truth[name], (sample.path.name, name)
        for name in ("name_kana", "name", "address"):
            assert "".join(got[name].split()) == "".join(truth[name].split()), name
        birth = reading.pages[0].fields["birth_date"]
        if truth["birth_date"]:  # the same ISO date as a boxed date's
            assert birth.normalised is not None and len(birth.normalised) == 10


def test_a_wrong_check_digit_and_an_empty_field_go_to_review(
    tmp_path: Path, kokuho: FormTemplate
) -> None:
    (sample,) = generate_kokuho_samples(tmp_path, n=1, seed=25, template=kokuho, digits_dir=None)
    assert sample.truth["bad"] == ["my_number"] and sample.truth["empty"] == ["phone"]
    today = date.fromisoformat(str(sample.truth["received_at"]))
    fields = read_document(sample.path, kokuho, today=today).pages[0].fields
    # No 個人番号 passes its check digit as written: the nearest that does is only a guess.
    assert not fields["my_number"].accepted
    assert fields["phone"].value == ""
    assert "必須項目が空欄です" in fields["phone"].reasons


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, kokuho: FormTemplate) -> Sample:
    """One filled form, straight, at 300 dpi, digits from fonts."""
    folder = tmp_path_factory.mktemp("kokuho-straight")
    made = generate_kokuho_samples(
        folder, n=1, seed=9, template=kokuho, digits_dir=None, formats=("png",), scan=False
    )
    return made[0]


def _read(page: np.ndarray, kokuho: FormTemplate, sample: Sample) -> dict[str, str]:
    alignment = align_page(page, kokuho, name="scan")
    subset = kokuho.model_copy(
        update={"fields": tuple(f for f in kokuho.fields if f.name in _READ)}
    )
    today = date.fromisoformat(str(sample.truth["received_at"]))
    return {n: r.value for n, r in read_page(alignment.image, subset, today=today).items()}


@pytest.fixture(scope="module")
def straight(filled: Sample, kokuho: FormTemplate) -> dict[str, str]:
    return _read(load_pages(filled.path)[0], kokuho, filled)


def _affine(
    page: Image.Image, *, angle: float = 0.0, scale: float = 1.0, shift_mm: float = 0.0
) -> Image.Image:
    turn = np.asarray(
        cv2.getRotationMatrix2D((page.width / 2, page.height / 2), angle, scale), np.float64
    )
    turn[:, 2] += shift_mm * PX_PER_MM
    moved = cv2.warpAffine(np.asarray(page), turn, page.size, borderValue=255)
    return Image.fromarray(np.asarray(moved, dtype=np.uint8))


_SCANS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "rotated -3°": lambda page: _affine(page, angle=-3),
    "rotated +3°": lambda page: _affine(page, angle=3),
    "scaled 0.95": lambda page: _affine(page, scale=0.95),
    "scaled 1.05": lambda page: _affine(page, scale=1.05),
    "shifted": lambda page: _affine(page, shift_mm=5),
    "JPEG quality 40": lambda page: jpeg(page, 40),
    "upside down": lambda page: _affine(page, angle=180.5),
}


def test_the_straight_scan_reads_what_was_written(filled: Sample, straight: dict[str, str]) -> None:
    truth = filled.truth["fields"]
    assert isinstance(truth, dict)
    assert {n: "".join(v.split()) for n, v in straight.items()} == {
        n: "".join(truth[n].split()) for n in _READ
    }


@pytest.mark.parametrize("scan", list(_SCANS))
def test_a_scan_reads_like_the_straight_one(
    scan: str, filled: Sample, kokuho: FormTemplate, straight: dict[str, str]
) -> None:
    page = _SCANS[scan](Image.open(filled.path).convert("L"))
    assert _read(np.asarray(page, dtype=np.uint8), kokuho, filled) == straight


def test_jimus_drawing_of_the_template_would_not_do(filled: Sample, kokuho: FormTemplate) -> None:
    """Why the blank file: the Excel form's print is not what jimu draws from the template."""
    page = load_pages(filled.path)[0]
    assert align_page(page, kokuho).match > 0.9
    drawn = kokuho.model_copy(update={"blank": None})
    try:
        alignment = align_page(page, drawn)
    except FormNotRecognised:
        return
    assert alignment.match < align_page(page, kokuho).match - 0.2


def test_the_blank_is_cached_at_the_working_resolution(kokuho: FormTemplate) -> None:
    from ocr._document import _blank

    first = _blank(kokuho)
    assert first.shape == (round(297 * WORK_PX_PER_MM), round(210 * WORK_PX_PER_MM))
    assert _blank(kokuho) is first


def test_two_processes_draw_the_same_samples_as_one(tmp_path: Path) -> None:
    """The benchmark draws its hundreds of forms on both cores: the files do not change."""
    from ocr._strokes import TEST_HANDS

    def drawn(folder: Path, workers: int) -> dict[str, bytes]:
        generate_kokuho_samples(folder, n=3, seed=5, hands=TEST_HANDS, digits_dir=None,
                                formats=("png",), workers=workers)  # fmt: skip
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}

    one = drawn(tmp_path / "one", 1)
    assert len(one) == 6  # three scans, three truths
    assert drawn(tmp_path / "two", 2) == one
