"""``jimu record URL``: do the steps once by hand in a browser window; get them as steps.yaml.

Opens the URL in a Chromium window (logged in first with ``--system``, as ``jimu inspect``
does), records what the person clicks and fills — fields and buttons by the names the
robots find them by, in their frames and pop-ups — until the window is closed (or Ctrl-C),
then writes the steps to ``--out``. Typed texts and passwords are not recorded: each text
is ``""`` for the author to fill in (``=列``); the choices made (男, 令和, 転入) are kept.
A ``confirm()`` is accepted so the person's flow goes on, and recorded on its click.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]

DEFAULT_OUT = "recorded-steps.yaml"


def register(commands: Any) -> None:
    """Add ``jimu record`` to the parser."""
    record = commands.add_parser(
        "record", help="record the steps you take in a browser window as steps.yaml"
    )
    record.add_argument("url", help="the screen to start from (or a path of --system's URL); "
                        "with --system, the login is on the URL's server")  # fmt: skip
    record.add_argument("--system", metavar="ID",
                        help="log in first as this registered system's user")  # fmt: skip
    record.add_argument("--out", metavar="FILE", default=DEFAULT_OUT,
                        help=f"where to write the steps (default: ./{DEFAULT_OUT}; "
                        "an existing file is not overwritten)")  # fmt: skip
    record.set_defaults(handler=_record)


def _record(args: argparse.Namespace) -> int:
    from core.errors import ConfigError

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise ConfigError(
            "jimu record opens a browser window and needs a display (DISPLAY or "
            "WAYLAND_DISPLAY is not set); without one, list a screen's names with "
            "'jimu inspect URL'"
        )
    out = Path(args.out)
    if out.exists():
        raise ConfigError(f"{out} already exists: not overwritten (choose another --out)")
    steps = _session(args)

    from robots import as_steps_yaml

    written = _write_new(out, as_steps_yaml(steps))
    print(f"{_count(steps)} step(s) written to {written}")
    return 0


def _write_new(out: Path, text: str) -> Path:
    """Write ``text`` to ``out``, or — if a file of that name appeared while the person was
    recording — to ``<name>-2.yaml`` and so on: never over a file, never losing the steps."""
    for number in range(1, 1000):
        path = out if number == 1 else out.with_name(f"{out.stem}-{number}{out.suffix}")
        try:
            with path.open("x", encoding="utf-8") as file:
                file.write(text)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{out} and its numbered neighbours all exist")


def _session(args: argparse.Namespace) -> list[Any]:
    """Open the window, record until the person closes it (or Ctrl-C); the steps."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from cli._inspect import _open
    from robots import Recorder, launch_chromium

    recorder: Recorder | None = None
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, headless=False)
            try:
                context = browser.new_context(locale="ja-JP", no_viewport=True)  # the window's size
                context.set_default_timeout(15_000)
                _open(context.new_page(), args)
                recorder = Recorder(context)
                print("recording: do the steps in the window, then close it (or press Ctrl-C)",
                      file=sys.stderr)  # fmt: skip
                _wait_until_closed(context)
            finally:
                with contextlib.suppress(Exception):
                    browser.close()
    except (KeyboardInterrupt, PlaywrightError):
        # The browser went away (the last window closed, or Ctrl-C reached it too): what
        # was recorded until then is the recording.
        if recorder is None:
            raise
    return recorder.steps if recorder is not None else []


def _wait_until_closed(context: Any) -> None:
    """Return once every window of ``context`` is closed (the person is done)."""
    while True:
        pages = [page for page in context.pages if not page.is_closed()]
        if not pages:
            return
        pages[0].wait_for_event("close", timeout=0)


def _count(steps: list[Any]) -> int:
    return sum(1 + _count(step.popup or []) for step in steps)
