"""Doing a declared scenario's steps in the browser: one row, exactly once; or a screen check.

:class:`DeclaredRobot` takes a row's values, opens the system's start screen (logging in if
the system asks), searches first and registers only if the search positively says there is
no record (its ``none`` text); a killed run that registered but could not record it finds
the record on its next try. The screen's own error messages (``errors:``) after a click make
the row a business failure with those messages, for the human list.

A dry run goes through every step up to the commit click and stops there; a check
(:meth:`DeclaredRobot.check_screens`) walks to each screen by its links and reports every
field or button that is missing or ambiguous, without filling or sending anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Frame, Page, Request

from core.errors import ConfigError, ElementNotFound, InvalidInput, SessionExpired
from core.logging import safe_text
from core.systems import LoginForm, SystemConfig
from flows.declared._hooks import Hook
from flows.declared._model import DeclaredScenario, Lookup, Step
from robots import (
    Target,
    click,
    fill_form,
    find_frame,
    is_link,
    probe_screen,
    read_texts,
    screen_texts,
)

__all__ = ["DeclaredRobot", "DryRunStop", "ScreenProblem"]

log = logging.getLogger(__name__)

#: How long a click may take to start the navigation it causes (measured: about 4 ms).
_NAVIGATION_START_MS = 50


class DryRunStop(Exception):
    """A dry run reached the commit click and stopped before it."""


@dataclass(frozen=True)
class ScreenProblem:
    """What `jimu check` found wrong on one screen: the step, the screen, the message."""

    step: str
    frame: str
    message: str


class DeclaredRobot:
    """The steps of ``declared`` on the page ``page_of()`` returns (a worker's current tab)."""

    def __init__(
        self,
        declared: DeclaredScenario,
        system: SystemConfig,
        *,
        password: str,
        page_of: Callable[[], Page],
        timeout_ms: float = 15_000,
        hooks: Mapping[str, Hook] | None = None,
    ) -> None:
        self.declared = declared
        self.system = system
        self._password = password
        self._page_of = page_of
        self.timeout_ms = timeout_ms
        self._expressions = declared.expressions()
        self._commit = declared.commit_step()
        self._hooks = dict(hooks or {})

    # -- one row ---------------------------------------------------------------------------

    def ensure_registered(
        self, values: Mapping[str, Any], *, dry_run: bool = False
    ) -> tuple[str, bool]:
        """The record's number and whether this call created it.

        Raises :class:`DryRunStop` at the commit click of a dry run, :class:`InvalidInput`
        with the screen's messages if the system refused the row.
        """
        self.open_start()
        existing = self._search(values)
        if existing is not None:
            return existing, False
        self._run(self.declared.registration, values, self.page, dry_run=dry_run)
        numbers = self._read(self.declared.result)
        if len(numbers) != 1 or not numbers[0]:
            self._raise_screen_errors(self._where(self.page, self.declared.result.frame))
            raise ElementNotFound(
                f"{self.system.name}: 登録後の画面に「{self.declared.result.read}」が見つかりません"
            )
        return numbers[0], True

    @property
    def page(self) -> Page:
        return self._page_of()

    def open_start(self) -> None:
        """Open the start screen, logging in first if the system shows its login form."""
        page = self.page
        page.goto(self.system.url.rstrip("/") + self.declared.start)
        login = self.system.login or LoginForm()
        if not self._login_form_shown(page):
            return
        page.goto(self.system.url.rstrip("/") + login.path)
        fill_form(page, {login.user_field: self.system.username,
                         login.password_field: self._password},
                  system=self.system.name, timeout_ms=self.timeout_ms)  # fmt: skip
        self._click(page, page, login.submit)
        if self._login_form_shown(page):
            raise ConfigError(f"{self.system.name}にログインできません: "
                              "ユーザーIDかパスワードが違います")  # fmt: skip
        page.goto(self.system.url.rstrip("/") + self.declared.start)
        if self._login_form_shown(page):
            raise SessionExpired(f"{self.system.name}: ログイン後も開始画面が開けません")

    def _login_form_shown(self, page: Page) -> bool:
        login = self.system.login or LoginForm()
        targets: list[Target] = [page, *page.frames[1:]]
        for target in targets:
            found = probe_screen(target, fields=[login.password_field], buttons=[])
            if not found:  # no problem: the password box is there
                return True
        return False

    def _search(self, values: Mapping[str, Any]) -> str | None:
        self._run(self.declared.search, values, self.page, dry_run=False)
        found = self.declared.found
        numbers = self._read(found)
        if len(numbers) > 1:
            raise InvalidInput(
                f"{self.system.name}に同じ人が{len(numbers)}件登録されています。"
                "どれが正しいか確認してください", code="duplicate-in-target",
            )  # fmt: skip
        if numbers and numbers[0]:
            return numbers[0]
        target = self._where(self.page, found.frame)
        assert found.none is not None
        if not any(found.none in text for text in screen_texts(target, "body")):
            self._raise_screen_errors(target)
            raise ElementNotFound(
                f"{self.system.name}: 検索結果に「{found.read}」も「{found.none}」も"
                "表示されません（登録済みか分からないため、登録しません）"
            )
        return None

    def _read(self, lookup: Lookup) -> list[str]:
        target = self._where(self.page, lookup.frame)
        texts = read_texts(target, lookup.read, system=self.system.name, missing_ok=True)
        return [t.strip() for t in texts]

    # -- steps -------------------------------------------------------------------------------

    def _run(
        self, steps: list[Step], values: Mapping[str, Any], root: Page, *, dry_run: bool
    ) -> None:
        for step in steps:
            target = self._where(root, step.frame)
            if step.open is not None:
                target.goto(self.system.url.rstrip("/") + step.open)
            elif step.fill is not None:
                filled = {
                    name: self._expressions[(step.frame or "", name)].evaluate(values)
                    for name in step.fill
                }
                fill_form(target, filled, system=self.system.name, timeout_ms=self.timeout_ms)
            elif step.expect is not None:
                self._expect(target, step.expect)
            elif step.call is not None:
                self._hooks[step.call](target, values)
            elif step.click is not None:
                if dry_run and step is self._commit:
                    raise DryRunStop(step.click)
                self._click_step(root, target, step, values, dry_run=dry_run)

    def _click_step(
        self, root: Page, target: Target, step: Step, values: Mapping[str, Any], *, dry_run: bool
    ) -> None:
        assert step.click is not None
        if step.dialog:
            answer = step.dialog
            root.once("dialog", lambda d: d.accept() if answer == "accept" else d.dismiss())
        if step.popup is None:
            self._click(root, target, step.click)
            if not root.is_closed():  # a pop-up's last click may close it
                self._raise_screen_errors(target)
            return
        with root.expect_popup(timeout=self.timeout_ms) as opened:
            click(target, step.click, system=self.system.name, timeout_ms=self.timeout_ms)
        popup = opened.value
        popup.wait_for_load_state()
        try:
            self._run(step.popup, values, popup, dry_run=dry_run)
            if not popup.is_closed():  # a pop-up that fills its opener usually closes itself
                popup.wait_for_event("close", timeout=self.timeout_ms)
        finally:
            if not popup.is_closed():
                popup.close()

    def _click(self, root: Page, target: Target, name: str) -> None:
        """Click, and wait until every page or frame the click loads has loaded."""
        started: set[Frame] = set()
        arrived: set[Frame] = set()

        def on_request(request: Request) -> None:
            if request.is_navigation_request():
                started.add(request.frame)

        def on_navigated(frame: Frame) -> None:
            arrived.add(frame)

        root.on("request", on_request)
        root.on("framenavigated", on_navigated)
        try:
            try:
                click(target, name, system=self.system.name, timeout_ms=self.timeout_ms)
            except PlaywrightError:
                if not root.is_closed():
                    raise  # else: a pop-up's button that closes its own window (playwright#26900)
            pause = self.page.wait_for_timeout  # the main tab: a pop-up may close itself
            # Playwright's click returns before a form's submit has started a navigation:
            # give the browser up to 50 ms to start one, looking every 5 ms.
            waited = 0.0
            while not root.is_closed() and not started and waited < _NAVIGATION_START_MS:
                pause(5)
                waited += 5
            waited = 0.0
            while not root.is_closed() and not started <= arrived and waited < self.timeout_ms:
                pause(5)
                waited += 5
            for frame in list(started):
                if not root.is_closed() and not frame.is_detached():
                    frame.wait_for_load_state("load", timeout=self.timeout_ms)
        finally:
            if not root.is_closed():
                root.remove_listener("request", on_request)
                root.remove_listener("framenavigated", on_navigated)

    def _expect(self, target: Target, text: str) -> None:
        waited = 0.0
        while waited <= self.timeout_ms:
            if any(text in shown for shown in screen_texts(target, "body")):
                return
            self._raise_screen_errors(target)
            self.page.wait_for_timeout(100)
            waited += 100
        raise ElementNotFound(f"{self.system.name}: 画面に「{text}」が表示されません")

    def _raise_screen_errors(self, target: Target) -> None:
        if self.declared.errors is None:
            return
        messages = [m.strip() for m in screen_texts(target, self.declared.errors) if m.strip()]
        if messages:
            shown = " / ".join(safe_text(m, max_len=200) for m in messages)
            raise InvalidInput(f"{self.system.name}が入力を受け付けませんでした: {shown}")

    def _where(self, root: Page, frame: str | None) -> Target:
        return root if frame is None else find_frame(root, frame)

    # -- screen check -------------------------------------------------------------------------

    def check_screens(self) -> list[ScreenProblem]:
        """Walk the steps without filling or sending: every field and button must be there,
        once. Links (menus) are followed to reach the next screen; the search is not sent,
        so the search-result screen is not checked."""
        self.open_start()
        problems: list[ScreenProblem] = []
        for phase, steps in (("search", self.declared.search),
                             ("register", self.declared.registration)):  # fmt: skip
            self.open_start()
            problems += self._check(phase, steps, self.page)
        return problems

    def _check(self, phase: str, steps: list[Step], root: Page) -> list[ScreenProblem]:
        problems: list[ScreenProblem] = []
        for number, step in enumerate(steps, start=1):
            where = f"{phase} {number}: {step.action}"
            try:
                target = self._where(root, step.frame)
            except ElementNotFound as exc:
                problems.append(ScreenProblem(where, step.frame or "", exc.message))
                break
            fields = list(step.fill or {})
            buttons = [step.click] if step.click else []
            found = probe_screen(target, fields=fields, buttons=buttons,
                                 wait_ms=self.timeout_ms)  # fmt: skip
            problems += [ScreenProblem(where, step.frame or "", message) for message in found]
            if step.click and not found and is_link(target, step.click):
                self._click(root, target, step.click)
        return problems
