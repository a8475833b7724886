"""Reading the 電子申請システム's CSV export into validated applications.

Each row becomes either a :class:`~systems.business_system.ChildAllowanceApplication`, normalised
the way the business system insists (全角 names and addresses, 全角 katakana furigana), or a
business error saying which column is wrong — never a crash, never the offending value.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from core.cells import unquote_cell
from core.errors import BusinessError, InvalidInput
from core.identifiers import validate_my_number
from core.kana import is_fullwidth, is_katakana, to_fullwidth
from core.phone import is_valid_phone
from core.postal import normalize_postal_code, postal_code_exists
from core.text import nfkc
from core.wareki import parse_wareki
from systems.business_system import Applicant, BankAccount, Child, ChildAllowanceApplication

__all__ = ["ExportRow", "read_export"]

_REQUIRED = ("受付番号", "受付日", "個人番号", "氏名", "フリガナ", "生年月日", "口座番号")


@dataclass(frozen=True)
class ExportRow:
    """One line of the export: its 受付番号 and either the application or why it is refused."""

    line: int
    application_id: str
    application: ChildAllowanceApplication | None = None
    error: BusinessError | None = None


def _decode(data: bytes, encoding: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"  # a BOM settles it, whatever was asked for
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            f"CSVの文字コードが{encoding}ではありません ({line}行目で読めない文字)",
            field="encoding",
        ) from None


def read_export(data: bytes, *, encoding: str = "cp932") -> list[ExportRow]:
    """Parse the export; a row that fails a rule comes back with ``error`` set.

    Raises :class:`InvalidInput` only if the file as a whole is unreadable (wrong encoding,
    not the export's columns).
    """
    text = _decode(data, encoding)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InvalidInput(f"CSVとして読めません: {str(exc).splitlines()[0][:120]}") from None
    missing = [column for column in _REQUIRED if column not in frame.columns]
    if missing:
        raise InvalidInput(f"電子申請のCSVではありません: 列がありません {missing}")
    rows: list[ExportRow] = []
    for offset, record in enumerate(frame.to_dict(orient="records")):
        line = offset + 2  # the header is line 1
        application_id = unquote_cell(str(record["受付番号"]).strip())
        try:
            rows.append(ExportRow(line, application_id, application=_application(record)))
        except BusinessError as exc:
            rows.append(ExportRow(line, application_id, error=exc))
    return rows


class _Row:
    """Field access with errors that name the column, never the value."""

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.record = record

    def text(self, column: str, *, required: bool = True) -> str:
        value = unquote_cell(str(self.record.get(column, "") or "").strip())
        if required and not value:
            raise InvalidInput(f"{column}が空です", field=column)
        return value

    def date(self, column: str) -> date:
        raw = nfkc(self.text(column))
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
        try:
            return parse_wareki(raw, field=column)
        except InvalidInput:
            raise InvalidInput(f"{column}が正しい日付ではありません", field=column) from None

    def fullwidth(self, column: str) -> str:
        value = to_fullwidth(self.text(column))
        if not is_fullwidth(value):
            raise InvalidInput(f"{column}に全角にできない文字があります", field=column)
        return value

    def katakana(self, column: str) -> str:
        value = to_fullwidth(self.text(column))
        if not is_katakana(value):
            raise InvalidInput(f"{column}が全角カタカナではありません", field=column)
        return value

    def digits(self, column: str, length: int) -> str:
        value = nfkc(self.text(column))
        if len(value) != length or not value.isascii() or not value.isdigit():
            raise InvalidInput(f"{column}は{length}桁の数字ではありません", field=column)
        return value

    def choice(self, column: str, choices: tuple[str, ...]) -> str:
        value = self.text(column)
        if value not in choices:
            raise InvalidInput(f"{column}は{'/'.join(choices)}のいずれかです", field=column)
        return value


def _checked(rule: Callable[[str], bool], value: str, column: str, message: str) -> str:
    if not rule(value):
        raise InvalidInput(f"{column}{message}", field=column)
    return value


def _application(record: Mapping[str, Any]) -> ChildAllowanceApplication:
    row = _Row(record)
    my_number = validate_my_number(row.text("個人番号"))
    birth_date = row.date("生年月日")
    postal_code = normalize_postal_code(row.text("郵便番号"))
    _checked(postal_code_exists, postal_code, "郵便番号", "が存在しません")
    phone = nfkc(row.text("電話番号"))
    _checked(is_valid_phone, phone, "電話番号", "の形が正しくありません")
    applicant = Applicant(
        my_number=my_number,
        name=row.fullwidth("氏名"),
        name_kana=row.katakana("フリガナ"),
        birth_date=birth_date,
        gender=row.choice("性別", ("男", "女")),  # type: ignore[arg-type]
        postal_code=postal_code,
        address=row.fullwidth("住所"),
        phone=phone,
        has_spouse=row.choice("配偶者", ("有", "無")) == "有",
    )
    children = []
    for n in (1, 2, 3):
        if not row.text(f"児童{n}_氏名", required=False):
            continue
        child_birth = row.date(f"児童{n}_生年月日")
        if child_birth <= birth_date:
            raise InvalidInput(f"児童{n}_生年月日が請求者より前です", field=f"児童{n}_生年月日")
        children.append(
            Child(
                name=row.fullwidth(f"児童{n}_氏名"),
                name_kana=row.katakana(f"児童{n}_フリガナ"),
                birth_date=child_birth,
                gender=row.choice(f"児童{n}_性別", ("男", "女")),  # type: ignore[arg-type]
                relationship=row.choice(f"児童{n}_続柄", ("子", "孫", "その他")),  # type: ignore[arg-type]
                living_together=row.text(f"児童{n}_同居", required=False) != "別居",
            )
        )
    if not children:
        raise InvalidInput("児童が1人も記載されていません", field="児童1_氏名")
    account = BankAccount(
        bank_code=row.digits("金融機関コード", 4),
        bank_name=row.fullwidth("金融機関名"),
        branch_code=row.digits("支店コード", 3),
        branch_name=row.fullwidth("支店名"),
        account_type=row.choice("預金種目", ("普通", "当座")),  # type: ignore[arg-type]
        account_number=row.digits("口座番号", 7),
        account_holder_kana=row.katakana("口座名義"),
    )
    return ChildAllowanceApplication(
        application_id=row.text("受付番号"),
        received_at=row.date("受付日"),
        applicant=applicant,
        children=tuple(children),
        account=account,
    )
