"""AI-OCR, side by side: jimu's pipeline vs the AI engine alone vs Tesseract alone.

Everything is measured on generated forms whose writers (generator seed 202) and MNIST
digits (2500–4499) neither the digit model's training (seeds 7001–7003, MNIST 0–1499) nor
the calibration (seeds 101, 103, 105 and for 資格取得届 107, MNIST 1500–2499) saw
(``JIMU_OCR_BENCH_FORMS``, default 200); single MNIST digits are measured on 4500–4999,
which no form uses (``JIMU_OCR_BENCH_MNIST``, default 500). The handwriting fonts are shared
with training and calibration: none is held out yet. The thresholds are the shipped ones
(``scenarios/paper-intake/thresholds.yaml``, written by ``jimu ocr calibrate`` on the
calibration set), so the figures are those of what ships; with
``JIMU_OCR_BENCH_CALIBRATION=N`` they are recalibrated instead on N generated
calibration forms (and written back with ``JIMU_OCR_BENCH_SAVE_THRESHOLDS=1``). The engines
alone (the AI engine decoding without any charset or rule, Tesseract) read a subset
(``JIMU_OCR_BENCH_ENGINES``, default 20 forms) because Tesseract takes about 10 s a page.
Every form is judged against its own receipt date (``today`` = the form's ``received_at``).
A field counts as read right when its value, or the validated value systems receive, equals
the truth's (a phone read without one of its hyphens is the same digits entered).

``forms.<form id>`` has, per field kind (and per digit rule, ``digits:<rule>``), field exact,
auto-accept rate and the residual error among accepted fields with its one-sided 95%
Clopper–Pearson upper bound; the share of documents with every field accepted
(``straight_through``), and among the forms filled in as asked — nothing left empty, written
wrongly or struck through on purpose — (``straight_through_as_asked``); the fields a person
has to look at per document and why; seconds
per page: for paper-intake (jimu's own form) and for kokuho-shutoku (a city's form laid out
in Excel, no registration marks, circled options, a date written between a printed 年 月 日;
``JIMU_OCR_BENCH_KOKUHO``, default 100 forms of seed 202 / MNIST 2500–4499, their words
written stroke by stroke by test writers (``ocr._strokes.TEST_HANDS``) that neither training
nor calibration saw, and no font; ``JIMU_OCR_BENCH_WORKERS=2`` reads them in two processes,
each page still timed alone). ``sorting`` is a
mixed batch (both forms, some at 100 dpi, blank pages, another document, photos, noise) sorted
by :func:`ocr.sort_pages`: the share of pages where they belong, pages put in a wrong form
(an unknown page in any form counts), and the share of unknown pages caught.

``JIMU_OCR_BENCH_SECTIONS=kokuho-shutoku,sorting`` runs only those sections (of
``paper-intake``, ``kokuho-shutoku``, ``sorting``) and keeps the rest of the last results.
``JIMU_OCR_BENCH_SEED=N`` draws the test forms from another generator seed (the same test
writers and digits, forms no one has looked at) and writes ``results/ocr-seed<N>.json``."""

from __future__ import annotations

import json
import os
import re
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ocr import FormDocument, get_engine, load_batch, load_template, read_document, sort_pages
from ocr._calibrate import (
    CALIBRATION_DIGITS,
    CALIBRATION_MORE_STROKES_SEEDS,
    CALIBRATION_SEED,
    CALIBRATION_STROKES_SEED,
    TEST_DIGITS,
    TEST_SEED,
    TEST_SINGLE_DIGITS,
    TRAINING_DIGITS,
    TRAINING_SEEDS,
    Outcome,
    calibration_of,
    outcomes,
    read_samples,
    reading_pool,
    run_calibration,
    sample_files,
    upper_bound,
)
from ocr._engines import Engine
from ocr._fields import FieldRequest, read_fields
from ocr._handwriting import DEFAULT_DIGITS_DIR, load_digits
from ocr._pages import Page
from ocr._strokes import TEST_HANDS
from ocr._template import KINDS, FormTemplate, Thresholds
from sandbox.kokuho_samples import KOKUHO, generate_kokuho_samples
from sandbox.paper_samples import generate_samples

_SECTIONS = ("paper-intake", "kokuho-shutoku", "sorting")
_RESULTS = Path(__file__).parent / "results"
_BOXED_DIGITS = ("my_number", "postal_code", "phone", "account_number", "bank_code", "branch_code")
_TOP = 5


def _size(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def test_seed() -> int:
    """The generator seed of the test forms: ``JIMU_OCR_BENCH_SEED``, else the usual one.

    Another seed draws a fresh test set from the same test writers and MNIST digits: forms
    no one has looked at, to check that figures tuned over many runs of the usual set hold.
    A seed of training or calibration is refused."""
    raw = os.environ.get("JIMU_OCR_BENCH_SEED")
    if raw is None:
        return TEST_SEED
    try:
        seed = int(raw)
    except ValueError:
        raise SystemExit(f"JIMU_OCR_BENCH_SEED: not a whole number: {raw[:20]!r}") from None
    taken = {*TRAINING_SEEDS, CALIBRATION_SEED, CALIBRATION_STROKES_SEED,
             *CALIBRATION_MORE_STROKES_SEEDS}  # fmt: skip
    if seed in taken:
        raise SystemExit(f"JIMU_OCR_BENCH_SEED: {seed} is a training or calibration seed")
    return seed


def result_name() -> str:
    """``ocr`` for the usual test set, ``ocr-seed<N>`` for another (see :func:`test_seed`)."""
    seed = test_seed()
    return "ocr" if seed == TEST_SEED else f"ocr-seed{seed}"


def _rate(part: int, whole: int, places: int = 4) -> float | None:
    return round(part / whole, places) if whole else None


def _scores(results: list[Outcome], accepted: set[tuple[str, str]]) -> dict[str, Any]:
    """Character accuracy, field exact match, accept rate and residual error."""
    written = [o for o in results if o.chars or o.kind == "checkbox"]
    chars = sum(o.chars for o in written)
    taken = [o for o in results if (o.sample, o.field) in accepted]
    wrong = sum(not o.correct for o in taken)
    return {
        "fields": len(results),
        "written_fields": len(written),
        "char_accuracy": round(1 - sum(o.char_errors for o in written) / chars, 4)
        if chars
        else None,
        "field_exact": _rate(sum(o.correct for o in written), len(written)),
        "accept_rate": _rate(len(taken), len(results)),
        "accepted": len(taken),
        "accepted_wrong": wrong,
        "residual_error": _rate(wrong, len(taken), 5),
        "residual_error_upper95": round(upper_bound(wrong, len(taken)), 5) if taken else None,
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


@dataclass
class _Run:
    """What reading a set of generated forms gave."""

    outcomes: list[Outcome] = field(default_factory=list)
    accepted: set[tuple[str, str]] = field(default_factory=set)
    seconds: list[float] = field(default_factory=list)
    #: per document: the fields a person has to look at, with their reasons
    review: list[dict[str, tuple[str, ...]]] = field(default_factory=list)
    #: per document (as ``review``): filled in as asked (see :func:`_as_asked`)
    as_asked: list[bool] = field(default_factory=list)


def _read_all(
    files: list[Path], template: FormTemplate, engine: Engine | None, workers: int = 1
) -> _Run:
    """All outcomes, the keys of accepted fields (at the template's thresholds), s/page.

    With ``workers`` > 1 the files are read by that many processes (one per core, PP-OCR on
    its share of the cores; each page is still timed alone), and the runs merged in no
    particular order.
    """
    if workers > 1 and engine is None and len(files) > 1:
        chunks = [files[i::workers] for i in range(workers)]
        with reading_pool(workers) as pool:
            parts = list(pool.map(_read_all, chunks, [template] * workers, [None] * workers))
        merged = _Run()
        for part in parts:
            merged.outcomes.extend(part.outcomes)
            merged.accepted.update(part.accepted)
            merged.seconds.extend(part.seconds)
            merged.review.extend(part.review)
            merged.as_asked.extend(part.as_asked)
        return merged
    run = _Run()
    for path in files:
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        started = time.perf_counter()
        reading = read_document(
            path, template, default_engine=engine, today=date.fromisoformat(truth["received_at"])
        )
        run.seconds.append((time.perf_counter() - started) / len(reading.pages))
        found = outcomes(reading, truth, template)
        run.outcomes.extend(found)
        fields = reading.pages[0].fields
        run.accepted.update((o.sample, o.field) for o in found if fields[o.field].accepted)
        run.review.append({name: fields[name].reasons for name in reading.pages[0].needs_review})
        run.as_asked.append(_as_asked(truth))
    return run


def _as_asked(truth: dict[str, Any]) -> bool:
    """Whether a generated form was filled in as asked: nothing written wrongly on purpose
    (a 個人番号 failing its check digit), no field left empty on purpose (a required 電話),
    no correction struck through. Only such a form can go through with no person at all."""
    return not (truth.get("bad") or truth.get("empty") or truth.get("corrected"))


def _reason(text: str) -> str:
    """A review reason without the numbers that make each one unique (確信度 0.83 …)."""
    if text.startswith("確信度"):
        # 1.01: a kind the calibration could not vouch for is never accepted
        return "確信度が基準未満" + ("（自動受理なしの種類）" if "基準 1.01" in text else "")
    return re.sub(r"\d+\.\d+", "…", text)


def _form_section(run: _Run, template: FormTemplate) -> dict[str, Any]:
    """``forms.<form id>``: per kind, straight-through, review load, seconds per page."""
    counts = [len(fields) for fields in run.review]
    untouched_as_asked = sum(not n for n, ok in zip(counts, run.as_asked, strict=True) if ok)
    reasons = Counter(
        _reason(r)
        for fields in run.review
        for why in fields.values()
        for r in (why or ("(理由なし)",))
    )
    names = Counter(name for fields in run.review for name in fields)
    wrong = sum(not o.correct for o in run.outcomes if (o.sample, o.field) in run.accepted)
    return {
        "template": template.name,
        "documents": len(run.review),
        "test_set": {
            "generator_seed": test_seed(),
            "mnist_digits": f"{TEST_DIGITS[0]}-{TEST_DIGITS[1] - 1}",
            "fonts": "Klee One, YOzFont (shared with training and calibration)",
        },
        "by_kind": _by_kind(run.outcomes, run.accepted),
        "overall": _scores(run.outcomes, run.accepted),
        "residual_error_upper95": round(upper_bound(wrong, len(run.accepted)), 5)
        if run.accepted
        else None,
        "straight_through": _rate(sum(not n for n in counts), len(counts)),
        "straight_through_as_asked": {  # among the forms filled in as asked
            "documents": sum(run.as_asked),
            "rate": _rate(untouched_as_asked, sum(run.as_asked)),
        },
        "fields_to_review_per_document": {
            "mean": round(statistics.mean(counts), 2) if counts else None,
            "median": statistics.median(counts) if counts else None,
            "top_reasons": [{"reason": r, "fields": n} for r, n in reasons.most_common(_TOP)],
            "top_fields": [{"field": f, "documents": n} for f, n in names.most_common(_TOP)],
        },
        "seconds_per_page": round(statistics.median(run.seconds), 3) if run.seconds else None,
        "seconds_per_page_p90": round(float(np.percentile(run.seconds, 90)), 3)
        if run.seconds
        else None,
    }


def _measure_form(
    template: FormTemplate,
    folder: Path,
    generate: Callable[[Path], object],
    workers: int = 1,
) -> tuple[_Run, dict[str, Any]]:
    """Generate a form's test samples into ``folder``, read them with ``template`` (its
    thresholds as they are) and return the run and its ``forms.<form id>`` section."""
    generate(folder)
    run = _read_all(sample_files(folder), template, None, workers)
    return run, _form_section(run, template)


def _kokuho_section(folder: Path, n_forms: int) -> dict[str, Any]:
    """``forms.kokuho-shutoku``: the Excel-made form, with its shipped thresholds."""
    template = load_template(KOKUHO)

    def generate(out: Path) -> None:
        generate_kokuho_samples(
            out,
            n=n_forms,
            seed=test_seed(),
            template=template,
            digit_range=TEST_DIGITS,
            hands=TEST_HANDS,
            workers=workers,
        )

    workers = _size("JIMU_OCR_BENCH_WORKERS", 1)
    _, section = _measure_form(template, folder, generate, workers)
    section["test_set"] = {  # words by stroke writers neither training nor calibration saw
        **section["test_set"],
        "fonts": "none",
        "writers": f"stroke writers {TEST_HANDS.start}-{TEST_HANDS.stop - 1}",
    }
    section["reading_processes"] = workers
    section["calibration_forms"] = _calibration_forms(template)
    section["thresholds"] = template.thresholds.model_dump(mode="json")
    return section


# --- sorting a mixed batch ---------------------------------------------------------------

_A4_300 = (2480, 3508)


def _grain(page: Page, seed: int, sigma: float) -> Page:
    rng = np.random.default_rng(seed)
    noisy = page.astype(np.float64) + rng.normal(0, sigma, page.shape)
    return np.asarray(np.clip(noisy, 0, 255), dtype=np.uint8)


def _jpeg(page: Page, quality: int) -> Page:
    ok, encoded = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return np.asarray(cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE), dtype=np.uint8)


def _at_dpi(page: Page, dpi: float) -> Page:
    """A page held at 300 dpi (or whatever it came at, taken as A4) rescanned at ``dpi``."""
    factor = dpi * 297 / 25.4 / max(page.shape)
    size = (round(page.shape[1] * factor), round(page.shape[0] * factor))
    return np.asarray(cv2.resize(page, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _photo(seed: int) -> Page:
    """A photo of a desk: a lit gradient, a few shapes, grain."""
    height, width = _A4_300[1], _A4_300[0]
    ys, xs = np.mgrid[0:height, 0:width]
    page = np.asarray(np.clip(90 + 120 * (xs / width) * (1 - 0.5 * ys / height), 0, 255), np.uint8)
    rng = np.random.default_rng(seed)
    for _ in range(4):
        x, y = int(rng.integers(200, width - 600)), int(rng.integers(200, height - 600))
        cv2.circle(page, (x, y), int(rng.integers(150, 500)), int(rng.integers(20, 200)), -1)
    return _grain(page, seed, 12.0)


def _other_document() -> Page:
    """A page of another document: a printed table and text no template describes."""
    from ocr import render_blank

    other = FormTemplate.model_validate(
        {
            "name": "tennyu",
            "title": "転入届",
            "texts": [{"text": "転 入 届", "x_mm": 105, "y_mm": 20, "size_mm": 8,
                       "anchor": "center"}],
            "fields": [
                {"name": f"row_{i}", "label": f"異動者{i + 1}", "kind": "kanji", "x_mm": 45,
                 "y_mm": 40 + 18 * i, "width_mm": 150, "height_mm": 12}
                for i in range(12)
            ],
        }
    )  # fmt: skip
    return np.asarray(render_blank(other, px_per_mm=300 / 25.4), dtype=np.uint8)


def _sorting_section(folder: Path, kokuho_files: list[Path], n_each: int) -> dict[str, Any]:
    """``sorting``: a mixed batch; what :func:`ocr.sort_pages` makes of every page."""
    paper = load_template("paper-intake")
    kokuho = load_template(KOKUHO)
    generate_samples(
        folder / "paper", n=n_each, seed=test_seed(), template=paper, digit_range=TEST_DIGITS
    )
    batch: list[tuple[str, Page]] = []
    expected: list[str] = []
    for name, files in ((paper.name, sample_files(folder / "paper")), (KOKUHO, kokuho_files)):
        for source, page in load_batch(files[:n_each]):
            batch.append((source, page))
            expected.append(name)
    white = np.full((_A4_300[1], _A4_300[0]), 255, np.uint8)
    others: list[tuple[str, Page, str]] = [
        ("blank", white, "blank"),
        ("blank-grain", _grain(white, 5, 9.0), "blank"),
        ("blank-grey-jpeg", _jpeg(_grain(np.full_like(white, 226), 6, 6.0), 50), "blank"),
        ("blank-fax", _jpeg(_at_dpi(_grain(white, 7, 6.0), 200), 60), "blank"),
        ("other-document", _other_document(), "unsorted"),
        ("other-document-fax", _jpeg(_at_dpi(_other_document(), 200), 60), "unsorted"),
        ("photo-1", _photo(1), "unsorted"),
        ("photo-2", _jpeg(_photo(2), 70), "unsorted"),
        ("noise", np.random.default_rng(3).integers(0, 256, white.shape, np.uint8), "unsorted"),
    ]
    # A 100 dpi scan of a known form is still that form (reading it is the reader's
    # business); one of another document is an unknown page like the rest.
    others.append(("other-document-100dpi", _at_dpi(_other_document(), 100), "unsorted"))
    low = load_batch([*kokuho_files[:2], *sample_files(folder / "paper")[:1]])
    for (source, page), form in zip(low, (KOKUHO, KOKUHO, paper.name), strict=False):
        others.append((f"100dpi-{source}", _at_dpi(page, 100), form))
    for source, page, outcome in others:
        batch.append((source, page))
        expected.append(outcome)
    forms: list[FormTemplate | FormDocument] = [paper, kokuho]
    result = sort_pages(batch, forms)
    got = [p.form if p.outcome == "form" else p.outcome for p in result.pages]
    right = sum(g == e for g, e in zip(got, expected, strict=True))
    wrong_form = sum(
        p.outcome == "form" and p.form != e for p, e in zip(result.pages, expected, strict=True)
    )
    unknown = [g for g, e in zip(got, expected, strict=True) if e == "unsorted"]
    misplaced = [
        {"page": p.source, "expected": e, "got": g, "reason": p.reason}
        for p, g, e in zip(result.pages, got, expected, strict=True)
        if g != e
    ]
    return {
        "pages": len(batch),
        "accuracy": _rate(right, len(batch)),
        "wrong_form": wrong_form,
        "unknown_caught": _rate(sum(g == "unsorted" for g in unknown), len(unknown)),
        "unknown_pages": len(unknown),
        "blank_pages": expected.count("blank"),
        "form_pages": {name: expected.count(name) for name in (paper.name, KOKUHO)},
        "not_as_expected": misplaced,
        "seconds_per_page": round(result.seconds / len(batch), 3),
    }


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
        crop[16:82, 8:74] = cv2.resize(255 - images[index], (66, 66), interpolation=cv2.INTER_CUBIC)
        cv2.rectangle(crop, (13, 13), (69, 85), 0, 2)
        requests.append((FieldRequest(crop, "digits", 1), str(labels[index])))
    if not requests:
        return None
    readings = read_fields([r for r, _ in requests], get_engine(engine_name))
    right = sum(
        reading.value == truth for reading, (_, truth) in zip(readings, requests, strict=True)
    )
    return round(right / len(requests), 4)


def _engine_summary(
    results: list[Outcome], accepted: set[tuple[str, str]], seconds: list[float]
) -> dict[str, Any]:
    return {
        **_scores(results, accepted),
        "boxed_digit_field_exact": _boxed_exact(results),
        "seconds_per_page": round(statistics.median(seconds), 3) if seconds else None,
        "by_kind": _by_kind(results, accepted),
    }


def _calibration_forms(template: FormTemplate) -> int | None:
    """How many forms the shipped thresholds were calibrated on (their header says)."""
    source = Path(template.source or "")
    path = (source if source.is_dir() else source.parent) / "thresholds.yaml"
    if not path.is_file():
        return None
    found = re.search(r"on (\d+) samples", path.read_text(encoding="utf-8"))
    return int(found.group(1)) if found else None


def _paper_intake(tmp: Path) -> dict[str, Any]:
    """The paper-intake figures: its ``forms`` section and the engines side by side."""
    template = load_template("paper-intake")
    n_forms = _size("JIMU_OCR_BENCH_FORMS", 200)
    n_calibration = _size("JIMU_OCR_BENCH_CALIBRATION", 0)
    n_engines = _size("JIMU_OCR_BENCH_ENGINES", 20)
    n_mnist = _size("JIMU_OCR_BENCH_MNIST", 500)
    save = os.environ.get("JIMU_OCR_BENCH_SAVE_THRESHOLDS") == "1"
    calibration_dir, test_dir = Path(tmp, "calibration"), Path(tmp, "test")
    if n_calibration:
        generate_samples(
            calibration_dir,
            n=n_calibration,
            seed=CALIBRATION_SEED,
            template=template,
            digit_range=CALIBRATION_DIGITS,
        )
        if save:
            thresholds = run_calibration(calibration_dir, template).thresholds
        else:
            open_template = template.model_copy(
                update={"thresholds": Thresholds(by_kind=dict.fromkeys(KINDS, 0.0))}
            )
            thresholds = calibration_of(
                read_samples(sample_files(calibration_dir), open_template)
            ).thresholds
    else:
        thresholds = template.thresholds
        n_calibration = _calibration_forms(template) or 0
    calibrated = template.model_copy(update={"thresholds": thresholds})

    def generate(out: Path) -> None:
        generate_samples(
            out, n=n_forms, seed=test_seed(), template=template, digit_range=TEST_DIGITS
        )

    pipeline, section = _measure_form(calibrated, test_dir, generate)
    files = sample_files(test_dir)
    subset = files[:n_engines]
    names = {p.name for p in subset}
    tesseract = _read_all(subset, calibrated, get_engine("tesseract"))
    alone = _read_all(subset, calibrated, get_engine("ppocr-unconstrained"))
    every, accepted, seconds = pipeline.outcomes, pipeline.accepted, pipeline.seconds
    pipeline_subset = [o for o in every if o.sample in names]
    wrong_accepted = sum(not o.correct for o in every if (o.sample, o.field) in accepted)
    written = [o for o in every if o.chars]
    written_accepted = [o for o in written if (o.sample, o.field) in accepted]
    load = os.getloadavg()
    single = TEST_SINGLE_DIGITS[0]
    return {
        # ``forms`` was the number of test forms; it is now the per-form sections the issues
        # ask for (``forms.<form id>.by_kind…``), the count is ``test_forms``.
        "forms": {template.name: section},
        "test_forms": len(files),
        "calibration_forms": n_calibration,
        "calibration": {
            "generator_seed": CALIBRATION_SEED,
            "mnist_digits": f"{CALIBRATION_DIGITS[0]}-{CALIBRATION_DIGITS[1] - 1}",
            "thresholds": "recalibrated here"
            if n_calibration and "JIMU_OCR_BENCH_CALIBRATION" in os.environ
            else "shipped",
            "rule": "lowest confidence whose one-sided 95% Clopper-Pearson upper "
            "bound of the accepted error is <= target",
        },
        "training": {
            "generator_seeds": list(TRAINING_SEEDS),
            "mnist_digits": f"{TRAINING_DIGITS[0]}-{TRAINING_DIGITS[1] - 1}",
        },
        "today": "each form's received_at",
        "thresholds": thresholds.model_dump(mode="json"),
        "mnist_digit_accuracy": _mnist("ppocr", single, n_mnist),
        "mnist_digit_accuracy_ai_engine_alone": _mnist("ppocr-unconstrained", single, n_mnist),
        "tesseract_mnist_digit_accuracy": _mnist("tesseract", single, min(n_mnist, 300)),
        "boxed_digit_field_exact": _boxed_exact(every),
        "tesseract_boxed_digit_field_exact": _boxed_exact(tesseract.outcomes),
        "ai_engine_alone_boxed_digit_field_exact": _boxed_exact(alone.outcomes),
        "auto_accept_rate": _rate(len(accepted), len(every)),
        "auto_accept_rate_written_fields": _rate(len(written_accepted), len(written)),
        "residual_error_accepted": _rate(wrong_accepted, len(accepted), 5),
        "residual_error_accepted_upper95": round(upper_bound(wrong_accepted, len(accepted)), 5)
        if accepted
        else None,
        "accepted_fields": len(accepted),
        "accepted_wrong_fields": wrong_accepted,
        "seconds_per_page": round(statistics.median(seconds), 3),
        "seconds_per_page_p90": round(float(np.percentile(seconds, 90)), 3),
        "load_average_at_end": [round(x, 2) for x in load],
        "cpu_count": os.cpu_count(),
        "pipeline_by_kind": _by_kind(every, accepted),
        "engines_forms": len(subset),
        "engines": {
            "pipeline": _engine_summary(
                pipeline_subset,
                accepted,
                [s for s, p in zip(seconds, files, strict=True) if p.name in names],
            ),
            "ai_engine_alone": _engine_summary(alone.outcomes, alone.accepted, alone.seconds),
            "tesseract": _engine_summary(tesseract.outcomes, tesseract.accepted, tesseract.seconds),
        },
    }


def _sections() -> tuple[str, ...]:
    chosen = os.environ.get("JIMU_OCR_BENCH_SECTIONS", "")
    names = tuple(n.strip() for n in chosen.split(",") if n.strip()) or _SECTIONS
    unknown = sorted(set(names) - set(_SECTIONS))
    if unknown:
        raise SystemExit(f"JIMU_OCR_BENCH_SECTIONS: unknown {unknown}; known: {_SECTIONS}")
    return names


def run() -> dict[str, Any]:
    """Every section, or those ``JIMU_OCR_BENCH_SECTIONS`` names (the rest of the figures
    are kept from the last results)."""
    names = _sections()
    result: dict[str, Any] = {}
    last = _RESULTS / f"{result_name()}.json"
    if set(names) != set(_SECTIONS) and last.is_file():
        result = json.loads(last.read_text(encoding="utf-8"))
        for stale in ("benchmark_wall_seconds", "measured_at"):
            result.pop(stale, None)
    forms = dict(result.get("forms", {}))
    with tempfile.TemporaryDirectory(prefix="jimu-ocr-bench-") as tmp:
        if "paper-intake" in names:
            paper = _paper_intake(Path(tmp))
            forms.update(paper.pop("forms"))
            result.update(paper)
        kokuho_dir = Path(tmp, "kokuho")
        if "kokuho-shutoku" in names:
            forms[KOKUHO] = _kokuho_section(kokuho_dir, _size("JIMU_OCR_BENCH_KOKUHO", 100))
        if "sorting" in names:
            n_each = _size("JIMU_OCR_BENCH_SORT", 20)
            if not kokuho_dir.is_dir():
                generate_kokuho_samples(
                    kokuho_dir, n=n_each, seed=test_seed(), digit_range=TEST_DIGITS
                )
            result["sorting"] = _sorting_section(Path(tmp), sample_files(kokuho_dir), n_each)
        result["sections_measured"] = list(names)
        result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["forms"] = forms
    return result
