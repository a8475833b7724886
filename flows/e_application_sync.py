"""Flow ``e-application-sync``: an online-application export → the target system, every
application exactly once, its reference written back (the sandbox's 電子申請 → 業務システム).

Runnable as ``jimu run e-application-sync`` and importable for a Prefect deployment
(``flows.e_application_sync:e_application_sync``).

What reaches Prefect (the summary artifact, printed progress) is masked like a log line
(:func:`core.logging.safe_text`): a 個人番号 never lands in the Prefect database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import Field

from core.ledger import Ledger, Status
from core.logging import safe_text
from core.scenario import load_scenario
from core.settings import get_settings
from flows import _e_application as process
from flows._human_list import write_human_list
from flows.steps import ExportSteps
from orchestration._concurrency import target_session
from orchestration._retry import retry_on_application_error

__all__ = ["e_application_sync"]

SCENARIO = process.SCENARIO
#: What this flow needs from a scenario's steps.py (`jimu inventory check` checks it).
SCENARIO_STEPS = ExportSteps


@task(
    name="export-applications",
    retries=3,
    retry_delay_seconds=[2, 10, 30],
    retry_condition_fn=retry_on_application_error,
    cache_policy=NO_CACHE,
)
def export_applications(
    scenario: str, targets: process.Targets, out_dir: Path, run_name: str
) -> Path:
    """Download the portal's CSV export; returns the file's path."""
    config = load_scenario(scenario)
    return process.export_to_file(config, targets, out_dir=out_dir, run_name=run_name)


@task(name="register-applications", cache_policy=NO_CACHE)
def register_applications(
    scenario: str,
    targets: process.Targets,
    csv_path: Path,
    encoding: str,
    keys: list[str],
    worker_name: str,
    show_progress: bool,
    ledger: Ledger,
) -> list[process.ItemOutcome]:
    """One worker's share: register and write back every item it can claim."""
    config = load_scenario(scenario)
    wanted = set(keys)
    applications = {
        row.application_id: row.application
        for row in process.read_rows(csv_path, encoding=encoding, steps=targets.steps)
        if row.application is not None and row.application_id in wanted
    }
    # Each worker holds a session on both systems for its whole life; the systems' session
    # limits are shared by every flow and worker (Prefect global concurrency limits).
    with target_session(targets.target.system_id), target_session(targets.source.system_id):
        return process.process_items(
            config,
            targets,
            ledger,
            applications,
            worker_name=worker_name,
            progress=_print_progress if show_progress else None,
        )


def _print_progress(outcome: process.ItemOutcome) -> None:
    detail = outcome.target_ref or outcome.reason or ""
    verb = {Status.DONE: "registered" if outcome.created else "already registered"}.get(
        outcome.status, outcome.status.value
    )
    line = safe_text(f"{outcome.item_key}: {verb} {detail}", max_len=300)
    print(f"  {line}", flush=True)


@flow(
    name="e-application-sync",
    task_runner=ThreadPoolTaskRunner(max_workers=9),  # type: ignore[arg-type]
    description="電子申請の申請データを登録先システムに1件1回だけ登録し、登録番号を受理として書き戻す",
)
def e_application_sync(
    workers: Annotated[int, Field(ge=1, le=8)] | None = None,
    portal_url: str | None = None,
    business_url: str | None = None,
    show_progress: bool = False,
    scenario: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")] = SCENARIO,
) -> dict[str, Any]:
    """Export, validate, register exactly once, write back; list what needs a person.

    Args:
        workers: 同時に動かすロボット（ブラウザ）の数、1〜8。空欄なら scenario.yaml の値
        portal_url: 取得元（電子申請システム）のURL。空欄なら systems/ に登録された値
        business_url: 登録先システムのURL。空欄なら systems/ に登録された値
        show_progress: 1件ごとの結果を標準出力に表示する（jimu run 用）
        scenario: シナリオID（scenarios/ のフォルダ名）。台帳と出力の区分に使う
    """
    config = load_scenario(scenario)
    settings = get_settings()
    targets = process.Targets.from_config(config, portal_url=portal_url, business_url=business_url)
    encoding = config.export.encoding if config.export else "cp932"
    run_name = process.run_name()
    work_dir = settings.data_dir / "work" / scenario
    csv_path = process.export_path(work_dir, run_name)
    ledger = Ledger()  # one for the run, shared by its workers (threads), closed at its end
    try:
        released = process.release_abandoned(ledger, scenario)
        csv_path = export_applications(scenario, targets, work_dir, run_name)
        rows = process.read_rows(csv_path, encoding=encoding, steps=targets.steps)
        queued = process.enqueue_export(ledger, rows, scenario=scenario)
        reconciled = process.reconcile_finished_elsewhere(
            ledger, targets, exported={row.application_id for row in rows}, config=config
        )
        count = workers or config.robot.workers
        futures = [
            register_applications.submit(scenario, targets, csv_path, encoding, queued.keys,
                                         f"worker-{n}", show_progress, ledger)
            for n in range(1, count + 1)
        ]  # fmt: skip
        wait(futures)
        outcomes = [outcome for future in futures for outcome in future.result()]
        outcomes += queued.refused + reconciled

        human_list = settings.data_dir / "outputs" / scenario / f"要確認リスト-{run_name}.xlsx"
        listed = write_human_list(ledger, scenario, human_list, unkeyed=queued.unkeyed)
        summary = _summary(outcomes, exported=len(rows), released=released, listed=listed)
        summary["human_list"] = str(human_list)
        _artifact(scenario, outcomes, summary, reference_label=targets.steps.reference_label)
    finally:
        csv_path.unlink(missing_ok=True)  # the export holds personal data: keep it no longer
        ledger.engine.dispose()
    return summary


def _summary(
    outcomes: list[process.ItemOutcome], *, exported: int, released: int, listed: int
) -> dict[str, Any]:
    done = [o for o in outcomes if o.status is Status.DONE]
    return {
        "exported": exported,
        "registered_new": sum(o.created for o in done),
        "already_registered": sum(not o.created for o in done),
        "written_back": len(done),
        "business_failures": sum(o.status is Status.BUSINESS_FAILURE for o in outcomes),
        "application_failures": sum(o.status is Status.APPLICATION_FAILURE for o in outcomes),
        "released_from_dead_workers": released,
        "human_list_rows": listed,
        "robot_seconds": round(sum(o.seconds for o in outcomes), 1),
    }


def _artifact(
    scenario: str,
    outcomes: list[process.ItemOutcome],
    summary: dict[str, Any],
    *,
    reference_label: str,
) -> None:
    labels = {
        Status.DONE: "登録済み",
        Status.BUSINESS_FAILURE: "要確認（業務エラー）",
        Status.APPLICATION_FAILURE: "要再実行（システムエラー）",
    }
    table = [
        {
            "受付番号": safe_text(o.item_key, max_len=64),
            "結果": labels.get(o.status, o.status.value),
            "新規登録": "はい" if o.created else "",
            reference_label: safe_text(o.target_ref or "", max_len=64),
            "理由": safe_text(o.reason or ""),
            "ロボット秒": round(o.seconds, 1),
        }
        for o in sorted(outcomes, key=lambda o: o.item_key)
    ]
    description = (
        f"出力 {summary['exported']} 件 / 新規登録 {summary['registered_new']} 件 / "
        f"登録済み確認 {summary['already_registered']} 件 / 要確認 {summary['human_list_rows']} 件"
    )
    create_table_artifact(table=table, key=f"{scenario}-summary", description=description)
