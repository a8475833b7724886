"""Session limits of target systems, enforced across all flows and workers by Prefect.

A legacy 業務システム may allow only two sessions at once, whichever PC or flow opens them.
Each limit is a Prefect global concurrency limit named ``gcl-<system>``; a robot holds one
slot for as long as its session lasts::

    with target_session("business-system"):
        ...  # log in, work, log out

The limits live on the Prefect server, so every worker on every machine shares them.
:func:`ensure_session_limits` creates or updates them (``jimu serve`` calls it on start).
A slot is a lease: if a worker dies holding one, the slot is freed when the lease expires.
A full server does that itself (its repossessor service). Prefect's embedded server, the
one ``jimu run`` starts, runs no such service and by default keeps its leases in memory, so
a run killed with SIGKILL would hold its slots for ever and the next run would wait for
them for ever: in local mode jimu therefore keeps the leases in files under
``PREFECT_HOME`` (:func:`orchestration._prefect_env.prepare_prefect`) and, while it waits for a
slot, releases the leases that have expired (:func:`release_expired_leases`).

:func:`target_session` waits for a slot whenever a Prefect API is there — inside a flow or
task run, or with ``PREFECT_API_URL`` set. Plain Python without either (a robot tested on
its own) runs unlimited instead of starting an embedded server; so does a system with no
limit on the server (Prefect's ``strict=False``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any
from uuid import UUID

__all__ = [
    "ensure_session_limits",
    "limit_name",
    "release_expired_leases",
    "session_limits",
    "target_session",
]

log = logging.getLogger(__name__)

# While a robot waits for a slot in local mode, expired leases are looked for this often.
_RECLAIM_EVERY_SECONDS = 10.0
FILE_LEASE_STORAGE = "prefect.server.concurrency.lease_storage.filesystem"



def session_limits() -> dict[str, int]:
    """Sessions each registered target system allows at once (``systems/<id>/system.yaml``)."""
    from core.systems import all_systems

    return {system.id: system.session_limit for system in all_systems()}


def limit_name(system: str) -> str:
    """The global concurrency limit's name for ``system``: ``gcl-<system>``."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", system):
        raise ValueError(f"system names are kebab-case ASCII, not {system!r}")
    return f"gcl-{system}"


def _api_available() -> bool:
    from prefect.context import FlowRunContext, TaskRunContext

    if FlowRunContext.get() is not None or TaskRunContext.get() is not None:
        return True
    return bool(os.environ.get("PREFECT_API_URL"))


@contextmanager
def target_session(
    system: str, *, timeout_seconds: float | None = None, lease_seconds: float = 60.0
) -> Iterator[None]:
    """Hold one session slot of ``system`` for the duration of the block.

    Waits for a free slot (at most ``timeout_seconds``; None waits as long as it takes) and
    raises :class:`TimeoutError` after that. The slot's lease is renewed while the block
    runs; a holder that dies frees it ``lease_seconds`` later. A no-op without a Prefect
    API (see module).
    """
    name = limit_name(system)
    if not _api_available():
        yield
        return
    from prefect.concurrency.sync import concurrency

    with ExitStack() as held:
        with _releasing_expired_leases_while_waiting():
            held.enter_context(
                concurrency(
                    name,
                    occupy=1,
                    timeout_seconds=timeout_seconds,
                    lease_duration=lease_seconds,
                    strict=False,
                )
            )
        yield


@contextmanager
def _releasing_expired_leases_while_waiting() -> Iterator[None]:
    """In local mode, release dead holders' expired leases every few seconds while we wait."""
    if not _local_lease_storage():
        yield
        return
    stop = threading.Event()

    def release_until_stopped() -> None:
        while not stop.wait(_RECLAIM_EVERY_SECONDS):
            try:
                if release_expired_leases():
                    log.warning("session slots of robots that died were freed")
            except Exception as exc:  # the next round tries again
                log.debug("releasing expired leases failed: %s", type(exc).__name__)

    releaser = threading.Thread(target=release_until_stopped, name="jimu-lease-releaser")
    releaser.start()
    try:
        yield
    finally:
        stop.set()
        releaser.join()


def _local_lease_storage() -> bool:
    return (
        not os.environ.get("PREFECT_API_URL")
        and os.environ.get("PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE") == FILE_LEASE_STORAGE
    )


def release_expired_leases() -> int:
    """Release the slots of expired leases (holders that died); returns how many leases.

    Only in local mode, where the leases are files under ``PREFECT_HOME`` and no server
    service would ever release them; a full server's repossessor does this itself, so
    elsewhere this returns 0 and touches nothing.
    """
    if not _local_lease_storage():
        return 0
    from prefect import get_client
    from prefect.server.concurrency.lease_storage.filesystem import ConcurrencyLeaseStorage

    storage = ConcurrencyLeaseStorage()
    with ThreadPoolExecutor(max_workers=1) as pool:  # no event loop may run in this thread
        expired: list[UUID] = pool.submit(asyncio.run, storage.read_expired_lease_ids()).result()
    released = 0
    with get_client(sync_client=True) as client:
        for lease_id in expired:
            try:
                client.release_concurrency_slots_with_lease(lease_id)
            except Exception as exc:  # already released by someone else: nothing to free
                log.debug("lease %s not released: %s", lease_id, type(exc).__name__)
                continue
            released += 1
    return released


def ensure_session_limits(
    limits: Mapping[str, int] | None = None,
    *,
    client: Any | None = None,
    update_existing: bool = True,
) -> dict[str, int]:
    """Create or update the global concurrency limits (idempotent); returns name → limit.

    With ``update_existing=False`` only missing limits are created: an operator's own
    setting on the server is left alone.
    """
    from prefect import get_client
    from prefect.client.schemas.actions import (
        GlobalConcurrencyLimitCreate,
        GlobalConcurrencyLimitUpdate,
    )
    from prefect.exceptions import ObjectNotFound

    wanted = {limit_name(system): n for system, n in (limits or session_limits()).items()}
    if client is None:
        with get_client(sync_client=True) as own:
            return ensure_session_limits(limits, client=own, update_existing=update_existing)
    for name, limit in wanted.items():
        try:
            current = client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(name=name, limit=limit, active=True)
            )
            log.info("session limit %s created: %d", name, limit)
            continue
        if update_existing and (current.limit != limit or not current.active):
            client.update_global_concurrency_limit(
                name, GlobalConcurrencyLimitUpdate(limit=limit, active=True)
            )
            log.info("session limit %s set to %d", name, limit)
    return wanted
