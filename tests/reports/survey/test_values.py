"""What people type into the survey's cells, read as numbers, or refused with a reason."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from reports.survey._values import (
    Unreadable,
    read_count,
    read_frequency,
    read_minutes,
    read_yes_no,
)


@pytest.mark.parametrize(
    ("typed", "minutes", "remark"),
    [
        (6, 6, ""),
        ("30分", 30, ""),
        ("0.5時間", 30, ""),
        ("1時間30分", 90, ""),
        ("1時間半", 90, ""),
        ("１５", 15, ""),
        ("15", 15, ""),
        ("約10分", 10, "おおよそ"),
        ("10～20分", 15, "範囲（10〜20分）の中間値"),
        ("5〜10分", 7.5, "中間値"),
        ("90秒", 1.5, ""),
        ("1件あたり5分", 5, ""),
        (time(0, 30), 30, ""),
        ("0:45", 45, ""),
    ],
)
def test_durations_as_people_type_them(typed: Any, minutes: float, remark: str) -> None:
    parsed = read_minutes(typed)
    assert parsed.value == minutes
    assert remark in parsed.remark and bool(parsed.remark) == bool(remark)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [(None, "空欄"), ("  ", "空欄"), ("すぐ終わる", "分として読めません"), (0, "0より大きい"),
     ("25時間", "24時間を超え")],
)  # fmt: skip
def test_durations_that_cannot_be_read(typed: Any, reason: str) -> None:
    with pytest.raises(Unreadable, match=reason):
        read_minutes(typed)


@pytest.mark.parametrize(
    ("typed", "count", "frequency"),
    [
        (100, 100, None),
        ("100", 100, None),
        ("20件", 20, None),
        ("２０件", 20, None),
        ("月20件程度", 20, "月"),
        ("20件/月", 20, "月"),
        ("年間300件", 300, "年"),
        ("1日10件", 10, "日"),
        ("週3件", 3, "週"),
        ("10～20件", 15, None),
        ("1,200", 1200, None),
    ],
)
def test_counts_as_people_type_them(typed: Any, count: float, frequency: str | None) -> None:
    parsed, found = read_count(typed)
    assert (parsed.value, found) == (count, frequency)


@pytest.mark.parametrize("typed", [None, "", "多数", "11日", "-3"])
def test_counts_that_cannot_be_read(typed: Any) -> None:
    with pytest.raises(Unreadable):
        read_count(typed)


@pytest.mark.parametrize(
    ("typed", "unit"),
    [("日", "日"), ("毎日", "日"), ("日次", "日"), ("週1", "週"), ("毎週", "週"), ("毎月", "月"),
     ("月次", "月"), ("月1回", "月"), ("年1", "年"), ("年次", "年"), ("年間", "年"), ("ｗ", None)],
)  # fmt: skip
def test_frequencies(typed: str, unit: str | None) -> None:
    if unit is None:
        with pytest.raises(Unreadable):
            read_frequency(typed)
    else:
        parsed = read_frequency(typed)
        assert parsed is not None and parsed.value == unit


def test_a_count_of_times_is_not_a_frequency() -> None:
    with pytest.raises(Unreadable, match="週2回"):
        read_frequency("週2回")
    with pytest.raises(Unreadable):
        read_frequency("1月")  # January, or once a month: not guessed


@pytest.mark.parametrize(
    ("typed", "value"),
    [("はい", True), ("いいえ", False), ("○", True), ("〇", True), ("×", False), ("有", True),
     ("無", False), ("Y", True), ("n", False), (True, True), (None, None), ("", None)],
)  # fmt: skip
def test_yes_and_no(typed: Any, value: bool | None) -> None:
    assert read_yes_no(typed) is value


def test_an_unclear_yes_or_no_is_refused() -> None:
    with pytest.raises(Unreadable, match="はい"):
        read_yes_no("たぶん")
