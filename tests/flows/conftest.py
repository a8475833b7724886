"""Fixtures for flow tests: a ledger and a data folder per test (Prefect's harness is in
tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.secrets import get_secret
from core.settings import get_settings


@pytest.fixture
def ledger_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A ledger of this test's own (JIMU_LEDGER_URL), so tests never share items."""
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    monkeypatch.setenv("JIMU_LEDGER_URL", url)
    get_settings.cache_clear()
    yield url
    monkeypatch.delenv("JIMU_LEDGER_URL", raising=False)
    get_settings.cache_clear()


@pytest.fixture
def data_dir(
    sandbox: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ledger_url: str
) -> Iterator[Path]:
    """This test's own data folder (review store, scans), keeping the sandbox's password."""
    monkeypatch.setenv(
        "JIMU_SECRET_SANDBOX_BUSINESS_PASSWORD", get_secret("sandbox-business-password")
    )
    monkeypatch.setenv("JIMU_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    monkeypatch.undo()
    get_settings.cache_clear()
