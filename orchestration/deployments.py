"""jimu's Prefect deployments: read ``prefect.yaml``, check it, plan and apply it.

``prefect.yaml`` is data (one deployment per runnable scenario of ``inventory.yaml``);
this module validates it with a model (``extra="forbid"``: a typo is an error naming the
line), checks it against the inventory, turns each deployment into a plan — the flow loaded
from its entrypoint, the parameter form Prefect's UI renders (from the flow's typed
signature), schedules on the office calendar — and applies the plans to a Prefect server,
work pool included. ``jimu serve`` calls :func:`apply_deployments` on every start, which
also renews the office calendar (holidays are known a few years ahead only).
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
    entrypoint: str = Field(pattern=r"^[\w/]+\.py:\w+$")
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


def load_project(path: Path | None = None) -> PrefectProject:
    """Read and validate ``prefect.yaml`` (default: the repository's). Raises YamlError."""
    return load_yaml_model(path or REPO_ROOT / "prefect.yaml", PrefectProject, what="prefect.yaml")


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
    for entry in inventory.scenarios:
        runnable = entry.status.needs_folder and (repo_root / "scenarios" / entry.id).is_dir()
        spec = project.deployment(entry.id)
        if spec is None:
            if runnable:
                problems.append(f"scenario {entry.id!r} ({entry.status}) has no deployment")
            continue
        if spec.tags[0] != entry.department:
            problems.append(
                f"deployment {spec.name!r}: first tag must be its department {entry.department!r}"
            )
        flow = _scenario_flow(repo_root / "scenarios", entry.id)
        if flow is not None and scenario_entrypoint(entry.id, flow) != spec.entrypoint:
            problems.append(
                f"deployment {spec.name!r}: entrypoint {spec.entrypoint} is not the flow of "
                f"scenarios/{entry.id}/scenario.yaml ({flow})"
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


def scenario_entrypoint(scenario_id: str, flow: str) -> str:
    """A scenario.yaml ``flow:`` as a deployment entrypoint (``path/file.py:function``)."""
    where, _, function = flow.rpartition(":")
    if where.endswith(".py"):
        return f"scenarios/{scenario_id}/{where}:{function}"
    return f"{where.replace('.', '/')}.py:{function}"


def _scenario_flow(scenarios: Path, scenario_id: str) -> str | None:
    from core.errors import ConfigError
    from core.scenario import load_scenario

    if not (scenarios / scenario_id / "scenario.yaml").is_file():
        return None
    try:
        return load_scenario(scenario_id, root=scenarios).flow
    except ConfigError:
        return None  # reported by the scenario checks of `jimu inventory check`


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
