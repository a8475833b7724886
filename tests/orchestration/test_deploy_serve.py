"""``jimu serve``: everything starts, the URLs answer, Ctrl-C stops every child process."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

from core.net import free_port
from orchestration._stack import descendants


def test_serve_starts_everything_and_ctrl_c_stops_every_child(tmp_path: Path) -> None:
    ports = [free_port() for _ in range(3)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {
        "JIMU_DATA_DIR": str(tmp_path / "data"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    command = [
        sys.executable, "-m", "cli._serve", "--prefect-port", str(ports[0]),
        "--portal-port", str(ports[1]), "--business-port", str(ports[2]),
    ]  # fmt: skip
    with (tmp_path / "serve.out").open("w+") as out:
        children = _serve_then_interrupt(command, env, out)
        out.seek(0)
        assert "jimu serve: stopped" in out.read()
    left = [pid for pid in children if _alive(pid)]
    assert left == [], f"still running after Ctrl-C: {left}"


def _serve_then_interrupt(command: list[str], env: dict[str, str], out: IO[str]) -> set[int]:
    """Start ``jimu serve``, check what it serves, press Ctrl-C; returns its descendants."""
    serve = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        text = _wait_for(out, "jimu is serving", serve, timeout=300)
        urls = dict(re.findall(r"^  (\S+(?: \S+)?)\s+(http://\S+)$", text, re.MULTILINE))
        assert set(urls) >= {"Prefect UI", "電子申請システム", "業務システム"}
        assert httpx.get(urls["Prefect UI"] + "api/health", timeout=10).status_code == 200
        for name in ("電子申請システム", "業務システム"):
            assert httpx.get(urls[name] + "healthz", timeout=10).status_code == 200
        deployments = httpx.post(
            urls["Prefect UI"] + "api/deployments/filter", json={}, timeout=10
        ).json()
        assert {"e-application-sync", "hours-report"} <= {d["name"] for d in deployments}
        workers = _wait_worker_online(urls["Prefect UI"], timeout=120)
        assert workers == ["jimu-serve"]
        children = descendants(serve.pid)
        assert len(children) >= 2  # the Prefect server and the worker, at least

        serve.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
        assert serve.wait(timeout=240) == 0  # a loaded 2-core machine stops slowly
    finally:
        if serve.poll() is None:  # the test failed: leave no server or worker behind
            for pid in {serve.pid} | descendants(serve.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            serve.wait()
    return children


def _wait_for(out: IO[str], marker: str, process: subprocess.Popen[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out.seek(0)
        text = out.read()
        if marker in text:
            time.sleep(0.5)
            out.seek(0)
            return out.read()
        assert process.poll() is None, f"jimu serve exited early:\n{text}"
        time.sleep(0.5)
    raise AssertionError(f"jimu serve did not get ready in {timeout} s")


def _wait_worker_online(ui: str, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = httpx.post(ui + "api/work_pools/jimu/workers/filter", json={}, timeout=10)
        online = [w["name"] for w in found.json() if w.get("status") == "ONLINE"]
        if online:
            return online
        time.sleep(1)
    raise AssertionError("the worker never came online")


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"
