"""``jimu run SCENARIO``: run a scenario's flow now, on Prefect's local mode, with progress."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register"]

RUNNABLE = ("e-application-sync", "paper-intake")


def register(commands: Any) -> None:
    """Add ``jimu run`` to the parser."""
    from cli._argtypes import positive_int

    run = commands.add_parser("run", help="run a scenario's flow now (Prefect local mode)")
    run.add_argument("scenario", choices=RUNNABLE, help="the scenario id")
    run.add_argument("--workers", type=positive_int, default=None, help="browser contexts (1–8)")
    run.add_argument("--portal-url", default=None, help="override the 電子申請システム URL")
    run.add_argument("--business-url", default=None, help="override the 業務システム URL")
    run.add_argument("--batch", type=Path, default=None, help="paper-intake: a folder of scans")
    run.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS",
        help="paper-intake: keep registering what reviewers confirm for this long",
    )  # fmt: skip
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from core.errors import ConfigError
    from orchestration._prefect_env import prepare_prefect

    if args.workers is not None and args.workers > 8:
        raise ConfigError("--workers: at most 8 browser contexts")
    if args.batch is not None and not args.batch.is_dir():
        raise ConfigError(f"--batch: {args.batch} is not a folder")
    if args.wait < 0:
        raise ConfigError("--wait: seconds cannot be negative")
    prepare_prefect()
    from orchestration._concurrency import ensure_session_limits

    ensure_session_limits(update_existing=False)  # the systems' session limits, if missing
    if args.scenario == "paper-intake":
        return _paper_intake(args)
    return _e_application_sync(args)


def _e_application_sync(args: argparse.Namespace) -> int:
    from flows.e_application_sync import e_application_sync

    print(f"{args.scenario}: exporting, registering, writing back …", flush=True)
    summary = e_application_sync(
        workers=args.workers,
        portal_url=args.portal_url,
        business_url=args.business_url,
        show_progress=True,
    )
    print(
        f"{args.scenario}: {summary['exported']} exported, "
        f"{summary['registered_new']} registered, "
        f"{summary['already_registered']} already registered, "
        f"{summary['written_back']} written back, "
        f"{summary['business_failures']} for a person to check, "
        f"{summary['application_failures']} to retry"
    )
    print(f"human list: {summary['human_list']}")
    return 0 if summary["application_failures"] == 0 else 1


def _paper_intake(args: argparse.Namespace) -> int:
    from flows.paper_intake import paper_intake

    print(f"{args.scenario}: reading scans, registering what is certain …", flush=True)
    summary = paper_intake(
        batch=str(args.batch) if args.batch else None,
        business_url=args.business_url,
        wait_for_review_seconds=args.wait,
    )
    print(
        f"{args.scenario}: {summary['registered']} registered, "
        f"{summary['waiting_for_review']} waiting for review, "
        f"{summary['quarantined']} quarantined, {summary['refused_entries']} left in place "
        f"(not files to read), {summary['returned']} returned; "
        f"{summary['unfinished']} not finished (each with its reason in the workbook)"
    )
    print(f"batch workbook: {summary['workbook']}")
    return 0
