"""inventory.yaml: the schema, errors that name the file, the line and the key, and priorities."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigError
from core.inventory import (
    Candidate,
    Feasibility,
    InventoryError,
    ScenarioEntry,
    ScenarioStatus,
    load_inventory,
)

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
scenarios:
  - id: e-application-sync
    name: 電子申請 → 子育て支援システム 登録
    department: 子育て支援課
    owner: 給付係長
    status: 稼働中
    target_systems: [電子申請システム]
    data_classification: 個人番号を含む
    baseline:
      minutes_per_item: 6.5
      method: ストップウォッチ計測
      measured_on: 2026-06-10
      measured_by: DX推進課
    forecast: {items_per_year: 4200, hours_per_year: 420}
candidates:
  - id: suido-kaiheisen
    name: 水道 開閉栓届
    department: 上下水道課
    survey_year: 2026
    items_per_year: 5200
    minutes_per_item: 4
    feasibility: 高
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> InventoryError:
    with pytest.raises(InventoryError) as caught:
        load_inventory(_write(tmp_path, text))
    return caught.value


@pytest.mark.parametrize("name", ["inventory.yaml", "reports/examples/inventory-demo.yaml"])
def test_the_shipped_registers_load(name: str) -> None:
    inventory = load_inventory(ROOT / name)
    assert inventory.scenarios and inventory.candidates
    assert inventory.scenario("e-application-sync") is not None
    assert inventory.scenario("paper-intake") is not None


def test_a_good_file_loads_with_lines_for_messages(tmp_path: Path) -> None:
    inventory = load_inventory(_write(tmp_path, GOOD))
    entry = inventory.scenarios[0]
    assert entry.status is ScenarioStatus.ACTIVE and entry.baseline.minutes_per_item == 6.5
    assert inventory.where("scenarios", 0) == "inventory.yaml:2"
    assert inventory.where("candidates", 0) == "inventory.yaml:16"


def test_a_wrong_value_names_file_line_and_key(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("minutes_per_item: 6.5", "minutes_per_item: -1"))
    assert isinstance(error, ConfigError)
    assert error.message.startswith(
        f"{tmp_path / 'inventory.yaml'}:10: scenarios[0].baseline.minutes_per_item "
        "(id e-application-sync): Input should be greater than 0"
    )


def test_an_unknown_key_is_named_on_its_own_line(tmp_path: Path) -> None:
    error = _error(
        tmp_path, GOOD.replace("    owner: 給付係長\n", "    owner: 給付係長\n    onwer: x\n")
    )
    assert error.problems == (
        f"{tmp_path / 'inventory.yaml'}:6: scenarios[0].onwer (id e-application-sync): "
        "unknown key (not in the schema)",
    )


def test_a_missing_key_points_at_its_entry(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("    department: 子育て支援課\n", ""))
    assert error.problems[0].endswith(
        ":2: scenarios[0].department (id e-application-sync): required key is missing"
    )


def test_every_problem_is_listed_in_file_order(tmp_path: Path) -> None:
    bad = GOOD.replace("status: 稼働中", "status: 稼動").replace(
        "feasibility: 高", "feasibility: 最高"
    )
    error = _error(tmp_path, bad)
    assert [p.split(": ")[0].rsplit(":", 1)[1] for p in error.problems] == ["6", "22"]
    assert "(and 1 more)" in error.message
    assert "candidates[0].feasibility" in error.problems[1]


def test_a_kebab_case_id_is_required(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("id: e-application-sync", "id: E_Application"))
    assert ":2: scenarios[0].id" in error.problems[0]


def test_duplicate_ids_name_the_second_line(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("id: suido-kaiheisen", "id: e-application-sync"))
    assert error.problems == (
        f"{tmp_path / 'inventory.yaml'}:16: candidates[0].id: id 'e-application-sync' is "
        "already used by scenarios[0].id",
    )


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    error = _error(
        tmp_path, GOOD.replace("target_systems: [電子申請システム]", "target_systems: [x")
    )
    assert (
        error.message.startswith(f"{tmp_path / 'inventory.yaml'}:")
        and "not valid YAML" in error.message
    )


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the inventory"):
        load_inventory(tmp_path / "nowhere.yaml")


@pytest.mark.parametrize(
    "text",
    ["", "# RPA管理台帳\n", "scenarios: []\ncandidates: []\n", "{}\n"],
    ids=["empty", "comments-only", "empty-lists", "empty-mapping"],
)
def test_an_empty_register_is_an_error_not_a_sound_one(tmp_path: Path, text: str) -> None:
    error = _error(tmp_path, text)
    assert error.problems == (
        f"{tmp_path / 'inventory.yaml'}:1: the inventory is empty: no scenarios and no "
        "candidates (is it the right file? list the scenarios under scenarios:)",
    )


def test_a_key_written_twice_is_refused_not_overwritten(tmp_path: Path) -> None:
    text = GOOD.replace("    owner: 給付係長\n", "    owner: 給付係長\n    owner: 誰か\n")
    error = _error(tmp_path, text)
    assert error.problems == (
        f"{tmp_path / 'inventory.yaml'}:6: scenarios[0].owner: key repeated (first on line 5); "
        "a key may appear only once",
    )


def test_a_yearly_volume_beyond_any_city_is_refused(tmp_path: Path) -> None:
    # The demo history generates this many ledger rows: an unbounded count is memory.
    error = _error(tmp_path, GOOD.replace("items_per_year: 5200", "items_per_year: 10000000000"))
    assert error.problems[0].startswith(
        f"{tmp_path / 'inventory.yaml'}:20: candidates[0].items_per_year (id suido-kaiheisen): "
        "Input should be less than or equal to 10000000"
    )


def test_priority_is_annual_hours_times_feasibility() -> None:
    def make(feasibility: Feasibility) -> Candidate:
        return Candidate(
            id="c-x",
            name="x",
            department="d",
            survey_year=2026,
            items_per_year=1200,
            minutes_per_item=5,
            feasibility=feasibility,
        )

    assert make(Feasibility.HIGH).annual_hours == 100.0
    assert [make(f).priority for f in Feasibility] == [100.0, 60.0, 30.0]


def test_only_development_and_active_scenarios_need_a_folder() -> None:
    assert {s for s in ScenarioStatus if s.needs_folder} == {
        ScenarioStatus.DEVELOPMENT,
        ScenarioStatus.ACTIVE,
    }


def test_japanese_labels_are_on_the_fields() -> None:
    labels = {name: field.title for name, field in ScenarioEntry.model_fields.items()}
    assert labels["name"] == "名称" and labels["department"] == "担当課"
    assert labels["next_review_on"] == "次回見直し日"
