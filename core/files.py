"""Files that hold personal data: owner-only (folder 700, file 600), whoever creates them."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["write_owner_only"]


def write_owner_only(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` readable by the owner only; returns ``path``.

    A new parent folder is made 700; a file that existed already is tightened to 600.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return path
