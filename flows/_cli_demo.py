"""``jimu demo``: run what jimu can do end to end on embedded defaults, and say what it did.

1. the sandbox systems start, and the 電子申請システム receives fake 児童手当認定請求;
2. flow ``e-application-sync`` runs on Prefect's local mode: robots register each applicant
   in the 業務システム exactly once and write the 受給者番号 back; bad rows go to a human list;
3. a believable year of history joins the ledger, and the hours-saved report is written.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from datetime import date
from typing import Any

__all__ = ["register"]

# Two citizens who typed something the business system cannot take, to show the human list.
_TYPOS = {
    "R2026-900001": {"生年月日": "平成31年5月1日"},
    "R2026-900002": {"フリガナ": "やまだ　はなこ"},
}


def register(commands: Any) -> None:
    """Add ``jimu demo`` to the parser."""
    from flows.cli import positive_int

    demo = commands.add_parser("demo", help="run the main job end to end on generated data")
    demo.add_argument("--applications", type=positive_int, default=20, metavar="N")
    demo.add_argument("--workers", type=positive_int, default=2, metavar="N")
    demo.add_argument("--seed", type=int, default=7)
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    import logging

    from core.settings import get_settings

    if not args.verbose:  # the demo tells its own story; logs only for what goes wrong
        logging.getLogger().setLevel(logging.WARNING)
    from flows._prefect_env import prepare_prefect

    prepare_prefect()  # Prefect's home stays in var/prefect: its database outlives the demo
    # The demo keeps its own folder, emptied each run, so it never touches real state.
    root = get_settings().data_dir.resolve() / "demo"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, mode=0o700)
    os.environ["JIMU_DATA_DIR"] = str(root)
    os.environ.pop("JIMU_LEDGER_URL", None)
    get_settings.cache_clear()
    started = time.perf_counter()
    _sync_applications(args)
    _hours_report()
    print(f"\ndemo finished in {time.perf_counter() - started:.0f} s; everything is in {root}")
    return 0


def _sync_applications(args: argparse.Namespace) -> None:
    from core.fake_people import FakePeople
    from core.settings import get_settings
    from flows.e_application_sync import e_application_sync
    from sandbox import serve_in_background
    from sandbox.business import inspect_business
    from sandbox.portal import inspect_portal, seed_portal

    people = FakePeople(seed=args.seed)
    applications = people.recent_applications(args.applications)
    typos = [
        app.model_copy(update={"application_id": key})
        for app, key in zip(people.recent_applications(len(_TYPOS)), _TYPOS, strict=True)
    ]
    with serve_in_background(get_settings().data_dir) as sandbox:
        seed_portal(sandbox.paths.portal_db, applications + typos, as_entered=_TYPOS)
        print(
            f"1. 電子申請システム {sandbox.portal_url} received "
            f"{len(applications) + len(typos)} 児童手当認定請求 ({len(typos)} with typing errors)"
        )
        print(f"   業務システム     {sandbox.business_url} is up, with no recipients yet")
        print(
            f"2. flow e-application-sync: {args.workers} robots in real Chromium "
            "(Prefect local mode; its server takes a few seconds to start) …",
            flush=True,
        )
        summary = e_application_sync(
            workers=args.workers,
            portal_url=sandbox.portal_url,
            business_url=sandbox.business_url,
            show_progress=True,
        )
        business = inspect_business(sandbox.paths.business_db)
        portal = inspect_portal(sandbox.paths.portal_db)
    print(
        f"   registered {summary['registered_new']} applicants, wrote back "
        f"{summary['written_back']} 受給者番号; {summary['business_failures']} rows for a person"
    )
    print(
        f"   checked in the systems themselves: 業務システム holds {business.records} recipients "
        f"({len(business.duplicates)} duplicates); 電子申請システム {portal.by_status}"
    )
    print(f"   要確認リスト (human list): {summary['human_list']}")


def _hours_report() -> None:
    from core.ledger import Ledger
    from reports import DEMO_INVENTORY, Period, build_report, fiscal_year_of, generate_demo_ledger

    ledger = Ledger()
    fy = fiscal_year_of(date.today())
    history = generate_demo_ledger(ledger, fy=fy, until=date.today())
    files = build_report(period=Period.fy(fy), inventory=DEMO_INVENTORY, ledger=ledger)
    summary = files.report.summary
    print(
        f"3. hours-saved report for {fy}年度: {history:,} generated history items of "
        f"{summary.scenarios_with_items} scenarios plus the real run above"
    )
    print(
        f"   {summary.done:,} items done, {summary.saved_hours:,.1f} hours saved net of "
        f"{summary.human_hours:,.1f} human hours (forecast {summary.forecast_hours:,.1f})"
    )
    print(f"   {files.workbook}\n   {files.document}")
