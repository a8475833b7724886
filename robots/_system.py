"""A target system reached through the browser: login, navigation, re-login on expiry."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Protocol, TypeVar

from playwright.sync_api import Locator, Page, expect

from core.errors import ConfigError, ElementNotFound, SessionExpired
from core.systems import LoginForm
from robots._actions import click, probe_screen
from robots._forms import fill_form
from robots._pages import Screen, check_page, raise_if_refused, read_screen, retry_step

__all__ = ["PageHolder", "TargetSystem"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class PageHolder(Protocol):
    """Whatever holds the page to act on now (a :class:`~robots.RobotWorker`)."""

    @property
    def page(self) -> Page: ...


class TargetSystem:
    """Base of the business verbs of one system: owns the page, logs in, re-logs in.

    Subclasses set ``system_name`` (Japanese, used in messages) and add verbs.
    """

    system_name = "対象システム"

    def __init__(
        self,
        page: Page | PageHolder,
        *,
        base_url: str,
        username: str,
        password: str,
        login_form: LoginForm | None = None,
    ) -> None:
        """``page`` is the page to work on, or what holds the current one: pass a
        :class:`~robots.RobotWorker` itself, as it opens a new tab for every item.
        ``login_form`` is the system's own login screen (``login:`` in its system.yaml), if
        it is not the default one."""
        self._page_or_holder = page
        self.base_url = base_url.rstrip("/")
        self._username = username
        self._password = password
        self._login_form = login_form

    @property
    def page(self) -> Page:
        """The page the verbs act on now."""
        held = self._page_or_holder
        return held if isinstance(held, Page) else held.page

    def open_screen(self, path: str, heading: str) -> Screen:
        """Open ``path`` and wait for the screen titled ``heading`` (see :meth:`expect_heading`)."""
        self.page.goto(self.base_url + path)
        return self.expect_heading(heading)

    def check(self) -> Screen:
        """Read the screen now shown; raise if it is an error page or the login screen; close
        any notice covering it (:meth:`dismiss_notices`). Returns the screen.

        Every verb calls this once per page it reaches (after a load or a submit).
        """
        screen = read_screen(self.page)
        check_page(screen, system=self.system_name)
        if screen.dialogs and self.dismiss_notices(screen):
            screen = read_screen(self.page)
        return screen

    def submit(self, button: Locator) -> None:
        """Click a button that sends a form, and wait until the page it leads to has loaded.

        Playwright's click does not wait for the navigation it starts: checked straight
        after, the page could still be the form while the answer (an error page, say) is
        arriving, and a system error would read as a refusal of the input. The click is
        forced: Playwright's check that the button stands still costs two animation frames
        (about 33 ms) per click, and these screens do not move; a covered button (an
        unclosed notice) is still caught, as no page then loads.
        """
        with self.page.expect_event("load"):
            button.click(force=True)

    def send(self, button: Locator) -> Screen:
        """:meth:`submit` a form and :meth:`check` the answer; :class:`InvalidInput` with the
        target's messages if it refused the input."""
        self.submit(button)
        screen = self.check()
        raise_if_refused(screen, system=self.system_name)
        return screen

    def dismiss_notices(self, screen: Screen) -> bool:
        """Hook for subclasses: close pop-ups a screen may open over itself on load (their
        names are in ``screen.dialogs``); True if one was closed."""
        return False

    def expect_heading(self, name: str, *, screen: Screen | None = None) -> Screen:
        """Wait for the screen titled ``name``; :class:`ElementNotFound` if another came.

        An error page or the login screen raises first. ``screen`` is the screen the caller
        has just checked, if any. Returns the screen.
        """
        screen = screen or self.check()
        if name in screen.headings:
            return screen
        try:  # not shown yet (a page that draws itself late), or another screen came
            expect(self.page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        except AssertionError as exc:
            raise ElementNotFound(f"{self.system_name}: 画面「{name}」が表示されません") from exc
        return self.check()

    def login(self) -> None:
        """Log in (retrying busy or failing pages). A refused password is a ConfigError.

        With a ``login_form``, its fields and button are found by name like every field (a
        legacy table layout too), and a login that still shows the password field failed.
        """
        if self._login_form is not None:
            form = self._login_form
            retry_step(lambda: self._log_in_with(form), what=f"login to {self.system_name}")
            log.debug("logged in to %s", self.system_name)
            return

        def attempt() -> None:
            self.page.goto(f"{self.base_url}/login")
            with contextlib.suppress(SessionExpired):  # the login page is where we want to be
                self.check()
            page = self.page
            page.get_by_label("ユーザーID").fill(self._username)
            page.get_by_label("パスワード").fill(self._password)
            self.submit(page.get_by_role("button", name="ログイン"))
            try:
                self.check()
            except SessionExpired:
                raise ConfigError(
                    f"{self.system_name}にログインできません: ユーザーIDかパスワードが違います"
                ) from None

        retry_step(attempt, what=f"login to {self.system_name}")
        log.debug("logged in to %s", self.system_name)

    def _log_in_with(self, form: LoginForm) -> None:
        page = self.page
        page.goto(self.base_url + form.path)
        values = {form.user_field: self._username, form.password_field: self._password}
        fill_form(page, values, system=self.system_name)
        with page.expect_event("load"):
            click(page, form.submit, system=self.system_name)
        if any(
            not probe_screen(target, fields=[form.password_field], buttons=[])
            for target in page.frames
        ):
            raise ConfigError(
                f"{self.system_name}にログインできません: ユーザーIDかパスワードが違います"
            )

    def with_session(self, verb: Callable[[], T], *, attempts: int = 5) -> T:
        """Run ``verb``, logging in again whenever the session has expired."""
        for attempt in range(1, attempts + 1):
            try:
                return verb()
            except SessionExpired:
                if attempt == attempts:
                    raise
                log.debug("%s session expired; logging in again", self.system_name)
                self.login()
        raise AssertionError("unreachable")
