"""Prefect's environment for jimu: local, offline, quiet — set before Prefect is imported."""

from __future__ import annotations

import os

from core.settings import get_settings
from orchestration._concurrency import FILE_LEASE_STORAGE  # imports Prefect only when called
from orchestration._watchdog import watch_this_process

__all__ = ["prepare_prefect"]


def prepare_prefect(*, watchdog: bool = True) -> None:
    """Default Prefect to a home inside jimu's data folder, no analytics, WARNING logs.

    Without ``PREFECT_API_URL`` Prefect runs flows against its embedded (ephemeral) server on
    SQLite, and concurrency leases are kept in files beside it so that a run killed mid-way
    does not hold the target systems' session slots for ever (see ``orchestration._concurrency``);
    a watchdog stops that server if the run is killed (``orchestration._watchdog``; off for
    ``jimu serve``, which runs and stops a server of its own). Anything set in the
    environment wins.
    """
    if "PREFECT_HOME" not in os.environ:
        home = get_settings().data_dir / "prefect"
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.environ["PREFECT_HOME"] = str(home.resolve())
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # The embedded server's first start in a new home migrates its database before it
    # answers: 15 s on an idle 2-core PC, 25 s on a busy one. Prefect's 20 s is too short.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    if not os.environ.get("PREFECT_API_URL"):
        os.environ.setdefault("PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE", FILE_LEASE_STORAGE)
        if watchdog:  # a run killed with SIGKILL leaves no embedded server behind
            watch_this_process()
