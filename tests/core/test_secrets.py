"""Secrets come from the environment or an owner-only file, never from YAML or git."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.secrets import ensure_secret, get_secret, secret_path
from core.settings import get_settings


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("JIMU_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_missing_secret_says_how_to_set_it() -> None:
    with pytest.raises(ConfigError) as error:
        get_secret("portal-password")
    assert "JIMU_SECRET_PORTAL_PASSWORD" in str(error.value)


def test_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIMU_SECRET_PORTAL_PASSWORD", "from-env")
    assert get_secret("portal-password") == "from-env"
    assert not secret_path("portal-password").exists()


def test_ensure_secret_creates_an_owner_only_file_once() -> None:
    first = ensure_secret("portal-password")
    assert len(first) >= 16
    assert ensure_secret("portal-password") == first
    path = secret_path("portal-password")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700


def test_secret_names_cannot_steer_the_path() -> None:
    with pytest.raises(ConfigError):
        secret_path("../../etc/passwd")
