"""What every page object needs: recognising error pages, expiry, refusals; retrying steps."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlparse

from playwright.sync_api import Page

from core.errors import InvalidInput, SessionExpired, TargetUnavailable

__all__ = ["Screen", "check_page", "raise_if_refused", "read_screen", "retry_step"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# What a screen shows that tells a robot where it is, read in one round trip to the browser
# (asking for the title, the heading, an open notice and an alert one by one cost about a
# sixth of the robot's time per item). Only shown elements count; names and texts are
# those a user sees. Actions still find their elements by role or label.
_READ_SCREEN = """() => {
  const shown = (e) => e.getClientRects().length > 0;
  const text = (e) => (e.innerText || "").trim();
  const all = (roles) => [...document.querySelectorAll(roles)].filter(shown);
  const named = (e) => {
    const by = e.getAttribute("aria-labelledby");
    const label = by && document.getElementById(by);
    return (e.getAttribute("aria-label") || (label ? text(label) : "")).trim();
  };
  return {
    title: document.title,
    headings: all("h1, h2, h3, h4, h5, h6, [role=heading]").map(text),
    dialogs: all("dialog[open], [role=dialog], [role=alertdialog]").map(named),
    alerts: all("[role=alert]").map(text),
    statuses: all("[role=status]").map(text),
  };
}"""


@dataclass(frozen=True)
class Screen:
    """What the page shows now: its title and path, the headings, the names of open
    dialogs, and the texts of alerts (refusals) and status messages."""

    title: str
    path: str
    headings: tuple[str, ...]
    dialogs: tuple[str, ...]
    alerts: tuple[str, ...]
    statuses: tuple[str, ...]


def read_screen(page: Page) -> Screen:
    """Read the :class:`Screen` the page shows, in one round trip to the browser."""
    shown = page.evaluate(_READ_SCREEN)
    return Screen(
        title=shown["title"],
        path=urlparse(page.url).path,
        headings=tuple(shown["headings"]),
        dialogs=tuple(shown["dialogs"]),
        alerts=tuple(shown["alerts"]),
        statuses=tuple(shown["statuses"]),
    )


def check_page(screen: Screen, *, system: str) -> None:
    """Raise if ``screen`` is not a normal screen of ``system``.

    :class:`TargetUnavailable` for a 500 or 「ただいま混み合っています」 page,
    :class:`SessionExpired` if the system sent us back to its login screen.
    """
    if screen.title.startswith("システムエラー"):
        raise TargetUnavailable(f"{system}がシステムエラーを返しました")
    if screen.title.startswith(("混雑中", "ただいま混み合っています")):
        raise TargetUnavailable(f"{system}が混み合っています")
    if screen.path == "/login":
        raise SessionExpired(f"{system}のセッションが切れました")


def raise_if_refused(screen: Screen, *, system: str) -> None:
    """Raise :class:`InvalidInput` with the target's own messages if it refused the input.

    The target's messages name fields, never the values (the sandbox is built that way, and
    a real system's messages pass through the log mask anyway).
    """
    if screen.alerts:
        lines = (line.strip() for alert in screen.alerts for line in alert.splitlines())
        messages = [line for line in lines if line]
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
