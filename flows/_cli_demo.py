"""``jimu demo``: run what jimu can do end to end on embedded defaults, and say what it did."""

from __future__ import annotations

import argparse
import os
import shutil
import time
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add ``jimu demo`` to the parser."""
    from flows.cli import positive_int

    demo = commands.add_parser("demo", help="run the main job end to end on generated data")
    demo.add_argument("--applications", type=positive_int, default=20, metavar="N")
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    import httpx

    from core.fake_people import FakePeople
    from core.settings import get_settings
    from sandbox import serve_in_background
    from sandbox.business import inspect_business
    from sandbox.portal import inspect_portal, seed_portal

    # The demo keeps its own folder, emptied each run, so it never touches real state.
    root = get_settings().data_dir / "demo"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, mode=0o700)
    os.environ["JIMU_DATA_DIR"] = str(root)
    get_settings.cache_clear()

    started = time.perf_counter()
    applications = FakePeople(seed=args.seed).recent_applications(args.applications)
    with serve_in_background(root) as sandbox:
        added = seed_portal(sandbox.paths.portal_db, applications)
        print(f"1. 電子申請システム at {sandbox.portal_url}: {added} 児童手当認定請求 received")
        print(
            f"2. 業務システム at {sandbox.business_url}: up "
            f"({httpx.get(sandbox.business_url + '/healthz').json()['status']})"
        )
        portal = inspect_portal(sandbox.paths.portal_db)
        business = inspect_business(sandbox.paths.business_db)
    print(f"3. portal: {portal.by_status}; business system: {business.records} recipients")
    print(f"done in {time.perf_counter() - started:.1f} s; data in {root}")
    return 0
