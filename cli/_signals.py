"""Signals: Ctrl-C stops jimu wherever it was started from."""

from __future__ import annotations

import signal

__all__ = ["restore_ctrl_c"]


def restore_ctrl_c() -> None:
    """Make Ctrl-C (SIGINT) stop jimu even when it was started where SIGINT is ignored.

    A job started with ``&`` from a script inherits SIGINT ignored, and Python then leaves
    it so: ``jimu serve`` or ``jimu sandbox up`` would never stop on SIGINT.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
