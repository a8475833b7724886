"""Browser robots: what every target system's page objects build on.

The Playwright runtime (:class:`RobotWorker`: one browser context per worker, a tab per item,
evidence kept only on failure), :class:`TargetSystem` (log in, submit and check a screen),
:func:`fill_form` (a screen filled in one round trip, fields found by what a person reads,
legacy table layouts and frames included), :func:`click`, :func:`read_texts`,
:func:`screen_texts`, :func:`find_frame`, :func:`inspect_screen` (what ``jimu inspect``
prints), :func:`read_screen` and :func:`retry_step`. The page objects themselves live with their
system: ``systems/<id>/`` (e.g. ``systems.business_system``).
"""

from __future__ import annotations

from robots._actions import click, is_link, probe_screen, read_texts, screen_texts
from robots._browser import CHROMIUM_ARGS, launch_chromium
from robots._finder import Target, find_frame
from robots._forms import FormValues, fill_form
from robots._inspect import (
    ButtonInfo,
    FieldInfo,
    FrameInspection,
    ScreenInspection,
    as_yaml_skeleton,
    inspect_screen,
)
from robots._pages import Screen, check_page, raise_if_refused, read_screen, retry_step
from robots._recorder import RecordedField, RecordedStep, Recorder, as_steps_yaml
from robots._runtime import RobotWorker, purge_old_evidence, translate_error
from robots._system import TargetSystem

__all__ = [
    "CHROMIUM_ARGS",
    "ButtonInfo",
    "FieldInfo",
    "FormValues",
    "FrameInspection",
    "RecordedField",
    "RecordedStep",
    "Recorder",
    "RobotWorker",
    "Screen",
    "ScreenInspection",
    "Target",
    "TargetSystem",
    "as_steps_yaml",
    "as_yaml_skeleton",
    "check_page",
    "click",
    "fill_form",
    "find_frame",
    "inspect_screen",
    "is_link",
    "launch_chromium",
    "probe_screen",
    "purge_old_evidence",
    "raise_if_refused",
    "read_screen",
    "read_texts",
    "retry_step",
    "screen_texts",
    "translate_error",
]
