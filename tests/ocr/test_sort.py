"""仕分け of a mixed batch: every page of a known form goes to its form, blank pages are
dropped with a note, and unknown pages, noise and photos go to 未仕分け with a reason.

Three forms: the paper-intake claim (registration marks), a city's own version of it
without marks (another title, the boxes moved along their rows: most of the print shared),
and a two-page 口座振替依頼書 defined here. Each is filled in (the sample generator's
handwriting) and scanned the ways office scanners do: turned a few degrees, upside down,
JPEG, 200 dpi.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from cli import _ocr as cli_ocr
from core.errors import ConfigError
from ocr import (
    FormDocument,
    FormTemplate,
    SortResult,
    Writer,
    load_batch,
    render_blank,
    sort_pages,
)
from ocr._pages import Page, to_grey
from ocr._sort import BLANK_NOTE
from sandbox.paper_samples import Sample, generate_samples, render_filled
from tests.ocr._forms import digits, printed, tennyu_page, text, transfer_page
from tests.ocr._scans import PX_PER_MM, at_dpi, jpeg

_A4 = (round(210 * PX_PER_MM), round(297 * PX_PER_MM))


def _city_version(template: FormTemplate) -> FormTemplate:
    """The claim as a city prints its own: no marks, another title, boxes moved."""
    data = template.model_dump(exclude={"source", "thresholds"})
    data.update(name="paper-intake-city", title="児童手当 額改定認定請求書", marks=None)
    data["texts"] = [
        {**text, "text": "児童手当 額改定認定請求書"} if i == 0 else text
        for i, text in enumerate(data["texts"])
    ]
    data["fields"] = [{**f, "x_mm": round(f["x_mm"] * 0.9 + 12, 1)} for f in data["fields"]]
    return FormTemplate.model_validate(data)


def _transfer_form() -> FormDocument:
    """A two-page 口座振替依頼書: the account on page 1, the taxes to pay from it on page 2."""
    first = FormTemplate.model_validate(transfer_page("account-transfer"))
    second = FormTemplate.model_validate(
        {
            "name": "account-transfer-2",
            "title": "口座振替依頼書（税目）",
            "texts": [
                {**printed("振替を依頼する税目", 105, 20, 6), "anchor": "center"},
                printed("2枚目　該当する税目の通知書番号を記入してください", 20, 35),
                *(printed("（通知書の右上）", 155, 54.5 + 22 * i, 3) for i in range(4)),
                printed(
                    "振替開始は申込月の翌々月からです。残高不足の場合は振替できません。", 20, 185, 3
                ),
                printed("多摩南市　納税課　電話 042-000-0000", 120, 200, 3),
            ],
            "fields": [
                digits(f"notice_{i}", label, 80, 50 + 22 * i, 10)
                for i, label in enumerate(("市民税", "固定資産税", "軽自動車税", "国保税"))
            ]
            + [text("note", "備考", 40, 160, 150)],
        }
    )
    return FormDocument((first, second), name="account-transfer")


def _unknown_form() -> FormTemplate:
    """A form nobody defined for the sorter: a 転入届 with a grid of rows."""
    return FormTemplate.model_validate(tennyu_page())


# --- scans ------------------------------------------------------------------------------


def _affine(page: Image.Image, *, angle: float = 0.0, shift_mm: float = 0.0) -> Image.Image:
    turn = np.asarray(
        cv2.getRotationMatrix2D((page.width / 2, page.height / 2), angle, 1.0), dtype=np.float64
    )
    turn[:, 2] += shift_mm * PX_PER_MM
    moved = cv2.warpAffine(np.asarray(page), turn, page.size, borderValue=255)
    return Image.fromarray(np.asarray(moved, dtype=np.uint8))


def _grain(page: Image.Image, seed: int, sigma: float = 6.0) -> Image.Image:
    rng = np.random.default_rng(seed)
    array = np.asarray(page, dtype=np.float64) + rng.normal(0, sigma, (page.height, page.width))
    specks = rng.random(array.shape)
    array = np.where(specks < 0.001, 0, array)
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8))


_SCANS: tuple[tuple[str, Callable[[Image.Image], Image.Image]], ...] = (
    ("straight", lambda p: p),
    ("turned +3°", lambda p: _affine(p, angle=3, shift_mm=2)),
    ("upside down", lambda p: _affine(p, angle=180.7)),
    ("JPEG q40", lambda p: jpeg(_grain(p, 1), 40)),
    ("200 dpi", lambda p: at_dpi(p, 200)),
    ("fax", lambda p: jpeg(at_dpi(_grain(_affine(p, angle=-2, shift_mm=-3), 2), 200), 60)),
)


def _filled(template: FormTemplate, seed: int) -> Image.Image:
    """``template`` filled in by hand: names, addresses and digits in every field."""
    rng = random.Random(f"sort-{template.name}-{seed}")
    values = {}
    for spec in template.fields:
        if spec.kind in ("digits", "date"):
            values[spec.name] = "".join(str(rng.randrange(10)) for _ in range(spec.boxes or 1))
        else:
            values[spec.name] = rng.choice(("山田太郎", "多摩南市中央1-2-3", "佐藤花子"))
    page, _ = render_filled(template, values, rng, Writer.create(rng, None, (0, 1)))
    return page


# --- pages that are no form -------------------------------------------------------------


def _blank_pages() -> list[tuple[str, Image.Image]]:
    white = Image.new("L", _A4, 255)
    grey = Image.new("L", _A4, 226)  # recycled paper
    return [
        ("blank", white),
        ("blank-grain", _grain(white, 5, 9.0)),
        ("blank-grey-jpeg", jpeg(_grain(grey, 6), 50)),
        ("blank-200dpi", at_dpi(_grain(white, 7), 200)),
        ("blank-fax", _SCANS[-1][1](white)),
    ]


def _note() -> Image.Image:
    """Not blank: a white page with one short handwritten line (a clerk's 済 and a date)."""
    page = Image.new("L", _A4, 255)
    rng = random.Random(4)
    Writer.create(rng, None, (0, 1)).text(page, "済 6/3", 900, 1500, 60, 400)
    return page


def _photo() -> Image.Image:
    """A photo of a desk: gradients, a few shapes, grain."""
    height, width = _A4[1], _A4[0]
    ys, xs = np.mgrid[0:height, 0:width]
    light = 90 + 120 * (xs / width) * (1 - 0.5 * ys / height)
    image = Image.fromarray(np.clip(light, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.ellipse((300, 400, 1300, 1400), fill=40)
    draw.rectangle((1200, 1800, 2300, 3000), fill=180, outline=20, width=25)
    draw.polygon([(100, 3300), (900, 2200), (1500, 3400)], fill=70)
    return _grain(image, 8, 12.0)


def _marks_and_other_boxes() -> Image.Image:
    """The claim's registration marks around another form's boxes."""
    page = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(page)
    for x, y in ((95, 95), (1559, 95), (95, 2244), (1559, 2244)):
        draw.rectangle((x - 23, y - 23, x + 23, y + 23), fill=0)
    for row in range(300, 2100, 90):
        draw.rectangle((200, row, 1400, row + 50), outline=0, width=3)
    return page


# --- the batch --------------------------------------------------------------------------

#: What each page should become: a form's name and page number, "blank" or "unsorted".
Expected = tuple[str, int] | str


@pytest.fixture(scope="module")
def forms(template: FormTemplate) -> list[FormTemplate | FormDocument]:
    return [template, _city_version(template), _transfer_form()]


@pytest.fixture(scope="module")
def batch(
    tmp_path_factory: pytest.TempPathFactory,
    forms: list[FormTemplate | FormDocument],
) -> tuple[list[tuple[str, Page]], list[Expected]]:
    """About thirty pages as a counter gets them, in a folder of PNG/JPEG files."""
    claim, city, transfer = forms
    assert isinstance(claim, FormTemplate) and isinstance(city, FormTemplate)
    assert isinstance(transfer, FormDocument)
    folder = tmp_path_factory.mktemp("sort-batch")
    units: list[list[tuple[str, Image.Image, Expected]]] = []
    made = generate_samples(
        folder / "claims", n=5, seed=31, template=claim, digits_dir=None, formats=("png",)
    )
    for sample in made:  # the generator's own scan effects (turns, 200–300 dpi, JPEG)
        units.append([(f"claim-{sample.path.stem}", Image.open(sample.path), ("paper-intake", 1))])
    for i, (scan, effect) in enumerate(_SCANS):
        units.append([(f"city-{scan}", effect(_filled(city, i)), ("paper-intake-city", 1))])
    first, second = transfer.pages
    for i in range(3):
        document: list[tuple[str, Image.Image, Expected]] = [
            (f"transfer{i}-p1", _SCANS[i][1](_filled(first, i)), ("account-transfer", 1)),
            (f"transfer{i}-p2", _SCANS[i + 3][1](_filled(second, i)), ("account-transfer", 2)),
        ]
        if i == 1:  # the blank back of page 1 in a duplex scan
            document.insert(1, ("transfer1-back", _blank_pages()[1][1], "blank"))
        units.append(document)
    units.extend([(name, page, "blank")] for name, page in _blank_pages())
    noise = np.random.default_rng(3).integers(0, 256, (_A4[1], _A4[0]), dtype=np.uint8)
    units.append([("noise", Image.fromarray(noise), "unsorted")])
    units.append([("photo", _photo(), "unsorted")])
    units.append([("note", _note(), "unsorted")])
    units.append(
        [("claim-upside-down", _affine(Image.open(made[0].path), angle=180), ("paper-intake", 1))]
    )
    units.append([("unknown-form", _SCANS[1][1](_filled(_unknown_form(), 0)), "unsorted")])
    units.append([("marks-other-boxes", _marks_and_other_boxes(), "unsorted")])
    # A continuation page whose first page is missing: its form, but glued to no document.
    units.append([("orphan-p2", _filled(second, 9), "unsorted")])
    random.Random(16).shuffle(units)  # a document's pages stay together, as handed in
    pages = [page for unit in units for page in unit]
    paths = []
    for position, (name, image, _) in enumerate(pages):
        suffix = "jpg" if "jpeg" in name.lower() or "q40" in name else "png"
        path = folder / f"{position:02d}-{name.replace(' ', '_')}.{suffix}"
        image.convert("L").save(path, quality=92)  # PNG ignores the quality
        paths.append(path)
    return load_batch(paths), [expected for _, _, expected in pages]


@pytest.fixture(scope="module")
def sorted_batch(
    batch: tuple[list[tuple[str, Page]], list[Expected]],
    forms: list[FormTemplate | FormDocument],
) -> SortResult:
    pages, _ = batch
    sort_pages(pages[:1], forms)  # the blanks' keypoints, drawn once per form
    started = time.perf_counter()
    result = sort_pages(pages, forms)
    seconds = time.perf_counter() - started
    right = sum(
        (p.form, p.page) == e if isinstance(e, tuple) else p.outcome == e
        for p, e in zip(result.pages, batch[1], strict=True)
    )
    print(
        f"\nsorted {len(pages)} pages: {right}/{len(pages)} as expected, "
        f"{seconds / len(pages):.2f} s per page"
    )
    for page in result.pages:
        print("  " + page.describe())
    return result


def test_every_form_page_goes_to_its_form(
    sorted_batch: SortResult, batch: tuple[list[tuple[str, Page]], list[Expected]]
) -> None:
    expected = batch[1]
    forms = [(i, e) for i, e in enumerate(expected) if isinstance(e, tuple)]
    assert len(forms) >= 17
    got = {i: (sorted_batch.pages[i].form, sorted_batch.pages[i].page) for i, _ in forms}
    assert got == dict(forms)  # 100% on this batch
    for page in sorted_batch.pages:
        if page.outcome == "form":
            assert page.alignment is not None and page.score > 0.5


def test_no_page_goes_to_a_wrong_form(
    sorted_batch: SortResult, batch: tuple[list[tuple[str, Page]], list[Expected]]
) -> None:
    for page, expected in zip(sorted_batch.pages, batch[1], strict=True):
        if page.outcome == "form":
            assert (page.form, page.page) == expected, page.describe()


def test_rotation_is_reported(sorted_batch: SortResult) -> None:
    turned = {p.source.split("-", 1)[1]: p.rotation for p in sorted_batch.pages}
    assert turned["city-upside_down.png"] == 180
    assert turned["city-straight.png"] == 0


def test_blank_pages_are_dropped_with_the_note(
    sorted_batch: SortResult, batch: tuple[list[tuple[str, Page]], list[Expected]]
) -> None:
    blanks = {i for i, e in enumerate(batch[1]) if e == "blank"}
    assert {p.index for p in sorted_batch.blank} == blanks
    assert all(p.reason == BLANK_NOTE and "白紙" in p.describe() for p in sorted_batch.blank)


def test_unknown_pages_go_to_the_unsorted_tray_with_a_reason(
    sorted_batch: SortResult, batch: tuple[list[tuple[str, Page]], list[Expected]]
) -> None:
    unknown = {i for i, e in enumerate(batch[1]) if e == "unsorted"}
    assert {p.index for p in sorted_batch.unsorted} == unknown
    for page in sorted_batch.unsorted:
        assert page.reason and page.form is None, page
        assert "未仕分け" in page.describe()
    orphan = next(p for p in sorted_batch.unsorted if "orphan" in p.source)
    assert "account-transfer の 2 ページ目" in orphan.reason


def test_multi_page_documents_are_kept_together(
    sorted_batch: SortResult, batch: tuple[list[tuple[str, Page]], list[Expected]]
) -> None:
    sources = [name for name, _ in batch[0]]
    transfers = [d for d in sorted_batch.documents if d.form == "account-transfer"]
    # In order, the blank back of a page 1 (a duplex scan) left out.
    assert sorted([sources[i].split("-", 1)[1] for i in d.pages] for d in transfers) == [
        [f"transfer{i}-p1.png", f"transfer{i}-p2.png"] for i in range(3)
    ]
    assert all(d.complete for d in transfers)
    singles = [d for d in sorted_batch.documents if d.form != "account-transfer"]
    assert len(singles) == 12 and all(len(d.pages) == 1 and d.complete for d in singles)


def test_two_forms_too_close_to_call_are_not_guessed(template: FormTemplate) -> None:
    twin = template.model_copy(update={"name": "paper-intake-twin"})
    page = np.asarray(render_blank(template, px_per_mm=PX_PER_MM), dtype=np.uint8)
    result = sort_pages([("scan.png", page)], [template, twin])
    (only,) = result.pages
    assert only.outcome == "unsorted"
    assert "複数の様式に一致" in only.reason and "paper-intake-twin" in only.reason
    assert result.documents == ()


def test_a_sorting_needs_forms_with_distinct_names(template: FormTemplate) -> None:
    page = to_grey(Image.new("L", (100, 141), 255))
    with pytest.raises(ConfigError, match="at least one form"):
        sort_pages([("p", page)], [])
    with pytest.raises(ConfigError, match="two forms called 'paper-intake'"):
        sort_pages([("p", page)], [template, template])


def test_load_batch_names_pages_of_multi_page_files(tmp_path: Path) -> None:
    path = tmp_path / "bundle.tiff"
    frames = [Image.new("L", _A4, 255), render_blank(_unknown_form(), px_per_mm=PX_PER_MM)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    assert [name for name, _ in load_batch([path])] == ["bundle.tiff p1", "bundle.tiff p2"]


def test_the_sort_command_prints_a_line_per_page(
    tmp: Path, clean_sample: Sample, capsys: pytest.CaptureFixture[str]
) -> None:
    Image.open(clean_sample.path).save(tmp / "1-claim.png")
    Image.new("L", _A4, 255).save(tmp / "2-back.png")
    _photo().save(tmp / "3-desk.jpg")
    (tmp / "4-broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (tmp / "notes.txt").write_text("not a scan", encoding="utf-8")
    args = argparse.Namespace(folder=tmp, templates=["paper-intake"])
    assert cli_ocr._sort(args) == 1  # pages for the 未仕分け tray: a person looks
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("4-broken.pdf → 未仕分け: 読めません")
    assert lines[1].startswith("1-claim.png → paper-intake p1")
    assert lines[2] == "2-back.png → 白紙 (白紙のページ)"
    assert lines[3].startswith("3-desk.jpg → 未仕分け: ")
    assert lines[4].startswith("3 pages: 1 sorted into 1 documents, 1 blank, 2 未仕分け")
