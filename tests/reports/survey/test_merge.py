"""Merging into inventory.yaml: comments and order kept byte for byte, updates in place, the
merged register loads and passes ``jimu inventory check``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from core.inventory import Candidate, DataClass, Feasibility, InventoryError, load_inventory
from reports import check_inventory
from reports.survey import collect_answers, merge_candidates
from sandbox.survey_answers import write_returned_workbooks
from tests.reports.survey.conftest import FY

ROOT = Path(__file__).resolve().parents[3]


def _candidate(**values: object) -> Candidate:
    data: dict[str, object] = {
        "id": "s2027-0000abcd", "name": "転入届の住民記録システム入力", "department": "住民課",
        "survey_year": FY, "items_per_year": 240, "minutes_per_item": 6.5,
        "source": "住民課_回答.xlsx:行5",
    }  # fmt: skip
    data.update(values)
    return Candidate.model_validate(data)


@pytest.fixture
def repo_inventory(tmp_path: Path) -> Path:
    path = tmp_path / "inventory.yaml"
    shutil.copyfile(ROOT / "inventory.yaml", path)
    return path


def _check(path: Path, tmp_path: Path) -> list[str]:
    problems = check_inventory(
        path, scenarios_dir=ROOT / "scenarios", ledger=f"sqlite:///{tmp_path / 'ledger.db'}"
    )
    return [str(p) for p in problems]


def test_new_candidates_are_appended_and_the_rest_is_byte_for_byte(
    repo_inventory: Path, tmp_path: Path
) -> None:
    before = repo_inventory.read_bytes()
    result = merge_candidates(
        repo_inventory, [_candidate(), _candidate(id="s2027-0000abce", name="印鑑登録")]
    )
    assert (result.added, result.updated, result.unchanged) == (
        ["s2027-0000abcd", "s2027-0000abce"], [], []
    )  # fmt: skip
    after = repo_inventory.read_bytes()
    assert after.startswith(before)  # the register ends with the candidates section
    assert after[len(before) :].decode().startswith('  - id: s2027-0000abcd\n    name: "転入届')
    inventory = load_inventory(repo_inventory)
    assert [c.id for c in inventory.candidates][-2:] == ["s2027-0000abcd", "s2027-0000abce"]
    assert _check(repo_inventory, tmp_path) == _check(ROOT / "inventory.yaml", tmp_path)


def test_an_existing_candidate_is_updated_in_place(repo_inventory: Path) -> None:
    before = repo_inventory.read_text(encoding="utf-8").splitlines(keepends=True)
    start = before.index("  - id: furusato-receipt\n")
    end = before.index("  - id: suido-kaiheisen\n")
    update = _candidate(id="furusato-receipt", name="ふるさと納税 受領証明書の発行データ作成",
                        department="財政課", items_per_year=12000, minutes_per_item=2)  # fmt: skip
    result = merge_candidates(repo_inventory, [update])
    assert result.updated == ["furusato-receipt"] and result.added == []
    after = repo_inventory.read_text(encoding="utf-8").splitlines(keepends=True)
    assert after[:start] == before[:start]
    block_end = after.index("  - id: suido-kaiheisen\n")
    assert after[block_end:] == before[end:]
    entry = load_inventory(repo_inventory).candidates[1]
    assert (entry.id, entry.items_per_year, entry.survey_year) == ("furusato-receipt", 12000, FY)
    assert entry.feasibility is Feasibility.MEDIUM  # the RPA team's judgement is kept
    assert entry.data_classification is DataClass.PERSONAL  # the survey only asks 個人番号


def test_the_same_task_under_another_id_updates_the_existing_entry(repo_inventory: Path) -> None:
    update = _candidate(name="水道 開閉栓届の業務システム入力", department="上下水道課",
                        data_classification="個人番号を含む")  # fmt: skip
    result = merge_candidates(repo_inventory, [update])
    assert result.updated == ["suido-kaiheisen"] and result.added == []
    entry = load_inventory(repo_inventory).candidates[2]
    assert (entry.id, entry.data_classification) == ("suido-kaiheisen", DataClass.MY_NUMBER)


def test_a_rerun_changes_nothing(repo_inventory: Path) -> None:
    merge_candidates(repo_inventory, [_candidate()])
    written = repo_inventory.read_bytes()
    result = merge_candidates(repo_inventory, [_candidate()])
    assert (result.added, result.updated, result.unchanged) == ([], [], ["s2027-0000abcd"])
    assert repo_inventory.read_bytes() == written


def test_a_scenarios_id_is_left_alone_and_reported(repo_inventory: Path) -> None:
    before = repo_inventory.read_bytes()
    result = merge_candidates(repo_inventory, [_candidate(id="paper-intake")])
    assert result.skipped == ["paper-intake"] and result.added == result.updated == []
    assert repo_inventory.read_bytes() == before


def test_a_dry_run_writes_nothing(repo_inventory: Path) -> None:
    before = repo_inventory.read_bytes()
    result = merge_candidates(repo_inventory, [_candidate()], dry_run=True)
    assert result.added == ["s2027-0000abcd"] and not result.written
    assert repo_inventory.read_bytes() == before
    assert sorted(p.name for p in repo_inventory.parent.iterdir()) == ["inventory.yaml"]


NASTY = [
    "住民票: 写しの交付 # 郵送分",
    "'引用符で始まる",
    '"二重引用符"と\\バックスラッシュ',
    "- ダッシュ", "* 星", "& アンカー", "! タグ", "% 百分率", "@ 単価", "` 逆引用", "{ 波括弧",
    "[ 角括弧", "? 問い", "| 縦棒", "> 大なり", "yes", "null", "123", "1e3", "~",
    "改行\nを含む", "タブ\tを含む", "行区切り\u2028と\x85", "ＢＯＭ\ufeff付き",
]  # fmt: skip


def test_names_that_mean_something_in_yaml_survive(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text("# 台帳\ncandidates: []  # まだなし\n", encoding="utf-8")
    candidates = [
        _candidate(id=f"s2027-{n:08x}", name=name, notes=name, busy_season=name)
        for n, name in enumerate(NASTY)
    ]
    result = merge_candidates(path, candidates)
    assert len(result.added) == len(NASTY)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 台帳\ncandidates:  # まだなし\n")
    loaded = load_inventory(path).candidates
    assert [c.name for c in loaded] == [c.name for c in candidates]
    assert [c.notes for c in loaded] == NASTY
    assert yaml.safe_load(text)["candidates"][0]["name"] == NASTY[0]


def test_a_missing_section_is_made_and_the_file_mode_kept(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    original = (ROOT / "inventory.yaml").read_text(encoding="utf-8")
    scenarios_only = original[: original.index("# 7月調査")]
    path.write_text(scenarios_only, encoding="utf-8")
    os.chmod(path, 0o640)
    merge_candidates(path, [_candidate()])
    assert path.stat().st_mode & 0o777 == 0o640
    text = path.read_text(encoding="utf-8")
    assert text.startswith(scenarios_only) and "\ncandidates:\n  - id: s2027-0000abcd\n" in text
    assert [c.id for c in load_inventory(path).candidates] == ["s2027-0000abcd"]


def test_windows_line_endings_and_flow_entries_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    text = ("candidates:\r\n  - {id: delta-idea, name: デルタ候補, department: 財政課,\r\n"
            "     survey_year: 2026, items_per_year: 600, minutes_per_item: 10}\r\n"
            "  # 次の候補\r\n")  # fmt: skip
    path.write_bytes(text.encode())
    merge_candidates(path, [_candidate()])
    after = path.read_bytes().decode()
    assert after.startswith(text.split("  # 次の候補")[0])
    assert "\n" not in after.replace("\r\n", "")
    assert [c.id for c in load_inventory(path).candidates] == ["delta-idea", "s2027-0000abcd"]


def test_a_register_that_would_break_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text("candidates: [\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"inventory\.yaml:"):
        merge_candidates(path, [_candidate()])  # a broken register is not merged into
    path.write_text(
        "candidates:\n  - {id: a-b, name: x, department: y, survey_year: 2026, "
        "items_per_year: 1, minutes_per_item: 1}\n",
        encoding="utf-8",
    )
    before = path.read_bytes()
    many = [_candidate(id=f"s2027-{n:08x}", name=f"業務{n}") for n in range(1000)]
    with pytest.raises(InventoryError, match="1000"):
        merge_candidates(path, many)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inventory.yaml"]


def test_collected_answers_merge_into_the_repo_register_and_pass_the_check(
    repo_inventory: Path, tmp_path: Path
) -> None:
    write_returned_workbooks(tmp_path / "answers", count=24, fiscal_year=FY, seed=2)
    collected = collect_answers(tmp_path / "answers", fiscal_year=FY)
    result = merge_candidates(repo_inventory, collected.candidates)
    # One generated task is the register's own ふるさと納税 candidate: updated, not doubled.
    assert result.updated == ["furusato-receipt"]
    assert len(result.added) == len(collected.candidates) - 1 > 50
    original = (ROOT / "inventory.yaml").read_text(encoding="utf-8")
    after = repo_inventory.read_text(encoding="utf-8")
    assert after.startswith(original[: original.index("  - id: furusato-receipt")])
    comments = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert [line for line in after.splitlines() if line.lstrip().startswith("#")] == comments
    inventory = load_inventory(repo_inventory)
    assert len(inventory.candidates) == 4 + len(result.added)
    assert _check(repo_inventory, tmp_path) == _check(ROOT / "inventory.yaml", tmp_path)
    rerun = collect_answers(tmp_path / "answers", fiscal_year=FY).candidates
    again = merge_candidates(repo_inventory, rerun)
    assert again.added == again.updated == [] and len(again.unchanged) == len(rerun)
