"""The ``hours-report`` flow on real Prefect: both files and a markdown artifact."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.ledger import Ledger


@pytest.fixture(scope="module")
def harness() -> Iterator[None]:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    try:
        import prefect.server.api.concurrency_limits_v2  # noqa: F401
    except TypeError as exc:  # the server's own routes fail to import
        pytest.skip(
            f"Prefect's server cannot start with the installed FastAPI ({exc}); "
            "Prefect 3.8 needs fastapi<0.165"
        )
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


def test_the_flow_writes_the_files_and_an_artifact(
    harness: None, tmp_path: Path, ledger: Ledger, inventory_path: Path
) -> None:
    from prefect.client.orchestration import get_client

    from flows.hours_report import hours_report

    paths = hours_report(
        fy=2026,
        out_dir=str(tmp_path),
        inventory_path=str(inventory_path),
        ledger_url=str(ledger.engine.url),
    )
    assert Path(paths["workbook"]).name == "hours-report-FY2026.xlsx"
    assert Path(paths["document"]).is_file()
    # The REST call itself: Prefect 3.8's Artifact.get() sends null paging fields, which the
    # installed FastAPI/pydantic reject with 422.
    with get_client(sync_client=True) as client:
        response = client.request(
            "POST",
            "/artifacts/filter",
            json={
                "artifacts": {"key": {"any_": ["hours-report"]}},
                "limit": 10,
                "offset": 0,
                "sort": "CREATED_DESC",
            },
        )
    response.raise_for_status()
    [artifact] = response.json()
    assert artifact["type"] == "markdown"
    assert "| 削減時間（純） | 4.9 時間 |" in artifact["data"]
    assert "ベータ帳票読取" in artifact["data"]
