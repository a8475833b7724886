"""The checks of the 資格取得届 and 被保険者検索 forms, with the messages the screens show.

Strict as the system it imitates: 半角 digits for numbers, 半角カナ for the カナ name (全角
is refused, never converted), dates typed as 元号 + 年 月 日 that must exist. A message names
the field by the label the screen shows now (a renamed label renames its messages, as an
upgrade does) and never repeats what was typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from core.errors import InvalidInput
from core.identifiers import is_valid_my_number
from core.wareki import from_wareki

__all__ = [
    "ERAS",
    "LABELS",
    "REASONS",
    "SEXES",
    "Registration",
    "check_my_number",
    "parse_registration",
]

Form = Mapping[str, str]

# The register screen's labels by the name of the field (or date group) they stand beside.
LABELS: Mapping[str, str] = MappingProxyType(
    {
        "f_kojin": "個人番号",
        "f_simei": "氏名",
        "f_kana": "氏名カナ",
        "f_sex": "性別",
        "f_bd": "生年月日",
        "f_zip": "郵便番号",
        "f_jusyo": "住所",
        "f_stk": "資格取得日",
        "f_jiyu": "取得事由",
    }
)
# (value, text) of the options: codes as the system stores them, words as people read them.
ERAS = (("1", "明治"), ("2", "大正"), ("3", "昭和"), ("4", "平成"), ("5", "令和"))
SEXES = (("1", "男"), ("2", "女"))
REASONS = (("01", "社会保険離脱"), ("02", "転入"), ("03", "出生"), ("99", "その他"))

_ERA_NAMES = dict(ERAS)
_DIGITS = re.compile(r"[0-9]{1,2}", re.ASCII)
_POSTAL = re.compile(r"([0-9]{3})-?([0-9]{4})", re.ASCII)
# ｦ (U+FF66) … ﾟ (U+FF9F): the half-width katakana, small kana, ｰ and the sound marks; and
# the ASCII space between family and given name.
_HALFWIDTH_KANA = re.compile(r"[\uff66-\uff9f ]+")
_SPACES = " \t\r\n\u3000"
_NAME_MAX, _KANA_MAX, _ADDRESS_MAX = 30, 40, 100


@dataclass(frozen=True)
class Registration:
    """One 資格取得届 as the checks accepted it (codes as in :data:`SEXES`, :data:`REASONS`)."""

    my_number: str
    name: str
    name_kana: str
    sex: str
    birth_date: date
    postal_code: str
    address: str
    acquired_on: date
    reason: str


def _text(form: Form, key: str) -> str:
    return form.get(key, "").strip(_SPACES)


def check_my_number(value: str, label: str = "個人番号") -> str | None:
    """The message for a bad 個人番号 (never containing it), or None if it is valid."""
    if not value:
        return f"{label}を入力してください。"
    if not re.fullmatch(r"[0-9]{12}", value, re.ASCII):
        return f"{label}は12桁の半角数字で入力してください。"
    if not is_valid_my_number(value):
        return f"{label}が正しくありません。"
    return None


def _era_date(
    form: Form, prefix: str, label: str, *, today: date
) -> tuple[date | None, str | None]:
    era, year, month, day = (_text(form, f"{prefix}_{part}") for part in "gymd")
    if not (era and year and month and day):
        return None, f"{label}を入力してください。"
    if era not in _ERA_NAMES:
        return None, f"{label}の元号を選択してください。"
    if not all(_DIGITS.fullmatch(part) for part in (year, month, day)):
        return None, f"{label}は半角数字で入力してください。"
    try:
        value = from_wareki(_ERA_NAMES[era], int(year), int(month), int(day))
    except InvalidInput:  # 2月30日, 平成31年5月1日 (令和元年), 昭和64年1月8日 …
        return None, f"{label}が正しくありません。"
    if value > today:
        return None, f"{label}に未来の日付は入力できません。"
    return value, None


def _free_text(form: Form, key: str, label: str, max_len: int, errors: list[str]) -> str:
    value = _text(form, key)
    if not value:
        errors.append(f"{label}を入力してください。")
    elif len(value) > max_len:
        errors.append(f"{label}は{max_len}文字以内で入力してください。")
    elif "\ufffd" in value:  # bytes that were not CP932
        errors.append(f"{label}に使用できない文字が含まれています。")
    return value


def _choice(form: Form, key: str, label: str, options: tuple[tuple[str, str], ...],
            errors: list[str]) -> str:  # fmt: skip
    value = _text(form, key)
    if value not in dict(options):
        errors.append(f"{label}を選択してください。")
    return value


def parse_registration(
    form: Form, *, today: date, labels: Mapping[str, str] = LABELS
) -> tuple[Registration | None, list[str]]:
    """The 資格取得届 form as a :class:`Registration`, or the messages to show (in screen order)."""
    errors: list[str] = []
    my_number = _text(form, "f_kojin")
    if (problem := check_my_number(my_number, labels["f_kojin"])) is not None:
        errors.append(problem)
    name = _free_text(form, "f_simei", labels["f_simei"], _NAME_MAX, errors)
    kana = _text(form, "f_kana")
    if not kana:
        errors.append(f"{labels['f_kana']}を入力してください。")
    elif not _HALFWIDTH_KANA.fullmatch(kana):
        errors.append(f"{labels['f_kana']}は半角カナで入力してください。")
    elif len(kana) > _KANA_MAX:
        errors.append(f"{labels['f_kana']}は{_KANA_MAX}文字以内で入力してください。")
    sex = _choice(form, "f_sex", labels["f_sex"], SEXES, errors)
    birth_date, problem = _era_date(form, "f_bd", labels["f_bd"], today=today)
    if problem:
        errors.append(problem)
    postal = _POSTAL.fullmatch(_text(form, "f_zip"))
    if not _text(form, "f_zip"):
        errors.append(f"{labels['f_zip']}を入力してください。")
    elif postal is None:
        errors.append(f"{labels['f_zip']}は7桁の半角数字（ハイフン可）で入力してください。")
    address = _free_text(form, "f_jusyo", labels["f_jusyo"], _ADDRESS_MAX, errors)
    acquired_on, problem = _era_date(form, "f_stk", labels["f_stk"], today=today)
    if problem:
        errors.append(problem)
    elif birth_date is not None and acquired_on is not None and acquired_on < birth_date:
        errors.append(f"{labels['f_stk']}は{labels['f_bd']}以降の日付を入力してください。")
    reason = _choice(form, "f_jiyu", labels["f_jiyu"], REASONS, errors)
    if errors or birth_date is None or acquired_on is None or postal is None:
        return None, errors
    registration = Registration(
        my_number=my_number,
        name=name,
        name_kana=kana,
        sex=sex,
        birth_date=birth_date,
        postal_code=f"{postal[1]}-{postal[2]}",
        address=address,
        acquired_on=acquired_on,
        reason=reason,
    )
    return registration, []
