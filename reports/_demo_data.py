"""A seeded, believable year of ledger history for the demo and the benchmark.

Items are spread over office days only (weekends, national holidays via ``jpholiday`` and
29 December – 3 January are closed) and office hours (8:30–17:15 JST), with each
scenario's seasonal peaks: 住民異動 in March–April, 児童手当 in June, 給与支払報告書 in
January–February, 保育所入所申込 in November. Failure, return and review rates follow what
municipal RPA teams report: a few percent failed, OCR scenarios reviewed far more often than
online-form data, and one scenario (国保 after a screen change) failing too often, so
``jimu inventory check`` has something to say. Times are stored in UTC, as the ledger does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, select

from core import calendar
from core.inventory import Inventory, ScenarioEntry, ScenarioStatus, load_inventory
from core.ledger import Ledger, Status, ledger_table
from reports._period import JST, Period

__all__ = ["DEMO_INVENTORY", "generate_demo_ledger", "office_days"]

log = logging.getLogger(__name__)

#: The example register the demo reports on (``reports/examples/inventory-demo.yaml``).
DEMO_INVENTORY = Path(__file__).parent / "examples" / "inventory-demo.yaml"

_OPEN, _CLOSE = 8 * 3600 + 30 * 60, 17 * 3600 + 15 * 60  # office hours, seconds after midnight


@dataclass(frozen=True)
class _Profile:
    months: dict[int, float] = field(default_factory=dict)  # weight per month, 1.0 if absent
    business_failure: float = 0.015
    application_failure: float = 0.005
    returned: float = 0.01
    review: float = 0.10  # share of done items a person checked or corrected
    review_seconds: float = 90.0  # median human seconds on a reviewed item
    robot_seconds: float = 30.0  # median robot seconds per item
    stopped_on: date | None = None  # no items from this day on (a 停止 scenario)


_QUIET = dict.fromkeys(range(4, 12), 0.3)
_PROFILES: dict[str, _Profile] = {
    "e-application-sync": _Profile(
        {4: 1.6, 6: 1.5, 3: 1.3}, review=0.06, review_seconds=150, robot_seconds=25
    ),
    "paper-intake": _Profile(
        {4: 1.3, 6: 2.6, 10: 1.2},
        business_failure=0.02,
        returned=0.03,
        review=0.32,
        review_seconds=80,
        robot_seconds=40,
    ),
    "jumin-ido-tenki": _Profile(
        {3: 2.2, 4: 2.4, 5: 1.2}, review=0.05, review_seconds=120, robot_seconds=35
    ),
    "kyuyo-hokokusho-entry": _Profile(
        _QUIET | {12: 0.6, 1: 3.0, 2: 3.5, 3: 1.5},
        business_failure=0.02,
        returned=0.02,
        review=0.35,
        review_seconds=70,
        robot_seconds=45,
    ),
    "kaigo-nintei-uketsuke": _Profile(review=0.10, review_seconds=120, robot_seconds=30),
    "kokuho-shikaku-todoke": _Profile(
        {4: 1.8, 3: 1.3},
        business_failure=0.09,
        application_failure=0.04,
        review=0.08,
        review_seconds=100,
    ),
    "koza-furikae-keshikomi": _Profile(
        business_failure=0.004,
        application_failure=0.001,
        returned=0.0,
        review=0.03,
        review_seconds=60,
        robot_seconds=8,
    ),
    "hoiku-moshikomi-ocr": _Profile(
        dict.fromkeys(range(2, 10), 0.4) | {10: 1.5, 11: 3.0, 12: 2.0},
        business_failure=0.02,
        returned=0.04,
        review=0.4,
        review_seconds=110,
        robot_seconds=50,
        stopped_on=date(2026, 2, 1),
    ),
}
_STATUSES = (
    Status.DONE.value,
    Status.BUSINESS_FAILURE.value,
    Status.APPLICATION_FAILURE.value,
    Status.RETURNED.value,
)
_REASONS = {
    Status.BUSINESS_FAILURE.value: "invalid-input",
    Status.APPLICATION_FAILURE.value: "target-unavailable",
    Status.RETURNED.value: "returned",
}


def office_days(start: date, end: date) -> list[date]:
    """Days the office is open from ``start`` to ``end`` (see :mod:`core.calendar`)."""
    return list(calendar.office_days(start, end))


def generate_demo_ledger(
    ledger: Ledger,
    inventory: Inventory | None = None,
    *,
    fy: int,
    seed: int = 7,
    items: int | None = None,
    until: date | None = None,
) -> int:
    """Insert a generated year of history (item keys ``DEMO-<fy>-…``); returns the count.

    Every 稼働中, 停止 or 廃止 scenario with a ``started_on`` gets about its forecast
    ``items_per_year`` (± 15%), or a share of ``items`` in total if given. ``until`` (Japan
    time, inclusive) ends the history early — pass today for the current year. The same
    seed gives the same rows. Returns 0, inserting nothing, if this fiscal year's demo
    history is already in the ledger.
    """
    inventory = inventory or load_inventory(DEMO_INVENTORY)
    prefix = f"DEMO-{fy}-"
    with ledger.engine.connect() as conn:
        existing = conn.execute(
            select(func.count()).where(ledger_table.c.item_key.like(f"{prefix}%"))
        ).scalar_one()
    if existing:
        log.info("demo history for FY%d already present (%d items)", fy, existing)
        return 0
    period = Period.fy(fy)
    end = min(period.end, until) if until else period.end
    rng = np.random.default_rng(seed)
    running = [
        s
        for s in inventory.scenarios
        if s.started_on is not None
        and s.status in (ScenarioStatus.ACTIVE, ScenarioStatus.SUSPENDED, ScenarioStatus.RETIRED)
    ]
    plans = [(s, _volume(s, period, end, rng)) for s in running]
    if items is not None:
        weights = np.array([max(v, 1.0) for _, v in plans], dtype=float)
        counts = [int(n) for n in rng.multinomial(items, weights / weights.sum())] if plans else []
        plans = [(s, float(n)) for (s, _), n in zip(plans, counts, strict=True)]
    total = 0
    for entry, volume in plans:
        rows = _rows(entry, round(volume), period, end, prefix, rng)
        total += ledger.insert_many(rows)
    log.info("generated %d demo ledger items for FY%d", total, fy)
    return total


def _volume(entry: ScenarioEntry, period: Period, end: date, rng: np.random.Generator) -> float:
    assert entry.started_on is not None
    profile = _PROFILES.get(entry.id, _Profile())
    stop = min(end, (profile.stopped_on or end + timedelta(days=1)) - timedelta(days=1))
    if stop < max(period.start, entry.started_on):
        return 0.0
    share = Period(period.start, stop).share_of_year(entry.started_on)
    return float(entry.forecast.items_per_year * share * rng.uniform(0.85, 1.15))


def _rows(
    entry: ScenarioEntry, n: int, period: Period, end: date, prefix: str, rng: np.random.Generator
) -> list[dict[str, Any]]:
    profile = _PROFILES.get(entry.id, _Profile())
    start = max(period.start, entry.started_on or period.start)
    if profile.stopped_on:
        end = min(end, profile.stopped_on - timedelta(days=1))
    days = office_days(start, end) if start <= end else []
    if n <= 0 or not days:
        return []
    weights = np.array([profile.months.get(d.month, 1.0) for d in days])
    midnight = np.array([datetime(d.year, d.month, d.day, tzinfo=JST).timestamp() for d in days])
    chosen = rng.choice(len(days), size=n, p=weights / weights.sum())
    finished = np.sort(midnight[chosen] + rng.uniform(_OPEN + 600, _CLOSE, size=n))
    fail = (profile.business_failure, profile.application_failure, profile.returned)
    status = rng.choice(4, size=n, p=[1 - sum(fail), *fail])
    robot = rng.lognormal(np.log(profile.robot_seconds), 0.35, size=n)
    reviewed = (status == 0) & (rng.random(n) < profile.review)
    human = np.where(reviewed, rng.lognormal(np.log(profile.review_seconds), 0.6, size=n), 0.0)
    # A failed or returned item costs someone a look: exception handling, a call, a note.
    human = np.where(status == 1, rng.lognormal(np.log(240), 0.5, size=n), human)
    human = np.where(status == 3, rng.lognormal(np.log(120), 0.5, size=n), human)
    wait = rng.uniform(5, 1800, size=n)
    staff = rng.integers(1, 9, size=n)
    rows = []
    for i in range(n):
        done_at = datetime.fromtimestamp(float(finished[i]), tz=UTC)
        code = _STATUSES[int(status[i])]
        rows.append(
            {
                "scenario": entry.id,
                "item_key": f"{prefix}{i + 1:07d}",
                "status": code,
                "attempts": 3 if code == Status.APPLICATION_FAILURE.value else 1,
                "reason_code": _REASONS.get(code),
                "queued_at": done_at - timedelta(seconds=float(robot[i] + wait[i])),
                "started_at": done_at - timedelta(seconds=float(robot[i])),
                "finished_at": done_at,
                "robot_seconds": round(float(robot[i]), 1),
                "human_seconds": round(float(human[i]), 1),
                "reviewer": f"staff-{int(staff[i]):02d}" if human[i] > 0 else None,
            }
        )
    return rows
