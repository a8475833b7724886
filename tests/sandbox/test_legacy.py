"""The 国民健康保険 資格管理システム (legacy sandbox): Shift_JIS forms, frames, the pop-up.

HTTP tests post CP932 bodies as a browser does, through FastAPI's TestClient (httpx) on the
real app and SQLite; one test drives the whole registration in real Chromium.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

import sandbox.legacy
from core.secrets import ensure_secret
from sandbox import LEGACY_USER, RunningSandbox, admin_headers
from sandbox.legacy import create_legacy_app, inspect_legacy

MY_NUMBER = "123456789018"
OTHER_MY_NUMBER = "012345678903"
NAME = "髙橋　花子"  # 髙: a CP932 (IBM extension) character that plain Shift_JIS lacks
KANA = "ﾀｶﾊｼ ﾊﾅｺ"
FORM: Mapping[str, str] = {
    "f_kojin": MY_NUMBER,
    "f_simei": NAME,
    "f_kana": KANA,
    "f_sex": "2",
    "f_bd_g": "4",  # 平成
    "f_bd_y": "2",
    "f_bd_m": "4",
    "f_bd_d": "1",
    "f_zip": "100-0001",
    "f_jusyo": "東京都千代田区千代田１－１",
    "f_stk_g": "5",  # 令和
    "f_stk_y": "6",
    "f_stk_m": "4",
    "f_stk_d": "1",
    "f_jiyu": "01",
}
HASH_KEY = b"test-hash-key"
PASSWORD = "pw"
INSURED_NO = re.compile(r"<tr><th>被保険者番号</th><td>([0-9]{8})</td></tr>")
SEARCH_HEADER = "<tr><th>被保険者番号</th><th>氏名</th><th>生年月日</th><th>資格取得日</th></tr>"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "legacy.sqlite3"


def _app(db_path: Path, **options: Any) -> Any:
    return create_legacy_app(
        db_path=db_path, username="kokuho01", password=PASSWORD, hash_key=HASH_KEY, **options
    )


def _post(client: TestClient, path: str, form: Mapping[str, str]) -> Any:
    """POST ``form`` as a browser on a Shift_JIS page does: percent-encoded CP932."""
    body = urlencode(dict(form), encoding="cp932")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    return client.post(path, content=body, headers=headers)


def _html(response: Any) -> str:
    assert response.headers["content-type"] == "text/html; charset=Shift_JIS"
    text: str = response.content.decode("cp932")
    assert '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">' in text
    return text


def _login(client: TestClient, password: str = PASSWORD) -> Any:
    return _post(client, "/login", {"f_uid": "kokuho01", "f_pwd": password})


@pytest.fixture
def client(db_path: Path) -> Iterator[TestClient]:
    with TestClient(_app(db_path)) as logged_in:
        response = _login(logged_in)
        assert response.url.path == "/frame"
        yield logged_in


def _errors(text: str) -> list[str]:
    return re.findall(r'<font color="red">(.*?)</font>', text)


def _register(client: TestClient, changes: Mapping[str, str] | None = None) -> str:
    return _html(_post(client, "/register", {**FORM, **(changes or {})}))


def _insured_no(text: str) -> str:
    assert "資格取得届を登録しました。" in text, _errors(text)
    found = INSURED_NO.search(text)
    assert found, text
    return found.group(1)


def _search(client: TestClient, my_number: str) -> str:
    return _html(_post(client, "/search", {"f_kojin": my_number}))


def _result_rows(text: str) -> list[list[str]]:
    table = text.split(SEARCH_HEADER, 1)[1].split("</table>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]


def test_the_package_exports_a_sorted_all() -> None:
    assert sandbox.legacy.__all__ == sorted(sandbox.legacy.__all__)


def test_login_leads_to_the_frameset_and_the_menu_targets_the_main_frame(db_path: Path) -> None:
    with TestClient(_app(db_path)) as client:
        login = _html(client.get("/"))
        assert "<tr><th>ユーザーID</th>" in login and '<td class="lbl">パスワード</td>' in login
        assert 'value="ログイン"' in login and 'target="_top"' in login

        refused = _html(_login(client, password="wrong"))
        assert _errors(refused) == ["ユーザーIDまたはパスワードが正しくありません。"]
        assert "ASPSESSIONID" not in client.cookies

        frame = _html(_login(client))
        assert '<frameset cols="180,*"><frame name="menu" src="/menu">' in frame
        assert '<frame name="main" src="/top"></frameset>' in frame
        menu = _html(client.get("/menu"))
        assert '<a href="/search" target="main">被保険者検索</a>' in menu
        assert '<a href="/register" target="main">資格取得届 登録</a>' in menu
        assert '<a href="/logout" target="_top">ログアウト</a>' in menu
        assert "左のメニューから業務を選択してください。" in _html(client.get("/top"))

        assert "ログアウトしました。" in _html(client.get("/logout"))
        assert 'name="f_pwd"' in _html(client.get("/register"))


@pytest.mark.parametrize("path", ["/frame", "/menu", "/top", "/search", "/register", "/zip"])
def test_every_screen_without_a_session_is_the_login_page(db_path: Path, path: str) -> None:
    with TestClient(_app(db_path)) as client:
        page = _html(client.get(path))
        assert 'name="f_uid"' in page and 'name="f_pwd"' in page
        client.cookies.set("ASPSESSIONID", "stale")
        expired = _html(client.get(path))
        assert "セッションの有効期限が切れました。再度ログインしてください。" in expired


def test_a_post_without_a_session_stores_nothing(db_path: Path) -> None:
    with TestClient(_app(db_path)) as client:
        page = _html(_post(client, "/register", FORM))
    assert 'name="f_pwd"' in page
    assert inspect_legacy(db_path, key=HASH_KEY).records == 0


def test_every_screen_is_shift_jis_with_table_layouts_and_no_modern_labelling(
    client: TestClient,
) -> None:
    pages = [
        _html(client.get(path)) for path in ("/frame", "/menu", "/top", "/search", "/register")
    ]
    pages += [_html(client.get("/zip?code=1000001")), _register(client), _html(client.get("/"))]
    for page in pages:
        assert not re.search(r"<label|aria-|<fieldset|role=", page, re.I)
    register = pages[4]
    assert (
        '<tr><th>氏名</th><td><input type="text" name="f_simei" size="20" value=""></td></tr>'
        in (register)
    )
    assert '<td class="lbl">氏名カナ</td>' in register
    radios = (
        '<input type="radio" name="f_sex" value="1">男 <input type="radio" name="f_sex" value="2">'
    )
    assert f"{radios}女" in register
    birth = re.search(r'<td class="lbl">生年月日</td><td>(.*?)</td></tr>', register, re.S)
    assert birth is not None
    eras = re.findall(r'<option value="[0-9]">(.*?)</option>', birth.group(1))
    assert eras == ["明治", "大正", "昭和", "平成", "令和"]
    assert re.search(r'name="f_bd_y" size="2"[^>]*>年\s*<input[^>]*name="f_bd_m"[^>]*>月\s*'
                     r'<input[^>]*name="f_bd_d"[^>]*>日', birth.group(1))  # fmt: skip
    assert (
        "window.open('/zip?code=' + " in register and "'zip', 'width=420,height=320')" in register
    )
    assert "onclick=\"return confirm('登録します。よろしいですか？')\"" in register
    assert 'value="登録"' in register
    reasons = re.search(r'<select name="f_jiyu">(.*?)</select>', register)
    assert reasons is not None
    assert re.findall(r'<option value="[0-9]+">(.*?)</option>', reasons.group(1)) == [
        "社会保険離脱",
        "転入",
        "出生",
        "その他",
    ]


def test_kanji_and_halfwidth_kana_round_trip_and_numbers_are_sequential(
    client: TestClient, db_path: Path
) -> None:
    first = _insured_no(_register(client))
    second = _insured_no(_register(client, {"f_kojin": OTHER_MY_NUMBER, "f_zip": "1000001"}))
    assert (first, second) == ("10000001", "10000002")

    found = _search(client, MY_NUMBER)
    assert _result_rows(found) == [["10000001", NAME, "平成2年4月1日", "令和6年4月1日"]]
    with sqlite3.connect(db_path) as conn:
        stored = conn.execute(
            "SELECT name, name_kana, postal_code FROM insured ORDER BY id"
        ).fetchall()
    assert stored == [(NAME, KANA, "100-0001"), (NAME, KANA, "100-0001")]


def test_the_same_person_registered_twice_is_two_records(client: TestClient, db_path: Path) -> None:
    first, second = _insured_no(_register(client)), _insured_no(_register(client))

    assert [row[0] for row in _result_rows(_search(client, MY_NUMBER))] == [first, second]
    summary = inspect_legacy(db_path, key=HASH_KEY)
    assert summary.records == 2
    assert dict(summary.duplicates) == {summary.digest_of(MY_NUMBER): 2}
    assert summary.insured_nos_of(MY_NUMBER) == (first, second)
    assert summary.insured_nos_of(OTHER_MY_NUMBER) == ()
    assert MY_NUMBER not in repr(summary)
    as_json = client.get("/_inspect/summary").json()
    assert as_json == {
        "records": 2,
        "duplicates": [{"my_number_hmac": summary.digest_of(MY_NUMBER), "count": 2}],
    }


def test_the_file_holds_no_my_number(client: TestClient, db_path: Path) -> None:
    _insured_no(_register(client))
    stored = b"".join(p.read_bytes() for p in db_path.parent.glob("legacy.sqlite3*"))
    assert MY_NUMBER.encode() not in stored
    assert NAME.encode("utf-8") in stored  # the file is the right one, and written


def test_a_search_that_finds_nothing_or_is_malformed(client: TestClient) -> None:
    assert "該当する被保険者はいません。" in _search(client, MY_NUMBER)
    assert _errors(_search(client, "123456789010")) == ["個人番号が正しくありません。"]
    assert _errors(_search(client, "")) == ["個人番号を入力してください。"]


ZIP_SHAPE = "郵便番号は7桁の半角数字（ハイフン可）で入力してください。"
SHOWA_64_JAN_8 = {"f_stk_g": "3", "f_stk_y": "64", "f_stk_m": "1", "f_stk_d": "8"}  # 平成元年
BEFORE_BIRTH = {"f_stk_g": "4", "f_stk_y": "1", "f_stk_m": "4", "f_stk_d": "1"}


def _reiwa_next_year() -> str:
    return str(date.today().year - 2018 + 1)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"f_kojin": ""}, "個人番号を入力してください。"),
        ({"f_kojin": "12345678901"}, "個人番号は12桁の半角数字で入力してください。"),
        ({"f_kojin": "１２３４５６７８９０１８"}, "個人番号は12桁の半角数字で入力してください。"),
        ({"f_kojin": "123456789010"}, "個人番号が正しくありません。"),
        ({"f_simei": ""}, "氏名を入力してください。"),
        ({"f_kana": "タカハシ　ハナコ"}, "氏名カナは半角カナで入力してください。"),
        ({"f_kana": "たかはし"}, "氏名カナは半角カナで入力してください。"),
        ({"f_kana": ""}, "氏名カナを入力してください。"),
        ({"f_sex": ""}, "性別を選択してください。"),
        ({"f_bd_m": "2", "f_bd_d": "30"}, "生年月日が正しくありません。"),
        ({"f_bd_y": "31", "f_bd_m": "5", "f_bd_d": "1"}, "生年月日が正しくありません。"),
        ({"f_bd_g": "5", "f_bd_y": "__NEXT__"}, "生年月日に未来の日付は入力できません。"),
        ({"f_bd_d": ""}, "生年月日を入力してください。"),
        ({"f_bd_g": ""}, "生年月日を入力してください。"),
        ({"f_bd_y": "２"}, "生年月日は半角数字で入力してください。"),
        ({"f_zip": "100-001"}, ZIP_SHAPE),
        ({"f_zip": "１００－０００１"}, ZIP_SHAPE),
        ({"f_zip": ""}, "郵便番号を入力してください。"),
        ({"f_jusyo": ""}, "住所を入力してください。"),
        (SHOWA_64_JAN_8, "資格取得日が正しくありません。"),
        (BEFORE_BIRTH, "資格取得日は生年月日以降の日付を入力してください。"),
        ({"f_jiyu": ""}, "取得事由を選択してください。"),
        ({"f_jiyu": "05"}, "取得事由を選択してください。"),
    ],
)  # fmt: skip
def test_a_refused_form_names_the_field_keeps_the_values_and_stores_nothing(
    client: TestClient, db_path: Path, changes: dict[str, str], message: str
) -> None:
    changes = {k: _reiwa_next_year() if v == "__NEXT__" else v for k, v in changes.items()}
    page = _register(client, changes)

    assert _errors(page) == [message]
    assert "資格取得届を登録しました。" not in page
    for key, value in {**FORM, **changes}.items():
        if key in ("f_sex", "f_jiyu") or key.endswith("_g"):
            if key not in changes:  # a choice that is not an option cannot be shown chosen
                assert re.search(rf'name="{key}"[^>]*value="{value}"[^>]*checked|'
                                 rf'<option value="{value}" selected>', page), key  # fmt: skip
        else:
            assert f'name="{key}"' in page and f'value="{value}"' in page, key
    assert inspect_legacy(db_path, key=HASH_KEY).records == 0


def test_every_problem_is_one_red_line_and_no_value_is_echoed(client: TestClient) -> None:
    page = _register(
        client, {"f_kojin": "123456789010", "f_simei": "", "f_kana": "タカハシ", "f_sex": ""}
    )
    errors = _errors(page)
    assert errors == [
        "個人番号が正しくありません。",
        "氏名を入力してください。",
        "氏名カナは半角カナで入力してください。",
        "性別を選択してください。",
    ]
    assert page.index("<form") > page.index('<font color="red">')
    assert not any("123456789010" in e or "タカハシ" in e for e in errors)


def test_the_address_popup_lists_the_areas_of_a_postal_code(client: TestClient) -> None:
    one = _html(client.get("/zip?code=1000001"))
    assert "<td>東京都千代田区千代田</td>" in one
    assert (
        '<input type="button" value="選択" onclick="window.opener.document.forms[0]'
        ".elements['f_jusyo'].value = '東京都千代田区千代田'; window.close();\">"
    ) in one
    shared = _html(client.get("/zip?code=498-0000"))
    assert "<td>愛知県弥富市</td>" in shared and "<td>三重県桑名郡木曽岬町</td>" in shared
    for unknown in ("9999999", "12", "<script>"):
        assert "該当する住所がありません。" in _html(client.get("/zip", params={"code": unknown}))


def test_a_label_renamed_by_an_upgrade_shows_on_the_screen_and_in_its_messages(
    db_path: Path,
) -> None:
    renamed = {"f_kana": "フリガナ（半角）"}
    with TestClient(_app(db_path)) as client:
        url = "/admin/labels.json"
        assert client.put(url, json=renamed).status_code == 401
        answer = client.put(url, json=renamed, headers=admin_headers())
        assert answer.status_code == 200 and answer.json()["f_kana"] == "フリガナ（半角）"
        assert client.put(url, json={"f_nope": "x"}, headers=admin_headers()).status_code == 422
        _login(client)
        page = _html(client.get("/register"))
        assert '<td class="lbl">フリガナ（半角）</td>' in page and "氏名カナ" not in page
        refused = _register(client, {"f_kana": "タカハシ"})
        assert _errors(refused) == ["フリガナ（半角）は半角カナで入力してください。"]
        client.put(url, json={}, headers=admin_headers())
        assert '<td class="lbl">氏名カナ</td>' in _html(client.get("/register"))
    with TestClient(_app(db_path, labels=renamed)) as client:
        _login(client)
        assert "フリガナ（半角）" in _html(client.get("/register"))
    with pytest.raises(ValueError, match="unknown fields"):
        _app(db_path, labels={"name": "氏名"})


@pytest.mark.browser
def test_a_registration_in_chromium_through_the_frames_the_popup_and_the_confirm(
    sandbox: RunningSandbox, page: Any
) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    page.goto(f"{sandbox.legacy_url}/")
    page.locator("input[name=f_uid]").fill(LEGACY_USER)
    page.locator("input[name=f_pwd]").fill(ensure_secret("sandbox-legacy-password"))
    page.locator("input[value=ログイン]").click()
    menu = page.frame_locator("frame[name=menu]")
    main = page.frame_locator("frame[name=main]")
    expect(main.get_by_text("左のメニューから業務を選択してください。")).to_be_visible()

    menu.get_by_text("資格取得届 登録").click()
    form = {**FORM}
    for name in ("f_kojin", "f_simei", "f_kana", "f_zip", "f_bd_y", "f_bd_m", "f_bd_d",
                 "f_stk_y", "f_stk_m", "f_stk_d"):  # fmt: skip
        main.locator(f"input[name={name}]").fill(form[name])
    main.locator("select[name=f_bd_g]").select_option(label="平成")
    main.locator("select[name=f_stk_g]").select_option(label="令和")
    main.locator("select[name=f_jiyu]").select_option(label="社会保険離脱")
    main.locator("input[name=f_sex][value='2']").check()

    with page.expect_popup() as popup_info:
        main.locator("input[value=住所検索]").click()
    popup = popup_info.value
    expect(popup.get_by_text("東京都千代田区千代田")).to_be_visible()
    with popup.expect_event("close"):
        try:
            popup.locator("input[value=選択]").click()
        except PlaywrightError:
            # The button closes its own window: Playwright sometimes reports the click as
            # failed because the page went away while it finished (microsoft/playwright#26900).
            if not popup.is_closed():
                raise
    expect(main.locator("input[name=f_jusyo]")).to_have_value("東京都千代田区千代田")

    dialogs: list[str] = []

    def accept(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    main.locator("input[value=登録]").click()
    expect(main.get_by_text("資格取得届を登録しました。")).to_be_visible()
    assert dialogs == ["登録します。よろしいですか？"]
    insured_no = main.locator("th:has-text('被保険者番号') + td").inner_text()
    assert re.fullmatch(r"[0-9]{8}", insured_no)

    summary = inspect_legacy(sandbox.paths.legacy_db)
    assert summary.records == 1 and summary.insured_nos_of(MY_NUMBER) == (insured_no,)

    menu.get_by_text("被保険者検索").click()
    main.locator("input[name=f_kojin]").fill(MY_NUMBER)
    main.locator("input[value=検索]").click()
    row = main.locator("tr", has=page.locator(f"td:text-is('{insured_no}')"))
    expect(row).to_contain_text(NAME)
    with sqlite3.connect(sandbox.paths.legacy_db) as conn:
        assert conn.execute("SELECT name, name_kana, address FROM insured").fetchall() == [
            (NAME, KANA, "東京都千代田区千代田")
        ]
