"""Paper intake exactly once: forms nobody needs to check are kept durably until registered,
a run killed at any moment is finished by the next, and nothing is registered twice.

These tests lower every confidence threshold to 0 (tests/flows/_lowered_thresholds.py), so
most generated forms are accepted with no person: the path the calibrated thresholds rarely
reach with generated handwriting, and the one that lost forms before.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

from core.errors import InvalidInput
from core.ledger import Ledger, Status
from core.secrets import get_secret
from core.settings import get_settings
from flows import _paper_intake as process
from flows._paper_intake import SCENARIO, Paths
from review import ReviewDocument, ReviewField, ReviewStore
from sandbox import RunningSandbox
from sandbox.business import inspect_business
from tests.flows._lowered_thresholds import lowered_scenarios
from tests.flows._paper import drop_scans

pytestmark = pytest.mark.browser


@pytest.fixture
def lowered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every threshold 0 for this test (see the module docstring)."""
    folder = lowered_scenarios(tmp_path / "scenarios")
    monkeypatch.setenv("JIMU_SCENARIOS_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    monkeypatch.delenv("JIMU_SCENARIOS_DIR", raising=False)
    get_settings.cache_clear()


def _auto_confirmed(store: ReviewStore) -> set[str]:
    return {entry.document_id for entry in store.audit(limit=10_000)
            if entry.action == "auto-confirmed"}  # fmt: skip


@pytest.mark.usefixtures("prefect_harness", "lowered")
def test_a_batch_where_nothing_needs_a_person_is_registered_once(
    sandbox: RunningSandbox, data_dir: Path, ledger_url: str, tmp_path: Path
) -> None:
    from flows.paper_intake import paper_intake

    inbox = tmp_path / "inbox"
    truths = drop_scans(inbox, n=8, seed=21)

    first = paper_intake(batch=str(inbox), business_url=sandbox.business_url, double_entry=False)

    store = ReviewStore()
    accepted = _auto_confirmed(store)
    assert len(accepted) >= 4, "the lowered thresholds should let most forms through"
    assert first["registered"] == len(accepted)
    assert first["registered"] + first["waiting_for_review"] == len(truths)
    assert first["unfinished"] == first["waiting_for_review"]
    business = inspect_business(sandbox.paths.business_db)
    assert business.records == len(accepted) and not business.duplicates
    ledger = Ledger(ledger_url)
    for document_id in accepted:
        item = ledger.get(SCENARIO, document_id)
        assert item is not None and item.status is Status.DONE and item.human_seconds == 0
    assert store.confirmed(SCENARIO) == []  # every accepted one was handed over
    paths = Paths.under(data_dir)
    assert {p.stem for p in paths.scans.iterdir()} == set(truths) - accepted  # only waiting

    again = paper_intake(business_url=sandbox.business_url)
    assert again["registered"] == 0
    assert inspect_business(sandbox.paths.business_db).records == len(accepted)


JIMU = [sys.executable, "-m", "cli"]
FORMS = 20


def test_sigkill_while_reading_and_while_registering_then_rerun(
    sandbox: RunningSandbox, tmp_path: Path, _isolated_data_dir: Path, prefect_home: Path
) -> None:
    """Acceptance of issue 13: 20 forms, at least half accepted with no person; the run is
    SIGKILLed while reading, the next while registering; a third run finishes. Every form
    is then registered exactly once (counted in the business system) or waiting for review,
    and nothing is orphaned."""
    scenarios = lowered_scenarios(tmp_path / "scenarios")
    inbox = tmp_path / "inbox"
    truths = drop_scans(inbox, n=FORMS, seed=23)
    data = tmp_path / "data"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")}
    env |= {
        "JIMU_DATA_DIR": str(data),
        "JIMU_LEDGER_URL": f"sqlite:///{tmp_path / 'ledger.sqlite3'}",
        "JIMU_SECRET_SANDBOX_BUSINESS_PASSWORD": get_secret("sandbox-business-password"),
        "PREFECT_HOME": str(prefect_home),
        "JIMU_SCENARIOS_DIR": str(scenarios),
    }
    command = [
        *JIMU, "run", "paper-intake",
        "--batch", str(inbox), "--business-url", sandbox.business_url,
    ]  # fmt: skip
    review_db = data / "review" / "review.sqlite3"
    with (tmp_path / "run.log").open("w") as log:
        _run_until(command, env, log, lambda: _stored(review_db) >= 5)
        assert 0 < sum(1 for _ in inbox.iterdir()) < FORMS, "killed while reading"
        _run_until(command, env, log, lambda: _records(sandbox) >= 2)
        assert _records(sandbox) < FORMS
        final = subprocess.run(command, env=env, stdout=log, stderr=log, timeout=900, check=False)
    assert final.returncode == 0, "see run.log in the test's tmp_path"

    store = ReviewStore(review_db)
    ledger = Ledger(env["JIMU_LEDGER_URL"])
    accepted = _auto_confirmed(store)
    waiting = {e.document_id for e in store.queue(user="", admin=True)}
    done = {i.item_key for i in ledger.items(SCENARIO) if i.status is Status.DONE}
    assert len(accepted) >= FORMS // 2
    assert done == accepted and not done & waiting
    assert done | waiting == set(truths)
    business = inspect_business(sandbox.paths.business_db)
    assert business.records == len(done) and not business.duplicates
    assert not any(inbox.iterdir())
    assert {p.stem for p in Paths.under(data).scans.iterdir()} == waiting  # nothing orphaned
    for item in ledger.items(SCENARIO):
        assert item.status is Status.DONE or item.item_key in waiting


def _run_until(command: list[str], env: dict[str, str], log: IO[str], ready: object) -> None:
    """Start a run and SIGKILL it (with its browser and Prefect server) once ``ready()``."""
    run = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 600
    while not ready():  # type: ignore[operator]
        assert run.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=30)


def _stored(review_db: Path) -> int:
    if not review_db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{review_db}?mode=ro", uri=True, timeout=5) as db:
            return int(db.execute("SELECT count(*) FROM documents").fetchone()[0])
    except sqlite3.OperationalError:  # the table is not made yet
        return 0


def _records(sandbox: RunningSandbox) -> int:
    return inspect_business(sandbox.paths.business_db).records


def _confirmed_with_its_scan(
    tmp_path: Path, store: ReviewStore, paths: Paths, *, seed: int,
    changed: dict[str, str] | None = None,
) -> str:
    """One generated form stored 確定 with its values (``changed`` replacing some), its scan
    kept where intake keeps the scan of a stored document; returns its document id."""
    [(document_id, values)] = drop_scans(tmp_path / "inbox", n=1, seed=seed).items()
    store.submit(
        ReviewDocument(
            document_id=document_id, scenario=SCENARIO, source_name=f"{document_id}.png",
            fields=tuple(ReviewField(name=name, label=name, kind="text", value=value,
                                     confidence=1.0, accepted=True)
                         for name, value in {**values, **(changed or {})}.items()),
        ),
        confirmed=True,
    )  # fmt: skip
    paths.scans.mkdir(parents=True, exist_ok=True)
    next((tmp_path / "inbox").iterdir()).rename(paths.scans / f"{document_id}.png")
    return document_id


@pytest.mark.usefixtures("prefect_harness")
def test_a_document_the_business_system_refuses_ends_once_with_its_reason(
    sandbox: RunningSandbox, data_dir: Path, ledger_url: str, tmp_path: Path
) -> None:
    """Confirmed, but the 業務システム refuses it (氏名 over 30 characters): a business failure
    with the screen's reason, its scan quarantined for a person, never retried."""
    from flows.paper_intake import paper_intake

    store, paths = ReviewStore(), Paths.under(data_dir)
    document_id = _confirmed_with_its_scan(tmp_path, store, paths, seed=24,
                                           changed={"name": "山" * 31})  # fmt: skip

    first = paper_intake(business_url=sandbox.business_url)
    assert first["outcomes"] == {document_id: "refused"}
    item = Ledger(ledger_url).get(SCENARIO, document_id)
    assert item is not None and item.status is Status.BUSINESS_FAILURE
    assert "30文字以内" in (item.reason or "")
    assert (paths.quarantine / f"{document_id}.png").exists()
    assert not any(paths.scans.iterdir())
    assert inspect_business(sandbox.paths.business_db).records == 0

    again = paper_intake(business_url=sandbox.business_url)
    assert again["outcomes"] == {}
    assert Ledger(ledger_url).get(SCENARIO, document_id).attempts == 1  # type: ignore[union-attr]


@pytest.mark.usefixtures("prefect_harness")
def test_killed_after_registering_before_the_scan_is_deleted(
    sandbox: RunningSandbox, data_dir: Path, ledger_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Registered, then the run dies before the scan is deleted: the next run deletes it
    (a scan of a registered document is personal data kept for nothing) and registers
    nothing twice."""
    from flows.paper_intake import paper_intake

    store, paths = ReviewStore(), Paths.under(data_dir)
    document_id = _confirmed_with_its_scan(tmp_path, store, paths, seed=25)

    class Killed(BaseException):
        """The process dies: nothing after this line runs."""

    def killed(*_: object) -> None:
        raise Killed

    with monkeypatch.context() as patched, pytest.raises(Killed):
        patched.setattr(process, "forget_scan", killed)
        paper_intake(business_url=sandbox.business_url)
    assert (paths.scans / f"{document_id}.png").exists()  # the kill came after registering
    assert inspect_business(sandbox.paths.business_db).records == 1

    paper_intake(business_url=sandbox.business_url)
    assert not any(paths.scans.iterdir())
    item = Ledger(ledger_url).get(SCENARIO, document_id)
    assert item is not None and item.status is Status.DONE and item.attempts == 1
    business = inspect_business(sandbox.paths.business_db)
    assert business.records == 1 and not business.duplicates
    assert store.confirmed(SCENARIO) == []
    store.close()


def test_a_confirmed_document_that_makes_no_record_is_quarantined_with_its_reason(
    data_dir: Path, ledger_url: str, tmp_path: Path
) -> None:
    """Confirmed by a person, yet its values make no application (a required field left
    blank): a business failure whose scan goes to quarantine with the reason, not a scan
    left behind in the folder of scans on their way."""
    store, ledger, paths = ReviewStore(), Ledger(ledger_url), Paths.under(data_dir)
    document_id = _confirmed_with_its_scan(tmp_path, store, paths, seed=26,
                                           changed={"name": ""})  # fmt: skip

    ready, ended = process.collect_reviewed(store, ledger, paths)
    assert ready == []
    assert [(o.document_id, o.result) for o in ended] == [(document_id, "refused")]
    assert not any(paths.scans.iterdir())
    assert (paths.quarantine / f"{document_id}.png").exists()
    item = ledger.get(SCENARIO, document_id)
    assert item is not None and item.status is Status.BUSINESS_FAILURE
    assert "空欄" in (item.reason or "")
    assert store.confirmed(SCENARIO) == []
    assert process.collect_reviewed(store, ledger, paths) == ([], [])  # ended once
    store.close()


def test_scans_an_older_jimu_kept_after_their_document_ended_are_ended(
    data_dir: Path, ledger_url: str, tmp_path: Path
) -> None:
    """An older jimu deleted a registered document's scan only after handing it over, and
    left the scan of a refused one in the folder of scans on their way. The next run deletes
    the first, quarantines the second with the ledger's reason, reads neither again, and
    leaves the scan of a document still in review where it is."""
    store, ledger, paths = ReviewStore(), Ledger(ledger_url), Paths.under(data_dir)
    registered = _confirmed_with_its_scan(tmp_path / "a", store, paths, seed=27)
    refused = _confirmed_with_its_scan(tmp_path / "b", store, paths, seed=28)
    for document_id in (registered, refused):
        ledger.enqueue(SCENARIO, document_id)
        assert ledger.claim(SCENARIO, document_id, worker="old-jimu")
        store.mark_handed_over(document_id)
    ledger.complete(SCENARIO, registered, target_ref="A-1")
    ledger.fail(SCENARIO, refused, InvalidInput("氏名が空欄です", code="no-record"))
    [(waiting, _)] = drop_scans(tmp_path / "c", n=1, seed=29).items()
    store.submit(ReviewDocument(
        document_id=waiting, scenario=SCENARIO, source_name=f"{waiting}.png",
        fields=(ReviewField(name="name", label="氏名", kind="kanji", value="", confidence=0.1),),
    ))
    next((tmp_path / "c").iterdir()).rename(paths.scans / f"{waiting}.png")

    assert process.end_left_scans(store, ledger, paths) == 2
    assert sorted(scan.name for scan in paths.scans.iterdir()) == [f"{waiting}.png"]
    assert (paths.quarantine / f"{refused}.png").exists()
    reason = next(paths.quarantine.glob(f"{refused}*.reason.txt")).read_text(encoding="utf-8")
    assert "空欄" in reason
    assert process.recover_orphans(store, paths) == []  # nothing is read again
    assert process.end_left_scans(store, ledger, paths) == 0
    store.close()


def test_a_refused_documents_scan_is_quarantined_after_the_store_purged_it(
    data_dir: Path, ledger_url: str, tmp_path: Path
) -> None:
    """The review store has purged a refused document (its retention ran out) but an older
    jimu left its scan: the scan still goes to quarantine with the ledger's reason."""
    store, ledger, paths = ReviewStore(), Ledger(ledger_url), Paths.under(data_dir)
    [(document_id, _)] = drop_scans(tmp_path / "inbox", n=1, seed=30).items()
    paths.scans.mkdir(parents=True, exist_ok=True)
    next((tmp_path / "inbox").iterdir()).rename(paths.scans / f"{document_id}.png")
    ledger.enqueue(SCENARIO, document_id)
    assert ledger.claim(SCENARIO, document_id, worker="old-jimu")
    ledger.fail(SCENARIO, document_id, InvalidInput("氏名が空欄です", code="no-record"))

    assert process.end_left_scans(store, ledger, paths) == 1
    assert not any(paths.scans.iterdir())
    reason = (paths.quarantine / f"{document_id}.png.reason.txt").read_text(encoding="utf-8")
    assert "登録できません" in reason and "空欄" in reason
    store.close()
