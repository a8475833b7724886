"""Work items: the one claim / complete / fail loop every scenario uses.

In the spirit of robocorp's work items and UiPath's queues. A scenario puts its items in the
ledger (:meth:`Ledger.enqueue`) and hands :func:`process_queue` a function that does one
item and says the record's reference in the target system::

    def register(item: WorkItem) -> None:
        record = rows[item.key]
        # exactly once: ask the target first, create only if it has nothing
        item.done(target_ref=system.find(record) or system.create(record))

    outcomes = process_queue(ledger, "my-scenario", keys, register,
                             worker=worker_id("robot-1"), policy=RetryPolicy())

or uses one item by hand::

    item = take(ledger, "my-scenario", key, worker=me, lease_seconds=120)
    if item is not None:
        with item:                       # times the block: robot seconds
            item.done(target_ref=create_or_find(key))

How an item ends is decided by the exception's class (core.errors), never by its text:

* no exception → ``done`` (with the reference given to :meth:`WorkItem.done`);
* :class:`~core.errors.BusinessError` → ``business_failure``: a person looks, never retried;
* :class:`~core.errors.ApplicationError` (and anything unexpected) →
  ``application_failure``: retried by the next pass, after the policy's backoff.

**Retries, in one place.** An item is tried at most ``1 + len(policy.backoff_seconds)``
times by one run (one try per pass; between passes the run waits the backoff). A robot verb
may repeat a single *step* (``policy.step_attempts``, e.g. a lost session logged in again),
and a flow's task may be retried by Prefect a bounded number of times on an
ApplicationError; a later run takes up what is left. Nothing else retries.

Claiming is atomic and leased (see :mod:`core.ledger`): two workers never hold one item, and
a killed worker's items are taken again once its lease runs out, or at once when its
process is known to be gone (:func:`release_abandoned`).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType

from core.errors import ApplicationError, JimuError
from core.ledger import Ledger, Status
from core.logging import safe_text

__all__ = [
    "ItemOutcome",
    "RetryPolicy",
    "WorkItem",
    "is_alive",
    "is_open",
    "process_queue",
    "release_abandoned",
    "take",
    "worker_id",
]

log = logging.getLogger(__name__)

_OPEN = (Status.QUEUED, Status.APPLICATION_FAILURE)


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


@dataclass(frozen=True)
class RetryPolicy:
    """How often an item is tried, documented in one place (see the module docstring)."""

    lease_seconds: float = 120.0
    backoff_seconds: tuple[float, ...] = (2.0, 10.0, 30.0)
    step_attempts: int = 3

    @property
    def passes(self) -> int:
        """How many times one run tries an item at most."""
        return 1 + len(self.backoff_seconds)


@dataclass(frozen=True)
class ItemOutcome:
    """How one item ended in this run (log-safe: its key, a masked reason)."""

    key: str
    status: Status
    target_ref: str | None = None
    reason: str | None = None
    seconds: float = 0.0
    error: JimuError | None = field(default=None, compare=False)


class WorkItem:
    """One claimed item. ``with item:`` times the work and records how it ended.

    Inside the block call :meth:`done` with the target's reference; leaving the block
    without it and without an exception also counts as done. A :class:`JimuError` is
    recorded by its class and suppressed (the loop goes on); any other exception is
    recorded as an application failure and raised.
    """

    def __init__(self, ledger: Ledger, scenario: str, key: str, *, attempt: int) -> None:
        self.ledger, self.scenario, self.key, self.attempt = ledger, scenario, key, attempt
        self.outcome: ItemOutcome | None = None
        self._target_ref: str | None = None
        self._started = 0.0

    def done(self, *, target_ref: str | None = None) -> None:
        """Say the item reached its target (``target_ref``: the record's number there)."""
        self._target_ref = target_ref

    def __enter__(self) -> WorkItem:
        self._started = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> bool:
        seconds = time.perf_counter() - self._started
        if error is None:
            self.ledger.complete(
                self.scenario, self.key, target_ref=self._target_ref, robot_seconds=seconds
            )
            self.outcome = ItemOutcome(self.key, Status.DONE, self._target_ref, seconds=seconds)
            return False
        if not isinstance(error, Exception):
            return False  # KeyboardInterrupt, SystemExit: the lease brings the item back
        known = error if isinstance(error, JimuError) else ApplicationError(
            f"unexpected {type(error).__name__}", code="unexpected-error"
        )  # fmt: skip
        status = self.ledger.fail(self.scenario, self.key, known, robot_seconds=seconds)
        kind_name = "application" if status is Status.APPLICATION_FAILURE else "business"
        log.warning("item %s: %s failure (%s)", self.key, kind_name, known.code)
        self.outcome = ItemOutcome(self.key, status, reason=safe_text(known.message),
                                   seconds=seconds, error=known)  # fmt: skip
        return isinstance(error, JimuError)


def take(
    ledger: Ledger, scenario: str, key: str, *, worker: str, lease_seconds: float = 120.0
) -> WorkItem | None:
    """Claim ``key`` for ``worker``: a :class:`WorkItem`, or None if another worker holds
    it or it has ended (done, business failure, returned)."""
    state = ledger.get(scenario, key)
    if not ledger.claim(scenario, key, worker=worker, lease_seconds=lease_seconds):
        return None
    return WorkItem(ledger, scenario, key, attempt=(state.attempts if state else 0) + 1)


def process_queue(
    ledger: Ledger,
    scenario: str,
    keys: Iterable[str],
    handle: Callable[[WorkItem], None],
    *,
    worker: str,
    policy: RetryPolicy,
    progress: Callable[[ItemOutcome], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[ItemOutcome]:
    """Do every open item of ``keys`` with ``handle(item)``, in passes: the first now, each
    further pass (over what failed technically) after the policy's next backoff.

    ``handle`` calls ``item.done(target_ref=…)`` or raises; it is where exactly-once lives
    (search the target first, create only if absent). Returns the last outcome of each item
    this worker took.
    """
    wanted = list(dict.fromkeys(keys))
    outcomes: dict[str, ItemOutcome] = {}
    for delay in (0.0, *policy.backoff_seconds):
        pending = [key for key in wanted if is_open(ledger, scenario, key)]
        if not pending:
            break
        if delay:
            sleep(delay)
        for key in pending:
            item = take(ledger, scenario, key, worker=worker, lease_seconds=policy.lease_seconds)
            if item is None:
                continue  # another worker has it, or it ended meanwhile
            with item:
                handle(item)
            assert item.outcome is not None
            outcomes[key] = item.outcome
            if progress:
                progress(item.outcome)
    return list(outcomes.values())


def is_open(ledger: Ledger, scenario: str, key: str) -> bool:
    """True while the item waits to be done: queued, or failed technically (retried)."""
    state = ledger.get(scenario, key)
    return state is not None and state.status in _OPEN
