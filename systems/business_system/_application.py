"""The 児童手当認定請求 (child-allowance claim): the record the 業務システム registers.

The e-application portal's export and the paper form both become one; the sandbox's fake
data generator invents them. Values are kept as a citizen would write them
(全角 names and addresses, katakana furigana, ISO dates); validation lives in the helpers of
``core`` and in the systems that receive the data.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.wareki import format_wareki

__all__ = [
    "AccountType",
    "Applicant",
    "BankAccount",
    "Child",
    "ChildAllowanceApplication",
    "Gender",
]

AccountType = Literal["普通", "当座"]
Gender = Literal["男", "女"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Applicant(_Model):
    """請求者: the parent who claims the allowance."""

    my_number: str = Field(description="個人番号, 12 digits")
    name: str = Field(description="氏名 (全角, family and given name separated by a 全角 space)")
    name_kana: str = Field(description="フリガナ (全角カタカナ)")
    birth_date: date
    gender: Gender
    postal_code: str = Field(description="郵便番号, NNN-NNNN")
    address: str = Field(description="住所 (全角), prefecture first")
    phone: str = Field(description="電話番号, e.g. 03-1234-5678")
    has_spouse: bool = Field(description="配偶者 有/無")


class Child(_Model):
    """児童: a child the claim is for."""

    name: str
    name_kana: str
    birth_date: date
    gender: Gender
    relationship: Literal["子", "孫", "その他"] = "子"
    living_together: bool = True


class BankAccount(_Model):
    """振込口座: where the allowance is paid."""

    bank_code: str = Field(description="金融機関コード, 4 digits")
    bank_name: str
    branch_code: str = Field(description="支店コード, 3 digits")
    branch_name: str
    account_type: AccountType
    account_number: str = Field(description="口座番号, 7 digits")
    account_holder_kana: str = Field(description="口座名義 (全角カタカナ)")


class ChildAllowanceApplication(_Model):
    """One 児童手当認定請求 as received by the online-application service."""

    application_id: str = Field(description="受付番号, e.g. R2026-000123")
    received_at: date
    applicant: Applicant
    children: tuple[Child, ...] = Field(min_length=1, max_length=3)
    account: BankAccount

    def personal_values(self) -> list[str]:
        """Every personal string of the claim, as a screen may show it: what evidence
        (screenshots, traces) must never keep."""
        person, account = self.applicant, self.account
        values = [
            person.my_number,
            person.name,
            person.name_kana,
            person.address,
            person.phone,
            person.birth_date.isoformat(),
            format_wareki(person.birth_date),
            account.account_number,
            account.account_holder_kana,
        ]
        for child in self.children:
            values += [
                child.name,
                child.name_kana,
                child.birth_date.isoformat(),
                format_wareki(child.birth_date),
            ]
        return values
