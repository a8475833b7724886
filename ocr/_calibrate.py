"""Calibrate per-kind confidence thresholds on generated samples with known answers.

For each field kind (and rule) the threshold is the lowest confidence at which, among
calibration fields that validate, the one-sided 95% Clopper–Pearson upper bound of the share
of auto-accepted fields that would be wrong is at most ``target_error`` (default 0.5%): the
bound, not the point estimate, so a threshold holds on writers it never saw. A kind with too
few calibration fields to reach the bound (at 0.5%, 598 accepted and none wrong) is never
auto-accepted. The result is written beside the template as ``thresholds.yaml``, with a
header saying which samples it came from and what each kind reached.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from core.errors import ConfigError, JimuError
from core.text import edit_distance, nfkc
from ocr._document import read_document
from ocr._engines import Engine
from ocr._models import DocumentReading, FieldReading
from ocr._ppocr import share_cores
from ocr._template import KINDS, FormTemplate, Thresholds, template_dir
from ocr._validate import validate_field

__all__ = [
    "CALIBRATION_DIGITS",
    "CALIBRATION_FORMS",
    "CALIBRATION_MORE_STROKES_SEEDS",
    "CALIBRATION_SEED",
    "CALIBRATION_STROKES_SEED",
    "CONFIDENCE",
    "NEVER",
    "POSTERIOR_FLOOR",
    "TEST_DIGITS",
    "TEST_SEED",
    "TEST_SINGLE_DIGITS",
    "TRAINING_DIGITS",
    "TRAINING_SEEDS",
    "Calibration",
    "KindCalibration",
    "Outcome",
    "calibrate",
    "calibration_of",
    "char_errors",
    "choose_thresholds",
    "fields_needed",
    "outcomes",
    "run_calibration",
    "same_value",
    "sample_files",
    "upper_bound",
]

log = logging.getLogger(__name__)


def same_value(kind: str, read: str, truth: str) -> bool:
    """True if a reading equals the truth (text kinds ignore width; katakana and kanji count
    where spaces are, not how wide: 中山翔 is not 中山　翔; an address ignores its spaces; a
    number its hyphens' and digits' width; an amount its 円)."""
    if kind in ("number", "amount"):
        return nfkc(read).replace("円", "") == nfkc(truth).replace("円", "")
    if kind in ("katakana", "kanji"):
        return nfkc(read).split() == nfkc(truth).split()
    if kind == "address":
        return "".join(nfkc(read).split()) == "".join(nfkc(truth).split())
    return read == truth


def char_errors(read: str, truth: str) -> int:
    """Levenshtein distance between two strings (spaces ignored)."""
    return edit_distance("".join(nfkc(read).split()), "".join(nfkc(truth).split()))


@dataclass(frozen=True)
class Outcome:
    """One field of one sample: what was read against the truth."""

    sample: str
    field: str
    kind: str
    confidence: float
    valid: bool
    correct: bool
    chars: int
    char_errors: int
    rule: str | None = None


def sample_files(folder: Path) -> list[Path]:
    """Generated scans in ``folder`` (and its subfolders: one per set of writers, say) that
    have a ground-truth ``.json`` beside them."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in (".pdf", ".png", ".tiff", ".tif", ".jpg")
        and p.with_suffix(".json").is_file()
    )


def outcomes(
    reading: DocumentReading, truth: dict[str, object], template: FormTemplate | None = None
) -> list[Outcome]:
    """Compare the first page of a reading with its ground truth, field by field.

    With ``template`` each outcome of a boxed digits field also carries its field's ``rule``,
    and a reading whose validated value equals the truth's counts as right: the value systems
    receive is the validated one (a phone or other number is its digits, so a hyphen the
    reader lost between two groups changes nothing that is entered).
    """
    fields = truth["fields"]
    assert isinstance(fields, dict)
    # Rules are calibrated on boxed digits; a free-written number counts under its kind.
    rules = (
        {spec.name: spec.rule for spec in template.fields if spec.kind == "digits"}
        if template
        else {}
    )
    specs = {spec.name: spec for spec in template.fields} if template else {}
    out = []
    for name, found in reading.pages[0].fields.items():
        expected = str(fields.get(name, ""))
        valid = not [r for r in found.reasons if not r.startswith("確信度")]
        correct = same_value(found.kind, found.value, expected)
        if not correct and found.normalised is not None and name in specs:
            wanted, _ = validate_field(FieldReading(found.kind, expected, 1.0, ""), specs[name])
            correct = found.normalised == wanted
        out.append(
            Outcome(
                Path(reading.source).name,
                name,
                found.kind,
                found.confidence,
                valid,
                correct,
                len("".join(expected.split())),
                char_errors(found.value, expected),
                rules.get(name),
            )
        )
    return out


def reading_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` processes to read pages in, each loading its own models (spawned:
    onnxruntime does not survive a fork) and running PP-OCR on its share of the cores."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=share_cores,
        initargs=(workers,),
    )


def read_samples(
    files: Iterable[Path],
    template: FormTemplate,
    *,
    engine: Engine | None = None,
    workers: int = 1,
) -> list[Outcome]:
    """Read generated samples and compare with their truth; unreadable files are skipped.

    With ``workers`` > 1 (and the default engine) the files are shared out to that many
    processes, each loading its own models; the outcomes come back in the files' order.
    """
    paths = list(files)
    if workers > 1 and engine is None and len(paths) > 1:
        chunks = [paths[i::workers] for i in range(workers)]
        with reading_pool(workers) as pool:
            parts = list(pool.map(read_samples, chunks, [template] * workers))
        order = {path.name: i for i, path in enumerate(paths)}
        merged = [o for part in parts for o in part]
        return sorted(merged, key=lambda o: order.get(o.sample, len(order)))
    results: list[Outcome] = []
    for path in paths:
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        today = date.fromisoformat(truth["received_at"])
        try:
            reading = read_document(path, template, default_engine=engine, today=today)
        except JimuError as exc:
            log.warning("skipped sample %s: %s", path.name, exc.code)
            continue
        results.extend(outcomes(reading, truth, template))
    return results


#: Confidence of the bound on the residual error: a threshold is chosen only where the
#: one-sided 95% Clopper–Pearson upper bound of the error among accepted fields is on target.
CONFIDENCE = 0.95
#: Never auto-accept (no confidence reaches it): a kind or rule the calibration could not vouch for.
NEVER = 1.01
#: The least threshold of a value decoded under a rule (a date, a 個人番号, a postal code, a
#: phone number), whose confidence is its posterior among the values the rule allows: a value
#: the model finds less likely than its alternatives together is never auto-accepted, however
#: few such values were wrong in calibration.
POSTERIOR_FLOOR = 0.5

#: Where calibration samples come from, and what they are kept apart from. The digit model
#: trains on generator seeds 7001–7003 with MNIST 0–1499 (scripts/digit_model); the
#: benchmark measures on seed 202 with MNIST 2500–4499 (single digits 4500–4999). Calibration
#: uses seed 101 (fonts) and 103, 105, 107, 109, 111 (calibration stroke writers) with MNIST
#: 1500–2499: a thousand digits, so that 1500 forms do not write the same few hundred over and
#: over. The handwriting fonts (Klee One, YOzFont) are shared by training, calibration and the
#: paper benchmark: no font is held out yet.
CALIBRATION_SEED, CALIBRATION_DIGITS, CALIBRATION_FORMS = 101, (1500, 2500), 300
#: The calibration forms written by stroke writers (ocr._strokes.CALIBRATION_HANDS).
CALIBRATION_STROKES_SEED = 103
#: Where 500 forms per writer set are not enough: a kind whose errors are rare but sure needs
#: about 950 accepted fields with one wrong for an upper bound of 0.5%, and a threshold set
#: on a few hundred stroke-written fields in its band can land a fresh set of writers on
#: either side of the target (kokuho-shutoku's フリガナ, stop 39): 109 and 111 add writers.
CALIBRATION_MORE_STROKES_SEEDS = (105, 107, 109, 111)
TRAINING_SEEDS, TRAINING_DIGITS = (7001, 7002, 7003), (0, 1500)
TEST_SEED, TEST_DIGITS, TEST_SINGLE_DIGITS = 202, (2500, 4500), (4500, 5000)
_RESERVED_SEEDS = {
    **dict.fromkeys(TRAINING_SEEDS, "the digit model's training data"),
    TEST_SEED: "the benchmark's test set",
}


def _binomial_cdf(wrong: int, n: int, p: float) -> float:
    """P(X <= wrong) for X ~ Binomial(n, p), 0 < p < 1, summed in log space."""
    log_p, log_q = math.log(p), math.log1p(-p)
    head = math.lgamma(n + 1)
    return math.fsum(
        math.exp(head - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q)
        for i in range(wrong + 1)
    )


def upper_bound(wrong: int, n: int, *, confidence: float = CONFIDENCE) -> float:
    """One-sided Clopper–Pearson (exact binomial) upper bound of an error rate.

    The largest rate ``p`` at which seeing ``wrong`` or fewer errors in ``n`` is still as
    likely as ``1 - confidence``; 1.0 when nothing was seen or everything was wrong.
    """
    if n <= 0 or wrong >= n:
        return 1.0
    alpha = 1 - confidence
    if wrong == 0:
        return float(1 - alpha ** (1 / n))
    low, high = wrong / n, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if _binomial_cdf(wrong, n, middle) > alpha:
            low = middle
        else:
            high = middle
    return high


def fields_needed(target_error: float, *, confidence: float = CONFIDENCE) -> int:
    """The fewest accepted fields, all right, whose upper bound is at or under the target."""
    return math.ceil(math.log(1 - confidence) / math.log1p(-target_error))


@dataclass(frozen=True)
class KindCalibration:
    """How the threshold of one kind (or rule) was chosen, for the report.

    ``fields`` calibration fields validated; at ``threshold`` ``accepted`` of them would be
    accepted, ``wrong`` of those wrongly, with ``upper95`` the bound of that error rate.
    ``threshold`` is :data:`NEVER` when no threshold reached the target.
    """

    key: str
    fields: int
    threshold: float
    accepted: int
    wrong: int
    upper95: float | None

    @property
    def reached(self) -> bool:
        """True if some threshold met the target (the kind may be auto-accepted)."""
        return self.threshold <= 1


def _choose(
    key: str, valid: list[Outcome], target_error: float, confidence: float, floor: float = 0.0
) -> KindCalibration:
    """The lowest confidence, not under ``floor``, whose accepted outcomes' error bound is at
    most the target."""
    fields = len(valid)
    valid = sorted(
        (o for o in valid if o.confidence >= floor), key=lambda o: o.confidence, reverse=True
    )
    needed = fields_needed(target_error, confidence=confidence)
    best = KindCalibration(key, fields, NEVER, 0, 0, None)
    wrong = 0
    for count, outcome in enumerate(valid, start=1):
        wrong += not outcome.correct
        last = count == len(valid) or valid[count].confidence < outcome.confidence
        # Cheap tests first: the bound is never under the point estimate, nor under the
        # target with fewer than ``needed`` fields.
        if not last or count < needed or wrong / count > target_error:
            continue
        bound = upper_bound(wrong, count, confidence=confidence)
        if bound <= target_error:
            best = KindCalibration(
                key, fields, round(outcome.confidence, 4), count, wrong, round(bound, 5)
            )
    return best


@dataclass(frozen=True)
class Calibration:
    """Thresholds and how each was chosen (see :class:`KindCalibration`)."""

    thresholds: Thresholds
    kinds: tuple[KindCalibration, ...]
    rules: tuple[KindCalibration, ...]
    confidence: float = CONFIDENCE

    @property
    def not_reached(self) -> list[KindCalibration]:
        """The kinds and rules left without auto-accept."""
        return [c for c in (*self.kinds, *self.rules) if not c.reached]


def calibration_of(
    results: list[Outcome], *, target_error: float = 0.005, confidence: float = CONFIDENCE
) -> Calibration:
    """Per kind (and per rule) the lowest threshold whose residual error is on target.

    The residual error among the calibration fields a threshold would accept must be at or
    under ``target_error`` with ``confidence`` (the one-sided Clopper–Pearson upper bound),
    not merely on average. Fields with a ``rule`` (check digit, national postal table, phone
    shape) get a threshold of their own per rule; the kind's threshold covers the fields
    without one. A value decoded under a rule (and a date) is never accepted under
    :data:`POSTERIOR_FLOOR`. Every kind and rule found in ``results`` is in the thresholds;
    one whose fields are too few (or too often wrong) to reach the bound gets :data:`NEVER`.
    """
    rules = []
    for rule in sorted({o.rule for o in results if o.rule}):
        valid = [o for o in results if o.rule == rule and o.valid]
        rules.append(_choose(rule, valid, target_error, confidence, POSTERIOR_FLOOR))
    kinds = []
    present = {o.kind for o in results}
    for kind in (k for k in KINDS if k in present):
        valid = [o for o in results if o.kind == kind and o.valid and not o.rule]
        floor = POSTERIOR_FLOOR if kind == "date" else 0.0
        kinds.append(_choose(kind, valid, target_error, confidence, floor))
    thresholds = Thresholds(
        target_error=target_error,
        calibration_fields=len(results),
        by_kind={c.key: c.threshold for c in kinds},  # type: ignore[misc]
        by_rule={c.key: c.threshold for c in rules},  # type: ignore[misc]
    )
    return Calibration(thresholds, tuple(kinds), tuple(rules), confidence)


def choose_thresholds(results: list[Outcome], *, target_error: float = 0.005) -> Thresholds:
    """The thresholds of :func:`calibration_of` (without the report)."""
    return calibration_of(results, target_error=target_error).thresholds


def _seeds(files: list[Path]) -> list[int]:
    found = {
        json.loads(p.with_suffix(".json").read_text(encoding="utf-8")).get("seed") for p in files
    }
    return sorted(s for s in found if isinstance(s, int))


def _writers(files: list[Path]) -> str:
    """Who wrote the samples: the handwriting fonts and/or stroke writers (by seed range)."""
    kinds = set()
    for path in files:
        hands = json.loads(path.with_suffix(".json").read_text(encoding="utf-8")).get("hands")
        kinds.add(f"stroke writers {hands[0]}–{hands[1] - 1}" if hands else "handwriting fonts")
    return " and ".join(sorted(kinds))


def _header(
    calibration: Calibration, files: int, seeds: list[int], writers: str = "", template: str = "…"
) -> str:
    target = calibration.thresholds.target_error
    usual = bool(seeds) and set(seeds) <= {
        CALIBRATION_SEED, CALIBRATION_STROKES_SEED, *CALIBRATION_MORE_STROKES_SEEDS
    }
    digits = (
        f"MNIST {CALIBRATION_DIGITS[0]}–{CALIBRATION_DIGITS[1] - 1}"
        if usual
        else "MNIST range as passed to `jimu ocr samples`"
    )
    lines = [
        f"Written by `jimu ocr calibrate` on {files} samples (generator seed "
        f"{', '.join(map(str, seeds)) or '?'}, {digits}); do not edit.",
        f"Usual set: `jimu ocr samples --template {template} --n N --seed "
        f"{CALIBRATION_SEED} --digit-range {CALIBRATION_DIGITS[0]}:{CALIBRATION_DIGITS[1]} --out "
        f"DIR/fonts`, the same with `--seed {CALIBRATION_STROKES_SEED} --hands calibration "
        "--out DIR/strokes` (and "
        + ", ".join(f"`--seed {seed}` into DIR/strokes{n}"
                    for n, seed in enumerate(CALIBRATION_MORE_STROKES_SEEDS, start=2))
        + " for more), then `jimu ocr calibrate --samples DIR --workers 2` "
        "(benchmarks/ocr.py measures with these thresholds).",
        f"Kept apart from training (seeds {', '.join(map(str, TRAINING_SEEDS))}, MNIST "
        f"{TRAINING_DIGITS[0]}–{TRAINING_DIGITS[1] - 1}) and from the benchmark's test set "
        f"(seed {TEST_SEED}, MNIST {TEST_DIGITS[0]}–{TEST_DIGITS[1] - 1}; single digits "
        f"{TEST_SINGLE_DIGITS[0]}–{TEST_SINGLE_DIGITS[1] - 1}).",
        f"Written by: {writers or 'handwriting fonts'} (stroke writers are kept apart by "
        "seed: ocr/_strokes.py TRAIN_HANDS, CALIBRATION_HANDS, TEST_HANDS).",
        f"Threshold: the lowest confidence at which the one-sided {calibration.confidence:.0%} "
        f"Clopper-Pearson upper bound of the error among accepted fields is <= {target:.2%} "
        f"(needs >= {fields_needed(target, confidence=calibration.confidence)} accepted "
        f"fields even with none wrong); {NEVER} = never auto-accepted. Rules and dates: "
        f"never under {POSTERIOR_FLOOR} (the value's posterior among those the rule allows).",
    ]
    for c in (*calibration.kinds, *calibration.rules):
        if c.reached:
            lines.append(
                f"  {c.key}: {c.accepted}/{c.fields} accepted, {c.wrong} wrong, "
                f"upper95 {c.upper95:.3%}"
            )
        else:
            lines.append(f"  {c.key}: NOT REACHED on {c.fields} valid fields: no auto-accept")
    return "".join(f"# {line}\n" for line in lines)


def run_calibration(
    samples: Path,
    template: FormTemplate,
    *,
    target_error: float = 0.005,
    write: bool = True,
    workers: int = 1,
) -> Calibration:
    """Calibrate ``template``'s thresholds on the samples in ``samples`` (and save them).

    Raises :class:`ConfigError` if the folder holds no samples with ground truth, or samples
    generated with a seed kept for training or for the benchmark's test set.
    """
    files = sample_files(samples)
    if not files:
        raise ConfigError(f"{samples}: no samples with ground truth (.json) to calibrate on")
    seeds = _seeds(files)
    for seed in seeds:
        if seed in _RESERVED_SEEDS:
            raise ConfigError(
                f"{samples}: samples of generator seed {seed} are "
                f"{_RESERVED_SEEDS[seed]}; calibrate on other writers "
                f"(usually --seed {CALIBRATION_SEED})"
            )
    open_template = template.model_copy(
        update={"thresholds": Thresholds(by_kind=dict.fromkeys(KINDS, 0.0))}
    )
    result = calibration_of(
        read_samples(files, open_template, workers=workers), target_error=target_error
    )
    for short in result.not_reached:
        log.warning(
            "calibration: %s not reached on %d fields; never auto-accepted", short.key, short.fields
        )
    if write:
        target = (
            template_dir(template.name if template.source is None else str(template.source))
            / "thresholds.yaml"
        )
        target.write_text(
            _header(result, len(files), seeds, _writers(files), template.name)
            + yaml.safe_dump(
                result.thresholds.model_dump(mode="json"), allow_unicode=True, sort_keys=True
            ),
            encoding="utf-8",
        )
        log.info("wrote thresholds for %d kinds to %s", len(result.kinds), target)
    return result


def calibrate(
    samples: Path, template: FormTemplate, *, target_error: float = 0.005, write: bool = True
) -> Thresholds:
    """Calibrate ``template``'s thresholds on the samples in ``samples`` (and save them).

    The thresholds of :func:`run_calibration`; raises :class:`ConfigError` as it does.
    """
    return run_calibration(samples, template, target_error=target_error, write=write).thresholds
