"""Who may steer and inspect the sandbox, and its files being the owner's only."""

from __future__ import annotations

import stat
from pathlib import Path

import httpx
import pytest

from core.secrets import secret_path
from sandbox import admin_headers, admin_token, serve_in_background
from sandbox._admin import ADMIN_TOKEN_SECRET, HASH_KEY_SECRET, hash_key
from sandbox.fake_people import FakePeople
from sandbox.portal import seed_portal


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_databases_and_the_secrets_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "sandbox"
    folder.mkdir(mode=0o755)  # as an older version may have left it
    with serve_in_background(tmp_path) as running:
        seed_portal(running.paths.portal_db, FakePeople(seed=1).recent_applications(2))
        answer = httpx.get(f"{running.business_url}/_inspect/summary", headers=admin_headers())
        assert answer.status_code == 200
        files = sorted(folder.iterdir())
    assert {p.name for p in files} >= {"portal.sqlite3", "business.sqlite3", "portal.sqlite3-wal"}
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    assert _mode(folder) == 0o700
    admin_token(), hash_key()
    for name in (ADMIN_TOKEN_SECRET, HASH_KEY_SECRET):
        assert _mode(secret_path(name)) == 0o600
        assert _mode(secret_path(name).parent) == 0o700


def test_the_token_is_stable_and_can_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert admin_token() == admin_token() and len(admin_token()) >= 16
    monkeypatch.setenv("JIMU_SECRET_SANDBOX_ADMIN_TOKEN", "chosen-by-the-operator")
    assert admin_headers() == {"Authorization": "Bearer chosen-by-the-operator"}
    with serve_in_background(tmp_path) as running:
        url = f"{running.portal_url}/_inspect/summary"
        assert httpx.get(url, headers=admin_headers()).status_code == 200
        basic = {"Authorization": "Basic Y2hvc2VuLWJ5LXRoZS1vcGVyYXRvcg=="}
        assert httpx.get(url, headers=basic).status_code == 401
