"""Flow ``scale-out-check``: register one application in the 業務システム, exactly once.

A cheap, real run for checking a jimu installation across machines: whichever worker picks
it up logs in with the robot, registers the applicant unless the system already has them
(search first, then register) inside a session slot of ``business-system``, and records the
item in the ledger. Each run appends what it did, and on which worker, to ``report_dir``
(ids only, no personal data). Meant for the sandbox: it writes to the business system.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from prefect import flow

from core.ledger import Ledger, Status
from core.scenario import load_scenario
from core.work_items import release_abandoned, worker_id
from flows import _e_application as process
from orchestration._concurrency import target_session
from robots import RobotWorker
from systems.business_system import ChildAllowanceApplication

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
) -> dict[str, Any]:
    """Register the application in ``application_file`` (JSON) once; returns what happened.

    ``hold_seconds`` waits after a *new* registration and before the ledger records it: the
    window a test uses to kill the worker at the worst moment (a run again finds the
    applicant registered, so it does not wait).
    """
    application = ChildAllowanceApplication.model_validate_json(
        Path(application_file).read_text(encoding="utf-8")
    )
    key = application.application_id
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
    config = load_scenario(process.SCENARIO)
    targets = process.Targets.from_config(config, portal_url=None, business_url=business_url)
    started = time.perf_counter()
    with (
        RobotWorker(
            scenario=CHECK, name=worker, timeout_ms=config.robot.timeout_seconds * 1000
        ) as robot,
        target_session("business-system"),
    ):
        with robot.item(key, personal_values=process.personal_values(application)):
            recipient_no, created = targets.business_on(robot).ensure_registered(
                application, attempts=config.robot.item_attempts
            )
    _report(report_dir, item=key, worker=worker, step="registered", created=created)
    if created:
        time.sleep(hold_seconds)
    ledger.complete(
        CHECK, key, target_ref=recipient_no, robot_seconds=time.perf_counter() - started
    )
    _report(report_dir, item=key, worker=worker, step="done", created=created)
    return {"item": key, "worker": worker, "status": Status.DONE.value, "created": created}
