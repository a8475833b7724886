"""Business verbs on the 業務システム: find a recipient, register an application, exactly once."""

from __future__ import annotations

import logging
import time
from datetime import date

from playwright.sync_api import Locator

from core.application import ChildAllowanceApplication
from core.errors import ElementNotFound, InvalidInput, SessionExpired, TargetUnavailable
from core.wareki import to_wareki
from robots._pages import Screen, retry_step
from robots._system import TargetSystem

__all__ = ["BusinessSystem"]

log = logging.getLogger(__name__)


def _fill_date(group: Locator, day: date) -> None:
    wareki = to_wareki(day)
    group.get_by_label("元号", exact=True).select_option(wareki.era.name)
    group.get_by_label("年", exact=True).select_option(str(wareki.year))
    group.get_by_label("月", exact=True).select_option(str(wareki.month))
    group.get_by_label("日", exact=True).select_option(str(wareki.day))


def _choose(group: Locator, option: str) -> None:
    """Check the radio button ``option`` in ``group``. Forced, as :meth:`TargetSystem.submit`
    explains; Playwright still verifies that the button became checked."""
    group.get_by_label(option, exact=True).check(force=True)


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

    def _applicant_screen(self, application: ChildAllowanceApplication) -> None:
        page, person = self.page, application.applicant
        self._screen = None
        self.open_screen("/register", "新規登録（請求者）")  # starts a fresh draft
        page.get_by_label("個人番号").fill(person.my_number)
        page.get_by_label("氏名", exact=True).fill(person.name)
        page.get_by_label("フリガナ", exact=True).fill(person.name_kana)
        _fill_date(page.get_by_role("group", name="生年月日"), person.birth_date)
        _choose(page.get_by_role("group", name="性別"), person.gender)
        page.get_by_label("郵便番号").fill(person.postal_code)
        page.get_by_label("住所").fill(person.address)
        page.get_by_label("電話番号").fill(person.phone)
        spouse = "有" if person.has_spouse else "無"
        _choose(page.get_by_role("group", name="配偶者"), spouse)
        self._submit("新規登録（児童）")

    def _children_screen(self, application: ChildAllowanceApplication) -> None:
        page = self.page
        if self._screen != "新規登録（児童）":  # a retry: the draft is kept, open its screen
            self.open_screen("/register/children", "新規登録（児童）")
        self._screen = None
        for n in (1, 2, 3):
            group = page.get_by_role("group", name=f"児童{n}", exact=True)
            if n > len(application.children):
                group.get_by_label("氏名", exact=True).fill("")
                group.get_by_label("フリガナ", exact=True).fill("")
                continue
            child = application.children[n - 1]
            group.get_by_label("氏名", exact=True).fill(child.name)
            group.get_by_label("フリガナ", exact=True).fill(child.name_kana)
            _fill_date(group.get_by_role("group", name="生年月日"), child.birth_date)
            _choose(group.get_by_role("group", name="性別"), child.gender)
            group.get_by_label("続柄").select_option(child.relationship)
            group.get_by_label("同居").set_checked(child.living_together, force=True)
        self._submit("新規登録（振込口座）")

    def _account_screen(self, application: ChildAllowanceApplication) -> None:
        page, account = self.page, application.account
        if self._screen != "新規登録（振込口座）":  # a retry: the draft is kept, open its screen
            self.open_screen("/register/account", "新規登録（振込口座）")
        self._screen = None
        page.get_by_label("金融機関コード").fill(account.bank_code)
        page.get_by_label("金融機関名").fill(account.bank_name)
        page.get_by_label("支店コード").fill(account.branch_code)
        page.get_by_label("支店名").fill(account.branch_name)
        _choose(page.get_by_role("group", name="預金種目"), account.account_type)
        page.get_by_label("口座番号").fill(account.account_number)
        page.get_by_label("口座名義").fill(account.account_holder_kana)
        self._submit("新規登録（確認）")

    def _open_confirm(self) -> None:
        if self._screen != "新規登録（確認）":
            screen = self.open_screen("/register/confirm", "新規登録（確認）")
            if screen.alerts:
                raise InvalidInput("業務システムが確認画面で入力を受け付けませんでした")
        self._screen = None
