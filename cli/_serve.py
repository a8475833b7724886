"""``jimu serve``: everything a department needs on one PC, until Ctrl-C.

Starts, on embedded defaults: a Prefect server (SQLite under the data folder, UI included),
the session limits and the deployments of ``prefect.yaml``, the sandbox systems, the review
station (when it is installed), the inbox watchers of deployments that have one, and a
worker of the ``jimu`` pool — then prints the URLs. Ctrl-C (or SIGTERM) stops all of it.
Set ``PREFECT_API_DATABASE_CONNECTION_URL`` to run the server on PostgreSQL instead
(docs/scale-out.md).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = ["main", "register"]

POOL = "jimu"


def register(commands: Any) -> None:
    """Add ``jimu serve`` to the parser."""
    from cli._argtypes import port

    serve = commands.add_parser("serve", help="Prefect server, worker, deployments, sandbox")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--prefect-port", type=port, default=4200, help="Prefect UI/API (4200)")
    serve.add_argument("--portal-port", type=port, default=None, help="電子申請システム (8101)")
    serve.add_argument("--business-port", type=port, default=None, help="業務システム (8102)")
    serve.add_argument("--legacy-port", type=port, default=None, help="資格管理システム (8104)")
    serve.add_argument("--review-port", type=port, default=8103, help="review station (8103)")
    serve.add_argument("--no-sandbox", action="store_true", help="do not start the sandbox")
    serve.set_defaults(handler=_serve)


class _Stop(Exception):
    """SIGTERM, turned into the same orderly stop as Ctrl-C."""


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise _Stop


def _serve(args: argparse.Namespace) -> int:
    from core.settings import get_settings
    from orchestration._prefect_env import prepare_prefect

    prepare_prefect(watchdog=False)  # serve starts, and stops, a Prefect server of its own
    api_url = f"http://{args.host}:{args.prefect_port}/api"
    os.environ["PREFECT_API_URL"] = api_url  # before Prefect is imported: we are its client
    data_dir = get_settings().data_dir.resolve()
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True, mode=0o700)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with contextlib.ExitStack() as stack:
            urls = _start(args, stack, api_url=api_url, data_dir=data_dir, logs=logs)
            print("jimu is serving (Ctrl-C stops everything):", flush=True)
            for label, url in urls:
                print(f"  {label:<18} {url}", flush=True)
            while True:
                time.sleep(0.5)
    except (KeyboardInterrupt, _Stop):
        print("jimu serve: stopped", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _start(
    args: argparse.Namespace,
    stack: contextlib.ExitStack,
    *,
    api_url: str,
    data_dir: Path,
    logs: Path,
) -> list[tuple[str, str]]:
    """Start every part, registering its stop on ``stack``; returns (label, URL) lines."""
    from core.settings import environment_for
    from orchestration import _stack as stack_
    from orchestration._concurrency import ensure_session_limits
    from orchestration._recovery import HEARTBEAT_SECONDS, ensure_recovery_automation

    env = stack_.prefect_env(
        home=Path(os.environ["PREFECT_HOME"]),
        api_url=api_url,
        database_url=os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL"),
        extra=environment_for(data_dir)
        | {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)},
    )
    children: list[stack_.Child] = []
    stack.callback(stack_.stop_children, children)
    print(f"starting Prefect server on {args.host}:{args.prefect_port} …", flush=True)
    server = stack_.start_server(
        host=args.host, port=args.prefect_port, env=env, log=logs / "prefect-server.log"
    )
    children.append(server)
    stack_.wait_healthy(f"{api_url}/health", child=server, timeout=240)
    urls = [("Prefect UI", f"http://{args.host}:{args.prefect_port}/")]

    ensure_session_limits()
    ensure_recovery_automation()
    plans = _deploy()
    if not args.no_sandbox:
        urls += stack.enter_context(_sandbox(args, data_dir))
    urls += _review(args, stack, data_dir)
    urls += _inboxes(plans, stack, data_dir)
    worker = stack_.start_worker(pool=POOL, name="jimu-serve", env=env, log=logs / "worker.log")
    children.append(worker)
    urls.append(("worker", f"pool {POOL!r}, log {logs / 'worker.log'}"))
    return urls


def _deploy() -> list[Any]:
    from core.inventory import load_inventory
    from orchestration.deployments import REPO_ROOT, apply_deployments, check_project, load_project

    project = load_project()
    _, pending = check_project(project, load_inventory(REPO_ROOT / "inventory.yaml"))
    for name in pending:
        print(f"  note: deployment {name} skipped (its flow is not written yet)", flush=True)
    plans = apply_deployments(project)
    print(f"deployed: {', '.join(p.full_name for p in plans)}", flush=True)
    return plans


@contextlib.contextmanager
def _sandbox(args: argparse.Namespace, data_dir: Path) -> Iterator[list[tuple[str, str]]]:
    from sandbox import SandboxSettings, serve_in_background

    settings = SandboxSettings()
    with serve_in_background(
        data_dir,
        host=args.host,
        portal_port=args.portal_port or settings.portal_port,
        business_port=args.business_port or settings.business_port,
        legacy_port=args.legacy_port or settings.legacy_port,
    ) as running:
        yield [
            ("電子申請システム", f"{running.portal_url}/"),
            ("業務システム", f"{running.business_url}/"),
            ("資格管理システム", f"{running.legacy_url}/"),
        ]


def _review(
    args: argparse.Namespace, stack: contextlib.ExitStack, data_dir: Path
) -> list[tuple[str, str]]:
    """Start the review station (確認画面) beside the systems."""
    from review import serve_review_in_background

    running = stack.enter_context(
        serve_review_in_background(data_dir, host=args.host, port=args.review_port)
    )
    return [("review station", running.url)]


def _inboxes(
    plans: list[Any], stack: contextlib.ExitStack, data_dir: Path
) -> list[tuple[str, str]]:
    from orchestration._inbox import InboxWatcher, submit_to_deployment

    lines = []
    for plan in plans:
        inbox = plan.spec.inbox
        if inbox is None:
            continue
        folder = data_dir / inbox.folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        watcher = InboxWatcher(
            folder,
            on_batch=submit_to_deployment(plan.full_name, parameter=inbox.parameter),
            debounce_seconds=inbox.debounce_seconds,
        )
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
        thread.start()
        stack.callback(thread.join, 30)
        stack.callback(stop.set)
        lines.append((f"inbox {plan.spec.name}", str(folder)))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cli._serve [options]``: the same handler as ``jimu serve``."""
    from cli._signals import restore_ctrl_c
    from core.logging import configure_logging

    restore_ctrl_c()
    parser = argparse.ArgumentParser(prog="jimu")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    configure_logging(None)
    result: int = args.handler(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
