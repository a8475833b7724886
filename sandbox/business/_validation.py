"""Checks of the registration and search forms, with the messages the screens show.

Like the legacy systems it stands in for, the 業務システム is strict: 全角 where it wants
全角 (a half-width character is an error, never silently converted), 半角 digits for codes
and numbers. Messages name the field and never repeat a 個人番号.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from core.errors import InvalidInput
from core.identifiers import is_valid_my_number
from core.kana import is_fullwidth, is_katakana
from core.phone import is_valid_phone
from core.wareki import from_wareki
from systems.business_system import Applicant, BankAccount, Child

__all__ = [
    "ACCOUNT_TYPES",
    "DATE_PARTS",
    "ERA_NAMES",
    "GENDERS",
    "MAX_CHILDREN",
    "RELATIONSHIPS",
    "SPOUSE_CHOICES",
    "Form",
    "check_my_number",
    "parse_account",
    "parse_applicant",
    "parse_children",
    "parse_date",
]

Form = Mapping[str, str]

ERA_NAMES = ("昭和", "平成", "令和")
DATE_PARTS = ("era", "year", "month", "day")
GENDERS = ("男", "女")
SPOUSE_CHOICES = ("有", "無")
RELATIONSHIPS = ("子", "孫", "その他")
ACCOUNT_TYPES = ("普通", "当座")
MAX_CHILDREN = 3

_POSTAL = re.compile(r"[0-9]{3}-[0-9]{4}", re.ASCII)
# Fixed line and mobile numbers: 0 and 9 or 10 more digits, with or without hyphens.
_PHONE_HYPHENATED = re.compile(r"0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}", re.ASCII)
_PHONE_PLAIN = re.compile(r"0[0-9]{9,10}", re.ASCII)


def _text(form: Form, key: str) -> str:
    return form.get(key, "").strip()


def _required(form: Form, key: str, label: str, errors: list[str], *, max_len: int) -> str | None:
    value = _text(form, key)
    if not value:
        errors.append(f"{label}を入力してください。")
        return None
    if len(value) > max_len:
        errors.append(f"{label}は{max_len}文字以内で入力してください。")
        return None
    return value


def _fullwidth(form: Form, key: str, label: str, errors: list[str], *, max_len: int) -> str:
    value = _required(form, key, label, errors, max_len=max_len)
    if value is not None and not is_fullwidth(value):
        errors.append(f"{label}は全角で入力してください。")
    return value or ""


def _katakana(form: Form, key: str, label: str, errors: list[str], *, max_len: int) -> str:
    value = _required(form, key, label, errors, max_len=max_len)
    if value is not None and not is_katakana(value):
        errors.append(f"{label}は全角カタカナで入力してください。")
    return value or ""


def _choice(form: Form, key: str, label: str, choices: tuple[str, ...], errors: list[str]) -> str:
    value = _text(form, key)
    if value not in choices:
        errors.append(f"{label}を選択してください。")
        return ""
    return value


def _digits(form: Form, key: str, label: str, length: int, errors: list[str]) -> str:
    value = _text(form, key)
    if not value:
        errors.append(f"{label}を入力してください。")
    elif not re.fullmatch(rf"[0-9]{{{length}}}", value, re.ASCII):
        errors.append(f"{label}は{length}桁の半角数字で入力してください。")
    return value


def check_my_number(value: str) -> str | None:
    """The message for a bad 個人番号 (never containing it), or None if it is valid."""
    if not value:
        return "個人番号を入力してください。"
    if not re.fullmatch(r"[0-9]{12}", value, re.ASCII):
        return "個人番号は12桁の半角数字で入力してください。"
    if not is_valid_my_number(value):
        return "個人番号が正しくありません。"
    return None


def parse_date(
    form: Form, prefix: str, label: str, *, today: date
) -> tuple[date | None, str | None]:
    """The date chosen in the 元号/年/月/日 selects ``{prefix}_era`` …, or a message."""
    era, year, month, day = (_text(form, f"{prefix}_{part}") for part in DATE_PARTS)
    if not (era and year and month and day):
        return None, f"{label}を選択してください。"
    if era not in ERA_NAMES or not (year.isdecimal() and month.isdecimal() and day.isdecimal()):
        return None, f"{label}が正しくありません。"
    try:
        value = from_wareki(era, int(year), int(month), int(day))
    except InvalidInput:
        return None, f"{label}が正しくありません。"
    if value > today:
        return None, f"{label}に未来の日付は入力できません。"
    return value, None


def parse_applicant(form: Form, *, today: date) -> tuple[Applicant | None, list[str]]:
    """The 請求者 screen's values as an :class:`Applicant`, or the messages to show."""
    errors: list[str] = []
    my_number = _text(form, "my_number")
    if (problem := check_my_number(my_number)) is not None:
        errors.append(problem)
    name = _fullwidth(form, "name", "氏名", errors, max_len=30)
    name_kana = _katakana(form, "name_kana", "フリガナ", errors, max_len=30)
    birth_date, problem = parse_date(form, "birth", "生年月日", today=today)
    if problem:
        errors.append(problem)
    gender = _choice(form, "gender", "性別", GENDERS, errors)
    postal_code = _text(form, "postal_code")
    if not postal_code:
        errors.append("郵便番号を入力してください。")
    elif not _POSTAL.fullmatch(postal_code):
        errors.append("郵便番号はNNN-NNNNの形式で入力してください。")
    address = _fullwidth(form, "address", "住所", errors, max_len=100)
    phone = _text(form, "phone")
    if not phone:
        errors.append("電話番号を入力してください。")
    elif not (_PHONE_HYPHENATED.fullmatch(phone) or _PHONE_PLAIN.fullmatch(phone)) or not (
        is_valid_phone(phone)  # the shape rules of core; the system also insists on 半角
    ):
        errors.append("電話番号は半角数字とハイフンで入力してください（例: 03-1234-5678）。")
    spouse = _choice(form, "has_spouse", "配偶者の有無", SPOUSE_CHOICES, errors)
    if errors or birth_date is None:
        return None, errors
    applicant = Applicant(
        my_number=my_number,
        name=name,
        name_kana=name_kana,
        birth_date=birth_date,
        gender="男" if gender == "男" else "女",
        postal_code=postal_code,
        address=address,
        phone=phone,
        has_spouse=spouse == "有",
    )
    return applicant, []


def _child_is_blank(form: Form, index: int) -> bool:
    keys = ("name", "name_kana", "gender", *(f"birth_{part}" for part in DATE_PARTS))
    return not any(_text(form, f"child{index}_{key}") for key in keys)


def _parse_child(
    form: Form, index: int, *, parent_birth: date | None, today: date, errors: list[str]
) -> Child | None:
    prefix, label = f"child{index}", f"児童{index}の"
    before = len(errors)
    name = _fullwidth(form, f"{prefix}_name", f"{label}氏名", errors, max_len=30)
    name_kana = _katakana(form, f"{prefix}_name_kana", f"{label}フリガナ", errors, max_len=30)
    birth_date, problem = parse_date(form, f"{prefix}_birth", f"{label}生年月日", today=today)
    if problem:
        errors.append(problem)
    elif birth_date is not None and parent_birth is not None and birth_date <= parent_birth:
        errors.append(f"{label}生年月日は請求者の生年月日より後の日付を入力してください。")
    gender = _choice(form, f"{prefix}_gender", f"{label}性別", GENDERS, errors)
    relationship = _choice(form, f"{prefix}_relationship", f"{label}続柄", RELATIONSHIPS, errors)
    if len(errors) > before or birth_date is None:
        return None
    return Child(
        name=name,
        name_kana=name_kana,
        birth_date=birth_date,
        gender="男" if gender == "男" else "女",
        relationship="子" if relationship == "子" else "孫" if relationship == "孫" else "その他",
        living_together=_text(form, f"{prefix}_living_together") == "on",
    )


def parse_children(
    form: Form, *, parent_birth: date | None, today: date
) -> tuple[tuple[Child, ...] | None, list[str]]:
    """The 児童 screen's values (児童1 required, 児童2・3 only if filled in), or messages."""
    errors: list[str] = []
    kids: list[Child] = []
    for index in range(1, MAX_CHILDREN + 1):
        if index > 1 and _child_is_blank(form, index):
            continue
        kid = _parse_child(form, index, parent_birth=parent_birth, today=today, errors=errors)
        if kid is not None:
            kids.append(kid)
    if errors:
        return None, errors
    return tuple(kids), []


def parse_account(form: Form) -> tuple[BankAccount | None, list[str]]:
    """The 振込口座 screen's values as a :class:`BankAccount`, or the messages to show."""
    errors: list[str] = []
    bank_code = _digits(form, "bank_code", "金融機関コード", 4, errors)
    bank_name = _fullwidth(form, "bank_name", "金融機関名", errors, max_len=30)
    branch_code = _digits(form, "branch_code", "支店コード", 3, errors)
    branch_name = _fullwidth(form, "branch_name", "支店名", errors, max_len=30)
    account_type = _choice(form, "account_type", "預金種目", ACCOUNT_TYPES, errors)
    account_number = _digits(form, "account_number", "口座番号", 7, errors)
    holder = _katakana(form, "account_holder_kana", "口座名義", errors, max_len=30)
    if errors:
        return None, errors
    account = BankAccount(
        bank_code=bank_code,
        bank_name=bank_name,
        branch_code=branch_code,
        branch_name=branch_name,
        account_type="普通" if account_type == "普通" else "当座",
        account_number=account_number,
        account_holder_kana=holder,
    )
    return account, []
