"""Hours saved, computed from the ledger item by item. Pure: no files, no Prefect.

For every ledger item that *finished* inside the period (``finished_at`` in Japan time):

* only ``done`` items (they reached their target system) save time;
  ``business_failure``, ``application_failure`` and ``returned`` items never do;
* saved minutes = the scenario's manual baseline (inventory) − the human minutes measured on
  the item (``human_seconds`` ÷ 60: review, correction, exception handling). An item that
  took longer than the manual baseline counts negative, as it really cost time;
* human time spent on items that failed or were returned is reported beside it
  (``other_human_hours``), not hidden;
* robot hours are the robots' own run time on every finished item.

Rates: failure rate = failures ÷ finished; return rate = returned ÷ finished; review rate =
done items a person touched (human_seconds > 0) ÷ done. The forecast per year from the
inventory is prorated by days: ``hours_per_year × share of the year the period covers``,
counted from the scenario's ``started_on`` (nothing is forecast before it started, nor for a
scenario without a start date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Engine, case, func, select

from core.errors import ConfigError
from core.inventory import Inventory
from core.ledger import Status, ledger_table
from reports._period import JST, Period

__all__ = ["COLUMN_LABELS", "HoursReport", "Summary", "compute_hours"]

FINISHED = (
    Status.DONE.value,
    Status.BUSINESS_FAILURE.value,
    Status.APPLICATION_FAILURE.value,
    Status.RETURNED.value,
)
UNKNOWN = "(台帳未登録)"

#: Japanese column headings used by the workbook and the document.
COLUMN_LABELS: dict[str, str] = {
    "scenario": "シナリオID",
    "name": "名称",
    "department": "担当課",
    "status": "状態",
    "month": "月",
    "baseline_minutes": "基準時間(分/件)",
    "scenarios": "シナリオ数",
    "done": "完了件数",
    "failures": "失敗件数",
    "returned": "差戻し件数",
    "finished": "処理件数",
    "reviewed": "確認件数",
    "failure_rate": "失敗率",
    "return_rate": "差戻し率",
    "review_rate": "確認率",
    "gross_hours": "手作業換算時間",
    "human_hours": "人手時間(完了分)",
    "other_human_hours": "人手時間(失敗・差戻し分)",
    "saved_hours": "削減時間",
    "robot_hours": "ロボット稼働時間",
    "forecast_items": "予測件数",
    "forecast_hours": "予測削減時間",
    "difference_hours": "差(実績−予測)",
    "achievement": "達成率",
}

# Columns measured in the ledger, then the forecast columns; both add up across rows.
_MEASURED = [
    "done",
    "business_failures",
    "application_failures",
    "failures",
    "returned",
    "finished",
    "reviewed",
    "gross_hours",
    "human_hours",
    "other_human_hours",
    "saved_hours",
    "robot_hours",
]
_SUMS = [*_MEASURED, "forecast_items", "forecast_hours"]


@dataclass(frozen=True)
class Summary:
    """Totals over the period (hours are floats, rates shares 0–1 or None when undefined)."""

    done: int
    failures: int
    returned: int
    finished: int
    reviewed: int
    failure_rate: float | None
    return_rate: float | None
    review_rate: float | None
    gross_hours: float
    human_hours: float
    other_human_hours: float
    saved_hours: float
    robot_hours: float
    forecast_items: float
    forecast_hours: float
    achievement: float | None
    scenarios_with_items: int
    unknown_scenarios: tuple[str, ...]


@dataclass(frozen=True)
class HoursReport:
    """Everything a report shows; DataFrame columns are keys of :data:`COLUMN_LABELS`."""

    period: Period
    summary: Summary
    by_scenario: pd.DataFrame
    by_department: pd.DataFrame
    by_month: pd.DataFrame
    candidates: pd.DataFrame
    generated_at: datetime = field(default_factory=lambda: datetime.now(JST))


def compute_hours(engine: Engine, inventory: Inventory, period: Period) -> HoursReport:
    """Aggregate the ledger behind ``engine`` over ``period`` with the inventory's baselines.

    The ledger is aggregated in SQL (scenario × month × status), so a million items cost
    about a second. Raises ConfigError for a database other than SQLite or PostgreSQL.
    """
    groups = _aggregate(engine, period)
    by_sm = _scenario_months(groups, inventory)
    by_scenario = _by_scenario(by_sm, inventory, period)
    by_month = _by_month(by_sm, inventory, period)
    by_department = _by_department(by_scenario)
    unknown = tuple(sorted(by_scenario.loc[~by_scenario["known"], "scenario"]))
    return HoursReport(
        period=period,
        summary=_summary(by_scenario, unknown),
        by_scenario=by_scenario.drop(columns=["known"]),
        by_department=by_department,
        by_month=by_month,
        candidates=_candidates(inventory),
    )


def _month_expression(engine: Engine) -> Any:
    column = ledger_table.c.finished_at
    if engine.dialect.name == "sqlite":
        return func.strftime("%Y-%m", column, "+9 hours")  # JST has no daylight saving
    if engine.dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Tokyo", column), "YYYY-MM")
    raise ConfigError(f"reports support SQLite and PostgreSQL ledgers, not {engine.dialect.name}")


def _aggregate(engine: Engine, period: Period) -> pd.DataFrame:
    month = _month_expression(engine).label("month")
    c = ledger_table.c
    low, high = period.utc_bounds()
    query = (
        select(
            c.scenario,
            month,
            c.status,
            func.count().label("items"),
            func.coalesce(func.sum(c.human_seconds), 0.0).label("human_seconds"),
            func.coalesce(func.sum(c.robot_seconds), 0.0).label("robot_seconds"),
            func.sum(case((c.human_seconds > 0, 1), else_=0)).label("reviewed"),
        )
        .where(c.finished_at >= low, c.finished_at < high, c.status.in_(FINISHED))
        .group_by(c.scenario, month, c.status)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    columns = ["scenario", "month", "status", "items", "human_seconds", "robot_seconds", "reviewed"]
    frame = pd.DataFrame([tuple(row) for row in rows], columns=columns)
    return frame.astype(
        {
            "scenario": str,
            "month": str,
            "status": str,
            "items": "int64",
            "human_seconds": "float64",
            "robot_seconds": "float64",
            "reviewed": "int64",
        }
    )


def _scenario_months(groups: pd.DataFrame, inventory: Inventory) -> pd.DataFrame:
    """One row per scenario and month: counts and hours, before any forecast."""
    baselines = {s.id: s.baseline.minutes_per_item for s in inventory.scenarios}
    done = groups["status"] == Status.DONE.value
    frame = pd.DataFrame(
        {
            "scenario": groups["scenario"].astype(str),
            "month": groups["month"].astype(str),
            "done": groups["items"].where(done, 0),
            "business_failures": groups["items"].where(
                groups["status"] == Status.BUSINESS_FAILURE.value, 0
            ),
            "application_failures": groups["items"].where(
                groups["status"] == Status.APPLICATION_FAILURE.value, 0
            ),
            "returned": groups["items"].where(groups["status"] == Status.RETURNED.value, 0),
            "finished": groups["items"],
            "reviewed": groups["reviewed"].where(done, 0),
            "human_hours": (groups["human_seconds"] / 3600).where(done, 0.0),
            "other_human_hours": (groups["human_seconds"] / 3600).where(~done, 0.0),
            "robot_hours": groups["robot_seconds"] / 3600,
        }
    )
    frame["failures"] = frame["business_failures"] + frame["application_failures"]
    minutes = frame["scenario"].map(baselines).astype("float64").fillna(0.0)
    frame["gross_hours"] = frame["done"] * minutes / 60
    # An item of a scenario the inventory does not know has no baseline: it saves nothing
    # on paper, and the report names the scenario so someone registers it.
    frame["saved_hours"] = (frame["gross_hours"] - frame["human_hours"]).where(
        frame["scenario"].isin(baselines), 0.0
    )
    return frame.groupby(["scenario", "month"], as_index=False).sum(numeric_only=True)


def _rates(frame: pd.DataFrame) -> pd.DataFrame:
    finished = frame["finished"].where(frame["finished"] > 0)
    frame["failure_rate"] = frame["failures"] / finished
    frame["return_rate"] = frame["returned"] / finished
    frame["review_rate"] = frame["reviewed"] / frame["done"].where(frame["done"] > 0)
    frame["difference_hours"] = frame["saved_hours"] - frame["forecast_hours"]
    frame["achievement"] = frame["saved_hours"] / frame["forecast_hours"].where(
        frame["forecast_hours"] > 0
    )
    return frame


def _by_scenario(by_sm: pd.DataFrame, inventory: Inventory, period: Period) -> pd.DataFrame:
    sums = by_sm.drop(columns=["month"]).groupby("scenario").sum(numeric_only=True)
    records = []
    entries = {s.id: s for s in inventory.scenarios}
    for scenario_id in [*entries, *sorted(set(sums.index) - set(entries))]:
        entry = entries.get(scenario_id)
        row: dict[str, Any] = {"scenario": scenario_id, "known": entry is not None}
        if entry is not None:
            share = period.share_of_year(entry.started_on) if entry.started_on else 0.0
            row |= {
                "name": entry.name,
                "department": entry.department,
                "status": entry.status.value,
                "baseline_minutes": entry.baseline.minutes_per_item,
                "forecast_items": entry.forecast.items_per_year * share,
                "forecast_hours": entry.forecast.hours_per_year * share,
            }
        else:
            row |= {
                "name": f"{scenario_id} {UNKNOWN}",
                "department": UNKNOWN,
                "status": "",
                "forecast_items": 0.0,
                "forecast_hours": 0.0,
                "baseline_minutes": float("nan"),
            }
        for column in _MEASURED:
            row[column] = sums.at[scenario_id, column] if scenario_id in sums.index else 0
        records.append(row)
    frame = pd.DataFrame.from_records(
        records,
        columns=["scenario", "known", "name", "department", "status", "baseline_minutes", *_SUMS],
    )
    frame = _rates(frame)
    frame = frame.sort_values(["saved_hours", "scenario"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True)


def _by_department(by_scenario: pd.DataFrame) -> pd.DataFrame:
    grouped = by_scenario.groupby("department", sort=False)
    frame = grouped[_SUMS].sum()
    frame.insert(0, "scenarios", grouped["scenario"].count())
    frame = _rates(frame.reset_index())
    frame = frame.sort_values(["saved_hours", "department"], ascending=[False, True])
    return frame.reset_index(drop=True)


def _by_month(by_sm: pd.DataFrame, inventory: Inventory, period: Period) -> pd.DataFrame:
    sums = by_sm.drop(columns=["scenario"]).groupby("month").sum(numeric_only=True)
    sums = sums.reindex(period.months(), fill_value=0)
    frame = sums.rename_axis("month").reset_index()
    started = [(s.started_on, s.forecast) for s in inventory.scenarios if s.started_on]
    for column, attribute in (
        ("forecast_items", "items_per_year"),
        ("forecast_hours", "hours_per_year"),
    ):
        frame[column] = [
            sum(
                getattr(f, attribute) * period.month_share_of_year(m, since) for since, f in started
            )
            for m in frame["month"]
        ]
    return _rates(frame)[
        [
            "month",
            *_SUMS,
            "failure_rate",
            "return_rate",
            "review_rate",
            "difference_hours",
            "achievement",
        ]
    ]


def _summary(by_scenario: pd.DataFrame, unknown: tuple[str, ...]) -> Summary:
    total = {column: by_scenario[column].sum() for column in _SUMS}

    def share(part: float, whole: float) -> float | None:
        return float(part / whole) if whole else None

    return Summary(
        done=int(total["done"]),
        failures=int(total["failures"]),
        returned=int(total["returned"]),
        finished=int(total["finished"]),
        reviewed=int(total["reviewed"]),
        failure_rate=share(total["failures"], total["finished"]),
        return_rate=share(total["returned"], total["finished"]),
        review_rate=share(total["reviewed"], total["done"]),
        gross_hours=float(total["gross_hours"]),
        human_hours=float(total["human_hours"]),
        other_human_hours=float(total["other_human_hours"]),
        saved_hours=float(total["saved_hours"]),
        robot_hours=float(total["robot_hours"]),
        forecast_items=float(total["forecast_items"]),
        forecast_hours=float(total["forecast_hours"]),
        achievement=share(total["saved_hours"], total["forecast_hours"]),
        scenarios_with_items=int((by_scenario["finished"] > 0).sum()),
        unknown_scenarios=unknown,
    )


def _candidates(inventory: Inventory) -> pd.DataFrame:
    rows = [
        {
            "id": c.id,
            "name": c.name,
            "department": c.department,
            "survey_year": c.survey_year,
            "items_per_year": c.items_per_year,
            "minutes_per_item": c.minutes_per_item,
            "annual_hours": c.annual_hours,
            "feasibility": c.feasibility.value if c.feasibility else "未評価",
            "priority": c.priority,
        }
        for c in inventory.ranked_candidates()
    ]
    columns = [
        "id",
        "name",
        "department",
        "survey_year",
        "items_per_year",
        "minutes_per_item",
        "annual_hours",
        "feasibility",
        "priority",
    ]
    return pd.DataFrame(rows, columns=columns)
