"""``scenarios/<id>/scenario.yaml``: which systems one scenario works in and how its robots run.

Data, not code: the ids of its target systems (registered once in ``systems/``), robot
options. Read by jimu's strict YAML loader (a key written twice, such as a second ``url:``,
is refused) and validated with ``extra="forbid"``; a mistake names the file, the line and
the key. Every count and duration is bounded, so a typo cannot start a thousand browsers.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.errors import ConfigError
from core.systems import SystemConfig, load_system
from core.yamlfile import load_yaml_model

__all__ = [
    "MAX_WORKERS",
    "ExportOptions",
    "RobotOptions",
    "ScenarioConfig",
    "discover_scenarios",
    "load_scenario",
    "scenario_module",
    "scenarios_dir",
]


#: Most browser contexts one scenario runs in parallel (each is a Chromium tab and memory).
MAX_WORKERS = 8

#: A wait of up to an hour, in seconds.
Seconds = Annotated[float, Field(ge=0, le=3600)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class RobotOptions(_Model):
    """How the robots of a scenario run."""

    workers: int = Field(
        default=1, ge=1, le=MAX_WORKERS, description="browser contexts in parallel"
    )
    lease_seconds: float = Field(
        default=120, gt=0, le=3600, description="how long a worker holds an item"
    )
    item_attempts: int = Field(
        default=12, ge=1, le=100, description="technical retries within one item"
    )
    retry_backoff_seconds: list[Seconds] = Field(
        default_factory=lambda: [2.0, 10.0, 30.0],
        max_length=10,
        description="waits before each further pass over items that failed technically",
    )
    timeout_seconds: float = Field(
        default=15, gt=0, le=600, description="longest wait for a screen"
    )
    trace: Literal["always", "retries", "never"] = Field(
        default="always",
        description="when to record a Playwright trace (kept, redacted, only if the item "
        "fails): every item, from an item's second attempt on, or never",
    )


class ExportOptions(_Model):
    """What to export from an online-application service."""

    status: Literal["未処理", "受理", "差戻し"] = "未処理"
    encoding: Literal["cp932", "utf-8-sig"] = "cp932"


class ScenarioConfig(_Model):
    """One scenario's ``scenario.yaml``."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)
    name: str = Field(max_length=200, description="名称, in Japanese")
    department: str = Field(max_length=200, description="担当課")
    description: str = Field(default="", max_length=2000)
    systems: list[str] = Field(
        default_factory=list, max_length=16, description="ids of the systems/ it works in"
    )
    flow: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][\w.]*(\.py)?:[A-Za-z_]\w*$",
        max_length=200,
        description="the Prefect flow that runs it: a module (flows.paper_intake:paper_intake) "
        "or a file of the scenario's folder (flow.py:main); none: not runnable",
    )
    robot: RobotOptions = Field(default_factory=RobotOptions)
    export: ExportOptions | None = None
    deployment: dict[str, Any] | None = Field(
        default=None,
        description="how it reaches the Prefect UI: schedules, inbox, tags "
        "(validated by orchestration.deployments.ScenarioDeployment)",
    )

    def system(self, system_id: str) -> SystemConfig:
        """The registered system ``system_id``; :class:`ConfigError` if the scenario does not
        list it or ``systems/`` does not have it."""
        if system_id not in self.systems:
            raise ConfigError(f"scenario {self.id!r} does not list system {system_id!r}")
        return load_system(system_id)


def scenarios_dir() -> Path:
    """The folder of scenarios (the settings' ``scenarios_dir``, ``JIMU_SCENARIOS_DIR``)."""
    from core.settings import get_settings

    return get_settings().scenarios_dir


def load_scenario(scenario_id: str, *, root: Path | None = None) -> ScenarioConfig:
    """Load and validate ``<root>/<scenario_id>/scenario.yaml``.

    Raises :class:`ConfigError` if it is missing, and :class:`~core.yamlfile.YamlError` (a
    ConfigError) naming file, line and key if it is invalid — a key written twice included.
    """
    path = (root or scenarios_dir()) / scenario_id / "scenario.yaml"
    if not path.is_file():
        raise ConfigError(f"no scenario {scenario_id!r}: {path} does not exist")
    config = load_yaml_model(path, ScenarioConfig, what="the scenario")
    if config.id != scenario_id:
        raise ConfigError(f"{path}:1: id: {config.id!r} does not match its folder {scenario_id!r}")
    for system_id in config.systems:
        try:
            load_system(system_id)
        except ConfigError as exc:
            raise ConfigError(f"{path}: systems: {exc.message}") from None
    return config


def discover_scenarios(*, root: Path | None = None) -> list[str]:
    """The id of every scenario folder (one holding ``scenario.yaml``), sorted."""
    folder = root or scenarios_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "scenario.yaml").is_file())


def scenario_module(scenario_id: str, filename: str, *, root: Path | None = None) -> ModuleType:
    """Import ``filename`` (e.g. ``steps.py``) of the scenario's folder as a module named
    ``jimu_scenario_<id>_<stem>``; it may import jimu's packages and the registered systems.

    Raises :class:`ImportError` if the file is not in the folder; whatever the module itself
    raises on import (a bug in the scenario's code) propagates.
    """
    folder = ((root or scenarios_dir()) / scenario_id).resolve()
    path = (folder / filename).resolve()
    if folder not in path.parents or path.suffix != ".py" or not path.is_file():
        raise ImportError(f"{filename} is not a Python file of the scenario's folder")
    name = f"jimu_scenario_{scenario_id.replace('-', '_')}_{path.stem}"
    stamp = (str(path), path.stat().st_mtime_ns)
    loaded = sys.modules.get(name)
    if loaded is not None and getattr(loaded, "__jimu_stamp__", None) == stamp:
        return loaded  # imported once per process, again only if the file changed
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{filename} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    module.__jimu_stamp__ = stamp  # type: ignore[attr-defined]
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
