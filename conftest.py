"""Fixtures for every test, the framework's (tests/) and each scenario's (scenarios/<id>/tests/):
an isolated data folder, the sandbox systems, real Chromium, a temporary Prefect server.

At the repository's root so that a scenario's own tests use them too, with nothing to copy.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import get_settings


@pytest.fixture(autouse=True, scope="session")
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test session writes under its own temporary JIMU_DATA_DIR, never ./var."""
    data_dir = tmp_path_factory.mktemp("jimu-data")
    previous = os.environ.get("JIMU_DATA_DIR")
    os.environ["JIMU_DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()
    yield data_dir
    if previous is None:
        os.environ.pop("JIMU_DATA_DIR", None)
    else:
        os.environ["JIMU_DATA_DIR"] = previous
    get_settings.cache_clear()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[object]:
    """Both sandbox systems, serving on free ports over fresh databases, faults off."""
    from sandbox import serve_in_background

    with serve_in_background(tmp_path) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One real headless Chromium (Debian's) per test module.

    Module scope, not session: Playwright's sync API allows one instance per thread, and
    the robots' own workers start theirs in this thread too, in other modules.
    """
    from playwright.sync_api import sync_playwright

    from robots import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser context and page per test (no cookies shared between tests)."""
    context = browser.new_context(locale="ja-JP")  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One real, temporary Prefect server (SQLite) shared by every flow test of the session."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


_START_PREFECT_ONCE = """
from prefect.client.orchestration import get_client
with get_client(sync_client=True) as client:
    client.hello().raise_for_status()
"""


@pytest.fixture(scope="session")
def _migrated_prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Prefect home whose SQLite database Prefect's embedded server has created, once.

    A fresh home makes the embedded server run every migration before it answers (15 s on
    an idle 2-core machine, 25 s on a busy one); the copies the tests get start in half that.
    """
    home = tmp_path_factory.mktemp("prefect-migrated")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "600",
    }
    subprocess.run([sys.executable, "-c", _START_PREFECT_ONCE], env=env, check=True,
                   capture_output=True, timeout=900)  # fmt: skip
    with sqlite3.connect(home / "prefect.db") as db:  # everything in the file, none in the WAL
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return home


@pytest.fixture
def prefect_home(tmp_path: Path, _migrated_prefect_home: Path) -> Path:
    """``tmp_path / "prefect"``: a PREFECT_HOME of this test's own for a ``jimu`` subprocess,
    its database already migrated (a copy of the session's), nothing run in it yet."""
    home = tmp_path / "prefect"
    home.mkdir(mode=0o700)
    for name in ("prefect.db", "memo_store.toml"):
        if (_migrated_prefect_home / name).exists():
            shutil.copy2(_migrated_prefect_home / name, home / name)
    return home
