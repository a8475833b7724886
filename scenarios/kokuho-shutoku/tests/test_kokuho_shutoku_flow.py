"""kokuho-shutoku end to end: filled and scanned 資格取得届 (the city's Excel form) → the
paper-intake flow → review → the sandbox's 資格管理システム, each person registered once.

Two generated forms, one with a wrong 個人番号 check digit. What the reader accepted in
full is registered on the first run; the rest wait in the review station, are confirmed with
the values written on them (through the store, as the station does), and the next run
registers them — the wrong 個人番号 becomes a 要確認 with its reason, never a record. A third
run adds nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.ledger import Ledger, Status
from core.secrets import get_secret
from core.settings import get_settings
from core.wareki import from_wareki
from flows._paper_intake import document_id_of
from review import ReviewStore
from sandbox import RunningSandbox
from sandbox.kokuho_samples import generate_kokuho_samples
from sandbox.legacy import inspect_legacy

pytestmark = pytest.mark.browser

SCENARIO = "kokuho-shutoku"
REVIEWER = "kakunin1"
ERAS = {"1": "明治", "2": "大正", "3": "昭和", "4": "平成", "5": "令和"}


@pytest.fixture
def ledger_url(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """This test's own data folder and ledger, keeping the sandbox's password and the key
    its inspection hashes 個人番号 with."""
    for name in ("sandbox-legacy-password", "sandbox-hash-key"):
        monkeypatch.setenv("JIMU_SECRET_" + name.upper().replace("-", "_"), get_secret(name))
    monkeypatch.setenv("JIMU_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    monkeypatch.setenv("JIMU_LEDGER_URL", url)
    get_settings.cache_clear()
    yield url
    monkeypatch.undo()
    get_settings.cache_clear()


def _birth_date(boxes: str) -> str:
    era, year, month, day = ERAS[boxes[0]], int(boxes[1:3]), int(boxes[3:5]), int(boxes[5:7])
    return from_wareki(era, year, month, day).isoformat()


@pytest.mark.usefixtures("prefect_harness")
def test_scanned_forms_each_registered_once_the_wrong_one_never(
    sandbox: RunningSandbox, ledger_url: str, tmp_path: Path
) -> None:
    from flows.paper_intake import paper_intake

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    samples = generate_kokuho_samples(
        tmp_path / "samples", n=2, seed=14, formats=("png",), received_to=date.today()
    )
    truths: dict[str, dict[str, str]] = {}
    bad = []
    for sample in samples:
        truths[document_id_of(sample.path)] = sample.truth["fields"]
        if sample.truth["bad"]:
            bad.append(document_id_of(sample.path))
        sample.path.rename(inbox / sample.path.name)
    assert len(bad) == 1  # seed 14: the second form's 個人番号 fails its check digit

    def run() -> dict[str, Any]:
        return paper_intake(
            batch=str(inbox) if any(inbox.iterdir()) else None,
            business_url=sandbox.legacy_url,
            double_entry=False,
            scenario=SCENARIO,
        )

    first = run()
    assert first["quarantined"] == 0 and not any(inbox.iterdir())
    store = ReviewStore()
    waiting = [entry.document_id for entry in store.queue(user=REVIEWER, admin=False)]
    assert bad[0] in waiting  # a wrong check digit is never accepted
    assert first["registered"] + len(waiting) == 2
    assert inspect_legacy(sandbox.paths.legacy_db).records == first["registered"]

    for document_id in waiting:  # the reviewer types what is written on the form
        view = store.document(document_id)
        values = {f.name: truths[document_id].get(f.name, "") for f in view.to_review()}
        store.confirm(
            document_id, user=REVIEWER, revision=view.revision, values=values, seconds=5.0
        )
    second = run()
    assert second["registered"] == len(waiting) - 1
    run()  # and once more: nothing is registered twice

    summary = inspect_legacy(sandbox.paths.legacy_db)
    assert summary.records == 1 and summary.duplicates == {}
    ledger = Ledger(ledger_url)
    with sqlite3.connect(f"file:{sandbox.paths.legacy_db}?mode=ro", uri=True) as db:
        for document_id, truth in truths.items():
            item = ledger.get(SCENARIO, document_id)
            assert item is not None
            if document_id in bad:
                assert item.status is Status.BUSINESS_FAILURE
                assert "チェックデジット" in (item.reason or "")
                assert summary.insured_nos_of(truth["my_number"]) == ()
                continue
            assert item.status is Status.DONE
            assert summary.insured_nos_of(truth["my_number"]) == (item.target_ref,)
            stored = db.execute(
                "SELECT name, birth_date FROM insured WHERE insured_no = ?", (item.target_ref,)
            ).fetchone()
            assert stored == (truth["name"], _birth_date(truth["birth_date"]))
    store.close()
