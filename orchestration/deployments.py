"""jimu's Prefect deployments: read them, check them, plan and apply them.

One deployment per runnable scenario, from the ``deployment:`` section of its
``scenarios/<id>/scenario.yaml`` (name, entrypoint and first tags come from the scenario), and
jimu's own (the hours report) from ``prefect.yaml``. This module validates them with models
(``extra="forbid"``: a typo is an error naming the line), checks them against the
inventory, turns each into a plan — the flow loaded from its entrypoint, the parameter form
Prefect's UI renders (from the flow's typed signature), schedules on the office calendar —
and applies the plans to a Prefect server, work pool included. ``jimu serve`` calls
:func:`apply_deployments` on every start, which also renews the office calendar (holidays
are known a few years ahead only).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from core.errors import ConfigError
from core.inventory import Inventory, load_inventory
from core.scenario import scenarios_dir
from core.yamlfile import load_yaml_model
from orchestration._schedules import OfficeRule, office_schedule

__all__ = [
    "MAX_CONCURRENCY",
    "REPO_ROOT",
    "DeploymentPlan",
    "DeploymentSpec",
    "InboxSpec",
    "OfficeScheduleSpec",
    "PrefectProject",
    "apply_deployments",
    "check_project",
    "ensure_work_pool",
    "form_problems",
    "load_project",
    "plan_deployments",
]

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent


#: Most flow runs of one deployment at a time (each may start browsers of its own).
MAX_CONCURRENCY = 32


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


class WorkPoolSpec(_Model):
    """``work_pool``: the pool (process type) and queue the deployment's runs go to."""

    name: str = Field(min_length=1)
    work_queue_name: str = "default"
    job_variables: dict[str, Any] = Field(default_factory=dict, max_length=50)


class OfficeScheduleSpec(_Model):
    """``office_schedules`` item: fire at ``at`` (Asia/Tokyo) on the days ``rule`` picks."""

    rule: OfficeRule
    at: time
    active: bool = True


class InboxSpec(_Model):
    """``inbox``: a folder (under the data folder) whose scans start a run per batch."""

    folder: str = Field(min_length=1)
    parameter: str = "batch"
    debounce_seconds: float = Field(default=10.0, gt=0, le=3600)


class DeploymentSpec(_Model):
    """One entry of ``deployments`` (Prefect's keys plus jimu's two)."""

    name: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    entrypoint: str = Field(pattern=r"^/?[\w./-]+\.py:\w+$", max_length=1000)
    description: str = ""
    tags: list[str] = Field(min_length=1, max_length=20)
    parameters: dict[str, Any] = Field(default_factory=dict, max_length=50)
    enforce_parameter_schema: bool = True
    concurrency_limit: int | None = Field(default=None, ge=1, le=MAX_CONCURRENCY)
    work_pool: WorkPoolSpec
    office_schedules: list[OfficeScheduleSpec] = Field(default_factory=list, max_length=24)
    inbox: InboxSpec | None = None

    @property
    def entrypoint_path(self) -> Path:
        """The entrypoint's file, relative to the repository."""
        return Path(self.entrypoint.partition(":")[0])


class ScenarioDeployment(_Model):
    """``deployment:`` of a ``scenario.yaml``: how the scenario reaches the Prefect UI.

    Its name is the scenario's id, its entrypoint the scenario's ``flow``, its first tags
    the department and the id; the flow is given ``scenario: <id>`` as a fixed parameter.
    """

    description: str = Field(default="", max_length=1000)
    tags: list[str] = Field(default_factory=list, max_length=18)
    parameters: dict[str, Any] = Field(default_factory=dict, max_length=50)
    concurrency_limit: int | None = Field(default=None, ge=1, le=MAX_CONCURRENCY)
    work_pool: WorkPoolSpec = Field(default_factory=lambda: WorkPoolSpec(name="jimu"))
    office_schedules: list[OfficeScheduleSpec] = Field(default_factory=list, max_length=24)
    inbox: InboxSpec | None = None


class _ScenarioFile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    deployment: ScenarioDeployment | None = None


class PrefectProject(_Model):
    """The whole ``prefect.yaml``."""

    name: str
    prefect_version: str | None = Field(default=None, alias="prefect-version")
    build: list[dict[str, Any]] | None = None
    push: list[dict[str, Any]] | None = None
    pull: list[dict[str, Any]] | None = None
    deployments: list[DeploymentSpec] = Field(min_length=1, max_length=200)

    def deployment(self, name: str) -> DeploymentSpec | None:
        """The deployment called ``name``, or None."""
        return next((d for d in self.deployments if d.name == name), None)


@dataclass(frozen=True)
class DeploymentPlan:
    """What :func:`apply_deployments` sends to Prefect for one deployment."""

    spec: DeploymentSpec
    flow_name: str
    parameter_schema: dict[str, Any]
    schedules: list[tuple[Any, bool]]

    @property
    def full_name(self) -> str:
        """``flow-name/deployment-name``, as ``prefect deployment run`` wants it."""
        return f"{self.flow_name}/{self.spec.name}"


def load_project(path: Path | None = None, *, scenarios: Path | None = None) -> PrefectProject:
    """The deployments: the framework's own from ``prefect.yaml`` (default: the repository's)
    and one per scenario folder whose ``scenario.yaml`` has a ``deployment:``. Raises
    YamlError naming the file and line of a mistake."""
    project = load_yaml_model(path or REPO_ROOT / "prefect.yaml", PrefectProject,
                              what="prefect.yaml")  # fmt: skip
    found = scenario_deployments(scenarios)
    return project.model_copy(update={"deployments": [*project.deployments, *found]})


def scenario_deployments(scenarios: Path | None = None) -> list[DeploymentSpec]:
    """A deployment for every scenario folder with a ``flow`` and a ``deployment:``."""
    from pydantic import ValidationError

    from core.scenario import discover_scenarios, load_scenario, scenarios_dir
    from core.yamlfile import YamlError, describe_errors, load_yaml

    root = scenarios or scenarios_dir()
    specs = []
    for scenario_id in discover_scenarios(root=root):
        config = load_scenario(scenario_id, root=root)
        if config.flow is None or config.deployment is None:
            continue
        path = root / scenario_id / "scenario.yaml"
        data, node = load_yaml(path, what="the scenario")
        try:
            deployment = _ScenarioFile.model_validate(data).deployment
        except ValidationError as exc:
            raise YamlError(describe_errors(path, node, exc)) from None
        assert deployment is not None
        extra = [tag for tag in deployment.tags if tag not in (config.department, config.id)]
        specs.append(
            DeploymentSpec(
                name=config.id,
                entrypoint=scenario_entrypoint(root, config.id, config.flow),
                description=deployment.description or config.name,
                tags=[config.department, config.id, *extra],
                parameters={**deployment.parameters, "scenario": config.id},
                concurrency_limit=deployment.concurrency_limit,
                work_pool=deployment.work_pool,
                office_schedules=deployment.office_schedules,
                inbox=deployment.inbox,
            )
        )
    return specs


def check_project(
    project: PrefectProject, inventory: Inventory, *, repo_root: Path = REPO_ROOT
) -> tuple[list[str], list[str]]:
    """Compare ``prefect.yaml`` with the inventory; returns ``(problems, pending)``.

    A problem: a runnable scenario (開発中/稼働中 with a scenario folder) without a
    deployment, a deployment not tagged with its scenario's department, a 稼働中 scenario
    whose flow file is missing, two deployments with one name. Pending: deployments of
    開発中 scenarios whose flow is not written yet (skipped when applying).
    """
    problems: list[str] = []
    pending: list[str] = []
    names = [d.name for d in project.deployments]
    problems += [
        f"deployment {n!r} appears twice" for n in sorted(set(names)) if names.count(n) > 1
    ]
    watched: dict[str, str] = {}
    for watcher in project.deployments:
        if watcher.inbox is None:
            continue
        other = watched.setdefault(watcher.inbox.folder, watcher.name)
        if other != watcher.name:
            problems.append(
                f"deployments {other!r} and {watcher.name!r} watch the same inbox "
                f"{watcher.inbox.folder!r}: give each its own folder"
            )
    for entry in inventory.scenarios:
        runnable = entry.status.needs_folder and (scenarios_dir() / entry.id).is_dir()
        spec = project.deployment(entry.id)
        if spec is None:
            if runnable:
                problems.append(f"scenario {entry.id!r} ({entry.status}) has no deployment")
            continue
        if spec.tags[0] != entry.department:
            problems.append(
                f"deployment {spec.name!r}: first tag must be its department {entry.department!r}"
            )
        if not (repo_root / spec.entrypoint_path).is_file():
            if entry.status.value == "稼働中":
                problems.append(f"deployment {spec.name!r}: {spec.entrypoint_path} is missing")
            else:
                pending.append(spec.name)
    for spec in project.deployments:
        if (
            inventory.scenario(spec.name) is None
            and not (repo_root / spec.entrypoint_path).is_file()
        ):
            problems.append(f"deployment {spec.name!r}: {spec.entrypoint_path} is missing")
    return problems, pending


def scenario_entrypoint(scenarios: Path, scenario_id: str, flow: str) -> str:
    """A scenario.yaml ``flow:`` as a deployment entrypoint (``path/file.py:function``):
    relative to the repository for a module, the file in the scenario's folder otherwise."""
    where, _, function = flow.rpartition(":")
    if not where.endswith(".py"):
        return f"{where.replace('.', '/')}.py:{function}"
    folder = scenarios / scenario_id
    with contextlib.suppress(ValueError):
        return f"{(folder / where).resolve().relative_to(REPO_ROOT).as_posix()}:{function}"
    return f"{(folder / where).resolve().as_posix()}:{function}"


def plan_deployments(
    project: PrefectProject,
    *,
    repo_root: Path = REPO_ROOT,
    start: date | None = None,
    skip: frozenset[str] = frozenset(),
) -> list[DeploymentPlan]:
    """Load every deployment's flow from its entrypoint and build what Prefect needs.

    Raises :class:`ConfigError` if an entrypoint does not import or is not a flow.
    """
    from prefect.flows import Flow, load_flow_from_entrypoint

    plans = []
    for spec in project.deployments:
        if spec.name in skip:
            continue
        file, _, func = spec.entrypoint.partition(":")
        try:
            flow: Any = load_flow_from_entrypoint(f"{repo_root / file}:{func}")
        except Exception as exc:
            raise ConfigError(
                f"deployment {spec.name!r}: entrypoint {spec.entrypoint} does not load "
                f"({type(exc).__name__}: {exc})"
            ) from exc
        if not isinstance(flow, Flow):
            raise ConfigError(f"deployment {spec.name!r}: {spec.entrypoint} is not a flow")
        schedules = [
            (office_schedule(s.rule, at=s.at, start=start), s.active) for s in spec.office_schedules
        ]
        plans.append(
            DeploymentPlan(
                spec=spec,
                flow_name=flow.name,
                parameter_schema=flow.parameters.model_dump_for_openapi(),
                schedules=schedules,
            )
        )
    return plans


def form_problems(plan: DeploymentPlan) -> list[str]:
    """What makes a deployment's parameter form unfit for the people who use it: a
    parameter without a description (the UI shows it to a clerk unexplained), a required
    parameter without a value (a scheduled or inbox run could not start), a fixed value the
    flow does not accept."""
    import jsonschema

    name, schema = plan.spec.name, plan.parameter_schema
    problems = [
        f"deployment {name!r}: parameter {key!r} has no description (flow docstring Args:)"
        for key, field in schema.get("properties", {}).items()
        if not field.get("description")
    ]
    problems += [
        f"deployment {name!r}: parameter {key!r} is required but has no default: "
        "a scheduled run could not start"
        for key in schema.get("required", [])
        if key not in plan.spec.parameters
    ]
    try:
        jsonschema.validate(plan.spec.parameters, schema)
    except jsonschema.ValidationError as exc:
        problems.append(f"deployment {name!r}: parameters do not fit the flow: {exc.message}")
    return problems


def ensure_work_pool(client: Any, name: str) -> None:
    """Create the process-type work pool ``name`` with Prefect's default job template, once."""
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.workers.process import ProcessWorker

    template = ProcessWorker.get_default_base_job_template()
    with contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(
            WorkPoolCreate(name=name, type="process", base_job_template=template)
        )


def apply_deployments(
    project: PrefectProject | None = None,
    *,
    inventory: Inventory | None = None,
    repo_root: Path = REPO_ROOT,
    start: date | None = None,
) -> list[DeploymentPlan]:
    """Check, plan and create or update every deployment on the current Prefect API.

    Idempotent (Prefect upserts by flow and name; schedules are replaced). Deployments
    of scenarios still in development whose flow is missing are skipped with a log line.
    Raises :class:`ConfigError` listing every problem :func:`check_project` finds.
    """
    from prefect import get_client
    from prefect.client.schemas.actions import DeploymentScheduleCreate

    project = project or load_project(repo_root / "prefect.yaml")
    inventory = inventory or load_inventory(repo_root / "inventory.yaml")
    problems, pending = check_project(project, inventory, repo_root=repo_root)
    if problems:
        raise ConfigError("prefect.yaml: " + "; ".join(problems))
    for name in pending:
        log.warning("deployment %s skipped: its flow is not written yet", name)
    plans = plan_deployments(project, repo_root=repo_root, start=start, skip=frozenset(pending))
    pull = [{"prefect.deployments.steps.set_working_directory": {"directory": str(repo_root)}}]
    with get_client(sync_client=True) as client:
        for pool in sorted({plan.spec.work_pool.name for plan in plans}):
            ensure_work_pool(client, pool)
        for plan in plans:
            spec = plan.spec
            flow_id = client.create_flow_from_name(plan.flow_name)
            client.create_deployment(
                flow_id=flow_id,
                name=spec.name,
                description=spec.description or None,
                tags=list(spec.tags),
                parameters=dict(spec.parameters),
                parameter_openapi_schema=plan.parameter_schema,
                enforce_parameter_schema=spec.enforce_parameter_schema,
                entrypoint=spec.entrypoint,
                path=str(repo_root),
                pull_steps=pull,
                work_pool_name=spec.work_pool.name,
                work_queue_name=spec.work_pool.work_queue_name,
                job_variables=dict(spec.work_pool.job_variables),
                concurrency_limit=spec.concurrency_limit,
                schedules=[
                    DeploymentScheduleCreate(schedule=schedule, active=active)
                    for schedule, active in plan.schedules
                ],
            )
            log.info("deployment %s applied", plan.full_name)
    return plans
