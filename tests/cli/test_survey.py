"""``jimu survey new / collect / rank``: the yearly cycle from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cli import main
from core.inventory import load_inventory
from sandbox.survey_answers import write_returned_workbooks

ROOT = Path(__file__).resolve().parents[2]


def test_form_then_answers_then_inventory_then_selection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["survey", "new", "--fy", "2027", "--out", str(tmp_path / "form")]) == 0
    form = Path(capsys.readouterr().out.splitlines()[0])
    assert form.is_file() and form.suffix == ".xlsx"

    returned = tmp_path / "returned"
    write_returned_workbooks(returned, count=10, fiscal_year=2027, seed=11)
    inventory = tmp_path / "inventory.yaml"
    shutil.copy(ROOT / "inventory.yaml", inventory)
    before = inventory.read_text(encoding="utf-8")
    argv = ["survey", "collect", str(returned), "--fy", "2027", "--inventory", str(inventory)]

    assert main([*argv, "--dry-run"]) == 0
    assert inventory.read_text(encoding="utf-8") == before  # a dry run writes nothing
    dry = capsys.readouterr().out
    assert "would merge" in dry

    assert main(argv) == 0
    out = capsys.readouterr().out
    problems = [line for line in out.splitlines() if "行目" in line]
    assert problems and all("_回答.xlsx" in line for line in problems)  # file and row named
    after = inventory.read_text(encoding="utf-8")
    assert after.startswith(before.split("candidates:")[0])  # scenarios and comments kept
    added = load_inventory(inventory).candidates
    assert len(added) > len(load_inventory(ROOT / "inventory.yaml").candidates)
    assert main(["inventory", "check", "--path", str(inventory),
                 "--scenarios-dir", str(ROOT / "scenarios")]) == 0  # fmt: skip
    capsys.readouterr()

    assert main(["survey", "collect", str(returned), "--fy", "2027", "--inventory",
                 str(inventory)]) == 0  # fmt: skip
    assert inventory.read_text(encoding="utf-8") == after  # collecting again changes nothing
    assert "merged 0 new, 0 updated," in capsys.readouterr().out

    ledger = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    assert main(["survey", "rank", "--fy", "2027", "--inventory", str(inventory), "--top", "3",
                 "--out", str(tmp_path / "out"), "--ledger-url", ledger]) == 0  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(".")[0].strip() for line in lines[:3]] == ["1", "2", "3"]
    assert Path(lines[-2]).suffix == ".docx" and Path(lines[-2]).is_file()
    assert Path(lines[-1]).suffix == ".xlsx" and Path(lines[-1]).is_file()


def test_collect_from_a_folder_that_is_not_there_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["survey", "collect", str(tmp_path / "nowhere"), "--fy", "2027"])
    assert code == 2
    assert "is not a folder" in capsys.readouterr().err
