"""The office calendar (開庁日): when a municipal office is open.

Closed on Saturdays, Sundays, national holidays (祝日・振替休日・国民の休日, from the maintained
``jpholiday`` package) and over the new year, 29 December – 3 January (年末年始, 行政機関の休日に
関する法律). Schedules (``orchestration._schedules``), the demo history, fake data and the
annual survey's hours a year all count office days here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import jpholiday

__all__ = ["fiscal_year_bounds", "is_office_day", "next_office_day", "office_days"]


def _new_year_closure(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_office_day(day: date) -> bool:
    """True if the office is open on ``day``: a weekday, no national holiday, not 29/12–3/1."""
    return day.weekday() < 5 and not _new_year_closure(day) and not jpholiday.is_holiday(day)


def office_days(start: date, end: date) -> Iterator[date]:
    """Every office day from ``start`` to ``end``, both included, in order."""
    day = start
    while day <= end:
        if is_office_day(day):
            yield day
        day += timedelta(days=1)


def next_office_day(day: date, *, include_today: bool = True) -> date:
    """The first office day on or after ``day`` (strictly after if ``include_today`` is False)."""
    candidate = day if include_today else day + timedelta(days=1)
    while not is_office_day(candidate):
        candidate += timedelta(days=1)
    return candidate


def fiscal_year_bounds(fiscal_year: int) -> tuple[date, date]:
    """First and last day of a fiscal year (年度): 1 April ``fiscal_year`` – 31 March next."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 3, 31)
