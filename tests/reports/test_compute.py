"""Hours saved from the hand-computed ledger: done items only, net of human time, by 年度."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.inventory import Inventory
from core.ledger import Ledger
from reports import Period, compute_hours, fiscal_year_of
from tests.reports.conftest import HAND


def test_the_year_totals_match_the_hand_computation(ledger: Ledger, inventory: Inventory) -> None:
    summary = compute_hours(ledger.engine, inventory, Period.fy(2026)).summary
    assert (summary.done, summary.failures, summary.returned, summary.finished) == (
        HAND.done,
        HAND.failures,
        HAND.returned,
        HAND.finished,
    )
    assert summary.saved_hours == pytest.approx(HAND.saved)
    assert summary.gross_hours == pytest.approx(HAND.gross)
    assert summary.human_hours == pytest.approx(HAND.human)
    assert summary.other_human_hours == pytest.approx(HAND.other_human)
    assert summary.robot_hours == pytest.approx(HAND.robot)
    assert summary.forecast_hours == pytest.approx(HAND.forecast)
    assert summary.achievement == pytest.approx(HAND.saved / HAND.forecast)
    assert summary.failure_rate == pytest.approx(2 / 14)
    assert summary.return_rate == pytest.approx(2 / 14)
    assert summary.review_rate == pytest.approx(4 / 10)
    assert summary.unknown_scenarios == ("zeta-legacy",)


def test_human_minutes_are_subtracted_and_a_slow_item_counts_negative(
    ledger: Ledger, inventory: Inventory
) -> None:
    frame = compute_hours(ledger.engine, inventory, Period.fy(2026)).by_scenario
    beta = frame.set_index("scenario").loc["beta-ocr"]
    assert beta["gross_hours"] == pytest.approx(4.0)  # 4 done × 60 min
    assert beta["human_hours"] == pytest.approx(1.5)  # 12 + 0 + 75 + 3 min
    assert beta["saved_hours"] == pytest.approx(HAND.beta_saved)  # b3 alone costs 15 min


def test_failed_and_returned_items_never_count(tmp_path, inventory: Inventory) -> None:  # type: ignore[no-untyped-def]
    from tests.reports.conftest import insert_items

    ledger = Ledger(f"sqlite:///{tmp_path / 'failures.sqlite3'}")
    when = datetime(2026, 6, 1, 10, 0)
    insert_items(
        ledger,
        [
            ("beta-ocr", "f1", "business_failure", when, 0),
            ("beta-ocr", "f2", "application_failure", when, 0),
            ("beta-ocr", "f3", "returned", when, 0),
        ],
    )
    summary = compute_hours(ledger.engine, inventory, Period.fy(2026)).summary
    assert summary.done == 0 and summary.saved_hours == 0 and summary.gross_hours == 0
    assert summary.failures == 2 and summary.returned == 1


@pytest.mark.parametrize(
    ("year", "done", "saved"), [(2025, 1, 0.5), (2026, HAND.done, HAND.saved), (2027, 1, 0.5)]
)
def test_fiscal_year_edges_are_read_in_japan_time(
    ledger: Ledger, inventory: Inventory, year: int, done: int, saved: float
) -> None:
    # a0 2026-03-31 23:55 JST → 2025年度; a8 2026-04-01 00:05 JST (still 31 March in UTC) and
    # a6 2027-03-31 23:30 JST → 2026年度; a7 2027-04-01 00:10 JST → 2027年度.
    summary = compute_hours(ledger.engine, inventory, Period.fy(year)).summary
    assert summary.done == done
    assert summary.saved_hours == pytest.approx(saved)


def test_fiscal_year_of_converts_utc_to_japan_time() -> None:
    assert fiscal_year_of(datetime(2027, 3, 31, 14, 30, tzinfo=UTC)) == 2026  # 23:30 JST
    assert fiscal_year_of(datetime(2027, 3, 31, 15, 10, tzinfo=UTC)) == 2027  # 00:10 JST
    assert fiscal_year_of(datetime(2027, 3, 31, 15, 10)) == 2027  # naive means UTC
    assert fiscal_year_of(date(2027, 1, 5)) == 2026


def test_months_follow_the_fiscal_year_and_add_up(ledger: Ledger, inventory: Inventory) -> None:
    frame = compute_hours(ledger.engine, inventory, Period.fy(2026)).by_month
    assert list(frame["month"]) == [f"2026-{m:02d}" for m in range(4, 13)] + [
        f"2027-{m:02d}" for m in range(1, 4)
    ]
    saved = dict(zip(frame["month"], frame["saved_hours"], strict=True))
    for month, hours in HAND.by_month.items():
        assert saved[month] == pytest.approx(hours)
    assert frame["saved_hours"].sum() == pytest.approx(HAND.saved)
    assert frame["forecast_hours"].sum() == pytest.approx(HAND.forecast)
    assert frame.set_index("month").loc["2026-07", "failures"] == 1


def test_departments_sum_their_scenarios(ledger: Ledger, inventory: Inventory) -> None:
    frame = compute_hours(ledger.engine, inventory, Period.fy(2026)).by_department
    saved = dict(zip(frame["department"], frame["saved_hours"], strict=True))
    assert saved["税務課"] == pytest.approx(2.5)
    assert saved["子育て支援課"] == pytest.approx(2.4)
    assert saved["市民課"] == 0  # 開発中, no items yet
    assert list(frame["department"])[:2] == ["税務課", "子育て支援課"]  # most hours first


def test_a_date_range_prorates_the_forecast_by_days(ledger: Ledger, inventory: Inventory) -> None:
    june = Period.resolve(fy=2026, start=date(2026, 6, 1), end=date(2026, 6, 30))
    report = compute_hours(ledger.engine, inventory, june)
    assert report.period.label == "2026年6月1日〜2026年6月30日"
    assert report.summary.saved_hours == pytest.approx(93 / 60)
    assert report.summary.forecast_hours == pytest.approx(22 * 30 / 365)


def test_nothing_is_forecast_before_a_scenario_started(
    ledger: Ledger, inventory: Inventory
) -> None:
    later = Inventory.model_validate(
        inventory.model_dump()
        | {
            "scenarios": [
                s.model_dump() | {"started_on": date(2026, 10, 1)}
                for s in inventory.scenarios
                if s.started_on
            ]
        }
    )
    report = compute_hours(ledger.engine, later, Period.fy(2026))
    assert report.summary.forecast_hours == pytest.approx(22 * 182 / 365)  # 1 Oct – 31 Mar


def test_candidates_are_ranked_by_priority(ledger: Ledger, inventory: Inventory) -> None:
    frame = compute_hours(ledger.engine, inventory, Period.fy(2026)).candidates
    assert frame.loc[0, "id"] == "delta-idea"
    assert frame.loc[0, "annual_hours"] == pytest.approx(100.0)  # 600 × 10 min
    assert frame.loc[0, "priority"] == pytest.approx(60.0)  # × 中 0.6


def test_an_empty_ledger_gives_zeros_not_errors(tmp_path, inventory: Inventory) -> None:  # type: ignore[no-untyped-def]
    empty = Ledger(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    report = compute_hours(empty.engine, inventory, Period.fy(2026))
    assert report.summary.done == 0 and report.summary.failure_rate is None
    assert len(report.by_month) == 12
