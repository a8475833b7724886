"""The shape of Japanese phone numbers as written on forms."""

from __future__ import annotations

import pytest

from core.errors import InvalidInput
from core.phone import hyphens_fit, is_valid_phone, normalize_phone


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        # 固定電話, 10 digits
        ("03-1234-5678", "0312345678"),
        ("0312345678", "0312345678"),
        ("03(1234)5678", "0312345678"),
        ("(03)1234-5678", "0312345678"),
        ("０３－１２３４－５６７８", "0312345678"),
        ("０３ー１２３４ー５６７８", "0312345678"),  # prolonged sound mark from an IME
        ("03‐1234‐5678", "0312345678"),  # U+2010 hyphen
        ("03−1234−5678", "0312345678"),  # U+2212 minus sign
        ("０３（１２３４）５６７８", "0312345678"),
        ("03 1234 5678", "0312345678"),
        ("0422-12-3456", "0422123456"),
        ("011-123-4567", "0111234567"),
        ("04992-1-2345", "0499212345"),
        ("0570-000-111", "0570000111"),  # ナビダイヤル
        # 携帯電話 and IP電話, 11 digits
        ("090-1234-5678", "09012345678"),
        ("080-1234-5678", "08012345678"),
        ("070-1234-5678", "07012345678"),
        ("０９０１２３４５６７８", "09012345678"),
        ("050-1234-5678", "05012345678"),
        # フリーダイヤル
        ("0120-123-456", "0120123456"),
        ("0120123456", "0120123456"),
        ("0800-123-4567", "08001234567"),
        # international form
        ("+81 3-1234-5678", "0312345678"),
        ("+81-90-1234-5678", "09012345678"),
        ("+81 (0)3-1234-5678", "0312345678"),
    ],
)
def test_valid_numbers(text: str, digits: str) -> None:
    assert is_valid_phone(text)
    assert normalize_phone(text) == digits


@pytest.mark.parametrize(
    "text",
    [
        "",
        "---",
        "03-1234-567",  # 9 digits
        "03-1234-56789",  # 11 digits but not a mobile
        "090-1234-567",  # mobile with 10 digits
        "090-1234-56789",  # 12 digits
        "050-1234-567",  # IP with 10 digits
        "0120-123-4567",  # free dial with 7 digits after 0120 (11 in all)
        "0800-123-456",  # 0800 with 6 digits (10 in all): 0X0, not a fixed line
        "060-1234-5678",  # 060 is not a mobile prefix
        "020-1234-5678",
        "010-123-4567",  # 010 is the international call prefix
        "070-123-4567",
        "00-1234-5678",
        "001-234-5678",
        "3-1234-5678",  # no leading 0
        "312345678",
        "03-1234-5678 内線12",
        "03-1234-5678#12",
        "TEL03-1234-5678",
        "03.1234.5678",
        "+1 212-555-0100",
        "٠٣١٢٣٤٥٦٧٨",  # Arabic-Indic digits are digits to Python, not to us
    ],
)
def test_invalid_numbers(text: str) -> None:
    assert not is_valid_phone(text)
    with pytest.raises(InvalidInput) as info:
        normalize_phone(text)
    assert info.value.field == "phone"


def test_message_does_not_repeat_the_number() -> None:
    with pytest.raises(InvalidInput) as info:
        normalize_phone("090-9876-543")
    assert "9876" not in info.value.message
    assert "543" not in info.value.message


@pytest.mark.parametrize(
    "text",
    ["03-1234-5678", "(03)1234-5678", "03 1234 5678", "0422-12-3456", "04992-1-2345",
     "04-2922-1234", "06-6123-4567", "0570-000-111", "090-1234-5678", "050-1234-5678",
     "0120-123-456", "0800-123-4567", "+81-90-1234-5678", "09012345678",
     "０３－１２３４－５６７８"],
)
def test_hyphens_where_the_number_has_them_fit(text: str) -> None:
    assert hyphens_fit(text)


@pytest.mark.parametrize("text", ["0901234-5678", "090-12345678", "042839-0505", "042-8390505"])
def test_a_hyphen_left_out_still_fits(text: str) -> None:
    """Hands and readers drop a hyphen often; the digits are still the number's."""
    assert hyphens_fit(text)


@pytest.mark.parametrize(
    "text",
    [
        "08-8298-6614",  # 080-8298-6614 with a 0 lost: no area code 08
        "09-15418546",  # 090-1541-8546 likewise
        "0904-123-4567",  # a mobile number is 3-4-4
        "03-123-45678",  # a fixed line's last group has 4 digits
        "0120-1234-56",  # フリーダイヤル is 4-3-3
        "03-1234-567",  # not a phone number at all
    ],
)
def test_a_hyphen_where_none_belongs_does_not_fit(text: str) -> None:
    assert not hyphens_fit(text)
