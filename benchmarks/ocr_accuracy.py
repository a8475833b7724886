"""AI-OCR accuracy, side by side: jimu's pipeline vs the AI engine unconstrained vs Tesseract.

Calibrates thresholds on one set of generated forms (MNIST digits 0–1999) and measures on
another (different people, MNIST digits 2000–3999), so the figures are honest; single
MNIST digits are measured on 4000–4999, which no form uses. Sizes come from the
environment: ``JIMU_OCR_BENCH_FORMS`` (200), ``JIMU_OCR_BENCH_CALIBRATION`` (100),
``JIMU_OCR_BENCH_TESSERACT`` (30 forms), ``JIMU_OCR_BENCH_MNIST`` (1000 digits).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ocr import generate_samples, get_engine, load_template, read_document
from ocr._calibrate import Outcome, choose_thresholds, outcomes, read_samples, sample_files
from ocr._engines import Engine
from ocr._fields import FieldRequest, read_fields
from ocr._handwriting import DEFAULT_DIGITS_DIR, load_digits
from ocr._template import KINDS, FormTemplate, Thresholds

_BOXED_DIGITS = ("my_number", "postal_code", "phone", "account_number", "bank_code", "branch_code")


def _size(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _scores(results: list[Outcome], kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in kinds:
        chosen = [o for o in results if o.kind == kind and (o.chars or kind == "checkbox")]
        if not chosen:
            continue
        chars = sum(o.chars for o in chosen)
        out[kind] = {
            "fields": len(chosen),
            "field_exact": round(sum(o.correct for o in chosen) / len(chosen), 4),
            "char_accuracy": round(1 - sum(o.char_errors for o in chosen) / chars, 4)
            if chars else None,
        }
    return out


def _boxed_exact(results: list[Outcome]) -> float:
    chosen = [o for o in results if o.field in _BOXED_DIGITS]
    return round(sum(o.correct for o in chosen) / max(len(chosen), 1), 4)


def _read_all(files: list[Path], template: FormTemplate, engine: Engine | None
              ) -> tuple[list[Outcome], list[Outcome], list[float]]:
    """All outcomes, the accepted ones (at the template's thresholds), seconds per page."""
    every: list[Outcome] = []
    accepted: list[Outcome] = []
    seconds: list[float] = []
    for path in files:
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        started = time.perf_counter()
        reading = read_document(path, template, default_engine=engine,
                                today=date.fromisoformat(truth["received_at"]))
        seconds.append(time.perf_counter() - started)
        found = outcomes(reading, truth)
        every.extend(found)
        fields = reading.pages[0].fields
        accepted.extend(o for o in found if fields[o.field].accepted)
    return every, accepted, seconds


def _mnist(engine_name: str, start: int, count: int) -> float | None:
    digits = load_digits(DEFAULT_DIGITS_DIR)
    if digits is None:
        return None
    images, labels = digits
    requests = []
    for index in range(start, min(start + count, len(labels))):
        # As on the form: a 7×9 mm box at 8 px/mm, the crop 1.6 mm bigger on every side.
        crop = np.full((98, 82), 255, np.uint8)
        digit = cv2.resize(255 - images[index], (66, 66), interpolation=cv2.INTER_CUBIC)
        crop[16:82, 8:74] = digit
        cv2.rectangle(crop, (13, 13), (69, 85), 0, 2)
        box = crop
        requests.append((FieldRequest(box, "digits", 1), str(labels[index])))
    readings = read_fields([r for r, _ in requests], get_engine(engine_name))
    right = sum(reading.value == truth for reading, (_, truth) in zip(readings, requests,
                                                                       strict=True))
    return round(right / len(requests), 4)


def run() -> dict[str, Any]:
    template = load_template("paper-intake")
    n_forms = _size("JIMU_OCR_BENCH_FORMS", 200)
    n_calibration = _size("JIMU_OCR_BENCH_CALIBRATION", 100)
    n_tesseract = _size("JIMU_OCR_BENCH_TESSERACT", 30)
    n_mnist = _size("JIMU_OCR_BENCH_MNIST", 1000)
    with tempfile.TemporaryDirectory(prefix="jimu-ocr-bench-") as tmp:
        calibration_dir, test_dir = Path(tmp, "calibration"), Path(tmp, "test")
        generate_samples(calibration_dir, n=n_calibration, seed=101, template=template,
                         digit_range=(0, 2000))
        generate_samples(test_dir, n=n_forms, seed=202, template=template,
                         digit_range=(2000, 4000))
        open_template = template.model_copy(
            update={"thresholds": Thresholds(by_kind=dict.fromkeys(KINDS, 0.0))})
        thresholds = choose_thresholds(
            read_samples(sample_files(calibration_dir), open_template))
        calibrated = template.model_copy(update={"thresholds": thresholds})
        files = sample_files(test_dir)
        every, accepted, seconds = _read_all(files, calibrated, None)
        subset = files[:n_tesseract]
        tesseract, _, tesseract_seconds = _read_all(subset, calibrated, get_engine("tesseract"))
        unconstrained, _, _ = _read_all(subset, calibrated, get_engine("ppocr-unconstrained"))
        pipeline_subset = [o for o in every if o.sample in {p.name for p in subset}]
    wrong_accepted = sum(not o.correct for o in accepted)
    written = [o for o in every if o.chars]
    written_accepted = [o for o in accepted if o.chars]
    by_kind_accept = defaultdict(list)
    for o in every:
        by_kind_accept[o.kind].append(o)
    accepted_keys = {(o.sample, o.field) for o in accepted}
    return {
        "forms": len(files),
        "calibration_forms": n_calibration,
        "thresholds": thresholds.by_kind,
        "mnist_digit_accuracy": _mnist("ppocr", 4000, n_mnist),
        "mnist_digit_accuracy_unconstrained": _mnist("ppocr-unconstrained", 4000, n_mnist),
        "tesseract_mnist_digit_accuracy": _mnist("tesseract", 4000, min(n_mnist, 300)),
        "boxed_digit_field_exact": _boxed_exact(every),
        "tesseract_boxed_digit_field_exact": _boxed_exact(tesseract),
        "unconstrained_boxed_digit_field_exact": _boxed_exact(unconstrained),
        "auto_accept_rate": round(len(accepted) / max(len(every), 1), 4),
        "auto_accept_rate_written_fields": round(len(written_accepted) / max(len(written), 1), 4),
        "residual_error_accepted": round(wrong_accepted / max(len(accepted), 1), 5),
        "accepted_wrong_fields": wrong_accepted,
        "accept_rate_by_kind": {
            kind: round(sum((o.sample, o.field) in accepted_keys for o in items) / len(items), 4)
            for kind, items in by_kind_accept.items()
        },
        "seconds_per_page": round(statistics.median(seconds), 3),
        "tesseract_seconds_per_page": round(statistics.median(tesseract_seconds), 3),
        "pipeline_by_kind": _scores(every),
        "side_by_side_forms": len(subset),
        "side_by_side_by_kind": {
            "pipeline": _scores(pipeline_subset),
            "ppocr_unconstrained": _scores(unconstrained),
            "tesseract": _scores(tesseract),
        },
    }
