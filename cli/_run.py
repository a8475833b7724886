"""``jimu run SCENARIO``: run any scenario's flow now, on Prefect's local mode.

The scenario is found by its folder (``scenarios/<id>/scenario.yaml``, ``flow:``); options
become the flow's parameters where the flow takes them (``--batch``, ``--wait``,
``--workers``, ``--portal-url``, ``--business-url``, ``--source``, ``--target-url``,
``--dry-run``), and ``-p NAME=VALUE`` for any parameter.
"""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path
from typing import Any

__all__ = ["register"]

# Options of earlier versions, kept, and the flow parameter each one sets.
_OPTIONS = {
    "workers": "workers",
    "portal_url": "portal_url",
    "business_url": "business_url",
    "batch": "batch",
    "wait": "wait_for_review_seconds",
    "source": "source",
    "target_url": "target_url",
    "dry_run": "dry_run",
}


def register(commands: Any) -> None:
    """Add ``jimu run`` to the parser."""
    from cli._argtypes import positive_int

    run = commands.add_parser("run", help="run a scenario's flow now (Prefect local mode)")
    run.add_argument("scenario", help="the scenario id (see `jimu scenarios`)")
    run.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                     help="a flow parameter (repeatable)")  # fmt: skip
    run.add_argument("--workers", type=positive_int, default=None, help="browser contexts (1–8)")
    run.add_argument("--portal-url", default=None, help="override the 電子申請システム URL")
    run.add_argument("--business-url", default=None, help="override the 業務システム URL")
    run.add_argument("--batch", type=Path, default=None, help="a folder of scans to read")
    run.add_argument(
        "--wait", type=float, default=None, metavar="SECONDS",
        help="keep registering what reviewers confirm for this long",
    )  # fmt: skip
    run.add_argument("--source", type=Path, default=None,
                     help="the workbook or CSV to read (table-to-form scenarios)")  # fmt: skip
    run.add_argument("--target-url", default=None, help="override the target system's URL")
    run.add_argument("--dry-run", action="store_true", default=None,
                     help="every row's steps up to the last submit, then stop")  # fmt: skip
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from core.errors import ConfigError
    from core.scenario import discover_scenarios, load_scenario

    if args.scenario not in discover_scenarios():
        known = ", ".join(discover_scenarios())
        raise ConfigError(f"no scenario {args.scenario!r} (scenarios: {known})")
    if args.workers is not None and args.workers > 8:
        raise ConfigError("--workers: at most 8 browser contexts")
    if args.batch is not None and not args.batch.is_dir():
        raise ConfigError(f"--batch: {args.batch} is not a folder")
    if args.wait is not None and args.wait < 0:
        raise ConfigError("--wait: seconds cannot be negative")
    config = load_scenario(args.scenario)
    from orchestration._entrypoints import load_flow

    flow = load_flow(config)
    parameters = _parameters(args, set(inspect.signature(flow.fn).parameters))
    from orchestration._concurrency import ensure_session_limits
    from orchestration._prefect_env import prepare_prefect

    prepare_prefect()
    ensure_session_limits(update_existing=False)  # the systems' session limits, if missing
    print(f"{config.id}: {config.name} …", flush=True)
    summary = flow(**parameters)
    return _print_summary(config.id, summary)


def _parameters(args: argparse.Namespace, accepted: set[str]) -> dict[str, Any]:
    from core.errors import ConfigError

    parameters: dict[str, Any] = {}
    for option, name in _OPTIONS.items():
        value = getattr(args, option)
        if value is None:
            continue
        if name not in accepted:
            raise ConfigError(f"--{option.replace('_', '-')}: {args.scenario} takes no {name}")
        parameters[name] = str(value) if isinstance(value, Path) else value
    for pair in args.param:
        name, sep, value = pair.partition("=")
        if not sep or name not in accepted:
            wanted = ", ".join(sorted(accepted)) or "none"
            raise ConfigError(f"-p {name}: not a parameter of {args.scenario} ({wanted})")
        parameters[name] = value
    if "scenario" in accepted:  # a flow shared by scenarios is told which one it runs
        parameters["scenario"] = args.scenario
    if "show_progress" in accepted:
        parameters.setdefault("show_progress", True)
    return parameters


def _print_summary(scenario: str, summary: Any) -> int:
    """Every plain figure of the flow's summary, one per line; exit 1 if something is left
    to retry (an application failure)."""
    if not isinstance(summary, dict):
        print(f"{scenario}: done")
        return 0
    for key, value in summary.items():
        if isinstance(value, str | int | float | bool):
            print(f"{scenario}: {key.replace('_', ' ')}: {value}")
    return 1 if summary.get("application_failures") else 0
