"""Browser robots: the Playwright runtime and one page-object package per target system.

``robots.portal`` drives the 電子申請システム, ``robots.business`` the 業務システム.
"""

from __future__ import annotations

from robots._browser import CHROMIUM_ARGS, launch_chromium
from robots._runtime import RobotWorker, purge_old_evidence, translate_error
from robots._system import TargetSystem

__all__ = [
    "CHROMIUM_ARGS",
    "RobotWorker",
    "TargetSystem",
    "launch_chromium",
    "purge_old_evidence",
    "translate_error",
]
