"""Fixtures for flow tests: a ledger per test (Prefect's harness is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def ledger_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A ledger of this test's own (JIMU_LEDGER_URL), so tests never share items."""
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    monkeypatch.setenv("JIMU_LEDGER_URL", url)
    return url
