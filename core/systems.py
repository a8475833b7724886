"""``systems/<folder>/system.yaml``: each target system registered once, shared by scenarios.

The folder is the system's id with ``_`` for ``-`` (``systems/business_system/`` holds
``business-system``), so that the page objects beside it are an importable package.

A system is where robots work: its URL, the user they log in as, the *name* of the secret
that holds the password (never the password), how many sessions it allows at once, and the
fields that hold personal data. Scenarios name the systems they use; session limits and
masking come from here, not from code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from core.errors import ConfigError
from core.yamlfile import load_yaml_model

__all__ = ["LoginForm", "SystemConfig", "all_systems", "folder_of", "load_system", "systems_dir"]

SYSTEM_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class LoginForm(BaseModel):
    """How to log in to a system whose login screen is not jimu's default (``/login`` with
    ユーザーID, パスワード and ログイン): the screen's path and the names a person reads on
    it, found like every field (a legacy table layout too)::

        login: {path: "/", user_field: ユーザーID, password_field: パスワード, submit: ログイン}
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(default="/login", pattern=r"^/", max_length=500)
    user_field: str = Field(default="ユーザーID", min_length=1, max_length=100)
    password_field: str = Field(default="パスワード", min_length=1, max_length=100)
    submit: str = Field(default="ログイン", min_length=1, max_length=100)


class SystemConfig(BaseModel):
    """One system's ``system.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str = Field(pattern=SYSTEM_ID, max_length=48)
    name: str = Field(max_length=200, description="名称, in Japanese")
    url: str = Field(pattern=r"^https?://", max_length=2000, description="base URL of the system")
    username: str = Field(min_length=1, max_length=200)
    password_secret: str = Field(
        pattern=r"^[a-z0-9-]+$",
        max_length=64,
        description="secret name: JIMU_SECRET_<NAME> or var/secrets/<name>",
    )
    session_limit: int = Field(ge=1, le=64, description="sessions the system allows at once")
    personal_fields: list[str] = Field(default_factory=list, max_length=200)
    login: LoginForm | None = Field(
        default=None, description="the login screen, if not jimu's default (see LoginForm)"
    )


def systems_dir() -> Path:
    """The folder of target systems (the settings' ``systems_dir``)."""
    from core.settings import get_settings

    return get_settings().systems_dir


@cache
def _load(path: Path, mtime_ns: int) -> SystemConfig:
    return load_yaml_model(path, SystemConfig, what="the system")


def load_system(system_id: str, *, root: Path | None = None) -> SystemConfig:
    """Load ``<root>/<system_id>/system.yaml``; :class:`ConfigError` if it is missing or its
    id does not match its folder, :class:`~core.yamlfile.YamlError` naming file, line and key
    if it is invalid."""
    import re

    if not re.fullmatch(SYSTEM_ID, system_id):
        raise ConfigError(f"system ids are kebab-case ASCII, not {system_id[:48]!r}")
    path = (root or systems_dir()) / folder_of(system_id) / "system.yaml"
    if not path.is_file():
        raise ConfigError(f"no target system {system_id!r}: {path} does not exist")
    config = _load(path, path.stat().st_mtime_ns)
    if config.id != system_id:
        raise ConfigError(f"{path}:1: id: {config.id!r} is not the system its folder holds "
                          f"({system_id!r})")  # fmt: skip
    return config


def folder_of(system_id: str) -> str:
    """The folder of a system: its id with ``_`` for ``-`` (a Python package's name)."""
    return system_id.replace("-", "_")


def all_systems(*, root: Path | None = None) -> list[SystemConfig]:
    """Every registered system, by id."""
    folder = root or systems_dir()
    if not folder.is_dir():
        return []
    return [
        load_system(path.name.replace("_", "-"), root=folder)
        for path in sorted(folder.iterdir())
        if (path / "system.yaml").is_file()
    ]
