"""``jimu retry``: a row a clerk fixed at the source is queued again and taken by the next
run — no hand edits of the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli import main
from core.ledger import Ledger, Status
from core.settings import get_settings
from flows._e_application import SCENARIO, enqueue_export
from systems.e_application_portal import read_export
from tests.flows.test_e_application_keys import _export


@pytest.fixture
def ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    monkeypatch.setenv("JIMU_LEDGER_URL", url)
    get_settings.cache_clear()
    yield Ledger(url)
    monkeypatch.delenv("JIMU_LEDGER_URL", raising=False)
    get_settings.cache_clear()


def test_a_fixed_row_is_taken_by_the_next_run(
    ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = _export(["R2026-000001"], as_entered={"R2026-000001": {"個人番号": "123456789019"}})
    first = enqueue_export(ledger, read_export(wrong, encoding="utf-8-sig"))
    assert first.keys == [] and ledger.counts(SCENARIO)[Status.BUSINESS_FAILURE] == 1

    fixed = _export(["R2026-000001"], as_entered={})  # the clerk corrected the 個人番号
    again = enqueue_export(ledger, read_export(fixed, encoding="utf-8-sig"))
    assert again.keys == []  # a refusal stays refused until a person says otherwise
    assert [o.item_key for o in again.refused] == ["R2026-000001"]

    assert main(["retry", SCENARIO, "R2026-000001"]) == 0
    assert "R2026-000001: queued again (was business_failure)" in capsys.readouterr().out
    taken = enqueue_export(ledger, read_export(fixed, encoding="utf-8-sig"))
    assert taken.keys == ["R2026-000001"]
    state = ledger.get(SCENARIO, "R2026-000001")
    assert state is not None and state.status is Status.QUEUED and state.reason is None


def test_done_and_unknown_items_are_left_as_they_are(
    ledger: Ledger, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger.enqueue(SCENARIO, "R2026-000009")
    assert ledger.claim(SCENARIO, "R2026-000009", worker="w")
    ledger.complete(SCENARIO, "R2026-000009", target_ref="J-1")
    assert main(["retry", SCENARIO, "R2026-000009", "R2026-000404"]) == 1
    out = capsys.readouterr().out
    assert "R2026-000009: left as it is (done)" in out
    assert "R2026-000404: left as it is (unknown)" in out
    assert main(["retry", "no-such-scenario", "X-1"]) == 2
