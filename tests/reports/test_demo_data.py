"""The generated year is seeded, lands on office days and hours only, and looks like a year."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from core.inventory import load_inventory
from core.ledger import Ledger, Status
from reports import DEMO_INVENTORY, Period, check_inventory, compute_hours, generate_demo_ledger
from reports._demo_data import office_days
from reports._period import JST


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    ledger = Ledger(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite3'}")
    generate_demo_ledger(ledger, fy=2025, seed=7)
    return ledger


def test_office_days_skip_weekends_holidays_and_new_year() -> None:
    days = set(office_days(date(2025, 12, 26), date(2026, 1, 13)))
    assert date(2025, 12, 26) in days  # Friday
    assert not {date(2025, 12, 29), date(2025, 12, 31), date(2026, 1, 2)} & days  # 年末年始
    assert date(2026, 1, 5) in days  # 仕事始め
    assert date(2026, 1, 12) not in days  # 成人の日
    assert date(2026, 1, 10) not in days  # Saturday


def test_items_fall_on_office_days_within_office_hours(demo: Ledger) -> None:
    open_days = set(office_days(date(2025, 4, 1), date(2026, 3, 31)))
    for item in demo.items("paper-intake"):
        assert item.finished_at is not None
        local = item.finished_at.astimezone(JST)
        assert local.date() in open_days
        assert (8, 30) <= (local.hour, local.minute) <= (17, 15)


def test_the_same_seed_gives_the_same_history(tmp_path: Path) -> None:
    histories = []
    for name in ("first", "second"):
        ledger = Ledger(f"sqlite:///{tmp_path / name}.sqlite3")
        assert generate_demo_ledger(ledger, fy=2025, seed=7, items=2000) == 2000
        histories.append(
            [
                (i.scenario, i.item_key, i.status, i.finished_at, i.human_seconds)
                for i in ledger.items()
            ]
        )
    assert histories[0] == histories[1]
    assert generate_demo_ledger(ledger, fy=2025, seed=7) == 0  # already there: nothing added


def test_seasons_rates_and_the_failing_scenario_look_real(demo: Ledger) -> None:
    inventory = load_inventory(DEMO_INVENTORY)
    report = compute_hours(demo.engine, inventory, Period.fy(2025))
    assert 0.01 < (report.summary.failure_rate or 0) < 0.05
    assert 0.05 < (report.summary.review_rate or 0) < 0.25
    assert 0.8 < (report.summary.achievement or 0) < 1.3
    months = Counter(
        i.finished_at.astimezone(JST).month for i in demo.items("paper-intake") if i.finished_at
    )
    assert months.most_common(1)[0][0] == 6  # 児童手当 in June
    tax = Counter(
        i.finished_at.astimezone(JST).month
        for i in demo.items("kyuyo-hokokusho-entry")
        if i.finished_at
    )
    assert tax[2] > 5 * tax[8]  # 給与支払報告書 in February, not August
    kokuho = demo.counts("kokuho-shikaku-todoke")
    failed = kokuho[Status.BUSINESS_FAILURE] + kokuho[Status.APPLICATION_FAILURE]
    assert failed / sum(kokuho.values()) > 0.10
    problems = check_inventory(DEMO_INVENTORY, ledger=demo, today=date(2026, 3, 31))
    assert {"kokuho-shikaku-todoke"} == {
        p.message.split(":")[0] for p in problems if p.kind == "failure-rate"
    }


def test_a_total_is_split_across_scenarios(tmp_path: Path) -> None:
    ledger = Ledger(f"sqlite:///{tmp_path / 'total.sqlite3'}")
    assert (
        generate_demo_ledger(ledger, fy=2026, seed=1, items=3000, until=date(2026, 9, 30)) == 3000
    )
    latest = max(i.finished_at for i in ledger.items() if i.finished_at)
    assert latest.astimezone(JST).date() <= date(2026, 9, 30)
