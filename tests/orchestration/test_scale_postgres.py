"""Scale-out: Prefect server on PostgreSQL, two workers on one pool, a worker killed mid-run.

Run alone with ``pytest tests/flows/test_scale_postgres.py``. Needs Debian's ``postgresql``
(scripts/setup.sh installs it); the test makes its own cluster in a temporary folder, owned by
the ``postgres`` user when it runs as root (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from core.inventory import Inventory
from core.ledger import Ledger, Status
from core.net import free_port
from flows._deploy_check import CHECK
from orchestration._concurrency import ensure_session_limits
from orchestration._recovery import ensure_recovery_automation
from orchestration._stack import (
    Child,
    descendants,
    prefect_env,
    start_server,
    start_worker,
    stop_children,
    wait_healthy,
)
from orchestration.deployments import (
    DeploymentSpec,
    PrefectProject,
    WorkPoolSpec,
    apply_deployments,
)
from sandbox import RunningSandbox
from sandbox.business import inspect_business
from sandbox.fake_people import FakePeople

pytestmark = pytest.mark.browser

POOL = "jimu-scale"
WORKERS = ("worker-a", "worker-b")
_PG_BINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


@contextlib.contextmanager
def _postgres_cluster() -> Iterator[str]:
    """A throw-away PostgreSQL cluster on loopback; yields Prefect's connection URL."""
    if not _PG_BINS:
        pytest.fail("PostgreSQL is not installed: run scripts/setup.sh")
    bin_dir = _PG_BINS[-1]
    root = Path(tempfile.mkdtemp(prefix="jimu-pg-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_owner = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = root / "data"
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"

    def run(*command: str) -> None:
        subprocess.run([*as_owner, *command], check=True, capture_output=True, timeout=120)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "jimu", "--auth=trust", "-E", "UTF8")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "pg.log"), "-w",
            "-o", options, "start")  # fmt: skip
        run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "jimu", "prefect")
        yield f"postgresql+asyncpg://jimu@127.0.0.1:{port}/prefect"
    finally:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def test_two_workers_on_postgres_share_runs_and_a_killed_run_recovers_without_duplicate(
    sandbox: RunningSandbox, tmp_path: Path, _isolated_data_dir: Path
) -> None:
    applications = FakePeople(seed=71).recent_applications(7)
    files = []
    for application in applications:
        path = tmp_path / f"{application.application_id}.json"
        path.write_text(application.model_dump_json(), encoding="utf-8")
        path.chmod(0o600)
        files.append(str(path))
    report = tmp_path / "report"
    report.mkdir()
    ledger_url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    children: list[Child] = []
    with _postgres_cluster() as database_url:
        api = f"http://127.0.0.1:{free_port()}/api"
        env = prefect_env(
            home=tmp_path / "prefect",
            api_url=api,
            database_url=database_url,
            extra={
                "JIMU_DATA_DIR": str(_isolated_data_dir),  # the sandbox's secrets
                "JIMU_LEDGER_URL": ledger_url,
                "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30",
                "PREFECT_WORKER_QUERY_SECONDS": "2",
            },
        )
        try:
            server = start_server(host="127.0.0.1", port=int(api.split(":")[2].split("/")[0]),
                                  env=env, log=tmp_path / "server.log")  # fmt: skip
            children.append(server)
            wait_healthy(f"{api}/health", child=server, timeout=300)
            _scale_out_and_recover(api, env, children, files, report, sandbox, tmp_path)
        finally:
            stop_children(children)

    business = inspect_business(sandbox.paths.business_db)
    assert business.records == len(applications)
    assert business.duplicates == {}
    ledger = Ledger(ledger_url)
    assert ledger.counts(CHECK)[Status.DONE] == len(applications)
    in_business = {
        n for numbers in business.recipient_nos_by_my_number_hash.values() for n in numbers
    }
    assert {item.target_ref for item in ledger.items(CHECK)} == in_business


def _scale_out_and_recover(
    api: str,
    env: dict[str, str],
    children: list[Child],
    files: list[str],
    report: Path,
    sandbox: RunningSandbox,
    tmp_path: Path,
) -> None:
    from prefect import get_client
    from prefect.client.schemas.objects import FlowRun
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    project = PrefectProject(
        name="scale-out",
        deployments=[
            DeploymentSpec(
                name=CHECK,
                entrypoint="flows/_deploy_check.py:scale_out_check",
                tags=["DX推進課"],
                work_pool=WorkPoolSpec(name=POOL),
            )
        ],
    )
    with temporary_settings(updates={PREFECT_API_URL: api}):
        (plan,) = apply_deployments(project, inventory=Inventory())  # not a scenario
        ensure_session_limits({"business-system": 2})
        ensure_recovery_automation(within_seconds=60)
        workers = {
            name: start_worker(pool=POOL, name=name, env=env, log=tmp_path / f"{name}.log", limit=1)
            for name in WORKERS
        }
        children.extend(workers.values())

        def submit(path: str, hold: float = 0.0) -> Any:
            parameters = {
                "application_file": path,
                "business_url": sandbox.business_url,
                "report_dir": str(report),
                "hold_seconds": hold,
            }
            flow_run = run_deployment(plan.full_name, parameters=parameters, timeout=0)
            return cast(FlowRun, flow_run).id

        with get_client(sync_client=True) as client:
            first = [submit(path) for path in files[:6]]
            assert _states(client, first, timeout=420) == ["COMPLETED"] * 6
            done = [r for r in _report(report) if r["step"] == "done"]
            assert {r["worker"] for r in done} == set(WORKERS), "both workers ran some"
            assert all(r["created"] for r in done)

            victim = submit(files[6], hold=600)
            registered = _wait_report(report, step="registered", item=Path(files[6]).stem)
            lost = workers[registered["worker"]]
            # the worker's machine dies: the worker and the flow run it started, no goodbye
            for pid in {lost.pid} | descendants(lost.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            assert _states(client, [victim], timeout=420) == ["COMPLETED"]
            run = client.read_flow_run(victim)
            history = [s.name for s in client.read_flow_run_states(victim)]
        assert run.run_count >= 2 and "AwaitingRetry" in history
        final = [r for r in _report(report) if r["item"] == Path(files[6]).stem]
        assert final[-1]["step"] == "done" and final[-1]["worker"] != registered["worker"]
        assert final[-1]["created"] is False  # found registered: not entered again


def _states(client: Any, ids: list[Any], *, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        states = [client.read_flow_run(i).state for i in ids]
        if all(s is not None and s.is_final() for s in states):
            return [s.type.value for s in states]
        assert time.monotonic() < deadline, f"runs not finished: {[s and s.name for s in states]}"
        time.sleep(2)


def _report(report: Path) -> list[dict[str, Any]]:
    path = report / "runs.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _wait_report(report: Path, *, step: str, item: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for row in _report(report):
            if row["step"] == step and row["item"] == item:
                return row
        time.sleep(0.5)
    raise AssertionError(f"{item} never reached {step}")
