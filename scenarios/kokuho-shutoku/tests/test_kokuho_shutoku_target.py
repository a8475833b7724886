"""kokuho-shutoku's target in real Chromium against the sandbox's 資格管理システム (Shift_JIS,
frames, era selects, confirm()): a notice is registered once, found the second time, and a
notice the system refuses is the clerk's business with the screen's own message."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from types import ModuleType

import pytest

from core.errors import InvalidInput
from core.identifiers import my_number_check_digit
from core.scenario import load_scenario, scenario_module
from flows.steps import Connection
from robots import RobotWorker
from sandbox import RunningSandbox
from sandbox.legacy import inspect_legacy

pytestmark = pytest.mark.browser

SCENARIO = "kokuho-shutoku"


def _my_number(first_eleven: str) -> str:
    return first_eleven + str(my_number_check_digit(first_eleven))


@pytest.fixture(scope="module")
def steps() -> ModuleType:
    return scenario_module(SCENARIO, "steps.py")


@pytest.fixture
def worker() -> Iterator[RobotWorker]:
    with RobotWorker(scenario=SCENARIO, name="test", trace="never") as running:
        yield running


def _values(my_number: str) -> dict[str, str]:
    return {
        "name_kana": "スズキ　イチロウ",
        "name": "鈴木　一郎",
        "birth_date_era": "平成",
        "birth_date": "4040229",  # era code 4 (平成), 4年2月29日: a leap day
        "gender": "男",
        "my_number": my_number,
        "postal_code": "100-0001",
        "address": "東京都千代田区千代田１－１",
        "check": "1",
    }


def test_a_notice_is_registered_once_and_found_the_second_time(
    sandbox: RunningSandbox, steps: ModuleType, worker: RobotWorker
) -> None:
    my_number = _my_number("31415926535")
    record = steps.record_from_values("scan-0001", _values(my_number))
    assert record.birth_date == date(1992, 2, 29)
    connection = Connection.of(load_scenario(SCENARIO), "kokuho-system", url=sandbox.legacy_url)
    target = steps.target(worker, connection)
    with worker.item("scan-0001", personal_values=record.personal_values()):
        first, created = target.ensure_registered(record, attempts=2)
    assert created and first
    with worker.item("scan-0001", personal_values=record.personal_values()):
        again, created_again = target.ensure_registered(record, attempts=2)
    assert (again, created_again) == (first, False)
    summary = inspect_legacy(sandbox.paths.legacy_db)
    assert summary.records == 1 and summary.duplicates == {}
    assert summary.insured_nos_of(my_number) == (first,)
    with sqlite3.connect(f"file:{sandbox.paths.legacy_db}?mode=ro", uri=True) as db:
        stored = db.execute(
            "SELECT name, name_kana, sex, birth_date, postal_code, address, acquired_on, reason"
            " FROM insured WHERE insured_no = ?",
            (first,),
        ).fetchone()
    assert stored == (
        "鈴木　一郎", "ｽｽﾞｷ ｲﾁﾛｳ", "1", "1992-02-29", "100-0001",
        "東京都千代田区千代田１－１", date.today().isoformat(), "99",
    )  # fmt: skip


def test_a_notice_the_system_refuses_is_invalid_input_with_its_message(
    sandbox: RunningSandbox, steps: ModuleType, worker: RobotWorker
) -> None:
    my_number = _my_number("27182818284")
    good = steps.record_from_values("scan-0002", _values(my_number))
    # 全角 kana slipped past the record (model_copy does not validate): the system refuses it.
    refused = good.model_copy(update={"name_kana": "スズキ　イチロウ"})
    connection = Connection.of(load_scenario(SCENARIO), "kokuho-system", url=sandbox.legacy_url)
    target = steps.target(worker, connection)
    with pytest.raises(InvalidInput) as caught:
        with worker.item("scan-0002"):
            target.ensure_registered(refused, attempts=2)
    assert "半角カナで入力してください" in caught.value.message
    assert "スズキ" not in caught.value.message and my_number not in caught.value.message
    assert inspect_legacy(sandbox.paths.legacy_db).records == 0
