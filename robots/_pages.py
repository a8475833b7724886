"""What every page object needs: recognising error pages, expiry, refusals; retrying steps."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TypeVar
from urllib.parse import urlparse

from playwright.sync_api import Page

from core.errors import InvalidInput, SessionExpired, TargetUnavailable

__all__ = ["check_page", "raise_if_refused", "retry_step"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def check_page(page: Page, *, system: str) -> None:
    """Raise if the page now shown is not a normal screen of ``system``.

    :class:`TargetUnavailable` for a 500 or 「ただいま混み合っています」 page,
    :class:`SessionExpired` if the system sent us back to its login screen.
    """
    title = page.title()
    if title.startswith("システムエラー"):
        raise TargetUnavailable(f"{system}がシステムエラーを返しました")
    if title.startswith("混雑中") or title.startswith("ただいま混み合っています"):
        raise TargetUnavailable(f"{system}が混み合っています")
    if urlparse(page.url).path == "/login":
        raise SessionExpired(f"{system}のセッションが切れました")


def raise_if_refused(page: Page, *, system: str) -> None:
    """Raise :class:`InvalidInput` with the target's own messages if it refused the input.

    The target's messages name fields, never the values (the sandbox is built that way, and
    a real system's messages pass through the log mask anyway).
    """
    alert = page.get_by_role("alert")
    if alert.count():
        messages = [m.strip() for m in alert.first.inner_text().splitlines() if m.strip()]
        raise InvalidInput(f"{system}が入力を受け付けませんでした: " + " / ".join(messages))


def retry_step(
    step: Callable[[], T],
    *,
    attempts: int = 6,
    backoff: Sequence[float] = (0.1, 0.3, 1.0, 2.0, 5.0),
    what: str = "step",
) -> T:
    """Run an idempotent ``step``, retrying :class:`TargetUnavailable` with backoff.

    Only for steps that are safe to repeat (page loads, screens that keep a draft, a 受理
    that is idempotent). :class:`SessionExpired` and business errors pass straight through.
    """
    for attempt in range(1, attempts + 1):
        try:
            return step()
        except TargetUnavailable:
            if attempt == attempts:
                raise
            delay = backoff[min(attempt - 1, len(backoff) - 1)]
            log.debug(
                "%s: target unavailable (attempt %d), retrying in %.1f s", what, attempt, delay
            )
            time.sleep(delay)
    raise AssertionError("unreachable")
