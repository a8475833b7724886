"""A scenario's flow, found from its ``scenario.yaml`` (``flow: module:function`` or
``flow: file.py:function`` inside the scenario's folder)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from core.errors import ConfigError
from core.scenario import ScenarioConfig, scenario_module

__all__ = ["load_flow"]


def load_flow(config: ScenarioConfig, *, root: Path | None = None) -> Any:
    """The Prefect flow of ``config``; :class:`ConfigError` naming the scenario if it has
    none, or its entry point does not lead to one."""
    if config.flow is None:
        raise ConfigError(f"scenario {config.id!r} has no flow (scenario.yaml: flow:)")
    where, _, name = config.flow.rpartition(":")
    try:
        module = _module(config.id, where, root)
    except ImportError as exc:
        raise ConfigError(f"scenario {config.id!r}: flow {config.flow!r} cannot be imported "
                          f"({type(exc).__name__}: {exc})") from exc  # fmt: skip
    flow = getattr(module, name, None)
    if flow is None or not hasattr(flow, "fn"):
        raise ConfigError(f"scenario {config.id!r}: {config.flow!r} is not a Prefect flow")
    return flow


def _module(scenario_id: str, where: str, root: Path | None) -> Any:
    if not where.endswith(".py"):
        return importlib.import_module(where)
    return scenario_module(scenario_id, where, root=root)
