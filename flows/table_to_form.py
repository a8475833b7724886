"""Flow ``table-to-form``: the rows of a workbook or CSV → a web system's screens, each row
exactly once, the system's number written into a result workbook, bad rows on the 要確認リスト.

The scenario says everything in its folder's ``steps.yaml`` (:mod:`flows.declared`), no
Python: ``flow: flows.table_to_form:table_to_form`` in its ``scenario.yaml``. Runs on the
same ledger, work items, retries, evidence, session limits and Prefect deployment as a
Python scenario. ``dry_run`` goes through every row's steps up to the commit click and
stops there: nothing is registered and the ledger is not touched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import Field

from core.errors import ConfigError, JimuError
from core.ledger import Ledger, Status
from core.logging import safe_text
from core.scenario import ScenarioConfig, load_scenario, scenarios_dir
from core.secrets import get_secret
from core.settings import get_settings
from core.systems import SystemConfig
from core.work_items import ItemOutcome, RetryPolicy, WorkItem, is_open, process_queue, worker_id
from core.work_items import release_abandoned as release_abandoned_items
from flows._human_list import UnkeyedItem, write_human_list
from flows.declared import (
    DeclaredRobot,
    DeclaredScenario,
    DryRunStop,
    ResultStatus,
    RowResult,
    ScreenProblem,
    SourceRow,
    SourceTable,
    load_declared,
    load_hooks,
    read_source,
    write_results,
)
from orchestration._concurrency import target_session
from robots import RobotWorker

__all__ = ["TableRun", "check_scenario_folder", "table_to_form"]

log = logging.getLogger(__name__)

#: A declared scenario has no steps.py: `jimu inventory check` loads its steps.yaml instead.
SCENARIO_STEPS = None


def check_scenario_folder(folder: Path) -> None:
    """Raise :class:`~core.errors.ConfigError` naming file, line and key if the folder's
    ``steps.yaml`` is missing or wrong, or a function it calls is not in its ``hooks.py``
    (`jimu inventory check`)."""
    load_hooks(folder.name, load_declared(folder), root=folder.parent)


@dataclass(frozen=True)
class TableRun:
    """What one run works on: the scenario, its steps, the source rows and the system."""

    config: ScenarioConfig
    declared: DeclaredScenario
    table: SourceTable
    system: SystemConfig

    @classmethod
    def load(
        cls, scenario: str, *, source: str | None, target_url: str | None, read: bool = True
    ) -> TableRun:
        """Read the scenario's steps and its source (``source`` overrides the file; with
        ``read=False`` the source is not read: a screen check needs no rows)."""
        config = load_scenario(scenario)
        folder = scenarios_dir() / scenario
        declared = load_declared(folder)
        system = config.system(declared.system)
        if target_url:
            system = system.model_copy(update={"url": target_url})
        path = Path(source) if source else folder / declared.source.path
        table = read_source(declared.source, path) if read else SourceTable(path, None, [], [], [])
        return cls(config, declared, table, system)

    def rows_by_key(self) -> dict[str, SourceRow]:
        """The rows that can be registered, by key."""
        return {r.key: r for r in self.table.rows if r.key is not None and r.error is None}

    def robot(self, worker: RobotWorker) -> DeclaredRobot:
        """The steps on ``worker``'s current tab, logged in as the system's robot user."""
        return DeclaredRobot(
            self.declared, self.system,
            password=get_secret(self.system.password_secret),
            page_of=lambda: worker.page,
            timeout_ms=self.config.robot.timeout_seconds * 1000,
            hooks=load_hooks(self.config.id, self.declared),
        )  # fmt: skip

    def screen_problems(self) -> list[ScreenProblem]:
        """Walk every screen the steps touch, sending nothing (see
        :meth:`DeclaredRobot.check_screens`)."""
        timeout_ms = self.config.robot.timeout_seconds * 1000
        with RobotWorker(
            scenario=self.config.id, name="check", trace="never", timeout_ms=timeout_ms
        ) as worker:
            with worker.item("screen-check"):
                return self.robot(worker).check_screens()


@task(name="register-rows", cache_policy=NO_CACHE)
def register_rows(
    run: TableRun, ledger: Ledger, keys: list[str], worker_name: str, show_progress: bool
) -> tuple[list[ItemOutcome], dict[str, bool]]:
    """One worker's share: every row it can claim, exactly once. Returns the outcomes and,
    by key, whether this worker created the record (False: it was found registered)."""
    options = run.config.robot
    policy = RetryPolicy(
        lease_seconds=options.lease_seconds,
        backoff_seconds=tuple(options.retry_backoff_seconds),
        step_attempts=options.item_attempts,
    )
    rows = run.rows_by_key()
    mine = [key for key in keys if key in rows]
    created: dict[str, bool] = {}
    with target_session(run.system.id):
        if not any(is_open(ledger, run.config.id, key) for key in mine):
            return [], created
        with RobotWorker(
            scenario=run.config.id, name=worker_name,
            timeout_ms=options.timeout_seconds * 1000, trace=options.trace,
        ) as worker:  # fmt: skip
            robot = run.robot(worker)

            def register(item: WorkItem) -> None:
                row = rows[item.key]
                with worker.item(item.key, personal_values=_personal(row), attempt=item.attempt):
                    reference, created[item.key] = robot.ensure_registered(row.values)
                item.done(target_ref=reference)

            def report(outcome: ItemOutcome) -> None:
                if show_progress:
                    detail = outcome.target_ref or outcome.reason or ""
                    line = f"{outcome.key}: {outcome.status.value} {detail}"
                    print(f"  {safe_text(line, max_len=300)}", flush=True)

            outcomes = process_queue(
                ledger, run.config.id, mine, register,
                worker=worker_id(worker_name), policy=policy, progress=report,
            )  # fmt: skip
    return outcomes, created


def _personal(row: SourceRow) -> list[str]:
    """The row's values, as masks for kept evidence (every cell may be personal)."""
    return [str(v) for v in row.values.values() if v not in (None, "") and len(str(v)) > 1]


@flow(
    name="table-to-form",
    task_runner=ThreadPoolTaskRunner(max_workers=8),  # type: ignore[arg-type]
    description="表（Excel・CSV）の行を業務システムの画面に1件1回だけ登録し、番号を結果の表に書き戻す",
)
def table_to_form(
    scenario: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")],
    source: str | None = None,
    workers: Annotated[int, Field(ge=1, le=8)] | None = None,
    target_url: str | None = None,
    dry_run: bool = False,
    check_first: bool = True,
    show_progress: bool = False,
) -> dict[str, Any]:
    """Register every row of the scenario's source once; write the result workbook and the
    要確認リスト.

    Args:
        scenario: シナリオID（scenarios/ のフォルダ名）
        source: 読み込む表のパス。空欄なら steps.yaml の source.path
        workers: 同時に動かすロボット（ブラウザ）の数、1〜8。空欄なら scenario.yaml の値
        target_url: 登録先システムのURL。空欄なら systems/ に登録された値
        dry_run: 登録ボタンの手前まで進めて止める（何も登録しない・台帳に記録しない）
        check_first: 始める前に画面を点検し（jimu check と同じ）、項目やボタンが変わっていれば
            1件も処理せずに止める
        show_progress: 1件ごとの結果を標準出力に表示する（jimu run 用）
    """
    run = TableRun.load(scenario, source=source, target_url=target_url)
    if dry_run:
        return _dry_run(run)
    if check_first and run.rows_by_key():
        _stop_if_screens_changed(run)
    settings = get_settings()
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    out_dir = settings.data_dir / "outputs" / scenario
    ledger = Ledger()
    try:
        released = release_abandoned_items(ledger, scenario)
        keys, unkeyed = _enqueue(ledger, run)
        count = workers or run.config.robot.workers
        futures = [
            register_rows.submit(run, ledger, keys, f"worker-{n}", show_progress)
            for n in range(1, count + 1)
        ]
        wait(futures)
        created: dict[str, bool] = {}
        for future in futures:
            created |= future.result()[1]
        results = _results(ledger, run, created)
        result_path = write_results(
            out_dir / f"結果-{stamp}.xlsx", run.table, run.declared.source, results,
            reference_header=run.declared.write_back.column,
        )  # fmt: skip
        human_list = out_dir / f"要確認リスト-{stamp}.xlsx"
        listed = write_human_list(ledger, scenario, human_list, unkeyed=unkeyed)
        application = sum(
            1 for key in keys
            if (state := ledger.get(scenario, key)) and state.status is Status.APPLICATION_FAILURE
        )  # fmt: skip
        summary = _summary(results, rows=len(run.table.rows), unkeyed=len(unkeyed),
                           application=application,
                           released=released, listed=listed)  # fmt: skip
        summary |= {"results": str(result_path), "human_list": str(human_list)}
        _artifact(scenario, run, results, summary)
    finally:
        ledger.engine.dispose()
    return summary


def _stop_if_screens_changed(run: TableRun) -> None:
    """Raise :class:`ConfigError` listing what no longer fits, before any row is touched."""
    problems = run.screen_problems()
    if problems:
        listed = " / ".join(
            f"{p.step}{f' (frame {p.frame})' if p.frame else ''}: {p.message}" for p in problems
        )
        raise ConfigError(
            f"{run.system.name}の画面が steps.yaml と合いません"
            f"（1件も処理していません）: {listed}。"
            f"`jimu inspect` で画面を確かめ、steps.yaml を直して `jimu check {run.config.id}` を"
            "実行してください"
        )


def _enqueue(ledger: Ledger, run: TableRun) -> tuple[list[str], list[UnkeyedItem]]:
    """Queue the good rows; a bad row with a key fails in the ledger (a person's), one whose
    key itself was refused is listed by its line."""
    keys: list[str] = []
    unkeyed: list[UnkeyedItem] = []
    for row in run.table.rows:
        if row.key is None:
            error = row.error
            reason = safe_text(error.message if error else "キーがありません")
            code = error.code if error else "invalid-item-key"
            unkeyed.append(UnkeyedItem(f"{row.line}行目", code, reason, datetime.now(UTC)))
            continue
        ledger.enqueue(run.config.id, row.key)
        if row.error is not None:
            state = ledger.get(run.config.id, row.key)
            retryable = (Status.QUEUED, Status.APPLICATION_FAILURE)
            if (
                state is not None
                and state.status in retryable
                and ledger.claim(run.config.id, row.key, worker=worker_id("reader"))
            ):
                ledger.fail(run.config.id, row.key, row.error)
            continue
        keys.append(row.key)
    return keys, unkeyed


def _results(ledger: Ledger, run: TableRun, created: dict[str, bool]) -> dict[str, RowResult]:
    results: dict[str, RowResult] = {}
    for row in run.table.rows:
        if row.key is None:
            continue
        state = ledger.get(run.config.id, row.key)
        if state is None:
            continue
        if state.status is Status.DONE:
            status = (ResultStatus.REGISTERED if created.get(row.key)
                      else ResultStatus.ALREADY_REGISTERED)  # fmt: skip
            results[row.key] = RowResult(status, state.target_ref)
        elif state.status is Status.BUSINESS_FAILURE:
            results[row.key] = RowResult(ResultStatus.NEEDS_REVIEW, None, state.reason)
        elif state.status is Status.APPLICATION_FAILURE:
            reason = f"システムエラーのため未登録です。再実行してください（{state.reason or ''}）"
            results[row.key] = RowResult(ResultStatus.NEEDS_REVIEW, None, reason)
    return results


def _summary(
    results: dict[str, RowResult],
    *,
    rows: int,
    unkeyed: int,
    application: int,
    released: int,
    listed: int,
) -> dict[str, Any]:
    statuses = [r.status for r in results.values()]
    return {
        "rows": rows,
        "registered_new": statuses.count(ResultStatus.REGISTERED),
        "already_registered": statuses.count(ResultStatus.ALREADY_REGISTERED),
        "business_failures": statuses.count(ResultStatus.NEEDS_REVIEW) - application + unkeyed,
        "application_failures": application,
        "released_from_dead_workers": released,
        "human_list_rows": listed,
    }


def _dry_run(run: TableRun) -> dict[str, Any]:
    """Every good row up to its commit click; nothing registered, the ledger untouched."""
    ready = already = failed = 0
    rows = run.rows_by_key()
    with RobotWorker(scenario=run.config.id, name="dry-run",
                     timeout_ms=run.config.robot.timeout_seconds * 1000,
                     trace="never") as worker:  # fmt: skip
        robot = run.robot(worker)
        for key, row in rows.items():
            try:
                with worker.item(key, personal_values=_personal(row)):
                    try:
                        robot.ensure_registered(row.values, dry_run=True)
                        stopped = False
                    except DryRunStop:
                        stopped = True
                if stopped:
                    ready += 1
                    print(f"  {key}: 登録の直前まで進みました", flush=True)
                else:
                    already += 1
                    print(f"  {key}: 登録済み（検索で見つかりました）", flush=True)
            except JimuError as exc:
                failed += 1
                print(f"  {key}: {safe_text(exc.message, max_len=300)}", flush=True)
    bad = sum(1 for r in run.table.rows if r.error is not None or r.key is None)
    return {"rows": len(run.table.rows), "dry_run_ready": ready, "already_registered": already,
            "dry_run_failed": failed, "bad_rows": bad}  # fmt: skip


def _artifact(
    scenario: str, run: TableRun, results: dict[str, RowResult], summary: dict[str, Any]
) -> None:
    column = run.declared.write_back.column
    table = [
        {"キー": safe_text(key, max_len=64), "結果": r.status,
         column: safe_text(r.reference or "", max_len=64), "理由": safe_text(r.reason or "")}
        for key, r in sorted(results.items())
    ]  # fmt: skip
    description = (
        f"{summary['rows']} 行 / 新規登録 {summary['registered_new']} 件 / "
        f"登録済み確認 {summary['already_registered']} 件 / 要確認 {summary['human_list_rows']} 件"
    )
    create_table_artifact(table=table, key=f"{scenario}-summary", description=description)
