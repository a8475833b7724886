"""The work-item loop on a real SQLite ledger: how an item ends is decided by the error's
class, technical failures are retried after the policy's backoff, and nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import InvalidInput, TargetUnavailable
from core.ledger import Ledger, Status
from core.work_items import RetryPolicy, WorkItem, process_queue, take, worker_id

S = "work-items-test"


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")
    for key in ("A-1", "A-2", "A-3"):
        ledger.enqueue(S, key)
    return ledger


def test_done_refused_and_retried_items_end_by_the_errors_class(ledger: Ledger) -> None:
    tries: dict[str, int] = {}
    slept: list[float] = []

    def handle(item: WorkItem) -> None:
        tries[item.key] = tries.get(item.key, 0) + 1
        if item.key == "A-2":
            raise InvalidInput("氏名が空です", field="name")
        if item.key == "A-3" and item.attempt < 3:
            raise TargetUnavailable("E500")
        item.done(target_ref=f"R-{item.key}")

    policy = RetryPolicy(backoff_seconds=(1.0, 5.0, 9.0))
    outcomes = process_queue(ledger, S, ["A-1", "A-2", "A-3"], handle,
                             worker=worker_id("t"), policy=policy, sleep=slept.append)  # fmt: skip

    assert tries == {"A-1": 1, "A-2": 1, "A-3": 3}  # a refusal is never retried
    assert slept == [1.0, 5.0]  # a pass per backoff, only while something is left to retry
    by_key = {o.key: o for o in outcomes}
    assert by_key["A-1"].status is Status.DONE and by_key["A-1"].target_ref == "R-A-1"
    assert by_key["A-2"].status is Status.BUSINESS_FAILURE
    assert by_key["A-2"].reason == "氏名が空です"
    assert by_key["A-3"].status is Status.DONE
    state = ledger.get(S, "A-3")
    assert state is not None and state.attempts == 3 and state.target_ref == "R-A-3"

    again = process_queue(ledger, S, ["A-1", "A-2", "A-3"], handle,
                          worker=worker_id("t"), policy=policy, sleep=slept.append)  # fmt: skip
    assert again == [] and tries["A-1"] == 1  # done and refused items are not taken again


def test_tries_are_bounded_by_the_policy(ledger: Ledger) -> None:
    tries = 0

    def always_down(item: WorkItem) -> None:
        nonlocal tries
        tries += 1
        raise TargetUnavailable("down")

    policy = RetryPolicy(backoff_seconds=(0.0, 0.0))
    [outcome] = process_queue(ledger, S, ["A-1"], always_down, worker=worker_id("t"),
                              policy=policy, sleep=lambda _: None)  # fmt: skip
    assert tries == policy.passes == 3
    assert outcome.status is Status.APPLICATION_FAILURE  # left for the next run


def test_an_unexpected_error_is_recorded_and_raised(ledger: Ledger) -> None:
    item = take(ledger, S, "A-1", worker=worker_id("t"))
    assert item is not None
    with pytest.raises(ZeroDivisionError), item:
        _ = 1 / 0
    state = ledger.get(S, "A-1")
    assert state is not None and state.status is Status.APPLICATION_FAILURE
    assert state.reason_code == "unexpected-error"


def test_an_item_held_by_a_live_worker_is_not_taken(ledger: Ledger) -> None:
    assert take(ledger, S, "A-1", worker=worker_id("first")) is not None
    assert take(ledger, S, "A-1", worker=worker_id("second")) is None
