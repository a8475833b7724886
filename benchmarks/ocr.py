"""AI-OCR, side by side: jimu's pipeline vs the AI engine alone vs Tesseract alone.

Thresholds are calibrated on one set of generated forms (``JIMU_OCR_BENCH_CALIBRATION``,
default 100; MNIST digits 1500–1999, as 0–1499 trained the digit model) and everything is
measured on another (``JIMU_OCR_BENCH_FORMS``, default 200: other people, MNIST digits
2000–3999), so the figures are honest; single MNIST digits are measured on 4000–4999, which
no form uses (``JIMU_OCR_BENCH_MNIST``, default 1000). The engines alone (the AI engine
decoding without any charset or rule, Tesseract) read a subset (``JIMU_OCR_BENCH_ENGINES``,
default 20 forms) because Tesseract takes about 10 s a page. Every form is judged against
its own receipt date (``today`` = the form's ``received_at``): generated claims are dated
inside FY2026, possibly after the day the benchmark runs. With
``JIMU_OCR_BENCH_SAVE_THRESHOLDS=1`` the calibrated thresholds are written to the template's
``thresholds.yaml`` (the same file ``jimu ocr calibrate --samples DIR`` writes on the same
calibration forms)."""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ocr import calibrate, get_engine, load_template, read_document
from ocr._calibrate import Outcome, choose_thresholds, outcomes, read_samples, sample_files
from ocr._engines import Engine
from ocr._fields import FieldRequest, read_fields
from ocr._handwriting import DEFAULT_DIGITS_DIR, load_digits
from ocr._template import KINDS, FormTemplate, Thresholds
from sandbox.paper_samples import generate_samples

_BOXED_DIGITS = ("my_number", "postal_code", "phone", "account_number", "bank_code", "branch_code")
CALIBRATION_SEED, CALIBRATION_DIGITS = 101, (1500, 2000)
TEST_SEED, TEST_DIGITS = 202, (2000, 4000)


def _size(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _rate(part: int, whole: int, places: int = 4) -> float | None:
    return round(part / whole, places) if whole else None


def _scores(results: list[Outcome], accepted: set[tuple[str, str]]) -> dict[str, Any]:
    """Character accuracy, field exact match, accept rate and residual error."""
    written = [o for o in results if o.chars or o.kind == "checkbox"]
    chars = sum(o.chars for o in written)
    taken = [o for o in results if (o.sample, o.field) in accepted]
    return {
        "fields": len(results),
        "written_fields": len(written),
        "char_accuracy": round(1 - sum(o.char_errors for o in written) / chars, 4)
        if chars else None,
        "field_exact": _rate(sum(o.correct for o in written), len(written)),
        "accept_rate": _rate(len(taken), len(results)),
        "residual_error": _rate(sum(not o.correct for o in taken), len(taken), 5),
    }


def _by_kind(results: list[Outcome], accepted: set[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        kind: _scores([o for o in results if o.kind == kind], accepted) for kind in KINDS
    }
    for rule in sorted({o.rule for o in results if o.rule}):
        out[f"digits:{rule}"] = _scores([o for o in results if o.rule == rule], accepted)
    return {key: value for key, value in out.items() if value["fields"]}


def _boxed_exact(results: Iterable[Outcome]) -> float | None:
    chosen = [o for o in results if o.field in _BOXED_DIGITS]
    return _rate(sum(o.correct for o in chosen), len(chosen))


def _read_all(files: list[Path], template: FormTemplate, engine: Engine | None
              ) -> tuple[list[Outcome], set[tuple[str, str]], list[float]]:
    """All outcomes, the keys of accepted fields (at the template's thresholds), s/page."""
    every: list[Outcome] = []
    accepted: set[tuple[str, str]] = set()
    seconds: list[float] = []
    for path in files:
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        started = time.perf_counter()
        reading = read_document(path, template, default_engine=engine,
                                today=date.fromisoformat(truth["received_at"]))
        seconds.append((time.perf_counter() - started) / len(reading.pages))
        found = outcomes(reading, truth, template)
        every.extend(found)
        fields = reading.pages[0].fields
        accepted.update((o.sample, o.field) for o in found if fields[o.field].accepted)
    return every, accepted, seconds


def _mnist(engine_name: str, start: int, count: int) -> float | None:
    """Single MNIST digits, each in a box drawn as on the form, read as a 1-box field."""
    digits = load_digits(DEFAULT_DIGITS_DIR)
    if digits is None:
        return None
    images, labels = digits
    requests = []
    for index in range(start, min(start + count, len(labels))):
        # As on the form: a 7×9 mm box at 8 px/mm, the crop 1.6 mm bigger on every side.
        crop = np.full((98, 82), 255, np.uint8)
        crop[16:82, 8:74] = cv2.resize(255 - images[index], (66, 66),
                                       interpolation=cv2.INTER_CUBIC)
        cv2.rectangle(crop, (13, 13), (69, 85), 0, 2)
        requests.append((FieldRequest(crop, "digits", 1), str(labels[index])))
    if not requests:
        return None
    readings = read_fields([r for r, _ in requests], get_engine(engine_name))
    right = sum(reading.value == truth
                for reading, (_, truth) in zip(readings, requests, strict=True))
    return round(right / len(requests), 4)


def _engine_summary(results: list[Outcome], accepted: set[tuple[str, str]],
                    seconds: list[float]) -> dict[str, Any]:
    return {**_scores(results, accepted), "boxed_digit_field_exact": _boxed_exact(results),
            "seconds_per_page": round(statistics.median(seconds), 3) if seconds else None,
            "by_kind": _by_kind(results, accepted)}


def run() -> dict[str, Any]:
    template = load_template("paper-intake")
    n_forms = _size("JIMU_OCR_BENCH_FORMS", 200)
    n_calibration = _size("JIMU_OCR_BENCH_CALIBRATION", 100)
    n_engines = _size("JIMU_OCR_BENCH_ENGINES", 20)
    n_mnist = _size("JIMU_OCR_BENCH_MNIST", 1000)
    save = os.environ.get("JIMU_OCR_BENCH_SAVE_THRESHOLDS") == "1"
    with tempfile.TemporaryDirectory(prefix="jimu-ocr-bench-") as tmp:
        calibration_dir, test_dir = Path(tmp, "calibration"), Path(tmp, "test")
        generate_samples(calibration_dir, n=n_calibration, seed=CALIBRATION_SEED,
                         template=template, digit_range=CALIBRATION_DIGITS)
        generate_samples(test_dir, n=n_forms, seed=TEST_SEED, template=template,
                         digit_range=TEST_DIGITS)
        if save:
            thresholds = calibrate(calibration_dir, template)
        else:
            open_template = template.model_copy(
                update={"thresholds": Thresholds(by_kind=dict.fromkeys(KINDS, 0.0))})
            thresholds = choose_thresholds(
                read_samples(sample_files(calibration_dir), open_template))
        calibrated = template.model_copy(update={"thresholds": thresholds})
        files = sample_files(test_dir)
        every, accepted, seconds = _read_all(files, calibrated, None)
        subset = files[:n_engines]
        names = {p.name for p in subset}
        tesseract = _read_all(subset, calibrated, get_engine("tesseract"))
        alone = _read_all(subset, calibrated, get_engine("ppocr-unconstrained"))
    pipeline_subset = [o for o in every if o.sample in names]
    wrong_accepted = sum(not o.correct for o in every if (o.sample, o.field) in accepted)
    written = [o for o in every if o.chars]
    written_accepted = [o for o in written if (o.sample, o.field) in accepted]
    load = os.getloadavg()
    return {
        "forms": len(files),
        "calibration_forms": n_calibration,
        "today": "each form's received_at",
        "thresholds": thresholds.model_dump(mode="json"),
        "mnist_digit_accuracy": _mnist("ppocr", 4000, n_mnist),
        "mnist_digit_accuracy_ai_engine_alone": _mnist("ppocr-unconstrained", 4000, n_mnist),
        "tesseract_mnist_digit_accuracy": _mnist("tesseract", 4000, min(n_mnist, 300)),
        "boxed_digit_field_exact": _boxed_exact(every),
        "tesseract_boxed_digit_field_exact": _boxed_exact(tesseract[0]),
        "ai_engine_alone_boxed_digit_field_exact": _boxed_exact(alone[0]),
        "auto_accept_rate": _rate(len(accepted), len(every)),
        "auto_accept_rate_written_fields": _rate(len(written_accepted), len(written)),
        "residual_error_accepted": _rate(wrong_accepted, len(accepted), 5),
        "accepted_fields": len(accepted),
        "accepted_wrong_fields": wrong_accepted,
        "seconds_per_page": round(statistics.median(seconds), 3),
        "seconds_per_page_p90": round(float(np.percentile(seconds, 90)), 3),
        "load_average_at_end": [round(x, 2) for x in load],
        "cpu_count": os.cpu_count(),
        "pipeline_by_kind": _by_kind(every, accepted),
        "engines_forms": len(subset),
        "engines": {
            "pipeline": _engine_summary(pipeline_subset, accepted,
                                        [s for s, p in zip(seconds, files, strict=True)
                                         if p.name in names]),
            "ai_engine_alone": _engine_summary(*alone),
            "tesseract": _engine_summary(*tesseract),
        },
    }
