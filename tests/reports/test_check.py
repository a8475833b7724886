"""``jimu inventory check`` finds each kind of problem, one line each; a sound register passes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from core.ledger import Ledger
from reports import check_inventory
from tests.reports.conftest import insert_items

TODAY = date(2026, 11, 20)

ENTRY = """\
  - id: {id}
    name: {id}
    department: 市民課
{owner}    status: {status}
    target_systems: [住民記録システム]
    data_classification: 個人情報を含む
    baseline: {{minutes_per_item: 5, method: 計測, measured_on: 2026-01-01, measured_by: 市民課}}
    forecast: {{items_per_year: 100, hours_per_year: 8}}
    started_on: 2026-04-01
{review}"""


def _entry(
    scenario_id: str,
    *,
    status: str = "稼働中",
    owner: str | None = "市民課長",
    review: date | None = date(2027, 3, 31),
) -> str:
    return ENTRY.format(
        id=scenario_id,
        status=status,
        owner=f"    owner: {owner}\n" if owner else "",
        review=f"    next_review_on: {review}\n" if review else "",
    )


def _register(tmp_path: Path, entries: list[str], folders: list[str]) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text("scenarios:\n" + "".join(entries), encoding="utf-8")
    for name in folders:
        (tmp_path / "scenarios" / name).mkdir(parents=True)
        (tmp_path / "scenarios" / name / "scenario.yaml").write_text(
            f"id: {name}\nname: テスト\ndepartment: 市民課\n", encoding="utf-8"
        )
    return path


def _busy(ledger: Ledger, scenario: str, *, done: int, failed: int = 0) -> None:
    when = datetime(2026, 11, 16, 10, 0)
    items = [(scenario, f"{scenario}-d{i}", "done", when, 0) for i in range(done)]
    items += [(scenario, f"{scenario}-f{i}", "business_failure", when, 0) for i in range(failed)]
    insert_items(ledger, items)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(f"sqlite:///{tmp_path / 'check.sqlite3'}")


def test_a_sound_register_has_no_problems(tmp_path: Path, ledger: Ledger) -> None:
    path = _register(tmp_path, [_entry("ok-one"), _entry("cand-like", status="候補")], ["ok-one"])
    _busy(ledger, "ok-one", done=20, failed=2)  # exactly 10% is not over 10%
    assert check_inventory(path, ledger=ledger, today=TODAY) == []


def test_each_kind_of_problem_is_found_on_its_own_line(tmp_path: Path, ledger: Ledger) -> None:
    entries = [
        _entry("no-owner", owner=None),
        _entry("overdue", review=date(2026, 9, 30)),
        _entry("no-review", review=None),
        _entry("idle"),
        _entry("failing"),
        _entry("unbuilt", status="開発中"),
        _entry("paused", status="停止"),  # needs neither a folder nor runs
    ]
    present = ["no-owner", "overdue", "no-review", "idle", "failing", "stray"]
    path = _register(tmp_path, entries, present)
    for name in ("no-owner", "overdue", "no-review"):
        _busy(ledger, name, done=5)
    insert_items(ledger, [("idle", "old", "done", datetime(2026, 10, 1, 10, 0), 0)])
    _busy(ledger, "failing", done=8, failed=3)

    problems = check_inventory(path, ledger=ledger, today=TODAY)
    found = {
        (
            p.kind,
            p.message.split(":")[0] if p.kind != "folder-not-in-inventory" else Path(p.where).name,
        )
        for p in problems
    }
    assert found == {
        ("no-owner", "no-owner"),
        ("review-overdue", "overdue"),
        ("no-review-date", "no-review"),
        ("no-recent-run", "idle"),
        ("failure-rate", "failing"),
        ("missing-folder", "unbuilt"),
        ("folder-not-in-inventory", "stray"),
    }
    lines = [str(p) for p in problems]
    assert all("\n" not in line for line in lines)
    idle = next(line for line in lines if "[no-recent-run]" in line)
    assert idle.startswith("inventory.yaml:") and "last on 2026-10-01" in idle
    failing = next(line for line in lines if "[failure-rate]" in line)
    assert "3 of 11 items failed" in failing


def test_a_schema_error_is_reported_with_line_and_key(tmp_path: Path) -> None:
    path = _register(tmp_path, [_entry("ok-one").replace("status: 稼働中", "status: 稼動")], [])
    problems = check_inventory(path, today=TODAY)
    assert [p.kind for p in problems] == ["schema"]
    assert str(problems[0]).startswith(f"{path}:6: scenarios[0].status (id ok-one):")


def test_the_repository_register_only_waits_for_scenario_folders() -> None:
    root = Path(__file__).resolve().parents[2]
    problems = check_inventory(root / "inventory.yaml", today=TODAY)
    # e-application-sync and paper-intake are 開発中: their folders come with their flows.
    for problem in problems:
        assert problem.kind == "missing-folder", str(problem)
        scenario = problem.message.split(":")[0]
        assert not (root / "scenarios" / scenario / "scenario.yaml").exists()


def test_a_scenario_yaml_that_does_not_load_is_a_problem(tmp_path: Path) -> None:
    import shutil

    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "scenarios", tmp_path / "scenarios")
    yaml = tmp_path / "scenarios" / "paper-intake" / "scenario.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "systems: [business-system]", "systems: [mainframe]"), encoding="utf-8")  # fmt: skip
    shutil.copy(root / "inventory.yaml", tmp_path / "inventory.yaml")
    problems = check_inventory(tmp_path / "inventory.yaml", ledger=f"sqlite:///{tmp_path}/l.db")
    [invalid] = [p for p in problems if p.kind == "scenario-invalid"]
    assert f"{yaml}: systems: no target system 'mainframe'" in invalid.message
