"""Local servers: a free port to listen on, and waiting until a server answers."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx

from core.errors import TargetUnavailable

__all__ = ["free_port", "wait_until_serving"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def wait_until_serving(
    url: str,
    *,
    deadline: float,
    path: str = "/healthz",
    process: subprocess.Popen[bytes] | None = None,
) -> None:
    """Wait until ``url`` + ``path`` answers 200, until ``deadline`` (``time.monotonic``).

    Raises :class:`~core.errors.TargetUnavailable` when the deadline passes, or at once when
    ``process`` (the server's, if it runs in a child) has exited.
    """
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise TargetUnavailable(
                f"the server for {url} exited with code {process.returncode} before serving"
            )
        try:
            if httpx.get(f"{url}{path}", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise TargetUnavailable(f"no server answered at {url}")
