"""A scenario's flow, found from its ``scenario.yaml`` (``flow: module:function`` or
``flow: file.py:function`` inside the scenario's folder)."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

from core.errors import ConfigError
from core.scenario import ScenarioConfig, scenarios_dir

__all__ = ["load_flow"]


def load_flow(config: ScenarioConfig) -> Any:
    """The Prefect flow of ``config``; :class:`ConfigError` naming the scenario if it has
    none, or its entry point does not lead to one."""
    if config.flow is None:
        raise ConfigError(f"scenario {config.id!r} has no flow (scenario.yaml: flow:)")
    where, _, name = config.flow.rpartition(":")
    try:
        module = _module(config.id, where)
    except ImportError as exc:
        raise ConfigError(f"scenario {config.id!r}: flow {config.flow!r} cannot be imported "
                          f"({type(exc).__name__}: {exc})") from exc  # fmt: skip
    flow = getattr(module, name, None)
    if flow is None or not hasattr(flow, "fn"):
        raise ConfigError(f"scenario {config.id!r}: {config.flow!r} is not a Prefect flow")
    return flow


def _module(scenario_id: str, where: str) -> Any:
    if not where.endswith(".py"):
        return importlib.import_module(where)
    path = (scenarios_dir() / scenario_id / where).resolve()
    folder = (scenarios_dir() / scenario_id).resolve()
    if folder not in path.parents or not path.is_file():
        raise ImportError(f"{where} is not a file of the scenario's folder")
    name = f"jimu_scenario_{scenario_id.replace('-', '_')}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{where} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
