"""Fault injection as ASGI middleware: latency, HTTP 500s, 「ただいま混み合っています」 pages."""

from __future__ import annotations

import asyncio
import random
import threading

from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox._settings import FaultSettings

__all__ = ["FaultInjector", "FaultMiddleware"]

# Paths that tests and operators use to steer and inspect the sandbox never misbehave.
_EXEMPT_PREFIXES = ("/admin", "/_inspect", "/static", "/healthz")

_ERROR_PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<title>システムエラー</title></head><body><h1>システムエラー</h1>
<p role="alert">システムエラーが発生しました。しばらくしてから再度お試しください。(E500)</p>
</body></html>"""

_BUSY_PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<title>混雑中</title></head><body><h1>ただいま混み合っています</h1>
<p role="alert">ただいま混み合っています。しばらく時間をおいてから再度アクセスしてください。</p>
</body></html>"""


class FaultInjector:
    """The fault knobs of one app plus the dice that apply them (thread-safe)."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._lock = threading.Lock()
        self.settings = settings or FaultSettings()
        self._random = random.Random(self.settings.seed)

    def update(self, settings: FaultSettings) -> None:
        """Replace the knobs (and re-seed the dice if a seed is given)."""
        with self._lock:
            self.settings = settings
            self._random = random.Random(settings.seed)

    def _roll(self, rate: float) -> bool:
        if rate <= 0.0:
            return False
        with self._lock:
            return self._random.random() < rate

    def latency_seconds(self) -> float:
        """A delay to apply to the next request, drawn from the latency range."""
        low, high = self.settings.latency_min_ms, self.settings.latency_max_ms
        if high <= 0:
            return 0.0
        with self._lock:
            return self._random.uniform(low, high) / 1000.0

    def server_error(self) -> bool:
        """Whether the next request fails with HTTP 500."""
        return self._roll(self.settings.error_rate)

    def busy(self) -> bool:
        """Whether the next request gets the 「ただいま混み合っています」 page."""
        return self._roll(self.settings.busy_rate)

    def show_modal(self) -> bool:
        """Whether this menu visit shows the お知らせ modal."""
        return self._roll(self.settings.modal_rate)


class FaultMiddleware:
    """Applies a :class:`FaultInjector` to every request outside the exempt paths."""

    def __init__(self, app: ASGIApp, *, injector: FaultInjector) -> None:
        self.app = app
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(_EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        delay = self.injector.latency_seconds()
        if delay:
            await asyncio.sleep(delay)
        if self.injector.server_error():
            await HTMLResponse(_ERROR_PAGE, status_code=500)(scope, receive, send)
            return
        if self.injector.busy():
            await HTMLResponse(_BUSY_PAGE, status_code=503)(scope, receive, send)
            return
        await self.app(scope, receive, send)
