"""The 電子申請システム sandbox, driven through real Chromium and read back by inspection."""

from __future__ import annotations

import io
import stat
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

import sandbox.portal
from core.identifiers import is_valid_my_number
from core.secrets import ensure_secret
from sandbox import PORTAL_USER, RunningSandbox, admin_headers
from sandbox.portal import (
    CSV_COLUMNS,
    PortalSummary,
    create_portal_app,
    inspect_portal,
    seed_portal,
)
from systems.business_system import Applicant, BankAccount, Child, ChildAllowanceApplication

LEADING_ZERO_MY_NUMBER = "012345678903"
LEADING_ZERO_ACCOUNT = "0012345"


def _child(name: str, kana: str, born: date, gender: Any = "男") -> Child:
    return Child(name=name, name_kana=kana, birth_date=born, gender=gender)


def _application(
    number: int,
    *,
    name: str,
    kana: str,
    my_number: str = "123456789018",
    account_number: str = "1234567",
    children: tuple[Child, ...] = (),
) -> ChildAllowanceApplication:
    family = name.split("\u3000")[0]
    return ChildAllowanceApplication(
        application_id=f"R2026-{number:06d}",
        received_at=date(2026, 4, number % 28 + 1),
        applicant=Applicant(
            my_number=my_number,
            name=name,
            name_kana=kana,
            birth_date=date(1988, 6, 15),
            gender="女",
            postal_code="100-0001",
            address="東京都千代田区千代田１－１",
            phone="03-1234-5678",
            has_spouse=True,
        ),
        children=children or (_child(f"{family}\u3000太郎", "タロウ", date(2020, 3, 3)),),
        account=BankAccount(
            bank_code="0005",
            bank_name="三菱ＵＦＪ銀行",
            branch_code="001",
            branch_name="本店",
            account_type="普通",
            account_number=account_number,
            account_holder_kana="タカハシ\u3000ハナコ",
        ),
    )


def _applications() -> list[ChildAllowanceApplication]:
    """Three claims: 髙 (CP932, not plain Shift_JIS), leading zeros, one to three children."""
    return [
        _application(
            1,
            name="髙橋\u3000花子",
            kana="タカハシ\u3000ハナコ",
            my_number=LEADING_ZERO_MY_NUMBER,
            account_number=LEADING_ZERO_ACCOUNT,
            children=(
                _child("髙橋\u3000一郎", "タカハシ\u3000イチロウ", date(2015, 4, 1)),
                _child("髙橋\u3000桜", "タカハシ\u3000サクラ", date(2019, 5, 1), "女"),
            ),
        ),
        _application(2, name="山田\u3000美咲", kana="ヤマダ\u3000ミサキ"),
        _application(
            3,
            name="佐藤\u3000恵",
            kana="サトウ\u3000メグミ",
            children=(
                _child("佐藤\u3000一", "サトウ\u3000ハジメ", date(2012, 1, 8)),
                _child("佐藤\u3000二葉", "サトウ\u3000フタバ", date(2016, 2, 29), "女"),
                _child("佐藤\u3000三郎", "サトウ\u3000サブロウ", date(2021, 12, 24)),
            ),
        ),
    ]


def _login(page: Page, running: RunningSandbox) -> None:
    page.goto(f"{running.portal_url}/login")
    page.get_by_label("ユーザーID").fill(PORTAL_USER)
    page.get_by_label("パスワード").fill(ensure_secret("sandbox-portal-password"))
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="受付一覧")).to_be_visible()


def _open_detail(page: Page, running: RunningSandbox, application_id: str) -> None:
    page.goto(f"{running.portal_url}/applications/{application_id}")
    expect(page.get_by_role("heading", name="申請詳細")).to_be_visible()


def _field(page: Page, section: str, label: str) -> Any:
    return (
        page.get_by_role("region", name=section).get_by_role("row", name=label).get_by_role("cell")
    )


# --- without a browser -----------------------------------------------------------------------


def test_public_surface_is_sorted_and_complete() -> None:
    assert sandbox.portal.__all__ == sorted(sandbox.portal.__all__)
    for name in sandbox.portal.__all__:
        assert hasattr(sandbox.portal, name)


def test_csv_columns_flatten_three_children_and_are_unique() -> None:
    assert len(CSV_COLUMNS) == len(set(CSV_COLUMNS))
    assert CSV_COLUMNS[:3] == ("受付番号", "受付日", "個人番号")
    for n in (1, 2, 3):
        for field in ("氏名", "フリガナ", "生年月日", "性別", "続柄"):
            assert f"児童{n}_{field}" in CSV_COLUMNS
    assert {"口座番号", "口座名義", "配偶者", "状態"} <= set(CSV_COLUMNS)


def test_test_data_is_valid() -> None:
    assert is_valid_my_number(LEADING_ZERO_MY_NUMBER)
    with pytest.raises(UnicodeEncodeError):
        "髙".encode("shift_jis")  # so a correct 髙 in the export proves CP932 was used
    assert "髙".encode("cp932") != "高".encode("cp932")


def test_seed_portal_is_idempotent_and_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "portal.sqlite3"
    apps = _applications()
    assert seed_portal(db, apps[:2]) == 2
    assert seed_portal(db, apps) == 1
    assert seed_portal(db, apps) == 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert inspect_portal(db) == PortalSummary(
        applications=3, by_status={"未処理": 3, "受理": 0, "差戻し": 0}, write_backs={}
    )


def test_inspecting_a_portal_that_never_started_reads_empty(tmp_path: Path) -> None:
    summary = inspect_portal(tmp_path / "absent.sqlite3")
    assert summary.applications == 0
    assert summary.by_status == {"未処理": 0, "受理": 0, "差戻し": 0}
    assert not (tmp_path / "absent.sqlite3").exists()


def _client(tmp_path: Path) -> tuple[TestClient, Path]:
    db = tmp_path / "portal.sqlite3"
    app = create_portal_app(db_path=db, username="staff", password="pw", faults=None)
    client = TestClient(app, follow_redirects=False)
    assert client.post("/login", data={"username": "staff", "password": "pw"}).status_code == 303
    return client, db


def test_export_refuses_a_character_cp932_lacks_rather_than_mangling_it(tmp_path: Path) -> None:
    client, db = _client(tmp_path)
    seed_portal(db, [_application(7, name="𠮷田\u3000花子", kana="ヨシダ\u3000ハナコ")])
    refused = client.get("/export.csv", params={"status": "未処理", "encoding": "cp932"})
    assert refused.status_code == 422
    assert "R2026-000007" in refused.text and "Shift_JIS (CP932) で表せない文字" in refused.text
    assert "𠮷" not in refused.text  # the message names the place, not the value
    utf8 = client.get("/export.csv", params={"status": "未処理", "encoding": "utf-8-sig"})
    assert utf8.status_code == 200 and "𠮷田".encode() in utf8.content


def test_recipient_number_belongs_to_one_application(tmp_path: Path) -> None:
    client, db = _client(tmp_path)
    seed_portal(db, _applications())
    client.post("/applications/R2026-000001/accept", data={"recipient_no": "J0000001"})
    clash = client.post(
        "/applications/R2026-000002/accept", data={"recipient_no": "Ｊ００００００１"}
    )
    assert clash.status_code == 409
    assert "別の申請（受付番号 R2026-000001）" in clash.text
    assert inspect_portal(db).write_backs == {"R2026-000001": "J0000001"}


def test_inspection_needs_the_token_and_matches_the_function(tmp_path: Path) -> None:
    db = tmp_path / "portal.sqlite3"
    app = create_portal_app(db_path=db, username="staff", password="pw", faults=None)
    seed_portal(db, _applications())
    anonymous = TestClient(app, follow_redirects=False)
    assert anonymous.get("/applications").status_code == 303
    assert anonymous.get("/export.csv").status_code == 303
    refused = anonymous.get("/_inspect/summary")
    assert refused.status_code == 401 and "write_backs" not in refused.text
    wrong = anonymous.get("/_inspect/summary", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401
    answer = anonymous.get("/_inspect/summary", headers=admin_headers())
    assert answer.status_code == 200
    assert answer.json() == inspect_portal(db).as_json()
    assert answer.json()["by_status"]["未処理"] == 3


# --- through real Chromium -------------------------------------------------------------------


@pytest.mark.browser
def test_list_counts_and_filters_by_status(page: Page, sandbox: RunningSandbox) -> None:
    seed_portal(sandbox.paths.portal_db, _applications())
    _login(page, sandbox)
    expect(page.get_by_text("3件", exact=True)).to_be_visible()
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(4)  # header + 3, newest first
    expect(rows.nth(1)).to_contain_text("R2026-000003")
    expect(page.get_by_role("row", name="R2026-000001")).to_contain_text("髙橋\u3000花子")

    _open_detail(page, sandbox, "R2026-000002")
    page.get_by_label("受給者番号").fill("J0000002")
    page.get_by_role("button", name="受理として記録").click()
    page.get_by_role("link", name="受付一覧").first.click()

    page.get_by_label("状態").select_option("未処理")
    page.get_by_role("button", name="絞り込み").click()
    expect(page.get_by_text("2件", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name="R2026-000002")).to_have_count(0)
    page.get_by_label("状態").select_option("受理")
    page.get_by_role("button", name="絞り込み").click()
    expect(page).to_have_url(f"{sandbox.portal_url}/applications?status=%E5%8F%97%E7%90%86")
    expect(page.get_by_text("1件", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name="R2026-000002")).to_contain_text("J0000002")


@pytest.mark.browser
def test_list_pages_by_fifty(page: Page, sandbox: RunningSandbox) -> None:
    many = [_application(n, name="山田\u3000美咲", kana="ヤマダ\u3000ミサキ") for n in range(1, 53)]
    seed_portal(sandbox.paths.portal_db, many)
    _login(page, sandbox)
    expect(page.get_by_text("52件", exact=True)).to_be_visible()
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(51)
    expect(page.get_by_role("link", name="前へ")).to_have_count(0)
    page.get_by_role("link", name="次へ").click()
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3)
    expect(page.get_by_role("link", name="次へ")).to_have_count(0)
    page.get_by_role("link", name="前へ").click()
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(51)


@pytest.mark.browser
def test_detail_shows_every_part_with_wareki(page: Page, sandbox: RunningSandbox) -> None:
    seed_portal(sandbox.paths.portal_db, _applications())
    _login(page, sandbox)
    page.get_by_role("link", name="R2026-000001").click()
    expect(_field(page, "請求者", "氏名")).to_have_text("髙橋\u3000花子")
    expect(_field(page, "請求者", "個人番号")).to_have_text(LEADING_ZERO_MY_NUMBER)
    expect(_field(page, "請求者", "生年月日")).to_have_text("1988-06-15（昭和63年6月15日）")
    expect(_field(page, "児童1", "生年月日")).to_have_text("2015-04-01（平成27年4月1日）")
    expect(_field(page, "児童2", "生年月日")).to_have_text("2019-05-01（令和元年5月1日）")
    expect(page.get_by_role("region", name="児童3")).to_have_count(0)
    expect(_field(page, "振込口座", "口座番号")).to_have_text(LEADING_ZERO_ACCOUNT)
    expect(_field(page, "受付情報", "状態")).to_have_text("未処理")


@pytest.mark.browser
def test_record_accept_is_idempotent_and_then_final(page: Page, sandbox: RunningSandbox) -> None:
    db = sandbox.paths.portal_db
    seed_portal(db, _applications())
    _login(page, sandbox)
    _open_detail(page, sandbox, "R2026-000003")
    page.get_by_label("受給者番号").fill("J1234567")
    page.get_by_role("button", name="受理として記録").click()
    expect(page.get_by_role("status")).to_contain_text("受理として記録しました")
    expect(_field(page, "受付情報", "状態")).to_have_text("受理")
    assert inspect_portal(db).write_backs == {"R2026-000003": "J1234567"}
    summary = httpx.get(f"{sandbox.portal_url}/_inspect/summary", headers=admin_headers())
    assert summary.json() == {
        "applications": 3,
        "by_status": {"未処理": 2, "受理": 1, "差戻し": 0},
        "write_backs": {"R2026-000003": "J1234567"},
    }

    page.get_by_label("受給者番号").fill("J1234567")  # a robot retrying after a timeout
    page.get_by_role("button", name="受理として記録").click()
    expect(page.get_by_role("status")).to_contain_text("既に受理済みです")
    expect(page.get_by_role("alert")).to_have_count(0)

    page.get_by_label("受給者番号").fill("J7654321")
    page.get_by_role("button", name="受理として記録").click()
    expect(page.get_by_role("alert")).to_contain_text("受給者番号は変更できません")

    page.get_by_label("差戻し理由").fill("添付書類が不足しています")
    page.get_by_role("button", name="差戻し").click()
    expect(page.get_by_role("alert")).to_contain_text("受理済みの申請は差戻しできません")
    assert inspect_portal(db).write_backs == {"R2026-000003": "J1234567"}
    assert inspect_portal(db).by_status["差戻し"] == 0

    page.get_by_role("link", name="受付一覧").first.click()
    expect(page.get_by_role("row", name="R2026-000003")).to_contain_text("J1234567")


@pytest.mark.browser
def test_malformed_recipient_number_is_refused(page: Page, sandbox: RunningSandbox) -> None:
    seed_portal(sandbox.paths.portal_db, _applications())
    _login(page, sandbox)
    _open_detail(page, sandbox, "R2026-000001")
    page.get_by_label("受給者番号").fill("123")
    page.get_by_role("button", name="受理として記録").click()
    expect(page.get_by_role("alert")).to_contain_text("「J」と数字7桁")
    assert inspect_portal(sandbox.paths.portal_db).by_status["未処理"] == 3


@pytest.mark.browser
def test_return_needs_a_reason(page: Page, sandbox: RunningSandbox) -> None:
    db = sandbox.paths.portal_db
    seed_portal(db, _applications())
    _login(page, sandbox)
    _open_detail(page, sandbox, "R2026-000002")
    page.get_by_role("button", name="差戻し").click()
    expect(page.get_by_role("alert")).to_have_text("差戻し理由を入力してください。")
    assert inspect_portal(db).by_status == {"未処理": 3, "受理": 0, "差戻し": 0}

    page.get_by_label("差戻し理由").fill("口座名義が請求者と異なります")
    page.get_by_role("button", name="差戻し").click()
    expect(page.get_by_role("status")).to_contain_text("差戻しとして記録しました")
    expect(_field(page, "受付情報", "差戻し理由")).to_have_text("口座名義が請求者と異なります")
    assert inspect_portal(db).by_status == {"未処理": 2, "受理": 0, "差戻し": 1}

    page.get_by_label("受給者番号").fill("J0000002")
    page.get_by_role("button", name="受理として記録").click()
    expect(page.get_by_role("alert")).to_contain_text("差戻し済みの申請は受理できません")
    assert inspect_portal(db).write_backs == {}


@pytest.mark.browser
def test_unknown_application_is_a_japanese_404(page: Page, sandbox: RunningSandbox) -> None:
    _login(page, sandbox)
    response = page.goto(f"{sandbox.portal_url}/applications/R2026-999999")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_have_text("受付番号 R2026-999999 の申請は見つかりません。")


def _download(page: Page, *, status: str, encoding_label: str) -> tuple[bytes, str]:
    page.get_by_role("link", name="CSV出力").click()
    page.get_by_label("状態").select_option(status)
    page.get_by_label(encoding_label).check()
    with page.expect_download() as info:
        page.get_by_role("button", name="CSVダウンロード").click()
    download = info.value
    path = download.path()
    return Path(path).read_bytes(), download.suggested_filename


@pytest.mark.browser
def test_csv_export_in_both_encodings(page: Page, sandbox: RunningSandbox) -> None:
    seed_portal(sandbox.paths.portal_db, _applications())
    _login(page, sandbox)
    utf8, utf8_name = _download(page, status="未処理", encoding_label="UTF-8 (BOM付き)")
    sjis, sjis_name = _download(page, status="未処理", encoding_label="Shift_JIS (CP932)")

    assert utf8.startswith(b"\xef\xbb\xbf")
    assert "髙".encode("cp932") in sjis
    assert utf8.count(b"\r\n") == 4 and b"\n" not in utf8.replace(b"\r\n", b"")
    assert utf8_name.startswith("shinsei_") and utf8_name.endswith(".csv")
    assert len(utf8_name) == len("shinsei_YYYYMMDD.csv") and sjis_name == utf8_name

    def read(data: bytes, encoding: str) -> pd.DataFrame:
        return pd.read_csv(io.BytesIO(data), encoding=encoding, dtype=str, keep_default_na=False)

    frame = read(utf8, "utf-8-sig")
    pd.testing.assert_frame_equal(frame, read(sjis, "cp932"))
    assert tuple(frame.columns) == CSV_COLUMNS
    assert list(frame["受付番号"]) == ["R2026-000003", "R2026-000002", "R2026-000001"]
    first = frame.set_index("受付番号").loc["R2026-000001"]
    assert first["氏名"] == "髙橋\u3000花子"
    assert first["個人番号"] == LEADING_ZERO_MY_NUMBER
    assert first["口座番号"] == LEADING_ZERO_ACCOUNT
    assert first["金融機関コード"] == "0005" and first["支店コード"] == "001"
    assert first["受付日"] == "2026-04-02" and first["生年月日"] == "1988-06-15"
    assert first["配偶者"] == "有" and first["状態"] == "未処理"
    assert first["児童2_氏名"] == "髙橋\u3000桜" and first["児童2_生年月日"] == "2019-05-01"
    assert first["児童2_性別"] == "女" and first["児童2_続柄"] == "子"
    assert first["児童3_氏名"] == "" and first["児童3_生年月日"] == ""
    third = frame.set_index("受付番号").loc["R2026-000003"]
    assert third["児童3_フリガナ"] == "サトウ\u3000サブロウ"

    # The machine-friendly URL answers the same bytes to the same logged-in session.
    for encoding, expected in (("utf-8-sig", utf8), ("cp932", sjis)):
        direct = page.request.get(
            f"{sandbox.portal_url}/export.csv", params={"status": "未処理", "encoding": encoding}
        )
        assert direct.ok
        assert "attachment" in direct.headers["content-disposition"]
        assert direct.body() == expected


@pytest.mark.browser
def test_csv_export_follows_the_status_choice(page: Page, sandbox: RunningSandbox) -> None:
    seed_portal(sandbox.paths.portal_db, _applications())
    _login(page, sandbox)
    _open_detail(page, sandbox, "R2026-000001")
    page.get_by_label("受給者番号").fill("J0000001")
    page.get_by_role("button", name="受理として記録").click()
    expect(page.get_by_role("status")).to_be_visible()
    data, _ = _download(page, status="受理", encoding_label="UTF-8 (BOM付き)")
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame["受付番号"]) == ["R2026-000001"]
    assert list(frame["状態"]) == ["受理"]
    assert list(frame["受給者番号"]) == ["J0000001"]


def test_unknown_pages_and_bad_choices_answer_in_japanese(tmp_path: Path) -> None:
    client, db = _client(tmp_path)
    seed_portal(db, _applications())
    assert client.get("/").headers["location"] == "/applications"
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "お探しのページは見つかりません" in missing.text
    posted = client.post("/applications/R2026-999999/accept", data={"recipient_no": "J0000001"})
    assert posted.status_code == 404 and "R2026-999999 の申請は見つかりません" in posted.text
    bad_filter = client.get("/applications", params={"status": "保留"})
    assert bad_filter.status_code == 422 and "状態は「すべて」" in bad_filter.text
    bad_encoding = client.get("/export.csv", params={"encoding": "euc-jp"})
    assert (
        bad_encoding.status_code == 422
        and "文字コードは utf-8-sig または cp932" in bad_encoding.text
    )
    assert inspect_portal(db).write_backs == {}
