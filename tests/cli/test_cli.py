"""The ``jimu`` command: impossible arguments give one clear line and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

JIMU = str(Path(sys.executable).parent / "jimu")


def _run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JIMU_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [JIMU, *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("no-such-command",), "invalid choice"),
        (("sandbox", "up", "--portal-port", "70000"), "70000 is not a port"),
        (("sandbox", "up", "--business-port", "http"), "'http' is not a port number"),
        (("sandbox", "up", "--error-rate", "1.5"), "1.5 is not a share between 0 and 1"),
        (("sandbox", "seed", "--applications", "0"), "0 must be at least 1"),
        (("sandbox", "seed", "--applications", "many"), "'many' is not a whole number"),
        (("sandbox",), "required"),
    ],
)
def test_impossible_arguments_fail_in_one_line(
    args: tuple[str, ...], expected: str, tmp_path: Path
) -> None:
    result = _run(*args, data_dir=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("jimu: error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_inspect_without_a_sandbox_says_what_to_do(tmp_path: Path) -> None:
    result = _run("sandbox", "inspect", data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "jimu sandbox seed" in result.stderr


def test_seed_then_inspect(tmp_path: Path) -> None:
    seeded = _run("sandbox", "seed", "--applications", "12", "--seed", "7", data_dir=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "seeded 12 new applications" in seeded.stdout
    again = _run("sandbox", "seed", "--applications", "12", "--seed", "7", data_dir=tmp_path)
    assert "seeded 0 new applications (12 already there)" in again.stdout
    inspected = _run("sandbox", "inspect", data_dir=tmp_path)
    assert inspected.returncode == 0, inspected.stderr
    assert "12 applications" in inspected.stdout
    assert "未処理 12" in inspected.stdout


def test_busy_port_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = _run("sandbox", "up", "--portal-port", port, data_dir=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"jimu: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
