"""``jimu inspect URL``: what a screen offers a robot, as a ready YAML ``fill`` step.

Opens the URL in headless Chromium (logged in first with ``--system``), walks on by the
buttons and links named with ``--click`` (each clicked in whichever frame or pop-up shows
it), and prints, for the page and each frame, the fields by the exact names the robots
resolve, with their kind and choices, the buttons (and which open a pop-up or ask
``confirm()``) and the frames. Nothing is filled in; a ``confirm()`` a click asks is
answered 「キャンセル」.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add ``jimu inspect`` to the parser."""
    inspect = commands.add_parser(
        "inspect", help="list a screen's fields and buttons as the robots name them (YAML)"
    )
    inspect.add_argument("url", help="the screen's URL (or a path of --system's URL); with "
                         "--system, the login is on the URL's server")  # fmt: skip
    inspect.add_argument("--system", metavar="ID",
                         help="log in first as this registered system's user")  # fmt: skip
    inspect.add_argument("--click", action="append", default=[], metavar="TEXT",
                         help="click this button or link first (repeatable, in order)")  # fmt: skip
    inspect.add_argument("--frame", metavar="NAME", help="only this frame")
    inspect.set_defaults(handler=_inspect)


def _inspect(args: argparse.Namespace) -> int:
    from playwright.sync_api import sync_playwright

    from robots import as_yaml_skeleton, inspect_screen, launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, headless=True)
        try:
            context = browser.new_context(locale="ja-JP")
            context.set_default_timeout(15_000)
            page = _open(context.new_page(), args)
            for text in args.click:
                page = _click(page, text)
            inspection = inspect_screen(page)
        finally:
            browser.close()
    if args.frame:
        inspection = inspection.only(args.frame)
    print(as_yaml_skeleton(inspection), end="")
    return 0


def _open(page: Any, args: argparse.Namespace) -> Any:
    from core.errors import ConfigError
    from robots import TargetSystem, translate_error

    url: str = args.url
    try:
        if args.system:
            from core.secrets import get_secret
            from core.systems import load_system

            config = load_system(args.system)
            # A full URL names the server (a test or staging copy of the system): log in there.
            base_url = _origin(url) if url.startswith(("http://", "https://")) else config.url
            system = TargetSystem(page, base_url=base_url, username=config.username,
                                  password=get_secret(config.password_secret),
                                  login_form=config.login)  # fmt: skip
            system.system_name = config.name
            system.login()
            if url.startswith("/"):
                url = config.url.rstrip("/") + url
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"not a URL: {url[:200]!r} (a path needs --system)")
        page.goto(url)
    except Exception as exc:
        raise translate_error(exc) from exc
    return page


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _click(page: Any, text: str) -> Any:
    """Click ``text`` wherever it is (the page or one frame); the page to go on with (a
    pop-up the click opened, or the same page once what it loads has loaded)."""
    from core.errors import ElementNotFound
    from robots import click, probe_screen, translate_error
    from robots._finder import frame_label

    there = [f for f in page.frames if not probe_screen(f, fields=[], buttons=[text])]
    if not there:
        raise ElementNotFound(f"「{text}」はこの画面のどこにもありません")
    if len(there) > 1:
        names = ", ".join(frame_label(f) or "(ページ)" for f in there)
        raise ElementNotFound(f"「{text}」が複数のフレームにあります（{names}）")
    before = set(page.context.pages)
    navigated: list[Any] = []

    def on_navigated(frame: Any) -> None:
        navigated.append(frame)

    page.on("framenavigated", on_navigated)
    try:
        click(there[0], text, system="inspect")
        page.wait_for_timeout(200)  # a navigation or pop-up starts a moment after the click
        for frame in {*navigated, page.main_frame}:
            if not frame.is_detached():
                frame.wait_for_load_state("load")
    except Exception as exc:
        raise translate_error(exc) from exc
    finally:
        page.remove_listener("framenavigated", on_navigated)
    opened = [p for p in page.context.pages if p not in before]
    if opened:
        opened[-1].wait_for_load_state("load")
        return opened[-1]
    return page
