"""``jimu retry SCENARIO KEY…``: put items a person has fixed back in the queue.

An item that failed (要確認: the business system refused it, or its data was wrong) stays
failed until someone fixes its data at the source; then ``jimu retry`` re-queues it and the
scenario's next run takes it up, exactly once like any other. Nobody edits the ledger by hand.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add ``jimu retry`` to the parser."""
    retry = commands.add_parser(
        "retry", help="re-queue failed items a person has fixed (the next run takes them)"
    )
    retry.add_argument("scenario", help="the scenario id (see `jimu scenarios`)")
    retry.add_argument("keys", nargs="*", metavar="KEY", help="item keys (受付番号, scan-…)")
    retry.add_argument("--all-business-failures", action="store_true",
                       help="every item of the scenario that a person had to look at")  # fmt: skip
    retry.set_defaults(handler=_retry)


def _retry(args: argparse.Namespace) -> int:
    from core.errors import ConfigError
    from core.ledger import Ledger, Status, check_item_key
    from core.scenario import discover_scenarios

    if args.scenario not in discover_scenarios():
        raise ConfigError(f"no scenario {args.scenario!r} (see `jimu scenarios`)")
    if not args.keys and not args.all_business_failures:
        raise ConfigError("name the items to retry, or --all-business-failures")
    for key in args.keys:
        check_item_key(key)
    ledger = Ledger()
    keys = list(args.keys)
    if args.all_business_failures:
        keys += [i.item_key for i in ledger.items(args.scenario)
                 if i.status is Status.BUSINESS_FAILURE and i.item_key not in keys]  # fmt: skip
    requeued = 0
    for key in keys:
        state = ledger.get(args.scenario, key)
        if ledger.requeue(args.scenario, key):
            requeued += 1
            print(f"{key}: queued again (was {state.status.value if state else '?'})")
        else:
            print(f"{key}: left as it is ({state.status.value if state else 'unknown'})")
    print(f"{args.scenario}: {requeued} of {len(keys)} item(s) queued for the next run")
    return 0 if requeued == len(keys) else 1
