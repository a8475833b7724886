"""Session limits of target systems, enforced across all flows and workers by Prefect.

A legacy 業務システム may allow only two sessions at once, whichever PC or flow opens them.
Each limit is a Prefect global concurrency limit named ``gcl-<system>``; a robot holds one
slot for as long as its session lasts::

    with target_session("business-system"):
        ...  # log in, work, log out

The limits live on the Prefect server, so every worker on every machine shares them.
:func:`ensure_session_limits` creates or updates them (``jimu serve`` calls it on start).
A slot is a lease: if a worker dies holding one, Prefect frees it when the lease expires.

:func:`target_session` waits for a slot whenever a Prefect API is there — inside a flow or
task run, or with ``PREFECT_API_URL`` set. Plain Python without either (a robot tested on
its own) runs unlimited instead of starting an embedded server; so does a system with no
limit on the server (Prefect's ``strict=False``).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

__all__ = [
    "SESSION_LIMITS",
    "ensure_session_limits",
    "limit_name",
    "target_session",
]

log = logging.getLogger(__name__)

# Sessions each target system allows at once (from its operator's terms of use).
SESSION_LIMITS: Mapping[str, int] = {
    "business-system": 2,  # 業務システム (子育て支援システム)
    "e-application-portal": 4,  # 電子申請システム
}


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
    system: str, *, timeout_seconds: float | None = None, lease_seconds: float = 300.0
) -> Iterator[None]:
    """Hold one session slot of ``system`` for the duration of the block.

    Waits for a free slot (at most ``timeout_seconds``; None waits as long as it takes) and
    raises :class:`TimeoutError` after that. A no-op without a Prefect API (see module).
    """
    name = limit_name(system)
    if not _api_available():
        yield
        return
    from prefect.concurrency.sync import concurrency

    with concurrency(
        name,
        occupy=1,
        timeout_seconds=timeout_seconds,
        lease_duration=lease_seconds,
        strict=False,
    ):
        yield


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

    wanted = {limit_name(system): n for system, n in (limits or SESSION_LIMITS).items()}
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
