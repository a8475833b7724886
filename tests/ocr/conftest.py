"""Shared fixtures for the OCR tests: the real template, a few generated scans."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr import FormTemplate, load_template
from sandbox.paper_samples import Sample, generate_samples


@pytest.fixture(scope="session")
def template() -> FormTemplate:
    """The paper-intake template, with its calibrated thresholds."""
    return load_template("paper-intake")


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory, template: FormTemplate) -> list[Sample]:
    """Three generated, scanned forms (PDF, PNG or TIFF) with ground truth."""
    folder = tmp_path_factory.mktemp("ocr-samples")
    return generate_samples(folder, n=3, seed=5, template=template, digit_range=(0, 2000))


@pytest.fixture(scope="session")
def clean_sample(tmp_path_factory: pytest.TempPathFactory, template: FormTemplate) -> Sample:
    """One filled form without scan effects, as PNG, its digits drawn from fonts."""
    folder = tmp_path_factory.mktemp("ocr-clean")
    return generate_samples(folder, n=1, seed=9, template=template, digits_dir=None,
                            formats=("png",), scan=False)[0]


def write_other_form(path: Path) -> None:
    """A page with this form's registration marks but another form's boxes."""
    from PIL import Image, ImageDraw

    page = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(page)
    for x, y in ((95, 95), (1559, 95), (95, 2244), (1559, 2244)):
        draw.rectangle((x - 23, y - 23, x + 23, y + 23), fill=0)
    for row in range(300, 2100, 90):
        draw.rectangle((200, row, 1400, row + 50), outline=0, width=3)
    page.save(path)


def truth_of(sample: Sample, name: str) -> str:
    """The true value of field ``name`` on ``sample``."""
    fields = sample.truth["fields"]
    assert isinstance(fields, dict)
    return str(fields[name])


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    """A fresh folder."""
    return tmp_path
