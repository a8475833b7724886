"""A scenario's steps.py: what the framework's flows take from it, and what an author is told
when it is missing, incomplete or broken — by the flow and by `jimu inventory check`."""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from cli import _reports as cli_reports
from core.errors import ConfigError
from core.scenario import load_scenario
from flows.steps import ExportSteps, PaperSteps, TargetSteps, load_steps
from sandbox.fake_people import FakePeople
from sandbox.paper_samples import true_values

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scenarios(tmp_path: Path) -> Path:
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", folder)
    shutil.copy(ROOT / "inventory.yaml", tmp_path / "inventory.yaml")
    return folder


def _steps_of(scenarios: Path, scenario_id: str, text: str) -> None:
    (scenarios / scenario_id / "steps.py").write_text(text, encoding="utf-8")


def _check(scenarios: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="jimu")
    cli_reports.register(parser.add_subparsers(dest="command", required=True))
    inventory = scenarios.parent / "inventory.yaml"
    args = parser.parse_args(
        ["inventory", "check", "--path", str(inventory), "--scenarios-dir", str(scenarios)]
    )
    code: int = args.handler(args)
    return code, capsys.readouterr().out


def test_the_two_scenarios_steps_give_what_their_flows_need(scenarios: Path) -> None:
    paper = load_steps(load_scenario("paper-intake", root=scenarios), PaperSteps, root=scenarios)
    export = load_steps(
        load_scenario("e-application-sync", root=scenarios), ExportSteps, root=scenarios
    )
    assert paper.double_entry_fields == frozenset({"my_number"})
    assert (export.source_system, export.target_system) == ("e-application-portal",
                                                            "business-system")  # fmt: skip
    # A form's values become the record the target registers, which names its personal data.
    person = FakePeople(seed=3).applications(1)[0]
    values: Mapping[str, str] = true_values(person, person.received_at)
    record = paper.record_from_values("scan-0001", values)
    assert person.applicant.my_number in record.personal_values()
    assert person.applicant.name in record.personal_values()
    again = export.record_from_json(person.model_dump_json())
    assert again.personal_values() == person.personal_values()


def test_a_scenario_without_steps_is_told_what_it_needs(
    scenarios: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (scenarios / "paper-intake" / "steps.py").unlink()
    with pytest.raises(ConfigError, match=r"needs a steps\.py .*PaperSteps"):
        load_steps(load_scenario("paper-intake", root=scenarios), PaperSteps, root=scenarios)
    code, out = _check(scenarios, capsys)
    assert code == 1
    assert "paper-intake" in out and "needs a steps.py" in out
    assert "e-application-sync" not in out  # the other scenario is sound


def test_a_missing_name_is_named(scenarios: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (scenarios / "paper-intake" / "steps.py").read_text(encoding="utf-8")
    _steps_of(scenarios, "paper-intake", text.replace("def record_from_values(", "def values_("))
    code, out = _check(scenarios, capsys)
    assert code == 1 and "steps.py has no 'record_from_values'" in out


def test_an_error_on_import_says_the_line(
    scenarios: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _steps_of(scenarios, "e-application-sync", '"""Broken."""\n\nfrom systems.nowhere import X\n')
    with pytest.raises(ConfigError, match=r"steps\.py:3 fails on import: ModuleNotFoundError"):
        load_steps(
            load_scenario("e-application-sync", root=scenarios), ExportSteps, root=scenarios
        )
    _steps_of(scenarios, "paper-intake", "def broken(:\n")
    code, out = _check(scenarios, capsys)
    assert code == 1
    assert "steps.py:1 fails on import: SyntaxError" in out
    assert "steps.py:3 fails on import: ModuleNotFoundError" in out


def test_a_target_system_the_scenario_does_not_list_is_refused(scenarios: Path) -> None:
    text = (scenarios / "paper-intake" / "steps.py").read_text(encoding="utf-8")
    _steps_of(scenarios, "paper-intake",
              text.replace('target_system = "business-system"',
                           'target_system = "e-application-portal"'))  # fmt: skip
    with pytest.raises(ConfigError, match="does not list system 'e-application-portal'"):
        load_steps(load_scenario("paper-intake", root=scenarios), TargetSteps, root=scenarios)
