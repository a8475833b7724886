"""Local servers: a port to listen on, and waiting until a server answers."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx

from core.errors import TargetUnavailable

__all__ = ["free_port", "listening_socket", "wait_until_serving"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on right now (for a server in another
    process; in this one, :func:`listening_socket` keeps the port from being taken first)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def listening_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A TCP socket listening on ``host``:``port`` (0: a free port, read back with
    ``getsockname()``), to hand to the server: no other process can take the port between
    choosing it and serving on it, as one can with :func:`free_port`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


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
