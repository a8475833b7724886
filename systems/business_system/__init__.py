"""The 業務システム (child-allowance business system): the record it registers and its page
objects and business verbs (search first, then the three registration screens)."""

from __future__ import annotations

from systems.business_system._application import (
    AccountType,
    Applicant,
    BankAccount,
    Child,
    ChildAllowanceApplication,
    Gender,
)
from systems.business_system._verbs import BusinessSystem

__all__ = [
    "AccountType",
    "Applicant",
    "BankAccount",
    "BusinessSystem",
    "Child",
    "ChildAllowanceApplication",
    "Gender",
]
