"""The generated paper forms (sandbox.paper_samples) the OCR tests and benchmarks read."""

from __future__ import annotations

import json
from pathlib import Path

from core.identifiers import is_valid_my_number
from ocr import FormTemplate
from ocr._handwriting import DEFAULT_DIGITS_DIR
from ocr._validate import date_value
from sandbox.paper_samples import Sample, generate_samples


def test_same_seed_gives_the_same_files(template: FormTemplate, tmp: Path) -> None:
    first = generate_samples(tmp / "a", n=2, seed=7, template=template)
    second = generate_samples(tmp / "b", n=2, seed=7, template=template)
    for one, two in zip(first, second, strict=True):
        assert one.path.name == two.path.name
        assert one.path.read_bytes() == two.path.read_bytes()
        truth = one.path.with_suffix(".json").read_text()
        assert truth == two.path.with_suffix(".json").read_text()


def test_ground_truth_holds_valid_values(samples: list[Sample]) -> None:
    for sample in samples:
        truth = json.loads(sample.path.with_suffix(".json").read_text(encoding="utf-8"))
        fields = truth["fields"]
        assert is_valid_my_number(fields["my_number"])
        assert len(fields["postal_code"]) == 7
        date_value(fields["birth_date"])
        # Real handwritten digits wherever the shared MNIST files are beside the repository.
        assert (
            truth["mnist_digits"]
            is (DEFAULT_DIGITS_DIR / "digits-dev-images-idx3-ubyte.gz").exists()
        )
        assert sample.path.suffix in (".pdf", ".png", ".tiff")


def test_without_mnist_digits_fonts_are_used(clean_sample: Sample) -> None:
    assert clean_sample.truth["mnist_digits"] is False
    assert clean_sample.path.suffix == ".png"



def test_no_form_is_dated_before_a_child_it_claims_for_was_born(tmp: Path) -> None:
    """A 請求年月日 before a child's birth could never pass the date checks."""
    # Seed 1's tenth claim is for a child born days before it was received.
    for sample in generate_samples(tmp, n=12, seed=1, scan=False):
        fields = sample.truth["fields"]
        requested = date_value(fields["request_date"])
        births = [date_value(fields[f"child{n}_birth_date"])
                  for n in (1, 2, 3) if fields[f"child{n}_birth_date"]]  # fmt: skip
        assert births and max(births) <= requested
