"""Shared fixtures for the OCR tests: the real template, a few generated scans."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocr import FormTemplate, Sample, generate_samples, load_template


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


def truth_of(sample: Sample, name: str) -> str:
    """The true value of field ``name`` on ``sample``."""
    fields = sample.truth["fields"]
    assert isinstance(fields, dict)
    return str(fields[name])


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    """A fresh folder."""
    return tmp_path
