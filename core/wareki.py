"""和暦 (Japanese era dates) to and from ISO dates.

Covers the eras since the Gregorian calendar was adopted: 明治 (from 1868-01-25, the
earliest date handled), 大正, 昭和, 平成 and 令和. Year 1 of an era is written 元年.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from core.errors import InvalidInput
from core.text import nfkc

__all__ = [
    "ERAS",
    "Era",
    "WarekiDate",
    "fiscal_year_label",
    "format_wareki",
    "from_wareki",
    "parse_wareki",
    "to_wareki",
]


@dataclass(frozen=True)
class Era:
    """One era (元号): its kanji name, its initial letter and its first and last day."""

    name: str
    initial: str
    start: date
    end: date | None

    def contains(self, d: date) -> bool:
        """True if ``d`` falls within this era (both ends included)."""
        return self.start <= d and (self.end is None or d <= self.end)


def _eras() -> tuple[Era, ...]:
    starts = (
        ("明治", "M", date(1868, 1, 25)),
        ("大正", "T", date(1912, 7, 30)),
        ("昭和", "S", date(1926, 12, 25)),
        ("平成", "H", date(1989, 1, 8)),
        ("令和", "R", date(2019, 5, 1)),
    )
    eras = []
    for index, (name, initial, start) in enumerate(starts):
        end = starts[index + 1][2] - timedelta(days=1) if index + 1 < len(starts) else None
        eras.append(Era(name, initial, start, end))
    return tuple(eras)


ERAS: tuple[Era, ...] = _eras()
"""The eras in order, oldest first."""

# Kanji name, one-kanji abbreviation (昭・平 on paper forms) and initial, upper or lower case.
# NFKC also turns the square era signs (㍾㍽㍼㍻㋿) into kanji names before lookup.
_ERA_BY_KEY: dict[str, Era] = {
    key: era for era in ERAS for key in (era.name, era.name[0], era.initial, era.initial.lower())
}

_DATE_FIELD = "date"


def _describe(era: Era) -> str:
    start = f"{era.start.year}年{era.start.month}月{era.start.day}日"
    end = "" if era.end is None else f"{era.end.year}年{era.end.month}月{era.end.day}日"
    return f"{era.name}（{start}〜{end}）"


@dataclass(frozen=True)
class WarekiDate:
    """A date written in an era: ``str()`` gives e.g. ``令和元年5月1日``."""

    era: Era
    year: int
    month: int
    day: int

    def format(self, *, gannen: bool = True) -> str:
        """The date as ``令和2年10月3日``; year 1 as ``元年`` unless ``gannen`` is false."""
        year = "元" if gannen and self.year == 1 else str(self.year)
        return f"{self.era.name}{year}年{self.month}月{self.day}日"

    def to_date(self) -> date:
        """The Gregorian date."""
        return from_wareki(self.era.name, self.year, self.month, self.day)

    def __str__(self) -> str:
        return self.format()


def _era_of(d: date) -> Era:
    for era in reversed(ERAS):
        if era.start <= d:
            return era
    raise InvalidInput(
        "明治改元（1868年1月25日）より前の日付は和暦に変換できません", field=_DATE_FIELD
    )


def to_wareki(d: date) -> WarekiDate:
    """The era date of ``d`` (a ``datetime`` is taken by its date).

    Raises :class:`~core.errors.InvalidInput` for dates before 1868-01-25.
    """
    day = date(d.year, d.month, d.day)
    era = _era_of(day)
    return WarekiDate(era, day.year - era.start.year + 1, day.month, day.day)


def format_wareki(d: date, *, gannen: bool = True) -> str:
    """``d`` written in its era, e.g. ``令和元年5月1日`` (``令和1年5月1日`` if not ``gannen``).

    Raises :class:`~core.errors.InvalidInput` for dates before 1868-01-25.
    """
    return to_wareki(d).format(gannen=gannen)


def _lookup_era(era: str, field: str) -> Era:
    found = _ERA_BY_KEY.get(nfkc(era).strip())
    if found is None:
        raise InvalidInput(
            "元号が分かりません（明治・大正・昭和・平成・令和、または M・T・S・H・R）",
            field=field,
        )
    return found


def from_wareki(era: str, year: int, month: int, day: int, *, field: str = _DATE_FIELD) -> date:
    """The Gregorian date of an era date.

    ``era`` is a kanji name (``令和``), its first kanji (``令``) or its initial letter
    (``R``/``r``). Raises :class:`~core.errors.InvalidInput` (with ``field``) if the era is
    unknown, the year is below 1, the date does not exist in the calendar, or it lies
    before the era began or after it ended (平成31年5月1日, 昭和64年1月8日).
    """
    found = _lookup_era(era, field)
    if year < 1:
        raise InvalidInput("和暦の年は1（元年）以上で入力してください", field=field)
    try:
        result = date(found.start.year + year - 1, month, day)
    except (ValueError, OverflowError):
        raise InvalidInput("存在しない日付です", field=field) from None
    if not found.contains(result):
        raise InvalidInput(f"{_describe(found)}の期間外の日付です", field=field)
    return result


_NUMBER = r"[0-9]{1,2}"
_WAREKI = re.compile(
    r"(?P<era>[A-Za-z]|明治|大正|昭和|平成|令和|[明大昭平令])"
    rf"(?P<year>元|{_NUMBER})"
    rf"(?:年(?P<month>{_NUMBER})月(?P<day>{_NUMBER})日"
    rf"|(?P<sep>[./\-])(?P<month2>{_NUMBER})(?P=sep)(?P<day2>{_NUMBER}))"
)
_SPACES = re.compile(r"\s+")


def parse_wareki(text: str, *, field: str = _DATE_FIELD) -> date:
    """Read an era date: ``令和元年5月1日``, ``令和２年１０月３日``, ``R2.10.3``, ``H31/4/30`` …

    Full-width characters and spaces are accepted. Raises
    :class:`~core.errors.InvalidInput` (with ``field``) if the text is not an era date or
    the date does not exist (see :func:`from_wareki`).
    """
    compact = _SPACES.sub("", nfkc(text))
    match = _WAREKI.fullmatch(compact)
    if match is None:
        raise InvalidInput(
            "和暦の日付として読み取れません（例: 令和2年10月3日、R2.10.3）", field=field
        )
    year_text = match["year"]
    year = 1 if year_text == "元" else int(year_text)
    month = int(match["month"] or match["month2"])
    day = int(match["day"] or match["day2"])
    return from_wareki(match["era"], year, month, day, field=field)


def fiscal_year_label(fiscal_year: int) -> str:
    """A 年度 as offices name it: ``令和9年度`` for 2027. A 年度 takes the era of its end, so
    FY2019 (April 2019 was still 平成) is ``令和元年度``."""
    era = to_wareki(date(fiscal_year + 1, 3, 31)).era
    number = fiscal_year - era.start.year + 1
    return f"{era.name}{'元' if number == 1 else number}年度"
