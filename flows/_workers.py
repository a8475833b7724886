"""Who holds a ledger item: a worker identity that tells a live process from a dead one."""

from __future__ import annotations

import os
import socket

from core.ledger import Ledger

__all__ = ["is_alive", "release_abandoned", "worker_id"]


def worker_id(name: str) -> str:
    """A worker's ledger identity: host, process and name (so a dead process is recognisable)."""
    return f"{socket.gethostname()}:{os.getpid()}:{name}"


def is_alive(worker: str) -> bool:
    """False only for a worker of this machine whose process is gone; another machine's
    worker counts as alive (its lease decides)."""
    host, _, rest = worker.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_abandoned(ledger: Ledger, scenario: str) -> int:
    """Re-queue ``scenario``'s items whose worker process on this machine is gone (killed
    mid-item), so a rerun takes them at once instead of waiting for their lease."""
    return ledger.release_abandoned(scenario, is_alive=is_alive)
