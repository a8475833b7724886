"""Flow ``paper-intake``: scans → AI-OCR → review station (only what needs it) → the
scenario's target system (its ``steps.py``: the form's record and the verbs that register it).

A run reads the entries of a batch folder (the inbox trigger moves each batch there): each
gets exactly one outcome — read, quarantined with a reason, or refused with a reason; an
entry holding several forms is first sorted (仕分け) and each part goes where it is read
(this form's documents here, another paper form's to its inbox, blank pages dropped with a
note, unknown pages to the 未仕分け tray). Every
document read is stored in the review station's database before anything is registered:
確定 at once when the reader accepted every field, 確認待ち otherwise. The run then
registers whatever is confirmed — now, and, with ``wait_for_review_seconds``, as people
confirm it (woken by the store, no busy loop). A rerun after a crash or a kill finishes
every document, exactly once, and the batch workbook lists each one not finished and why.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from pydantic import Field

from core.errors import ConfigError
from core.ledger import Ledger, Status
from core.scenario import load_scenario
from core.settings import get_settings
from core.work_items import release_abandoned, take, worker_id
from flows import _paper_intake as process
from flows._workbook import write_table_workbook
from flows.steps import Connection, PaperSteps, Record, load_steps
from orchestration._concurrency import target_session
from orchestration._retry import retry_on_application_error
from review import ReviewStore
from robots import RobotWorker

__all__ = ["paper_intake"]

SCENARIO = process.SCENARIO
#: What this flow needs from a scenario's steps.py (`jimu inventory check` checks it).
SCENARIO_STEPS = PaperSteps
Ready = tuple[str, Record]


@task(name="read-scan", cache_policy=NO_CACHE)
def read_scan(
    path: Path,
    scenario: str,
    today: date | None,
    double_entry: bool,
    ledger: Ledger,
    store: ReviewStore,
    steps: PaperSteps,
) -> list[process.IntakeOutcome]:
    """Sort one entry of the batch by form and OCR this form's documents in it into the
    review store (確定 if every field was accepted)."""
    return process.intake_entry(
        path,
        ledger=ledger,
        store=store,
        paths=process.Paths.under(get_settings().data_dir, scenario),
        today=today,
        double_entry=double_entry,
        steps=steps,
    )


@task(
    name="register-documents",
    retries=2,
    retry_delay_seconds=[10, 30],
    retry_condition_fn=retry_on_application_error,
    cache_policy=NO_CACHE,
)
def register_documents(
    ready: list[Ready],
    scenario: str,
    business_url: str | None,
    ledger: Ledger,
    store: ReviewStore,
    steps: PaperSteps,
) -> list[process.IntakeOutcome]:
    """Register each record in the scenario's target system exactly once (a ledger claim,
    then the system's verbs search before they create anything)."""
    config = load_scenario(scenario)
    connection = Connection.of(config, steps.target_system, url=business_url)
    paths = process.Paths.under(get_settings().data_dir, scenario)
    outcomes = []
    me = worker_id("paper-intake")
    with (
        target_session(connection.system_id),
        RobotWorker(scenario=scenario, name="register") as worker,
    ):
        target = steps.target(worker, connection)
        for document_id, record in ready:
            item = take(ledger, scenario, document_id, worker=me,
                        lease_seconds=config.robot.lease_seconds)  # fmt: skip
            if item is None:
                state = ledger.get(scenario, document_id)
                if state is not None and state.status is Status.DONE:
                    process.forget_scan(document_id, paths)  # registered before a crash
                    store.mark_handed_over(document_id)
                elif state is not None and state.status is Status.BUSINESS_FAILURE:
                    process.hand_back(document_id, state.reason or "", store, paths)
                continue
            with item, worker.item(document_id, personal_values=record.personal_values()):
                reference, _created = target.ensure_registered(
                    record, attempts=config.robot.item_attempts
                )
                item.done(target_ref=reference)
            assert item.outcome is not None
            outcome = item.outcome
            if outcome.status is Status.DONE:
                # The scan goes first: a document handed over never comes back, so a scan
                # left behind by a kill between the two would be kept for good.
                process.forget_scan(document_id, paths)
                store.mark_handed_over(document_id)
                registered = process.IntakeOutcome(
                    document_id, "registered", target_ref=outcome.target_ref
                )
                outcomes.append(registered)
            elif outcome.status is Status.BUSINESS_FAILURE:  # refused: a person looks
                process.hand_back(document_id, outcome.reason or "", store, paths)
                outcomes.append(
                    process.IntakeOutcome(document_id, "refused", reason=outcome.reason)
                )
            else:  # technical: the document stays confirmed, and the next run retries
                outcomes.append(process.IntakeOutcome(document_id, "failed", reason=outcome.reason))
    return outcomes


@flow(
    name="paper-intake",
    description="紙の申請書をAI-OCRで読み取り、確認が必要な欄だけ職員に回して登録先システムに登録する",
)
def paper_intake(
    batch: str | None = None,
    business_url: str | None = None,
    wait_for_review_seconds: Annotated[float, Field(ge=0, le=86_400)] = 0,
    double_entry: bool = True,
    today: date | None = None,
    scenario: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")] = SCENARIO,
) -> dict[str, Any]:
    """Read the scans in ``batch`` (a folder), register what is certain, park the rest for
    review, and register what has been reviewed; optionally wait for reviewers.

    Args:
        batch: 読み取るスキャン（PDF・TIFF・PNG・JPEG）のフォルダ
        business_url: 登録先システムのURL。空欄なら systems/ に登録された値
        wait_for_review_seconds: 確認画面での確定を待って登録し続ける秒数（0なら待たない）
        double_entry: 確信度の低い重要項目（個人番号等）を2人が別々に入力し照合する（ベリファイ）
        today: 請求年月日の検査に使う日付。空欄なら今日
        scenario: シナリオID（scenarios/ のフォルダ名）。様式・台帳・確認画面の区分に使う
    """
    settings = get_settings()
    # A missing or broken scenario folder or steps.py: one clear ConfigError, nothing read.
    steps = load_steps(load_scenario(scenario), PaperSteps)
    paths = process.Paths.under(settings.data_dir, scenario)
    if batch and not Path(batch).is_dir():
        raise ConfigError("batch: the folder does not exist or is not a folder")
    store, ledger = ReviewStore(), Ledger()  # opened once for the run, closed at its end
    try:
        release_abandoned(ledger, scenario)  # a killed run's registrations: taken up at once
        process.end_left_scans(store, ledger, paths)  # an older jimu's leftovers
        entries = process.recover_orphans(store, paths)
        entries += process.batch_entries(Path(batch)) if batch else []
        outcomes = [outcome for entry in entries
                    for outcome in read_scan(entry, scenario, today, double_entry, ledger,
                                             store, steps)]  # fmt: skip
        deadline = time.monotonic() + wait_for_review_seconds
        while True:
            reviewed, ended = process.collect_reviewed(store, ledger, paths, steps)
            outcomes += ended
            ready = [(doc.document_id, record) for doc, record in reviewed]
            if ready:
                outcomes += register_documents(
                    ready, scenario, business_url, ledger, store, steps
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not store.waiting_count():
                break
            store.wait_for_change(timeout=min(remaining, 60.0))
        unfinished = process.unfinished(store, ledger, paths)
    finally:
        store.close()
        ledger.engine.dispose()
    return _report(scenario, outcomes, unfinished, settings.data_dir, steps.reference_label)


def _report(
    scenario: str,
    outcomes: list[process.IntakeOutcome],
    unfinished: list[process.IntakeOutcome],
    data_dir: Path,
    reference_label: str,
) -> dict[str, Any]:
    final = {o.document_id: o for o in outcomes}  # the last word on each document
    for outcome in unfinished:  # and each one not finished, of this run or an earlier one
        if final.get(outcome.document_id, outcome).result not in ("registered", "refused"):
            final[outcome.document_id] = outcome
    labels = {
        "registered": "登録済み",
        "review": "確認待ち",
        "quarantined": "隔離（読取不可）",
        "refused-entry": "対象外（読まずに残置）",
        "returned": "差戻し（判読不能）",
        "refused": "要確認（内容不備）",
        "failed": "登録失敗（次回再試行）",
        "lost": "紛失（原本の再読取が必要）",
        "already-done": "処理済み",
        "accepted": "自動確定",
        "sorted": "仕分け済み（束を分割）",
        "other": "他の様式へ回付",
        "blank": "白紙（除外）",
        "unsorted": "未仕分けトレイ",
    }
    rows = [
        (o.document_id, labels.get(o.result, o.result), o.target_ref or "",
         o.fields_to_review, o.reason or "")
        for o in sorted(final.values(), key=lambda o: o.document_id)
    ]  # fmt: skip
    headers = ("文書ID", "結果", reference_label, "確認項目数", "理由")
    workbook = data_dir / "outputs" / scenario / f"batch-{time.strftime('%Y%m%dT%H%M%S')}.xlsx"
    write_table_workbook(
        workbook, sheet="バッチ結果", headers=headers, rows=rows, widths=(22, 18, 12, 10, 60)
    )
    counts = {label: sum(row[1] == label for row in rows) for label in labels.values()}
    waiting = sum(o.result == "review" for o in final.values())
    create_table_artifact(
        key=f"{scenario}-summary",
        table=[dict(zip(headers, row, strict=True)) for row in rows],
        description=" / ".join(f"{k} {v} 件" for k, v in counts.items() if v)
        + f" / レビュー待ち {waiting} 件",
    )
    return {
        "registered": sum(o.result == "registered" for o in final.values()),
        "waiting_for_review": waiting,
        "quarantined": sum(o.result == "quarantined" for o in final.values()),
        "refused_entries": sum(o.result == "refused-entry" for o in final.values()),
        "returned": sum(o.result == "returned" for o in final.values()),
        "forwarded": sum(o.result == "other" for o in final.values()),
        "blank": sum(o.result == "blank" for o in final.values()),
        "unsorted": sum(o.result == "unsorted" for o in final.values()),
        "unfinished": sum(
            o.result in ("review", "failed", "lost", "accepted") for o in final.values()
        ),
        "workbook": str(workbook),
        "outcomes": {o.document_id: o.result for o in final.values()},
    }
