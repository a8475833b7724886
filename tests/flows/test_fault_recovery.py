"""Exactly once under faults: a run killed with SIGKILL mid-way, then started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

from core.ledger import Ledger, Status
from sandbox import FaultSettings, RunningSandbox
from sandbox.business import inspect_business
from sandbox.fake_people import FakePeople
from sandbox.portal import inspect_portal, seed_portal

pytestmark = pytest.mark.browser

JIMU = str(Path(sys.executable).parent / "jimu")
APPLICATIONS = 50  # every fault hits many times: a session expires every 25 requests
KILL_AFTER = 15


def _command(sandbox: RunningSandbox) -> list[str]:
    return [
        JIMU, "run", "e-application-sync", "--workers", "2",
        "--portal-url", sandbox.portal_url, "--business-url", sandbox.business_url,
    ]  # fmt: skip


def test_sigkill_mid_run_then_restart_registers_each_application_once(
    sandbox: RunningSandbox, tmp_path: Path, _isolated_data_dir: Path, prefect_home: Path
) -> None:
    applications = FakePeople(seed=33).recent_applications(APPLICATIONS)
    seed_portal(sandbox.paths.portal_db, applications)
    sandbox.set_faults(
        FaultSettings(error_rate=0.10, session_expiry_requests=25, modal_rate=0.30, seed=5)
    )
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")} | {
        "JIMU_DATA_DIR": str(_isolated_data_dir),  # the sandbox's secrets live there
        "JIMU_LEDGER_URL": ledger_url,
        "PREFECT_HOME": str(prefect_home),
    }
    with (tmp_path / "run.log").open("w") as log:
        _kill_mid_run_then_finish(_command(sandbox), sandbox, env, log)

    business = inspect_business(sandbox.paths.business_db)
    portal = inspect_portal(sandbox.paths.portal_db)
    assert business.records == APPLICATIONS
    assert business.duplicates == {}
    assert len(portal.write_backs) == APPLICATIONS
    assert portal.by_status["未処理"] == 0
    numbers_in_business = {
        number
        for numbers in business.recipient_nos_by_my_number_hash.values()
        for number in numbers
    }
    assert set(portal.write_backs.values()) == numbers_in_business
    assert Ledger(ledger_url).counts("e-application-sync")[Status.DONE] == APPLICATIONS


def _kill_mid_run_then_finish(
    command: list[str], sandbox: RunningSandbox, env: dict[str, str], log: IO[str]
) -> None:
    """Start a run, SIGKILL it (with its browsers and Prefect server) mid-way, run again."""
    first = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 900
    while inspect_business(sandbox.paths.business_db).records < KILL_AFTER:
        assert first.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.5)
    os.killpg(first.pid, signal.SIGKILL)  # a real kill: no cleanup, no goodbye
    first.wait(timeout=30)
    at_kill = inspect_business(sandbox.paths.business_db).records
    assert KILL_AFTER <= at_kill < APPLICATIONS

    for _ in range(3):  # a run may leave items to retry; running again finishes them
        rerun = subprocess.run(command, env=env, stdout=log, stderr=log, timeout=1500, check=False)
        if rerun.returncode == 0:
            break
    assert rerun.returncode == 0, "the run did not finish; see run.log in the test's tmp_path"
