"""和暦 conversion: era boundaries, 元年, round trips, parsing and impossible dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest

from core.errors import InvalidInput
from core.wareki import ERAS, WarekiDate, format_wareki, from_wareki, parse_wareki, to_wareki

# (first day of the era, its name, the last day of the era before, that era's name and year)
BOUNDARIES = [
    (date(1912, 7, 30), "大正", date(1912, 7, 29), "明治", 45),
    (date(1926, 12, 25), "昭和", date(1926, 12, 24), "大正", 15),
    (date(1989, 1, 8), "平成", date(1989, 1, 7), "昭和", 64),
    (date(2019, 5, 1), "令和", date(2019, 4, 30), "平成", 31),
]


def test_eras_are_ordered_and_contiguous() -> None:
    assert [era.name for era in ERAS] == ["明治", "大正", "昭和", "平成", "令和"]
    assert [era.initial for era in ERAS] == ["M", "T", "S", "H", "R"]
    assert ERAS[0].start == date(1868, 1, 25)
    for before, after in pairwise(ERAS):
        assert before.end == after.start - timedelta(days=1)
    assert ERAS[-1].end is None


@pytest.mark.parametrize(("first_day", "era", "last_day", "previous", "last_year"), BOUNDARIES)
def test_first_day_of_era_is_gannen(
    first_day: date, era: str, last_day: date, previous: str, last_year: int
) -> None:
    result = to_wareki(first_day)
    assert (result.era.name, result.year, result.month, result.day) == (
        era,
        1,
        first_day.month,
        first_day.day,
    )
    assert str(result) == f"{era}元年{first_day.month}月{first_day.day}日"


@pytest.mark.parametrize(("first_day", "era", "last_day", "previous", "last_year"), BOUNDARIES)
def test_last_day_of_previous_era(
    first_day: date, era: str, last_day: date, previous: str, last_year: int
) -> None:
    result = to_wareki(last_day)
    assert (result.era.name, result.year) == (previous, last_year)
    assert from_wareki(previous, last_year, last_day.month, last_day.day) == last_day


@pytest.mark.parametrize(("first_day", "era", "last_day", "previous", "last_year"), BOUNDARIES)
def test_day_after_previous_era_ended_does_not_exist(
    first_day: date, era: str, last_day: date, previous: str, last_year: int
) -> None:
    with pytest.raises(InvalidInput):
        from_wareki(previous, last_year, first_day.month, first_day.day)
    # …nor does the new era's 元年 reach back to the day before it began.
    assert last_day.year == first_day.year
    with pytest.raises(InvalidInput):
        from_wareki(era, 1, last_day.month, last_day.day)


def test_meiji_first_day_and_earlier() -> None:
    assert str(to_wareki(date(1868, 1, 25))) == "明治元年1月25日"
    assert from_wareki("明治", 1, 1, 25) == date(1868, 1, 25)
    with pytest.raises(InvalidInput):
        to_wareki(date(1868, 1, 24))
    with pytest.raises(InvalidInput):
        from_wareki("明治", 1, 1, 24)


@pytest.mark.parametrize(
    ("d", "gannen", "expected"),
    [
        (date(2019, 5, 1), True, "令和元年5月1日"),
        (date(2019, 5, 1), False, "令和1年5月1日"),
        (date(2019, 12, 31), True, "令和元年12月31日"),
        (date(2020, 1, 1), True, "令和2年1月1日"),
        (date(2020, 10, 3), True, "令和2年10月3日"),
        (date(1989, 1, 8), True, "平成元年1月8日"),
        (date(1989, 1, 8), False, "平成1年1月8日"),
        (date(1989, 1, 7), True, "昭和64年1月7日"),
        (date(1926, 12, 25), False, "昭和1年12月25日"),
        (date(1945, 8, 15), True, "昭和20年8月15日"),
        (date(2000, 2, 29), True, "平成12年2月29日"),
        (date(1912, 7, 30), True, "大正元年7月30日"),
        (date(1900, 1, 1), True, "明治33年1月1日"),
    ],
)
def test_format_wareki(d: date, gannen: bool, expected: str) -> None:
    assert format_wareki(d, gannen=gannen) == expected


def test_to_wareki_takes_a_datetime_by_its_date() -> None:
    result = to_wareki(datetime(2019, 5, 1, 9, 30))
    assert result == WarekiDate(ERAS[-1], 1, 5, 1)
    assert result.to_date() == date(2019, 5, 1)


def _every_37th_day() -> list[date]:
    days = []
    current = date(1868, 1, 25)
    while current <= date(2030, 12, 31):
        days.append(current)
        current += timedelta(days=37)
    return days


def test_round_trip_every_37th_day() -> None:
    days = _every_37th_day()
    assert len(days) > 1500
    for d in days:
        w = to_wareki(d)
        assert from_wareki(w.era.name, w.year, w.month, w.day) == d
        assert from_wareki(w.era.initial.lower(), w.year, w.month, w.day) == d
        assert parse_wareki(str(w)) == d
        assert parse_wareki(w.format(gannen=False)) == d
        assert parse_wareki(f"{w.era.initial}{w.year}.{w.month}.{w.day}") == d


def test_round_trip_around_every_boundary() -> None:
    for era in ERAS[1:]:
        for offset in range(-3, 4):
            d = era.start + timedelta(days=offset)
            w = to_wareki(d)
            assert w.era == (era if offset >= 0 else ERAS[ERAS.index(era) - 1])
            assert from_wareki(w.era.name, w.year, w.month, w.day) == d


@pytest.mark.parametrize("era", ["令和", "令", "R", "r", "Ｒ", "㋿"])
def test_era_spellings(era: str) -> None:
    assert from_wareki(era, 2, 10, 3) == date(2020, 10, 3)


@pytest.mark.parametrize(
    ("era", "year", "month", "day"),
    [
        ("令和", 1, 4, 30),  # before 令和 began
        ("平成", 31, 5, 1),  # after 平成 ended
        ("平成", 32, 1, 1),  # 平成32年 never came
        ("昭和", 64, 1, 8),  # 昭和 ended on 1月7日
        ("昭和", 65, 1, 1),
        ("大正", 15, 12, 25),
        ("大正", 1, 7, 29),
        ("明治", 45, 7, 30),
        ("明治", 46, 1, 1),
        ("令和", 0, 5, 1),  # year below 1
        ("令和", -1, 5, 1),
        ("令和", 3, 2, 29),  # 2021 is not a leap year
        ("令和", 2, 2, 30),
        ("令和", 2, 4, 31),
        ("令和", 2, 13, 1),
        ("令和", 2, 0, 1),
        ("令和", 2, 1, 0),
        ("令和", 9999, 1, 1),  # beyond the calendar
        ("X", 2, 1, 1),  # unknown era
        ("慶応", 3, 1, 1),
        ("", 2, 1, 1),
    ],
)
def test_impossible_dates_raise(era: str, year: int, month: int, day: int) -> None:
    with pytest.raises(InvalidInput) as info:
        from_wareki(era, year, month, day)
    assert info.value.field == "date"
    assert info.value.message


def test_field_name_is_reported() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_wareki("平成31年5月1日", field="birth_date")
    assert info.value.field == "birth_date"


def test_leap_day_in_wareki() -> None:
    assert from_wareki("令和", 2, 2, 29) == date(2020, 2, 29)
    assert from_wareki("H", 12, 2, 29) == date(2000, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("令和２年１０月３日", date(2020, 10, 3)),
        ("令和2年10月3日", date(2020, 10, 3)),
        ("R2.10.3", date(2020, 10, 3)),
        ("r2.10.3", date(2020, 10, 3)),
        ("R02.10.03", date(2020, 10, 3)),
        ("Ｒ２．１０．３", date(2020, 10, 3)),
        ("H31/4/30", date(2019, 4, 30)),
        ("H31-4-30", date(2019, 4, 30)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("S20.8.15", date(1945, 8, 15)),
        ("T1.7.30", date(1912, 7, 30)),
        ("M1.1.25", date(1868, 1, 25)),
        ("明治45年7月29日", date(1912, 7, 29)),
        (" 令和 2 年 10 月 3 日 ", date(2020, 10, 3)),
        ("令和　２年　１０月　３日", date(2020, 10, 3)),
        ("R 2.10.3", date(2020, 10, 3)),
        ("昭55.3.1", date(1980, 3, 1)),
        ("㍻31年4月30日", date(2019, 4, 30)),
    ],
)
def test_parse_wareki(text: str, expected: date) -> None:
    assert parse_wareki(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "令和",
        "2020-10-03",
        "令和2年10月",
        "令和2年10月3",
        "R2.10",
        "R2.10/3",  # mixed separators
        "R2年10.3",
        "令和二年十月三日",  # kanji numerals are not read
        "令和2年10月3日生",
        "R123.1.1",
        "Q2.1.1",  # unknown initial
        "平成31年5月1日",  # does not exist
        "昭和64年1月8日",
        "平成32年1月1日",
        "令和元年4月30日",
        "令和2年2月30日",
        "R0.1.1",
    ],
)
def test_parse_wareki_rejects(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_wareki(text)
    assert info.value.field == "date"


def test_error_message_does_not_repeat_the_date() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_wareki("昭和53年2月30日")
    assert "53" not in info.value.message
    assert "30日" not in info.value.message


def test_a_fiscal_year_takes_the_era_of_its_end() -> None:
    from core.wareki import fiscal_year_label

    assert fiscal_year_label(2027) == "令和9年度"
    assert fiscal_year_label(2019) == "令和元年度"  # April 2019 was still 平成
    assert fiscal_year_label(2018) == "平成30年度"
