"""The ``jimu`` command line.

Every failure ends in one clear line on stderr and a non-zero exit, never a traceback:
``jimu: error: …`` (exit 2 for a wrong command or setting, 1 for anything else).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from cli._signals import restore_ctrl_c
from core.errors import ConfigError, JimuError

__all__ = ["main"]

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"jimu: error: {message} (see '{self.prog} --help')\n")


def _build_parser() -> _Parser:
    from cli import (
        _check,
        _demo,
        _inspect,
        _new,
        _ocr,
        _record,
        _reports,
        _retry,
        _review,
        _run,
        _sandbox,
        _scenarios,
        _serve,
        _survey,
    )

    parser = _Parser(prog="jimu", description="jimu (事務): RPA and AI-OCR for municipal offices.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    _check.register(commands)
    _demo.register(commands)
    _new.register(commands)
    _inspect.register(commands)
    _ocr.register(commands)
    _record.register(commands)
    _reports.register(commands)
    _review.register(commands)
    _run.register(commands)
    _retry.register(commands)
    _scenarios.register(commands)
    _sandbox.register(commands)
    _serve.register(commands)
    _survey.register(commands)
    version = commands.add_parser("version", help="print jimu's version")
    version.set_defaults(handler=_version)
    return parser


def _version(_args: argparse.Namespace) -> int:
    from importlib.metadata import version

    print(f"jimu {version('jimu')}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``jimu`` command line; returns the exit status."""
    from core.logging import configure_logging

    restore_ctrl_c()
    args = _build_parser().parse_args(argv)
    configure_logging("DEBUG" if args.verbose else None)
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("jimu: interrupted", file=sys.stderr)
        return 130
    except ConfigError as exc:
        print(f"jimu: error: {exc.message}", file=sys.stderr)
        return 2
    except JimuError as exc:
        print(f"jimu: error: {exc.message}", file=sys.stderr)
        return 1
    except OSError as exc:
        # A busy port, a read-only folder …: say which, without a traceback.
        print(
            f"jimu: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return 1
