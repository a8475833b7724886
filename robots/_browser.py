"""Launching Debian's Chromium through Playwright, offline and headless by default."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Playwright

from core.errors import ConfigError
from core.settings import get_settings

__all__ = ["CHROMIUM_ARGS", "chromium_executable", "launch_chromium"]

# Without the background-networking flags Chromium keeps trying to reach Google's hosts,
# which a closed municipal network (and this machine) refuses. The frame rate stays limited:
# unlimited, it cost a quarter more CPU per item (the compositor drawing frames no one sees);
# the robots' clicks do not wait for animation frames (see TargetSystem.submit).
# One renderer process for all tabs: a robot opens a new tab for every item (RobotWorker.item),
# and a new renderer process each time cost about 0.16 CPU-s and 0.1 s per item; the GPU
# thread (software compositing, as --disable-gpu) runs inside the browser process, saving
# a process and its IPC (about 0.05 CPU-s per item). The robots drive trusted systems of
# their own office, so site isolation between tabs protects nothing here.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--renderer-process-limit=1",
    "--in-process-gpu",
)


def chromium_executable(*, headless: bool) -> Path:
    """The browser to start: Debian's ``chromium-headless-shell`` when headless and installed
    (``JIMU_CHROMIUM_HEADLESS_PATH``; the same engine without the browser's UI, it spends
    about a third less CPU per robot item), otherwise ``JIMU_CHROMIUM_PATH``.
    """
    settings = get_settings()
    if headless and settings.chromium_headless_path.exists():
        return settings.chromium_headless_path
    return settings.chromium_path


def launch_chromium(
    playwright: Playwright, *, headless: bool | None = None, executable: Path | None = None
) -> Browser:
    """Start the system Chromium (see :func:`chromium_executable`), never a downloaded one.

    Raises :class:`~core.errors.ConfigError` if the executable is missing: jimu never downloads
    a browser.
    """
    settings = get_settings()
    headless = settings.headless if headless is None else headless
    path = executable or chromium_executable(headless=headless)
    if not path.exists():
        raise ConfigError(
            f"Chromium not found at {path}: run 'make setup' or set JIMU_CHROMIUM_PATH"
        )
    return playwright.chromium.launch(
        executable_path=str(path), headless=headless, args=list(CHROMIUM_ARGS)
    )
