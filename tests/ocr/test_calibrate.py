"""Calibration: a threshold is chosen on the upper bound of the residual error, not its mean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.errors import ConfigError
from ocr import FormTemplate, load_template
from ocr._calibrate import (
    NEVER,
    POSTERIOR_FLOOR,
    Outcome,
    calibration_of,
    outcomes,
    run_calibration,
    upper_bound,
)
from ocr._models import DocumentReading, FieldReading, PageReading
from ocr._validate import validate_field


def _outcomes(n: int, wrong_below: int, kind: str = "katakana") -> list[Outcome]:
    """``n`` fields at confidence i/n; those under ``wrong_below``/n were read wrong."""
    return [Outcome("s", f"f{i}", kind, i / n, True, i >= wrong_below, 5, 0) for i in range(n)]


def test_the_bound_is_the_exact_binomial_one() -> None:
    # one-sided 95% Clopper–Pearson: 0 of 100 → 2.95%, 1 of 100 → 4.66%, 5 of 1000 → 1.05%
    assert upper_bound(0, 100) == pytest.approx(0.02951, abs=1e-5)
    assert upper_bound(1, 100) == pytest.approx(0.04656, abs=1e-5)
    assert upper_bound(5, 1000) == pytest.approx(0.01048, abs=1e-5)
    assert upper_bound(0, 0) == 1.0


def test_a_threshold_is_set_where_the_upper_bound_meets_the_target() -> None:
    result = calibration_of(_outcomes(1000, 11), target_error=0.005)
    (katakana,) = result.kinds
    # The point estimate would accept down to 0.007 (4 wrong of 993, 0.40%); the bound
    # allows one wrong field of 990 (upper 0.48%), not two of 991 (0.64%).
    assert katakana.threshold == 0.01
    assert (katakana.accepted, katakana.wrong) == (990, 1)
    assert katakana.upper95 is not None and katakana.upper95 <= 0.005
    assert result.thresholds.by_kind == {"katakana": 0.01}


def test_too_few_fields_never_auto_accept_and_are_reported() -> None:
    # 500 fields all right: 0.5% can not be vouched for with fewer than 598
    result = calibration_of(_outcomes(500, 0, "address") + _outcomes(700, 0, "checkbox"))
    assert result.thresholds.by_kind == {"address": NEVER, "checkbox": 0.0}
    assert [c.key for c in result.not_reached] == ["address"]
    assert "circled" not in result.thresholds.by_kind  # a kind the samples lack needs none


def test_a_value_less_likely_than_its_alternatives_is_never_accepted_under_a_rule() -> None:
    # 2000 postal codes all read right down to posterior 0: the bound alone would accept them
    # all, but a code the model finds more likely wrong than right goes to a person.
    postal = [
        Outcome("s", f"p{i}", "digits", i / 2000, True, True, 7, 0, rule="postal_code")
        for i in range(2000)
    ]
    dates = [Outcome("s", f"d{i}", "date", i / 2000, True, True, 7, 0) for i in range(2000)]
    plain = _outcomes(2000, 0, "digits")
    result = calibration_of(postal + dates + plain)
    assert result.thresholds.by_rule == {"postal_code": POSTERIOR_FLOOR}
    assert result.thresholds.by_kind == {"digits": 0.0, "date": POSTERIOR_FLOOR}
    (rule,) = result.rules
    assert (rule.fields, rule.accepted) == (2000, 1000)  # reported against every field


def test_samples_of_the_training_or_test_writers_are_refused(
    tmp: Path, template: FormTemplate
) -> None:
    (tmp / "sample-0001.png").write_bytes(b"")
    (tmp / "sample-0001.json").write_text(json.dumps({"seed": 202}), encoding="utf-8")
    with pytest.raises(ConfigError, match="seed 202 are the benchmark's test set"):
        run_calibration(tmp, template, write=False)


def test_samples_in_subfolders_read_by_two_processes_give_what_one_gives(
    tmp: Path, template: FormTemplate
) -> None:
    """Writer sets in subfolders are all found; two workers read them as one would."""
    from ocr._calibrate import read_samples, sample_files
    from sandbox.paper_samples import generate_samples

    generate_samples(tmp / "fonts", n=1, seed=111, template=template, digits_dir=None,
                     formats=("png",))  # fmt: skip
    generate_samples(tmp / "more", n=1, seed=112, template=template, digits_dir=None,
                     formats=("png",))  # fmt: skip
    files = sample_files(tmp)
    assert [p.parent.name for p in files] == ["fonts", "more"]
    alone = read_samples(files, template)
    assert len(alone) == 2 * len(template.fields)
    assert read_samples(files, template, workers=2) == alone


def test_a_reading_counts_by_the_value_systems_receive() -> None:
    """A phone read without one of its hyphens is entered as the same digits: right. A digit
    wrong is wrong, and so is an unreadable number, whatever its hyphens."""
    template = load_template("kokuho-shutoku")
    spec = template.field("phone")
    truth = {"fields": {"phone": "080-1614-4380"}}

    def outcome(read: str) -> Outcome:
        normalised, _ = validate_field(FieldReading("number", read, 0.99, "t"), spec)
        found = FieldReading("number", read, 0.99, "t", name="phone", normalised=normalised)
        page = PageReading(page=1, rotated=0, match=1.0, fields={"phone": found})
        (only,) = outcomes(DocumentReading("s.png", "kokuho-shutoku", (page,)), truth, template)
        return only

    assert outcome("080-1614-4380").correct
    assert outcome("080-16144380").correct
    assert outcome("08016144380").correct
    assert not outcome("080-1614-4381").correct
    assert not outcome("080-1614-438").correct
