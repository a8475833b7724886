"""Files that hold personal data: owner-only (folder 700, file 600), whoever creates them."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["make_owner_only_dir", "write_owner_only"]


def make_owner_only_dir(folder: Path) -> Path:
    """Create ``folder`` and every missing folder above it mode 700 (``mkdir(parents=True,
    mode=…)`` gives the mode to the last one only); folders that exist are left as they are.
    Returns ``folder``."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    for each in reversed(missing):
        each.mkdir(mode=0o700, exist_ok=True)
    return folder


def write_owner_only(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` readable by the owner only; returns ``path``.

    A new parent folder is made 700; a file that existed already is tightened to 600.
    """
    make_owner_only_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path
