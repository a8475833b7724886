"""``jimu review add-user``: the password comes from stdin, never from an argument."""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import _review as cli_review
from core.settings import get_settings
from review import Role, UserStore


def _run(argv: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch) -> int:
    parser = argparse.ArgumentParser(prog="jimu")
    cli_review.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    result: int = args.handler(args)
    return result


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("JIMU_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_add_user_reads_the_password_from_stdin(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        _run(
            ["review", "add-user", "kanri9", "--role", "管理者"], "a-long-password 1\n", monkeypatch
        )
        == 0
    )
    users = UserStore(data_dir / "review" / "users.sqlite3")
    user = users.authenticate("kanri9", "a-long-password 1")
    assert user is not None and user.role is Role.ADMIN
    assert "a-long-password" not in capsys.readouterr().out
    assert _run(["review", "users"], "", monkeypatch) == 0
    assert "kanri9\t管理者" in capsys.readouterr().out


def test_there_is_no_password_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit):
        _run(["review", "add-user", "x", "--password", "secret-secret"], "", monkeypatch)
