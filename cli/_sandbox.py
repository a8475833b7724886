"""``jimu sandbox …``: run, seed and inspect the stand-in municipal systems."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add the ``sandbox`` command group to the ``jimu`` parser."""
    from cli._argtypes import port, positive_int, rate

    sandbox = commands.add_parser("sandbox", help="the stand-in systems: 電子申請, 業務, 資格管理")
    actions = sandbox.add_subparsers(dest="action", metavar="ACTION", parser_class=type(sandbox))
    actions.required = True

    up = actions.add_parser("up", help="serve the three systems in the foreground (Ctrl-C stops)")
    up.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    up.add_argument("--portal-port", type=port, default=None, help="電子申請システム port (8101)")
    up.add_argument("--business-port", type=port, default=None, help="業務システム port (8102)")
    up.add_argument("--legacy-port", type=port, default=None, help="資格管理システム port (8104)")
    up.add_argument("--error-rate", type=rate, default=None, help="share of HTTP 500 pages")
    up.add_argument("--busy-rate", type=rate, default=None, help="share of 混雑 pages")
    up.add_argument("--modal-rate", type=rate, default=None, help="share of お知らせ modals")
    up.add_argument(
        "--session-expiry",
        type=positive_int,
        default=None,
        metavar="N",
        help="end each session after N requests",
    )
    up.set_defaults(handler=_up)

    seed = actions.add_parser("seed", help="fill the 電子申請システム with fake applications")
    seed.add_argument("--applications", type=positive_int, default=200, metavar="N")
    seed.add_argument("--seed", type=int, default=7, help="random seed (same seed, same people)")
    seed.set_defaults(handler=_seed)

    inspect = actions.add_parser("inspect", help="count records and duplicates (read-only)")
    inspect.set_defaults(handler=_inspect)


def _up(args: argparse.Namespace) -> int:
    from core.secrets import secret_path
    from core.settings import get_settings
    from sandbox import SandboxSettings, admin_token, run_sandbox
    from sandbox._admin import ADMIN_TOKEN_SECRET
    from sandbox._server import BUSINESS_USER, LEGACY_USER, PORTAL_USER

    settings = SandboxSettings()
    overrides = {
        "host": args.host,
        "portal_port": args.portal_port,
        "business_port": args.business_port,
        "legacy_port": args.legacy_port,
    }
    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    knobs = {
        "error_rate": args.error_rate,
        "busy_rate": args.busy_rate,
        "modal_rate": args.modal_rate,
        "session_expiry_requests": args.session_expiry,
    }
    faults = settings.faults.model_copy(update={k: v for k, v in knobs.items() if v is not None})
    settings = settings.model_copy(update={"faults": faults})
    data_dir = get_settings().data_dir
    host = settings.host
    print(f"電子申請システム  http://{host}:{settings.portal_port}/  (user {PORTAL_USER})")
    print(f"業務システム      http://{host}:{settings.business_port}/  (user {BUSINESS_USER})")
    print(f"資格管理システム  http://{host}:{settings.legacy_port}/  (user {LEGACY_USER})")
    print(f"passwords: {data_dir / 'secrets'}/sandbox-*-password   Ctrl-C stops.")
    admin_token()  # created now, so that it can be read before the first call needs it
    print(
        "/admin/faults and /_inspect/summary: log in, or send 'Authorization: Bearer TOKEN' "
        f"with the token in {secret_path(ADMIN_TOKEN_SECRET)}"
    )
    run_sandbox(settings, data_dir=data_dir)
    return 0


def _seed(args: argparse.Namespace) -> int:
    from core.settings import get_settings
    from sandbox import sandbox_paths
    from sandbox.fake_people import FakePeople
    from sandbox.portal import seed_portal

    paths = sandbox_paths(get_settings().data_dir)
    applications = FakePeople(seed=args.seed).recent_applications(args.applications)
    added = seed_portal(paths.portal_db, applications)
    print(
        f"seeded {added} new applications ({args.applications - added} already there) "
        f"into {paths.portal_db}"
    )
    return 0


def _inspect(_args: argparse.Namespace) -> int:
    from core.errors import ConfigError
    from core.settings import get_settings
    from sandbox import sandbox_paths
    from sandbox.business import inspect_business
    from sandbox.portal import inspect_portal

    paths = sandbox_paths(get_settings().data_dir)
    if not paths.portal_db.exists():
        raise ConfigError(f"no sandbox data in {paths.portal_db.parent}: run 'jimu sandbox seed'")
    portal = inspect_portal(paths.portal_db)
    business = inspect_business(paths.business_db) if paths.business_db.exists() else None
    statuses = ", ".join(f"{k} {v}" for k, v in portal.by_status.items())
    print(
        f"電子申請システム: {portal.applications} applications ({statuses}), "
        f"{len(portal.write_backs)} write-backs"
    )
    if business is None:
        print("業務システム: no records yet (it has not been started)")
    else:
        print(
            f"業務システム: {business.records} recipients, {business.children} children, "
            f"{len(business.duplicates)} 個人番号 registered more than once"
        )
    return 0
