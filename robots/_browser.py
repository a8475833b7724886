"""Launching Debian's Chromium through Playwright, offline and headless by default."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Playwright

from core.errors import ConfigError
from core.settings import get_settings

__all__ = ["CHROMIUM_ARGS", "launch_chromium"]

# Without the background-networking flags Chromium keeps trying to reach Google's hosts,
# which a closed municipal network (and this machine) refuses.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def launch_chromium(
    playwright: Playwright, *, headless: bool | None = None, executable: Path | None = None
) -> Browser:
    """Start the system Chromium (``JIMU_CHROMIUM_PATH``, default ``/usr/bin/chromium``).

    Raises :class:`~core.errors.ConfigError` if the executable is missing: jimu never downloads
    a browser.
    """
    settings = get_settings()
    path = executable or settings.chromium_path
    if not path.exists():
        raise ConfigError(
            f"Chromium not found at {path}: run 'make setup' or set JIMU_CHROMIUM_PATH"
        )
    return playwright.chromium.launch(
        executable_path=str(path),
        headless=settings.headless if headless is None else headless,
        args=list(CHROMIUM_ARGS),
    )
