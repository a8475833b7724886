"""Calibrate per-kind confidence thresholds on generated samples with known answers.

For each field kind the threshold is the lowest confidence at which, among fields that
validate, at most ``target_error`` (default 0.5%) of those auto-accepted would be wrong.
The result is written beside the template as ``thresholds.yaml``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from core.errors import ConfigError, JimuError
from core.text import edit_distance, nfkc
from ocr._document import read_document
from ocr._engines import Engine
from ocr._models import DocumentReading
from ocr._template import KINDS, FormTemplate, Thresholds, template_dir

__all__ = [
    "Outcome",
    "calibrate",
    "char_errors",
    "choose_thresholds",
    "outcomes",
    "same_value",
    "sample_files",
]

log = logging.getLogger(__name__)


def same_value(kind: str, read: str, truth: str) -> bool:
    """True if a reading equals the truth (text kinds ignore spaces and width)."""
    if kind in ("katakana", "kanji", "address"):
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
    """Generated scans in ``folder`` that have a ground-truth ``.json`` beside them."""
    return sorted(p for p in folder.iterdir()
                  if p.suffix in (".pdf", ".png", ".tiff", ".tif", ".jpg")
                  and p.with_suffix(".json").is_file())


def outcomes(reading: DocumentReading, truth: dict[str, object],
             template: FormTemplate | None = None) -> list[Outcome]:
    """Compare the first page of a reading with its ground truth, field by field.

    With ``template`` each outcome also carries its field's ``rule``.
    """
    fields = truth["fields"]
    assert isinstance(fields, dict)
    rules = {spec.name: spec.rule for spec in template.fields} if template else {}
    out = []
    for name, found in reading.pages[0].fields.items():
        expected = str(fields.get(name, ""))
        valid = not [r for r in found.reasons if not r.startswith("確信度")]
        out.append(Outcome(Path(reading.source).name, name, found.kind, found.confidence, valid,
                           same_value(found.kind, found.value, expected),
                           len("".join(expected.split())), char_errors(found.value, expected),
                           rules.get(name)))
    return out


def read_samples(files: Iterable[Path], template: FormTemplate, *,
                 engine: Engine | None = None) -> list[Outcome]:
    """Read generated samples and compare with their truth; unreadable files are skipped."""
    results: list[Outcome] = []
    for path in files:
        truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        today = date.fromisoformat(truth["received_at"])
        try:
            reading = read_document(path, template, default_engine=engine, today=today)
        except JimuError as exc:
            log.warning("skipped sample %s: %s", path.name, exc.code)
            continue
        results.extend(outcomes(reading, truth, template))
    return results


def _lowest(valid: list[Outcome], target_error: float) -> float:
    """The lowest confidence whose accepted outcomes are wrong at most ``target_error``."""
    valid = sorted(valid, key=lambda o: o.confidence, reverse=True)
    wrong = 0
    best = 1.01
    for count, outcome in enumerate(valid, start=1):
        wrong += not outcome.correct
        last = count == len(valid) or valid[count].confidence < outcome.confidence
        if last and wrong / count <= target_error:
            best = outcome.confidence
    return round(best, 4) if best <= 1 else best


def choose_thresholds(results: list[Outcome], *, target_error: float = 0.005) -> Thresholds:
    """The lowest threshold per kind whose accepted fields are wrong at most ``target_error``.

    Fields with a ``rule`` (check digit, national postal table, phone shape) get a threshold
    of their own per rule; the kind's threshold covers the fields without one.
    """
    by_kind: dict[str, float] = {}
    by_rule: dict[str, float] = {}
    ruled = {o.rule for o in results if o.rule}
    for rule in sorted(ruled):
        valid = [o for o in results if o.rule == rule and o.valid]
        if valid:
            by_rule[rule] = _lowest(valid, target_error)
    for kind in KINDS:
        valid = [o for o in results if o.kind == kind and o.valid and not o.rule]
        if valid:
            by_kind[kind] = _lowest(valid, target_error)
    return Thresholds(target_error=target_error, calibration_fields=len(results),
                      by_kind=by_kind, by_rule=by_rule)  # type: ignore[arg-type]


def calibrate(samples: Path, template: FormTemplate, *, target_error: float = 0.005,
              write: bool = True) -> Thresholds:
    """Calibrate ``template``'s thresholds on the samples in ``samples`` (and save them).

    Raises :class:`ConfigError` if the folder holds no samples with ground truth.
    """
    files = sample_files(samples)
    if not files:
        raise ConfigError(f"{samples}: no samples with ground truth (.json) to calibrate on")
    open_template = template.model_copy(
        update={"thresholds": Thresholds(by_kind=dict.fromkeys(KINDS, 0.0))}
    )
    thresholds = choose_thresholds(read_samples(files, open_template), target_error=target_error)
    if write:
        target = template_dir(template.name if template.source is None
                              else str(template.source)) / "thresholds.yaml"
        seeds = sorted({json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))
                        .get("seed") for p in files} - {None})
        header = (f"# Written by `jimu ocr calibrate` on {len(files)} samples (generator seed "
                  f"{', '.join(map(str, seeds)) or '?'}); do not edit. benchmarks/ocr.py "
                  f"calibrates on `jimu ocr samples --n 100 --seed 101 --digit-range 1500:2000`.\n")
        target.write_text(header + yaml.safe_dump(thresholds.model_dump(mode="json"),
                                                  allow_unicode=True, sort_keys=True),
                          encoding="utf-8")
        log.info("wrote thresholds for %d kinds to %s", len(thresholds.by_kind), target)
    return thresholds
