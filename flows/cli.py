"""The ``jimu`` command line.

Every failure ends in one clear line on stderr and a non-zero exit, never a traceback:
``jimu: error: …`` (exit 2 for a wrong command or setting, 1 for anything else).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from core.errors import ConfigError, JimuError
from flows._argtypes import port, positive_int, rate

__all__ = ["main", "port", "positive_int", "rate"]

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"jimu: error: {message} (see '{self.prog} --help')\n")


def _build_parser() -> _Parser:
    from flows import (
        _cli_demo,
        _cli_ocr,
        _cli_reports,
        _cli_review,
        _cli_run,
        _cli_sandbox,
        _cli_serve,
    )

    parser = _Parser(prog="jimu", description="jimu (事務): RPA and AI-OCR for municipal offices.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    _cli_demo.register(commands)
    _cli_ocr.register(commands)
    _cli_reports.register(commands)
    _cli_review.register(commands)
    _cli_run.register(commands)
    _cli_sandbox.register(commands)
    _cli_serve.register(commands)
    version = commands.add_parser("version", help="print jimu's version")
    version.set_defaults(handler=_version)
    return parser


def _version(_args: argparse.Namespace) -> int:
    from importlib.metadata import version

    print(f"jimu {version('jimu')}")
    return 0


def restore_ctrl_c() -> None:
    """Make Ctrl-C (SIGINT) stop jimu even when it was started where SIGINT is ignored.

    A job started with ``&`` from a script inherits SIGINT ignored, and Python then leaves
    it so: ``jimu serve`` or ``jimu sandbox up`` would never stop on SIGINT.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)


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


if __name__ == "__main__":
    raise SystemExit(main())
