"""Reporting periods in Japan time: fiscal years (年度, 1 April – 31 March) and date ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["JST", "Period", "fiscal_year_of"]

JST = ZoneInfo("Asia/Tokyo")


def fiscal_year_of(moment: datetime | date) -> int:
    """The fiscal year (年度) of a day or moment; an aware datetime is read in Japan time.

    2027-03-31 is in 2026年度, 2027-04-01 in 2027年度. A naive datetime is taken as UTC,
    as the ledger stores it.
    """
    if isinstance(moment, datetime):
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        day = aware.astimezone(JST).date()
    else:
        day = moment
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True)
class Period:
    """Days ``start`` to ``end``, both included, in Japan time (JST, Asia/Tokyo)."""

    start: date
    end: date
    fiscal_year: int | None = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def fy(cls, year: int) -> Period:
        """年度 ``year``: 1 April ``year`` to 31 March ``year + 1``."""
        return cls(date(year, 4, 1), date(year + 1, 3, 31), fiscal_year=year)

    @classmethod
    def resolve(
        cls,
        *,
        fy: int | None = None,
        start: date | None = None,
        end: date | None = None,
        today: date | None = None,
    ) -> Period:
        """The period of ``--fy`` / ``--from`` / ``--to``: the fiscal year ``fy`` (default: the
        one containing ``start``, else today's in Japan time), narrowed by ``start``/``end``.

        Raises ValueError when the period ends before it starts.
        """
        if fy is None:
            fy = fiscal_year_of(start or today or datetime.now(JST).date())
        whole = cls.fy(fy)
        return cls(start or whole.start, end or whole.end, fiscal_year=fy)

    @property
    def label(self) -> str:
        """``2026年度`` for a whole fiscal year, else ``2026年4月1日〜2026年6月30日``."""
        if self.fiscal_year is not None and self == Period.fy(self.fiscal_year):
            return f"{self.fiscal_year}年度"
        return f"{_ja(self.start)}〜{_ja(self.end)}"

    @property
    def range_text(self) -> str:
        """``2026年4月1日〜2027年3月31日`` (always the dates)."""
        return f"{_ja(self.start)}〜{_ja(self.end)}"

    @property
    def slug(self) -> str:
        """A file-name part: ``FY2026`` or ``2026-04-01_2026-06-30``."""
        if self.fiscal_year is not None and self == Period.fy(self.fiscal_year):
            return f"FY{self.fiscal_year}"
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def days(self) -> int:
        """Number of calendar days, both ends included."""
        return (self.end - self.start).days + 1

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """``[start 00:00 JST, day after end 00:00 JST)`` in UTC, as the ledger stores times."""
        low = datetime.combine(self.start, time(), tzinfo=JST)
        high = datetime.combine(self.end + timedelta(days=1), time(), tzinfo=JST)
        return low.astimezone(UTC), high.astimezone(UTC)

    def months(self) -> list[str]:
        """Every month the period touches, as ``YYYY-MM``, in order."""
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def share_of_year(self, since: date | None = None) -> float:
        """How many fiscal years the period (from ``since``, if later) spans, by days.

        A whole 年度 is 1.0 (366 days in a leap year count as one year too); 1 April to
        30 June is 91/365. Forecasts per year are multiplied by this.
        """
        start = max(self.start, since) if since else self.start
        if start > self.end:
            return 0.0
        share = 0.0
        for year in range(fiscal_year_of(start), fiscal_year_of(self.end) + 1):
            whole = Period.fy(year)
            low, high = max(start, whole.start), min(self.end, whole.end)
            share += ((high - low).days + 1) / whole.days
        return share

    def month_share_of_year(self, month: str, since: date | None = None) -> float:
        """:meth:`share_of_year` for the part of the period inside ``month`` (``YYYY-MM``)."""
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
        last = (date(year + number // 12, number % 12 + 1, 1)) - timedelta(days=1)
        low, high = max(self.start, first), min(self.end, last)
        if low > high:
            return 0.0
        return Period(low, high).share_of_year(since)


def _ja(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
