"""``jimu demo``: run what jimu can do end to end on embedded defaults, and say what it did.

1. the sandbox systems start, and the 電子申請システム receives fake 児童手当認定請求;
2. flow ``e-application-sync`` runs on Prefect's local mode: robots register each applicant
   in the 業務システム exactly once and write the 受給者番号 back; bad rows go to a human list;
3. flow ``paper-intake`` reads handwritten paper forms with the AI-OCR, registers those it is
   sure of and parks the rest for review;
4. a believable year of history joins the ledger, and the hours-saved report is written;
5. the review station stays up (URL and a demo reviewer printed) and paper-intake registers
   each document as it is confirmed — until Ctrl-C, or at once with ``--no-wait``.
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import shutil
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.paper_samples import Sample

__all__ = ["register", "scans_to_inbox"]

# Two citizens who typed something the business system cannot take, to show the human list.
_TYPOS = {
    "R2026-900001": {"生年月日": "平成31年5月1日"},
    "R2026-900002": {"フリガナ": "やまだ　はなこ"},
}
_REVIEWER = "demo-kakunin"


def register(commands: Any) -> None:
    """Add ``jimu demo`` to the parser."""
    from cli._argtypes import positive_int

    demo = commands.add_parser("demo", help="run the main jobs end to end on generated data")
    demo.add_argument("--applications", type=positive_int, default=20, metavar="N")
    demo.add_argument("--forms", type=positive_int, default=6, metavar="N",
                      help="handwritten paper forms to read")  # fmt: skip
    demo.add_argument("--workers", type=positive_int, default=2, metavar="N")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument(
        "--no-wait",
        action="store_true",
        help="exit at the end instead of leaving the review station running",
    )
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    import logging

    from core.settings import get_settings, use_data_dir
    from orchestration._prefect_env import prepare_prefect
    from sandbox import serve_in_background

    if not args.verbose:  # the demo tells its own story; logs only for what goes wrong
        logging.getLogger().setLevel(logging.WARNING)
    prepare_prefect()  # Prefect's home stays in var/prefect: its database outlives the demo
    from orchestration._concurrency import ensure_session_limits

    ensure_session_limits(update_existing=False)  # the systems' session limits, if missing
    # The demo keeps its own folder, emptied each run, so it never touches real state.
    root = get_settings().data_dir.resolve() / "demo"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True, mode=0o700)
    use_data_dir(root)
    started = time.perf_counter()
    with serve_in_background(root) as sandbox:
        _sync_applications(args, sandbox)
        waiting = _paper_forms(args, sandbox, root)
        _hours_report()
        print(f"\ndemo finished in {time.perf_counter() - started:.0f} s; everything is in {root}")
        if waiting and not args.no_wait:
            _review_until_interrupted(root, sandbox.business_url)
    return 0


def _sync_applications(args: argparse.Namespace, sandbox: Any) -> None:
    from flows.e_application_sync import e_application_sync
    from sandbox.business import inspect_business
    from sandbox.fake_people import FakePeople
    from sandbox.portal import inspect_portal, seed_portal

    people = FakePeople(seed=args.seed)
    applications = people.recent_applications(args.applications)
    typos = [
        app.model_copy(update={"application_id": key})
        for app, key in zip(people.recent_applications(len(_TYPOS)), _TYPOS, strict=True)
    ]
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


def scans_to_inbox(samples: Sequence[Sample], inbox: Path) -> list[Path]:
    """Copy the scans of ``samples`` into ``inbox`` (owner-only), as a scanner would.

    Their ground truth (``sample-0001.json`` …) stays with the samples: in the inbox it is
    no scan, and the flow would quarantine it. Returns the copies.
    """
    from core.files import write_owner_only

    return [
        write_owner_only(inbox / sample.path.name, sample.path.read_bytes()) for sample in samples
    ]


def _paper_forms(args: argparse.Namespace, sandbox: Any, root: Path) -> int:
    from flows.paper_intake import paper_intake
    from sandbox.paper_samples import generate_samples

    inbox = root / "inbox" / "paper-intake"
    made = generate_samples(root / "samples" / "paper-intake", n=args.forms, seed=args.seed,
                            formats=("pdf", "png", "tiff"), received_to=date.today())  # fmt: skip
    scans_to_inbox(made, inbox)
    print(
        f"3. flow paper-intake: AI-OCR of {args.forms} handwritten 認定請求書 (scans in {inbox}) …",
        flush=True,
    )
    # One demo reviewer: ベリファイ (a second, blind entry of 個人番号) needs two, so it is off.
    summary = paper_intake(
        batch=str(inbox), business_url=sandbox.business_url, double_entry=False
    )
    print(
        f"   {summary['registered']} registered straight away (every field certain), "
        f"{summary['waiting_for_review']} waiting for a person in the review station; "
        f"batch workbook: {summary['workbook']}"
    )
    return int(summary["waiting_for_review"])


def _hours_report() -> None:
    from core.ledger import Ledger
    from reports import DEMO_INVENTORY, Period, build_report, fiscal_year_of, generate_demo_ledger

    ledger = Ledger()
    fy = fiscal_year_of(date.today())
    history = generate_demo_ledger(ledger, fy=fy, until=date.today())
    files = build_report(period=Period.fy(fy), inventory=DEMO_INVENTORY, ledger=ledger)
    summary = files.report.summary
    print(
        f"4. hours-saved report for {fy}年度: {history:,} generated history items of "
        f"{summary.scenarios_with_items} scenarios plus the real runs above"
    )
    print(
        f"   {summary.done:,} items done, {summary.saved_hours:,.1f} hours saved net of "
        f"{summary.human_hours:,.1f} human hours (forecast {summary.forecast_hours:,.1f})"
    )
    print(f"   {files.workbook}\n   {files.document}")


def _review_until_interrupted(root: Path, business_url: str) -> None:
    from flows.paper_intake import paper_intake
    from review import Role, serve_review_in_background

    password = secrets.token_urlsafe(9)
    with serve_review_in_background(root) as station:
        station.users.add_user(_REVIEWER, password, role=Role.ADMIN)
        print(f"\n5. review station (確認画面): {station.url}\n"
              f"   log in as {_REVIEWER} / {password} (a demo account of this run only);\n"
              "   each document you confirm is registered at once. Ctrl-C ends the demo.",
              flush=True)  # fmt: skip
        with contextlib.suppress(KeyboardInterrupt):
            paper_intake(
                business_url=business_url, wait_for_review_seconds=86_400, double_entry=False
            )
