"""``jimu check SCENARIO``: the screen health check of a table-to-form scenario.

Visits every screen its ``steps.yaml`` touches — following menu links, filling and sending
nothing — and reports each field or button that is missing or ambiguous, by step and frame.
Exit 1 if anything is; a deployment runs it before the scheduled run and stops with a clear
message instead of failing on row 1 of 200 after a system upgrade renamed a label.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add ``jimu check`` to the parser."""
    check = commands.add_parser(
        "check", help="check that every screen a table-to-form scenario uses still fits it"
    )
    check.add_argument("scenario", help="the scenario id (see `jimu scenarios`)")
    check.add_argument("--target-url", default=None, help="override the system's URL")
    check.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    from core.errors import ConfigError
    from core.scenario import discover_scenarios, scenarios_dir
    from flows.declared import steps_path
    from flows.table_to_form import TableRun

    if args.scenario not in discover_scenarios():
        raise ConfigError(f"no scenario {args.scenario!r} (see `jimu scenarios`)")
    if not steps_path(scenarios_dir() / args.scenario).is_file():
        raise ConfigError(
            f"{args.scenario} has no steps.yaml: `jimu check` checks the screens "
            "of table-to-form scenarios (Python ones: `jimu inventory check`)"
        )
    run = TableRun.load(args.scenario, source=None, target_url=args.target_url, read=False)
    problems = run.screen_problems()
    steps = len(run.declared.search) + len(run.declared.registration)
    if not problems:
        print(
            f"{args.scenario}: OK — {steps} steps on {run.system.name}: "
            "every field and button found once"
        )
        return 0
    for problem in problems:
        where = f" (frame {problem.frame})" if problem.frame else ""
        print(f"{args.scenario}: {problem.step}{where}: {problem.message}")
    print(
        f"{args.scenario}: {len(problems)} problem(s) on {run.system.name}'s screens: "
        "fix steps.yaml (see `jimu inspect`) before the next run"
    )
    return 1
