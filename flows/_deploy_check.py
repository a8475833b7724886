"""Flow ``scale-out-check``: register one record in a scenario's target system, exactly once.

A cheap, real run for checking a jimu installation across machines: whichever worker picks
it up logs in with the robot, registers the record unless the system already has it (the
scenario's verbs search first, then register) inside a session slot of the target system,
and records the item — keyed by the file's name — in the ledger. Each run appends what it
did, and on which worker, to ``report_dir`` (ids only, no personal data). Meant for the
sandbox: it writes to the target system.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from prefect import flow

from core.ledger import Ledger, Status, check_item_key
from core.scenario import load_scenario
from core.work_items import release_abandoned, worker_id
from flows.steps import Connection, TargetSteps, load_steps
from orchestration._concurrency import target_session
from robots import RobotWorker

__all__ = ["CHECK", "scale_out_check"]

CHECK = "scale-out-check"


def _report(report_dir: str | None, **fields: Any) -> None:
    if report_dir:
        line = json.dumps(fields | {"at": time.time()}, ensure_ascii=False)
        with open(Path(report_dir) / "runs.jsonl", "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


@flow(name=CHECK, persist_result=False)
def scale_out_check(
    application_file: str,
    business_url: str | None = None,
    report_dir: str | None = None,
    hold_seconds: float = 0.0,
    scenario: str = "e-application-sync",
) -> dict[str, Any]:
    """Register the record in ``application_file`` (JSON, read by the scenario's
    ``record_from_json``; its name without ``.json`` is the item key) once.

    ``hold_seconds`` waits after a *new* registration and before the ledger records it: the
    window a test uses to kill the worker at the worst moment (a run again finds the
    applicant registered, so it does not wait).
    """
    config = load_scenario(scenario)
    steps = load_steps(config, TargetSteps)
    key = check_item_key(Path(application_file).stem, what="ファイル名")
    record = steps.record_from_json(Path(application_file).read_text(encoding="utf-8"))
    worker = os.environ.get("PREFECT__WORKER_NAME", "local")
    ledger = Ledger()
    release_abandoned(ledger, CHECK)
    ledger.enqueue(CHECK, key)
    _report(report_dir, item=key, worker=worker, step="started")
    if not ledger.claim(CHECK, key, worker=worker_id(worker), lease_seconds=600):
        state = ledger.get(CHECK, key)
        status = state.status.value if state else "unknown"
        _report(report_dir, item=key, worker=worker, step="skipped", status=status)
        return {"item": key, "worker": worker, "status": status}
    connection = Connection.of(config, steps.target_system, url=business_url)
    started = time.perf_counter()
    with (
        RobotWorker(
            scenario=CHECK, name=worker, timeout_ms=config.robot.timeout_seconds * 1000
        ) as robot,
        target_session(connection.system_id),
    ):
        with robot.item(key, personal_values=record.personal_values()):
            reference, created = steps.target(robot, connection).ensure_registered(
                record, attempts=config.robot.item_attempts
            )
    _report(report_dir, item=key, worker=worker, step="registered", created=created)
    if created:
        time.sleep(hold_seconds)
    ledger.complete(
        CHECK, key, target_ref=reference, robot_seconds=time.perf_counter() - started
    )
    _report(report_dir, item=key, worker=worker, step="done", created=created)
    return {"item": key, "worker": worker, "status": Status.DONE.value, "created": created}
