"""The 業務システム sandbox over HTTP: every screen's checks, the draft, the inspection.

Real app, real SQLite, through FastAPI's TestClient (the browser tests drive the same screens
in Chromium: test_business_browser.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient

import sandbox.business
from core.wareki import to_wareki
from sandbox import FaultSettings, admin_headers
from sandbox._admin import hash_key
from sandbox.business import create_business_app, inspect_business
from sandbox.business._inspect import my_number_digest

MY_NUMBER = "123456789018"
OTHER_MY_NUMBER = "012345678903"
APPLICANT = {
    "my_number": MY_NUMBER,
    "name": "山田　花子",
    "name_kana": "ヤマダ　ハナコ",
    "birth_era": "平成",
    "birth_year": "2",
    "birth_month": "4",
    "birth_day": "1",
    "gender": "女",
    "postal_code": "100-0001",
    "address": "東京都千代田区千代田１－１",
    "phone": "03-1234-5678",
    "has_spouse": "有",
}
CHILDREN = {
    "child1_name": "山田　太郎",
    "child1_name_kana": "ヤマダ　タロウ",
    "child1_birth_era": "令和",
    "child1_birth_year": "3",
    "child1_birth_month": "6",
    "child1_birth_day": "10",
    "child1_gender": "男",
    "child1_relationship": "子",
    "child1_living_together": "on",
    "child2_relationship": "子",
    "child2_living_together": "on",
}
ACCOUNT = {
    "bank_code": "0005",
    "bank_name": "三菱ＵＦＪ銀行",
    "branch_code": "001",
    "branch_name": "本店",
    "account_type": "普通",
    "account_number": "1234567",
    "account_holder_kana": "ヤマダ　ハナコ",
}


class _Response(Protocol):
    """What the tests read of a TestClient response (httpx or httpx2, by Starlette version)."""

    @property
    def text(self) -> str: ...
    @property
    def status_code(self) -> int: ...
    @property
    def url(self) -> Any: ...


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "business.sqlite3"


@pytest.fixture
def client(db_path: Path) -> Iterator[TestClient]:
    app = create_business_app(db_path=db_path, username="gyomu01", password="pw", faults=None)
    with TestClient(app) as logged_in:
        response = logged_in.post("/login", data={"username": "gyomu01", "password": "pw"})
        assert response.url.path == "/menu"
        yield logged_in


def _errors(response: _Response) -> list[str]:
    box = re.search(r'role="alert"><ul>(.*?)</ul>', response.text, re.S)
    return re.findall(r"<li>(.*?)</li>", box.group(1)) if box else []


def _register(
    client: TestClient,
    applicant: Mapping[str, str] = APPLICANT,
    children: Mapping[str, str] = CHILDREN,
    account: Mapping[str, str] = ACCOUNT,
) -> _Response:
    client.get("/register")
    for step, form in (("applicant", applicant), ("children", children), ("account", account)):
        response = client.post(f"/register/{step}", data=dict(form))
        if response.status_code != 200 or _errors(response):
            return response
    return client.post("/register/confirm")


def _recipient_no(response: _Response) -> str:
    found = re.search(r'<dt>受給者番号</dt><dd id="recipient-no">(J[0-9]{7})</dd>', response.text)
    assert found, response.text
    return found.group(1)


def test_the_package_exports_a_sorted_all() -> None:
    assert sandbox.business.__all__ == sorted(sandbox.business.__all__)


def test_a_registration_stores_the_recipient_with_sequential_numbers(
    client: TestClient, db_path: Path
) -> None:
    two_children = {
        **CHILDREN,
        "child2_name": "山田　次郎",
        "child2_name_kana": "ヤマダ　ジロウ",
        "child2_birth_era": "令和",
        "child2_birth_year": "5",
        "child2_birth_month": "2",
        "child2_birth_day": "28",
        "child2_gender": "男",
        "child2_relationship": "孫",
        "child2_living_together": "",
    }
    first = _recipient_no(_register(client, children=two_children))
    second = _recipient_no(_register(client, {**APPLICANT, "my_number": OTHER_MY_NUMBER}))

    assert (first, second) == ("J0000001", "J0000002")
    summary = inspect_business(db_path)
    assert (summary.records, summary.children, dict(summary.duplicates)) == (2, 3, {})
    detail = client.get(f"/recipients/{first}").text
    assert "山田　次郎" in detail and "孫" in detail and "別居" in detail
    assert "令和5年2月28日" in detail and "平成2年4月1日" in detail


@pytest.mark.parametrize(
    ("step", "changes", "message"),
    [
        ("applicant", {"my_number": "12345678901"}, "個人番号は12桁の半角数字で入力してください。"),
        (
            "applicant",
            {"my_number": "１２３４５６７８９０１８"},
            "個人番号は12桁の半角数字で入力してください。",
        ),
        ("applicant", {"name": "山田 花子"}, "氏名は全角で入力してください。"),
        ("applicant", {"name_kana": "ﾔﾏﾀﾞ　ﾊﾅｺ"}, "フリガナは全角カタカナで入力してください。"),
        (
            "applicant",
            {"birth_era": "令和", "birth_year": "1", "birth_month": "4", "birth_day": "30"},
            "生年月日が正しくありません。",
        ),
        ("applicant", {"birth_month": "2", "birth_day": "30"}, "生年月日が正しくありません。"),
        ("applicant", {"birth_day": ""}, "生年月日を選択してください。"),
        ("applicant", {"gender": ""}, "性別を選択してください。"),
        ("applicant", {"postal_code": "1000001"}, "郵便番号はNNN-NNNNの形式で入力してください。"),
        ("applicant", {"address": "東京都千代田区千代田1-1"}, "住所は全角で入力してください。"),
        (
            "applicant",
            {"phone": "03-1234"},
            "電話番号は半角数字とハイフンで入力してください（例: 03-1234-5678）。",
        ),
        ("applicant", {"has_spouse": "不明"}, "配偶者の有無を選択してください。"),
        ("children", {"child1_name": ""}, "児童1の氏名を入力してください。"),
        (
            "children",
            {"child1_birth_era": "昭和", "child1_birth_year": "60"},
            "児童1の生年月日は請求者の生年月日より後の日付を入力してください。",
        ),
        ("children", {"child1_relationship": "親"}, "児童1の続柄を選択してください。"),
        ("children", {"child2_name": "山田　次郎"}, "児童2のフリガナを入力してください。"),
        ("account", {"bank_code": "５"}, "金融機関コードは4桁の半角数字で入力してください。"),
        ("account", {"branch_code": "01"}, "支店コードは3桁の半角数字で入力してください。"),
        ("account", {"account_number": "123456"}, "口座番号は7桁の半角数字で入力してください。"),
        (
            "account",
            {"account_holder_kana": "やまだ　はなこ"},
            "口座名義は全角カタカナで入力してください。",
        ),
        ("account", {"account_type": ""}, "預金種目を選択してください。"),
    ],
)
def test_a_refused_screen_names_the_field_keeps_the_values_and_stores_nothing(
    client: TestClient, db_path: Path, step: str, changes: dict[str, str], message: str
) -> None:
    forms = {"applicant": APPLICANT, "children": CHILDREN, "account": ACCOUNT}
    forms[step] = {**forms[step], **changes}

    response = _register(client, forms["applicant"], forms["children"], forms["account"])

    assert response.status_code == 422
    assert response.url.path == f"/register/{step}"
    assert message in _errors(response)
    assert MY_NUMBER not in "".join(_errors(response))
    assert inspect_business(db_path).records == 0


def test_future_birth_dates_are_refused(client: TestClient, db_path: Path) -> None:
    tomorrow = to_wareki(date.today() + timedelta(days=1))
    future = {
        "era": tomorrow.era.name,
        "year": str(tomorrow.year),
        "month": str(tomorrow.month),
        "day": str(tomorrow.day),
    }
    child = {**CHILDREN, **{f"child1_birth_{k}": v for k, v in future.items()}}

    response = _register(client, children=child)

    assert "児童1の生年月日に未来の日付は入力できません。" in _errors(response)
    assert inspect_business(db_path).records == 0


def test_the_entered_values_come_back_after_a_refusal(client: TestClient) -> None:
    client.get("/register")
    response = client.post("/register/applicant", data={**APPLICANT, "name": "Yamada"})

    assert 'value="Yamada"' in response.text
    assert f'value="{APPLICANT["address"]}"' in response.text
    assert '<option value="平成" selected>' in response.text
    assert 'value="女" checked' in response.text


def test_a_later_screen_without_the_earlier_ones_goes_back_to_the_first(
    client: TestClient, db_path: Path
) -> None:
    client.get("/register")
    for url in ("/register/children", "/register/account", "/register/confirm"):
        assert client.get(url).url.path == "/register/applicant"
    assert client.post("/register/confirm").url.path == "/register/applicant"
    assert client.post("/register/account", data=ACCOUNT).url.path == "/register/applicant"
    assert inspect_business(db_path).records == 0


def test_back_from_confirm_keeps_the_draft_and_a_second_submit_stores_nothing(
    client: TestClient, db_path: Path
) -> None:
    client.get("/register")
    client.post("/register/applicant", data=APPLICANT)
    client.post("/register/children", data=CHILDREN)
    confirm = client.post("/register/account", data=ACCOUNT)
    assert confirm.url.path == "/register/confirm" and "山田　太郎" in confirm.text

    back = client.get("/register/account")
    assert f'value="{ACCOUNT["account_number"]}"' in back.text
    assert f'value="{MY_NUMBER}"' in client.get("/register/applicant").text

    assert _recipient_no(client.post("/register/confirm")) == "J0000001"
    assert client.post("/register/confirm").url.path == "/register/applicant"
    assert inspect_business(db_path).records == 1


def test_changing_the_applicant_rechecks_the_children_before_confirm(
    client: TestClient, db_path: Path
) -> None:
    client.get("/register")
    client.post("/register/applicant", data=APPLICANT)
    client.post("/register/children", data=CHILDREN)
    client.post("/register/account", data=ACCOUNT)
    # Now the applicant is younger than the child already entered.
    client.post("/register/applicant", data={**APPLICANT, "birth_era": "令和", "birth_year": "4"})

    response = client.post("/register/confirm")

    assert response.status_code == 422
    assert "児童1の生年月日は請求者の生年月日より後の日付を入力してください。" in _errors(response)
    assert inspect_business(db_path).records == 0


def test_search_needs_a_my_number_or_a_name_and_a_birth_date(client: TestClient) -> None:
    _register(client)

    nothing = client.post("/search", data={})
    name_only = client.post("/search", data={"name": "山田　花子"})
    by_kana_width = client.post(
        "/search",
        data={"name": "山田花子", **{k: v for k, v in APPLICANT.items() if k.startswith("birth_")}},
    )

    assert _errors(nothing) == ["個人番号、または氏名と生年月日を入力してください。"]
    assert _errors(name_only) == ["生年月日を選択してください。"]
    assert "/recipients/J0000001" in by_kana_width.text


def test_inspection_needs_the_token_is_never_faulted_and_hides_my_numbers(
    client: TestClient, db_path: Path
) -> None:
    _register(client)
    _register(client)
    client.app.state.faults.update(FaultSettings(error_rate=1.0))  # type: ignore[attr-defined]
    anonymous = TestClient(client.app)
    assert anonymous.get("/menu").status_code == 500

    refused = anonymous.get("/_inspect/summary")
    assert refused.status_code == 401 and "records" not in refused.text
    response = anonymous.get("/_inspect/summary", headers=admin_headers())

    digest = my_number_digest(MY_NUMBER, hash_key())
    assert response.status_code == 200
    assert response.json() == {
        "records": 2,
        "children": 2,
        "duplicates": [{"my_number_hmac": digest, "recipient_nos": ["J0000001", "J0000002"]}],
    }
    assert MY_NUMBER not in response.text
    assert hashlib.sha256(MY_NUMBER.encode("ascii")).hexdigest() not in response.text
    assert client.get("/_inspect/summary").json() == response.json()  # the staff login will do
    summary = inspect_business(db_path)
    assert summary.recipient_nos_by_my_number_hash == {digest: ("J0000001", "J0000002")}
    assert summary.recipient_nos_of(MY_NUMBER) == ("J0000001", "J0000002")
    assert MY_NUMBER not in repr(summary)


def test_the_hashes_are_keyed_per_install(client: TestClient, db_path: Path) -> None:
    _register(client)
    mine = inspect_business(db_path)
    theirs = inspect_business(db_path, key=b"another install")
    assert mine.recipient_nos_of(MY_NUMBER) == theirs.recipient_nos_of(MY_NUMBER) == ("J0000001",)
    assert set(mine.recipient_nos_by_my_number_hash).isdisjoint(
        theirs.recipient_nos_by_my_number_hash
    )


def test_inspecting_a_missing_database_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        inspect_business(tmp_path / "absent.sqlite3")


def test_screens_need_a_login_and_an_unknown_recipient_is_404(db_path: Path) -> None:
    app = create_business_app(db_path=db_path, username="gyomu01", password="pw")
    anonymous = TestClient(app)
    response = anonymous.get("/register/applicant")
    assert response.url.path == "/login"
    assert "next=/register/applicant" in str(response.url)

    anonymous.post("/login", data={"username": "gyomu01", "password": "pw"})
    missing = anonymous.get("/recipients/J9999999")
    assert missing.status_code == 404
    assert _errors(missing) == ["指定された受給者は登録されていません。"]
