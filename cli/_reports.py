"""``jimu report`` and ``jimu inventory check``: hours-saved reports and the register's health."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli._argtypes import fiscal_year, iso_date
from core.errors import ConfigError

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``report`` command and the ``inventory`` command group to the ``jimu`` parser."""
    report = commands.add_parser(
        "report",
        help="write the hours-saved workbook (.xlsx) and document (.docx)",
        description="Hours saved by fiscal year (年度, April–March, Japan time), from the ledger "
        "and the inventory's baselines. Without --fy: the current fiscal year.",
    )
    report.add_argument(
        "--fy",
        type=fiscal_year,
        default=None,
        metavar="YEAR",
        help="fiscal year, e.g. 2026 for 2026-04-01..2027-03-31",
    )
    report.add_argument(
        "--from",
        dest="start",
        type=iso_date,
        default=None,
        metavar="DATE",
        help="first day (YYYY-MM-DD, Japan time)",
    )
    report.add_argument(
        "--to",
        dest="end",
        type=iso_date,
        default=None,
        metavar="DATE",
        help="last day, included (YYYY-MM-DD)",
    )
    report.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: reports/ in the data folder)",
    )
    report.add_argument(
        "--inventory",
        type=Path,
        default=Path("inventory.yaml"),
        metavar="PATH",
        help="inventory file (default: ./inventory.yaml)",
    )
    report.add_argument(
        "--ledger-url",
        default=None,
        metavar="URL",
        help="ledger database URL (default: JIMU_LEDGER_URL or the data folder)",
    )
    report.set_defaults(handler=run_report)

    inventory = commands.add_parser("inventory", help="the register of scenarios and candidates")
    actions = inventory.add_subparsers(
        dest="action", metavar="ACTION", parser_class=type(inventory)
    )
    actions.required = True
    check = actions.add_parser(
        "check",
        help="list every problem of inventory.yaml, one per line (exit 1 if any)",
        description="Schema errors; 稼働中 scenarios without an owner, past their review date, "
        "idle for 30 days or failing over 10%%; scenario folders and entries that do not match.",
    )
    check.add_argument(
        "--path",
        type=Path,
        default=Path("inventory.yaml"),
        help="inventory file (default: ./inventory.yaml)",
    )
    check.add_argument(
        "--scenarios-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="scenario folders (default: scenarios/ next to the inventory)",
    )
    check.add_argument("--ledger-url", default=None, metavar="URL", help="ledger database URL")
    check.add_argument(
        "--today",
        type=iso_date,
        default=None,
        metavar="DATE",
        help="check as of this day (default: today, Japan time)",
    )
    check.set_defaults(handler=run_inventory_check)


def run_report(args: argparse.Namespace) -> int:
    """``jimu report``: write both files, print their paths and the headline figure."""
    from reports import Period, build_report
    from reports._text import fmt_hours, fmt_rate

    try:
        period = Period.resolve(fy=args.fy, start=args.start, end=args.end)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    files = build_report(
        period=period, out_dir=args.out, inventory=args.inventory, ledger=args.ledger_url
    )
    summary = files.report.summary
    print(
        f"{period.label}: {summary.done:,} items done, {fmt_hours(summary.saved_hours)} hours "
        f"saved (forecast {fmt_hours(summary.forecast_hours)}, {fmt_rate(summary.achievement)})"
    )
    print(files.workbook)
    print(files.document)
    return 0


def run_inventory_check(args: argparse.Namespace) -> int:
    """``jimu inventory check``: one line per problem on stdout; 1 if any, else 0.

    A register without scenarios (candidates only) is a problem too: every other check
    looks at scenarios, so it would otherwise pass as sound.
    """
    from core.inventory import load_inventory
    from reports import Problem, check_inventory

    problems = check_inventory(
        args.path, scenarios_dir=args.scenarios_dir, ledger=args.ledger_url, today=args.today
    )
    if not any(p.kind == "schema" for p in problems) and not load_inventory(args.path).scenarios:
        problems.insert(
            0,
            Problem(
                f"{args.path}:1",
                "no-scenarios",
                "the inventory lists candidates but no scenarios (add them under scenarios:)",
            ),
        )
    if not any(p.kind == "schema" for p in problems):
        problems += _deployment_problems(args)
        problems += _steps_problems(args)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"{args.path}: no problems")
    return 0


def _steps_problems(args: argparse.Namespace) -> list[Any]:
    """Each runnable scenario's flow imports, and its ``steps.py`` offers what the flow
    needs (the flow module's ``SCENARIO_STEPS``) or its folder passes the flow module's
    ``check_scenario_folder`` (a ``steps.yaml``): what `jimu run` would stop on."""
    import sys

    from core.scenario import discover_scenarios, load_scenario
    from flows.steps import TargetSteps, load_steps
    from orchestration._entrypoints import load_flow
    from reports import Problem

    root = args.scenarios_dir or args.path.parent / "scenarios"
    problems = []
    for scenario_id in discover_scenarios(root=root):
        try:
            config = load_scenario(scenario_id, root=root)
        except ConfigError:
            continue  # the inventory check above has said what is wrong with it
        if config.flow is None:
            continue
        try:
            flow = load_flow(config, root=root)
            module = sys.modules.get(flow.fn.__module__)
            kind = getattr(module, "SCENARIO_STEPS", None)
            if isinstance(kind, type) and issubclass(kind, TargetSteps):
                load_steps(config, kind, root=root)
            check_folder = getattr(module, "check_scenario_folder", None)
            if callable(check_folder):  # e.g. a table-to-form scenario's steps.yaml
                check_folder(root / scenario_id)
        except ConfigError as exc:
            problems.append(Problem(f"{root / scenario_id}", "scenario", exc.message))
    return problems


def _deployment_problems(args: argparse.Namespace) -> list[Any]:
    """The deployments (prefect.yaml and every scenario's ``deployment:``) against the
    register, and each one's parameter form: what `jimu serve` would refuse or run badly."""
    from core.inventory import load_inventory
    from orchestration.deployments import (
        check_project,
        form_problems,
        load_project,
        plan_deployments,
    )
    from reports import Problem

    try:
        project = load_project(scenarios=args.scenarios_dir)
        problems, pending = check_project(project, load_inventory(args.path))
        if not problems:
            for plan in plan_deployments(project, skip=frozenset(pending)):
                problems += form_problems(plan)
    except ConfigError as exc:
        problems = exc.message.splitlines()
    return [Problem("", "deployment", text) for text in problems]
