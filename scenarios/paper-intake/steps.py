"""paper-intake's steps: the fields of a read (or reviewed) 児童手当認定請求書 become an
application, registered in the 業務システム (the framework's contract: ``flows/steps.py``).

The paper form carries what a citizen writes; the business system needs a little more. What
the form does not ask is filled by rule, and said here: 続柄 is 子 (the form's rows are for
the claimant's children), 同居 is assumed, 金融機関名 comes from the bank code (an unknown
code is a business error), and 支店名 is the 支店コード written in 全角 with 「支店」 — the
business system's own bank master would resolve it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from core.banks import bank_name
from core.errors import InvalidInput
from core.identifiers import validate_my_number
from core.kana import to_fullwidth
from core.postal import normalize_postal_code
from flows.steps import Connection
from robots import RobotWorker
from systems.business_system import (
    Applicant,
    BankAccount,
    BusinessSystem,
    Child,
    ChildAllowanceApplication,
)

__all__ = [
    "choice",
    "double_entry_fields",
    "record_from_json",
    "record_from_values",
    "reference_label",
    "target",
    "target_system",
]

#: Where the applications are registered (listed in scenario.yaml: systems).
target_system = "business-system"
#: Typed twice, blind, by two reviewers when double entry (ベリファイ) is on.
double_entry_fields = frozenset({"my_number"})
record_from_json = ChildAllowanceApplication.model_validate_json
reference_label = "受給者番号"

_DIGIT_TO_KANJI = str.maketrans("0123456789", "〇一二三四五六七八九")


def choice(values: Mapping[str, str], options: Mapping[str, str]) -> str | None:
    """The option whose check box is ticked (``options`` maps field name → option), if one."""
    ticked = [option for name, option in options.items() if values.get(name, "") == "1"]
    return ticked[0] if len(ticked) == 1 else None


def _date(values: Mapping[str, str], name: str) -> date:
    from ocr import date_value

    return date_value(values.get(name, ""))


def _required(values: Mapping[str, str], name: str, label: str) -> str:
    value = values.get(name, "").strip()
    if not value:
        raise InvalidInput(f"{label}が空欄です", field=name)
    return value


def target(robot: RobotWorker, connection: Connection) -> BusinessSystem:
    """The 業務システム's verbs: ``ensure_registered`` searches by 個人番号 first."""
    return connection.verbs(BusinessSystem, robot)


def record_from_values(
    document_id: str, values: Mapping[str, str]
) -> ChildAllowanceApplication:
    """Build the application; :class:`InvalidInput` names the field that is missing or wrong."""
    spouse = choice(values, {"spouse_yes": "有", "spouse_no": "無"})
    if spouse is None:
        raise InvalidInput("配偶者の有無が選ばれていません", field="has_spouse")
    gender = choice(values, {"gender_male": "男", "gender_female": "女"})
    if gender is None:
        raise InvalidInput("請求者の性別が選ばれていません", field="gender")
    applicant = Applicant(
        my_number=validate_my_number(_required(values, "my_number", "個人番号")),
        name=to_fullwidth(_required(values, "name", "氏名")),
        name_kana=to_fullwidth(_required(values, "name_kana", "フリガナ")),
        birth_date=_date(values, "birth_date"),
        gender=gender,  # type: ignore[arg-type]
        postal_code=normalize_postal_code(_required(values, "postal_code", "郵便番号")),
        address=to_fullwidth(_required(values, "address", "住所")),
        phone=_required(values, "phone", "電話番号"),
        has_spouse=spouse == "有",
    )
    children = []
    for n in (1, 2, 3):
        if not values.get(f"child{n}_name", "").strip():
            continue
        child_gender = choice(values, {f"child{n}_male": "男", f"child{n}_female": "女"})
        if child_gender is None:
            raise InvalidInput(f"児童{n}の性別が選ばれていません", field=f"child{n}_gender")
        children.append(
            Child(
                name=to_fullwidth(values[f"child{n}_name"].strip()),
                name_kana=to_fullwidth(_required(values, f"child{n}_name_kana", "児童のフリガナ")),
                birth_date=_date(values, f"child{n}_birth_date"),
                gender=child_gender,  # type: ignore[arg-type]
            )
        )
    if not children:
        raise InvalidInput("児童が記入されていません", field="child1_name")
    account_type = choice(values, {"account_futsu": "普通", "account_toza": "当座"})
    if account_type is None:
        raise InvalidInput("預金種目が選ばれていません", field="account_type")
    bank_code = _required(values, "bank_code", "金融機関コード")
    branch_code = _required(values, "branch_code", "支店コード")
    known_bank = bank_name(bank_code)
    if known_bank is None:
        raise InvalidInput("金融機関コードが金融機関の一覧にありません", field="bank_code")
    account = BankAccount(
        bank_code=bank_code,
        bank_name=known_bank,
        branch_code=branch_code,
        branch_name=branch_code.translate(_DIGIT_TO_KANJI) + "支店",
        account_type=account_type,  # type: ignore[arg-type]
        account_number=_required(values, "account_number", "口座番号"),
        account_holder_kana=to_fullwidth(_required(values, "account_holder_kana", "口座名義")),
    )
    return ChildAllowanceApplication(
        application_id=document_id,
        received_at=_date(values, "request_date"),
        applicant=applicant,
        children=tuple(children),
        account=account,
    )
