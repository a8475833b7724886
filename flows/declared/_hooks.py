"""Python hooks: what a ``steps.yaml`` cannot say, in the scenario's own ``hooks.py``.

A step ``call: name`` runs ``name(target, row)`` from ``scenarios/<id>/hooks.py``: ``target``
is the page or frame the step names (``frame:``), ``row`` the row's typed values by column.
A hook acts on the screen with jimu's robots (``fill_form``, ``click``, ``read_texts``) or
refuses the row with :class:`~core.errors.InvalidInput` (it goes to the 要確認リスト with the
hook's message). It must not send the registration itself: the commit click stays in YAML,
where a dry run can stop before it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from core.errors import ConfigError
from core.scenario import scenario_module
from flows.declared._model import DeclaredScenario, all_steps
from robots import Target

__all__ = ["HOOKS_FILE", "Hook", "load_hooks"]

HOOKS_FILE = "hooks.py"

Hook = Callable[[Target, Mapping[str, Any]], None]


def load_hooks(
    scenario_id: str, declared: DeclaredScenario, *, root: Path | None = None
) -> dict[str, Hook]:
    """The functions the steps ``call``, from the scenario's ``hooks.py``; ``{}`` if none.

    Raises :class:`ConfigError` naming the file and the function if one is missing, and
    the line of ``hooks.py`` that fails if it cannot be imported.
    """
    wanted = sorted({step.call for step in all_steps(declared) if step.call})
    if not wanted:
        return {}
    try:
        module = scenario_module(scenario_id, HOOKS_FILE, root=root)
    except ImportError as exc:
        raise ConfigError(f"{scenario_id}: steps call {', '.join(wanted)} but {exc}") from None
    except Exception as exc:  # the scenario's own code fails on import
        where = exc.__traceback__
        while where is not None and where.tb_next is not None:
            where = where.tb_next
        line = where.tb_lineno if where is not None else "?"
        raise ConfigError(f"{scenario_id}/{HOOKS_FILE}:{line}: {type(exc).__name__} on import"
                          ) from None  # fmt: skip
    hooks: dict[str, Hook] = {}
    for name in wanted:
        function = getattr(module, name, None)
        if not callable(function):
            raise ConfigError(f"{scenario_id}/{HOOKS_FILE}: no function {name!r} "
                              "(a step calls it)")  # fmt: skip
        hooks[name] = function
    return hooks
