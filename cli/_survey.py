"""``jimu survey``: the annual candidate survey (7月調査), from the form to the 選定資料.

``new`` writes the 調査票 a 課 fills in; ``collect`` reads the returned workbooks of a folder,
lists every problem by file and row, and merges the candidates into ``inventory.yaml`` as
候補 (comments and order kept); ``rank`` writes the 選定資料 (Word and Excel): the ranking
with its reasons, hours by 課, forecasts for the chosen ones, and last year's selection with
forecast vs actual.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cli._argtypes import fiscal_year, positive_int

__all__ = ["register"]

_OUT_HELP = "output folder (default: survey/FY<year>/ in the data folder)"


def register(commands: Any) -> None:
    """Add the ``survey`` command group to the ``jimu`` parser."""
    survey = commands.add_parser(
        "survey",
        help="the annual candidate survey: form, collect, rank",
        description="The annual candidate survey (7月調査): write the 調査票, collect the "
        "returned workbooks into inventory.yaml as 候補, rank them into the 選定資料.",
    )
    steps = survey.add_subparsers(dest="survey_command", metavar="STEP")
    steps.required = True

    new = steps.add_parser("new", help="write the survey workbook (調査票) for a fiscal year")
    new.add_argument("--fy", type=fiscal_year, required=True, metavar="YEAR",
                     help="the fiscal year the tasks would be automated in, e.g. 2027")  # fmt: skip
    new.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help=_OUT_HELP)  # fmt: skip
    new.set_defaults(handler=_new)

    collect = steps.add_parser(
        "collect",
        help="read returned workbooks; list problems; merge candidates into the inventory",
    )
    collect.add_argument("folder", type=Path, help="the folder of returned workbooks")
    collect.add_argument("--fy", type=fiscal_year, required=True, metavar="YEAR",
                         help="the survey's fiscal year")  # fmt: skip
    _inventory_option(collect)
    collect.add_argument("--dry-run", action="store_true",
                         help="list what would change; write nothing")  # fmt: skip
    collect.set_defaults(handler=_collect)

    rank = steps.add_parser("rank", help="rank the candidates and write the 選定資料")
    rank.add_argument("--fy", type=fiscal_year, required=True, metavar="YEAR",
                      help="the survey's fiscal year")  # fmt: skip
    _inventory_option(rank)
    rank.add_argument("--top", type=positive_int, default=10, metavar="N",
                      help="how many to select (default 10)")  # fmt: skip
    rank.add_argument("--out", type=Path, default=None, metavar="DIR",
                      help=_OUT_HELP)  # fmt: skip
    rank.add_argument("--ledger-url", default=None, metavar="URL",
                      help="ledger for last year's actual hours")  # fmt: skip
    rank.set_defaults(handler=_rank)


def _inventory_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inventory", type=Path, default=Path("inventory.yaml"), metavar="PATH",
                        help="inventory file (default: ./inventory.yaml)")  # fmt: skip


def _out_dir(args: argparse.Namespace) -> Path:
    from core.settings import get_settings

    return args.out or get_settings().data_dir / "survey" / f"FY{args.fy}"


def _new(args: argparse.Namespace) -> int:
    from reports.survey import write_survey_form

    path = write_survey_form(_out_dir(args) / f"RPA候補業務調査票-FY{args.fy}.xlsx",
                             fiscal_year=args.fy)  # fmt: skip
    print(path)
    print("send it to every 課; collect the answers with: "
          f"jimu survey collect FOLDER --fy {args.fy}")  # fmt: skip
    return 0


def _collect(args: argparse.Namespace) -> int:
    from core.errors import ConfigError
    from reports.survey import collect_answers, merge_candidates

    if not args.folder.is_dir():
        raise ConfigError(f"{args.folder} is not a folder")
    collected = collect_answers(args.folder, fiscal_year=args.fy)
    for problem in collected.problems:
        print(problem)
    merged = merge_candidates(args.inventory, collected.candidates, dry_run=args.dry_run)
    verb = "would merge" if args.dry_run else "merged"
    found = len(collected.candidates), len(collected.problems)
    print(f"{collected.files} workbooks, {collected.rows} answer rows: "
          f"{found[0]} candidates, {found[1]} problems")  # fmt: skip
    skipped = f", {len(merged.skipped)} skipped (scenario ids)" if merged.skipped else ""
    print(f"{args.inventory}: {verb} {len(merged.added)} new, {len(merged.updated)} updated, "
          f"{len(merged.unchanged)} unchanged{skipped}")  # fmt: skip
    return 0


def _rank(args: argparse.Namespace) -> int:
    from reports.survey import write_selection

    files = write_selection(
        args.inventory, fiscal_year=args.fy, out_dir=_out_dir(args),
        ledger_url=args.ledger_url, top=args.top,
    )  # fmt: skip
    for ranked in files.ranking[: args.top]:
        candidate = ranked.candidate
        print(f"{ranked.rank:>3}. {candidate.name}（{candidate.department}） "
              f"{ranked.annual_hours:,.0f} 時間/年 score {ranked.score:,.1f}")  # fmt: skip
    print(files.document)
    print(files.workbook)
    return 0
