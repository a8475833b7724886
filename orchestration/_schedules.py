"""The office calendar (開庁日) and Prefect schedules that keep it.

The calendar itself (:func:`is_office_day`, :func:`office_days`, :func:`next_office_day`) is
``core.calendar``, re-exported here; :func:`office_schedule` turns a rule such as "every
office day at 9:00" or "the first office day of each month at 8:30" into a Prefect
``RRuleSchedule`` whose dates were computed here, so Prefect's own scheduler (no home-made
one) creates the runs and never on a closed day.

Holidays are only known a few years ahead (a law can add one), so a schedule covers
``years`` years from ``start`` and must be re-applied once a year: ``jimu serve`` re-deploys on
every start, and so does ``jimu deploy`` once the lead wires it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.calendar import is_office_day, next_office_day, office_days

__all__ = [
    "TIMEZONE",
    "OfficeRule",
    "is_office_day",
    "next_office_day",
    "office_days",
    "office_rrule",
    "office_schedule",
]

TIMEZONE = "Asia/Tokyo"
# Prefect refuses rrule strings longer than this (prefect._internal.schemas.validators).
_MAX_RRULE_LENGTH = 6500


class OfficeRule(enum.StrEnum):
    """Which office days a schedule fires on."""

    EVERY_OFFICE_DAY = "every-office-day"
    FIRST_OFFICE_DAY_OF_MONTH = "first-office-day-of-month"
    LAST_OFFICE_DAY_OF_MONTH = "last-office-day-of-month"


def _month_starts(start: date, end: date) -> Iterator[date]:
    month = date(start.year, start.month, 1)
    while month <= end:
        yield month
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _rule_dates(rule: OfficeRule, start: date, end: date) -> list[date]:
    if rule is OfficeRule.EVERY_OFFICE_DAY:
        return list(office_days(start, end))
    found = []
    for first in _month_starts(start, end):
        last = date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(days=1)
        days = list(office_days(first, last))
        pick = days[0] if rule is OfficeRule.FIRST_OFFICE_DAY_OF_MONTH else days[-1]
        if start <= pick <= end:
            found.append(pick)
    return found


def _stamp(day: date, at: time) -> str:
    return datetime.combine(day, at).strftime("%Y%m%dT%H%M%S")


def office_rrule(rule: OfficeRule | str, *, at: time, start: date, years: int = 3) -> str:
    """An RFC 5545 rule set (local time, no zone) firing at ``at`` on the days ``rule`` picks.

    Every office day is ``FREQ=WEEKLY;BYDAY=MO..FR`` with an ``EXDATE`` for each weekday
    holiday and new-year day; monthly rules are an explicit ``RDATE`` list. Covers ``years``
    years from ``start``. Raises ``ValueError`` if the rule would exceed Prefect's length limit.
    """
    rule = OfficeRule(rule)
    end = date(start.year + years, start.month, 1) - timedelta(days=1)
    dtstart = f"DTSTART:{_stamp(start, at)}"
    if rule is OfficeRule.EVERY_OFFICE_DAY:
        until = _stamp(end, at)
        closed_weekdays = [
            _stamp(day, at)
            for day in (start + timedelta(days=n) for n in range((end - start).days + 1))
            if day.weekday() < 5 and not is_office_day(day)
        ]
        lines = [dtstart, f"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL={until}"]
        if closed_weekdays:
            lines.append("EXDATE:" + ",".join(closed_weekdays))
    else:
        lines = [dtstart, "RDATE:" + ",".join(_stamp(d, at) for d in _rule_dates(rule, start, end))]
    text = "\n".join(lines)
    if len(text) > _MAX_RRULE_LENGTH:
        raise ValueError(f"{rule.value} over {years} years is too long for Prefect; use fewer")
    return text


def office_schedule(
    rule: OfficeRule | str, *, at: time, start: date | None = None, years: int = 3
) -> Any:
    """A Prefect ``RRuleSchedule`` in Asia/Tokyo for :func:`office_rrule` (start: today)."""
    from prefect.client.schemas.schedules import RRuleSchedule

    first = start or datetime.now(ZoneInfo(TIMEZONE)).date()
    return RRuleSchedule(
        rrule=office_rrule(rule, at=at, start=first, years=years), timezone=TIMEZONE
    )
