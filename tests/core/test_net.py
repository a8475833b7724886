"""Local servers: free ports and waiting until one answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from core.errors import TargetUnavailable
from core.net import free_port, wait_until_serving


def test_a_free_port_can_be_listened_on() -> None:
    port = free_port()
    with socket.socket() as server:
        server.bind(("127.0.0.1", port))
        server.listen()


def test_waiting_ends_with_a_clear_error_when_nothing_answers() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(TargetUnavailable, match="no server answered"):
        wait_until_serving(url, deadline=time.monotonic() + 0.3)


def test_waiting_ends_at_once_when_the_server_process_died() -> None:
    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    dead.wait()
    with pytest.raises(TargetUnavailable, match="exited with code 3"):  # not the deadline's
        wait_until_serving(
            f"http://127.0.0.1:{free_port()}", deadline=time.monotonic() + 60, process=dead
        )
