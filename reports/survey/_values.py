"""What people type into a survey cell, read as a value — or a one-line reason it cannot be.

Every reader takes the raw cell value (text, number, bool, time, date or None) and returns
a :class:`Parsed` value with an optional remark for the candidate's 備考, or raises
:class:`Unreadable` with the reason shown to the RPA担当 (never the cell's text: it may name
a person). Text is NFKC-normalised first, so ``１５`` is ``15`` and ``～`` is ``~``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final, Generic, TypeVar

from core.inventory import InputSource
from core.text import nfkc

__all__ = [
    "Parsed",
    "Unreadable",
    "clean_text",
    "match_key",
    "read_count",
    "read_frequency",
    "read_input_source",
    "read_minutes",
    "read_yes_no",
]

T = TypeVar("T")

#: Frequencies, as the form's drop-down writes them.
DAY, WEEK, MONTH, YEAR = "日", "週", "月", "年"

_SPACES = re.compile(r"\s+")
_VAGUE = re.compile(r"約|およそ|大体|だいたい|概ね|おおむね|程度|ぐらい|くらい|位|前後|ほど|弱|強")
_NUMBER = r"\d+(?:\.\d+)?"
_RANGE = re.compile(rf"^({_NUMBER})([^\d~〜-]*)(?:~|〜|-|から)({_NUMBER})(.*)$")
_DURATION = re.compile(
    rf"^(?:(?P<h>{_NUMBER})(?:時間|h|hr|hour|hours)(?P<half>半)?)?"
    rf"(?:(?P<m>{_NUMBER})(?:分|min|mins|m|(?=$)))?"
    rf"(?:(?P<s>{_NUMBER})(?:秒|s|sec))?$"
)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_PER_ITEM = re.compile(r"^(?:1件)?(?:あたり|当たり|当り|につき)|/件$|per件")

# Frequency words, normalised (NFKC, no spaces). 「1月」 is not one: it may mean January.
_FREQUENCY_WORDS: Final[dict[str, str]] = {}
for _unit, _extra in (
    (DAY, ("1日", "日毎", "日ごと", "平日", "営業日", "毎営業日", "デイリー", "daily")),
    (WEEK, ("1週", "1週間", "週間", "週毎", "週ごと", "ウィークリー", "weekly")),
    (
        MONTH,
        ("1か月", "1ヶ月", "1ヵ月", "1カ月", "ひと月", "月毎", "月ごと", "マンスリー", "monthly"),
    ),
    (YEAR, ("1年", "年間", "1年間", "年毎", "年ごと", "毎年度", "年度", "yearly", "annual")),
):
    for _word in (_unit, f"毎{_unit}", f"{_unit}次", f"{_unit}1", f"{_unit}1回", f"毎{_unit}1回",
                  f"{_unit}に1回", *_extra):  # fmt: skip
        _FREQUENCY_WORDS[_word] = _unit
# A frequency inside a count cell (月20件程度, 20件/月, 年間300件): longest words first.
_FREQUENCY_IN_COUNT = re.compile(
    r"(?<!\d)(?:"
    + "|".join(
        re.escape(word)
        for word in sorted(
            (w for w in _FREQUENCY_WORDS if not re.search(r"\d$|回", w)), key=len, reverse=True
        )
    )
    + ")"
)

_YES: Final = frozenset(
    {"はい", "○", "〇", "◯", "●", "有", "有り", "あり", "y", "yes", "true", "する", "扱う"}
)
_NO: Final = frozenset(
    {
        "いいえ",
        "×",
        "✕",
        "✖",
        "x",
        "-",
        "無",
        "無し",
        "なし",
        "n",
        "no",
        "false",
        "しない",
        "扱わない",
    }
)
_INPUT_SOURCES: Final[dict[str, InputSource]] = {
    "紙": InputSource.PAPER,
    "紙(申請書)": InputSource.PAPER,
    "申請書": InputSource.PAPER,
    "届出書": InputSource.PAPER,
    "帳票": InputSource.PAPER,
    "excel": InputSource.EXCEL,
    "エクセル": InputSource.EXCEL,
    "xlsx": InputSource.EXCEL,
    "csv": InputSource.EXCEL,
    "電子申請": InputSource.E_APPLICATION,
    "オンライン申請": InputSource.E_APPLICATION,
    "logoフォーム": InputSource.E_APPLICATION,
    "システム画面": InputSource.SYSTEM_SCREEN,
    "システム": InputSource.SYSTEM_SCREEN,
    "画面": InputSource.SYSTEM_SCREEN,
    "その他": InputSource.OTHER,
}


class Unreadable(ValueError):
    """A cell that cannot be read as what its column asks; ``str()`` is the Japanese reason."""


@dataclass(frozen=True)
class Parsed(Generic[T]):
    """A value read from a cell, and a remark for 備考 when reading it took a guess."""

    value: T
    remark: str = ""


def clean_text(value: Any) -> str:
    """A cell as one line of text: stripped, runs of white space made one space ('' if empty).

    Not NFKC: names keep the 全角 brackets people wrote. Numbers print without ``.0``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value)).strip()


def match_key(text: str) -> str:
    """``text`` for comparing: NFKC, no white space, case-folded (``ＡＢ 課`` = ``ab課``)."""
    return _SPACES.sub("", nfkc(text)).casefold()


def _number(value: Any) -> float | None:
    """A number cell (not a bool) as float, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return float(value)


def _squeeze(value: Any) -> str:
    return _SPACES.sub("", nfkc(str(value))).replace(",", "").replace("、", "")


def read_frequency(value: Any) -> Parsed[str] | None:
    """頻度: 日/週/月/年 (also 毎日, 日次, 週1, 毎月, 月次, 年1, 年次 …); None if empty."""
    text = _VAGUE.sub("", _squeeze(value)).casefold() if value is not None else ""
    if not text:
        return None
    unit = _FREQUENCY_WORDS.get(text)
    if unit is None:
        if re.fullmatch(r"(?:毎)?[日週月年](?:に)?\d+回", text):
            raise Unreadable(
                "「週2回」のような回数は件数に含め、頻度は日・週・月・年のいずれかにしてください"
            )
        raise Unreadable("日・週・月・年のいずれかにしてください")
    return Parsed(unit)


def read_count(value: Any) -> tuple[Parsed[float], str | None]:
    """件数: a number of items, and the frequency written inside the cell (月20件程度 → 月).

    Ranges give their midpoint (noted); 約/程度 are noted. Raises Unreadable.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Unreadable("空欄です")
    number = _number(value)
    if number is not None:
        return _bounded_count(number, ""), None
    if isinstance(value, datetime | date | time | timedelta):
        raise Unreadable("日付や時刻として入力されています。件数を数字で入力してください")
    text = _squeeze(value)
    remarks = []
    if _VAGUE.search(text):
        remarks.append("件数はおおよその値")
        text = _VAGUE.sub("", text)
    frequency = None
    found = _FREQUENCY_IN_COUNT.search(text)
    if found:
        frequency = _FREQUENCY_WORDS[found.group(0)]
        text = (text[: found.start()] + text[found.end() :]).strip("/に・()")
    text = re.sub(r"件|/|に|あたり|当たり", "", text)
    ranged = _RANGE.match(text)
    if ranged and not ranged.group(2) and not ranged.group(4):
        low, high = float(ranged.group(1)), float(ranged.group(3))
        number = (low + high) / 2
        remarks.append(f"件数は範囲（{_show(low)}〜{_show(high)}）の中間値")
    elif re.fullmatch(_NUMBER, text):
        number = float(text)
    else:
        raise Unreadable("数字として読めません（例: 20、または 月20件）")
    return _bounded_count(number, "、".join(remarks)), frequency


def _bounded_count(number: float, remark: str) -> Parsed[float]:
    if number < 0:
        raise Unreadable("0以上の数にしてください")
    if number > 10_000_000:
        raise Unreadable("件数が大きすぎます（単位を確認してください）")
    return Parsed(number, remark)


def read_minutes(value: Any) -> Parsed[float]:
    """作業時間 in minutes: 30, 「30分」, 「0.5時間」, 「1時間30分」, 「約10分」, 「10～20分」
    (midpoint, noted), 0:30 typed as a time. Raises Unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Unreadable("空欄です")
    number = _number(value)
    if number is not None:
        return _bounded_minutes(number, "")
    if isinstance(value, time):
        return _bounded_minutes(value.hour * 60 + value.minute + value.second / 60, "")
    if isinstance(value, timedelta):
        return _bounded_minutes(value.total_seconds() / 60, "")
    if isinstance(value, datetime | date):
        raise Unreadable("日付として入力されています。分を数字で入力してください")
    text = _PER_ITEM.sub("", _squeeze(value).casefold())
    remark = ""
    if _VAGUE.search(text):
        remark = "作業時間はおおよその値"
        text = _VAGUE.sub("", text)
    ranged = _RANGE.match(text)
    if ranged:
        unit = ranged.group(4)
        low = _duration(ranged.group(1) + (ranged.group(2) or unit))
        high = _duration(ranged.group(3) + unit)
        minutes = (low + high) / 2
        remark = f"作業時間は範囲（{_show(low)}〜{_show(high)}分）の中間値"
        return _bounded_minutes(minutes, remark)
    return _bounded_minutes(_duration(text), remark)


def _duration(text: str) -> float:
    clock = _CLOCK.match(text)
    if clock:
        hours, minutes, seconds = clock.groups()
        return int(hours) * 60 + int(minutes) + int(seconds or 0) / 60
    found = _DURATION.match(text)
    if not text or found is None or not any(found.group(k) for k in ("h", "m", "s")):
        raise Unreadable("分として読めません（例: 30、30分、0.5時間、1時間30分）")
    minutes = float(found.group("h") or 0) * 60 + (30 if found.group("half") else 0)
    minutes += float(found.group("m") or 0) + float(found.group("s") or 0) / 60
    return minutes


def _bounded_minutes(minutes: float, remark: str) -> Parsed[float]:
    if minutes <= 0:
        raise Unreadable("0より大きい時間（分）にしてください")
    if minutes > 24 * 60:
        raise Unreadable("1件あたり24時間を超えています（単位を確認してください）")
    return Parsed(round(minutes, 2), remark)


def read_yes_no(value: Any) -> bool | None:
    """はい/いいえ, also ○/×, 有/無, あり/なし, Y/N; None if empty. Raises Unreadable."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = _squeeze(value).casefold()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise Unreadable("「はい」か「いいえ」にしてください")


def read_input_source(value: Any) -> Parsed[InputSource] | None:
    """入力元: 紙/Excel/電子申請/システム画面/その他 (also エクセル, オンライン申請 …).

    Anything else is その他, with what was written kept in the remark. None if empty.
    """
    text = clean_text(value)
    if not text:
        return None
    known = _INPUT_SOURCES.get(match_key(text))
    if known is not None:
        return Parsed(known)
    return Parsed(InputSource.OTHER, f"入力元（記入どおり）: {text}")


def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"
