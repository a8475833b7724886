"""The blank form draws itself, as image and as PDF, and the reader recognises it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ocr import FormTemplate, align_page, load_pages, render_blank, write_blank_pdf


def test_blank_form_is_a4_with_solid_registration_marks(template: FormTemplate) -> None:
    image = np.asarray(render_blank(template, px_per_mm=4))
    assert image.shape == (297 * 4, 210 * 4)
    assert template.marks is not None
    for cx, cy in template.marks.centers_mm:
        assert image[round(cy * 4), round(cx * 4)] == 0


def test_blank_pdf_is_read_back_as_the_form(template: FormTemplate, tmp: Path) -> None:
    pdf = write_blank_pdf(template, tmp / "blank.pdf", dpi=200)
    assert pdf.read_bytes().startswith(b"%PDF-")
    pages = load_pages(pdf)
    assert len(pages) == 1
    alignment = align_page(pages[0], template)
    assert alignment.match > 0.9
    assert alignment.rotated == 0
