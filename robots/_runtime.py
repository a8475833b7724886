"""The robots' runtime: one Playwright per thread, one browser context per worker,
a trace per item kept (redacted) only when the item fails, masked failure screenshots,
and Playwright errors translated into jimu's error tree.

Recording a trace costs robot time on every item, kept or not (DOM snapshots at each
action), so a scenario chooses when to record (``robot.trace`` in ``scenario.yaml``):
``always``; ``retries`` — from an item's second attempt on, as Playwright's own
``on-first-retry`` (a first failure keeps its masked screenshot); or ``never``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Literal

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.errors import ApplicationError, ElementNotFound, JimuError, TargetUnavailable
from core.logging import mask_text
from core.settings import get_settings
from robots._browser import launch_chromium
from robots._evidence import PERSONAL_SELECTORS, redact_trace

__all__ = ["RobotWorker", "TraceMode", "purge_old_evidence", "translate_error"]

TraceMode = Literal["always", "retries", "never"]

log = logging.getLogger(__name__)

_SAFE_KEY = re.compile(r"[^A-Za-z0-9._-]+")


def translate_error(exc: BaseException) -> JimuError:
    """Map a Playwright (or other) exception onto the jimu error tree.

    jimu errors pass through; a timeout waiting for an element becomes
    :class:`ElementNotFound`; a refused or dropped connection :class:`TargetUnavailable`;
    anything else an :class:`ApplicationError` (retried). The message keeps only the first
    line of Playwright's text (or the locator waited for), never the data typed in.
    """
    if isinstance(exc, JimuError):
        return exc
    lines = str(exc).strip().splitlines() or [type(exc).__name__]
    first_line = mask_text(lines[0][:200])
    if isinstance(exc, PlaywrightTimeout):
        waiting = [line.strip(" -") for line in lines if "waiting for" in line][:1]
        where = mask_text(waiting[0][:200]) if waiting else first_line
        return ElementNotFound(f"画面の要素が見つかりません: {where}")
    if isinstance(exc, PlaywrightError) and "net::ERR_" in str(exc):
        return TargetUnavailable(f"対象システムに接続できません: {first_line}")
    return ApplicationError(f"{type(exc).__name__}: {first_line}")


def purge_old_evidence(folder: Path, *, retention_days: int) -> int:
    """Delete kept traces and screenshots older than the retention limit; returns how many."""
    if not folder.exists():
        return 0
    cutoff = time.time() - retention_days * 86_400
    removed = 0
    for path in folder.rglob("*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink()
            removed += 1
    return removed


class RobotWorker:
    """One worker: a Playwright instance, a browser and a context, used by one thread only.

    Use as a context manager; run each item inside :meth:`item`, which yields the page and
    keeps redacted evidence if the item fails::

        with RobotWorker(scenario="e-application-sync", name="w1") as worker:
            with worker.item("R2026-000001", personal_values=[...]) as page:
                ...
    """

    def __init__(
        self,
        *,
        scenario: str,
        name: str = "worker-1",
        headless: bool | None = None,
        evidence_dir: Path | None = None,
        timeout_ms: float = 15_000,
        trace: TraceMode = "always",
    ) -> None:
        settings = get_settings()
        self.scenario = scenario
        self.name = name
        self.headless = headless
        self.timeout_ms = timeout_ms
        self.trace = trace
        self.evidence_dir = evidence_dir or settings.data_dir / "evidence" / scenario
        self._retention_days = settings.retention_days
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="jimu-trace-")

    # -- life cycle ----------------------------------------------------------------------

    def __enter__(self) -> RobotWorker:
        purge_old_evidence(self.evidence_dir, retention_days=self._retention_days)
        self._playwright = sync_playwright().start()
        try:
            self._browser = launch_chromium(self._playwright, headless=self.headless)
            self._open_context()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _open_context(self) -> None:
        assert self._browser is not None
        self._context = self._browser.new_context(locale="ja-JP", accept_downloads=True)
        self._context.set_default_timeout(self.timeout_ms)
        self._page = self._context.new_page()

    def _new_tab(self) -> None:
        old, self._page = self._page, self.context.new_page()
        if old is not None:
            with contextlib.suppress(PlaywrightError):
                old.close()

    def close(self) -> None:
        """Close the context, the browser and Playwright (safe to call twice)."""
        for closer in (self._context, self._browser):
            if closer is not None:
                with contextlib.suppress(PlaywrightError):
                    closer.close()
        if self._playwright is not None:
            with contextlib.suppress(PlaywrightError):
                self._playwright.stop()
        self._context = self._browser = self._playwright = None
        self._page = None
        self._tmp.cleanup()

    @property
    def page(self) -> Page:
        """The worker's current page (a new tab for every item, see :meth:`item`)."""
        if self._page is None or self._page.is_closed():
            raise ApplicationError("the robot's browser is not running")
        return self._page

    @property
    def context(self) -> BrowserContext:
        """The worker's browser context (cookies, downloads)."""
        if self._context is None:
            raise ApplicationError("the robot's browser is not running")
        return self._context

    # -- items ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def item(
        self, item_key: str, *, personal_values: Sequence[str] = (), attempt: int = 1
    ) -> Iterator[Page]:
        """Run one item (its ``attempt``-th try) in a new tab: yields the page; on failure
        keeps masked evidence and raises a :class:`~core.errors.JimuError` (translated from
        Playwright's errors).

        The tab is new for every item (the context, with its logins, stays): a tab that has
        been through a few hundred navigations made Chromium spend about three times the
        CPU per item, growing with every item, and a failed item's evidence shows that item
        alone.
        """
        context = self.context
        self._new_tab()
        traced = self.trace == "always" or (self.trace == "retries" and attempt > 1)
        if traced:
            context.tracing.start(
                title=_SAFE_KEY.sub("_", item_key), snapshots=True, screenshots=False
            )
        try:
            yield self.page
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
                raise
            self._keep_evidence(item_key, personal_values, traced=traced)
            translated = translate_error(exc)
            if translated is exc:
                raise
            raise translated from exc
        else:
            if traced:
                context.tracing.stop()  # nothing kept for an item that went well

    def _keep_evidence(
        self, item_key: str, personal_values: Sequence[str], *, traced: bool
    ) -> None:
        stem = f"{_SAFE_KEY.sub('_', item_key)}-{time.strftime('%Y%m%dT%H%M%S')}-{self.name}"
        self.evidence_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        raw = Path(self._tmp.name) / f"{stem}.zip"
        try:
            page = self.page
            mask = [page.locator(selector) for selector in PERSONAL_SELECTORS]
            shot = self.evidence_dir / f"{stem}.png"
            page.screenshot(path=str(shot), mask=mask, full_page=True)
            shot.chmod(0o600)
        except (PlaywrightError, ApplicationError):
            log.warning("no screenshot for item %s: the page is gone", item_key)
        if not traced:
            log.info("screenshot of failed item %s kept in %s", item_key, self.evidence_dir)
            return
        try:
            self.context.tracing.stop(path=str(raw))
            redact_trace(
                raw, self.evidence_dir / f"{stem}.trace.zip", personal_values=personal_values
            )
        except (PlaywrightError, ApplicationError, OSError):
            log.warning("no trace kept for item %s", item_key)
        finally:
            raw.unlink(missing_ok=True)
        log.info("evidence for failed item %s kept in %s", item_key, self.evidence_dir)
