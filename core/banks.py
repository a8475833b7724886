"""金融機関コード → 金融機関名, for the banks jimu knows (national, regional, 信用金庫).

A stand-in for the bank master (金融機関マスタ) every business system keeps; the table is the
one the fake-data generator draws from, so every generated account resolves.
"""

from __future__ import annotations

from functools import cache

from core._fake_tables import NATIONAL_BANKS, REGIONAL_BANKS
from core.text import nfkc

__all__ = ["bank_name"]


@cache
def _names() -> dict[str, str]:
    names = {code: name for code, name, _weight in NATIONAL_BANKS}
    for banks in REGIONAL_BANKS.values():
        names.update(dict(banks))
    return names


def bank_name(code: str) -> str | None:
    """The name of the bank with 4-digit ``code`` (full-width digits accepted), or None."""
    return _names().get(nfkc(code).strip())
