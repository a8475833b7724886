"""The shape of Japanese telephone numbers (domestic form, starting with 0).

Accepted, after removing hyphens, spaces and parentheses:

* 固定電話 and other 10-digit numbers: ``0`` then a digit other than 0, and not ``0X0``
  (every ``0X0`` prefix — 050, 070, 080, 090, 020, 010 … — is non-geographic and has
  11 digits, or is not a subscriber number at all). This also admits 0120 (free dial,
  6 digits after it), 0570 (ナビダイヤル) and 0990.
* 携帯電話: 070, 080 or 090 and 8 digits; IP電話: 050 and 8 digits; フリーダイヤル 0800 and
  7 digits — 11 digits each.

Only the shape is checked, not whether the number is assigned. Where a hand wrote the
hyphens, :func:`hyphens_fit` tells whether they stand where such a number has them (a digit
lost beside a hyphen leaves ``08-8298-6614`` with ten digits, but no area code ``08``).
"""

from __future__ import annotations

import itertools
import re

from core.errors import InvalidInput
from core.text import nfkc

__all__ = ["hyphens_fit", "is_valid_phone", "normalize_phone"]

_FIELD = "phone"
# Separators people write between the parts (after NFKC): hyphens, dashes, minus signs,
# the prolonged sound mark ー that IMEs produce, spaces and parentheses 03(1234)5678.
_SEPARATORS = re.compile(r"[-‐‑‒–—―−ー─━\s()]")
_ELEVEN_DIGIT = re.compile(r"0[789]0[0-9]{8}|050[0-9]{8}|0800[0-9]{7}")
_TEN_DIGIT = re.compile(r"0[1-9][1-9][0-9]{7}")
_TWO_DIGIT_AREAS = ("03", "04", "06")  # the only area codes of two digits (東京, 所沢・柏…, 大阪)
_TEN_DIGIT_SERVICES = ("0120", "0570", "0990")  # フリーダイヤル, ナビダイヤル, 0990: 4-3-3


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


def hyphens_fit(text: str) -> bool:
    """True if the hyphens written in a phone number stand where its kind has them.

    携帯・IP 090-1234-5678, 0800-123-4567, 0120-123-456; a fixed line an area code of 2 to 5
    digits (of two, only 03, 04 and 06), then the exchange (6 digits together) and 4 digits:
    03-1234-5678, 0238-22-1234. A hyphen left out is fine (0901234-5678, 042-8390505: a hand
    or a reader drops one often); one where none belongs is not (08-8298-6614 is
    080-8298-6614 with a 0 lost). A number written without separators, or in the +81 form,
    fits; one of an invalid shape does not.
    """
    if not is_valid_phone(text):
        return False
    written = nfkc(text).strip()
    groups = [group for group in _SEPARATORS.split(written) if group]
    if len(groups) <= 1 or written.startswith("+"):
        return True
    digits = "".join(groups)
    ends = set(itertools.accumulate(len(group) for group in groups))
    if len(digits) == 11:
        return ends <= ({4, 7, 11} if digits.startswith("0800") else {3, 7, 11})
    if digits.startswith(_TEN_DIGIT_SERVICES):
        return ends <= {4, 7, 10}
    areas = [size for size in range(2, 6) if size != 2 or digits[:2] in _TWO_DIGIT_AREAS]
    return any(ends <= {size, 6, 10} for size in areas)
