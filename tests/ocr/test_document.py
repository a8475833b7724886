"""Whole scans: orientation, validation and routing, and clear errors for bad input."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.errors import FormNotRecognised, InvalidInput
from ocr import FormTemplate, load_pages, read_document
from ocr._validate import date_value, validate_field, validate_page
from sandbox.paper_samples import Sample
from tests.ocr.conftest import write_other_form


def _today(sample: Sample) -> date:
    return date.fromisoformat(str(sample.truth["received_at"]))


def test_upside_down_scan_reads_like_the_upright_one(
    clean_sample: Sample, template: FormTemplate, tmp: Path
) -> None:
    page = Image.fromarray(load_pages(clean_sample.path)[0])
    turned = page.rotate(182, resample=Image.Resampling.BILINEAR, fillcolor=255)
    turned.save(tmp / "turned.png")
    upright = read_document(clean_sample.path, template, today=_today(clean_sample))
    flipped = read_document(tmp / "turned.png", template, today=_today(clean_sample))
    assert flipped.pages[0].rotated == 180
    assert upright.pages[0].rotated == 0
    values = {n: f.value for n, f in upright.pages[0].fields.items()}
    assert {n: f.value for n, f in flipped.pages[0].fields.items()} == values


def test_accepted_fields_validate_and_mostly_match_the_truth(
    samples: list[Sample], template: FormTemplate
) -> None:
    accepted = right = 0
    for sample in samples:
        reading = read_document(sample.path, template, today=_today(sample))
        for name, field in reading.pages[0].fields.items():
            if field.accepted:
                accepted += 1
                assert not field.reasons
                assert validate_field(field, template.field(name))[1] == []
                right += field.value.replace("\u3000", "") == str(
                    sample.truth["fields"][name]).replace("\u3000", "")
    assert accepted >= 10  # most of the form, even on a noisy scan
    assert right >= accepted - 1


def test_wrong_era_date_and_check_digit_are_never_accepted(
    clean_sample: Sample, template: FormTemplate
) -> None:
    with pytest.raises(InvalidInput):
        date_value("4310501")  # 平成31年5月1日 does not exist
    assert date_value("5010501") == date(2019, 5, 1)
    reading = read_document(clean_sample.path, template, today=_today(clean_sample))
    fields = dict(reading.pages[0].fields)
    good = fields["my_number"].value
    wrong = good[:11] + str((int(good[11]) + 1) % 10)
    fields["my_number"] = replace(fields["my_number"], value=wrong, confidence=1.0)
    fields["birth_date"] = replace(fields["birth_date"], value="4310501", confidence=1.0)
    checked, _ = validate_page(fields, template, today=_today(clean_sample))
    assert not checked["my_number"].accepted
    assert "チェックデジット" in " ".join(checked["my_number"].reasons)
    assert not checked["birth_date"].accepted
    assert wrong not in " ".join(checked["my_number"].reasons)


def test_request_date_in_the_future_needs_review(
    clean_sample: Sample, template: FormTemplate
) -> None:
    reading = read_document(clean_sample.path, template, today=date(2019, 6, 1))
    assert not reading.pages[0].fields["request_date"].accepted


@pytest.mark.parametrize(
    ("name", "content", "error", "words"),
    [
        ("empty.pdf", b"", InvalidInput, "empty"),
        ("letter.pdf", b"Dear sir, this is not a PDF.\n" * 20, InvalidInput, "PDF"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, InvalidInput, "empty.pdf|photo.png"),
    ],
)
def test_broken_files_give_one_clear_error(tmp: Path, template: FormTemplate, name: str,
                                           content: bytes, error: type[Exception],
                                           words: str) -> None:
    path = tmp / name
    path.write_bytes(content)
    with pytest.raises(error) as caught:
        read_document(path, template)
    assert name in str(caught.value)


def test_blank_page_is_not_the_form(tmp: Path, template: FormTemplate) -> None:
    Image.new("L", (1654, 2339), 255).save(tmp / "blank.png")
    with pytest.raises(FormNotRecognised, match=r"blank\.png"):
        read_document(tmp / "blank.png", template)


def test_a_different_form_is_not_recognised(tmp: Path, template: FormTemplate) -> None:
    write_other_form(tmp / "other.png")
    with pytest.raises(FormNotRecognised, match=r"other\.png"):
        read_document(tmp / "other.png", template)


def test_encrypted_pdf_is_refused(tmp: Path, template: FormTemplate) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(tmp / "secret.pdf"), encrypt=StandardEncryption("user", "owner"))
    canvas.drawString(100, 100, "secret")
    canvas.save()
    with pytest.raises(InvalidInput, match=r"secret\.pdf: encrypted"):
        read_document(tmp / "secret.pdf", template)


def test_too_coarse_and_too_large_images_are_refused(tmp: Path, template: FormTemplate) -> None:
    Image.new("L", (248, 351), 255).save(tmp / "coarse.png")
    with pytest.raises(InvalidInput, match="resolution too low"):
        read_document(tmp / "coarse.png", template)
    Image.new("1", (20000, 20000), 1).save(tmp / "huge.png")
    with pytest.raises(InvalidInput, match=r"huge\.png: image too large"):
        read_document(tmp / "huge.png", template)


def test_a_multi_page_tiff_gives_one_reading_per_page(
    clean_sample: Sample, template: FormTemplate, tmp: Path
) -> None:
    page = Image.fromarray(load_pages(clean_sample.path)[0])
    page.save(tmp / "two.tiff", save_all=True, append_images=[page.rotate(180)])
    reading = read_document(tmp / "two.tiff", template, today=_today(clean_sample))
    assert [p.rotated for p in reading.pages] == [0, 180]
    assert np.isclose(reading.pages[0].match, reading.pages[1].match, atol=0.05)
