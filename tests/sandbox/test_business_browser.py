"""The 業務システム sandbox driven through real Chromium, read back by its inspection."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from core.secrets import ensure_secret
from sandbox import BUSINESS_USER, FaultSettings, RunningSandbox
from sandbox.business import inspect_business

pytestmark = pytest.mark.browser

MY_NUMBER = "123456789018"
APPLICANT: Mapping[str, str] = {
    "個人番号": MY_NUMBER,
    "氏名": "山田　花子",
    "フリガナ": "ヤマダ　ハナコ",
    "郵便番号": "100-0001",
    "住所": "東京都千代田区千代田１－１",
    "電話番号": "03-1234-5678",
}
APPLICANT_BIRTH = ("平成", "2", "4", "1")
CHILD_BIRTH = ("令和", "3", "6", "10")
RECIPIENT_NO = re.compile(r"^J[0-9]{7}$")


def _login(page: Page, sandbox: RunningSandbox, *, password: str | None = None) -> None:
    page.goto(f"{sandbox.business_url}/login")
    page.get_by_label("ユーザーID").fill(BUSINESS_USER)
    page.get_by_label("パスワード").fill(password or ensure_secret("sandbox-business-password"))
    page.get_by_role("button", name="ログイン").click()


def _pick_date(scope: Page | Locator, era: str, year: str, month: str, day: str) -> None:
    group = scope.get_by_role("group", name="生年月日")
    group.get_by_label("元号").select_option(era)
    group.get_by_label("年", exact=True).select_option(year)
    group.get_by_label("月", exact=True).select_option(month)
    group.get_by_label("日", exact=True).select_option(day)


def _fill_applicant(
    page: Page,
    overrides: Mapping[str, str] | None = None,
    *,
    birth: tuple[str, str, str, str] = APPLICANT_BIRTH,
) -> None:
    page.get_by_role("link", name="新規登録").click()
    expect(page.get_by_role("heading", name="新規登録（請求者）")).to_be_visible()
    for label, value in {**APPLICANT, **(overrides or {})}.items():
        page.get_by_label(label, exact=True).fill(value)
    _pick_date(page, *birth)
    page.get_by_role("group", name="性別").get_by_label("女").check()
    page.get_by_role("group", name="配偶者").get_by_label("有").check()
    page.get_by_role("button", name="次へ").click()


def _fill_children_and_account(page: Page) -> None:
    expect(page.get_by_role("heading", name="新規登録（児童）")).to_be_visible()
    child = page.get_by_role("group", name="児童1")
    child.get_by_label("氏名").fill("山田　太郎")
    child.get_by_label("フリガナ").fill("ヤマダ　タロウ")
    _pick_date(child, *CHILD_BIRTH)
    child.get_by_label("男").check()
    child.get_by_label("続柄").select_option("子")
    expect(child.get_by_label("同居")).to_be_checked()
    page.get_by_role("button", name="次へ").click()

    expect(page.get_by_role("heading", name="新規登録（振込口座）")).to_be_visible()
    page.get_by_label("金融機関コード").fill("0005")
    page.get_by_label("金融機関名").fill("三菱ＵＦＪ銀行")
    page.get_by_label("支店コード").fill("001")
    page.get_by_label("支店名").fill("本店")
    page.get_by_label("普通").check()
    page.get_by_label("口座番号").fill("1234567")
    page.get_by_label("口座名義").fill("ヤマダ　ハナコ")
    page.get_by_role("button", name="次へ").click()


def _register(page: Page) -> str:
    """One full registration from the menu; the 受給者番号 shown on 完了."""
    _fill_applicant(page)
    _fill_children_and_account(page)
    expect(page.get_by_role("heading", name="新規登録（確認）")).to_be_visible()
    expect(page.get_by_text("平成2年4月1日")).to_be_visible()
    expect(page.get_by_text("令和3年6月10日")).to_be_visible()
    page.get_by_role("button", name="登録").click()
    expect(page.get_by_role("status")).to_have_text("登録が完了しました。")
    recipient_no = page.locator("#recipient-no")
    expect(recipient_no).to_have_text(RECIPIENT_NO)
    text = recipient_no.inner_text()
    page.get_by_role("link", name="メニューへ戻る").click()
    expect(page.get_by_role("heading", name="メニュー")).to_be_visible()
    return text


def test_wrong_password_shows_the_message_and_right_one_reaches_menu(
    page: Page, sandbox: RunningSandbox
) -> None:
    _login(page, sandbox, password="wrong-password")
    expect(page.get_by_role("alert")).to_have_text("ユーザーIDまたはパスワードが正しくありません。")
    _login(page, sandbox)
    expect(page.get_by_role("heading", name="メニュー")).to_be_visible()
    expect(page.get_by_role("link", name="受給者検索")).to_be_visible()
    expect(page.get_by_role("link", name="新規登録")).to_be_visible()


def test_full_registration_shows_a_recipient_number_and_stores_one_record(
    page: Page, sandbox: RunningSandbox
) -> None:
    _login(page, sandbox)
    recipient_no = _register(page)

    assert recipient_no == "J0000001"
    summary = inspect_business(sandbox.paths.business_db)
    assert (summary.records, summary.children, dict(summary.duplicates)) == (1, 1, {})
    assert summary.recipient_nos_of(MY_NUMBER) == ("J0000001",)
    page.goto(f"{sandbox.business_url}/recipients/{recipient_no}")
    expect(page.get_by_role("cell", name="ヤマダ　タロウ")).to_be_visible()


@pytest.mark.parametrize(
    ("overrides", "birth", "message"),
    [
        ({"氏名": "ﾔﾏﾀﾞ　花子"}, APPLICANT_BIRTH, "氏名は全角で入力してください。"),
        (
            {"フリガナ": "やまだ　はなこ"},
            APPLICANT_BIRTH,
            "フリガナは全角カタカナで入力してください。",
        ),
        ({}, ("平成", "31", "5", "1"), "生年月日が正しくありません。"),
        ({"個人番号": "123456789012"}, APPLICANT_BIRTH, "個人番号が正しくありません。"),
    ],
    ids=["half-width-name", "hiragana-furigana", "heisei-31-may", "bad-check-digit"],
)
def test_invalid_applicant_shows_the_message_keeps_the_values_and_stores_nothing(
    page: Page,
    sandbox: RunningSandbox,
    overrides: dict[str, str],
    birth: tuple[str, str, str, str],
    message: str,
) -> None:
    _login(page, sandbox)
    _fill_applicant(page, overrides, birth=birth)

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(message)
    expect(alert).not_to_contain_text(MY_NUMBER)
    expect(alert).not_to_contain_text("123456789012")
    expect(page.get_by_role("heading", name="新規登録（請求者）")).to_be_visible()
    expect(page.get_by_label("住所")).to_have_value(APPLICANT["住所"])
    expect(page.get_by_role("group", name="生年月日").get_by_label("年", exact=True)).to_have_value(
        birth[1]
    )
    # A later screen cannot be reached by URL while this one is refused.
    page.goto(f"{sandbox.business_url}/register/account")
    expect(page.get_by_role("heading", name="新規登録（請求者）")).to_be_visible()
    assert inspect_business(sandbox.paths.business_db).records == 0


def test_same_person_twice_gives_two_records_and_one_duplicate(
    page: Page, sandbox: RunningSandbox
) -> None:
    _login(page, sandbox)
    first, second = _register(page), _register(page)

    assert (first, second) == ("J0000001", "J0000002")
    summary = inspect_business(sandbox.paths.business_db)
    digest = summary.digest_of(MY_NUMBER)
    assert summary.records == 2
    assert dict(summary.duplicates) == {digest: (first, second)}
    page.goto(f"{sandbox.business_url}/_inspect/summary")  # the page's login will do
    assert digest in page.content()
    assert MY_NUMBER not in page.content()
    assert hashlib.sha256(MY_NUMBER.encode("ascii")).hexdigest() not in page.content()


def test_notice_modal_blocks_the_menu_until_closed(page: Page, sandbox: RunningSandbox) -> None:
    sandbox.set_faults(FaultSettings(modal_rate=1.0))
    _login(page, sandbox)

    dialog = page.get_by_role("dialog", name="お知らせ")
    expect(dialog).to_be_visible()
    with pytest.raises(PlaywrightTimeoutError):
        page.get_by_role("link", name="受給者検索", include_hidden=True).click(timeout=500)
    expect(page.get_by_role("heading", name="メニュー")).to_be_visible()

    dialog.get_by_role("button", name="閉じる").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("link", name="受給者検索").click()
    expect(page.get_by_role("heading", name="受給者検索")).to_be_visible()


def test_session_expiry_sends_back_to_login_and_loses_the_draft(
    page: Page, sandbox: RunningSandbox
) -> None:
    sandbox.set_faults(FaultSettings(session_expiry_requests=4))
    _login(page, sandbox)  # request 1: メニュー
    _fill_applicant(page)  # 2: /register, 3: 請求者, 4: 次へ (POST), 5: 児童 → expired

    expect(page.get_by_role("status")).to_contain_text("セッションの有効期限が切れました")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    sandbox.set_faults(FaultSettings())
    page.get_by_label("ユーザーID").fill(BUSINESS_USER)
    page.get_by_label("パスワード").fill(ensure_secret("sandbox-business-password"))
    page.get_by_role("button", name="ログイン").click()

    # Back to where the session ended, but the draft went with the session.
    expect(page.get_by_role("heading", name="新規登録（請求者）")).to_be_visible()
    expect(page.get_by_label("氏名")).to_have_value("")
    assert inspect_business(sandbox.paths.business_db).records == 0


def test_search_by_my_number_and_by_name_and_birth_date_finds_the_record(
    page: Page, sandbox: RunningSandbox
) -> None:
    _login(page, sandbox)
    recipient_no = _register(page)
    page.get_by_role("link", name="受給者検索").click()

    page.get_by_label("個人番号").fill(MY_NUMBER)
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_role("row", name=recipient_no)).to_contain_text("平成2年4月1日")

    page.get_by_label("個人番号").fill("")
    page.get_by_label("氏名").fill("山田 花子")  # half-width space: compared NFKC, spaces ignored
    _pick_date(page, *APPLICANT_BIRTH)
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_role("row", name=recipient_no)).to_contain_text("ヤマダ　ハナコ")

    page.get_by_label("氏名").fill("山田　次郎")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_role("status")).to_have_text("該当する受給者は見つかりませんでした。")
    expect(page.get_by_role("row", name=recipient_no)).to_have_count(0)

    page.get_by_label("個人番号").fill("123456789012")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_role("alert")).to_have_text("個人番号が正しくありません。")
