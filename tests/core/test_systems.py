"""Target systems are registered once (systems/<id>/system.yaml) and scenarios name them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.scenario import load_scenario
from core.systems import all_systems, load_system

ROOT = Path(__file__).resolve().parents[2]


def test_every_registered_system_loads_with_a_session_limit() -> None:
    systems = {system.id: system for system in all_systems()}
    assert set(systems) == {"business-system", "e-application-portal", "kokuho-system"}
    assert systems["business-system"].session_limit == 2
    assert "my_number" in systems["business-system"].personal_fields
    assert {"f_kojin", "個人番号"} <= set(systems["kokuho-system"].personal_fields)


def test_a_scenario_naming_an_unregistered_system_is_refused(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "scenarios" / "paper-intake", tmp_path / "paper-intake")
    path = tmp_path / "paper-intake" / "scenario.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "systems: [business-system]", "systems: [mainframe]"), encoding="utf-8")  # fmt: skip
    with pytest.raises(ConfigError, match=r"scenario\.yaml: systems: no target system 'mainframe'"):
        load_scenario("paper-intake", root=tmp_path)


def test_a_system_whose_id_is_not_its_folder_is_refused(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "systems" / "business_system", tmp_path / "other_system")
    with pytest.raises(ConfigError, match=r"is not the system its folder holds \('other-system'\)"):
        load_system("other-system", root=tmp_path)


def test_session_limits_come_from_the_registry() -> None:
    from orchestration._concurrency import session_limits

    assert session_limits() == {
        "business-system": 2,
        "e-application-portal": 4,
        "kokuho-system": 2,
    }
