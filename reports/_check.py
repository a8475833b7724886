"""``jimu inventory check``: is the register complete, current, and true to the ledger?

Problems found, one line each:

* ``schema`` — the file breaks the schema (line and key named);
* ``no-owner`` — a 稼働中 scenario without an owner (主管者);
* ``review-overdue`` / ``no-review-date`` — a 稼働中 scenario past, or without, its 次回見直し日;
* ``no-recent-run`` — a 稼働中 scenario with no item started or finished in the last 30 days
  (unless it started less than 30 days ago);
* ``failure-rate`` — a 稼働中 scenario whose items finished in the last 30 days failed more
  than 10% of the time (at least 10 items, so one bad morning is not an alarm);
* ``folder-not-in-inventory`` — ``scenarios/<id>/scenario.yaml`` exists, no scenario ``<id>``;
* ``missing-folder`` — a 開発中 or 稼働中 scenario without ``scenarios/<id>/scenario.yaml``
  (候補, 停止 and 廃止 entries and the July-survey candidates need no folder).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from core.errors import ConfigError
from core.inventory import Inventory, InventoryError, ScenarioStatus, load_inventory
from core.ledger import Ledger, Status, ledger_table
from core.scenario import load_scenario
from reports._period import JST

__all__ = ["Problem", "check_inventory"]

_FAILED = (Status.BUSINESS_FAILURE.value, Status.APPLICATION_FAILURE.value)
_FINISHED = (Status.DONE.value, *_FAILED, Status.RETURNED.value)


@dataclass(frozen=True)
class Problem:
    """One problem: where (``file:line`` or a folder), what kind, and a one-line message."""

    where: str
    kind: str
    message: str

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{where}{self.message} [{self.kind}]"


def check_inventory(
    path: str | Path,
    *,
    scenarios_dir: str | Path | None = None,
    ledger: Ledger | str | None = None,
    today: date | None = None,
    window_days: int = 30,
    max_failure_rate: float = 0.10,
    min_items: int = 10,
) -> list[Problem]:
    """Every problem of the inventory at ``path``, in file order; empty when all is well.

    ``scenarios_dir`` defaults to ``scenarios/`` next to the file; ``ledger`` is a Ledger,
    a URL, or None for the default ledger (opened only if a scenario is 稼働中). ``today``
    (Japan time) defaults to now. Raises ConfigError only if the file cannot be read.
    """
    path = Path(path)
    try:
        inventory = load_inventory(path)
    except InventoryError as exc:
        return [Problem(where="", kind="schema", message=text) for text in exc.problems]
    today = today or datetime.now(JST).date()
    problems = _register_problems(inventory, today)
    active = [s.id for s in inventory.scenarios if s.status is ScenarioStatus.ACTIVE]
    if active:
        if not isinstance(ledger, Ledger):
            ledger = Ledger(ledger)
        problems += _ledger_problems(
            inventory,
            ledger,
            today,
            window_days=window_days,
            max_failure_rate=max_failure_rate,
            min_items=min_items,
        )
    folders = Path(scenarios_dir) if scenarios_dir is not None else path.parent / "scenarios"
    problems += _folder_problems(inventory, folders)
    return sorted(problems, key=_file_order)


def _file_order(problem: Problem) -> tuple[int, int, str]:
    # Entries in the order of the file, then folders by name.
    name, _, line = problem.where.rpartition(":")
    if name and line.isdigit():
        return (0, int(line), "")
    return (1, 0, problem.where)


def _register_problems(inventory: Inventory, today: date) -> list[Problem]:
    problems = []
    for index, entry in enumerate(inventory.scenarios):
        if entry.status is not ScenarioStatus.ACTIVE:
            continue
        where = inventory.where("scenarios", index)
        if not entry.owner:
            problems.append(
                Problem(where, "no-owner", f"{entry.id}: 稼働中 but has no owner (主管者)")
            )
        if entry.next_review_on is None:
            problems.append(
                Problem(
                    where,
                    "no-review-date",
                    f"{entry.id}: 稼働中 but has no next_review_on (次回見直し日)",
                )
            )
        elif entry.next_review_on < today:
            problems.append(
                Problem(
                    where,
                    "review-overdue",
                    f"{entry.id}: review was due on {entry.next_review_on} (次回見直し日)",
                )
            )
    return problems


def _ledger_problems(
    inventory: Inventory,
    ledger: Ledger,
    today: date,
    *,
    window_days: int,
    max_failure_rate: float,
    min_items: int,
) -> list[Problem]:
    since_day = today - timedelta(days=window_days)
    since = datetime.combine(since_day, time(), tzinfo=JST)
    c = ledger_table.c
    active = {
        s.id: (i, s) for i, s in enumerate(inventory.scenarios) if s.status is ScenarioStatus.ACTIVE
    }
    latest = (
        select(c.scenario, func.max(c.started_at), func.max(c.finished_at))
        .where(c.scenario.in_(list(active)))
        .group_by(c.scenario)
    )
    recent = (
        select(c.scenario, c.status, func.count())
        .where(c.scenario.in_(list(active)), c.finished_at >= since, c.status.in_(_FINISHED))
        .group_by(c.scenario, c.status)
    )
    with ledger.engine.connect() as conn:
        last_seen = {
            row[0]: max(filter(None, row[1:]), default=None) for row in conn.execute(latest)
        }
        counts: dict[str, dict[str, int]] = {}
        for scenario, status, n in conn.execute(recent):
            counts.setdefault(scenario, {})[status] = int(n)
    problems = []
    for scenario_id, (index, entry) in active.items():
        where = inventory.where("scenarios", index)
        seen_day = _jst_day(last_seen.get(scenario_id))
        just_started = entry.started_on is not None and entry.started_on > since_day
        if (seen_day is None or seen_day < since_day) and not just_started:
            when = f"last on {seen_day}" if seen_day else "never"
            problems.append(
                Problem(
                    where,
                    "no-recent-run",
                    f"{scenario_id}: 稼働中 but no run in {window_days} days ({when})",
                )
            )
        by_status = counts.get(scenario_id, {})
        finished = sum(by_status.values())
        failed = sum(by_status.get(s, 0) for s in _FAILED)
        if finished >= min_items and failed / finished > max_failure_rate:
            problems.append(
                Problem(
                    where,
                    "failure-rate",
                    f"{scenario_id}: {failed} of {finished} items failed in the last "
                    f"{window_days} days ({failed / finished:.1%} > {max_failure_rate:.0%})",
                )
            )
    return problems


def _jst_day(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(JST).date()


def _folder_problems(inventory: Inventory, folders: Path) -> list[Problem]:
    present = (
        sorted(d.name for d in folders.iterdir() if (d / "scenario.yaml").is_file())
        if folders.is_dir()
        else []
    )
    known = {s.id for s in inventory.scenarios}
    source = inventory.source.name if inventory.source else "the inventory"
    problems = [
        Problem(
            str(folders / name),
            "folder-not-in-inventory",
            f"scenario folder has no entry in {source} (add it under scenarios:)",
        )
        for name in present
        if name not in known
    ]
    for name in present:
        try:
            load_scenario(name, root=folders)
        except ConfigError as exc:
            problems += [Problem("", "scenario-invalid", line) for line in exc.message.splitlines()]
    for index, entry in enumerate(inventory.scenarios):
        if entry.status.needs_folder and entry.id not in present:
            problems.append(
                Problem(
                    inventory.where("scenarios", index),
                    "missing-folder",
                    f"{entry.id}: {entry.status.value} but "
                    f"{folders.name}/{entry.id}/scenario.yaml does not exist",
                )
            )
    return problems
