"""The ledger: durable per-item state, atomic claims, failures by error class."""

from __future__ import annotations

import multiprocessing
import os
import stat
import threading
import time
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from core.errors import InvalidInput, TargetUnavailable
from core.ledger import Ledger, Status


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(f"sqlite:///{tmp_path / 'ledger.sqlite3'}")


def test_enqueue_is_idempotent(ledger: Ledger) -> None:
    assert ledger.enqueue("s", "R2026-000001") is True
    assert ledger.enqueue("s", "R2026-000001") is False
    assert ledger.counts("s")[Status.QUEUED] == 1


def test_a_claimed_item_cannot_be_claimed_again_until_its_lease_runs_out(ledger: Ledger) -> None:
    ledger.enqueue("s", "a")
    assert ledger.claim("s", "a", worker="w1", lease_seconds=0.2)
    assert not ledger.claim("s", "a", worker="w2")
    time.sleep(0.25)  # the lease of a crashed robot runs out
    assert ledger.claim("s", "a", worker="w2")
    state = ledger.get("s", "a")
    assert state is not None and state.attempts == 2 and state.status is Status.IN_PROGRESS


def test_done_items_are_never_claimed_again(ledger: Ledger) -> None:
    ledger.enqueue("s", "a")
    assert ledger.claim("s", "a", worker="w1")
    ledger.complete("s", "a", target_ref="J0000001", robot_seconds=1.5)
    assert not ledger.claim("s", "a", worker="w2", lease_seconds=0)
    state = ledger.get("s", "a")
    assert state is not None
    assert state.status is Status.DONE
    assert state.target_ref == "J0000001"
    assert state.robot_seconds == pytest.approx(1.5)
    assert state.finished_at is not None and state.finished_at.tzinfo is not None


def test_failures_are_classified_by_error_class(ledger: Ledger) -> None:
    for key in ("tech", "data"):
        ledger.enqueue("s", key)
        ledger.claim("s", key, worker="w")
    assert ledger.fail("s", "tech", TargetUnavailable("業務システムが応答しません")) is (
        Status.APPLICATION_FAILURE
    )
    assert ledger.fail("s", "data", InvalidInput("個人番号が正しくありません")) is (
        Status.BUSINESS_FAILURE
    )
    assert ledger.claim("s", "tech", worker="w")  # application failures are retried
    assert not ledger.claim("s", "data", worker="w")  # business failures wait for a human
    data = ledger.get("s", "data")
    assert data is not None and data.reason_code == "invalid-input"


def test_returned_items_and_human_time(ledger: Ledger) -> None:
    ledger.enqueue("s", "a")
    ledger.claim("s", "a", worker="w")
    ledger.add_human_time("s", "a", 42.0, reviewer="kakunin01")
    ledger.add_human_time("s", "a", 8.0)
    ledger.return_item("s", "a", reason="判読不能")
    state = ledger.get("s", "a")
    assert state is not None
    assert state.status is Status.RETURNED
    assert state.human_seconds == pytest.approx(50.0)
    assert state.reviewer == "kakunin01"
    with pytest.raises(ValueError):
        ledger.add_human_time("s", "a", -1.0)


def test_concurrent_workers_claim_each_item_exactly_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    setup = Ledger(url)
    keys = [f"R2026-{n:06d}" for n in range(60)]
    for key in keys:
        setup.enqueue("s", key)
    claimed: dict[str, list[str]] = {}
    lock = threading.Lock()

    def worker(name: str) -> None:
        ledger = Ledger(url)  # its own engine and connections, as a separate process would
        for key in keys:
            if ledger.claim("s", key, worker=name):
                with lock:
                    claimed.setdefault(key, []).append(name)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == keys
    assert all(len(names) == 1 for names in claimed.values())


def test_default_ledger_file_is_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("JIMU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("JIMU_LEDGER_URL", raising=False)
    get_settings.cache_clear()
    try:
        Ledger().enqueue("s", "a")
        mode = stat.S_IMODE(os.stat(tmp_path / "data" / "ledger.sqlite3").st_mode)
        assert mode == 0o600
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_unknown_item_cannot_be_finished(ledger: Ledger) -> None:
    from core.errors import ConfigError

    with pytest.raises(ConfigError):
        ledger.complete("s", "never-queued")


def test_items_of_dead_workers_are_released(ledger: Ledger) -> None:
    for key in ("a", "b"):
        ledger.enqueue("s", key)
    assert ledger.claim("s", "a", worker="host:1:dead", lease_seconds=3600)
    assert ledger.claim("s", "b", worker="host:2:alive", lease_seconds=3600)
    released = ledger.release_abandoned("s", is_alive=lambda worker: worker.endswith("alive"))
    assert released == 1
    assert ledger.claim("s", "a", worker="host:3:new")  # back in the queue at once
    assert not ledger.claim("s", "b", worker="host:3:new")  # a live worker keeps its item


def test_times_are_stored_as_utc_whatever_zone_they_come_in(ledger: Ledger) -> None:
    from datetime import datetime, timedelta, timezone

    jst = timezone(timedelta(hours=9))
    ledger.enqueue("s", "a", at=datetime(2026, 4, 1, 9, 0, tzinfo=jst))
    state = ledger.get("s", "a")
    assert state is not None
    assert state.queued_at == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    assert state.queued_at.utcoffset() == timedelta(0)


VALID_MY_NUMBER = "123456789018"  # its check digit is right


@pytest.mark.parametrize(
    "key",
    [
        '=HYPERLINK("http://example.invalid/")',
        "山田太郎_123456789018.pdf",
        "R2026 000001",
        "-1",
        "",
        "a" * 129,
        "scan-1\nforged",
    ],
)
def test_a_key_of_the_wrong_shape_is_refused_without_repeating_it(ledger: Ledger, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        ledger.enqueue("s", key)
    assert refused.value.code == "invalid-item-key"
    assert f"{len(key)}文字" in refused.value.message
    if key:
        assert key not in refused.value.message
    assert "山田" not in refused.value.message and VALID_MY_NUMBER not in refused.value.message
    with pytest.raises(InvalidInput):
        ledger.claim("s", key, worker="w")
    assert list(ledger.items("s")) == []


def test_keys_the_scenarios_use_are_accepted(ledger: Ledger) -> None:
    for key in ("R2026-000001", "scan-3f9a0c1d2e4b5a69", "DEMO-2026-0000001", "a1b2c3d4e5f60718"):
        assert ledger.enqueue("s", key)
        assert ledger.claim("s", key, worker="w")


def test_a_reason_is_stored_masked(ledger: Ledger) -> None:
    for key in ("a", "b"):
        ledger.enqueue("s", key)
        ledger.claim("s", key, worker="w")
    ledger.fail("s", "a", InvalidInput(f"個人番号 {VALID_MY_NUMBER} は登録済み\n氏名=山田 太郎"))
    ledger.return_item("s", "b", reason=f"判読不能 1234-5678-9018 {'x' * 600}")
    failed, returned = ledger.get("s", "a"), ledger.get("s", "b")
    assert failed is not None and returned is not None
    assert failed.reason == "個人番号 ************ は登録済み 氏名=***"
    assert returned.reason is not None
    assert "9018" not in returned.reason and returned.reason.startswith("判読不能 ****")
    assert len(returned.reason) == 500


def test_bulk_rows_with_a_bad_key_are_refused(ledger: Ledger) -> None:
    from datetime import datetime

    row = {"scenario": "s", "item_key": "=1+1", "status": "done", "attempts": 1,
           "queued_at": datetime.now(UTC)}  # fmt: skip
    with pytest.raises(InvalidInput):
        ledger.insert_many([row])
    assert list(ledger.items("s")) == []


def _open_and_enqueue(url: str, key: str, barrier: Any) -> str:
    barrier.wait()
    try:
        Ledger(url).enqueue("s", key)
    except Exception as exc:  # reported to the test, which names it
        return f"{type(exc).__name__}: {exc}"[:200]
    return "ok"


def test_workers_opening_a_new_ledger_at_once_all_start(tmp_path: Path) -> None:
    """Two workers' first runs open a ledger file nobody has opened yet, at the same moment
    (a CI run failed so: "table ledger_items already exists"); they also enqueue one key."""
    context = multiprocessing.get_context("fork")
    outcomes = []
    with context.Manager() as manager, context.Pool(4) as pool:
        for round_ in range(8):
            url = f"sqlite:///{tmp_path / f'ledger-{round_}.sqlite3'}"
            barrier = manager.Barrier(4)
            keys = ["R2026-000001" if n % 2 else f"R2026-00000{n}" for n in range(4)]
            jobs = [(url, key, barrier) for key in keys]
            outcomes += pool.starmap(_open_and_enqueue, jobs)
    assert [o for o in outcomes if o != "ok"] == []
