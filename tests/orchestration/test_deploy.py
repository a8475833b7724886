"""prefect.yaml: a deployment per runnable scenario, loadable entrypoints, proper forms."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jsonschema
import pytest
from prefect import get_client

from core.inventory import load_inventory
from core.yamlfile import YamlError
from orchestration.deployments import (
    REPO_ROOT,
    DeploymentPlan,
    apply_deployments,
    check_project,
    form_problems,
    load_project,
    plan_deployments,
)


def test_every_runnable_scenario_has_a_deployment_tagged_with_its_department() -> None:
    project = load_project()
    inventory = load_inventory(REPO_ROOT / "inventory.yaml")

    problems, pending = check_project(project, inventory)

    assert problems == []
    runnable = [s for s in inventory.scenarios if s.status.needs_folder]
    for scenario in runnable:
        spec = project.deployment(scenario.id)
        assert spec is not None and spec.tags[0] == scenario.department
        assert spec.work_pool.name == "jimu"
    for name in pending:  # only a flow still being written may be missing
        spec = project.deployment(name)
        assert spec is not None and not (REPO_ROOT / spec.entrypoint_path).exists()


def test_scenario_deployments_come_from_their_folders() -> None:
    project = load_project()
    spec = project.deployment("paper-intake")
    assert spec is not None
    assert spec.entrypoint == "flows/paper_intake.py:paper_intake"  # its scenario.yaml's flow
    assert spec.parameters == {"scenario": "paper-intake"}
    assert spec.inbox is not None and spec.inbox.folder == "inbox/paper-intake"
    twice = project.model_copy(update={"deployments": [*project.deployments, spec]})
    problems, _ = check_project(twice, load_inventory(REPO_ROOT / "inventory.yaml"))
    assert problems == ["deployment 'paper-intake' appears twice"]


def test_two_deployments_watching_one_inbox_is_a_problem() -> None:
    project = load_project()
    spec = project.deployment("paper-intake")
    assert spec is not None
    copy = spec.model_copy(update={"name": "paper-intake-west"})
    both = project.model_copy(update={"deployments": [*project.deployments, copy]})
    problems, _ = check_project(both, load_inventory(REPO_ROOT / "inventory.yaml"))
    assert problems == [
        "deployments 'paper-intake' and 'paper-intake-west' watch the same inbox "
        "'inbox/paper-intake': give each its own folder"
    ]


def test_a_form_a_clerk_cannot_use_is_a_problem() -> None:
    spec = load_project().deployment("paper-intake")
    assert spec is not None
    schema = {
        "type": "object",
        "properties": {"batch": {"type": "string"}, "scenario": {"type": "string",
                                                                 "description": "シナリオID"}},
        "required": ["batch", "scenario"],
    }  # fmt: skip
    plan = DeploymentPlan(spec=spec, flow_name="paper-intake", parameter_schema=schema,
                          schedules=[])  # fmt: skip
    assert form_problems(plan) == [
        "deployment 'paper-intake': parameter 'batch' has no description (flow docstring Args:)",
        "deployment 'paper-intake': parameter 'batch' is required but has no default: "
        "a scheduled run could not start",
        "deployment 'paper-intake': parameters do not fit the flow: "
        "'batch' is a required property",
    ]


def test_every_entrypoint_imports_and_its_parameter_form_is_a_valid_schema() -> None:
    project = load_project()
    _, pending = check_project(project, load_inventory(REPO_ROOT / "inventory.yaml"))

    plans = plan_deployments(project, start=date(2026, 4, 1), skip=frozenset(pending))

    assert {p.spec.name for p in plans} == {d.name for d in project.deployments} - set(pending)
    for plan in plans:
        schema = plan.parameter_schema
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object"
        jsonschema.validate(plan.spec.parameters, schema)  # the defaults in prefect.yaml fit
        for name, field in schema["properties"].items():  # the clerk's form explains each field
            assert field.get("description"), f"{plan.spec.name}: {name} has no description"
    sync = next(p for p in plans if p.spec.name == "e-application-sync")
    workers = sync.parameter_schema["properties"]["workers"]
    assert {"minimum": 1, "maximum": 8}.items() <= _flatten(workers).items()  # the UI's form limits
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"workers": 20}, sync.parameter_schema)
    assert len(sync.schedules) == 1 and "EXDATE" in sync.schedules[0][0].rrule


def test_a_typo_in_prefect_yaml_names_the_line(tmp_path: Path) -> None:
    text = (REPO_ROOT / "prefect.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "prefect.yaml"
    broken.write_text(
        text.replace("    office_schedules:", "    office_schedule:", 1), encoding="utf-8"
    )

    with pytest.raises(YamlError, match=r"prefect\.yaml:\d+.*office_schedule"):
        load_project(broken)


def test_a_scenario_without_deployment_or_with_another_department_is_a_problem() -> None:
    project = load_project()
    inventory = load_inventory(REPO_ROOT / "inventory.yaml")
    sync = project.deployment("e-application-sync")
    assert sync is not None
    retagged = sync.model_copy(update={"tags": ["市民課"]})
    others = [d for d in project.deployments if d.name != "e-application-sync"]

    problems, _ = check_project(project.model_copy(update={"deployments": others}), inventory)
    assert problems == ["scenario 'e-application-sync' (開発中) has no deployment"]
    problems, _ = check_project(
        project.model_copy(update={"deployments": [*others, retagged]}), inventory
    )
    assert problems == [
        "deployment 'e-application-sync': first tag must be its department '子育て支援課'"
    ]


@pytest.mark.usefixtures("prefect_harness")
def test_apply_creates_the_work_pool_and_deployments_idempotently() -> None:
    first = apply_deployments(start=date(2026, 4, 1))
    second = apply_deployments(start=date(2026, 4, 1))

    assert [p.full_name for p in first] == [p.full_name for p in second]
    with get_client(sync_client=True) as client:
        pool = client.read_work_pool("jimu")
        assert pool.type == "process"
        for plan in second:
            deployment = client.read_deployment_by_name(plan.full_name)
            assert deployment.tags == plan.spec.tags
            assert deployment.work_pool_name == "jimu"
            assert deployment.parameter_openapi_schema == plan.parameter_schema
            assert len(deployment.schedules) == len(plan.spec.office_schedules)
            assert deployment.pull_steps == [
                {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO_ROOT)}}
            ]


def _flatten(schema: dict[str, object]) -> dict[str, object]:
    """``workers: int | None`` is an anyOf; the integer branch carries the limits."""
    merged = dict(schema)
    for branch in schema.get("anyOf", []):  # type: ignore[attr-defined]
        merged.update(branch)
    return merged
