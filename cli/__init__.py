"""The ``jimu`` command line: one entry point, one module per group of commands.

``jimu run``, ``serve``, ``demo``, ``ocr``, ``review``, ``report``, ``inventory``, ``sandbox``;
each module registers its sub-commands and imports what it needs only when it runs, so
``jimu --help`` stays fast.
"""

from __future__ import annotations

from cli._main import main

__all__ = ["main"]
