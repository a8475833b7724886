"""Which forms the OCR benchmark measures on: the usual test set, or a fresh one."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import ocr as bench
from ocr import load_template
from ocr._calibrate import CALIBRATION_STROKES_SEED, TEST_SEED, TRAINING_SEEDS


def test_the_usual_test_set_writes_the_usual_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIMU_OCR_BENCH_SEED", raising=False)
    assert bench.test_seed() == TEST_SEED
    assert bench.result_name() == "ocr"


def test_a_fresh_test_set_writes_results_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIMU_OCR_BENCH_SEED", "204")
    assert bench.test_seed() == 204
    assert bench.result_name() == "ocr-seed204"


@pytest.mark.parametrize("seed", [CALIBRATION_STROKES_SEED, TRAINING_SEEDS[0], "two"])
def test_a_seed_of_training_or_calibration_is_refused(
    monkeypatch: pytest.MonkeyPatch, seed: object
) -> None:
    monkeypatch.setenv("JIMU_OCR_BENCH_SEED", str(seed))
    with pytest.raises(SystemExit, match="JIMU_OCR_BENCH_SEED"):
        bench.test_seed()


def test_straight_through_is_also_counted_among_forms_filled_in_as_asked() -> None:
    """Forms with a field left empty, written wrongly or struck through on purpose can never
    go through untouched: the share among the others says what the reader alone costs."""
    truths: list[dict[str, Any]] = [
        {},
        {"bad": [], "empty": [], "corrected": []},
        {"empty": ["phone"]},
        {"bad": ["my_number"]},
        {"corrected": ["name"]},
    ]
    run = bench._Run(
        review=[{}, {"name": ("確信度 0.40 が基準 0.99 未満です",)}, {"phone": ("空欄",)}, {}, {}],
        as_asked=[bench._as_asked(t) for t in truths],
    )
    section = bench._form_section(run, load_template("kokuho-shutoku"))
    assert run.as_asked == [True, True, False, False, False]
    assert section["straight_through"] == 0.6
    assert section["straight_through_as_asked"] == {"documents": 2, "rate": 0.5}
