"""個人番号 and 法人番号 check digits."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from core.identifiers import (
    corporate_number_check_digit,
    is_valid_corporate_number,
    is_valid_my_number,
    my_number_check_digit,
    validate_my_number,
)


def _my_number_check_digit_by_hand(first_eleven: str) -> int:
    # DESIGN.md: P_n counted from the right, Q_n = n + 1 for n <= 6, n - 5 for n >= 7.
    total = sum(
        int(p) * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(first_eleven), start=1)
    )
    r = total % 11
    return 0 if r <= 1 else 11 - r


# Bases chosen to give every check digit 0 … 9 (0 also from remainder 0 and 1).
MY_NUMBER_BASES = [
    "12345678901",  # → 8, the documented example
    "00000000000",  # Σ = 0 → r = 0 → 0
    "11111111111",
    "98765432109",
    "31415926535",
    "27182818284",
    "55555555555",
    "10000000000",
    "00000000001",
    "24680246802",
    "13579135791",
    "99999999999",
]


def test_documented_example() -> None:
    assert is_valid_my_number("123456789018")
    assert my_number_check_digit("12345678901") == 8
    assert validate_my_number("123456789018") == "123456789018"


@pytest.mark.parametrize("base", MY_NUMBER_BASES)
def test_computed_my_numbers_are_valid(base: str) -> None:
    check = _my_number_check_digit_by_hand(base)
    assert my_number_check_digit(base) == check
    number = f"{base}{check}"
    assert is_valid_my_number(number)
    assert validate_my_number(number) == number


def test_bases_cover_every_check_digit() -> None:
    found = {_my_number_check_digit_by_hand(base) for base in MY_NUMBER_BASES}
    # Find more bases until all ten digits appear, to be sure the table is exercised.
    n = 0
    while len(found) < 10:
        found.add(my_number_check_digit(f"{n:011d}"))
        n += 7919
    assert found == set(range(10))


@pytest.mark.parametrize("base", MY_NUMBER_BASES)
def test_every_wrong_check_digit_fails(base: str) -> None:
    right = my_number_check_digit(base)
    for wrong in set(range(10)) - {right}:
        number = f"{base}{wrong}"
        assert not is_valid_my_number(number)
        with pytest.raises(InvalidInput) as info:
            validate_my_number(number)
        assert info.value.field == "my_number"
        assert number not in info.value.message


def test_single_digit_typo_is_caught() -> None:
    number = "123456789018"
    for position in range(11):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            typo = number[:position] + digit + number[position + 1 :]
            assert not is_valid_my_number(typo), f"typo at position {position} not caught"


@pytest.mark.parametrize(
    "text",
    [
        "１２３４５６７８９０１８",  # full-width
        "1234 5678 9018",
        "1234-5678-9018",
        "１２３４　５６７８　９０１８",
        "１２３４－５６７８－９０１８",
    ],
)
def test_written_forms_of_a_valid_number(text: str) -> None:
    assert is_valid_my_number(text)
    assert validate_my_number(text) == "123456789018"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345678901",
        "1234567890180",
        "12345678901a",
        "abcdefghijkl",
        "１２３４５６７８９０１",
        "٠١٢٣٤٥٦٧٨٩٠١",
    ],
)
def test_wrong_lengths_and_characters(text: str) -> None:
    assert not is_valid_my_number(text)
    with pytest.raises(InvalidInput) as info:
        validate_my_number(text)
    assert info.value.field == "my_number"


def test_check_digit_needs_eleven_digits() -> None:
    with pytest.raises(InvalidInput):
        my_number_check_digit("1234567890")


# 法人番号: check digit = 9 − (Σ P_n·Q_n mod 9), P_n the other 12 digits from the right,
# Q_n = 1 for odd n and 2 for even n.
#
# 7000012050002 (国税庁): base 000012050002, from the right 2·1 + 0·2 + 0·1 + 0·2 + 5·1
#   + 0·2 + 2·1 + 1·2 + 0 … = 11; 11 mod 9 = 2; 9 − 2 = 7.
# 4000012090001: base 000012090001 → 1·1 + 9·1 + 2·1 + 1·2 = 14; 14 mod 9 = 5; 9 − 5 = 4.
# 1234567890123: base 234567890123 → odd places 3+1+9+7+5+3 = 28, even places
#   (2+0+8+6+4+2)·2 = 44; 72 mod 9 = 0; 9 − 0 = 9, so the valid number is 9234567890123.
CORPORATE_NUMBERS = ["7000012050002", "4000012090001", "9234567890123"]


@pytest.mark.parametrize("number", CORPORATE_NUMBERS)
def test_corporate_numbers_by_hand(number: str) -> None:
    assert corporate_number_check_digit(number[1:]) == int(number[0])
    assert is_valid_corporate_number(number)


@pytest.mark.parametrize("number", CORPORATE_NUMBERS)
def test_corporate_number_wrong_check_digit_fails(number: str) -> None:
    for wrong in set("123456789") - {number[0]}:
        assert not is_valid_corporate_number(wrong + number[1:])


def test_corporate_number_check_digit_is_never_zero() -> None:
    # 9 − (x mod 9) lies in 1 … 9.
    for n in range(0, 10**12, 10**12 // 997):
        assert 1 <= corporate_number_check_digit(f"{n:012d}") <= 9


@pytest.mark.parametrize(
    "text",
    ["７００００１２０５０００２", "7000-0120-50002", "7000 0120 50002"],
)
def test_corporate_number_written_forms(text: str) -> None:
    assert is_valid_corporate_number(text)


@pytest.mark.parametrize(
    "text", ["", "700001205000", "70000120500020", "700001205000x", "123456789018"]
)
def test_corporate_number_wrong_shape(text: str) -> None:
    assert not is_valid_corporate_number(text)


def test_corporate_check_digit_needs_twelve_digits() -> None:
    with pytest.raises(InvalidInput) as info:
        corporate_number_check_digit("12345")
    assert info.value.field == "corporate_number"
