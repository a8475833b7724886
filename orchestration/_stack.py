"""Child processes of a jimu installation: the Prefect server and its workers.

Each child runs in its own session (process group), so a Ctrl-C in the terminal reaches
only ``jimu serve``, which then stops the children in order: SIGTERM to each group, a
grace period, SIGKILL to what is left. Used by ``jimu serve`` and the scale-out test.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from core.errors import TargetUnavailable

__all__ = [
    "Child",
    "descendants",
    "prefect_env",
    "start_server",
    "start_worker",
    "stop_children",
    "wait_healthy",
]

PREFECT = str(Path(sys.executable).parent / "prefect")


@dataclass
class Child:
    """A started child process and what it is, for messages."""

    name: str
    process: subprocess.Popen[bytes]
    log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        """The child's process id (= its process group id)."""
        return self.process.pid


def prefect_env(
    *, home: Path, api_url: str, database_url: str | None = None, extra: Mapping[str, str] = {}
) -> dict[str, str]:
    """The environment of Prefect children: quiet, offline, this home, this API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_DATABASE")}
    env |= {
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api_url,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": env.get("PREFECT_LOGGING_LEVEL", "WARNING"),
        "PREFECT_UI_API_URL": api_url,
    }
    if database_url:
        env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
    return env | dict(extra)


def _spawn(name: str, command: list[str], env: Mapping[str, str], log: Path | None) -> Child:
    handle = log.open("ab") if log else None
    process = subprocess.Popen(
        command,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=handle or subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group: our Ctrl-C is ours to pass on, in order
    )
    return Child(name=name, process=process, log=handle)


def start_server(*, host: str, port: int, env: Mapping[str, str], log: Path | None) -> Child:
    """``prefect server start`` (UI and API) on ``host:port``; see :func:`wait_healthy`."""
    command = [PREFECT, "server", "start", "--host", host, "--port", str(port)]
    return _spawn("prefect-server", command, env, log)


def start_worker(
    *, pool: str, name: str, env: Mapping[str, str], log: Path | None, limit: int | None = None
) -> Child:
    """``prefect worker start`` for the process pool ``pool``."""
    command = [PREFECT, "worker", "start", "--pool", pool, "--type", "process", "--name", name]
    if limit:
        command += ["--limit", str(limit)]
    return _spawn(f"worker {name}", command, env, log)


def wait_healthy(url: str, *, child: Child | None = None, timeout: float = 120.0) -> None:
    """Wait until ``url`` answers 200; raises TargetUnavailable (naming the log) if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and child.process.poll() is not None:
            raise TargetUnavailable(
                f"{child.name} exited with {child.process.returncode} before {url} answered"
            )
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        time.sleep(0.3)
    raise TargetUnavailable(f"{url} did not answer within {timeout:.0f} s")


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (children, grandchildren …), from ``/proc``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _kill(pids: set[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def stop_children(children: list[Child], *, grace: float = 15.0) -> None:
    """Stop children last-started first: SIGTERM each group, wait, SIGKILL the rest.

    Flow runs that a worker started in sessions of their own are found through ``/proc``
    and stopped with it.
    """
    for child in reversed(children):
        below = descendants(child.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout=grace)
        # the group may hold grandchildren (uvicorn, flow runs) after the leader exits
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        _kill(below | descendants(child.pid))
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout=5)
        if child.log:
            child.log.close()
