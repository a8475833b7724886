"""Browser robots: the Playwright runtime and one page-object package per target system."""

from __future__ import annotations

from robots._browser import CHROMIUM_ARGS, launch_chromium

__all__ = ["CHROMIUM_ARGS", "launch_chromium"]
