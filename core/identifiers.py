"""Check digits of 個人番号 (My Number, 12 digits) and 法人番号 (corporate number, 13 digits)."""

from __future__ import annotations

from core.errors import InvalidInput
from core.text import nfkc

__all__ = [
    "corporate_number_check_digit",
    "is_valid_corporate_number",
    "is_valid_my_number",
    "my_number_check_digit",
    "validate_my_number",
]


def _digits(text: str, length: int) -> str | None:
    value = nfkc(text).replace("-", "").replace(" ", "")
    if len(value) != length or not value.isascii() or not value.isdigit():
        return None
    return value


def my_number_check_digit(first_eleven: str) -> int:
    """The check digit of a 個人番号 whose first 11 digits are given.

    Raises :class:`~core.errors.InvalidInput` if ``first_eleven`` is not 11 digits.
    """
    digits = _digits(first_eleven, 11)
    if digits is None:
        raise InvalidInput("個人番号の先頭11桁が数字11桁ではありません", field="my_number")
    total = 0
    for n, char in enumerate(reversed(digits), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(char) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid_my_number(text: str) -> bool:
    """True if ``text`` is a 12-digit 個人番号 (full-width, spaces, hyphens allowed) that checks."""
    digits = _digits(text, 12)
    return digits is not None and my_number_check_digit(digits[:11]) == int(digits[11])


def validate_my_number(text: str) -> str:
    """Return the 12 ASCII digits of a valid 個人番号, or raise :class:`InvalidInput`.

    The message never repeats the number itself.
    """
    digits = _digits(text, 12)
    if digits is None:
        raise InvalidInput("個人番号は12桁の数字で入力してください", field="my_number")
    if my_number_check_digit(digits[:11]) != int(digits[11]):
        raise InvalidInput("個人番号のチェックデジットが正しくありません", field="my_number")
    return digits


def corporate_number_check_digit(last_twelve: str) -> int:
    """The check digit (first digit) of a 法人番号 whose other 12 digits are given."""
    digits = _digits(last_twelve, 12)
    if digits is None:
        raise InvalidInput("法人番号の基礎番号が数字12桁ではありません", field="corporate_number")
    total = 0
    for n, char in enumerate(reversed(digits), start=1):
        total += int(char) * (1 if n % 2 == 1 else 2)
    return 9 - (total % 9)


def is_valid_corporate_number(text: str) -> bool:
    """True if ``text`` is a 13-digit 法人番号 whose first digit is the right check digit."""
    digits = _digits(text, 13)
    return digits is not None and corporate_number_check_digit(digits[1:]) == int(digits[0])
