"""Secrets (passwords of target systems) — never in YAML, never in git.

A secret named ``portal-password`` is read from the environment variable
``JIMU_SECRET_PORTAL_PASSWORD`` if set, else from the owner-only file
``<data_dir>/secrets/portal-password``. :func:`ensure_secret` creates that file with a random
value when neither exists (what the sandbox does on first start).
"""

from __future__ import annotations

import os
import secrets as _random
from pathlib import Path

from core.errors import ConfigError
from core.settings import get_settings

__all__ = ["ensure_secret", "get_secret", "secret_path"]


def _env_name(name: str) -> str:
    return "JIMU_SECRET_" + name.upper().replace("-", "_")


def secret_path(name: str) -> Path:
    """Where the secret ``name`` is stored inside the data folder."""
    if not name.replace("-", "").isalnum():
        raise ConfigError(f"secret names are letters, digits and hyphens: {name!r}")
    return get_settings().data_dir / "secrets" / name


def get_secret(name: str) -> str:
    """The value of secret ``name``; raises :class:`ConfigError` if it is not set anywhere."""
    from_env = os.environ.get(_env_name(name))
    if from_env:
        return from_env
    path = secret_path(name)
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(
            f"secret {name!r} is not set: export {_env_name(name)} or create {path} (mode 600)"
        ) from None


def ensure_secret(name: str) -> str:
    """Return secret ``name``, creating an owner-only file with a random value if it is unset."""
    try:
        return get_secret(name)
    except ConfigError:
        pass
    path = secret_path(name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = _random.token_urlsafe(12)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return get_secret(name)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value
