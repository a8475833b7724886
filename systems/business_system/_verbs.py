"""Business verbs on the 業務システム: find a recipient, register an application, exactly once."""

from __future__ import annotations

import logging
import time
from datetime import date

from core.errors import ElementNotFound, InvalidInput, SessionExpired, TargetUnavailable
from core.wareki import to_wareki
from robots import FormValues, Screen, TargetSystem, fill_form, retry_step
from systems.business_system._application import ChildAllowanceApplication

__all__ = ["BusinessSystem"]

log = logging.getLogger(__name__)


def _date_fields(day: date) -> dict[str, str]:
    """The 元号・年・月・日 selects of a 和暦 date group."""
    wareki = to_wareki(day)
    return {
        "元号": wareki.era.name,
        "年": str(wareki.year),
        "月": str(wareki.month),
        "日": str(wareki.day),
    }


class BusinessSystem(TargetSystem):
    """The child-allowance business system (児童手当システム)."""

    system_name = "業務システム"
    # The registration screen the last 次へ reached, so a step knows it is already there;
    # cleared as a step starts, so a retry after a failure opens its screen afresh.
    _screen: str | None = None

    def dismiss_notices(self, screen: Screen) -> bool:
        """Close the お知らせ modal, which may open over a screen as it loads.

        Looked for in the screen read once per page reached (:meth:`check`), not before
        every action (as a Playwright locator handler would): that cost about a fifth of the
        robot's time per item.
        """
        if "お知らせ" not in screen.dialogs:
            return False
        notice = self.page.get_by_role("dialog", name="お知らせ")
        notice.get_by_role("button", name="閉じる").click()
        return True

    # -- search --------------------------------------------------------------------------

    def find_recipient(self, *, my_number: str) -> list[str]:
        """受給者番号 of every recipient registered with ``my_number`` (usually 0 or 1)."""
        return self.with_session(lambda: retry_step(lambda: self._search(my_number), what="search"))

    def _search(self, my_number: str) -> list[str]:
        page = self.page
        self.open_screen("/search", "受給者検索")
        page.get_by_label("個人番号").fill(my_number)
        self.send(page.get_by_role("button", name="検索"))
        results = page.get_by_role("table", name="検索結果")
        if results.count() == 0:
            if page.get_by_text("該当する受給者は見つかりませんでした").count():
                return []
            raise ElementNotFound("業務システム: 検索結果が表示されません")
        return [
            text.strip()
            for text in results.get_by_role("row").locator("td:first-child").all_inner_texts()
        ]

    # -- registration --------------------------------------------------------------------

    def ensure_registered(
        self, application: ChildAllowanceApplication, *, attempts: int = 12
    ) -> tuple[str, bool]:
        """Register the applicant unless the system already has them; exactly once.

        Every attempt first searches by 個人番号, so a registration committed just before a
        crash, an error page or an expired session is found instead of entered again.
        Returns ``(受給者番号, created)``. Business refusals raise at once; technical
        failures are retried ``attempts`` times, then raised.
        """
        my_number = application.applicant.my_number
        for attempt in range(1, attempts + 1):
            try:
                found = self.find_recipient(my_number=my_number)
                if found:
                    if len(found) > 1:
                        log.warning("recipient registered %d times before jimu", len(found))
                    return found[0], False
                return self._register(application), True
            except SessionExpired:
                if attempt == attempts:
                    raise
                self.login()
            except (TargetUnavailable, ElementNotFound):
                if attempt == attempts:
                    raise
                time.sleep(min(0.2 * attempt, 2.0))
        raise AssertionError("unreachable")

    def _register(self, application: ChildAllowanceApplication) -> str:
        retry_step(lambda: self._applicant_screen(application), what="applicant screen")
        retry_step(lambda: self._children_screen(application), what="children screen")
        retry_step(lambda: self._account_screen(application), what="account screen")
        # 登録 is not repeated here: if its answer is lost, the caller searches first.
        retry_step(lambda: self._open_confirm(), what="confirm screen")
        self.submit(self.page.get_by_role("button", name="登録", exact=True))
        self.expect_heading("新規登録（完了）")
        recipient_no = self.page.locator("#recipient-no").inner_text().strip()
        log.debug("registered application %s as %s", application.application_id, recipient_no)
        return recipient_no

    def _submit(self, next_heading: str) -> None:
        screen = self.send(self.page.get_by_role("button", name="次へ"))
        self.expect_heading(next_heading, screen=screen)
        self._screen = next_heading

    def _fill(self, values: FormValues) -> None:
        fill_form(self.page, values, system=self.system_name)

    def _applicant_screen(self, application: ChildAllowanceApplication) -> None:
        person = application.applicant
        self._screen = None
        self.open_screen("/register", "新規登録（請求者）")  # starts a fresh draft
        self._fill(
            {
                "個人番号": person.my_number,
                "氏名": person.name,
                "フリガナ": person.name_kana,
                "生年月日": _date_fields(person.birth_date),
                "性別": person.gender,
                "郵便番号": person.postal_code,
                "住所": person.address,
                "電話番号": person.phone,
                "配偶者": "有" if person.has_spouse else "無",
            }
        )
        self._submit("新規登録（児童）")

    def _children_screen(self, application: ChildAllowanceApplication) -> None:
        if self._screen != "新規登録（児童）":  # a retry: the draft is kept, open its screen
            self.open_screen("/register/children", "新規登録（児童）")
        self._screen = None
        groups: dict[str, FormValues] = {}
        for n in (1, 2, 3):
            if n > len(application.children):
                groups[f"児童{n}"] = {"氏名": "", "フリガナ": ""}
                continue
            child = application.children[n - 1]
            groups[f"児童{n}"] = {
                "氏名": child.name,
                "フリガナ": child.name_kana,
                "生年月日": _date_fields(child.birth_date),
                "性別": child.gender,
                "続柄": child.relationship,
                "同居": child.living_together,
            }
        self._fill(groups)
        self._submit("新規登録（振込口座）")

    def _account_screen(self, application: ChildAllowanceApplication) -> None:
        account = application.account
        if self._screen != "新規登録（振込口座）":  # a retry: the draft is kept, open its screen
            self.open_screen("/register/account", "新規登録（振込口座）")
        self._screen = None
        self._fill(
            {
                "金融機関コード": account.bank_code,
                "金融機関名": account.bank_name,
                "支店コード": account.branch_code,
                "支店名": account.branch_name,
                "預金種目": account.account_type,
                "口座番号": account.account_number,
                "口座名義": account.account_holder_kana,
            }
        )
        self._submit("新規登録（確認）")

    def _open_confirm(self) -> None:
        if self._screen != "新規登録（確認）":
            screen = self.open_screen("/register/confirm", "新規登録（確認）")
            if screen.alerts:
                raise InvalidInput("業務システムが確認画面で入力を受け付けませんでした")
        self._screen = None
