"""Session limits: at most N robots in a target system at once, via Prefect's global limits."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from prefect import flow, get_client, task
from prefect.futures import wait
from prefect.task_runners import ThreadPoolTaskRunner

from orchestration._concurrency import ensure_session_limits, limit_name, target_session

HOLDERS = 6
_lock = threading.Lock()
_inside: list[int] = [0]
_peak: list[int] = [0]


@task(persist_result=False)
def robot_session(n: int) -> int:
    """Stands in for a robot's login-work-logout in the 業務システム."""
    with target_session("business-system", timeout_seconds=60):
        with _lock:
            _inside[0] += 1
            _peak[0] = max(_peak[0], _inside[0])
        time.sleep(0.8)
        with _lock:
            _inside[0] -= 1
    return n


@flow(task_runner=ThreadPoolTaskRunner(max_workers=HOLDERS), persist_result=False)  # type: ignore[arg-type]
def many_robots() -> list[int]:
    futures = [robot_session.submit(n) for n in range(HOLDERS)]
    wait(futures)
    return sorted(f.result() for f in futures)


@pytest.mark.usefixtures("prefect_harness")
def test_at_most_two_sessions_in_the_business_system_at_once() -> None:
    _forget_limit("gcl-business-system")
    assert ensure_session_limits({"business-system": 2}) == {"gcl-business-system": 2}
    _inside[0] = _peak[0] = 0

    assert many_robots() == list(range(HOLDERS))

    assert _peak[0] == 2  # the limit held, and two really ran side by side
    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name("gcl-business-system")
    assert limit.limit == 2 and limit.active_slots == 0  # every slot given back


def _forget_limit(name: str) -> None:
    """Start from a new limit: on the shared test server the old one remembers earlier tests.

    Prefect tells a robot denied a slot to come back after the limit's average occupancy
    (up to 30 s); earlier tests' long sessions would make six short ones outlast the timeout.
    """
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        with contextlib.suppress(ObjectNotFound):
            client.delete_global_concurrency_limit_by_name(name)


@pytest.mark.usefixtures("prefect_harness")
def test_limits_are_created_and_updated_idempotently() -> None:
    ensure_session_limits({"e-application-portal": 3})
    ensure_session_limits({"e-application-portal": 3})
    ensure_session_limits({"e-application-portal": 5})
    with get_client(sync_client=True) as client:
        names = [g.name for g in client.read_global_concurrency_limits(limit=100, offset=0)]
        portal = client.read_global_concurrency_limit_by_name("gcl-e-application-portal")
    assert names.count("gcl-e-application-portal") == 1
    assert portal.limit == 5


def test_without_a_prefect_api_a_session_is_not_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    with target_session("business-system"), target_session("business-system"):
        pass  # no server started, no wait
    with pytest.raises(ValueError, match="kebab-case"):
        limit_name("業務システム")


_HOLD_SLOT = """
import sys, time
from orchestration._prefect_env import prepare_prefect
prepare_prefect()
from prefect import flow
from orchestration._concurrency import ensure_session_limits, target_session

@flow
def hold(seconds: float) -> None:
    with target_session("business-system", timeout_seconds=180):
        print("held", flush=True)
        time.sleep(seconds)

ensure_session_limits({"business-system": 1})
hold(float(sys.argv[1]))
print("done", flush=True)
"""


def test_a_local_run_killed_holding_a_slot_does_not_block_the_next_for_ever(
    tmp_path: Path, prefect_home: Path
) -> None:
    """The embedded server frees no leases itself; jimu releases those that expired."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {
        "PREFECT_HOME": str(prefect_home),
        "JIMU_DATA_DIR": str(tmp_path / "data"),
    }
    command = [sys.executable, "-c", _HOLD_SLOT]
    holder = subprocess.Popen(
        [*command, "600"], env=env, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    finally:
        os.killpg(holder.pid, signal.SIGKILL)  # the embedded server dies with it
        holder.wait(timeout=30)
        holder.stdout.close()

    # The one slot is still taken on the server; its lease expires after 60 s at most.
    after = subprocess.run(
        [*command, "0"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert after.returncode == 0, after.stderr[-2000:]
    assert after.stdout.split() == ["held", "done"]
