"""Owner-only files for personal data."""

from __future__ import annotations

from pathlib import Path

from core.files import write_owner_only


def test_a_new_file_and_its_new_folder_are_owner_only(tmp_path: Path) -> None:
    path = write_owner_only(tmp_path / "new" / "readings.csv", b"data")
    assert path.read_bytes() == b"data"
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700


def test_a_readable_file_is_tightened_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "readings.csv"
    path.write_bytes(b"old and longer")
    path.chmod(0o644)
    write_owner_only(path, b"new")
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o600


def test_every_folder_made_for_a_file_is_owner_only(tmp_path: Path) -> None:
    import stat

    path = write_owner_only(tmp_path / "a" / "b" / "c" / "scan.json", b"{}")
    for folder in (tmp_path / "a", tmp_path / "a" / "b", path.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
