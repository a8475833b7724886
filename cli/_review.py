"""``jimu review …``: serve the review station and manage its local users.

Passwords are read from stdin (one line) or, at a terminal, from a hidden prompt asked
twice; never from an argument, where they would land in the shell history and ``ps``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

__all__ = ["register"]

_ROLES = {
    "確認者": "確認者",
    "reviewer": "確認者",
    "管理者": "管理者",
    "admin": "管理者",
    "RPA担当": "RPA担当",
    "rpa": "RPA担当",
}


def register(commands: Any) -> None:
    """Add the ``review`` command group to the ``jimu`` parser."""
    from cli._argtypes import port, positive_int

    review = commands.add_parser("review", help="the review station (確認ステーション)")
    actions = review.add_subparsers(dest="action", metavar="ACTION", parser_class=type(review))
    actions.required = True

    serve = actions.add_parser("serve", help="serve the station in the foreground (Ctrl-C stops)")
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=port, default=None, help="port (default 8103)")
    serve.set_defaults(handler=_serve)

    add = actions.add_parser("add-user", help="add a user; the password is read from stdin")
    add.add_argument("name")
    add.add_argument(
        "--role",
        choices=sorted(_ROLES),
        default="確認者",
        help="確認者 (reviewer, default), RPA担当 (rpa: defines forms) or 管理者 (admin)",
    )
    add.set_defaults(handler=_add_user)

    password = actions.add_parser("set-password", help="change a user's password (from stdin)")
    password.add_argument("name")
    password.set_defaults(handler=_set_password)

    users = actions.add_parser("users", help="list the users and their roles")
    users.set_defaults(handler=_users)

    purge = actions.add_parser("purge", help="delete reviewed documents past the retention")
    purge.add_argument(
        "--days",
        type=positive_int,
        default=None,
        help="keep this many days (default JIMU_RETENTION_DAYS, 90)",
    )
    purge.set_defaults(handler=_purge)


def _read_password() -> str:
    from core.errors import InvalidInput

    if sys.stdin.isatty():
        first = getpass.getpass("パスワード: ")
        if getpass.getpass("パスワード（確認）: ") != first:
            raise InvalidInput("the two passwords differ")
        return first
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


def _user_store() -> Any:
    from core.settings import get_settings
    from review import UserStore

    return UserStore(get_settings().path("review", "users.sqlite3"))


def _add_user(args: argparse.Namespace) -> int:
    from review import Role

    role = Role(_ROLES[args.role])
    user = _user_store().add_user(args.name, _read_password(), role=role)
    print(f"added user {user.name} ({user.role.value})")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    _user_store().set_password(args.name, _read_password())
    print(f"changed the password of {args.name}; their sessions ended")
    return 0


def _users(_args: argparse.Namespace) -> int:
    users = _user_store().users()
    for user in users:
        print(f"{user.name}\t{user.role.value}")
    if not users:
        print("no users yet: jimu review add-user NAME --role 管理者", file=sys.stderr)
    return 0


def _purge(args: argparse.Namespace) -> int:
    from core.settings import get_settings
    from review import ReviewStore

    days = args.days or get_settings().retention_days
    deleted = ReviewStore().purge_older_than(days)
    print(f"deleted {deleted} document(s) handed over more than {days} days ago")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from core.settings import get_settings
    from review import ReviewSettings, serve_review

    settings = ReviewSettings()
    overrides = {"host": args.host, "port": args.port}
    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    if not _user_store().users():
        print(
            "no users yet: add one with 'jimu review add-user NAME --role 管理者'", file=sys.stderr
        )
    print(f"確認ステーション  http://{settings.host}:{settings.port}/   Ctrl-C stops.")
    core = get_settings()
    serve_review(core.data_dir, settings=settings, retention_days=core.retention_days)
    return 0
