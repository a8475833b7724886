"""The paper-intake process as plain Python (Prefect wraps it in ``paper_intake``).

scans ─► read with ``ocr`` ─► all fields accepted? ─► register in the 業務システム (exactly once)
                             └► no: the review station (確認画面) ─► confirmed ─► register
bad files ─► quarantine, each with a ``.reason.txt``; 判読不能 ─► returned, with its reason.

Documents are keyed by the SHA-256 of the file, never by a name. Scans and crops hold
personal data: they live owner-only under the data folder and go once registered.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from core.application import ChildAllowanceApplication
from core.errors import InvalidInput, JimuError
from core.ledger import Ledger, Status
from flows._e_application import worker_id
from flows._paper_forms import application_from_values
from review import ConfirmedDocument, ReviewDocument, ReviewField, ReviewStore

if TYPE_CHECKING:
    from ocr import FieldReading, FormTemplate

__all__ = [
    "SCAN_SUFFIXES",
    "SCENARIO",
    "IntakeOutcome",
    "Paths",
    "collect_reviewed",
    "document_id_of",
    "intake_file",
]

log = logging.getLogger(__name__)

SCENARIO = "paper-intake"
#: Fields typed twice, blind, by two reviewers when double entry (ベリファイ) is on.
CRITICAL_FIELDS = frozenset({"my_number"})
SCAN_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"})

_PATTERNS = {
    "date": (r"^[345][0-9]{6}$", "元号（3・4・5）と年月日の7桁の数字"),
    "katakana": (r"^[ァ-ヶー　 ]+$", "全角カタカナ"),
    "checkbox": (r"^1?$", "チェックありは 1、なしは空欄"),
}


@dataclass(frozen=True)
class Paths:
    """Where the process keeps scans on their way (all owner-only, under the data folder)."""

    scans: Path
    quarantine: Path

    @classmethod
    def under(cls, data_dir: Path) -> Paths:
        root = data_dir / SCENARIO
        return cls(scans=root / "scans", quarantine=root / "quarantine")


@dataclass(frozen=True)
class IntakeOutcome:
    """What happened to one scan (log-safe: its document id, never its file name)."""

    document_id: str
    result: str  # registered, review, quarantined, returned, already-done, refused
    recipient_no: str | None = None
    fields_to_review: int = 0
    reason: str | None = None


def document_id_of(path: Path) -> str:
    """``scan-`` and the first 16 hex digits of the file's SHA-256."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"scan-{digest.hexdigest()[:16]}"


def _move_owner_only(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.move(str(source), target)
    os.chmod(target, 0o600)
    return target


def quarantine(path: Path, document_id: str, reason: str, paths: Paths) -> Path:
    """Move a scan to quarantine with a ``.reason.txt`` beside it; returns its new path."""
    target = _move_owner_only(path, paths.quarantine / f"{document_id}{path.suffix.lower()}")
    note = target.with_name(target.name + ".reason.txt")
    note.write_text(f"{document_id}: {reason}\n", encoding="utf-8")
    os.chmod(note, 0o600)
    return target


def intake_file(
    path: Path,
    *,
    ledger: Ledger,
    store: ReviewStore,
    paths: Paths,
    today: date | None = None,
    double_entry: bool = True,
) -> tuple[IntakeOutcome, ChildAllowanceApplication | None]:
    """Read one scan. Returns the outcome and, if every field was accepted, the application
    ready to register. Never raises for a bad file: it goes to quarantine."""
    from ocr import load_template, read_document

    document_id = document_id_of(path)
    ledger.enqueue(SCENARIO, document_id)
    state = ledger.get(SCENARIO, document_id)
    if state is not None and state.status is not Status.QUEUED:
        path.unlink()  # the same scan again: it already has its outcome
        return IntakeOutcome(document_id, "already-done", reason=state.status.value), None
    if path.suffix.lower() not in SCAN_SUFFIXES:
        return _refuse(path, document_id, "スキャン画像（PDF・PNG・JPEG・TIFF）ではありません",
                       ledger, paths), None  # fmt: skip
    template = load_template(SCENARIO)
    with tempfile.TemporaryDirectory(prefix="jimu-crops-") as crops:
        try:
            reading = read_document(path, template, crops_dir=Path(crops), today=today)
        except JimuError as exc:
            return _refuse(path, document_id, exc.message, ledger, paths), None
        page = reading.pages[0]
        values = {name: field.value for name, field in page.fields.items()}
        kept = _move_owner_only(path, paths.scans / f"{document_id}{path.suffix.lower()}")
        if reading.accepted:
            try:
                return (
                    IntakeOutcome(document_id, "accepted"),
                    application_from_values(document_id, values),
                )
            except InvalidInput as exc:
                log.info("document %s: all fields read but %s", document_id, exc.code)
        fields = [
            _review_field(template, name, field, critical=double_entry and name in CRITICAL_FIELDS)
            for name, field in page.fields.items()
        ]
    store.submit(
        ReviewDocument(
            document_id=document_id,
            scenario=SCENARIO,
            source_name=kept.name,
            fields=tuple(fields),
        )
    )
    uncertain = sum(not field.accepted for field in fields)
    return IntakeOutcome(document_id, "review", fields_to_review=uncertain), None


def _refuse(
    path: Path, document_id: str, reason: str, ledger: Ledger, paths: Paths
) -> IntakeOutcome:
    quarantine(path, document_id, reason, paths)
    if ledger.claim(SCENARIO, document_id, worker=worker_id("intake")):
        ledger.fail(SCENARIO, document_id, InvalidInput(reason))
    return IntakeOutcome(document_id, "quarantined", reason=reason)


def _review_field(
    template: FormTemplate, name: str, reading: FieldReading, *, critical: bool
) -> ReviewField:
    spec = template.field(name)
    label = spec.label or ""
    if spec.kind == "checkbox":
        owner = next((s.label for s in template.fields if s.group == spec.group and s.label), "")
        label = f"{owner} {spec.option}".strip()
    if name.startswith("child") and not label.startswith("児童"):
        label = f"児童{name[5]} {label}"
    pattern, hint = _PATTERNS.get(spec.kind, (None, None))
    if spec.kind == "digits" and spec.rule == "phone":
        pattern, hint = r"^0[0-9]{9,10}$", "0から始まる10桁か11桁の数字"
    elif spec.kind == "digits" and spec.boxes:
        pattern, hint = rf"^[0-9]{{{spec.boxes}}}$", f"{spec.boxes}桁の数字"
    crop = Path(reading.crop_path).read_bytes() if reading.crop_path else None
    return ReviewField(
        name=name,
        label=label,
        kind=spec.kind,
        value=reading.value,
        confidence=round(reading.confidence, 4),
        accepted=reading.accepted,
        reason="・".join(reading.reasons) or None,
        critical=critical,
        crop_png=crop,
        pattern=pattern if (spec.required or spec.kind == "checkbox") else None,
        hint=hint,
    )


def collect_reviewed(
    store: ReviewStore, ledger: Ledger, paths: Paths
) -> tuple[list[tuple[ConfirmedDocument, ChildAllowanceApplication]], list[IntakeOutcome]]:
    """Documents people have confirmed (ready to register) and the outcomes of the rest.

    A returned document (判読不能) has its scan quarantined with the reviewer's reason; a
    confirmed one whose values still cannot make an application is a business failure.
    """
    ready, ended = [], []
    for document in store.confirmed(SCENARIO):
        try:
            application = application_from_values(document.document_id, document.values)
        except InvalidInput as exc:
            if ledger.claim(SCENARIO, document.document_id, worker=worker_id("review")):
                ledger.fail(SCENARIO, document.document_id, exc)
            store.mark_handed_over(document.document_id)
            ended.append(IntakeOutcome(document.document_id, "refused", reason=exc.message))
            continue
        ready.append((document, application))
    for returned in store.returned(SCENARIO):
        for scan in paths.scans.glob(f"{returned.document_id}.*"):
            quarantine(scan, returned.document_id, f"判読不能: {returned.reason}", paths)
        store.mark_handed_over(returned.document_id)
        ended.append(IntakeOutcome(returned.document_id, "returned", reason=returned.reason))
    return ready, ended


def forget_scan(document_id: str, paths: Paths) -> None:
    """Delete a registered document's scan: its data now lives in the business system."""
    for scan in paths.scans.glob(f"{document_id}.*"):
        scan.unlink()


def elapsed(since: float) -> float:
    """Seconds since ``since`` (a ``time.perf_counter()`` reading)."""
    return time.perf_counter() - since
