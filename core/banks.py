"""金融機関コード → 金融機関名, for the banks jimu knows (national, regional, 信用金庫).

A stand-in for the bank master (金融機関マスタ) every business system keeps; the table is the
one the fake-data generator draws from, so every generated account resolves.
"""

from __future__ import annotations

from functools import cache

from core.text import nfkc

__all__ = ["NATIONAL_BANKS", "REGIONAL_BANKS", "bank_name"]

#: Banks by 金融機関コード: the nationwide ones (with a weight for how common they are
#: among accounts) and the regional ones by prefecture.
NATIONAL_BANKS = (
    ("0001", "みずほ銀行", 10), ("0005", "三菱ＵＦＪ銀行", 14), ("0009", "三井住友銀行", 11),
    ("0010", "りそな銀行", 4), ("9900", "ゆうちょ銀行", 14),
)  # fmt: skip
REGIONAL_BANKS = {
    "北海道": (("0116", "北海道銀行"),),
    "宮城県": (("0125", "七十七銀行"),),
    "茨城県": (("0130", "常陽銀行"),),
    "栃木県": (("0129", "足利銀行"),),
    "群馬県": (("0128", "群馬銀行"),),
    "埼玉県": (("0017", "埼玉りそな銀行"), ("0133", "武蔵野銀行")),
    "千葉県": (("0134", "千葉銀行"), ("0135", "千葉興業銀行")),
    "東京都": (("0137", "きらぼし銀行"), ("1344", "城南信用金庫"), ("1360", "多摩信用金庫")),
    "神奈川県": (("0138", "横浜銀行"),),
    "富山県": (("0144", "北陸銀行"),),
    "長野県": (("0143", "八十二銀行"),),
    "静岡県": (("0149", "静岡銀行"),),
    "京都府": (("0158", "京都銀行"),),
    "岡山県": (("0168", "中国銀行"),),
    "広島県": (("0169", "広島銀行"),),
    "福岡県": (("0177", "福岡銀行"), ("0190", "西日本シティ銀行")),
}


@cache
def _names() -> dict[str, str]:
    names = {code: name for code, name, _weight in NATIONAL_BANKS}
    for banks in REGIONAL_BANKS.values():
        names.update(dict(banks))
    return names


def bank_name(code: str) -> str | None:
    """The name of the bank with 4-digit ``code`` (full-width digits accepted), or None."""
    return _names().get(nfkc(code).strip())
