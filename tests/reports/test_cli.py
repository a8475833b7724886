"""``jimu report`` and ``jimu inventory check`` through their parsers (handlers called directly)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from cli import _reports as cli_reports
from core.errors import ConfigError
from core.ledger import Ledger


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="jimu")
    cli_reports.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_report_writes_both_files_and_prints_the_headline(
    tmp_path: Path, ledger: Ledger, inventory_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(ledger.engine.url)
    code = _run(
        [
            "report",
            "--fy",
            "2026",
            "--out",
            str(tmp_path / "out"),
            "--inventory",
            str(inventory_path),
            "--ledger-url",
            url,
        ]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0] == "2026年度: 10 items done, 4.9 hours saved (forecast 22.0, 22.3%)"
    assert Path(out[1]).name == "hours-report-FY2026.xlsx" and Path(out[1]).is_file()
    assert Path(out[2]).name == "hours-report-FY2026.docx" and Path(out[2]).is_file()


def test_report_for_a_date_range(
    tmp_path: Path, ledger: Ledger, inventory_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(
        [
            "report",
            "--from",
            "2026-06-01",
            "--to",
            "2026-06-30",
            "--out",
            str(tmp_path),
            "--inventory",
            str(inventory_path),
            "--ledger-url",
            str(ledger.engine.url),
        ]
    )
    assert code == 0
    assert (tmp_path / "hours-report-2026-06-01_2026-06-30.xlsx").is_file()
    assert capsys.readouterr().out.startswith(
        "2026年6月1日〜2026年6月30日: 3 items done, 1.6 hours saved (forecast 1.8, 85.7%)"
    )


def test_report_refuses_a_backwards_range(inventory_path: Path) -> None:
    with pytest.raises(ConfigError, match="before it starts"):
        _run(
            [
                "report",
                "--from",
                "2026-06-30",
                "--to",
                "2026-06-01",
                "--inventory",
                str(inventory_path),
            ]
        )


def test_inventory_check_prints_one_line_per_problem_and_fails(
    tmp_path: Path, inventory_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    code = _run(
        [
            "inventory",
            "check",
            "--path",
            str(inventory_path),
            "--ledger-url",
            url,
            "--today",
            "2026-11-20",
        ]
    )
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    # No folders at all next to this inventory, and an empty ledger.
    assert sorted(line.rsplit("[", 1)[1] for line in lines) == [
        "missing-folder]",
        "missing-folder]",
        "missing-folder]",
        "no-recent-run]",
        "no-recent-run]",
    ]


def test_inventory_check_passes_a_sound_register(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path(__file__).resolve().parents[2] / "inventory.yaml"  # the repo's own register
    assert _run(["inventory", "check", "--path", str(path)]) == 0
    assert capsys.readouterr().out.strip().endswith("no problems")
