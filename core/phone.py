"""The shape of Japanese telephone numbers (domestic form, starting with 0).

Accepted, after removing hyphens, spaces and parentheses:

* 固定電話 and other 10-digit numbers: ``0`` then a digit other than 0, and not ``0X0``
  (every ``0X0`` prefix — 050, 070, 080, 090, 020, 010 … — is non-geographic and has
  11 digits, or is not a subscriber number at all). This also admits 0120 (free dial,
  6 digits after it), 0570 (ナビダイヤル) and 0990.
* 携帯電話: 070, 080 or 090 and 8 digits; IP電話: 050 and 8 digits; フリーダイヤル 0800 and
  7 digits — 11 digits each.

Only the shape is checked, not whether the number is assigned.
"""

from __future__ import annotations

import re

from core.errors import InvalidInput
from core.text import nfkc

__all__ = ["is_valid_phone", "normalize_phone"]

_FIELD = "phone"
# Separators people write between the parts (after NFKC): hyphens, dashes, minus signs,
# the prolonged sound mark ー that IMEs produce, spaces and parentheses 03(1234)5678.
_SEPARATORS = re.compile(r"[-‐‑‒–—―−ー─━\s()]")
_ELEVEN_DIGIT = re.compile(r"0[789]0[0-9]{8}|050[0-9]{8}|0800[0-9]{7}")
_TEN_DIGIT = re.compile(r"0[1-9][1-9][0-9]{7}")


def _digits(text: str) -> str:
    compact = _SEPARATORS.sub("", nfkc(text))
    # International form: +81 3-1234-5678 and +81 (0)3-1234-5678 → 0312345678.
    if compact.startswith("+81"):
        national = compact[3:]
        compact = national if national.startswith("0") else "0" + national
    if not compact or not compact.isascii() or not compact.isdigit():
        raise InvalidInput(
            "電話番号は数字とハイフンで入力してください（例: 03-1234-5678）", field=_FIELD
        )
    if not compact.startswith("0") or compact.startswith("00"):
        raise InvalidInput(
            "電話番号は市外局番から（0で始まる番号で）入力してください", field=_FIELD
        )
    if len(compact) == 11 and _ELEVEN_DIGIT.fullmatch(compact):
        return compact
    if len(compact) == 10 and _TEN_DIGIT.fullmatch(compact):
        return compact
    raise InvalidInput(
        "電話番号の桁数または局番が正しくありません（固定電話は10桁、携帯電話は11桁）",
        field=_FIELD,
    )


def normalize_phone(text: str) -> str:
    """The ASCII digits of a Japanese phone number, without hyphens (``0312345678``).

    Full-width digits, any hyphen or dash (－ ー ‐ −), spaces, parentheses
    (``03(1234)5678``) and a leading ``+81`` are accepted. Digits only are returned because
    where the hyphens go depends on the area code; a system that wants them adds them.
    Raises :class:`~core.errors.InvalidInput` if the number does not have a valid shape.
    """
    return _digits(text)


def is_valid_phone(text: str) -> bool:
    """True if ``text`` has the shape of a Japanese phone number (see :func:`normalize_phone`)."""
    try:
        _digits(text)
    except InvalidInput:
        return False
    return True
