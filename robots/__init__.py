"""Browser robots: what every target system's page objects build on.

The Playwright runtime (:class:`RobotWorker`: one browser context per worker, a tab per item,
evidence kept only on failure), :class:`TargetSystem` (log in, submit and check a screen),
:func:`fill_form` (a screen filled in one round trip, fields found by what a person reads),
:func:`read_screen` and :func:`retry_step`. The page objects themselves live with their
system: ``systems/<id>/`` (e.g. ``systems.business_system``).
"""

from __future__ import annotations

from robots._browser import CHROMIUM_ARGS, launch_chromium
from robots._forms import FormValues, fill_form
from robots._pages import Screen, check_page, raise_if_refused, read_screen, retry_step
from robots._runtime import RobotWorker, purge_old_evidence, translate_error
from robots._system import TargetSystem

__all__ = [
    "CHROMIUM_ARGS",
    "FormValues",
    "RobotWorker",
    "Screen",
    "TargetSystem",
    "check_page",
    "fill_form",
    "launch_chromium",
    "purge_old_evidence",
    "raise_if_refused",
    "read_screen",
    "retry_step",
    "translate_error",
]
