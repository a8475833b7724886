"""The e-application-sync process as plain Python (Prefect wraps it in ``e_application_sync``).

export (the source system's CSV) → read and validate → ledger → workers register each
record in the target system exactly once and write its reference back to the source → human
list. The record, the systems and their verbs are the scenario's ``steps.py``
(:class:`flows.steps.ExportSteps`); the sandbox's pair is 電子申請システム → 業務システム.

A 受付番号 comes from another system: one that is not a valid ledger key, or that looks like
a 個人番号, is refused before it reaches the ledger, logs or Prefect; the row goes to the
human list by its line in the export. Reasons are masked (:func:`core.logging.safe_text`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from core.errors import InvalidInput, JimuError
from core.files import write_owner_only
from core.ledger import Ledger, Status, check_item_key
from core.logging import mask_text, safe_text
from core.scenario import ScenarioConfig
from core.work_items import ItemOutcome as WorkOutcome
from core.work_items import RetryPolicy, WorkItem, is_open, process_queue, worker_id
from core.work_items import release_abandoned as release_abandoned_items
from flows._human_list import UnkeyedItem
from flows.steps import (
    ApplicationSource,
    Connection,
    ExportedRow,
    ExportSteps,
    Record,
    RecordTarget,
    load_steps,
)
from robots import RobotWorker

__all__ = [
    "SCENARIO",
    "ItemOutcome",
    "Targets",
    "check_application_id",
    "enqueue_export",
    "export_path",
    "export_to_file",
    "process_items",
    "reconcile_finished_elsewhere",
    "release_abandoned",
    "worker_id",
]

log = logging.getLogger(__name__)

SCENARIO = "e-application-sync"
_RETRYABLE = (Status.QUEUED, Status.APPLICATION_FAILURE, Status.IN_PROGRESS)

Progress = Callable[["ItemOutcome"], None]


@dataclass(frozen=True)
class Targets:
    """The scenario's two systems as this run reaches them (URLs may be overridden), and
    its steps that give their verbs."""

    source: Connection
    target: Connection
    steps: ExportSteps

    @classmethod
    def from_config(
        cls, config: ScenarioConfig, *, portal_url: str | None, business_url: str | None
    ) -> Targets:
        """``portal_url`` overrides the source system's URL, ``business_url`` the target's."""
        steps = load_steps(config, ExportSteps)
        return cls(
            source=Connection.of(config, steps.source_system, url=portal_url),
            target=Connection.of(config, steps.target_system, url=business_url),
            steps=steps,
        )

    def source_on(self, worker: RobotWorker) -> ApplicationSource:
        """The source system's verbs on this worker's page."""
        return self.steps.source(worker, self.source)

    def target_on(self, worker: RobotWorker) -> RecordTarget:
        """The target system's verbs on this worker's page."""
        return self.steps.target(worker, self.target)


@dataclass(frozen=True)
class ItemOutcome:
    """What happened to one item in this run (log-safe: ids and codes only)."""

    item_key: str
    status: Status
    target_ref: str | None = None
    created: bool = False
    reason: str | None = None
    seconds: float = 0.0


@dataclass
class EnqueueResult:
    """Which rows of the export can be registered, and which were refused.

    ``unkeyed`` are the rows whose 受付番号 itself was refused: they are in ``refused`` too
    (labelled by their line), but not in the ledger, so the human list takes them from here.
    """

    keys: list[str] = field(default_factory=list)
    refused: list[ItemOutcome] = field(default_factory=list)
    unkeyed: list[UnkeyedItem] = field(default_factory=list)


def check_application_id(application_id: str) -> str:
    """Return the 受付番号 if it can be a ledger key and carries no 個人番号-like number.

    Raises :class:`InvalidInput` (code ``invalid-item-key``) otherwise, without the value.
    """
    check_item_key(application_id, what="受付番号")
    if mask_text(application_id) != application_id:
        raise InvalidInput(
            "受付番号に個人番号と同じ形の12桁の数字が含まれています",
            field="受付番号",
            code="invalid-item-key",
        )
    return application_id


def release_abandoned(ledger: Ledger, scenario: str = SCENARIO) -> int:
    """Re-queue items whose worker process on this machine is gone (killed mid-item)."""
    return release_abandoned_items(ledger, scenario)


def export_to_file(
    config: ScenarioConfig, targets: Targets, *, out_dir: Path, run_name: str
) -> Path:
    """Download the portal's CSV export into ``out_dir`` (owner-only) and return its path."""
    options = config.export
    status = options.status if options else "未処理"
    encoding = options.encoding if options else "cp932"
    with RobotWorker(
        scenario=config.id, name="export", timeout_ms=config.robot.timeout_seconds * 1000
    ) as worker:
        with worker.item(f"export-{run_name}"):
            data = targets.source_on(worker).export_applications(status=status, encoding=encoding)
    path = write_owner_only(export_path(out_dir, run_name), data)
    log.debug("exported %d bytes of applications", len(data))
    return path


def export_path(out_dir: Path, run_name: str) -> Path:
    """Where a run keeps the export while it works (owner-only; deleted at the run's end)."""
    return out_dir / f"export-{run_name}.csv"


def read_rows(csv_path: Path, *, encoding: str, steps: ExportSteps) -> Sequence[ExportedRow]:
    """The rows of an export file, as the scenario's ``read_rows`` reads them."""
    return steps.read_rows(csv_path.read_bytes(), encoding=encoding)


def enqueue_export(
    ledger: Ledger, rows: Iterable[ExportedRow], *, scenario: str = SCENARIO
) -> EnqueueResult:
    """Queue every valid row; record every refused row as a business failure, with its reason.

    A row whose 受付番号 is refused (:func:`check_application_id`) is not queued at all: it
    is reported by its line in the export, and the rest of the export goes on.
    """
    result = EnqueueResult()
    for row in rows:
        try:
            check_application_id(row.application_id)
        except InvalidInput as exc:
            label = f"CSV {row.line}行目"
            reason = f"{exc.message}。電子申請システムで{label}の申請を確認してください"
            log.warning("export line %d refused: %s", row.line, exc.code)
            result.unkeyed.append(UnkeyedItem(label, exc.code, reason, datetime.now(UTC)))
            result.refused.append(ItemOutcome(label, Status.BUSINESS_FAILURE, reason=reason))
            continue
        ledger.enqueue(scenario, row.application_id)
        state = ledger.get(scenario, row.application_id)
        if state is None or state.status is Status.DONE:
            continue
        if state.status is Status.BUSINESS_FAILURE:  # a person's, until `jimu retry`
            reason = safe_text(state.reason or "")
            result.refused.append(ItemOutcome(row.application_id, state.status, reason=reason))
            continue
        if row.error is None:
            result.keys.append(row.application_id)
            continue
        if ledger.claim(scenario, row.application_id, worker=worker_id("reader")):
            ledger.fail(scenario, row.application_id, row.error)
        result.refused.append(
            ItemOutcome(
                row.application_id, Status.BUSINESS_FAILURE, reason=safe_text(row.error.message)
            )
        )
    return result


def reconcile_finished_elsewhere(
    ledger: Ledger, targets: Targets, *, exported: set[str], config: ScenarioConfig
) -> list[ItemOutcome]:
    """Close ledger items that left the export because they were already written back.

    A robot killed after the portal recorded 受理 but before the ledger heard of it leaves
    an open item that no export lists any more; the portal's detail page settles it.
    """
    open_keys = [
        item.item_key
        for item in ledger.items(config.id)
        if item.status in _RETRYABLE and item.item_key not in exported
    ]
    if not open_keys:
        return []
    outcomes = []
    with RobotWorker(
        scenario=config.id, name="reconcile", timeout_ms=config.robot.timeout_seconds * 1000
    ) as worker:
        source = targets.source_on(worker)
        for key in open_keys:
            try:
                with worker.item(key):
                    status, reference = source.application_state(key)
            except JimuError as exc:  # left open: the next run asks again
                log.warning("could not reconcile item %s: %s", key, exc.code)
                continue
            if status == "受理" and reference:
                ledger.claim(config.id, key, worker=worker_id("reconcile"), lease_seconds=60)
                ledger.complete(config.id, key, target_ref=reference)
                outcomes.append(ItemOutcome(key, Status.DONE, target_ref=reference))
    return outcomes


def process_items(
    config: ScenarioConfig,
    targets: Targets,
    ledger: Ledger,
    applications: Mapping[str, Record],
    *,
    worker_name: str,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ItemOutcome]:
    """One worker: claim items, register each exactly once, write back, record the outcome
    (the claim / retry loop is :func:`core.work_items.process_queue`)."""
    options = config.robot
    policy = RetryPolicy(
        lease_seconds=options.lease_seconds,
        backoff_seconds=tuple(options.retry_backoff_seconds),
        step_attempts=options.item_attempts,
    )
    if not any(is_open(ledger, config.id, key) for key in applications):
        return []  # others finished everything while this worker waited for a session
    with RobotWorker(
        scenario=config.id,
        name=worker_name,
        timeout_ms=options.timeout_seconds * 1000,
        trace=options.trace,
    ) as worker:
        source, target = targets.source_on(worker), targets.target_on(worker)
        created: dict[str, bool] = {}

        def register_and_write_back(item: WorkItem) -> None:
            application = applications[item.key]
            with worker.item(item.key, personal_values=application.personal_values(),
                             attempt=item.attempt):  # fmt: skip
                reference, created[item.key] = target.ensure_registered(
                    application, attempts=policy.step_attempts
                )
                source.mark_accepted(item.key, reference)
            item.done(target_ref=reference)

        def report(outcome: WorkOutcome) -> None:
            if progress:
                progress(_item_outcome(outcome, created))

        outcomes = process_queue(
            ledger, config.id, applications, register_and_write_back,
            worker=worker_id(worker_name), policy=policy, progress=report, sleep=sleep,
        )  # fmt: skip
    return [_item_outcome(outcome, created) for outcome in outcomes]


def _item_outcome(outcome: WorkOutcome, created: dict[str, bool]) -> ItemOutcome:
    return ItemOutcome(
        outcome.key, outcome.status, target_ref=outcome.target_ref, reason=outcome.reason,
        created=created.get(outcome.key, False) and outcome.status is Status.DONE,
        seconds=outcome.seconds,
    )  # fmt: skip


def run_name() -> str:
    """A sortable name for this run's files."""
    return datetime.now().strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
