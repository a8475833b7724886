"""A `jimu run` killed with SIGKILL leaves no Prefect server behind (orchestration._watchdog)."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration._watchdog import _servers_of, _stat

FLOW = '''
import time

from prefect import flow


@flow
def main(scenario: str = "sleeper") -> None:
    """Wait, as a long run does.

    Args:
        scenario: シナリオID
    """
    print("running", flush=True)
    time.sleep(600)
'''


def _line(process: subprocess.Popen[str], wanted: str, timeout: float) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if select.select([process.stdout], [], [], 1.0)[0]:
            line = process.stdout.readline()
            if line.strip() == wanted:
                return
            assert line, "jimu run ended before its flow started"
    raise AssertionError(f"no {wanted!r} within {timeout} s")


def test_a_run_killed_with_sigkill_takes_its_embedded_server_with_it(
    tmp_path: Path, prefect_home: Path
) -> None:
    folder = tmp_path / "scenarios" / "sleeper"
    folder.mkdir(parents=True)
    (folder / "scenario.yaml").write_text(
        "id: sleeper\nname: 待つだけのシナリオ\ndepartment: 情報政策課\nflow: flow.py:main\n",
        encoding="utf-8",
    )
    (folder / "flow.py").write_text(FLOW, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {
        "PREFECT_HOME": str(prefect_home),
        "JIMU_DATA_DIR": str(tmp_path / "data"),
        "JIMU_SCENARIOS_DIR": str(tmp_path / "scenarios"),
    }
    run = subprocess.Popen([sys.executable, "-m", "cli", "run", "sleeper"], env=env,
                           stdout=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    servers: dict[int, int] = {}
    try:
        _line(run, "running", timeout=240)
        servers = _servers_of(run.pid)
        assert len(servers) == 1  # Prefect's embedded server, a child of the run
        time.sleep(1.5)  # the watchdog polls every second
        os.kill(run.pid, signal.SIGKILL)  # the run alone: its group lives on
        run.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(
            _stat(pid) is not None and _stat(pid)[1] == started  # type: ignore[index]
            for pid, started in servers.items()
        ):
            time.sleep(0.5)
        left = [pid for pid, started in servers.items()
                if (stat := _stat(pid)) is not None and stat[1] == started]  # fmt: skip
        assert left == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
        for pid in servers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        run.wait(timeout=30)
        if run.stdout:
            run.stdout.close()
