"""The paper-intake process as plain Python (Prefect wraps it in ``paper_intake``).

scans ─► read with ``ocr`` ─► review store: 確定 at once if every field was accepted,
                              else 確認待ち for the review station (確認画面)
        confirmed (by the reader or by people) ─► register in the target system (exactly once)
bad files ─► quarantine, each with a ``.reason.txt``; 判読不能 ─► returned, with its reason.

An entry is first sorted (仕分け, :mod:`flows._sorting`) against every paper form: a bundle's
pages of this form are read here, one document each; pages of another paper form go to that
scenario's inbox, blank pages are dropped with a note, pages that match nothing go to the
review station's 未仕分け tray — all written before the entry leaves the batch.

Nothing waits in memory: a document is in the review store (durable, owner-only) before its
scan leaves the batch folder, and it enters the ledger only once it is there, so a process
killed at any moment leaves each document either still in the batch (read again next run) or
in the store (registered or reviewed next run). Registration claims the ledger item and asks
the target system first (its verbs search, e.g. by 個人番号), so a rerun never registers
anything twice. The form's record and the target's verbs are the scenario's ``steps.py``.

Documents are keyed by the SHA-256 of the file, never by a name. Scans and crops hold
personal data: they live owner-only under the data folder and go once registered.
"""

from __future__ import annotations

import errno
import logging
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import InvalidInput, JimuError
from core.files import write_owner_only
from core.ledger import Ledger, Status
from core.logging import safe_text
from core.work_items import worker_id
from flows import _sorting
from flows._batch_files import (
    Entry,
    content_id,
    entry_id,
    keep_copy,
    look_at,
    move_owner_only,
)
from flows.steps import PaperSteps, Record, load_steps
from orchestration._inbox import is_inbox_marker
from review import (
    ConfirmedDocument,
    DocumentState,
    ReviewDocument,
    ReviewField,
    ReviewStore,
    UnknownDocument,
)
from review._unsorted import UnsortedTray

if TYPE_CHECKING:
    from ocr import FieldReading, FormTemplate

__all__ = [
    "SCAN_SUFFIXES",
    "SCENARIO",
    "IntakeOutcome",
    "Paths",
    "batch_entries",
    "collect_reviewed",
    "document_id_of",
    "hand_back",
    "intake_entry",
    "intake_file",
    "recover_orphans",
    "unfinished",
]

log = logging.getLogger(__name__)

SCENARIO = "paper-intake"
SCAN_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"})
_ENDED = (Status.DONE, Status.BUSINESS_FAILURE, Status.RETURNED)

_PATTERNS = {
    "date": (r"^[345][0-9]{6}$", "元号（3・4・5）と年月日の7桁の数字"),
    "katakana": (r"^[ァ-ヶー　 ]+$", "全角カタカナ"),
    "checkbox": (r"^1?$", "チェックありは 1、なしは空欄"),
    "seal": (r"^1?$", "押印ありは 1、なしは空欄"),
    "amount": (r"^[0-9]{1,3}(,[0-9]{3})*$|^[0-9]+$", "金額の数字（カンマ区切りも可、円は不要）"),
    "number": (r"^[0-9]+(-[0-9]+)*$", "数字（区切りはハイフン）"),
}


@dataclass(frozen=True)
class Paths:
    """Which scenario a run is for, and where it keeps scans on their way (all owner-only,
    under the data folder)."""

    scenario: str
    scans: Path
    quarantine: Path

    @classmethod
    def under(cls, data_dir: Path, scenario: str = SCENARIO) -> Paths:
        root = data_dir / scenario
        return cls(scenario=scenario, scans=root / "scans", quarantine=root / "quarantine")

    @property
    def data_dir(self) -> Path:
        """The data folder these paths are under."""
        return self.scans.parent.parent

    def steps(self) -> PaperSteps:
        """The scenario's ``steps.py``: its record and where it is registered."""
        from core.scenario import load_scenario

        return load_steps(load_scenario(self.scenario), PaperSteps)


@dataclass(frozen=True)
class IntakeOutcome:
    """What happened to one scan (log-safe: its document id, never its file name)."""

    document_id: str
    result: str  # accepted, review, registered, quarantined, refused-entry, returned, …
    target_ref: str | None = None
    fields_to_review: int = 0
    reason: str | None = None


def document_id_of(path: Path) -> str:
    """``scan-`` and the first 16 hex digits of the file's SHA-256."""
    return content_id(path)


def batch_entries(batch: Path) -> list[Path]:
    """Every entry of ``batch`` that is somebody's file: all but the inbox's own markers."""
    return sorted(path for path in batch.iterdir() if not is_inbox_marker(path.name))


def safe_reason(message: str, *, path: Path | None = None) -> str:
    """A reason fit for the ledger, workbooks and Prefect: the file's name left out (a name
    can be a person's), 個人番号-like numbers masked, one line."""
    if path is not None and path.name:
        message = message.replace(path.name, "（ファイル）")
    return safe_text(message)


def quarantine(
    entry: Entry, document_id: str, reason: str, paths: Paths, *, follow_link: bool = False
) -> Path:
    """Move a scan (a link: copy its content) to quarantine with a ``.reason.txt`` beside it."""
    target = paths.quarantine / f"{document_id}{entry.suffix}"
    if entry.is_link:
        keep_copy(entry.path, target, follow_link=follow_link)
        entry.path.unlink()  # the link only; its target is left exactly as it was
    else:
        move_owner_only(entry.path, target)
    write_owner_only(
        target.with_name(target.name + ".reason.txt"),
        f"{document_id}: {reason}\n".encode(),
    )
    return target


def intake_entry(
    path: Path,
    *,
    ledger: Ledger,
    store: ReviewStore,
    paths: Paths,
    today: date | None = None,
    double_entry: bool = True,
    steps: PaperSteps | None = None,
) -> list[IntakeOutcome]:
    """Sort one entry of a batch by form, then read this run's documents in it: one outcome
    per part (see the module docstring), and one for the entry when it was split. Never
    raises for a bad file.

    A single page of this run's form, a scan kept from an earlier split, a file already
    known and anything that is no readable scan take :func:`intake_file`'s path unchanged.
    """
    steps = steps or paths.steps()

    def read(scan: Path) -> IntakeOutcome:
        return intake_file(scan, ledger=ledger, store=store, paths=paths, today=today,
                           double_entry=double_entry, steps=steps)  # fmt: skip

    entry = look_at(path)
    if path.parent == paths.scans or entry.refusal is not None or entry.suffix not in SCAN_SUFFIXES:
        return [read(path)]
    try:
        document_id = content_id(path, follow_link=entry.is_link)
    except OSError:
        return [read(path)]
    state = ledger.get(paths.scenario, document_id)
    known = _stored_state(store, document_id) is not None
    if known or (state is not None and state.status in _ENDED):
        return [read(path)]
    try:
        sorted_entry = _sorting.sort_entry(
            entry, scenario=paths.scenario, data_dir=paths.data_dir, scans=paths.scans
        )
    except InvalidInput as exc:
        if exc.code != _sorting.COARSE:
            return [read(path)]  # the reader names what is wrong with the file, as ever
        return [_refuse(entry, document_id, exc.message, ledger, paths)]
    except Exception as exc:  # a library's bug on one file must not end the batch
        log.exception("document %s: unexpected %s while sorting", document_id, type(exc).__name__)
        reason = f"仕分け中に予期しないエラーが起きました（{type(exc).__name__}）"
        return [_refuse(entry, document_id, reason, ledger, paths)]
    if sorted_entry is None:
        return [read(path)]
    try:
        _sorting.deliver(sorted_entry, entry, tray=UnsortedTray(store), scenario=paths.scenario)
    except OSError as exc:
        log.warning("document %s: parts not written (%s)", document_id, exc.strerror or exc)
        reason = "仕分けたページを書き込めませんでした（元のファイルは残し、次回再試行）"
        return [IntakeOutcome(document_id, "failed", reason=reason)]
    outcomes = []
    if sorted_entry.pages > 1:
        outcomes.append(IntakeOutcome(document_id, "sorted", reason=sorted_entry.summary()))
    for part in sorted_entry.parts:
        if part.kind == "own":
            assert part.target is not None
            outcomes.append(read(part.target))
        else:
            reason = safe_reason(part.reason)
            outcomes.append(IntakeOutcome(part.part_id, part.kind, reason=reason))
    return outcomes


def intake_file(
    path: Path,
    *,
    ledger: Ledger,
    store: ReviewStore,
    paths: Paths,
    today: date | None = None,
    double_entry: bool = True,
    steps: PaperSteps | None = None,
) -> IntakeOutcome:
    """Read one entry of a batch and give it exactly one outcome. Never raises for a bad
    file: it is quarantined (or, for what has no content, refused) with a reason.

    An accepted document is stored 確定 and registered with the reviewed ones
    (:func:`collect_reviewed`); the rest wait in the review station.
    """
    steps = steps or paths.steps()  # a broken scenario stops here, before any file is moved
    critical = steps.double_entry_fields if double_entry else frozenset()
    entry = look_at(path)
    if entry.refusal is not None:
        return IntakeOutcome(entry_id(path), "refused-entry", reason=entry.refusal)
    try:
        document_id = content_id(path, follow_link=entry.is_link)
    except OSError as exc:
        reason = (
            "スキャンとしては大きすぎます（200MB超）"
            if exc.errno == errno.EFBIG
            else "通常のファイルではないため読みません（リンク先がフォルダ等）"
        )
        log.warning("batch entry %s: %s (%s)", entry_id(path), reason, exc.strerror or exc)
        return IntakeOutcome(entry_id(path), "refused-entry", reason=reason)
    try:
        return _intake(entry, document_id, ledger, store, paths, today, steps, critical)
    except Exception as exc:  # a library's bug on one file must not end the batch
        log.exception("document %s: unexpected %s while reading", document_id, type(exc).__name__)
        reason = f"読み取り中に予期しないエラーが起きました（{type(exc).__name__}）"
        if look_at(path).refusal is None:
            return _refuse(entry, document_id, reason, ledger, paths)
        return IntakeOutcome(document_id, "failed", reason=reason)


def _intake(
    entry: Entry,
    document_id: str,
    ledger: Ledger,
    store: ReviewStore,
    paths: Paths,
    today: date | None,
    steps: PaperSteps,
    critical: frozenset[str],
) -> IntakeOutcome:
    from ocr import column_labels, load_template, read_document

    state = ledger.get(paths.scenario, document_id)
    if state is not None and state.status in _ENDED:
        entry.path.unlink()  # the same scan again: it already has its outcome
        return IntakeOutcome(document_id, "already-done", reason=state.status.value)
    known = _stored_state(store, document_id)
    if known is not None:  # read before a crash, not yet moved out of the batch
        _keep_scan(entry, document_id, paths)
        ledger.enqueue(paths.scenario, document_id)
        return IntakeOutcome(document_id, "accepted" if known is DocumentState.CONFIRMED
                             else "review")  # fmt: skip
    if entry.suffix not in SCAN_SUFFIXES:
        reason = "スキャン画像（PDF・PNG・JPEG・TIFF）ではありません"
        return _refuse(entry, document_id, reason, ledger, paths)
    template = load_template(paths.scenario)
    with tempfile.TemporaryDirectory(prefix="jimu-crops-") as crops:
        try:
            reading = read_document(entry.path, template, crops_dir=Path(crops), today=today)
        except JimuError as exc:
            reason = safe_reason(exc.message, path=entry.path)
            return _refuse(entry, document_id, reason, ledger, paths)
        page = reading.pages[0]
        values = {name: field.value for name, field in page.fields.items()}
        accepted = reading.accepted
        if accepted:
            try:
                steps.record_from_values(document_id, values)
            except InvalidInput as exc:
                log.info("document %s: all fields read but %s", document_id, exc.code)
                accepted = False
        labels = column_labels(template)
        fields = [
            _review_field(template, labels[name], name, field, critical=name in critical)
            for name, field in page.fields.items()
        ]
    # Durable first (the store), then the scan leaves the batch, then the ledger knows it.
    store.submit(
        ReviewDocument(
            document_id=document_id,
            scenario=paths.scenario,
            source_name=f"{document_id}{entry.suffix}",
            fields=tuple(fields),
        ),
        confirmed=accepted,
    )
    _keep_scan(entry, document_id, paths)
    ledger.enqueue(paths.scenario, document_id)
    if accepted:
        return IntakeOutcome(document_id, "accepted")
    uncertain = sum(not field.accepted for field in fields)
    return IntakeOutcome(document_id, "review", fields_to_review=uncertain)


def _stored_state(store: ReviewStore, document_id: str) -> DocumentState | None:
    try:
        return store.document(document_id).state
    except UnknownDocument:
        return None


def _keep_scan(entry: Entry, document_id: str, paths: Paths) -> Path:
    target = paths.scans / f"{document_id}{entry.suffix}"
    if entry.is_link:
        keep_copy(entry.path, target, follow_link=True)
        entry.path.unlink()
        return target
    return move_owner_only(entry.path, target)


def _refuse(
    entry: Entry, document_id: str, reason: str, ledger: Ledger, paths: Paths
) -> IntakeOutcome:
    quarantine(entry, document_id, reason, paths, follow_link=True)
    ledger.enqueue(paths.scenario, document_id)
    if ledger.claim(paths.scenario, document_id, worker=worker_id("intake")):
        ledger.fail(paths.scenario, document_id, InvalidInput(reason))
    return IntakeOutcome(document_id, "quarantined", reason=reason)


def _review_field(
    template: FormTemplate, label: str, name: str, reading: FieldReading, *, critical: bool
) -> ReviewField:
    spec = template.field(name)
    pattern, hint = _PATTERNS.get(spec.kind, (None, None))
    if spec.kind == "digits" and spec.rule == "phone":
        pattern, hint = r"^0[0-9]{9,10}$", "0から始まる10桁か11桁の数字"
    elif spec.kind == "number" and spec.rule == "phone":  # written freely, hyphens and all
        pattern = r"^0[0-9]{9,10}$|^0[0-9]{1,4}-[0-9]{1,4}-[0-9]{4}$"
        hint = "0から始まる10桁か11桁の数字（ハイフン区切りも可）"
    elif spec.kind == "digits" and spec.boxes:
        pattern, hint = rf"^[0-9]{{{spec.boxes}}}$", f"{spec.boxes}桁の数字"
    elif spec.kind == "circled" and spec.options:  # one of the printed words, or none
        words = [option.value for option in spec.options]
        pattern = "^(" + "|".join(re.escape(word) for word in words) + ")?$"
        hint = f"{'・'.join(words)} のいずれか（囲みなしは空欄）"
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
        pattern=pattern if (spec.required or spec.kind in ("checkbox", "circled")) else None,
        hint=hint,
    )


def collect_reviewed(
    store: ReviewStore, ledger: Ledger, paths: Paths, steps: PaperSteps | None = None
) -> tuple[list[tuple[ConfirmedDocument, Record]], list[IntakeOutcome]]:
    """Documents confirmed — by the reader (every field accepted) or by people — ready to
    register, and the outcomes of the rest.

    A returned document (判読不能) has its scan quarantined with the reviewer's reason; a
    confirmed one whose values still cannot make an application is a business failure, its
    scan quarantined with the reason.
    """
    steps = steps or paths.steps()
    ready, ended = [], []
    for document in store.confirmed(paths.scenario):
        ledger.enqueue(paths.scenario, document.document_id)  # known already, unless a crash
        try:
            application = steps.record_from_values(document.document_id, document.values)
        except InvalidInput as exc:
            if ledger.claim(paths.scenario, document.document_id, worker=worker_id("review")):
                ledger.fail(paths.scenario, document.document_id, exc)
            hand_back(document.document_id, exc.message, store, paths)  # the paper: a person
            ended.append(IntakeOutcome(document.document_id, "refused", reason=exc.message))
            continue
        ready.append((document, application))
    for returned in store.returned(paths.scenario):
        reason = safe_reason(f"判読不能: {returned.reason}")
        for scan in paths.scans.glob(f"{returned.document_id}.*"):
            quarantine(look_at(scan), returned.document_id, reason, paths)
        store.mark_handed_over(returned.document_id)
        ended.append(IntakeOutcome(returned.document_id, "returned", reason=reason))
    return ready, ended


def recover_orphans(store: ReviewStore, paths: Paths) -> list[Path]:
    """Scans kept under the data folder that the review store does not know (left by a crash
    of an earlier jimu, which moved a scan before storing it): to be read again."""
    if not paths.scans.is_dir():
        return []
    return [
        scan
        for scan in sorted(paths.scans.iterdir())
        if scan.name.startswith("scan-") and _stored_state(store, scan.stem) is None
    ]


def end_left_scans(store: ReviewStore, ledger: Ledger, paths: Paths) -> int:
    """End the scans an earlier jimu kept after their document had ended (it deleted a
    registered document's scan only after handing the document over, and left the scan of
    a confirmed document that made no record): a registered document's scan is deleted, a
    refused one's quarantined with the ledger's reason. A document still in review, or not
    ended in the ledger, keeps its scan. Returns how many scans were ended."""
    if not paths.scans.is_dir():
        return 0
    ended = 0
    for scan in sorted(paths.scans.iterdir()):
        document_id = scan.stem
        item = ledger.get(paths.scenario, document_id) if scan.name.startswith("scan-") else None
        if item is None or item.status not in (Status.DONE, Status.BUSINESS_FAILURE):
            continue
        state = _stored_state(store, document_id)
        if state is not None and state.is_open:
            continue
        if item.status is Status.DONE:
            forget_scan(document_id, paths)
            if state is not None:
                store.mark_handed_over(document_id)
        elif state is None:  # the store has purged it: quarantine is all that is left to do
            _quarantine_scans(document_id, item.reason or "", paths)
        else:
            hand_back(document_id, item.reason or "", store, paths)
        ended += 1
    if ended:
        log.info("paper intake: ended %d scan(s) kept after their document had ended", ended)
    return ended


def unfinished(store: ReviewStore, ledger: Ledger, paths: Paths) -> list[IntakeOutcome]:
    """Every document not finished, and why: waiting for a person, to be retried, or lost
    (known to the ledger but neither in the store nor kept as a file — the paper original
    must be scanned again; recorded as a business failure so a person sees it)."""
    open_states = {
        entry.document_id: entry.state
        for entry in store.queue(user="", admin=True)
        if entry.scenario == paths.scenario
    }
    found = [
        IntakeOutcome(document_id, "review", reason=state.label)
        for document_id, state in open_states.items()
    ]
    for item in ledger.items(paths.scenario):
        if item.status in _ENDED or item.item_key in open_states:
            continue
        state = _stored_state(store, item.item_key)
        if state is DocumentState.CONFIRMED:
            found.append(IntakeOutcome(item.item_key, "failed", reason=item.reason or "登録待ち"))
        elif (
            state is None
            and item.status is not Status.IN_PROGRESS
            and not _kept(item.item_key, paths)
        ):
            lost = InvalidInput("スキャンも確認データも見つかりません。原本を読み直してください",
                                code="scan-lost")  # fmt: skip
            if ledger.claim(paths.scenario, item.item_key, worker=worker_id("intake")):
                ledger.fail(paths.scenario, item.item_key, lost)
                found.append(IntakeOutcome(item.item_key, "lost", reason=lost.message))
    return found


def _kept(document_id: str, paths: Paths) -> bool:
    """Is a file of the document kept (a scan on its way, or quarantined)?"""
    return any(any(folder.glob(f"{document_id}.*")) for folder in (paths.scans, paths.quarantine))


def hand_back(document_id: str, reason: str, store: ReviewStore, paths: Paths) -> None:
    """End a confirmed document that cannot be registered (the target system refused it, or
    its values make no record): its scan goes to quarantine with the reason (the paper needs
    a person), and the store hands it over."""
    _quarantine_scans(document_id, reason, paths)
    store.mark_handed_over(document_id)


def _quarantine_scans(document_id: str, reason: str, paths: Paths) -> None:
    """Move a document's scan to quarantine: it cannot be registered, for ``reason``."""
    for scan in paths.scans.glob(f"{document_id}.*"):
        quarantine(look_at(scan), document_id, f"登録できません: {reason}", paths)


def forget_scan(document_id: str, paths: Paths) -> None:
    """Delete a registered document's scan: its data now lives in the target system."""
    for scan in paths.scans.glob(f"{document_id}.*"):
        scan.unlink()
