"""Schedules keep the office calendar: no weekends, national holidays or 29 Dec – 3 Jan."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time

import pytest
from prefect.server.schemas.schedules import RRuleSchedule as ServerRRuleSchedule

from orchestration._schedules import (
    OfficeRule,
    is_office_day,
    next_office_day,
    office_days,
    office_rrule,
    office_schedule,
)

CULTURE_DAY = date(2026, 11, 3)  # 文化の日, a Tuesday
YEAR_END = date(2026, 12, 30)  # a Wednesday inside 年末年始


def _fire_days(rule: OfficeRule, start: date, end: date) -> list[date]:
    """The days Prefect's own scheduler code would create runs on (server-side schema)."""
    client_schedule = office_schedule(rule, at=time(9, 0), start=start, years=1)
    server_schedule = ServerRRuleSchedule(
        rrule=client_schedule.rrule, timezone=client_schedule.timezone
    )
    dates = asyncio.run(
        server_schedule.get_dates(
            start=datetime.combine(start, time(0, 0)), end=datetime.combine(end, time(23, 59))
        )
    )
    assert all(d.hour == 9 and d.minute == 0 for d in dates)
    assert all(str(d.tzinfo) in ("Asia/Tokyo", "JST") or d.utcoffset() is not None for d in dates)
    return [d.date() for d in dates]


def test_daily_schedule_skips_a_national_holiday_and_30_december() -> None:
    days = _fire_days(OfficeRule.EVERY_OFFICE_DAY, date(2026, 10, 30), date(2027, 1, 8))

    assert CULTURE_DAY not in days
    assert {date(2026, 11, 2), date(2026, 11, 4)} <= set(days)
    assert YEAR_END not in days
    assert [d for d in days if date(2026, 12, 25) <= d <= date(2027, 1, 6)] == [
        date(2026, 12, 25),
        date(2026, 12, 28),
        date(2027, 1, 4),
        date(2027, 1, 5),
        date(2027, 1, 6),
    ]
    assert all(d.weekday() < 5 for d in days)
    assert days == list(office_days(date(2026, 10, 30), date(2027, 1, 8)))


def test_first_office_day_of_month_moves_past_new_year_and_holidays() -> None:
    days = _fire_days(OfficeRule.FIRST_OFFICE_DAY_OF_MONTH, date(2026, 4, 1), date(2027, 3, 31))

    assert len(days) == 12
    assert date(2027, 1, 4) in days  # 1–3 January closed
    assert date(2026, 11, 2) in days  # 1 November 2026 is a Sunday
    assert date(2026, 5, 1) in days


def test_plain_calendar_functions() -> None:
    assert not is_office_day(CULTURE_DAY)
    assert not is_office_day(YEAR_END)
    assert not is_office_day(date(2026, 5, 6))  # 振替休日 for 憲法記念日 on a Sunday
    assert is_office_day(date(2026, 12, 28))
    assert next_office_day(date(2026, 12, 29)) == date(2027, 1, 4)
    assert next_office_day(date(2027, 1, 4)) == date(2027, 1, 4)
    assert next_office_day(date(2027, 1, 4), include_today=False) == date(2027, 1, 5)


def test_rrule_stays_within_prefects_length_limit() -> None:
    for rule in OfficeRule:
        assert len(office_rrule(rule, at=time(9, 0), start=date(2026, 4, 1), years=3)) < 6500
    with pytest.raises(ValueError, match="too long"):
        office_rrule(OfficeRule.EVERY_OFFICE_DAY, at=time(9, 0), start=date(2026, 4, 1), years=40)
